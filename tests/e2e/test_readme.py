"""The README's commands run as written: the walk-through of the seed's
workflow (an admin adds a monitor, staff register and admit a patient,
a nurse records readings, a doctor reads them; its last line asserts
that the doctor sees exactly the one high reading), and the front-end
developer's cookie and CSRF session."""

import os
import subprocess
import unittest

import hm

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "..", "..", "README")
HEADING = "Walking through the seed's workflow"


def block(after):
    """The indented lines that follow the README line that starts with
    "after", as one shell script."""
    with open(README, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = [i for i, l in enumerate(lines) if l.startswith(after)][0]
    script = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" ") and script:
            break
        if line.startswith("    ") or (not line and script):
            script.append(line[4:])
    return "\n".join(script)


def run(testcase, script):
    env = dict(os.environ,
               HM_API=hm.env("HM_URL") + "/api",
               HM_DATA_DIR=hm.env("HM_DATA_DIR"),
               HMCTL=hm.env("HM_HMCTL"))
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", script],
                       env=env, capture_output=True, text=True,
                       timeout=120, cwd=os.path.join(HERE, "..", ".."))
    testcase.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s"
                         % (p.stdout[-3000:], p.stderr[-3000:]))
    return p.stdout


class Readme(unittest.TestCase):

    def test_walkthrough_runs_as_written(self):
        script = block(HEADING)
        self.assertIn("POST /heartrates/", script)
        out = run(self, script)
        self.assertTrue(out.rstrip().endswith("true"), out)

    def test_cookie_session_runs_as_written(self):
        script = block("What a browser does")
        self.assertIn("X-CSRFToken", script)
        out = run(self, script).split("\n")
        self.assertEqual(out[:2], ["admin", "403"], out)
        self.assertIn("Signed out.", out[2])


if __name__ == "__main__":
    unittest.main()

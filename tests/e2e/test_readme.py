"""The README's walk-through of the seed's workflow runs as written: an
admin adds a monitor, staff register and admit a patient, a nurse
records readings, a doctor reads them (the last line asserts that the
doctor sees exactly the one high reading)."""

import os
import subprocess
import unittest

import hm

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "..", "..", "README")
HEADING = "Walking through the seed's workflow"


def walkthrough():
    """The indented lines of the README section, as one shell script."""
    with open(README, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = lines.index(HEADING)
    script = []
    for line in lines[start + 2:]:
        if line and not line.startswith(" ") and script:
            break
        if line.startswith("    ") or (not line and script):
            script.append(line[4:])
    return "\n".join(script)


class Walkthrough(unittest.TestCase):

    def test_runs_as_written(self):
        script = walkthrough()
        self.assertIn("POST /heartrates/", script)
        env = dict(os.environ,
                   HM_API=hm.env("HM_URL") + "/api",
                   HM_DATA_DIR=hm.env("HM_DATA_DIR"),
                   HMCTL=hm.env("HM_HMCTL"))
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", script],
                           env=env, capture_output=True, text=True,
                           timeout=120, cwd=os.path.join(HERE, "..", ".."))
        self.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s"
                         % (p.stdout[-3000:], p.stderr[-3000:]))
        self.assertTrue(p.stdout.rstrip().endswith("true"), p.stdout)


if __name__ == "__main__":
    unittest.main()

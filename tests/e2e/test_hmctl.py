"""hmctl, the sysadmin's command-line tool (SPEC 1, 6), against the
running stack's database.  Names carry a random tag, so the tests can
run again on the same database."""

import re
import unittest

import hm


def password():
    return "E2e-pass-" + hm.tag() + "-Zq!"


class Hmctl(unittest.TestCase):

    def hmctl(self, *args, input=None):
        """Runs hmctl with the stack's configuration: (status, out, err)."""
        env = hm.clean_env(HEARTMONITOR_CONFIG=hm.env("HM_CONFIG"))
        return hm.run([hm.env("HM_HMCTL")] + list(args), input=input,
                      env=env, timeout=60)

    def ok(self, *args, input=None):
        st, out, err = self.hmctl(*args, input=input)
        self.assertEqual(st, 0, "hmctl %s: status %d\nstdout: %s\nstderr: %s"
                         % (" ".join(args), st, out, err))
        return out + err

    def user_line(self, email):
        """The line of "hmctl user list" about "email" (without the email
        itself, so that "admin@…" does not read as a role)."""
        out = self.ok("user", "list")
        lines = [l for l in out.splitlines()
                 if email in re.split(r"[\s|,;=:\"']+", l)]
        self.assertEqual(len(lines), 1, "want one line for %s in:\n%s"
                         % (email, out))
        return lines[0].replace(email, " ")

    # ------------------------------------------------------------ basics

    def test_help(self):
        st, out, err = self.hmctl("--help")
        self.assertEqual(st, 0, err)
        self.assertRegex(out + err, r"(?i)usage|migrate")

    def test_unknown_command_is_usage_error(self):
        st, out, err = self.hmctl("bogus")
        self.assertEqual(st, 2, out + err)
        self.assertTrue(err.strip(), "no message on stderr")

    def test_check_config_hides_secret(self):
        secret = hm.secret_key()
        st, out, err = self.hmctl("check-config")
        self.assertEqual(st, 0, out + err)
        self.assertNotIn(secret, out + err)
        # Nor a recognisable piece of it.
        self.assertNotIn(secret[:16], out + err)

    def test_migrate_up_to_date(self):
        out = self.ok("migrate")
        self.assertRegex(out, r"(?i)up[ -]to[ -]date")

    # ----------------------------------------------------------- devices

    def test_device_add_list_duplicate(self):
        serial = "SN-E2E-" + hm.tag().upper()
        self.ok("device", "add", "--serial", serial, "--model", "M1")
        out = self.ok("device", "list")
        self.assertIn(serial, out)
        st, out, err = self.hmctl("device", "add", "--serial", serial,
                                  "--model", "M1")
        self.assertEqual(st, 1, out + err)
        self.assertRegex(out + err, r"(?i)taken|exist|already")
        self.assertIn(serial, self.ok("device", "list"))

    # ------------------------------------------------------------- users

    def test_admin_is_listed_as_admin(self):
        line = self.user_line(hm.env("HM_ADMIN_EMAIL"))
        self.assertRegex(line, r"\badmin\b")

    def test_createsuperuser_and_set_role(self):
        email = "e2e-%s@y.test" % hm.tag()
        pw = password()
        self.ok("createsuperuser", "--email", email, "--first-name", "A",
                "--last-name", "B", input="%s\n%s\n" % (pw, pw))
        self.assertRegex(self.user_line(email), r"\badmin\b")
        self.ok("user", "set-role", email, "nurse")
        line = self.user_line(email)
        self.assertRegex(line, r"\bnurse\b")
        self.assertNotRegex(line, r"\badmin\b")

    def test_createsuperuser_refuses_password_on_argv(self):
        email = "e2e-%s@y.test" % hm.tag()
        pw = password()
        st, out, err = self.hmctl("createsuperuser", "--email", email,
                                  "--first-name", "A", "--last-name", "B",
                                  "--password", pw,
                                  input="%s\n%s\n" % (pw, pw))
        self.assertEqual(st, 2, out + err)
        self.assertNotIn(email, self.ok("user", "list"))

    def test_set_role_unknown_role(self):
        email = "e2e-%s@y.test" % hm.tag()
        pw = password()
        self.ok("createsuperuser", "--email", email, "--first-name", "A",
                "--last-name", "B", input="%s\n%s\n" % (pw, pw))
        st, out, err = self.hmctl("user", "set-role", email, "root")
        self.assertIn(st, (1, 2), out + err)
        self.assertTrue(err.strip(), "no message on stderr")
        self.assertRegex(self.user_line(email), r"\badmin\b")

    def test_deactivate_unknown_user(self):
        st, out, err = self.hmctl("user", "deactivate",
                                  "nobody-%s@x.test" % hm.tag())
        self.assertEqual(st, 1, out + err)
        self.assertTrue(err.strip(), "no message on stderr")


if __name__ == "__main__":
    unittest.main()

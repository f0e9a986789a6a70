"""No password, token or link token in any log (SPEC 6, issue 3): the
worker pool's, the mail worker's and nginx's logs under $HM_DATA_DIR.
The module runs after the other test_auth_* modules ("zz") and checks
every secret they handled (hm.SECRETS), plus those of a whole account
life it goes through itself, so that it also checks something when run
alone."""

import glob
import os
import re
import time
import unittest

import hm

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")


def log_files():
    d = hm.env("HM_DATA_DIR")
    return sorted(glob.glob(os.path.join(d, "logs", "*.log")) +
                  glob.glob(os.path.join(d, "nginx", "logs", "*.log")))


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


class Logs(unittest.TestCase):

    def account_life(self):
        """Register, activate by the link, sign in, refresh, use the
        token endpoint, fail a sign-in, reset the password, log out."""
        body = hm.registration()
        r = hm.register(body)
        self.assertEqual(r.status, 201, r)
        uid, token = hm.wait_link(body["email"], "activate")
        r = hm.request("GET", hm.activation_path(uid, token))
        self.assertEqual(r.status, 200, r)
        # A used link again: an error answer, which must not log it either.
        hm.request("GET", hm.activation_path(uid, token))
        s = hm.signed_in(self, body)
        self.assertEqual(s.post(hm.REFRESH_PATH).status, 200)
        t = hm.get_tokens(self, body)
        r = hm.request("POST", hm.REFRESH_PATH,
                       body={"refresh": t["refresh"]})
        self.assertEqual(r.status, 200, r)
        hm.remember_secret(r.json.get("access"), r.json.get("refresh"))
        hm.Session().signin(body["email"], body["password"] + "-wrong")
        self.assertEqual(hm.request("POST", hm.RESET_PATH,
                                    body={"email": body["email"]}).status,
                         200)
        uid, token = hm.wait_link(body["email"], "reset")
        hm.request("GET", "/reset-password/%s/%s/" % (uid, token))
        new = hm.new_password()
        r = hm.request("POST", hm.confirm_reset_path(uid, token),
                       body={"password": new, "confirm_password": new})
        self.assertEqual(r.status, 200, r)
        s = hm.signed_in(self, dict(body, password=new))
        self.assertEqual(s.post(hm.LOGOUT_PATH).status, 200)
        # Old tokens, refused: error paths log too.
        hm.request("GET", hm.PROFILE_PATH, headers=hm.bearer(t["access"]))
        return r.headers.get("X-Request-Id")

    def test_no_secret_in_any_log(self):
        last_id = self.account_life()
        hm.remember_secret(os.environ.get("HM_ADMIN_PASSWORD"))
        files = log_files()
        self.assertTrue(files, "no log files under %s"
                        % hm.env("HM_DATA_DIR"))
        # The pool has logged the last request before we look.
        fcgi = os.path.join(hm.env("HM_DATA_DIR"), "logs", "fcgi.log")
        if os.path.exists(fcgi) and last_id:
            hm.wait_for(lambda: last_id in read(fcgi), 5)
        time.sleep(0.2)
        secrets = sorted(hm.SECRETS)
        self.assertTrue(secrets)
        for path in files:
            text = read(path)
            with self.subTest(log=path):
                leaked = [s for s in secrets if s in text]
                self.assertEqual(leaked, [], "secrets in %s" % path)
                m = JWT_SHAPE.search(text)
                self.assertIsNone(m, "a JWT in %s: %r" % (
                    path, m and text[max(0, m.start() - 80):m.end() + 20]))


if __name__ == "__main__":
    unittest.main()

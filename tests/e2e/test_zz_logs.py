"""No secrets or patient data in the logs (SPEC 6): the pool's stderr,
$HM_DATA_DIR/logs/fcgi.log, carries each request's id but never the
query string nor the SECRET_KEY.  (The "zz" runs this module last, after
the rest of the suite has sent its requests.)"""

import os
import unittest

import hm

NAME = "SECRETNAME123"


def log_path():
    return os.path.join(hm.env("HM_DATA_DIR"), "logs", "fcgi.log")


def read_log():
    with open(log_path(), "rb") as f:
        return f.read().decode("utf-8", "replace")


class Logs(unittest.TestCase):

    def test_query_string_not_logged_request_id_is(self):
        sent = []
        for path, status in (("/api/health/?search=" + NAME, 200),
                             ("/api/nope/?search=" + NAME, 404),
                             ("/api/health/?search=" + NAME + "&a=%zz", 400)):
            r = hm.request("GET", path)
            self.assertEqual(r.status, status, r)
            sent.append(r.headers["X-Request-Id"])
        ok = hm.wait_for(lambda: all(i in read_log() for i in sent), 5)
        log = read_log()
        self.assertTrue(ok, "request ids %r not all in %s"
                        % ([i for i in sent if i not in log], log_path()))
        self.assertNotIn(NAME, log)

    def test_secret_key_not_logged(self):
        secret = hm.secret_key()
        # A few answers of every kind first, so that there is something
        # to leak.
        hm.request("GET", "/api/health/")
        hm.request("GET", "/api/nope/")
        hm.request("POST", "/api/auth/signin/", body={"email": "a@b.test",
                                                      "password": "x" * 12})
        log = read_log()
        self.assertTrue(log.strip(), "%s is empty" % log_path())
        self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main()

"""Password reset (SPEC 4, 7.2, 7.9, 7.27): the same answer for known
and unknown addresses, a mail only for the known one, a one-use link
that survives a weak-password refusal, and a confirmed reset that ends
every session and swaps the passwords."""

import os
import signal
import time
import unittest

import hm


def reset_request(email_, headers=None):
    return hm.request("POST", hm.RESET_PATH, body={"email": email_},
                      headers=headers)


def confirm(uid, token, password, again=None):
    if isinstance(password, str):
        hm.remember_secret(password)
    return hm.request("POST", hm.confirm_reset_path(uid, token),
                      body={"password": password,
                            "confirm_password": password if again is None
                            else again})


def assert_no_store(testcase, resp):
    cc = ", ".join(resp.headers.get_all("Cache-Control") or [])
    testcase.assertIn("no-store", cc.lower(), resp)


class Reset(unittest.TestCase):

    def test_same_answer_mail_only_for_a_known_address(self):
        user = hm.make_user(self)
        unknown = hm.new_email("e2e-nobody")
        r_unknown = reset_request(unknown)
        r_known = reset_request(user["email"])
        for r in (r_unknown, r_known):
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.content_type, "application/json", r)
            self.assertIsInstance(r.json, dict, r)
            self.assertIsInstance(r.json.get("message"), str, r)
            assert_no_store(self, r)
            hm.assert_common_headers(r)
        self.assertEqual(r_unknown.json, r_known.json)
        self.assertNotIn(unknown, r_unknown.body.decode())
        self.assertFalse(hm.set_cookies(r_known), r_known)
        # The known address gets a reset link.
        uid, token = hm.wait_link(user["email"], "reset")
        reset_mail = [m for _, m in hm.mails_to(user["email"])
                      if hm.mail_links(m, "reset")][0]
        self.assertEqual(reset_mail.get_content_type(),
                         "multipart/alternative")
        parts = hm.mail_parts(reset_mail)
        self.assertIn("/reset-password/%s/%s/" % (uid, token),
                      parts.get("text/html", ""))
        self.assertNotIn(user["password"], hm.mail_text(reset_mail))
        # The unknown one gets nothing (its request came first).
        time.sleep(0.5)
        self.assertEqual(hm.mails_to(unknown), [])

    def test_invalid_email_is_400(self):
        for why, body in (("no @", {"email": "not-an-email"}),
                          ("missing", {}),
                          ("a number", {"email": 42}),
                          ("with LF", {"email": "a@b.test\nBcc: c@d.test"}),
                          ("with NUL", {"email": "a@b.test\u0000.x"}),
                          ("empty", {"email": ""})):
            with self.subTest(why):
                r = hm.request("POST", hm.RESET_PATH, body=body)
                j = hm.problem(r, 400, "invalid")
                self.assertIn("email", j.get("errors", {}), j)

    def test_confirm_flow(self):
        user = hm.make_user(self)
        cookie = hm.signed_in(self, user)
        script = hm.get_tokens(self, user)
        self.assertEqual(reset_request(user["email"]).status, 200)
        uid, token = hm.wait_link(user["email"], "reset")

        # Refused confirmations leave the link usable (SPEC 7.9).
        r = confirm(uid, token, "Short-1x")
        j = hm.problem(r, 400, "invalid")
        self.assertIn("password", j.get("errors", {}), j)
        r = confirm(uid, token, "98765432109876")
        self.assertIn("password", hm.problem(r, 400, "invalid")
                      .get("errors", {}))
        r = confirm(uid, token, user["email"])
        self.assertIn("password", hm.problem(r, 400, "invalid")
                      .get("errors", {}))
        new = hm.new_password()
        r = confirm(uid, token, new, new + "x")
        self.assertIn("confirm_password", hm.problem(r, 400, "invalid")
                      .get("errors", {}))
        r = hm.request("POST", hm.confirm_reset_path(uid, token),
                       body={"password": new})
        self.assertIn("confirm_password", hm.problem(r, 400, "invalid")
                      .get("errors", {}))
        # A forged token is refused and does not spend the real one.
        ts, _, mac = token.partition("-")
        forged = ts + "-" + mac[:-1] + ("0" if mac[-1] != "0" else "1")
        hm.problem(confirm(uid, forged, new), 400, "invalid_token")
        # None of that changed anything.
        hm.problem(hm.Session().signin(user["email"], new), 401,
                   "invalid_credentials")
        self.assertEqual(cookie.get(hm.PROFILE_PATH).status, 200)

        r = confirm(uid, token, new)
        self.assertEqual(r.status, 200, r)
        self.assertIsInstance(r.json, dict, r)
        self.assertIsInstance(r.json.get("message"), str, r)
        assert_no_store(self, r)
        self.assertNotIn(new, r.body.decode("utf-8", "replace"))
        # The link dies with use.
        hm.problem(confirm(uid, token, hm.new_password()), 400,
                   "invalid_token")
        # Every session of the user ended.
        r = cookie.get(hm.PROFILE_PATH)
        hm.problem(r, 401, "invalid_token")
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(script["access"]))
        hm.problem(r, 401, "invalid_token")
        hm.problem(cookie.post(hm.REFRESH_PATH), 401, "invalid_token")
        r = hm.request("POST", hm.REFRESH_PATH,
                       body={"refresh": script["refresh"]})
        hm.problem(r, 401, "invalid_token")
        # The new password signs in, the old one does not.
        r = hm.Session().signin(user["email"], user["password"])
        hm.problem(r, 401, "invalid_credentials")
        r = hm.Session().signin(user["email"], new)
        self.assertEqual(r.status, 200, r)

    def test_silent_mail_server_holds_no_request(self):
        """Mail goes through the outbox (SPEC 6): with the SMTP server
        accepting connections but never answering (stopped), a reset
        request still answers at once, and the mail is delivered once
        the server speaks again."""
        user = hm.make_user(self)
        sink = hm.read_pid(os.path.join(hm.env("HM_DATA_DIR"), "run",
                                        "smtp.pid"))
        os.kill(sink, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            r = reset_request(user["email"])
            self.assertEqual(r.status, 200, r)
            # A bound against waiting on the mail server, not a timing:
            # the mail worker gives up on a silent one after 30 s.
            self.assertLess(time.monotonic() - t0, 5.0)
            time.sleep(1.0)     # the mail worker is talking to it now
        finally:
            os.kill(sink, signal.SIGCONT)
        hm.wait_link(user["email"], "reset")

    def test_reset_link_dies_when_the_account_changes(self):
        """The token is bound to the password hash and the last sign-in
        (SPEC 4): a sign-in after the mail, or a second reset, makes an
        older link useless."""
        user = hm.make_user(self)
        self.assertEqual(reset_request(user["email"]).status, 200)
        uid, token = hm.wait_link(user["email"], "reset")
        hm.signed_in(self, user)            # last_login changes
        hm.problem(confirm(uid, token, hm.new_password()), 400,
                   "invalid_token")
        # A fresh link works, and once used, a link made before it is
        # dead too (the password hash changed).
        self.assertEqual(reset_request(user["email"]).status, 200)
        uid2, token2 = hm.wait_link(user["email"], "reset", skip=1)
        self.assertEqual(reset_request(user["email"]).status, 200)
        uid3, token3 = hm.wait_link(user["email"], "reset", skip=2)
        new = hm.new_password()
        self.assertEqual(confirm(uid3, token3, new).status, 200)
        if token2 != token3:
            hm.problem(confirm(uid2, token2, hm.new_password()), 400,
                       "invalid_token")
        self.assertEqual(hm.Session().signin(user["email"], new).status,
                         200)

    def test_reset_page_is_served(self):
        """The mail's link opens a page served by nginx (SPEC 7.2)."""
        user = hm.make_user(self)
        self.assertEqual(reset_request(user["email"]).status, 200)
        uid, token = hm.wait_link(user["email"], "reset")
        r = hm.request("GET", "/reset-password/%s/%s/" % (uid, token))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "text/html", r)
        hm.assert_common_headers(r)
        # Serving the page spends nothing.
        self.assertEqual(confirm(uid, token, hm.new_password()).status, 200)


if __name__ == "__main__":
    unittest.main()

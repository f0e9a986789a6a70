"""Registration and activation (SPEC 3, 4, 7.1, 7.2, 7.7, 7.8, 7.14,
7.29): validation that names each bad field, the activation mail and
its link, one use per link, forged links, and registering an email that
is already taken without telling anyone so."""

import re
import time
import unittest

import hm


def field_errors(testcase, resp):
    """Asserts a 400 problem with code "invalid" and an "errors" object
    mapping fields to lists of strings; returns that object."""
    j = hm.problem(resp, 400, "invalid")
    errors = j.get("errors")
    testcase.assertIsInstance(errors, dict, j)
    testcase.assertTrue(errors, j)
    for k, v in errors.items():
        testcase.assertIsInstance(v, list, j)
        testcase.assertTrue(v and all(isinstance(m, str) and m for m in v),
                            j)
    return errors


def assert_no_password(testcase, resp, *passwords, member=True):
    """No password sent is echoed; with "member", nor is there a
    "password" member at all (a 400 names the field in "errors")."""
    text = resp.body.decode("utf-8", "replace")
    if member:
        testcase.assertNotIn('"password"', text, resp)
    for p in passwords:
        testcase.assertNotIn(p, text, resp)


def assert_no_store(testcase, resp):
    cc = ", ".join(resp.headers.get_all("Cache-Control") or [])
    testcase.assertIn("no-store", cc.lower(), resp)


class Register(unittest.TestCase):

    def assert_created(self, r, body):
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.content_type, "application/json", r)
        self.assertIsInstance(r.json, dict, r)
        self.assertIsInstance(r.json.get("message"), str, r)
        self.assertTrue(r.json["message"].strip(), r)
        assert_no_password(self, r, body["password"])
        assert_no_store(self, r)
        hm.assert_common_headers(r)

    def test_register_mail_activate_signin(self):
        body = hm.registration("nurse")
        r = hm.register(body)
        self.assert_created(r, body)

        # Not activated yet: the right password is 403 account_inactive.
        s = hm.Session()
        r = s.signin(body["email"], body["password"])
        hm.problem(r, 403, "account_inactive")
        self.assertFalse(hm.set_cookies(r), r)

        msg = hm.wait_mails(body["email"])[0]
        self.assertEqual(msg.get_content_type(), "multipart/alternative",
                         msg)
        parts = hm.mail_parts(msg)
        self.assertIn("text/plain", parts, msg)
        self.assertIn("text/html", parts, msg)
        self.assertTrue(msg["Subject"], msg)
        self.assertTrue(msg["From"], msg)
        self.assertNotIn(body["password"], hm.mail_text(msg))
        uid, token = hm.wait_link(body["email"], "activate")
        self.assertIn(hm.activation_path(uid, token), parts["text/html"])
        # The link works by GET (a click), once.
        r = hm.request("GET", hm.activation_path(uid, token))
        self.assertEqual(r.status, 200, r)
        self.assertIsInstance(r.json, dict, r)
        self.assertIsInstance(r.json.get("message"), str, r)
        assert_no_store(self, r)
        r = hm.request("GET", hm.activation_path(uid, token))
        hm.problem(r, 400, "invalid_token")
        r = hm.request("POST", hm.activation_path(uid, token))
        hm.problem(r, 400, "invalid_token")

        r = s.signin(body["email"], body["password"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["email"], body["email"], r)
        self.assertEqual(r.json["user"]["user_role"], "nurse", r)
        self.assertEqual(r.json["user"]["first_name"], body["first_name"])
        self.assertEqual(r.json["user"]["last_name"], body["last_name"])

    def test_activation_by_post_without_body(self):
        body = hm.registration()
        self.assertEqual(hm.register(body).status, 201)
        uid, token = hm.wait_link(body["email"], "activate")
        # No body, no Content-Type (SPEC 7.1).
        r = hm.request("POST", hm.activation_path(uid, token))
        self.assertEqual(r.status, 200, r)
        self.assertIsInstance(r.json.get("message"), str, r)
        r = hm.request("POST", hm.activation_path(uid, token))
        hm.problem(r, 400, "invalid_token")
        r = hm.request("GET", hm.activation_path(uid, token))
        hm.problem(r, 400, "invalid_token")

    def test_forged_activation_links(self):
        a = hm.registration()
        b = hm.registration()
        self.assertEqual(hm.register(a).status, 201)
        self.assertEqual(hm.register(b).status, 201)
        uid_a, tok_a = hm.wait_link(a["email"], "activate")
        uid_b, tok_b = hm.wait_link(b["email"], "activate")
        ts, _, mac = tok_a.partition("-")
        flipped = mac[:-1] + ("0" if mac[-1] != "0" else "1")
        random_uid = hm.b64url_encode(
            str(hm.uuid.uuid4()).encode())
        forged = [
            ("last hex digit changed", uid_a, ts + "-" + flipped),
            ("another user's token", uid_a, tok_b),
            ("another user's uid", uid_b, tok_a),
            ("unknown uid", random_uid, tok_a),
            ("uid not base64url", "not*base64", tok_a),
            ("garbage token", uid_a, "abc-def"),
            ("token without mac", uid_a, ts + "-"),
            ("upper-case mac", uid_a, ts + "-" + mac.upper()),
            ("later timestamp", uid_a, _b36(int(ts, 36) + 1) + "-" + mac),
        ]
        for why, uid, tok in forged:
            if (uid, tok) == (uid_a, tok_a):
                continue
            with self.subTest(why):
                r = hm.request("GET", hm.activation_path(uid, tok))
                hm.problem(r, 400, "invalid_token")
        # None of that activated anyone, and the real links still work.
        for user in (a, b):
            r = hm.Session().signin(user["email"], user["password"])
            hm.problem(r, 403, "account_inactive")
        for uid, tok in ((uid_a, tok_a), (uid_b, tok_b)):
            r = hm.request("GET", hm.activation_path(uid, tok))
            self.assertEqual(r.status, 200, r)

    def test_admin_and_root_roles_refused(self):
        for role in ("admin", "root", "Admin", "superuser", ""):
            with self.subTest(role=role):
                body = hm.registration(role)
                r = hm.register(body)
                self.assertIn("user_role", field_errors(self, r), r)
        # Nothing was stored: the same email registers afterwards as
        # a doctor, and is a doctor.
        body = hm.registration("admin")
        hm.register(body)
        body["user_role"] = "doctor"
        self.assertEqual(hm.register(body).status, 201)
        hm.hmctl_ok(self, "user", "activate", body["email"])
        r = hm.Session().signin(body["email"], body["password"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["user_role"], "doctor", r)

    def test_each_bad_field_is_named(self):
        long_name = "Bartholomewxyz"
        cases = []
        for f in ("email", "password", "confirm_password", "first_name",
                  "last_name", "user_role", "phone_number"):
            cases.append(("missing " + f, {f: None}, f))
        pw = hm.new_password()
        cases += [
            ("confirm differs", {"password": pw,
                                 "confirm_password": pw + "x"},
             "confirm_password"),
            ("password 11 characters", _pw("Abcdefgh-1x"), "password"),
            ("password 129 characters", _pw("Ab1-" + "x" * 125), "password"),
            ("password all digits", _pw("123456789012345"), "password"),
            ("password 11 code points (33 bytes)", _pw("\u20ac" * 11),
             "password"),
            ("password equals first name",
             dict(_pw(long_name), first_name=long_name), "password"),
            ("password equals last name in other case",
             dict(_pw(long_name.upper()), last_name=long_name), "password"),
            ("password equals email", {}, "password"),
            ("password equals email in upper case", {}, "password"),
            ("gender unknown", {"gender": "unknown"}, "gender"),
            ("gender upper case", {"gender": "MALE"}, "gender"),
            ("email with CR", {"email": hm.new_email() + "\r"}, "email"),
            ("email with LF", {"email": "a\nBcc: x@evil.test"}, "email"),
            ("email with NUL", {"email": hm.new_email() + "\u0000"},
             "email"),
            ("email without @", {"email": "not-an-email"}, "email"),
            ("first name with LF", {"first_name": "Ada\nBcc: x@evil.test"},
             "first_name"),
            ("first name with CR", {"first_name": "Ada\r"}, "first_name"),
            ("last name with NUL", {"last_name": "Lo\u0000ve"}, "last_name"),
            ("phone too short", {"phone_number": "123456"}, "phone_number"),
            ("phone too long", {"phone_number": "+1234567890123456"},
             "phone_number"),
            ("phone with letters", {"phone_number": "+49151abc4567"},
             "phone_number"),
            ("phone with two plus", {"phone_number": "++4915112345678"},
             "phone_number"),
            ("first_name a number", {"first_name": 42}, "first_name"),
            ("last_name null", {"last_name": None}, "last_name"),
            ("email a list", {"email": ["a@b.test"]}, "email"),
            ("password a number", {"password": 123456789012345,
                                   "confirm_password": 123456789012345},
             "password"),
            ("user_role a number", {"user_role": 1}, "user_role"),
            ("gender a bool", {"gender": True}, "gender"),
        ]
        bodies = []
        for why, over, field in cases:
            with self.subTest(why):
                body = hm.registration()
                # "None" in a case means: leave the field out; a JSON null
                # is sent for "last_name null".
                for k, v in over.items():
                    if v is None and why != "last_name null":
                        body.pop(k, None)
                    else:
                        body[k] = v
                if why == "password equals email":
                    body["password"] = body["email"]
                elif why == "password equals email in upper case":
                    body["password"] = body["email"].upper()
                if "password equals" in why:
                    body["confirm_password"] = body["password"]
                r = hm.register(body)
                self.assertIn(field, field_errors(self, r), r)
                assert_no_password(self, r, *[
                    v for k, v in body.items()
                    if k in ("password", "confirm_password") and
                    isinstance(v, str) and len(v) >= 8], member=False)
                bodies.append(body)
        # Several bad fields at once: each is named.
        body = hm.registration(user_role="admin", gender="x",
                               phone_number="1", first_name=7)
        body["confirm_password"] = body["password"] + "!"
        errors = field_errors(self, hm.register(body))
        for f in ("user_role", "gender", "phone_number", "first_name",
                  "confirm_password"):
            self.assertIn(f, errors, errors)
        # None of the refused registrations queued a mail: a valid one
        # made after them is delivered, and none of theirs.
        ok = hm.registration()
        self.assertEqual(hm.register(ok).status, 201)
        hm.wait_mails(ok["email"])
        time.sleep(0.5)
        for b in bodies:
            if isinstance(b.get("email"), str) and \
                    re.fullmatch(r"[^\s@]+@[^\s@]+", b["email"]):
                self.assertEqual(hm.mails_to(b["email"]), [], b["email"])

    def test_malformed_bodies(self):
        r = hm.request("POST", hm.REGISTER_PATH, raw_body=b'{"email": ',
                       headers={"Content-Type": "application/json"})
        hm.problem(r, 400)
        r = hm.request("POST", hm.REGISTER_PATH, raw_body=b'["a"]',
                       headers={"Content-Type": "application/json"})
        hm.problem(r, 400)
        r = hm.request("POST", hm.REGISTER_PATH,
                       raw_body=hm.jsonlib.dumps(hm.registration()),
                       headers={"Content-Type": "text/plain"})
        hm.problem(r, 415, "unsupported_media_type")

    def test_unicode_password_counts_code_points(self):
        # 12 code points of 2 bytes each: long enough (SPEC 7.7).
        pw = "\u00e9\u00fc\u00df\u00f8\u00e5\u00e7" * 2 + "\u0151"
        hm.remember_secret(pw)
        body = hm.registration(password=pw, confirm_password=pw)
        r = hm.register(body)
        self.assertEqual(r.status, 201, r)
        hm.hmctl_ok(self, "user", "activate", body["email"])
        r = hm.Session().signin(body["email"], pw)
        self.assertEqual(r.status, 200, r)
        # Never truncated: the password minus its last character fails.
        r = hm.Session().signin(body["email"], pw[:-1])
        hm.problem(r, 401, "invalid_credentials")

    def test_second_registration_of_inactive_account(self):
        first = hm.registration()
        r1 = hm.register(first)
        self.assertEqual(r1.status, 201, r1)
        hm.wait_mails(first["email"])
        second = hm.registration(email=first["email"], first_name="Mallory",
                                 user_role="staff")
        r2 = hm.register(second)
        self.assertEqual(r2.status, 201, r2)
        self.assertEqual(r2.json, r1.json)
        # A fresh activation mail, and its link activates the account
        # as it was first registered (SPEC 7.29: nothing stored changed).
        uid, token = hm.wait_link(first["email"], "activate", skip=1)
        r = hm.request("GET", hm.activation_path(uid, token))
        self.assertEqual(r.status, 200, r)
        r = hm.Session().signin(first["email"], second["password"])
        hm.problem(r, 401, "invalid_credentials")
        r = hm.Session().signin(first["email"], first["password"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["first_name"], first["first_name"])
        self.assertEqual(r.json["user"]["user_role"], "doctor")

    def test_second_registration_of_active_account(self):
        first = hm.registration()
        r1 = hm.register(first)
        self.assertEqual(r1.status, 201, r1)
        uid, token = hm.wait_link(first["email"], "activate")
        self.assertEqual(
            hm.request("GET", hm.activation_path(uid, token)).status, 200)
        second = hm.registration(email=first["email"], last_name="Other")
        r2 = hm.register(second)
        self.assertEqual(r2.status, 201, r2)
        self.assertEqual(r2.json, r1.json)
        self.assertEqual(dict(r2.headers).keys() - {"Date", "X-Request-Id",
                                                    "Content-Length"},
                         dict(r1.headers).keys() - {"Date", "X-Request-Id",
                                                    "Content-Length"})
        # A notice without any link.
        notice = hm.wait_mails(first["email"], count=2)[1]
        parts = hm.mail_parts(notice)
        self.assertIn("text/plain", parts, notice)
        self.assertNotRegex(parts["text/plain"], r"https?://", parts)
        self.assertNotRegex(parts.get("text/html", ""), r"(?i)href\s*=",
                            parts)
        for p in parts.values():
            self.assertNotIn(hm.env("HM_URL"), p)
            self.assertNotIn("/activate/", p)
            self.assertNotIn("/reset-password/", p)
        # Nothing changed: the first password still signs in.
        r = hm.Session().signin(first["email"], second["password"])
        hm.problem(r, 401, "invalid_credentials")
        r = hm.Session().signin(first["email"], first["password"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["last_name"], first["last_name"])


def _pw(p):
    hm.remember_secret(p)
    return {"password": p, "confirm_password": p}


def _b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


if __name__ == "__main__":
    unittest.main()

"""Sign-in, the profile, tokens and request authentication (SPEC 2, 3,
4, 7.3 to 7.7, 7.14, 7.26, 7.30): the cookies and their attributes, the
claims, one answer for a wrong email or password, inactive accounts,
credentials by cookie or Bearer and nothing else, CSRF and Origin checks,
profile updates that ignore privileged fields, the token endpoint, and
admins made by hmctl."""

import hashlib
import hmac
import json
import re
import time
import unittest

import hm

UUID7 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                   r"[0-9a-f]{12}")
RFC3339Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
EVIL = "https://evil.example"


def conf_value(key, default):
    return hm.read_config().get(key) or default


def access_lifetime():
    return int(conf_value("ACCESS_TOKEN_LIFETIME", "900"))


def refresh_lifetime():
    return int(conf_value("REFRESH_TOKEN_LIFETIME", "86400"))


def assert_no_store(testcase, resp):
    cc = ", ".join(resp.headers.get_all("Cache-Control") or [])
    testcase.assertIn("no-store", cc.lower(), resp)


def assert_no_password(testcase, resp, password):
    text = resp.body.decode("utf-8", "replace")
    testcase.assertNotIn(password, text, resp)
    testcase.assertNotRegex(text, r'"[^"]*(password|hash)[^"]*"\s*:', resp)


class Signin(unittest.TestCase):

    def test_signin_answer_cookies_and_claims(self):
        user = hm.make_user(self, "staff")
        t0 = time.time()
        s = hm.Session()
        r = s.signin(user["email"], user["password"])
        self.assertEqual(r.status, 200, r)
        hm.assert_common_headers(r)
        assert_no_store(self, r)
        assert_no_password(self, r, user["password"])
        self.assertEqual(r.content_type, "application/json", r)
        j = r.json
        self.assertIsInstance(j.get("message"), str, j)
        u = j.get("user")
        self.assertIsInstance(u, dict, j)
        for f in hm.PROFILE_FIELDS:
            self.assertIn(f, u, u)
        self.assertRegex(u["id"], "^%s$" % UUID7.pattern)
        for f in ("email", "first_name", "last_name", "phone_number",
                  "gender", "address_line_1", "city", "state", "country"):
            self.assertEqual(u[f], user[f], f)
        self.assertEqual(u["user_role"], "staff")
        self.assertRegex(u["date_joined"], "^%s$" % RFC3339Z.pattern)
        if u["last_login"] is not None:
            self.assertRegex(u["last_login"], "^%s$" % RFC3339Z.pattern)

        cookies = hm.set_cookies(r)
        self.assertEqual(set(cookies), {"access", "refresh", "csrftoken"},
                         r.headers.get_all("Set-Cookie"))
        acc, ref, csrf = (cookies["access"], cookies["refresh"],
                          cookies["csrftoken"])
        self.assertTrue(acc.has("HttpOnly") and acc.has("Secure"), acc.raw)
        self.assertEqual(str(acc.attrs.get("samesite")).lower(), "lax",
                         acc.raw)
        self.assertEqual(acc.path, "/", acc.raw)
        self.assertEqual(acc.max_age, access_lifetime(), acc.raw)
        self.assertTrue(ref.has("HttpOnly") and ref.has("Secure"), ref.raw)
        self.assertEqual(str(ref.attrs.get("samesite")).lower(), "strict",
                         ref.raw)
        self.assertEqual(ref.path, "/api/auth/", ref.raw)
        self.assertEqual(ref.max_age, refresh_lifetime(), ref.raw)
        self.assertTrue(csrf.has("Secure"), csrf.raw)
        self.assertNotIn("httponly", csrf.attrs, csrf.raw)
        self.assertEqual(str(csrf.attrs.get("samesite")).lower(), "lax",
                         csrf.raw)
        self.assertEqual(csrf.path, "/", csrf.raw)
        self.assertGreaterEqual(len(csrf.value), 16, csrf.raw)
        for c in (acc, ref, csrf):
            self.assertNotIn("domain", c.attrs, c.raw)
        self.assertEqual(r.headers.get_all("X-CSRFToken"), [csrf.value], r)

        # The tokens: HS256 JWTs with the claims of SPEC 4 and 7.4.
        for c in (acc, ref):
            self.assertRegex(c.value, "^%s$" % JWT.pattern)
        ah, ap = hm.jwt_decode(acc.value)
        rh, rp = hm.jwt_decode(ref.value)
        self.assertEqual(ah.get("alg"), "HS256", ah)
        self.assertEqual(rh.get("alg"), "HS256", rh)
        iss = conf_value("JWT_ISSUER", "heartmonitor")
        aud = conf_value("JWT_AUDIENCE", "heartmonitor")
        for p, typ, life in ((ap, "access", access_lifetime()),
                             (rp, "refresh", refresh_lifetime())):
            self.assertEqual(p.get("token_type"), typ, p)
            self.assertEqual(p.get("user_id"), u["id"], p)
            self.assertEqual(p.get("iss"), iss, p)
            self.assertEqual(p.get("aud"), aud, p)
            self.assertIsInstance(p.get("jti"), str, p)
            self.assertIsInstance(p.get("sid"), str, p)
            self.assertIs(type(p.get("iat")), int, p)
            self.assertIs(type(p.get("exp")), int, p)
            self.assertEqual(p["exp"] - p["iat"], life, p)
            self.assertLess(abs(p["iat"] - t0), 60, p)
        self.assertEqual(ap["sid"], rp["sid"])
        self.assertNotEqual(ap["jti"], rp["jti"])

        # A second sign-in is a new session with new tokens and a new
        # CSRF secret.
        s2 = hm.Session()
        r2 = s2.signin(user["email"], user["password"])
        self.assertEqual(r2.status, 200, r2)
        self.assertNotEqual(s2.value("csrftoken"), csrf.value)
        self.assertNotEqual(hm.jwt_decode(s2.value("access"))[1]["sid"],
                            ap["sid"])
        # The profile is readable with either session.
        for sess in (s, s2):
            r = sess.get(hm.PROFILE_PATH)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["id"], u["id"], r)

    def test_wrong_password_and_unknown_email_look_the_same(self):
        user = hm.make_user(self)
        unknown = hm.new_email("e2e-nobody")

        def attempt(email_, password):
            hm.pace(hm.SIGNIN_PATH)     # not timed
            t = time.monotonic()
            r = hm.request("POST", hm.SIGNIN_PATH,
                           body={"email": email_, "password": password})
            return r, time.monotonic() - t

        wrong = [attempt(user["email"], user["password"] + "x")
                 for _ in range(2)]
        nobody = [attempt(unknown, user["password"]) for _ in range(2)]
        bodies = []
        for r, _ in wrong + nobody:
            j = hm.problem(r, 401, "invalid_credentials")
            self.assertFalse(hm.set_cookies(r), r)
            assert_no_store(self, r)
            hm.assert_common_headers(r)
            bodies.append({k: v for k, v in j.items()
                           if k not in ("request_id", "instance")})
        for b in bodies[1:]:
            self.assertEqual(b, bodies[0])
        self.assertIsInstance(bodies[0].get("detail"), str, bodies[0])
        self.assertNotIn(unknown, json.dumps(bodies))
        # An unknown email costs a hash too (SPEC 4): its answer is not
        # much faster than a wrong password's.
        t_wrong = min(t for _, t in wrong)
        t_nobody = min(t for _, t in nobody)
        self.assertGreater(t_nobody, 0.4 * t_wrong,
                           "unknown email answered in %.3f s, wrong "
                           "password in %.3f s" % (t_nobody, t_wrong))
        # The right password still works (2 failures are no lock-out).
        self.assertEqual(hm.Session().signin(user["email"],
                                             user["password"]).status, 200)

    def test_inactive_account(self):
        user = hm.make_user(self, active=False)
        r = hm.Session().signin(user["email"], user["password"])
        hm.problem(r, 403, "account_inactive")
        self.assertFalse(hm.set_cookies(r), r)
        assert_no_password(self, r, user["password"])
        # A wrong password does not tell that the account exists.
        r = hm.Session().signin(user["email"], user["password"] + "x")
        hm.problem(r, 401, "invalid_credentials")
        # The token endpoint follows the same rules.
        r = hm.auth_request("POST", hm.TOKEN_PATH,
                            body={"email": user["email"],
                                  "password": user["password"]})
        hm.problem(r, 403, "account_inactive")
        self.assertNotIn("access", r.json)

    def test_signin_bad_bodies(self):
        r = hm.auth_request("POST", hm.SIGNIN_PATH, body={})
        j = hm.problem(r, 400, "invalid")
        self.assertIn("email", j.get("errors", {}), j)
        self.assertIn("password", j.get("errors", {}), j)
        r = hm.auth_request("POST", hm.SIGNIN_PATH,
                            body={"email": 42, "password": "x" * 12})
        j = hm.problem(r, 400, "invalid")
        self.assertIn("email", j.get("errors", {}), j)
        r = hm.auth_request("POST", hm.SIGNIN_PATH,
                            body={"email": "a@b.test", "password": 123})
        j = hm.problem(r, 400, "invalid")
        self.assertIn("password", j.get("errors", {}), j)
        r = hm.auth_request("POST", hm.SIGNIN_PATH,
                            raw_body='{"email": "a@b.test"',
                            headers={"Content-Type": "application/json"})
        hm.problem(r, 400)
        r = hm.auth_request("POST", hm.SIGNIN_PATH,
                            raw_body='email=a@b.test&password=x',
                            headers={"Content-Type":
                                     "application/x-www-form-urlencoded"})
        hm.problem(r, 415, "unsupported_media_type")

    def test_superuser_from_hmctl_signs_in_as_admin(self):
        email_ = hm.new_email("e2e-admin")
        pw = hm.new_password()
        hm.hmctl_ok(self, "createsuperuser", "--email", email_,
                    "--first-name", "Root", "--last-name", "Admin",
                    input="%s\n%s\n" % (pw, pw))
        s = hm.Session()
        r = s.signin(email_, pw)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["user_role"], "admin", r)
        r = s.get(hm.PROFILE_PATH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user_role"], "admin", r)


class Credentials(unittest.TestCase):
    """How a request proves who it is: a cookie or a Bearer header, and
    nothing else."""

    def test_profile_by_cookie_and_by_bearer(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        r = s.get(hm.PROFILE_PATH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "application/json", r)
        assert_no_store(self, r)
        assert_no_password(self, r, user["password"])
        hm.assert_common_headers(r)
        for f in hm.PROFILE_FIELDS:
            self.assertIn(f, r.json, r.json)
        self.assertEqual(r.json["email"], user["email"])
        self.assertEqual(r.json["user_role"], "doctor")
        # The access cookie alone is enough for a GET.
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers={"Cookie": "access=" + s.value("access")})
        self.assertEqual(r.status, 200, r)
        # The same token as a Bearer header.
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(s.value("access")))
        self.assertEqual(r.status, 200, r)
        assert_no_store(self, r)
        self.assertEqual(r.json["email"], user["email"])
        # And a token from the token endpoint.
        tokens = hm.get_tokens(self, user)
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(tokens["access"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], user["email"])

    def test_missing_foreign_and_broken_credentials(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        access = s.value("access")
        refresh = s.value("refresh")
        h, p, sig = access.split(".")
        flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
        payload = hm.jwt_decode(access)[1]

        def seg(obj):
            return hm.b64url_encode(json.dumps(obj).encode())

        none_tokens = [seg({"alg": a, "typ": "JWT"}) + "." + p + "."
                       for a in ("none", "None", "NONE", "nOnE")]
        elevated = dict(payload, user_role="admin", exp=payload["exp"] + 999)
        cases = [
            ("no credentials", {}, "not_authenticated"),
            ("Basic scheme", {"Authorization": "Basic " +
                              hm.b64url_encode(b"%s:%s" % (
                                  user["email"].encode(),
                                  user["password"].encode()))},
             "not_authenticated"),
            ("Token scheme", {"Authorization": "Token " + access},
             "not_authenticated"),
            ("Bearer empty", {"Authorization": "Bearer "}, "invalid_token"),
            ("Bearer garbage", {"Authorization": "Bearer garbage"},
             "invalid_token"),
            ("Bearer two parts", {"Authorization": "Bearer %s.%s" % (h, p)},
             "invalid_token"),
            ("Bearer four parts",
             {"Authorization": "Bearer %s.x" % access}, "invalid_token"),
            ("Bearer bad signature",
             {"Authorization": "Bearer %s.%s.%s" % (h, p, flipped)},
             "invalid_token"),
            ("Bearer no signature",
             {"Authorization": "Bearer %s.%s." % (h, p)}, "invalid_token"),
            ("Bearer padded", {"Authorization": "Bearer %s=" % access},
             "invalid_token"),
            ("Bearer payload changed",
             {"Authorization": "Bearer %s.%s.%s" % (h, seg(elevated), sig)},
             "invalid_token"),
            ("Bearer refresh token", hm.bearer(refresh), "invalid_token"),
            ("cookie malformed", {"Cookie": "access=not.a.token"},
             "invalid_token"),
            ("cookie bad signature",
             {"Cookie": "access=%s.%s.%s" % (h, p, flipped)},
             "invalid_token"),
            ("cookie holds the refresh token", {"Cookie": "access=" +
                                                refresh},
             "invalid_token"),
        ] + [("alg %s" % t.split(".")[0], hm.bearer(t), "invalid_token")
             for t in none_tokens]
        for why, headers, code in cases:
            with self.subTest(why):
                r = hm.request("GET", hm.PROFILE_PATH, headers=headers)
                hm.problem(r, 401, code)
                assert_no_store(self, r)
                hm.assert_common_headers(r)
        # Tokens in the query string are never accepted.
        for name in ("access", "token", "access_token", "jwt",
                     "Authorization"):
            with self.subTest(query=name):
                r = hm.request("GET", "%s?%s=%s" % (hm.PROFILE_PATH, name,
                                                    access))
                hm.problem(r, 401, "not_authenticated")
        # None of that harmed the session.
        self.assertEqual(s.get(hm.PROFILE_PATH).status, 200)

    def test_tokens_signed_with_the_real_key(self):
        """Claims the verifier must check (SPEC 4, 7.3, 7.4): tokens made
        here with the stack's own signing key, one claim wrong each."""
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        access = s.value("access")
        key = signing_key(access)
        if key is None:
            self.skipTest("cannot derive the JWT signing key from "
                          "SECRET_KEY (is JWT_KEY_LABEL out of date?)")
        h_seg, p_seg, _ = access.split(".")
        header, payload = hm.jwt_decode(access)
        now = int(time.time())

        def hdr(**over):
            d = dict(header)
            for k, v in over.items():
                if v is None:
                    d.pop(k, None)
                else:
                    d[k] = v
            return hm.b64url_encode(json.dumps(d).encode())

        def claims(**over):
            d = dict(payload, jti=str(hm.uuid.uuid4()))
            for k, v in over.items():
                if v is None:
                    d.pop(k, None)
                else:
                    d[k] = v
            return d

        # The control: fresh claims that are all right are accepted, so
        # each refusal below is for its one wrong claim.
        good = hm.jwt_sign(key, h_seg, claims())
        hm.remember_secret(good)
        r = hm.request("GET", hm.PROFILE_PATH, headers=hm.bearer(good))
        self.assertEqual(r.status, 200, r)

        def mac(alg, data):
            return hmac.new(key, data, alg).digest()

        cases = [
            ("expired", h_seg, claims(exp=now - 5, iat=now - 905)),
            ("exp now", h_seg, claims(exp=now, iat=now - 900)),
            ("no exp", h_seg, claims(exp=None)),
            ("exp a string", h_seg, claims(exp=str(now + 600))),
            ("wrong issuer", h_seg, claims(iss="someone-else")),
            ("wrong audience", h_seg, claims(aud="someone-else")),
            ("no audience", h_seg, claims(aud=None)),
            ("token_type refresh", h_seg, claims(token_type="refresh")),
            ("no token_type", h_seg, claims(token_type=None)),
            ("unknown session", h_seg,
             claims(sid=str(hm.uuid.uuid4()))),
            ("no session", h_seg, claims(sid=None)),
            ("unknown user", h_seg, claims(user_id=str(hm.uuid.uuid4()))),
            ("iat in the future", h_seg, claims(iat=now + 3600,
                                                exp=now + 4500)),
            ("alg hs256", hdr(alg="hs256"), claims()),
            ("alg HS512 header", hdr(alg="HS512"), claims()),
            ("no alg", hdr(alg=None), claims()),
            ("kid header", hdr(kid="../../../dev/null"), claims()),
            ("crit header", hdr(crit=["exp"]), claims()),
        ]
        for why, hs, body in cases:
            with self.subTest(why):
                t = hm.jwt_sign(key, hs, body)
                hm.remember_secret(t)
                r = hm.request("GET", hm.PROFILE_PATH, headers=hm.bearer(t))
                hm.problem(r, 401, "invalid_token")
        # Properly made with another HMAC algorithm.
        h512 = hdr(alg="HS512")
        p_seg2 = hm.b64url_encode(json.dumps(claims()).encode())
        t = "%s.%s.%s" % (h512, p_seg2, hm.b64url_encode(
            mac(hashlib.sha512, ("%s.%s" % (h512, p_seg2)).encode())))
        r = hm.request("GET", hm.PROFILE_PATH, headers=hm.bearer(t))
        hm.problem(r, 401, "invalid_token")
        # Signed with the raw SECRET_KEY rather than the derived key.
        raw = hm.secret_key().encode()
        if raw != key:
            t = hm.jwt_sign(raw, h_seg, claims())
            r = hm.request("GET", hm.PROFILE_PATH, headers=hm.bearer(t))
            hm.problem(r, 401, "invalid_token")


# The JWT key is derived from SECRET_KEY (lib/jwt.c: HMAC-SHA256 of the
# secret over a fixed label); the test checks that by re-signing a real
# token, and skips the tests that need the key if that does not hold.
JWT_KEY_LABEL = b"heartmonitor.jwt.v1"


def signing_key(token):
    """The key that made "token" (from SECRET_KEY), or None."""
    h, p, sig = token.split(".")
    secret = hm.secret_key().encode()
    for k in (hmac.new(secret, JWT_KEY_LABEL, hashlib.sha256).digest(),
              secret):
        if hm.jwt_sign(k, h, p) == token:
            return k
    return None


class Csrf(unittest.TestCase):
    """SPEC 4, 7.6: X-CSRFToken on cookie-authenticated unsafe requests,
    and the Origin check on every unsafe request."""

    def test_cookie_requests_need_the_csrf_header(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        token = s.value("csrftoken")
        change = {"first_name": "Changed"}
        cases = [
            ("no header", {}),
            ("wrong header", {"X-CSRFToken": "x" * len(token)}),
            ("header of another length", {"X-CSRFToken": token + "x"}),
            ("empty header", {"X-CSRFToken": ""}),
        ]
        for why, headers in cases:
            with self.subTest(why):
                r = s.patch(hm.PROFILE_PATH, change, headers=headers,
                            csrf=False)
                hm.problem(r, 403, "csrf_failed")
        # The header without the cookie.
        jar = s.copy()
        jar.drop("csrftoken")
        r = jar.patch(hm.PROFILE_PATH, change,
                      headers={"X-CSRFToken": token}, csrf=False)
        hm.problem(r, 403, "csrf_failed")
        # Logout and refresh by cookie are unsafe too.
        r = s.post(hm.LOGOUT_PATH, csrf=False)
        hm.problem(r, 403, "csrf_failed")
        r = s.post(hm.REFRESH_PATH, csrf=False)
        hm.problem(r, 403, "csrf_failed")
        # Nothing of that took effect.
        r = s.get(hm.PROFILE_PATH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["first_name"], user["first_name"])
        # With the header: accepted.
        r = s.patch(hm.PROFILE_PATH, change)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.get(hm.PROFILE_PATH).json["first_name"],
                         "Changed")
        # A Bearer request needs no CSRF token.
        r = hm.request("PATCH", hm.PROFILE_PATH, body={"first_name": "Bea"},
                       headers=hm.bearer(s.value("access")))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.get(hm.PROFILE_PATH).json["first_name"], "Bea")

    def test_foreign_origin_refused_on_unsafe_requests(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        host, port = hm.base_url()
        foreign = [EVIL, "null", "http://%s:%d" % (host, port),
                   "https://%s:%d" % (host, port + 1),
                   hm.public_origin() + ".evil.example",
                   "https://localhost.evil.example:%d" % port]
        for origin in foreign:
            with self.subTest(origin=origin, what="signin"):
                r = hm.Session().signin(user["email"], user["password"],
                                        headers={"Origin": origin})
                hm.problem(r, 403, "csrf_failed")
                self.assertFalse(hm.set_cookies(r), r)
        for origin in (EVIL, "null"):
            with self.subTest(origin=origin, what="register"):
                r = hm.register(hm.registration(), headers={"Origin": origin})
                hm.problem(r, 403, "csrf_failed")
            with self.subTest(origin=origin, what="reset request"):
                r = hm.request("POST", hm.RESET_PATH,
                               body={"email": user["email"]},
                               headers={"Origin": origin})
                hm.problem(r, 403, "csrf_failed")
            with self.subTest(origin=origin, what="cookie PATCH with CSRF"):
                r = s.patch(hm.PROFILE_PATH, {"first_name": "Evil"},
                            headers={"Origin": origin})
                hm.problem(r, 403, "csrf_failed")
            with self.subTest(origin=origin, what="Bearer PATCH"):
                r = hm.request("PATCH", hm.PROFILE_PATH,
                               body={"first_name": "Evil"},
                               headers=dict(hm.bearer(s.value("access")),
                                            Origin=origin))
                hm.problem(r, 403, "csrf_failed")
            with self.subTest(origin=origin, what="logout"):
                r = s.post(hm.LOGOUT_PATH, headers={"Origin": origin})
                hm.problem(r, 403, "csrf_failed")
            with self.subTest(origin=origin, what="refresh"):
                r = s.post(hm.REFRESH_PATH, headers={"Origin": origin})
                hm.problem(r, 403, "csrf_failed")
            with self.subTest(origin=origin, what="GET is safe"):
                r = s.get(hm.PROFILE_PATH, headers={"Origin": origin})
                self.assertEqual(r.status, 200, r)
        # The session is intact and nothing changed.
        r = s.get(hm.PROFILE_PATH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["first_name"], user["first_name"])
        # Our own origin passes, for sign-in and the rest.
        r = hm.Session().signin(user["email"], user["password"],
                                headers={"Origin": hm.public_origin()})
        self.assertEqual(r.status, 200, r)
        r = s.patch(hm.PROFILE_PATH, {"first_name": "Own"},
                    headers={"Origin": hm.public_origin()})
        self.assertEqual(r.status, 200, r)


class Profile(unittest.TestCase):

    def test_patch_changes_only_what_it_may(self):
        user = hm.make_user(self, "nurse")
        s = hm.signed_in(self, user)
        before = s.get(hm.PROFILE_PATH).json
        change = {"first_name": "Grace", "last_name": "Hopper",
                  "phone_number": "+12025550123", "gender": "other",
                  "address_line_1": "2 New Road",
                  "address_line_2": "Flat 3", "city": "Newcity",
                  "state": "NC", "country": "Newland"}
        ignored = {"email": hm.new_email("e2e-stolen"),
                   "user_role": "admin", "is_active": False,
                   "is_staff": True, "is_superuser": True,
                   "id": str(hm.uuid.uuid4()),
                   "date_joined": "2001-01-01T00:00:00Z",
                   "last_login": "2001-01-01T00:00:00Z"}
        r = s.patch(hm.PROFILE_PATH, dict(change, **ignored))
        self.assertEqual(r.status, 200, r)
        self.assertIsInstance(r.json, dict, r)
        assert_no_store(self, r)
        after = s.get(hm.PROFILE_PATH).json
        for k, v in change.items():
            self.assertEqual(after[k], v, k)
        for k in ("email", "user_role", "id", "date_joined"):
            self.assertEqual(after[k], before[k], k)
        self.assertEqual(after["user_role"], "nurse")
        if isinstance(r.json.get("user_role"), str):
            self.assertEqual(r.json["user_role"], "nurse", r)
            self.assertEqual(r.json["email"], user["email"], r)
        # Still active, and still signing in with the same email.
        r = hm.Session().signin(user["email"], user["password"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["user_role"], "nurse")

    def test_patch_validation_is_all_or_nothing(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        cases = [
            ({"first_name": "Valid", "phone_number": "12"}, "phone_number"),
            ({"first_name": "Valid", "gender": "robot"}, "gender"),
            ({"first_name": 42}, "first_name"),
            ({"first_name": "Ada\nBcc: x@evil.test"}, "first_name"),
            ({"last_name": "Lo\rve"}, "last_name"),
            ({"last_name": "Lo\u0000ve"}, "last_name"),
            ({"first_name": "Valid", "last_name": None}, "last_name"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                r = s.patch(hm.PROFILE_PATH, body)
                j = hm.problem(r, 400, "invalid")
                self.assertIn(field, j.get("errors", {}), j)
        r = s.get(hm.PROFILE_PATH)
        self.assertEqual(r.json["first_name"], user["first_name"])
        self.assertEqual(r.json["last_name"], user["last_name"])
        self.assertEqual(r.json["phone_number"], user["phone_number"])
        self.assertEqual(r.json["gender"], user["gender"])

    def test_profile_needs_credentials(self):
        r = hm.request("GET", hm.PROFILE_PATH)
        hm.problem(r, 401, "not_authenticated")
        r = hm.request("PATCH", hm.PROFILE_PATH, body={"first_name": "X"})
        hm.problem(r, 401, "not_authenticated")
        r = hm.request("POST", hm.LOGOUT_PATH)
        hm.problem(r, 401, "not_authenticated")


class TokenEndpoint(unittest.TestCase):

    def test_token_endpoint_answers_in_the_body_only(self):
        user = hm.make_user(self)
        r = hm.auth_request("POST", hm.TOKEN_PATH,
                            body={"email": user["email"],
                                  "password": user["password"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get_all("Set-Cookie"), None, r)
        assert_no_store(self, r)
        assert_no_password(self, r, user["password"])
        j = r.json
        self.assertIsInstance(j, dict, r)
        for k in ("access", "refresh"):
            self.assertRegex(j.get(k) or "", "^%s$" % JWT.pattern, j)
        hm.remember_secret(j["access"], j["refresh"])
        self.assertEqual(hm.jwt_decode(j["access"])[1]["token_type"],
                         "access")
        self.assertEqual(hm.jwt_decode(j["refresh"])[1]["token_type"],
                         "refresh")
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(j["access"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], user["email"])
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(j["refresh"]))
        hm.problem(r, 401, "invalid_token")
        # A wrong password: 401 invalid_credentials, nothing set.
        r = hm.auth_request("POST", hm.TOKEN_PATH,
                            body={"email": user["email"],
                                  "password": user["password"] + "!"})
        hm.problem(r, 401, "invalid_credentials")
        self.assertEqual(r.headers.get_all("Set-Cookie"), None, r)


if __name__ == "__main__":
    unittest.main()

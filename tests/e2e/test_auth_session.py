"""Sessions (SPEC 4, 7.1, 7.3, 7.27, 7.30): refresh rotates the refresh
token, a rotated token presented again ends the whole session, two
refreshes racing with one token let exactly one win, logout ends one
session and clears the cookies, and a role change or deactivation by
hmctl ends every session of the user at once."""

import threading
import unittest

import hm


def assert_refused(testcase, session_or_token, why=""):
    """The access token (a Session's cookie, or a Bearer token) no longer
    reads the profile: 401 invalid_token."""
    if isinstance(session_or_token, hm.Session):
        r = session_or_token.get(hm.PROFILE_PATH)
    else:
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(session_or_token))
    testcase.assertEqual(r.status, 401, "%s: %r" % (why, r))
    hm.problem(r, 401, "invalid_token")


def assert_works(testcase, session_or_token, why=""):
    if isinstance(session_or_token, hm.Session):
        r = session_or_token.get(hm.PROFILE_PATH)
    else:
        r = hm.request("GET", hm.PROFILE_PATH,
                       headers=hm.bearer(session_or_token))
    testcase.assertEqual(r.status, 200, "%s: %r" % (why, r))
    return r


def body_refresh(token, headers=None):
    r = hm.request("POST", hm.REFRESH_PATH, body={"refresh": token},
                   headers=headers)
    if isinstance(r.json, dict):
        hm.remember_secret(r.json.get("access"), r.json.get("refresh"))
    return r


def assert_no_store(testcase, resp):
    cc = ", ".join(resp.headers.get_all("Cache-Control") or [])
    testcase.assertIn("no-store", cc.lower(), resp)


class Refresh(unittest.TestCase):

    def test_cookie_refresh_rotates(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        old_access, old_refresh = s.value("access"), s.value("refresh")
        sid = hm.jwt_decode(old_access)[1]["sid"]
        # No body, no Content-Type (SPEC 7.1); the CSRF header is added.
        r = s.post(hm.REFRESH_PATH)
        self.assertEqual(r.status, 200, r)
        assert_no_store(self, r)
        self.assertIsInstance(r.json, dict, r)
        cookies = hm.set_cookies(r)
        self.assertIn("access", cookies, r)
        self.assertIn("refresh", cookies, r)
        acc, ref = cookies["access"], cookies["refresh"]
        self.assertEqual(r.json.get("access"), acc.value, r)
        self.assertNotEqual(acc.value, old_access)
        self.assertNotEqual(ref.value, old_refresh)
        self.assertTrue(acc.has("HttpOnly") and acc.has("Secure"), acc.raw)
        self.assertEqual(str(acc.attrs.get("samesite")).lower(), "lax")
        self.assertEqual(acc.path, "/", acc.raw)
        self.assertTrue(ref.has("HttpOnly") and ref.has("Secure"), ref.raw)
        self.assertEqual(str(ref.attrs.get("samesite")).lower(), "strict")
        self.assertEqual(ref.path, "/api/auth/", ref.raw)
        self.assertGreater(ref.max_age or 0, 0, ref.raw)
        # The same session, new token ids.
        ap = hm.jwt_decode(acc.value)[1]
        rp = hm.jwt_decode(ref.value)[1]
        self.assertEqual(ap["sid"], sid)
        self.assertEqual(rp["sid"], sid)
        self.assertEqual(ap["token_type"], "access")
        self.assertEqual(rp["token_type"], "refresh")
        self.assertNotEqual(rp["jti"], hm.jwt_decode(old_refresh)[1]["jti"])
        assert_works(self, s, "new access cookie")
        # And again with the new refresh cookie.
        r = s.post(hm.REFRESH_PATH)
        self.assertEqual(r.status, 200, r)
        assert_works(self, s, "second new access cookie")

    def test_cookie_refresh_reuse_ends_the_session(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        old_refresh = s.value("refresh")
        r = s.post(hm.REFRESH_PATH)
        self.assertEqual(r.status, 200, r)
        assert_works(self, s, "after rotation")
        # The rotated token presented again (with everything else
        # current): refused, and the session ends.
        stale = s.copy()
        stale.set("refresh", old_refresh, path="/api/auth/")
        r = stale.post(hm.REFRESH_PATH)
        hm.problem(r, 401, "invalid_token")
        fresh = [n for n, c in hm.set_cookies(r).items()
                 if c.value and (c.max_age is None or c.max_age > 0)]
        self.assertEqual(fresh, [], r)
        assert_refused(self, s, "newest access cookie after reuse")
        r = s.post(hm.REFRESH_PATH)
        hm.problem(r, 401, "invalid_token")

    def test_body_refresh_rotates_without_cookies_or_csrf(self):
        user = hm.make_user(self)
        t = hm.get_tokens(self, user)
        r = body_refresh(t["refresh"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get_all("Set-Cookie"), None, r)
        assert_no_store(self, r)
        j = r.json
        self.assertIsInstance(j, dict, r)
        self.assertIsInstance(j.get("access"), str, j)
        self.assertIsInstance(j.get("refresh"), str, j)
        self.assertNotEqual(j["refresh"], t["refresh"])
        self.assertNotEqual(j["access"], t["access"])
        self.assertEqual(hm.jwt_decode(j["access"])[1]["sid"],
                         hm.jwt_decode(t["access"])[1]["sid"])
        assert_works(self, j["access"], "new access token")
        # Rotated again, then the first refresh token is reused: the
        # session ends, whichever of its tokens is presented.
        r2 = body_refresh(j["refresh"])
        self.assertEqual(r2.status, 200, r2)
        newest = r2.json
        r = body_refresh(t["refresh"])
        hm.problem(r, 401, "invalid_token")
        assert_refused(self, newest["access"], "newest access after reuse")
        r = body_refresh(newest["refresh"])
        hm.problem(r, 401, "invalid_token")

    def test_body_refresh_refuses_what_is_not_a_live_refresh_token(self):
        user = hm.make_user(self)
        t = hm.get_tokens(self, user)
        for why, token in (("access token", t["access"]),
                           ("garbage", "garbage"),
                           ("empty", ""),
                           ("refresh with a bad signature",
                            t["refresh"][:-2] +
                            ("AA" if t["refresh"][-2:] != "AA" else "BB"))):
            with self.subTest(why):
                r = body_refresh(token)
                hm.problem(r, 401, "invalid_token")
                self.assertEqual(r.headers.get_all("Set-Cookie"), None, r)
        with self.subTest("not a string"):
            r = body_refresh(42)
            hm.problem(r, (400, 401))
        # None of that ended the session.
        r = body_refresh(t["refresh"])
        self.assertEqual(r.status, 200, r)

    def test_racing_refreshes_exactly_one_wins(self):
        user = hm.make_user(self)
        rounds = []
        for _ in range(2):
            rounds.append(("body", hm.get_tokens(self, user)["refresh"]))
            rounds.append(("cookie", hm.signed_in(self, user)))
        for kind, cred in rounds:
            with self.subTest(kind=kind):
                answers = race(kind, cred, 3)
                bad = [a for a in answers if isinstance(a, Exception)]
                self.assertEqual(bad, [], answers)
                ok = [a for a in answers if a.status == 200]
                self.assertEqual(len(ok), 1, answers)
                for a in answers:
                    if a.status != 200:
                        self.assertIn(a.status, (401, 409), a)
                        hm.problem(a)


def race(kind, cred, n):
    """Sends "n" refreshes with the same token at the same moment, each
    on a connection opened beforehand; returns the answers."""
    barrier = threading.Barrier(n)
    answers = [None] * n

    def one(i):
        c = hm.Client()
        try:
            c.request("GET", "/api/health/")     # TLS set up in advance
            if kind == "body":
                args = dict(body={"refresh": cred})
            else:
                args = dict(headers={
                    "Cookie": cred.cookie_header(hm.REFRESH_PATH),
                    "X-CSRFToken": cred.value("csrftoken")})
            barrier.wait(10)
            answers[i] = c.request("POST", hm.REFRESH_PATH, **args)
            if isinstance(answers[i].json, dict):
                hm.remember_secret(answers[i].json.get("access"),
                                   answers[i].json.get("refresh"))
            for ck in hm.set_cookies(answers[i]).values():
                hm.remember_secret(ck.value)
        except Exception as e:      # reported by the test
            answers[i] = e
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return answers


class Logout(unittest.TestCase):

    def test_logout_clears_cookies_and_ends_that_session_only(self):
        user = hm.make_user(self)
        s = hm.signed_in(self, user)
        other = hm.signed_in(self, user)
        script = hm.get_tokens(self, user)
        before = s.copy()
        # No body, no Content-Type (SPEC 7.1).
        r = s.post(hm.LOGOUT_PATH)
        self.assertEqual(r.status, 200, r)
        assert_no_store(self, r)
        cleared = hm.set_cookies(r)
        for name, path in (("access", "/"), ("refresh", "/api/auth/"),
                           ("csrftoken", "/")):
            self.assertIn(name, cleared, r.headers.get_all("Set-Cookie"))
            c = cleared[name]
            self.assertEqual(c.max_age, 0, c.raw)
            self.assertEqual(c.path, path, c.raw)
        self.assertEqual(s.jar, {})
        # The old cookies are refused at once, access and refresh.
        assert_refused(self, before, "access cookie after logout")
        assert_refused(self, before.value("access"), "as Bearer")
        r = before.post(hm.REFRESH_PATH)
        hm.problem(r, 401, "invalid_token")
        # The other sessions of the user go on.
        assert_works(self, other, "second cookie session")
        r = other.post(hm.REFRESH_PATH)
        self.assertEqual(r.status, 200, r)
        assert_works(self, other, "second session after refresh")
        assert_works(self, script["access"], "token-endpoint session")
        # Logout by Bearer ends that session too.
        r = hm.request("POST", hm.LOGOUT_PATH,
                       headers=hm.bearer(script["access"]))
        self.assertEqual(r.status, 200, r)
        assert_refused(self, script["access"], "Bearer after its logout")
        hm.problem(body_refresh(script["refresh"]), 401, "invalid_token")
        assert_works(self, other, "cookie session after Bearer logout")


class EndedByHmctl(unittest.TestCase):

    def test_role_change_ends_every_session(self):
        user = hm.make_user(self, "doctor")
        a = hm.signed_in(self, user)
        b = hm.signed_in(self, user)
        t = hm.get_tokens(self, user)
        hm.hmctl_ok(self, "user", "set-role", user["email"], "nurse")
        assert_refused(self, a, "first session after set-role")
        assert_refused(self, b, "second session after set-role")
        assert_refused(self, t["access"], "Bearer after set-role")
        hm.problem(a.post(hm.REFRESH_PATH), 401, "invalid_token")
        hm.problem(body_refresh(t["refresh"]), 401, "invalid_token")
        # Signing in again shows the new role.
        s = hm.signed_in(self, user)
        self.assertEqual(s.last.json["user"]["user_role"], "nurse")
        self.assertEqual(assert_works(self, s).json["user_role"], "nurse")

    def test_deactivation_ends_every_session(self):
        user = hm.make_user(self)
        a = hm.signed_in(self, user)
        t = hm.get_tokens(self, user)
        hm.hmctl_ok(self, "user", "deactivate", user["email"])
        assert_refused(self, a, "cookie after deactivate")
        assert_refused(self, t["access"], "Bearer after deactivate")
        hm.problem(a.post(hm.REFRESH_PATH), 401, "invalid_token")
        hm.problem(body_refresh(t["refresh"]), 401, "invalid_token")
        r = hm.Session().signin(user["email"], user["password"])
        hm.problem(r, 403, "account_inactive")
        # Activated again by hmctl: the old sessions stay ended.
        hm.hmctl_ok(self, "user", "activate", user["email"])
        assert_refused(self, a, "old cookie after re-activation")
        assert_works(self, hm.signed_in(self, user), "new sign-in")


if __name__ == "__main__":
    unittest.main()

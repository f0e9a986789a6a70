"""The account throttle (SPEC 4, 7.10, 7.34): after 10 failed sign-ins
for one account, every attempt on it, the right password included and by
the token endpoint too, is 429 "throttled" with Retry-After <= 900 s,
while other accounts from the same address still sign in.  Requests are
spaced (hm.pace), so nginx's own 429 never comes into it."""

import unittest

import hm

FAILURES = 10


class AccountThrottle(unittest.TestCase):

    def assert_throttled(self, r):
        hm.problem(r, 429, "throttled")
        retry = r.headers.get("Retry-After")
        self.assertIsNotNone(retry, r)
        self.assertRegex(retry.strip(), r"^\d+$", r)
        self.assertTrue(1 <= int(retry) <= 900, retry)
        self.assertFalse(hm.set_cookies(r), r)
        self.assertNotIn("access", r.json)
        hm.assert_common_headers(r)

    def test_ten_failures_throttle_the_account(self):
        user = hm.make_user(self)
        bystander = hm.make_user(self)
        for i in range(FAILURES):
            r = hm.Session().signin(user["email"],
                                    user["password"] + str(i))
            with self.subTest(attempt=i + 1):
                hm.problem(r, 401, "invalid_credentials")
        # The next attempt, with the right password, is throttled.
        r = hm.Session().signin(user["email"], user["password"])
        self.assert_throttled(r)
        # The token endpoint shares the counters (SPEC 7.34).
        r = hm.auth_request("POST", hm.TOKEN_PATH,
                            body={"email": user["email"],
                                  "password": user["password"]})
        self.assert_throttled(r)
        # Another account from the same address is not throttled: this
        # was the account's throttle, not the address's nor nginx's.
        r = hm.Session().signin(bystander["email"], bystander["password"])
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()

"""nginx's rate limit on sign-in (SPEC 7.34): 5 r/s per client address
with a burst of 10, answered 429 problem+json with Retry-After."""

import concurrent.futures
import unittest

import hm


class SigninRateLimit(unittest.TestCase):

    def test_hammered_signin_gets_429(self):
        def one(_):
            try:
                return hm.request("POST", "/api/auth/signin/", body={},
                                  timeout=15)
            except OSError as e:
                return e

        # Concurrently: a sequential client would only be slowed down
        # (limit_req delays requests within the burst), never refused.
        with concurrent.futures.ThreadPoolExecutor(40) as ex:
            answers = list(ex.map(one, range(40)))

        errors = [a for a in answers if isinstance(a, Exception)]
        self.assertEqual(errors, [], "requests failed at the socket level")
        statuses = sorted(a.status for a in answers)
        throttled = [a for a in answers if a.status == 429]
        self.assertTrue(throttled, "no 429 among %r" % statuses)
        for a in throttled:
            hm.problem(a, 429, "throttled")
            retry = a.headers.get("Retry-After")
            self.assertIsNotNone(retry, a)
            self.assertTrue(retry.strip().isdigit() and
                            1 <= int(retry) <= 900, retry)
            hm.assert_common_headers(a)
        self.assertFalse([s for s in statuses if s >= 500],
                         "5xx among %r" % statuses)


if __name__ == "__main__":
    unittest.main()

"""Health, routing and the headers every answer carries (SPEC 2, 6, 7.24,
7.35), through nginx."""

import unittest

import hm


class Health(unittest.TestCase):

    def test_get_health(self):
        r = hm.request("GET", "/api/health/")
        hm.assert_health(self, r)
        hm.assert_common_headers(r)

    def test_head_health_has_no_body(self):
        r = hm.request("HEAD", "/api/health/")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"", r)
        hm.assert_common_headers(r)

    def test_unknown_query_parameter_is_ignored(self):
        r = hm.request("GET", "/api/health/?foo=bar")
        hm.assert_health(self, r)

    def test_request_ids_differ(self):
        a = hm.request("GET", "/api/health/")
        b = hm.request("GET", "/api/health/")
        self.assertNotEqual(a.headers["X-Request-Id"],
                            b.headers["X-Request-Id"])


class Routing(unittest.TestCase):

    def test_unknown_route_is_404(self):
        r = hm.request("GET", "/api/nope/")
        hm.problem(r, 404, "not_found")
        hm.assert_common_headers(r)

    def test_missing_trailing_slash_names_the_route(self):
        r = hm.request("GET", "/api/health")
        j = hm.problem(r, 404, "not_found")
        self.assertIn("/api/health/", j.get("detail") or "", j)
        self.assertIsNone(r.headers.get("Location"), r)
        hm.assert_common_headers(r)

    def _assert_405(self, method):
        r = hm.request(method, "/api/health/")
        hm.problem(r, 405, "method_not_allowed")
        allow = r.headers.get("Allow")
        self.assertIsNotNone(allow, r)
        methods = {m.strip().upper() for m in allow.split(",")}
        self.assertTrue({"GET", "HEAD"} <= methods, allow)
        self.assertNotIn(method, methods, allow)
        hm.assert_common_headers(r)

    def test_post_health_is_405(self):
        self._assert_405("POST")

    def test_delete_health_is_405(self):
        self._assert_405("DELETE")

    def test_unknown_method_is_a_4xx_problem(self):
        r = hm.request("BREW", "/api/health/")
        hm.problem(r, (400, 405))
        hm.assert_common_headers(r)


if __name__ == "__main__":
    unittest.main()

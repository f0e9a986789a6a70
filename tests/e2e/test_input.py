"""Hostile or broken requests: bad percent-encoding, oversized parts, NUL
bytes.  Each gets a 4xx problem answer (from the worker or from nginx),
never a 500 and never a hang."""

import unittest
import uuid

import fcgi_client
import hm


class Query(unittest.TestCase):

    def test_broken_percent_encoding_in_query_is_400(self):
        for q in ("a=%zz", "a=%", "a=%00", "%ff=1"):
            with self.subTest(query=q):
                r = hm.request("GET", "/api/health/?" + q)
                hm.problem(r, 400, "invalid")
                hm.assert_common_headers(r)

    def test_broken_path_encoding_is_4xx_problem(self):
        for path in ("/api/health%00/", "/api/health/%00/", "/api/%zz/",
                     "/api/health/%", "/api/he%2"):
            with self.subTest(path=path):
                r = hm.request("GET", path)
                hm.problem(r, (400, 404))
                hm.assert_common_headers(r)

    def test_huge_query_string_is_400(self):
        # 200 pairs, about 7000 bytes: under nginx's 8 KB request line,
        # over what the worker takes.
        pairs = ["k%03d=%s" % (i, "v" * 30) for i in range(200)]
        q = "&".join(pairs)
        self.assertGreater(len(q), 6900)
        self.assertLess(len(q), 7600)
        r = hm.request("GET", "/api/health/?" + q)
        hm.problem(r, 400)
        hm.assert_common_headers(r)


class Oversized(unittest.TestCase):

    def test_body_over_1_mib_is_413(self):
        body = b'{"a":"' + b"x" * (2 * 1024 * 1024) + b'"}'
        r = hm.request("POST", "/api/health/", raw_body=body,
                       headers={"Content-Type": "application/json"},
                       timeout=20)
        hm.problem(r, 413, "payload_too_large")
        hm.assert_common_headers(r)

    def test_huge_header_is_4xx_problem(self):
        r = hm.request("GET", "/api/health/",
                       headers={"X-Filler": "a" * 20000})
        hm.problem(r, range(400, 500))
        hm.assert_common_headers(r)

    def test_huge_cookie_is_4xx_problem(self):
        r = hm.request("GET", "/api/health/",
                       headers={"Cookie": "c=" + "b" * 20000})
        hm.problem(r, range(400, 500))
        hm.assert_common_headers(r)


class RawBytes(unittest.TestCase):

    def test_nul_in_request_line_is_400(self):
        data = (b"GET /api/health/\x00x HTTP/1.1\r\nHost: "
                + hm.host_header().encode()
                + b"\r\nConnection: close\r\n\r\n")
        r = hm.raw_request(data)
        self.assertEqual(r.status, 400, r)
        hm.assert_common_headers(r)

    def test_raw_request_well_formed_is_200(self):
        # The raw path itself works: a correct request gets the health.
        data = (b"GET /api/health/ HTTP/1.1\r\nHost: "
                + hm.host_header().encode()
                + b"\r\nConnection: close\r\n\r\n")
        r = hm.raw_request(data)
        hm.assert_health(self, r)


class WorkerDirect(unittest.TestCase):
    """The same hostile inputs sent over FastCGI straight to the pool's
    socket: nginx refuses most of them first, but the worker must not
    rely on that."""

    def ask(self, uri, method="GET"):
        rid = uuid.uuid4().hex
        r = fcgi_client.request("unix:" + hm.env("HM_SOCKET"), method, uri,
                                request_id=rid)
        self.assertEqual(r.protocol_status, fcgi_client.FCGI_REQUEST_COMPLETE)
        self.assertEqual(r.headers.get_all("X-Request-Id"), [rid], r)
        return hm.from_fcgi(r)

    def test_health(self):
        hm.assert_health(self, self.ask("/api/health/"))

    def test_broken_path_encoding(self):
        for path in ("/api/health%00/", "/api/health/%00/", "/api/%zz/",
                     "/api/health/%", "/api/he%2", "/api/%c3%28/"):
            with self.subTest(path=path):
                hm.problem(self.ask(path), (400, 404))

    def test_broken_query_encoding(self):
        for q in ("a=%zz", "a=%", "a=%00", "%ff=1", "a=%0a", "a=%c3%28"):
            with self.subTest(query=q):
                hm.problem(self.ask("/api/health/?" + q), 400, "invalid")

    def test_too_many_query_parameters(self):
        q = "&".join("k%03d=%s" % (i, "v" * 30) for i in range(200))
        hm.problem(self.ask("/api/health/?" + q), 400)

    def test_very_long_path(self):
        hm.problem(self.ask("/api/" + "a/" * 5000), (400, 404, 414))


if __name__ == "__main__":
    unittest.main()

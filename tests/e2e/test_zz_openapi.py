"""The OpenAPI document and the pages that render it (SPEC 7.24), and the
check that holds every answer of this suite to the document
(openapi.py, called by hm.py).  Named to run last: it also reports the
answers that strayed from the document in a thread other than a test's,
where a raised SchemaViolation may not have reached the test."""

import http.client
import io
import json
import unittest

import hm
import openapi

STRICT_CSP = "default-src 'self'; frame-ancestors 'none'"


def fake(status, body=b"", content_type="application/json", headers=()):
    """A Resp as hm.py makes them, without a server."""
    msg = http.client.parse_headers(io.BytesIO(
        "".join("%s: %s\r\n" % h for h in
                ((("Content-Type", content_type),) if content_type else ())
                + tuple(headers)).encode() + b"\r\n"))
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    return hm.Resp(status, msg, body, hm._parse_json(msg, body))


HEALTH = {"status": "ok", "database": "ok", "version": "0.1.0"}
PROBLEM = {"type": "about:blank", "title": "Not Found", "status": 404,
           "code": "not_found"}


class Checker(unittest.TestCase):
    """openapi.check() refuses what the document does not describe, and
    says where: the operation, the status and the schema location."""

    def strays(self, method, path, resp, *want):
        with self.assertRaises(openapi.SchemaViolation) as cm:
            openapi.check(method, path, resp)
        for w in want:
            self.assertIn(w, str(cm.exception))

    def test_a_documented_answer_passes(self):
        openapi.check("GET", "/api/health/?x=1", fake(200, HEALTH))
        openapi.check("HEAD", "/api/health/", fake(200))
        openapi.check("GET", "/api/nope/", fake(
            404, PROBLEM, "application/problem+json"))

    def test_a_member_too_many(self):
        self.strays("GET", "/api/health/", fake(200, dict(HEALTH, x=1)),
                    "GET /api/health/ 200 application/json",
                    "#/components/schemas/Health/additionalProperties")

    def test_a_member_missing_in_a_list_item(self):
        page = {"count": 1, "next": None, "previous": None,
                "results": [{"id": "nope"}]}
        self.strays("GET", "/api/devices/?page=1", fake(200, page),
                    "GET /api/devices/ 200", "$.results[0]",
                    "#/components/schemas/")

    def test_an_undocumented_status(self):
        # A success must be listed; an error may fall to the default,
        # a problem.
        self.strays("GET", "/api/health/", fake(202, HEALTH),
                    "GET /api/health/: status 202 is not documented")
        self.strays("GET", "/api/health/", fake(418, {"x": 1},
                                                "application/problem+json"),
                    "GET /api/health/ 418 application/problem+json",
                    "#/components/schemas/Problem/")

    def test_an_undocumented_content_type(self):
        self.strays("GET", "/api/patients/0193/", fake(
            200, b"<html></html>", "text/html"),
            "GET /api/patients/{id}/ 200", "Content-Type 'text/html'")

    def test_a_required_header_missing(self):
        self.strays("POST", "/api/devices/", fake(201, {}),
                    "POST /api/devices/ 201: no Location header")

    def test_a_problem_of_the_wrong_code(self):
        self.strays("GET", "/api/patients/", fake(401, dict(
            PROBLEM, status=401, code="not_found"),
            "application/problem+json"),
            "GET /api/patients/ 401",
            "#/components/responses/Unauthenticated/")

    def test_an_undocumented_path_answering_200(self):
        self.strays("GET", "/api/nope/", fake(200, {}),
                    "GET /api/nope/ (no such path in the document) "
                    "answered 200")

    def test_a_static_page_is_left_alone(self):
        openapi.check("GET", "/api/docs/", fake(200, b"<!DOCTYPE html>",
                                                "text/html"))
        openapi.check("GET", "/reset-password/a/b/", fake(
            200, b"<!DOCTYPE html>", "text/html"))


class Served(unittest.TestCase):
    """nginx serves the document and the two pages, with their assets,
    its security headers and each page's Content-Security-Policy."""

    def get(self, path, status=200, content_type=None):
        r = hm.request("GET", path)
        self.assertEqual(r.status, status, r)
        if content_type is not None:
            self.assertEqual(r.content_type, content_type, r)
        hm.assert_common_headers(r)
        return r

    def test_the_schema_is_the_document(self):
        r = self.get("/api/schema/", content_type="application/json")
        with open(openapi.DOC_PATH, encoding="utf-8") as f:
            self.assertEqual(r.json, json.load(f))
        self.assertEqual(r.json["openapi"][:4], "3.1.")
        self.assertEqual(r.headers.get("Content-Security-Policy"),
                         STRICT_CSP, r)
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache", r)

    def test_the_schema_is_only_at_its_route(self):
        for path in ("/api/schema/openapi.json", "/api/schema"):
            with self.subTest(path=path):
                hm.problem(self.get(path, 404), 404)

    def test_swagger_ui(self):
        r = self.get("/api/docs/", content_type="text/html")
        csp = r.headers.get("Content-Security-Policy")
        self.assertEqual(csp, "default-src 'self'; img-src 'self' data:; "
                         "frame-ancestors 'none'", r)
        for path, ct in (("/api/docs/swagger-init.js",
                          "application/javascript"),
                         ("/api/docs/vendor/swagger-ui-bundle.js",
                          "application/javascript"),
                         ("/api/docs/vendor/swagger-ui.css", "text/css")):
            with self.subTest(path=path):
                self.assertIn(path.encode(), r.body)
                self.assertGreater(len(self.get(path, content_type=ct)
                                       .body), 0)

    def test_redoc(self):
        r = self.get("/api/redoc/", content_type="text/html")
        csp = r.headers.get("Content-Security-Policy")
        self.assertEqual(csp, "default-src 'self'; style-src 'self' "
                         "'unsafe-inline'; img-src 'self' data:; "
                         "worker-src blob:; frame-ancestors 'none'", r)
        for path in ("/api/redoc/redoc-init.js",
                     "/api/redoc/vendor/redoc.standalone.js"):
            with self.subTest(path=path):
                self.assertIn(path.encode(), r.body)
                self.assertGreater(len(self.get(
                    path, content_type="application/javascript").body), 0)

    def test_pages_load_nothing_inline_or_from_elsewhere(self):
        for path in ("/api/docs/", "/api/redoc/"):
            with self.subTest(path=path):
                body = self.get(path).body.decode()
                self.assertNotRegex(body, r"<script(?![^>]*\bsrc=)")
                self.assertNotRegex(body, r"<style|\sstyle=|\son[a-z]+=")
                self.assertNotRegex(body, r"(https?:)?//")

    def test_the_api_keeps_the_strict_policy(self):
        for path in ("/api/health/", "/api/nope/", "/reset-password/a/b/"):
            with self.subTest(path=path):
                r = hm.request("GET", path)
                self.assertEqual(r.headers.get("Content-Security-Policy"),
                                 STRICT_CSP, r)


class ZzNoStrayAnswers(unittest.TestCase):

    def test_no_answer_strayed_in_a_thread(self):
        with openapi._lock:
            found = list(openapi.VIOLATIONS)
        self.assertEqual(found, [], "answers received in threads that "
                         "stray from the OpenAPI document:\n" +
                         "\n".join(found))


if __name__ == "__main__":
    unittest.main()

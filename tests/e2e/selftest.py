#!/usr/bin/python3
"""Self-checks of the suite's own tools, needing no stack:

    /usr/bin/python3 tests/e2e/selftest.py [-v]

The FastCGI client against a small FastCGI responder run here, the raw
HTTP parser of hm.py, and tests/smtp_sink.py with a real SMTP client.
(Not named test_*.py, so run.py does not pick it up.)
"""

import os
import re
import shutil
import signal
import smtplib
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import fcgi_client as F  # noqa: E402
import hm  # noqa: E402


class Responder:
    """A FastCGI responder on a unix socket, one request per connection.
    "behave(params, stdin, conn)" writes the answer."""

    def __init__(self, behave):
        self.dir = tempfile.mkdtemp(prefix="hm-selftest-")
        self.path = os.path.join(self.dir, "s")
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(self.path)
        self.sock.listen(8)
        self.behave = behave
        self.seen = []
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                try:
                    self.one(c)
                except (OSError, EOFError):
                    pass

    @staticmethod
    def exact(c, n):
        b = b""
        while len(b) < n:
            x = c.recv(n - len(b))
            if not x:
                raise EOFError
            b += x
        return b

    def one(self, c):
        params, stdin, begin = [], [], None
        while True:
            v, t, rid, cl, pl = F.HEADER.unpack(self.exact(c, 8))
            body = self.exact(c, cl + pl)[:cl]
            if t == F.FCGI_BEGIN_REQUEST:
                begin = struct.unpack("!HB5x", body)
            elif t == F.FCGI_PARAMS and body:
                params.append(body)
            elif t == F.FCGI_STDIN:
                if not body:
                    break
                stdin.append(body)
        p = {k.decode(): v.decode() for k, v in
             F.decode_params(b"".join(params))}
        self.seen.append((begin, p, b"".join(stdin)))
        self.behave(p, b"".join(stdin), c)

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def end(status=0):
    return F.record(F.FCGI_END_REQUEST, struct.pack("!IB3x", status, 0))


class FcgiClient(unittest.TestCase):

    def serve(self, behave):
        r = Responder(behave)
        self.addCleanup(r.close)
        return r

    def test_round_trip(self):
        def behave(p, stdin, c):
            body = ("%s %s %s %d" % (p["REQUEST_METHOD"], p["REQUEST_URI"],
                                     p.get("HTTP_X_THING"), len(stdin)))
            out = ("Status: 201 Created\r\nContent-Type: text/plain\r\n"
                   "X-A: 1\r\n\r\n" + body).encode()
            # Split over several records, with a STDERR one in between.
            c.sendall(F.record(F.FCGI_STDOUT, out[:7])
                      + F.record(F.FCGI_STDERR, b"warn\n")
                      + F.stream(F.FCGI_STDOUT, out[7:]) + end(3))

        r = self.serve(behave)
        big = b"x" * 200000      # several STDIN records
        resp = F.request("unix:" + r.path, "POST", "/a/?q=1",
                         headers={"X-Thing": "yes",
                                  "Content-Type": "application/json"},
                         body=big, request_id="rid1")
        self.assertEqual(resp.status, 201)
        self.assertEqual(resp.headers["x-a"], "1")
        self.assertEqual(resp.body, b"POST /a/?q=1 yes 200000")
        self.assertEqual(resp.stderr, b"warn\n")
        self.assertEqual(resp.app_status, 3)
        begin, p, stdin = r.seen[0]
        self.assertEqual(begin, (F.FCGI_RESPONDER, 0))
        self.assertEqual(stdin, big)
        self.assertEqual(p["QUERY_STRING"], "q=1")
        self.assertEqual(p["CONTENT_LENGTH"], "200000")
        self.assertEqual(p["CONTENT_TYPE"], "application/json")
        self.assertEqual(p["REQUEST_ID"], "rid1")
        self.assertEqual(p["SCRIPT_NAME"], "/a/")
        self.assertNotIn("HTTP_CONTENT_TYPE", p)

    def test_long_params(self):
        r = self.serve(lambda p, s, c: c.sendall(
            F.stream(F.FCGI_STDOUT, b"\r\n" + str(len(p["HTTP_X_BIG"]))
                     .encode()) + end()))
        resp = F.request("unix:" + r.path, "GET", "/",
                         headers={"X-Big": "b" * 100000})
        self.assertEqual((resp.status, resp.body), (200, b"100000"))

    def test_truncated(self):
        r = self.serve(lambda p, s, c: c.sendall(
            F.record(F.FCGI_STDOUT, b"Status: 200\r\n\r\n{\"a\"")))
        with self.assertRaises(F.FcgiTruncated):
            F.request("unix:" + r.path, "GET", "/")

    def test_truncated_inside_record(self):
        r = self.serve(lambda p, s, c: c.sendall(
            F.record(F.FCGI_STDOUT, b"Status: 200\r\n\r\n{}")[:12]))
        with self.assertRaises(F.FcgiTruncated):
            F.request("unix:" + r.path, "GET", "/")

    def test_no_answer(self):
        r = self.serve(lambda p, s, c: None)
        with self.assertRaises(F.FcgiNoAnswer):
            F.request("unix:" + r.path, "GET", "/")

    def test_refused(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        with self.assertRaises(FileNotFoundError):
            F.request("unix:" + os.path.join(d, "none"), "GET", "/")

    def test_params_encoding(self):
        pairs = [(b"a" * 127, b""), (b"b" * 128, b"v" * 70000), (b"c", b"d")]
        self.assertEqual(F.decode_params(F.encode_params(pairs)), pairs)

    def test_parse_cgi(self):
        self.assertEqual(F.parse_cgi(b"Status: 404 Not Found\n\nx")[0], 404)
        self.assertEqual(F.parse_cgi(b"Location: /x\r\n\r\n")[0], 302)
        s, h, b = F.parse_cgi(b"Content-Type: a/b\r\n\r\nbody\r\n\r\nmore")
        self.assertEqual((s, h["content-type"], b),
                         (200, "a/b", b"body\r\n\r\nmore"))
        with self.assertRaises(F.FcgiError):
            F.parse_cgi(b"no header end")


class RawHttp(unittest.TestCase):

    def test_chunked(self):
        r = hm.parse_http_response(
            b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/problem+json\r\n"
            b"X-Request-Id: a\r\nX-Request-Id: b\r\n\r\n"
            b"5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n")
        self.assertEqual((r.status, r.json), (400, {"a": 1}))
        self.assertEqual(r.headers.get_all("x-request-id"), ["a", "b"])
        with self.assertRaises(AssertionError):
            hm.assert_common_headers(r)

    def test_complete(self):
        self.assertFalse(hm._complete(b"HTTP/1.1 200 OK\r\n"))
        self.assertFalse(hm._complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab"))
        self.assertTrue(hm._complete(
            b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc"))

    def test_problem(self):
        def resp(status, body, ctype="application/problem+json"):
            m = hm.parse_http_response(
                ("HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d"
                 "\r\n\r\n%s" % (status, ctype, len(body), body)).encode())
            return m
        good = ('{"type":"about:blank","title":"Not Found","status":404,'
                '"code":"not_found"}')
        hm.problem(resp(404, good), 404, "not_found")
        for r in (resp(404, good, "application/json"),
                  resp(400, good),
                  resp(404, good.replace("404", '"404"')),
                  resp(404, good.replace(',"code":"not_found"', ""))):
            with self.assertRaises(AssertionError):
                hm.problem(r)
        with self.assertRaises(AssertionError):
            hm.problem(resp(404, good), code="invalid")


class SmtpSink(unittest.TestCase):

    def test_store_and_stop(self):
        d = tempfile.mkdtemp(prefix="hm-sink-")
        self.addCleanup(shutil.rmtree, d)
        pidfile = os.path.join(d, "pid")
        errf = open(os.path.join(d, "err"), "w+")
        self.addCleanup(errf.close)
        p = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "..", "smtp_sink.py"),
             "--host", "127.0.0.1", "--port", "0",
             "--dir", os.path.join(d, "mail"), "--pidfile", pidfile],
            stderr=errf)
        self.addCleanup(lambda: p.poll() is None and p.kill())

        def port():
            errf.seek(0)
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", errf.read())
            return m and int(m.group(1))
        self.assertTrue(hm.wait_for(port, 10), "sink did not start")
        self.assertEqual(hm.read_pid(pidfile), p.pid)
        msg = (b"From: a@b.test\r\nTo: c@d.test\r\nSubject: t\r\n\r\n"
               b".starts with a dot\r\n\xc3\xa9t\xc3\xa9\r\nend\r\n")
        with smtplib.SMTP("127.0.0.1", port(), timeout=10) as s:
            s.sendmail("a@b.test", ["c@d.test"], msg)
            s.sendmail("a@b.test", ["e@f.test"], b"Subject: 2\r\n\r\nx\r\n")
        names = sorted(os.listdir(os.path.join(d, "mail")))
        self.assertEqual(len(names), 2, names)
        for n in names:
            self.assertRegex(n, r"^\d{8}T\d{6}\.\d{6}Z-\d+\.eml$")
        with open(os.path.join(d, "mail", names[0]), "rb") as f:
            self.assertEqual(f.read(), msg)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(10), 0)
        self.assertFalse(os.path.exists(pidfile))
        errf.seek(0)
        log = errf.read()
        self.assertEqual(log.count("saved "), 2, log)
        self.assertNotIn("starts with a dot", log)


if __name__ == "__main__":
    unittest.main()

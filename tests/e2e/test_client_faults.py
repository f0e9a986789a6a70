"""Client faults (issue #9): clients that send half a body, leave in the
middle of an answer, or bring more requests than the pool has workers.
The workers survive (the same processes before and after), requests
beyond what the pool can hold fail at once, none hangs, and the pool
recovers.  What "fail fast" means here is in heartmonitor-fcgi(8),
"Load and faults".

HalfBody: clients send the head of a POST and part of its body, then
stall or leave, more of them than the pool has workers.  nginx reads a
whole body before it passes a request on, so they never reach a worker:
meanwhile the pool answers at once, nothing of them is in the pool's
log, and nginx closes each stalled connection, unanswered, after
client_body_timeout (10 s).

LeaveMidAnswer: clients ask for a page of 100 patients through nginx
and leave after the first bytes (a reset); others ask a worker directly
(FastCGI, no nginx) for an answer larger than the socket's buffer (a
batch of 1000 readings) and leave after its first record, so that the
worker's write fails.  The workers live on and answer whole pages.

BeyondCapacity: a pool of the test's own (2 workers, --backlog 4,
DB_BUSY_TIMEOUT_MS=1000, behind an nginx of its own running the same
site) while a side connection holds the database's write lock.  Of 16
writes at once, those the queue has no room for are answered 502 at
once, the others 503 after their turn and the busy timeout, all with
Retry-After and nothing stored; released, every one succeeds when
retried, once.  Clients that give up while their request waits in the
queue have it dropped unrun (logged 499) when a worker reaches it, so
the queue drains at once and nothing of theirs is stored."""

import re
import socket
import sqlite3
import ssl
import struct
import threading
import time
import unittest
import uuid

import clinical
import fcgi_client
import hm
import sidestack

BODY_TIMEOUT = 10.0     # client_body_timeout of the nginx site
HEARTRATES = "/api/heartrates/"


def tls_connection(timeout=30.0):
    host, port = hm.base_url()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        return hm.ssl_context().wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def reset(sock):
    """Closes "sock" with a reset (SO_LINGER 0): a client that vanishes."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def read_to_eof(sock, limit):
    """Everything "sock" receives until the peer closes it; raises
    socket.timeout after "limit" seconds."""
    sock.settimeout(limit)
    data = b""
    while True:
        try:
            c = sock.recv(65536)
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError,
                ConnectionResetError):
            return data
        if not c:
            return data
        data += c


class HalfBody(unittest.TestCase):

    STALLED = 3         # more than the stack's two workers
    LEFT = 3

    def half_request(self, token):
        """A TLS connection that sent a POST whose Content-Length is 400
        and 60 bytes of its body."""
        body = b'{"patient": "%s", "assigned_device": "' % \
            str(uuid.uuid4()).encode()
        head = ("POST /api/admissions/ HTTP/1.1\r\nHost: %s\r\n"
                "Authorization: Bearer %s\r\n"
                "Content-Type: application/json\r\n"
                "Content-Length: 400\r\n\r\n"
                % (hm.host_header(), token)).encode()
        s = tls_connection()
        s.sendall(head + body)
        return s

    def test_half_sent_body_never_reaches_a_worker(self):
        staff = clinical.token("staff")
        nurse = clinical.token("nurse")
        patient = clinical.admit(self)["patient"]
        workers = hm.worker_pids()
        offset = hm.pool_log_size()
        stalled = [self.half_request(staff) for _ in range(self.STALLED)]
        sent = time.monotonic()
        for s in [self.half_request(staff) for _ in range(self.LEFT)]:
            reset(s)
        # The workers are free: reads and writes answer at once.
        for _ in range(5):
            t = time.monotonic()
            r = hm.request("GET", "/api/health/", timeout=5)
            hm.assert_health(self, r)
            self.assertLess(time.monotonic() - t, 1.0)
        t = time.monotonic()
        r = hm.request("POST", HEARTRATES, body={"patient": patient,
                                                 "bpm": 80},
                       headers=hm.bearer(nurse), timeout=5)
        self.assertEqual(r.status, 201, r)
        self.assertLess(time.monotonic() - t, 1.0)
        # nginx gives up on each stalled body after client_body_timeout
        # and closes the connection without an answer (nginx logs 408).
        for s in stalled:
            try:
                got = read_to_eof(s, BODY_TIMEOUT + 10)
            finally:
                s.close()
            waited = time.monotonic() - sent
            self.assertEqual(got, b"")
            self.assertGreater(waited, BODY_TIMEOUT - 1.5)
            self.assertLess(waited, BODY_TIMEOUT + 5)
        # Not one of them reached a worker, and no worker died.
        log = hm.pool_log_since(offset)
        self.assertNotIn("POST /api/admissions/", log)
        self.assertIn("POST /api/heartrates/ 201", log)
        self.assertEqual(hm.worker_pids(), workers)


class LeaveMidAnswer(unittest.TestCase):

    CLIENTS = 8

    def setUp(self):
        self.staff = clinical.token("staff")
        missing = 100 - clinical.scalar("SELECT count(*) FROM patients")
        for _ in range(max(0, missing)):
            clinical.add_patient("Page")

    def test_leaving_mid_page_of_100_patients(self):
        workers = hm.worker_pids()
        path = "/api/patients/?page_size=100"
        request = ("GET %s HTTP/1.1\r\nHost: %s\r\n"
                   "Authorization: Bearer %s\r\n\r\n"
                   % (path, hm.host_header(), self.staff)).encode()
        got = []

        def leave():
            s = tls_connection(10)
            try:
                s.sendall(request)
                got.append(len(s.recv(2000)))
            finally:
                reset(s)

        threads = [threading.Thread(target=leave)
                   for _ in range(self.CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(got), self.CLIENTS)
        self.assertTrue(all(got), got)
        self.assertEqual(hm.worker_pids(), workers)
        for _ in range(2 * len(workers)):
            r = hm.request("GET", path, headers=hm.bearer(self.staff))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(len(r.json["results"]), 100)
            self.assertEqual(int(r.headers["Content-Length"]), len(r.body))

    def test_leaving_mid_answer_of_a_worker(self):
        """Straight to a worker, with no nginx to buffer the answer: a
        batch of 1000 readings answers about 250 KB, more than the
        socket holds, so the worker is still writing when the client
        leaves, and its write fails."""
        try:
            with open("/proc/sys/net/core/wmem_default") as f:
                if int(f.read()) > 212992:
                    self.skipTest("the sockets' send buffers (net.core."
                                  "wmem_default) may hold the whole answer")
        except OSError:
            pass
        nurse = clinical.token("nurse")
        patient = clinical.admit(self)["patient"]
        workers = hm.worker_pids()
        offset = hm.pool_log_size()
        body = ("[%s]" % ",".join(
            '{"patient": "%s", "bpm": 75}' % patient
            for _ in range(1000))).encode()
        params = fcgi_client.build_params(
            "POST", HEARTRATES, {"Authorization": "Bearer " + nurse,
                                 "Content-Type": "application/json"}, body)
        for _ in range(2):
            s = fcgi_client.connect("unix:" + hm.env("HM_SOCKET"), 30)
            try:
                s.sendall(fcgi_client.record(
                    fcgi_client.FCGI_BEGIN_REQUEST,
                    struct.pack("!HB5x", fcgi_client.FCGI_RESPONDER, 0)) +
                    fcgi_client.stream(fcgi_client.FCGI_PARAMS,
                                       fcgi_client.encode_params(params)) +
                    fcgi_client.stream(fcgi_client.FCGI_STDIN, body))
                self.assertTrue(s.recv(8), "no answer from the worker")
            finally:
                reset(s)
        # Both workers' writes failed; they said so and live on.
        left = hm.wait_for(lambda: hm.pool_log_since(offset).count(
            "client went away mid-answer") >= 2, 10)
        self.assertTrue(left, hm.pool_log_since(offset))
        self.assertEqual(hm.worker_pids(), workers)
        for _ in range(2 * len(workers)):
            hm.assert_health(self, hm.request("GET", "/api/health/"))


class BacklogOption(unittest.TestCase):

    def test_out_of_range_is_a_usage_error(self):
        for bad in ("0", "65536", "-1", "4x", ""):
            st, _, err = hm.run([hm.env("HM_FCGI"), "--backlog", bad],
                                env=hm.clean_env())
            self.assertEqual(st, 2, err)
            self.assertIn("--backlog takes a number from 1 to 65535", err)


class BeyondCapacity(unittest.TestCase):

    BUSY_MS = 1000
    WORKERS = 2
    BACKLOG = 4
    CLIENTS = 16

    def setUp(self):
        self.stack = sidestack.SideStack(
            self, workers=self.WORKERS, backlog=self.BACKLOG,
            config={"DB_BUSY_TIMEOUT_MS": str(self.BUSY_MS)})
        self.nurse = clinical.token("nurse")
        self.patient = clinical.admit(self)["patient"]
        self.tag = "e2e-capacity-" + hm.tag()
        self.workers = self.stack.worker_pids()

    def post(self, key, timeout=15):
        return self.stack.request(
            "POST", HEARTRATES,
            body={"patient": self.patient, "bpm": 66, "notes": key},
            headers=dict(hm.bearer(self.nurse), **{"Idempotency-Key": key}),
            timeout=timeout)

    def stored(self, keys):
        with clinical.db() as conn:
            return dict(conn.execute(
                "SELECT notes, count(*) FROM readings WHERE notes IN (%s) "
                "GROUP BY notes" % ",".join("?" * len(keys)),
                list(keys)).fetchall())

    def locked(self):
        """Python's sqlite3 on the stack's database, holding its write
        lock (BEGIN IMMEDIATE) until ROLLBACK."""
        side = sqlite3.connect(hm.database_path(), timeout=10,
                               isolation_level=None)
        self.addCleanup(side.close)
        side.execute("BEGIN IMMEDIATE")
        return side

    def at_once(self, keys, timeout):
        """POSTs a reading per key, all at once: {key: (answer or the
        exception, seconds)}."""
        out = {}
        barrier = threading.Barrier(len(keys))

        def one(key):
            barrier.wait(10)
            t = time.monotonic()
            try:
                r = self.post(key, timeout)
            except Exception as e:      # noqa: B902 - a timeout, reported
                r = e
            out[key] = (r, time.monotonic() - t)

        threads = [threading.Thread(target=one, args=(k,)) for k in keys]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout + 15)
        self.assertEqual(len(out), len(keys), "clients hung")
        return out

    def test_past_the_queue_fail_at_once_then_recover(self):
        busy = self.BUSY_MS / 1000.0
        keys = ["%s-%d" % (self.tag, i) for i in range(self.CLIENTS)]
        side = self.locked()
        try:
            out = self.at_once(keys, 15)
        finally:
            side.execute("ROLLBACK")
        # Taken: the workers' two and the queue's (the kernel lets in
        # one more than the backlog) wait their turns of the busy
        # timeout; the rest are refused at once.
        rounds = -(-(self.WORKERS + self.BACKLOG + 1) // self.WORKERS)
        statuses = sorted(r.status if isinstance(r, hm.Resp) else repr(r)
                          for r, _ in out.values())
        for key, (r, took) in out.items():
            with self.subTest(key=key):
                self.assertIsInstance(r, hm.Resp, "no answer: %r" % (r,))
                self.assertIn(r.status, (502, 503), r)
                hm.problem(r, r.status, "unavailable")
                hm.assert_common_headers(r)
                self.assertRegex(r.headers.get("Retry-After", ""),
                                 r"^[1-9][0-9]*$", r)
                if r.status == 502:
                    self.assertLess(took, busy / 2)
                else:
                    self.assertGreaterEqual(took, busy * 0.9)
                    self.assertLess(took, busy * (rounds + 1.5))
        refused = statuses.count(502)
        self.assertGreaterEqual(refused, self.CLIENTS - rounds *
                                self.WORKERS - 1, statuses)
        self.assertGreaterEqual(statuses.count(503), self.WORKERS, statuses)
        self.assertEqual(self.stored(keys), {})
        # Released, the pool takes every one of them, once each.
        for key in keys:
            for _ in range(20):
                r = self.post(key)
                if r.status not in (502, 503):
                    break
                time.sleep(int(r.headers["Retry-After"]))
            self.assertEqual(r.status, 201, r)
        self.assertEqual(self.stored(keys), {k: 1 for k in keys})
        self.assertEqual(self.stack.worker_pids(), self.workers)

    def test_requests_left_in_the_queue_are_dropped(self):
        busy = self.BUSY_MS / 1000.0
        keys = ["%s-gone-%d" % (self.tag, i)
                for i in range(self.WORKERS + self.BACKLOG)]
        side = self.locked()
        try:
            out = self.at_once(keys, busy * 0.5)
            self.assertTrue(all(isinstance(r, OSError)
                                for r, _ in out.values()), out)
            # The two being run wait out the busy timeout (503, to
            # nobody); the rest are dropped as soon as a worker is free.
            done = hm.wait_for(lambda: len(re.findall(
                r"POST /api/heartrates/ (?:499|503) ", self.stack.log()))
                >= len(keys), busy * 3)
        finally:
            side.execute("ROLLBACK")
        log = self.stack.log()
        self.assertTrue(done, log)
        dropped = re.findall(r"POST /api/heartrates/ 499 ", log)
        self.assertGreaterEqual(len(dropped), len(keys) - self.WORKERS, log)
        self.assertEqual(self.stored(keys), {})
        # The queue is empty: the next request is answered at once.
        t = time.monotonic()
        r = self.post(self.tag + "-after")
        self.assertEqual(r.status, 201, r)
        self.assertLess(time.monotonic() - t, busy / 2)
        self.assertEqual(self.stack.worker_pids(), self.workers)


if __name__ == "__main__":
    unittest.main()

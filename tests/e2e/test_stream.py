"""The live stream through nginx and heartmonitor-stream (SPEC 5 "Live
monitoring", 7.22): a reading committed after a client connects
arrives; Last-Event-ID resumes without loss or repeat; ?patient= and
?ward= see only theirs; the roles; logout, and a role change, end the
stream; a comment keeps an idle stream open."""

import http.client
import json
import os
import queue
import socket
import threading
import time
import unittest
import uuid

import hm
from clinical import admit, call, token, user

STREAM = "/api/heartrates/stream/"
WAIT = 10.0     # seconds an event may take (it takes milliseconds)


class Stream:
    """An open event stream read by a thread: "events" receives
    (id, event, data) tuples and "comments" the comment lines; "closed"
    is set when the server ends it."""

    def __init__(self, path=STREAM, headers=None, role="nurse"):
        h = dict(headers or {})
        if role is not None:
            h.update(hm.bearer(token(role)))
        host, port = hm.base_url()
        self.conn = http.client.HTTPSConnection(
            host, port, timeout=60, context=hm.ssl_context())
        self.conn.request("GET", path, headers=h)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = self.resp.headers
        self.events = queue.Queue()
        self.comments = queue.Queue()
        self.closed = threading.Event()
        self.retry = None
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.resp.read()
            self.closed.set()

    def _read(self):
        fields = {}
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line.startswith(":"):
                    self.comments.put(line)
                elif line == "":
                    # As a browser does: a block without data is no event.
                    if "retry" in fields:
                        self.retry = fields["retry"]
                    if "data" in fields:
                        self.events.put((fields.get("id"),
                                         fields.get("event"),
                                         json.loads(fields["data"])))
                    fields = {}
                else:
                    k, _, v = line.partition(": ")
                    fields[k] = v
        except (OSError, ValueError, AttributeError,
                http.client.HTTPException):
            pass
        self.closed.set()

    def next(self, timeout=WAIT):
        return self.events.get(timeout=timeout)

    def none_within(self, seconds):
        try:
            ev = self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        raise AssertionError("unexpected event %r" % (ev,))

    def close(self):
        # Shut the socket first: the reader thread holds the buffered
        # file, and closing that would wait for the next bytes.
        if self.conn.sock is not None:
            try:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conn.close()


def post(patient, bpm=70, role="nurse"):
    r = call(role, "POST", "/api/heartrates/",
             {"patient": patient, "bpm": bpm})
    assert r.status == 201, r
    return r.json


class Live(unittest.TestCase):

    def open(self, *args, **kw):
        s = Stream(*args, **kw)
        self.addCleanup(s.close)
        return s

    def test_a_reading_arrives(self):
        a = admit(self, ward="W-" + uuid.uuid4().hex[:6])
        s = self.open()
        self.assertEqual(s.status, 200)
        self.assertEqual(hm.media_type(s.headers["Content-Type"]),
                         "text/event-stream")
        self.assertEqual(s.headers["Cache-Control"], "no-store")
        self.assertEqual(s.comments.get(timeout=WAIT), ": stream open")
        time.sleep(0.2)
        mine = post(a["patient"], 91)
        # Unfiltered: every reading, ours among them.
        while True:
            eid, name, data = s.next()
            self.assertEqual(name, "reading")
            if data["id"] == mine["id"]:
                break
        self.assertEqual(data, mine)
        self.assertTrue(eid.isdigit())

    def test_filters(self):
        ward = "W-" + uuid.uuid4().hex[:6]
        a = admit(self, ward=ward)
        b = admit(self, ward=ward)
        c = admit(self, ward="W-" + uuid.uuid4().hex[:6])
        by_patient = self.open(STREAM + "?patient=" + a["patient"])
        by_ward = self.open(STREAM + "?ward=" + ward, role="doctor")
        time.sleep(0.2)
        ra, rc, rb = post(a["patient"]), post(c["patient"]), post(b["patient"])
        self.assertEqual(by_patient.next()[2]["id"], ra["id"])
        self.assertEqual(by_ward.next()[2]["id"], ra["id"])
        self.assertEqual(by_ward.next()[2]["id"], rb["id"])
        self.assertNotEqual(rc["id"], ra["id"])
        by_patient.none_within(0.5)
        by_ward.none_within(0.2)

    def test_a_flood_for_others_loses_nothing(self):
        # More readings of another patient than the server keeps in
        # memory (4096), while a filtered stream is not woken for them
        # (it looks at the ring each second): whatever left the ring
        # before it looked comes from the database.  Whether the ring
        # overflowed depends on the pace; either way nothing is lost.
        a, b = admit(self), admit(self)
        s = self.open(STREAM + "?patient=" + a["patient"])
        everything = self.open()
        self.assertEqual(s.comments.get(timeout=WAIT), ": stream open")
        self.assertEqual(everything.comments.get(timeout=WAIT),
                         ": stream open")
        first = post(a["patient"], 61)
        batch = [{"patient": b["patient"], "bpm": 70 + i % 50}
                 for i in range(1000)]
        flood = []
        for _ in range(5):
            r = call("nurse", "POST", "/api/heartrates/", batch)
            self.assertEqual(r.status, 201, r)
            flood += [x["id"] for x in r.json]
        last = post(a["patient"], 62)
        self.assertEqual([s.next()[2]["id"] for _ in range(2)],
                         [first["id"], last["id"]])
        s.none_within(0.5)
        self.assertFalse(s.closed.is_set())
        # The unfiltered stream got all 5002, in order, once each.
        got = [everything.next()[2]["id"] for _ in range(5002)]
        self.assertEqual(got, [first["id"]] + flood + [last["id"]])

    def test_last_event_id_resumes(self):
        a = admit(self)
        s = self.open(STREAM + "?patient=" + a["patient"])
        time.sleep(0.2)
        first = post(a["patient"], 60)
        eid, _, data = s.next()
        self.assertEqual(data["id"], first["id"])
        s.close()
        # Missed while away, in commit order; then live ones.
        missed = [post(a["patient"], 61 + i) for i in range(5)]
        again = self.open(STREAM + "?patient=" + a["patient"],
                          headers={"Last-Event-ID": eid})
        got = [again.next()[2]["id"] for _ in missed]
        self.assertEqual(got, [m["id"] for m in missed])
        live = post(a["patient"], 70)
        self.assertEqual(again.next()[2]["id"], live["id"])
        again.none_within(0.3)

    def test_refusals(self):
        for role, status, code in (("admin", 403, "permission_denied"),
                                   ("staff", 403, "permission_denied"),
                                   (None, 401, "not_authenticated")):
            with self.subTest(role=role):
                s = self.open(role=role)
                self.assertEqual(s.status, status)
        for path in (STREAM + "?patient=nope", STREAM + "?ward=" + "w" * 101):
            with self.subTest(path=path[:40]):
                s = self.open(path)
                self.assertEqual(s.status, 400)
        s = self.open(headers={"Last-Event-ID": "x1"})
        self.assertEqual(s.status, 400)
        r = call("nurse", "POST", STREAM)
        self.assertEqual(r.status, 405, r)

    def test_logout_ends_the_stream(self):
        nurse = hm.make_user(self, "nurse")
        session = hm.signed_in(self, nurse)
        s = self.open(role=None, headers={
            "Cookie": session.cookie_header(STREAM)})
        self.assertEqual(s.status, 200)
        self.assertFalse(s.closed.wait(1.5))
        r = session.post("/api/auth/logout/")
        self.assertIn(r.status, (200, 204), r)
        self.assertTrue(s.closed.wait(WAIT), "the stream outlived logout")

    def test_role_change_ends_the_stream(self):
        nurse = hm.make_user(self, "nurse")
        tok = hm.get_tokens(self, nurse)["access"]
        s = self.open(role=None, headers=hm.bearer(tok))
        self.assertEqual(s.status, 200)
        hm.hmctl_ok(self, "user", "set-role", nurse["email"], "staff")
        self.assertTrue(s.closed.wait(WAIT), "the stream outlived the role")

    def test_gone_client_frees_its_stream_at_once(self):
        # The server writes to an idle stream only every 15 s; it must
        # notice sooner that nginx closed it, or gone clients would hold
        # their threads (and sign-in checks) that long.
        s = self.open()
        self.assertEqual(s.status, 200)
        rid = s.headers["X-Request-Id"]
        self.assertEqual(s.comments.get(timeout=WAIT), ": stream open")
        log = os.path.join(hm.env("HM_DATA_DIR"), "logs", "stream.log")

        def closed():
            with open(log, errors="replace") as f:
                return any(rid in line and "stream closed" in line
                           for line in f)
        self.assertFalse(closed())
        s.close()
        self.assertTrue(hm.wait_for(closed, 5.0),
                        "the stream outlived its client by 5 s")

    def test_keepalive_comment(self):
        s = self.open(STREAM + "?patient=" + str(uuid.uuid4()))
        self.assertEqual(s.status, 200)
        self.assertEqual(s.comments.get(timeout=WAIT), ": stream open")
        self.assertEqual(s.retry, "2000")
        # Nothing to send for 15 s: a comment keeps proxies from closing.
        self.assertEqual(s.comments.get(timeout=20), ": keep-alive")
        self.assertFalse(s.closed.is_set())


if __name__ == "__main__":
    unittest.main()

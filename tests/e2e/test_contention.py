"""Contention (issue #9, SPEC 6 "Durability"): clients writing at once
never see SQLite's "database is locked", and a write lock held past the
busy timeout is answered 503 with Retry-After, leaving nothing half
done.

ManyWriters: 64 clients start together, through the stack's nginx and
every worker of its pool.  32 record readings (one, then a batch of
five, each request with an Idempotency-Key), 16 admit a patient of their
own onto a device of their own and record a reading, 16 sign in (the
token endpoint, as one of four new nurses) and record a reading with
the new token.  Besides success, a client may get only documented
answers, and handles them as a client should: nginx's limit on sign-ins
(429, Retry-After: 1), a full queue (502) or the busy timeout (503),
each problem+json with Retry-After, is retried after it; the service's
own sign-in throttle (429 with a long Retry-After: only if earlier
tests spent this address's failures) ends that client's sign-in.  A 500
fails the test.  Afterwards every write is in the database exactly once,
each sign-in answered 200 opened one session, and every worker served
part of the burst and is still the same process.

LockHeld: a side connection (Python's sqlite3 on the stack's database)
holds the write lock (BEGIN IMMEDIATE) for longer than the busy timeout
of a pool of the test's own (DB_BUSY_TIMEOUT_MS=1000, four workers,
behind an nginx of its own that runs the same site).  Reads that record
nothing answer at once meanwhile (WAL); a reading with an
Idempotency-Key, an admission, a sign-in and a read of a patient (which
is recorded in the audit trail before it is shown) each answer 503 with
Retry-After after the busy timeout, leaving no row, no Idempotency-Key
and no open transaction behind.  Once the lock is released the same
requests succeed, once each, and the key then replays."""

import random
import re
import sqlite3
import threading
import time
import unittest
import uuid

import clinical
import hm
import sidestack

RECORDERS = 32
ADMITTERS = 16
SIGNERS = 16
SIGNER_USERS = 4
PATIENTS = 8            # the admitted patients recorders and signers share
BATCH = 5
BURST_DEADLINE = 60.0   # seconds for the whole burst, retries included
RETRIED = (429, 502, 503)

HEARTRATES = "/api/heartrates/"
ADMISSIONS = "/api/admissions/"


def retry_after(r):
    v = (r.headers.get("Retry-After") or "").strip()
    return int(v) if v.isdigit() else None


class Burst:
    """The answers of all clients: (client, what, status, seconds), and
    what went wrong in a client's thread."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.lock = threading.Lock()
        self.answers = []
        self.failures = []

    def call(self, client, what, send):
        """send() until its answer is not one to retry: a 429, 502 or 503
        (asserted problem+json with Retry-After) is retried after its
        Retry-After when that is at most 2 s and the deadline allows;
        otherwise the answer is returned."""
        while True:
            t = time.monotonic()
            r = send()
            with self.lock:
                self.answers.append((client, what, r.status,
                                     time.monotonic() - t))
            if r.status not in RETRIED:
                return r
            hm.problem(r, r.status)
            hm.assert_common_headers(r)
            wait = retry_after(r)
            if wait is None:
                raise AssertionError("%s: %d without Retry-After: %r"
                                     % (what, r.status, r))
            if wait > 2 or time.monotonic() + wait + 1 > self.deadline:
                return r
            time.sleep(wait + random.random() * 0.5)

    def run(self, client, work, barrier):
        try:
            barrier.wait(30)
            work(client)
        except BaseException as e:      # noqa: B902 - reported below
            with self.lock:
                self.failures.append("client %d: %r" % (client, e))


class ManyWriters(unittest.TestCase):

    def setUp(self):
        self.tag = "e2e-contention-" + hm.tag()
        self.nurse = clinical.token("nurse")
        self.staff = clinical.token("staff")
        self.patients = [clinical.admit(self)["patient"]
                         for _ in range(PATIENTS)]
        self.fresh = [(clinical.add_patient(), clinical.add_device())
                      for _ in range(ADMITTERS)]
        self.users = [hm.make_user(self, "nurse")
                      for _ in range(SIGNER_USERS)]
        self.notes = set()              # every reading's note, once each
        self.signed = {}                # email -> sign-ins answered 200
        self.throttled = []             # the service's own 429s
        self.admitted = {}              # client -> admission id

    def reading(self, client, token, patient, note, burst):
        """POSTs one reading with an Idempotency-Key; asserts 201."""
        self.notes.add(note)
        r = burst.call(client, "reading", lambda: hm.request(
            "POST", HEARTRATES, body={"patient": patient, "bpm": 72,
                                      "notes": note},
            headers=dict(hm.bearer(token), **{"Idempotency-Key": note})))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["notes"], note, r)

    def recorder(self, i, burst):
        patient = self.patients[i % PATIENTS]
        self.reading(i, self.nurse, patient, "%s-r%d" % (self.tag, i), burst)
        key = "%s-r%d-batch" % (self.tag, i)
        body = [{"patient": patient, "bpm": 60 + k,
                 "notes": "%s-%d" % (key, k)} for k in range(BATCH)]
        self.notes.update(b["notes"] for b in body)
        r = burst.call(i, "batch", lambda: hm.request(
            "POST", HEARTRATES, body=body,
            headers=dict(hm.bearer(self.nurse), **{"Idempotency-Key": key})))
        self.assertEqual(r.status, 201, r)
        self.assertEqual([x["notes"] for x in r.json],
                         [b["notes"] for b in body], r)

    def admitter(self, i, burst):
        patient, device = self.fresh[i - RECORDERS]
        r = burst.call(i, "admission", lambda: hm.request(
            "POST", ADMISSIONS, body={"patient": patient,
                                      "assigned_device": device,
                                      "ward": "C", "bed": str(i)},
            headers=hm.bearer(self.staff)))
        self.assertEqual(r.status, 201, r)
        self.admitted[i] = r.json["id"]
        self.reading(i, self.nurse, patient, "%s-a%d" % (self.tag, i),
                     burst)

    def signer(self, i, burst):
        user = self.users[i % SIGNER_USERS]
        r = burst.call(i, "sign-in", lambda: hm.request(
            "POST", hm.TOKEN_PATH, body={"email": user["email"],
                                         "password": user["password"]}))
        if r.status == 429:
            # The service's own throttle (its Retry-After is too long to
            # wait for): documented, and it must not open a session.
            hm.problem(r, 429, "throttled")
            self.throttled.append(i)
            return
        self.assertEqual(r.status, 200, r)
        with burst.lock:
            self.signed[user["email"]] = self.signed.get(user["email"],
                                                         0) + 1
        hm.remember_secret(r.json["access"], r.json["refresh"])
        self.reading(i, r.json["access"], self.patients[i % PATIENTS],
                     "%s-s%d" % (self.tag, i), burst)

    def work(self, i, burst):
        if i < RECORDERS:
            self.recorder(i, burst)
        elif i < RECORDERS + ADMITTERS:
            self.admitter(i, burst)
        else:
            self.signer(i, burst)

    def test_64_clients_write_at_once(self):
        clients = RECORDERS + ADMITTERS + SIGNERS
        workers = hm.worker_pids()
        offset = hm.pool_log_size()
        burst = Burst(time.monotonic() + BURST_DEADLINE)
        barrier = threading.Barrier(clients)
        threads = [threading.Thread(target=burst.run,
                                    args=(i, lambda i: self.work(i, burst),
                                          barrier))
                   for i in range(clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(BURST_DEADLINE + 30)
        took = time.monotonic() - t0
        self.assertFalse([t for t in threads if t.is_alive()],
                         "clients still waiting after %.0f s" % took)
        statuses = sorted(set(a[2] for a in burst.answers))
        counts = {s: sum(1 for a in burst.answers if a[2] == s)
                  for s in statuses}
        self.assertEqual(burst.failures, [], "answers: %r" % counts)
        # Nothing but success and the documented answers; never a 500.
        self.assertLessEqual(set(statuses), {200, 201} | set(RETRIED),
                             counts)

        with clinical.db() as conn:
            # Every reading once, under the note it was sent with.
            rows = conn.execute(
                "SELECT notes, count(*) FROM readings WHERE notes LIKE ? "
                "GROUP BY notes", (self.tag + "-%",)).fetchall()
            self.assertEqual({n for n, _ in rows}, self.notes)
            self.assertEqual([(n, c) for n, c in rows if c != 1], [])
            # Each admission once, open, onto its device.
            for i, (patient, device) in enumerate(self.fresh):
                got = conn.execute(
                    "SELECT id, device_id, is_discharged FROM admissions "
                    "WHERE patient_id = ?", (patient,)).fetchall()
                self.assertEqual(got, [(self.admitted[RECORDERS + i],
                                        device, 0)])
            # One session per sign-in answered 200, none for a 429.
            for user in self.users:
                n = conn.execute(
                    "SELECT count(*) FROM sessions s JOIN users u ON "
                    "u.id = s.user_id WHERE u.email = ?",
                    (user["email"],)).fetchone()[0]
                self.assertEqual(n, self.signed.get(user["email"], 0),
                                 user["email"])
        self.assertEqual(sum(self.signed.values()) + len(self.throttled),
                         SIGNERS)

        # Through every worker of the pool, none of which died.
        self.assertEqual(hm.worker_pids(), workers)
        served = set()
        for line in hm.pool_log_since(offset).splitlines():
            m = re.search(r"\[(\d+)\]: req=\S+ POST /api/heartrates/ 201 ",
                          line)
            if m:
                served.add(int(m.group(1)))
            self.assertNotRegex(line, r" 500 ", line)
        self.assertEqual(served, workers)
        print("\n    64 clients: %.1f s, answers %r, %d sign-ins throttled"
              % (took, counts, len(self.throttled)), end=" ")


class LockHeld(unittest.TestCase):

    BUSY_MS = 1000

    def setUp(self):
        self.stack = sidestack.SideStack(
            self, workers=4, config={"DB_BUSY_TIMEOUT_MS": str(self.BUSY_MS)})
        self.nurse = clinical.token("nurse")
        self.staff = clinical.token("staff")
        self.signer = hm.make_user(self, "nurse")
        self.patient = clinical.admit(self)["patient"]
        self.new_patient = clinical.add_patient()
        self.new_device = clinical.add_device()
        self.key = "e2e-lock-" + uuid.uuid4().hex

    def requests(self):
        """The writes (and the audited read) the lock holds up, by name:
        (method, path, body, headers)."""
        return {
            "reading": ("POST", HEARTRATES,
                        {"patient": self.patient, "bpm": 71,
                         "notes": self.key},
                        dict(hm.bearer(self.nurse),
                             **{"Idempotency-Key": self.key})),
            "admission": ("POST", ADMISSIONS,
                          {"patient": self.new_patient,
                           "assigned_device": self.new_device,
                           "ward": "L", "bed": "1"},
                          hm.bearer(self.staff)),
            "sign-in": ("POST", hm.TOKEN_PATH,
                        {"email": self.signer["email"],
                         "password": self.signer["password"]}, {}),
            "patient read": ("GET", "/api/patients/%s/" % self.patient,
                             None, hm.bearer(self.staff)),
        }

    def send(self, name, req):
        method, path, body, headers = req
        t = time.monotonic()
        r = self.stack.request(method, path, body=body, headers=headers,
                               timeout=15)
        hm.assert_common_headers(r)
        return name, r, time.monotonic() - t

    def state(self):
        """What the held-up requests would have left in the database."""
        with clinical.db() as conn:
            one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa
            return {
                "readings": one("SELECT count(*) FROM readings WHERE "
                                "notes = ?", self.key),
                "keys": one("SELECT count(*) FROM idempotency_keys WHERE "
                            "key = ?", self.key),
                "admissions": one("SELECT count(*) FROM admissions WHERE "
                                  "patient_id = ?", self.new_patient),
                "sessions": one("SELECT count(*) FROM sessions s JOIN "
                                "users u ON u.id = s.user_id WHERE "
                                "u.email = ?", self.signer["email"]),
            }

    def test_past_the_busy_timeout_503_then_success(self):
        busy = self.BUSY_MS / 1000.0
        workers = self.stack.worker_pids()
        side = sqlite3.connect(hm.database_path(), timeout=10,
                               isolation_level=None)
        self.addCleanup(side.close)
        side.execute("BEGIN IMMEDIATE")
        try:
            # Reads that record nothing go on (WAL), well within the
            # busy timeout.
            for path, token in (("/api/health/", None),
                                (hm.PROFILE_PATH, self.nurse),
                                ("/api/devices/?page_size=5", self.staff)):
                _, r, took = self.send(path, ("GET", path, None,
                                              hm.bearer(token) if token
                                              else {}))
                self.assertEqual(r.status, 200, r)
                self.assertLess(took, busy / 2, path)
            # Every write waits out the busy timeout, then 503.
            results = []
            threads = [threading.Thread(
                target=lambda n, q: results.append(self.send(n, q)),
                args=item) for item in self.requests().items()]
            for t in threads:
                t.start()
            for t in threads:
                t.join(20)
            self.assertEqual(len(results), len(threads), results)
            for name, r, took in results:
                with self.subTest(request=name):
                    hm.problem(r, 503, "unavailable")
                    self.assertRegex(r.headers.get("Retry-After", ""),
                                     r"^[1-9][0-9]*$", r)
                    self.assertGreaterEqual(took, busy * 0.9)
                    self.assertLess(took, busy * 4)
            # Nothing of them is in the database (read beside the lock).
            self.assertEqual(self.state(), {"readings": 0, "keys": 0,
                                            "admissions": 0,
                                            "sessions": 0})
        finally:
            side.execute("ROLLBACK")
        # No worker kept a transaction open: the lock is free (within a
        # moment: the stack's mail worker may be writing).
        probe = sqlite3.connect(hm.database_path(), timeout=busy,
                                isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        finally:
            probe.close()

        # The same requests succeed now.
        answers = {name: self.send(name, req)[1]
                   for name, req in self.requests().items()}
        first = answers["reading"]
        self.assertEqual(first.status, 201, first)
        self.assertIsNone(first.headers.get("Idempotent-Replayed"), first)
        self.assertEqual(answers["admission"].status, 201,
                         answers["admission"])
        self.assertEqual(answers["sign-in"].status, 200, answers["sign-in"])
        hm.remember_secret(answers["sign-in"].json.get("access"),
                           answers["sign-in"].json.get("refresh"))
        self.assertEqual(answers["patient read"].status, 200,
                         answers["patient read"])
        # The key now replays the stored answer, never a second reading.
        _, again, _ = self.send("reading", self.requests()["reading"])
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(again.json["id"], first.json["id"])
        self.assertEqual(self.state(), {"readings": 1, "keys": 1,
                                        "admissions": 1, "sessions": 1})
        # No worker died of it.
        self.assertEqual(self.stack.worker_pids(), workers)
        self.assertIn("database busy", self.stack.log())


if __name__ == "__main__":
    unittest.main()

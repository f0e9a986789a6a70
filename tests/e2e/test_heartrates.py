"""Heart-rate readings through nginx (SPEC 3, 5, 7.17 to 7.20, 7.25):
the role matrix rows, recording one reading and batches (all or
none), the status the server computes, idempotent retries (and retries
racing each other), cursor pages that together return every reading
once, newest first, the filters, and hostile parameters."""

import datetime
import threading
import unittest
import urllib.parse
import uuid

import hm
from clinical import add_patient, admit, call, scalar, user_id

HEARTRATES = "/api/heartrates/"
ROLES = ("admin", "staff", "doctor", "nurse")
CLINICAL = ("doctor", "nurse")
FIELDS = {"id", "patient", "admission", "bpm", "status", "notes",
          "handled_by", "measured_at", "recorded_at"}


def patient_path(pid):
    return "/api/patients/%s/heartrates/" % pid


def stored(patient):
    return scalar("SELECT count(*) FROM readings WHERE patient_id = ?",
                  patient)


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (
        dt.microsecond // 1000)


def admitted(testcase):
    """A new patient admitted onto a new device: (patient, admission)."""
    a = admit(testcase)
    return a["patient"], a["id"]


def record(testcase, patient, bpm=72, role="nurse", want=201, **extra):
    body = {"patient": patient, "bpm": bpm}
    body.update(extra)
    r = call(role, "POST", HEARTRATES, body)
    testcase.assertEqual(r.status, want, r)
    return r.json


def path_of(url):
    """The path and query of an absolute link of the API."""
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def walk(testcase, path, key):
    """Follows the "key" links from "path"; returns the pages."""
    pages = []
    while path is not None:
        r = call("doctor", "GET", path)
        testcase.assertEqual(r.status, 200, r)
        testcase.assertEqual(set(r.json), {"next", "previous", "results"})
        pages.append(r.json)
        testcase.assertLess(len(pages), 1000, "the links never end")
        nxt = r.json[key]
        path = path_of(nxt) if nxt is not None else None
    return pages


class RoleMatrix(unittest.TestCase):
    """SPEC section 3: heart rates list, read and record for doctors and
    nurses; admin and staff 403; anonymous 401; also for a patient's
    readings (7.20)."""

    def want(self, role, ok):
        if role is None:
            return 401
        return ok if role in CLINICAL else 403

    def test_every_role_and_action(self):
        patient, _ = admitted(self)
        one = record(self, patient)
        for role in ROLES + (None,):
            for action, method, path, body, ok in (
                    ("list", "GET", HEARTRATES, None, 200),
                    ("read", "GET", HEARTRATES + one["id"] + "/", None, 200),
                    ("patient", "GET", patient_path(patient), None, 200),
                    ("record", "POST", HEARTRATES,
                     {"patient": patient, "bpm": 80}, 201)):
                with self.subTest(role=role, action=action):
                    before = stored(patient)
                    r = call(role, method, path, body)
                    want = self.want(role, ok)
                    self.assertEqual(r.status, want, r)
                    if want == 401:
                        hm.problem(r, 401, "not_authenticated")
                    elif want == 403:
                        hm.problem(r, 403, "permission_denied")
                    grew = 1 if (method == "POST" and want == 201) else 0
                    self.assertEqual(stored(patient), before + grew)


class Record(unittest.TestCase):

    def test_one_reading(self):
        patient, admission = admitted(self)
        r = call("nurse", "POST", HEARTRATES, {
            "patient": patient, "bpm": 72, "notes": "at rest",
            "status": "high", "handled_by": str(uuid.uuid4()),
            "id": str(uuid.uuid4()), "recorded_at": "2000-01-01T00:00:00Z",
            "admission": admission})
        self.assertEqual(r.status, 201, r)
        j = r.json
        self.assertEqual(set(j), FIELDS)
        self.assertEqual(r.headers["Location"],
                         HEARTRATES + j["id"] + "/")
        self.assertEqual((j["patient"], j["admission"], j["bpm"],
                          j["status"], j["notes"], j["handled_by"]),
                         (patient, admission, 72, "normal", "at rest",
                          user_id("nurse")))
        self.assertNotEqual(j["recorded_at"], "2000-01-01T00:00:00.000Z")
        again = call("doctor", "GET", HEARTRATES + j["id"] + "/")
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json, j)

    def test_status_from_thresholds(self):
        patient, _ = admitted(self)
        for bpm, status in ((20, "low"), (59, "low"), (60, "normal"),
                            (100, "normal"), (101, "high"), (300, "high")):
            with self.subTest(bpm=bpm):
                j = record(self, patient, bpm=bpm, status="normal")
                self.assertEqual(j["status"], status)

    def test_measured_at(self):
        a = admit(self)
        patient = a["patient"]
        start = datetime.datetime.strptime(a["admission_date"],
                                           "%Y-%m-%dT%H:%M:%S.%f%z")
        j = record(self, patient, measured_at=rfc3339(start))
        self.assertEqual(j["measured_at"], a["admission_date"])
        # An offset is turned into UTC; 50 s ahead is clock skew.
        later = start + datetime.timedelta(seconds=50)
        local = later.astimezone(datetime.timezone(
            datetime.timedelta(hours=2)))
        j = record(self, patient, measured_at=local.isoformat())
        self.assertEqual(j["measured_at"], rfc3339(later))
        for bad in (rfc3339(start + datetime.timedelta(seconds=90)),
                    rfc3339(start - datetime.timedelta(milliseconds=1)),
                    "2001-01-01T00:00:00Z", "yesterday", 17,
                    "2026-02-30T00:00:00Z"):
            with self.subTest(measured_at=bad):
                r = call("nurse", "POST", HEARTRATES, {
                    "patient": patient, "bpm": 70, "measured_at": bad})
                self.assertIn("measured_at", hm.problem(r, 400)["errors"])
        self.assertEqual(stored(patient), 2)

    def test_bad_input_names_the_field_and_stores_nothing(self):
        patient, _ = admitted(self)
        cases = [
            ({"patient": patient}, "bpm"),
            ({"patient": patient, "bpm": "72"}, "bpm"),
            ({"patient": patient, "bpm": True}, "bpm"),
            ({"patient": patient, "bpm": None}, "bpm"),
            ({"patient": patient, "bpm": 72.5}, "bpm"),
            ({"patient": patient, "bpm": 19}, "bpm"),
            ({"patient": patient, "bpm": 301}, "bpm"),
            ({"patient": patient, "bpm": 1e308}, "bpm"),
            ({"patient": patient, "bpm": [72]}, "bpm"),
            ({"bpm": 72}, "patient"),
            ({"patient": "'; DROP TABLE readings; --", "bpm": 72},
             "patient"),
            ({"patient": str(uuid.uuid4()), "bpm": 72}, "patient"),
            ({"patient": add_patient(), "bpm": 72}, "patient"),
            ({"patient": patient, "bpm": 72,
              "admission": str(uuid.uuid4())}, "admission"),
            ({"patient": patient, "bpm": 72, "notes": "x" * 1001},
             "notes"),
            ({"patient": patient, "bpm": 72, "notes": "a\u0000b"},
             "notes"),
            ({"patient": patient, "bpm": 72, "notes": 5}, "notes"),
        ]
        for body, field in cases:
            with self.subTest(body=str(body)[:60]):
                r = call("doctor", "POST", HEARTRATES, body)
                j = hm.problem(r, 400, "invalid")
                self.assertIn(field, j["errors"], j)
        for raw in (b"42", b'"x"', b"null", b"[1e999]", b"NaN",
                    b'{"patient": 1, "bpm": Infinity}'):
            with self.subTest(raw=raw):
                r = call("doctor", "POST", HEARTRATES, raw_body=raw,
                         headers={"Content-Type": "application/json"})
                hm.problem(r, 400, "invalid")
        self.assertEqual(stored(patient), 0)

    def test_discharged_patient(self):
        a = admit(self)
        r = call("staff", "POST", "/api/admissions/%s/discharge/" % a["id"])
        self.assertEqual(r.status, 200, r)
        r = call("nurse", "POST", HEARTRATES,
                 {"patient": a["patient"], "bpm": 70})
        self.assertIn("patient", hm.problem(r, 400, "invalid")["errors"])
        self.assertEqual(stored(a["patient"]), 0)


class Batch(unittest.TestCase):
    """SPEC 7.18: an array of up to 1000 readings in one transaction."""

    def test_thousand_in_request_order(self):
        patient, admission = admitted(self)
        body = [{"patient": patient, "bpm": 20 + i % 281}
                for i in range(1000)]
        r = call("nurse", "POST", HEARTRATES, body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual([x["bpm"] for x in r.json],
                         [b["bpm"] for b in body])
        self.assertTrue(all(x["admission"] == admission for x in r.json))
        self.assertEqual(len({x["id"] for x in r.json}), 1000)
        self.assertEqual(stored(patient), 1000)

    def test_all_or_none(self):
        p1, _ = admitted(self)
        p2, _ = admitted(self)
        body = [{"patient": p1, "bpm": 70}, {"patient": p2, "bpm": 71},
                {"patient": p1, "bpm": "fast"}, {"patient": p2, "bpm": 72},
                "not an object", {"patient": str(uuid.uuid4()), "bpm": 70}]
        r = call("nurse", "POST", HEARTRATES, body)
        errors = hm.problem(r, 400, "invalid")["errors"]
        self.assertIn("2.bpm", errors)
        self.assertIn("4.non_field_errors", errors)
        self.assertNotIn("0.bpm", errors)
        self.assertEqual(stored(p1) + stored(p2), 0)
        # Only a database check fails: still nothing stored.
        body = [{"patient": p1, "bpm": 70},
                {"patient": str(uuid.uuid4()), "bpm": 70}]
        r = call("nurse", "POST", HEARTRATES, body)
        self.assertIn("1.patient", hm.problem(r, 400)["errors"])
        self.assertEqual(stored(p1), 0)

    def test_sizes(self):
        patient, _ = admitted(self)
        for body in ([], [{"patient": patient, "bpm": 70}] * 1001):
            with self.subTest(n=len(body)):
                r = call("nurse", "POST", HEARTRATES, body)
                self.assertIn("non_field_errors",
                              hm.problem(r, 400, "invalid")["errors"])
        self.assertEqual(stored(patient), 0)


class Idempotency(unittest.TestCase):
    """SPEC 7.19."""

    def post(self, body, key, role="nurse"):
        return call(role, "POST", HEARTRATES, body,
                    headers={"Idempotency-Key": key})

    def test_retry_replays_the_first_answer(self):
        patient, _ = admitted(self)
        key = "retry-" + uuid.uuid4().hex
        body = {"patient": patient, "bpm": 77}
        first = self.post(body, key)
        self.assertEqual(first.status, 201, first)
        again = self.post(body, key)
        self.assertEqual(again.status, 201, again)
        self.assertEqual(again.json, first.json)
        self.assertEqual(again.headers["Location"], first.headers["Location"])
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(stored(patient), 1)
        # Another user's key is another key.
        other = self.post(body, key, role="doctor")
        self.assertEqual(other.status, 201, other)
        self.assertNotEqual(other.json["id"], first.json["id"])
        self.assertEqual(stored(patient), 2)

    def test_reuse_with_another_body(self):
        patient, _ = admitted(self)
        key = "reuse-" + uuid.uuid4().hex
        self.assertEqual(self.post({"patient": patient, "bpm": 70},
                                   key).status, 201)
        r = self.post({"patient": patient, "bpm": 71}, key)
        hm.problem(r, 422, "idempotency_mismatch")
        self.assertEqual(stored(patient), 1)

    def test_a_400_is_replayed(self):
        patient, _ = admitted(self)
        key = "bad-" + uuid.uuid4().hex
        first = self.post({"patient": patient, "bpm": 9}, key)
        hm.problem(first, 400, "invalid")
        again = self.post({"patient": patient, "bpm": 9}, key)
        self.assertEqual(again.status, 400)
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(stored(patient), 0)

    def test_malformed_keys(self):
        patient, _ = admitted(self)
        for key in ("x" * 256, "caf\u00e9".encode().decode("latin-1")):
            with self.subTest(key=key[:20]):
                r = self.post({"patient": patient, "bpm": 70}, key)
                self.assertIn("Idempotency-Key",
                              hm.problem(r, 400, "invalid")["errors"])
        self.assertEqual(stored(patient), 0)

    def test_racing_retries_store_one_reading(self):
        patient, _ = admitted(self)
        key = "race-" + uuid.uuid4().hex
        body = {"patient": patient, "bpm": 88}
        answers = []
        lock = threading.Lock()
        start = threading.Barrier(12)

        def one():
            start.wait()
            r = self.post(body, key)
            with lock:
                answers.append(r)

        threads = [threading.Thread(target=one) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(len(answers), 12)
        ids = set()
        for r in answers:
            self.assertIn(r.status, (201, 409), r)
            if r.status == 201:
                ids.add(r.json["id"])
        self.assertEqual(len(ids), 1, ids)
        self.assertEqual(stored(patient), 1)


class Pages(unittest.TestCase):
    """Cursor pages (SPEC 2, 7.11, 7.25): newest first, every reading
    once, next and previous, ties broken the same way every time."""

    @classmethod
    def setUpClass(cls):
        tc = unittest.TestCase()
        a = admit(tc)
        cls.patient = a["patient"]
        base = datetime.datetime.strptime(
            a["admission_date"], "%Y-%m-%dT%H:%M:%S.%f%z")
        # 130 readings from the admission on, some sharing a measured_at.
        cls.body = [{"patient": cls.patient, "bpm": 40 + i % 200,
                     "measured_at": rfc3339(base + datetime.timedelta(
                         milliseconds=10 * (i // 3)))}
                    for i in range(130)]
        r = call("nurse", "POST", HEARTRATES, cls.body)
        tc.assertEqual(r.status, 201, r)
        # Newest first; equal times: the later committed first.
        cls.order = [x["id"] for _, x in sorted(
            enumerate(r.json), key=lambda p: (p[1]["measured_at"], p[0]),
            reverse=True)]

    def test_next_then_previous(self):
        pages = walk(self, patient_path(self.patient) + "?page_size=17",
                     "next")
        self.assertIsNone(pages[0]["previous"])
        self.assertIsNone(pages[-1]["next"])
        seen = [x["id"] for p in pages for x in p["results"]]
        self.assertEqual(seen, self.order)
        self.assertEqual([len(p["results"]) for p in pages],
                         [17] * 7 + [11])
        back = walk(self, path_of(pages[-1]["previous"]), "previous")
        self.assertEqual([[x["id"] for x in p["results"]] for p in back],
                         [[x["id"] for x in p["results"]]
                          for p in reversed(pages[:-1])])

    def test_filters_and_page_size(self):
        path = HEARTRATES + "?patient=%s&page_size=%d"
        r = call("doctor", "GET", path % (self.patient, 5000))
        self.assertEqual(len(r.json["results"]), 130)
        r = call("doctor", "GET", HEARTRATES + "?patient=" + self.patient)
        self.assertEqual(len(r.json["results"]), 50)
        for status in ("low", "normal", "high"):
            r = call("doctor", "GET", path % (self.patient, 1000) +
                     "&status=" + status)
            self.assertEqual(r.status, 200, r)
            want = sum(1 for b in self.body if
                       (b["bpm"] < 60 and status == "low") or
                       (b["bpm"] > 100 and status == "high") or
                       (60 <= b["bpm"] <= 100 and status == "normal"))
            self.assertEqual(len(r.json["results"]), want, status)
        times = sorted({b["measured_at"] for b in self.body})
        since, until = times[10], times[20]
        r = call("doctor", "GET", path % (self.patient, 1000) +
                 "&since=%s&until=%s" % (since, until))
        got = [x["measured_at"] for x in r.json["results"]]
        self.assertEqual(len(got), sum(1 for b in self.body
                                       if since <= b["measured_at"] <= until))
        self.assertEqual(max(got), until)
        self.assertEqual(min(got), since)

    def test_bad_parameters(self):
        for query, field in (("page_size=0", "page_size"),
                             ("page_size=-3", "page_size"),
                             ("status=fine", "status"),
                             ("patient=1%27%20OR%201=1", "patient"),
                             ("admission=x", "admission"),
                             ("handled_by=%00", None),
                             ("since=yesterday", "since"),
                             ("until=2026-13-01T00:00:00Z", "until")):
            with self.subTest(query=query):
                r = call("doctor", "GET", HEARTRATES + "?" + query)
                j = hm.problem(r, 400, "invalid")
                if field is not None:
                    self.assertIn(field, j["errors"], j)
        for cursor in ("x", "bm90IGEgY3Vyc29y", "%27%3B--",
                       hm.b64url_encode(b"n2026-11-26T00:00:00.000Z01"),
                       hm.b64url_encode(b"q2026-11-26T00:00:00.000Z1")):
            with self.subTest(cursor=cursor):
                r = call("doctor", "GET", HEARTRATES + "?cursor=" + cursor)
                hm.problem(r, 404, "not_found")
        r = call("doctor", "GET", HEARTRATES +
                 "?search=%25%27%20OR%201%3D1--&patient=" + self.patient)
        self.assertEqual((r.status, r.json["results"]), (200, []))

    def test_patient_path(self):
        r = call("nurse", "GET", patient_path(str(uuid.uuid4())))
        hm.problem(r, 404, "not_found")
        r = call("nurse", "GET", patient_path("nope"))
        hm.problem(r, 404, "not_found")
        r = call("nurse", "GET", patient_path(self.patient) +
                 "?patient=" + str(uuid.uuid4()))
        self.assertEqual((r.status, r.json["results"]), (200, []))


if __name__ == "__main__":
    unittest.main()

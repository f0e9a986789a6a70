"""Admissions through nginx (SPEC 3, 5, 7.16, 7.28): the role matrix
rows (each role x list, read, admit, change device, discharge), the
answers' shape, the refusals, and the races: many clients admitting
onto one device, or one patient onto many devices, at the same moment
- exactly one wins and the database holds one open admission.

Patients and devices are written straight into the stack's SQLite file
(WAL: safe while the workers run), so that these tests need nothing but
the admissions API."""

import threading
import unittest
import uuid

import hm
from clinical import (ADMISSIONS, add_device, add_patient, admit, call,
                      now, open_of, scalar, token, user, user_id)

ROLES = ("admin", "staff", "doctor", "nurse")
WRITERS = ("admin", "staff")
RACERS = 16

DETAIL_FIELDS = {"id", "patient", "assigned_device", "admitted_by",
                 "admission_date", "discharge_date", "is_discharged",
                 "ward", "bed", "patient_detail", "device_detail",
                 "admitted_by_detail"}


def detail(aid):
    return ADMISSIONS + aid + "/"


def assert_names(testcase, r, *fields):
    """A 400 problem whose errors name each of "fields"."""
    j = hm.problem(r, 400, "invalid")
    for f in fields:
        testcase.assertIn(f, j.get("errors", {}), j)
    return j


# ----------------------------------------------------------- role matrix

class RoleMatrix(unittest.TestCase):
    """SPEC section 3: admissions list and read for every role; admit,
    change device and discharge for admin and staff (doctor and nurse
    403); anonymous 401 everywhere."""

    def want(self, role, write, ok):
        if role is None:
            return 401
        if write and role not in WRITERS:
            return 403
        return ok

    def test_list_and_read(self):
        a = admit(self)
        for role in ROLES + (None,):
            with self.subTest(role=role, action="list"):
                r = call(role, "GET", ADMISSIONS)
                self.assertEqual(r.status, self.want(role, False, 200), r)
                if role is None:
                    hm.problem(r, 401, "not_authenticated")
            with self.subTest(role=role, action="read"):
                r = call(role, "GET", detail(a["id"]))
                self.assertEqual(r.status, self.want(role, False, 200), r)
                if r.status == 200:
                    self.assertEqual(r.json["id"], a["id"])

    def test_admit(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                p, d = add_patient(), add_device()
                r = call(role, "POST", ADMISSIONS,
                         {"patient": p, "assigned_device": d})
                want = self.want(role, True, 201)
                self.assertEqual(r.status, want, r)
                self.assertEqual(open_of("patient_id", p),
                                 1 if want == 201 else 0)
                if want == 403:
                    hm.problem(r, 403, "permission_denied")
                elif want == 201:
                    self.assertEqual(r.json["admitted_by"], user_id(role))

    def test_change_device(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                a = admit(self)
                d = add_device()
                r = call(role, "PATCH", detail(a["id"]),
                         {"assigned_device": d})
                want = self.want(role, True, 200)
                self.assertEqual(r.status, want, r)
                self.assertEqual(open_of("device_id", d),
                                 1 if want == 200 else 0)

    def test_discharge(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                a = admit(self)
                r = call(role, "POST", detail(a["id"]) + "discharge/")
                want = self.want(role, True, 200)
                self.assertEqual(r.status, want, r)
                self.assertEqual(open_of("patient_id", a["patient"]),
                                 0 if want == 200 else 1)

    def test_cookie_session_needs_csrf(self):
        token("staff")
        s = hm.signed_in(self, user("staff"))
        p, d = add_patient(), add_device()
        r = s.post(ADMISSIONS, {"patient": p, "assigned_device": d},
                   csrf=False)
        hm.problem(r, 403, "csrf_failed")
        self.assertEqual(open_of("patient_id", p), 0)
        r = s.post(ADMISSIONS, {"patient": p, "assigned_device": d})
        self.assertEqual(r.status, 201, r)
        r = s.post(detail(r.json["id"]) + "discharge/")
        self.assertEqual(r.status, 200, r)


# ------------------------------------------------------------ behaviour

class Admit(unittest.TestCase):

    def test_answer_shape_and_location(self):
        p = add_patient("Ada", "Lovelace" + hm.tag())
        d = add_device()
        r = call("staff", "POST", ADMISSIONS, {
            "patient": p, "assigned_device": d, "ward": "Cardio",
            "bed": "12", "admitted_by": user_id("nurse"),
            "is_discharged": True, "id": str(uuid.uuid4())})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.content_type, "application/json")
        j = r.json
        self.assertEqual(set(j), DETAIL_FIELDS, j)
        self.assertEqual(r.headers.get("Location"), detail(j["id"]))
        self.assertEqual(j["patient"], p)
        self.assertEqual(j["assigned_device"], d)
        self.assertEqual(j["admitted_by"], user_id("staff"))
        self.assertIs(j["is_discharged"], False)
        self.assertIsNone(j["discharge_date"])
        self.assertRegex(j["admission_date"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(j["patient_detail"]["id"], p)
        self.assertEqual(j["patient_detail"]["first_name"], "Ada")
        self.assertEqual(j["patient_detail"]["date_of_birth"], "1970-01-02")
        self.assertEqual(set(j["patient_detail"]),
                         {"id", "first_name", "last_name", "date_of_birth"})
        self.assertEqual(set(j["device_detail"]),
                         {"id", "serial_number", "model_name"})
        self.assertEqual(j["device_detail"]["model_name"], "HM-1")
        self.assertEqual(set(j["admitted_by_detail"]),
                         {"id", "first_name", "last_name", "user_role"})
        self.assertEqual(j["admitted_by_detail"]["user_role"], "staff")
        # The detail answers the same object.
        r = call("nurse", "GET", detail(j["id"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, j)

    def test_device_refusals(self):
        p = add_patient()
        for status in ("maintenance", "retired"):
            with self.subTest(status=status):
                r = call("staff", "POST", ADMISSIONS, {
                    "patient": p, "assigned_device": add_device(status)})
                assert_names(self, r, "assigned_device")
        r = call("staff", "POST", ADMISSIONS, {
            "patient": p, "assigned_device": str(uuid.uuid4())})
        assert_names(self, r, "assigned_device")
        busy = admit(self)["assigned_device"]
        r = call("staff", "POST", ADMISSIONS,
                 {"patient": p, "assigned_device": busy})
        j = assert_names(self, r, "assigned_device")
        self.assertNotIn("patient", j["errors"])
        self.assertEqual(open_of("patient_id", p), 0)

    def test_patient_refusals(self):
        a = admit(self)
        d = add_device()
        r = call("admin", "POST", ADMISSIONS,
                 {"patient": a["patient"], "assigned_device": d})
        j = assert_names(self, r, "patient")
        self.assertNotIn("assigned_device", j["errors"])
        for bad in (str(uuid.uuid4()), "nope", 7, None, "",
                    "' OR 1=1 --", a["patient"].upper()):
            with self.subTest(patient=bad):
                r = call("staff", "POST", ADMISSIONS,
                         {"patient": bad, "assigned_device": d})
                assert_names(self, r, "patient")
        self.assertEqual(open_of("device_id", d), 0)

    def test_bad_bodies(self):
        p, d = add_patient(), add_device()
        for body, field in (({"patient": p}, "assigned_device"),
                            ({"patient": p, "assigned_device": d,
                              "ward": "w" * 101}, "ward"),
                            ({"patient": p, "assigned_device": d,
                              "bed": 3}, "bed"),
                            ({"patient": p, "assigned_device": d,
                              "ward": "a\r\nb"}, "ward"),
                            ([p, d], "non_field_errors")):
            with self.subTest(body=body):
                assert_names(self, call("staff", "POST", ADMISSIONS, body),
                             field)
        r = call("staff", "POST", ADMISSIONS,
                 raw_body='{"patient": "%s", "patient": "%s", '
                          '"assigned_device": "%s"}' % (p, p, d),
                 headers={"Content-Type": "application/json"})
        hm.problem(r, 400, "invalid")
        r = call("staff", "POST", ADMISSIONS, raw_body="patient=" + p,
                 headers={"Content-Type": "application/x-www-form-"
                                          "urlencoded"})
        hm.problem(r, 415)
        self.assertEqual(open_of("patient_id", p), 0)

    def test_malformed_path_ids_are_404(self):
        for aid in ("nope", "1", str(uuid.uuid4()),
                    str(uuid.uuid4()).upper(), "%27%20OR%201%3D1"):
            with self.subTest(id=aid):
                hm.problem(call("doctor", "GET", detail(aid)), 404,
                           "not_found")
                hm.problem(call("staff", "PATCH", detail(aid), {}), 404)
                hm.problem(call("staff", "POST",
                                detail(aid) + "discharge/"), 404)


class Change(unittest.TestCase):

    def test_move_frees_the_old_device(self):
        a = admit(self, ward="A", bed="1")
        old, new = a["assigned_device"], add_device()
        r = call("staff", "PATCH", detail(a["id"]), {
            "assigned_device": new, "bed": "2", "patient": add_patient(),
            "is_discharged": True, "discharge_date": now()})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["assigned_device"], new)
        self.assertEqual(r.json["bed"], "2")
        self.assertEqual(r.json["ward"], "A")
        self.assertEqual(r.json["patient"], a["patient"])
        self.assertIs(r.json["is_discharged"], False)
        self.assertIsNone(r.json["discharge_date"])
        self.assertEqual(open_of("device_id", old), 0)
        admit(self, device=old)

    def test_move_refusals(self):
        a = admit(self)
        for d in (admit(self)["assigned_device"], add_device("retired"),
                  add_device("maintenance"), str(uuid.uuid4()), "x", None):
            with self.subTest(device=d):
                r = call("admin", "PATCH", detail(a["id"]),
                         {"assigned_device": d, "ward": "Z"})
                assert_names(self, r, "assigned_device")
        self.assertEqual(scalar("SELECT device_id FROM admissions WHERE "
                                "id = ?", a["id"]), a["assigned_device"])
        self.assertIsNone(scalar("SELECT ward FROM admissions WHERE id = ?",
                                 a["id"]))

    def test_closed_admission(self):
        a = admit(self)
        r = call("staff", "POST", detail(a["id"]) + "discharge/")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["is_discharged"], True)
        self.assertRegex(r.json["discharge_date"], r"Z$")
        self.assertGreaterEqual(r.json["discharge_date"],
                                r.json["admission_date"])
        self.assertEqual(open_of("device_id", a["assigned_device"]), 0)
        hm.problem(call("staff", "POST", detail(a["id"]) + "discharge/"),
                   409, "conflict")
        for body in ({}, {"ward": "B"}, {"assigned_device": add_device()},
                     {"is_discharged": False}):
            with self.subTest(body=body):
                hm.problem(call("admin", "PATCH", detail(a["id"]), body),
                           409, "conflict")
        self.assertEqual(scalar("SELECT is_discharged FROM admissions "
                                "WHERE id = ?", a["id"]), 1)
        # The patient and the device are free for a new admission.
        admit(self, patient=a["patient"], device=a["assigned_device"])


class List(unittest.TestCase):

    def test_filters_ordering_and_pages(self):
        p = add_patient()
        first = admit(self, patient=p, ward="W-" + hm.tag())
        call("staff", "POST", detail(first["id"]) + "discharge/")
        second = admit(self, patient=p, ward=first["ward"])
        q = ADMISSIONS + "?patient=" + p
        r = call("nurse", "GET", q)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json), {"count", "next", "previous",
                                       "results"})
        self.assertEqual(r.json["count"], 2)
        self.assertEqual([x["id"] for x in r.json["results"]],
                         [second["id"], first["id"]])
        self.assertEqual(set(r.json["results"][0]), DETAIL_FIELDS)
        r = call("nurse", "GET", q + "&ordering=admission_date")
        self.assertEqual([x["id"] for x in r.json["results"]],
                         [first["id"], second["id"]])
        r = call("doctor", "GET", q + "&is_discharged=true")
        self.assertEqual([x["id"] for x in r.json["results"]],
                         [first["id"]])
        r = call("doctor", "GET", ADMISSIONS + "?ward=" + first["ward"] +
                 "&is_discharged=false")
        self.assertEqual([x["id"] for x in r.json["results"]],
                         [second["id"]])
        r = call("doctor", "GET", ADMISSIONS + "?assigned_device=" +
                 second["assigned_device"])
        self.assertEqual([x["id"] for x in r.json["results"]],
                         [second["id"]])
        r = call("doctor", "GET", q + "&page_size=1")
        self.assertEqual(r.json["count"], 2)
        self.assertEqual(len(r.json["results"]), 1)
        self.assertIsNotNone(r.json["next"])
        self.assertIn("page=2", r.json["next"])
        r = call("doctor", "GET", q + "&page_size=1&page=2")
        self.assertEqual([x["id"] for x in r.json["results"]],
                         [first["id"]])
        hm.problem(call("doctor", "GET", q + "&page_size=1&page=3"), 404)

    def test_bad_filters_are_400(self):
        for query, field in (("patient=nope", "patient"),
                             ("assigned_device=1%27%20OR%20%271",
                              "assigned_device"),
                             ("is_discharged=maybe", "is_discharged"),
                             ("ordering=ward", "ordering"),
                             ("ordering=-id", "ordering")):
            with self.subTest(query=query):
                assert_names(self, call("nurse", "GET",
                                        ADMISSIONS + "?" + query), field)

    def test_hostile_ward_matches_nothing(self):
        before = scalar("SELECT count(*) FROM admissions")
        r = call("nurse", "GET", ADMISSIONS +
                 "?ward=%27%20OR%20%271%27%3D%271&page_size=100")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["count"], 0)
        self.assertEqual(scalar("SELECT count(*) FROM admissions"), before)


# ----------------------------------------------------------------- races

def race(requests):
    """Sends each (method, path, body) of "requests" as staff from its
    own thread and connection (opened beforehand), all released at the
    same moment; returns the answers (or exceptions) in order."""
    n = len(requests)
    barrier = threading.Barrier(n)
    answers = [None] * n
    auth = hm.bearer(token("staff"))

    def one(i):
        c = hm.Client()
        try:
            c.request("GET", "/api/health/")     # TLS set up in advance
            method, path, body = requests[i]
            barrier.wait(20)
            answers[i] = c.request(method, path, body=body, headers=auth)
        except Exception as e:      # reported by the test
            answers[i] = e
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


class Races(unittest.TestCase):
    """SPEC section 5: enforced by the database, so two workers racing
    cannot both win; the loser is answered 400 naming the reason."""

    def one_winner(self, answers, win, lose, field):
        bad = [a for a in answers if not isinstance(a, hm.Resp)]
        self.assertEqual(bad, [], answers)
        won = [a for a in answers if a.status == win]
        self.assertEqual(len(won), 1, [a.status for a in answers])
        for a in answers:
            if a.status != win:
                self.assertEqual(a.status, lose, a)
                if field is not None:
                    assert_names(self, a, field)
        return won[0]

    def test_many_patients_one_device(self):
        d = add_device()
        patients = [add_patient() for _ in range(RACERS)]
        answers = race([("POST", ADMISSIONS,
                         {"patient": p, "assigned_device": d})
                        for p in patients])
        won = self.one_winner(answers, 201, 400, "assigned_device")
        self.assertEqual(open_of("device_id", d), 1)
        self.assertEqual(scalar("SELECT count(*) FROM admissions WHERE "
                                "device_id = ?", d), 1)
        self.assertEqual(scalar("SELECT patient_id FROM admissions WHERE "
                                "device_id = ?", d), won.json["patient"])

    def test_one_patient_many_devices(self):
        p = add_patient()
        devices = [add_device() for _ in range(RACERS)]
        answers = race([("POST", ADMISSIONS,
                         {"patient": p, "assigned_device": d})
                        for d in devices])
        won = self.one_winner(answers, 201, 400, "patient")
        self.assertEqual(open_of("patient_id", p), 1)
        self.assertEqual(scalar("SELECT count(*) FROM admissions WHERE "
                                "patient_id = ?", p), 1)
        self.assertEqual(scalar("SELECT device_id FROM admissions WHERE "
                                "patient_id = ?", p),
                         won.json["assigned_device"])

    def test_many_moves_onto_one_device(self):
        d = add_device()
        admissions = [admit(self) for _ in range(RACERS)]
        answers = race([("PATCH", detail(a["id"]), {"assigned_device": d})
                        for a in admissions])
        self.one_winner(answers, 200, 400, "assigned_device")
        self.assertEqual(open_of("device_id", d), 1)

    def test_discharge_twice_at_once(self):
        a = admit(self)
        answers = race([("POST", detail(a["id"]) + "discharge/", None)] *
                       RACERS)
        self.one_winner(answers, 200, 409, None)
        self.assertEqual(open_of("patient_id", a["patient"]), 0)


if __name__ == "__main__":
    unittest.main()

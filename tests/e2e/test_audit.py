"""The audit trail through nginx (SPEC 5 "Audit trail", 7.23): each
audited action leaves exactly the expected rows, in the transaction of
the change; refused attempts on a patient are recorded too; a nurse's
reads show up for the admin; only admins read the trail, nobody
changes it; no row holds a password, a token or a patient's name."""

import sqlite3
import unittest
import urllib.parse
import uuid

import hm
from clinical import add_device, add_patient, call, db, token, user_id

AUDIT = "/api/audit/"
FIELDS = {"id", "time", "user", "role", "action", "object_type",
          "object_id", "patient", "outcome", "client_address",
          "request_id"}


def rows_of(r):
    """The audit rows of the request answered by "r" (its request id),
    as (action, object_type, object_id, patient, outcome, user, role)."""
    rid = r.headers["X-Request-Id"]
    with db() as conn:
        return conn.execute(
            "SELECT action, object_type, object_id, patient_id, outcome,"
            " user_id, role FROM audit WHERE request_id = ? ORDER BY id",
            (rid,)).fetchall()


def path_of(url):
    u = urllib.parse.urlsplit(url)
    return u.path + "?" + u.query


def patient_body(last):
    return {"first_name": "Audit", "last_name": last,
            "date_of_birth": "1950-05-05",
            "phone_number": "+4930%09d" % (uuid.uuid4().int % 10 ** 9)}


class Trail(unittest.TestCase):

    def expect(self, r, status, *rows):
        self.assertEqual(r.status, status, r)
        self.assertEqual(rows_of(r), list(rows))

    def test_patient_lifecycle(self):
        staff, nurse = user_id("staff"), user_id("nurse")
        last = "Secret" + uuid.uuid4().hex[:8]
        r = call("staff", "POST", "/api/patients/", patient_body(last))
        pid = r.json["id"]
        self.expect(r, 201, ("create", "patient", pid, pid, "ok", staff,
                             "staff"))
        r = call("nurse", "GET", "/api/patients/%s/" % pid)
        self.expect(r, 200, ("read", "patient", pid, pid, "ok", nurse,
                             "nurse"))
        r = call("nurse", "GET", "/api/patients/?search=" + last)
        self.expect(r, 200, ("read", "patient", pid, pid, "ok", nurse,
                             "nurse"))
        r = call("staff", "PATCH", "/api/patients/%s/" % pid, {"city": "X"})
        self.expect(r, 200, ("update", "patient", pid, pid, "ok", staff,
                             "staff"))
        # Refused: the attempt is on the patient's record.
        doctor = user_id("doctor")
        r = call("doctor", "PATCH", "/api/patients/%s/" % pid,
                 {"city": "Y"})
        self.expect(r, 403, ("update", "patient", pid, pid, "denied",
                             doctor, "doctor"))
        r = call("staff", "PATCH", "/api/patients/%s/" % pid,
                 {"date_of_birth": "tomorrow"})
        self.expect(r, 400, ("update", "patient", pid, pid, "invalid",
                             staff, "staff"))
        r = call("staff", "DELETE", "/api/patients/%s/" % pid)
        self.expect(r, 204, ("delete", "patient", pid, pid, "ok", staff,
                             "staff"))
        # Nothing of the record itself is in the trail.
        with db() as conn:
            dump = "\n".join(str(row) for row in conn.execute(
                "SELECT * FROM audit"))
        self.assertNotIn(last, dump)

    def test_admission_and_readings(self):
        staff, nurse = user_id("staff"), user_id("nurse")
        r = call("staff", "POST", "/api/admissions/", {
            "patient": add_patient(), "assigned_device": add_device()})
        aid, pid = r.json["id"], r.json["patient"]
        self.expect(r, 201, ("admit", "admission", aid, pid, "ok", staff,
                             "staff"))
        r = call("nurse", "POST", "/api/heartrates/",
                 [{"patient": pid, "bpm": 70 + i} for i in range(3)])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(rows_of(r), [
            ("record", "reading", x["id"], pid, "ok", nurse, "nurse")
            for x in r.json])
        r = call("nurse", "POST", "/api/heartrates/",
                 {"patient": pid, "bpm": 9})
        self.expect(r, 400, ("record", "reading", None, pid, "invalid",
                             nurse, "nurse"))
        r = call("nurse", "GET", "/api/patients/%s/heartrates/" % pid)
        self.expect(r, 200, ("read", "reading", None, pid, "ok", nurse,
                             "nurse"))
        r = call("nurse", "GET", "/api/admissions/%s/" % aid)
        self.expect(r, 200, ("read", "admission", aid, pid, "ok", nurse,
                             "nurse"))
        r = call("staff", "POST", "/api/admissions/%s/discharge/" % aid)
        self.expect(r, 200, ("discharge", "admission", aid, pid, "ok",
                             staff, "staff"))
        r = call("staff", "POST", "/api/admissions/%s/discharge/" % aid)
        self.expect(r, 409, ("discharge", "admission", aid, pid,
                             "conflict", staff, "staff"))
        # ?patient= covers the record, the admission and the readings.
        r = call("admin", "GET", AUDIT + "?patient=%s&page_size=1000" % pid)
        self.assertEqual(r.status, 200, r)
        got = {(x["action"], x["object_type"]) for x in r.json["results"]}
        self.assertTrue({("admit", "admission"), ("record", "reading"),
                         ("read", "reading"), ("discharge", "admission"),
                         ("read", "admission")} <= got, got)
        for x in r.json["results"]:
            self.assertEqual(set(x), FIELDS)
            self.assertEqual(x["patient"], pid)

    def test_sessions(self):
        u = hm.make_user(self, "nurse")
        s = hm.Session()
        r = s.signin(u["email"], "wrong-" + u["password"])
        self.assertEqual(r.status, 401, r)
        (row,) = rows_of(r)
        self.assertEqual(row[0], "signin_failed")
        uid = row[5]
        self.assertIsNotNone(uid)
        r = s.signin(u["email"], u["password"])
        sid = hm.jwt_decode(s.value("access"))[1]["sid"]
        self.expect(r, 200, ("signin", "session", sid, None, "ok", uid,
                             "nurse"))
        r = s.post("/api/auth/logout/")
        self.expect(r, 200, ("logout", "session", sid, None, "ok", uid,
                             "nurse"))
        r = hm.Session().signin("nobody-%s@heartmonitor.test" % uuid.uuid4(),
                                "whatever-password")
        self.expect(r, 401, ("signin_failed", "user", None, None, "denied",
                             None, None))
        with db() as conn:
            dump = "\n".join(str(row) for row in conn.execute(
                "SELECT * FROM audit"))
        self.assertNotIn(u["password"], dump)
        self.assertNotIn(u["email"], dump)
        for name in ("access", "refresh", "csrftoken"):
            v = s.value(name)
            if v:
                self.assertNotIn(v, dump)
        self.assertNotIn(token("nurse"), dump)

    def test_nurse_reads_show_for_the_admin(self):
        nurse = user_id("nurse")
        r = call("nurse", "GET", "/api/monitor/")
        # One read of the overview, not one per patient (SPEC 7.33).
        self.expect(r, 200, ("read", "ward_overview", None, None, "ok",
                             nurse, "nurse"))
        r = call("admin", "GET", AUDIT + "?user=%s&action=read&page_size=5"
                 % nurse)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["results"])
        for x in r.json["results"]:
            self.assertEqual((x["user"], x["role"], x["action"]),
                             (nurse, "nurse", "read"))

    def test_roles_and_pages(self):
        for role, want in (("staff", 403), ("doctor", 403), ("nurse", 403),
                           (None, 401), ("admin", 200)):
            with self.subTest(role=role):
                r = call(role, "GET", AUDIT)
                self.assertEqual(r.status, want, r)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            r = call("admin", method, AUDIT, {})
            self.assertEqual(r.status, 405, r)
        for q, field in (("user=x", "user"), ("action=peek", "action"),
                         ("since=then", "since")):
            r = call("admin", "GET", AUDIT + "?" + q)
            self.assertIn(field, hm.problem(r, 400, "invalid")["errors"])
        pages, path = [], AUDIT + "?page_size=3"
        for _ in range(3):
            r = call("admin", "GET", path)
            self.assertEqual(r.status, 200, r)
            pages.append(r.json["results"])
            path = path_of(r.json["next"])
        ids = [x["id"] for p in pages for x in p]
        self.assertEqual(len(ids), 9)
        self.assertEqual(len(set(ids)), 9)
        times = [(x["time"], x["id"]) for p in pages for x in p]
        self.assertEqual(times, sorted(times, reverse=True))

    def test_append_only_and_hmctl(self):
        conn = sqlite3.connect(hm.database_path(), timeout=30)
        try:
            with self.assertRaises(sqlite3.DatabaseError):
                conn.execute("UPDATE audit SET action = 'read'")
        finally:
            conn.close()
        rc, out, err = hm.hmctl("audit", "--action", "signin")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertTrue(lines)
        self.assertTrue(all(line.split("\t")[3] == "signin"
                            for line in lines), lines[:3])
        rc, out, err = hm.hmctl("audit", "--json", "--user",
                                user_id("nurse"))
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("{"), out[:80])
        rc, out, err = hm.hmctl("audit", "prune")
        self.assertEqual(rc, 1)
        self.assertIn("AUDIT_RETENTION_DAYS", err)


if __name__ == "__main__":
    unittest.main()

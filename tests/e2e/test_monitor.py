"""The ward overview through nginx (SPEC 5 "Live monitoring", 7.21):
doctors and nurses only; one row per open admission with the newest
reading, or null, and "stale" past MONITOR_STALE_SECONDS (60 s)."""

import datetime
import unittest
import uuid

import hm
from clinical import admit, call, db

MONITOR = "/api/monitor/"
ROW_FIELDS = {"admission", "patient", "device", "ward", "bed",
              "latest_reading", "stale"}


def rows(role="nurse", query=""):
    r = call(role, "GET", MONITOR + query)
    assert r.status == 200, r
    return {row["admission"]: row for row in r.json}


def backdate(admission, seconds):
    """Moves an admission's start "seconds" into the past."""
    t = datetime.datetime.now(datetime.timezone.utc) - \
        datetime.timedelta(seconds=seconds)
    with db() as conn:
        conn.execute("UPDATE admissions SET admission_date = ? WHERE id = ?",
                     (t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), admission))
    return t


class Monitor(unittest.TestCase):

    def test_roles(self):
        for role, want in (("admin", 403), ("staff", 403), ("doctor", 200),
                           ("nurse", 200), (None, 401)):
            with self.subTest(role=role):
                r = call(role, "GET", MONITOR)
                self.assertEqual(r.status, want, r)
                if want == 200:
                    self.assertIsInstance(r.json, list)

    def test_rows(self):
        ward = "W-" + uuid.uuid4().hex[:8]
        fresh = admit(self, ward=ward, bed="1")
        quiet = admit(self, ward=ward, bed="2")
        old = admit(self, ward=ward, bed="3")
        gone = admit(self, ward=ward, bed="4")
        start = backdate(quiet["id"], 600)
        start = backdate(old["id"], 600)
        r = call("nurse", "POST", "/api/heartrates/",
                 {"patient": fresh["patient"], "bpm": 130})
        self.assertEqual(r.status, 201, r)
        newest = r.json
        r = call("nurse", "POST", "/api/heartrates/", {
            "patient": old["patient"], "bpm": 70,
            "measured_at": (start + datetime.timedelta(seconds=1)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")})
        self.assertEqual(r.status, 201, r)
        r = call("staff", "POST", "/api/admissions/%s/discharge/" % gone["id"])
        self.assertEqual(r.status, 200, r)

        got = rows(query="?ward=" + ward)
        self.assertEqual(set(got), {fresh["id"], quiet["id"], old["id"]})
        for row in got.values():
            self.assertEqual(set(row), ROW_FIELDS)
            self.assertEqual(row["ward"], ward)
        f = got[fresh["id"]]
        self.assertEqual(f["latest_reading"], newest)
        self.assertEqual(f["patient"]["id"], fresh["patient"])
        self.assertEqual(f["device"]["id"], fresh["assigned_device"])
        self.assertEqual(f["device"]["serial_number"],
                         fresh["device_detail"]["serial_number"])
        self.assertFalse(f["stale"])
        self.assertIsNone(got[quiet["id"]]["latest_reading"])
        self.assertTrue(got[quiet["id"]]["stale"])
        self.assertEqual(got[old["id"]]["latest_reading"]["bpm"], 70)
        self.assertTrue(got[old["id"]]["stale"])
        # Without the filter every ward is there, this one included.
        self.assertTrue(set(got) <= set(rows(role="doctor")))
        self.assertEqual(rows(query="?ward=no-such-ward"), {})


if __name__ == "__main__":
    unittest.main()

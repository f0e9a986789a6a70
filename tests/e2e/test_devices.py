"""Devices (SPEC 3, 5, 7.12, 7.14, 7.15) through nginx: the role matrix
(each role x list, read, create, update, retire, delete), validation
400s naming the field, unique serial numbers, ?available=, the 409 of
a delete of a used device, current_admission, and hmctl device retire.

Admissions are written straight into the stack's SQLite file (the
admissions API is not what these tests are about); every device and
patient carries a random tag, so the tests can run again on the same
database."""

import contextlib
import secrets
import sqlite3
import unittest
import urllib.parse
import uuid

import hm

DEVICES = "/api/devices/"
ROLES = ("admin", "staff", "doctor", "nurse")
NOW = "2026-01-01T00:00:00.000Z"


def device_path(device_id):
    return "%s%s/" % (DEVICES, device_id)


def new_serial(prefix="E2E-DEV"):
    return "%s-%s" % (prefix, secrets.token_hex(6).upper())


_tokens = {}


def tokens():
    """A Bearer access token per role: the stack's admin and three users
    registered for this module (made once, so that sign-in stays under
    nginx's limit)."""
    if not _tokens:
        t = unittest.TestCase()     # for the helpers' assertions
        _tokens["admin"] = hm.get_tokens(t, {
            "email": hm.env("HM_ADMIN_EMAIL"),
            "password": hm.env("HM_ADMIN_PASSWORD")})["access"]
        for role in ROLES[1:]:
            _tokens[role] = hm.get_tokens(t, hm.make_user(t, role))["access"]
    return _tokens


def call(role, method, path, body=None, raw_body=None, headers=None):
    """A request as "role" (None: anonymous), by Bearer token."""
    h = dict(headers or {})
    if role is not None:
        h.update(hm.bearer(tokens()[role]))
    r = hm.request(method, path, body=body, raw_body=raw_body, headers=h)
    hm.assert_common_headers(r)
    return r


@contextlib.contextmanager
def database():
    conn = sqlite3.connect(hm.database_path(), timeout=30)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def admit(device_id, discharged=False):
    """A new patient admitted on "device_id", written into the database
    directly; returns the admission's id."""
    patient, admission = str(uuid.uuid4()), str(uuid.uuid4())
    phone = "+49%012d" % secrets.randbelow(10 ** 12)
    with database() as db:
        db.execute("INSERT INTO patients (id, first_name, last_name, "
                   "date_of_birth, phone_number, created_at, updated_at) "
                   "VALUES (?, 'E2E', 'Devices', '1970-01-01', ?, ?, ?)",
                   (patient, phone, NOW, NOW))
        db.execute("INSERT INTO admissions (id, patient_id, device_id, "
                   "admission_date, discharge_date, is_discharged) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (admission, patient, device_id, NOW,
                    NOW if discharged else None, 1 if discharged else 0))
    return admission


def discharge(admission):
    with database() as db:
        db.execute("UPDATE admissions SET is_discharged = 1, "
                   "discharge_date = ? WHERE id = ? AND is_discharged = 0",
                   (NOW, admission))


class DeviceTest(unittest.TestCase):

    def create(self, serial=None, status=None, **fields):
        """Creates a device as admin (201 asserted); returns its JSON."""
        body = {"serial_number": serial or new_serial(),
                "model_name": fields.pop("model_name", "Pulse 3"),
                "manufacturer": fields.pop("manufacturer", "Acme")}
        if status is not None:
            body["status"] = status
        r = call("admin", "POST", DEVICES, body)
        self.assertEqual(r.status, 201, r)
        return r.json

    def admit(self, device_id, discharged=False):
        a = admit(device_id, discharged)
        self.addCleanup(discharge, a)
        return a

    def assert_names(self, r, field):
        j = hm.problem(r, 400, "invalid")
        self.assertIn(field, j.get("errors", {}), j)
        self.assertIsInstance(j["errors"][field], list, j)
        self.assertTrue(j["errors"][field], j)
        return j


class RoleMatrix(DeviceTest):
    """SPEC section 3: devices are read by admin and staff and written
    by admin only; doctors and nurses get 403 on everything, anonymous
    callers 401."""

    WANT = {
        #          list read create update retire delete
        "admin":  (200, 200, 201, 200, 200, 204),
        "staff":  (200, 200, 403, 403, 403, 403),
        "doctor": (403, 403, 403, 403, 403, 403),
        "nurse":  (403, 403, 403, 403, 403, 403),
        None:     (401, 401, 401, 401, 401, 401),
    }
    ACTIONS = ("list", "read", "create", "update", "retire", "delete")

    def act(self, role, action, dev):
        path = device_path(dev["id"])
        if action == "list":
            return call(role, "GET", DEVICES)
        if action == "read":
            return call(role, "GET", path)
        if action == "create":
            return call(role, "POST", DEVICES, {
                "serial_number": new_serial(), "model_name": "M"})
        if action == "update":
            return call(role, "PATCH", path, {"model_name": "Pulse 4"})
        if action == "retire":
            return call(role, "PATCH", path, {"status": "retired"})
        return call(role, "DELETE", path)

    def test_matrix(self):
        for role, want in self.WANT.items():
            for action, status in zip(self.ACTIONS, want):
                with self.subTest(role=role, action=action):
                    dev = self.create()
                    r = self.act(role, action, dev)
                    self.assertEqual(r.status, status, r)
                    if status == 401:
                        hm.problem(r, 401, "not_authenticated")
                    elif status == 403:
                        hm.problem(r, 403, "permission_denied")
                    # A refused write changed nothing.
                    if status >= 400:
                        got = call("admin", "GET", device_path(dev["id"]))
                        self.assertEqual(got.status, 200, got)
                        self.assertEqual(got.json, dev)

    def test_put_roles(self):
        dev = self.create()
        body = {"serial_number": dev["serial_number"], "model_name": "N"}
        for role, status in (("staff", 403), ("doctor", 403),
                             ("nurse", 403), (None, 401), ("admin", 200)):
            with self.subTest(role=role):
                r = call(role, "PUT", device_path(dev["id"]), body)
                self.assertEqual(r.status, status, r)

    def test_admin_results(self):
        dev = self.create(manufacturer="Acme Medical")
        r = call("admin", "PATCH", device_path(dev["id"]),
                 {"status": "retired"})
        self.assertEqual(r.json["status"], "retired", r)
        r = call("staff", "GET", device_path(dev["id"]))
        self.assertEqual(r.json["status"], "retired", r)
        r = call("admin", "DELETE", device_path(dev["id"]))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"", r)
        r = call("staff", "GET", device_path(dev["id"]))
        hm.problem(r, 404, "not_found")

    def test_cookie_writes_need_csrf(self):
        s = hm.Session()
        r = s.signin(hm.env("HM_ADMIN_EMAIL"), hm.env("HM_ADMIN_PASSWORD"))
        self.assertEqual(r.status, 200, r)
        body = {"serial_number": new_serial(), "model_name": "M"}
        r = s.post(DEVICES, body, csrf=False)
        hm.problem(r, 403, "csrf_failed")
        r = s.post(DEVICES, body)
        self.assertEqual(r.status, 201, r)
        r = s.request("DELETE", device_path(r.json["id"]), csrf=False)
        hm.problem(r, 403, "csrf_failed")


class Fields(DeviceTest):

    def test_create_shape(self):
        serial = new_serial()
        r = call("admin", "POST", DEVICES, {
            "serial_number": serial, "model_name": "Pulse 3",
            "manufacturer": "Acme", "id": str(uuid.uuid4()),
            "created_at": "2000-01-01T00:00:00Z",
            "current_admission": str(uuid.uuid4()), "colour": "red"})
        self.assertEqual(r.status, 201, r)
        j = r.json
        self.assertEqual(set(j), {"id", "serial_number", "model_name",
                                  "manufacturer", "status", "created_at",
                                  "current_admission"}, j)
        self.assertEqual(r.headers.get("Location"), device_path(j["id"]))
        self.assertEqual(j["serial_number"], serial)
        self.assertEqual(j["status"], "active")
        self.assertIsNone(j["current_admission"])
        self.assertRegex(j["created_at"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertNotEqual(j["created_at"][:4], "2000")
        self.assertRegex(j["id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-"
                         r"[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        r = call("staff", "GET", r.headers.get("Location"))
        self.assertEqual(r.json, j)

    def test_invalid_create(self):
        ok = {"serial_number": "X", "model_name": "M"}
        cases = [
            ({"model_name": "M"}, "serial_number"),
            (dict(ok, serial_number=None), "serial_number"),
            (dict(ok, serial_number=42), "serial_number"),
            (dict(ok, serial_number=1e300), "serial_number"),
            (dict(ok, serial_number=True), "serial_number"),
            (dict(ok, serial_number=["X"]), "serial_number"),
            (dict(ok, serial_number={"$gt": ""}), "serial_number"),
            (dict(ok, serial_number=""), "serial_number"),
            (dict(ok, serial_number="A\r\nB"), "serial_number"),
            (dict(ok, serial_number="A\u0000B"), "serial_number"),
            (dict(ok, serial_number="x" * 101), "serial_number"),
            ({"serial_number": "X"}, "model_name"),
            (dict(ok, model_name=7), "model_name"),
            (dict(ok, model_name="é" * 101), "model_name"),
            (dict(ok, manufacturer=None), "manufacturer"),
            (dict(ok, manufacturer=False), "manufacturer"),
            (dict(ok, manufacturer="m" * 101), "manufacturer"),
            (dict(ok, status="broken"), "status"),
            (dict(ok, status="ACTIVE"), "status"),
            (dict(ok, status="active' OR '1'='1"), "status"),
            (dict(ok, status=0), "status"),
            (dict(ok, status=None), "status"),
            ([ok], "non_field_errors"),
            ("X", "non_field_errors"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                b = dict(body, serial_number=new_serial()) \
                    if isinstance(body, dict) and \
                    body.get("serial_number") == "X" else body
                r = call("admin", "POST", DEVICES, b)
                self.assert_names(r, field)

    def test_malformed_json(self):
        for raw in ('{"serial_number": NaN, "model_name": "M"}',
                    '{"serial_number": "A", "model_name": "M"',
                    '{"serial_number": "A", "serial_number": "B", '
                    '"model_name": "M"}'):
            with self.subTest(raw=raw):
                r = call("admin", "POST", DEVICES, raw_body=raw,
                         headers={"Content-Type": "application/json"})
                hm.problem(r, 400, "invalid")
        r = call("admin", "POST", DEVICES, raw_body="serial_number=A",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
        hm.problem(r, 415, "unsupported_media_type")

    def test_hostile_text_is_stored_verbatim(self):
        tag = secrets.token_hex(4)
        for serial in ("'; DROP TABLE devices; -- " + tag,
                       '" OR 1=1 -- ' + tag, "%_\\" + tag,
                       "<script>" + tag + "</script>", "Ω≈ç√∫" + tag):
            with self.subTest(serial=serial):
                r = call("admin", "POST", DEVICES,
                         {"serial_number": serial, "model_name": serial})
                self.assertEqual(r.status, 201, r)
                got = call("staff", "GET", device_path(r.json["id"]))
                self.assertEqual(got.json["serial_number"], serial)
        r = call("staff", "GET", DEVICES + "?search=" +
                 urllib.parse.quote(tag))
        self.assertEqual(r.json["count"], 5, r)

    def test_unique_serial(self):
        a, b = self.create(), self.create()
        r = call("admin", "POST", DEVICES, {
            "serial_number": a["serial_number"], "model_name": "Other"})
        self.assert_names(r, "serial_number")
        r = call("admin", "PATCH", device_path(b["id"]),
                 {"serial_number": a["serial_number"]})
        self.assert_names(r, "serial_number")
        r = call("admin", "PUT", device_path(b["id"]),
                 {"serial_number": a["serial_number"], "model_name": "M"})
        self.assert_names(r, "serial_number")
        r = call("admin", "GET", device_path(b["id"]))
        self.assertEqual(r.json, b)
        r = call("admin", "PATCH", device_path(b["id"]),
                 {"serial_number": b["serial_number"], "model_name": "N"})
        self.assertEqual(r.status, 200, r)

    def test_patch_and_put(self):
        dev = self.create(status="maintenance")
        path = device_path(dev["id"])
        r = call("admin", "PATCH", path, {"model_name": "Pulse 9",
                                          "id": str(uuid.uuid4()),
                                          "created_at": NOW})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, dict(dev, model_name="Pulse 9"))
        r = call("admin", "PATCH", path, {"status": "maintenance ",
                                          "model_name": "X"})
        self.assert_names(r, "status")
        r = call("admin", "PUT", path, {"model_name": "Y"})
        self.assert_names(r, "serial_number")
        serial = new_serial()
        r = call("admin", "PUT", path, {"serial_number": serial,
                                        "model_name": "Y"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, dict(dev, serial_number=serial,
                                      model_name="Y"))

    def test_malformed_ids_are_404(self):
        for bad in ("1", "abc", "null", str(uuid.uuid4()).upper(),
                    str(uuid.uuid4())[:-1], "%27%20OR%201%3D1--",
                    str(uuid.uuid4()).replace("-", "")):
            for method, body in (("GET", None), ("PATCH", {"status":
                                                           "retired"}),
                                 ("PUT", {"serial_number": "X",
                                          "model_name": "M"}),
                                 ("DELETE", None)):
                with self.subTest(id=bad, method=method):
                    r = call("admin", method, DEVICES + bad + "/", body)
                    hm.problem(r, 404, "not_found")
        r = call("admin", "GET", device_path(str(uuid.uuid4())))
        hm.problem(r, 404, "not_found")
        r = call("admin", "GET", DEVICES[:-1])
        hm.problem(r, 404, "not_found")


class InUse(DeviceTest):
    """current_admission, ?available=, and the rules of SPEC 7.15."""

    def test_current_admission_and_retire(self):
        dev = self.create()
        path = device_path(dev["id"])
        adm = self.admit(dev["id"])
        r = call("staff", "GET", path)
        self.assertEqual(r.json["current_admission"], adm, r)
        for status in ("retired", "maintenance"):
            with self.subTest(status=status):
                r = call("admin", "PATCH", path, {"status": status})
                j = hm.problem(r, 409, "conflict")
                self.assertIn("open admission", j.get("detail", ""))
        r = call("admin", "PATCH", path, {"model_name": "Renamed"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["current_admission"], adm, r)
        self.assertEqual(r.json["status"], "active", r)
        discharge(adm)
        r = call("admin", "PATCH", path, {"status": "retired"})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["current_admission"], r)

    def test_delete_used_is_409(self):
        dev = self.create()
        self.admit(dev["id"], discharged=True)
        r = call("admin", "DELETE", device_path(dev["id"]))
        j = hm.problem(r, 409, "conflict")
        self.assertIn('PATCH {"status": "retired"}', j.get("detail", ""))
        self.assertIn("retire", j["detail"])
        r = call("admin", "GET", device_path(dev["id"]))
        self.assertEqual(r.status, 200, r)
        r = call("admin", "PATCH", device_path(dev["id"]),
                 {"status": "retired"})
        self.assertEqual(r.status, 200, r)
        r = call("admin", "DELETE", device_path(dev["id"]))
        hm.problem(r, 409, "conflict")

    def test_available(self):
        tag = "E2E-AV-" + secrets.token_hex(4).upper()
        free = self.create(tag + "-A")
        busy = self.create(tag + "-B")
        self.create(tag + "-C", status="maintenance")
        self.create(tag + "-D", status="retired")
        adm = self.admit(busy["id"])
        q = DEVICES + "?search=" + tag

        def serials(query):
            r = call("staff", "GET", q + query)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["count"], len(r.json["results"]), r)
            return [d["serial_number"][len(tag) + 1:]
                    for d in r.json["results"]]

        self.assertEqual(serials(""), ["A", "B", "C", "D"])
        self.assertEqual(serials("&available=true"), ["A"])
        self.assertEqual(serials("&available=false"), ["B", "C", "D"])
        self.assertEqual(serials("&status=active"), ["A", "B"])
        self.assertEqual(serials("&status=retired"), ["D"])
        self.assertEqual(serials("&available=false&status=active"), ["B"])
        self.assertEqual(serials("&ordering=-serial_number"),
                         ["D", "C", "B", "A"])
        discharge(adm)
        self.assertEqual(serials("&available=true"), ["A", "B"])
        r = call("staff", "GET", q + "&available=true")
        self.assertIsNone(r.json["results"][0]["current_admission"])
        self.assertEqual(r.json["results"][0]["id"], free["id"])

    def test_bad_filters(self):
        for query, field in (("available=yes", "available"),
                             ("available=1", "available"),
                             ("available=TRUE", "available"),
                             ("status=broken", "status"),
                             ("status=active%27%20OR%201=1--", "status"),
                             ("ordering=status", "ordering"),
                             ("ordering=id", "ordering"),
                             ("ordering=serial_number;DROP", "ordering"),
                             ("page_size=x", "page_size")):
            with self.subTest(query=query):
                r = call("staff", "GET", DEVICES + "?" + query)
                self.assert_names(r, field)
        for query in ("page=0", "page=last", "page=-1", "page=99999"):
            with self.subTest(query=query):
                r = call("staff", "GET", DEVICES + "?" + query)
                hm.problem(r, 404, "not_found")

    def test_pages(self):
        tag = "E2E-PG-" + secrets.token_hex(4).upper()
        for i in range(5):
            self.create("%s-%d" % (tag, i))
        r = call("staff", "GET", DEVICES + "?search=%s&page_size=2" % tag)
        self.assertEqual(r.json["count"], 5, r)
        self.assertIsNone(r.json["previous"])
        seen = [d["serial_number"] for d in r.json["results"]]
        while r.json["next"]:
            u = urllib.parse.urlsplit(r.json["next"])
            self.assertEqual("%s://%s" % (u.scheme, u.netloc),
                             hm.public_origin())
            r = call("staff", "GET", u.path + "?" + u.query)
            self.assertEqual(r.status, 200, r)
            seen += [d["serial_number"] for d in r.json["results"]]
        self.assertEqual(seen, ["%s-%d" % (tag, i) for i in range(5)])


class HmctlRetire(DeviceTest):

    def test_retire(self):
        serial = new_serial("E2E-HMCTL")
        hm.hmctl_ok(self, "device", "add", "--serial", serial,
                    "--model", "M")
        out = hm.hmctl_ok(self, "device", "retire", serial)
        self.assertIn(serial, out)
        r = call("staff", "GET", DEVICES + "?search=" + serial)
        self.assertEqual(r.json["count"], 1, r)
        self.assertEqual(r.json["results"][0]["status"], "retired", r)
        line = [l for l in hm.hmctl_ok(self, "device", "list").splitlines()
                if l.startswith(serial + "\t")]
        self.assertEqual(len(line), 1)
        self.assertIn("\tretired\t", line[0])

    def test_retire_in_use_refused(self):
        dev = self.create(new_serial("E2E-HMCTL"))
        adm = self.admit(dev["id"])
        st, out, err = hm.hmctl("device", "retire", dev["serial_number"])
        self.assertEqual(st, 1, out + err)
        self.assertIn(adm, err)
        self.assertRegex(err, r"(?i)open admission")
        r = call("staff", "GET", device_path(dev["id"]))
        self.assertEqual(r.json["status"], "active", r)
        discharge(adm)
        hm.hmctl_ok(self, "device", "retire", dev["serial_number"])
        r = call("staff", "GET", device_path(dev["id"]))
        self.assertEqual(r.json["status"], "retired", r)

    def test_retire_unknown_and_usage(self):
        st, out, err = hm.hmctl("device", "retire", new_serial("E2E-NONE"))
        self.assertEqual(st, 1, out + err)
        self.assertRegex(err, r"(?i)no device")
        st, out, err = hm.hmctl("device", "retire")
        self.assertEqual(st, 2, out + err)
        st, out, err = hm.hmctl("device", "--help")
        self.assertEqual(st, 0, out + err)
        self.assertIn("retire", out)


if __name__ == "__main__":
    unittest.main()

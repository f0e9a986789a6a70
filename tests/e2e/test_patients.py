"""Patients through nginx (SPEC 3, 5, 7.11-7.14, 7.32): the role matrix
rows (admin, staff, doctor, nurse and anonymous x list, read, create,
replace, update, delete), validation answered 400 with the field named
and nothing stored, uniqueness, the delete refused while the patient
has admissions, filters, search, ordering and page-number pagination,
and CSRF for cookie-signed writes.

Every test names its patients with a tag of its own and lists through
filters on that tag, so that patients other tests make do not matter."""

import datetime
import json
import sqlite3
import threading
import unittest
import urllib.parse
import uuid

import hm

PATIENTS = "/api/patients/"
ROLES = ("admin", "staff", "doctor", "nurse")
WRITERS = ("admin", "staff")

FIELDS = {"id", "first_name", "last_name", "gender", "date_of_birth",
          "phone_number", "email", "address_line_1", "address_line_2",
          "city", "state", "country", "medical_record_number",
          "created_at", "updated_at"}


# ------------------------------------------------------------- the users

_users = {}
_users_lock = threading.Lock()


def _make_admin(tc):
    user = {"email": hm.new_email("e2e-patients-admin"),
            "password": hm.new_password()}
    hm.hmctl_ok(tc, "createsuperuser", "--email", user["email"],
                "--first-name", "Root", "--last-name", "Admin",
                input="%s\n%s\n" % (user["password"], user["password"]))
    return user


def user(role):
    """A throwaway user of "role" for this module, with its Bearer
    access token: (user, token).  The admin comes from hmctl
    createsuperuser; the others register and are activated by hmctl."""
    with _users_lock:
        if role not in _users:
            tc = unittest.TestCase()
            u = _make_admin(tc) if role == "admin" else \
                hm.make_user(tc, role)
            _users[role] = (u, hm.get_tokens(tc, u)["access"])
        return _users[role]


def call(role, method, path, body=None, raw_body=None, headers=None):
    """One request as "role" by Bearer token (None: anonymous)."""
    h = dict(headers or {})
    if role is not None:
        h.update(hm.bearer(user(role)[1]))
    r = hm.request(method, path, body=body, raw_body=raw_body, headers=h)
    hm.assert_common_headers(r)
    return r


# ------------------------------------------------------------ patients

_phone = [0]
_phone_lock = threading.Lock()


def phone():
    """A phone number no other patient of the stack has."""
    with _phone_lock:
        _phone[0] += 1
        n = _phone[0]
    return "+7%06d%06d" % (int(uuid.uuid4().int % 10 ** 6), n)


def body(**over):
    """A valid patient; "over" replaces or adds fields (None removes)."""
    b = {"first_name": "Ann", "last_name": "E2e" + hm.tag(),
         "date_of_birth": "1980-05-17", "phone_number": phone()}
    for k, v in over.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def create(tc, role="staff", **over):
    """POSTs a valid patient as "role"; asserts 201 and returns it."""
    r = call(role, "POST", PATIENTS, body(**over))
    tc.assertEqual(r.status, 201, r)
    return r.json


def detail(pid):
    return PATIENTS + pid + "/"


def listing(tc, role="nurse", **query):
    """GETs the list with "query"; asserts 200 and returns the JSON."""
    r = call(role, "GET", PATIENTS + "?" + urllib.parse.urlencode(query))
    tc.assertEqual(r.status, 200, r)
    tc.assertEqual(set(r.json), {"count", "next", "previous", "results"},
                   r.json)
    return r.json


def assert_names(tc, r, *fields):
    """A 400 problem whose errors name each of "fields"."""
    j = hm.problem(r, 400, "invalid")
    for f in fields:
        tc.assertIn(f, j.get("errors", {}), j)
    return j


def db():
    conn = sqlite3.connect(hm.database_path(), timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def count_where(column, value):
    with db() as conn:
        return conn.execute("SELECT count(*) FROM patients WHERE %s = ?"
                            % column, (value,)).fetchone()[0]


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


# --------------------------------------------------------- role matrix

class RoleMatrix(unittest.TestCase):
    """SPEC section 3: patients list and read for every role; create,
    update and delete for admin and staff (doctor and nurse 403);
    anonymous 401 everywhere."""

    def want(self, role, write, ok):
        if role is None:
            return 401
        if write and role not in WRITERS:
            return 403
        return ok

    def check(self, r, role, write, ok):
        want = self.want(role, write, ok)
        self.assertEqual(r.status, want, r)
        if want == 401:
            hm.problem(r, 401, "not_authenticated")
        elif want == 403:
            hm.problem(r, 403, "permission_denied")
        return want

    def test_list_and_read(self):
        p = create(self)
        for role in ROLES + (None,):
            with self.subTest(role=role, action="list"):
                r = call(role, "GET", PATIENTS)
                self.check(r, role, False, 200)
            with self.subTest(role=role, action="read"):
                r = call(role, "GET", detail(p["id"]))
                if self.check(r, role, False, 200) == 200:
                    self.assertEqual(r.json, p)

    def test_create(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                b = body()
                r = call(role, "POST", PATIENTS, b)
                want = self.check(r, role, True, 201)
                self.assertEqual(count_where("phone_number",
                                             b["phone_number"]),
                                 1 if want == 201 else 0)
                if want == 201:
                    self.assertEqual(r.headers.get("Location"),
                                     detail(r.json["id"]))

    def test_replace(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                p = create(self)
                r = call(role, "PUT", detail(p["id"]),
                         body(first_name="Put"))
                want = self.check(r, role, True, 200)
                self.assertEqual(count_where("id", p["id"]), 1)
                got = call("admin", "GET", detail(p["id"])).json
                self.assertEqual(got["first_name"],
                                 "Put" if want == 200 else "Ann")

    def test_update(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                p = create(self)
                r = call(role, "PATCH", detail(p["id"]), {"city": "Patch"})
                want = self.check(r, role, True, 200)
                got = call("admin", "GET", detail(p["id"])).json
                self.assertEqual(got["city"],
                                 "Patch" if want == 200 else None)

    def test_delete(self):
        for role in ROLES + (None,):
            with self.subTest(role=role):
                p = create(self)
                r = call(role, "DELETE", detail(p["id"]))
                want = self.check(r, role, True, 204)
                self.assertEqual(count_where("id", p["id"]),
                                 0 if want == 204 else 1)
                if want == 204:
                    self.assertEqual(r.body, b"", r)


# ------------------------------------------------------------- CRUD

class Crud(unittest.TestCase):

    def test_create_answer(self):
        r = call("staff", "POST", PATIENTS, body(
            id="00000000-0000-7000-8000-000000000000",
            created_at="1999-01-01T00:00:00.000Z", unknown_field=1))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.content_type, "application/json", r)
        j = r.json
        self.assertEqual(set(j), FIELDS, j)
        self.assertNotEqual(j["id"], "00000000-0000-7000-8000-000000000000")
        self.assertEqual(str(uuid.UUID(j["id"])), j["id"])
        self.assertEqual(uuid.UUID(j["id"]).version, 7)
        self.assertNotEqual(j["created_at"], "1999-01-01T00:00:00.000Z")
        self.assertRegex(j["created_at"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(j["gender"], "other")
        for f in ("email", "medical_record_number", "address_line_2"):
            self.assertIsNone(j[f], f)
        self.assertEqual(r.headers.get("Location"), detail(j["id"]))
        self.assertIn("no-store",
                      ", ".join(r.headers.get_all("Cache-Control") or []))

    def test_put_and_patch(self):
        p = create(self, email="e2e-%s@clinic.test" % hm.tag(),
                   city="Berlin", gender="female")
        r = call("admin", "PUT", detail(p["id"]),
                 body(first_name="Bo", created_at="x"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["first_name"], "Bo")
        self.assertIsNone(r.json["email"])
        self.assertIsNone(r.json["city"])
        self.assertEqual(r.json["gender"], "other")
        self.assertEqual(r.json["created_at"], p["created_at"])
        self.assertGreaterEqual(r.json["updated_at"], p["updated_at"])
        r = call("staff", "PUT", detail(p["id"]), {"first_name": "Cy"})
        assert_names(self, r, "last_name", "date_of_birth", "phone_number")
        r = call("staff", "PATCH", detail(p["id"]), {"state": "BE"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["state"], "BE")
        self.assertEqual(r.json["first_name"], "Bo")
        r = call("staff", "PATCH", detail(p["id"]), {"first_name": None})
        assert_names(self, r, "first_name")
        self.assertEqual(call("nurse", "GET", detail(p["id"])).json[
            "first_name"], "Bo")

    def test_not_found(self):
        missing = str(uuid.uuid4())
        for path in (detail(missing), detail("not-a-uuid"),
                     detail(missing.upper()), detail("1%27%20OR%201=1")):
            for method in ("GET", "PUT", "PATCH", "DELETE"):
                with self.subTest(path=path, method=method):
                    r = call("admin", method, path,
                             body() if method in ("PUT", "PATCH") else None)
                    hm.problem(r, 404, "not_found")
        r = call("admin", "GET", "/api/patients")
        hm.problem(r, 404, "not_found")
        self.assertIn("/api/patients/", r.json.get("detail", ""))

    def test_delete_refused_with_admissions(self):
        p = create(self)
        did, aid = str(uuid.uuid4()), str(uuid.uuid4())
        with db() as conn:
            conn.execute("INSERT INTO devices (id, serial_number, model_name,"
                         " created_at) VALUES (?, ?, ?, ?)",
                         (did, "E2E-P-" + uuid.uuid4().hex[:12], "HM-1",
                          now()))
            conn.execute("INSERT INTO admissions (id, patient_id, device_id,"
                         " admission_date, is_discharged, discharge_date)"
                         " VALUES (?, ?, ?, ?, 1, ?)",
                         (aid, p["id"], did, now(), now()))
        r = call("admin", "DELETE", detail(p["id"]))
        hm.problem(r, 409, "conflict")
        self.assertEqual(count_where("id", p["id"]), 1)
        self.assertEqual(call("staff", "GET", detail(p["id"])).status, 200)


# ------------------------------------------------------ bad input

class Validation(unittest.TestCase):
    """Wrong types, bad values and SQL metacharacters: 400 naming the
    field, nothing stored (SPEC 6, 7.13, 7.14)."""

    INVALID = [
        ("first_name", 42), ("first_name", ""), ("first_name", None),
        ("first_name", True), ("first_name", ["Ann"]), ("first_name", {}),
        ("first_name", 1e308), ("first_name", "x" * 151),
        ("first_name", "A\nB"), ("last_name", 7), ("gender", "unknown"),
        ("gender", 1), ("date_of_birth", "2023-02-29"),
        ("date_of_birth", "2024-02-30"), ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "2024-1-1"), ("date_of_birth", "17/05/1980"),
        ("date_of_birth", 19800517), ("phone_number", "12-34"),
        ("phone_number", "123456"), ("phone_number", "1234567890123456"),
        ("phone_number", 4915112345678),
        ("phone_number", "'; DROP TABLE patients; --"),
        ("email", "not-an-email"), ("email", 5),
        ("medical_record_number", 12), ("medical_record_number", ""),
        ("city", ["x"]),
    ]

    def test_invalid_fields(self):
        for field, value in self.INVALID:
            with self.subTest(field=field, value=value):
                b = body()
                if value is None:
                    b.pop(field, None)
                else:
                    b[field] = value
                r = call("staff", "POST", PATIENTS, b)
                assert_names(self, r, field)
                self.assertEqual(count_where("last_name", b["last_name"]),
                                 0)

    def test_huge_and_nan_numbers(self):
        for raw in ('1e999', '-1e999', '123456789012345678901234567890'):
            b = body(first_name=None)
            text = json.dumps(b)[:-1] + ', "first_name": %s}' % raw
            r = call("staff", "POST", PATIENTS, raw_body=text,
                     headers={"Content-Type": "application/json"})
            assert_names(self, r, "first_name")
        r = call("staff", "POST", PATIENTS, raw_body='{"first_name": NaN}',
                 headers={"Content-Type": "application/json"})
        hm.problem(r, 400, "invalid")

    def test_sql_metacharacters_stored_verbatim(self):
        evil = "'; DROP TABLE patients; --"
        p = create(self, first_name=evil, address_line_1='Robert"); --',
                   city="%_\\")
        got = call("doctor", "GET", detail(p["id"])).json
        self.assertEqual(got["first_name"], evil)
        self.assertEqual(got["address_line_1"], 'Robert"); --')
        self.assertEqual(got["city"], "%_\\")
        j = listing(self, search=evil)
        self.assertIn(p["id"], [x["id"] for x in j["results"]])
        r = call("nurse", "GET", PATIENTS + "?city=" +
                 urllib.parse.quote(evil))
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(listing(self)["count"], 1)

    def test_body_rules(self):
        r = call("staff", "POST", PATIENTS, raw_body="first_name=Ann",
                 headers={"Content-Type": "application/x-www-form-"
                                          "urlencoded"})
        hm.problem(r, 415, "unsupported_media_type")
        r = call("staff", "POST", PATIENTS, raw_body='{"first_name":',
                 headers={"Content-Type": "application/json"})
        hm.problem(r, 400, "invalid")
        r = call("staff", "POST", PATIENTS, [body()])
        assert_names(self, r, "non_field_errors")

    def test_unique_fields(self):
        t = hm.tag()
        a = create(self, email="e2e-u-%s@clinic.test" % t,
                   medical_record_number="MRN-" + t)
        r = call("staff", "POST", PATIENTS,
                 body(phone_number=a["phone_number"]))
        assert_names(self, r, "phone_number")
        r = call("staff", "POST", PATIENTS,
                 body(email=a["email"].upper()))
        assert_names(self, r, "email")
        r = call("staff", "POST", PATIENTS,
                 body(phone_number=a["phone_number"], email=a["email"],
                      medical_record_number=a["medical_record_number"]))
        assert_names(self, r, "phone_number", "email",
                     "medical_record_number")
        self.assertEqual(count_where("medical_record_number",
                                     "MRN-" + t), 1)
        b = create(self)
        r = call("admin", "PATCH", detail(b["id"]),
                 {"medical_record_number": a["medical_record_number"]})
        assert_names(self, r, "medical_record_number")
        r = call("admin", "PATCH", detail(a["id"]),
                 {"phone_number": a["phone_number"]})
        self.assertEqual(r.status, 200, r)


# ------------------------------------------------------------ the list

class Listing(unittest.TestCase):

    def people(self):
        """Four patients in a city of their own; returns (city, ids)."""
        city = "E2eCity" + hm.tag()
        rows = [("Bea", "Zed", "1990-01-01"), ("Ann", "Young", "1970-06-15"),
                ("Cid", "Abel", "2000-12-31"), ("Ann", "Xu", "1985-03-03")]
        ids = [create(self, first_name=f, last_name=l, date_of_birth=d,
                      city=city)["id"] for f, l, d in rows]
        return city, ids

    def test_ordering(self):
        city, ids = self.people()
        want = {None: [1, 3, 0, 2], "first_name": [1, 3, 0, 2],
                "-first_name": [2, 0, 3, 1], "last_name": [2, 3, 1, 0],
                "-last_name": [0, 1, 3, 2], "date_of_birth": [1, 3, 0, 2],
                "-date_of_birth": [2, 0, 3, 1], "created_at": [0, 1, 2, 3],
                "-created_at": [3, 2, 1, 0]}
        for ordering, order in want.items():
            with self.subTest(ordering=ordering):
                q = {"city": city}
                if ordering is not None:
                    q["ordering"] = ordering
                j = listing(self, **q)
                self.assertEqual(j["count"], 4)
                self.assertEqual([x["id"] for x in j["results"]],
                                 [ids[i] for i in order])
        for bad in ("age", "id", "first_name,last_name", "-", "FIRST_NAME"):
            with self.subTest(ordering=bad):
                r = call("doctor", "GET", PATIENTS + "?ordering=" + bad)
                assert_names(self, r, "ordering")

    def test_filters_and_search(self):
        t = hm.tag()
        a = create(self, first_name="Zoë" + t, city="Mainz" + t,
                   state="RP" + t, country="Germany" + t,
                   email="e2e-f-%s@clinic.test" % t,
                   medical_record_number="M%" + t)
        b = create(self, first_name="Bob" + t, city="Mainz" + t + " Süd",
                   state="RP" + t, country="Germany" + t)
        self.assertEqual([x["id"] for x in listing(
            self, city=("mainz" + t).upper())["results"]], [a["id"]])
        self.assertEqual(listing(self, state="rp" + t)["count"], 2)
        self.assertEqual(listing(self, country="GERMANY" + t,
                                 city="Mainz" + t)["count"], 1)
        self.assertEqual(listing(self, city="Main" + t)["count"], 0)
        self.assertEqual([x["id"] for x in listing(
            self, search="bob" + t)["results"]], [b["id"]])
        self.assertEqual([x["id"] for x in listing(
            self, search="E2E-F-" + t)["results"]], [a["id"]])
        self.assertEqual([x["id"] for x in listing(
            self, search="m%" + t)["results"]], [a["id"]])
        self.assertEqual(listing(self, search="M_" + t)["count"], 0)
        self.assertEqual([x["id"] for x in listing(
            self, search=a["phone_number"][2:])["results"]], [a["id"]])
        # An empty filter is no filter; unknown parameters are ignored.
        self.assertEqual(listing(self, state="rp" + t, city="",
                                 search="", whatever="x")["count"], 2)

    def test_pages(self):
        city, ids = self.people()
        for _ in range(3):
            ids.append(create(self, city=city, first_name="Dee")["id"])
        j = listing(self, city=city, page_size=3)
        self.assertEqual(j["count"], 7)
        self.assertIsNone(j["previous"])
        base = hm.env("HM_URL").rstrip("/")
        self.assertTrue(j["next"].startswith(base + PATIENTS + "?"), j)
        seen = [x["id"] for x in j["results"]]
        pages = 1
        while j["next"] is not None:
            nxt = j["next"]
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)
            self.assertEqual(q["city"], [city])
            self.assertEqual(q["page_size"], ["3"])
            r = call("doctor", "GET", nxt[len(base):])
            self.assertEqual(r.status, 200, r)
            j = r.json
            self.assertIsNotNone(j["previous"])
            seen += [x["id"] for x in j["results"]]
            pages += 1
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), 7)
        self.assertEqual(set(seen), set(ids))
        for bad in ("0", "-1", "last", "1.5", "4"):
            with self.subTest(page=bad):
                r = call("nurse", "GET", PATIENTS + "?" + urllib.parse.
                         urlencode({"city": city, "page_size": 3,
                                    "page": bad}))
                hm.problem(r, 404, "not_found")
        j = listing(self, city=city, page_size=1000)
        self.assertEqual(len(j["results"]), 7)
        self.assertIsNone(j["next"])
        r = call("nurse", "GET", PATIENTS + "?page_size=abc")
        assert_names(self, r, "page_size")

    def test_page_size_clamped(self):
        # 105 patients straight into the table: quicker than the API.
        city = "E2eMany" + hm.tag()
        with db() as conn:
            for i in range(105):
                pid, t = str(uuid.uuid4()), now()
                conn.execute(
                    "INSERT INTO patients (id, first_name, last_name,"
                    " date_of_birth, phone_number, city, created_at,"
                    " updated_at) VALUES (?, ?, 'Many', '1980-01-01', ?, ?,"
                    " ?, ?)", (pid, "P%03d" % i, phone(), city, t, t))
        j = listing(self, city=city, page_size=1000)
        self.assertEqual(j["count"], 105)
        self.assertEqual(len(j["results"]), 100)
        self.assertEqual([x["first_name"] for x in j["results"]],
                         ["P%03d" % i for i in range(100)])
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(j["next"]).query)
        self.assertEqual(q["page"], ["2"])
        j = listing(self, city=city, page_size=1000, page=2)
        self.assertEqual(len(j["results"]), 5)
        self.assertIsNone(j["next"])
        j = listing(self, city=city)
        self.assertEqual(len(j["results"]), 20)


# ---------------------------------------------------------- cookies

class Cookies(unittest.TestCase):
    """SPEC 4: a cookie-signed write needs X-CSRFToken; a foreign Origin
    is refused; reads need neither."""

    def test_csrf(self):
        u = user("staff")[0]
        s = hm.signed_in(self, u)
        b = body()
        r = s.post(PATIENTS, b, csrf=False)
        hm.problem(r, 403, "csrf_failed")
        self.assertEqual(count_where("phone_number", b["phone_number"]), 0)
        r = s.post(PATIENTS, b, headers={"X-CSRFToken": "wrong"})
        hm.problem(r, 403, "csrf_failed")
        r = s.post(PATIENTS, b)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        r = s.request("DELETE", detail(pid), csrf=False)
        hm.problem(r, 403, "csrf_failed")
        r = s.request("PATCH", detail(pid), {"city": "X"}, csrf=False)
        hm.problem(r, 403, "csrf_failed")
        r = s.get(detail(pid))
        self.assertEqual(r.status, 200, r)
        r = s.request("PUT", detail(pid), body(), headers={
            "Origin": "https://evil.example"})
        hm.problem(r, 403, "csrf_failed")
        r = s.request("DELETE", detail(pid))
        self.assertEqual(r.status, 204, r)

    def test_cookie_roles(self):
        u = user("nurse")[0]
        s = hm.signed_in(self, u)
        self.assertEqual(s.get(PATIENTS).status, 200)
        r = s.post(PATIENTS, body())
        hm.problem(r, 403, "permission_denied")

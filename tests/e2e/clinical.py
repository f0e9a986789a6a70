"""Helpers of the end-to-end tests of the clinical resources (patients,
devices, admissions, heart rates): rows written straight into the
stack's SQLite file (WAL: safe while the workers run), a user and a
Bearer token per role, and admitting a patient through the API."""

import datetime
import random
import sqlite3
import threading
import unittest
import uuid

import hm

ADMISSIONS = "/api/admissions/"


# ------------------------------------------------------------ the database

def db():
    conn = sqlite3.connect(hm.database_path(), timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


def add_patient(first="Pat", last=None):
    """Inserts a patient; returns its id."""
    pid = str(uuid.uuid4())
    t = now()
    with db() as conn:
        conn.execute(
            "INSERT INTO patients (id, first_name, last_name, date_of_birth,"
            " phone_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?,"
            " ?, ?)",
            (pid, first, last or "E2e" + hm.tag(), "1970-01-02",
             "+49%012d" % random.randrange(10 ** 12), t, t))
    return pid


def add_device(status="active"):
    """Inserts a device with "status"; returns its id."""
    did = str(uuid.uuid4())
    with db() as conn:
        conn.execute(
            "INSERT INTO devices (id, serial_number, model_name, status,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (did, "E2E-" + uuid.uuid4().hex[:16], "HM-1", status, now()))
    return did


def scalar(sql, *args):
    with db() as conn:
        return conn.execute(sql, args).fetchone()[0]


def open_of(column, value):
    """How many open admissions have "column" (patient_id, device_id)
    equal to "value"."""
    return scalar("SELECT count(*) FROM admissions WHERE is_discharged = 0"
                  " AND %s = ?" % column, value)


# ------------------------------------------------------------- the users

_tokens = {}
_tokens_lock = threading.Lock()


def token(role):
    """A Bearer access token of a user of "role" (the stack's admin, or
    a user registered and activated for this module)."""
    with _tokens_lock:
        if role not in _tokens:
            tc = unittest.TestCase()
            if role == "admin":
                who = {"email": hm.env("HM_ADMIN_EMAIL"),
                       "password": hm.env("HM_ADMIN_PASSWORD")}
            else:
                who = hm.make_user(tc, role)
            t = hm.get_tokens(tc, who)
            _tokens[role] = (t["access"], who)
        return _tokens[role][0]


def user(role):
    """The email and password of the user of "role"."""
    token(role)
    return _tokens[role][1]


def user_id(role):
    token(role)
    return hm.jwt_decode(_tokens[role][0])[1]["user_id"]


def call(role, method, path, body=None, raw_body=None, headers=None):
    """One request as "role" (None: anonymous)."""
    h = dict(headers or {})
    if role is not None:
        h.update(hm.bearer(token(role)))
    r = hm.request(method, path, body=body, raw_body=raw_body, headers=h)
    hm.assert_common_headers(r)
    return r


def admit(testcase, patient=None, device=None, role="staff", **extra):
    """Admits a new (or the given) patient onto a new (or the given)
    device; asserts 201 and returns the answer's JSON."""
    body = {"patient": patient or add_patient(),
            "assigned_device": device or add_device()}
    body.update(extra)
    r = call(role, "POST", ADMISSIONS, body)
    testcase.assertEqual(r.status, 201, r)
    return r.json

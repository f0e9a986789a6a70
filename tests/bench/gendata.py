#!/usr/bin/env python3
# Heart Monitor API: the benchmark's data, written straight into SQLite.
#
#   gendata.py DBFILE --readings N [--patients N] [--admissions N]
#              [--deep N] [--nurse EMAIL] [--staff EMAIL]
#
# The database must be migrated (hmctl migrate) and hold the users named
# (hmctl createsuperuser).  Writes, in one transaction each:
#   - N patients (default 10,000) with names from small lists, so that
#     ?search= finds a share of them;
#   - as many devices as admissions, and N open admissions (default 500)
#     of every 20th patient, admitted by the staff user;
#   - N readings (default 1,000,000) over the open admissions, one a
#     second per patient, handled by the nurse: the first admitted
#     patient (the "deep" one) gets --deep of them (default 150,000, so
#     that a page 100,000 readings deep exists), the others share the
#     rest.  If the schema has no readings table yet, they are skipped.
# The newest reading of every patient is 60 s old; ids are UUIDv7 (time
# then a counter).  Prints one JSON object describing what it wrote.
#
# Standard library only.  Only the readings are generated inside SQLite
# (a recursive CTE), so that ten million rows take minutes, not hours.

import argparse
import json
import sqlite3
import sys
import time

FIRST = ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Margaret",
         "Ken", "Dennis", "Frances", "John", "Mary", "Radia", "Niklaus",
         "Hedy", "Tim", "Katherine", "Linus", "Sophie", "Claude", "Annie",
         "Marvin", "Jean", "Leslie", "Shafi", "Tony", "Ivan", "Karen",
         "Butler", "Robin", "Fran", "Whitfield", "Lynn", "Peter", "Adele",
         "Charles", "Evelyn", "Gordon", "Ida", "Joan")
LAST = ("Johnson", "Martin", "Lovelace", "Hopper", "Dijkstra", "Liskov",
        "Knuth", "Hamilton", "Thompson", "Ritchie", "Allen", "McCarthy",
        "Perlman", "Wirth", "Lamarr", "Berners-Lee", "Johnson", "Torvalds",
        "Wilson", "Shannon", "Easley", "Minsky", "Bartik", "Lamport",
        "Goldwasser", "Hoare", "Sutherland", "Jones", "Lampson", "Milner",
        "Allen", "Diffie", "Conway", "Norvig", "Goldberg", "Babbage",
        "Berezin", "Moore", "Rhodes", "Clarke")
CITIES = ("Lyon", "Porto", "Leeds", "Graz", "Ghent", "Turku", "Brno", "Cork")

# Known columns of the readings table and how to fill them.  "{at}" is
# the SQL for measured_at in the column's type.
READING_COLUMNS = {
    "id": "printf('%08x-%04x-7%03x-%04x-%012x', ({ms}) >> 16, "
          "({ms}) & 65535, {u} & 4095, 32768 | (({u} >> 12) & 16383), {u})",
    "patient_id": "a.patient_id",
    "patient": "a.patient_id",
    "admission_id": "a.admission_id",
    "admission": "a.admission_id",
    "bpm": "{bpm}",
    "status": "CASE WHEN {bpm} < 60 THEN 'low' WHEN {bpm} > 100 "
              "THEN 'high' ELSE 'normal' END",
    "notes": "NULL",
    "handled_by": ":nurse",
    "measured_at": "{at}",
    "recorded_at": "{at}",
    "created_at": "{at}",
}


def rfc3339(ms):
    """RFC 3339 UTC text with milliseconds, as the service writes."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + \
        ".%03dZ" % (ms % 1000)


def uuid7(ms, counter):
    """A UUIDv7 of the time "ms" whose other bits are "counter"."""
    return "%08x-%04x-7%03x-%04x-%012x" % (
        (ms >> 16) & 0xffffffff, ms & 0xffff, counter & 0xfff,
        0x8000 | ((counter >> 12) & 0x3fff), counter & 0xffffffffffff)


def user_id(db, email):
    row = db.execute("SELECT id FROM users WHERE email = ?", (email,))
    row = row.fetchone()
    if row is None:
        sys.exit("gendata: no user %s (create it with hmctl first)" % email)
    return row[0]


def gen_patients(db, count, now_ms):
    rows = []
    for n in range(count):
        ms = now_ms - (count - n) * 60000
        first = FIRST[n % len(FIRST)]
        last = LAST[(n // len(FIRST)) % len(LAST)]
        dob = time.strftime("%Y-%m-%d",
                            time.gmtime(-946684800 + (n * 7919 % 25000)
                                        * 86400))
        rows.append((uuid7(ms, n), first, last,
                     ("male", "female", "other")[n % 3], dob,
                     "+1555%07d" % n, "patient%d@example.test" % n,
                     "%d Bench Street" % (n % 997 + 1),
                     None if n % 4 else "Flat %d" % (n % 50),
                     CITIES[n % len(CITIES)], None, "Nowhere",
                     "MRN%08d" % n, rfc3339(ms), rfc3339(ms)))
    db.executemany(
        "INSERT INTO patients (id, first_name, last_name, gender, "
        "date_of_birth, phone_number, email, address_line_1, "
        "address_line_2, city, state, country, medical_record_number, "
        "created_at, updated_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return [r[0] for r in rows]


def gen_admissions(db, patients, count, staff, admitted_ms):
    step = max(1, len(patients) // count)
    chosen = patients[::step][:count]
    if len(chosen) < count:
        sys.exit("gendata: %d admissions need as many patients" % count)
    devices, admissions = [], []
    for k, pid in enumerate(chosen):
        ms = admitted_ms + k
        did, aid = uuid7(ms, 1 << 20 | k), uuid7(ms, 2 << 20 | k)
        devices.append((did, "BENCH-%05d" % k, "HM-100", "Bench",
                        "active", rfc3339(ms)))
        admissions.append((aid, pid, did, staff, rfc3339(ms),
                           "W%d" % (k % 10 + 1), "B%d" % (k // 10 + 1)))
    db.executemany(
        "INSERT INTO devices (id, serial_number, model_name, manufacturer, "
        "status, created_at) VALUES (?, ?, ?, ?, ?, ?)", devices)
    db.executemany(
        "INSERT INTO admissions (id, patient_id, device_id, admitted_by, "
        "admission_date, is_discharged, ward, bed) "
        "VALUES (?, ?, ?, ?, ?, 0, ?, ?)", admissions)
    return [(a[0], a[1]) for a in admissions]


def reading_insert(db):
    """The INSERT ... SELECT for the readings table as it is, or None."""
    cols = db.execute("PRAGMA table_info(readings)").fetchall()
    if not cols:
        return None
    names, exprs = [], []
    for _, name, ctype, notnull, default, pk in cols:
        if name in READING_COLUMNS:
            intat = "INT" in (ctype or "").upper()
            names.append(name)
            exprs.append(READING_COLUMNS[name].format(
                ms="((:base + c.s) * 1000 + a.k)",
                u="(c.s * 1024 + a.k)",
                bpm="(40 + (c.s * 7 + a.k * 13) % 110)",
                at="((:base + c.s) * 1000 + a.k)" if intat else
                   "(strftime('%Y-%m-%dT%H:%M:%S', :base + c.s, "
                   "'unixepoch') || printf('.%03dZ', a.k))"))
        elif notnull and default is None and not pk:
            sys.exit("gendata: readings.%s is NOT NULL and unknown to "
                     "tests/bench/gendata.py: teach it the column" % name)
    return ("INSERT INTO readings (%s) "
            "WITH RECURSIVE c(s) AS (SELECT 0 UNION ALL SELECT s + 1 "
            "FROM c WHERE s < :maxcnt - 1) "
            "SELECT %s FROM c JOIN gen_adm AS a ON a.start <= c.s"
            % (", ".join(names), ", ".join(exprs)))


def gen_readings(db, admissions, total, deep, nurse, newest_s):
    sql = reading_insert(db)
    if sql is None:
        return None
    deep = min(deep, total)
    rest = len(admissions) - 1
    counts = [deep] + [(total - deep) // rest + (1 if k < (total - deep)
                       % rest else 0) for k in range(rest)]
    maxcnt = max(counts)
    db.execute("CREATE TEMP TABLE gen_adm (k INTEGER PRIMARY KEY, "
               "patient_id TEXT, admission_id TEXT, start INTEGER)")
    db.execute("CREATE INDEX temp.gen_adm_start ON gen_adm (start)")
    db.executemany("INSERT INTO gen_adm VALUES (?, ?, ?, ?)",
                   [(k, pid, aid, maxcnt - counts[k])
                    for k, (aid, pid) in enumerate(admissions)])
    db.execute(sql, {"base": newest_s - (maxcnt - 1), "maxcnt": maxcnt,
                     "nurse": nurse})
    db.execute("DROP TABLE temp.gen_adm")
    return {"total": sum(counts), "deep_patient": admissions[0][1],
            "deep_readings": deep, "per_other_patient": counts[-1],
            "newest_measured_at": rfc3339(newest_s * 1000),
            "oldest_measured_at": rfc3339((newest_s - maxcnt + 1) * 1000)}


def main():
    ap = argparse.ArgumentParser(prog="gendata.py")
    ap.add_argument("db")
    ap.add_argument("--patients", type=int, default=10000)
    ap.add_argument("--admissions", type=int, default=500)
    ap.add_argument("--readings", type=int, default=1000000)
    ap.add_argument("--deep", type=int, default=150000)
    ap.add_argument("--nurse", default="nurse@bench.test")
    ap.add_argument("--staff", default="staff@bench.test")
    a = ap.parse_args()
    if a.admissions < 2 or a.admissions > 1024:
        sys.exit("gendata: --admissions takes 2 to 1024")
    if a.patients < a.admissions:
        sys.exit("gendata: fewer patients than admissions")

    t0 = time.time()
    now_s = int(t0)
    newest_s = now_s - 60
    deep = min(a.deep, a.readings)
    longest = max(deep, a.readings // a.admissions + 1)
    # Admitted before the oldest reading, and at least 3 days ago.
    admitted_ms = (newest_s - max(longest + 3600, 3 * 86400)) * 1000
    db = sqlite3.connect(a.db, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 10000")
    # This connection only: a large page cache (the workers keep SQLite's
    # default) saves most of the reads and writes of building the indexes.
    db.execute("PRAGMA cache_size = -1048576")
    nurse, staff = user_id(db, a.nurse), user_id(db, a.staff)
    out = {"patients": a.patients, "admissions": a.admissions}
    db.execute("BEGIN IMMEDIATE")
    patients = gen_patients(db, a.patients, now_s * 1000)
    admissions = gen_admissions(db, patients, a.admissions, staff,
                                admitted_ms)
    db.execute("COMMIT")
    out["patients_seconds"] = round(time.time() - t0, 1)
    t1 = time.time()
    db.execute("BEGIN IMMEDIATE")
    readings = gen_readings(db, admissions, a.readings, deep, nurse,
                            newest_s)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    out["readings"] = readings
    out["readings_seconds"] = round(time.time() - t1, 1)
    if readings is None:
        out["note"] = "no readings table in the schema: readings skipped"
    out["patient_ids"] = patients
    out["admitted_patient_ids"] = [pid for _, pid in admissions]
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

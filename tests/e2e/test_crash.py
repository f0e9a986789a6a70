"""The crash test of issue 9 (SPEC 1, 6: "acknowledged writes survive
the crash of any process").

- Under 32 clients posting heart-rate readings, a random REST worker
  gets SIGKILL every 200 ms for HM_CRASH_SECONDS (default 60) seconds.
  Each client retries a failed post with its Idempotency-Key until it
  is acknowledged; the only failures allowed are nginx's 502/503
  problem answers (or a broken connection) of requests in flight on a
  killed worker, about one per kill.  Afterwards every acknowledged
  reading is in the SQLite file once, with the values that were
  posted, nothing else was stored, and PRAGMA integrity_check is ok.
- The supervisor, the mail worker (with a mail pending, then with one
  in the middle of its SMTP session) and nginx (master and workers at
  once, as systemd's cgroup kill) each get SIGKILL in turn.  In
  production systemd restarts them (Restart= in etc/); here the test
  plays systemd: it restarts the program with the command line, the
  environment, the folder and the log files the stack gave it (read
  from /proc before the kill), writes its pid file as ./dev does, and
  checks that nothing acknowledged or queued was lost.  The stack is
  left as it was found (same programs, same pid files), so that later
  tests and ./dev's stop_stack still work.
"""

import http.client
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import uuid

import hm
from clinical import admit

HEARTRATES = "/api/heartrates/"
CLIENTS = 32
PATIENTS = 8
KILL_EVERY = 0.2
RETRY_FOR = 60.0        # a reading not acknowledged by then is lost
DEAD_TIMEOUT = 5.0      # SIGKILL to gone (and PDEATHSIG to workers gone)
MAIL_WAIT = 20.0


def crash_seconds():
    return float(os.environ.get("HM_CRASH_SECONDS", "60"))


def log(msg):
    print("    crash: " + msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------ processes

def alive(pid):
    """Whether "pid" runs (a zombie has ended)."""
    st = hm._stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def wait_dead(testcase, pids, timeout=DEAD_TIMEOUT):
    left = hm.wait_for(lambda: not any(alive(p) for p in pids), timeout)
    testcase.assertTrue(left, "still running %.0f s after the kill: %r"
                        % (timeout, [p for p in pids if alive(p)]))


def kill(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
        return True
    except ProcessLookupError:
        return False


def tcp_sessions(pid, port):
    """How many established TCP connections process "pid" has to "port"
    (its socket inodes looked up in /proc/net/tcp and tcp6)."""
    inodes = set()
    fds = "/proc/%d/fd" % pid
    for fd in os.listdir(fds):
        try:
            link = os.readlink(os.path.join(fds, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            # remote address "HEX:PORT", state 01 ESTABLISHED, inode
            if int(f[2].rpartition(":")[2], 16) == port and \
                    f[3] == "01" and f[9] in inodes:
                n += 1
    return n


def write_pidfile(path, pid):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % pid)
    os.replace(tmp, path)


# Programs this module started: kept so that Python reaps them and
# never warns about a child still running.
STARTED = []


class Program:
    """How a running program of the stack was started, read from /proc
    before it is killed: argv, environment, working folder and where
    its stdout and stderr went (the stack's log files)."""

    def __init__(self, pid):
        self.pid = pid
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            self.argv = [a.decode() for a in f.read().split(b"\0") if a]
        self.env = {}
        with open("/proc/%d/environ" % pid, "rb") as f:
            for item in f.read().split(b"\0"):
                k, eq, v = item.decode("utf-8", "replace").partition("=")
                if eq and k:
                    self.env[k] = v
        self.cwd = os.readlink("/proc/%d/cwd" % pid)
        self.out = self._target(1)
        self.err = self._target(2)

    def _target(self, fd):
        try:
            t = os.readlink("/proc/%d/fd/%d" % (self.pid, fd))
        except OSError:
            return None
        return t if t.startswith("/") and os.path.isfile(t) else None

    def _open(self, path):
        return open(path, "ab") if path else subprocess.DEVNULL

    def start(self):
        """Starts the program again, in a session of its own (as the
        dev script's background job, it outlives this test)."""
        out, err = self._open(self.out), self._open(self.err)
        try:
            p = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd,
                                 stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=err, start_new_session=True)
        finally:
            for f in (out, err):
                if f is not subprocess.DEVNULL:
                    f.close()
        STARTED.append(p)
        return p.pid


class Nginx:
    """nginx's master rewrites its argv (and the environment behind it)
    into "nginx: master process nginx -p ... -c ...": the command line
    is taken from that title."""

    PREFIX = "nginx: master process "

    def __init__(self, pid):
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            title = f.read().replace(b"\0", b" ").decode().strip()
        if not title.startswith(self.PREFIX):
            raise AssertionError("not an nginx master: %r" % title)
        self.argv = title[len(self.PREFIX):].split()
        self.exe = os.path.realpath("/proc/%d/exe" % pid)
        self.cwd = os.readlink("/proc/%d/cwd" % pid)

    def start(self, testcase):
        """nginx daemonises: the command ends once the master runs."""
        p = subprocess.run(self.argv, executable=self.exe, cwd=self.cwd,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30, start_new_session=True)
        testcase.assertEqual(p.returncode, 0, "restarting nginx (%s): %r"
                             % (" ".join(self.argv), p.stdout + p.stderr))


def data_path(*parts):
    return os.path.join(hm.env("HM_DATA_DIR"), *parts)


def nginx_pidfile():
    return data_path("nginx", "nginx.pid")


# ------------------------------------------------------------- readings

def nurse_token(testcase):
    """A fresh nurse's access token: the module's own, so that it
    cannot expire during the run (15 minutes by default)."""
    who = hm.make_user(testcase, "nurse")
    return hm.get_tokens(testcase, who)["access"], who


def admitted_patients(testcase, n):
    return [admit(testcase)["patient"] for _ in range(n)]


def db_readings(marker):
    """The stored readings whose notes start with "marker": {notes:
    [rows]} (a list, to see duplicates)."""
    conn = sqlite3.connect("file:%s?mode=ro" % hm.database_path(),
                           uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT id, patient_id, bpm, status, notes, handled_by FROM "
            "readings WHERE notes LIKE ? || '%'", (marker,)).fetchall()
    finally:
        conn.close()
    out = {}
    for r in rows:
        out.setdefault(r[4], []).append(r)
    return out


def integrity():
    conn = sqlite3.connect("file:%s?mode=ro" % hm.database_path(),
                           uri=True, timeout=30)
    try:
        ok = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return ok, fk


class Poster:
    """Posts readings with an Idempotency-Key each, and retries a post
    that failed (nginx's 502/503, a broken connection) with the same key
    until it is acknowledged.  Keeps what was acknowledged and every
    failure.  One per thread."""

    def __init__(self, token, user_id, marker):
        self.token = token
        self.user_id = user_id
        self.marker = marker
        self.client = hm.Client(timeout=30)
        self.acked = {}         # notes -> (body, answer JSON)
        self.failures = []      # 502/503 statuses, connection errors
        self.wrong = []         # any other answer: never allowed
        self.lost = []          # not acknowledged within RETRY_FOR
        self.replayed = 0       # acknowledged by a replay after a failure

    def post(self, patient, bpm, notes):
        body = {"patient": patient, "bpm": bpm, "notes": notes}
        headers = dict(hm.bearer(self.token))
        headers["Idempotency-Key"] = str(uuid.uuid4())
        deadline = time.monotonic() + RETRY_FOR
        tries = 0
        while time.monotonic() < deadline:
            tries += 1
            try:
                r = self.client.request("POST", HEARTRATES, body=body,
                                        headers=headers)
            except (OSError, http.client.HTTPException) as e:
                self.failures.append(type(e).__name__)
                time.sleep(0.02)
                continue
            except AssertionError as e:     # the OpenAPI check
                self.wrong.append("%s: %s" % (notes, e))
                return None
            if r.status in (502, 503):
                try:
                    hm.problem(r, r.status)
                    hm.assert_common_headers(r)
                except AssertionError as e:
                    self.wrong.append("%s: %s" % (notes, e))
                    return None
                self.failures.append(r.status)
                time.sleep(0.02)
                continue
            j = r.json if isinstance(r.json, dict) else {}
            if r.status != 201 or (j.get("patient"), j.get("bpm"),
                                   j.get("notes"), j.get("handled_by")) \
                    != (patient, bpm, notes, self.user_id):
                self.wrong.append("%s: %r" % (notes, r))
                return None
            if tries > 1 and r.headers.get("Idempotent-Replayed"):
                self.replayed += 1
            self.acked[notes] = (body, j)
            return j
        self.lost.append(notes)
        return None

    def close(self):
        self.client.close()


# ================================================================ tests

class WorkersKilledUnderLoad(unittest.TestCase):

    def setUp(self):
        self.count = len(hm.worker_pids())
        self.assertTrue(self.count, "the supervisor has no workers")
        # Leave the pool whole for the next test, whatever happens here.
        self.addCleanup(hm.wait_pool_ready, self, self.count, 15)

    def test_no_acknowledged_reading_lost(self):
        seconds = crash_seconds()
        token, who = nurse_token(self)
        uid = hm.jwt_decode(token)[1]["user_id"]
        patients = admitted_patients(self, PATIENTS)
        marker = "crash-%s-" % hm.tag()
        stop = threading.Event()
        posters = [Poster(token, uid, marker) for _ in range(CLIENTS)]
        kills = []

        def client(i, p):
            seq = 0
            try:
                while not stop.is_set():
                    seq += 1
                    p.post(patients[i % PATIENTS], random.randint(20, 300),
                           "%s%d-%d" % (marker, i, seq))
            except Exception as e:          # noqa: BLE001 (reported)
                p.wrong.append("client %d died: %r" % (i, e))
            finally:
                p.close()

        def killer():
            t0 = time.monotonic()
            n = 0
            while True:
                n += 1
                wake = t0 + n * KILL_EVERY
                if wake - t0 > seconds:
                    break
                time.sleep(max(0.0, wake - time.monotonic()))
                pids = sorted(hm.worker_pids())
                if pids and kill(random.choice(pids)):
                    kills.append(time.monotonic() - t0)

        threads = [threading.Thread(target=client, args=(i, p))
                   for i, p in enumerate(posters)]
        k = threading.Thread(target=killer)
        t0 = time.monotonic()
        for t in threads:
            t.start()
        k.start()
        k.join(seconds + 30)
        stop.set()
        deadline = time.monotonic() + RETRY_FOR + 40
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        elapsed = time.monotonic() - t0
        self.assertFalse(k.is_alive() or any(t.is_alive() for t in threads),
                         "client or killer threads hung")

        acked = {}
        for p in posters:
            acked.update(p.acked)
        failures = [f for p in posters for f in p.failures]
        wrong = [w for p in posters for w in p.wrong]
        lost = [n for p in posters for n in p.lost]
        replayed = sum(p.replayed for p in posters)
        by_kind = {}
        for f in failures:
            by_kind[f] = by_kind.get(f, 0) + 1
        log("%.0f s, %d kills, %d readings acknowledged (%.0f/s), "
            "%d failed requests %r, %d acknowledged by a replay after a "
            "failure" % (elapsed, len(kills), len(acked),
                         len(acked) / elapsed, len(failures), by_kind,
                         replayed))

        self.assertEqual(wrong, [], "answers other than 201, 502, 503")
        self.assertEqual(lost, [], "readings never acknowledged")
        self.assertGreaterEqual(len(kills), seconds / KILL_EVERY / 2,
                                "too few workers killed")
        self.assertGreater(len(acked), CLIENTS)
        # A worker serves one request at a time: a kill fails the one it
        # had in hand, if any.  Loosely: never more than two per kill.
        self.assertLessEqual(len(failures), 2 * len(kills) + CLIENTS,
                             "%d failures for %d kills"
                             % (len(failures), len(kills)))

        stored = db_readings(marker)
        dup = {n: rows for n, rows in stored.items() if len(rows) > 1}
        self.assertEqual(dup, {}, "readings stored twice")
        missing = sorted(set(acked) - set(stored))
        self.assertEqual(missing, [], "acknowledged but not stored")
        extra = sorted(set(stored) - set(acked))
        self.assertEqual(extra, [], "stored but never acknowledged")
        for notes, (body, j) in acked.items():
            (rid, patient, bpm, status, _, handled_by), = stored[notes]
            self.assertEqual((rid, patient, bpm, status, handled_by),
                             (j["id"], body["patient"], body["bpm"],
                              j["status"], uid), notes)
        ok, fk = integrity()
        self.assertEqual(ok, ["ok"], "PRAGMA integrity_check")
        self.assertEqual(fk, [], "PRAGMA foreign_key_check")


class ProgramsKilledAndRestarted(unittest.TestCase):
    """Each test kills one program with SIGKILL and restarts it as
    systemd would; a cleanup restarts it too if the test fails
    between."""

    @classmethod
    def setUpClass(cls):
        tc = unittest.TestCase()
        cls.token, cls.who = nurse_token(tc)
        cls.uid = hm.jwt_decode(cls.token)[1]["user_id"]
        cls.patient = admitted_patients(tc, 1)[0]

    def post(self, bpm=72, key=None, timeout=hm.DEFAULT_TIMEOUT):
        headers = dict(hm.bearer(self.token))
        headers["Idempotency-Key"] = key or str(uuid.uuid4())
        return hm.request("POST", HEARTRATES, headers=headers, timeout=timeout,
                          body={"patient": self.patient, "bpm": bpm,
                                "notes": "crash-restart"})

    def acknowledged(self, n=5):
        out = []
        for i in range(n):
            r = self.post(60 + i)
            self.assertEqual(r.status, 201, r)
            out.append(r.json)
        return out

    def assert_stored(self, readings):
        """Each reading is served by the API and stored once."""
        for j in readings:
            r = hm.request("GET", HEARTRATES + j["id"] + "/",
                           headers=hm.bearer(self.token))
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["bpm"], r.json["patient"]),
                             (j["bpm"], j["patient"]))
        conn = sqlite3.connect("file:%s?mode=ro" % hm.database_path(),
                               uri=True, timeout=30)
        try:
            for j in readings:
                n = conn.execute("SELECT count(*) FROM readings WHERE id = ?",
                                 (j["id"],)).fetchone()[0]
                self.assertEqual(n, 1, j)
        finally:
            conn.close()
        ok, _ = integrity()
        self.assertEqual(ok, ["ok"])

    # -------------------------------------------------------- supervisor

    def restart_supervisor(self, prog):
        """Starts "prog" again unless a supervisor runs (a cleanup)."""
        pidfile = hm.env("HM_SUPERVISOR_PIDFILE")
        try:
            if alive(hm.read_pid(pidfile)):
                return
        except (OSError, ValueError):
            pass
        write_pidfile(pidfile, prog.start())

    def test_supervisor(self):
        count = len(hm.worker_pids())
        before = self.acknowledged()
        sup = hm.supervisor_pid()
        workers = hm.worker_pids()
        prog = Program(sup)
        self.addCleanup(hm.wait_pool_ready, self, count, 15)
        self.addCleanup(self.restart_supervisor, prog)

        kill(sup)
        wait_dead(self, [sup])
        # Its workers end too (PR_SET_PDEATHSIG): no orphans.
        wait_dead(self, workers)
        # nginx answers at once, with a problem, not a hang; the post is
        # not stored, and its retry after the restart is.
        key = str(uuid.uuid4())
        for what in ("health", "post"):
            t = time.monotonic()
            r = (hm.request("GET", "/api/health/", timeout=10)
                 if what == "health" else self.post(99, key, timeout=10))
            took = time.monotonic() - t
            hm.problem(r, (502, 503))
            hm.assert_common_headers(r)
            self.assertLess(took, 2.0, "%s took %.1f s" % (what, took))
        # The socket file the dead supervisor left must not stop the
        # new one.
        self.assertTrue(os.path.exists(hm.env("HM_SOCKET")))

        self.restart_supervisor(prog)
        hm.wait_pool_ready(self, count, 15)
        self.assertNotEqual(hm.supervisor_pid(), sup)
        self.assertEqual(hm.worker_pids() & workers, set())
        self.assert_stored(before)
        r = self.post(99, key)
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.headers.get("Idempotent-Replayed"), r)
        self.assert_stored(before + [r.json])

    # -------------------------------------------------------------- mail

    def mailer_pidfile(self):
        return data_path("run", "mailer.pid")

    def restart_mailer(self, prog):
        try:
            if alive(hm.read_pid(self.mailer_pidfile())):
                return
        except (OSError, ValueError):
            pass
        write_pidfile(self.mailer_pidfile(), prog.start())

    def outbox(self, recipient):
        conn = sqlite3.connect("file:%s?mode=ro" % hm.database_path(),
                               uri=True, timeout=30)
        try:
            rows = conn.execute(
                "SELECT id, status, attempts, next_attempt_at, last_error, "
                "sent_at FROM outbox WHERE recipient = ?",
                (recipient,)).fetchall()
        finally:
            conn.close()
        keys = ("id", "status", "attempts", "next_attempt_at",
                "last_error", "sent_at")
        return [dict(zip(keys, r)) for r in rows]

    def due(self):
        """How many mails are pending and due."""
        conn = sqlite3.connect("file:%s?mode=ro" % hm.database_path(),
                               uri=True, timeout=30)
        try:
            return conn.execute(
                "SELECT count(*) FROM outbox WHERE status = 'pending' AND "
                "next_attempt_at <= ?", (int(time.time() * 1000),)
            ).fetchone()[0]
        finally:
            conn.close()

    def queue_test_mail(self, to):
        st, out, err = hm.hmctl("mail", "test", "--to", to)
        self.assertEqual(st, 0, out + err)
        rows = self.outbox(to)
        self.assertEqual(len(rows), 1, rows)
        return rows[0]

    def assert_delivered_once(self, to):
        """One mail to "to" in the sink, the outbox row sent after one
        attempt, and no second copy a little later."""
        hm.wait_mails(to, 1, MAIL_WAIT)
        ok = hm.wait_for(lambda: self.outbox(to)[0]["status"] == "sent",
                         MAIL_WAIT, 0.1)
        row = self.outbox(to)[0]
        self.assertTrue(ok, row)
        self.assertEqual((row["attempts"], row["last_error"]), (1, None),
                         row)
        self.assertTrue(row["sent_at"], row)
        time.sleep(1.5)
        self.assertEqual(len(hm.mails_to(to)), 1, "mail sent twice")

    def needs_sink(self):
        if not os.path.exists(data_path("run", "smtp.addr")):
            raise unittest.SkipTest("the stack mails a real relay")

    def test_mailer_with_mail_pending(self):
        self.needs_sink()
        pid = hm.read_pid(self.mailer_pidfile())
        prog = Program(pid)
        self.addCleanup(self.restart_mailer, prog)
        to = "crash-%s@hospital.test" % hm.tag()
        # Stopped, so that the mail is surely pending when it dies; a
        # stop inside the mailer's own transaction would hold hmctl's.
        kill(pid, signal.SIGSTOP)
        st, out, err = hm.hmctl("mail", "test", "--to", to)
        if st != 0:
            kill(pid, signal.SIGCONT)
            time.sleep(0.2)
            kill(pid, signal.SIGSTOP)
            st, out, err = hm.hmctl("mail", "test", "--to", to)
        self.assertEqual(st, 0, out + err)
        row = self.outbox(to)[0]
        self.assertEqual((row["status"], row["attempts"]), ("pending", 0))
        kill(pid)
        wait_dead(self, [pid])
        self.assertEqual(hm.mails_to(to), [])

        self.restart_mailer(prog)
        self.assertNotEqual(hm.read_pid(self.mailer_pidfile()), pid)
        self.assert_delivered_once(to)

    def test_mailer_in_the_middle_of_a_delivery(self):
        """The SMTP sink is stopped (SIGSTOP), so that the mailer that
        takes the mail waits in the SMTP session for the greeting; it
        dies there.  The mail stays pending, untried, leased for at most
        7 EMAIL_TIMEOUT + 60 s (lib/mailer.c) so that no second mailer
        sends it meanwhile; "hmctl mail retry" makes it due at once,
        and the restarted mailer delivers it, once."""
        self.needs_sink()
        sink = hm.read_pid(data_path("run", "smtp.pid"))
        pid = hm.read_pid(self.mailer_pidfile())
        prog = Program(pid)
        self.addCleanup(self.restart_mailer, prog)
        self.addCleanup(kill, sink, signal.SIGCONT)
        to = "crash-%s@hospital.test" % hm.tag()
        # Mail queued earlier (the nurse's activation) goes first, so
        # that the mailer takes this one when the sink stops: nothing
        # due, and no SMTP session open (a mail being sent is not due,
        # and stopping the sink in its session would hold the mailer
        # there, away from this one, for EMAIL_TIMEOUT).
        port = int(open(data_path("run", "smtp.addr")).read()
                   .strip().rpartition(":")[2])
        self.assertTrue(hm.wait_for(lambda: self.due() == 0 and
                                    not tcp_sessions(pid, port),
                                    MAIL_WAIT, 0.1),
                        "the outbox does not drain")
        kill(sink, signal.SIGSTOP)
        row = self.queue_test_mail(to)
        queued_at = row["next_attempt_at"]
        # Taken: the lease moved its next attempt into the future.
        taken = hm.wait_for(lambda: self.outbox(to)[0]["next_attempt_at"]
                            > queued_at + 30000, 10, 0.05)
        self.assertTrue(taken, "the mailer did not take the mail: %r"
                        % self.outbox(to))
        time.sleep(0.3)         # inside the SMTP session by now
        kill(pid)
        wait_dead(self, [pid])
        kill(sink, signal.SIGCONT)
        self.restart_mailer(prog)

        row = self.outbox(to)[0]
        self.assertEqual((row["status"], row["attempts"],
                          row["last_error"]), ("pending", 0, None), row)
        timeout = int(hm.read_config().get("EMAIL_TIMEOUT", "30"))
        self.assertLessEqual(row["next_attempt_at"],
                             time.time() * 1000 + (7 * timeout + 60) * 1000)
        self.assertEqual(hm.mails_to(to), [])
        st, out, err = hm.hmctl("mail", "retry", row["id"])
        self.assertEqual(st, 0, out + err)
        self.assert_delivered_once(to)

    # ------------------------------------------------------------- nginx

    def restart_nginx(self, prog):
        try:
            if alive(hm.read_pid(nginx_pidfile())):
                return
        except (OSError, ValueError):
            pass
        prog.start(self)

    def test_nginx(self):
        before = self.acknowledged()
        master = hm.read_pid(nginx_pidfile())
        prog = Nginx(master)
        self.addCleanup(self.restart_nginx, prog)
        # systemd's cgroup kill: every process of the unit at once.
        group = [master] + sorted(hm.children(master))
        self.assertGreater(len(group), 1, "nginx has no workers")
        for p in group:
            kill(p)
        wait_dead(self, group)
        with self.assertRaises(OSError):
            hm.request("GET", "/api/health/", timeout=5)

        self.restart_nginx(prog)
        new = hm.wait_for(lambda: os.path.exists(nginx_pidfile()) and
                          hm.read_pid(nginx_pidfile()) != master, 10)
        self.assertTrue(new, "nginx did not write its pid file")
        self.assertTrue(alive(hm.read_pid(nginx_pidfile())))

        def healthy():
            try:
                return hm.request("GET", "/api/health/",
                                  timeout=5).status == 200
            except OSError:
                return False
        self.assertTrue(hm.wait_for(healthy, 10, 0.1),
                        "HTTPS does not work after the restart")
        self.assert_stored(before)
        after = self.acknowledged(1)
        self.assert_stored(before + after)


if __name__ == "__main__":
    unittest.main()

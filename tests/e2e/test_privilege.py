"""Least privilege (issue #9, lib/priv.h).  Started as root, every
program becomes SERVICE_USER for good before it touches the database,
and refuses to start without an account to become; the database and its
-wal and -shm files are the service user's, mode 0600, in a folder
closed to everyone else, which the programs refuse otherwise.

Every test here starts the programs as root, so the module is skipped
when the suite does not run as root (the programs then stay the
caller's account and there is nothing to drop)."""

import os
import shutil
import signal
import sqlite3
import stat
import tempfile
import unittest

import hm

READY_TIMEOUT = 10.0
EXIT_TIMEOUT = 5.0


def setUpModule():
    if os.geteuid() != 0:
        raise unittest.SkipTest("the programs drop root only when started "
                                "as root, and the suite does not run as "
                                "root")


def ids(pid, task=None):
    """The real, effective, saved and filesystem uids and gids, and the
    supplementary groups, of "pid" (or its thread "task")."""
    path = "/proc/%d/status" % pid if task is None else \
        "/proc/%d/task/%d/status" % (pid, task)
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("Uid", "Gid", "Groups"):
                out[k] = [int(x) for x in v.split()]
    return out


def program(name):
    """A program of the build beside HM_HMCTL (fcgi/ or mailer/)."""
    build = os.path.dirname(os.path.dirname(hm.env("HM_HMCTL")))
    sub = "mailer" if name == "heartmonitor-mailer" else "fcgi"
    return os.path.join(build, sub, name)


class Privilege(unittest.TestCase):
    """A temporary folder, given to the service user, for each test."""

    def setUp(self):
        self.pw = hm.service_user()
        self.tmp = tempfile.mkdtemp(prefix="hm-e2e-priv-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        hm.give_to_service(self.tmp)
        self.sock = os.path.join(self.tmp, "worker.sock")
        self.db = os.path.join(self.tmp, "db", "hm.db")

    def config(self, **keys):
        """A copy of the stack's configuration with "keys" set."""
        return hm.write_config(os.path.join(self.tmp, "hm.conf"),
                               set_=keys)

    def db_folder(self, mode=0o700, give=True):
        d = os.path.dirname(self.db)
        os.mkdir(d)
        os.chmod(d, mode)
        if give:
            hm.give_to_service(d)
        return d

    def start(self, argv):
        p = hm.Proc(argv, env=hm.clean_env())
        self.addCleanup(p.stop)
        return p

    def refused(self, argv):
        """Runs "argv" to its end: it must fail at once; its stderr."""
        p = self.start(argv)
        status = p.wait(EXIT_TIMEOUT)
        self.assertIsNotNone(status, "still running after %.0f s: %s"
                             % (EXIT_TIMEOUT, p.describe()))
        self.assertEqual(status, 1, p.describe())
        return p.stderr

    def every_program(self, cfg):
        """(name, argv) of each program, with configuration "cfg"."""
        return [
            ("heartmonitor-fcgi", [program("heartmonitor-fcgi"), "-c", cfg,
                                   "--listen", "unix:" + self.sock]),
            ("heartmonitor-stream", [program("heartmonitor-stream"), "-c",
                                     cfg, "--listen", "unix:" + self.sock]),
            ("heartmonitor-mailer", [program("heartmonitor-mailer"), "-c",
                                     cfg, "--once"]),
            ("hmctl", [hm.env("HM_HMCTL"), "-c", cfg, "migrate"]),
        ]

    def assert_service_ids(self, pid, what):
        """Every uid and gid of "pid" and its threads is the service
        user's, and root's group is none of its groups."""
        for task in [int(t) for t in os.listdir("/proc/%d/task" % pid)]:
            got = ids(pid, task)
            self.assertEqual(got["Uid"], [self.pw.pw_uid] * 4,
                             "%s (pid %d, thread %d): real, effective, "
                             "saved and fs uids" % (what, pid, task))
            self.assertEqual(got["Gid"], [self.pw.pw_gid] * 4,
                             "%s (pid %d, thread %d): gids"
                             % (what, pid, task))
            self.assertNotIn(0, got["Groups"], what)

    def assert_service_file(self, path, mode=0o600):
        st = os.stat(path)
        self.assertEqual((st.st_uid, st.st_gid),
                         (self.pw.pw_uid, self.pw.pw_gid),
                         "%s is not the service user's" % path)
        self.assertEqual(stat.S_IMODE(st.st_mode), mode,
                         "%s: mode %o" % (path, stat.S_IMODE(st.st_mode)))

    # ------------------------------------------------- without an account

    def test_refuses_root_without_an_account(self):
        """SERVICE_USER empty, naming no account, or root: each program
        exits 1 at once, says why, and makes neither socket nor
        database."""
        self.db_folder()
        cases = [("", "SERVICE_USER is empty"),
                 ("no-such-account-e2e", "names no account"),
                 ("root", "is root (uid 0)")]
        for user, says in cases:
            cfg = self.config(SERVICE_USER=user, DATABASE_PATH=self.db)
            for name, argv in self.every_program(cfg):
                with self.subTest(user=user, program=name):
                    err = self.refused(argv)
                    self.assertIn(says, err)
                    self.assertIn("SERVICE_USER", err)
                    self.assertFalse(os.path.exists(self.sock),
                                     "a socket was made")
                    self.assertFalse(os.path.exists(self.db),
                                     "a database was made")

    # ------------------------------------------------------ with an account

    def test_pool_runs_as_service_user(self):
        """Started as root with --listen, the supervisor and each worker
        are the service user through and through; the socket is theirs
        (mode 0660); SIGTERM still removes it."""
        p = self.start([program("heartmonitor-fcgi"), "-c", self.config(),
                        "--listen", "unix:" + self.sock, "--workers", "2"])
        r = hm.wait_fcgi_health(self, p, "unix:" + self.sock, READY_TIMEOUT)
        hm.assert_health(self, hm.from_fcgi(r))
        self.assertTrue(hm.wait_for(lambda: len(hm.children(p.pid)) == 2,
                                    READY_TIMEOUT), p.describe())
        self.assert_service_ids(p.pid, "supervisor")
        for w in hm.children(p.pid):
            self.assert_service_ids(w, "worker")
        self.assert_service_file(self.sock, 0o660)
        self.assertIn("started as root: running as %s" % self.pw.pw_name,
                      p.stderr)
        p.signal(signal.SIGTERM)
        self.assertEqual(p.wait(EXIT_TIMEOUT), 0, p.describe())
        self.assertFalse(os.path.exists(self.sock),
                         "the socket was left behind")

    def test_stream_runs_as_service_user(self):
        """heartmonitor-stream: every thread of every process."""
        p = self.start([program("heartmonitor-stream"), "-c", self.config(),
                        "--listen", "unix:" + self.sock])
        self.assertTrue(hm.wait_for(lambda: len(hm.children(p.pid)) == 1 and
                                    "holding up to" in p.stderr,
                                    READY_TIMEOUT), p.describe())
        self.assert_service_ids(p.pid, "supervisor")
        for w in hm.children(p.pid):
            self.assertGreater(len(os.listdir("/proc/%d/task" % w)), 1)
            self.assert_service_ids(w, "stream process")
        self.assert_service_file(self.sock, 0o660)

    def test_mailer_runs_as_service_user(self):
        """On a database of its own, so that it delivers none of the
        stack's mail."""
        self.db_folder()
        cfg = self.config(DATABASE_PATH=self.db)
        st, out, err = hm.run([hm.env("HM_HMCTL"), "-c", cfg, "migrate"],
                              env=hm.clean_env())
        self.assertEqual(st, 0, out + err)
        p = self.start([program("heartmonitor-mailer"), "-c", cfg])
        self.assertTrue(hm.wait_for(lambda: "version" in p.stderr,
                                    READY_TIMEOUT), p.describe())
        self.assertIsNone(p.poll(), p.describe())
        self.assert_service_ids(p.pid, "mailer")

    # ------------------------------------------------------ the database

    def test_database_is_the_service_users(self):
        """hmctl, run as root, makes the database as the service user,
        mode 0600; root's own SQLite connections (as these tests make)
        leave -wal and -shm files the service user owns, mode 0600; and
        the service user writes after them."""
        self.db_folder()
        cfg = self.config(DATABASE_PATH=self.db)
        hmctl = [hm.env("HM_HMCTL"), "-c", cfg]
        st, out, err = hm.run(hmctl + ["migrate"], env=hm.clean_env())
        self.assertEqual(st, 0, out + err)
        self.assert_service_file(self.db)
        self.assertFalse(os.path.exists(self.db + "-wal"))
        conn = sqlite3.connect(self.db)
        try:
            conn.execute("PRAGMA user_version").fetchone()
            conn.execute("CREATE TABLE e2e_root (x)")
            conn.commit()
            for suffix in ("-wal", "-shm"):
                self.assert_service_file(self.db + suffix)
        finally:
            conn.close()
        st, out, err = hm.run(hmctl + ["device", "add", "--serial",
                                       "SN-PRIV-" + hm.tag(), "--model",
                                       "M"], env=hm.clean_env())
        self.assertEqual(st, 0, out + err)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.db + suffix):
                self.assert_service_file(self.db + suffix)

    def test_stack_database_files(self):
        """The running stack's database and its -wal and -shm: the
        service user's, mode 0600, in a folder of mode 0700."""
        db = hm.database_path()
        self.assert_service_file(os.path.dirname(db), 0o700)
        for suffix in ("", "-wal", "-shm"):
            if suffix == "" or os.path.exists(db + suffix):
                self.assert_service_file(db + suffix)

    def test_open_folder_refused(self):
        """A database folder open to group or others, or another
        account's, stops every program, naming the folder."""
        d = self.db_folder(0o755)
        cfg = self.config(DATABASE_PATH=self.db)
        for name, argv in self.every_program(cfg):
            with self.subTest(program=name):
                err = self.refused(argv)
                self.assertIn("database folder %s is open to group or "
                              "others (mode 0755)" % d, err)
                self.assertFalse(os.path.exists(self.db))
        os.chmod(d, 0o700)
        os.chown(d, 0, 0)
        for name, argv in self.every_program(cfg):
            with self.subTest(program=name, owner="root"):
                err = self.refused(argv)
                self.assertIn("database folder %s belongs to uid 0 (root)"
                              % d, err)

    def test_root_owned_database_refused(self):
        """A database file root made (the classic pitfall) is refused
        with the fix, not opened read-only."""
        self.db_folder()
        cfg = self.config(DATABASE_PATH=self.db)
        st, out, err = hm.run([hm.env("HM_HMCTL"), "-c", cfg, "migrate"],
                              env=hm.clean_env())
        self.assertEqual(st, 0, out + err)
        os.chown(self.db, 0, 0)
        for name, argv in self.every_program(cfg):
            with self.subTest(program=name):
                err = self.refused(argv)
                self.assertIn("%s belongs to uid 0 (root)" % self.db, err)
                self.assertIn("chown", err)

    def test_open_database_file_made_private(self):
        """A database file open to others (made before this version) is
        made 0600 at start, with a warning."""
        self.db_folder()
        cfg = self.config(DATABASE_PATH=self.db)
        hmctl = [hm.env("HM_HMCTL"), "-c", cfg]
        st, out, err = hm.run(hmctl + ["migrate"], env=hm.clean_env())
        self.assertEqual(st, 0, out + err)
        os.chmod(self.db, 0o644)
        st, out, err = hm.run(hmctl + ["migrate"], env=hm.clean_env())
        self.assertEqual(st, 0, out + err)
        self.assertIn("was open to group or others (mode 0644): made it "
                      "0600", err)
        self.assert_service_file(self.db)


if __name__ == "__main__":
    unittest.main()

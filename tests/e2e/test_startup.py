"""The three ways a worker starts (SPEC 1): spawn-fcgi, systemd socket
activation, and its own --listen; clean shutdown on SIGTERM; refusal to
start with a bad configuration or a database newer than the program
(SPEC 6).  Each test runs its own worker in a temporary directory and
talks FastCGI to it directly (no nginx)."""

import os
import shutil
import signal
import socket
import sqlite3
import tempfile
import threading
import time
import unittest

import fcgi_client
import hm

READY_TIMEOUT = 10.0
EXIT_TIMEOUT = 5.0


def fcgi_health(address, **kw):
    return fcgi_client.request(address, "GET", "/api/health/", **kw)


class WorkerCase(unittest.TestCase):
    """A temporary directory and helpers to start and wait for workers."""

    def setUp(self):
        self.fcgi = hm.env("HM_FCGI")
        self.config = hm.env("HM_CONFIG")
        self.tmp = tempfile.mkdtemp(prefix="hm-e2e-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        # Run as root, the worker becomes the service user after it
        # binds: it must still be able to remove its socket on exit.
        hm.give_to_service(self.tmp)
        self.sock = os.path.join(self.tmp, "worker.sock")

    def start(self, argv, env=None):
        p = hm.Proc(argv, env=env if env is not None else hm.clean_env())
        self.addCleanup(p.stop)
        return p

    def wait_ready(self, proc, address):
        return hm.wait_fcgi_health(self, proc, address, READY_TIMEOUT)

    def assert_fcgi_health(self, r):
        self.assertEqual(r.protocol_status, fcgi_client.FCGI_REQUEST_COMPLETE)
        hm.assert_health(self, hm.from_fcgi(r))

    def assert_clean_exit(self, proc):
        status = proc.wait(EXIT_TIMEOUT)
        self.assertIsNotNone(status, "still running %.0f s after SIGTERM: %s"
                             % (EXIT_TIMEOUT, proc.describe()))
        self.assertEqual(status, 0, proc.describe())


class StartModes(WorkerCase):

    def test_spawn_fcgi(self):
        spawn = hm.need_program("spawn-fcgi")
        p = self.start([spawn, "-s", self.sock, "-n", "--",
                        self.fcgi, "--config", self.config])
        self.assert_fcgi_health(self.wait_ready(p, "unix:" + self.sock))
        # Several requests in a row on the one listening socket.
        for _ in range(5):
            self.assert_fcgi_health(fcgi_health("unix:" + self.sock))

    def test_systemd_socket_activation(self):
        activate = hm.need_program("systemd-socket-activate")
        p = self.start([activate, "-l", self.sock, self.fcgi,
                        "--config", self.config, "--workers", "2"])
        self.assert_fcgi_health(self.wait_ready(p, "unix:" + self.sock))
        for _ in range(5):
            self.assert_fcgi_health(fcgi_health("unix:" + self.sock))

    def test_listen_unix_and_sigterm(self):
        p = self.start([self.fcgi, "--config", self.config,
                        "--listen", "unix:" + self.sock, "--workers", "2"])
        self.assert_fcgi_health(self.wait_ready(p, "unix:" + self.sock))
        for _ in range(5):
            self.assert_fcgi_health(fcgi_health("unix:" + self.sock))
        p.signal(signal.SIGTERM)
        self.assert_clean_exit(p)
        self.assertFalse(os.path.exists(self.sock),
                         "socket file left behind after SIGTERM")

    def test_listen_tcp_and_sigterm(self):
        port = hm.free_port()
        addr = "127.0.0.1:%d" % port
        p = self.start([self.fcgi, "--config", self.config,
                        "--listen", addr, "--workers", "2"])
        self.assert_fcgi_health(self.wait_ready(p, addr))
        for _ in range(5):
            self.assert_fcgi_health(fcgi_health(addr))
        p.signal(signal.SIGTERM)
        self.assert_clean_exit(p)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()

    def test_requests_in_flight_at_sigterm_are_whole(self):
        for round_ in range(2):
            with self.subTest(round=round_):
                self._sigterm_under_requests()

    def _sigterm_under_requests(self):
        """Four clients send requests back to back, and two slow ones
        connect and only send their request 0.4 s later, so that SIGTERM
        (at 0.1 s) finds workers inside requests and between accepting a
        connection and reading it.  Each request gets its whole answer
        or none at all (refused, or closed unanswered); the process exits
        0 within 5 s and removes its socket."""
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        p = self.start([self.fcgi, "--config", self.config,
                        "--listen", "unix:" + self.sock, "--workers", "2"])
        self.wait_ready(p, "unix:" + self.sock)
        outcomes = []
        lock = threading.Lock()
        stop = threading.Event()

        def ask(pause):
            try:
                return fcgi_health("unix:" + self.sock, timeout=10,
                                   pause=pause)
            except (ConnectionRefusedError, FileNotFoundError,
                    fcgi_client.FcgiNoAnswer):
                return "refused"
            except Exception as e:      # truncated, timeout, garbage
                return e

        def fast():
            while not stop.is_set():
                o = ask(0)
                with lock:
                    outcomes.append(o)
                if o == "refused":
                    return

        def slow():
            o = ask(0.4)
            with lock:
                outcomes.append(o)

        threads = [threading.Thread(target=slow) for _ in range(2)] + \
            [threading.Thread(target=fast) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.1)
        p.signal(signal.SIGTERM)
        status = p.wait(EXIT_TIMEOUT)
        stop.set()
        for t in threads:
            t.join(15)
        self.assertFalse(any(t.is_alive() for t in threads), "client hung")
        self.assertIsNotNone(status, "still running %.0f s after SIGTERM: %s"
                             % (EXIT_TIMEOUT, p.describe()))
        self.assertEqual(status, 0, p.describe())
        self.assertFalse(os.path.exists(self.sock))
        answers = [o for o in outcomes
                   if isinstance(o, fcgi_client.FcgiResponse)]
        broken = [o for o in outcomes if isinstance(o, Exception)]
        self.assertEqual(broken, [], "truncated or failed answers")
        self.assertTrue(answers, "no answer at all before SIGTERM")
        for r in answers:
            self.assert_fcgi_health(r)
            cl = r.headers.get("Content-Length")
            if cl is not None:
                self.assertEqual(int(cl), len(r.body), r)


class RefusesToStart(WorkerCase):
    """A worker with a bad configuration exits at once and says why."""

    def run_refused(self, argv, env):
        p = self.start(argv, env=env)
        status = p.wait(EXIT_TIMEOUT)
        self.assertIsNotNone(status, "still running after %.0f s: %s"
                             % (EXIT_TIMEOUT, p.describe()))
        self.assertNotEqual(status, 0, p.describe())
        return p.stderr

    def test_without_secret_key(self):
        cfg = hm.write_config(os.path.join(self.tmp, "nokey.conf"),
                              drop=["SECRET_KEY"])
        err = self.run_refused(
            [self.fcgi, "--listen", "unix:" + self.sock, "--workers", "1"],
            hm.clean_env(HEARTMONITOR_CONFIG=cfg))
        self.assertIn("SECRET_KEY", err)

    def test_with_short_secret_key(self):
        cfg = hm.write_config(os.path.join(self.tmp, "short.conf"),
                              set_={"SECRET_KEY": "0123456789"})
        err = self.run_refused(
            [self.fcgi, "--listen", "unix:" + self.sock, "--workers", "1"],
            hm.clean_env(HEARTMONITOR_CONFIG=cfg))
        self.assertIn("SECRET_KEY", err)
        self.assertNotIn("0123456789", err, "the key itself was printed")

    def test_with_unknown_key(self):
        cfg = hm.write_config(os.path.join(self.tmp, "unknown.conf"),
                              add_lines=["E2E_NO_SUCH_SETTING=1"])
        err = self.run_refused(
            [self.fcgi, "--config", cfg,
             "--listen", "unix:" + self.sock, "--workers", "1"],
            hm.clean_env())
        self.assertIn("E2E_NO_SUCH_SETTING", err)

    def test_database_newer_than_program(self):
        copy = os.path.join(self.tmp, "newer.db")
        src = sqlite3.connect("file:%s?mode=ro" % hm.database_path(),
                              uri=True)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
            dst.execute("PRAGMA user_version=999")
            dst.commit()
        finally:
            src.close()
            dst.close()
        hm.give_to_service(copy)
        cfg = hm.write_config(os.path.join(self.tmp, "newer.conf"),
                              set_={"DATABASE_PATH": copy})
        err = self.run_refused(
            [self.fcgi, "--config", cfg,
             "--listen", "unix:" + self.sock, "--workers", "1"],
            hm.clean_env())
        self.assertIn("newer", err.lower())


if __name__ == "__main__":
    unittest.main()

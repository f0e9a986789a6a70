"""A worker pool of a test's own, behind an nginx of its own, for the
fault tests (test_contention, test_client_faults).

The pool is the built heartmonitor-fcgi on a socket in a temporary
folder, with the stack's configuration plus the test's overrides (a
short DB_BUSY_TIMEOUT_MS, say) and its own --workers and --backlog; it
shares the stack's database.  The nginx in front of it runs the very
site the stack runs (nginx/heartmonitor.conf.in, rendered by
nginx/render.sh around nginx/dev-main.conf.in) on a free port, with the
stack's certificate, so that its answers are the ones a client of the
real site gets.

    with sidestack.SideStack(self, workers=2, backlog=4,
                             config={"DB_BUSY_TIMEOUT_MS": "1000"}) as s:
        r = s.request("GET", "/api/health/")
        s.worker_pids(), s.log()
"""

import http.client
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import hm

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
READY_TIMEOUT = 15.0


class SideStack:
    """A pool of "workers" workers ("backlog": its --backlog, None for
    the program's default) with the stack's configuration changed by
    "config" (KEY: value), and an nginx in front of it.  Everything it
    started is stopped by stop() (or at the end of a with block), and
    registered with "testcase" for cleanup as well."""

    def __init__(self, testcase, workers=2, backlog=None, config=None):
        self.dir = tempfile.mkdtemp(prefix="hm-e2e-side-")
        testcase.addCleanup(shutil.rmtree, self.dir, True)
        self.sock = os.path.join(self.dir, "fcgi.sock")
        self.conf = hm.write_config(os.path.join(self.dir, "side.conf"),
                                    set_=config or {})
        self.workers = workers
        argv = [hm.env("HM_FCGI"), "--config", self.conf,
                "--listen", "unix:" + self.sock, "--workers", str(workers)]
        if backlog is not None:
            argv += ["--backlog", str(backlog)]
        self.nginx = None
        self.stopped = False
        self.pool = hm.Proc(argv, env=hm.clean_env())
        testcase.addCleanup(self.stop)
        try:
            self._wait_pool(testcase)
            self.port = hm.free_port()
            self._start_nginx(testcase)
        except BaseException:
            self.stop()
            raise

    # ------------------------------------------------------------ start

    def _wait_pool(self, testcase):
        hm.wait_fcgi_health(testcase, self.pool, "unix:" + self.sock,
                            READY_TIMEOUT)
        if not hm.wait_for(lambda: len(self.worker_pids()) == self.workers,
                           READY_TIMEOUT):
            testcase.fail("the side pool has %r workers, not %d: %s" % (
                self.worker_pids(), self.workers, self.pool.describe()))

    def _render(self, template, env, out):
        e = dict(os.environ)
        e.update(env)
        with open(out, "w") as f:
            p = subprocess.run(["sh", os.path.join(TOP, "nginx", "render.sh"),
                                os.path.join(TOP, "nginx", template)],
                               env=e, stdout=f, stderr=subprocess.PIPE,
                               timeout=30, encoding="utf-8")
        if p.returncode != 0:
            raise RuntimeError("render.sh %s: %s" % (template, p.stderr))

    def _start_nginx(self, testcase):
        cert = hm.env("HM_CA_CERT")
        key = os.path.join(os.path.dirname(cert), "key.pem")
        if not os.path.exists(key):
            testcase.skipTest("no key.pem beside HM_CA_CERT for a second "
                              "nginx")
        ngx = os.path.join(self.dir, "nginx")
        for d in ("logs", "tmp"):
            os.makedirs(os.path.join(ngx, d))
        site = os.path.join(ngx, "site.conf")
        main = os.path.join(ngx, "nginx.conf")
        self.access_log = os.path.join(ngx, "logs", "access.log")
        self._render("heartmonitor.conf.in", {
            "HM_LISTEN": "127.0.0.1:%d" % self.port,
            "HM_SERVER_NAME": "127.0.0.1 localhost",
            "HM_SSL_CERT": cert, "HM_SSL_KEY": key,
            "HM_SOCKET": self.sock, "HM_STREAM_SOCKET": self.sock,
            "HM_HEADERS": os.path.join(TOP, "nginx",
                                       "heartmonitor-headers.conf"),
            "HM_STATIC_ROOT": os.path.join(TOP, "www"),
            "HM_VENDOR_ROOT": self.dir,
            "HM_ACCESS_LOG": self.access_log}, site)
        self._render("dev-main.conf.in", {
            "HM_PREFIX": ngx, "HM_SITE": site,
            "HM_USER": pwd.getpwuid(os.getuid()).pw_name}, main)
        self.nginx = hm.Proc(["nginx", "-p", ngx + "/", "-c", main,
                              "-e", os.path.join(ngx, "logs", "error.log"),
                              "-g", "daemon off;"])
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.nginx.poll() is not None:
                testcase.fail("the side nginx exited: " +
                              self.nginx.describe())
            try:
                if self.request("GET", "/api/health/",
                                timeout=5).status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                testcase.fail("the side nginx does not answer: " +
                              self.nginx.describe())
            time.sleep(0.05)

    # -------------------------------------------------------------- use

    def request(self, method, path, body=None, headers=None, raw_body=None,
                timeout=hm.DEFAULT_TIMEOUT):
        """hm.request() to this nginx: a Resp, checked against the
        OpenAPI document."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                           timeout=timeout,
                                           context=hm.ssl_context())
        try:
            return hm._send(conn, method, path, body, headers, raw_body)
        finally:
            conn.close()

    def worker_pids(self):
        return hm.children(self.pool.pid)

    def log(self):
        """What the pool logged so far (its standard error); only
        before stop()."""
        return self.pool.stderr

    def stop(self):
        """Stops nginx, then the pool (once; later calls do nothing).
        What the pool logged, to its exit (where a sanitizer build
        reports leaks), is added to the stack's logs folder, which
        dev's sanitizer_reports scans."""
        if self.stopped:
            return
        self.stopped = True
        if self.nginx is not None:
            self.nginx.stop()
        self.pool.signal(signal.SIGTERM)
        self.pool.wait(10)
        try:
            path = os.path.join(hm.env("HM_DATA_DIR"), "logs",
                                "e2e-side-pools.log")
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a") as f:
                f.write("== %s\n%s" % (" ".join(self.pool.argv),
                                       self.pool.stderr))
        except OSError:
            pass
        self.pool.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

"""Helpers for the end-to-end tests of the Heart Monitor API.

Standard library only; run with Debian's /usr/bin/python3.  The dev
script starts the stack (nginx, the worker pool, the SMTP sink) and
exports where everything is:

    HM_URL                 https://127.0.0.1:18443 (nginx)
    HM_CA_CERT             the self-signed certificate nginx serves
                           (CN/SAN 127.0.0.1 and localhost); TLS is verified
    HM_DATA_DIR            the stack's data directory; the pool logs to
                           $HM_DATA_DIR/logs/fcgi.log
    HM_CONFIG              the workers' KEY=VALUE configuration file
    HM_FCGI                the built heartmonitor-fcgi binary
    HM_HMCTL               the built hmctl binary
    HM_SOCKET              the pool's unix socket
    HM_SUPERVISOR_PIDFILE  pid file of the pool's supervisor process
    HM_MAIL_DIR            where tests/smtp_sink.py stores messages
    HM_ADMIN_EMAIL, HM_ADMIN_PASSWORD   the first admin (made by hmctl)

Nothing is read at import time, so that the modules import (and the
runner lists the tests) without a stack; a test that needs a variable
that is not set fails with a message naming it.
"""

import http.client
import json as jsonlib
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
from typing import NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

DEFAULT_TIMEOUT = 10.0


# ------------------------------------------------------------ environment

def env(name):
    """The value of the environment variable "name"; raises when it is
    not set (the suite is meant to run inside the dev script)."""
    v = os.environ.get(name)
    if not v:
        raise RuntimeError("%s is not set: run the suite through the dev "
                           "script, which starts the stack and exports "
                           "HM_* variables" % name)
    return v


def base_url():
    u = urllib.parse.urlsplit(env("HM_URL"))
    if u.scheme != "https" or not u.hostname:
        raise RuntimeError("HM_URL must be https://host:port, not %r"
                           % env("HM_URL"))
    return u.hostname, u.port or 443


_ctx = None
_ctx_lock = threading.Lock()


def ssl_context():
    """A client context that verifies nginx against HM_CA_CERT (and the
    host name against its SAN): never an unverified one."""
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            ctx = ssl.create_default_context(cafile=env("HM_CA_CERT"))
            ctx.check_hostname = True
            ctx.verify_mode = ssl.CERT_REQUIRED
            _ctx = ctx
        return _ctx


def tag():
    """A short random word to keep names unique across runs."""
    return secrets.token_hex(4)


# ------------------------------------------------------------- responses

class Resp(NamedTuple):
    """An HTTP answer: (status, headers, body, json).  "headers" is an
    http.client.HTTPMessage (case-insensitive; get_all() for repeats);
    "json" is the parsed body when it is JSON, else None."""
    status: int
    headers: object
    body: bytes
    json: object

    @property
    def content_type(self):
        return media_type(self.headers.get("Content-Type"))

    def __repr__(self):
        return "<Resp %d %s %r>" % (self.status,
                                    dict(self.headers.items()),
                                    self.body[:300])


def media_type(value):
    """"application/json; charset=utf-8" -> "application/json"."""
    return (value or "").split(";", 1)[0].strip().lower()


def _parse_json(headers, body):
    mt = media_type(headers.get("Content-Type"))
    if not body or not (mt == "application/json" or mt.endswith("+json")):
        return None
    try:
        return jsonlib.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _resp(r, body):
    return Resp(r.status, r.headers, body, _parse_json(r.headers, body))


def from_fcgi(r):
    """A fcgi_client.FcgiResponse seen as a Resp, for the assertions."""
    return Resp(r.status, r.headers, r.body, _parse_json(r.headers, r.body))


# --------------------------------------------------------------- requests

class Client:
    """A keep-alive HTTPS connection to nginx that reconnects after any
    failure.  Not thread-safe: one per thread."""

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, raw_body=None):
        host, port = base_url()
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=ssl_context())
        try:
            r = _send(self.conn, method, path, body, headers, raw_body)
        except BaseException:
            self.close()
            raise
        if r.headers.get("Connection", "").lower() == "close":
            self.close()
        return r


def _send(conn, method, path, body, headers, raw_body):
    hdrs = dict(headers or {})
    data = None
    if raw_body is not None:
        data = raw_body.encode() if isinstance(raw_body, str) else raw_body
    elif body is not None:
        data = jsonlib.dumps(body).encode()
        if not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=hdrs)
    except (BrokenPipeError, ConnectionResetError):
        # nginx may answer (413, 400) and stop reading before the whole
        # request is sent; its answer is still there to read.
        pass
    r = conn.getresponse()
    return _resp(r, r.read())


def request(method, path, body=None, headers=None, raw_body=None,
            timeout=DEFAULT_TIMEOUT):
    """One request over a new TLS connection to HM_URL.  "body" is
    sent as JSON (with Content-Type: application/json unless "headers"
    set one); "raw_body" (bytes or str) is sent as it is.  Returns a
    Resp: (status, headers, body, json)."""
    host, port = base_url()
    conn = http.client.HTTPSConnection(host, port, timeout=timeout,
                                       context=ssl_context())
    try:
        return _send(conn, method, path, body, headers, raw_body)
    finally:
        conn.close()


class _BytesSocket:
    """What http.client.HTTPResponse needs from a socket, over bytes."""

    def __init__(self, data):
        self.data = data

    def makefile(self, mode, *args, **kwargs):
        import io
        return io.BytesIO(self.data)


def parse_http_response(data, method="GET"):
    """Parses raw bytes of one HTTP/1.x answer into a Resp."""
    r = http.client.HTTPResponse(_BytesSocket(data), method=method)
    r.begin()
    return _resp(r, r.read())


def raw_tls(data, timeout=DEFAULT_TIMEOUT):
    """Sends the bytes "data" as they are over a new (verified) TLS
    connection to nginx and returns everything nginx sent back until it
    closed the connection, or until "timeout" seconds of silence (then
    socket.timeout is raised if nothing at all came back).  Put
    "Connection: close" in a request that nginx will accept."""
    host, port = base_url()
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        tls = ssl_context().wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise
    chunks = []
    with tls:
        try:
            tls.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while True:
            tls.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                c = tls.recv(65536)
            except socket.timeout:
                if chunks:
                    break
                raise
            except (ConnectionResetError, ssl.SSLEOFError,
                    ssl.SSLZeroReturnError):
                break
            if not c:
                break
            chunks.append(c)
            if _complete(b"".join(chunks)):
                break
            if time.monotonic() > deadline:
                break
    return b"".join(chunks)


def _complete(data):
    """Whether "data" holds one whole answer with a Content-Length."""
    i = data.find(b"\r\n\r\n")
    if i < 0:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", data[:i])
    return bool(m) and len(data) - i - 4 >= int(m.group(1))


def raw_request(data, method="GET", timeout=DEFAULT_TIMEOUT):
    """raw_tls() and parse the answer into a Resp."""
    answer = raw_tls(data, timeout)
    if not answer:
        raise AssertionError("nginx closed the connection without an answer "
                             "to %r" % data[:200])
    return parse_http_response(answer, method)


def host_header():
    host, port = base_url()
    return "%s:%d" % (host, port)


# ------------------------------------------------------------ assertions

def assert_common_headers(resp):
    """Every answer (worker's or nginx's own, success or error) carries
    exactly one non-empty X-Request-Id and nginx's security headers; a
    5xx problem body carries the same request id."""
    ids = resp.headers.get_all("X-Request-Id") or []
    if len(ids) != 1 or not ids[0].strip():
        raise AssertionError("want exactly one non-empty X-Request-Id, "
                             "got %r in %r" % (ids, resp))
    hsts = resp.headers.get_all("Strict-Transport-Security") or []
    if not hsts or not all(re.search(r"max-age=\d+", v) for v in hsts):
        raise AssertionError("want Strict-Transport-Security with max-age, "
                             "got %r in %r" % (hsts, resp))
    for name, want in SECURITY_HEADERS.items():
        got = resp.headers.get_all(name) or []
        if not got or any(v.strip().lower() != want.lower() for v in got):
            raise AssertionError("want %s: %s, got %r in %r"
                                 % (name, want, got, resp))
    if resp.status >= 500 and resp.content_type == "application/problem+json":
        j = resp.json if isinstance(resp.json, dict) else {}
        if j.get("request_id") != ids[0]:
            raise AssertionError("5xx problem request_id %r != X-Request-Id "
                                 "%r in %r" % (j.get("request_id"), ids[0],
                                               resp))


def problem(resp, status=None, code=None):
    """Asserts that "resp" is an RFC 9457 problem: Content-Type
    application/problem+json; members type, title (strings), status
    (equal to the HTTP status) and code (a string, equal to "code" when
    given); HTTP status "status" when given (an int or a container of
    ints).  Returns the parsed body."""
    if status is not None:
        ok = resp.status in status if isinstance(status, (set, tuple, list,
                                                          range)) \
            else resp.status == status
        if not ok:
            raise AssertionError("want status %r, got %r" % (status, resp))
    if resp.content_type != "application/problem+json":
        raise AssertionError("want Content-Type application/problem+json, "
                             "got %r" % (resp,))
    j = resp.json
    if not isinstance(j, dict):
        raise AssertionError("problem body is not a JSON object: %r"
                             % (resp,))
    for member in ("type", "title", "code"):
        if not isinstance(j.get(member), str) or not j[member]:
            raise AssertionError("problem member %r missing or not a "
                                 "non-empty string: %r" % (member, j))
    if type(j.get("status")) is not int or j["status"] != resp.status:
        raise AssertionError("problem status %r != HTTP status %d"
                             % (j.get("status"), resp.status))
    if code is not None and j["code"] != code:
        raise AssertionError("want problem code %r, got %r in %r"
                             % (code, j["code"], j))
    return j


def assert_health(testcase, resp):
    """The health answer of a working worker."""
    testcase.assertEqual(resp.status, 200, resp)
    testcase.assertEqual(resp.content_type, "application/json", resp)
    j = resp.json
    testcase.assertIsInstance(j, dict, resp)
    testcase.assertEqual(set(j), {"status", "database", "version"}, j)
    testcase.assertEqual(j["status"], "ok", j)
    testcase.assertEqual(j["database"], "ok", j)
    testcase.assertIsInstance(j["version"], str, j)
    testcase.assertTrue(j["version"].strip(), j)


# ------------------------------------------------------------ processes

def read_pid(path):
    with open(path) as f:
        return int(f.read().split()[0])


def supervisor_pid():
    return read_pid(env("HM_SUPERVISOR_PIDFILE"))


def _stat(pid):
    """(state, ppid) of "pid" from /proc/<pid>/stat, or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rfind(b")") + 2:].split()
    return fields[0].decode(), int(fields[1])


def children(pid):
    """The live (not zombie) child pids of "pid"."""
    kids = set()
    found = False
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        tasks = []
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                kids.update(int(x) for x in f.read().split())
            found = True
        except OSError:
            pass
    if not found:
        for name in os.listdir("/proc"):
            if name.isdigit():
                st = _stat(int(name))
                if st is not None and st[1] == pid:
                    kids.add(int(name))
    live = set()
    for k in kids:
        st = _stat(k)
        if st is not None and st[0] not in ("Z", "X") and st[1] == pid:
            live.add(k)
    return live


def _exe(pid):
    try:
        return os.path.realpath("/proc/%d/exe" % pid)
    except OSError:
        return None


def worker_pids():
    """The workers of the running pool: the supervisor's children that
    run the same program as HM_FCGI (when /proc tells)."""
    sup = supervisor_pid()
    kids = children(sup)
    want = os.path.realpath(env("HM_FCGI"))
    same = {k for k in kids if _exe(k) in (want, None)}
    # Under libtool wrappers the exe may be .libs/lt-…: then keep all.
    return same or kids


def wait_for(pred, timeout, interval=0.05):
    """Polls "pred" until it returns a true value (returned) or
    "timeout" seconds pass (returns the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def wait_pool_ready(testcase, count, timeout=10.0):
    """Waits until the pool has "count" workers and answers health."""
    ok = wait_for(lambda: len(worker_pids()) >= count, timeout)
    testcase.assertTrue(ok, "the pool did not get back to %d workers "
                        "(has %r)" % (count, worker_pids()))

    def healthy():
        try:
            return request("GET", "/api/health/", timeout=5).status == 200
        except OSError:
            return False
    testcase.assertTrue(wait_for(healthy, timeout, 0.1),
                        "the pool does not answer health")


class Proc:
    """A program started by a test, in its own session (process group)
    so that cleanup reaches its children; stdout and stderr go to files
    (no pipe to fill).  Use as a context manager or call stop()."""

    def __init__(self, argv, env=None, cwd=None, stdin=subprocess.DEVNULL):
        self.argv = list(argv)
        self.dir = tempfile.mkdtemp(prefix="hm-e2e-proc-")
        self._out = open(os.path.join(self.dir, "stdout"), "w+b")
        self._err = open(os.path.join(self.dir, "stderr"), "w+b")
        self.p = subprocess.Popen(self.argv, env=env, cwd=cwd, stdin=stdin,
                                  stdout=self._out, stderr=self._err,
                                  start_new_session=True)
        self.pid = self.p.pid

    def poll(self):
        return self.p.poll()

    def wait(self, timeout):
        """The exit status, or None if still running after "timeout"."""
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def signal(self, sig):
        if self.p.poll() is None:
            os.kill(self.pid, sig)

    @property
    def stdout(self):
        self._out.flush()
        with open(self._out.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    @property
    def stderr(self):
        self._err.flush()
        with open(self._err.name, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """Ends the process and everything in its process group."""
        if self.p.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(5) is None:
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(5)
        # Children left behind in the group (a worker that outlived its
        # supervisor) are ours too.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._out.close()
        self._err.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def describe(self):
        return "%s (pid %d, status %r)\nstderr:\n%s" % (
            " ".join(self.argv), self.pid, self.p.poll(), self.stderr[-4000:])


def run(argv, input=None, env=None, timeout=30):
    """Runs a command to its end: (status, stdout, stderr) as text."""
    p = subprocess.run(argv, input=input, env=env, capture_output=True,
                       timeout=timeout, encoding="utf-8", errors="replace")
    return p.returncode, p.stdout, p.stderr


# ---------------------------------------------------------- configuration

def read_config(path=None):
    """The KEY=VALUE pairs of a configuration file (comments and blank
    lines skipped, surrounding quotes of a value removed)."""
    conf = {}
    with open(path or env("HM_CONFIG"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            k, v = line.split("=", 1)
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
                v = v[1:-1]
            conf[k.strip()] = v
    return conf


def secret_key():
    """The SECRET_KEY the stack runs with (the file's, or the
    environment's, which overrides it)."""
    v = os.environ.get("SECRET_KEY") or read_config().get("SECRET_KEY")
    if not v:
        raise RuntimeError("no SECRET_KEY in %s" % env("HM_CONFIG"))
    return v


def write_config(path, drop=(), set_=None, add_lines=()):
    """Writes a copy of HM_CONFIG to "path" without the keys in "drop",
    with the keys of "set_" replaced (or added), and "add_lines"
    appended as they are."""
    set_ = dict(set_ or {})
    out = []
    with open(env("HM_CONFIG"), encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            key = s.split("=", 1)[0].strip() if "=" in s and \
                not s.startswith("#") else None
            if key is not None and (key in drop or key in set_):
                continue
            out.append(line if line.endswith("\n") else line + "\n")
    for k, v in set_.items():
        out.append("%s=%s\n" % (k, v))
    for line in add_lines:
        out.append(line + "\n")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)
    os.chmod(path, 0o600)
    return path


def clean_env(**extra):
    """The environment for a program under test: ours, without any key of
    the configuration file (the environment would override the file)
    and without SECRET_KEY and HEARTMONITOR_CONFIG; then "extra"."""
    e = dict(os.environ)
    for k in list(read_config()) + ["SECRET_KEY", "HEARTMONITOR_CONFIG"]:
        e.pop(k, None)
    e.update({k: v for k, v in extra.items() if v is not None})
    return e


def database_path():
    """The SQLite file of the running stack: DATABASE_PATH of the
    configuration (environment first), else the one SQLite file in
    HM_DATA_DIR."""
    p = os.environ.get("DATABASE_PATH") or read_config().get("DATABASE_PATH")
    if p:
        if not os.path.isabs(p):
            for base in (os.path.dirname(os.path.abspath(env("HM_CONFIG"))),
                         env("HM_DATA_DIR"), os.getcwd()):
                if os.path.exists(os.path.join(base, p)):
                    return os.path.join(base, p)
        return p
    found = []
    for root, _, files in os.walk(env("HM_DATA_DIR")):
        for name in files:
            full = os.path.join(root, name)
            try:
                with open(full, "rb") as f:
                    if f.read(16) == b"SQLite format 3\0":
                        found.append(full)
            except OSError:
                pass
    if len(found) != 1:
        raise RuntimeError("cannot tell the database file: DATABASE_PATH "
                           "unset and %d SQLite files in HM_DATA_DIR"
                           % len(found))
    return found[0]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def need_program(testcase, name):
    """The path of "name", or skips the test when it is not installed."""
    path = shutil.which(name) or (
        "/usr/bin/" + name if os.access("/usr/bin/" + name, os.X_OK)
        else None)
    if path is None:
        raise unittest.SkipTest("%s is not installed" % name)
    return path

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
import pwd
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

import fcgi_client
import openapi

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
    resp = _resp(r, r.read())
    # Every answer a test receives must be one the OpenAPI document
    # describes (tests/e2e/openapi.py): raises naming what strays.
    openapi.check(method, path, resp)
    return resp


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


def pool_log_size():
    """The size of the stack pool's log, $HM_DATA_DIR/logs/fcgi.log (0
    before it exists): an offset for pool_log_since()."""
    try:
        with open(os.path.join(env("HM_DATA_DIR"), "logs", "fcgi.log"),
                  "rb") as f:
            return f.seek(0, 2)
    except FileNotFoundError:
        return 0


def pool_log_since(offset):
    """What the stack's pool logged after byte "offset" of its log."""
    with open(os.path.join(env("HM_DATA_DIR"), "logs", "fcgi.log"),
              "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def wait_fcgi_health(testcase, proc, address, timeout=10.0):
    """Waits until "address" ("unix:PATH" or "HOST:PORT"), where "proc"
    is starting, answers a FastCGI GET /api/health/ with 200, and returns
    that answer; fails "testcase" if "proc" exits first or nothing
    answers 200 within "timeout" seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            testcase.fail("exited before serving: " + proc.describe())
        try:
            last = fcgi_client.request(address, "GET", "/api/health/",
                                       timeout=5)
            if last.status == 200:
                return last
        except OSError as e:    # not listening yet (FcgiNoAnswer too)
            last = e
        time.sleep(0.05)
    testcase.fail("%s not answering health within %.0f s (last: %r): %s"
                  % (address, timeout, last, proc.describe()))


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
        """The command, its status and its stderr (start and end)."""
        err = self.stderr
        if len(err) > 4000:
            err = err[:1500] + "\n[...]\n" + err[-2500:]
        return "%s (pid %d, status %r)\nstderr:\n%s" % (
            " ".join(self.argv), self.pid, self.p.poll(), err)


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


def service_user():
    """The account the programs become when started as root (lib/priv.h):
    SERVICE_USER of HM_CONFIG (the environment first), as a pwd entry;
    None when the tests do not run as root, since the programs then
    stay the tests' own account."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("SERVICE_USER")
    if name is None:
        name = read_config().get("SERVICE_USER", "heartmonitor")
    return pwd.getpwnam(name)


def give_to_service(*paths):
    """Hands "paths", folders and files a test made as root for programs
    it starts, to the service user: the programs stop being root before
    they open a database or remove their socket, and refuse a database
    folder or file of another account.  A no-op when not root."""
    pw = service_user()
    if pw is None:
        return
    for p in paths:
        os.chown(p, pw.pw_uid, pw.pw_gid)


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


def need_program(name):
    """The path of "name", or skips the test when it is not installed."""
    path = shutil.which(name) or (
        "/usr/bin/" + name if os.access("/usr/bin/" + name, os.X_OK)
        else None)
    if path is None:
        raise unittest.SkipTest("%s is not installed" % name)
    return path


# ================================================== accounts and sign-in
# Helpers for the test_auth_* modules: a cookie-jar client, the mail
# folder of the SMTP sink, hmctl, throwaway users, JWT inspection, and a
# record of every secret the tests handle (test_auth_zz_logs looks for
# them in the logs).

import base64            # noqa: E402
import email             # noqa: E402
import email.policy      # noqa: E402
import email.utils       # noqa: E402
import hashlib           # noqa: E402
import hmac              # noqa: E402
import uuid              # noqa: E402

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

SIGNIN_PATH = "/api/auth/signin/"
TOKEN_PATH = "/api/auth/token/"
PROFILE_PATH = "/api/auth/profile/"
REFRESH_PATH = "/api/auth/refresh/"
LOGOUT_PATH = "/api/auth/logout/"
REGISTER_PATH = "/api/auth/register/"
RESET_PATH = "/api/auth/reset-password/"

PROFILE_FIELDS = ("id", "email", "first_name", "last_name", "user_role",
                  "gender", "phone_number", "address_line_1",
                  "address_line_2", "city", "state", "country",
                  "date_joined", "last_login")

MAIL_TIMEOUT = 15.0

SECRETS = set()
_secrets_lock = threading.Lock()


def remember_secret(*values):
    """Records passwords, tokens and link tokens that must never appear
    in a log (test_auth_zz_logs checks them)."""
    with _secrets_lock:
        for v in values:
            if isinstance(v, str) and len(v) >= 8:
                SECRETS.add(v)


def public_origin():
    """The origin of HM_URL ("https://127.0.0.1:18443"): the one origin
    the stack allows by default."""
    u = urllib.parse.urlsplit(env("HM_URL"))
    return "%s://%s" % (u.scheme, u.netloc)


# nginx lets 5 sign-in or token requests a second through per address,
# with a burst of 10 (SPEC 7.34); its 429 is no part of what the auth
# tests check, so they keep well below it.
AUTH_SPACING = 0.25
_auth_pace_lock = threading.Lock()
_auth_last = [0.0]


def pace(path):
    """Sleeps as needed so that sign-in and token requests from this
    process are at least AUTH_SPACING seconds apart."""
    if urllib.parse.urlsplit(path).path not in (SIGNIN_PATH, TOKEN_PATH):
        return
    with _auth_pace_lock:
        wait = _auth_last[0] + AUTH_SPACING - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        _auth_last[0] = time.monotonic()


def auth_request(method, path, body=None, headers=None, raw_body=None,
                 timeout=DEFAULT_TIMEOUT):
    """request(), paced when "path" is sign-in or token."""
    pace(path)
    return request(method, path, body=body, headers=headers,
                   raw_body=raw_body, timeout=timeout)


class SetCookie(NamedTuple):
    """One Set-Cookie header: name, value and its attributes (keys in
    lower case; a flag such as HttpOnly maps to True)."""
    name: str
    value: str
    attrs: dict
    raw: str

    def has(self, flag):
        return self.attrs.get(flag.lower()) is True

    @property
    def path(self):
        return self.attrs.get("path")

    @property
    def max_age(self):
        v = self.attrs.get("max-age")
        try:
            return int(v)
        except (TypeError, ValueError):
            return None


def parse_set_cookie(line):
    parts = line.split(";")
    name, _, value = parts[0].partition("=")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    attrs = {}
    for p in parts[1:]:
        k, eq, v = p.partition("=")
        k = k.strip().lower()
        if k:
            attrs[k] = v.strip() if eq else True
    return SetCookie(name.strip(), value, attrs, line)


def set_cookies(resp):
    """The Set-Cookie headers of "resp", by cookie name (a name set twice
    fails the test: a client would keep only one of them)."""
    out = {}
    for line in resp.headers.get_all("Set-Cookie") or []:
        c = parse_set_cookie(line)
        if c.name in out:
            raise AssertionError("cookie %r set twice in %r" % (c.name, resp))
        out[c.name] = c
    return out


def _path_matches(req_path, cookie_path):
    """RFC 6265 section 5.1.4."""
    if req_path == cookie_path:
        return True
    if req_path.startswith(cookie_path):
        return cookie_path.endswith("/") or req_path[len(cookie_path)] == "/"
    return False


class Session:
    """A browser-like client: keeps the cookies nginx sets (honouring
    Path and Max-Age), sends back those whose path matches, and adds
    X-CSRFToken (the csrftoken cookie) to unsafe requests unless
    csrf=False.  Every request is a new TLS connection."""

    def __init__(self):
        self.jar = {}           # name -> SetCookie
        self.last = None

    def value(self, name):
        c = self.jar.get(name)
        return c.value if c is not None else None

    def set(self, name, value, path="/"):
        self.jar[name] = SetCookie(name, value, {"path": path}, "")

    def drop(self, name):
        self.jar.pop(name, None)

    def copy(self):
        s = Session()
        s.jar = dict(self.jar)
        return s

    def cookie_header(self, path):
        p = urllib.parse.urlsplit(path).path
        pairs = sorted(((c.path or "/", n, c.value)
                        for n, c in self.jar.items()
                        if _path_matches(p, c.path or "/")),
                       key=lambda t: -len(t[0]))
        return "; ".join("%s=%s" % (n, v) for _, n, v in pairs)

    def update(self, resp):
        for name, c in set_cookies(resp).items():
            remember_secret(c.value)
            if c.max_age is not None and c.max_age <= 0:
                self.jar.pop(name, None)
            else:
                self.jar[name] = c

    def request(self, method, path, body=None, headers=None, raw_body=None,
                csrf=True, timeout=DEFAULT_TIMEOUT):
        hdrs = dict(headers or {})
        cookie = self.cookie_header(path)
        if cookie and not any(k.lower() == "cookie" for k in hdrs):
            hdrs["Cookie"] = cookie
        if csrf and method.upper() in UNSAFE_METHODS and \
                self.value("csrftoken") is not None and \
                not any(k.lower() == "x-csrftoken" for k in hdrs):
            hdrs["X-CSRFToken"] = self.value("csrftoken")
        r = auth_request(method, path, body=body, headers=hdrs,
                         raw_body=raw_body, timeout=timeout)
        self.update(r)
        self.last = r
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def signin(self, email_, password, headers=None):
        return self.post(SIGNIN_PATH, {"email": email_, "password": password},
                         headers=headers)


def bearer(token):
    return {"Authorization": "Bearer " + token}


# ---------------------------------------------------------------- mail

_mail_cache = {}        # file name -> parsed message
_mail_lock = threading.Lock()


def mails():
    """Every message in HM_MAIL_DIR, oldest first: (file name, message)."""
    d = env("HM_MAIL_DIR")
    out = []
    try:
        names = sorted(n for n in os.listdir(d)
                       if n.endswith(".eml") and not n.startswith("."))
    except FileNotFoundError:
        names = []
    for n in names:
        with _mail_lock:
            m = _mail_cache.get(n)
        if m is None:
            with open(os.path.join(d, n), "rb") as f:
                m = email.message_from_bytes(f.read(),
                                             policy=email.policy.default)
            with _mail_lock:
                _mail_cache[n] = m
        out.append((n, m))
    return out


def recipients(msg):
    return [a.lower() for _, a in
            email.utils.getaddresses([str(v) for v in
                                      msg.get_all("To") or []])]


def mails_to(address):
    """The messages whose To: holds "address", oldest first, as
    (file name, message)."""
    a = address.lower()
    return [(n, m) for n, m in mails() if a in recipients(m)]


def wait_mails(address, count=1, timeout=MAIL_TIMEOUT):
    """Waits for at least "count" messages to "address"; returns the
    list of messages, oldest first (raises AssertionError on timeout)."""
    got = wait_for(lambda: len(mails_to(address)) >= count and
                   mails_to(address), timeout, 0.1)
    if not got:
        raise AssertionError("%d mail(s) to %s within %.0f s, want %d"
                             % (len(mails_to(address)), address, timeout,
                                count))
    return [m for _, m in got]


def mail_parts(msg):
    """{"text/plain": text, "text/html": text} of a message (decoded:
    quoted-printable, base64, charset)."""
    out = {}
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        ct = part.get_content_type()
        if ct in ("text/plain", "text/html"):
            out[ct] = out.get(ct, "") + part.get_content()
    return out


def mail_text(msg):
    """Every text part of "msg", decoded, joined."""
    return "\n".join(mail_parts(msg).values())


def _link_re(kind):
    base = re.escape(env("HM_URL").rstrip("/"))
    path = {"activate": "/api/auth/activate/",
            "reset": "/reset-password/"}[kind]
    return re.compile(base + re.escape(path) +
                      r"([A-Za-z0-9_=-]+)/([A-Za-z0-9_-]+)/")


def mail_links(msg, kind):
    """The (uidb64, token) pairs of the "activate" or "reset" links in
    the plain-text part of "msg"."""
    text = mail_parts(msg).get("text/plain", "")
    return _link_re(kind).findall(text)


def links_to(address, kind):
    """Every (uidb64, token) "kind" link in the mails to "address", in
    the order the mails arrived."""
    return [l for _, m in mails_to(address) for l in mail_links(m, kind)]


def wait_link(address, kind, skip=0, timeout=MAIL_TIMEOUT):
    """Waits until more than "skip" "kind" links ("activate" or "reset")
    came in mails to "address" and returns the one after the first
    "skip" as (uidb64, token); the token is remembered as a secret."""
    got = wait_for(lambda: len(links_to(address, kind)) > skip, timeout,
                   0.1)
    if not got:
        raise AssertionError(
            "no %s link to %s (after %d) in the mails to %s within %.0f "
            "s; mails: %r" % (kind, env("HM_URL"), skip, address, timeout,
                              [mail_text(m)[:1000]
                               for _, m in mails_to(address)]))
    link = links_to(address, kind)[skip]
    remember_secret(link[1])
    return link


def activation_path(uid, token):
    return "/api/auth/activate/%s/%s/" % (uid, token)


def confirm_reset_path(uid, token):
    return "/api/auth/confirm-reset-password/%s/%s/" % (uid, token)


# ---------------------------------------------------------------- hmctl

def hmctl(*args, input=None, timeout=60):
    """Runs hmctl on the stack's database: (status, stdout, stderr)."""
    e = clean_env(HEARTMONITOR_CONFIG=env("HM_CONFIG"))
    return run([env("HM_HMCTL")] + list(args), input=input, env=e,
               timeout=timeout)


def hmctl_ok(testcase, *args, input=None):
    st, out, err = hmctl(*args, input=input)
    testcase.assertEqual(st, 0, "hmctl %s: status %d\nstdout: %s\n"
                         "stderr: %s" % (" ".join(args), st, out, err))
    return out + err


# ---------------------------------------------------------------- users

def new_password():
    p = "Pw-" + secrets.token_urlsafe(15)
    remember_secret(p)
    return p


def new_email(prefix="e2e-auth"):
    return "%s-%s@heartmonitor.test" % (prefix, uuid.uuid4().hex[:20])


def registration(role="doctor", **over):
    """A valid registration body for a new, unique user; "over" replaces
    or adds fields (None removes one)."""
    pw = new_password()
    t = uuid.uuid4().hex[:8]
    body = {
        "email": new_email(),
        "password": pw,
        "confirm_password": pw,
        "first_name": "Ada",
        "last_name": "Tester" + t,
        "user_role": role,
        "phone_number": "+4915112345678",
        "gender": "female",
        "address_line_1": "1 Test Street",
        "city": "Testtown",
        "state": "TS",
        "country": "Testland",
    }
    for k, v in over.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    if isinstance(body.get("password"), str):
        remember_secret(body["password"])
    return body


def register(body, headers=None):
    return auth_request("POST", REGISTER_PATH, body=body, headers=headers)


def make_user(testcase, role="doctor", active=True, **over):
    """Registers a new user through the API (201 asserted) and, when
    "active", activates it with hmctl (fast: no wait for the mail).
    Returns the registration body (email, password, …)."""
    body = registration(role, **over)
    r = register(body)
    testcase.assertEqual(r.status, 201, r)
    if active:
        hmctl_ok(testcase, "user", "activate", body["email"])
    return body


def signed_in(testcase, user):
    """A Session signed in as "user" (200 asserted)."""
    s = Session()
    r = s.signin(user["email"], user["password"])
    testcase.assertEqual(r.status, 200, r)
    return s


def get_tokens(testcase, user):
    """{"access", "refresh"} from the token endpoint (200 asserted)."""
    r = auth_request("POST", TOKEN_PATH, body={"email": user["email"],
                                               "password": user["password"]})
    testcase.assertEqual(r.status, 200, r)
    testcase.assertIsInstance(r.json, dict, r)
    remember_secret(r.json.get("access"), r.json.get("refresh"))
    return r.json


# ----------------------------------------------------------------- JWT

def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt_decode(token):
    """(header, payload) of a compact JWS, unverified."""
    h, p, _ = token.split(".")
    return jsonlib.loads(b64url_decode(h)), jsonlib.loads(b64url_decode(p))


def jwt_sign(key, header_seg, payload):
    """A compact HS256 JWS with "header_seg" (an encoded header, used
    as it is) over "payload" (a dict, or an already encoded segment)."""
    if isinstance(payload, dict):
        payload = b64url_encode(jsonlib.dumps(payload,
                                              separators=(",", ":")).encode())
    signing_input = (header_seg + "." + payload).encode()
    mac = hmac.new(key, signing_input, hashlib.sha256).digest()
    return header_seg + "." + payload + "." + b64url_encode(mac)

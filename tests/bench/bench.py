#!/usr/bin/env python3
# Heart Monitor API: the benchmarks of issue #8 ("make bench").
#
#   bench.py --build BUILDDIR --src SRCDIR
#
# Starts the real stack in a data folder of its own (nginx over HTTPS
# and plain HTTP on loopback, the heartmonitor-fcgi pool and, where it is
# built, heartmonitor-stream, SQLite in WAL mode with synchronous=FULL),
# fills the database (tests/bench/gendata.py),
# signs in, and runs each workload with wrk (tests/bench/workload.lua)
# next to the ceilings measured in the same run:
#   - nginx answering "return 200" itself, and a minimal libfcgi program
#     (fcgi_ceiling) with as many workers as the pool, behind the same
#     nginx server block;
#   - a C loop of single-row commits (sqlite_ceiling), and of 1000-row
#     commits, with the workers' pragmas, on the same file system;
#   - the raw PBKDF2 rate at the configured iterations, in as many
#     processes as the pool has workers (pbkdf2_rate).
# Any answer that is not 2xx counts as a failure of its run.  Writes
# bench.md and bench.json to BENCH_OUT and prints the table.
#
# The bench site is the shipped nginx template rendered as ./dev does,
# then patched (the patches are checked, so a changed template stops
# the bench instead of silently measuring something else): a plain-HTTP
# listen, two ceiling locations, and no limit_req on sign-in and token
# (5 r/s per address would otherwise be what workload 7 measures).
#
# Environment (all optional):
#   BENCH_SCALE          default (1,000,000 readings) or large (10,000,000)
#   BENCH_READINGS       the number of readings, overriding the scale
#   BENCH_DURATION       seconds of each wrk run (10)
#   BENCH_WARMUP         seconds of wrk before each read workload (1; 0: none)
#   BENCH_THREADS        wrk threads (2)
#   BENCH_CONNECTIONS    wrk connections (16)
#   BENCH_SIGNIN_CONNECTIONS  connections of the sign-in workload (4)
#   BENCH_TIMEOUT        wrk's request timeout in seconds (10)
#   BENCH_PAIR_SECONDS   seconds of the fcgi ceiling run right before each
#                        workload compared with it (5; 0: use the scheme's
#                        first fcgi run)
#   BENCH_WORKERS        heartmonitor-fcgi and fcgi_ceiling workers (2)
#   BENCH_SCHEMES        "https http" (default), or one of them
#   BENCH_ONLY           workload numbers to run, e.g. "1,2,7" (all)
#   BENCH_PASSWORD_ITERATIONS  PASSWORD_ITERATIONS of the bench config
#                        (default: the service's default)
#   BENCH_DATA_DIR       the data folder (default: a new /tmp folder,
#                        removed at the end unless BENCH_KEEP=1)
#   BENCH_OUT            where bench.md and bench.json go (./bench-out)
#
# Workload 8 (streams.py) holds a stream open per admitted patient while
# workload 2 runs, and times readings from their commit to their event.
#
# The cost of auditing reads (issue #6): after every scheme's workloads,
# workloads 1 and 2 run again, each once on a pool restarted with
# AUDIT_READS=no and once, right after, on a pool restarted with the
# default (yes): same data, same wrk settings, same warm-up.  Rows A1
# and A2; the ratio is the rate with auditing over the rate without.
#   BENCH_AUDIT_COST     0 skips it (default 1; runs when 1 or 2 runs)
#
# Python's standard library only; needs wrk (installed with apt-get when
# missing and run as root), nginx and openssl.

import argparse
import calendar
import http.client
import json
import os
import platform
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

import streams

HERE = os.path.dirname(os.path.abspath(__file__))
DEEP = 100000           # how deep the deep readings page is
PAGE = 50               # readings per page (workload 3)
BATCH = 1000            # readings per batch (workload 5)
SEARCH = "son"          # workload 2's ?search=
STREAM_POST_S = 0.1     # workload 8: a reading every 100 ms


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def die(msg):
    say(msg)
    sys.exit(1)


def env_int(name, default):
    v = os.environ.get(name, "")
    if v == "":
        return default
    if not re.fullmatch(r"[0-9]+", v):
        die("%s must be a number, not %r" % (name, v))
    return int(v)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        die("wrk is missing; as root, run: apt-get install -y wrk")
    say("installing wrk")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq",
                 "--no-install-recommends", "wrk"]):
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode:
            die("could not install wrk (%s)" % " ".join(cmd))


def rss_of(pid):
    """VmRSS, VmHWM and RssAnon of "pid" in kB, or None once it is gone."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon"):
                    out[k] = int(v.split()[0])
    except OSError:
        return None
    return out


def children_of(ppid):
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # The command may hold spaces and parentheses: split after it.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == ppid:
            pids.append(int(d))
    return sorted(pids)


def workers_rss(ppid):
    out = []
    for pid in children_of(ppid):
        r = rss_of(pid)
        if r is not None:
            out.append({"pid": pid, "rss_kb": r.get("VmRSS"),
                        "hwm_kb": r.get("VmHWM"),
                        "anon_kb": r.get("RssAnon")})
    return out


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
    except OSError:
        mem = 0
    return {"host": platform.node(), "cpu": model, "cpus": os.cpu_count(),
            "mem_mb": mem, "kernel": platform.release(),
            "os": platform.freedesktop_os_release().get("PRETTY_NAME", "")
            if hasattr(platform, "freedesktop_os_release") else ""}


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return ""


def version_of(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError:
        return ""
    return (p.stdout + p.stderr).strip().splitlines()[0] \
        if (p.stdout + p.stderr).strip() else ""


class Stack:
    """The bench's stack in "data": config, database, pool, nginx."""

    def __init__(self, build, src, data, workers):
        self.build, self.src, self.data = build, src, data
        self.workers = workers
        self.https_port, self.http_port = free_port(), free_port()
        self.conf = os.path.join(data, "heartmonitor.conf")
        self.db = os.path.join(data, "db", "heartmonitor.db")
        self.cert = os.path.join(data, "tls", "cert.pem")
        self.sock = os.path.join(data, "run", "fcgi.sock")
        self.ceiling_sock = os.path.join(data, "run", "ceiling.sock")
        # Event streams have a server of their own where it is built.
        self.streamer = os.path.join(build, "fcgi", "heartmonitor-stream")
        if not os.access(self.streamer, os.X_OK):
            self.streamer = None
        self.stream_sock = os.path.join(data, "run", "stream.sock") \
            if self.streamer else self.sock
        self.ngx = os.path.join(data, "nginx")
        self.procs = {}
        self.env = dict(os.environ)
        self.ssl = None
        self.effective = {}

    # ---------------------------------------------------------- setup
    def hmctl(self, *args, stdin=None):
        p = subprocess.run([os.path.join(self.build, "hmctl", "hmctl"),
                            "-c", self.conf] + list(args), input=stdin,
                           capture_output=True, text=True, env=self.env)
        if p.returncode != 0:
            die("hmctl %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout

    def configure(self):
        for d in ("run", "logs", "tls", "db", "nginx/logs", "nginx/tmp"):
            os.makedirs(os.path.join(self.data, d), exist_ok=True)
        lines = [
            "# Written by tests/bench/bench.py: the benchmark's stack.",
            "SECRET_KEY=" + secrets.token_urlsafe(48),
            "DATABASE_PATH=" + self.db,
            "DB_SYNCHRONOUS=FULL",
            # Tokens taken at the start outlive the run.
            "ACCESS_TOKEN_LIFETIME=86400",
            "REFRESH_TOKEN_LIFETIME=86400",
            "PUBLIC_URL=https://127.0.0.1:%d" % self.https_port,
        ]
        iters = os.environ.get("BENCH_PASSWORD_ITERATIONS", "")
        if iters:
            lines.append("PASSWORD_ITERATIONS=" + iters)
        # The database's folder: the programs refuse one open to others.
        # Run as root, they become SERVICE_USER (./dev bench makes
        # heartmonitor-dev and names it in HM_SERVICE_USER), which must
        # own the folder and reach it.
        db_dir = os.path.dirname(self.db)
        os.chmod(db_dir, 0o700)
        if os.geteuid() == 0:
            user = os.environ.get("HM_SERVICE_USER") or "heartmonitor-dev"
            try:
                pw = pwd.getpwnam(user)
            except KeyError:
                die("run as root, the programs need an account to run "
                    "as: %s does not exist (./dev bench makes it; or set "
                    "HM_SERVICE_USER)" % user)
            lines.append("SERVICE_USER=" + user)
            os.chown(db_dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.data, os.stat(self.data).st_mode | 0o001)
        old = os.umask(0o077)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.umask(old)
        # No key of the caller's environment may override the file.
        keys = [line.split("=", 1)[0] for line in
                self.hmctl("check-config").splitlines() if "=" in line]
        for k in keys:
            self.env.pop(k, None)
        self.env["HEARTMONITOR_CONFIG"] = self.conf
        self.effective = dict(line.split("=", 1) for line in
                              self.hmctl("check-config").splitlines()
                              if "=" in line and
                              not line.startswith("SECRET_KEY"))

    def make_users(self):
        """doctor, nurse, staff and a doctor for sign-in; their password."""
        password = "bench-" + secrets.token_urlsafe(16)
        users = {}
        for role, name in (("doctor", "doctor"), ("nurse", "nurse"),
                           ("staff", "staff"), ("doctor", "signin")):
            email = "%s@bench.test" % name
            self.hmctl("createsuperuser", "--email", email, "--first-name",
                       "Bench", "--last-name", name.capitalize(),
                       stdin=password + "\n")
            self.hmctl("user", "set-role", email, role)
            users[name] = email
        return users, password

    def make_cert(self):
        p = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
             "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", os.path.join(self.data, "tls", "key.pem"),
             "-out", self.cert], capture_output=True)
        if p.returncode != 0:
            die("openssl could not make the certificate")
        self.ssl = ssl.create_default_context(cafile=self.cert)

    def render_nginx(self):
        site = os.path.join(self.ngx, "site.conf")
        env = dict(self.env,
                   HM_LISTEN="127.0.0.1:%d" % self.https_port,
                   HM_SERVER_NAME="127.0.0.1 localhost",
                   HM_SSL_CERT=self.cert,
                   HM_SSL_KEY=os.path.join(self.data, "tls", "key.pem"),
                   HM_SOCKET=self.sock, HM_STREAM_SOCKET=self.stream_sock,
                   HM_HEADERS=os.path.join(self.src, "nginx",
                                           "heartmonitor-headers.conf"),
                   HM_STATIC_ROOT=os.path.join(self.src, "www"),
                   HM_VENDOR_ROOT=os.path.join(self.build, "vendor"),
                   HM_ACCESS_LOG=os.path.join(self.ngx, "logs",
                                              "access.log"),
                   HM_PREFIX=self.ngx, HM_SITE=site,
                   HM_USER=subprocess.run(["id", "-un"], capture_output=True,
                                          text=True).stdout.strip())
        render = os.path.join(self.src, "nginx", "render.sh")
        text = subprocess.run(
            ["sh", render, os.path.join(self.src, "nginx",
                                        "heartmonitor.conf.in")],
            env=env, capture_output=True, text=True, check=True).stdout
        text = patch_site(text, self.https_port, self.http_port,
                          self.ceiling_sock)
        with open(site, "w") as f:
            f.write(text)
        main = subprocess.run(
            ["sh", render, os.path.join(self.src, "nginx",
                                        "dev-main.conf.in")],
            env=env, capture_output=True, text=True, check=True).stdout
        with open(os.path.join(self.ngx, "nginx.conf"), "w") as f:
            f.write(main)
        self.nginx_cmd = ["nginx", "-p", self.ngx + "/", "-c",
                          os.path.join(self.ngx, "nginx.conf"), "-e",
                          os.path.join(self.ngx, "logs", "error.log")]
        p = subprocess.run(self.nginx_cmd + ["-t", "-q"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            die("nginx -t failed on the bench site: " + p.stderr.strip())

    # ---------------------------------------------------------- run
    def spawn(self, name, cmd):
        log = open(os.path.join(self.data, "logs", name + ".log"), "ab")
        self.procs[name] = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=log, env=self.env)
        log.close()

    def spawn_pool(self, extra_env=None):
        """The heartmonitor-fcgi pool, with "extra_env" (config keys)
        on top of the bench's environment."""
        env, self.env = self.env, dict(self.env, **(extra_env or {}))
        try:
            self.spawn("fcgi", [os.path.join(self.build, "fcgi",
                                             "heartmonitor-fcgi"),
                                "--listen", "unix:" + self.sock,
                                "--workers", str(self.workers)])
        finally:
            self.env = env

    def restart_pool(self, extra_env=None):
        """Stops the pool (its workers finish their requests) and
        starts a new one with "extra_env"; False if it does not answer."""
        p = self.procs.pop("fcgi")
        p.terminate()
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        self.spawn_pool(extra_env)
        return all(self.wait_healthy(s) for s in ("https", "http"))

    def start(self):
        b = self.build
        self.spawn_pool()
        if self.streamer:
            self.spawn("stream", [self.streamer, "--listen",
                                  "unix:" + self.stream_sock])
        self.spawn("ceiling", [os.path.join(b, "tests", "bench",
                                            "fcgi_ceiling"),
                               "-s", self.ceiling_sock,
                               "-w", str(self.workers)])
        if subprocess.run(self.nginx_cmd).returncode != 0:
            die("nginx did not start; see %s/logs/error.log" % self.ngx)
        for scheme in ("https", "http"):
            if not self.wait_healthy(scheme):
                die("the stack did not become healthy over %s; see %s/logs/"
                    % (scheme, self.data))

    def wait_healthy(self, scheme):
        for _ in range(100):
            try:
                if self.request(scheme, "GET", "/api/health/")[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        return False

    def stop(self):
        pidfile = os.path.join(self.ngx, "nginx.pid")
        pids = []
        try:
            with open(pidfile) as f:
                pids.append(int(f.read().strip()))
        except (OSError, ValueError):
            pass
        for pid in pids:
            stop_pid(pid)
        for name, p in self.procs.items():
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = {}

    def pool_pid(self):
        return self.procs["fcgi"].pid

    def base(self, scheme):
        port = self.https_port if scheme == "https" else self.http_port
        return "%s://127.0.0.1:%d" % (scheme, port)

    def request(self, scheme, method, path, token=None, body=None,
                conn=None):
        """One request; returns (status, body bytes)."""
        own = conn is None
        if own:
            conn = self.connect(scheme)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            headers["Content-Type"] = "application/json"
            if isinstance(body, str):
                body = body.encode()
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            if own:
                conn.close()

    def connect(self, scheme):
        port = self.https_port if scheme == "https" else self.http_port
        if scheme == "https":
            return http.client.HTTPSConnection("127.0.0.1", port,
                                               context=self.ssl, timeout=60)
        return http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def stop_pid(pid):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def patch_site(text, https_port, http_port, ceiling_sock):
    """The bench's changes to the rendered site, each checked."""
    def sub(pattern, repl, text, count, what):
        new, n = re.subn(pattern, repl, text, flags=re.M)
        if n != count:
            die("the nginx template changed (%s: %d matches, expected %d); "
                "update patch_site() in tests/bench/bench.py"
                % (what, n, count))
        return new
    text = sub(r"^(\tlisten 127\.0\.0\.1:%d ssl http2;)$" % https_port,
               r"\1\n\t# bench: plain HTTP on loopback as well.\n"
               r"\tlisten 127.0.0.1:%d;" % http_port, text, 1, "listen")
    text = sub(r"^\t\tlimit_req zone=hm_auth burst=10 nodelay;\n",
               "\t\t# bench: no limit_req, so that sign-in measures the "
               "hash.\n", text, 2, "limit_req")
    body = '{"status":"ok","database":"ok","version":"bench"}\\n'
    text = sub(r"^\tlocation /api/ \{$",
               "\t# bench: the ceilings, behind this same server block.\n"
               "\tlocation = /bench/return200/ {\n"
               "\t\tdefault_type application/json;\n"
               "\t\treturn 200 '%s';\n"
               "\t}\n\n"
               "\tlocation = /bench/fcgi/ {\n"
               "\t\tfastcgi_pass unix:%s;\n"
               "\t}\n\n"
               "\tlocation /api/ {" % (body, ceiling_sock), text, 1,
               "location /api/")
    return text


# ------------------------------------------------------------------ wrk
class Runner:
    def __init__(self, stack):
        self.stack = stack
        self.duration = env_int("BENCH_DURATION", 10)
        self.warmup = env_int("BENCH_WARMUP", 1)
        self.threads = env_int("BENCH_THREADS", 2)
        self.connections = env_int("BENCH_CONNECTIONS", 16)
        self.timeout = env_int("BENCH_TIMEOUT", 10)
        self.pair = env_int("BENCH_PAIR_SECONDS", 5)
        self.lua = os.path.join(HERE, "workload.lua")

    def wrk(self, scheme, path, mode, token=None, file=None,
            connections=None, duration=None):
        c = connections or self.connections
        cmd = ["wrk", "-t", str(min(self.threads, c)), "-c", str(c),
               "-d", "%ds" % (duration or self.duration),
               "--timeout", "%ds" % self.timeout, "-s", self.lua,
               self.stack.base(scheme) + path, "--", mode, token or "-"]
        if file:
            cmd.append(file)
        p = subprocess.run(cmd, capture_output=True, text=True,
                           errors="replace")
        for line in p.stdout.splitlines():
            if line.startswith("BENCH_RESULT "):
                return json.loads(line[len("BENCH_RESULT "):])
        raise RuntimeError("wrk failed (%d): %s" % (
            p.returncode, (p.stderr or p.stdout).strip()[-500:]))

    def measure(self, scheme, path, mode, token=None, file=None,
                connections=None, warm=False, duration=None):
        if warm and self.warmup > 0:
            self.wrk(scheme, path, mode, token, file, connections,
                     self.warmup)
        r = self.wrk(scheme, path, mode, token, file, connections, duration)
        secs = r["duration_us"] / 1e6
        lat = r["latency_us"]
        errors = sum(r["errors"][k] for k in ("connect", "read", "write",
                                             "timeout"))
        return {
            "requests": r["requests"], "seconds": round(secs, 3),
            "rps": round(r["requests"] / secs, 1) if secs else 0,
            "p50_ms": round(lat["p50"] / 1000, 3),
            "p99_ms": round(lat["p99"] / 1000, 3),
            "max_ms": round(lat["max"] / 1000, 3),
            "non2xx": r["non2xx"], "non2xx_by_status": r["non2xx_by_status"],
            "first_non2xx_body": r["first_non2xx_body"][:300],
            "socket_errors": errors, "connections": connections or
            self.connections,
            "ok": r["non2xx"] == 0 and errors == 0 and r["requests"] > 0,
        }


def problem_of(body):
    """A short description of a non-2xx answer's problem body."""
    try:
        d = json.loads(body)
        return "%s: %s" % (d.get("code", "?"), d.get("detail", ""))[:160]
    except ValueError:
        return body[:80].decode(errors="replace").strip()


def run_helper(build, name, args):
    p = subprocess.run([os.path.join(build, "tests", "bench", name)] + args,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (name, p.stderr.strip()))
    return json.loads(p.stdout)


# ------------------------------------------------------------ workloads
class Bench:
    def __init__(self, stack, runner, info, build, iterations):
        self.s, self.r, self.info = stack, runner, info
        self.build, self.iterations = build, iterations
        self.rows = []
        self.ceilings = {}
        self.audit_costs = []
        self.deep = None        # (path, how)
        only = os.environ.get("BENCH_ONLY", "")
        self.only = set(x.strip() for x in only.split(",") if x.strip())

    def wanted(self, num):
        return not self.only or str(num) in self.only

    def rss(self):
        return workers_rss(self.s.pool_pid())

    def add(self, scheme, num, name, res, ceiling=None, ceiling_value=None,
            ratio=None, target=None, meets=None, note="", unit="req/s",
            rate=None, rss=None):
        row = {"scheme": scheme, "workload": num, "name": name,
               "result": res, "unit": unit, "rate": rate,
               "ceiling": ceiling, "ceiling_value": ceiling_value,
               "ratio": ratio, "target": target, "meets_target": meets,
               "note": note, "workers": rss if rss is not None
               else self.rss()}
        self.rows.append(row)
        status = "skipped" if res is None else "ok" if res.get("ok") \
            else "FAILED"
        rate = "" if rate is None else " %s %s" % (fmt(rate), unit)
        say("%s %s %s: %s%s%s" % (scheme, num, name, status, rate,
                                   " (" + note + ")" if note else ""))

    def probe(self, scheme, method, path, token=None, body=None):
        """None if one request answers 2xx, else a description."""
        try:
            status, data = self.s.request(scheme, method, path, token, body)
        except OSError as e:
            return "request failed: %s" % e
        if 200 <= status <= 299:
            return None
        return "%d %s" % (status, problem_of(data))

    def failed(self, scheme, num, name, why, **kw):
        self.add(scheme, num, name, {"ok": False, "error": why},
                 note=kw.pop("note", why), **kw)

    def load(self, scheme, num, name, method, path, mode, token=None,
             file=None, body=None, ceiling=None, target=None,
             connections=None, per_request=1, unit="req/s",
             missing_note=None):
        """Probes, then measures; adds the row; returns the result."""
        probe_path = path
        if mode == "ids":
            with open(file) as f:
                probe_path = path + f.readline().strip() + "/"
        if mode == "reading":
            with open(file) as f:
                body = json.dumps({"patient": f.readline().strip(),
                                   "bpm": 72})
        why = self.probe(scheme, method, probe_path, token, body)
        if why is not None:
            if missing_note and why.startswith("404"):
                why = missing_note + " (" + why + ")"
            self.failed(scheme, num, name, "probe answered " + why)
            return None
        pair = None
        try:
            if ceiling == "fcgi" and self.r.pair > 0:
                # The load of a shared machine changes within a run: the
                # ceiling is measured again right before the workload.
                pair = self.r.measure(scheme, "/bench/fcgi/", "get",
                                      duration=self.r.pair)
            res = self.r.measure(scheme, path, mode, token, file,
                                 connections, warm=method == "GET")
        except RuntimeError as e:
            self.failed(scheme, num, name, str(e))
            return None
        rate = res["rps"] * per_request
        cval = self.ceilings.get((scheme, ceiling))
        if pair is not None:
            cval = pair["rps"] if pair["ok"] else None
        ratio = round(rate / cval, 3) if cval and res["ok"] else None
        meets = None
        if target is not None and res["ok"]:
            kind, want = target
            value = ratio if kind == "ratio" else rate
            meets = value is not None and value >= want
        note = ""
        if not res["ok"]:
            note = "%d non-2xx %s, %d socket errors" % (
                res["non2xx"], json.dumps(res["non2xx_by_status"]),
                res["socket_errors"])
        self.add(scheme, num, name, res, ceiling=ceiling,
                 ceiling_value=cval, ratio=ratio,
                 target=target_text(target), meets=meets, note=note,
                 unit=unit, rate=rate)
        if pair is not None:
            self.rows[-1]["ceiling_run"] = pair
        return res

    # ---- ceilings
    # Each ceiling is measured right before the workloads compared with
    # it: on a shared machine the load changes within a run.
    def sqlite_ceiling(self, scheme, rows):
        key = "sqlite-1" if rows == 1 else "sqlite-batch"
        path = os.path.join(self.s.data, "db", "ceiling.db")
        try:
            c = run_helper(self.build, "sqlite_ceiling",
                           ["-b", str(rows), "-t", str(self.r.duration),
                            path])
        except RuntimeError as e:
            self.failed(scheme, "C", "SQLite %d-row commits" % rows, str(e))
            return
        self.ceilings[(scheme, key)] = c["rows_per_s"]
        self.add(scheme, "C", "SQLite %d-row commits (synchronous=%s)"
                 % (rows, c["synchronous"]),
                 {"ok": True, "rps": c["commits_per_s"],
                  "p50_ms": c["p50_ms"], "p99_ms": c["p99_ms"],
                  "requests": c["commits"], "non2xx": 0,
                  "socket_errors": 0, "detail": c},
                 unit="rows/s", rate=c["rows_per_s"], rss=[],
                 note="%s: a C loop, one writer, the workers' pragmas" % key)

    def pbkdf2_ceiling(self, scheme):
        name = "PBKDF2-SHA256 %d iterations, %d processes" % (
            self.iterations, self.s.workers)
        try:
            c = run_helper(self.build, "pbkdf2_rate",
                           ["-i", str(self.iterations), "-p",
                            str(self.s.workers), "-t",
                            str(max(self.r.duration, 5))])
        except RuntimeError as e:
            self.failed(scheme, "C", name, str(e))
            return
        self.ceilings[(scheme, "pbkdf2")] = c["hashes_per_s"]
        self.add(scheme, "C", name,
                 {"ok": True, "rps": c["hashes_per_s"],
                  "p50_ms": None, "p99_ms": None,
                  "requests": c["hashes"], "non2xx": 0, "socket_errors": 0,
                  "detail": c}, unit="hashes/s", rate=c["hashes_per_s"],
                 note="pbkdf2: %.1f ms a hash" % c["ms_per_hash"], rss=[])

    def http_ceilings(self, scheme):
        for key, path, name in (
                ("return200", "/bench/return200/", "nginx `return 200`"),
                ("fcgi", "/bench/fcgi/", "libfcgi fixed JSON, %d workers"
                 % self.s.workers)):
            try:
                res = self.r.measure(scheme, path, "get", warm=True)
            except RuntimeError as e:
                self.ceilings[(scheme, key)] = None
                self.failed(scheme, "C", name, str(e), rss=[])
                continue
            self.ceilings[(scheme, key)] = res["rps"] if res["ok"] else None
            if key == "return200":
                self.add(scheme, "C", name, res, rate=res["rps"], rss=[],
                         note=key)
                continue
            top = self.ceilings.get((scheme, "return200"))
            self.add(scheme, "C", name, res, rate=res["rps"],
                     ceiling="return200", ceiling_value=top,
                     ratio=round(res["rps"] / top, 3)
                     if res["ok"] and top else None,
                     rss=workers_rss(self.s.procs["ceiling"].pid), note=key)

    # ---- readings paging
    def find_deep(self, scheme, token, first):
        """Follows "next" links DEEP readings deep; (path, how) or None."""
        limit = env_int("BENCH_WALK_SECONDS", 120)
        conn = self.s.connect(scheme)
        path, t0 = first, time.time()
        try:
            for _ in range(DEEP // PAGE):
                status, body = self.s.request(scheme, "GET", path, token,
                                              conn=conn)
                if status != 200:
                    return None, "walk: %d %s" % (status, problem_of(body))
                nxt = json.loads(body).get("next")
                if not nxt:
                    return None, "walk: no next link before %d readings" \
                        % DEEP
                u = urllib.parse.urlsplit(nxt)
                path = u.path + ("?" + u.query if u.query else "")
                if time.time() - t0 > limit:
                    return None, "walk: slower than %d s" % limit
        finally:
            conn.close()
        return path, "followed %d next links (%.1f s)" % (
            DEEP // PAGE, time.time() - t0)

    def readings_pages(self, scheme, token):
        pid = self.info["readings"]["deep_patient"]
        first = "/api/patients/%s/heartrates/?page_size=%d" % (pid, PAGE)
        name = "GET %d readings of one patient, first page" % PAGE
        res = self.load(scheme, "3", name, "GET", first, "get", token,
                        ceiling="fcgi")
        if res is None or not res["ok"]:
            self.failed(scheme, "3", "GET %d readings, %d deep" % (PAGE, DEEP),
                        "the first page failed")
            return
        if self.deep is None:
            path, how = self.find_deep(scheme, token, first)
            if path is None:
                # 1 reading a second per patient: the DEEP-th newest.
                newest = self.info["readings"]["newest_measured_at"]
                t = time.strptime(newest[:19], "%Y-%m-%dT%H:%M:%S")
                until = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                      time.gmtime(calendar.timegm(t) - DEEP))
                path = first + "&until=" + urllib.parse.quote(until)
                how = how + "; used ?until=%s instead" % until
            self.deep = (path, how)
        path, how = self.deep
        deep = self.load(scheme, "3", "GET %d readings, %d deep" % (PAGE,
                         DEEP), "GET", path, "get", token, ceiling="fcgi")
        row = self.rows[-1]
        row["note"] = (row["note"] + "; " if row["note"] else "") + how
        if deep and deep["ok"] and res["rps"]:
            # The deep page's cost relative to the first page's.
            row["deep_cost"] = round(res["rps"] / deep["rps"], 3)
            row["target"] = "cost ≤ 1.2 × first page"
            row["meets_target"] = row["deep_cost"] <= 1.2
            row["note"] += "; cost %.2f × first page" % row["deep_cost"]

    # ---- everything, per scheme
    def run_scheme(self, scheme, tokens, files):
        self.http_ceilings(scheme)
        if self.wanted(1):
            self.load(scheme, "1", "GET one patient", "GET", "/api/patients/",
                      "ids", tokens["doctor"], files["patients"],
                      ceiling="fcgi", target=("ratio", 0.7))
        if self.wanted(2):
            path = "/api/patients/?search=%s&page_size=20" % SEARCH
            res = self.load(scheme, "2", "GET 20 patients, ?search=%s"
                            % SEARCH, "GET", path, "get", tokens["staff"],
                            ceiling="fcgi", target=("ratio", 0.5))
            if res and res["ok"]:
                status, body = self.s.request(scheme, "GET", path,
                                              tokens["staff"])
                row = self.rows[-1]
                row["note"] = "%s of %s patients match" % (
                    fmt(json.loads(body).get("count")),
                    fmt(self.info["patients"]))
        if self.wanted(3):
            if self.info.get("readings"):
                self.readings_pages(scheme, tokens["doctor"])
            else:
                self.failed(scheme, "3", "GET %d readings of one patient"
                            % PAGE, "no readings table: nothing generated")
        if self.wanted(4):
            self.sqlite_ceiling(scheme, 1)
            self.load(scheme, "4", "POST one reading", "POST",
                      "/api/heartrates/", "reading", tokens["nurse"],
                      files["admitted"], ceiling="sqlite-1",
                      target=("ratio", 0.8), unit="readings/s")
        if self.wanted(5):
            self.sqlite_ceiling(scheme, BATCH)
            self.load(scheme, "5", "POST a batch of %d readings" % BATCH,
                      "POST", "/api/heartrates/", "body", tokens["nurse"],
                      files["batch"], body=open(files["batch"]).read(),
                      ceiling="sqlite-batch", target=("rate", 150000),
                      per_request=BATCH, unit="readings/s")
        if self.wanted(6):
            self.load(scheme, "6", "GET /api/monitor/ (%d open admissions)"
                      % self.info["admissions"], "GET", "/api/monitor/",
                      "get", tokens["doctor"], ceiling="fcgi",
                      missing_note="not implemented")
        if self.wanted(7):
            self.pbkdf2_ceiling(scheme)
            self.load(scheme, "7", "sign-in (POST /api/auth/token/)", "POST",
                      "/api/auth/token/", "body", None, files["signin"],
                      body=open(files["signin"]).read(), ceiling="pbkdf2",
                      target=("ratio", 0.9), unit="sign-ins/s",
                      connections=env_int("BENCH_SIGNIN_CONNECTIONS", 4))
        if self.wanted(8):
            self.streams_workload(scheme, tokens, files)

    # ---- the cost of auditing reads (issue #6)
    def audit_cost(self, scheme, tokens, files):
        """Workloads 1 and 2 on a pool with AUDIT_READS=no, then on one
        with the default (yes), each pair back to back."""
        cases = []
        if self.wanted(1):
            cases.append(("A1", "GET one patient", "/api/patients/", "ids",
                          tokens["doctor"], files["patients"]))
        if self.wanted(2):
            cases.append(("A2", "GET 20 patients, ?search=%s" % SEARCH,
                          "/api/patients/?search=%s&page_size=20" % SEARCH,
                          "get", tokens["staff"], None))
        for num, name, path, mode, token, file in cases:
            runs = {}
            for audit in ("no", "yes"):
                label = "%s, AUDIT_READS=%s" % (name, audit)
                if not self.s.restart_pool({"AUDIT_READS": audit}):
                    self.failed(scheme, num, label, "the pool restarted "
                                "with AUDIT_READS=%s did not answer" % audit)
                    break
                if audit == "no":
                    res = self.load(scheme, num, label, "GET", path, mode,
                                    token, file, ceiling="fcgi")
                else:
                    res = self.load(scheme, num, label, "GET", path, mode,
                                    token, file, ceiling="audit-off")
                row = self.rows[-1]
                row["audit_reads"] = audit
                if res is None or not res["ok"]:
                    break
                runs[audit] = row["rate"]
                if audit == "no":
                    self.ceilings[(scheme, "audit-off")] = row["rate"]
            self.ceilings.pop((scheme, "audit-off"), None)
            if len(runs) == 2:
                ratio = round(runs["yes"] / runs["no"], 3)
                row["note"] = "with ÷ without auditing reads: %.3f" % ratio
                self.audit_costs.append({
                    "scheme": scheme, "workload": num, "name": name,
                    "rps_audit_reads_no": runs["no"],
                    "rps_audit_reads_yes": runs["yes"], "ratio": ratio})

    # ---- workload 8: event streams
    def streams_workload(self, scheme, tokens, files):
        """Workload 2 with a stream open per admitted patient, and the
        time from the commit of a reading to its event meanwhile.  The
        same search load with the same reading poster but no streams
        runs right before (8a) and right after (8c): the streams are the
        only difference, and the mean of the two is the baseline."""
        name = "GET 20 patients, ?search=%s, %d streams open" % (
            SEARCH, self.info["admissions"])
        if self.s.streamer is None:
            self.add(scheme, "8", name, None, note="skipped: this build "
                     "has no heartmonitor-stream")
            return
        with open(files["admitted"]) as f:
            patients = [line.strip() for line in f if line.strip()]
        search = "/api/patients/?search=%s&page_size=20" % SEARCH

        def search_load(num, title):
            return self.load(scheme, num, title, "GET", search, "get",
                             tokens["staff"], ceiling="fcgi",
                             target=("ratio", 0.5))

        def without_streams(num):
            poster = streams.Poster(lambda: self.s.connect(scheme),
                                    tokens["nurse"], patients,
                                    STREAM_POST_S)
            poster.start()
            try:
                return search_load(num, "GET 20 patients, ?search=%s, no "
                                   "streams, readings posted" % SEARCH)
            finally:
                poster.stop()

        before = without_streams("8a")
        port = self.s.https_port if scheme == "https" else self.s.http_port
        st = streams.Streams("127.0.0.1", port,
                             self.s.ssl if scheme == "https" else None,
                             tokens["doctor"])
        t0 = time.time()
        why = st.open(patients)
        opened = time.time() - t0
        if why is not None:
            self.failed(scheme, "8", name, "stream %d of %d: %s" % (
                len(st.streams) + 1, len(patients), why))
            st.stop()
            return
        st.start()
        poster = streams.Poster(lambda: self.s.connect(scheme),
                                tokens["nurse"], patients, STREAM_POST_S)
        poster.start()
        try:
            search_load("8", name)
            row = self.rows[-1]
            time.sleep(1)
        finally:
            poster.stop()
            time.sleep(2)           # the last events
            still = st.open_count()
            st.stop()
        after = without_streams("8c")
        extra = ["%d streams opened in %.1f s" % (len(patients), opened)]
        base = [r["rps"] for r in (before, after) if r and r["ok"]]
        if len(base) == 2 and row["rate"]:
            row["baseline_rate"] = sum(base) / 2
            row["streams_ratio"] = round(row["rate"] / row["baseline_rate"],
                                         3)
            extra.append("%.2f × the same load without streams (8a, 8c)"
                         % row["streams_ratio"])
        row["note"] = "; ".join(([row["note"]] if row["note"] else []) +
                                extra)
        after_answer, after_request, missing = streams.latencies(poster, st)
        closed = len(patients) - still
        failed = sum(poster.failures.values())
        ok = missing == 0 and closed == 0 and failed == 0 and \
            len(poster.sent) > 0
        p = streams.percentile
        res = {"ok": ok, "requests": len(poster.sent), "non2xx": failed,
               "socket_errors": missing + closed,
               "p50_ms": p(after_request, 50), "p99_ms": p(after_request, 99),
               "after_answer_p50_ms": p(after_answer, 50),
               "after_answer_p99_ms": p(after_answer, 99),
               "missing_events": missing, "streams_closed": closed,
               "post_failures": poster.failures}
        note = ("commit → event between (event − answer) p50 %s / p99 %s ms "
                "and (event − request) p50 %s / p99 %s ms" % (
                    fmt(res["after_answer_p50_ms"], 1),
                    fmt(res["after_answer_p99_ms"], 1),
                    fmt(res["p50_ms"], 1), fmt(res["p99_ms"], 1)))
        if not ok:
            note += "; %d events missing, %d streams closed, POST failures " \
                "%s" % (missing, closed, json.dumps(poster.failures))
        self.add(scheme, "8", "commit → event, %d readings over %d streams"
                 % (len(poster.sent), len(patients)), res,
                 rate=round(len(poster.sent) / max(1e-9, poster.t_end -
                                                   poster.t_start), 1),
                 unit="readings/s", note=note)
        srss = rss_of(self.s.procs["stream"].pid) or {}
        self.rows[-1]["stream_rss"] = srss
        self.rows[-1]["note"] += "; heartmonitor-stream VmRSS %s kB" % fmt(
            srss.get("VmRSS"))


def target_text(target):
    if target is None:
        return None
    kind, want = target
    return ("≥ %g × ceiling" % want) if kind == "ratio" else \
        ("≥ %s/s" % format(want, ","))


# -------------------------------------------------------------- report
def fmt(v, digits=1):
    if v is None:
        return "–"
    if isinstance(v, float):
        return format(round(v, digits), ",." + str(digits) + "f")
    return format(v, ",") if isinstance(v, int) else str(v)


def markdown(result):
    m = result["machine"]
    lines = [
        "Benchmarks (issue #8), %s" % result["date"],
        "",
        "Machine: %s, %s, %s CPUs, %s MB, Linux %s, %s." % (
            m["host"], m["cpu"] or "unknown CPU", m["cpus"], m["mem_mb"],
            m["kernel"], m["os"]),
        "Run: %s, %s patients, %d open admissions; %d workers; "
        "wrk %d threads, %d connections, %d s a run; "
        "PASSWORD_ITERATIONS=%s, DB_SYNCHRONOUS=%s." % (
            "%s readings" % fmt(result["data"]["readings_total"])
            if result["data"]["readings"] else
            "no readings (the schema has no readings table)",
            fmt(result["data"]["patients"]), result["data"]["admissions"],
            result["config"]["workers"], result["config"]["threads"],
            result["config"]["connections"], result["config"]["duration"],
            result["config"]["PASSWORD_ITERATIONS"],
            result["config"]["DB_SYNCHRONOUS"]),
        "Load average (1, 5, 15 min) at the start %s, at the end %s: "
        "anything else running skews each rate, less so the ratios." % (
            result["loadavg"]["start"], result["loadavg"]["end"]),
        "",
        "| # | workload | scheme | rate | p50 ms | p99 ms | non-2xx / errors "
        "| ceiling | ratio | target | worker RSS kB | note |",
        "|---|---|---|---:|---:|---:|---|---|---:|---|---|---|",
    ]
    for row in result["rows"]:
        res = row["result"] or {}
        if row["result"] is None:
            rate = "skipped"
        elif not res.get("ok") and "error" in res:
            rate = "**FAILED**"
        else:
            rate = "%s %s" % (fmt(row["rate"]), row["unit"])
            if not res.get("ok"):
                rate = "**FAILED** " + rate
        errs = "–"
        if "non2xx" in res:
            errs = "%d / %d" % (res["non2xx"], res.get("socket_errors", 0))
        ceiling = "–"
        if row["ceiling"]:
            ceiling = "%s (%s)" % (row["ceiling"], fmt(row["ceiling_value"]))
        target = row["target"] or "–"
        if row["meets_target"] is not None:
            target += " met" if row["meets_target"] else " **missed**"
        rss = ", ".join(fmt(w["rss_kb"]) + (" (%s)" % fmt(w["anon_kb"])
                                            if w.get("anon_kb") else "")
                        for w in row["workers"]) or "–"
        note = row["note"].replace("|", "\\|").replace("\n", " ")
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s "
                     "| %s |" % (
                         row["workload"], row["name"], row["scheme"], rate,
                         fmt(res.get("p50_ms"), 2), fmt(res.get("p99_ms"), 2),
                         errs, ceiling, fmt(row["ratio"], 3), target, rss,
                         note))
    pair = result["config"]["pair"]
    if result.get("audit_cost"):
        lines += ["", "The cost of auditing reads (rows A1, A2: each pool "
                  "restarted with AUDIT_READS=no, then yes, back to back): " +
                  "; ".join("%s %s %s × (%s with, %s without, req/s)" % (
                      c["scheme"], c["name"], fmt(c["ratio"], 3),
                      fmt(c["rps_audit_reads_yes"]),
                      fmt(c["rps_audit_reads_no"]))
                      for c in result["audit_cost"]) + "."]
    lines += ["", "Rows in the order they ran; each ceiling (C) right before "
              "the workloads compared with it%s.  `return200` is nginx "
              "answering alone, `fcgi` a minimal libfcgi pool of as many "
              "workers (its row shows its workers' RSS), both behind the same "
              "server block; `sqlite-1`/`sqlite-batch` commit 1 and %d rows "
              "a transaction with the workers' pragmas; `pbkdf2` hashes as "
              "a sign-in does.  Worker RSS is VmRSS of each "
              "heartmonitor-fcgi worker after the run and, in parentheses, "
              "its anonymous part (RssAnon: heap, stack, page cache); the "
              "rest is mapped files, mostly shared library code that every "
              "process counts although the system holds it once.  Any "
              "non-2xx answer fails its run." % (
                  ", and the `fcgi` value beside a workload from its own "
                  "%d s run just before that workload" % pair if pair else "",
                  BATCH), ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(prog="bench.py")
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", required=True)
    a = ap.parse_args()
    build, src = os.path.abspath(a.build), os.path.abspath(a.src)
    for prog in ("fcgi/heartmonitor-fcgi", "hmctl/hmctl",
                 "tests/bench/fcgi_ceiling", "tests/bench/sqlite_ceiling",
                 "tests/bench/pbkdf2_rate"):
        if not os.access(os.path.join(build, prog), os.X_OK):
            die("%s/%s is not built: run make bench" % (build, prog))
    ensure_wrk()
    scale = os.environ.get("BENCH_SCALE", "default")
    if scale not in ("default", "large"):
        die("BENCH_SCALE is default or large")
    readings = env_int("BENCH_READINGS",
                       10000000 if scale == "large" else 1000000)
    workers = env_int("BENCH_WORKERS", 2)
    schemes = os.environ.get("BENCH_SCHEMES", "https http").split()
    if not schemes or any(s not in ("https", "http") for s in schemes):
        die("BENCH_SCHEMES takes https and/or http")
    out_dir = os.path.abspath(os.environ.get("BENCH_OUT", "bench-out"))
    given = os.environ.get("BENCH_DATA_DIR", "")
    if given:
        os.makedirs(given, exist_ok=True)
        data = os.path.abspath(given)
    else:
        data = tempfile.mkdtemp(prefix="heartmonitor-bench.", dir="/tmp")
    keep = os.environ.get("BENCH_KEEP", "") == "1" or bool(given)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    t_start = time.time()
    load_start = loadavg()
    stack = Stack(build, src, data, workers)
    ok = False
    try:
        stack.configure()
        say("data folder %s" % data)
        stack.hmctl("migrate")
        users, password = stack.make_users()
        say("generating %s readings" % format(readings, ","))
        gen = subprocess.run(
            [sys.executable, os.path.join(HERE, "gendata.py"), stack.db,
             "--readings", str(readings), "--nurse", users["nurse"],
             "--staff", users["staff"]], capture_output=True, text=True,
            env=stack.env)
        if gen.returncode != 0:
            die("gendata.py failed: " + gen.stderr.strip())
        info = json.loads(gen.stdout)
        if info.get("note"):
            say(info["note"])
        files = write_inputs(data, info, users["signin"], password)
        stack.make_cert()
        stack.render_nginx()
        stack.start()
        tokens = {}
        for role in ("doctor", "nurse", "staff"):
            status, body = stack.request(
                "https", "POST", "/api/auth/token/",
                body=json.dumps({"email": users[role], "password": password}))
            if status != 200:
                die("sign-in of %s: %d %s" % (role, status, problem_of(body)))
            tokens[role] = json.loads(body)["access"]
        runner = Runner(stack)
        iterations = int(stack.effective.get("PASSWORD_ITERATIONS", "600000"))
        bench = Bench(stack, runner, info, build, iterations)
        rss_start = workers_rss(stack.pool_pid())
        for scheme in schemes:
            bench.run_scheme(scheme, tokens, files)
        # Last: it restarts the pool, whose RSS the rows above report.
        if env_int("BENCH_AUDIT_COST", 1):
            for scheme in schemes:
                bench.audit_cost(scheme, tokens, files)
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "seconds": round(time.time() - t_start, 1),
            "machine": machine(),
            "loadavg": {"start": load_start, "end": loadavg()},
            "versions": {"nginx": version_of(["nginx", "-v"]),
                         "wrk": version_of(["wrk", "-v"]),
                         "sqlite": version_of(["sqlite3", "--version"]),
                         "commit": version_of(["git", "-C", src, "describe",
                                               "--always", "--dirty"])},
            "config": {"workers": workers, "threads": runner.threads,
                       "connections": runner.connections,
                       "duration": runner.duration, "warmup": runner.warmup,
                       "pair": runner.pair,
                       "scale": scale, "schemes": schemes,
                       "nginx": "shipped template; plain-HTTP listen, ceiling "
                                "locations, no limit_req on sign-in/token",
                       **{k: stack.effective.get(k) for k in (
                           "PASSWORD_ITERATIONS", "DB_SYNCHRONOUS",
                           "DB_BUSY_TIMEOUT_MS", "ACCESS_TOKEN_LIFETIME")}},
            "data": {"patients": info["patients"],
                     "admissions": info["admissions"],
                     "readings_total": (info.get("readings") or {}).get(
                         "total", 0),
                     "readings": info.get("readings"),
                     "generate_seconds": info["patients_seconds"] +
                     info["readings_seconds"],
                     "search": SEARCH},
            "deep_page": bench.deep[1] if bench.deep else None,
            "workers_at_start": rss_start,
            "audit_cost": bench.audit_costs,
            "rows": bench.rows,
        }
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "bench.json"), "w") as f:
            json.dump(result, f, indent=1, ensure_ascii=False)
            f.write("\n")
        md = markdown(result)
        with open(os.path.join(out_dir, "bench.md"), "w") as f:
            f.write(md)
        print(md)
        say("wrote %s/bench.md and bench.json (%.0f s)" % (
            out_dir, time.time() - t_start))
        ok = True
    finally:
        stack.stop()
        if ok and not keep:
            shutil.rmtree(data, ignore_errors=True)
        elif not ok:
            say("kept %s (logs in logs/ and nginx/logs/)" % data)


def write_inputs(data, info, signin_email, password):
    """The id lists and bodies the wrk script reads."""
    d = os.path.join(data, "inputs")
    os.makedirs(d, exist_ok=True)
    files = {k: os.path.join(d, k) for k in ("patients", "admitted",
                                             "batch", "signin")}
    with open(files["patients"], "w") as f:
        f.write("\n".join(info["patient_ids"]) + "\n")
    admitted = info["admitted_patient_ids"]
    with open(files["admitted"], "w") as f:
        f.write("\n".join(admitted) + "\n")
    with open(files["batch"], "w") as f:
        json.dump([{"patient": admitted[i % len(admitted)],
                    "bpm": 40 + i % 120} for i in range(BATCH)], f)
    with open(files["signin"], "w") as f:
        json.dump({"email": signin_email, "password": password}, f)
    return files


if __name__ == "__main__":
    main()

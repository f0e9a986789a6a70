# Heart Monitor API: workload 8 of the benchmarks (issue #8), the event
# streams.  Used by tests/bench/bench.py.
#
# Streams holds many GET /api/heartrates/stream/?patient=ID open (HTTP/1.1,
# over TLS or not, one socket each) in one thread with a selector, decodes
# the chunked bodies and the server-sent events in them, and notes when
# the event of each reading id first arrives.  Poster records readings at
# a steady pace meanwhile and notes when each request went out and when
# its answer came back: the commit happened between the two, so the event
# arrived between (event - answer) and (event - request) after it.
#
# Python's standard library only.

import json
import selectors
import socket
import ssl
import threading
import time


class Stream:
    """One open stream: its socket and the decoder's state."""

    def __init__(self, sock, patient):
        self.sock, self.patient = sock, patient
        self.raw = b""          # bytes not yet de-chunked
        self.text = b""         # de-chunked bytes not yet split in events
        self.left = 0           # bytes left in the current chunk
        self.events = 0
        self.closed = False


def open_stream(host, port, ctx, token, patient, timeout):
    """Opens one stream; returns (Stream, None) or (None, why)."""
    path = "/api/heartrates/stream/?patient=" + patient
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
        if ctx is not None:
            sock = ctx.wrap_socket(sock, server_hostname=host)
        sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
                      "Authorization: Bearer %s\r\n"
                      "Accept: text/event-stream\r\n\r\n"
                      % (path, host, port, token)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            data = sock.recv(65536)
            if not data:
                return None, "connection closed before the answer"
            head += data
    except OSError as e:
        return None, str(e)
    head, _, rest = head.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 2)
    if len(status) < 2 or status[1] != "200":
        sock.close()
        return None, "answered " + lines[0]
    fields = {k.strip().lower(): v.strip() for k, _, v in
              (line.partition(":") for line in lines[1:])}
    if not fields.get("content-type", "").startswith("text/event-stream"):
        sock.close()
        return None, "not an event stream: " + fields.get("content-type", "")
    if fields.get("transfer-encoding", "").lower() != "chunked":
        sock.close()
        return None, "expected a chunked body"
    s = Stream(sock, patient)
    s.raw = rest
    return s, None


class Streams:
    def __init__(self, host, port, ctx, token):
        self.host, self.port, self.ctx, self.token = host, port, ctx, token
        self.streams = []
        self.arrived = {}       # reading id -> monotonic time of its event
        self.lock = threading.Lock()
        self.sel = selectors.DefaultSelector()
        self.stop_flag = False
        self.thread = None

    def open(self, patients, timeout=30):
        """Opens a stream per patient; returns None or the first failure."""
        for p in patients:
            s, why = open_stream(self.host, self.port, self.ctx, self.token,
                                 p, timeout)
            if s is None:
                return why
            s.sock.setblocking(False)
            self.sel.register(s.sock, selectors.EVENT_READ, s)
            self.streams.append(s)
            self.feed(s, b"")
        return None

    def start(self):
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop_flag:
            for key, _ in self.sel.select(0.2):
                self.read(key.data)

    def read(self, s):
        while True:
            try:
                data = s.sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                return
            except OSError:
                data = b""
            if not data:
                s.closed = True
                self.sel.unregister(s.sock)
                return
            self.feed(s, data)

    def feed(self, s, data):
        """De-chunks "data" and takes the whole events out of it."""
        now = time.monotonic()
        s.raw += data
        while True:
            if s.left == 0:
                line, sep, rest = s.raw.partition(b"\r\n")
                if not sep:
                    break
                if line == b"":         # the CRLF that ends a chunk
                    s.raw = rest
                    continue
                s.left = int(line.split(b";")[0], 16)
                s.raw = rest
                if s.left == 0:         # the last chunk: the stream ended
                    s.closed = True
                    break
            take = s.raw[:s.left]
            s.raw = s.raw[len(take):]
            s.left -= len(take)
            s.text += take
            if s.left > 0:
                break
        while b"\n\n" in s.text:
            block, _, s.text = s.text.partition(b"\n\n")
            for line in block.split(b"\n"):
                if line.startswith(b"data:"):
                    self.event(s, line[5:].strip(), now)

    def event(self, s, data, now):
        try:
            rid = json.loads(data).get("id")
        except ValueError:
            return
        s.events += 1
        with self.lock:
            self.arrived.setdefault(rid, now)

    def stop(self):
        self.stop_flag = True
        if self.thread is not None:
            self.thread.join()
        for s in self.streams:
            try:
                s.sock.close()
            except OSError:
                pass
        self.sel.close()

    def open_count(self):
        return sum(1 for s in self.streams if not s.closed)


class Poster:
    """Records a reading every "interval" seconds, round robin."""

    def __init__(self, connect, token, patients, interval):
        self.connect, self.token = connect, token
        self.patients, self.interval = patients, interval
        self.sent = []          # (reading id, request time, answer time)
        self.failures = {}      # status -> count
        self.stop_flag = False
        self.thread = None
        self.t_start = self.t_end = 0.0

    def start(self):
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        conn, n = self.connect(), 0
        self.t_start = time.monotonic()
        headers = {"Authorization": "Bearer " + self.token,
                   "Content-Type": "application/json"}
        next_at = time.monotonic()
        while not self.stop_flag:
            body = json.dumps({"patient": self.patients[n % len(
                self.patients)], "bpm": 60 + n % 40})
            n += 1
            t0 = time.monotonic()
            try:
                conn.request("POST", "/api/heartrates/", body=body,
                             headers=headers)
                r = conn.getresponse()
                data = r.read()
            except OSError:
                self.failures["error"] = self.failures.get("error", 0) + 1
                conn.close()
                conn = self.connect()
                continue
            t1 = time.monotonic()
            if r.status == 201:
                self.sent.append((json.loads(data)["id"], t0, t1))
            else:
                self.failures[str(r.status)] = \
                    self.failures.get(str(r.status), 0) + 1
            next_at += self.interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        self.t_end = time.monotonic()
        conn.close()

    def stop(self):
        self.stop_flag = True
        if self.thread is not None:
            self.thread.join()


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100.0 * (len(v) - 1) + 0.5))]


def latencies(poster, streams):
    """Commit-to-event bounds in ms, and how many events never came."""
    after_answer, after_request, missing = [], [], 0
    with streams.lock:
        for rid, t0, t1 in poster.sent:
            t = streams.arrived.get(rid)
            if t is None:
                missing += 1
                continue
            after_answer.append((t - t1) * 1000)
            after_request.append((t - t0) * 1000)
    return after_answer, after_request, missing

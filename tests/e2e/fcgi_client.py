"""A minimal FastCGI client (responder role) for the end-to-end tests.

Standard library only (run with /usr/bin/python3).  It speaks just enough
of the FastCGI 1.0 specification to ask a worker one question the way
nginx's fastcgi_pass does: BEGIN_REQUEST (role RESPONDER, no keep-conn),
the PARAMS stream, the STDIN stream, then it reads STDOUT and STDERR
records until END_REQUEST and parses the CGI answer.

    from fcgi_client import request
    r = request("unix:/run/hm.sock", "GET", "/api/health/")
    r.status, r.headers["Content-Type"], r.body, r.json()

An address is "unix:/path", a plain path (contains "/"), "host:port" or
a (host, port) tuple.
"""

import json
import re
import socket
import struct
import time
import uuid
from email.message import Message

FCGI_VERSION_1 = 1

FCGI_BEGIN_REQUEST = 1
FCGI_ABORT_REQUEST = 2
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_DATA = 8
FCGI_GET_VALUES = 9
FCGI_GET_VALUES_RESULT = 10
FCGI_UNKNOWN_TYPE = 11

FCGI_RESPONDER = 1
FCGI_KEEP_CONN = 1

FCGI_REQUEST_COMPLETE = 0

HEADER = struct.Struct("!BBHHBx")   # version, type, request id, length, padding
MAX_CONTENT = 65535


class FcgiError(Exception):
    """The peer broke the protocol."""


class FcgiTruncated(FcgiError):
    """The connection ended after some records but before END_REQUEST.

    "received" is how many bytes of records had arrived.  A connection
    that is closed before a single byte arrived raises FcgiNoAnswer
    instead: the request was never taken (refused, or dropped from the
    listen queue of a worker that is going away).
    """

    def __init__(self, msg, received, stdout):
        super().__init__(msg)
        self.received = received
        self.stdout = stdout


class FcgiNoAnswer(FcgiError, ConnectionError):
    """The connection ended (or was reset) before any record arrived."""


def record(rtype, content=b"", request_id=1):
    """One record of "rtype" carrying "content" (at most 65535 bytes),
    padded to a multiple of 8 bytes as the specification recommends."""
    if len(content) > MAX_CONTENT:
        raise ValueError("record content over 65535 bytes")
    pad = -len(content) % 8
    return (HEADER.pack(FCGI_VERSION_1, rtype, request_id, len(content), pad)
            + content + b"\0" * pad)


def stream(rtype, data, request_id=1):
    """"data" as records of "rtype", then the empty record that ends the
    stream."""
    out = []
    for i in range(0, len(data), MAX_CONTENT):
        out.append(record(rtype, data[i:i + MAX_CONTENT], request_id))
    out.append(record(rtype, b"", request_id))
    return b"".join(out)


def _length(n):
    if n < 128:
        return bytes([n])
    if n > 0x7FFFFFFF:
        raise ValueError("name or value too long")
    return struct.pack("!I", n | 0x80000000)


def _bytes(s):
    return s if isinstance(s, bytes) else str(s).encode("utf-8",
                                                         "surrogateescape")


def encode_params(params):
    """Name-value pairs in FastCGI's length-prefixed encoding.  "params"
    is a dict or a list of pairs; names and values are str or bytes."""
    items = params.items() if hasattr(params, "items") else params
    out = []
    for name, value in items:
        name, value = _bytes(name), _bytes(value)
        out.append(_length(len(name)) + _length(len(value)) + name + value)
    return b"".join(out)


def decode_params(data):
    """The inverse of encode_params(), for tests of this module."""
    pairs, i = [], 0

    def length():
        nonlocal i
        if data[i] < 128:
            i += 1
            return data[i - 1]
        n = struct.unpack("!I", data[i:i + 4])[0] & 0x7FFFFFFF
        i += 4
        return n

    while i < len(data):
        nl = length()
        vl = length()
        pairs.append((data[i:i + nl], data[i + nl:i + nl + vl]))
        i += nl + vl
    return pairs


class Headers(Message):
    """Case-insensitive response headers (get, [], get_all)."""


class FcgiResponse:
    """A worker's answer: status (int), headers (case-insensitive),
    body (bytes), stderr (bytes), app_status and protocol_status of
    END_REQUEST, and stdout (the raw CGI output)."""

    def __init__(self, stdout, stderr, app_status, protocol_status):
        self.stdout = stdout
        self.stderr = stderr
        self.app_status = app_status
        self.protocol_status = protocol_status
        self.status, self.headers, self.body = parse_cgi(stdout)

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def content_type(self):
        """The media type without parameters, lower case."""
        v = self.headers.get("Content-Type", "")
        return v.split(";", 1)[0].strip().lower()

    def __repr__(self):
        return "<FcgiResponse %d %r %r>" % (self.status,
                                           dict(self.headers.items()),
                                           self.body[:200])


def parse_cgi(data):
    """Splits CGI output into (status, headers, body).  The status comes
    from a "Status:" header ("Status: 404 Not Found"), 302 with only a
    Location, else 200.  Raises FcgiError on output without a header
    block."""
    # The header block ends at the first empty line (CRLF or LF).
    m = re.search(rb"(?:^|\n)(\r?\n)", data)
    if m is None:
        raise FcgiError("CGI output without an end of headers: %r"
                        % data[:200])
    head, body = data[:m.start(1)], data[m.end(1):]
    headers = Headers()
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if not line:
            continue
        if b":" not in line:
            raise FcgiError("CGI header line without a colon: %r" % line)
        name, value = line.split(b":", 1)
        headers[name.strip().decode("latin-1")] = \
            value.strip().decode("latin-1")
    status = headers.get("Status")
    if status is not None:
        try:
            code = int(status.split(None, 1)[0])
        except (ValueError, IndexError):
            raise FcgiError("bad Status header: %r" % status) from None
        del headers["Status"]
    elif headers.get("Location"):
        code = 302
    else:
        code = 200
    return code, headers, body


def connect(address, timeout=10.0):
    """A connected socket to "address" (see the module comment)."""
    if isinstance(address, tuple):
        host, port = address
        return socket.create_connection((host, int(port)), timeout=timeout)
    if address.startswith("unix:"):
        path = address[5:]
    elif "/" in address:
        path = address
    else:
        host, _, port = address.rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)),
                                        timeout=timeout)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
    except BaseException:
        s.close()
        raise
    return s


def build_params(method, uri, headers=None, body=b"", remote_addr="127.0.0.1",
                 request_id=None, extra=None):
    """The parameters nginx's fastcgi_params (plus REQUEST_ID) would send
    for "method" and "uri" ("/path?query").  "headers" become HTTP_*
    parameters, except Content-Type and Content-Length, which become
    CONTENT_TYPE and CONTENT_LENGTH."""
    path, _, query = uri.partition("?")
    params = {
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_SOFTWARE": "hm-e2e-fcgi-client",
        "REQUEST_METHOD": method,
        "REQUEST_URI": uri,
        "DOCUMENT_URI": path,
        "SCRIPT_NAME": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "REQUEST_ID": request_id if request_id is not None
        else uuid.uuid4().hex,
        "REMOTE_ADDR": remote_addr,
        "REMOTE_PORT": "40000",
        "SERVER_ADDR": "127.0.0.1",
        "SERVER_PORT": "443",
        "SERVER_NAME": "localhost",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REQUEST_SCHEME": "https",
        "HTTPS": "on",
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            params[key] = value
        else:
            params["HTTP_" + key] = value
    if extra:
        params.update(extra)
    return params


def request(address, method, uri, headers=None, body=b"", timeout=10.0,
            params=None, request_id=None, pause=0.0):
    """Sends one request to the FastCGI responder at "address" and returns
    an FcgiResponse.  "body" is bytes (or str).  "params" replaces the
    whole parameter set built by build_params() when given.  "pause"
    seconds pass between connecting and sending (a slow client).

    Raises ConnectionRefusedError / FileNotFoundError when nothing
    listens, FcgiNoAnswer when the connection ends before any record,
    FcgiTruncated when it ends after some records but before
    END_REQUEST, socket.timeout on a hang, FcgiError on garbage."""
    body = _bytes(body) if body else b""
    if params is None:
        params = build_params(method, uri, headers, body,
                              request_id=request_id)
    sock = connect(address, timeout)
    try:
        if pause:
            time.sleep(pause)
        try:
            sock.sendall(
                record(FCGI_BEGIN_REQUEST,
                       struct.pack("!HB5x", FCGI_RESPONDER, 0))
                + stream(FCGI_PARAMS, encode_params(params))
                + stream(FCGI_STDIN, body))
        except (BrokenPipeError, ConnectionResetError):
            # The worker may already have answered (and closed); read it.
            pass
        return read_response(sock)
    finally:
        sock.close()


def _recv_exact(sock, n, got):
    """Reads exactly "n" bytes; "got" is a one-item list counting the
    bytes received so far on this connection.  Returns fewer bytes only
    at end of stream."""
    chunks, have = [], 0
    while have < n:
        try:
            c = sock.recv(n - have)
        except ConnectionResetError:
            c = b""
        if not c:
            break
        chunks.append(c)
        have += len(c)
        got[0] += len(c)
    return b"".join(chunks)


def read_response(sock, request_id=1):
    """Reads records from "sock" until END_REQUEST of "request_id" and
    returns the FcgiResponse."""
    out, err, got = [], [], [0]
    while True:
        head = _recv_exact(sock, HEADER.size, got)
        if len(head) < HEADER.size:
            if got[0] == 0:
                raise FcgiNoAnswer("connection closed before any answer")
            raise FcgiTruncated(
                "connection closed after %d bytes, before END_REQUEST"
                % got[0], got[0], b"".join(out))
        version, rtype, rid, clen, plen = HEADER.unpack(head)
        if version != FCGI_VERSION_1:
            raise FcgiError("bad record version %d" % version)
        content = _recv_exact(sock, clen + plen, got)
        if len(content) < clen + plen:
            raise FcgiTruncated(
                "connection closed inside a record after %d bytes" % got[0],
                got[0], b"".join(out))
        content = content[:clen]
        if rid != request_id:
            if rid == 0 and rtype in (FCGI_GET_VALUES_RESULT,
                                      FCGI_UNKNOWN_TYPE):
                continue
            raise FcgiError("record for request %d, expected %d"
                            % (rid, request_id))
        if rtype == FCGI_STDOUT:
            out.append(content)
        elif rtype == FCGI_STDERR:
            err.append(content)
        elif rtype == FCGI_END_REQUEST:
            if clen < 8:
                raise FcgiError("short END_REQUEST body")
            app_status, proto = struct.unpack("!IB3x", content[:8])
            return FcgiResponse(b"".join(out), b"".join(err), app_status,
                                proto)
        else:
            raise FcgiError("unexpected record type %d" % rtype)

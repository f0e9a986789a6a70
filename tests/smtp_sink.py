#!/usr/bin/python3
"""A real SMTP server for tests: it accepts every message and stores it.

    /usr/bin/python3 tests/smtp_sink.py --host 127.0.0.1 --port N --dir DIR
                                        [--pidfile F] [--refuse TEXT]

Each message is saved exactly as received (bytes) as
DIR/<UTC timestamp>-<n>.eml, written to a hidden temporary file first
and renamed, so that a reader never sees half a message.  One line per
message goes to stderr (file name, size, envelope), never the content.
SIGTERM or SIGINT stops it cleanly (exit status 0); the pid file, if
any, is written once the port is open and removed at exit.  With
--refuse TEXT, RCPT TO is answered 550 for every address holding TEXT.

Needs aiosmtpd (Debian: python3-aiosmtpd) for Debian's /usr/bin/python3.
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


def log(msg):
    print("smtp_sink: " + msg, file=sys.stderr, flush=True)


class Store:
    """aiosmtpd handler that saves each message into a directory."""

    def __init__(self, directory, refuse=None):
        self.dir = directory
        self.refuse = refuse
        self.counter = itertools.count(1)

    def save(self, data):
        n = next(self.counter)
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + \
            ".%06dZ" % int((now % 1) * 1e6)
        name = "%s-%d.eml" % (stamp, n)
        tmp = os.path.join(self.dir, ".%s.tmp" % name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, os.path.join(self.dir, name))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return name

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if self.refuse and self.refuse in address:
            log("refused a recipient (550)")
            return "550 5.1.1 Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        if data is None:
            data = envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        try:
            name = self.save(data)
        except OSError as e:
            log("cannot store a message: %s" % e)
            return "451 Requested action aborted: local error in processing"
        log("saved %s (%d bytes) from <%s> to %d recipient(s)"
            % (name, len(data), envelope.mail_from or "",
               len(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    handler = Store(args.dir, args.refuse)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.test", decode_data=False,
                     enable_SMTPUTF8=True, data_size_limit=64 * 1024 * 1024),
        host=args.host, port=args.port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    if args.pidfile:
        tmp = args.pidfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(tmp, args.pidfile)
    log("listening on %s:%d, storing into %s" % (args.host, port, args.dir))

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        server.close()
        try:
            await asyncio.wait_for(server.wait_closed(), 2)
        except asyncio.TimeoutError:
            pass
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
        log("stopped")


def main(argv):
    ap = argparse.ArgumentParser(description="SMTP sink for tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True,
                    help="port to listen on (0: any free one, logged)")
    ap.add_argument("--dir", required=True, help="where messages go")
    ap.add_argument("--pidfile", help="write our pid here once listening")
    ap.add_argument("--refuse", metavar="TEXT",
                    help="answer 550 to RCPT TO for addresses holding TEXT")
    args = ap.parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Mail through the outbox (SPEC 1, issue 3): the stack's mail worker
delivers "hmctl mail test" to the SMTP sink; and, each with a worker of
its own on a fresh database, an SMTP outage that loses no mail, a
refused recipient that fails at once and can be revived, and STARTTLS
that is required: never mail in clear, never a certificate that does
not verify, AUTH with the password only under TLS, timeouts."""

import email
import email.policy
import glob
import logging
import os
import shutil
import socket
import ssl
import tempfile
import threading
import time
import unittest
import warnings

import hm

PY = "/usr/bin/python3"
SINK = os.path.join(os.path.dirname(hm.HERE), "smtp_sink.py")
WAIT = 20.0


def mailer_binary():
    """HM_MAILER, else the mailer built next to HM_HMCTL."""
    p = os.environ.get("HM_MAILER")
    if p:
        return p
    build = os.path.dirname(os.path.dirname(hm.env("HM_HMCTL")))
    return os.path.join(build, "mailer", "heartmonitor-mailer")


def parse_list(out):
    """The rows of "hmctl mail list" as dicts."""
    keys = ("id", "status", "attempts", "recipient", "subject",
            "last_error", "created_at")
    rows = []
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) == len(keys):
            r = dict(zip(keys, f))
            r["attempts"] = int(r["attempts"])
            rows.append(r)
    return rows


def eml_files(directory):
    return sorted(glob.glob(os.path.join(directory, "*.eml")))


def assert_wire_format(testcase, raw):
    """CRLF line ends only, no line over 998 bytes (RFC 5322 2.1.1)."""
    lines = raw.split(b"\r\n")
    testcase.assertEqual(lines[-1], b"", "message does not end in CRLF")
    for line in lines:
        testcase.assertNotIn(b"\n", line, "bare LF")
        testcase.assertNotIn(b"\r", line, "bare CR")
        testcase.assertLessEqual(len(line), 998)


def assert_alternative(testcase, raw):
    """multipart/alternative of text/plain and text/html, UTF-8."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    testcase.assertEqual(msg.get_content_type(), "multipart/alternative")
    parts = list(msg.iter_parts())
    testcase.assertEqual([p.get_content_type() for p in parts],
                         ["text/plain", "text/html"])
    for p in parts:
        testcase.assertEqual(p.get_content_charset(), "utf-8")
    for h in ("Date", "From", "To", "Subject", "Message-ID",
              "MIME-Version"):
        testcase.assertIsNotNone(msg[h], "no %s header" % h)
    return msg, parts


class StackMailer(unittest.TestCase):
    """The mail worker that ./dev starts with the stack."""

    def hmctl(self, *args):
        env = hm.clean_env(HEARTMONITOR_CONFIG=hm.env("HM_CONFIG"))
        return hm.run([hm.env("HM_HMCTL")] + list(args), env=env,
                      timeout=60)

    def test_test_mail_arrives_and_is_sent(self):
        data = hm.env("HM_DATA_DIR")
        if not os.path.exists(os.path.join(data, "run", "smtp.addr")):
            raise unittest.SkipTest("the stack mails a real relay")
        to = "x-%s@hospital.test" % hm.tag()
        st, out, err = self.hmctl("mail", "test", "--to", to)
        self.assertEqual(st, 0, out + err)
        maildir = hm.env("HM_MAIL_DIR")

        def arrived():
            for f in eml_files(maildir):
                with open(f, "rb") as fh:
                    raw = fh.read()
                if ("To: %s\r\n" % to).encode() in raw:
                    return raw
            return None
        raw = hm.wait_for(arrived, WAIT, 0.1)
        self.assertTrue(raw, "no mail for %s in %s within %.0f s"
                        % (to, maildir, WAIT))
        assert_wire_format(self, raw)
        msg, parts = assert_alternative(self, raw)
        self.assertEqual(msg["Subject"], "Heart Monitor test mail")
        self.assertIn("hmctl mail test", parts[0].get_content())

        def sent():
            st, out, err = self.hmctl("mail", "list", "--status", "sent")
            return [r for r in parse_list(out) if r["recipient"] == to]
        rows = hm.wait_for(sent, WAIT, 0.2)
        self.assertEqual(len(rows or []), 1, "not listed as sent")
        self.assertIn(rows[0]["id"], msg["Message-ID"])
        # The log names the mail, never its recipient.
        with open(os.path.join(data, "logs", "mailer.log")) as f:
            log = f.read()
        self.assertIn(rows[0]["id"], log)
        self.assertNotIn(to, log)

    def test_usage_errors(self):
        for args in (["mail"], ["mail", "list", "--status", "bogus"],
                     ["mail", "retry"], ["mail", "test"],
                     ["mail", "bogus"]):
            st, out, err = self.hmctl(*args)
            self.assertEqual(st, 2, "%r: %s" % (args, out + err))
        st, out, err = self.hmctl("mail", "test", "--to",
                                  "a@b.test\r\nBcc: eve@evil.test")
        self.assertEqual(st, 1, out + err)
        st, out, err = self.hmctl("mail", "retry",
                                  "00000000-0000-7000-8000-000000000000")
        self.assertEqual(st, 1, out + err)


class TlsSink:
    """An SMTP server in this process (aiosmtpd) that offers STARTTLS
    with the stack's certificate, requires it, and can require AUTH;
    it keeps the messages and the credentials it was given."""

    def __init__(self, host, port, auth=None, tls=True):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        # The refused handshakes are the point; keep them off stdout.
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        self.messages = []
        self.logins = []
        data = hm.env("HM_DATA_DIR")
        kw = {}
        if tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(os.path.join(data, "tls", "cert.pem"),
                                os.path.join(data, "tls", "key.pem"))
            kw.update(tls_context=ctx, require_starttls=True)
        if auth is not None:
            def authenticator(server, session, envelope, mechanism, cred):
                self.logins.append((mechanism, cred.login, cred.password))
                return AuthResult(success=(cred.login, cred.password) ==
                                  (auth[0].encode(), auth[1].encode()))
            kw.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=tls)
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope.original_content)
                return "250 OK"

        with warnings.catch_warnings():
            # auth_require_tls=False is the insecure server we test for.
            warnings.simplefilter("ignore")
            self.controller = Controller(Handler(), hostname=host,
                                         port=port, **kw)
            self.controller.start()

    def stop(self):
        self.controller.stop()


class OwnMailer(unittest.TestCase):
    """A fresh database, a configuration of its own and a mail worker
    of its own, so that the stack's worker never sees these mails."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hm-e2e-mail-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        # hmctl and the mailer, run as root, become the service user
        # before they make or open the database in it.
        hm.give_to_service(self.tmp)
        self.port = hm.free_port()
        self.maildir = os.path.join(self.tmp, "mail")
        self.cfg = None

    def configure(self, **keys):
        conf = {
            "DATABASE_PATH": os.path.join(self.tmp, "hm.db"),
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port),
            "EMAIL_FROM": "heartmonitor@hospital.test",
            "EMAIL_STARTTLS": "no", "EMAIL_USER": "", "EMAIL_PASSWORD": "",
            "EMAIL_TIMEOUT": "5", "EMAIL_MAX_ATTEMPTS": "20",
            "EMAIL_RETRY_BASE_SECONDS": "1",
        }
        conf.update(keys)
        self.cfg = hm.write_config(os.path.join(self.tmp, "hm.conf"),
                                   set_=conf)
        self.ok("migrate")

    def env(self, **extra):
        e = hm.clean_env()
        for k in list(e):
            if k.startswith("EMAIL_") or k in ("SSL_CERT_FILE",
                                               "SSL_CERT_DIR",
                                               "HEARTMONITOR_CONFIG"):
                del e[k]
        e.update(extra)
        return e

    def hmctl(self, *args):
        return hm.run([hm.env("HM_HMCTL"), "-c", self.cfg] + list(args),
                      env=self.env(), timeout=60)

    def ok(self, *args):
        st, out, err = self.hmctl(*args)
        self.assertEqual(st, 0, "hmctl %s: %s" % (" ".join(args), out + err))
        return out

    def rows(self):
        return parse_list(self.ok("mail", "list"))

    def queue(self, to):
        self.ok("mail", "test", "--to", to)
        rows = [r for r in self.rows() if r["recipient"] == to]
        self.assertEqual(len(rows), 1)
        return rows[-1]["id"]

    def row(self, mail_id):
        rows = [r for r in self.rows() if r["id"] == mail_id]
        return rows[0] if rows else None

    def wait_row(self, mail_id, pred, what, proc=None):
        r = hm.wait_for(lambda: (lambda x: x if x and pred(x) else None)(
            self.row(mail_id)), WAIT, 0.1)
        self.assertTrue(r, "mail %s never %s; now %r%s" % (
            mail_id, what, self.row(mail_id),
            "\n" + proc.describe() if proc else ""))
        return r

    def start_mailer(self, **env):
        p = hm.Proc([mailer_binary(), "-c", self.cfg], env=self.env(**env))
        self.addCleanup(p.stop)
        return p

    def start_sink(self, *extra):
        pidfile = os.path.join(self.tmp, "sink.pid")
        p = hm.Proc([PY, SINK, "--host", "127.0.0.1", "--port",
                     str(self.port), "--dir", self.maildir,
                     "--pidfile", pidfile] + list(extra), env=self.env())
        self.addCleanup(p.stop)
        self.assertTrue(hm.wait_for(lambda: os.path.exists(pidfile), WAIT),
                        "SMTP sink did not start: " + p.describe())
        return p

    def stop_clean(self, proc):
        proc.signal(15)
        self.assertEqual(proc.wait(10), 0, proc.describe())

    # ------------------------------------------------------- outage, 550

    def test_smtp_down_then_back(self):
        self.configure()
        mail_id = self.queue("down-%s@hospital.test" % hm.tag())
        m = self.start_mailer()
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.assertEqual(r["status"], "pending", r)
        self.assertNotEqual(r["last_error"], "-", r)
        self.assertEqual(eml_files(self.maildir), [])
        self.start_sink()
        r = self.wait_row(mail_id, lambda r: r["status"] == "sent", "sent",
                          m)
        self.assertEqual(r["last_error"], "-", r)
        files = eml_files(self.maildir)
        self.assertEqual(len(files), 1)
        with open(files[0], "rb") as f:
            raw = f.read()
        assert_wire_format(self, raw)
        assert_alternative(self, raw)
        self.assertIn(mail_id.encode(), raw)
        self.stop_clean(m)

    def test_refused_recipient_fails_and_retry_revives(self):
        self.configure()
        sink = self.start_sink("--refuse", "refused")
        bad = self.queue("refused-%s@hospital.test" % hm.tag())
        good = self.queue("fine-%s@hospital.test" % hm.tag())
        m = self.start_mailer()
        r = self.wait_row(bad, lambda r: r["status"] != "pending",
                          "settled", m)
        self.assertEqual(r["status"], "failed", r)
        self.assertEqual(r["attempts"], 1, r)
        self.assertIn("550", r["last_error"])
        self.wait_row(good, lambda r: r["status"] == "sent", "sent", m)
        self.assertEqual(len(eml_files(self.maildir)), 1)
        self.assertIn("failed", self.ok("mail", "list", "--status",
                                        "failed"))
        self.stop_clean(m)
        self.ok("mail", "retry", bad)
        r = self.row(bad)
        self.assertEqual((r["status"], r["attempts"], r["last_error"]),
                         ("pending", 0, "-"), r)
        # Revived, it is tried again (and refused again).
        m = self.start_mailer()
        self.wait_row(bad, lambda r: r["status"] == "failed", "failed", m)
        self.stop_clean(m)
        out = self.ok("mail", "retry", "--all-failed")
        self.assertIn("1", out)
        self.assertEqual(self.row(bad)["status"], "pending")
        st, out, err = self.hmctl("mail", "retry", good)
        self.assertEqual(st, 1, "a sent mail was revived: " + out + err)
        sink.stop()

    # ------------------------------------------------------------ TLS

    def test_starttls_required_but_not_offered(self):
        self.configure(EMAIL_STARTTLS="yes")
        sink = self.start_sink()
        mail_id = self.queue("tls-%s@hospital.test" % hm.tag())
        m = self.start_mailer()
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.assertIn(r["status"], ("pending", "failed"), r)
        self.assertIn("STARTTLS", r["last_error"])
        self.stop_clean(m)
        self.assertEqual(eml_files(self.maildir), [])
        self.assertNotIn("saved", sink.stderr)

    def test_untrusted_certificate_refused(self):
        self.configure(EMAIL_STARTTLS="yes")
        sink = TlsSink("127.0.0.1", self.port)
        self.addCleanup(sink.stop)
        mail_id = self.queue("cert-%s@hospital.test" % hm.tag())
        m = self.start_mailer()
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.assertEqual(r["status"], "pending", r)
        self.assertIn("certificate", r["last_error"])
        self.stop_clean(m)
        self.assertEqual(sink.messages, [])

    def test_certificate_for_another_name_refused(self):
        # The stack's certificate names 127.0.0.1 and localhost only.
        self.configure(EMAIL_STARTTLS="yes", EMAIL_HOST="127.0.0.2")
        sink = TlsSink("127.0.0.2", self.port)
        self.addCleanup(sink.stop)
        mail_id = self.queue("name-%s@hospital.test" % hm.tag())
        m = self.start_mailer(SSL_CERT_FILE=os.path.join(
            hm.env("HM_DATA_DIR"), "tls", "cert.pem"))
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.assertEqual(r["status"], "pending", r)
        self.assertIn("mismatch", r["last_error"])
        self.stop_clean(m)
        self.assertEqual(sink.messages, [])

    def test_starttls_and_auth(self):
        password = "s3cret-" + hm.tag()
        self.configure(EMAIL_STARTTLS="yes", EMAIL_HOST="localhost",
                       EMAIL_USER="hm-relay", EMAIL_PASSWORD=password)
        sink = TlsSink("127.0.0.1", self.port, auth=("hm-relay", password))
        self.addCleanup(sink.stop)
        mail_id = self.queue("auth-%s@hospital.test" % hm.tag())
        m = self.start_mailer(SSL_CERT_FILE=os.path.join(
            hm.env("HM_DATA_DIR"), "tls", "cert.pem"))
        r = self.wait_row(mail_id, lambda r: r["status"] != "pending" or
                          r["attempts"] > 0, "attempted", m)
        self.assertEqual(r["status"], "sent", r)
        self.assertEqual(len(sink.messages), 1)
        self.assertEqual([l[1:] for l in sink.logins],
                         [(b"hm-relay", password.encode())])
        self.stop_clean(m)
        self.assertNotIn(password, m.stderr)

    def test_no_cleartext_password_without_tls(self):
        self.configure(EMAIL_USER="hm-relay", EMAIL_PASSWORD="not-on-wire")
        sink = TlsSink("127.0.0.1", self.port,
                       auth=("hm-relay", "not-on-wire"), tls=False)
        self.addCleanup(sink.stop)
        mail_id = self.queue("plain-%s@hospital.test" % hm.tag())
        m = self.start_mailer()
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.stop_clean(m)
        self.assertEqual(sink.logins, [], "AUTH without TLS")
        self.assertEqual(sink.messages, [])
        self.assertEqual(r["status"], "pending", r)
        self.assertIn("530", r["last_error"])

    # -------------------------------------------------------- timeouts

    def test_silent_server_times_out(self):
        self.configure(EMAIL_TIMEOUT="1")
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(8)
        conns = []
        stop = threading.Event()

        def accept():
            srv.settimeout(0.2)
            while not stop.is_set():
                try:
                    conns.append(srv.accept()[0])   # and never greet
                except OSError:
                    pass
        t = threading.Thread(target=accept)
        t.start()

        def cleanup():
            stop.set()
            t.join(5)
            for c in conns:
                c.close()
            srv.close()
        self.addCleanup(cleanup)
        mail_id = self.queue("silent-%s@hospital.test" % hm.tag())
        t0 = time.monotonic()
        m = self.start_mailer()
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(r["status"], "pending", r)
        self.assertNotEqual(r["last_error"], "-", r)
        self.stop_clean(m)

    def test_connect_times_out(self):
        # A listener whose accept queue is full drops new SYNs, so
        # connect(2) hangs: EMAIL_TIMEOUT must end it.
        self.configure(EMAIL_TIMEOUT="2")
        srv = socket.socket()
        srv.bind(("127.0.0.1", self.port))
        srv.listen(0)
        self.addCleanup(srv.close)
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", self.port))
            self.addCleanup(c.close)
        mail_id = self.queue("hang-%s@hospital.test" % hm.tag())
        t0 = time.monotonic()
        m = self.start_mailer()
        r = self.wait_row(mail_id, lambda r: r["attempts"] >= 1,
                          "attempted", m)
        self.assertLess(time.monotonic() - t0, 8)
        self.assertEqual(r["status"], "pending", r)
        self.assertIn("timed out", r["last_error"])
        self.stop_clean(m)

    def test_once_exits(self):
        self.configure()
        self.start_sink()
        mail_id = self.queue("once-%s@hospital.test" % hm.tag())
        st, out, err = hm.run([mailer_binary(), "-c", self.cfg, "--once"],
                              env=self.env(), timeout=60)
        self.assertEqual(st, 0, out + err)
        self.assertEqual(self.row(mail_id)["status"], "sent")
        mail_id = self.queue("run-%s@hospital.test" % hm.tag())
        out = self.ok("mail", "run")
        self.assertIn("1 sent", out)
        self.assertEqual(self.row(mail_id)["status"], "sent")


if __name__ == "__main__":
    unittest.main()

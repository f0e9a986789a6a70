/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/time.h>

#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <auth-client.h>
#include <libesmtp.h>

#include "conf.h"
#include "relay.h"

/* What the callbacks of one session saw. */
struct	relay_state {
	const struct conf	*conf;
	int			 starttls_missing;
	char			 tls_why[120];	/* why TLS failed */
};

/* The message, handed to libESMTP in one piece. */
struct	relay_msg {
	const char	*p;
	int		 len;
	int		 done;
};

static volatile sig_atomic_t	 timed_out;

static void
on_alarm(int sig)
{

	(void)sig;
	timed_out = 1;
}

/*
 * Bounds the connection: libESMTP's connect(2) is blocking and has no
 * timeout of its own.  SIGALRM comes after "secs" seconds, then every
 * second, so that connect(2) to this address and to any further one
 * of the host returns EINTR.  Once connected the timer stops (0
 * disarms): from there on libESMTP's own timeouts bound every stage,
 * and a signal would only restart its poll(2) with the full timeout.
 */
static void
deadline(long secs)
{
	struct itimerval	 it;

	memset(&it, 0, sizeof(it));
	if (secs > 0) {
		it.it_value.tv_sec = secs;
		it.it_interval.tv_sec = 1;
	}
	(void)setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * XXX libESMTP 1.1.0 handles a reply before it sends the next command
 * when poll(2) finds the socket both readable and writable.  A TLS 1.3
 * server sends its session tickets just after the handshake, so the
 * socket turns readable while EHLO still sits in libESMTP's buffer,
 * and the session then waits for the reply to a command it never sent
 * until the timeout (often on a fast link).  So the tickets are taken
 * in here, before libESMTP polls: wait up to TICKET_WAIT_MS for them,
 * then read on while more follows at once.  SSL_peek() processes the
 * tickets and never consumes application data.
 */
#define	TICKET_WAIT_MS	200
#define	TICKET_NEXT_MS	20

static void
take_tickets(SSL *ssl)
{
	struct pollfd	 pfd;
	char		 c;
	int		 wait = TICKET_WAIT_MS, n;

	if (ssl == NULL || SSL_version(ssl) != TLS1_3_VERSION)
		return;
	pfd.fd = SSL_get_rfd(ssl);
	pfd.events = POLLIN;
	while (poll(&pfd, 1, wait) == 1 && (pfd.revents & POLLIN)) {
		if ((n = SSL_peek(ssl, &c, 1)) > 0 ||
		    SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ)
			break;
		wait = TICKET_NEXT_MS;
	}
}

/* Keeps the first reason TLS was refused, for last_error. */
static void
tls_refuse(struct relay_state *st, const char *why, const char *detail)
{

	if (st->tls_why[0] == '\0')
		(void)snprintf(st->tls_why, sizeof(st->tls_why), "%s%s%s",
		    why, detail != NULL ? ": " : "",
		    detail != NULL ? detail : "");
}

/*
 * libESMTP's events.  The certificate events pass an "int *ok" that
 * starts at 0 and would accept the peer if set: it is never set here,
 * so an untrusted, missing or misnamed certificate or a weak cipher
 * ends the session before anything is sent (RFC 3207 section 4.1).
 */
static void
event_cb(smtp_session_t s, int ev, void *arg, ...)
{
	struct relay_state	*st = arg;
	va_list			 ap;
	long			 vfy;

	(void)s;
	va_start(ap, arg);
	switch (ev) {
	case SMTP_EV_CONNECT:
		deadline(0);
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		st->starttls_missing = 1;
		break;
	case SMTP_EV_STARTTLS_OK:
		take_tickets(va_arg(ap, SSL *));
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		vfy = va_arg(ap, long);
		tls_refuse(st, "certificate not trusted",
		    X509_verify_cert_error_string(vfy));
		break;
	case SMTP_EV_NO_PEER_CERTIFICATE:
		tls_refuse(st, "no server certificate", NULL);
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		tls_refuse(st, "certificate is not for EMAIL_HOST", NULL);
		break;
	case SMTP_EV_WEAK_CIPHER:
		tls_refuse(st, "weak cipher", NULL);
		break;
	case SMTP_EV_NO_CLIENT_CERTIFICATE:
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
	case SMTP_EV_UNUSABLE_CA_LIST:
		tls_refuse(st, "TLS set-up failed", NULL);
		break;
	default:
		break;
	}
	va_end(ap);
}

/*
 * OpenSSL's verdict on each certificate of the chain; the first
 * failure is kept for last_error and the verdict never changed.
 */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL			*ssl;
	struct relay_state	*st;

	if (ok)
		return 1;
	ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl != NULL &&
	    (st = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl))) != NULL)
		tls_refuse(st, "certificate not accepted",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	return 0;
}

/*
 * Our own TLS context instead of libESMTP's default (which allows TLS
 * 1.0 and reads ~/.authenticate): TLS 1.2 or newer, the system's
 * roots (SSL_CERT_FILE and SSL_CERT_DIR are honoured), and the peer
 * verified during the handshake against EMAIL_HOST as configured, not
 * only against the canonical name DNS returns (which libESMTP checks
 * on its own afterwards).  Free with SSL_CTX_free().
 */
static SSL_CTX *
tls_ctx(const struct conf *c, struct relay_state *st)
{
	SSL_CTX			*ctx;
	X509_VERIFY_PARAM	*param;
	unsigned char		 addr[16];
	int			 ok;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	param = SSL_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (inet_pton(AF_INET, c->email_host, addr) == 1 ||
	    inet_pton(AF_INET6, c->email_host, addr) == 1)
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, c->email_host);
	else
		ok = X509_VERIFY_PARAM_set1_host(param, c->email_host, 0);
	if (!ok || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_default_verify_paths(ctx) ||
	    !SSL_CTX_set_app_data(ctx, st)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	return ctx;
}

/* Hands libESMTP the message once; "len" NULL asks to rewind. */
static const char *
msg_cb(void **ctx, int *len, void *arg)
{
	struct relay_msg	*m = arg;

	(void)ctx;
	if (len == NULL) {
		m->done = 0;
		return NULL;
	}
	if (m->done) {
		*len = 0;
		return NULL;
	}
	m->done = 1;
	*len = m->len;
	return m->p;
}

/* Answers libESMTP's AUTH questions from EMAIL_USER, EMAIL_PASSWORD. */
static int
auth_interact(auth_client_request_t req, char **result, int fields,
    void *arg)
{
	static char		 empty[] = "";
	const struct conf	*c = arg;
	int			 i;

	for (i = 0; i < fields; i++)
		if (req[i].flags & AUTH_USER)
			result[i] = c->email_user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = c->email_password;
		else
			result[i] = empty;
	return 1;
}

/*
 * An AUTH context for EMAIL_USER.  PLAIN and LOGIN put the password on
 * the wire as it is, so they are enabled only when STARTTLS is
 * required (then AUTH always comes after TLS); otherwise only
 * challenge-response mechanisms (CRAM-MD5) may be used.  Undo with
 * auth_destroy_context() and auth_client_exit().
 */
static auth_context_t
auth_setup(smtp_session_t s, const struct conf *c)
{
	auth_context_t	 a;

	auth_client_init();
	if ((a = auth_create_context()) == NULL) {
		auth_client_exit();
		return NULL;
	}
	if ((c->email_starttls &&
	    !auth_set_mechanism_flags(a, AUTH_PLUGIN_PLAIN, 0)) ||
	    !auth_set_interact_cb(a, auth_interact, (void *)c) ||
	    !smtp_auth_set_context(s, a)) {
		auth_destroy_context(a);
		auth_client_exit();
		return NULL;
	}
	return a;
}

/* Server, timeouts, TLS and events of the session. */
static int
session_setup(smtp_session_t s, const struct conf *c,
    struct relay_state *st, SSL_CTX **ctx)
{
	static const int	 stages[] = { Timeout_GREETING,
	    Timeout_ENVELOPE, Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };
	char			 server[300];
	size_t			 i;
	int			 n;

	n = snprintf(server, sizeof(server), "%s:%ld", c->email_host,
	    c->email_port);
	if (n < 0 || (size_t)n >= sizeof(server) ||
	    !smtp_set_server(s, server) || !smtp_set_eventcb(s, event_cb, st))
		return 0;
	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (smtp_set_timeout(s, stages[i] |
		    Timeout_OVERRIDE_RFC2822_MINIMUM,
		    c->email_timeout * 1000L) <= 0)
			return 0;
	if (!c->email_starttls)
		return smtp_starttls_enable(s, Starttls_DISABLED);
	/* libESMTP takes its own reference to the context. */
	if ((*ctx = tls_ctx(c, st)) == NULL ||
	    !smtp_starttls_set_ctx(s, *ctx))
		return 0;
	return smtp_starttls_enable(s, Starttls_REQUIRED);
}

/* Copies a status text for last_error, without control characters. */
static void
result_set(struct relay_result *res, enum relay_outcome o, int code,
    const char *what, const char *text)
{
	size_t	 i, n;

	res->outcome = o;
	res->code = code;
	if (code > 0)
		(void)snprintf(res->text, sizeof(res->text), "%s: %d %s", what,
		    code, text != NULL ? text : "");
	else
		(void)snprintf(res->text, sizeof(res->text), "%s%s%s", what,
		    text != NULL ? ": " : "", text != NULL ? text : "");
	n = strlen(res->text);
	for (i = 0; i < n; i++)
		if ((unsigned char)res->text[i] < 0x20 ||
		    res->text[i] == 0x7f)
			res->text[i] = ' ';
	while (n > 0 && res->text[n - 1] == ' ')
		res->text[--n] = '\0';
}

static int
code_of(const smtp_status_t *st)
{

	return st != NULL ? st->code : 0;
}

static const char *
text_of(const smtp_status_t *st)
{

	return st != NULL ? st->text : NULL;
}

/*
 * Reads the outcome: smtp_start_session() succeeds even when the relay
 * refused the recipient or the message, so the statuses decide.  A 5xx
 * for the recipient or the data is final; a refused sender (MAIL
 * FROM), a 4xx, TLS trouble or no connection is worth another try.
 */
static void
outcome(struct relay_result *res, const struct relay_state *st, int ok,
    smtp_message_t m, smtp_recipient_t r)
{
	const smtp_status_t	*rs = smtp_recipient_status(r);
	const smtp_status_t	*ms = smtp_message_transfer_status(m);
	const smtp_status_t	*fs = smtp_reverse_path_status(m);
	char			 ebuf[128];

	if (code_of(rs) / 100 == 2 && code_of(ms) / 100 == 2)
		result_set(res, RELAY_SENT, code_of(ms), "sent", text_of(ms));
	else if (code_of(rs) / 100 == 5)
		result_set(res, RELAY_REFUSED, code_of(rs),
		    "recipient refused", text_of(rs));
	else if (code_of(ms) / 100 == 5)
		result_set(res, RELAY_REFUSED, code_of(ms),
		    "message refused", text_of(ms));
	else if (st->starttls_missing)
		result_set(res, RELAY_RETRY, 0, "the relay offers no STARTTLS "
		    "and EMAIL_STARTTLS=yes: nothing sent", NULL);
	else if (st->tls_why[0] != '\0')
		result_set(res, RELAY_RETRY, 0, "STARTTLS refused, nothing "
		    "sent", st->tls_why);
	else if (timed_out)
		result_set(res, RELAY_RETRY, 0, "timed out connecting", NULL);
	else if (code_of(fs) / 100 == 4 || code_of(fs) / 100 == 5)
		result_set(res, RELAY_RETRY, code_of(fs), "sender refused",
		    text_of(fs));
	else if (code_of(rs) / 100 == 4)
		result_set(res, RELAY_RETRY, code_of(rs),
		    "recipient deferred", text_of(rs));
	else if (code_of(ms) / 100 == 4)
		result_set(res, RELAY_RETRY, code_of(ms),
		    "message deferred", text_of(ms));
	else if (!ok || smtp_errno() != 0)
		result_set(res, RELAY_RETRY, 0, "no SMTP session",
		    smtp_strerror(smtp_errno(), ebuf, sizeof(ebuf)));
	else
		result_set(res, RELAY_RETRY, 0, "the relay did not take the "
		    "message", NULL);
}

/* Runs the session, with EMAIL_TIMEOUT to connect (see deadline()). */
static int
run(smtp_session_t s, const struct conf *c)
{
	struct sigaction	 sa, old;
	int			 ok;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked connect(2) must return EINTR. */
	if (sigaction(SIGALRM, &sa, &old) == -1)
		return 0;
	timed_out = 0;
	deadline(c->email_timeout);
	ok = smtp_start_session(s);
	deadline(0);
	(void)sigaction(SIGALRM, &old, NULL);
	return ok;
}

void
relay_send(const struct conf *c, const char *to, const char *msg,
    struct relay_result *res)
{
	struct relay_state	 st;
	struct relay_msg	 rm;
	smtp_session_t		 s;
	smtp_message_t		 m;
	smtp_recipient_t	 r;
	auth_context_t		 auth = NULL;
	SSL_CTX			*ctx = NULL;
	size_t			 len = strlen(msg);
	int			 ok;

	memset(&st, 0, sizeof(st));
	st.conf = c;
	rm.p = msg;
	rm.len = len > INT_MAX ? INT_MAX : (int)len;
	rm.done = 0;
	result_set(res, RELAY_RETRY, 0, "cannot set up the SMTP session",
	    NULL);
	if (len > INT_MAX || (s = smtp_create_session()) == NULL)
		return;
	if (!session_setup(s, c, &st, &ctx) ||
	    (m = smtp_add_message(s)) == NULL ||
	    !smtp_set_reverse_path(m, c->email_from) ||
	    (r = smtp_add_recipient(m, to)) == NULL ||
	    !smtp_set_messagecb(m, msg_cb, &rm) ||
	    (c->email_user[0] != '\0' && (auth = auth_setup(s, c)) == NULL))
		goto out;
	ok = run(s, c);
	outcome(res, &st, ok, m, r);
out:
	smtp_destroy_session(s);
	if (auth != NULL) {
		auth_destroy_context(auth);
		auth_client_exit();
	}
	SSL_CTX_free(ctx);
}

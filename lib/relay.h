/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_RELAY_H
#define HM_RELAY_H

struct conf;

/*
 * Hands one message to the SMTP relay of the configuration with
 * libESMTP (SECURITY.md, libESMTP 1.1.0).  Only the mail worker and
 * hmctl link this (and libesmtp); the FastCGI workers never speak SMTP.
 */

enum	relay_outcome {
	RELAY_SENT,	/* the relay took the message for the recipient */
	RELAY_RETRY,	/* 4xx, no connection, TLS refused: try later */
	RELAY_REFUSED	/* 5xx for the recipient or the message: give up */
};

#define	RELAY_TEXT_MAX	200

struct	relay_result {
	enum relay_outcome	 outcome;
	int			 code;	/* SMTP status, or 0 */
	/* Why, for last_error: the relay's answer or ours; no CR/LF. */
	char			 text[RELAY_TEXT_MAX];
};

/*
 * Sends "msg" (a whole RFC 5322 message with CRLF line ends, as
 * mail_build() makes) from EMAIL_FROM to the one recipient "to",
 * through EMAIL_HOST:EMAIL_PORT.  With EMAIL_STARTTLS=yes the relay
 * must offer STARTTLS (else nothing is sent) and present a certificate
 * valid for EMAIL_HOST under the system's trusted roots (or
 * SSL_CERT_FILE), TLS 1.2 or newer; nothing accepts a bad certificate.
 * With EMAIL_USER set, AUTH is used; PLAIN and LOGIN only when TLS is
 * required, since they send the password as it is.  Connecting, and
 * each stage of the session, is bounded by EMAIL_TIMEOUT (a relay that
 * trickles its answers can still hold a session longer).  Writes the
 * outcome to "res"; never logs the message, the recipient or a secret.
 * Briefly installs its own SIGALRM handler; ignore SIGPIPE before.
 */
void		 relay_send(const struct conf *, const char *to,
		    const char *msg, struct relay_result *res);

#endif /* !HM_RELAY_H */

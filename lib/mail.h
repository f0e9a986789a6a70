/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_MAIL_H
#define HM_MAIL_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

/*
 * Building one mail as RFC 5322 text with a MIME (RFC 2045, 2046)
 * multipart/alternative body: a text/plain part and a text/html part,
 * both UTF-8 in quoted-printable, so that every line ends in CRLF and
 * none is longer than 76 bytes (RFC 5322 allows 998).  No SMTP here:
 * sending is lib/relay.c's, queueing lib/outbox.c's.
 */

/* What one mail says; strings borrowed. */
struct	mail {
	const char	*id;		/* outbox id, in Message-ID */
	const char	*from;		/* EMAIL_FROM, a bare address */
	const char	*to;		/* a bare address */
	const char	*subject;	/* UTF-8 */
	const char	*text;		/* UTF-8, lines end in LF/CRLF */
	const char	*html;		/* UTF-8, already escaped */
	int64_t		 date;		/* seconds since the epoch */
};

/*
 * Appends the whole message, headers and body, to "out".  Returns
 * ERR_INVAL, appending nothing, if "from" or "to" is not an address
 * (mail_addr_ok()), "subject" is not text for a header
 * (mail_header_ok()), "id" is not 1 to 64 letters, digits and "-", or a
 * body is not UTF-8 without NUL; so nothing can add a header.  The
 * subject is sent as is when it is short printable ASCII, else as
 * RFC 2047 encoded words.
 */
enum err	 mail_build(const struct mail *, struct buf *out);

/*
 * Returns 1 if "s" is fit for a header: well-formed UTF-8 of at most
 * 998 bytes without any control character (CR, LF, NUL, TAB, DEL,
 * C0), else 0.  Names and subjects are checked with it.
 */
int		 mail_header_ok(const char *s);

/*
 * Returns 1 if "s" is a bare ASCII address "local@domain" of 3 to 254
 * bytes, with no space, control character or any of ()<>[],;:\" that
 * would let it name another recipient in a header, else 0.
 * XXX Addresses with non-ASCII (SMTPUTF8) or quoted local parts are
 * refused.
 */
int		 mail_addr_ok(const char *s);

/* Appends "s" with & < > " ' escaped for HTML text and attributes. */
enum err	 mail_html_escape(struct buf *, const char *s);

/*
 * Appends "s" (UTF-8, lines ending in LF or CRLF) quoted-printable
 * (RFC 2045 section 6.7): CRLF line ends, lines of at most 76 bytes,
 * "=", 8-bit bytes, control characters, whitespace before a line end
 * and a "." opening a line encoded.  Ends with CRLF.
 */
enum err	 mail_qp_encode(struct buf *, const char *s);

#endif /* !HM_MAIL_H */

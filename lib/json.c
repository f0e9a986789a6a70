/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "utf8.h"

/*
 * Bits of json->first[depth - 1], one byte per open container.
 */
#define	JSON_FIRST	0x01	/* nothing written in it yet: no comma */
#define	JSON_OBJ	0x02	/* an object (members need keys) */

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define	JSON_REPL	"\xef\xbf\xbd"

/*
 * Escapes the ASCII byte "c" (RFC 8259 section 7): the two-character
 * forms where they exist, "\u00XX" for other control bytes and DEL.
 */
static enum err
escbyte(struct buf *b, unsigned char c)
{

	switch (c) {
	case '"':
		return buf_putn(b, "\\\"", 2);
	case '\\':
		return buf_putn(b, "\\\\", 2);
	case '\b':
		return buf_putn(b, "\\b", 2);
	case '\f':
		return buf_putn(b, "\\f", 2);
	case '\n':
		return buf_putn(b, "\\n", 2);
	case '\r':
		return buf_putn(b, "\\r", 2);
	case '\t':
		return buf_putn(b, "\\t", 2);
	default:
		return buf_printf(b, "\\u%04x", c);
	}
}

/* 1 for the bytes that go out as they are: printable ASCII but " and \. */
static const unsigned char plain[256] = {
	['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

/* Returns 1 if ASCII byte "c" goes out as it is. */
static int
isplain(unsigned char c)
{

	return plain[c];
}

/*
 * Appends the non-ASCII sequence at "p" ("n" bytes left) and stores
 * the number of bytes consumed in "*used".  A byte that starts no
 * well-formed sequence becomes U+FFFD on its own.  U+2028 and U+2029
 * are escaped, since JavaScript before ES2019 takes them for line ends.
 */
static enum err
escseq(struct buf *b, const unsigned char *p, size_t n, size_t *used)
{
	size_t	 len;

	if ((len = utf8_seqlen(p, n)) == 0) {
		*used = 1;
		return buf_putn(b, JSON_REPL, 3);
	}
	*used = len;
	if (len == 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0xa8 || p[2] == 0xa9))
		return buf_printf(b, "\\u%04x", 0x2000 | (p[2] & 0x3f));
	return buf_putn(b, p, len);
}

/*
 * Appends "s" ("n" bytes, which may hold NUL) escaped for the inside of
 * a JSON string.  Runs of plain ASCII are copied in one go.
 * Returns ERR_NOMEM if the buffer cannot grow.
 */
enum err
json_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, run, used;
	enum err		 e;

	while (i < n) {
		for (run = 0; i + run < n && isplain(p[i + run]); run++)
			continue;
		if (run > 0) {
			if ((e = buf_putn(b, p + i, run)) != ERR_OK)
				return e;
			i += run;
			continue;
		}
		if (p[i] < 0x80) {
			e = escbyte(b, p[i]);
			used = 1;
		} else
			e = escseq(b, p + i, n - i, &used);
		if (e != ERR_OK)
			return e;
		i += used;
	}
	return ERR_OK;
}

void
json_init(struct json *j, struct buf *out)
{

	j->out = out;
	j->depth = 0;
	memset(j->first, 0, sizeof(j->first));
	j->err = ERR_OK;
}

/* Records "e" unless an earlier error is already there. */
static void
fail(struct json *j, enum err e)
{

	if (j->err == ERR_OK)
		j->err = e;
}

/* Appends "n" raw bytes of "s", keeping the first error. */
static void
put(struct json *j, const char *s, size_t n)
{
	enum err	 e;

	if (j->err == ERR_OK && (e = buf_putn(j->out, s, n)) != ERR_OK)
		fail(j, e);
}

/*
 * Appends "s" ("n" bytes) escaped and in double quotes, then the "n2"
 * bytes of "tail".  One reservation and a plain copy while the bytes
 * need no escape (keys and values nearly always); json_escape() for
 * the rest.
 */
static void
putstr(struct json *j, const char *s, size_t n, const char *tail, size_t n2)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		*b = j->out;
	char			*d;
	size_t			 i;
	enum err		 e;

	if (j->err != ERR_OK)
		return;
	if (n > SIZE_MAX - 2 - n2 ||
	    (e = buf_reserve(b, n + 2 + n2)) != ERR_OK) {
		fail(j, ERR_NOMEM);
		return;
	}
	d = b->p + b->len;
	*d++ = '"';
	for (i = 0; i < n && plain[p[i]]; i++)
		d[i] = (char)p[i];
	b->len += 1 + i;
	if (i < n) {
		b->p[b->len] = '\0';
		if ((e = json_escape(b, s + i, n - i)) != ERR_OK ||
		    (e = buf_reserve(b, 1 + n2)) != ERR_OK) {
			fail(j, e);
			return;
		}
	}
	d = b->p + b->len;
	*d++ = '"';
	memcpy(d, tail, n2);
	b->len += 1 + n2;
	b->p[b->len] = '\0';
}

/*
 * Writes what precedes a value: a comma unless it is the first in its
 * container, then inside an object the escaped key and a colon.  A key
 * outside an object, or none inside one, is ERR_INVAL.  Returns 1 if
 * the value may follow, 0 after any error (new or earlier).
 */
static int
prefix(struct json *j, const char *key)
{
	unsigned char	*f;

	if (j->err != ERR_OK)
		return 0;
	if (j->depth == 0) {
		if (key != NULL)
			fail(j, ERR_INVAL);
		return j->err == ERR_OK;
	}
	f = &j->first[j->depth - 1];
	if ((*f & JSON_OBJ) ? key == NULL : key != NULL) {
		fail(j, ERR_INVAL);
		return 0;
	}
	if (!(*f & JSON_FIRST))
		put(j, ",", 1);
	*f &= ~JSON_FIRST;
	if (key != NULL)
		putstr(j, key, strlen(key), ":", 1);
	return j->err == ERR_OK;
}

/*
 * Opens an object ("obj" non-zero) or an array.  A container nested
 * deeper than JSON_DEPTH_MAX is ERR_TOOBIG.
 */
static void
opencont(struct json *j, const char *key, int obj)
{

	if (j->err == ERR_OK && j->depth >= JSON_DEPTH_MAX) {
		fail(j, ERR_TOOBIG);
		return;
	}
	if (!prefix(j, key))
		return;
	put(j, obj ? "{" : "[", 1);
	j->first[j->depth++] = JSON_FIRST | (obj ? JSON_OBJ : 0);
}

/*
 * Closes the innermost container, which must be an object if "obj" is
 * non-zero and an array otherwise; a mismatch or nothing open is
 * ERR_INVAL.
 */
static void
closecont(struct json *j, int obj)
{

	if (j->err != ERR_OK)
		return;
	if (j->depth == 0 ||
	    !(j->first[j->depth - 1] & JSON_OBJ) != !obj) {
		fail(j, ERR_INVAL);
		return;
	}
	j->depth--;
	put(j, obj ? "}" : "]", 1);
}

void
json_obj_open(struct json *j, const char *key)
{

	opencont(j, key, 1);
}

void
json_obj_close(struct json *j)
{

	closecont(j, 1);
}

void
json_arr_open(struct json *j, const char *key)
{

	opencont(j, key, 0);
}

void
json_arr_close(struct json *j)
{

	closecont(j, 0);
}

void
json_str(struct json *j, const char *key, const char *val)
{

	if (val == NULL)
		json_null(j, key);
	else
		json_strn(j, key, val, strlen(val));
}

/*
 * Writes the string "s" ("n" bytes, NUL allowed) escaped and quoted.
 * A NULL "s" writes null.
 */
void
json_strn(struct json *j, const char *key, const char *s, size_t n)
{

	if (s == NULL) {
		json_null(j, key);
		return;
	}
	if (prefix(j, key))
		putstr(j, s, n, "", 0);
}

/* Decimal digits, without printf's cost (a list prints many). */
void
json_int(struct json *j, const char *key, int64_t v)
{
	char		 d[24], *p = d + sizeof(d);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (!prefix(j, key))
		return;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put(j, p, (size_t)(d + sizeof(d) - p));
}

void
json_bool(struct json *j, const char *key, int v)
{

	if (prefix(j, key))
		put(j, v ? "true" : "false", v ? 4 : 5);
}

void
json_null(struct json *j, const char *key)
{

	if (prefix(j, key))
		put(j, "null", 4);
}

enum err
json_err(const struct json *j)
{

	return j->err;
}

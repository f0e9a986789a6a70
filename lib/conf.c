/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

#define	CONF_LINE_MAX	4096

enum	conf_type {
	CONF_STR,
	CONF_LONG,
	CONF_BOOL,
	CONF_ENUM
};

/* One configuration key: its name, type, default and bounds. */
struct	conf_key {
	const char		*name;
	enum conf_type		 type;
	const char		*def;		/* NULL: no default */
	long			 min, max;	/* numbers; string bytes */
	const char *const	*words;		/* CONF_ENUM, in enum order */
	size_t			 off;		/* into struct conf */
	int			 secret;	/* never printed */
};

static const char *const sync_words[] = { "OFF", "NORMAL", "FULL", "EXTRA",
    NULL };
/* Booleans: a word of the first row is false, of the second true. */
static const char *const false_words[] = { "0", "no", "false", "off", NULL };
static const char *const true_words[] = { "1", "yes", "true", "on", NULL };

/* Index of "val" in "words" (without regard to case), or -1. */
static int
word_find(const char *const *words, const char *val)
{
	int	 i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(words[i], val) == 0)
			return i;
	return -1;
}

#define	OFF(f)	offsetof(struct conf, f)
#define	DAY	86400
static const struct conf_key keys[] = {
	{ "SECRET_KEY", CONF_STR, NULL, SECRET_KEY_MIN, 4096, NULL,
	  OFF(secret_key), 1 },
	{ "DATABASE_PATH", CONF_STR, "/var/lib/heartmonitor/heartmonitor.db",
	  1, 4096, NULL, OFF(database_path), 0 },
	{ "SERVICE_USER", CONF_STR, "heartmonitor", 0, 32, NULL,
	  OFF(service_user), 0 },
	{ "DB_SYNCHRONOUS", CONF_ENUM, "FULL", 0, 0, sync_words,
	  OFF(db_synchronous), 0 },
	{ "DB_BUSY_TIMEOUT_MS", CONF_LONG, "5000", 0, 600000, NULL,
	  OFF(db_busy_timeout_ms), 0 },
	{ "PASSWORD_ITERATIONS", CONF_LONG, "600000", 100000, 100000000,
	  NULL, OFF(password_iterations), 0 },
	{ "PASSWORD_MIN_LENGTH", CONF_LONG, "12", 8, 128, NULL,
	  OFF(password_min_length), 0 },
	{ "PASSWORD_MAX_LENGTH", CONF_LONG, "128", 64, 1024, NULL,
	  OFF(password_max_length), 0 },
	{ "PUBLIC_URL", CONF_STR, "https://localhost", 8, 1024, NULL,
	  OFF(public_url), 0 },
	{ "ALLOWED_ORIGINS", CONF_STR, "", 0, 4096, NULL,
	  OFF(allowed_origins), 0 },
	{ "ACTIVATION_URL", CONF_STR,
	  "{PUBLIC_URL}/api/auth/activate/{uid}/{token}/", 1, 1024, NULL,
	  OFF(activation_url), 0 },
	{ "RESET_URL", CONF_STR, "{PUBLIC_URL}/reset-password/{uid}/{token}/",
	  1, 1024, NULL, OFF(reset_url), 0 },
	{ "JWT_ISSUER", CONF_STR, "heartmonitor", 1, 256, NULL,
	  OFF(jwt_issuer), 0 },
	{ "JWT_AUDIENCE", CONF_STR, "heartmonitor", 1, 256, NULL,
	  OFF(jwt_audience), 0 },
	{ "ACCESS_TOKEN_LIFETIME", CONF_LONG, "900", 60, DAY, NULL,
	  OFF(access_token_lifetime), 0 },
	{ "REFRESH_TOKEN_LIFETIME", CONF_LONG, "86400", 300, 30 * DAY, NULL,
	  OFF(refresh_token_lifetime), 0 },
	{ "COOKIE_SECURE", CONF_BOOL, "yes", 0, 0, NULL,
	  OFF(cookie_secure), 0 },
	{ "ACTIVATION_TIMEOUT", CONF_LONG, "259200", 300, 30 * DAY, NULL,
	  OFF(activation_timeout), 0 },
	{ "RESET_TIMEOUT", CONF_LONG, "3600", 300, 7 * DAY, NULL,
	  OFF(reset_timeout), 0 },
	{ "SIGNIN_FAILURES_PER_ACCOUNT", CONF_LONG, "10", 1, 1000, NULL,
	  OFF(signin_failures_per_account), 0 },
	{ "SIGNIN_FAILURES_PER_ADDRESS", CONF_LONG, "50", 1, 100000, NULL,
	  OFF(signin_failures_per_address), 0 },
	{ "SIGNIN_FAILURE_WINDOW", CONF_LONG, "900", 60, DAY, NULL,
	  OFF(signin_failure_window), 0 },
	{ "HEART_RATE_LOW", CONF_LONG, "60", 20, 300, NULL,
	  OFF(heart_rate_low), 0 },
	{ "HEART_RATE_HIGH", CONF_LONG, "100", 20, 300, NULL,
	  OFF(heart_rate_high), 0 },
	{ "MONITOR_STALE_SECONDS", CONF_LONG, "60", 5, DAY, NULL,
	  OFF(monitor_stale_seconds), 0 },
	{ "STREAM_CLIENTS", CONF_LONG, "512", 1, 16384, NULL,
	  OFF(stream_clients), 0 },
	{ "AUDIT_RETENTION_DAYS", CONF_LONG, "0", 0, 36500, NULL,
	  OFF(audit_retention_days), 0 },
	{ "AUDIT_READS", CONF_BOOL, "yes", 0, 0, NULL, OFF(audit_reads), 0 },
	{ "EMAIL_HOST", CONF_STR, "localhost", 1, 255, NULL,
	  OFF(email_host), 0 },
	{ "EMAIL_PORT", CONF_LONG, "25", 1, 65535, NULL, OFF(email_port), 0 },
	{ "EMAIL_FROM", CONF_STR, "heartmonitor@localhost", 3, 254, NULL,
	  OFF(email_from), 0 },
	{ "EMAIL_USER", CONF_STR, "", 0, 255, NULL, OFF(email_user), 0 },
	{ "EMAIL_PASSWORD", CONF_STR, "", 0, 1024, NULL,
	  OFF(email_password), 1 },
	{ "EMAIL_STARTTLS", CONF_BOOL, "no", 0, 0, NULL,
	  OFF(email_starttls), 0 },
	{ "EMAIL_TIMEOUT", CONF_LONG, "30", 1, 600, NULL,
	  OFF(email_timeout), 0 },
	{ "EMAIL_MAX_ATTEMPTS", CONF_LONG, "8", 1, 100, NULL,
	  OFF(email_max_attempts), 0 },
	{ "EMAIL_RETRY_BASE_SECONDS", CONF_LONG, "30", 1, 3600, NULL,
	  OFF(email_retry_base_seconds), 0 },
};
#define	KEYS_MAX	(sizeof(keys) / sizeof(keys[0]))

static const struct conf_key *
key_find(const char *name, size_t namesz)
{
	size_t	 i;

	for (i = 0; i < KEYS_MAX; i++)
		if (strlen(keys[i].name) == namesz &&
		    memcmp(keys[i].name, name, namesz) == 0)
			return &keys[i];
	return NULL;
}

/*
 * Validates "val" for key "k" and stores it.  On failure writes the
 * reason, prefixed with "where" and without the value (it may be a
 * secret), to "errmsg".
 */
static enum err
key_set(struct conf *c, const struct conf_key *k, const char *val,
    const char *where, struct buf *errmsg)
{
	char		*end, *copy, **sp;
	long long	 n;
	size_t		 i, len = strlen(val);

	switch (k->type) {
	case CONF_STR:
		for (i = 0; i < len; i++)
			if (iscntrl((unsigned char)val[i])) {
				buf_printf(errmsg, "%s%s: control character "
				    "in value", where, k->name);
				return ERR_INVAL;
			}
		if (len < (size_t)k->min || len > (size_t)k->max) {
			buf_printf(errmsg, "%s%s: must be %ld to %ld bytes "
			    "long (it is %zu)", where, k->name, k->min, k->max,
			    len);
			return ERR_INVAL;
		}
		if ((copy = strdup(val)) == NULL)
			return ERR_NOMEM;
		sp = (char **)((char *)c + k->off);
		free(*sp);
		*sp = copy;
		return ERR_OK;
	case CONF_LONG:
		errno = 0;
		n = strtoll(val, &end, 10);
		if (len == 0 || *end != '\0' || errno != 0 || isspace(
		    (unsigned char)val[0]) || n < k->min || n > k->max) {
			buf_printf(errmsg, "%s%s: must be a whole number "
			    "from %ld to %ld", where, k->name, k->min, k->max);
			return ERR_INVAL;
		}
		*(long *)((char *)c + k->off) = (long)n;
		return ERR_OK;
	case CONF_BOOL:
		if (word_find(false_words, val) >= 0 ||
		    word_find(true_words, val) >= 0) {
			*(int *)((char *)c + k->off) =
			    word_find(true_words, val) >= 0;
			return ERR_OK;
		}
		buf_printf(errmsg, "%s%s: must be yes or no", where, k->name);
		return ERR_INVAL;
	case CONF_ENUM:
		if ((n = word_find(k->words, val)) >= 0) {
			*(int *)((char *)c + k->off) = (int)n;
			return ERR_OK;
		}
		buf_printf(errmsg, "%s%s: must be one of", where,
		    k->name);
		for (i = 0; k->words[i] != NULL; i++)
			buf_printf(errmsg, " %s", k->words[i]);
		return ERR_INVAL;
	}
	return ERR_INVAL;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/*
 * Parses one "KEY=VALUE" line of file "path"; blank lines and lines
 * starting with "#" are skipped.  A value may be quoted with '"' or "'".
 * "seen" marks keys already set, so a key set twice is an error.
 */
static enum err
conf_line(struct conf *c, char *line, const char *path, size_t lineno,
    unsigned char *seen, struct buf *errmsg)
{
	const struct conf_key	*k;
	char			*s, *eq, *val, where[512];
	size_t			 vlen;

	s = trim(line);
	if (*s == '\0' || *s == '#')
		return ERR_OK;
	if ((eq = strchr(s, '=')) == NULL) {
		buf_printf(errmsg, "%s:%zu: expected KEY=VALUE", path, lineno);
		return ERR_INVAL;
	}
	*eq = '\0';
	s = trim(s);
	val = trim(eq + 1);
	vlen = strlen(val);
	if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') &&
	    val[vlen - 1] == val[0]) {
		val[vlen - 1] = '\0';
		val++;
	}
	(void)snprintf(where, sizeof(where), "%s:%zu: ", path, lineno);
	if ((k = key_find(s, strlen(s))) == NULL) {
		buf_printf(errmsg, "%sunknown key %.64s", where, s);
		return ERR_INVAL;
	}
	if (seen[k - keys]++) {
		buf_printf(errmsg, "%s%s is set twice", where, k->name);
		return ERR_INVAL;
	}
	return key_set(c, k, val, where, errmsg);
}

static enum err
conf_file(struct conf *c, const char *path, struct buf *errmsg)
{
	FILE		*f;
	char		 line[CONF_LINE_MAX + 2];
	unsigned char	 seen[KEYS_MAX];
	size_t		 lineno = 0, len;
	enum err	 e = ERR_OK;

	memset(seen, 0, sizeof(seen));
	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errmsg, "%s: %s", path, strerror(errno));
		return ERR_SYS;
	}
	while (e == ERR_OK && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > CONF_LINE_MAX && line[len - 1] != '\n') {
			buf_printf(errmsg, "%s:%zu: line too long", path,
			    lineno);
			e = ERR_INVAL;
			break;
		}
		e = conf_line(c, line, path, lineno, seen, errmsg);
	}
	if (e == ERR_OK && ferror(f)) {
		buf_printf(errmsg, "%s: read error", path);
		e = ERR_SYS;
	}
	fclose(f);
	return e;
}

/*
 * Checks that span keys, and derives ALLOWED_ORIGINS from PUBLIC_URL
 * when it is not set (SPEC 7.6).
 */
static enum err
conf_check(struct conf *c, struct buf *errmsg)
{
	const char	*host, *slash;
	size_t		 n;
	char		*origin;

	n = strlen(c->public_url);
	while (n > 0 && c->public_url[n - 1] == '/')
		c->public_url[--n] = '\0';
	if (strncmp(c->public_url, "https://", 8) == 0)
		host = c->public_url + 8;
	else if (strncmp(c->public_url, "http://", 7) == 0)
		host = c->public_url + 7;
	else {
		buf_puts(errmsg, "PUBLIC_URL: must start with https:// "
		    "(or http:// for development)");
		return ERR_INVAL;
	}
	if (*host == '\0' || strpbrk(c->public_url, " \"<>\\") != NULL) {
		buf_puts(errmsg, "PUBLIC_URL: not a URL");
		return ERR_INVAL;
	}
	if (c->password_min_length > c->password_max_length) {
		buf_puts(errmsg, "PASSWORD_MIN_LENGTH: more than "
		    "PASSWORD_MAX_LENGTH");
		return ERR_INVAL;
	}
	if (c->heart_rate_low > c->heart_rate_high) {
		buf_puts(errmsg, "HEART_RATE_LOW: more than HEART_RATE_HIGH");
		return ERR_INVAL;
	}
	if (strstr(c->activation_url, "{token}") == NULL ||
	    strstr(c->activation_url, "{uid}") == NULL ||
	    strstr(c->reset_url, "{token}") == NULL ||
	    strstr(c->reset_url, "{uid}") == NULL) {
		buf_puts(errmsg, "ACTIVATION_URL, RESET_URL: must hold "
		    "{uid} and {token}");
		return ERR_INVAL;
	}
	if (c->allowed_origins[0] != '\0')
		return ERR_OK;
	slash = strchr(host, '/');
	n = slash != NULL ? (size_t)(slash - c->public_url) :
	    strlen(c->public_url);
	if ((origin = strndup(c->public_url, n)) == NULL)
		return ERR_NOMEM;
	free(c->allowed_origins);
	c->allowed_origins = origin;
	return ERR_OK;
}

enum err
conf_load(struct conf *c, const char *path, int need_secret,
    struct buf *errmsg)
{
	const char	*v;
	size_t		 i;
	enum err	 e = ERR_OK;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < KEYS_MAX && e == ERR_OK; i++)
		if (keys[i].def != NULL)
			e = key_set(c, &keys[i], keys[i].def, "", errmsg);
	if (e == ERR_OK && path != NULL)
		e = conf_file(c, path, errmsg);
	for (i = 0; i < KEYS_MAX && e == ERR_OK; i++)
		if ((v = getenv(keys[i].name)) != NULL)
			e = key_set(c, &keys[i], v, "environment: ", errmsg);
	if (e == ERR_OK)
		e = conf_check(c, errmsg);
	if (e == ERR_OK && need_secret && c->secret_key == NULL) {
		buf_printf(errmsg, "SECRET_KEY is not set: it is required "
		    "(at least %d bytes; generate one with "
		    "\"openssl rand -base64 48\")", SECRET_KEY_MIN);
		e = ERR_INVAL;
	}
	if (e != ERR_OK)
		conf_clear(c);
	return e;
}

void
conf_clear(struct conf *c)
{
	size_t	 i;
	char	**sp;

	for (i = 0; i < KEYS_MAX; i++) {
		if (keys[i].type != CONF_STR)
			continue;
		sp = (char **)((char *)c + keys[i].off);
		if (*sp != NULL && keys[i].secret)
			explicit_bzero(*sp, strlen(*sp));
		free(*sp);
		*sp = NULL;
	}
}

enum err
conf_dump(const struct conf *c, struct buf *out)
{
	const struct conf_key	*k;
	const char		*s;
	size_t			 i;
	enum err		 e = ERR_OK;

	for (i = 0; i < KEYS_MAX && e == ERR_OK; i++) {
		k = &keys[i];
		switch (k->type) {
		case CONF_STR:
			s = *(char *const *)((const char *)c + k->off);
			if (s == NULL)
				e = buf_printf(out, "%s=(not set)\n", k->name);
			else if (k->secret && *s == '\0')
				e = buf_printf(out, "%s=\n", k->name);
			else if (k->secret)
				e = buf_printf(out, "%s=(set, %zu bytes)\n",
				    k->name, strlen(s));
			else
				e = buf_printf(out, "%s=%s\n", k->name, s);
			break;
		case CONF_LONG:
			e = buf_printf(out, "%s=%ld\n", k->name,
			    *(const long *)((const char *)c + k->off));
			break;
		case CONF_BOOL:
			e = buf_printf(out, "%s=%s\n", k->name,
			    *(const int *)((const char *)c + k->off) ? "yes" :
			    "no");
			break;
		case CONF_ENUM:
			e = buf_printf(out, "%s=%s\n", k->name, k->words[
			    *(const int *)((const char *)c + k->off)]);
			break;
		}
	}
	return e;
}

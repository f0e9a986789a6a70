/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "app.h"
#include "db.h"
#include "extern.h"
#include "idem.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"

#define	DIGEST_LEN	32	/* SHA-256 */

/* An answer stored under a key. */
struct	idem_answer {
	unsigned char	 digest[DIGEST_LEN];
	int		 status;
	const char	*content_type;
	const char	*headers;
	const char	*body;
};

int
idem_key_valid(const char *key)
{
	size_t	 n;

	for (n = 0; key[n] != '\0'; n++)
		if (key[n] < 0x20 || key[n] > 0x7e)
			return 0;
	return n >= 1 && n <= IDEM_KEY_MAX;
}

/*
 * SHA-256 over the method, the path and the body: what makes a retry
 * the same request.
 */
static enum err
digest(const struct req *r, unsigned char out[DIGEST_LEN])
{
	EVP_MD_CTX	*ctx;
	const char	*method = http_method_str(r->method);
	unsigned int	 len = 0;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ERR_NOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, method, strlen(method) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, r->path, strlen(r->path) + 1) == 1 &&
	    (r->body == NULL ||
	    EVP_DigestUpdate(ctx, r->body, r->bodysz) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? ERR_OK : ERR_SYS;
}

/* Loads the answer stored under "key" since "since"; ERR_NOTFOUND. */
static enum err
idem_find(struct db *db, struct pool *pool, const char *user_id,
    const char *key, const char *since, struct idem_answer *a)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_IDEM_GET);
	const void	*d;
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, user_id);
	db_bind_text(st, 2, key);
	db_bind_text(st, 3, since);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d = sqlite3_column_blob(st, 0);
		if (d != NULL && sqlite3_column_bytes(st, 0) == DIGEST_LEN)
			memcpy(a->digest, d, DIGEST_LEN);
		else
			memset(a->digest, 0, DIGEST_LEN);
		a->status = sqlite3_column_int(st, 1);
		a->content_type = db_col_text(pool, st, 2);
		a->headers = db_col_text(pool, st, 3);
		a->body = db_col_text(pool, st, 4);
		if (a->headers == NULL || a->body == NULL)
			e = ERR_NOMEM;
	} else if ((e = db_rc(db, rc, "idem_find")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

/*
 * Drops the keys older than "since", then stores the answer "w" under
 * "key" at "now".
 */
static enum err
idem_store(struct db *db, const char *user_id, const char *key,
    const unsigned char d[DIGEST_LEN], const struct resp *w,
    const char *since, const char *now)
{
	sqlite3_stmt	*st;
	enum err	 e;

	st = db_stmt(db, STMT_IDEM_PRUNE);
	db_bind_text(st, 1, since);
	if ((e = db_write(db, st, "idem_prune")) != ERR_OK &&
	    e != ERR_NOTFOUND)
		return e;
	st = db_stmt(db, STMT_IDEM_INSERT);
	db_bind_text(st, 1, user_id);
	db_bind_text(st, 2, key);
	sqlite3_bind_blob(st, 3, d, DIGEST_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, w->status);
	db_bind_text(st, 5, w->content_type);
	sqlite3_bind_text(st, 6, w->headers.p != NULL ? w->headers.p : "",
	    (int)w->headers.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, w->body.p != NULL ? w->body.p : "",
	    (int)w->body.len, SQLITE_STATIC);
	db_bind_text(st, 8, now);
	return db_write(db, st, "idem_store");
}

/* Writes the stored answer "a" to "w". */
static enum err
replay(struct req *r, struct resp *w, const struct idem_answer *a)
{
	enum err	 e;

	resp_reset(w);
	w->status = a->status;
	w->content_type = a->content_type != NULL ?
	    pool_strdup(r->pool, a->content_type) : NULL;
	if ((e = buf_puts(&w->headers, a->headers)) != ERR_OK ||
	    (e = buf_puts(&w->body, a->body)) != ERR_OK)
		return e;
	return resp_header(w, "Idempotent-Replayed", "true");
}

/* Looks the key up inside the open transaction and answers from it. */
static enum err
lookup(struct app *app, struct req *r, struct resp *w, const char *key,
    const unsigned char d[DIGEST_LEN], const char *since, int *answered)
{
	struct idem_answer	 a;
	enum err		 e;

	*answered = 0;
	e = idem_find(app->db, r->pool, r->who->user_id, key, since, &a);
	if (e == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	*answered = 1;
	if (memcmp(a.digest, d, DIGEST_LEN) == 0)
		return replay(r, w, &a);
	problem_write(w, r, 422, "idempotency_mismatch", "This "
	    "Idempotency-Key was used with another request.", NULL);
	return ERR_OK;
}

enum err
idem_run(struct app *app, handler_fn fn, struct req *r, struct resp *w)
{
	const char		*key = r->hdrs[HDR_IDEMPOTENCY_KEY];
	struct field_error	*errs = NULL;
	unsigned char		 d[DIGEST_LEN];
	char			 now[RFC3339_STRLEN + 1];
	char			 since[RFC3339_STRLEN + 1];
	int64_t			 now_ms = time_now_ms();
	int			 answered;
	enum err		 e;

	if (!idem_key_valid(key)) {
		(void)problem_field(r->pool, &errs, "Idempotency-Key",
		    "Must be 1 to 255 printable ASCII characters.");
		problem_write(w, r, 400, "invalid", "The request is invalid.",
		    errs);
		return ERR_OK;
	}
	if ((e = digest(r, d)) != ERR_OK ||
	    (e = time_format(now_ms, now)) != ERR_OK ||
	    (e = time_format(now_ms - IDEM_TTL_MS, since)) != ERR_OK)
		return e;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	e = lookup(app, r, w, key, d, since, &answered);
	if (e == ERR_OK && !answered) {
		e = fn(app, r, w);
		if (e == ERR_OK && w->status < 500)
			e = idem_store(app->db, r->who->user_id, key, d, w,
			    since, now);
		if (e == ERR_OK && w->status < 500)
			return db_commit(app->db);
	}
	db_rollback(app->db);
	return e;
}

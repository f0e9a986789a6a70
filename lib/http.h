/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_HTTP_H
#define HM_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "query.h"

struct app;
struct audit_event;
struct pool;
typedef struct cJSON cJSON;

#define	BODY_MAX	(1024 * 1024)	/* SPEC 6: bodies over 1 MiB are 413 */
#define	PATH_MAX_LEN	2048		/* a longer path is 404 */
#define	PATH_PARAMS_MAX	4		/* ":id" captures per route */
#define	REQUEST_ID_MAX	64

enum	method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_PATCH,
	METHOD_DELETE,
	METHOD_OPTIONS,
	METHOD__MAX	/* anything else */
};

/* The request headers the service reads; everything else is dropped. */
enum	hdr {
	HDR_AUTHORIZATION,
	HDR_CONTENT_TYPE,
	HDR_COOKIE,
	HDR_IDEMPOTENCY_KEY,
	HDR_LAST_EVENT_ID,
	HDR_ORIGIN,
	HDR_X_CSRFTOKEN,
	HDR__MAX
};

enum	role {
	ROLE_ADMIN,
	ROLE_STAFF,
	ROLE_DOCTOR,
	ROLE_NURSE,
	ROLE__MAX
};

#define	ROLE_BIT(r)	(1u << (r))
#define	ROLES_ANY	(ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF) | \
			 ROLE_BIT(ROLE_DOCTOR) | ROLE_BIT(ROLE_NURSE))
#define	ROLES_PUBLIC	0u	/* no sign-in needed */

/* The signed-in user of a request, set by authentication. */
struct	principal {
	const char	*user_id;	/* pool-owned */
	const char	*sid;		/* the session; pool-owned */
	enum role	 role;		/* as stored now, never from a token */
	int		 by_cookie;	/* so unsafe requests need CSRF */
};

/*
 * One HTTP request as the library sees it: no FastCGI in here, so that
 * tests build one by hand.  All strings are NUL-terminated and owned by
 * "pool" (or by the caller for the lifetime of the request).
 */
struct	req {
	enum method	 method;
	const char	*method_name;	/* as received, for the log */
	const char	*uri;		/* raw REQUEST_URI: path and query */
	const char	*hdrs[HDR__MAX];/* raw header values or NULL */
	const char	*remote_addr;
	const char	*request_id;	/* from nginx, or made by http_handle */
	const char	*body;		/* NUL-terminated; NULL without body */
	size_t		 bodysz;
	int		 body_too_large;/* Content-Length over BODY_MAX: unread */
	/* The client left while the request queued: only logged. */
	int		 gone;
	struct pool	*pool;
	int64_t		 start_us;	/* log_clock_us() at arrival */

	/* Set by dispatch. */
	const char	*path;		/* decoded path */
	const char	*log_path;	/* what the log may show of it */
	struct query	 query;
	const char	*params[PATH_PARAMS_MAX];
	size_t		 paramsz;
	cJSON		*json;		/* parsed body, or NULL */
	struct principal *who;		/* NULL when anonymous */

	/* What the request did, for the audit trail (lib/audit.h). */
	struct audit_event *audit;
	int		 audit_lost;	/* an event could not be noted */
};

/*
 * The response a handler builds.  "headers" holds extra header lines,
 * each "Name: value\r\n"; the transport adds Status and Content-Type.
 */
struct	resp {
	int		 status;
	const char	*content_type;	/* static string */
	struct buf	 headers;
	struct buf	 body;
};

void		 resp_init(struct resp *);
void		 resp_clear(struct resp *);
/*
 * Empties it for the next request, keeping the buffers' storage up to
 * RESP_KEEP bytes of body.
 */
#define	RESP_KEEP	(64 * 1024)
void		 resp_reset(struct resp *);
/*
 * Adds a header line.  Returns ERR_INVAL if the name or the value holds
 * CR, LF or NUL (so no input can split a header).
 */
enum err	 resp_header(struct resp *, const char *name, const char *val);

/* The method of a CGI REQUEST_METHOD string; METHOD__MAX if unknown. */
enum method	 http_method(const char *);
const char	*http_method_str(enum method);
/* The reason phrase for "status", e.g. "Not Found". */
const char	*http_reason(int status);
/* The FastCGI/CGI parameter name of a header, e.g. "HTTP_COOKIE". */
const char	*http_hdr_cgi(enum hdr);
const char	*http_role_str(enum role);
/* The role named "s", or ROLE__MAX if none is. */
enum role	 http_role(const char *s);

/*
 * Handles one request end to end: sets the request id, routes, checks
 * roles, parses query and body, calls the handler, turns any failure
 * into a problem response, adds the common headers, and writes the
 * access-log line.  Never fails: "resp" always holds an answer.
 */
void		 http_handle(struct app *, struct req *, struct resp *);

#endif /* !HM_HTTP_H */

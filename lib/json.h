/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_JSON_H
#define HM_JSON_H

#include <stdint.h>

#include "buf.h"

#define	JSON_DEPTH_MAX	32

/*
 * An escaping JSON writer over a struct buf.  "key" is the member name
 * inside an object and must be NULL inside an array or at the top.
 * Commas are placed by the writer.  Errors are sticky: check json_err()
 * once at the end instead of after every call.
 */
struct	json {
	struct buf	*out;
	int		 depth;
	unsigned char	 first[JSON_DEPTH_MAX];
	enum err	 err;
};

void		 json_init(struct json *, struct buf *);
void		 json_obj_open(struct json *, const char *key);
void		 json_obj_close(struct json *);
void		 json_arr_open(struct json *, const char *key);
void		 json_arr_close(struct json *);
/* A string; NULL writes null.  Invalid UTF-8 is replaced by U+FFFD. */
void		 json_str(struct json *, const char *key, const char *val);
void		 json_strn(struct json *, const char *key, const char *, size_t);
void		 json_int(struct json *, const char *key, int64_t);
void		 json_bool(struct json *, const char *key, int);
void		 json_null(struct json *, const char *key);
enum err	 json_err(const struct json *);

/* Appends "s" (length "n") escaped for a JSON string, without quotes. */
enum err	 json_escape(struct buf *, const char *s, size_t n);

#endif /* !HM_JSON_H */

/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_BODY_H
#define HM_BODY_H

#include "http.h"

/*
 * Checks and parses the JSON body of "req" into req->json (NULL when
 * the request has no body; SPEC 7.1) and returns 1.  Otherwise writes
 * the problem answer to "resp" and returns 0: 413 over BODY_MAX, 415 unless
 * the Content-Type is application/json, 400 for a NUL byte, invalid
 * UTF-8, malformed JSON (naming the byte offset), or a member name
 * repeated in one object (which parsers disagree on).  The cJSON tree
 * is freed by body_free().
 */
int		 body_parse(struct req *, struct resp *);
void		 body_free(struct req *);

/*
 * Returns 1 if some object in "item" repeats a member name (or memory
 * ran out), else 0.  Scratch space comes from "pool".
 */
int		 body_has_duplicate(struct pool *, const cJSON *item);

/* Returns 1 if "ct" is application/json, parameters allowed; else 0. */
int		 body_is_json_type(const char *ct);

#endif /* !HM_BODY_H */

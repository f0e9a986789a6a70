/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_STREAM_H
#define HM_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "route.h"

struct db;
struct pool;

/*
 * The live stream of readings (SPEC 5 "Live monitoring", 7.22), the
 * part that needs no FastCGI; heartmonitor-stream (fcgi/stream.c) holds
 * the connections.  An event's id is the reading's seq, the order of
 * commits, so "Last-Event-ID: N" resumes with the readings committed
 * after N.
 */

/* What a client watches: NULL for any. */
struct	stream_filter {
	const char	*patient_id;
	const char	*ward;
	int64_t		 last_id;	/* Last-Event-ID, or -1 */
};

/*
 * The stream program's route table: GET /api/heartrates/stream/ for
 * doctors and nurses, checked by dispatch like every other route.  Its
 * handler answers 200 text/event-stream with no body when the request
 * may stream; the program then holds the connection.
 */
extern const struct route	 stream_routes[];
extern const size_t		 stream_routesz;

/*
 * Reads ?patient=, ?ward= and Last-Event-ID of "r" into "f".  Returns 1,
 * or writes the 400 naming the bad one and returns 0.
 */
int		 stream_filter_parse(struct req *, struct resp *,
		    struct stream_filter *f);

/* Returns 1 if a reading of "patient_id" in "ward" passes "f". */
int		 stream_match(const struct stream_filter *f,
		    const char *patient_id, const char *ward);

/*
 * Calls "fn" for at most "limit" readings committed after seq "after",
 * in commit order, with the patient, the admission's ward (or NULL) and
 * the event's text ("id: …\nevent: reading\ndata: {…}\n\n").  A
 * non-zero return of "fn" stops early.  "*last" gets the seq of the
 * last reading passed (unchanged when none), "*count" how many.
 */
enum err	 stream_since(struct db *, struct pool *, int64_t after,
		    long limit, int (*fn)(void *arg, int64_t seq,
		    const char *patient_id, const char *ward, const char *text,
		    size_t textsz), void *arg, int64_t *last, long *count);

/* The seq of the newest reading (0 when none). */
enum err	 stream_newest(struct db *, int64_t *seq);

/*
 * SQLite's PRAGMA data_version: it changes when another connection
 * commits, so a watcher polls it cheaply before asking for readings.
 */
enum err	 stream_data_version(struct db *, int64_t *version);

/*
 * The count of changes that can end a sign-in (sql/007): a stream's
 * credentials need checking again only when it moved.
 */
enum err	 stream_auth_epoch(struct db *, int64_t *epoch);

#endif /* !HM_STREAM_H */

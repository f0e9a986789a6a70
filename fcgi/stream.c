/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "app.h"
#include "auth.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "pool.h"
#include "request.h"
#include "route.h"
#include "serve.h"
#include "stream.h"
#include "uuid.h"

/*
 * heartmonitor-stream: event streams of readings (SPEC 5 "Live
 * monitoring"), kept out of the REST pool so that live clients never
 * hold its single-threaded workers.  One process holds STREAM_CLIENTS
 * streams, a thread each, blocked on a condition variable, not on the
 * database.  One watcher thread per process polls PRAGMA data_version
 * on a connection of its own; when another connection has committed,
 * it reads the readings after the newest it knows and puts their
 * events in a ring, and wakes the clients whose filter one passes (not
 * all of them: 500 threads woken for each reading cost more than the
 * rest of the stream process together).  The shared connection of the client threads serves
 * only sign-in checks and Last-Event-ID replays, under one lock.  An
 * idle stream's thread sleeps: the watcher also wakes it when the count
 * of sign-in-ending changes (sql/007) moves, for a new sign-in check,
 * and when nginx closed its connection.  The thread wakes by itself for
 * the keep-alive and, every FULL_RECHECK_MS, to check its sign-in for
 * what ends by time alone (an access token's or a session's expiry).
 */

#define	RING_SIZE	4096		/* events kept for slow clients */
#define	WARD_LEN	100
#define	WATCH_MS	50		/* how often the watcher looks */
#define	KEEPALIVE_MS	15000		/* a comment when nothing else came */
#define	GONE_MS		1000		/* how often the watcher looks for gone clients */
#define	FULL_RECHECK_MS	30000		/* a stream checks its sign-in regardless */
#define	BATCH		500		/* readings read at a time */
#define	STACK_SIZE	(256 * 1024)
#define	OPENING		": stream open\nretry: 2000\n\n"

struct	event {
	int64_t		 seq;
	char		 patient_id[UUID_STRLEN + 1];
	char		 ward[WARD_LEN + 1];
	int		 has_ward;
	char		*text;
	size_t		 textsz;
};

/* A stream waiting for events, woken when one passes its filter. */
struct	waiter {
	pthread_cond_t			 cond;
	const struct stream_filter	*f;
	int				 fd;	/* its connection to nginx */
	int				 ready;	/* an event for it came */
	int				 recheck; /* the auth epoch moved */
	int				 gone;	/* nginx closed the connection */
	LIST_ENTRY(waiter)		 entry;
};

/* What the watcher shares with the client threads, under "lock". */
static struct {
	pthread_mutex_t	 lock;
	LIST_HEAD(, waiter) waiters;
	struct event	 ring[RING_SIZE];
	size_t		 first;		/* index of the oldest event */
	size_t		 count;
	int64_t		 newest;	/* seq of the newest reading known */
	int64_t		 dropped;	/* seq of the newest event evicted */
	int64_t		 epoch;		/* auth_epoch, as the watcher last read it */
	int		 stopping;
	int		 alive;		/* client threads running */
} hub = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.waiters = LIST_HEAD_INITIALIZER(hub.waiters),
};

static pthread_condattr_t wake_attr;	/* waiters' clock: CLOCK_MONOTONIC */
static pthread_mutex_t	 app_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t	 accept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct app	 app;		/* the client threads', under app_lock */
static const struct conf *config;
static int		 listen_fd;

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timespec
deadline(int64_t ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	return ts;
}

/*
 * Adds an event to the ring, evicting the oldest when it is full, and
 * wakes the streams it is for.
 */
static int
ring_push(void *arg, int64_t seq, const char *patient_id, const char *ward,
    const char *text, size_t textsz)
{
	struct event	*ev;
	struct waiter	*w;
	char		*copy;

	(void)arg;
	if ((copy = malloc(textsz)) == NULL)
		return 1;
	memcpy(copy, text, textsz);
	pthread_mutex_lock(&hub.lock);
	if (hub.count == RING_SIZE) {
		ev = &hub.ring[hub.first];
		hub.dropped = ev->seq;
		free(ev->text);
		hub.first = (hub.first + 1) % RING_SIZE;
		hub.count--;
	}
	ev = &hub.ring[(hub.first + hub.count++) % RING_SIZE];
	ev->seq = seq;
	(void)snprintf(ev->patient_id, sizeof(ev->patient_id), "%s",
	    patient_id != NULL ? patient_id : "");
	ev->has_ward = ward != NULL;
	(void)snprintf(ev->ward, sizeof(ev->ward), "%s",
	    ward != NULL ? ward : "");
	ev->text = copy;
	ev->textsz = textsz;
	hub.newest = seq;
	LIST_FOREACH(w, &hub.waiters, entry)
		if (!w->ready && stream_match(w->f, patient_id, ward)) {
			w->ready = 1;
			pthread_cond_signal(&w->cond);
		}
	pthread_mutex_unlock(&hub.lock);
	return 0;
}

/*
 * Wakes the streams that must look again: all of them when the auth
 * epoch moved ("moved"), and those whose client is gone when "look" is
 * set (an idle stream writes only every KEEPALIVE_MS: a gone client
 * would hold its thread until then).  With hub.lock held.
 */
static void
nudge(int moved, int look)
{
	struct waiter	*w;

	LIST_FOREACH(w, &hub.waiters, entry) {
		if (moved)
			w->recheck = 1;
		if (look && !w->gone && request_gone(w->fd))
			w->gone = 1;
		if (moved || w->gone)
			pthread_cond_signal(&w->cond);
	}
}

/* Polls the database for new readings until the process stops. */
static void *
watcher(void *arg)
{
	struct app	 wapp;
	struct buf	 errmsg;
	struct pool	*pool;
	int64_t		 version = -1, v, after, last, epoch, look_at = 0, t;
	long		 n;
	struct timespec	 nap = { 0, WATCH_MS * 1000000L };
	int		 moved, look;

	(void)arg;
	buf_init(&errmsg);
	if (app_open(&wapp, config, &errmsg) != ERR_OK ||
	    (pool = pool_new()) == NULL) {
		log_warnx(NULL, "watcher: %s", buf_str(&errmsg));
		exit(EXIT_FAILURE);
	}
	for (;;) {
		pthread_mutex_lock(&hub.lock);
		after = hub.newest;
		if (hub.stopping) {
			pthread_mutex_unlock(&hub.lock);
			break;
		}
		pthread_mutex_unlock(&hub.lock);
		moved = 0;
		if (stream_data_version(wapp.db, &v) == ERR_OK &&
		    v != version) {
			version = v;
			if (stream_auth_epoch(wapp.db, &epoch) == ERR_OK) {
				pthread_mutex_lock(&hub.lock);
				moved = epoch != hub.epoch;
				hub.epoch = epoch;
				pthread_mutex_unlock(&hub.lock);
			}
			do {
				last = after;
				n = 0;
				if (stream_since(wapp.db, pool, after, BATCH,
				    ring_push, NULL, &last, &n) != ERR_OK)
					break;
				after = last;
				pool_reset(pool);
			} while (n == BATCH);
		}
		t = now_ms();
		look = t >= look_at;
		if (moved || look) {
			pthread_mutex_lock(&hub.lock);
			nudge(moved, look);
			pthread_mutex_unlock(&hub.lock);
			if (look)
				look_at = t + GONE_MS;
		}
		(void)nanosleep(&nap, NULL);
	}
	pool_free(pool);
	app_close(&wapp);
	buf_clear(&errmsg);
	return NULL;
}

/* Writes "n" bytes and flushes; returns 0 if the client went away. */
static int
put(FCGX_Request *fr, const char *s, size_t n)
{

	return FCGX_PutStr(s, (int)n, fr->out) == (int)n &&
	    FCGX_FFlush(fr->out) == 0;
}

/* Writes one replayed event when it passes the filter (stream_since). */
struct	replay {
	FCGX_Request			*fr;
	const struct stream_filter	*f;
	int				 gone;
};

static int
replay_one(void *arg, int64_t seq, const char *patient_id, const char *ward,
    const char *text, size_t textsz)
{
	struct replay	*rp = arg;

	(void)seq;
	if (stream_match(rp->f, patient_id, ward) &&
	    !put(rp->fr, text, textsz))
		rp->gone = 1;
	return rp->gone;
}

/*
 * Writes the readings after "*cursor" that pass "f", from the database
 * (SPEC 7.22), moving "*cursor".  Returns 0 if the client went away.
 */
static int
replay(FCGX_Request *fr, struct pool *pool, const struct stream_filter *f,
    int64_t *cursor)
{
	struct replay	 rp = { fr, f, 0 };
	long		 n;
	enum err	 e;

	do {
		pthread_mutex_lock(&app_lock);
		e = stream_since(app.db, pool, *cursor, BATCH, replay_one, &rp,
		    cursor, &n);
		pthread_mutex_unlock(&app_lock);
		pool_reset(pool);
	} while (e == ERR_OK && !rp.gone && n == BATCH);
	return e == ERR_OK && !rp.gone;
}

/*
 * Whether the stream's credentials still hold: the token, its session,
 * the user and the role, read again (logout, deactivation or a role
 * change ends the stream within about WATCH_MS, an expiry within
 * FULL_RECHECK_MS).
 */
static int
still_allowed(struct req *r, struct pool *scratch)
{
	struct resp	 w;
	struct pool	*keep = r->pool;
	int		 ok;

	resp_init(&w);
	r->pool = scratch;
	r->who = NULL;
	pthread_mutex_lock(&app_lock);
	ok = auth_authenticate(&app, r, &w) && r->who != NULL &&
	    (r->who->role == ROLE_DOCTOR || r->who->role == ROLE_NURSE);
	pthread_mutex_unlock(&app_lock);
	r->who = NULL;
	r->pool = keep;
	pool_reset(scratch);
	resp_clear(&w);
	return ok;
}

enum	taken {
	TAKEN,
	TAKE_EVICTED,		/* some are gone from the ring: replay() */
	TAKE_FAILED,		/* out of memory */
};

/*
 * Appends to "out" the events of the ring after "*cursor" that pass
 * "f", and moves "*cursor" to the newest.  With hub.lock held.
 */
static enum taken
take(const struct stream_filter *f, int64_t *cursor, struct buf *out)
{
	const struct event	*ev;
	size_t			 i;

	if (*cursor < hub.dropped)
		return TAKE_EVICTED;
	for (i = 0; i < hub.count; i++) {
		ev = &hub.ring[(hub.first + i) % RING_SIZE];
		if (ev->seq <= *cursor)
			continue;
		if (stream_match(f, ev->patient_id, ev->has_ward ? ev->ward :
		    NULL) && buf_putn(out, ev->text, ev->textsz) != ERR_OK)
			return TAKE_FAILED;
		*cursor = ev->seq;
	}
	return TAKEN;
}

/*
 * The watcher's auth_epoch.  Read before a sign-in check, so that a
 * change the check could not see yet is one the stream sees later.
 */
static int64_t
epoch_now(void)
{
	int64_t	 epoch;

	pthread_mutex_lock(&hub.lock);
	epoch = hub.epoch;
	pthread_mutex_unlock(&hub.lock);
	return epoch;
}

/*
 * Holds one stream until the client goes, its sign-in ends or we stop.
 * "epoch" is epoch_now() from before the sign-in was checked.
 */
static void
stream_run(FCGX_Request *fr, struct req *r, struct pool *scratch,
    const struct stream_filter *f, int64_t epoch)
{
	struct waiter	 w = { .f = f, .fd = fr->ipcFd };
	struct buf	 out;
	int64_t		 cursor, keepalive, full, t, until;
	struct timespec	 ts;
	enum taken	 got;
	int		 ok = 1, recheck;

	(void)pthread_cond_init(&w.cond, &wake_attr);
	pthread_mutex_lock(&hub.lock);
	cursor = hub.newest;
	/* A change since "epoch" may have come after the check. */
	w.recheck = hub.epoch != epoch;
	LIST_INSERT_HEAD(&hub.waiters, &w, entry);
	pthread_mutex_unlock(&hub.lock);
	if (f->last_id >= 0) {
		cursor = f->last_id;
		ok = replay(fr, scratch, f, &cursor);
	}
	buf_init(&out);
	keepalive = now_ms() + KEEPALIVE_MS;
	full = now_ms() + FULL_RECHECK_MS;
	while (ok) {
		until = keepalive < full ? keepalive : full;
		ts = deadline(until);
		pthread_mutex_lock(&hub.lock);
		while (!hub.stopping && !w.ready && !w.recheck && !w.gone &&
		    now_ms() < until)
			(void)pthread_cond_timedwait(&w.cond, &hub.lock, &ts);
		w.ready = 0;
		recheck = w.recheck;
		w.recheck = 0;
		got = take(f, &cursor, &out);
		ok = !hub.stopping && !w.gone && got != TAKE_FAILED;
		pthread_mutex_unlock(&hub.lock);
		/*
		 * A stream the events of others passed by may not have
		 * looked at the ring while they filled it: the database has
		 * what the ring lost.
		 */
		if (ok && got == TAKE_EVICTED)
			ok = replay(fr, scratch, f, &cursor);
		if (ok && out.len > 0) {
			ok = put(fr, out.p, out.len);
			keepalive = now_ms() + KEEPALIVE_MS;
		}
		buf_reset(&out);
		t = now_ms();
		if (ok && t >= keepalive) {
			ok = put(fr, ": keep-alive\n\n", 14);
			keepalive = t + KEEPALIVE_MS;
		}
		if (ok && (recheck || t >= full)) {
			ok = still_allowed(r, scratch);
			full = t + FULL_RECHECK_MS;
		}
	}
	pthread_mutex_lock(&hub.lock);
	LIST_REMOVE(&w, entry);
	pthread_mutex_unlock(&hub.lock);
	(void)pthread_cond_destroy(&w.cond);
	buf_clear(&out);
}

/* Answers one request: a refusal, or a stream. */
static void
serve_one(FCGX_Request *fr, struct pool *pool, struct pool *scratch,
    struct resp *w)
{
	struct stream_filter	 f;
	struct req		 r;
	int64_t			 epoch;

	request_read(fr, pool, &r);
	epoch = epoch_now();
	pthread_mutex_lock(&app_lock);
	http_handle_table(&app, stream_routes, stream_routesz, &r, w);
	pthread_mutex_unlock(&app_lock);
	if (w->status != 200 || !stream_filter_parse(&r, w, &f)) {
		(void)request_write(fr, w);
		return;
	}
	/* No Content-Length: the body is the stream. */
	w->content_type = NULL;
	if (resp_header(w, "Content-Type", "text/event-stream") != ERR_OK ||
	    resp_header(w, "X-Accel-Buffering", "no") != ERR_OK ||
	    !request_write(fr, w))
		return;
	/*
	 * Body bytes at once: nginx holds the head in its TLS buffer until
	 * some arrive.  "retry" is how long a browser waits to reconnect.
	 */
	if (!put(fr, OPENING, sizeof(OPENING) - 1))
		return;
	stream_run(fr, &r, scratch, &f, epoch);
	log_warnx(r.request_id, "stream closed");
}

static void
on_wake(int sig)
{

	(void)sig;
}

static void *
client(void *arg)
{
	FCGX_Request	 fr;
	struct pool	*pool, *scratch;
	struct resp	 w;
	sigset_t	 usr1;
	int		 rc;

	(void)arg;
	/* SIGUSR1 breaks accept() when we stop (FCGI_FAIL_ACCEPT_ON_INTR). */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	(void)pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	resp_init(&w);
	pool = pool_new();
	scratch = pool_new();
	if (pool == NULL || scratch == NULL ||
	    FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_warnx(NULL, "stream: cannot initialise a client thread");
		goto out;
	}
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		pthread_mutex_lock(&hub.lock);
		rc = hub.stopping ? -1 : 0;
		pthread_mutex_unlock(&hub.lock);
		if (rc == 0)
			rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0) {
			pthread_mutex_lock(&hub.lock);
			rc = hub.stopping;
			pthread_mutex_unlock(&hub.lock);
			if (rc)
				break;
			continue;
		}
		serve_one(&fr, pool, scratch, &w);
		FCGX_Finish_r(&fr);
		resp_reset(&w);
		pool_reset(pool);
	}
	FCGX_Free(&fr, 0);
out:
	pool_free(scratch);
	pool_free(pool);
	resp_clear(&w);
	pthread_mutex_lock(&hub.lock);
	hub.alive--;
	pthread_mutex_unlock(&hub.lock);
	return NULL;
}

/* Tells every thread to stop and waits for them, at most 5 s. */
static void
stop_all(pthread_t *threads, long n, pthread_t watch)
{
	struct timespec	 nap = { 0, 50 * 1000000L };
	struct waiter	*w;
	int64_t		 until = now_ms() + 5000;
	long		 i;
	int		 alive;

	pthread_mutex_lock(&hub.lock);
	hub.stopping = 1;
	LIST_FOREACH(w, &hub.waiters, entry)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&hub.lock);
	do {
		for (i = 0; i < n; i++)
			(void)pthread_kill(threads[i], SIGUSR1);
		(void)nanosleep(&nap, NULL);
		pthread_mutex_lock(&hub.lock);
		alive = hub.alive;
		pthread_mutex_unlock(&hub.lock);
	} while (alive > 0 && now_ms() < until);
	if (alive == 0) {
		for (i = 0; i < n; i++)
			(void)pthread_join(threads[i], NULL);
		(void)pthread_join(watch, NULL);
	}
}

int
stream_serve(int listenfd, const struct conf *conf)
{
	struct sigaction	 sa;
	pthread_attr_t		 ta;
	pthread_t		*threads = NULL, watch;
	struct buf		 errmsg;
	sigset_t		 all, stop;
	long			 i, n = conf->stream_clients;
	int			 sig;

	config = conf;
	listen_fd = listenfd;
	buf_init(&errmsg);
	if (app_open(&app, conf, &errmsg) != ERR_OK) {
		log_warnx(NULL, "%s", buf_str(&errmsg));
		buf_clear(&errmsg);
		return EXIT_FAILURE;
	}
	/* Threads inherit the mask: only the main thread takes signals. */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_wake;	/* no SA_RESTART: accept() breaks */
	(void)sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)fcntl(listenfd, F_SETFL, fcntl(listenfd, F_GETFL) & ~O_NONBLOCK);
	(void)pthread_condattr_init(&wake_attr);
	(void)pthread_condattr_setclock(&wake_attr, CLOCK_MONOTONIC);
	(void)pthread_attr_init(&ta);
	(void)pthread_attr_setstacksize(&ta, STACK_SIZE);
	if (FCGX_Init() != 0 || stream_newest(app.db, &hub.newest) != ERR_OK ||
	    stream_auth_epoch(app.db, &hub.epoch) != ERR_OK ||
	    (threads = calloc((size_t)n, sizeof(*threads))) == NULL ||
	    pthread_create(&watch, &ta, watcher, NULL) != 0) {
		log_warnx(NULL, "stream: cannot start");
		exit(EXIT_FAILURE);
	}
	hub.dropped = hub.newest;
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&hub.lock);
		hub.alive++;
		pthread_mutex_unlock(&hub.lock);
		if (pthread_create(&threads[i], &ta, client, NULL) != 0) {
			log_warnx(NULL, "stream: cannot start client threads");
			exit(EXIT_FAILURE);
		}
	}
	log_warnx(NULL, "holding up to %ld streams", n);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	while (sigwait(&stop, &sig) != 0)
		continue;
	stop_all(threads, n, watch);
	free(threads);
	app_close(&app);
	buf_clear(&errmsg);
	return EXIT_SUCCESS;
}

/*
 * The worker process: its event loop, signals, the budget wake-up, the
 * batch deadline, and the channel back to the supervisor.  It runs the
 * devices of its shard that are not finished yet (so a replacement for a
 * crashed worker redoes only what was in flight) and exits when they are
 * all done.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <libssh2.h>

#include "ctr.h"
#include "htab.h"
#include "knownhosts.h"
#include "log.h"
#include "shm.h"
#include "wrk_int.h"
#include "xmem.h"

#define WRK_WAKE_FALLBACK_MS	200
#define WRK_HEARTBEAT_MS	1000

struct kh_entry {
	char		*path;
	struct kh	*kh;
	struct kh_entry	*next;
};

/* known_hosts files are parsed once per worker, not once per connection. */
struct kh *
wrk_knownhosts(struct wrk *w, const char *path)
{
	struct kh_entry *e;
	char err[256];

	if ((e = htab_get(w->w_kh, path, strlen(path))) != NULL)
		return e->kh;
	e = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	if ((e->kh = kh_load(path, err, sizeof(err))) == NULL)
		log_warnx("known_hosts %s: %s", path, err);
	htab_put(w->w_kh, e->path, strlen(e->path), e);
	e->next = w->w_khlist;
	w->w_khlist = e;
	return e->kh;
}

/*
 * Records go to the supervisor over a SOCK_SEQPACKET socketpair: one
 * message per record, never split or merged.  The send blocks only if the
 * supervisor stops reading, which is the back-pressure we want.
 */
void
wrk_send(struct wrk *w, const struct wrk_rec *rec)
{
	for (;;) {
		if (send(w->w_h->wh_fd, rec, sizeof(*rec), MSG_NOSIGNAL) ==
		    (ssize_t)sizeof(*rec))
			return;
		if (errno == EINTR)
			continue;
		/* The supervisor is gone: nobody can use our results. */
		log_set_sink(NULL, NULL);
		fatal("send to supervisor");
	}
}

/*
 * Log lines go to the supervisor, the single writer of the log, as
 * records; a line longer than a record is cut.
 */
static void
wrk_log_sink(void *arg, enum log_level lvl, const char *msg)
{
	struct wrk *w = arg;
	struct wrk_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.wr_type = WRK_REC_LOG;
	rec.wr_dev = WRK_NODEV;
	rec.wr_code = (int32_t)lvl;
	snprintf(rec.wr_msg, sizeof(rec.wr_msg), "%s", msg);
	wrk_send(w, &rec);
}

/* An event about a device, with its fields kept apart for JSON logs. */
void
wrk_log_event(struct wrk *w, enum log_level lvl, unsigned dev,
    const char *event, enum naut_err status, int64_t dur_ms,
    const char *fmt, ...)
{
	struct wrk_rec rec;
	va_list ap;

	if ((int)lvl > log_getlevel())
		return;
	memset(&rec, 0, sizeof(rec));
	rec.wr_type = WRK_REC_LOG;
	rec.wr_dev = dev;
	rec.wr_code = (int32_t)lvl;
	rec.wr_err = status;
	rec.wr_dur_ms = dur_ms < 0 ? UINT64_MAX : (uint64_t)dur_ms;
	snprintf(rec.wr_event, sizeof(rec.wr_event), "%s", event);
	va_start(ap, fmt);
	vsnprintf(rec.wr_msg, sizeof(rec.wr_msg), fmt, ap);
	va_end(ap);
	wrk_send(w, &rec);
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wrk *w = arg;

	(void)fd;
	(void)what;
	shm_budget_drain(w->w_h->wh_shm, w->w_h->wh_index);
	if (w->w_tm != NULL)
		wrk_tm_pump(w);
	else
		wrk_run_pump(w);
}

void
wrk_wait_budget(struct wrk *w, int on)
{
	struct timeval tv = { 0, WRK_WAKE_FALLBACK_MS * 1000 };

	if (on && !w->w_waiting) {
		event_add(w->w_wake, NULL);
		evtimer_add(w->w_wake_tmo, &tv);
		w->w_waiting = 1;
	} else if (!on && w->w_waiting) {
		event_del(w->w_wake);
		evtimer_del(w->w_wake_tmo);
		w->w_waiting = 0;
	} else if (on)
		evtimer_add(w->w_wake_tmo, &tv);
}

static void
wake_tmo_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wrk *w = arg;

	(void)fd;
	(void)what;
	w->w_waiting = 0;
	event_del(w->w_wake);
	if (w->w_tm != NULL)
		wrk_tm_pump(w);
	else
		wrk_run_pump(w);
}

void
wrk_idle(struct wrk *w)
{
	event_base_loopexit(w->w_base, NULL);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wrk *w = arg;

	(void)fd;
	(void)what;
	log_warnx("batch deadline passed: cancelling %zu device(s)",
	    w->w_nruns);
	w->w_deadline_hit = 1;
	wrk_run_cancel_all(w, NAUT_ERR_DEADLINE, "batch deadline passed");
	if (w->w_nruns == 0)
		wrk_idle(w);
}

/*
 * First SIGTERM: drain (finish what runs, start nothing); second: cut.
 * SIGUSR1: the supervisor reloaded the fleet; hand back what has not
 * started and finish what has, then exit for the next generation.
 */
static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct wrk *w = arg;

	(void)what;
	/* Daemon mode: any of them (a reload too) ends the polling. */
	if (w->w_tm != NULL) {
		w->w_draining = 1;
		wrk_tm_signal(w);
		return;
	}
	if (sig == SIGUSR1) {
		if (!w->w_draining) {
			log_debug("reload: handing over; %u session(s) in "
			    "flight finish first", w->w_active);
			w->w_draining = 1;
			w->w_handover = 1;
			wrk_run_handover(w);
		}
		if (w->w_nruns == 0)
			wrk_idle(w);
		return;
	}
	/* A shutdown during a hand-over: a drain, not yet a cut. */
	if (w->w_terms++ == 0 && w->w_handover) {
		log_info("signal %d: draining %zu device(s)", (int)sig,
		    w->w_nruns);
		w->w_handover = 0;
	} else if (!w->w_draining) {
		log_info("signal %d: draining %zu device(s)", (int)sig,
		    w->w_nruns);
		w->w_draining = 1;
		wrk_run_drain(w);
	} else {
		log_info("signal %d again: cancelling", (int)sig);
		wrk_run_cancel_all(w, NAUT_ERR_CANCELLED,
		    "cancelled by shutdown");
	}
	if (w->w_nruns == 0)
		wrk_idle(w);
}

static void
heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wrk *w = arg;

	(void)fd;
	(void)what;
	shm_worker_heartbeat(w->w_h->wh_shm, w->w_h->wh_index, clock_mono_ms());
}

static void
libevent_log(int sev, const char *msg)
{
	if (sev >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

void
wrk_main(const struct wrk_heritage *h)
{
	const struct conf *c = h->wh_conf;
	struct event *sigterm, *sigint, *sigusr1, *deadline = NULL, *hb;
	sigset_t usr1;
	struct timeval hbtv = { WRK_HEARTBEAT_MS / 1000, 0 };
	struct wrk w;
	char name[32];
	size_t i, n = 0;

	memset(&w, 0, sizeof(w));
	w.w_magic = WRK_MAGIC;
	w.w_h = h;
	wrk_secrets_trim(h);
	TAILQ_INIT(&w.w_queue);
	TAILQ_INIT(&w.w_runs);
	snprintf(name, sizeof(name), "worker-%u", h->wh_index);
	log_procinit(name);
	log_set_sink(wrk_log_sink, &w);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Retry jitter must differ between workers forked from one parent. */
	w.w_rng = ((uint64_t)getpid() << 32) ^ clock_wall_ms() ^
	    ((uint64_t)h->wh_index * 0x9e3779b97f4a7c15ULL);
	if (libssh2_init(0) != 0)
		fatalx("libssh2_init failed");
	event_set_log_callback(libevent_log);
	if ((w.w_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	w.w_dns = evdns_base_new(w.w_base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (w.w_dns == NULL)
		w.w_dns = evdns_base_new(w.w_base, 0);
	w.w_kh = htab_new(4);
	for (i = 0; i < CONF_TRANSPORT_COUNT && h->wh_job != NULL; i++)
		w.w_outnames[i] = wrk_out_names(h->wh_job, (unsigned)i);
	w.w_parse = wrk_parse_new(h->wh_conf, h->wh_job);
	w.w_ctr = shm_ctr(h->wh_shm, h->wh_index);
	shm_worker_set(h->wh_shm, h->wh_index, getpid(), NAUT_WSTATE_RUNNING);

	w.w_wake = event_new(w.w_base, shm_budget_wakefd(h->wh_shm,
	    h->wh_index), EV_READ | EV_PERSIST, wake_cb, &w);
	w.w_wake_tmo = evtimer_new(w.w_base, wake_tmo_cb, &w);
	sigterm = evsignal_new(w.w_base, SIGTERM, signal_cb, &w);
	sigint = evsignal_new(w.w_base, SIGINT, signal_cb, &w);
	sigusr1 = evsignal_new(w.w_base, SIGUSR1, signal_cb, &w);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evsignal_add(sigusr1, NULL);
	/* Blocked by the supervisor across fork (sup_spawn.c). */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	hb = event_new(w.w_base, -1, EV_PERSIST, heartbeat_cb, &w);
	evtimer_add(hb, &hbtv);
	heartbeat_cb(-1, 0, &w);
	if (h->wh_deadline_ms != 0) {
		uint64_t now = clock_mono_ms(), left;
		struct timeval tv;

		left = h->wh_deadline_ms > now ? h->wh_deadline_ms - now : 0;
		tv.tv_sec = (time_t)(left / 1000);
		tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
		deadline = evtimer_new(w.w_base, deadline_cb, &w);
		evtimer_add(deadline, &tv);
	}

	for (i = 0; i < c->ndevices && !h->wh_telemetry; i++) {
		struct shm_dev d;

		if (!h->wh_selected[i] || h->wh_owner[i] != h->wh_index)
			continue;
		/* A replacement skips what its predecessor finished. */
		if (shm_dev_read(h->wh_shm, (unsigned)i, &d) == 0 &&
		    (d.run == NAUT_RUN_DONE || d.run == NAUT_RUN_FAILED))
			continue;
		wrk_run_new(&w, &c->devices[i]);
		n++;
	}
	log_debug("%zu device(s) to run", n);
	if (h->wh_telemetry) {
		/* Daemon mode: runs until a signal stops it (wrk_tm.c). */
		if (wrk_tm_start(&w) > 0)
			event_base_dispatch(w.w_base);
		wrk_tm_free(&w);
	} else {
		wrk_run_start_all(&w);
		if (w.w_nruns > 0)
			event_base_dispatch(w.w_base);
	}

	shm_budget_unwait(h->wh_shm, h->wh_index);
	shm_worker_set(h->wh_shm, h->wh_index, getpid(),
	    NAUT_WSTATE_STOPPED);
	event_free(sigterm);
	event_free(sigint);
	event_free(sigusr1);
	event_free(hb);
	if (deadline != NULL)
		event_free(deadline);
	event_free(w.w_wake);
	event_free(w.w_wake_tmo);
	while (w.w_khlist != NULL) {
		struct kh_entry *e = w.w_khlist;

		w.w_khlist = e->next;
		kh_free(e->kh);
		free(e->path);
		free(e);
	}
	htab_free(w.w_kh);
	for (i = 0; i < CONF_TRANSPORT_COUNT; i++) {
		const struct wrk_transport *tp = wrk_transport((unsigned)i);
		size_t k;

		if (tp != NULL && tp->wt_shutdown != NULL)
			tp->wt_shutdown(&w);
		for (k = 0; w.w_outnames[i] != NULL &&
		    w.w_outnames[i][k] != NULL; k++)
			free(w.w_outnames[i][k]);
		free(w.w_outnames[i]);
	}
	wrk_parse_free(w.w_parse);
	evdns_base_free(w.w_dns, 0);
	event_base_free(w.w_base);
	libssh2_exit();
	wrk_secrets_wipe(h);
	log_set_sink(NULL, NULL);
	exit(0);
}

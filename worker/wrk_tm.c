/*
 * Telemetry daemon mode in a worker: for every device of its shard, one
 * kept-open session (struct wrk_transport's wt_open/wt_poll) and one task
 * per telemetry entry that selects the device, each on its own fixed ticks
 * (tm_sched.c).  A poll takes a budget token and passes the device's
 * breaker; an idle session holds no token.  A session that breaks is
 * opened again after a backoff (exponential, full jitter, the device's
 * backoff: settings), and the breaker refuses polls while it is open.
 * Values go to the supervisor as WRK_REC_POINT records, one per value, and
 * each poll ends with a WRK_REC_POLL record (duration, status, points).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>

#include "backoff.h"
#include "breaker.h"
#include "ctr.h"
#include "log.h"
#include "shm.h"
#include "tm_parse.h"
#include "tm_sched.h"
#include "wrk_int.h"
#include "xmem.h"

#define TMD_MAGIC	0x746d6421U	/* "tmd!" */

enum tmd_state {
	TMD_DOWN,		/* no session */
	TMD_OPENING,		/* connecting, holding a token */
	TMD_IDLE,		/* session up, no token */
	TMD_POLLING,		/* a poll runs, holding a token */
	TMD_BACKOFF,		/* the session broke; wait, then DOWN */
	TMD_CLOSING		/* orderly close at shutdown */
};

struct tm_dev;

struct tm_task {
	struct tm_dev			*tt_dev;
	const struct conf_telemetry	*tt_tm;
	unsigned			 tt_entry;	/* index in conf */
	struct tm_sched			 tt_sched;
	struct event			*tt_timer;
	int				 tt_pending;	/* in tt_dev's queue */
	int				 tt_running;
	uint64_t			 tt_tick;	/* of the queued poll */
	uint64_t			 tt_wall0;	/* wall ms of ts_t0 */
	TAILQ_ENTRY(tm_task)		 tt_q;
};

struct tm_dev {
	uint32_t			 td_magic;
	struct wrk_tm			*td_tm;
	const struct conf_device	*td_dev;
	unsigned			 td_idx;
	const struct wrk_transport	*td_tp;
	void				*td_sess;
	enum tmd_state			 td_state;
	int				 td_token;
	int				 td_tokq;	/* waiting for a token */
	int				 td_probe;
	unsigned			 td_fails;	/* sessions broken in a row */
	int				 td_reused;	/* td_cur runs on an old session */
	uint64_t			 td_tick_wall;	/* td_cur's tick, wall ms */
	struct tm_task			*td_cur;	/* poll in flight */
	enum naut_err			 td_perr;	/* of td_cur so far */
	char				 td_pmsg[160];
	size_t				 td_npoints;
	uint64_t			 td_t0_us;	/* td_cur's start */
	struct event			*td_retry;
	TAILQ_HEAD(, tm_task)		 td_pend;
	TAILQ_ENTRY(tm_dev)		 td_tq;
};

struct wrk_tm {
	struct wrk			*tm_w;
	struct tm_dev			*tm_devs;
	size_t				 tm_ndevs;
	struct tm_task			*tm_tasks;
	size_t				 tm_ntasks;
	TAILQ_HEAD(, tm_dev)		 tm_tokq;
	size_t				 tm_nsess;	/* td_sess != NULL */
	int				 tm_stopping;	/* 1 drain, 2 cancel */
};

static void	tmd_kick(struct tm_dev *);
static void	tmd_idle_cb(void *);

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct tm_dev *
tmd_check(void *p)
{
	struct tm_dev *d = p;

	if (d == NULL || d->td_magic != TMD_MAGIC)
		fatalx("%s: bad telemetry device pointer", __func__);
	return d;
}

static void
tmd_params(const struct conf_device *d, struct breaker_params *bp)
{
	bp->failure_threshold = d->p.br_fails;
	bp->success_threshold = d->p.br_success;
	bp->open_for_ms = d->p.br_open_for_ms;
}

static void
tmd_release(struct tm_dev *d)
{
	struct wrk *w = d->td_tm->tm_w;

	if (d->td_token) {
		shm_budget_release(w->w_h->wh_shm, w->w_h->wh_index);
		d->td_token = 0;
		w->w_active--;
	}
}

/* One value: labels packed as name\0value\0... into the record's text. */
static void
tmd_emit(void *arg, const struct tm_value *v)
{
	struct tm_dev *d = tmd_check(arg);
	struct wrk *w = d->td_tm->tm_w;
	struct wrk_rec rec;
	size_t i, off = 0, a, b;

	memset(&rec, 0, sizeof(rec));
	rec.wr_type = WRK_REC_POINT;
	rec.wr_dev = d->td_idx;
	rec.wr_cmd = d->td_cur->tt_entry;
	rec.wr_time_ms = clock_wall_ms();
	rec.wr_bytes = d->td_tick_wall;
	rec.wr_value = v->tv_value;
	for (i = 0; i < v->tv_nlabels; i++) {
		a = strlen(v->tv_labels[i].tl_name) + 1;
		b = strlen(v->tv_labels[i].tl_value) + 1;
		/* Keep room for the final empty name. */
		if (off + a + b + 1 > sizeof(rec.wr_msg))
			break;
		memcpy(rec.wr_msg + off, v->tv_labels[i].tl_name, a);
		memcpy(rec.wr_msg + off + a, v->tv_labels[i].tl_value, b);
		off += a + b;
	}
	rec.wr_attempts = (uint32_t)i;
	wrk_send(w, &rec);
	d->td_npoints++;
	CTR_INC(w->w_ctr, tm_points);
}

static void
tmd_output(void *arg, size_t step, const char *out, size_t len, int code)
{
	struct tm_dev *d = tmd_check(arg);
	struct tm_task *t = d->td_cur;

	(void)step;
	(void)code;
	ctr_observe(&d->td_tm->tm_w->w_ctr->output_bytes, len);
	if (t == NULL)
		return;
	if (tm_parse_output(t->tt_tm, d->td_dev->p.transport, out, len,
	    tmd_emit, d, d->td_pmsg, sizeof(d->td_pmsg)) < 0)
		d->td_perr = NAUT_ERR_PARSE;
}

/* The device's record in the segment: last poll result and time. */
static void
tmd_shm(struct tm_dev *d, int run, int result, enum naut_err err,
    uint64_t dur_ms)
{
	struct wrk *w = d->td_tm->tm_w;
	struct shm_dev s;

	shm_dev_read(w->w_h->wh_shm, d->td_idx, &s);
	s.run = (uint32_t)run;
	if (result >= 0) {
		s.attempts++;
		s.last_result = (uint32_t)result;
		s.last_err = err;
		s.last_dur_ms = (uint32_t)dur_ms;
		s.last_code = -1;
		if (result == NAUT_RESULT_OK)
			s.last_ok_ms = clock_wall_ms();
	}
	s.owner = w->w_h->wh_index;
	shm_dev_write(w->w_h->wh_shm, d->td_idx, &s);
}

/* A poll of task t ended (or never started: breaker_open). */
static void
tmd_poll_end(struct tm_dev *d, struct tm_task *t, enum naut_err err,
    const char *msg, uint64_t dur_us)
{
	struct wrk *w = d->td_tm->tm_w;
	struct wrk_rec rec;

	t->tt_running = 0;
	if (d->td_cur == t)
		d->td_cur = NULL;
	if (err == NAUT_ERR_CANCELLED)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.wr_type = WRK_REC_POLL;
	rec.wr_dev = d->td_idx;
	rec.wr_cmd = t->tt_entry;
	rec.wr_err = err;
	rec.wr_attempts = (uint32_t)d->td_npoints;
	rec.wr_code = -1;
	rec.wr_time_ms = clock_wall_ms();
	rec.wr_dur_ms = dur_us / 1000;
	rec.wr_value = (double)dur_us / 1e6;
	if (msg != NULL)
		snprintf(rec.wr_msg, sizeof(rec.wr_msg), "%s", msg);
	wrk_send(w, &rec);
	ctr_observe(&w->w_ctr->tm_poll_ms, dur_us / 1000);
	if (err != NAUT_ERR_OK) {
		CTR_INC(w->w_ctr, tm_polls_failed);
		ctr_error(w->w_ctr, err);
		wrk_log_event(w, LOG_LVL_DEBUG, d->td_idx, "poll_failed", err,
		    (int64_t)(dur_us / 1000), "device %s: telemetry %s: %s",
		    d->td_dev->name, t->tt_tm->name, msg != NULL ? msg : "");
	}
	tmd_shm(d, NAUT_RUN_RUNNING, err == NAUT_ERR_OK ? NAUT_RESULT_OK :
	    NAUT_RESULT_FAILED, err, dur_us / 1000);
	d->td_npoints = 0;
}

/* The breaker learns from every poll that reached the device. */
static void
tmd_breaker(struct tm_dev *d, enum naut_err err)
{
	struct wrk *w = d->td_tm->tm_w;
	struct breaker_params bp;
	struct shm_dev s;
	uint64_t now = clock_mono_ms();

	tmd_params(d->td_dev, &bp);
	shm_dev_read(w->w_h->wh_shm, d->td_dev->brk_dev, &s);
	/* A parse error is the device answering: not its health. */
	if (err == NAUT_ERR_OK || err == NAUT_ERR_PARSE) {
		if (breaker_success(&s.brk, &bp, now)) {
			CTR_INC(w->w_ctr, breaker_closes);
			wrk_log_event(w, LOG_LVL_INFO, d->td_idx,
			    "breaker_closed", err, -1, "device %s: breaker "
			    "closed", d->td_dev->name);
		}
	} else if (err == NAUT_ERR_CANCELLED) {
		if (d->td_probe)
			breaker_abandon(&s.brk);
	} else if (breaker_failure(&s.brk, &bp, now)) {
		CTR_INC(w->w_ctr, breaker_trips);
		wrk_log_event(w, LOG_LVL_INFO, d->td_idx, "breaker_opened", err,
		    -1, "device %s: breaker opened", d->td_dev->name);
	}
	d->td_probe = 0;
	shm_dev_write(w->w_h->wh_shm, d->td_dev->brk_dev, &s);
}

/* Every queued poll of the device ends at once as breaker_open. */
static void
tmd_reject_all(struct tm_dev *d)
{
	struct wrk *w = d->td_tm->tm_w;
	struct tm_task *t;

	while ((t = TAILQ_FIRST(&d->td_pend)) != NULL) {
		TAILQ_REMOVE(&d->td_pend, t, tt_q);
		t->tt_pending = 0;
		CTR_INC(w->w_ctr, breaker_rejections);
		d->td_npoints = 0;
		tmd_poll_end(d, t, NAUT_ERR_BREAKER_OPEN,
		    "circuit breaker is open", 0);
	}
}

static const struct wrk_att_cb tmd_cb;

/* With a token: pass the breaker, then open the session or poll on it. */
static void
tmd_go(struct tm_dev *d)
{
	struct wrk *w = d->td_tm->tm_w;
	struct breaker_params bp;
	struct shm_dev s;
	struct tm_task *t;

	tmd_params(d->td_dev, &bp);
	shm_dev_read(w->w_h->wh_shm, d->td_dev->brk_dev, &s);
	switch (breaker_allow(&s.brk, &bp, clock_mono_ms())) {
	case BREAKER_REJECT:
		tmd_release(d);
		tmd_reject_all(d);
		return;
	case BREAKER_PROBE:
		d->td_probe = 1;
		break;
	default:
		break;
	}
	shm_dev_write(w->w_h->wh_shm, d->td_dev->brk_dev, &s);
	if ((t = TAILQ_FIRST(&d->td_pend)) == NULL) {
		tmd_release(d);
		return;
	}
	TAILQ_REMOVE(&d->td_pend, t, tt_q);
	t->tt_pending = 0;
	t->tt_running = 1;
	d->td_cur = t;
	d->td_perr = NAUT_ERR_OK;
	d->td_pmsg[0] = '\0';
	d->td_npoints = 0;
	d->td_t0_us = mono_us();
	d->td_reused = d->td_sess != NULL;
	/* The tick on the wall clock's grid: the sample's nominal time. */
	d->td_tick_wall = t->tt_wall0 + (t->tt_tick - t->tt_sched.ts_t0);
	CTR_INC(w->w_ctr, tm_polls);
	/* Late counts at the real start: token and session waits included. */
	if ((d->td_t0_us / 1000 - t->tt_tick) * 10 > t->tt_sched.ts_interval)
		CTR_INC(w->w_ctr, tm_polls_late);
	if (d->td_sess == NULL) {
		CTR_INC(w->w_ctr, attempts);
		if (d->td_fails > 0) {
			CTR_INC(w->w_ctr, retries);
			CTR_INC(w->w_ctr, tm_reconnects);
		}
		d->td_state = TMD_OPENING;
		d->td_sess = d->td_tp->wt_open(w, d->td_dev, &tmd_cb, d);
		if (d->td_sess == NULL)
			fatalx("%s: out of memory", __func__);
		d->td_tm->tm_nsess++;
		return;
	}
	d->td_state = TMD_POLLING;
	if (d->td_tp->wt_poll(d->td_sess, t->tt_tm) != 0)
		fatalx("%s: session of %s not idle", __func__, d->td_dev->name);
}

/*
 * Start the queued devices while the global budget gives tokens, else
 * wait for a wake-up (wrk_main.c), as wrk_run_pump() does for batches.
 */
void
wrk_tm_pump(struct wrk *w)
{
	struct wrk_tm *tm = w->w_tm;
	struct shm *seg = w->w_h->wh_shm;
	unsigned me = w->w_h->wh_index;
	struct tm_dev *d;

	if (tm == NULL)
		return;
	while ((d = TAILQ_FIRST(&tm->tm_tokq)) != NULL) {
		if (!shm_budget_try_acquire(seg, me)) {
			CTR_INC(w->w_ctr, budget_waits);
			if (!shm_budget_wait(seg, me)) {
				wrk_wait_budget(w, 1);
				return;
			}
		}
		TAILQ_REMOVE(&tm->tm_tokq, d, td_tq);
		d->td_tokq = 0;
		d->td_token = 1;
		w->w_active++;
		tmd_go(d);
	}
	shm_budget_unwait(seg, me);
	wrk_wait_budget(w, 0);
}

/* Something may start: a queued poll on a device ready for one. */
static void
tmd_kick(struct tm_dev *d)
{
	struct wrk_tm *tm = d->td_tm;

	if (tm->tm_stopping || d->td_tokq || d->td_token ||
	    TAILQ_EMPTY(&d->td_pend))
		return;
	if (d->td_state != TMD_DOWN && d->td_state != TMD_IDLE)
		return;
	TAILQ_INSERT_TAIL(&tm->tm_tokq, d, td_tq);
	d->td_tokq = 1;
	wrk_tm_pump(tm->tm_w);
}

static void
tmd_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tm_dev *d = tmd_check(arg);

	(void)fd;
	(void)what;
	d->td_state = TMD_DOWN;
	tmd_kick(d);
}

static void
tmd_check_done(struct wrk_tm *tm)
{
	if (tm->tm_stopping && tm->tm_nsess == 0)
		wrk_idle(tm->tm_w);
}

/* The session is up, or its poll is over: either way it is idle now. */
static void
tmd_idle_cb(void *arg)
{
	struct tm_dev *d = tmd_check(arg);
	struct tm_task *t = d->td_cur;

	d->td_fails = 0;
	if (d->td_state == TMD_OPENING && t != NULL) {
		if (d->td_tm->tm_stopping) {
			tmd_poll_end(d, t, NAUT_ERR_CANCELLED, NULL, 0);
			t = NULL;
		} else {
			d->td_state = TMD_POLLING;
			if (d->td_tp->wt_poll(d->td_sess, t->tt_tm) != 0)
				fatalx("%s: new session not idle", __func__);
			return;
		}
	}
	d->td_state = TMD_IDLE;
	if (t != NULL) {
		uint64_t dur = mono_us() - d->td_t0_us;

		tmd_breaker(d, d->td_perr);
		tmd_poll_end(d, t, d->td_perr, d->td_perr == NAUT_ERR_OK ?
		    NULL : d->td_pmsg, dur);
	}
	tmd_release(d);
	if (d->td_tm->tm_stopping) {
		d->td_state = TMD_CLOSING;
		d->td_tp->wt_close(d->td_sess);
		return;
	}
	tmd_kick(d);
	wrk_tm_pump(d->td_tm->tm_w);
}

/* The session ended: closed at shutdown, or broken. */
static void
tmd_done_cb(void *arg, enum naut_err err, const char *msg)
{
	struct tm_dev *d = tmd_check(arg);
	struct wrk_tm *tm = d->td_tm;
	struct wrk *w = tm->tm_w;
	struct tm_task *t = d->td_cur;
	const struct conf_props *p = &d->td_dev->p;
	uint64_t ms;
	struct timeval tv;

	d->td_sess = NULL;
	tm->tm_nsess--;
	if (err == NAUT_ERR_OK)
		CTR_INC(w->w_ctr, successes);
	else {
		CTR_INC(w->w_ctr, failures);
		if (err == NAUT_ERR_TIMEOUT)
			CTR_INC(w->w_ctr, timeouts);
	}
	/*
	 * A connection that broke while idle (the device timed it out, as
	 * IOS exec-timeout does) shows only when the next poll uses it: that
	 * poll starts again at once on a new connection, as HTTP clients do
	 * with a stale kept-alive connection, and nothing counts against the
	 * device.  Once: a new connection that breaks is a failure.
	 */
	if (t != NULL && d->td_reused && d->td_npoints == 0 &&
	    !tm->tm_stopping && (err == NAUT_ERR_RESET ||
	    err == NAUT_ERR_PROTOCOL)) {
		tmd_breaker(d, NAUT_ERR_CANCELLED);	/* frees a probe */
		t->tt_running = 0;
		d->td_cur = NULL;
		TAILQ_INSERT_HEAD(&d->td_pend, t, tt_q);
		t->tt_pending = 1;
		tmd_release(d);
		CTR_INC(w->w_ctr, tm_reconnects);
		wrk_log_event(w, LOG_LVL_DEBUG, d->td_idx, "session_stale", err,
		    -1, "device %s: kept-open session: %s; polling again on a "
		    "new one", d->td_dev->name, msg);
		d->td_state = TMD_DOWN;
		tmd_kick(d);
		wrk_tm_pump(w);
		return;
	}
	if (t != NULL) {
		tmd_breaker(d, err);
		tmd_poll_end(d, t, err, msg, mono_us() - d->td_t0_us);
	}
	tmd_release(d);
	if (tm->tm_stopping || err == NAUT_ERR_OK ||
	    err == NAUT_ERR_CANCELLED) {
		d->td_state = TMD_DOWN;
		tmd_check_done(tm);
		wrk_tm_pump(w);
		return;
	}
	/* Broken: open again after a backoff that grows while it fails. */
	ms = backoff_delay(p->backoff_base_ms, p->backoff_max_ms,
	    d->td_fails < 16 ? d->td_fails : 16, backoff_rand(&w->w_rng));
	d->td_fails++;
	wrk_log_event(w, LOG_LVL_DEBUG, d->td_idx, "session_broken", err, -1,
	    "device %s: telemetry session: %s; again in %llu ms",
	    d->td_dev->name, msg, (unsigned long long)ms);
	d->td_state = TMD_BACKOFF;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(d->td_retry, &tv);
	wrk_tm_pump(w);
}

static const struct wrk_att_cb tmd_cb = {
	.ac_output = tmd_output,
	.ac_done = tmd_done_cb,
	.ac_idle = tmd_idle_cb,
};

static void
tmt_arm(struct tm_task *t)
{
	uint64_t now = clock_mono_ms(), at = tm_sched_next(&t->tt_sched);
	uint64_t ms = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(t->tt_timer, &tv);
}

static void
tmt_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tm_task *t = arg;
	struct tm_dev *d = t->tt_dev;
	struct wrk *w = d->td_tm->tm_w;
	uint64_t tick, missed;
	int late;	/* counted when the poll really starts (tmd_go) */

	(void)fd;
	(void)what;
	if (d->td_tm->tm_stopping)
		return;
	switch (tm_sched_fire(&t->tt_sched, clock_mono_ms(),
	    t->tt_pending || t->tt_running, &tick, &missed, &late)) {
	case TM_FIRE_EARLY:
		break;
	case TM_FIRE_SKIP:
		CTR_ADD(w->w_ctr, tm_polls_skipped, missed + 1);
		break;
	case TM_FIRE_POLL:
		CTR_ADD(w->w_ctr, tm_polls_skipped, missed);
		t->tt_tick = tick;
		TAILQ_INSERT_TAIL(&d->td_pend, t, tt_q);
		t->tt_pending = 1;
		tmd_kick(d);
		break;
	}
	tmt_arm(t);
}

/* Does entry t fetch anything over this device's transport? */
static int
tm_fits(const struct conf_telemetry *t, const struct conf_device *d)
{
	switch (d->p.transport) {
	case CONF_TRANSPORT_SSH:
		return t->ssh != NULL;
	case CONF_TRANSPORT_REST:
		return t->rest != NULL;
	case CONF_TRANSPORT_NETCONF:
		return t->netconf != NULL;
	default:
		return 0;
	}
}

size_t
wrk_tm_start(struct wrk *w)
{
	const struct wrk_heritage *h = w->w_h;
	const struct conf *c = h->wh_conf;
	struct wrk_tm *tm = xcalloc(1, sizeof(*tm));
	uint64_t mono = clock_mono_ms(), wall = clock_wall_ms();
	size_t i, j, nd = 0, nt = 0, nokp = 0;

	tm->tm_w = w;
	TAILQ_INIT(&tm->tm_tokq);
	w->w_tm = tm;
	/* Sized for the worst case: every device with every entry. */
	for (i = 0; i < c->ndevices; i++)
		if (h->wh_selected[i] && h->wh_owner[i] == h->wh_index)
			nd++;
	tm->tm_devs = xcalloc(nd + 1, sizeof(*tm->tm_devs));
	tm->tm_tasks = xcalloc(nd * c->ntelemetry + 1, sizeof(*tm->tm_tasks));
	for (i = 0; i < c->ndevices; i++) {
		const struct conf_device *cd = &c->devices[i];
		struct tm_dev *d;
		size_t first = nt;

		if (!h->wh_selected[i] || h->wh_owner[i] != h->wh_index)
			continue;
		d = &tm->tm_devs[tm->tm_ndevs];
		d->td_magic = TMD_MAGIC;
		d->td_tm = tm;
		d->td_dev = cd;
		d->td_idx = cd->index;
		d->td_tp = wrk_transport(cd->p.transport);
		TAILQ_INIT(&d->td_pend);
		if (d->td_tp == NULL || d->td_tp->wt_open == NULL) {
			/* Every transport has kept-open sessions today. */
			nokp++;
			continue;
		}
		for (j = 0; j < c->ntelemetry; j++) {
			const struct conf_telemetry *ct = &c->telemetry[j];
			struct tm_task *t = &tm->tm_tasks[nt];
			uint64_t iv = ct->interval_ms;

			if (!conf_select_match(&ct->select, cd) ||
			    !tm_fits(ct, cd))
				continue;
			t->tt_dev = d;
			t->tt_tm = ct;
			t->tt_entry = (unsigned)j;
			/*
			 * Ticks sit on wall-clock multiples of the interval
			 * plus the phase, so a replacement worker (or another
			 * host) keeps the same rhythm.
			 */
			t->tt_wall0 = wall - wall % iv;
			tm_sched_init(&t->tt_sched, mono - wall % iv, iv,
			    tm_sched_phase(cd->name, ct->name, iv));
			if (tm_sched_next(&t->tt_sched) < mono)
				t->tt_sched.ts_k = 1;
			t->tt_timer = evtimer_new(w->w_base, tmt_timer_cb, t);
			nt++;
		}
		if (nt == first)
			continue;
		d->td_retry = evtimer_new(w->w_base, tmd_retry_cb, d);
		tmd_shm(d, NAUT_RUN_PENDING, -1, NAUT_ERR_OK, 0);
		tm->tm_ndevs++;
	}
	tm->tm_ntasks = nt;
	if (nokp > 0)
		log_warnx("%zu device(s) use a transport without telemetry "
		    "support in this build; not polled", nokp);
	for (i = 0; i < nt; i++)
		tmt_arm(&tm->tm_tasks[i]);
	ctr_gauge_add(&w->w_ctr->tm_tasks, (int64_t)nt);
	log_debug("telemetry: %zu device(s), %zu task(s)", tm->tm_ndevs, nt);
	return nt;
}

/*
 * First signal: no new polls; polls in flight finish, then every session
 * is closed in order.  Second: cancel what still runs.
 */
void
wrk_tm_signal(struct wrk *w)
{
	struct wrk_tm *tm = w->w_tm;
	struct tm_task *t;
	struct tm_dev *d;
	size_t i;

	tm->tm_stopping++;
	if (tm->tm_stopping == 1) {
		log_info("signal: stopping %zu telemetry task(s), closing %zu "
		    "session(s)", tm->tm_ntasks, tm->tm_nsess);
		for (i = 0; i < tm->tm_ntasks; i++)
			evtimer_del(tm->tm_tasks[i].tt_timer);
		while ((d = TAILQ_FIRST(&tm->tm_tokq)) != NULL) {
			TAILQ_REMOVE(&tm->tm_tokq, d, td_tq);
			d->td_tokq = 0;
		}
		for (i = 0; i < tm->tm_ndevs; i++) {
			d = &tm->tm_devs[i];
			while ((t = TAILQ_FIRST(&d->td_pend)) != NULL) {
				TAILQ_REMOVE(&d->td_pend, t, tt_q);
				t->tt_pending = 0;
			}
			if (d->td_retry != NULL)
				evtimer_del(d->td_retry);
			if (d->td_state == TMD_IDLE) {
				d->td_state = TMD_CLOSING;
				d->td_tp->wt_close(d->td_sess);
			}
		}
		shm_budget_unwait(w->w_h->wh_shm, w->w_h->wh_index);
		wrk_wait_budget(w, 0);
	} else {
		log_info("signal again: cancelling %zu session(s)",
		    tm->tm_nsess);
		for (i = 0; i < tm->tm_ndevs; i++) {
			d = &tm->tm_devs[i];
			if (d->td_sess != NULL)
				d->td_tp->wt_cancel(d->td_sess,
				    NAUT_ERR_CANCELLED, "cancelled by "
				    "shutdown");
		}
	}
	tmd_check_done(tm);
}

void
wrk_tm_free(struct wrk *w)
{
	struct wrk_tm *tm = w->w_tm;
	size_t i;

	if (tm == NULL)
		return;
	for (i = 0; i < tm->tm_ndevs; i++) {
		struct tm_dev *d = &tm->tm_devs[i];

		if (d->td_sess != NULL)
			d->td_tp->wt_cancel(d->td_sess, NAUT_ERR_CANCELLED,
			    "worker exiting");
		if (d->td_retry != NULL)
			event_free(d->td_retry);
		tmd_release(d);
	}
	for (i = 0; i < tm->tm_ntasks; i++)
		event_free(tm->tm_tasks[i].tt_timer);
	ctr_gauge_add(&w->w_ctr->tm_tasks, -(int64_t)tm->tm_ntasks);
	free(tm->tm_tasks);
	free(tm->tm_devs);
	free(tm);
	w->w_tm = NULL;
}

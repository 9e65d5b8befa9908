/*
 * One device's run through a batch: breaker check, budget token, attempts
 * with exponential backoff and full jitter, results per command, and the
 * device record in the segment.  Transports only differ in how an attempt
 * talks to the device (struct wrk_transport); everything here is shared.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "backoff.h"
#include "breaker.h"
#include "ctr.h"
#include "log.h"
#include "scrub.h"
#include "shm.h"
#include "wrk_int.h"
#include "xmem.h"

#define RUN_MAGIC	0x72756e21U	/* "run!" */

struct wrk_run {
	uint32_t		 magic;
	struct wrk		*w;
	const struct conf_device *dev;
	unsigned		 idx;
	size_t			 next_cmd;	/* first command not saved yet */
	unsigned		 attempts;
	int			 probe;		/* this attempt is the probe */
	int			 has_token;
	const struct wrk_transport *tp;
	void			*att;		/* the transport's attempt */
	struct event		*retry;
	uint64_t		 t_attempt;
	TAILQ_ENTRY(wrk_run)	 q;		/* waiting for a token */
	TAILQ_ENTRY(wrk_run)	 all;
	int			 queued;
	int			 save_failed;	/* an output could not be saved */
	int			 fail_code;	/* failed step's status or -1 */
	uint64_t		 retry_after_ms; /* server's hint, 0 none */
};

static void	run_attempt(struct wrk_run *);
static void	run_release(struct wrk_run *);

static struct wrk_run *
run_check(void *p)
{
	struct wrk_run *r = p;

	if (r == NULL || r->magic != RUN_MAGIC)
		fatalx("%s: bad run pointer", __func__);
	return r;
}

static void
run_params(const struct conf_device *d, struct breaker_params *bp)
{
	bp->failure_threshold = d->p.br_fails;
	bp->success_threshold = d->p.br_success;
	bp->open_for_ms = d->p.br_open_for_ms;
}

static void
run_record_rows(struct wrk_run *r, uint32_t type, size_t cmd,
    enum naut_err err, int code, uint64_t bytes, const char *msg,
    int64_t rows)
{
	struct wrk_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.wr_type = type;
	rec.wr_dev = r->idx;
	rec.wr_cmd = (uint32_t)cmd;
	rec.wr_err = err;
	rec.wr_attempts = r->attempts;
	rec.wr_code = code;
	rec.wr_time_ms = clock_wall_ms();
	rec.wr_dur_ms = r->t_attempt ? clock_mono_ms() - r->t_attempt : 0;
	rec.wr_bytes = bytes;
	rec.wr_parsed = rows >= 0;
	rec.wr_rows = rows >= 0 ? (uint64_t)rows : 0;
	if (msg != NULL)
		snprintf(rec.wr_msg, sizeof(rec.wr_msg), "%s", msg);
	wrk_send(r->w, &rec);
}

/* A record without parsed rows. */
static void
run_record(struct wrk_run *r, uint32_t type, size_t cmd, enum naut_err err,
    int code, uint64_t bytes, const char *msg)
{
	run_record_rows(r, type, cmd, err, code, bytes, msg, -1);
}

/* Update this device's record in the segment; only its owner writes it. */
static void
run_shm(struct wrk_run *r, int run, int result, enum naut_err err,
    uint64_t dur, int attempt_started)
{
	struct shm *seg = r->w->w_h->wh_shm;
	struct shm_dev d;

	shm_dev_read(seg, r->idx, &d);
	if (run >= 0)
		d.run = (uint32_t)run;
	if (attempt_started)
		d.attempts = r->attempts;
	if (result >= 0) {
		d.last_result = (uint32_t)result;
		d.last_err = err;
		d.last_dur_ms = (uint32_t)dur;
		if (result == NAUT_RESULT_OK)
			d.last_ok_ms = clock_wall_ms();
	}
	d.owner = r->w->w_h->wh_index;
	shm_dev_write(seg, r->idx, &d);
}

static void
run_free(struct wrk_run *r)
{
	if (r->queued) {
		TAILQ_REMOVE(&r->w->w_queue, r, q);
		r->w->w_queued--;
	}
	TAILQ_REMOVE(&r->w->w_runs, r, all);
	r->w->w_nruns--;
	event_free(r->retry);
	r->magic = 0;
	free(r);
}

/* The device is finished: records for what never ran, the final state. */
static void
run_end(struct wrk_run *r, enum naut_err err, const char *msg)
{
	const struct conf_job *j = r->w->w_h->wh_job;
	struct wrk *w = r->w;
	size_t i;

	/* Each command gets exactly one record: those never saved, now. */
	for (i = r->next_cmd; i < conf_job_nsteps(j, r->dev->p.transport); i++)
		run_record(r, WRK_REC_RESULT, i, err, i == r->next_cmd ?
		    r->fail_code : -1, 0, msg);
	/*
	 * Records first, then the segment: if we die in between, the
	 * replacement redoes the device and the supervisor drops the
	 * duplicates; the other order could lose the device's records.
	 */
	run_record(r, WRK_REC_DEVICE, 0, err, -1, 0, msg);
	run_shm(r, err == NAUT_ERR_OK ? NAUT_RUN_DONE : NAUT_RUN_FAILED,
	    err == NAUT_ERR_OK ? NAUT_RESULT_OK : (err == NAUT_ERR_CANCELLED ?
	    NAUT_RESULT_CANCELLED : NAUT_RESULT_FAILED), err,
	    r->t_attempt ? clock_mono_ms() - r->t_attempt : 0, 0);
	run_free(r);
	wrk_run_pump(w);
}

/*
 * Reload: the device goes back to the supervisor without a record; the
 * next generation runs it (its steps already saved are not written twice:
 * the supervisor keeps one record per device and step).
 */
static void
run_forget(struct wrk_run *r)
{
	run_release(r);
	run_shm(r, NAUT_RUN_PENDING, -1, NAUT_ERR_OK, 0, 0);
	run_free(r);
}

/* HTTP: 5xx and 429 Too Many Requests may succeed later, other 4xx not. */
static int
retryable(enum naut_err e, int code)
{
	return e == NAUT_ERR_TIMEOUT || e == NAUT_ERR_REFUSED ||
	    e == NAUT_ERR_RESET || e == NAUT_ERR_HTTP_5XX ||
	    (e == NAUT_ERR_HTTP_4XX && code == 429);
}

/*
 * Outputs are scrubbed unless the job says scrub: false.  The patterns
 * match only configuration statements carrying secrets, so scrubbing
 * everything costs little and catches "show run" as well as
 * "show running-config".
 */
static int
scrub_wanted(const struct conf_job *j)
{
	return j->scrub != 0;
}

/*
 * parse: the saved text's rows as <step>.json beside it, written the same
 * atomic way; the step's record counts them.  0 when this recorded the
 * step, 1 when there was nothing to parse it with.
 */
static int
run_parse(struct wrk_run *r, size_t cmd, const char *data, size_t dlen,
    int code, uint64_t len)
{
	const char *txt = r->w->w_outnames[CONF_TRANSPORT_SSH][cmd];
	const char *msg = NULL;
	struct wrk_parsed pr;
	char name[192], err[256];
	size_t n = strlen(txt);
	int rc;

	rc = wrk_parse_run(r->w->w_parse, r->dev, r->w->w_h->wh_job->
	    commands[cmd], data, dlen, &pr);
	if (rc > 0) {
		wrk_log_event(r->w, LOG_LVL_WARN, r->idx, "parse_skipped",
		    NAUT_ERR_OK, -1, "device %s: %s", r->dev->name, pr.err);
		return 1;
	}
	if (rc < 0) {
		wrk_log_event(r->w, LOG_LVL_WARN, r->idx, "parse_failed",
		    NAUT_ERR_PARSE, -1, "device %s: %s", r->dev->name, pr.err);
		run_record_rows(r, WRK_REC_RESULT, cmd, NAUT_ERR_PARSE, code,
		    len, pr.err, -1);
		return 0;
	}
	if (n > 4 && strcmp(txt + n - 4, ".txt") == 0)
		n -= 4;
	snprintf(name, sizeof(name), "%.*s.json", (int)n, txt);
	if (wrk_out_write(r->w->w_h->wh_outdir, r->dev->name, name, pr.json,
	    pr.jsonlen, err, sizeof(err)) != 0) {
		wrk_log_event(r->w, LOG_LVL_WARN, r->idx, "save_failed",
		    NAUT_ERR_INTERNAL, -1, "device %s: %s", r->dev->name, err);
		run_record_rows(r, WRK_REC_RESULT, cmd, NAUT_ERR_INTERNAL, code,
		    len, err, -1);
		r->save_failed = 1;
	} else {
		/* Required Values and no row: the template did not fit. */
		if (pr.rows == 0 && pr.required) {
			msg = "parsed no rows, and the template has Required "
			    "values: does it fit this output?";
			wrk_log_event(r->w, LOG_LVL_WARN, r->idx, "parse_empty",
			    NAUT_ERR_OK, -1, "device %s: step %zu %s",
			    r->dev->name, cmd + 1, msg);
		}
		run_record_rows(r, WRK_REC_RESULT, cmd, NAUT_ERR_OK, code, len,
		    msg, (int64_t)pr.rows);
	}
	free(pr.json);
	return 0;
}

static void
run_output(void *arg, size_t cmd, const char *out, size_t len, int code)
{
	struct wrk_run *r = run_check(arg);
	const struct conf_job *j = r->w->w_h->wh_job;
	const struct conf_platform *pl = r->dev->platform;
	char err[256], *clean = NULL;
	size_t clen = len;
	const char *data = out;

	if (pl != NULL && pl->nscrub > 0 && scrub_wanted(j)) {
		scrub_text(pl->scrub_re, pl->nscrub, out, len, &clean, &clen);
		data = clean;
	}
	ctr_observe(&r->w->w_ctr->output_bytes, len);
	if (wrk_out_write(r->w->w_h->wh_outdir, r->dev->name,
	    r->w->w_outnames[r->dev->p.transport][cmd], data, clen, err,
	    sizeof(err)) != 0) {
		wrk_log_event(r->w, LOG_LVL_WARN, r->idx, "save_failed",
		    NAUT_ERR_INTERNAL, -1, "device %s: %s", r->dev->name, err);
		run_record(r, WRK_REC_RESULT, cmd, NAUT_ERR_INTERNAL, code, len,
		    err);
		r->save_failed = 1;
	} else if (r->w->w_parse == NULL || r->dev->p.transport !=
	    CONF_TRANSPORT_SSH || run_parse(r, cmd, data, clen, code, len) != 0)
		run_record(r, WRK_REC_RESULT, cmd, NAUT_ERR_OK, code, len,
		    NULL);
	free(clean);
	if (cmd + 1 > r->next_cmd)
		r->next_cmd = cmd + 1;
}

static void
run_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct wrk_run *r = run_check(arg);

	(void)fd;
	(void)what;
	wrk_run_enqueue(r);
}

static void
run_release(struct wrk_run *r)
{
	if (r->has_token) {
		shm_budget_release(r->w->w_h->wh_shm, r->w->w_h->wh_index);
		r->has_token = 0;
		r->w->w_active--;
	}
}

static void
run_done(void *arg, enum naut_err err, const char *msg)
{
	struct wrk_run *r = run_check(arg);
	struct wrk *w = r->w;
	const struct conf_props *p = &r->dev->p;
	struct breaker_params bp;
	struct shm_dev d;
	uint64_t now = clock_mono_ms(), dur = now - r->t_attempt;

	r->att = NULL;
	run_release(r);
	ctr_observe(&w->w_ctr->session_duration_ms, dur);
	CTR_ADD(w->w_ctr, duration_ms, dur);
	if (err == NAUT_ERR_OK)
		CTR_INC(w->w_ctr, successes);
	else {
		CTR_INC(w->w_ctr, failures);
		ctr_error(w->w_ctr, err);
		if (err == NAUT_ERR_TIMEOUT || err == NAUT_ERR_DEADLINE)
			CTR_INC(w->w_ctr, timeouts);
	}

	/* The breaker learns from attempts that reached the device. */
	run_params(r->dev, &bp);
	shm_dev_read(w->w_h->wh_shm, r->dev->brk_dev, &d);
	if (err == NAUT_ERR_OK) {
		if (breaker_success(&d.brk, &bp, now)) {
			CTR_INC(w->w_ctr, breaker_closes);
			wrk_log_event(w, LOG_LVL_INFO, r->idx, "breaker_closed",
			    err, -1, "device %s: breaker closed", r->dev->name);
		}
	} else if (err == NAUT_ERR_CANCELLED || err == NAUT_ERR_DEADLINE) {
		if (r->probe)
			breaker_abandon(&d.brk);
	} else if (breaker_failure(&d.brk, &bp, now)) {
		CTR_INC(w->w_ctr, breaker_trips);
		wrk_log_event(w, LOG_LVL_INFO, r->idx, "breaker_opened", err,
		    -1, "device %s: breaker%s%s opened", r->dev->name,
		    r->dev->p.breaker_key ? " " : "", r->dev->p.breaker_key ?
		    r->dev->p.breaker_key : "");
	}
	r->probe = 0;
	shm_dev_write(w->w_h->wh_shm, r->dev->brk_dev, &d);

	if (err == NAUT_ERR_OK) {
		/* Collected but not saved is not a success. */
		run_end(r, r->save_failed ? NAUT_ERR_INTERNAL : err,
		    r->save_failed ? "an output could not be saved" : NULL);
		return;
	}
	run_shm(r, -1, NAUT_RESULT_FAILED, err, dur, 0);
	if (retryable(err, r->fail_code) && w->w_handover &&
	    r->attempts <= p->retries && d.brk.state == NAUT_BRK_CLOSED) {
		/* It would retry: the next generation does, from scratch. */
		run_forget(r);
		wrk_run_pump(w);
		return;
	}
	if (retryable(err, r->fail_code) && r->attempts <= p->retries &&
	    !w->w_draining && !w->w_deadline_hit &&
	    d.brk.state == NAUT_BRK_CLOSED) {
		uint64_t ms = backoff_delay(p->backoff_base_ms,
		    p->backoff_max_ms, r->attempts - 1, backoff_rand(&w->w_rng));
		struct timeval tv;

		/* A server that says when to come back is believed. */
		if (r->retry_after_ms > ms)
			ms = r->retry_after_ms;
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
		r->fail_code = -1;

		wrk_log_event(w, LOG_LVL_DEBUG, r->idx, "retry", err,
		    (int64_t)dur, "device %s: %s; retry %u in %llu ms",
		    r->dev->name, msg, r->attempts, (unsigned long long)ms);
		run_shm(r, NAUT_RUN_BACKOFF, -1, err, 0, 0);
		evtimer_add(r->retry, &tv);
		/* Its session slot is free for a queued run. */
		wrk_run_pump(w);
		return;
	}
	wrk_log_event(w, LOG_LVL_INFO, r->idx, "device_failed", err,
	    (int64_t)dur, "device %s: %s: %s (after %u attempt%s)",
	    r->dev->name, naut_err_name(err), msg, r->attempts,
	    r->attempts == 1 ? "" : "s");
	run_end(r, err, msg);
}

static void
run_status(void *arg, int code, uint64_t retry_after_ms)
{
	struct wrk_run *r = run_check(arg);

	r->fail_code = code;
	r->retry_after_ms = retry_after_ms;
}

static const struct wrk_att_cb run_att_cb = {
	.ac_output = run_output,
	.ac_done = run_done,
	.ac_status = run_status,
};

/* With a token in hand: pass the breaker, then start an attempt. */
static void
run_attempt(struct wrk_run *r)
{
	struct wrk *w = r->w;
	struct breaker_params bp;
	struct shm_dev d;
	uint64_t now = clock_mono_ms();

	r->fail_code = -1;
	r->retry_after_ms = 0;
	if (r->tp == NULL) {
		run_release(r);
		run_end(r, NAUT_ERR_INTERNAL, "this build has no transport "
		    "for this device");
		return;
	}
	run_params(r->dev, &bp);
	shm_dev_read(w->w_h->wh_shm, r->dev->brk_dev, &d);
	switch (breaker_allow(&d.brk, &bp, now)) {
	case BREAKER_REJECT:
		run_release(r);
		CTR_INC(w->w_ctr, breaker_rejections);
		ctr_error(w->w_ctr, NAUT_ERR_BREAKER_OPEN);
		run_end(r, NAUT_ERR_BREAKER_OPEN, "circuit breaker is open");
		return;
	case BREAKER_PROBE:
		r->probe = 1;
		break;
	default:
		break;
	}
	shm_dev_write(w->w_h->wh_shm, r->dev->brk_dev, &d);
	r->attempts++;
	r->t_attempt = now;
	CTR_INC(w->w_ctr, attempts);
	if (r->attempts > 1)
		CTR_INC(w->w_ctr, retries);
	run_shm(r, NAUT_RUN_RUNNING, -1, NAUT_ERR_OK, 0, 1);
	r->att = r->tp->wt_start(w, r->dev, w->w_h->wh_job, r->next_cmd,
	    &run_att_cb, r);
}

void
wrk_run_enqueue(struct wrk_run *r)
{
	if (r->w->w_deadline_hit) {
		run_end(r, NAUT_ERR_DEADLINE, "batch deadline passed");
		return;
	}
	if (r->w->w_draining) {
		run_end(r, NAUT_ERR_CANCELLED, "cancelled by shutdown");
		return;
	}
	TAILQ_INSERT_TAIL(&r->w->w_queue, r, q);
	r->queued = 1;
	r->w->w_queued++;
	wrk_run_pump(r->w);
}

struct wrk_run *
wrk_run_new(struct wrk *w, const struct conf_device *d)
{
	struct wrk_run *r = xcalloc(1, sizeof(*r));

	r->magic = RUN_MAGIC;
	r->w = w;
	r->dev = d;
	r->idx = d->index;
	r->fail_code = -1;
	r->tp = wrk_transport(d->p.transport);
	r->retry = evtimer_new(w->w_base, run_retry_cb, r);
	TAILQ_INSERT_TAIL(&w->w_runs, r, all);
	w->w_nruns++;
	return r;
}

/* Enqueue every run once all exist: enqueueing may start attempts. */
void
wrk_run_start_all(struct wrk *w)
{
	struct wrk_run *r, *next;

	for (r = TAILQ_FIRST(&w->w_runs); r != NULL; r = next) {
		next = TAILQ_NEXT(r, all);
		wrk_run_enqueue(r);
	}
}

/*
 * Start queued runs while the global budget gives tokens.  When it does
 * not, register as a waiter: a release elsewhere writes our wake fd
 * (wrk_main.c watches it) and a fallback timer covers lost wakes.
 */
void
wrk_run_pump(struct wrk *w)
{
	struct shm *seg = w->w_h->wh_shm;
	unsigned me = w->w_h->wh_index;
	struct wrk_run *r;

	/* Draining or past the deadline: nothing new starts. */
	if (w->w_draining || w->w_deadline_hit) {
		if (w->w_nruns == 0)
			wrk_idle(w);
		return;
	}
	while ((r = TAILQ_FIRST(&w->w_queue)) != NULL) {
		/*
		 * Our own cap (open files): the queue waits for one of our
		 * sessions to end, which pumps again; no budget wait.
		 */
		if (w->w_h->wh_max_sessions != 0 &&
		    w->w_active >= w->w_h->wh_max_sessions) {
			shm_budget_unwait(seg, me);
			wrk_wait_budget(w, 0);
			return;
		}
		if (!shm_budget_try_acquire(seg, me)) {
			CTR_INC(w->w_ctr, budget_waits);
			if (!shm_budget_wait(seg, me)) {
				wrk_wait_budget(w, 1);
				return;
			}
		}
		TAILQ_REMOVE(&w->w_queue, r, q);
		r->queued = 0;
		w->w_queued--;
		r->has_token = 1;
		w->w_active++;
		run_attempt(r);
	}
	shm_budget_unwait(seg, me);
	wrk_wait_budget(w, 0);
	if (w->w_nruns == 0)
		wrk_idle(w);
}

/* Deadline or second signal: end everything now, in flight included. */
void
wrk_run_cancel_all(struct wrk *w, enum naut_err why, const char *msg)
{
	struct wrk_run *r, *next;

	for (r = TAILQ_FIRST(&w->w_runs); r != NULL; r = next) {
		next = TAILQ_NEXT(r, all);
		if (r->att != NULL)
			continue;
		evtimer_del(r->retry);
		run_end(r, why, msg);
	}
	/* Attempts end through run_done, which may free other runs. */
	while ((r = TAILQ_FIRST(&w->w_runs)) != NULL) {
		for (; r != NULL; r = TAILQ_NEXT(r, all))
			if (r->att != NULL)
				break;
		if (r == NULL)
			break;
		r->tp->wt_cancel(r->att, why, msg);
	}
}

/*
 * Runs not in flight (queued or backing off) end: as cancelled on a drain,
 * handed back without a record on a reload.  Attempts in flight go on.
 */
static void
run_end_idle(struct wrk *w, int handover)
{
	struct wrk_run *r, *next;

	for (r = TAILQ_FIRST(&w->w_runs); r != NULL; r = next) {
		next = TAILQ_NEXT(r, all);
		if (r->att != NULL)
			continue;
		evtimer_del(r->retry);
		/* Frees r only: draining, the pump starts and frees nothing. */
		if (handover)
			run_forget(r);
		else
			run_end(r, NAUT_ERR_CANCELLED, "cancelled by shutdown");
	}
}

void
wrk_run_drain(struct wrk *w)
{
	run_end_idle(w, 0);
}

void
wrk_run_handover(struct wrk *w)
{
	run_end_idle(w, 1);
}

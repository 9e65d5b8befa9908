/*
 * A batch from start to exit code: choose the job and the devices, create
 * the segment and the output directory, fork the workers, wait in the
 * event loop for their records and exits, react to signals and the global
 * deadline, then write what is left, the summary, and remove the segment.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "shard.h"
#include "shm.h"
#include "sup.h"
#include "xmem.h"

/* Workers get this long past the deadline before they are killed. */
#define SUP_DEADLINE_GRACE_MS	10000

static const struct conf_job *
sup_pick_job(struct sup *s)
{
	const struct conf *c = s->s_conf;
	size_t i;

	if (s->s_opts->so_job != NULL) {
		for (i = 0; i < c->njobs; i++)
			if (strcmp(c->jobs[i].name, s->s_opts->so_job) == 0)
				return &c->jobs[i];
		log_warnx("%s: no job named \"%s\"", c->file,
		    s->s_opts->so_job);
		return NULL;
	}
	if (c->njobs == 1)
		return &c->jobs[0];
	if (c->njobs == 0)
		log_warnx("%s: no jobs: to run", c->file);
	else
		log_warnx("%s: %zu jobs; choose one with --job NAME", c->file,
		    c->njobs);
	return NULL;
}

static int
sup_mkdirs(const char *path)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0750) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static void
sup_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct sup *s = arg;
	struct timeval tv;
	uint64_t ms = s->s_conf->sup.drain_timeout_ms;

	(void)what;
	if (sig == SIGCHLD) {
		sup_reap(s);
		return;
	}
	if (sig == SIGHUP) {
		sup_reload(s);
		return;
	}
	s->s_stopping++;
	if (s->s_stopping == 1) {
		log_info("signal %d: draining; in-flight sessions get %llu ms",
		    (int)sig, (unsigned long long)ms);
		sup_signal_workers(s, SIGTERM);
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
		evtimer_add(s->s_drain, &tv);
	} else if (s->s_stopping == 2) {
		log_info("signal %d again: cancelling in-flight sessions",
		    (int)sig);
		sup_signal_workers(s, SIGTERM);
	} else
		sup_signal_workers(s, SIGKILL);
}

/* Drain time is over (or the deadline's grace): cancel, then kill. */
static void
sup_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *s = arg;
	struct timeval tv = { SUP_DEADLINE_GRACE_MS / 1000, 0 };

	(void)fd;
	(void)what;
	if (s->s_stopping < 2) {
		s->s_stopping = 2;
		log_info("drain timeout: cancelling in-flight sessions");
		sup_signal_workers(s, SIGTERM);
		evtimer_add(s->s_drain, &tv);
	} else {
		log_warnx("workers did not stop; killing them");
		sup_signal_workers(s, SIGKILL);
	}
}

static void
sup_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup *s = arg;

	(void)fd;
	(void)what;
	/* Workers cancel at the deadline themselves; this is the backstop. */
	log_warnx("workers still running %d s past the deadline; killing "
	    "them", SUP_DEADLINE_GRACE_MS / 1000);
	s->s_deadline_hit = 1;
	sup_signal_workers(s, SIGKILL);
}

/* Devices no worker finished (a worker that gave up): say so, once each. */
static void
sup_unfinished(struct sup *s)
{
	const struct conf *c = s->s_conf;
	struct wrk_rec r;
	size_t i, k;

	for (i = 0; i < c->ndevices; i++) {
		if (!s->s_selected[i] || s->s_dev[i].sd_done)
			continue;
		memset(&r, 0, sizeof(r));
		r.wr_dev = (uint32_t)i;
		r.wr_code = -1;
		r.wr_err = s->s_deadline_hit ? NAUT_ERR_DEADLINE :
		    s->s_stopping ? NAUT_ERR_CANCELLED : NAUT_ERR_INTERNAL;
		r.wr_time_ms = clock_wall_ms();
		snprintf(r.wr_msg, sizeof(r.wr_msg), "%s", s->s_deadline_hit ?
		    "batch deadline passed" : s->s_stopping ?
		    "cancelled by shutdown" : "its worker failed repeatedly");
		r.wr_type = WRK_REC_RESULT;
		for (k = 0; k < conf_job_nsteps(s->s_job,
		    c->devices[i].p.transport); k++) {
			r.wr_cmd = (uint32_t)k;
			sup_results_handle(s, &r);
		}
		r.wr_type = WRK_REC_DEVICE;
		sup_results_handle(s, &r);
	}
}

/*
 * The devices of this batch (job selection, --shard) and their workers.
 * Devices sharing a breaker key go to one worker: a breaker has a single
 * writer, like every record in the segment.
 */
void
sup_select(struct sup *s)
{
	const struct conf *c = s->s_conf;
	const struct sup_opts *o = s->s_opts;
	unsigned nw;
	size_t i;

	s->s_selected = xcalloc(c->ndevices + 1, 1);
	s->s_owner = xcalloc(c->ndevices + 1, sizeof(*s->s_owner));
	s->s_nselected = 0;
	for (i = 0; i < c->ndevices; i++) {
		const struct conf_device *d = &c->devices[i];

		if (s->s_tm != NULL ? !sup_tm_selects(s, d) :
		    !conf_select_match(&s->s_job->select, d))
			continue;
		if (o->so_shard_n > 0 && shard_pick(d->name, o->so_shard_n,
		    SHARD_SEED_HOST) != o->so_shard_k)
			continue;
		s->s_selected[i] = 1;
		s->s_nselected++;
	}
	nw = c->sup.workers;
	if (nw > s->s_nselected)
		nw = s->s_nselected > 0 ? (unsigned)s->s_nselected : 1;
	for (i = 0; i < c->ndevices; i++) {
		const struct conf_device *d = &c->devices[i];

		s->s_owner[i] = (uint16_t)shard_pick(d->p.breaker_key != NULL ?
		    d->p.breaker_key : d->name, nw, SHARD_SEED_WORKER);
	}
	s->s_nworkers = nw;
}

/* The segment for the current fleet; generation 0 lets shm choose. */
enum shm_rc
sup_segment(struct sup *s, uint64_t generation, struct shm **out,
    char *errbuf)
{
	const struct conf *c = s->s_conf;
	struct shm_params sp;
	const char **names;
	enum shm_rc rc;
	size_t i;

	names = xcalloc(c->ndevices + 1, sizeof(*names));
	for (i = 0; i < c->ndevices; i++)
		names[i] = c->devices[i].name;
	memset(&sp, 0, sizeof(sp));
	sp.name = c->sup.name;
	sp.nworkers = s->s_nworkers;
	sp.ndevices = (unsigned)c->ndevices;
	sp.devnames = names;
	sp.budget = c->sup.max_concurrent;
	sp.generation = generation;
	sp.mode = sup_priv_shm_mode(c);
	rc = shm_create(&sp, out, errbuf);
	free(names);
	return rc;
}

/* What workers inherit, from the current fleet and segment. */
void
sup_heritage(struct sup *s)
{
	s->s_heritage.wh_conf = s->s_conf;
	s->s_heritage.wh_job = s->s_job;
	s->s_heritage.wh_selected = s->s_selected;
	s->s_heritage.wh_owner = s->s_owner;
	s->s_heritage.wh_shm = s->s_shm;
	s->s_heritage.wh_deadline_ms = s->s_deadline_ms;
	s->s_heritage.wh_outdir = s->s_conf->sup.output_dir;
	s->s_heritage.wh_telemetry = s->s_tm != NULL;
}

int
sup_run(struct sup *s)
{
	struct conf *c = s->s_conf;
	char errbuf[SHM_ERRBUF];
	struct event **sigs = s->s_sigs, *deadline = NULL;
	enum shm_rc rc;
	unsigned w;
	size_t i;
	int ex;

	if (s->s_opts->so_telemetry) {
		if ((ex = sup_tm_init(s)) != 0)
			return ex;
	} else if ((s->s_job = sup_pick_job(s)) == NULL)
		return NAUT_EX_USAGE;
	sup_select(s);
	if (sup_limits_init(s) == -1 || sup_priv_init(s) == -1) {
		sup_priv_free(s);
		sup_tm_free(s);
		free(s->s_selected);
		free(s->s_owner);
		return NAUT_EX_CONFIG;
	}

	if (sup_mkdirs(c->sup.output_dir) == -1) {
		log_warn("output_dir %s", c->sup.output_dir);
		return NAUT_EX_OSERR;
	}
	rc = sup_segment(s, 0, &s->s_shm, errbuf);
	if (rc == SHM_EBUSY) {
		log_warnx("%s", errbuf);
		return NAUT_EX_TEMPFAIL;
	}
	if (rc != SHM_OK) {
		log_warnx("%s", errbuf);
		return NAUT_EX_OSERR;
	}
	if ((s->s_tm == NULL && sup_results_open(s) == -1) ||
	    sup_priv_setup(s) == -1) {
		shm_remove(s->s_shm);
		return NAUT_EX_OSERR;
	}

	s->s_run_id = clock_wall_ms();
	s->s_t0_ms = clock_mono_ms();
	/* A daemon has no deadline: it polls until stopped. */
	if (c->sup.global_timeout_ms > 0 && s->s_tm == NULL)
		s->s_deadline_ms = s->s_t0_ms + c->sup.global_timeout_ms;
	sup_heritage(s);
	s->s_workers = xcalloc(s->s_nworkers, sizeof(*s->s_workers));
	for (w = 0; w < s->s_nworkers; w++)
		s->s_workers[w].sw_fd = -1;

	if ((s->s_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	sigs[0] = evsignal_new(s->s_base, SIGCHLD, sup_signal_cb, s);
	sigs[1] = evsignal_new(s->s_base, SIGTERM, sup_signal_cb, s);
	sigs[2] = evsignal_new(s->s_base, SIGINT, sup_signal_cb, s);
	sigs[3] = evsignal_new(s->s_base, SIGHUP, sup_signal_cb, s);
	for (i = 0; i < SUP_NSIGS; i++)
		evsignal_add(sigs[i], NULL);
	s->s_drain = evtimer_new(s->s_base, sup_drain_cb, s);
	if (s->s_deadline_ms != 0) {
		struct timeval tv = { (time_t)((c->sup.global_timeout_ms +
		    SUP_DEADLINE_GRACE_MS) / 1000), 0 };

		deadline = evtimer_new(s->s_base, sup_deadline_cb, s);
		evtimer_add(deadline, &tv);
	}
	sup_metrics_start(s);
	if (s->s_tm != NULL)
		log_info("telemetry: %zu device(s), %zu entr%s, %u worker(s), "
		    "max_concurrent %u, segment %s", s->s_nselected,
		    c->ntelemetry, c->ntelemetry == 1 ? "y" : "ies",
		    s->s_nworkers, c->sup.max_concurrent, c->sup.name);
	else
		log_info("job %s: %zu device(s), %u worker(s), max_concurrent "
		    "%u, segment %s", s->s_job->name, s->s_nselected,
		    s->s_nworkers, c->sup.max_concurrent, c->sup.name);
	for (w = 0; w < s->s_nworkers; w++)
		if (sup_spawn(s, w) != 0)
			s->s_workers[w].sw_done = 1;
	if (s->s_tm == NULL)
		sup_progress_start(s);
	if (s->s_alive > 0)
		event_base_dispatch(s->s_base);

	if (s->s_tm != NULL) {
		/* Stopped by a signal is the daemon's normal end. */
		ex = s->s_stopping ? NAUT_EX_OK : NAUT_EX_FAILED;
		if (!s->s_stopping)
			log_warnx("telemetry: every worker stopped for good");
		else
			log_info("telemetry stopped");
	} else {
		sup_unfinished(s);
		sup_progress_draw(s, 1);
		sup_summary(s, stdout);
		fflush(stdout);
		sup_results_close(s);
		ex = s->s_nok == s->s_nselected ? NAUT_EX_OK : NAUT_EX_FAILED;
	}

	for (i = 0; i < SUP_NSIGS; i++)
		event_free(sigs[i]);
	if (deadline != NULL)
		event_free(deadline);
	if (s->s_progress != NULL)
		event_free(s->s_progress);
	event_free(s->s_drain);
	sup_metrics_stop(s);
	sup_reload_forget(s);
	for (w = 0; w < s->s_nworkers; w++)
		if (s->s_workers[w].sw_ev != NULL) {
			free(event_get_callback_arg(s->s_workers[w].sw_ev));
			event_free(s->s_workers[w].sw_ev);
		}
	event_base_free(s->s_base);
	if (shm_remove(s->s_shm) == -1)
		log_warn("removing the segment");
	free(s->s_workers);
	free(s->s_selected);
	free(s->s_owner);
	free(s->s_written);
	free(s->s_dev);
	sup_tm_free(s);
	sup_priv_free(s);
	return ex;
}

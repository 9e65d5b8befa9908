/*
 * SIGHUP: load the fleet file again.
 *
 * Invalid: every error is logged and the batch goes on with the fleet it
 * has.  Valid: a new generation.  The workers hand their devices back
 * (SIGUSR1: what is queued or backing off is dropped without a record;
 * attempts in flight finish and report), and once all of them exited the
 * new fleet replaces the old one: a new segment that carries counters,
 * breakers and device records over by name, and new workers for what is
 * left.  Devices added are run, devices removed are not started, changed
 * devices run with their new settings; nothing finished runs again and no
 * record is lost or written twice (results are matched by device name).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf.h"
#include "htab.h"
#include "log.h"
#include "shm.h"
#include "sup.h"
#include "xmem.h"

static void
reload_log_errors(char *buf)
{
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_warnx("%s", line);
}

/*
 * What a running batch cannot change: its job, where results go, the
 * segment's name and the metrics socket.  The job must still exist; the
 * others keep their old values until the next run, with a warning.
 */
static const struct conf_job *
reload_fit(struct sup *s, struct conf *nc)
{
	struct conf_supervisor *n = &nc->sup;
	const struct conf_supervisor *o = &s->s_conf->sup;
	const struct conf_job *j = NULL;
	size_t i;

	if (s->s_tm != NULL && sup_tm_check(nc) != 0) {
		log_warnx("SIGHUP: %s cannot run in daemon mode; polling goes "
		    "on unchanged", s->s_opts->so_file);
		return NULL;
	}
	for (i = 0; s->s_tm == NULL && i < nc->njobs; i++)
		if (strcmp(nc->jobs[i].name, s->s_job->name) == 0)
			j = &nc->jobs[i];
	if (j == NULL && s->s_tm == NULL) {
		log_warnx("SIGHUP: %s has no job \"%s\" any more; the batch "
		    "goes on unchanged", s->s_opts->so_file, s->s_job->name);
		return NULL;
	}
#define KEEP(f)								\
	if ((o->f == NULL) != (n->f == NULL) || (o->f != NULL &&	\
	    strcmp(o->f, n->f) != 0)) {					\
		log_warnx("SIGHUP: supervisor." #f " changes at the next " \
		    "run; this one keeps %s", o->f != NULL ? o->f : "none"); \
		n->f = o->f != NULL ? arena_strdup(nc->arena, o->f) : NULL; \
	}
	KEEP(output_dir)
	KEEP(name)
	KEEP(metrics_listen)
	/* Workers drop to the accounts the first generation resolved. */
	KEEP(user)
	KEEP(group)
	KEEP(read_group)
#undef KEEP
	/* Daemon mode has no job: any non-NULL pointer says "fits". */
	return s->s_tm != NULL ? (const struct conf_job *)nc : j;
}

void
sup_reload(struct sup *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *errs = open_memstream(&buf, &len);
	const struct conf_job *j;
	struct conf *nc;
	unsigned w;

	if (errs == NULL) {
		log_warn("SIGHUP: open_memstream");
		return;
	}
	nc = conf_load(s->s_opts->so_file, errs);
	fclose(errs);
	if (nc == NULL) {
		log_warnx("SIGHUP: %s is invalid; the batch goes on unchanged",
		    s->s_opts->so_file);
		reload_log_errors(buf);
		free(buf);
		return;
	}
	free(buf);
	if (s->s_stopping || s->s_deadline_hit) {
		log_info("SIGHUP: %s is valid, but the batch is stopping",
		    s->s_opts->so_file);
		conf_free(nc);
		return;
	}
	if ((j = reload_fit(s, nc)) == NULL) {
		conf_free(nc);
		return;
	}
	if (s->s_tm != NULL)
		j = NULL;
	if (s->s_next != NULL) {
		/* A second SIGHUP before the first applied: the newest wins. */
		conf_free(s->s_next);
	}
	s->s_next = nc;
	s->s_next_job = j;
	log_info("SIGHUP: %s is valid (%zu devices); workers hand over their "
	    "devices, in-flight sessions finish first", s->s_opts->so_file,
	    nc->ndevices);
	for (w = 0; w < s->s_nworkers; w++)
		if (s->s_workers[w].sw_pid > 0)
			kill(s->s_workers[w].sw_pid, SIGUSR1);
}

void
sup_reload_forget(struct sup *s)
{
	if (s->s_next != NULL) {
		log_info("SIGHUP: the batch ended before the reload applied");
		conf_free(s->s_next);
		s->s_next = NULL;
	}
}

static int
bit_get(const uint8_t *b, size_t i)
{
	return (b[i / 8] >> (i % 8)) & 1;
}

static void
bit_set(uint8_t *b, size_t i)
{
	b[i / 8] |= (uint8_t)(1u << (i % 8));
}

/*
 * The new generation.  Every old worker has exited and was reaped, so
 * nobody writes the old segment: read it, remove it, create the new one
 * and copy over what the new fleet still has.
 */
void
sup_reload_apply(struct sup *s)
{
	struct conf *oc = s->s_conf;
	struct shm *old = s->s_shm;
	struct sup_devstat *odev = s->s_dev;
	uint8_t *owritten = s->s_written, *osel = s->s_selected;
	uint16_t *oown = s->s_owner;
	size_t omax = s->s_maxsteps, i, k, carried = 0, added = 0, removed = 0;
	unsigned onw = s->s_nworkers, w;
	struct ctr_snap *ctrs;
	uint8_t *kept;
	struct shm_dev *recs;
	struct htab *byname;
	char errbuf[SHM_ERRBUF];
	struct shm_info si;
	uint32_t *from;		/* new index -> old index + 1, 0 none */

	/* Read the old segment while it still exists. */
	ctrs = xcalloc(onw, sizeof(*ctrs));
	for (w = 0; w < onw; w++)
		ctr_snap_add(&ctrs[w], shm_ctr(old, w));
	recs = xcalloc(oc->ndevices + 1, sizeof(*recs));
	for (i = 0; i < oc->ndevices; i++)
		shm_dev_read(old, (unsigned)i, &recs[i]);
	shm_info(old, &si);

	/* Daemon mode: the latest values go; polls refill them at once. */
	if (s->s_tm != NULL)
		sup_tm_free(s);
	s->s_conf = s->s_next;
	s->s_job = s->s_next_job;
	s->s_next = NULL;
	s->s_next_job = NULL;
	/* It opened the same sink at start; failing now is the disk's. */
	if (s->s_job == NULL && sup_tm_init(s) != 0)
		fatalx("SIGHUP: telemetry cannot start again");
	sup_select(s);

	byname = htab_new(oc->ndevices);
	for (i = 0; i < oc->ndevices; i++)
		htab_put(byname, oc->devices[i].name,
		    strlen(oc->devices[i].name), (void *)(uintptr_t)(i + 1));
	from = xcalloc(s->s_conf->ndevices + 1, sizeof(*from));
	if (s->s_job != NULL) {
		s->s_maxsteps = conf_job_maxsteps(s->s_job);
		s->s_written = xcalloc(s->s_conf->ndevices *
		    (s->s_maxsteps + 1) / 8 + 1, 1);
		s->s_dev = xcalloc(s->s_conf->ndevices + 1,
		    sizeof(*s->s_dev));
	}
	for (i = 0; i < s->s_conf->ndevices; i++) {
		const char *n = s->s_conf->devices[i].name;
		uintptr_t v = (uintptr_t)htab_get(byname, n, strlen(n));
		size_t j, nsteps;

		from[i] = (uint32_t)v;
		if (v == 0) {
			added += s->s_selected[i];
			continue;
		}
		j = v - 1;
		if (odev == NULL || !odev[j].sd_done)
			continue;
		/* Finished before the reload: it stays finished. */
		s->s_dev[i] = odev[j];
		nsteps = conf_job_nsteps(s->s_job,
		    s->s_conf->devices[i].p.transport);
		for (k = 0; k < nsteps && k < omax; k++)
			if (bit_get(owritten, j * omax + k))
				bit_set(s->s_written, i * s->s_maxsteps + k);
		if (!s->s_selected[i]) {
			s->s_selected[i] = 1;
			s->s_nselected++;
		}
	}
	/* Finished devices the new file dropped still count in this batch. */
	kept = xcalloc(oc->ndevices + 1, 1);
	for (i = 0; i < s->s_conf->ndevices; i++)
		if (from[i] != 0)
			kept[from[i] - 1] = 1;
	for (i = 0; i < oc->ndevices; i++) {
		if (kept[i] || odev == NULL)
			continue;
		if (odev[i].sd_done)
			carried++;
		else if (osel[i])
			removed++;
	}
	s->s_nselected += carried;

	shm_remove(old);
	if (sup_segment(s, si.generation + 1, &s->s_shm, errbuf) != SHM_OK)
		fatalx("SIGHUP: %s", errbuf);
	(void)sup_priv_segment(s);
	/* Counters go on (Prometheus sees no reset); slots merge into 0. */
	for (w = 0; w < onw; w++) {
		struct naut_ctr *dst = shm_ctr(s->s_shm, w < s->s_nworkers ?
		    w : 0);

		ctr_add_snap(dst, &ctrs[w]);
		ctr_zero_gauges(dst);
	}
	for (i = 0; i < s->s_conf->ndevices; i++)
		if (from[i] != 0) {
			struct shm_dev d = recs[from[i] - 1];

			/* Not finished: the new generation starts it over. */
			if (d.run != NAUT_RUN_DONE && d.run != NAUT_RUN_FAILED)
				d.run = NAUT_RUN_PENDING;
			d.owner = s->s_owner[i];
			shm_dev_write(s->s_shm, (unsigned)i, &d);
		}

	for (w = 0; w < onw; w++)
		if (s->s_workers[w].sw_ev != NULL) {
			free(event_get_callback_arg(s->s_workers[w].sw_ev));
			event_free(s->s_workers[w].sw_ev);
		}
	free(s->s_workers);
	s->s_workers = xcalloc(s->s_nworkers, sizeof(*s->s_workers));
	for (w = 0; w < s->s_nworkers; w++)
		s->s_workers[w].sw_fd = -1;
	sup_heritage(s);
	s->s_generation++;
	log_info("SIGHUP applied: generation %llu, %zu device(s) in the batch "
	    "(%zu added, %zu removed before they started, %zu finished "
	    "earlier), %u worker(s)", (unsigned long long)si.generation + 1,
	    s->s_nselected, added, removed, s->s_ndone, s->s_nworkers);

	htab_free(byname);
	free(kept);
	free(from);
	free(recs);
	free(ctrs);
	free(odev);
	free(owritten);
	free(osel);
	free(oown);
	conf_free(oc);

	for (w = 0; w < s->s_nworkers; w++)
		if (sup_spawn(s, w) != 0)
			s->s_workers[w].sw_done = 1;
}

/*
 * What the operator sees: one progress line on a terminal (redrawn in
 * place), periodic log lines otherwise, and the summary at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf.h"
#include "esc.h"
#include "log.h"
#include "naut_enums.h"
#include "sup.h"

#define PROGRESS_TTY_MS		250
#define PROGRESS_LOG_MS		10000

static void
progress_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sup_progress_draw(arg, 0);
}

void
sup_progress_start(struct sup *s)
{
	uint64_t ms = s->s_tty ? PROGRESS_TTY_MS : PROGRESS_LOG_MS;
	struct timeval tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };

	if (s->s_opts->so_progress == 0)
		return;
	s->s_progress = event_new(s->s_base, -1, EV_PERSIST, progress_cb, s);
	event_add(s->s_progress, &tv);
}

void
sup_progress_draw(struct sup *s, int final)
{
	double el = (double)(clock_mono_ms() - s->s_t0_ms) / 1000.0;
	double rate = el > 0 ? (double)s->s_ndone / el : 0;
	size_t left = s->s_nselected - s->s_ndone;
	char eta[32];

	if (s->s_opts->so_progress == 0)
		return;
	if (rate > 0)
		snprintf(eta, sizeof(eta), "%.0fs", (double)left / rate);
	else
		snprintf(eta, sizeof(eta), "-");
	if (s->s_tty) {
		fprintf(stderr, "\r\033[Knaut: %zu/%zu done, %zu ok, %zu "
		    "failed, %.1f devices/s, ETA %s", s->s_ndone,
		    s->s_nselected, s->s_nok, s->s_nfailed, rate, eta);
		if (final)
			fputc('\n', stderr);
		fflush(stderr);
		s->s_progress_shown = 1;
	} else if (!final)
		log_info("progress: %zu/%zu done, %zu ok, %zu failed, %.1f "
		    "devices/s, ETA %s", s->s_ndone, s->s_nselected, s->s_nok,
		    s->s_nfailed, rate, eta);
}

struct slow {
	size_t		dev;
	uint64_t	ms;
};

static int
slow_cmp(const void *a, const void *b)
{
	const struct slow *x = a, *y = b;

	return x->ms < y->ms ? 1 : x->ms > y->ms ? -1 : 0;
}

void
sup_summary(struct sup *s, FILE *fp)
{
	const struct conf *c = s->s_conf;
	double el = (double)(clock_mono_ms() - s->s_t0_ms) / 1000.0;
	struct slow *v;
	size_t i, n = 0, shown = 0;
	int first = 1;

	fprintf(fp, "naut: job %s: %zu device%s in %.1f s (%.1f devices/s)\n",
	    s->s_job->name, s->s_nselected, s->s_nselected == 1 ? "" : "s", el,
	    el > 0 ? (double)s->s_ndone / el : 0.0);
	fprintf(fp, "  status:");
	for (i = 0; i < NAUT_ERR_COUNT; i++)
		if (s->s_bystatus[i] > 0) {
			fprintf(fp, "%s %s %llu", first ? "" : ",",
			    naut_err_name((unsigned)i),
			    (unsigned long long)s->s_bystatus[i]);
			first = 0;
		}
	fputc('\n', fp);
	v = calloc(c->ndevices + 1, sizeof(*v));
	for (i = 0; v != NULL && i < c->ndevices; i++)
		if (s->s_dev[i].sd_done) {
			v[n].dev = i;
			v[n++].ms = s->s_dev[i].sd_dur_ms;
		}
	if (v != NULL && n > 0) {
		qsort(v, n, sizeof(*v), slow_cmp);
		fprintf(fp, "  slowest:");
		/* A name is the fleet's, yet may hold code points a
		 * terminal acts on: shown escaped. */
		for (i = 0; i < n && i < 5; i++) {
			fprintf(fp, "%s ", i ? "," : "");
			esc_term_fputs(c->devices[v[i].dev].name, fp);
			fprintf(fp, " %.2fs", (double)v[i].ms / 1000.0);
		}
		fputc('\n', fp);
	}
	free(v);
	for (i = 0; i < c->ndevices && shown < 10; i++)
		if (s->s_selected[i] && s->s_dev[i].sd_done &&
		    s->s_dev[i].sd_err != NAUT_ERR_OK) {
			if (shown++ == 0)
				fprintf(fp, "  failed:");
			fprintf(fp, "%s ", shown > 1 ? "," : "");
			esc_term_fputs(c->devices[i].name, fp);
			fprintf(fp, " (%s)", naut_err_name(s->s_dev[i].sd_err));
		}
	if (shown > 0)
		fprintf(fp, "%s\n", s->s_nfailed > shown ? ", ..." : "");
	fprintf(fp, "  outputs: %s/<device>/<command>.txt; records: "
	    "%s/results.jsonl\n", c->sup.output_dir, c->sup.output_dir);
}

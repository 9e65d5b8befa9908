/*
 * Telemetry in the supervisor: which devices daemon mode polls, the latest
 * value of every series the workers report (WRK_REC_POINT), the per-device
 * poll statistics (WRK_REC_POLL), and their Prometheus exposition: the
 * values as gauges, and the four families dashboards of the seed know
 * (telemetry_collection_seconds, telemetry_collection_errors_total,
 * telemetry_points_collected_total, active_telemetry_tasks).
 *
 * Points come over the workers' socketpairs rather than through the
 * segment: the set of series (interfaces and other captured labels) is
 * only known once devices answer, so it cannot be laid out in shared
 * memory in advance, and the supervisor stays the single writer of what
 * it exports.  A value not refreshed within its entry's stale_after is no
 * longer exported; its slot is kept for when the series comes back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "ctr.h"
#include "htab.h"
#include "log.h"
#include "shm.h"
#include "sup.h"
#include "xmem.h"

/* Seconds; Prometheus's default buckets, which suit polls of 5 ms-10 s. */
static const double tm_bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
    0.5, 1, 2.5, 5, 10 };
#define TM_NBOUNDS	(sizeof(tm_bounds) / sizeof(tm_bounds[0]))

struct sup_tm_pt {
	struct sup_tm_pt	*pt_next;
	uint32_t		 pt_dev;
	double			 pt_value;
	uint64_t		 pt_wall_ms;	/* the point's time */
	uint64_t		 pt_seen_ms;	/* monotonic, for staleness */
	size_t			 pt_keylen;
	char			 pt_key[];	/* dev (4 bytes) + labels */
};

struct sup_tm_entry {
	struct htab		*te_tab;	/* key -> struct sup_tm_pt */
	struct sup_tm_pt	*te_head, **te_tail;
	const char		*te_family;	/* metric: or the default */
};

struct sup_tm_hist {
	uint64_t		 th_bucket[TM_NBOUNDS + 1];	/* not cumulative */
	double			 th_sum;
};

struct sup_tm_dev {
	uint64_t		 tdv_points;
	uint64_t		*tdv_errs;	/* NAUT_ERR_COUNT, on first error */
	struct sup_tm_hist	*tdv_hist;	/* per entry, on first poll */
};

struct sup_tm {
	struct sup_tm_entry	*tm_entries;
	struct sup_tm_dev	*tm_devs;	/* per conf device */
	uint64_t		 tm_points, tm_polls;
};

#define TM_DEFAULT_FAMILY	"naut_telemetry_value"

int
sup_tm_selects(const struct sup *s, const struct conf_device *d)
{
	const struct conf *c = s->s_conf;
	size_t j;

	for (j = 0; j < c->ntelemetry; j++)
		if (conf_select_match(&c->telemetry[j].select, d))
			return 1;
	return 0;
}

/* Families /metrics serves besides the counter table's. */
static const char *const tm_taken[] = { "naut_build_info",
    "naut_budget_limit", "naut_budget_in_use", "naut_budget_waiters",
    "naut_worker_up", "naut_worker_starts_total",
    "naut_worker_heartbeat_age_seconds", "naut_devices", "naut_breakers",
    "naut_breaker_state", "telemetry_collection_seconds",
    "telemetry_collection_errors_total", "telemetry_points_collected_total",
    "active_telemetry_tasks", NULL };

/*
 * An entry's metric: must not name a family naut serves itself: the
 * exposition would hold that family twice and Prometheus rejects it.
 */
static int
tm_name_taken(const char *m)
{
	struct ctr_snap z;
	char *buf = NULL, type[300];
	size_t len = 0, i;
	FILE *fp;
	int hit;

	for (i = 0; tm_taken[i] != NULL; i++)
		if (strcmp(m, tm_taken[i]) == 0)
			return 1;
	if (strncmp(m, "naut_", 5) != 0 ||
	    (fp = open_memstream(&buf, &len)) == NULL)
		return 0;
	ctr_snap_zero(&z);
	ctr_prom_write(fp, &z, "naut");
	fclose(fp);
	snprintf(type, sizeof(type), "# TYPE %s ", m);
	hit = buf != NULL && strstr(buf, type) != NULL;
	free(buf);
	return hit;
}

int
sup_tm_init(struct sup *s)
{
	const struct conf *c = s->s_conf;
	struct sup_tm *tm;
	size_t j;

	if (c->ntelemetry == 0) {
		log_warnx("%s: no telemetry: entries to poll", c->file);
		return NAUT_EX_USAGE;
	}
	for (j = 0; j < c->ntelemetry; j++)
		if (c->telemetry[j].metric != NULL &&
		    tm_name_taken(c->telemetry[j].metric)) {
			log_warnx("%s:%u:%u: telemetry \"%s\": metric %s is "
			    "a name naut exports itself; choose another",
			    c->file, c->telemetry[j].pos.line,
			    c->telemetry[j].pos.col, c->telemetry[j].name,
			    c->telemetry[j].metric);
			return NAUT_EX_CONFIG;
		}
	tm = xcalloc(1, sizeof(*tm));
	tm->tm_entries = xcalloc(c->ntelemetry, sizeof(*tm->tm_entries));
	tm->tm_devs = xcalloc(c->ndevices + 1, sizeof(*tm->tm_devs));
	for (j = 0; j < c->ntelemetry; j++) {
		struct sup_tm_entry *e = &tm->tm_entries[j];

		e->te_tab = htab_new(64);
		e->te_tail = &e->te_head;
		e->te_family = c->telemetry[j].metric != NULL ?
		    c->telemetry[j].metric : TM_DEFAULT_FAMILY;
	}
	s->s_tm = tm;
	if (sup_tm_log_open(s) != 0) {
		sup_tm_free(s);
		return NAUT_EX_OSERR;
	}
	return 0;
}

void
sup_tm_free(struct sup *s)
{
	struct sup_tm *tm = s->s_tm;
	size_t i;

	if (tm == NULL)
		return;
	sup_tm_log_close();
	for (i = 0; i < s->s_conf->ntelemetry; i++) {
		struct sup_tm_pt *p, *n;

		for (p = tm->tm_entries[i].te_head; p != NULL; p = n) {
			n = p->pt_next;
			free(p);
		}
		htab_free(tm->tm_entries[i].te_tab);
	}
	for (i = 0; i < s->s_conf->ndevices; i++) {
		free(tm->tm_devs[i].tdv_errs);
		free(tm->tm_devs[i].tdv_hist);
	}
	free(tm->tm_entries);
	free(tm->tm_devs);
	free(tm);
	s->s_tm = NULL;
}

/* Length of the packed labels "name\0value\0..." of n labels. */
static size_t
labels_len(const char *p, size_t max, unsigned n)
{
	size_t off = 0, l;
	unsigned i;

	for (i = 0; i < 2 * n; i++) {
		l = strnlen(p + off, max - off);
		if (off + l >= max)
			break;
		off += l + 1;
	}
	return off;
}

static void
tm_point(struct sup *s, const struct wrk_rec *r)
{
	struct sup_tm *tm = s->s_tm;
	struct sup_tm_entry *e = &tm->tm_entries[r->wr_cmd];
	struct sup_tm_pt *p;
	char key[4 + WRK_MSG_MAX];
	size_t ll = labels_len(r->wr_msg, sizeof(r->wr_msg), r->wr_attempts);

	memcpy(key, &r->wr_dev, 4);
	memcpy(key + 4, r->wr_msg, ll);
	if ((p = htab_get(e->te_tab, key, 4 + ll)) == NULL) {
		p = xcalloc(1, sizeof(*p) + 4 + ll + 1);
		p->pt_dev = r->wr_dev;
		p->pt_keylen = 4 + ll;
		memcpy(p->pt_key, key, 4 + ll);
		htab_put(e->te_tab, p->pt_key, p->pt_keylen, p);
		*e->te_tail = p;
		e->te_tail = &p->pt_next;
	}
	p->pt_value = r->wr_value;
	p->pt_wall_ms = r->wr_time_ms;
	p->pt_seen_ms = clock_mono_ms();
	tm->tm_devs[r->wr_dev].tdv_points++;
	tm->tm_points++;
	sup_tm_log_point(s, r, key + 4, ll);
}

static void
tm_poll(struct sup *s, const struct wrk_rec *r)
{
	struct sup_tm_dev *d = &s->s_tm->tm_devs[r->wr_dev];
	struct sup_tm_hist *h;
	size_t b = 0;

	s->s_tm->tm_polls++;
	sup_tm_log_flush();
	if (r->wr_err != NAUT_ERR_OK) {
		if (d->tdv_errs == NULL)
			d->tdv_errs = xcalloc(NAUT_ERR_COUNT,
			    sizeof(*d->tdv_errs));
		d->tdv_errs[r->wr_err]++;
	}
	/* A poll the breaker refused took no time: it is no sample. */
	if (r->wr_err == NAUT_ERR_BREAKER_OPEN)
		return;
	if (d->tdv_hist == NULL)
		d->tdv_hist = xcalloc(s->s_conf->ntelemetry, sizeof(*h));
	h = &d->tdv_hist[r->wr_cmd];
	while (b < TM_NBOUNDS && r->wr_value > tm_bounds[b])
		b++;
	h->th_bucket[b]++;
	h->th_sum += r->wr_value;
}

void
sup_tm_handle(struct sup *s, const struct wrk_rec *r)
{
	if (s->s_tm == NULL || r->wr_dev >= s->s_conf->ndevices ||
	    r->wr_cmd >= s->s_conf->ntelemetry) {
		log_warnx("malformed telemetry record from a worker");
		return;
	}
	if (r->wr_type == WRK_REC_POINT)
		tm_point(s, r);
	else
		tm_poll(s, r);
}

/* Label values: backslash, double quote and newline are escaped. */
static void
prom_esc(FILE *fp, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(fp, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", fp);
		else
			fputc(*v, fp);
	}
}

static void
family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
tm_values(FILE *fp, const struct sup *s, const char *fam, uint64_t now)
{
	const struct conf *c = s->s_conf;
	const struct sup_tm_pt *p;
	size_t j;

	for (j = 0; j < c->ntelemetry; j++) {
		const struct sup_tm_entry *e = &s->s_tm->tm_entries[j];
		const struct conf_telemetry *t = &c->telemetry[j];

		if (strcmp(e->te_family, fam) != 0)
			continue;
		for (p = e->te_head; p != NULL; p = p->pt_next) {
			const char *l = p->pt_key + 4;
			const char *end = p->pt_key + p->pt_keylen;

			if (now - p->pt_seen_ms > t->stale_after_ms)
				continue;
			fputs(fam, fp);
			fputs("{device=\"", fp);
			prom_esc(fp, c->devices[p->pt_dev].name);
			if (t->metric == NULL) {
				fputs("\",metric=\"", fp);
				prom_esc(fp, t->name);
			}
			fputc('"', fp);
			while (l < end) {
				const char *v = l + strlen(l) + 1;

				/* Ours win; a clash is renamed as Prometheus
				 * renames target labels. */
				fprintf(fp, ",%s%s=\"", strcmp(l, "device") ==
				    0 || strcmp(l, "metric") == 0 ?
				    "exported_" : "", l);
				prom_esc(fp, v);
				fputc('"', fp);
				l = v + strlen(v) + 1;
			}
			/*
			 * %.17g: a counter up to 2^53 survives the round
			 * trip.  No sample timestamp: Prometheus's own
			 * staleness handling needs scrape times.
			 */
			fprintf(fp, "} %.17g\n", p->pt_value);
		}
	}
}

static void
tm_hist(FILE *fp, const struct sup *s)
{
	const struct conf *c = s->s_conf;
	size_t i, j, b;

	family(fp, "telemetry_collection_seconds", "histogram", "Time one "
	    "telemetry poll took, budget token to parsed values, per device "
	    "and telemetry entry (metric_type)");
	for (i = 0; i < c->ndevices; i++) {
		const struct sup_tm_dev *d = &s->s_tm->tm_devs[i];

		if (d->tdv_hist == NULL)
			continue;
		for (j = 0; j < c->ntelemetry; j++) {
			const struct sup_tm_hist *h = &d->tdv_hist[j];
			uint64_t cum = 0;

			for (b = 0; b <= TM_NBOUNDS; b++)
				cum += h->th_bucket[b];
			if (cum == 0)
				continue;
			cum = 0;
			for (b = 0; b <= TM_NBOUNDS; b++) {
				cum += h->th_bucket[b];
				fputs("telemetry_collection_seconds_bucket"
				    "{device=\"", fp);
				prom_esc(fp, c->devices[i].name);
				fputs("\",metric_type=\"", fp);
				prom_esc(fp, c->telemetry[j].name);
				if (b < TM_NBOUNDS)
					fprintf(fp, "\",le=\"%g\"} %" PRIu64
					    "\n", tm_bounds[b], cum);
				else
					fprintf(fp, "\",le=\"+Inf\"} %" PRIu64
					    "\n", cum);
			}
			fputs("telemetry_collection_seconds_sum{device=\"", fp);
			prom_esc(fp, c->devices[i].name);
			fputs("\",metric_type=\"", fp);
			prom_esc(fp, c->telemetry[j].name);
			fprintf(fp, "\"} %.6f\n", h->th_sum);
			fputs("telemetry_collection_seconds_count{device=\"", fp);
			prom_esc(fp, c->devices[i].name);
			fputs("\",metric_type=\"", fp);
			prom_esc(fp, c->telemetry[j].name);
			fprintf(fp, "\"} %" PRIu64 "\n", cum);
		}
	}
}

/* Everything telemetry adds to /metrics in daemon mode. */
void
sup_tm_metrics(FILE *fp, const struct sup *s)
{
	const struct conf *c = s->s_conf;
	struct ctr_snap snap;
	uint64_t now = clock_mono_ms();
	size_t i, j, k;

	if (s->s_tm == NULL)
		return;
	for (j = 0; j < c->ntelemetry; j++) {
		const char *fam = s->s_tm->tm_entries[j].te_family;

		/* Once per family, at its first entry. */
		for (k = 0; k < j; k++)
			if (strcmp(s->s_tm->tm_entries[k].te_family, fam) == 0)
				break;
		if (k < j)
			continue;
		family(fp, fam, "gauge", strcmp(fam, TM_DEFAULT_FAMILY) == 0 ?
		    "Latest telemetry value per device, telemetry entry "
		    "(metric) and captured labels" : "Latest telemetry value "
		    "(naut telemetry entry with metric: set)");
		tm_values(fp, s, fam, now);
	}
	tm_hist(fp, s);
	family(fp, "telemetry_collection_errors_total", "counter", "Telemetry "
	    "polls that failed, per device and error class (naut status "
	    "words: timeout, reset, parse, breaker_open, ...)");
	for (i = 0; i < c->ndevices; i++) {
		const uint64_t *e = s->s_tm->tm_devs[i].tdv_errs;

		for (k = 0; e != NULL && k < NAUT_ERR_COUNT; k++) {
			if (e[k] == 0)
				continue;
			fputs("telemetry_collection_errors_total{device=\"", fp);
			prom_esc(fp, c->devices[i].name);
			fprintf(fp, "\",error_type=\"%s\"} %" PRIu64 "\n",
			    naut_err_name((unsigned)k), e[k]);
		}
	}
	family(fp, "telemetry_points_collected_total", "counter", "Telemetry "
	    "values collected per device");
	for (i = 0; i < c->ndevices; i++) {
		if (!s->s_selected[i])
			continue;
		fputs("telemetry_points_collected_total{device=\"", fp);
		prom_esc(fp, c->devices[i].name);
		fprintf(fp, "\"} %" PRIu64 "\n", s->s_tm->tm_devs[i].tdv_points);
	}
	shm_ctr_sum(s->s_shm, &snap);
	family(fp, "active_telemetry_tasks", "gauge", "Telemetry tasks "
	    "(device x telemetry entry) scheduled by running workers");
	fprintf(fp, "active_telemetry_tasks %" PRId64 "\n",
	    ctr_gauge_val(&snap, CTR_ID_tm_tasks));
}

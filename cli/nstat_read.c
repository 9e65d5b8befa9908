/*
 * What naut-stat shows: one snapshot of the segment (counters summed over
 * the worker slots, budget, worker liveness, devices by status) and the
 * list of rows, built from the counter table so that a new counter shows
 * up everywhere without touching naut-stat.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esc.h"

#include "nstat.h"
#include "xmem.h"

/* Rows that read the segment's state rather than a counter. */
enum nstat_state {
	ST_WORKERS_TOTAL,
	ST_WORKERS_ALIVE,
	ST_BUDGET_LIMIT,
	ST_BUDGET_IN_USE,
	ST_BUDGET_WAITERS,
	ST_DEVICES_TOTAL,
	ST_DEVICES_RUN,		/* k: enum naut_run */
	ST_BREAKERS		/* k: enum naut_brk */
};

enum nstat_derived {
	DV_HIST_Q,		/* src = ctr_id, k = part index >= 2 */
	DV_SUCCESS_RATE,
	DV_ATTEMPT_AVG
};

static const char *const rowkind_names[] = {
#define X(e, s) s,
	NSTAT_ROWKINDS(X)
#undef X
};

/* Histogram parts, in row order. */
static const char *const hist_parts[] = { "count", "sum", "p50", "p90",
    "p99" };
static const double hist_q[] = { 0, 0, 0.50, 0.90, 0.99 };

static uint64_t
now_ms(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
nstat_snap_take(const struct shm *seg, struct nstat_snap *s)
{
	struct shm_dev d;
	unsigned i, n;

	memset(s, 0, sizeof(*s));
	s->s_mono_ms = now_ms(CLOCK_MONOTONIC);
	s->s_real_ms = now_ms(CLOCK_REALTIME);
	shm_info(seg, &s->s_info);
	shm_ctr_sum(seg, &s->s_ctr);
	shm_budget_view(seg, &s->s_budget, NULL, 256);
	for (i = 0; i < s->s_info.nworkers; i++)
		if (shm_worker_alive(seg, i))
			s->s_workers_alive++;
	n = shm_ndevices(seg);
	for (i = 0; i < n; i++) {
		if (shm_dev_read(seg, i, &d) == -1) {
			s->s_busy++;
			continue;
		}
		if (d.run < NAUT_RUN_COUNT)
			s->s_by_run[d.run]++;
		if (d.brk.state < NAUT_BRK_COUNT)
			s->s_by_brk[d.brk.state]++;
	}
}

const char *
nstat_rowkind_name(enum nstat_rowkind k)
{
	return (unsigned)k < NSTAT_ROWKIND_COUNT ? rowkind_names[k] : "?";
}

double
nstat_uptime_s(const struct nstat_snap *s)
{
	uint64_t st = s->s_info.started_ms;

	if (st == 0 || s->s_real_ms <= st)
		return 0.001;
	return (double)(s->s_real_ms - st) / 1000.0;
}

int
nstat_row_match(const struct nstat_opts *o, const char *name)
{
	size_t i;
	int any_incl = 0, in = 0;

	if (o == NULL)
		return 1;
	for (i = 0; i < o->o_nfilters; i++) {
		const struct nstat_filter *f = &o->o_filters[i];
		int m = fnmatch(f->nf_glob, name, 0) == 0;

		if (f->nf_include) {
			any_incl = 1;
			in |= m;
		} else if (m)
			return 0;
	}
	return !any_incl || in;
}

static void
add(struct nstat_row **rows, size_t *n, size_t *cap,
    const struct nstat_row *r, const struct nstat_opts *o)
{
	if (!nstat_row_match(o, r->r_name))
		return;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*rows = xreallocarray(*rows, *cap, sizeof(**rows));
	}
	(*rows)[(*n)++] = *r;
}

static void
row_set(struct nstat_row *r, enum nstat_rowkind kind, int src, unsigned k,
    const char *unit, const char *name, const char *help)
{
	memset(r, 0, sizeof(*r));
	r->r_kind = kind;
	r->r_src = src;
	r->r_k = k;
	r->r_unit = unit;
	snprintf(r->r_name, sizeof(r->r_name), "%s", name);
	snprintf(r->r_help, sizeof(r->r_help), "%s", help);
}

static void
state_rows(struct nstat_row **rows, size_t *n, size_t *cap,
    const struct nstat_opts *o)
{
	struct nstat_row r;
	char name[64], help[160];
	unsigned k;

	row_set(&r, NSTAT_STATE, ST_WORKERS_TOTAL, 0, "", "workers.total",
	    "Worker slots in the segment");
	add(rows, n, cap, &r, o);
	row_set(&r, NSTAT_STATE, ST_WORKERS_ALIVE, 0, "", "workers.alive",
	    "Workers running now");
	add(rows, n, cap, &r, o);
	row_set(&r, NSTAT_STATE, ST_BUDGET_LIMIT, 0, "", "budget.limit",
	    "Global concurrency budget (max_concurrent)");
	add(rows, n, cap, &r, o);
	row_set(&r, NSTAT_STATE, ST_BUDGET_IN_USE, 0, "", "budget.in_use",
	    "Budget tokens held now");
	add(rows, n, cap, &r, o);
	row_set(&r, NSTAT_STATE, ST_BUDGET_WAITERS, 0, "", "budget.waiters",
	    "Workers waiting for a budget token");
	add(rows, n, cap, &r, o);
	row_set(&r, NSTAT_STATE, ST_DEVICES_TOTAL, 0, "", "devices.total",
	    "Devices in the fleet");
	add(rows, n, cap, &r, o);
	for (k = 0; k < NAUT_RUN_COUNT; k++) {
		snprintf(name, sizeof(name), "devices.%s", naut_run_name(k));
		snprintf(help, sizeof(help), "Devices %s: %s",
		    naut_run_name(k), naut_run_help(k));
		row_set(&r, NSTAT_STATE, ST_DEVICES_RUN, k, "", name, help);
		add(rows, n, cap, &r, o);
	}
	for (k = 0; k < NAUT_BRK_COUNT; k++) {
		snprintf(name, sizeof(name), "breakers.%s", naut_brk_name(k));
		snprintf(help, sizeof(help), "Devices whose breaker is %s: %s",
		    naut_brk_name(k), naut_brk_help(k));
		row_set(&r, NSTAT_STATE, ST_BREAKERS, k, "", name, help);
		add(rows, n, cap, &r, o);
	}
}

static void
ctr_rows(struct nstat_row **rows, size_t *n, size_t *cap,
    const struct nstat_opts *o)
{
	struct nstat_row r;
	char name[64], help[160];
	unsigned i, k;

	for (i = 0; i < CTR_COUNT; i++) {
		const struct ctr_desc *d = &ctr_table[i];

		switch (d->cd_kind) {
		case CTR_COUNTER:
		case CTR_GAUGE:
			row_set(&r, d->cd_kind == CTR_COUNTER ? NSTAT_COUNTER :
			    NSTAT_GAUGE, (int)i, 0, d->cd_unit, d->cd_name,
			    d->cd_help);
			add(rows, n, cap, &r, o);
			break;
		case CTR_ERRS:
			for (k = 1; k < NAUT_ERR_COUNT; k++) {
				snprintf(name, sizeof(name), "%s.%s",
				    d->cd_name, naut_err_name(k));
				snprintf(help, sizeof(help), "%s: %s",
				    d->cd_help, naut_err_help(k));
				row_set(&r, NSTAT_COUNTER, (int)i, k,
				    d->cd_unit, name, help);
				add(rows, n, cap, &r, o);
			}
			break;
		case CTR_HIST:
			for (k = 0; k < 5; k++) {
				snprintf(name, sizeof(name), "%s.%s",
				    d->cd_name, hist_parts[k]);
				if (k == 0)
					snprintf(help, sizeof(help), "%s: "
					    "observations", d->cd_help);
				else if (k == 1)
					snprintf(help, sizeof(help), "%s: sum "
					    "of observations", d->cd_help);
				else
					snprintf(help, sizeof(help), "%s: "
					    "%s (estimated from buckets)",
					    d->cd_help, hist_parts[k]);
				row_set(&r, k < 2 ? NSTAT_COUNTER :
				    NSTAT_DERIVED, (int)i, k, k == 0 ? "" :
				    d->cd_unit, name, help);
				add(rows, n, cap, &r, o);
			}
			break;
		default:
			break;
		}
	}
	row_set(&r, NSTAT_DERIVED, DV_SUCCESS_RATE, 0, "%", "success_rate",
	    "Successes as a share of finished attempts");
	add(rows, n, cap, &r, o);
	row_set(&r, NSTAT_DERIVED, DV_ATTEMPT_AVG, 0, "ms", "attempt_avg_ms",
	    "Mean duration of a finished attempt (duration_ms per attempt)");
	add(rows, n, cap, &r, o);
}

size_t
nstat_rows(const struct nstat_opts *o, struct nstat_row **out)
{
	struct nstat_row *rows = NULL;
	size_t n = 0, cap = 0;

	state_rows(&rows, &n, &cap, o);
	ctr_rows(&rows, &n, &cap, o);
	*out = rows;
	return n;
}

static void
val_int(struct nstat_val *v, int64_t i)
{
	v->v_def = 1;
	v->v_int = 1;
	v->v_i = i;
	v->v_d = (double)i;
}

static void
state_value(const struct nstat_row *r, const struct nstat_snap *s,
    struct nstat_val *v)
{
	switch (r->r_src) {
	case ST_WORKERS_TOTAL:
		val_int(v, s->s_info.nworkers);
		break;
	case ST_WORKERS_ALIVE:
		val_int(v, s->s_workers_alive);
		break;
	case ST_BUDGET_LIMIT:
		val_int(v, s->s_budget.limit);
		break;
	case ST_BUDGET_IN_USE:
		val_int(v, s->s_budget.in_use);
		break;
	case ST_BUDGET_WAITERS:
		val_int(v, s->s_budget.waiters);
		break;
	case ST_DEVICES_TOTAL:
		val_int(v, s->s_info.ndevices);
		break;
	case ST_DEVICES_RUN:
		val_int(v, r->r_k < NAUT_RUN_COUNT ? s->s_by_run[r->r_k] : 0);
		break;
	case ST_BREAKERS:
		val_int(v, r->r_k < NAUT_BRK_COUNT ? s->s_by_brk[r->r_k] : 0);
		break;
	default:
		break;
	}
}

static void
derived_value(const struct nstat_row *r, const struct nstat_snap *s,
    struct nstat_val *v)
{
	const struct ctr_snap *c = &s->s_ctr;
	uint64_t ok, bad;
	double q;

	/* Histogram quantiles are the derived rows with a part index. */
	if (r->r_k >= 2 && r->r_src >= 0 && r->r_src < CTR_COUNT &&
	    ctr_table[r->r_src].cd_kind == CTR_HIST) {
		q = ctr_hist_quantile(c, (enum ctr_id)r->r_src,
		    hist_q[r->r_k]);
		if (q >= 0) {
			v->v_def = 1;
			v->v_d = q;
		}
		return;
	}
	ok = ctr_val(c, CTR_ID_successes, 0);
	bad = ctr_val(c, CTR_ID_failures, 0);
	if (ok + bad == 0)
		return;
	v->v_def = 1;
	if (r->r_src == DV_SUCCESS_RATE)
		v->v_d = 100.0 * (double)ok / (double)(ok + bad);
	else
		v->v_d = (double)ctr_val(c, CTR_ID_duration_ms, 0) /
		    (double)(ok + bad);
}

void
nstat_row_value(const struct nstat_row *r, const struct nstat_snap *s,
    struct nstat_val *v)
{
	const struct ctr_snap *c = &s->s_ctr;
	enum ctr_id id = (enum ctr_id)r->r_src;

	memset(v, 0, sizeof(*v));
	switch (r->r_kind) {
	case NSTAT_STATE:
		state_value(r, s, v);
		break;
	case NSTAT_DERIVED:
		derived_value(r, s, v);
		break;
	case NSTAT_GAUGE:
		val_int(v, ctr_gauge_val(c, id));
		break;
	case NSTAT_COUNTER:
		if (ctr_table[id].cd_kind == CTR_HIST)
			val_int(v, (int64_t)(r->r_k == 0 ?
			    ctr_hist_count(c, id) : ctr_hist_sum(c, id)));
		else
			val_int(v, (int64_t)ctr_val(c, id, r->r_k));
		break;
	default:
		break;
	}
}

/*
 * -s words: a run status, a breaker state or an error class.  The three
 * vocabularies share no word, so one option covers them all.
 */
const char *
nstat_dev_word_ok(const char *w)
{
	if (naut_run_parse(w) >= 0)
		return "status";
	if (naut_brk_parse(w) >= 0)
		return "breaker";
	if (naut_err_parse(w) >= 0)
		return "error";
	return NULL;
}

int
nstat_dev_match(const struct nstat_opts *o, const char *name,
    const struct shm_dev *d)
{
	size_t i;
	int m;

	if (o->o_ndev_globs > 0) {
		for (m = 0, i = 0; i < o->o_ndev_globs && !m; i++)
			m = fnmatch(o->o_dev_globs[i], name, 0) == 0;
		if (!m)
			return 0;
	}
	if (o->o_ndev_words > 0) {
		for (m = 0, i = 0; i < o->o_ndev_words && !m; i++) {
			const char *w = o->o_dev_words[i];

			m = naut_run_parse(w) == (int)d->run ||
			    naut_brk_parse(w) == (int)d->brk.state ||
			    (d->last_result != NAUT_RESULT_NONE &&
			    naut_err_parse(w) == (int)d->last_err);
		}
		if (!m)
			return 0;
	}
	return 1;
}

void
nstat_fmt_age(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
		    s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
		    s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
		    s / 3600 % 24);
}

void
nstat_fmt_value(char *buf, size_t len, const struct nstat_val *v)
{
	if (!v->v_def)
		snprintf(buf, len, "-");
	else if (v->v_int)
		snprintf(buf, len, "%" PRId64, v->v_i);
	else
		snprintf(buf, len, "%.2f", v->v_d);
}

void
nstat_fmt_name(char *buf, size_t len, const char *s)
{
	size_t i = 0, l;
	uint32_t cp;

	/* One '?' per character a terminal would act on, or per bad byte. */
	while (*s != '\0' && i + 5 < len) {
		l = esc_utf8(s, &cp);
		if (l == 0 || !esc_cp_printable(cp)) {
			buf[i++] = '?';
			s += l == 0 ? 1 : l;
			continue;
		}
		memcpy(buf + i, s, l);
		i += l;
		s += l;
	}
	if (len > 0)
		buf[i] = '\0';
}

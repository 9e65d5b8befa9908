/*
 * The counter table's descriptors and the arithmetic over snapshots:
 * summing per-worker blocks (Varnish's Summ functions), histogram
 * quantiles, the table hash readers compare, and Prometheus text output.
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ctr.h"

/*
 * Anything not lock-free would go through libatomic's per-process lock
 * table and silently stop being atomic across processes.
 */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(sizeof(_Atomic uint64_t) == 8, "atomic words are 8 bytes");

/* Every row sits where the word enum says: no padding, nothing moved. */
#define X(n, k, u, h)							\
	_Static_assert(offsetof(struct naut_ctr, n) ==			\
	    (size_t)CTR_W_##n * sizeof(uint64_t), "ctr row " #n " moved");	\
	_Static_assert(sizeof(((struct naut_ctr *)0)->n) ==		\
	    (size_t)CTR_N_##k * sizeof(uint64_t), "ctr row " #n " size");
NAUT_CTRS(X)
#undef X
_Static_assert(sizeof(struct naut_ctr) == CTR_NWORDS * sizeof(uint64_t),
    "struct naut_ctr has padding");

const struct ctr_desc ctr_table[CTR_COUNT] = {
#define X(n, k, u, h) { #n, CTR_##k, u, h, CTR_W_##n, CTR_N_##k },
	NAUT_CTRS(X)
#undef X
};

static const char *const kind_names[] = {
#define X(k, s) s,
	CTR_KINDS(X)
#undef X
};

static const uint64_t hist_bounds[CTR_HIST_NBOUNDS] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
	10000, 20000, 50000, 100000, 200000, 500000,
	1000000, 2000000, 5000000
};

uint64_t
ctr_hist_bound(unsigned i)
{
	return i < CTR_HIST_NBOUNDS ? hist_bounds[i] : UINT64_MAX;
}

void
ctr_observe(struct ctr_hist *h, uint64_t v)
{
	unsigned i = 0;

	/* Prometheus "le": a value equal to a bound belongs to that bucket. */
	while (i < CTR_HIST_NBOUNDS && v > hist_bounds[i])
		i++;
	ctr_add(&h->ch_bucket[i], 1);
	ctr_add(&h->ch_sum, v);
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
ctr_hash(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t v;
	size_t i;

	for (i = 0; i < CTR_COUNT; i++) {
		const struct ctr_desc *d = &ctr_table[i];

		h = fnv1a(h, d->cd_name, strlen(d->cd_name) + 1);
		v = (uint32_t)d->cd_kind;
		h = fnv1a(h, &v, sizeof(v));
		v = d->cd_nwords;
		h = fnv1a(h, &v, sizeof(v));
	}
	h = fnv1a(h, hist_bounds, sizeof(hist_bounds));
	return h;
}

const char *
ctr_kind_name(enum ctr_kind k)
{
	return (unsigned)k < CTR_KIND_COUNT ? kind_names[k] : "?";
}

int
ctr_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < CTR_COUNT; i++)
		if (strcmp(ctr_table[i].cd_name, name) == 0)
			return (int)i;
	return -1;
}

void
ctr_snap_zero(struct ctr_snap *s)
{
	memset(s, 0, sizeof(*s));
}

void
ctr_snap_add(struct ctr_snap *s, const struct naut_ctr *c)
{
	const _Atomic uint64_t *w = (const _Atomic uint64_t *)(const void *)c;
	size_t i;

	for (i = 0; i < CTR_NWORDS; i++)
		s->cs_w[i] += atomic_load_explicit(&w[i], memory_order_relaxed);
}

/* Add a snapshot into a live block (a reload carrying counters over). */
void
ctr_add_snap(struct naut_ctr *c, const struct ctr_snap *s)
{
	_Atomic uint64_t *w = (_Atomic uint64_t *)(void *)c;
	size_t i;

	for (i = 0; i < CTR_NWORDS; i++)
		atomic_fetch_add_explicit(&w[i], s->cs_w[i],
		    memory_order_relaxed);
}

void
ctr_zero_gauges(struct naut_ctr *c)
{
	_Atomic uint64_t *w = (_Atomic uint64_t *)(void *)c;
	size_t i, k;

	for (i = 0; i < CTR_COUNT; i++) {
		if (ctr_table[i].cd_kind != CTR_GAUGE)
			continue;
		for (k = 0; k < ctr_table[i].cd_nwords; k++)
			atomic_store_explicit(&w[ctr_table[i].cd_word + k], 0,
			    memory_order_relaxed);
	}
}

uint64_t
ctr_val(const struct ctr_snap *s, enum ctr_id id, unsigned k)
{
	if ((unsigned)id >= CTR_COUNT || k >= ctr_table[id].cd_nwords)
		return 0;
	return s->cs_w[ctr_table[id].cd_word + k];
}

int64_t
ctr_gauge_val(const struct ctr_snap *s, enum ctr_id id)
{
	return (int64_t)ctr_val(s, id, 0);
}

uint64_t
ctr_hist_count(const struct ctr_snap *s, enum ctr_id id)
{
	uint64_t n = 0;
	unsigned k;

	for (k = 0; k < CTR_HIST_NBUCKETS; k++)
		n += ctr_val(s, id, k);
	return n;
}

uint64_t
ctr_hist_sum(const struct ctr_snap *s, enum ctr_id id)
{
	return ctr_val(s, id, CTR_HIST_NBUCKETS);
}

double
ctr_hist_quantile(const struct ctr_snap *s, enum ctr_id id, double q)
{
	uint64_t n = ctr_hist_count(s, id), cum = 0, b;
	double rank, lo = 0;
	unsigned k;

	if (n == 0)
		return -1;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	rank = q * (double)n;
	for (k = 0; k < CTR_HIST_NBUCKETS; k++) {
		b = ctr_val(s, id, k);
		if (b > 0 && (double)(cum + b) >= rank) {
			/* Nothing is known above the last bound: report it. */
			if (k == CTR_HIST_NBOUNDS)
				return (double)hist_bounds[k - 1];
			return lo + ((double)hist_bounds[k] - lo) *
			    ((rank - (double)cum) / (double)b);
		}
		cum += b;
		if (k < CTR_HIST_NBOUNDS)
			lo = (double)hist_bounds[k];
	}
	return (double)hist_bounds[CTR_HIST_NBOUNDS - 1];
}

/* HELP text may hold any byte; the format allows only \\ and \n escaped. */
static void
prom_help(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

/*
 * Prometheus wants base units: a row kept in milliseconds ("_ms", unit
 * "ms") is exported as "_seconds", its values and bucket bounds divided
 * by 1000.  naut-stat shows the stored milliseconds.
 */
static void
prom_name(char *buf, size_t sz, const char *prefix, const struct ctr_desc *d,
    double *scale)
{
	size_t l = strlen(d->cd_name);

	*scale = 1;
	if (strcmp(d->cd_unit, "ms") == 0 && l > 3 &&
	    strcmp(d->cd_name + l - 3, "_ms") == 0) {
		snprintf(buf, sz, "%s_%.*s_seconds", prefix, (int)(l - 3),
		    d->cd_name);
		*scale = 1000;
	} else
		snprintf(buf, sz, "%s_%s", prefix, d->cd_name);
}

static void
prom_val(FILE *fp, uint64_t v, double scale)
{
	if (scale == 1)
		fprintf(fp, "%" PRIu64, v);
	else
		fprintf(fp, "%.6g", (double)v / scale);
}

int
ctr_prom_write(FILE *fp, const struct ctr_snap *s, const char *prefix)
{
	char name[128];
	double scale;
	size_t i;
	unsigned k;
	uint64_t cum;

	for (i = 0; i < CTR_COUNT; i++) {
		const struct ctr_desc *d = &ctr_table[i];
		const char *sfx = d->cd_kind == CTR_COUNTER ||
		    d->cd_kind == CTR_ERRS ? "_total" : "";

		prom_name(name, sizeof(name), prefix, d, &scale);
		fprintf(fp, "# HELP %s%s ", name, sfx);
		prom_help(fp, d->cd_help);
		fprintf(fp, "\n# TYPE %s%s %s\n", name, sfx,
		    ctr_kind_name(d->cd_kind));
		switch (d->cd_kind) {
		case CTR_COUNTER:
			fprintf(fp, "%s_total ", name);
			prom_val(fp, ctr_val(s, (enum ctr_id)i, 0), scale);
			fputc('\n', fp);
			break;
		case CTR_GAUGE:
			fprintf(fp, "%s %" PRId64 "\n", name,
			    ctr_gauge_val(s, (enum ctr_id)i));
			break;
		case CTR_ERRS:
			/* Class ok is never an error: no series for it. */
			for (k = 1; k < NAUT_ERR_COUNT; k++)
				fprintf(fp, "%s_total{class=\"%s\"} %" PRIu64
				    "\n", name, naut_err_name(k),
				    ctr_val(s, (enum ctr_id)i, k));
			break;
		case CTR_HIST:
			cum = 0;
			for (k = 0; k < CTR_HIST_NBUCKETS; k++) {
				cum += ctr_val(s, (enum ctr_id)i, k);
				if (k < CTR_HIST_NBOUNDS) {
					fprintf(fp, "%s_bucket{le=\"", name);
					prom_val(fp, hist_bounds[k], scale);
					fprintf(fp, "\"} %" PRIu64 "\n", cum);
				} else
					fprintf(fp, "%s_bucket{le=\"+Inf\"} %"
					    PRIu64 "\n", name, cum);
			}
			fprintf(fp, "%s_sum ", name);
			prom_val(fp, ctr_hist_sum(s, (enum ctr_id)i), scale);
			fprintf(fp, "\n%s_count %" PRIu64 "\n", name, cum);
			break;
		default:
			break;
		}
	}
	return ferror(fp) ? -1 : 0;
}

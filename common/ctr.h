/*
 * ctr: every counter, gauge and histogram naut keeps, declared once.
 *
 * NAUT_CTRS is the single table (name, kind, unit, help).  It expands into
 * struct naut_ctr (the per-worker block in the shared segment), the word
 * index enum behind the static offset checks in ctr.c, and ctr_table[]: the
 * descriptors that the Prometheus writer, naut-stat's labels, naut-stat -l
 * and the man page all come from.  Add a row here and every reader knows it.
 *
 * Kinds:
 *   COUNTER  only goes up, survives worker restarts (the replacement keeps
 *            adding to its slot);
 *   GAUGE    a level (two's complement in a uint64_t word), zeroed by the
 *            supervisor when the worker owning the slot dies;
 *   ERRS     a counter per error class (naut_enums.h), exported with a
 *            class="..." label;
 *   HIST     a histogram over fixed 1-2-5 bounds (ctr_hist_bound()); the
 *            count is the sum of the buckets, so count and buckets always
 *            agree without a lock; only _sum may lag one observation.
 *
 * Writers: a struct naut_ctr has exactly one writer (its worker, or the
 * supervisor once that worker is dead).  The helpers below therefore do a
 * relaxed load and a relaxed store instead of a locked read-modify-write:
 * readers still never see a torn word, and an increment costs no bus lock.
 * Never call them on a slot another process is writing.
 */
#ifndef NAUT_CTR_H
#define NAUT_CTR_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "naut_enums.h"

#define NAUT_CTRS(X)							\
	X(attempts,		COUNTER, "",	"Session attempts started, retries included") \
	X(successes,		COUNTER, "",	"Attempts that ended without error") \
	X(failures,		COUNTER, "",	"Attempts that ended with an error of any class") \
	X(timeouts,		COUNTER, "",	"Attempts that ended because a phase timer or the deadline expired") \
	X(retries,		COUNTER, "",	"Attempts that retried an earlier failure") \
	X(duration_ms,		COUNTER, "ms",	"Wall time spent in attempts, summed") \
	X(breaker_rejections,	COUNTER, "",	"Attempts refused at once because the device breaker was open") \
	X(breaker_trips,	COUNTER, "",	"Times a device breaker opened") \
	X(breaker_closes,	COUNTER, "",	"Times a device breaker closed again after probes succeeded") \
	X(bytes_received,	COUNTER, "bytes", "Bytes received from devices") \
	X(bytes_sent,		COUNTER, "bytes", "Bytes sent to devices") \
	X(budget_waits,		COUNTER, "",	"Times a session found the global budget exhausted and had to wait") \
	X(sessions_open,	GAUGE,	"",	"Sessions open now, idle kept-alive ones included") \
	X(errors,		ERRS,	"",	"Failed attempts by error class") \
	X(session_duration_ms,	HIST,	"ms",	"Duration of one attempt, connect to close") \
	X(output_bytes,		HIST,	"bytes", "Size of one command output")

#define CTR_KINDS(X)			\
	X(COUNTER,	"counter")	\
	X(GAUGE,	"gauge")	\
	X(ERRS,		"counter")	\
	X(HIST,		"histogram")

enum ctr_kind {
#define X(k, s) CTR_##k,
	CTR_KINDS(X)
#undef X
	CTR_KIND_COUNT
};

/* Histogram buckets: 1, 2, 5, 10, ... 5000000, then +Inf. */
#define CTR_HIST_NBOUNDS	21
#define CTR_HIST_NBUCKETS	(CTR_HIST_NBOUNDS + 1)

struct ctr_hist {
	_Atomic uint64_t	ch_bucket[CTR_HIST_NBUCKETS];	/* not cumulative */
	_Atomic uint64_t	ch_sum;
};

struct ctr_errs {
	_Atomic uint64_t	ce_class[NAUT_ERR_COUNT];	/* by enum naut_err */
};

/* What one row of the table becomes: its C type and its size in words. */
#define CTR_T_COUNTER	_Atomic uint64_t
#define CTR_T_GAUGE	_Atomic uint64_t
#define CTR_T_ERRS	struct ctr_errs
#define CTR_T_HIST	struct ctr_hist
#define CTR_N_COUNTER	1
#define CTR_N_GAUGE	1
#define CTR_N_ERRS	NAUT_ERR_COUNT
#define CTR_N_HIST	(CTR_HIST_NBUCKETS + 1)

/* The per-worker block.  Only 8-byte lock-free atomics, no padding. */
struct naut_ctr {
#define X(n, k, u, h) CTR_T_##k n;
	NAUT_CTRS(X)
#undef X
};

/* Word index of each row inside struct naut_ctr (checked in ctr.c). */
enum ctr_word {
#define X(n, k, u, h) CTR_W_##n, CTR_W_##n##_last = CTR_W_##n + CTR_N_##k - 1,
	NAUT_CTRS(X)
#undef X
	CTR_NWORDS
};

enum ctr_id {
#define X(n, k, u, h) CTR_ID_##n,
	NAUT_CTRS(X)
#undef X
	CTR_COUNT
};

struct ctr_desc {
	const char	*cd_name;
	enum ctr_kind	 cd_kind;
	const char	*cd_unit;	/* "" when a plain count */
	const char	*cd_help;
	unsigned	 cd_word;	/* first word in struct naut_ctr */
	unsigned	 cd_nwords;
};

extern const struct ctr_desc ctr_table[CTR_COUNT];

/* A plain (non-atomic) copy or sum of struct naut_ctr, word by word. */
struct ctr_snap {
	uint64_t	cs_w[CTR_NWORDS];
};

static inline void
ctr_add(_Atomic uint64_t *c, uint64_t n)
{
	/* Single writer: see the file comment. */
	atomic_store_explicit(c,
	    atomic_load_explicit(c, memory_order_relaxed) + n,
	    memory_order_relaxed);
}

#define CTR_INC(c, f)		ctr_add(&(c)->f, 1)
#define CTR_ADD(c, f, n)	ctr_add(&(c)->f, (uint64_t)(n))

/* Gauges move both ways; the word holds an int64_t in two's complement. */
static inline void
ctr_gauge_add(_Atomic uint64_t *g, int64_t d)
{
	ctr_add(g, (uint64_t)d);
}

static inline void
ctr_error(struct naut_ctr *c, unsigned cls)
{
	if (cls < NAUT_ERR_COUNT)
		ctr_add(&c->errors.ce_class[cls], 1);
}

void		 ctr_observe(struct ctr_hist *, uint64_t);
uint64_t	 ctr_hist_bound(unsigned);	/* bound of bucket i < NBOUNDS */

/* Hash of names, kinds, sizes and bucket bounds: stored in the segment. */
uint64_t	 ctr_hash(void);
const char	*ctr_kind_name(enum ctr_kind);
int		 ctr_lookup(const char *);	/* table index or -1 */

void		 ctr_snap_zero(struct ctr_snap *);
void		 ctr_snap_add(struct ctr_snap *, const struct naut_ctr *);
void		 ctr_zero_gauges(struct naut_ctr *);
void		 ctr_add_snap(struct naut_ctr *, const struct ctr_snap *);

/* Values out of a snapshot; k is the class or bucket for ERRS and HIST. */
uint64_t	 ctr_val(const struct ctr_snap *, enum ctr_id, unsigned k);
int64_t		 ctr_gauge_val(const struct ctr_snap *, enum ctr_id);
uint64_t	 ctr_hist_count(const struct ctr_snap *, enum ctr_id);
uint64_t	 ctr_hist_sum(const struct ctr_snap *, enum ctr_id);
/* Estimate of quantile q (0..1) by interpolating inside its bucket; -1 if
 * the histogram is empty. */
double		 ctr_hist_quantile(const struct ctr_snap *, enum ctr_id, double);

/*
 * Prometheus text exposition of a summed snapshot: # HELP and # TYPE for
 * every row, "<prefix>_<name>_total" for counters, a class label for ERRS,
 * _bucket/_sum/_count for histograms.  Returns -1 if a write failed.
 */
int		 ctr_prom_write(FILE *, const struct ctr_snap *, const char *prefix);

#endif

/*
 * nstat: naut-stat, the read-only viewer of a fleet's segment (the
 * varnishstat of naut).  nstat_main.c parses options and runs the loop;
 * nstat_read.c takes snapshots and builds the rows every output shows;
 * nstat_text.c, nstat_json.c and nstat_tty.c render them.
 */
#ifndef NAUT_NSTAT_H
#define NAUT_NSTAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctr.h"
#include "naut_enums.h"
#include "shm.h"

#define NSTAT_EX_NOSEG		1	/* no segment, or one we cannot read */

struct nstat_filter {
	int		 nf_include;	/* -I (1) or -X (0) */
	const char	*nf_glob;
};

struct nstat_opts {
	const char		*o_name;	/* -n */
	const char		*o_path;	/* -p */
	double			 o_interval;	/* -w seconds */
	double			 o_wait;	/* -t seconds */
	long			 o_count;	/* -c refreshes; 0 forever */
	int			 o_once;	/* -1 */
	int			 o_json;	/* -j */
	int			 o_list;	/* -l */
	int			 o_devices;	/* -d */
	struct nstat_filter	*o_filters;
	size_t			 o_nfilters;
	const char	       **o_dev_globs;	/* -D */
	size_t			 o_ndev_globs;
	const char	       **o_dev_words;	/* -s */
	size_t			 o_ndev_words;
};

/*
 * One line of output.  Rows come from the counter table (one per
 * COUNTER/GAUGE, one per error class of an ERRS row, count/sum/p50/p90/p99
 * per histogram), from the segment's state (budget, workers, devices,
 * breakers) and from derived figures (success rate).
 */
#define NSTAT_ROWKINDS(X)						\
	X(COUNTER,	"counter")	/* rate and average make sense */ \
	X(GAUGE,	"gauge")	/* a level: value only */	\
	X(STATE,	"state")	/* a level read from the segment */ \
	X(DERIVED,	"derived")	/* computed; may be undefined */

enum nstat_rowkind {
#define X(e, s) NSTAT_##e,
	NSTAT_ROWKINDS(X)
#undef X
	NSTAT_ROWKIND_COUNT
};

struct nstat_row {
	char			 r_name[64];
	char			 r_help[160];
	const char		*r_unit;
	enum nstat_rowkind	 r_kind;
	int			 r_src;		/* ctr_id, or state/derived id */
	unsigned		 r_k;		/* error class or hist part */
};

struct nstat_snap {
	struct shm_info		 s_info;
	struct ctr_snap		 s_ctr;
	struct shm_budget_view	 s_budget;
	unsigned		 s_workers_alive;
	unsigned		 s_by_run[NAUT_RUN_COUNT];
	unsigned		 s_by_brk[NAUT_BRK_COUNT];
	unsigned		 s_busy;	/* records mid-write, not counted */
	uint64_t		 s_mono_ms;
	uint64_t		 s_real_ms;
};

/* nstat_read.c */
void		 nstat_snap_take(const struct shm *, struct nstat_snap *);
/* All rows (filtered by -I/-X when opts is not NULL); caller frees. */
size_t		 nstat_rows(const struct nstat_opts *, struct nstat_row **);
int		 nstat_row_match(const struct nstat_opts *, const char *);
const char	*nstat_rowkind_name(enum nstat_rowkind);
struct nstat_val {
	int		 v_def;		/* 0: undefined (no data yet) */
	int		 v_int;		/* exact integer in v_i */
	int64_t		 v_i;
	double		 v_d;		/* always set when defined */
};

void		 nstat_row_value(const struct nstat_row *,
		    const struct nstat_snap *, struct nstat_val *);
double		 nstat_uptime_s(const struct nstat_snap *);
int		 nstat_dev_match(const struct nstat_opts *, const char *name,
		    const struct shm_dev *);
const char	*nstat_dev_word_ok(const char *);	/* NULL if unknown */
/* "12s", "3m04s", "2h05m", "3d04h" */
void		 nstat_fmt_age(char *, size_t, uint64_t ms);
void		 nstat_fmt_value(char *, size_t, const struct nstat_val *);
/* Device names come from config files: show control bytes as '?'. */
void		 nstat_fmt_name(char *, size_t, const char *);

/* nstat_text.c */
void		 nstat_text_once(FILE *, const struct nstat_row *, size_t,
		    const struct nstat_snap *);
void		 nstat_text_list(FILE *, const struct nstat_row *, size_t);
void		 nstat_text_devices(FILE *, const struct shm *,
		    const struct nstat_opts *);

/* nstat_json.c */
void		 nstat_json(FILE *, const struct shm *, const struct nstat_row *,
		    size_t, const struct nstat_snap *, const struct nstat_opts *);

/* nstat_tty.c */
struct nstat_tty;
struct nstat_tty	*nstat_tty_new(size_t nrows);
void		 nstat_tty_free(struct nstat_tty *);
/* Draw one frame; note (may be NULL) is shown under the header. */
void		 nstat_tty_draw(struct nstat_tty *, FILE *,
		    const struct nstat_row *, size_t, const struct nstat_snap *,
		    const char *note);
void		 nstat_tty_reset(struct nstat_tty *);	/* new segment */
void		 nstat_tty_end(FILE *);

#endif

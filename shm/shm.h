/*
 * shm: the one shared-memory segment of a fleet.
 *
 * The supervisor creates it before forking; workers inherit the mapping and
 * write their counters, device records and budget tokens into it; the
 * supervisor and naut-stat read it.  Layout (details in shm_int.h):
 *
 *	header     magic, layout version, sizes, offsets, generation,
 *	           supervisor pid and start time, counts, ready (last)
 *	budget     limit, in_use, waiters; then held[] (128 bytes per worker)
 *	slots      one per worker, 128-byte aligned: pid, state, heartbeat,
 *	           struct naut_ctr (common/ctr.h)
 *	devices    one 64-byte seqlocked record per device
 *	names      device name string table (offset index + NUL-ended bytes)
 *
 * Ownership (who may write what; everybody may read everything):
 *	header         the creator, before ready is published
 *	slot w, held w the worker in slot w while it lives; the supervisor
 *	               before it forks w and after it reaped w
 *	device i       the worker that owns device i (one at a time); the
 *	               supervisor before workers start or after the owner died
 *	budget words   every worker, through the shm_budget_* functions only
 * Only 4- and 8-byte lock-free atomics live in the segment.
 *
 * Errors: functions that can fail return an enum shm_rc and write one plain
 * sentence (naming the segment) into errbuf[SHM_ERRBUF]; callers log it.
 * Functions taking a worker index w or device index i trust it (< counts);
 * passing a read-only handle to a writing function is a bug (SIGSEGV).
 *
 * Life of a segment:
 *   supervisor  shm_create (SHM_EBUSY: exit NAUT_EX_TEMPFAIL); fork worker
 *               w and shm_worker_set(w, pid, STARTING); on SIGCHLD
 *               waitpid, then shm_worker_reap(w) (SHM_EAGAIN: again from
 *               a timer) before forking the replacement; /metrics is
 *               shm_ctr_sum + ctr_prom_write; a reload that keeps the
 *               layout calls shm_generation_bump, one that changes the
 *               counts needs shm_remove + shm_create; at exit shm_remove.
 *   worker      shm_worker_set(w, getpid(), RUNNING); CTR_INC(shm_ctr(seg,
 *               w), attempts); shm_dev_read/shm_dev_write on its own
 *               devices; the budget as described below; heartbeat.
 *   reader      shm_attach; every refresh shm_changed (re-attach unless
 *               SHM_SAME), shm_ctr_sum, shm_dev_read, shm_budget_view.
 */
#ifndef NAUT_SHM_H
#define NAUT_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr.h"
#include "naut_enums.h"

/* Bump when any byte of the layout changes meaning (not for counters:
 * ctr_hash() covers those). */
#define SHM_VERSION		1
#define SHM_MAGIC		"NAUTSHM"	/* 8 bytes with its NUL */

/* The stable prefix: these offsets hold in every layout version, so any
 * naut build can tell who owns a segment and which layout it has. */
#define SHM_OFF_MAGIC		0	/* char[8] */
#define SHM_OFF_VERSION		8	/* uint32_t, host order */
#define SHM_OFF_HDR_SIZE	12	/* uint32_t */
#define SHM_OFF_SUP_PID		16	/* int32_t */
#define SHM_OFF_READY		20	/* uint32_t: enum shm_ready */
#define SHM_OFF_STARTTIME	24	/* uint64_t: /proc/PID/stat start time */
#define SHM_OFF_STARTED_MS	32	/* uint64_t: CLOCK_REALTIME ms */
#define SHM_OFF_GENERATION	40	/* uint64_t */
#define SHM_OFF_SEG_SIZE	48	/* uint64_t */
#define SHM_OFF_CTR_HASH	56	/* uint64_t: ctr_hash() of the writer */
#define SHM_PREFIX_SIZE		64

#define SHM_NAME_MAX		64	/* fleet name: [A-Za-z0-9._-], no leading . */
#define SHM_MAX_WORKERS		1024
#define SHM_MAX_DEVICES		(1u << 22)
#define SHM_ERRBUF		320
#define SHM_DEFAULT_MODE	0600

#define SHM_RCS(X)							\
	X(OK,		"ok")						\
	X(ESYS,		"system error")					\
	X(EBUSY,	"in use by a live supervisor")			\
	X(ENOENT,	"no such segment")				\
	X(ENOTREADY,	"segment not ready")				\
	X(EINVAL,	"not a valid segment")				\
	X(EVERSION,	"layout version mismatch")			\
	X(ECTRHASH,	"counter table mismatch")			\
	X(EAGAIN,	"try again")

enum shm_rc {
#define X(e, s) SHM_##e,
	SHM_RCS(X)
#undef X
	SHM_RC_COUNT
};

enum shm_ready {
	SHM_READY_NO = 0,	/* being built */
	SHM_READY_YES = 1,	/* published */
	SHM_READY_CLOSING = 2	/* supervisor shutting down, about to unlink */
};

struct shm;

/* ---- lifecycle (shm_seg.c, shm_attach.c) ---- */

struct shm_params {
	const char		*name;		/* fleet: /dev/shm/naut.<name> */
	const char		*path;		/* or any file path; wins */
	unsigned		 nworkers;	/* 1..SHM_MAX_WORKERS */
	unsigned		 ndevices;	/* 0..SHM_MAX_DEVICES */
	const char *const	*devnames;	/* ndevices names, or NULL */
	unsigned		 budget;	/* global concurrency limit */
	mode_t			 mode;		/* 0 means SHM_DEFAULT_MODE */
	uint64_t		 generation;	/* 0: 1, or a stale one's + 1 */
};

/*
 * Create and map a segment read-write, fill it, create one wake eventfd per
 * worker (non-blocking, close-on-exec, inherited across fork) and publish
 * ready last (release).  The segment is created with O_EXCL.  If one exists:
 *   - its supervisor (pid + /proc start time in its header) is alive:
 *     SHM_EBUSY, errbuf names the pid; exit NAUT_EX_TEMPFAIL (75);
 *   - it is stale (pid gone or reused), or is an empty file whose creator
 *     died before writing a header (waited for 0.5 s first): it is
 *     unlinked and replaced; shm_stale_pid() then says whose it was;
 *   - anything else (a foreign file at an explicit path): SHM_EINVAL,
 *     nothing is touched.
 * Two supervisors replacing the same stale segment at once are serialised
 * by flock(2) on the stale file; the loser gets SHM_EBUSY.  The mode is
 * applied with fchmod (the umask does not matter); for mode 0640 readers,
 * chown(2) shm_info().path to their group.  Generation starts at 1, or at
 * the replaced stale segment's plus one.
 */
enum shm_rc	 shm_create(const struct shm_params *, struct shm **,
		    char *errbuf);

/*
 * Map an existing segment read-only (O_RDONLY, PROT_READ; nothing is ever
 * written).  name or path as in shm_params (path wins; both NULL is an
 * error).  Validates, before trusting any field: fstat size, magic, layout
 * version, ready, seg_size, ctr_hash, and every offset against the layout
 * recomputed from the counts.  SHM_ENOENT / SHM_ENOTREADY are the two a
 * "wait for it" loop retries.
 */
enum shm_rc	 shm_attach(const char *name, const char *path, struct shm **,
		    char *errbuf);

/* Unmap and close without removing (workers, naut-stat, tests). */
void		 shm_close(struct shm *);

/*
 * Creator only: store ready = CLOSING (readers holding the mapping see the
 * shutdown), unlink the name if it still refers to our file, close.
 * Returns -1 (errno set) if unlink failed; the handle is freed anyway.
 */
int		 shm_remove(struct shm *);

/* Bump the generation in place (reload with an unchanged layout); readers
 * see SHM_RELOADED.  Returns the new generation. */
uint64_t	 shm_generation_bump(struct shm *);

const char	*shm_rc_name(enum shm_rc);
pid_t		 shm_stale_pid(const struct shm *);	/* 0: none replaced */

struct shm_info {
	const char	*path;		/* e.g. /dev/shm/naut.lab */
	const char	*name;		/* fleet name; "" for explicit paths */
	uint32_t	 version;
	uint64_t	 seg_size;
	uint64_t	 generation;
	uint64_t	 ctr_hash;
	pid_t		 sup_pid;
	int		 sup_alive;	/* pid alive and not reused */
	uint64_t	 started_ms;	/* CLOCK_REALTIME ms */
	unsigned	 nworkers;
	unsigned	 ndevices;
	unsigned	 ready;		/* enum shm_ready, read now */
	mode_t		 mode;
};

void		 shm_info(const struct shm *, struct shm_info *);

enum shm_change {
	SHM_SAME = 0,
	SHM_GONE,	/* the name no longer exists */
	SHM_REPLACED,	/* the name is another file: a new supervisor */
	SHM_RELOADED,	/* same file, generation moved */
	SHM_CLOSING	/* the supervisor is shutting down */
};

/* For readers: has the segment behind this handle been superseded?  One
 * stat(2) and two loads; call once per refresh and re-attach on non-SAME. */
enum shm_change	 shm_changed(const struct shm *);

/* ---- worker slots and counters (shm_slot.c) ---- */

struct shm_worker {
	pid_t		 pid;
	unsigned	 state;		/* enum naut_wstate */
	unsigned	 starts;	/* forks into this slot so far */
	uint64_t	 heartbeat_ms;	/* CLOCK_MONOTONIC ms, system-wide */
	uint64_t	 started_ms;	/* CLOCK_REALTIME ms of the last start */
};

unsigned	 shm_nworkers(const struct shm *);

/* Supervisor, right after fork (or the worker itself): pid, state, and
 * starts++ when state is STARTING. */
void		 shm_worker_set(struct shm *, unsigned w, pid_t,
		    enum naut_wstate);
void		 shm_worker_heartbeat(struct shm *, unsigned w, uint64_t mono_ms);
void		 shm_worker_get(const struct shm *, unsigned w,
		    struct shm_worker *);
/* pid set, state STARTING/RUNNING/STOPPING, and kill(pid, 0) agrees. */
int		 shm_worker_alive(const struct shm *, unsigned w);

/* The writer's own counter block; CTR_INC(shm_ctr(seg, w), attempts). */
struct naut_ctr	*shm_ctr(struct shm *, unsigned w);
/* Sum of every slot into out (relaxed loads; each word untorn). */
void		 shm_ctr_sum(const struct shm *, struct ctr_snap *out);
void		 shm_ctr_read(const struct shm *, unsigned w, struct ctr_snap *);
/* Supervisor, after reaping w: its gauges can no longer go down. */
void		 shm_ctr_zero_gauges(struct shm *, unsigned w);

struct shm_reap {
	unsigned	 tokens;	/* budget tokens reclaimed */
	unsigned	 requeued;	/* devices RUNNING -> PENDING */
	unsigned	 repaired;	/* device records left mid-write */
};

/*
 * Supervisor, after waitpid() returned slot w's pid and before forking its
 * replacement: state DIED (or STOPPED when clean), reclaim its budget
 * tokens, zero its gauges, and for every device it owned finish a torn
 * seqlock write, drop a half-open probe it had out and put RUNNING back to
 * PENDING so the replacement runs it again.  Counters stay: the
 * replacement keeps adding to them.  Idempotent; SHM_EAGAIN as for
 * shm_budget_reclaim (call again later, e.g. from a 50 ms timer).
 */
enum shm_rc	 shm_worker_reap(struct shm *, unsigned w, int clean,
		    struct shm_reap *);

/* ---- device records (shm_dev.c) ---- */

/* The breaker fields; worker/breaker.h implements the transitions. */
struct shm_breaker {
	uint32_t	 state;		/* enum naut_brk */
	uint32_t	 failures;	/* consecutive failures while closed */
	uint32_t	 successes;	/* probe successes while half-open */
	uint32_t	 probe;		/* 1 while the half-open probe is out */
	uint64_t	 opened_ms;	/* CLOCK_MONOTONIC ms it last opened */
};

/* A plain copy of one device record. */
struct shm_dev {
	uint32_t	 run;		/* enum naut_run */
	uint32_t	 attempts;	/* in the current run */
	uint32_t	 last_result;	/* enum naut_result: status word */
	uint32_t	 last_err;	/* enum naut_err of the last attempt */
	int32_t		 last_code;	/* exit status / HTTP code; -1 none */
	uint32_t	 last_dur_ms;
	uint32_t	 owner;		/* worker index */
	uint64_t	 last_ok_ms;	/* CLOCK_REALTIME ms; 0 never */
	struct shm_breaker brk;
};

unsigned	 shm_ndevices(const struct shm *);
/* Name from the string table; never NULL ("" if unnamed). */
const char	*shm_dev_name(const struct shm *, unsigned i);
/* Writer: the whole record, under the device's seqlock. */
void		 shm_dev_write(struct shm *, unsigned i, const struct shm_dev *);
/*
 * Consistent copy.  Returns 0, or -1 if the record stayed mid-write for
 * 20 ms (its writer died mid-write and was not reaped yet, or rewrites it
 * without pause); *out then holds a possibly torn copy.  The owner
 * reading its own record always gets 0 at once.
 */
int		 shm_dev_read(const struct shm *, unsigned i, struct shm_dev *);

/* ---- global concurrency budget (shm_budget.c) ---- */

/*
 * Invariant: in_use <= limit at every instant (one CAS word; only a limit
 * lowered by shm_budget_set_limit can leave in_use above it until enough
 * releases), and in_use == sum(held[]) whenever no budget operation is
 * half done (see shm_budget_view for how a reader gets such a moment).
 *
 * Waiting without spinning: when try_acquire fails, the worker calls
 * shm_budget_wait().  If that returns 0 it watches shm_budget_wakefd(w)
 * for EV_READ in its event loop; on wake it calls shm_budget_drain() and
 * try_acquire again (a wake is a hint, not a token: another worker may
 * have taken it; then wait again).  Releases wake one waiting worker each,
 * starting after the releaser, round robin; reclaim and a raised limit
 * wake as many as they free.  Keep a fallback timer of 100-250 ms while
 * sessions are queued: a worker killed between its release and its wake,
 * or a wake delivered to a worker that no longer needs it, is not replayed.
 */
int		 shm_budget_try_acquire(struct shm *, unsigned w); /* 1 got */
void		 shm_budget_release(struct shm *, unsigned w);
/* Register w as waiting, then try once more (so a release in between is
 * not lost).  Returns 1 if that try got a token (w no longer waiting). */
int		 shm_budget_wait(struct shm *, unsigned w);
/* w has nothing queued any more: stop waiting (passes a wake it no longer
 * needs to another waiter when a token is free). */
void		 shm_budget_unwait(struct shm *, unsigned w);
int		 shm_budget_wakefd(const struct shm *, unsigned w);
void		 shm_budget_drain(struct shm *, unsigned w);
/* Change the limit (reload).  Lowering it below in_use takes no tokens
 * away; acquires fail until releases bring in_use under the new limit. */
void		 shm_budget_set_limit(struct shm *, unsigned);

/*
 * Supervisor only, after reaping w and marking its slot DIED/STOPPED
 * (shm_worker_reap does both): give back every token w held, exactly,
 * even when w was killed in the middle of an acquire or release, and wake
 * as many waiters.  *ntok gets the count.  Immediate when w died between
 * operations (nearly always).  Otherwise it needs a moment at which no
 * live worker is mid-operation, and looks for one for up to 200 ms; it
 * returns SHM_EAGAIN if another worker stayed mid-operation all that time
 * (SIGSTOPped, or dead and not reaped yet): reap that one too, then call
 * again (from a timer, not in a loop).
 */
enum shm_rc	 shm_budget_reclaim(struct shm *, unsigned w, unsigned *ntok);

struct shm_budget_view {
	unsigned	 limit;
	unsigned	 in_use;
	unsigned	 waiters;
	uint64_t	 held_sum;
	int		 consistent;	/* in_use and held[] from one instant */
};

/*
 * Read the budget.  held (may be NULL) gets nworkers entries.  The view is
 * consistent when no worker was in the middle of a budget operation while
 * it was read (per-worker sequence numbers, checked before and after);
 * the function retries up to tries times to get one, and says whether it
 * did.  Only a consistent view may be checked for in_use == held_sum.
 */
void		 shm_budget_view(const struct shm *, struct shm_budget_view *,
		    uint32_t *held, unsigned tries);

#endif

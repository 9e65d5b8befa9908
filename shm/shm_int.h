/*
 * shm_int.h: the binary layout of the segment and the process-local handle.
 * Private to shm/: nothing outside this directory includes it (readers go
 * through shm.h, which is what lets the layout change behind a version).
 */
#ifndef NAUT_SHM_INT_H
#define NAUT_SHM_INT_H

#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctr.h"
#include "shm.h"

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");

#define SHM_LINE	128	/* nginx: "equal to or greater than cache line" */
#define SHM_HDR_SIZE	256
#define SHM_DEV_SIZE	64

struct shm_hdr {
	/* Stable prefix, identical in every layout (SHM_OFF_* in shm.h). */
	char			h_magic[8];
	uint32_t		h_version;
	uint32_t		h_hdr_size;
	int32_t			h_sup_pid;
	_Atomic uint32_t	h_ready;
	uint64_t		h_sup_starttime;	/* /proc/PID/stat field 22 */
	uint64_t		h_started_ms;		/* CLOCK_REALTIME */
	_Atomic uint64_t	h_generation;
	uint64_t		h_seg_size;
	uint64_t		h_ctr_hash;
	/* Layout 1 from here. */
	uint32_t		h_nworkers;
	uint32_t		h_ndevices;
	uint32_t		h_slot_size;
	uint32_t		h_dev_size;
	uint64_t		h_off_budget;
	uint64_t		h_off_held;
	uint64_t		h_off_slots;
	uint64_t		h_off_devs;
	uint64_t		h_off_nameidx;
	uint64_t		h_off_names;
	uint64_t		h_names_size;
	uint32_t		h_mode;
	uint32_t		h_pad0;
	char			h_name[SHM_NAME_MAX + 8];
	char			h_pad[40];
};

_Static_assert(offsetof(struct shm_hdr, h_magic) == SHM_OFF_MAGIC, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_version) == SHM_OFF_VERSION, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_hdr_size) == SHM_OFF_HDR_SIZE, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_sup_pid) == SHM_OFF_SUP_PID, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_ready) == SHM_OFF_READY, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_sup_starttime) == SHM_OFF_STARTTIME,
    "prefix");
_Static_assert(offsetof(struct shm_hdr, h_started_ms) == SHM_OFF_STARTED_MS,
    "prefix");
_Static_assert(offsetof(struct shm_hdr, h_generation) == SHM_OFF_GENERATION,
    "prefix");
_Static_assert(offsetof(struct shm_hdr, h_seg_size) == SHM_OFF_SEG_SIZE, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_ctr_hash) == SHM_OFF_CTR_HASH, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_nworkers) == SHM_PREFIX_SIZE, "prefix");
_Static_assert(offsetof(struct shm_hdr, h_names_size) == 128, "layout 1");
_Static_assert(offsetof(struct shm_hdr, h_name) == 144, "layout 1");
_Static_assert(sizeof(struct shm_hdr) == SHM_HDR_SIZE, "header is 256 bytes");

/* in_use and limit share a line: every acquire touches both anyway. */
struct shm_budget {
	_Atomic uint64_t	b_limit;
	_Atomic uint64_t	b_in_use;
	_Atomic uint32_t	b_waiters;	/* workers with hd_waiting set */
	char			b_pad[SHM_LINE - 20];
};
_Static_assert(sizeof(struct shm_budget) == SHM_LINE, "budget line");

/*
 * Per-worker budget state, one line each so workers do not bounce each
 * other's lines.  hd_seq is odd while the worker is inside an acquire or
 * release: that is what makes a consistent view and an exact reclaim of a
 * worker killed mid-operation possible (shm_budget.c).
 */
struct shm_held {
	_Atomic uint32_t	hd_seq;
	_Atomic uint32_t	hd_held;
	_Atomic uint32_t	hd_waiting;
	char			hd_pad[SHM_LINE - 12];
};
_Static_assert(sizeof(struct shm_held) == SHM_LINE, "held line");

struct shm_slot {
	_Alignas(SHM_LINE) _Atomic int32_t ws_pid;
	_Atomic uint32_t	ws_state;
	_Atomic uint32_t	ws_starts;
	_Atomic uint32_t	ws_pad0;
	_Atomic uint64_t	ws_heartbeat_ms;
	_Atomic uint64_t	ws_started_ms;
	_Alignas(64) struct naut_ctr ws_ctr;
};
_Static_assert(offsetof(struct shm_slot, ws_ctr) == 64, "slot counters");
_Static_assert(sizeof(struct shm_slot) % SHM_LINE == 0, "slot stride");

/* One cache line per device.  d_seq odd = write in progress. */
struct shm_devrec {
	_Atomic uint32_t	d_seq;
	_Atomic uint32_t	d_run;
	_Atomic uint32_t	d_attempts;
	_Atomic uint32_t	d_last_result;
	_Atomic uint32_t	d_last_err;
	_Atomic int32_t		d_last_code;
	_Atomic uint32_t	d_last_dur_ms;
	_Atomic uint32_t	d_owner;
	_Atomic uint32_t	d_brk_state;
	_Atomic uint32_t	d_brk_failures;
	_Atomic uint32_t	d_brk_successes;
	_Atomic uint32_t	d_brk_probe;
	_Atomic uint64_t	d_last_ok_ms;
	_Atomic uint64_t	d_brk_opened_ms;
};
_Static_assert(offsetof(struct shm_devrec, d_last_ok_ms) == 48, "devrec");
_Static_assert(sizeof(struct shm_devrec) == SHM_DEV_SIZE, "devrec is 64");

struct shm_layout {
	uint64_t	off_budget;
	uint64_t	off_held;
	uint64_t	off_slots;
	uint64_t	off_devs;
	uint64_t	off_nameidx;
	uint64_t	off_names;
	uint64_t	names_size;
	uint64_t	size;
	uint32_t	slot_size;
	uint32_t	dev_size;
};

#define SHM_HANDLE_MAGIC	0x4e534831u	/* "NSH1" */

/* Process-local: what a mapping looks like from here. */
struct shm {
	unsigned		 s_magic;
	int			 s_fd;		/* -1 for readers after attach */
	int			 s_rdonly;
	int			 s_posix;	/* named: shm_open/shm_unlink */
	char			 s_path[PATH_MAX];	/* shown to people */
	char			 s_shmname[SHM_NAME_MAX + 8]; /* "/naut.x" */
	char			 s_name[SHM_NAME_MAX + 1];
	unsigned char		*s_base;
	size_t			 s_size;
	dev_t			 s_dev;
	ino_t			 s_ino;
	uint64_t		 s_gen;		/* generation when attached */
	struct shm_hdr		*s_hdr;
	struct shm_budget	*s_budget;
	unsigned char		*s_held;
	unsigned char		*s_slots;
	unsigned char		*s_devs;
	const uint32_t		*s_nameidx;
	const char		*s_names;
	uint64_t		 s_names_size;
	unsigned		 s_nworkers;
	unsigned		 s_ndevices;
	size_t			 s_slot_size;
	int			*s_wakefd;	/* nworkers eventfds; creator */
	pid_t			 s_stale_pid;
	uint64_t		 s_stale_gen;
};

static inline struct shm_held *
shm_held_of(const struct shm *s, unsigned w)
{
	return (struct shm_held *)(void *)(s->s_held + (size_t)w * SHM_LINE);
}

static inline struct shm_slot *
shm_slot_of(const struct shm *s, unsigned w)
{
	return (struct shm_slot *)(void *)(s->s_slots + (size_t)w *
	    s->s_slot_size);
}

static inline struct shm_devrec *
shm_devrec_of(const struct shm *s, unsigned i)
{
	return (struct shm_devrec *)(void *)(s->s_devs + (size_t)i *
	    SHM_DEV_SIZE);
}

/* shm_layout.c */
int		 shm_layout(struct shm_layout *, uint32_t nworkers,
		    uint32_t ndevices, uint64_t names_size);
void		 shm_bind(struct shm *, const struct shm_layout *);
int		 shm_name_ok(const char *);
int		 shm_resolve(struct shm *, const char *name, const char *path,
		    char *errbuf);
int		 shm_open_path(const struct shm *, int flags, mode_t);
int		 shm_unlink_path(const struct shm *);
int		 shm_pid_alive(pid_t, uint64_t starttime);
uint64_t	 shm_proc_starttime(pid_t);
uint64_t	 shm_now_ms(int clock);
void		 shm_err(char *errbuf, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

#endif

/*
 * Worker slots: who runs in each slot, its heartbeat, its counter block,
 * and what the supervisor cleans up after the worker in a slot died.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "shm_int.h"

unsigned
shm_nworkers(const struct shm *s)
{
	return s->s_nworkers;
}

void
shm_worker_set(struct shm *s, unsigned w, pid_t pid, enum naut_wstate st)
{
	struct shm_slot *sl = shm_slot_of(s, w);

	atomic_store_explicit(&sl->ws_pid, (int32_t)pid, memory_order_relaxed);
	if (st == NAUT_WSTATE_STARTING) {
		atomic_fetch_add_explicit(&sl->ws_starts, 1,
		    memory_order_relaxed);
		atomic_store_explicit(&sl->ws_started_ms,
		    shm_now_ms(CLOCK_REALTIME), memory_order_relaxed);
	}
	atomic_store_explicit(&sl->ws_state, (uint32_t)st,
	    memory_order_release);
}

void
shm_worker_heartbeat(struct shm *s, unsigned w, uint64_t mono_ms)
{
	atomic_store_explicit(&shm_slot_of(s, w)->ws_heartbeat_ms, mono_ms,
	    memory_order_relaxed);
}

void
shm_worker_get(const struct shm *s, unsigned w, struct shm_worker *out)
{
	const struct shm_slot *sl = shm_slot_of(s, w);

	out->state = atomic_load_explicit(&sl->ws_state, memory_order_acquire);
	out->pid = atomic_load_explicit(&sl->ws_pid, memory_order_relaxed);
	out->starts = atomic_load_explicit(&sl->ws_starts,
	    memory_order_relaxed);
	out->heartbeat_ms = atomic_load_explicit(&sl->ws_heartbeat_ms,
	    memory_order_relaxed);
	out->started_ms = atomic_load_explicit(&sl->ws_started_ms,
	    memory_order_relaxed);
}

int
shm_worker_alive(const struct shm *s, unsigned w)
{
	struct shm_worker wk;

	shm_worker_get(s, w, &wk);
	if (wk.state != NAUT_WSTATE_STARTING &&
	    wk.state != NAUT_WSTATE_RUNNING && wk.state != NAUT_WSTATE_STOPPING)
		return 0;
	return wk.pid > 0 && (kill(wk.pid, 0) == 0 || errno == EPERM);
}

struct naut_ctr *
shm_ctr(struct shm *s, unsigned w)
{
	return &shm_slot_of(s, w)->ws_ctr;
}

void
shm_ctr_sum(const struct shm *s, struct ctr_snap *out)
{
	unsigned w;

	ctr_snap_zero(out);
	for (w = 0; w < s->s_nworkers; w++)
		ctr_snap_add(out, &shm_slot_of(s, w)->ws_ctr);
}

void
shm_ctr_read(const struct shm *s, unsigned w, struct ctr_snap *out)
{
	ctr_snap_zero(out);
	ctr_snap_add(out, &shm_slot_of(s, w)->ws_ctr);
}

void
shm_ctr_zero_gauges(struct shm *s, unsigned w)
{
	ctr_zero_gauges(&shm_slot_of(s, w)->ws_ctr);
}

/*
 * Devices the dead worker owned: a write it left half done is closed (the
 * record may hold a mix of old and new fields, which the replacement
 * overwrites), a probe it had out is dropped so the breaker can let the
 * next one through, and RUNNING goes back to PENDING.
 */
static void
reap_devices(struct shm *s, unsigned w, struct shm_reap *r)
{
	struct shm_devrec *d;
	struct shm_dev rec;
	uint32_t seq;
	unsigned i;

	for (i = 0; i < s->s_ndevices; i++) {
		d = shm_devrec_of(s, i);
		if (atomic_load_explicit(&d->d_owner, memory_order_relaxed) !=
		    w)
			continue;
		seq = atomic_load_explicit(&d->d_seq, memory_order_relaxed);
		if (seq & 1) {
			atomic_store_explicit(&d->d_seq, seq + 1,
			    memory_order_release);
			r->repaired++;
		}
		shm_dev_read(s, i, &rec);
		if (rec.run != NAUT_RUN_RUNNING && rec.brk.probe == 0)
			continue;
		if (rec.run == NAUT_RUN_RUNNING) {
			rec.run = NAUT_RUN_PENDING;
			r->requeued++;
		}
		rec.brk.probe = 0;
		shm_dev_write(s, i, &rec);
	}
}

enum shm_rc
shm_worker_reap(struct shm *s, unsigned w, int clean, struct shm_reap *r)
{
	struct shm_slot *sl = shm_slot_of(s, w);
	enum shm_rc rc;
	unsigned tok = 0;

	memset(r, 0, sizeof(*r));
	/* First: shm_budget_reclaim leaves dead slots out of its view. */
	atomic_store_explicit(&sl->ws_state, clean ? NAUT_WSTATE_STOPPED :
	    NAUT_WSTATE_DIED, memory_order_seq_cst);
	if ((rc = shm_budget_reclaim(s, w, &tok)) != SHM_OK)
		return rc;
	r->tokens = tok;
	/* A wake the dead worker never read must not fool its successor. */
	shm_budget_drain(s, w);
	shm_ctr_zero_gauges(s, w);
	reap_devices(s, w, r);
	return SHM_OK;
}

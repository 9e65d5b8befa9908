/*
 * The global concurrency budget: at most `limit` active operations across
 * all workers, tokens reclaimable from a worker that died, and wake-ups
 * through per-worker eventfds instead of spinning.
 *
 * Words: b_in_use (the one word every acquire CASes, so in_use <= limit
 * holds at every instant), and per worker hd_held (tokens it holds) and
 * hd_seq.  Only worker w writes hd_held/hd_seq of slot w (the supervisor
 * does after w is dead).
 *
 * Why hd_seq.  An acquire changes two words (in_use, then held[w]); a
 * release changes them back.  No order of those two writes lets an
 * outside reader see in_use == sum(held) at every moment, and no order
 * lets the supervisor tell, for a worker killed between the two writes,
 * whether in_use already counted its token.  So each operation is
 * bracketed by hd_seq going odd (before either write) and even (after
 * both), a seqlock per worker:
 *   - a reader that sees every hd_seq even and unchanged before and after
 *     reading in_use and held[] has a cut in which no operation was half
 *     done, so in_use == sum(held) must hold there exactly (a check that
 *     can fail: any missing or doubled update breaks it);
 *   - reclaiming a worker that died with hd_seq odd uses such a cut over
 *     the live workers: its share is in_use - sum(held of the others),
 *     which counts its half-done token exactly when, and only when, the
 *     CAS on in_use had happened.
 * The cost is two plain stores per operation on the worker's own line.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "shm_int.h"

#define RECLAIM_MS	200	/* how long reclaim looks for a cut */

#define RLX	memory_order_relaxed
#define ACQ	memory_order_acquire
#define REL	memory_order_release
#define SC	memory_order_seq_cst

/* Make w's sequence odd: an operation on in_use/held[w] has begun. */
static uint32_t
op_begin(struct shm_held *h)
{
	uint32_t seq = atomic_load_explicit(&h->hd_seq, RLX);

	atomic_store_explicit(&h->hd_seq, seq + 1, RLX);
	/* The odd value is ordered before the in_use and held stores. */
	atomic_thread_fence(REL);
	return seq + 1;
}

static void
op_end(struct shm_held *h, uint32_t odd)
{
	atomic_store_explicit(&h->hd_seq, odd + 1, REL);
}

/*
 * Wake up to n waiting workers, round robin from the one after `from`
 * (from itself last).  Claiming a waiter's flag with a CAS means two
 * releasers never spend their wake on the same worker.
 */
static void
wake(struct shm *s, unsigned from, unsigned n)
{
	struct shm_budget *b = s->s_budget;
	unsigned i, v;
	uint32_t one;

	if (n == 0 || atomic_load_explicit(&b->b_waiters, SC) == 0)
		return;
	for (i = 1; i <= s->s_nworkers && n > 0; i++) {
		v = (from + i) % s->s_nworkers;
		one = 1;
		if (!atomic_compare_exchange_strong_explicit(
		    &shm_held_of(s, v)->hd_waiting, &one, 0, SC, RLX))
			continue;
		atomic_fetch_sub_explicit(&b->b_waiters, 1, SC);
		/* EAGAIN means the counter is already non-zero: awake. */
		if (s->s_wakefd != NULL)
			(void)eventfd_write(s->s_wakefd[v], 1);
		n--;
	}
}

int
shm_budget_try_acquire(struct shm *s, unsigned w)
{
	struct shm_budget *b = s->s_budget;
	struct shm_held *h = shm_held_of(s, w);
	uint64_t lim = atomic_load_explicit(&b->b_limit, RLX);
	uint64_t u = atomic_load_explicit(&b->b_in_use, SC);
	uint32_t odd;
	int got = 0;

	/* Full: fail without writing anything. */
	if (u >= lim)
		return 0;
	odd = op_begin(h);
	while (u < lim) {
		if (atomic_compare_exchange_weak_explicit(&b->b_in_use, &u,
		    u + 1, SC, SC)) {
			got = 1;
			break;
		}
	}
	if (got)
		atomic_store_explicit(&h->hd_held,
		    atomic_load_explicit(&h->hd_held, RLX) + 1, RLX);
	op_end(h, odd);
	return got;
}

void
shm_budget_release(struct shm *s, unsigned w)
{
	struct shm_budget *b = s->s_budget;
	struct shm_held *h = shm_held_of(s, w);
	uint32_t held = atomic_load_explicit(&h->hd_held, RLX), odd;

	if (held == 0)
		fatalx("%s: worker %u releases a budget token it does not hold",
		    __func__, w);
	odd = op_begin(h);
	/* seq_cst: pairs with shm_budget_wait (see there). */
	atomic_fetch_sub_explicit(&b->b_in_use, 1, SC);
	atomic_store_explicit(&h->hd_held, held - 1, RLX);
	op_end(h, odd);
	wake(s, w, 1);
}

/*
 * No lost wake-up: the waiter publishes itself (seq_cst) and then reads
 * in_use (seq_cst); a releaser decrements in_use (seq_cst) and then reads
 * waiters (seq_cst).  In the single total order one of the two comes
 * second and sees the other: the waiter finds the free token, or the
 * releaser finds the waiter.  waiters is raised before the flag so that it
 * never drops below the number of flags set (no transient wrap to 2^32-1).
 */
int
shm_budget_wait(struct shm *s, unsigned w)
{
	struct shm_budget *b = s->s_budget;
	struct shm_held *h = shm_held_of(s, w);

	if (atomic_load_explicit(&h->hd_waiting, SC) == 0) {
		atomic_fetch_add_explicit(&b->b_waiters, 1, SC);
		if (atomic_exchange_explicit(&h->hd_waiting, 1, SC) != 0)
			atomic_fetch_sub_explicit(&b->b_waiters, 1, SC);
	}
	if (shm_budget_try_acquire(s, w)) {
		uint32_t one = 1;

		if (atomic_compare_exchange_strong_explicit(&h->hd_waiting,
		    &one, 0, SC, RLX))
			atomic_fetch_sub_explicit(&b->b_waiters, 1, SC);
		return 1;
	}
	return 0;
}

void
shm_budget_unwait(struct shm *s, unsigned w)
{
	struct shm_budget *b = s->s_budget;
	struct shm_held *h = shm_held_of(s, w);
	uint32_t one = 1;

	if (atomic_compare_exchange_strong_explicit(&h->hd_waiting, &one, 0,
	    SC, RLX))
		atomic_fetch_sub_explicit(&b->b_waiters, 1, SC);
	/* A wake we were sent but will not use goes to the next waiter. */
	if (atomic_load_explicit(&b->b_in_use, SC) <
	    atomic_load_explicit(&b->b_limit, RLX))
		wake(s, w, 1);
}

int
shm_budget_wakefd(const struct shm *s, unsigned w)
{
	return s->s_wakefd != NULL ? s->s_wakefd[w] : -1;
}

void
shm_budget_drain(struct shm *s, unsigned w)
{
	eventfd_t v;

	/* One read resets an eventfd counter; EAGAIN: nothing pending. */
	if (s->s_wakefd != NULL)
		(void)eventfd_read(s->s_wakefd[w], &v);
}

void
shm_budget_set_limit(struct shm *s, unsigned lim)
{
	uint64_t old = atomic_exchange_explicit(&s->s_budget->b_limit, lim, SC);

	if (lim > old)
		wake(s, s->s_nworkers - 1, (unsigned)(lim - old));
}

static int
frozen(const struct shm *s, unsigned i)
{
	uint32_t st = atomic_load_explicit(&shm_slot_of(s, i)->ws_state, SC);

	return st == NAUT_WSTATE_DIED || st == NAUT_WSTATE_STOPPED;
}

static void
pause_a_little(unsigned n)
{
	struct timespec ts = { 0, 100000 };

	if (n % 64 == 63)
		nanosleep(&ts, NULL);
	else
		sched_yield();
}

/*
 * Share of dead worker w in in_use, from a cut over the live workers.
 * Other frozen slots are counted at their held[] value; if one of them
 * also died mid-operation the share may be off by one here, but it is
 * never negative nor more than in_use - sum(live), and the last frozen
 * slot reclaimed gets in_use exactly back to sum(live).
 */
static int
dead_share(const struct shm *s, unsigned w, unsigned *share)
{
	uint32_t seqs[SHM_MAX_WORKERS];
	unsigned char live[SHM_MAX_WORKERS];
	const struct shm_budget *b = s->s_budget;
	unsigned i, n = s->s_nworkers, t;
	uint64_t u, sum_live, sum_frozen, deadline;
	int ok;

	deadline = shm_now_ms(CLOCK_MONOTONIC) + RECLAIM_MS;
	for (t = 0;; t++) {
		if (t > 0) {
			if (shm_now_ms(CLOCK_MONOTONIC) > deadline)
				return -1;
			pause_a_little(t);
		}
		ok = 1;
		for (i = 0; i < n && ok; i++) {
			live[i] = i != w && !frozen(s, i);
			if (!live[i])
				continue;
			seqs[i] = atomic_load_explicit(
			    &shm_held_of(s, i)->hd_seq, ACQ);
			ok = (seqs[i] & 1) == 0;
		}
		if (!ok)
			continue;
		u = atomic_load_explicit(&b->b_in_use, RLX);
		sum_live = sum_frozen = 0;
		for (i = 0; i < n; i++) {
			uint32_t hv = atomic_load_explicit(
			    &shm_held_of(s, i)->hd_held, RLX);

			if (live[i])
				sum_live += hv;
			else if (i != w)
				sum_frozen += hv;
		}
		atomic_thread_fence(ACQ);
		for (i = 0; i < n && ok; i++)
			if (live[i] && atomic_load_explicit(
			    &shm_held_of(s, i)->hd_seq, RLX) != seqs[i])
				ok = 0;
		if (!ok)
			continue;
		if (u < sum_live + sum_frozen)
			*share = 0;
		else
			*share = (unsigned)(u - sum_live - sum_frozen);
		return 0;
	}
}

enum shm_rc
shm_budget_reclaim(struct shm *s, unsigned w, unsigned *ntok)
{
	struct shm_budget *b = s->s_budget;
	struct shm_held *h = shm_held_of(s, w);
	uint32_t seq0, odd, one = 1;
	unsigned share;

	*ntok = 0;
	seq0 = atomic_load_explicit(&h->hd_seq, ACQ);
	if ((seq0 & 1) == 0)
		share = atomic_load_explicit(&h->hd_held, RLX);
	else if (dead_share(s, w, &share) == -1)
		return SHM_EAGAIN;
	/* Our own odd bracket, different from seq0, so that views that
	 * straddle the fix-up are rejected. */
	odd = (seq0 | 1) + 2;
	atomic_store_explicit(&h->hd_seq, odd, RLX);
	atomic_thread_fence(REL);
	if (share > 0)
		atomic_fetch_sub_explicit(&b->b_in_use, share, SC);
	atomic_store_explicit(&h->hd_held, 0, RLX);
	if (atomic_compare_exchange_strong_explicit(&h->hd_waiting, &one, 0,
	    SC, RLX))
		atomic_fetch_sub_explicit(&b->b_waiters, 1, SC);
	op_end(h, odd);
	wake(s, w, share);
	*ntok = share;
	return SHM_OK;
}

void
shm_budget_view(const struct shm *s, struct shm_budget_view *v,
    uint32_t *held, unsigned tries)
{
	uint32_t seqs[SHM_MAX_WORKERS];
	const struct shm_budget *b = s->s_budget;
	unsigned i, n = s->s_nworkers, t;
	uint64_t u, sum;
	int ok;

	if (tries == 0)
		tries = 1;
	for (t = 0; t < tries; t++) {
		if (t > 0 && t % 64 == 0)
			sched_yield();
		ok = 1;
		for (i = 0; i < n; i++) {
			seqs[i] = atomic_load_explicit(
			    &shm_held_of(s, i)->hd_seq, ACQ);
			if (seqs[i] & 1)
				ok = 0;
		}
		u = atomic_load_explicit(&b->b_in_use, RLX);
		sum = 0;
		for (i = 0; i < n; i++) {
			uint32_t hv = atomic_load_explicit(
			    &shm_held_of(s, i)->hd_held, RLX);

			if (held != NULL)
				held[i] = hv;
			sum += hv;
		}
		v->limit = (unsigned)atomic_load_explicit(&b->b_limit, RLX);
		v->waiters = atomic_load_explicit(&b->b_waiters, RLX);
		atomic_thread_fence(ACQ);
		for (i = 0; i < n && ok; i++)
			if (atomic_load_explicit(&shm_held_of(s, i)->hd_seq,
			    RLX) != seqs[i])
				ok = 0;
		v->in_use = (unsigned)u;
		v->held_sum = sum;
		v->consistent = ok;
		if (ok)
			return;
	}
}

/*
 * Per-device records under a seqlock, and the device name table.
 *
 * One writer per record at a time (its owning worker), so the seqlock
 * needs no lock word: the writer makes d_seq odd, stores the fields, makes
 * it even again.  Every field is a relaxed atomic, so a reader racing a
 * writer reads stale or new words, never torn ones (and no C11 data race);
 * the sequence check tells it whether the set of words belongs together.
 */
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "shm_int.h"

/*
 * Spins between yields, and how long to keep trying before calling the
 * writer dead: time, not a count, so that a slow reader (sanitizers,
 * valgrind, a loaded host) is not mistaken for a torn record.
 */
#define DEV_SPINS	64
#define DEV_WAIT_MS	20

unsigned
shm_ndevices(const struct shm *s)
{
	return s->s_ndevices;
}

const char *
shm_dev_name(const struct shm *s, unsigned i)
{
	uint32_t off;

	if (i >= s->s_ndevices)
		return "";
	off = s->s_nameidx[i];
	/* attach checked the table ends in NUL; an index must land in it. */
	if (off >= s->s_names_size)
		return "";
	return s->s_names + off;
}

#define ST(f, v)	atomic_store_explicit(&r->f, (v), memory_order_relaxed)
#define LD(f)		atomic_load_explicit(&r->f, memory_order_relaxed)

void
shm_dev_write(struct shm *s, unsigned i, const struct shm_dev *d)
{
	struct shm_devrec *r = shm_devrec_of(s, i);
	uint32_t seq = atomic_load_explicit(&r->d_seq, memory_order_relaxed);

	atomic_store_explicit(&r->d_seq, seq + 1, memory_order_relaxed);
	/* The odd sequence is visible before any field changes. */
	atomic_thread_fence(memory_order_release);
	ST(d_run, d->run);
	ST(d_attempts, d->attempts);
	ST(d_last_result, d->last_result);
	ST(d_last_err, d->last_err);
	ST(d_last_code, d->last_code);
	ST(d_last_dur_ms, d->last_dur_ms);
	ST(d_owner, d->owner);
	ST(d_last_ok_ms, d->last_ok_ms);
	ST(d_brk_state, d->brk.state);
	ST(d_brk_failures, d->brk.failures);
	ST(d_brk_successes, d->brk.successes);
	ST(d_brk_probe, d->brk.probe);
	ST(d_brk_opened_ms, d->brk.opened_ms);
	atomic_store_explicit(&r->d_seq, seq + 2, memory_order_release);
}

static void
load(const struct shm_devrec *r, struct shm_dev *d)
{
	d->run = LD(d_run);
	d->attempts = LD(d_attempts);
	d->last_result = LD(d_last_result);
	d->last_err = LD(d_last_err);
	d->last_code = LD(d_last_code);
	d->last_dur_ms = LD(d_last_dur_ms);
	d->owner = LD(d_owner);
	d->last_ok_ms = LD(d_last_ok_ms);
	d->brk.state = LD(d_brk_state);
	d->brk.failures = LD(d_brk_failures);
	d->brk.successes = LD(d_brk_successes);
	d->brk.probe = LD(d_brk_probe);
	d->brk.opened_ms = LD(d_brk_opened_ms);
}

int
shm_dev_read(const struct shm *s, unsigned i, struct shm_dev *d)
{
	const struct shm_devrec *r = shm_devrec_of(s, i);
	uint64_t deadline = 0;
	uint32_t s1, s2;
	unsigned n;

	for (n = 0;; n++) {
		if (n > 0 && n % DEV_SPINS == 0) {
			if (deadline == 0)
				deadline = shm_now_ms(CLOCK_MONOTONIC) +
				    DEV_WAIT_MS;
			else if (shm_now_ms(CLOCK_MONOTONIC) > deadline)
				break;
			sched_yield();
		}
		s1 = atomic_load_explicit(&r->d_seq, memory_order_acquire);
		if (s1 & 1)
			continue;
		load(r, d);
		/* The field loads complete before the sequence is read again. */
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&r->d_seq, memory_order_relaxed);
		if (s1 == s2)
			return 0;
	}
	load(r, d);
	return -1;
}

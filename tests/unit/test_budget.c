/*
 * test_budget: the global concurrency budget.  Single-process accounting
 * and wake-ups first; then real processes: workers killed in the middle of
 * an acquire or release and reclaimed exactly, a reclaim that must wait for
 * a stopped worker, and four writers hammering the budget and their
 * counters while a read-only reader checks the invariants the whole time.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shm.h"

struct fx {
	char		 dir[64];
	char		 path[96];
	char		 errbuf[SHM_ERRBUF];
	struct shm	*s;		/* the "supervisor" handle (rw) */
	struct shm	*r;		/* a naut-stat style reader (ro) */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static pid_t
spawn(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

static int
setup_n(void **state, unsigned nw, unsigned limit)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct shm_params p;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_budget.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/seg", f->dir);
	memset(&p, 0, sizeof(p));
	p.path = f->path;
	p.nworkers = nw;
	p.ndevices = 4;
	p.budget = limit;
	if (shm_create(&p, &f->s, f->errbuf) != SHM_OK ||
	    shm_attach(NULL, f->path, &f->r, f->errbuf) != SHM_OK)
		return -1;
	*state = f;
	return 0;
}

static int
setup4(void **state)
{
	return setup_n(state, 4, 3);
}

static int
setup_hammer(void **state)
{
	return setup_n(state, 5, 5);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	shm_close(f->r);
	shm_remove(f->s);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A consistent view, which must exist once nobody is mid-operation. */
static void
quiet_view(struct fx *f, struct shm_budget_view *v, uint32_t *held)
{
	shm_budget_view(f->r, v, held, 1000);
	assert_true(v->consistent);
	assert_int_equal(v->in_use, v->held_sum);
}

static int64_t
ctr_gauge_val_slot(struct fx *f, unsigned w)
{
	struct ctr_snap one;

	shm_ctr_read(f->r, w, &one);
	return ctr_gauge_val(&one, CTR_ID_sessions_open);
}

static int
readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void
test_budget_limit_and_accounting(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;
	uint32_t held[4];

	assert_int_equal(shm_budget_try_acquire(f->s, 0), 1);
	assert_int_equal(shm_budget_try_acquire(f->s, 2), 1);
	assert_int_equal(shm_budget_try_acquire(f->s, 2), 1);
	assert_int_equal(shm_budget_try_acquire(f->s, 1), 0);
	assert_int_equal(shm_budget_try_acquire(f->s, 0), 0);
	quiet_view(f, &v, held);
	assert_int_equal(v.limit, 3);
	assert_int_equal(v.in_use, 3);
	assert_int_equal(held[0], 1);
	assert_int_equal(held[1], 0);
	assert_int_equal(held[2], 2);
	assert_int_equal(held[3], 0);
	shm_budget_release(f->s, 2);
	assert_int_equal(shm_budget_try_acquire(f->s, 1), 1);
	quiet_view(f, &v, held);
	assert_int_equal(v.in_use, 3);
	assert_int_equal(held[1], 1);
	assert_int_equal(held[2], 1);
	shm_budget_release(f->s, 0);
	shm_budget_release(f->s, 1);
	shm_budget_release(f->s, 2);
	quiet_view(f, &v, held);
	assert_int_equal(v.in_use, 0);
	assert_int_equal(v.waiters, 0);
}

static void
test_budget_set_limit(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;

	assert_int_equal(shm_budget_try_acquire(f->s, 0), 1);
	assert_int_equal(shm_budget_try_acquire(f->s, 0), 1);
	shm_budget_set_limit(f->s, 1);
	/* Lowered below in_use: nothing taken away, nothing new given. */
	assert_int_equal(shm_budget_try_acquire(f->s, 1), 0);
	shm_budget_release(f->s, 0);
	assert_int_equal(shm_budget_try_acquire(f->s, 1), 0);
	shm_budget_release(f->s, 0);
	assert_int_equal(shm_budget_try_acquire(f->s, 1), 1);
	/* Raised while someone waits: the waiter is woken. */
	assert_int_equal(shm_budget_wait(f->s, 3), 0);
	assert_false(readable(shm_budget_wakefd(f->s, 3)));
	shm_budget_set_limit(f->s, 2);
	assert_true(readable(shm_budget_wakefd(f->s, 3)));
	shm_budget_drain(f->s, 3);
	assert_false(readable(shm_budget_wakefd(f->s, 3)));
	assert_int_equal(shm_budget_try_acquire(f->s, 3), 1);
	quiet_view(f, &v, NULL);
	assert_int_equal(v.limit, 2);
	assert_int_equal(v.in_use, 2);
	assert_int_equal(v.waiters, 0);
	shm_budget_release(f->s, 1);
	shm_budget_release(f->s, 3);
}

static void
test_budget_wait_retry_wins(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;

	/* Free tokens between the failed try and the wait: no sleeping. */
	assert_int_equal(shm_budget_wait(f->s, 1), 1);
	quiet_view(f, &v, NULL);
	assert_int_equal(v.in_use, 1);
	assert_int_equal(v.waiters, 0);
	assert_false(readable(shm_budget_wakefd(f->s, 1)));
	shm_budget_release(f->s, 1);
}

static void
test_budget_release_wakes_waiter(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;
	unsigned i;

	for (i = 0; i < 3; i++)
		assert_int_equal(shm_budget_try_acquire(f->s, 0), 1);
	assert_int_equal(shm_budget_try_acquire(f->s, 2), 0);
	assert_int_equal(shm_budget_wait(f->s, 2), 0);
	quiet_view(f, &v, NULL);
	assert_int_equal(v.waiters, 1);
	assert_false(readable(shm_budget_wakefd(f->s, 2)));
	shm_budget_release(f->s, 0);
	assert_true(readable(shm_budget_wakefd(f->s, 2)));
	quiet_view(f, &v, NULL);
	assert_int_equal(v.waiters, 0);
	/* Another worker grabs the token first: a wake is only a hint. */
	assert_int_equal(shm_budget_try_acquire(f->s, 3), 1);
	shm_budget_drain(f->s, 2);
	assert_int_equal(shm_budget_try_acquire(f->s, 2), 0);
	assert_int_equal(shm_budget_wait(f->s, 2), 0);
	/* The next release wakes it again: nothing is lost. */
	shm_budget_release(f->s, 3);
	assert_true(readable(shm_budget_wakefd(f->s, 2)));
	shm_budget_drain(f->s, 2);
	assert_int_equal(shm_budget_try_acquire(f->s, 2), 1);
	shm_budget_release(f->s, 0);
	shm_budget_release(f->s, 0);
	shm_budget_release(f->s, 2);
	quiet_view(f, &v, NULL);
	assert_int_equal(v.in_use, 0);
	assert_int_equal(v.waiters, 0);
}

static void
test_budget_wakes_round_robin(void **state)
{
	struct fx *f = *state;
	unsigned i;

	for (i = 0; i < 3; i++)
		assert_int_equal(shm_budget_try_acquire(f->s, 1), 1);
	assert_int_equal(shm_budget_wait(f->s, 0), 0);
	assert_int_equal(shm_budget_wait(f->s, 2), 0);
	assert_int_equal(shm_budget_wait(f->s, 3), 0);
	/* Released by worker 1: 2 first, then 3, then 0 (wrapping). */
	shm_budget_release(f->s, 1);
	assert_true(readable(shm_budget_wakefd(f->s, 2)));
	assert_false(readable(shm_budget_wakefd(f->s, 3)));
	assert_false(readable(shm_budget_wakefd(f->s, 0)));
	shm_budget_release(f->s, 1);
	assert_true(readable(shm_budget_wakefd(f->s, 3)));
	assert_false(readable(shm_budget_wakefd(f->s, 0)));
	shm_budget_release(f->s, 1);
	assert_true(readable(shm_budget_wakefd(f->s, 0)));
	for (i = 0; i < 4; i++)
		shm_budget_drain(f->s, i);
}

static void
test_budget_unwait_passes_wake_on(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;
	unsigned i;

	for (i = 0; i < 3; i++)
		assert_int_equal(shm_budget_try_acquire(f->s, 0), 1);
	assert_int_equal(shm_budget_wait(f->s, 1), 0);
	assert_int_equal(shm_budget_wait(f->s, 2), 0);
	shm_budget_release(f->s, 0);
	assert_true(readable(shm_budget_wakefd(f->s, 1)));
	/* Worker 1 no longer needs it: worker 2 gets the wake instead. */
	shm_budget_drain(f->s, 1);
	shm_budget_unwait(f->s, 1);
	assert_true(readable(shm_budget_wakefd(f->s, 2)));
	quiet_view(f, &v, NULL);
	assert_int_equal(v.waiters, 0);
	shm_budget_drain(f->s, 2);
	shm_budget_release(f->s, 0);
	shm_budget_release(f->s, 0);
}

static void
test_budget_reclaim_quiescent_worker(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;
	struct shm_reap rp;
	uint32_t held[4];
	pid_t child;
	int st, pfd[2];
	char c;

	assert_int_equal(pipe(pfd), 0);
	child = spawn();
	assert_true(child >= 0);
	if (child == 0) {
		shm_worker_set(f->s, 1, getpid(), NAUT_WSTATE_RUNNING);
		shm_budget_try_acquire(f->s, 1);
		shm_budget_try_acquire(f->s, 1);
		ctr_gauge_add(&shm_ctr(f->s, 1)->sessions_open, 2);
		CTR_ADD(shm_ctr(f->s, 1), attempts, 2);
		(void)write(pfd[1], "x", 1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pfd[0], &c, 1), 1);
	/* One token left: the retry inside wait takes it. */
	assert_int_equal(shm_budget_wait(f->s, 3), 1);
	assert_int_equal(shm_budget_try_acquire(f->s, 0), 0);
	assert_int_equal(shm_budget_wait(f->s, 0), 0);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_false(readable(shm_budget_wakefd(f->s, 0)));
	assert_int_equal(shm_worker_reap(f->s, 1, 0, &rp), SHM_OK);
	assert_int_equal(rp.tokens, 2);
	/* Freed tokens wake the waiter, and the dead worker's gauge is 0. */
	assert_true(readable(shm_budget_wakefd(f->s, 0)));
	shm_budget_drain(f->s, 0);
	assert_int_equal(ctr_gauge_val_slot(f, 1), 0);
	quiet_view(f, &v, held);
	assert_int_equal(held[1], 0);
	assert_int_equal(held[3], 1);
	assert_int_equal(v.in_use, 1);
	assert_int_equal(v.waiters, 0);
	/* Reclaiming again gives nothing: no double release. */
	assert_int_equal(shm_worker_reap(f->s, 1, 0, &rp), SHM_OK);
	assert_int_equal(rp.tokens, 0);
	quiet_view(f, &v, NULL);
	assert_int_equal(v.in_use, 1);
	close(pfd[0]);
	close(pfd[1]);
	shm_budget_release(f->s, 3);
}

/*
 * Kill a worker that does nothing but acquire and release, at a random
 * moment, again and again.  Most kills land inside an operation (the
 * reader then sees no consistent view until the reap); either way the
 * reap must give back exactly that worker's share, no more (worker 2
 * keeps one token throughout) and no less (nothing leaks).
 */
static void
test_budget_kill_mid_operation(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;
	struct shm_reap rp;
	uint32_t held[4];
	unsigned round, midop = 0, seed = 42;
	pid_t child;
	int st;

	assert_int_equal(shm_budget_try_acquire(f->s, 2), 1);
	for (round = 0; round < 40; round++) {
		child = spawn();
		assert_true(child >= 0);
		if (child == 0) {
			unsigned h = 0;

			shm_worker_set(f->s, 0, getpid(), NAUT_WSTATE_RUNNING);
			for (;;) {
				if (h < 2 && shm_budget_try_acquire(f->s, 0))
					h++;
				else if (h > 0) {
					shm_budget_release(f->s, 0);
					h--;
				}
			}
		}
		usleep(1000 + rand_r(&seed) % 3000);
		kill(child, SIGKILL);
		assert_int_equal(waitpid(child, &st, 0), child);
		shm_budget_view(f->r, &v, held, 50);
		if (!v.consistent)
			midop++;
		assert_true(v.in_use <= v.limit);
		assert_int_equal(shm_worker_reap(f->s, 0, 0, &rp), SHM_OK);
		assert_true(rp.tokens <= 2);
		quiet_view(f, &v, held);
		assert_int_equal(v.in_use, 1);
		assert_int_equal(held[0], 0);
		assert_int_equal(held[2], 1);
	}
	print_message("kill mid-operation: %u of 40 kills landed inside "
	    "an acquire or release\n", midop);
	assert_true(midop > 0);
	shm_budget_release(f->s, 2);
}

/*
 * Reclaim needs a moment when no live worker is mid-operation.  A worker
 * stopped (SIGSTOP) inside one denies it: reclaim says SHM_EAGAIN rather
 * than guess, and succeeds once that worker is reaped too.
 */
static void
test_budget_reclaim_waits_for_stuck_worker(void **state)
{
	struct fx *f = *state;
	struct shm_budget_view v;
	struct shm_reap rp;
	unsigned round, eagain = 0;
	pid_t a, b;
	int st;

	assert_int_equal(shm_budget_try_acquire(f->s, 3), 1);
	for (round = 0; round < 60 && eagain == 0; round++) {
		pid_t *kids[2] = { &a, &b };
		unsigned k;

		for (k = 0; k < 2; k++) {
			*kids[k] = spawn();
			assert_true(*kids[k] >= 0);
			if (*kids[k] == 0) {
				unsigned h = 0;

				shm_worker_set(f->s, k, getpid(),
				    NAUT_WSTATE_RUNNING);
				for (;;) {
					if (h < 1 &&
					    shm_budget_try_acquire(f->s, k))
						h++;
					else if (h > 0) {
						shm_budget_release(f->s, k);
						h--;
					}
				}
			}
		}
		usleep(3000);
		kill(b, SIGSTOP);
		kill(a, SIGKILL);
		waitpid(a, &st, 0);
		if (shm_worker_reap(f->s, 0, 0, &rp) == SHM_EAGAIN)
			eagain++;
		kill(b, SIGKILL);
		waitpid(b, &st, 0);
		assert_int_equal(shm_worker_reap(f->s, 1, 0, &rp), SHM_OK);
		assert_int_equal(shm_worker_reap(f->s, 0, 0, &rp), SHM_OK);
		quiet_view(f, &v, NULL);
		assert_int_equal(v.in_use, 1);	/* worker 3's, and only it */
	}
	print_message("stuck worker: SHM_EAGAIN after %u round(s)\n", round);
	assert_true(eagain > 0);
	shm_budget_release(f->s, 3);
}

/* ---- four hammering writers ---- */

#define HW		4		/* writers in slots 0..3 */
#define VICTIM		2
#define HOLD		2		/* tokens the victim keeps at the end */
#define REPLACEMENT	1000

struct hres {
	uint64_t	acquired, released, waits, wakes, fallbacks;
	int		done;
};

struct hammer {
	_Atomic int	stop;
	_Atomic int	hold_phase;
	_Atomic int	holding;
	struct hres	res[HW];
};

static void
take(struct shm *s, unsigned w, unsigned *held, struct hres *r)
{
	(*held)++;
	r->acquired++;
	CTR_INC(shm_ctr(s, w), attempts);
	ctr_gauge_add(&shm_ctr(s, w)->sessions_open, 1);
}

static void
give(struct shm *s, unsigned w, unsigned *held, struct hres *r,
    unsigned seed)
{
	shm_budget_release(s, w);
	(*held)--;
	r->released++;
	CTR_INC(shm_ctr(s, w), successes);
	ctr_gauge_add(&shm_ctr(s, w)->sessions_open, -1);
	ctr_observe(&shm_ctr(s, w)->session_duration_ms, seed % 5000);
}

static void __attribute__((noreturn))
hammer_writer(struct shm *s, struct hammer *hm, unsigned w)
{
	struct hres r;
	struct pollfd pfd = { shm_budget_wakefd(s, w), POLLIN, 0 };
	unsigned held = 0, floor = 0, seed = 1234 + w, x;

	memset(&r, 0, sizeof(r));
	shm_worker_set(s, w, getpid(), NAUT_WSTATE_RUNNING);
	while (!atomic_load(&hm->stop)) {
		x = rand_r(&seed);
		if (held < 3 && (x & 1)) {
			if (shm_budget_try_acquire(s, w)) {
				take(s, w, &held, &r);
				continue;
			}
			r.waits++;
			/* Like a worker's loop, keep finishing sessions while
			 * others wait; sleep only with nothing to give back
			 * (else all tokens can sit with sleepers). */
			if (held > floor) {
				CTR_INC(shm_ctr(s, w), budget_waits);
				give(s, w, &held, &r, x);
				continue;
			}
			CTR_INC(shm_ctr(s, w), budget_waits);
			if (shm_budget_wait(s, w)) {
				take(s, w, &held, &r);
				continue;
			}
			/* A worker would sleep in its loop on this fd. */
			if (poll(&pfd, 1, 5) == 1) {
				r.wakes++;
				shm_budget_drain(s, w);
			} else
				r.fallbacks++;
			shm_budget_unwait(s, w);
		} else if (held > floor)
			give(s, w, &held, &r, x);
		if (w == VICTIM && atomic_load(&hm->hold_phase) &&
		    held >= HOLD && floor == 0) {
			floor = HOLD;
			atomic_store(&hm->holding, 1);
		}
	}
	while (held > 0)
		give(s, w, &held, &r, seed);
	r.done = 1;
	hm->res[w] = r;
	_exit(0);
}

struct hcheck {
	uint64_t	views, consistent, over_limit, unequal;
};

static void
check_for(struct fx *f, struct hcheck *c, uint64_t ms)
{
	struct shm_budget_view v;
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		shm_budget_view(f->r, &v, NULL, 16);
		c->views++;
		/* in_use is one word: this holds at every instant. */
		if (v.in_use > v.limit)
			c->over_limit++;
		if (v.consistent) {
			c->consistent++;
			if (v.in_use != v.held_sum || v.held_sum > v.limit)
				c->unequal++;
		}
	}
}

static void
test_budget_hammer_four_writers(void **state)
{
	struct fx *f = *state;
	struct hammer *hm;
	struct hcheck chk;
	struct shm_budget_view v;
	struct shm_reap rp;
	struct ctr_snap one, sum;
	uint32_t held[5];
	pid_t kids[HW], repl;
	uint64_t frozen, deadline, expect_attempts = 0;
	enum shm_rc rc;
	unsigned w;
	int st;

	hm = mmap(NULL, sizeof(*hm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(hm != MAP_FAILED);
	memset(hm, 0, sizeof(*hm));
	memset(&chk, 0, sizeof(chk));
	for (w = 0; w < HW; w++) {
		kids[w] = spawn();
		assert_true(kids[w] >= 0);
		if (kids[w] == 0)
			hammer_writer(f->s, hm, w);
	}
	check_for(f, &chk, 1200);

	/* The victim keeps HOLD tokens; kill it while it has them. */
	atomic_store(&hm->hold_phase, 1);
	deadline = now_ms() + 3000;
	while (!atomic_load(&hm->holding) && now_ms() < deadline)
		check_for(f, &chk, 1);
	assert_true(atomic_load(&hm->holding));
	check_for(f, &chk, 3);
	kill(kids[VICTIM], SIGKILL);
	assert_int_equal(waitpid(kids[VICTIM], &st, 0), kids[VICTIM]);
	assert_true(WIFSIGNALED(st));
	deadline = now_ms() + 5000;
	while ((rc = shm_worker_reap(f->s, VICTIM, 0, &rp)) == SHM_EAGAIN &&
	    now_ms() < deadline)
		;
	assert_int_equal(rc, SHM_OK);
	print_message("hammer: victim held >= %d, reclaimed %u\n", HOLD,
	    rp.tokens);
	assert_true(rp.tokens >= HOLD && rp.tokens <= 3);
	check_for(f, &chk, 300);

	atomic_store(&hm->stop, 1);
	for (w = 0; w < HW; w++) {
		if (w == VICTIM)
			continue;
		assert_int_equal(waitpid(kids[w], &st, 0), kids[w]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		assert_true(hm->res[w].done);
	}
	print_message("hammer: %llu views, %llu consistent, %llu over limit, "
	    "%llu unequal\n", (unsigned long long)chk.views,
	    (unsigned long long)chk.consistent,
	    (unsigned long long)chk.over_limit,
	    (unsigned long long)chk.unequal);
	assert_int_equal(chk.over_limit, 0);
	assert_int_equal(chk.unequal, 0);
	assert_true(chk.consistent > 100);

	/* No token leaked, nobody left waiting. */
	quiet_view(f, &v, held);
	assert_int_equal(v.in_use, 0);
	assert_int_equal(v.held_sum, 0);
	assert_int_equal(v.waiters, 0);

	/* Exact counters of every survivor. */
	for (w = 0; w < HW; w++) {
		const struct hres *r = &hm->res[w];

		if (w == VICTIM)
			continue;
		print_message("hammer: writer %u acquired %llu waits %llu "
		    "wakes %llu fallbacks %llu\n", w,
		    (unsigned long long)r->acquired,
		    (unsigned long long)r->waits,
		    (unsigned long long)r->wakes,
		    (unsigned long long)r->fallbacks);
		assert_true(r->acquired > 1000);
		assert_int_equal(r->acquired, r->released);
		shm_ctr_read(f->r, w, &one);
		assert_int_equal(ctr_val(&one, CTR_ID_attempts, 0),
		    r->acquired);
		assert_int_equal(ctr_val(&one, CTR_ID_successes, 0),
		    r->released);
		assert_int_equal(ctr_val(&one, CTR_ID_budget_waits, 0),
		    r->waits);
		assert_int_equal(ctr_hist_count(&one,
		    CTR_ID_session_duration_ms), r->released);
		assert_int_equal(ctr_gauge_val(&one, CTR_ID_sessions_open), 0);
		expect_attempts += r->acquired;
	}

	/* The victim's counters stay; its gauge was zeroed by the reap; a
	 * replacement in the same slot keeps adding. */
	shm_ctr_read(f->r, VICTIM, &one);
	frozen = ctr_val(&one, CTR_ID_attempts, 0);
	assert_true(frozen > 0);
	assert_int_equal(ctr_gauge_val(&one, CTR_ID_sessions_open), 0);
	repl = spawn();
	assert_true(repl >= 0);
	if (repl == 0) {
		unsigned i;

		shm_worker_set(f->s, VICTIM, getpid(), NAUT_WSTATE_STARTING);
		for (i = 0; i < REPLACEMENT; i++) {
			if (!shm_budget_try_acquire(f->s, VICTIM))
				_exit(2);
			CTR_INC(shm_ctr(f->s, VICTIM), attempts);
			shm_budget_release(f->s, VICTIM);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(repl, &st, 0), repl);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	shm_ctr_read(f->r, VICTIM, &one);
	assert_int_equal(ctr_val(&one, CTR_ID_attempts, 0),
	    frozen + REPLACEMENT);
	shm_ctr_sum(f->r, &sum);
	assert_int_equal(ctr_val(&sum, CTR_ID_attempts, 0),
	    expect_attempts + frozen + REPLACEMENT);
	assert_int_equal(ctr_gauge_val(&sum, CTR_ID_sessions_open), 0);
	quiet_view(f, &v, NULL);
	assert_int_equal(v.in_use, 0);
	munmap(hm, sizeof(*hm));
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup4, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_budget_limit_and_accounting),
		T(test_budget_set_limit),
		T(test_budget_wait_retry_wins),
		T(test_budget_release_wakes_waiter),
		T(test_budget_wakes_round_robin),
		T(test_budget_unwait_passes_wake_on),
		T(test_budget_reclaim_quiescent_worker),
		T(test_budget_kill_mid_operation),
		T(test_budget_reclaim_waits_for_stuck_worker),
		cmocka_unit_test_setup_teardown(test_budget_hammer_four_writers,
		    setup_hammer, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

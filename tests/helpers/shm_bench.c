/*
 * shm_bench: what the segment's hot operations cost, in nanoseconds, on
 * a real segment.  Run by bench/nstat_bench.sh; prints one line per
 * figure ("name ns/op") and asserts nothing: targets live in the script.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
report(const char *what, double ns, unsigned long n)
{
	printf("%-44s %8.1f ns/op  (%lu ops)\n", what, ns / (double)n, n);
	fflush(stdout);
}

/* Two processes doing acquire/release pairs at once on one budget. */
static double
contended(struct shm *s, unsigned long n)
{
	_Atomic int *go = mmap(NULL, sizeof(*go), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t kid;
	unsigned long i;
	double t0, t1;
	int st;

	atomic_store(go, 0);
	if ((kid = fork()) == 0) {
		while (!atomic_load(go))
			;
		for (i = 0; i < n; i++)
			if (shm_budget_try_acquire(s, 1))
				shm_budget_release(s, 1);
		_exit(0);
	}
	atomic_store(go, 1);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (shm_budget_try_acquire(s, 0))
			shm_budget_release(s, 0);
	t1 = now_ns();
	waitpid(kid, &st, 0);
	munmap((void *)go, sizeof(*go));
	return t1 - t0;
}

int
main(int argc, char *argv[])
{
	struct shm_params p;
	struct shm *s;
	struct naut_ctr *c;
	struct ctr_snap snap;
	struct shm_dev d;
	struct shm_budget_view v;
	char path[64], errbuf[SHM_ERRBUF];
	unsigned long i, n = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000000;
	_Atomic uint64_t word = 0;
	double t0;

	snprintf(path, sizeof(path), "/tmp/shm_bench.%ld", (long)getpid());
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.nworkers = 64;
	p.ndevices = 1000;
	p.budget = 1000;
	if (shm_create(&p, &s, errbuf) != SHM_OK) {
		fprintf(stderr, "shm_bench: %s\n", errbuf);
		return 1;
	}
	c = shm_ctr(s, 0);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		CTR_INC(c, attempts);
	report("counter increment (CTR_INC, own slot)", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		atomic_fetch_add_explicit(&word, 1, memory_order_relaxed);
	report("  for comparison: locked atomic_fetch_add", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		ctr_observe(&c->session_duration_ms, i & 0xffff);
	report("histogram observe", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n / 4; i++) {
		shm_budget_try_acquire(s, 0);
		shm_budget_release(s, 0);
	}
	report("budget acquire+release pair, uncontended", now_ns() - t0,
	    n / 4);

	report("budget acquire+release pair, 2 processes", contended(s,
	    n / 8), n / 8);

	memset(&d, 0, sizeof(d));
	t0 = now_ns();
	for (i = 0; i < n / 4; i++) {
		d.attempts = (uint32_t)i;
		shm_dev_write(s, (unsigned)(i % 1000), &d);
	}
	report("device record write (seqlock)", now_ns() - t0, n / 4);

	t0 = now_ns();
	for (i = 0; i < n / 4; i++)
		shm_dev_read(s, (unsigned)(i % 1000), &d);
	report("device record read (seqlock)", now_ns() - t0, n / 4);

	t0 = now_ns();
	for (i = 0; i < 100000; i++)
		shm_ctr_sum(s, &snap);
	report("sum of 64 worker slots (shm_ctr_sum)", now_ns() - t0, 100000);

	t0 = now_ns();
	for (i = 0; i < 100000; i++)
		shm_budget_view(s, &v, NULL, 16);
	report("consistent budget view, 64 workers", now_ns() - t0, 100000);

	shm_remove(s);
	return 0;
}

/*
 * nstat_writer: a stand-in supervisor for naut-stat's tests and benchmark.
 * It creates a real segment with shm_create, fills it with known values
 * (the sums the tests expect are listed below), prints "ready", and then
 * sleeps, or keeps counting with -r, until SIGTERM.  SIGUSR1 bumps the
 * generation, as a reload would.
 *
 * Filled values, with k = w + 1 for worker slot w and K = sum of k:
 *	attempts 100k, successes 90k, failures 10k, timeouts 4k, retries 5k,
 *	duration_ms 2500k, breaker_rejections k, breaker_trips k,
 *	bytes_received 1000000k, bytes_sent 1000k, budget_waits 7k,
 *	sessions_open k, errors.timeout 4k / auth 3k / refused 3k,
 *	session_duration_ms: 100k observations, 10..100 ms (10 each of 10k),
 *	output_bytes: 90k observations of 2000.
 *	Budget: limit from -b, worker w holds min(k, room) tokens.
 *	Device i: status i % 5 (pending running backoff done failed), attempts
 *	i % 4 + 1 except pending (0), breaker open when i % 10 == 4 and
 *	half_open with a probe when i % 10 == 9, owner i % W; device 1 is
 *	named with a quote, a backslash and a tab to exercise escaping.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "shm.h"
#include "xmem.h"

static volatile sig_atomic_t	got_term, got_usr1;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static uint64_t
now_ms(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
fill_slot(struct shm *seg, unsigned w)
{
	struct naut_ctr *c = shm_ctr(seg, w);
	uint64_t k = w + 1, j;

	shm_worker_set(seg, w, getpid(), NAUT_WSTATE_STARTING);
	shm_worker_set(seg, w, getpid(), NAUT_WSTATE_RUNNING);
	shm_worker_heartbeat(seg, w, now_ms(CLOCK_MONOTONIC));
	CTR_ADD(c, attempts, 100 * k);
	CTR_ADD(c, successes, 90 * k);
	CTR_ADD(c, failures, 10 * k);
	CTR_ADD(c, timeouts, 4 * k);
	CTR_ADD(c, retries, 5 * k);
	CTR_ADD(c, duration_ms, 2500 * k);
	CTR_ADD(c, breaker_rejections, k);
	CTR_ADD(c, breaker_trips, k);
	CTR_ADD(c, bytes_received, 1000000 * k);
	CTR_ADD(c, bytes_sent, 1000 * k);
	CTR_ADD(c, budget_waits, 7 * k);
	ctr_gauge_add(&c->sessions_open, (int64_t)k);
	for (j = 0; j < 4 * k; j++)
		ctr_error(c, NAUT_ERR_TIMEOUT);
	for (j = 0; j < 3 * k; j++) {
		ctr_error(c, NAUT_ERR_AUTH);
		ctr_error(c, NAUT_ERR_REFUSED);
	}
	for (j = 0; j < 100 * k; j++)
		ctr_observe(&c->session_duration_ms, 10 * (j % 10 + 1));
	for (j = 0; j < 90 * k; j++)
		ctr_observe(&c->output_bytes, 2000);
	for (j = 0; j < k; j++)
		if (!shm_budget_try_acquire(seg, w))
			break;
}

static void
fill_devices(struct shm *seg, unsigned nworkers)
{
	static const unsigned errs[] = { NAUT_ERR_TIMEOUT, NAUT_ERR_AUTH,
	    NAUT_ERR_REFUSED };
	uint64_t mono = now_ms(CLOCK_MONOTONIC), real = now_ms(CLOCK_REALTIME);
	struct shm_dev d;
	unsigned i, n = shm_ndevices(seg);

	for (i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		d.run = i % 5;
		d.owner = i % nworkers;
		d.last_code = -1;
		d.brk.state = NAUT_BRK_CLOSED;
		if (d.run != NAUT_RUN_PENDING) {
			d.attempts = i % 4 + 1;
			d.last_dur_ms = 100 + i % 1000;
			d.last_result = d.run == NAUT_RUN_DONE ?
			    NAUT_RESULT_OK : NAUT_RESULT_FAILED;
			d.last_err = d.run == NAUT_RUN_DONE ? NAUT_ERR_OK :
			    errs[i % 3];
			if (d.run == NAUT_RUN_DONE) {
				d.last_code = 0;
				d.last_ok_ms = real - 60000;
			}
		}
		if (i % 10 == 4) {
			d.brk.state = NAUT_BRK_OPEN;
			d.brk.failures = 5;
			d.brk.opened_ms = mono - 5000;
		} else if (i % 10 == 9) {
			d.brk.state = NAUT_BRK_HALF_OPEN;
			d.brk.failures = 5;
			d.brk.probe = 1;
			d.brk.opened_ms = mono - 70000;
		}
		shm_dev_write(seg, i, &d);
	}
}

/* -r: look busy, so that rates move in a live view. */
static void
tick(struct shm *seg, unsigned nworkers, unsigned n)
{
	struct naut_ctr *c;
	unsigned w;

	for (w = 0; w < nworkers; w++) {
		c = shm_ctr(seg, w);
		CTR_INC(c, attempts);
		if (n % 10 == 0) {
			CTR_INC(c, failures);
			ctr_error(c, NAUT_ERR_RESET);
		} else
			CTR_INC(c, successes);
		CTR_ADD(c, duration_ms, 20 + n % 50);
		ctr_observe(&c->session_duration_ms, 20 + n % 50);
		shm_worker_heartbeat(seg, w, now_ms(CLOCK_MONOTONIC));
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: nstat_writer (-p path | -n name) [-W workers] "
	    "[-D devices] [-b budget]\n"
	    "                    [-m mode] [-s secs] [-kr]\n");
	exit(NAUT_EX_USAGE);
}

int
main(int argc, char *argv[])
{
	struct shm_params p;
	struct shm *seg;
	struct sigaction sa;
	struct timespec ts = { 0, 10 * 1000000L };
	char errbuf[SHM_ERRBUF], **names;
	const char *odd = "sw-\"q\"\\1\tx";
	double secs = 0;
	unsigned i, n = 0;
	int ch, keep = 0, run = 0;
	enum shm_rc rc;
	uint64_t until = 0;

	log_init(stderr, LOG_FMT_TEXT, LOG_LVL_INFO);
	memset(&p, 0, sizeof(p));
	p.nworkers = 4;
	p.ndevices = 10;
	p.budget = 8;
	while ((ch = getopt(argc, argv, "b:D:km:n:p:rs:W:")) != -1) {
		switch (ch) {
		case 'b':
			p.budget = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'D':
			p.ndevices = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			keep = 1;
			break;
		case 'm':
			p.mode = (mode_t)strtoul(optarg, NULL, 8);
			break;
		case 'n':
			p.name = optarg;
			break;
		case 'p':
			p.path = optarg;
			break;
		case 'r':
			run = 1;
			break;
		case 's':
			secs = strtod(optarg, NULL);
			break;
		case 'W':
			p.nworkers = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (p.name == NULL && p.path == NULL)
		usage();
	names = xcalloc(p.ndevices ? p.ndevices : 1, sizeof(*names));
	for (i = 0; i < p.ndevices; i++) {
		names[i] = xmalloc(32);
		snprintf(names[i], 32, "dev%05u", i);
	}
	if (p.ndevices > 1) {
		free(names[1]);
		names[1] = xstrdup(odd);
	}
	p.devnames = (const char *const *)names;
	rc = shm_create(&p, &seg, errbuf);
	for (i = 0; i < p.ndevices; i++)
		free(names[i]);
	free(names);
	if (rc != SHM_OK) {
		fprintf(stderr, "nstat_writer: %s\n", errbuf);
		return rc == SHM_EBUSY ? NAUT_EX_TEMPFAIL : 1;
	}
	if (shm_stale_pid(seg) != 0)
		fprintf(stderr, "nstat_writer: replaced stale segment of pid "
		    "%ld\n", (long)shm_stale_pid(seg));
	for (i = 0; i < p.nworkers; i++)
		fill_slot(seg, i);
	fill_devices(seg, p.nworkers);

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	printf("ready pid=%ld\n", (long)getpid());
	fflush(stdout);

	if (secs > 0)
		until = now_ms(CLOCK_MONOTONIC) + (uint64_t)(secs * 1000);
	while (!got_term && (until == 0 || now_ms(CLOCK_MONOTONIC) < until)) {
		if (got_usr1) {
			got_usr1 = 0;
			shm_generation_bump(seg);
		}
		if (run)
			tick(seg, p.nworkers, n++);
		nanosleep(&ts, NULL);
	}
	if (keep)
		shm_close(seg);
	else if (shm_remove(seg) == -1)
		fprintf(stderr, "nstat_writer: remove: %s\n", strerror(errno));
	return 0;
}

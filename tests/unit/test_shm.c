/*
 * test_shm: the segment on real files and real processes.  Creation and
 * its refusal/replacement rules, read-only attach and every validation
 * (by corrupting a real segment's bytes), counter summing across forked
 * writers, the device seqlock under a concurrent writer, change detection,
 * and the clean-up after a worker killed in the middle of a write.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shm.h"

/* Layout 1: h_nworkers is the first field after the stable prefix. */
#define L1_OFF_NWORKERS		SHM_PREFIX_SIZE

struct fx {
	char	dir[64];
	char	path[96];
	char	errbuf[SHM_ERRBUF];
};

/* fork(), with the child killed if this test process dies first: a failed
 * assertion must not leave an endless writer behind. */
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

static const char *const names3[] = { "r1.lab", "r2.lab", "sw \"x\"" };

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_shm.XXXXXX");
	if (f == NULL || mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/seg", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static struct shm *
mk(struct fx *f, unsigned nw, unsigned nd, unsigned budget)
{
	struct shm_params p;
	struct shm *s = NULL;

	memset(&p, 0, sizeof(p));
	p.path = f->path;
	p.nworkers = nw;
	p.ndevices = nd;
	p.devnames = nd == 3 ? names3 : NULL;
	p.budget = budget;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_OK);
	assert_non_null(s);
	return s;
}

static void
poke(const char *path, off_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static enum shm_rc
try_attach(struct fx *f)
{
	struct shm *r = NULL;
	enum shm_rc rc = shm_attach(NULL, f->path, &r, f->errbuf);

	if (r != NULL)
		shm_close(r);
	return rc;
}

static void
test_shm_create_attach_roundtrip(void **state)
{
	struct fx *f = *state;
	struct shm *w = mk(f, 3, 3, 7), *r = NULL;
	struct shm_info in;
	struct stat st;

	assert_int_equal(shm_attach(NULL, f->path, &r, f->errbuf), SHM_OK);
	shm_info(r, &in);
	assert_int_equal(in.version, SHM_VERSION);
	assert_int_equal(in.nworkers, 3);
	assert_int_equal(in.ndevices, 3);
	assert_int_equal(in.sup_pid, getpid());
	assert_true(in.sup_alive);
	assert_int_equal(in.generation, 1);
	assert_int_equal(in.ready, SHM_READY_YES);
	assert_int_equal(in.ctr_hash, ctr_hash());
	assert_string_equal(in.path, f->path);
	assert_string_equal(shm_dev_name(r, 0), "r1.lab");
	assert_string_equal(shm_dev_name(r, 2), "sw \"x\"");
	assert_string_equal(shm_dev_name(r, 3), "");	/* out of range */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, SHM_DEFAULT_MODE);
	assert_int_equal((uint64_t)st.st_size, in.seg_size);
	assert_int_equal(in.seg_size % 4096, 0);
	shm_close(r);
	assert_int_equal(shm_remove(w), 0);
	assert_int_equal(stat(f->path, &st), -1);
}

static void
test_shm_size_follows_counts(void **state)
{
	struct fx *f = *state;
	struct shm_info a, b;
	struct shm *s;

	s = mk(f, 1, 0, 1);
	shm_info(s, &a);
	shm_remove(s);
	s = mk(f, 1, 10000, 1);
	shm_info(s, &b);
	shm_remove(s);
	/* 64 bytes of record + 4 of name index + 1 NUL per device, less
	 * the page rounding of the small one. */
	assert_true(b.seg_size - a.seg_size >= 10000u * 69 - 4096);
	s = mk(f, 64, 0, 1);
	shm_info(s, &b);
	shm_remove(s);
	assert_true(b.seg_size - a.seg_size >= 63u * 128 * 2);
}

static void
test_shm_mode_ignores_umask(void **state)
{
	struct fx *f = *state;
	struct shm_params p;
	struct shm *s;
	struct stat st;
	mode_t old = umask(077);

	memset(&p, 0, sizeof(p));
	p.path = f->path;
	p.nworkers = 1;
	p.mode = 0640;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_OK);
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	shm_remove(s);
}

static void
test_shm_live_owner_refused(void **state)
{
	struct fx *f = *state;
	struct shm *a = mk(f, 2, 0, 1), *b = NULL;
	struct shm_params p;
	char pid[32];

	memset(&p, 0, sizeof(p));
	p.path = f->path;
	p.nworkers = 2;
	assert_int_equal(shm_create(&p, &b, f->errbuf), SHM_EBUSY);
	assert_null(b);
	snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
	assert_non_null(strstr(f->errbuf, pid));
	assert_non_null(strstr(f->errbuf, f->path));
	/* Refusing must not have touched the live segment. */
	assert_int_equal(try_attach(f), SHM_OK);
	shm_remove(a);
}

static void
test_shm_stale_segment_replaced(void **state)
{
	struct fx *f = *state;
	struct shm_info in;
	struct shm *s;
	pid_t child;
	int st;

	child = spawn();
	assert_true(child >= 0);
	if (child == 0) {
		struct shm_params p;
		struct shm *c;
		char eb[SHM_ERRBUF];

		memset(&p, 0, sizeof(p));
		p.path = f->path;
		p.nworkers = 1;
		/* Exit without removing: a crashed supervisor. */
		_exit(shm_create(&p, &c, eb) == SHM_OK ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(try_attach(f), SHM_OK);	/* readable when stale */
	s = mk(f, 2, 0, 1);
	assert_int_equal(shm_stale_pid(s), child);
	shm_info(s, &in);
	assert_int_equal(in.sup_pid, getpid());
	assert_int_equal(in.nworkers, 2);
	assert_int_equal(in.generation, 2);	/* continues the stale one */
	shm_remove(s);
}

static void
test_shm_empty_leftover_replaced(void **state)
{
	struct fx *f = *state;
	struct shm *s;
	int fd = open(f->path, O_CREAT | O_EXCL | O_WRONLY, 0600);

	assert_true(fd >= 0);
	close(fd);
	/* A creator that died right after O_EXCL: waited for, then stale. */
	assert_int_equal(try_attach(f), SHM_ENOTREADY);
	s = mk(f, 1, 0, 1);
	assert_int_equal(shm_stale_pid(s), 0);
	shm_remove(s);
}

static void
test_shm_foreign_file_untouched(void **state)
{
	struct fx *f = *state;
	struct shm_params p;
	struct shm *s = NULL;
	const char text[] = "precious data, not a segment\n";
	char back[64] = "";
	int fd = open(f->path, O_CREAT | O_EXCL | O_WRONLY, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text)), sizeof(text));
	close(fd);
	memset(&p, 0, sizeof(p));
	p.path = f->path;
	p.nworkers = 1;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_EINVAL);
	assert_non_null(strstr(f->errbuf, "not a naut segment"));
	fd = open(f->path, O_RDONLY);
	assert_int_equal(read(fd, back, sizeof(back)), sizeof(text));
	close(fd);
	assert_memory_equal(back, text, sizeof(text));
	assert_int_equal(try_attach(f), SHM_EINVAL);
}

static void
test_shm_attach_missing(void **state)
{
	struct fx *f = *state;
	struct shm *r = NULL;

	assert_int_equal(try_attach(f), SHM_ENOENT);
	assert_non_null(strstr(f->errbuf, f->path));
	assert_int_equal(shm_attach("no-such-fleet-xyz", NULL, &r, f->errbuf),
	    SHM_ENOENT);
	assert_non_null(strstr(f->errbuf, "/dev/shm/naut.no-such-fleet-xyz"));
	assert_int_equal(shm_attach(NULL, NULL, &r, f->errbuf), SHM_EINVAL);
}

static void
test_shm_attach_wrong_version(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 1, 0, 1);
	uint32_t v = SHM_VERSION + 98;
	char want[64];

	poke(f->path, SHM_OFF_VERSION, &v, sizeof(v));
	assert_int_equal(try_attach(f), SHM_EVERSION);
	snprintf(want, sizeof(want), "is layout %u, this naut-stat reads "
	    "layout %u", v, SHM_VERSION);
	assert_non_null(strstr(f->errbuf, want));
	v = SHM_VERSION;
	poke(f->path, SHM_OFF_VERSION, &v, sizeof(v));
	assert_int_equal(try_attach(f), SHM_OK);
	shm_remove(s);
}

static void
test_shm_attach_bad_magic(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 1, 0, 1);

	poke(f->path, SHM_OFF_MAGIC, "NOTNAUT", 8);
	assert_int_equal(try_attach(f), SHM_EINVAL);
	assert_non_null(strstr(f->errbuf, "bad magic"));
	shm_remove(s);
}

static void
test_shm_attach_ctr_hash_mismatch(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 1, 0, 1);
	uint64_t h = ctr_hash() ^ 1;

	poke(f->path, SHM_OFF_CTR_HASH, &h, sizeof(h));
	assert_int_equal(try_attach(f), SHM_ECTRHASH);
	assert_non_null(strstr(f->errbuf, "counter table"));
	shm_remove(s);
}

static void
test_shm_attach_not_ready(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 1, 0, 1);
	uint32_t r = SHM_READY_NO;

	poke(f->path, SHM_OFF_READY, &r, sizeof(r));
	assert_int_equal(try_attach(f), SHM_ENOTREADY);
	r = SHM_READY_CLOSING;
	poke(f->path, SHM_OFF_READY, &r, sizeof(r));
	assert_int_equal(try_attach(f), SHM_ENOTREADY);
	assert_non_null(strstr(f->errbuf, "shutting down"));
	shm_remove(s);
}

static void
test_shm_attach_truncated(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 2, 100, 1);

	shm_close(s);
	assert_int_equal(truncate(f->path, 4096), 0);
	assert_int_equal(try_attach(f), SHM_EINVAL);
	assert_non_null(strstr(f->errbuf, "truncated"));
	assert_int_equal(truncate(f->path, 10), 0);
	assert_int_equal(try_attach(f), SHM_EINVAL);
	assert_non_null(strstr(f->errbuf, "too small"));
}

static void
test_shm_attach_inconsistent_header(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 2, 100, 1);
	uint32_t nw = 3;

	/* Claims more workers than the file was laid out for. */
	poke(f->path, L1_OFF_NWORKERS, &nw, sizeof(nw));
	assert_int_equal(try_attach(f), SHM_EINVAL);
	assert_non_null(strstr(f->errbuf, "inconsistent"));
	shm_remove(s);
}

static void
test_shm_params_rejected(void **state)
{
	struct fx *f = *state;
	struct shm_params p;
	struct shm *s = NULL;
	char longname[SHM_NAME_MAX + 2];
	static const char *const bad[] = { "", ".hidden", "a/b", "../x",
	    "sp ace" };
	size_t i;

	memset(&p, 0, sizeof(p));
	p.path = f->path;
	p.nworkers = 0;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_EINVAL);
	p.nworkers = SHM_MAX_WORKERS + 1;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_EINVAL);
	p.nworkers = 1;
	p.path = NULL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.name = bad[i];
		assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_EINVAL);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	p.name = longname;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_EINVAL);
	assert_null(s);
}

static void
test_shm_named_segment(void **state)
{
	struct fx *f = *state;
	struct shm_params p;
	struct shm *s, *r;
	struct shm_info in;
	char name[64], path[96];
	struct stat st;

	snprintf(name, sizeof(name), "unit-test-%ld", (long)getpid());
	snprintf(path, sizeof(path), "/dev/shm/naut.%s", name);
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.nworkers = 2;
	assert_int_equal(shm_create(&p, &s, f->errbuf), SHM_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(shm_attach(name, NULL, &r, f->errbuf), SHM_OK);
	shm_info(r, &in);
	assert_string_equal(in.name, name);
	assert_string_equal(in.path, path);
	shm_close(r);
	assert_int_equal(shm_remove(s), 0);
	assert_int_equal(stat(path, &st), -1);
}

/* Each child adds known amounts to its own slot; the parent sums. */
static void
test_shm_counter_sum_fork(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 4, 0, 1), *r;
	struct ctr_snap sum, one;
	pid_t kids[4];
	unsigned w, i;
	int st;

	for (w = 0; w < 4; w++) {
		kids[w] = spawn();
		assert_true(kids[w] >= 0);
		if (kids[w] == 0) {
			struct naut_ctr *c = shm_ctr(s, w);

			for (i = 0; i < 100000 * (w + 1); i++) {
				CTR_INC(c, attempts);
				ctr_observe(&c->session_duration_ms, i % 3000);
			}
			CTR_ADD(c, bytes_received, 1000 * (w + 1));
			ctr_gauge_add(&c->sessions_open, (int64_t)w - 2);
			ctr_error(c, NAUT_ERR_AUTH);
			ctr_error(c, NAUT_ERR_COUNT + 5);	/* ignored */
			_exit(0);
		}
	}
	for (w = 0; w < 4; w++) {
		assert_int_equal(waitpid(kids[w], &st, 0), kids[w]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(shm_attach(NULL, f->path, &r, f->errbuf), SHM_OK);
	shm_ctr_sum(r, &sum);
	assert_int_equal(ctr_val(&sum, CTR_ID_attempts, 0), 1000000);
	assert_int_equal(ctr_hist_count(&sum, CTR_ID_session_duration_ms),
	    1000000);
	assert_int_equal(ctr_val(&sum, CTR_ID_bytes_received, 0), 10000);
	assert_int_equal(ctr_gauge_val(&sum, CTR_ID_sessions_open), -2);
	assert_int_equal(ctr_val(&sum, CTR_ID_errors, NAUT_ERR_AUTH), 4);
	shm_ctr_read(r, 2, &one);
	assert_int_equal(ctr_val(&one, CTR_ID_attempts, 0), 300000);
	assert_int_equal(ctr_gauge_val(&one, CTR_ID_sessions_open), 0);
	/* After a crash the supervisor zeroes gauges, never counters. */
	shm_ctr_read(r, 3, &one);
	assert_int_equal(ctr_gauge_val(&one, CTR_ID_sessions_open), 1);
	shm_ctr_zero_gauges(s, 3);
	shm_ctr_read(r, 3, &one);
	assert_int_equal(ctr_gauge_val(&one, CTR_ID_sessions_open), 0);
	assert_int_equal(ctr_val(&one, CTR_ID_attempts, 0), 400000);
	shm_close(r);
	shm_remove(s);
}

static void
dev_of(uint32_t k, struct shm_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->run = k % NAUT_RUN_COUNT;
	d->attempts = k;
	d->last_result = k % NAUT_RESULT_COUNT;
	d->last_err = k % NAUT_ERR_COUNT;
	d->last_code = (int32_t)(k & 0x7fffffff);
	d->last_dur_ms = k * 3;
	d->owner = k % 7;
	d->last_ok_ms = (uint64_t)k * 7 + 1;
	d->brk.state = k % NAUT_BRK_COUNT;
	d->brk.failures = ~k;
	d->brk.successes = k ^ 0x5a5a5a5a;
	d->brk.probe = k & 1;
	d->brk.opened_ms = (uint64_t)k * 11 + ((uint64_t)k << 32);
}

/*
 * A child rewrites one record as fast as it can with every field derived
 * from one k; every copy the parent reads must belong to a single k.
 */
static void
test_shm_seqlock_concurrent_writer(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 1, 3, 1), *r;
	struct shm_dev got, want;
	uint32_t last = 0;
	unsigned reads = 0, changes = 0, gaveup = 0;
	struct timespec t0, t1;
	pid_t child;
	int st;

	dev_of(0, &want);
	shm_dev_write(s, 1, &want);
	child = spawn();
	assert_true(child >= 0);
	if (child == 0) {
		struct shm_dev d;
		volatile unsigned spin;
		uint32_t k;

		/* Millions of writes a second, with gaps a reader can use:
		 * a seqlock reader cannot finish under a writer that never
		 * pauses, and naut's writers pause for whole sessions. */
		for (k = 1;; k++) {
			dev_of(k, &d);
			shm_dev_write(s, 1, &d);
			for (spin = 0; spin < 100; spin++)
				;
		}
	}
	assert_int_equal(shm_attach(NULL, f->path, &r, f->errbuf), SHM_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		memset(&got, 0, sizeof(got));	/* padding compares equal */
		/* -1: the writer was preempted mid-write for the reader's
		 * whole patience (a loaded host); not a torn read. */
		if (shm_dev_read(r, 1, &got) == -1) {
			gaveup++;
			continue;
		}
		dev_of(got.attempts, &want);
		assert_memory_equal(&got, &want, sizeof(got));
		if (got.attempts != last)
			changes++;
		last = got.attempts;
		reads++;
	/*
	 * Until enough races were seen, not for a fixed time: on a loaded
	 * two-core host the writer may get little CPU for a while.
	 */
	} while (clock_gettime(CLOCK_MONOTONIC, &t1) == 0 &&
	    (changes <= 2000 || (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000 < 700) &&
	    (t1.tv_sec - t0.tv_sec) < 20);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	print_message("seqlock: %u reads, %u distinct values seen, %u gave "
	    "up\n", reads, changes, gaveup);
	/* The reader really raced the writer. */
	assert_true(changes > 100);
	/* Neighbours were never touched. */
	assert_int_equal(shm_dev_read(r, 0, &got), 0);
	assert_int_equal(got.attempts, 0);
	assert_int_equal(got.last_code, -1);
	shm_close(r);
	shm_remove(s);
}

/*
 * A worker killed in the middle of a record write leaves the seqlock odd;
 * readers give up on that record (-1) until the supervisor reaps the
 * worker.  The child's loop is almost all write, so a kill lands mid-write
 * nearly every time; try a few times to catch one.
 */
static void
test_shm_reap_repairs_torn_record(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 2, 3, 4);
	struct shm_reap rp;
	struct shm_dev d;
	unsigned tries, torn = 0;
	pid_t child;
	int st, pfd[2];
	char c;

	assert_int_equal(pipe(pfd), 0);
	for (tries = 0; tries < 50 && torn == 0; tries++) {
		shm_worker_set(s, 1, 0, NAUT_WSTATE_STARTING);
		child = spawn();
		assert_true(child >= 0);
		if (child == 0) {
			struct shm_dev w;
			uint32_t k;

			shm_worker_set(s, 1, getpid(), NAUT_WSTATE_RUNNING);
			for (k = 1;; k++) {
				dev_of(k, &w);
				w.owner = 1;
				w.run = NAUT_RUN_RUNNING;
				w.brk.probe = 1;
				shm_dev_write(s, 2, &w);
				if (k == 1)
					(void)write(pfd[1], "x", 1);
			}
		}
		/* Kill it only once it is writing. */
		assert_int_equal(read(pfd[0], &c, 1), 1);
		usleep(tries * 100);
		kill(child, SIGKILL);
		waitpid(child, &st, 0);
		if (shm_dev_read(s, 2, &d) == -1)
			torn++;
		assert_int_equal(shm_worker_reap(s, 1, 0, &rp), SHM_OK);
		assert_int_equal(rp.repaired, torn ? 1 : 0);
		assert_int_equal(shm_dev_read(s, 2, &d), 0);
		assert_int_equal(d.run, NAUT_RUN_PENDING);
		assert_int_equal(d.brk.probe, 0);
		assert_int_equal(rp.requeued, 1);
	}
	assert_int_equal(torn, 1);
	/* Reaping again finds nothing left to do. */
	assert_int_equal(shm_worker_reap(s, 1, 0, &rp), SHM_OK);
	assert_int_equal(rp.repaired + rp.requeued + rp.tokens, 0);
	close(pfd[0]);
	close(pfd[1]);
	shm_remove(s);
}

static void
test_shm_worker_slots(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 2, 0, 1);
	struct shm_worker wk;
	pid_t child;
	int st;

	shm_worker_get(s, 0, &wk);
	assert_int_equal(wk.state, NAUT_WSTATE_NONE);
	assert_false(shm_worker_alive(s, 0));
	shm_worker_set(s, 0, getpid(), NAUT_WSTATE_STARTING);
	shm_worker_set(s, 0, getpid(), NAUT_WSTATE_RUNNING);
	shm_worker_heartbeat(s, 0, 12345);
	shm_worker_get(s, 0, &wk);
	assert_int_equal(wk.pid, getpid());
	assert_int_equal(wk.starts, 1);
	assert_int_equal(wk.heartbeat_ms, 12345);
	assert_true(wk.started_ms > 0);
	assert_true(shm_worker_alive(s, 0));
	/* A reaped child's pid is gone: not alive even if state says so. */
	child = spawn();
	if (child == 0)
		_exit(0);
	waitpid(child, &st, 0);
	shm_worker_set(s, 1, child, NAUT_WSTATE_RUNNING);
	assert_false(shm_worker_alive(s, 1));
	shm_remove(s);
}

static void
test_shm_changed_detection(void **state)
{
	struct fx *f = *state;
	struct shm *s = mk(f, 1, 0, 1), *r, *s2;

	assert_int_equal(shm_attach(NULL, f->path, &r, f->errbuf), SHM_OK);
	assert_int_equal(shm_changed(r), SHM_SAME);
	assert_int_equal(shm_generation_bump(s), 2);
	assert_int_equal(shm_changed(r), SHM_RELOADED);
	shm_close(r);
	assert_int_equal(shm_attach(NULL, f->path, &r, f->errbuf), SHM_OK);
	assert_int_equal(shm_changed(r), SHM_SAME);
	/* Supervisor gone without cleaning up, then a new one. */
	shm_close(s);
	unlink(f->path);
	assert_int_equal(shm_changed(r), SHM_GONE);
	s2 = mk(f, 1, 0, 1);
	assert_int_equal(shm_changed(r), SHM_REPLACED);
	shm_close(r);
	/* Orderly shutdown: readers see CLOSING through their mapping. */
	assert_int_equal(shm_attach(NULL, f->path, &r, f->errbuf), SHM_OK);
	shm_remove(s2);
	assert_int_equal(shm_changed(r), SHM_CLOSING);
	shm_close(r);
}

static void
test_shm_rc_names(void **state)
{
	(void)state;
	assert_string_equal(shm_rc_name(SHM_EBUSY),
	    "in use by a live supervisor");
	assert_string_equal(shm_rc_name(SHM_RC_COUNT), "?");
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_shm_create_attach_roundtrip),
		T(test_shm_size_follows_counts),
		T(test_shm_mode_ignores_umask),
		T(test_shm_live_owner_refused),
		T(test_shm_stale_segment_replaced),
		T(test_shm_empty_leftover_replaced),
		T(test_shm_foreign_file_untouched),
		T(test_shm_attach_missing),
		T(test_shm_attach_wrong_version),
		T(test_shm_attach_bad_magic),
		T(test_shm_attach_ctr_hash_mismatch),
		T(test_shm_attach_not_ready),
		T(test_shm_attach_truncated),
		T(test_shm_attach_inconsistent_header),
		T(test_shm_params_rejected),
		T(test_shm_named_segment),
		T(test_shm_counter_sum_fork),
		T(test_shm_seqlock_concurrent_writer),
		T(test_shm_reap_repairs_torn_record),
		T(test_shm_worker_slots),
		T(test_shm_changed_detection),
		T(test_shm_rc_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

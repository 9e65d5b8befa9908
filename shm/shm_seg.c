/*
 * Creating and removing the segment: exclusive creation, telling a live
 * supervisor's segment from a stale one, filling the sections, and
 * publishing ready last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm_int.h"
#include "xmem.h"

#define CREATE_TRIES		5
#define UNBORN_WAIT_MS		500	/* how long an empty segment may stay so */

static const char *const rc_names[] = {
#define X(e, s) s,
	SHM_RCS(X)
#undef X
};

const char *
shm_rc_name(enum shm_rc rc)
{
	return (unsigned)rc < SHM_RC_COUNT ? rc_names[rc] : "?";
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
fmt_time(char *buf, size_t len, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "at an unknown time");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

enum inspect {
	INSPECT_RETRY,		/* gone or replaced: try O_EXCL again */
	INSPECT_BUSY,
	INSPECT_FOREIGN,
	INSPECT_ERROR
};

/*
 * Someone else's file holds our name.  Decide whether it is a live
 * supervisor's, and if it is stale, remove it under flock(2) so that two
 * starters cannot both remove (one of them the other's new segment).
 */
static enum inspect
inspect_existing(struct shm *s, char *errbuf)
{
	struct shm_hdr h;
	struct stat st, pst;
	uint64_t deadline = shm_now_ms(CLOCK_MONOTONIC) + UNBORN_WAIT_MS;
	ssize_t n;
	int fd, e;
	char when[64];

	if ((fd = shm_open_path(s, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT)
			return INSPECT_RETRY;
		shm_err(errbuf, "cannot open existing segment %s: %s",
		    s->s_path, strerror(errno));
		return INSPECT_ERROR;
	}
	for (;;) {
		if (fstat(fd, &st) == -1)
			goto syserr;
		if (!S_ISREG(st.st_mode)) {
			shm_err(errbuf, "%s exists and is not a regular file; "
			    "not touching it", s->s_path);
			close(fd);
			return INSPECT_FOREIGN;
		}
		memset(&h, 0, sizeof(h));
		n = pread(fd, &h, sizeof(h), 0);
		if (n == -1)
			goto syserr;
		if (n >= SHM_PREFIX_SIZE &&
		    memcmp(h.h_magic, SHM_MAGIC, sizeof(h.h_magic)) == 0)
			break;
		/* Empty or still zero: a creator between O_EXCL and its
		 * header, or one that died there.  Give it a moment. */
		if (st.st_size == 0 || (n >= 8 &&
		    memcmp(h.h_magic, "\0\0\0\0\0\0\0\0", 8) == 0)) {
			if (shm_now_ms(CLOCK_MONOTONIC) < deadline) {
				sleep_ms(10);
				continue;
			}
			h.h_sup_pid = 0;
			break;
		}
		shm_err(errbuf, "%s exists and is not a naut segment (bad "
		    "magic); not replacing it", s->s_path);
		close(fd);
		return INSPECT_FOREIGN;
	}
	if (shm_pid_alive(h.h_sup_pid, h.h_sup_starttime)) {
		fmt_time(when, sizeof(when), h.h_started_ms);
		shm_err(errbuf, "segment %s is in use by naut-supervisor pid "
		    "%ld (started %s); stop it or use another name",
		    s->s_path, (long)h.h_sup_pid, when);
		close(fd);
		return INSPECT_BUSY;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		/* Another starter is replacing it right now. */
		close(fd);
		sleep_ms(10);
		return INSPECT_RETRY;
	}
	/* Still the file we judged?  Only then is unlinking it right. */
	if (stat(s->s_path, &pst) == -1) {
		close(fd);
		return INSPECT_RETRY;
	}
	if (pst.st_dev != st.st_dev || pst.st_ino != st.st_ino) {
		close(fd);
		return INSPECT_RETRY;
	}
	if (shm_unlink_path(s) == -1 && errno != ENOENT) {
		shm_err(errbuf, "cannot remove stale segment %s: %s",
		    s->s_path, strerror(errno));
		close(fd);
		return INSPECT_ERROR;
	}
	s->s_stale_pid = h.h_sup_pid > 0 ? h.h_sup_pid : 0;
	s->s_stale_gen = h.h_sup_pid > 0 ? h.h_generation : 0;
	close(fd);
	return INSPECT_RETRY;

syserr:
	e = errno;
	shm_err(errbuf, "cannot inspect existing segment %s: %s", s->s_path,
	    strerror(e));
	close(fd);
	return INSPECT_ERROR;
}

static uint64_t
names_size(const struct shm_params *p)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < p->ndevices; i++)
		n += (p->devnames != NULL && p->devnames[i] != NULL ?
		    strlen(p->devnames[i]) : 0) + 1;
	return n;
}

static void
fill(struct shm *s, const struct shm_params *p, const struct shm_layout *l,
    uint64_t gen, mode_t mode)
{
	struct shm_hdr *h = s->s_hdr;
	uint32_t *idx = (uint32_t *)(void *)(s->s_base + l->off_nameidx);
	char *names = (char *)s->s_base + l->off_names;
	uint64_t off = 0;
	unsigned i;

	/* ftruncate gave zeroes: status PENDING, breaker CLOSED, counters 0. */
	memcpy(h->h_magic, SHM_MAGIC, sizeof(h->h_magic));
	h->h_version = SHM_VERSION;
	h->h_hdr_size = SHM_HDR_SIZE;
	h->h_sup_pid = (int32_t)getpid();
	h->h_sup_starttime = shm_proc_starttime(getpid());
	h->h_started_ms = shm_now_ms(CLOCK_REALTIME);
	atomic_store_explicit(&h->h_generation, gen, memory_order_relaxed);
	h->h_seg_size = l->size;
	h->h_ctr_hash = ctr_hash();
	h->h_nworkers = p->nworkers;
	h->h_ndevices = p->ndevices;
	h->h_slot_size = l->slot_size;
	h->h_dev_size = l->dev_size;
	h->h_off_budget = l->off_budget;
	h->h_off_held = l->off_held;
	h->h_off_slots = l->off_slots;
	h->h_off_devs = l->off_devs;
	h->h_off_nameidx = l->off_nameidx;
	h->h_off_names = l->off_names;
	h->h_names_size = l->names_size;
	h->h_mode = (uint32_t)mode;
	snprintf(h->h_name, sizeof(h->h_name), "%s", s->s_name);

	atomic_store_explicit(&s->s_budget->b_limit, p->budget,
	    memory_order_relaxed);
	for (i = 0; i < p->ndevices; i++) {
		const char *n = p->devnames != NULL && p->devnames[i] != NULL ?
		    p->devnames[i] : "";
		size_t len = strlen(n);

		idx[i] = (uint32_t)off;
		memcpy(names + off, n, len + 1);
		off += len + 1;
		atomic_store_explicit(&shm_devrec_of(s, i)->d_last_code, -1,
		    memory_order_relaxed);
	}
}

static int
make_wakefds(struct shm *s, char *errbuf)
{
	unsigned w;

	s->s_wakefd = xcalloc(s->s_nworkers, sizeof(int));
	for (w = 0; w < s->s_nworkers; w++)
		s->s_wakefd[w] = -1;
	for (w = 0; w < s->s_nworkers; w++) {
		s->s_wakefd[w] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->s_wakefd[w] == -1) {
			shm_err(errbuf, "eventfd for worker %u: %s", w,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void
free_handle(struct shm *s)
{
	unsigned w;

	if (s == NULL)
		return;
	if (s->s_base != NULL)
		munmap(s->s_base, s->s_size);
	if (s->s_fd != -1)
		close(s->s_fd);
	if (s->s_wakefd != NULL) {
		for (w = 0; w < s->s_nworkers; w++)
			if (s->s_wakefd[w] != -1)
				close(s->s_wakefd[w]);
		free(s->s_wakefd);
	}
	s->s_magic = 0;
	free(s);
}

enum shm_rc
shm_create(const struct shm_params *p, struct shm **out, char *errbuf)
{
	struct shm_layout l;
	struct shm *s;
	struct stat st;
	mode_t mode = p->mode != 0 ? p->mode : SHM_DEFAULT_MODE;
	enum shm_rc rc = SHM_ESYS;
	int tries, fd = -1;

	*out = NULL;
	if (p->nworkers < 1 || p->nworkers > SHM_MAX_WORKERS ||
	    p->ndevices > SHM_MAX_DEVICES ||
	    shm_layout(&l, p->nworkers, p->ndevices, names_size(p)) == -1) {
		shm_err(errbuf, "segment for %u workers and %u devices is "
		    "out of range (workers 1..%u, devices 0..%u, names < 4 GB)",
		    p->nworkers, p->ndevices, SHM_MAX_WORKERS, SHM_MAX_DEVICES);
		return SHM_EINVAL;
	}
	s = xcalloc(1, sizeof(*s));
	s->s_magic = SHM_HANDLE_MAGIC;
	s->s_fd = -1;
	if (shm_resolve(s, p->name, p->path, errbuf) == -1) {
		rc = SHM_EINVAL;
		goto err;
	}
	for (tries = 0; tries < CREATE_TRIES; tries++) {
		if ((fd = shm_open_path(s, O_RDWR | O_CREAT | O_EXCL,
		    mode)) != -1)
			break;
		if (errno != EEXIST) {
			shm_err(errbuf, "cannot create segment %s: %s",
			    s->s_path, strerror(errno));
			goto err;
		}
		switch (inspect_existing(s, errbuf)) {
		case INSPECT_RETRY:
			continue;
		case INSPECT_BUSY:
			rc = SHM_EBUSY;
			goto err;
		case INSPECT_FOREIGN:
			rc = SHM_EINVAL;
			goto err;
		case INSPECT_ERROR:
			goto err;
		}
	}
	if (fd == -1) {
		shm_err(errbuf, "cannot create segment %s: it keeps being "
		    "recreated by someone else", s->s_path);
		rc = SHM_EBUSY;
		goto err;
	}
	s->s_fd = fd;
	/* The umask must not decide who may read the fleet's state. */
	if (fchmod(fd, mode) == -1 || ftruncate(fd, (off_t)l.size) == -1 ||
	    fstat(fd, &st) == -1) {
		shm_err(errbuf, "cannot size segment %s to %llu bytes: %s",
		    s->s_path, (unsigned long long)l.size, strerror(errno));
		goto err_unlink;
	}
	s->s_dev = st.st_dev;
	s->s_ino = st.st_ino;
	s->s_size = l.size;
	s->s_base = mmap(NULL, l.size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (s->s_base == MAP_FAILED) {
		s->s_base = NULL;
		shm_err(errbuf, "cannot map segment %s: %s", s->s_path,
		    strerror(errno));
		goto err_unlink;
	}
	s->s_nworkers = p->nworkers;
	s->s_ndevices = p->ndevices;
	shm_bind(s, &l);
	if (make_wakefds(s, errbuf) == -1)
		goto err_unlink;
	/* Readers notice a new supervisor by the new inode; the generation
	 * goes on from a replaced stale segment's (or, on a reload that
	 * changed the layout, from ours) so logs can tell them apart. */
	s->s_gen = p->generation != 0 ? p->generation : s->s_stale_gen + 1;
	fill(s, p, &l, s->s_gen, mode);
	/* Publish last: everything above is visible before ready reads 1. */
	atomic_store_explicit(&s->s_hdr->h_ready, SHM_READY_YES,
	    memory_order_release);
	*out = s;
	return SHM_OK;

err_unlink:
	shm_unlink_path(s);
err:
	free_handle(s);
	return rc;
}

void
shm_close(struct shm *s)
{
	free_handle(s);
}

int
shm_remove(struct shm *s)
{
	struct stat st;
	int rc = 0, e = 0;

	if (s == NULL)
		return 0;
	if (!s->s_rdonly && s->s_hdr != NULL)
		atomic_store_explicit(&s->s_hdr->h_ready, SHM_READY_CLOSING,
		    memory_order_release);
	/* Never unlink a successor's segment that took our name. */
	if (stat(s->s_path, &st) == 0 && st.st_dev == s->s_dev &&
	    st.st_ino == s->s_ino) {
		if (shm_unlink_path(s) == -1) {
			e = errno;
			rc = -1;
		}
	}
	free_handle(s);
	errno = e;
	return rc;
}

uint64_t
shm_generation_bump(struct shm *s)
{
	return atomic_fetch_add_explicit(&s->s_hdr->h_generation, 1,
	    memory_order_release) + 1;
}

pid_t
shm_stale_pid(const struct shm *s)
{
	return s->s_stale_pid;
}

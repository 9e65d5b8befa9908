/*
 * Attaching read-only, as naut-stat and other outside readers do.  Nothing
 * in the file is trusted before it was checked: fstat first (no SIGBUS),
 * then the stable prefix with pread, then the mapping and every offset
 * against a layout recomputed from the counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_int.h"
#include "xmem.h"

static enum shm_rc
check_prefix(const struct shm *s, const struct shm_hdr *h, ssize_t n,
    const struct stat *st, char *errbuf)
{
	if (st->st_size == 0 || (n >= 8 &&
	    memcmp(h->h_magic, "\0\0\0\0\0\0\0\0", 8) == 0)) {
		shm_err(errbuf, "segment %s is being created (empty header)",
		    s->s_path);
		return SHM_ENOTREADY;
	}
	if (n < SHM_PREFIX_SIZE ||
	    memcmp(h->h_magic, SHM_MAGIC, sizeof(h->h_magic)) != 0) {
		shm_err(errbuf, "%s is not a naut segment (%s)", s->s_path,
		    n < SHM_PREFIX_SIZE ? "too small" : "bad magic");
		return SHM_EINVAL;
	}
	if (h->h_version != SHM_VERSION) {
		shm_err(errbuf, "segment %s is layout %u, this naut-stat reads "
		    "layout %u (supervisor pid %ld); use the naut-stat of the "
		    "same build", s->s_path, h->h_version, SHM_VERSION,
		    (long)h->h_sup_pid);
		return SHM_EVERSION;
	}
	if (h->h_ready == SHM_READY_NO) {
		shm_err(errbuf, "segment %s is being created by pid %ld",
		    s->s_path, (long)h->h_sup_pid);
		return SHM_ENOTREADY;
	}
	if (h->h_ready == SHM_READY_CLOSING) {
		shm_err(errbuf, "segment %s is being removed: supervisor pid "
		    "%ld is shutting down", s->s_path, (long)h->h_sup_pid);
		return SHM_ENOTREADY;
	}
	if (h->h_hdr_size != SHM_HDR_SIZE || h->h_seg_size != (uint64_t)
	    st->st_size) {
		shm_err(errbuf, "segment %s is %lld bytes but its header says "
		    "%llu (header %u bytes): truncated or corrupt", s->s_path,
		    (long long)st->st_size, (unsigned long long)h->h_seg_size,
		    h->h_hdr_size);
		return SHM_EINVAL;
	}
	if (h->h_ctr_hash != ctr_hash()) {
		shm_err(errbuf, "segment %s has another counter table (hash "
		    "%016llx, this naut-stat %016llx): use the naut-stat of "
		    "the same build as supervisor pid %ld", s->s_path,
		    (unsigned long long)h->h_ctr_hash,
		    (unsigned long long)ctr_hash(), (long)h->h_sup_pid);
		return SHM_ECTRHASH;
	}
	return SHM_OK;
}

/* Every offset must be exactly where this build would have put it. */
static enum shm_rc
check_layout(const struct shm *s, const struct shm_hdr *h, char *errbuf)
{
	struct shm_layout l;
	const char *what = NULL;

	if (shm_layout(&l, h->h_nworkers, h->h_ndevices, h->h_names_size) ==
	    -1)
		what = "counts out of range";
	else if (l.size != h->h_seg_size)
		what = "size does not match the counts";
	else if (l.slot_size != h->h_slot_size || l.dev_size != h->h_dev_size)
		what = "record sizes differ";
	else if (l.off_budget != h->h_off_budget ||
	    l.off_held != h->h_off_held || l.off_slots != h->h_off_slots ||
	    l.off_devs != h->h_off_devs || l.off_nameidx != h->h_off_nameidx ||
	    l.off_names != h->h_off_names)
		what = "section offsets differ";
	else if (l.names_size > 0 &&
	    s->s_base[l.off_names + l.names_size - 1] != '\0')
		what = "name table not terminated";
	if (what != NULL) {
		shm_err(errbuf, "segment %s has an inconsistent header (%u "
		    "workers, %u devices): %s", s->s_path, h->h_nworkers,
		    h->h_ndevices, what);
		return SHM_EINVAL;
	}
	return SHM_OK;
}

enum shm_rc
shm_attach(const char *name, const char *path, struct shm **out,
    char *errbuf)
{
	struct shm_layout l;
	struct shm_hdr pre;
	struct shm *s;
	struct stat st;
	enum shm_rc rc = SHM_ESYS;
	const struct shm_hdr *h;
	ssize_t n;
	int fd;

	*out = NULL;
	s = xcalloc(1, sizeof(*s));
	s->s_magic = SHM_HANDLE_MAGIC;
	s->s_fd = -1;
	s->s_rdonly = 1;
	if (name == NULL && path == NULL) {
		shm_err(errbuf, "no segment name or path given");
		rc = SHM_EINVAL;
		goto err;
	}
	if (shm_resolve(s, name, path, errbuf) == -1) {
		rc = SHM_EINVAL;
		goto err;
	}
	if ((fd = shm_open_path(s, O_RDONLY, 0)) == -1) {
		if (errno == ENOENT) {
			shm_err(errbuf, "no segment %s", s->s_path);
			rc = SHM_ENOENT;
		} else
			shm_err(errbuf, "cannot open segment %s: %s",
			    s->s_path, strerror(errno));
		goto err;
	}
	s->s_fd = fd;
	if (fstat(fd, &st) == -1) {
		shm_err(errbuf, "cannot stat segment %s: %s", s->s_path,
		    strerror(errno));
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		shm_err(errbuf, "%s is not a regular file", s->s_path);
		rc = SHM_EINVAL;
		goto err;
	}
	memset(&pre, 0, sizeof(pre));
	if ((n = pread(fd, &pre, sizeof(pre), 0)) == -1) {
		shm_err(errbuf, "cannot read segment %s: %s", s->s_path,
		    strerror(errno));
		goto err;
	}
	if ((rc = check_prefix(s, &pre, n, &st, errbuf)) != SHM_OK)
		goto err;
	s->s_size = (size_t)st.st_size;
	s->s_base = mmap(NULL, s->s_size, PROT_READ, MAP_SHARED, fd, 0);
	if (s->s_base == MAP_FAILED) {
		s->s_base = NULL;
		shm_err(errbuf, "cannot map segment %s: %s", s->s_path,
		    strerror(errno));
		rc = SHM_ESYS;
		goto err;
	}
	h = (const struct shm_hdr *)(const void *)s->s_base;
	/* Pairs with the creator's release store: the payload is complete. */
	if (atomic_load_explicit(&h->h_ready, memory_order_acquire) !=
	    SHM_READY_YES) {
		shm_err(errbuf, "segment %s is not ready", s->s_path);
		rc = SHM_ENOTREADY;
		goto err;
	}
	if ((rc = check_layout(s, h, errbuf)) != SHM_OK)
		goto err;
	shm_layout(&l, h->h_nworkers, h->h_ndevices, h->h_names_size);
	s->s_nworkers = h->h_nworkers;
	s->s_ndevices = h->h_ndevices;
	shm_bind(s, &l);
	s->s_dev = st.st_dev;
	s->s_ino = st.st_ino;
	s->s_gen = atomic_load_explicit(&h->h_generation,
	    memory_order_acquire);
	snprintf(s->s_name, sizeof(s->s_name), "%.*s", SHM_NAME_MAX,
	    h->h_name);
	/* The mapping stays valid without the descriptor. */
	close(fd);
	s->s_fd = -1;
	*out = s;
	return SHM_OK;

err:
	shm_close(s);
	return rc;
}

void
shm_info(const struct shm *s, struct shm_info *i)
{
	const struct shm_hdr *h = s->s_hdr;

	memset(i, 0, sizeof(*i));
	i->path = s->s_path;
	i->name = s->s_name;
	i->version = h->h_version;
	i->seg_size = h->h_seg_size;
	i->generation = atomic_load_explicit(&h->h_generation,
	    memory_order_acquire);
	i->ctr_hash = h->h_ctr_hash;
	i->sup_pid = h->h_sup_pid;
	i->sup_alive = shm_pid_alive(h->h_sup_pid, h->h_sup_starttime);
	i->started_ms = h->h_started_ms;
	i->nworkers = s->s_nworkers;
	i->ndevices = s->s_ndevices;
	i->ready = atomic_load_explicit(&h->h_ready, memory_order_acquire);
	i->mode = (mode_t)h->h_mode;
}

enum shm_change
shm_changed(const struct shm *s)
{
	struct stat st;

	if (atomic_load_explicit(&s->s_hdr->h_ready, memory_order_acquire) ==
	    SHM_READY_CLOSING)
		return SHM_CLOSING;
	if (stat(s->s_path, &st) == -1)
		return SHM_GONE;
	if (st.st_dev != s->s_dev || st.st_ino != s->s_ino)
		return SHM_REPLACED;
	if (atomic_load_explicit(&s->s_hdr->h_generation,
	    memory_order_acquire) != s->s_gen)
		return SHM_RELOADED;
	return SHM_SAME;
}

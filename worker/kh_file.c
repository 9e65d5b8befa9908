/*
 * known_hosts as a file: reading it whole, and appending a line for a new
 * key (accept-new) so that many worker processes can append at once
 * without ever interleaving or tearing a line.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kh_int.h"
#include "xmem.h"

struct kh *
kh_load(const char *path, char *err, size_t errlen)
{
	struct stat st;
	struct kh *k;
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t n;
	int fd, save;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT)
			return kh_parse(NULL, 0);
		goto fail;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	buf = xmalloc(cap);
	for (;;) {
		if (len == cap)
			buf = xreallocarray(buf, cap *= 2, 1);
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	k = kh_parse(buf, len);
	free(buf);
	return k;
fail:
	save = errno;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(save));
	if (fd != -1)
		close(fd);
	free(buf);
	errno = save;
	return NULL;
}

/* A name we can write as a plain pattern that reads back as itself. */
static int
kh_host_ok(const char *host, size_t *len)
{
	size_t i;

	if (host == NULL || (*len = strnlen(host, KH_HOST_MAX + 1)) == 0 ||
	    *len > KH_HOST_MAX)
		return -1;
	for (i = 0; i < *len; i++)
		if ((unsigned char)host[i] <= ' ' ||
		    (unsigned char)host[i] >= 0x7f ||
		    strchr(",*?![]|#@\\\"'", host[i]) != NULL)
			return -1;
	return 0;
}

/*
 * Under the lock: if the file's last line lacks its '\n', write one first
 * (in the same write, so nobody sees half a line).  A short write is cut
 * back so a full disk cannot leave a torn line for the next appender.
 */
static int
kh_write_locked(int fd, char *line, size_t len)
{
	struct stat st;
	ssize_t n = 0;
	char last = '\n';
	size_t off;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size > 0 && (n = pread(fd, &last, 1, st.st_size - 1)) == -1)
		return -1;
	off = n == 1 && last != '\n' ? 0 : 1;
	while ((n = write(fd, line + off, len - off)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)(len - off)) {
		int save = n == -1 ? errno : ENOSPC;

		if (n > 0 && ftruncate(fd, st.st_size) == -1)
			save = errno;
		errno = save;
		return -1;
	}
	return fsync(fd);
}

int
kh_append(struct kh *k, const char *path, const char *host, uint16_t port,
    const unsigned char *blob, size_t bloblen)
{
	char *line, *p;
	size_t hl, i, need;
	int fd, t, rc = -1, save;

	/* The line must read back: no longer than KH_LINE_MAX. */
	if (kh_host_ok(host, &hl) == -1 ||
	    (t = kh_blob_kind(blob, bloblen)) < 0 || bloblen > KH_LINE_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* '\n', "[host]:65535", ' ', type, ' ', base64, '\n' */
	need = 1 + hl + 8 + 1 + strlen(kh_types[t]) + 1 +
	    (bloblen + 2) / 3 * 4 + 1;
	if (need - 2 > KH_LINE_MAX) {
		errno = EINVAL;
		return -1;
	}
	p = line = xmalloc(need + 1);
	*p++ = '\n';
	if (port != 0 && port != 22)
		*p++ = '[';
	for (i = 0; i < hl; i++)
		*p++ = kh_lower(host[i]);
	if (port != 0 && port != 22)
		p += sprintf(p, "]:%u", (unsigned)port);
	p += sprintf(p, " %s ", kh_types[t]);
	p += kh_b64_encode(blob, bloblen, p);
	*p++ = '\n';

	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0600)) == -1)
		goto out;
	while ((rc = flock(fd, LOCK_EX)) == -1 && errno == EINTR)
		;
	if (rc == 0)
		rc = kh_write_locked(fd, line, p - line);
	save = errno;
	close(fd);		/* drops the lock */
	errno = save;
	if (rc == 0)
		kh_feed(k, line + 1, p - line - 2);
out:
	free(line);
	return rc;
}

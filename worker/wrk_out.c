/*
 * Saved outputs: OUTPUT/<device>/<step>.<ext>, written whole or not at
 * all (temporary file, fsync, rename, fsync of the directory), so a crash
 * or a cancelled batch never leaves half a configuration behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wrk_int.h"
#include "xmem.h"

/* "show running-config | i x" -> "show_running-config_i_x" */
void
wrk_out_filename(const char *cmd, char *buf, size_t sz)
{
	size_t n = 0;
	int sep = 0;

	for (; *cmd != '\0' && n + 1 < sz && n < 120; cmd++) {
		char c = *cmd;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '+' || c == '=' || c == ',') {
			if (sep && n > 0)
				buf[n++] = '_';
			if (n + 1 < sz)
				buf[n++] = c;
			sep = 0;
		} else
			sep = 1;
	}
	if (n == 0 || buf[0] == '.')
		n = (size_t)snprintf(buf, sz, "command");
	buf[n] = '\0';
}

static int
mkdir_p(char *path, mode_t mode)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * The file names of a job's commands, worked out once per worker: two
 * commands that map to one name ("show  run", "show run") must not
 * overwrite each other, so a later one gets "_<its 1-based index>".
 */
char **
wrk_out_names(const struct conf_job *j, unsigned transport)
{
	/* What the step's output is: CLI text, a JSON body, NETCONF data. */
	static const char *const ext[CONF_TRANSPORT_COUNT] = {
		[CONF_TRANSPORT_SSH] = "txt",
		[CONF_TRANSPORT_REST] = "json",
		[CONF_TRANSPORT_NETCONF] = "xml",
	};
	size_t i, k, l, n = conf_job_nsteps(j, transport);
	char **v = xcalloc(n + 1, sizeof(*v));
	char buf[160], step[1024];

	for (i = 0; i < n; i++) {
		wrk_out_filename(conf_job_step(j, transport, i, step,
		    sizeof(step)), buf, sizeof(buf));
		l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, ".%s", ext[transport]);
		for (k = 0; k < i; k++)
			if (strcmp(v[k], buf) == 0) {
				snprintf(buf + l, sizeof(buf) - l, "_%zu.%s",
				    i + 1, ext[transport]);
				break;
			}
		v[i] = xstrdup(buf);
	}
	return v;
}

int
wrk_out_write(const char *outdir, const char *device, const char *name,
    const char *data, size_t len, char *err, size_t errlen)
{
	char dir[PATH_MAX], file[PATH_MAX], tmp[PATH_MAX + 32];
	size_t off = 0;
	int fd, dfd;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", outdir, device) >=
	    sizeof(dir) || (size_t)snprintf(file, sizeof(file), "%s/%s",
	    dir, name) >= sizeof(file)) {
		snprintf(err, errlen, "output path too long");
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", file, (long)getpid());
	/* Past the first output the parents exist: one mkdir, not four. */
	if (mkdir(dir, 0750) == -1 && errno != EEXIST &&
	    mkdir_p(dir, 0750) == -1) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640))
	    == -1) {
		snprintf(err, errlen, "open %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "write %s: %s", tmp,
			    strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		snprintf(err, errlen, "fsync %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, file) == -1) {
		snprintf(err, errlen, "rename %s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* The rename itself must survive a crash. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

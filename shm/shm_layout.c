/*
 * Where things are: the layout computed from the counts (the creator
 * writes it, readers recompute it to validate a header), names and paths,
 * and whether the process named in a header still exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "shm_int.h"

#define ALIGN_UP(x, a)	(((x) + (uint64_t)(a) - 1) & ~((uint64_t)(a) - 1))

int
shm_layout(struct shm_layout *l, uint32_t nworkers, uint32_t ndevices,
    uint64_t names_size)
{
	uint64_t off;

	if (nworkers < 1 || nworkers > SHM_MAX_WORKERS ||
	    ndevices > SHM_MAX_DEVICES || names_size > UINT32_MAX)
		return -1;
	memset(l, 0, sizeof(*l));
	l->slot_size = sizeof(struct shm_slot);
	l->dev_size = SHM_DEV_SIZE;
	l->off_budget = SHM_HDR_SIZE;
	l->off_held = l->off_budget + sizeof(struct shm_budget);
	l->off_slots = l->off_held + (uint64_t)nworkers * SHM_LINE;
	l->off_devs = l->off_slots + (uint64_t)nworkers * l->slot_size;
	l->off_nameidx = l->off_devs + (uint64_t)ndevices * SHM_DEV_SIZE;
	l->off_names = ALIGN_UP(l->off_nameidx + (uint64_t)ndevices * 4,
	    SHM_LINE);
	l->names_size = names_size;
	off = l->off_names + names_size;
	l->size = ALIGN_UP(off, 4096);
	return 0;
}

void
shm_bind(struct shm *s, const struct shm_layout *l)
{
	s->s_hdr = (struct shm_hdr *)(void *)s->s_base;
	s->s_budget = (struct shm_budget *)(void *)(s->s_base + l->off_budget);
	s->s_held = s->s_base + l->off_held;
	s->s_slots = s->s_base + l->off_slots;
	s->s_devs = s->s_base + l->off_devs;
	s->s_nameidx = (const uint32_t *)(const void *)(s->s_base +
	    l->off_nameidx);
	s->s_names = (const char *)s->s_base + l->off_names;
	s->s_names_size = l->names_size;
	s->s_slot_size = l->slot_size;
}

/* Same alphabet as the loader's supervisor.name: it becomes a file name. */
int
shm_name_ok(const char *n)
{
	size_t i;

	if (n == NULL || n[0] == '\0' || n[0] == '.')
		return 0;
	for (i = 0; n[i] != '\0'; i++) {
		char c = n[i];

		if (i >= SHM_NAME_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

void
shm_err(char *errbuf, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, SHM_ERRBUF, fmt, ap);
	va_end(ap);
}

int
shm_resolve(struct shm *s, const char *name, const char *path, char *errbuf)
{
	if (path != NULL) {
		if (path[0] == '\0' || strlen(path) >= sizeof(s->s_path)) {
			shm_err(errbuf, "segment path \"%s\" is empty or too "
			    "long", path);
			return -1;
		}
		snprintf(s->s_path, sizeof(s->s_path), "%s", path);
		s->s_posix = 0;
		s->s_name[0] = '\0';
		return 0;
	}
	if (!shm_name_ok(name)) {
		shm_err(errbuf, "segment name \"%s\" may only use letters, "
		    "digits, '.', '_' and '-' (at most %d, not starting "
		    "with '.')", name != NULL ? name : "", SHM_NAME_MAX);
		return -1;
	}
	s->s_posix = 1;
	snprintf(s->s_name, sizeof(s->s_name), "%s", name);
	snprintf(s->s_shmname, sizeof(s->s_shmname), "/naut.%s", name);
	snprintf(s->s_path, sizeof(s->s_path), "/dev/shm/naut.%s", name);
	return 0;
}

int
shm_open_path(const struct shm *s, int flags, mode_t mode)
{
	if (s->s_posix)
		return shm_open(s->s_shmname, flags, mode);
	return open(s->s_path, flags | O_CLOEXEC, mode);
}

int
shm_unlink_path(const struct shm *s)
{
	if (s->s_posix)
		return shm_unlink(s->s_shmname);
	return unlink(s->s_path);
}

/*
 * Start time of a process in clock ticks since boot (/proc/PID/stat field
 * 22), or 0 if unknown.  A zombie counts as gone: it runs nothing.
 */
uint64_t
shm_proc_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may contain spaces and ')': skip to the last. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return UINT64_MAX;
	for (field = 3; field < 22 && p != NULL; field++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL || sscanf(p, "%llu", &st) != 1)
		return 0;
	return st;
}

/*
 * Alive in the sense that matters here: kill(pid, 0) finds it (EPERM: it
 * exists, owned by someone else), it is not a zombie, and when we know
 * the start time it was recorded with, it is still the same process (the
 * pid was not reused by an unrelated program).
 */
int
shm_pid_alive(pid_t pid, uint64_t starttime)
{
	uint64_t now;

	if (pid <= 0)
		return 0;
	if (kill(pid, 0) == -1 && errno != EPERM)
		return 0;
	now = shm_proc_starttime(pid);
	if (now == UINT64_MAX)
		return 0;
	if (starttime != 0 && now != 0 && now != starttime)
		return 0;
	return 1;
}

uint64_t
shm_now_ms(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

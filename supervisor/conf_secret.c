/*
 * Secrets and the files the fleet names: each source is read or checked
 * once, however many devices use it, and secret values live outside the
 * arena so that conf_free() can wipe them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"
#include "htab.h"
#include "xmem.h"

int
conf_check_readable(struct conf_ctx *ctx, const char *path,
    struct conf_pos pos, const char *what)
{
	intptr_t r;

	r = (intptr_t)htab_get(ctx->paths, path, strlen(path));
	if (r == 0) {
		r = access(path, R_OK) == 0 ? 1 : -(intptr_t)errno - 1;
		htab_put(ctx->paths, path, strlen(path), (void *)r);
		if (r < 0) {
			conf_err(ctx, pos, "%s \"%s\" cannot be read: %s", what,
			    path, strerror((int)(-r - 1)));
			return -1;
		}
	}
	return r > 0 ? 0 : -1;
}

#define SECRET_MAX	65536

static int
secret_read_file(const char *path, char **out, size_t *lenp)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	struct stat st;

	/*
	 * A regular file only: a FIFO or a terminal named by mistake would
	 * block the load (O_NONBLOCK makes the open itself safe).
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY))
	    == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -2;
	}
	buf = xmalloc(SECRET_MAX + 1);
	while ((n = read(fd, buf + len, SECRET_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0) {
		explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
		return -1;
	}
	if (len == SECRET_MAX) {
		explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
		errno = EFBIG;
		return -1;
	}
	/* One trailing newline (or CRLF) is the file's, not the secret's. */
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r')
			len--;
	}
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	return 0;
}

/*
 * Secrets are read once per distinct source, however many devices use it,
 * and kept outside the arena so conf_free() can wipe them.
 */
const struct conf_secret *
conf_secret_get(struct conf_ctx *ctx, struct conf *c, enum conf_secret_src src,
    const char *ref, struct conf_pos pos, const char *what)
{
	struct conf_secret *s;
	char key[PATH_MAX + 8];
	int rc;
	size_t klen;
	const char *v;

	/*
	 * An inline value is keyed by where it lives, never by its text:
	 * the key copy stays in the arena unwiped.
	 */
	if (src == CONF_SECRET_INLINE)
		klen = (size_t)snprintf(key, sizeof(key), "%d:%p", (int)src,
		    (const void *)ref);
	else
		klen = (size_t)snprintf(key, sizeof(key), "%d:%s", (int)src,
		    ref);
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	if ((s = htab_get(ctx->secrets, key, klen)) != NULL)
		return s->value != NULL ? s : NULL;
	s = xcalloc(1, sizeof(*s));
	s->src = src;
	s->ref = src == CONF_SECRET_INLINE ? "" : arena_strdup(ctx->arena, ref);
	switch (src) {
	case CONF_SECRET_INLINE:
		s->value = xstrdup(ref);
		s->len = strlen(ref);
		break;
	case CONF_SECRET_ENV:
		if ((v = getenv(ref)) == NULL)
			conf_err(ctx, pos, "%s: environment variable %s is not "
			    "set", what, ref);
		else if (*v == '\0')
			conf_err(ctx, pos, "%s: environment variable %s is "
			    "empty", what, ref);
		else {
			s->value = xstrdup(v);
			s->len = strlen(v);
		}
		break;
	case CONF_SECRET_FILE:
		if ((rc = secret_read_file(ref, &s->value, &s->len)) == -2)
			conf_err(ctx, pos, "%s \"%s\" is not a regular file",
			    what, ref);
		else if (rc != 0)
			conf_err(ctx, pos, "%s \"%s\" cannot be read: %s", what,
			    ref, strerror(errno));
		else if (s->len == 0) {
			conf_err(ctx, pos, "%s \"%s\" is empty", what, ref);
			free(s->value);
			s->value = NULL;
		}
		break;
	default:
		break;
	}
	c->secrets = xreallocarray(c->secrets, c->nsecrets + 1,
	    sizeof(*c->secrets));
	c->secrets[c->nsecrets++] = s;
	htab_put(ctx->secrets, arena_strndup(ctx->arena, key, klen), klen, s);
	return s->value != NULL ? s : NULL;
}

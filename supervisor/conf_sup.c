/*
 * The supervisor: section of a fleet file (workers, budget, deadlines,
 * listeners, output, log) and its defaults.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_int.h"
#include "htab.h"
#include "xmem.h"

static const char *const sup_keys[] = { "workers", "max_concurrent",
    "global_timeout", "drain_timeout", "metrics_listen", "output_dir",
    "name", "user", "group", "read_group", "max_sessions_per_worker",
    "log", "templates", NULL };
static const char *const log_keys[] = { "format", "level", NULL };

/* A segment name becomes part of a path: keep it to a safe alphabet. */
static int
name_is_safe(const char *s, size_t max)
{
	size_t n = 0;

	if (*s == '.' || *s == '\0')
		return 0;
	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '.'))
			return 0;
	return n <= max;
}

static int
listen_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s)
		return 0;
	if (*s == '[' && colon[-1] != ']')
		return 0;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return errno == 0 && *end == '\0' && colon[1] != '\0' && port > 0 &&
	    port <= 65535;
}

/*
 * user:, group: and read_group: name accounts of this host; a name that
 * does not resolve is an error now rather than at the first fork.
 */
static int
account_parse(struct conf_ctx *ctx, const struct ynode *v, const char *key,
    int isgroup, const char **out)
{
	const char *s;

	if (cv_string(ctx, v, key, &s) != 0)
		return -1;
	if (s[0] == '\0' || (isgroup ? getgrnam(s) == NULL :
	    getpwnam(s) == NULL)) {
		conf_err(ctx, v->pos, "%s: no %s \"%s\" on this host", key,
		    isgroup ? "group" : "user", s);
		return -1;
	}
	*out = s;
	return 0;
}

static void
sup_defaults(struct conf *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	c->sup.workers = n > 0 ? (uint32_t)n : 1;
	c->sup.workers_auto = 1;
	c->sup.max_concurrent = 200;
	c->sup.global_timeout_ms = 0;
	c->sup.drain_timeout_ms = 30 * 1000;
	c->sup.metrics_listen = "127.0.0.1:9469";
	c->sup.output_dir = "output";
	c->sup.log_format = -1;
	c->sup.log_level = CONF_LOGLVL_INFO;
}

/* The segment is named after the fleet file unless supervisor.name says. */
static const char *
sup_default_name(struct conf_ctx *ctx, const char *file)
{
	const char *b = strrchr(file, '/');
	char buf[65];
	size_t i, n = 0;

	b = b != NULL ? b + 1 : file;
	for (i = 0; b[i] != '\0' && n < sizeof(buf) - 1; i++) {
		char ch = b[i];

		if (strcmp(b + i, ".yaml") == 0 || strcmp(b + i, ".yml") == 0)
			break;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			ch = '_';
		buf[n++] = ch;
	}
	buf[n] = '\0';
	if (n == 0)
		return "naut";
	return arena_strdup(ctx->arena, buf);
}

static int
sup_parse(struct conf_ctx *ctx, struct conf *c, const struct ynode *m)
{
	uint64_t u;
	size_t i;
	int rc = 0, e;

	if (cv_is_map(ctx, m, "supervisor") != 0)
		return -1;
	for (i = 0; i < m->n; i++) {
		const struct ynode *k = m->items[2 * i];
		const struct ynode *v = m->items[2 * i + 1];

		if (strcmp(k->s, "workers") == 0) {
			if (v->type == YN_SCALAR && strcmp(v->s, "auto") == 0)
				continue;
			if (cv_uint(ctx, v, "workers", 1, 256, &u) == 0) {
				c->sup.workers = (uint32_t)u;
				c->sup.workers_auto = 0;
			} else
				rc = -1;
		} else if (strcmp(k->s, "max_concurrent") == 0) {
			if (cv_uint(ctx, v, "max_concurrent", 1, 1000000, &u)
			    == 0)
				c->sup.max_concurrent = (uint32_t)u;
			else
				rc = -1;
		} else if (strcmp(k->s, "global_timeout") == 0) {
			if (cv_duration(ctx, v, "global_timeout", 0,
			    7ULL * 24 * 3600 * 1000, &u) == 0)
				c->sup.global_timeout_ms = (uint32_t)u;
			else
				rc = -1;
		} else if (strcmp(k->s, "drain_timeout") == 0) {
			if (cv_duration(ctx, v, "drain_timeout", 0,
			    3600 * 1000, &u) == 0)
				c->sup.drain_timeout_ms = (uint32_t)u;
			else
				rc = -1;
		} else if (strcmp(k->s, "metrics_listen") == 0) {
			const char *s;

			if (cv_string(ctx, v, "metrics_listen", &s) != 0)
				rc = -1;
			else if (!listen_ok(s)) {
				conf_err(ctx, v->pos, "metrics_listen must be "
				    "host:port (e.g. 127.0.0.1:9469), not "
				    "\"%s\"", s);
				rc = -1;
			} else
				c->sup.metrics_listen = s;
		} else if (strcmp(k->s, "templates") == 0) {
			c->sup.templates_pos = v->pos;
			rc |= cv_strlist(ctx, v, "templates", &c->sup.templates,
			    &c->sup.ntemplates);
		} else if (strcmp(k->s, "output_dir") == 0) {
			if (cv_string(ctx, v, "output_dir",
			    &c->sup.output_dir) != 0)
				rc = -1;
			else if (c->sup.output_dir[0] == '\0') {
				conf_err(ctx, v->pos, "output_dir must not be "
				    "empty");
				rc = -1;
			}
		} else if (strcmp(k->s, "name") == 0) {
			const char *s;

			if (cv_string(ctx, v, "name", &s) != 0)
				rc = -1;
			else if (!name_is_safe(s, 64)) {
				conf_err(ctx, v->pos, "name \"%s\" may only "
				    "use letters, digits, '.', '_' and '-' "
				    "(at most 64, not starting with '.')", s);
				rc = -1;
			} else
				c->sup.name = s;
		} else if (strcmp(k->s, "max_sessions_per_worker") == 0) {
			if (cv_uint(ctx, v, "max_sessions_per_worker", 1,
			    1000000, &u) == 0)
				c->sup.max_sessions_per_worker = (uint32_t)u;
			else
				rc = -1;
		} else if (strcmp(k->s, "user") == 0) {
			if (account_parse(ctx, v, "user", 0, &c->sup.user) != 0)
				rc = -1;
		} else if (strcmp(k->s, "group") == 0) {
			if (account_parse(ctx, v, "group", 1, &c->sup.group)
			    != 0)
				rc = -1;
		} else if (strcmp(k->s, "read_group") == 0) {
			if (account_parse(ctx, v, "read_group", 1,
			    &c->sup.read_group) != 0)
				rc = -1;
		} else if (strcmp(k->s, "log") == 0) {
			size_t j;

			if (cv_is_map(ctx, v, "log") != 0) {
				rc = -1;
				continue;
			}
			for (j = 0; j < v->n; j++) {
				const struct ynode *lk = v->items[2 * j];
				const struct ynode *lv = v->items[2 * j + 1];

				if (strcmp(lk->s, "format") == 0) {
					if (cv_enum(ctx, lv, "log.format",
					    conf_logfmt_names,
					    CONF_LOGFMT_COUNT, &e) == 0)
						c->sup.log_format = e;
					else
						rc = -1;
				} else if (strcmp(lk->s, "level") == 0) {
					if (cv_enum(ctx, lv, "log.level",
					    conf_loglvl_names,
					    CONF_LOGLVL_COUNT, &e) == 0)
						c->sup.log_level = (uint8_t)e;
					else
						rc = -1;
				} else {
					conf_unknown_key(ctx, lk, "log",
					    log_keys);
					rc = -1;
				}
			}
		} else {
			conf_unknown_key(ctx, k, "supervisor", sup_keys);
			rc = -1;
		}
	}
	return rc;
}

/* m may be NULL: the section is optional. */
int
conf_sup_parse(struct conf_ctx *ctx, struct conf *c, const struct ynode *m)
{
	int rc = 0;

	sup_defaults(c);
	if (m != NULL && !m->isnull)
		rc = sup_parse(ctx, c, m);
	if (c->sup.name == NULL)
		c->sup.name = sup_default_name(ctx, c->file);
	return rc;
}

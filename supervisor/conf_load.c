/*
 * conf_load: fleet.yaml to struct conf.  Sections are read in dependency
 * order (platforms, groups, devices, jobs, telemetry) whatever their order
 * in the file; every error is collected and all are printed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"
#include "htab.h"
#include "xmem.h"


static const char *const top_keys[] = { "supervisor", "defaults",
    "platforms", "groups", "devices", "jobs", "telemetry", NULL };
static const char *const sup_keys[] = { "workers", "max_concurrent",
    "global_timeout", "drain_timeout", "metrics_listen", "output_dir",
    "name", "log", NULL };
static const char *const log_keys[] = { "format", "level", NULL };

static const struct ynode *
map_get(const struct ynode *m, const char *key)
{
	size_t i;

	for (i = 0; m != NULL && i < m->n; i++)
		if (strcmp(m->items[2 * i]->s, key) == 0)
			return m->items[2 * i + 1];
	return NULL;
}

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
		} else if (strcmp(k->s, "output_dir") == 0) {
			if (cv_string(ctx, v, "output_dir",
			    &c->sup.output_dir) != 0)
				rc = -1;
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

/* Secrets and files named at one level are checked where they are written. */
static void
props_check_sources(struct conf_ctx *ctx, struct conf *c,
    const struct conf_props *p)
{
	if (p->set & (1ULL << CONF_P_PASSWORD))
		conf_secret_get(ctx, c, CONF_SECRET_INLINE, p->password,
		    p->pos[CONF_P_PASSWORD], "password");
	if (p->set & (1ULL << CONF_P_PASSWORD_ENV))
		conf_secret_get(ctx, c, CONF_SECRET_ENV, p->password_env,
		    p->pos[CONF_P_PASSWORD_ENV], "password_env");
	if (p->set & (1ULL << CONF_P_PASSWORD_FILE))
		conf_secret_get(ctx, c, CONF_SECRET_FILE, p->password_file,
		    p->pos[CONF_P_PASSWORD_FILE], "password_file");
	if (p->set & (1ULL << CONF_P_PASSPHRASE_ENV))
		conf_secret_get(ctx, c, CONF_SECRET_ENV, p->passphrase_env,
		    p->pos[CONF_P_PASSPHRASE_ENV], "passphrase_env");
	if (p->set & (1ULL << CONF_P_PASSPHRASE_FILE))
		conf_secret_get(ctx, c, CONF_SECRET_FILE, p->passphrase_file,
		    p->pos[CONF_P_PASSPHRASE_FILE], "passphrase_file");
	if (p->set & (1ULL << CONF_P_KEY_FILE))
		conf_check_readable(ctx, p->key_file, p->pos[CONF_P_KEY_FILE],
		    "key_file");
	if (p->set & (1ULL << CONF_P_CA_FILE))
		conf_check_readable(ctx, p->ca_file, p->pos[CONF_P_CA_FILE],
		    "ca_file");
}

static struct conf_group *
group_find(struct htab *gt, const char *name)
{
	return htab_get(gt, name, strlen(name));
}

static void
group_unknown(struct conf_ctx *ctx, struct conf *c, const struct ynode *n)
{
	const char **names = xcalloc(c->ngroups + 1, sizeof(*names));
	const char *s;
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		names[i] = c->groups[i]->name;
	if ((s = conf_suggest(n->s, names)) != NULL)
		conf_err(ctx, n->pos, "unknown group \"%s\"; did you mean "
		    "\"%s\"?", n->s, s);
	else
		conf_err(ctx, n->pos, "unknown group \"%s\"", n->s);
	free(names);
}

static struct conf_group **
group_refs(struct conf_ctx *ctx, struct conf *c, struct htab *gt,
    const struct ynode *v, int *rc)
{
	struct conf_group **out;
	size_t i, n = 0;

	if (v->type == YN_SCALAR && !v->isnull) {
		out = arena_alloc(ctx->arena, 2 * sizeof(*out));
		if ((out[0] = group_find(gt, v->s)) == NULL) {
			group_unknown(ctx, c, v);
			*rc = -1;
		}
		return out;
	}
	if (cv_is_seq(ctx, v, "groups") != 0) {
		*rc = -1;
		return arena_alloc(ctx->arena, sizeof(*out));
	}
	out = arena_alloc(ctx->arena, (v->n + 1) * sizeof(*out));
	for (i = 0; i < v->n; i++) {
		const struct ynode *g = v->items[i];
		struct conf_group *gr;

		if (g->type != YN_SCALAR || g->isnull) {
			conf_err(ctx, g->pos, "groups must list group names, "
			    "not a %s", cv_typename(g));
			*rc = -1;
			continue;
		}
		if ((gr = group_find(gt, g->s)) == NULL) {
			group_unknown(ctx, c, g);
			*rc = -1;
			continue;
		}
		out[n++] = gr;
	}
	return out;
}

static int
groups_parse(struct conf_ctx *ctx, struct conf *c, struct htab *gt,
    const struct ynode *m)
{
	static const char *const extra[] = { "groups", NULL };
	size_t i;
	int rc = 0;

	if (cv_is_map(ctx, m, "groups") != 0)
		return -1;
	c->groups = arena_alloc(ctx->arena, (m->n + 1) * sizeof(*c->groups));
	for (i = 0; i < m->n; i++) {
		struct conf_group *g = arena_alloc(ctx->arena, sizeof(*g));

		g->name = m->items[2 * i]->s;
		g->pos = m->items[2 * i]->pos;
		c->groups[c->ngroups++] = g;
		htab_put(gt, g->name, strlen(g->name), g);
	}
	for (i = 0; i < m->n; i++) {
		struct conf_group *g = c->groups[i];
		const struct ynode *v = m->items[2 * i + 1], *pv;

		if (v->isnull) {
			g->parents = arena_alloc(ctx->arena, sizeof(void *));
			continue;
		}
		if (cv_is_map(ctx, v, "a group") != 0) {
			rc = -1;
			g->parents = arena_alloc(ctx->arena, sizeof(void *));
			continue;
		}
		if (conf_props_parse(ctx, &g->props, v, extra, 1) != 0)
			rc = -1;
		props_check_sources(ctx, c, &g->props);
		if ((pv = map_get(v, "groups")) != NULL)
			g->parents = group_refs(ctx, c, gt, pv, &rc);
		else
			g->parents = arena_alloc(ctx->arena, sizeof(void *));
	}
	return rc;
}

/* Depth-first walk; a group met again on the current path is a cycle. */
static int
group_cycle(struct conf_ctx *ctx, struct conf_group *g,
    struct conf_group **path, int depth)
{
	size_t i;

	if (g->visit == 2)
		return 0;
	if (g->visit == 1) {
		char buf[512];
		size_t l = 0;
		int j, start = 0;

		for (j = 0; j < depth; j++)
			if (path[j] == g)
				start = j;
		for (j = start; j < depth && l < sizeof(buf); j++)
			l += (size_t)snprintf(buf + l, sizeof(buf) - l,
			    "%s -> ", path[j]->name);
		if (l < sizeof(buf))
			snprintf(buf + l, sizeof(buf) - l, "%s", g->name);
		conf_err(ctx, g->pos, "group \"%s\" is its own ancestor: %s",
		    g->name, buf);
		return -1;
	}
	if (depth >= CONF_MAX_DEPTH) {
		conf_err(ctx, g->pos, "groups nest deeper than %d levels",
		    CONF_MAX_DEPTH);
		return -1;
	}
	g->visit = 1;
	path[depth] = g;
	for (i = 0; g->parents[i] != NULL; i++)
		if (group_cycle(ctx, g->parents[i], path, depth + 1) != 0) {
			g->visit = 2;
			return -1;
		}
	g->visit = 2;
	return 0;
}

static void
resolve_groups(struct arena *a, struct conf_props *p,
    struct conf_group *const *groups)
{
	size_t i;

	for (i = 0; groups[i] != NULL; i++) {
		conf_props_merge(a, p, &groups[i]->props);
		resolve_groups(a, p, groups[i]->parents);
	}
}

/* Device names become directory names under output_dir. */
static int
device_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == '/' || *s == 0x7f)
			return 0;
	return 1;
}

static const char *const device_extra[] = { "name", "groups", NULL };

static void
device_parse(struct conf_ctx *ctx, struct conf *c, struct htab *gt,
    struct htab *dt, struct conf_device *d, const struct ynode *namenode,
    const struct ynode *v, int *rc)
{
	const struct ynode *gv;
	struct conf_device *prev;

	d->pos = namenode != NULL ? namenode->pos : v->pos;
	if (namenode == NULL) {
		conf_err(ctx, v->pos, "a device needs a name");
		*rc = -1;
	} else if (namenode->type != YN_SCALAR || namenode->isnull) {
		conf_err(ctx, namenode->pos, "a device name must be a string, "
		    "not a %s", cv_typename(namenode));
		*rc = -1;
	} else if (!device_name_ok(namenode->s)) {
		conf_err(ctx, namenode->pos, "device name \"%s\" cannot be "
		    "used as a directory name (no '/', control characters, "
		    "\".\" or \"..\"; at most 128 bytes)", namenode->s);
		*rc = -1;
	} else {
		d->name = namenode->s;
		if ((prev = htab_put(dt, d->name, strlen(d->name), d)) != NULL) {
			conf_err(ctx, namenode->pos, "duplicate device name "
			    "\"%s\" (first defined at line %u, column %u)",
			    d->name, prev->pos.line, prev->pos.col);
			*rc = -1;
		}
	}
	if (v != NULL && !v->isnull) {
		if (cv_is_map(ctx, v, "a device") != 0) {
			*rc = -1;
			v = NULL;
		} else if (conf_props_parse(ctx, &d->p, v, device_extra, 2)
		    != 0)
			*rc = -1;
	} else
		v = NULL;
	props_check_sources(ctx, c, &d->p);
	if (v != NULL && (gv = map_get(v, "groups")) != NULL)
		d->groups = group_refs(ctx, c, gt, gv, rc);
	else
		d->groups = arena_alloc(ctx->arena, sizeof(void *));
}

static int
devices_parse(struct conf_ctx *ctx, struct conf *c, struct htab *gt,
    const struct ynode *m)
{
	struct htab *dt;
	size_t i, n;
	int rc = 0;

	if (m->type != YN_SEQ && m->type != YN_MAP) {
		conf_err(ctx, m->pos, "devices must be a list of devices (or "
		    "a mapping from name to device), not a %s",
		    cv_typename(m));
		return -1;
	}
	n = m->n;
	dt = htab_new(n);
	c->devices = xcalloc(n + 1, sizeof(*c->devices));
	for (i = 0; i < n; i++) {
		struct conf_device *d = &c->devices[c->ndevices];
		const struct ynode *v, *name;

		if (m->type == YN_SEQ) {
			v = m->items[i];
			if (v->type != YN_MAP) {
				conf_err(ctx, v->pos, "a device must be a "
				    "mapping with name: and host:, not a %s",
				    cv_typename(v));
				rc = -1;
				continue;
			}
			name = map_get(v, "name");
			if (name == NULL) {
				conf_err(ctx, v->pos, "a device needs a name");
				rc = -1;
				continue;
			}
		} else {
			name = m->items[2 * i];
			v = m->items[2 * i + 1];
			if (map_get(v, "name") != NULL) {
				conf_err(ctx, map_get(v, "name")->pos, "name "
				    "is given by the key \"%s\" already",
				    name->s);
				rc = -1;
			}
		}
		d->index = (uint32_t)c->ndevices;
		device_parse(ctx, c, gt, dt, d, name, v, &rc);
		c->ndevices++;
	}
	htab_free(dt);
	return rc;
}

static const struct conf_secret *
device_secret(struct conf_ctx *ctx, struct conf *c, const struct conf_props *p,
    int pass)
{
	if (pass == 0) {
		if (p->set & (1ULL << CONF_P_PASSWORD))
			return conf_secret_get(ctx, c, CONF_SECRET_INLINE,
			    p->password, p->pos[CONF_P_PASSWORD], "password");
		if (p->set & (1ULL << CONF_P_PASSWORD_ENV))
			return conf_secret_get(ctx, c, CONF_SECRET_ENV,
			    p->password_env, p->pos[CONF_P_PASSWORD_ENV],
			    "password_env");
		if (p->set & (1ULL << CONF_P_PASSWORD_FILE))
			return conf_secret_get(ctx, c, CONF_SECRET_FILE,
			    p->password_file, p->pos[CONF_P_PASSWORD_FILE],
			    "password_file");
		return NULL;
	}
	if (p->set & (1ULL << CONF_P_PASSPHRASE_ENV))
		return conf_secret_get(ctx, c, CONF_SECRET_ENV,
		    p->passphrase_env, p->pos[CONF_P_PASSPHRASE_ENV],
		    "passphrase_env");
	if (p->set & (1ULL << CONF_P_PASSPHRASE_FILE))
		return conf_secret_get(ctx, c, CONF_SECRET_FILE,
		    p->passphrase_file, p->pos[CONF_P_PASSPHRASE_FILE],
		    "passphrase_file");
	return NULL;
}

static void
platform_unknown(struct conf_ctx *ctx, struct conf *c, const char *name,
    struct conf_pos pos)
{
	const char **names = xcalloc(c->nplatforms + 1, sizeof(*names));
	const char *s;
	size_t i;

	for (i = 0; i < c->nplatforms; i++)
		names[i] = c->platforms[i]->name;
	if ((s = conf_suggest(name, names)) != NULL)
		conf_err(ctx, pos, "unknown platform \"%s\"; did you mean "
		    "\"%s\"?", name, s);
	else
		conf_err(ctx, pos, "unknown platform \"%s\"", name);
	free(names);
}

static const uint16_t default_port[CONF_TRANSPORT_COUNT] = { 22, 830, 443 };

/* Inheritance: the device, its groups (depth first), defaults, built-ins. */
static int
devices_resolve(struct conf_ctx *ctx, struct conf *c)
{
	struct conf_props builtin;
	const char *home = getenv("HOME");
	const char *kh = NULL;
	size_t i;
	int rc = 0;

	conf_props_defaults(&builtin);
	if (home != NULL && *home != '\0') {
		char buf[PATH_MAX];

		snprintf(buf, sizeof(buf), "%s/.ssh/known_hosts", home);
		kh = arena_strdup(ctx->arena, buf);
	}
	for (i = 0; i < c->ndevices; i++) {
		struct conf_device *d = &c->devices[i];
		struct conf_props *p = &d->p;

		if (d->name == NULL)
			continue;
		resolve_groups(ctx->arena, p, d->groups);
		conf_props_merge(ctx->arena, p, &c->defaults);
		conf_props_merge(ctx->arena, p, &builtin);
		if (!(p->set & (1ULL << CONF_P_PORT))) {
			p->port = default_port[p->transport];
			p->set |= 1ULL << CONF_P_PORT;
		}
		if (!(p->set & (1ULL << CONF_P_KNOWN_HOSTS)) && kh != NULL) {
			p->known_hosts = kh;
			p->set |= 1ULL << CONF_P_KNOWN_HOSTS;
		}
		if (!((p->set | p->bad) & (1ULL << CONF_P_HOST))) {
			conf_err(ctx, d->pos, "device \"%s\" has no host "
			    "(set host: on the device, a group or defaults)",
			    d->name);
			rc = -1;
		}
		if (p->set & (1ULL << CONF_P_PLATFORM)) {
			d->platform = conf_platform_find(c, p->platform);
			if (d->platform == NULL) {
				platform_unknown(ctx, c, p->platform,
				    p->pos[CONF_P_PLATFORM]);
				rc = -1;
			}
		}
		d->password = device_secret(ctx, c, p, 0);
		d->passphrase = device_secret(ctx, c, p, 1);
		if (p->transport == CONF_TRANSPORT_REST)
			continue;
		if (!((p->set | p->bad) & (1ULL << CONF_P_USERNAME))) {
			conf_err(ctx, d->pos, "device \"%s\" has no username "
			    "(needed for %s)", d->name,
			    conf_transport_names[p->transport]);
			rc = -1;
		}
		if (!((p->set | p->bad) & (CONF_PW_MASK |
		    (1ULL << CONF_P_KEY_FILE)))) {
			conf_err(ctx, d->pos, "device \"%s\" has no "
			    "credentials: set password_env, password_file or "
			    "key_file", d->name);
			rc = -1;
		}
		if (p->backoff_base_ms > p->backoff_max_ms) {
			conf_err(ctx, p->pos[CONF_P_B_BASE].line ?
			    p->pos[CONF_P_B_BASE] : d->pos, "backoff.base "
			    "(%ums) is larger than backoff.max (%ums)",
			    p->backoff_base_ms, p->backoff_max_ms);
			rc = -1;
		}
	}
	return rc;
}

static int
conf_parse_tree(struct conf_ctx *ctx, struct conf *c, const struct ynode *root)
{
	const struct ynode *v;
	struct conf_group **path;
	struct htab *gt;
	size_t i;
	int rc = 0, cycles = 0;

	if (root->type != YN_MAP) {
		conf_err(ctx, root->pos, "the top level must be a mapping with "
		    "devices: (and optionally supervisor:, defaults:, "
		    "platforms:, groups:, jobs:, telemetry:), not a %s",
		    cv_typename(root));
		return -1;
	}
	for (i = 0; i < root->n; i++) {
		const struct ynode *k = root->items[2 * i];
		size_t j;
		int known = 0;

		for (j = 0; top_keys[j] != NULL; j++)
			if (strcmp(k->s, top_keys[j]) == 0)
				known = 1;
		if (!known) {
			conf_unknown_key(ctx, k, "the top level", top_keys);
			rc = -1;
		}
	}
	sup_defaults(c);
	if ((v = map_get(root, "supervisor")) != NULL && !v->isnull)
		rc |= sup_parse(ctx, c, v);
	if (c->sup.name == NULL)
		c->sup.name = sup_default_name(ctx, c->file);

	conf_platforms_builtin(ctx, c);
	if ((v = map_get(root, "platforms")) != NULL && !v->isnull) {
		if (cv_is_map(ctx, v, "platforms") != 0)
			rc = -1;
		else
			for (i = 0; i < v->n; i++)
				rc |= conf_platform_parse(ctx, c,
				    v->items[2 * i]->s, v->items[2 * i],
				    v->items[2 * i + 1]);
	}
	for (i = 0; i < c->nplatforms; i++)
		if (c->platforms[i]->prompt != NULL)
			rc |= conf_platform_compile(ctx, c->platforms[i]);

	if ((v = map_get(root, "defaults")) != NULL && !v->isnull) {
		if (cv_is_map(ctx, v, "defaults") != 0)
			rc = -1;
		else {
			rc |= conf_props_parse(ctx, &c->defaults, v, NULL, 0);
			props_check_sources(ctx, c, &c->defaults);
		}
	}

	gt = htab_new(16);
	if ((v = map_get(root, "groups")) != NULL && !v->isnull)
		rc |= groups_parse(ctx, c, gt, v);
	path = xcalloc(CONF_MAX_DEPTH + 1, sizeof(*path));
	for (i = 0; i < c->ngroups; i++)
		if (group_cycle(ctx, c->groups[i], path, 0) != 0)
			cycles = 1;
	free(path);

	if ((v = map_get(root, "devices")) == NULL || v->isnull) {
		conf_err(ctx, root->pos, "no devices: section; a fleet file "
		    "lists its devices under devices:");
		rc = -1;
	} else
		rc |= devices_parse(ctx, c, gt, v);
	htab_free(gt);
	/* Resolve even after other errors, to report them all; not a cycle. */
	if (!cycles)
		rc |= devices_resolve(ctx, c);
	else
		rc = -1;

	if ((v = map_get(root, "jobs")) != NULL && !v->isnull)
		rc |= conf_jobs_parse(ctx, c, v);
	if ((v = map_get(root, "telemetry")) != NULL && !v->isnull)
		rc |= conf_telemetry_parse(ctx, c, v);
	if (rc == 0)
		rc |= conf_jobs_check(ctx, c);
	return rc;
}

struct conf *
conf_load_buffer(const char *name, const char *buf, size_t len, FILE *errfp)
{
	struct conf_ctx ctx;
	struct conf *c;
	struct arena *tree;
	struct ynode *root;
	int rc = -1;

	memset(&ctx, 0, sizeof(ctx));
	c = xcalloc(1, sizeof(*c));
	c->arena = arena_new();
	c->file = arena_strdup(c->arena, name);
	ctx.file = c->file;
	ctx.errfp = errfp;
	ctx.arena = c->arena;
	ctx.secrets = htab_new(16);
	ctx.paths = htab_new(16);
	ctx.seen = htab_new(16);

	if (len > CONF_MAX_FILE_SIZE) {
		struct conf_pos p = { 0, 0 };

		conf_err(&ctx, p, "file is %zu bytes; the limit is %u", len,
		    CONF_MAX_FILE_SIZE);
		goto out;
	}
	/* The node tree dies after conversion; the conf keeps its strings. */
	tree = c->arena;
	root = conf_yaml_parse(&ctx, tree, buf, len);
	if (root != NULL)
		rc = conf_parse_tree(&ctx, c, root);
	if (ctx.nerr > 0)
		rc = -1;
out:
	htab_free(ctx.secrets);
	htab_free(ctx.paths);
	htab_free(ctx.seen);
	conf_err_flush(&ctx);
	if (rc != 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, FILE *errfp)
{
	struct conf *c;
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errfp != NULL)
			fprintf(errfp, "%s: cannot open: %s\n", path,
			    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (errfp != NULL)
			fprintf(errfp, "%s: not a regular file\n", path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > CONF_MAX_FILE_SIZE) {
		if (errfp != NULL)
			fprintf(errfp, "%s: file is %lld bytes; the limit is "
			    "%u\n", path, (long long)st.st_size,
			    CONF_MAX_FILE_SIZE);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	c = conf_load_buffer(path, buf, len, errfp);
	free(buf);
	return c;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nplatforms; i++)
		conf_platform_release(c->platforms[i]);
	for (i = 0; i < c->ntelemetry; i++)
		if (c->telemetry[i].ssh != NULL &&
		    c->telemetry[i].ssh->regex != NULL)
			regfree(&c->telemetry[i].ssh->re);
	for (i = 0; i < c->nsecrets; i++) {
		struct conf_secret *s = c->secrets[i];

		if (s->value != NULL) {
			explicit_bzero(s->value, s->len);
			free(s->value);
		}
		free(s);
	}
	free(c->secrets);
	free(c->platforms);
	free(c->devices);
	free(c->jobs);
	free(c->telemetry);
	arena_free(c->arena);
	free(c);
}

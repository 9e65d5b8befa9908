/*
 * groups: and devices:, and inheritance: a device takes each property from
 * itself, else from its groups in the order listed (each followed by its
 * parents, depth first), else from defaults:, else from the built-ins.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_int.h"
#include "htab.h"
#include "xmem.h"

/* Secrets and files named at one level are checked where they are written. */
void
conf_props_check_sources(struct conf_ctx *ctx, struct conf *c,
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
			    "not %s", cv_typename(g));
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

int
conf_groups_parse(struct conf_ctx *ctx, struct conf *c, struct htab *gt,
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
		conf_props_check_sources(ctx, c, &g->props);
		if ((pv = conf_map_get(v, "groups")) != NULL)
			g->parents = group_refs(ctx, c, gt, pv, &rc);
		else
			g->parents = arena_alloc(ctx->arena, sizeof(void *));
	}
	return rc;
}

/* Depth-first walk; a group met again on the current path is a cycle. */
int
conf_group_cycle(struct conf_ctx *ctx, struct conf_group *g,
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
		if (conf_group_cycle(ctx, g->parents[i], path, depth + 1) != 0) {
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
		    "not %s", cv_typename(namenode));
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
	conf_props_check_sources(ctx, c, &d->p);
	if (v != NULL && (gv = conf_map_get(v, "groups")) != NULL)
		d->groups = group_refs(ctx, c, gt, gv, rc);
	else
		d->groups = arena_alloc(ctx->arena, sizeof(void *));
}

int
conf_devices_parse(struct conf_ctx *ctx, struct conf *c, struct htab *gt,
    const struct ynode *m)
{
	struct htab *dt;
	size_t i, n;
	int rc = 0;

	if (m->type != YN_SEQ && m->type != YN_MAP) {
		conf_err(ctx, m->pos, "devices must be a list of devices (or "
		    "a mapping from name to device), not %s",
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
				    "mapping with name: and host:, not %s",
				    cv_typename(v));
				rc = -1;
				continue;
			}
			name = conf_map_get(v, "name");
			if (name == NULL) {
				conf_err(ctx, v->pos, "a device needs a name");
				rc = -1;
				continue;
			}
		} else {
			name = m->items[2 * i];
			v = m->items[2 * i + 1];
			if (v->type != YN_MAP && !v->isnull) {
				conf_err(ctx, v->pos, "device \"%s\" must be a "
				    "mapping of its properties, not %s",
				    name->s, cv_typename(v));
				rc = -1;
				continue;
			}
			if (conf_map_get(v, "name") != NULL) {
				conf_err(ctx, conf_map_get(v, "name")->pos, "name "
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

/*
 * REST credentials: basic auth needs a username with its password; a
 * bearer token is the password secret, so that it is read, wiped and kept
 * out of -T exactly like a password.
 */
static int
rest_auth_check(struct conf_ctx *ctx, const struct conf_device *d)
{
	const struct conf_props *p = &d->p;
	int haspw = ((p->set | p->bad) & CONF_PW_MASK) != 0;

	if (p->http_auth == CONF_HTTPAUTH_BEARER && !haspw) {
		conf_err(ctx, p->pos[CONF_P_HTTP_AUTH], "device \"%s\" uses "
		    "http_auth: bearer but has no token (set password_env or "
		    "password_file)", d->name);
		return -1;
	}
	if (p->http_auth == CONF_HTTPAUTH_BASIC && haspw &&
	    !((p->set | p->bad) & (1ULL << CONF_P_USERNAME))) {
		conf_err(ctx, d->pos, "device \"%s\" has a password but no "
		    "username (basic auth needs both; http_auth: bearer sends "
		    "the password as a token)", d->name);
		return -1;
	}
	return 0;
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
int
conf_devices_resolve(struct conf_ctx *ctx, struct conf *c)
{
	struct htab *keys;
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
	keys = htab_new(16);
	for (i = 0; i < c->ndevices; i++) {
		struct conf_device *d = &c->devices[i];
		struct conf_props *p = &d->p;

		d->brk_dev = (uint32_t)i;
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
		if (p->breaker_key != NULL) {
			struct conf_device *lead = htab_put(keys, p->breaker_key,
			    strlen(p->breaker_key), d);

			if (lead != NULL)
				d->brk_dev = lead->index;
		}
		d->password = device_secret(ctx, c, p, 0);
		d->passphrase = device_secret(ctx, c, p, 1);
		if (p->backoff_base_ms > p->backoff_max_ms) {
			conf_err(ctx, p->pos[CONF_P_B_BASE].line ?
			    p->pos[CONF_P_B_BASE] : d->pos, "backoff.base "
			    "(%ums) is larger than backoff.max (%ums)",
			    p->backoff_base_ms, p->backoff_max_ms);
			rc = -1;
		}
		if ((p->set & CONF_PP_MASK) &&
		    !((p->set | p->bad) & (1ULL << CONF_P_KEY_FILE))) {
			enum conf_prop pp = (p->set & (1ULL <<
			    CONF_P_PASSPHRASE_ENV)) ? CONF_P_PASSPHRASE_ENV :
			    CONF_P_PASSPHRASE_FILE;

			conf_err(ctx, p->pos[pp], "device \"%s\" has a key "
			    "passphrase but no key_file", d->name);
			rc = -1;
		}
		if (p->transport == CONF_TRANSPORT_REST) {
			rc |= rest_auth_check(ctx, d);
			continue;
		}
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
	}
	htab_free(keys);
	return rc;
}


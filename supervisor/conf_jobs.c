/*
 * jobs: entries and the select: blocks jobs and telemetry both use.  The
 * loader validates them completely although workers run them later: an
 * error found at 3 a.m. in the middle of a batch is an error found too late.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "htab.h"
#include "xmem.h"


static const char *const select_keys[] = { "groups", "tags", "names",
    "transports", "platforms", NULL };
static const char *const job_keys[] = { "name", "select", "mode", "scrub",
    "commands", "requests", "rpcs", "parse", NULL };
static const char *const req_keys[] = { "method", "path", "body", "headers",
    NULL };
static const char *const rpc_keys[] = { "op", "source", "filter", "body",
    NULL };
static const char *const methods[] = { "GET", "POST", "PUT", "PATCH",
    "DELETE", "HEAD", NULL };

static int
key_known(const char *k, const char *const *keys)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

/* Unknown keys of map, reported against the key list of its kind. */
int
conf_check_keys(struct conf_ctx *ctx, const struct ynode *m, const char *where,
    const char *const *keys)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < m->n; i++)
		if (!key_known(m->items[2 * i]->s, keys)) {
			conf_unknown_key(ctx, m->items[2 * i], where, keys);
			rc = -1;
		}
	return rc;
}

const struct ynode *
conf_map_get(const struct ynode *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->items[2 * i]->s, key) == 0)
			return m->items[2 * i + 1];
	return NULL;
}

int
conf_select_parse(struct conf_ctx *ctx, struct conf *c, struct conf_select *s,
    const struct ynode *v)
{
	const struct ynode *x;
	size_t i, j;
	int rc = 0;

	if (v == NULL || v->isnull ||
	    (v->type == YN_SCALAR && strcmp(v->s, "all") == 0)) {
		s->all = 1;
		return 0;
	}
	if (v->type != YN_MAP) {
		conf_err(ctx, v->pos, "select must be \"all\" or a mapping of "
		    "groups, tags, names, transports and platforms");
		return -1;
	}
	if (v->n == 0) {
		s->all = 1;
		return 0;
	}
	rc |= conf_check_keys(ctx, v, "select", select_keys);
	if ((x = conf_map_get(v, "groups")) != NULL &&
	    cv_strlist(ctx, x, "select.groups", &s->groups, NULL) == 0) {
		for (i = 0; s->groups[i] != NULL; i++) {
			int found = 0;

			for (j = 0; j < c->ngroups; j++)
				if (strcmp(c->groups[j]->name, s->groups[i]) == 0)
					found = 1;
			if (!found) {
				conf_err(ctx, x->type == YN_SEQ ?
				    x->items[i]->pos : x->pos, "select: unknown "
				    "group \"%s\"", s->groups[i]);
				rc = -1;
			}
		}
	} else if (x != NULL)
		rc = -1;
	if ((x = conf_map_get(v, "tags")) != NULL)
		rc |= cv_tags(ctx, x, "select.tags", &s->tags);
	if ((x = conf_map_get(v, "names")) != NULL)
		rc |= cv_strlist(ctx, x, "select.names", &s->names, NULL);
	if ((x = conf_map_get(v, "transports")) != NULL &&
	    cv_strlist(ctx, x, "select.transports", &s->transports, NULL) == 0) {
		for (i = 0; s->transports[i] != NULL; i++) {
			int k, found = 0;

			for (k = 0; k < CONF_TRANSPORT_COUNT; k++)
				if (strcmp(s->transports[i],
				    conf_transport_names[k]) == 0)
					found = 1;
			if (!found) {
				conf_err(ctx, x->type == YN_SEQ ?
				    x->items[i]->pos : x->pos, "select: unknown "
				    "transport \"%s\" (ssh, netconf or rest)",
				    s->transports[i]);
				rc = -1;
			}
		}
	} else if (x != NULL)
		rc = -1;
	if ((x = conf_map_get(v, "platforms")) != NULL &&
	    cv_strlist(ctx, x, "select.platforms", &s->platforms, NULL) == 0) {
		for (i = 0; s->platforms[i] != NULL; i++)
			if (conf_platform_find(c, s->platforms[i]) == NULL) {
				conf_err(ctx, x->type == YN_SEQ ?
				    x->items[i]->pos : x->pos, "select: unknown "
				    "platform \"%s\"", s->platforms[i]);
				rc = -1;
			}
	} else if (x != NULL)
		rc = -1;
	return rc;
}

int
conf_entry_name(struct conf_ctx *ctx, const struct ynode *m, struct htab *names,
    const char *kind, const char **out)
{
	const struct ynode *n = conf_map_get(m, "name"), *prev;

	if (n == NULL) {
		conf_err(ctx, m->pos, "a %s entry needs a name", kind);
		return -1;
	}
	if (cv_string(ctx, n, "name", out) != 0)
		return -1;
	if ((prev = htab_put(names, n->s, n->n, (void *)n)) != NULL) {
		conf_err(ctx, n->pos, "duplicate %s name \"%s\" (first defined "
		    "at line %u, column %u)", kind, n->s, prev->pos.line,
		    prev->pos.col);
		return -1;
	}
	return 0;
}

/* "GET /path", "/path" (GET), or { method, path, body, headers }. */
static int
request_parse(struct conf_ctx *ctx, struct conf_rest_req *r,
    const struct ynode *v)
{
	const struct ynode *x;
	int rc = 0, i;

	r->method = "GET";
	if (v->type == YN_SCALAR && !v->isnull) {
		const char *sp = strchr(v->s, ' ');

		if (sp != NULL) {
			r->method = arena_strndup(ctx->arena, v->s,
			    (size_t)(sp - v->s));
			r->path = sp + 1;
		} else
			r->path = v->s;
	} else if (v->type == YN_MAP) {
		rc |= conf_check_keys(ctx, v, "a request", req_keys);
		if ((x = conf_map_get(v, "method")) != NULL)
			rc |= cv_string(ctx, x, "method", &r->method);
		if ((x = conf_map_get(v, "path")) != NULL)
			rc |= cv_string(ctx, x, "path", &r->path);
		else {
			conf_err(ctx, v->pos, "a request needs a path");
			rc = -1;
		}
		if ((x = conf_map_get(v, "body")) != NULL)
			rc |= cv_string(ctx, x, "body", &r->body);
		if ((x = conf_map_get(v, "headers")) != NULL)
			rc |= cv_tags(ctx, x, "headers", &r->headers);
	} else {
		conf_err(ctx, v->pos, "a request must be \"METHOD /path\" or "
		    "a mapping with path:, not %s", cv_typename(v));
		return -1;
	}
	if (rc != 0)
		return rc;
	for (i = 0; methods[i] != NULL; i++)
		if (strcmp(r->method, methods[i]) == 0)
			break;
	if (methods[i] == NULL) {
		conf_err(ctx, v->pos, "unknown HTTP method \"%s\" (GET, POST, "
		    "PUT, PATCH, DELETE or HEAD)", r->method);
		rc = -1;
	}
	if (r->path[0] != '/') {
		conf_err(ctx, v->pos, "a request path must start with '/', "
		    "not \"%s\"", r->path);
		rc = -1;
	}
	return rc;
}

static int
rpc_parse(struct conf_ctx *ctx, struct conf_nc_rpc *r, const struct ynode *v)
{
	const struct ynode *x;
	int rc = 0, op;

	if (v->type == YN_SCALAR && !v->isnull) {
		/* Shorthand: "get-config" (running) or "get". */
		if (cv_enum(ctx, v, "rpc", conf_nc_op_names, CONF_NC_COUNT,
		    &op) != 0)
			return -1;
		r->op = (uint8_t)op;
		r->source = "running";
		if (op == CONF_NC_RPC) {
			conf_err(ctx, v->pos, "a raw rpc needs a body: use "
			    "{ op: rpc, body: ... }");
			return -1;
		}
		return 0;
	}
	if (cv_is_map(ctx, v, "an rpc") != 0)
		return -1;
	rc |= conf_check_keys(ctx, v, "an rpc", rpc_keys);
	if ((x = conf_map_get(v, "op")) == NULL) {
		conf_err(ctx, v->pos, "an rpc needs op: get-config, get or rpc");
		return -1;
	}
	if (cv_enum(ctx, x, "op", conf_nc_op_names, CONF_NC_COUNT, &op) != 0)
		return -1;
	r->op = (uint8_t)op;
	if ((x = conf_map_get(v, "source")) != NULL) {
		static const char *const src[] = { "running", "candidate",
		    "startup" };
		int si;

		if (op != CONF_NC_GET_CONFIG) {
			conf_err(ctx, x->pos, "source applies to get-config "
			    "only");
			rc = -1;
		} else if (cv_enum(ctx, x, "source", src, 3, &si) == 0)
			r->source = src[si];
		else
			rc = -1;
	} else if (op == CONF_NC_GET_CONFIG)
		r->source = "running";
	if ((x = conf_map_get(v, "filter")) != NULL)
		rc |= cv_string(ctx, x, "filter", &r->filter);
	if ((x = conf_map_get(v, "body")) != NULL) {
		if (op != CONF_NC_RPC) {
			conf_err(ctx, x->pos, "body applies to op: rpc only");
			rc = -1;
		} else
			rc |= cv_string(ctx, x, "body", &r->body);
	} else if (op == CONF_NC_RPC) {
		conf_err(ctx, v->pos, "op: rpc needs a body (the XML inside "
		    "<rpc>)");
		rc = -1;
	}
	return rc;
}

static int
job_parse(struct conf_ctx *ctx, struct conf *c, struct conf_job *j,
    const struct ynode *m, struct htab *names)
{
	const struct ynode *x;
	size_t i;
	int rc = 0, e;

	j->pos = m->pos;
	j->scrub = -1;
	rc |= conf_check_keys(ctx, m, "a job", job_keys);
	rc |= conf_entry_name(ctx, m, names, "job", &j->name);
	rc |= conf_select_parse(ctx, c, &j->select, conf_map_get(m, "select"));
	if ((x = conf_map_get(m, "mode")) != NULL) {
		if (cv_enum(ctx, x, "mode", conf_mode_names, CONF_MODE_COUNT,
		    &e) == 0)
			j->mode = (uint8_t)e;
		else
			rc = -1;
	}
	if ((x = conf_map_get(m, "scrub")) != NULL) {
		if (cv_bool(ctx, x, "scrub", &e) == 0)
			j->scrub = e;
		else
			rc = -1;
	}
	if ((x = conf_map_get(m, "parse")) != NULL)
		rc |= conf_parse_job(ctx, j, x);
	if ((x = conf_map_get(m, "commands")) != NULL)
		rc |= cv_strlist(ctx, x, "commands", &j->commands,
		    &j->ncommands);
	if ((x = conf_map_get(m, "requests")) != NULL) {
		if (x->type == YN_SCALAR && !x->isnull) {
			j->requests = arena_alloc(ctx->arena,
			    sizeof(*j->requests));
			j->nrequests = 1;
			rc |= request_parse(ctx, j->requests, x);
		} else if (cv_is_seq(ctx, x, "requests") == 0) {
			j->requests = arena_alloc(ctx->arena,
			    (x->n + 1) * sizeof(*j->requests));
			j->nrequests = x->n;
			for (i = 0; i < x->n; i++)
				rc |= request_parse(ctx, &j->requests[i],
				    x->items[i]);
		} else
			rc = -1;
	}
	if ((x = conf_map_get(m, "rpcs")) != NULL) {
		if (x->type == YN_MAP || (x->type == YN_SCALAR && !x->isnull)) {
			j->rpcs = arena_alloc(ctx->arena, sizeof(*j->rpcs));
			j->nrpcs = 1;
			rc |= rpc_parse(ctx, j->rpcs, x);
		} else if (cv_is_seq(ctx, x, "rpcs") == 0) {
			j->rpcs = arena_alloc(ctx->arena,
			    (x->n + 1) * sizeof(*j->rpcs));
			j->nrpcs = x->n;
			for (i = 0; i < x->n; i++)
				rc |= rpc_parse(ctx, &j->rpcs[i], x->items[i]);
		} else
			rc = -1;
	}
	if (j->ncommands == 0 && j->nrequests == 0 && j->nrpcs == 0 &&
	    rc == 0) {
		conf_err(ctx, m->pos, "job \"%s\" has nothing to run: give "
		    "commands: (ssh), requests: (rest) or rpcs: (netconf)",
		    j->name);
		rc = -1;
	}
	return rc;
}

int
conf_jobs_parse(struct conf_ctx *ctx, struct conf *c, const struct ynode *v)
{
	struct htab *names;
	size_t i;
	int rc = 0;

	if (cv_is_seq(ctx, v, "jobs") != 0)
		return -1;
	names = htab_new(v->n);
	c->jobs = xcalloc(v->n + 1, sizeof(*c->jobs));
	for (i = 0; i < v->n; i++) {
		if (cv_is_map(ctx, v->items[i], "a job") != 0) {
			rc = -1;
			continue;
		}
		rc |= job_parse(ctx, c, &c->jobs[c->njobs++], v->items[i],
		    names);
	}
	htab_free(names);
	return rc;
}

/*
 * Each transport a job or telemetry entry selects must have something to
 * run; shell mode needs a platform to know the prompt.
 */
int
conf_jobs_check(struct conf_ctx *ctx, struct conf *c)
{
	size_t i, d;
	int rc = 0;

	for (i = 0; i < c->njobs; i++) {
		const struct conf_job *j = &c->jobs[i];
		size_t cnt[CONF_TRANSPORT_COUNT] = { 0 };
		const char *first[CONF_TRANSPORT_COUNT] = { NULL };
		const char *noplat = NULL;

		for (d = 0; d < c->ndevices; d++) {
			const struct conf_device *dev = &c->devices[d];
			int t = dev->p.transport;

			if (!conf_select_match(&j->select, dev))
				continue;
			if (cnt[t]++ == 0)
				first[t] = dev->name;
			if (t == CONF_TRANSPORT_SSH && j->mode ==
			    CONF_MODE_SHELL && dev->platform == NULL &&
			    noplat == NULL)
				noplat = dev->name;
		}
		if (cnt[CONF_TRANSPORT_SSH] && j->ncommands == 0) {
			conf_err(ctx, j->pos, "job \"%s\" selects %zu ssh "
			    "device(s) (first: %s) but has no commands:",
			    j->name, cnt[CONF_TRANSPORT_SSH],
			    first[CONF_TRANSPORT_SSH]);
			rc = -1;
		}
		if (cnt[CONF_TRANSPORT_REST] && j->nrequests == 0) {
			conf_err(ctx, j->pos, "job \"%s\" selects %zu rest "
			    "device(s) (first: %s) but has no requests:",
			    j->name, cnt[CONF_TRANSPORT_REST],
			    first[CONF_TRANSPORT_REST]);
			rc = -1;
		}
		if (cnt[CONF_TRANSPORT_NETCONF] && j->nrpcs == 0) {
			conf_err(ctx, j->pos, "job \"%s\" selects %zu netconf "
			    "device(s) (first: %s) but has no rpcs:",
			    j->name, cnt[CONF_TRANSPORT_NETCONF],
			    first[CONF_TRANSPORT_NETCONF]);
			rc = -1;
		}
		if (noplat != NULL) {
			conf_err(ctx, j->pos, "job \"%s\" runs in shell mode "
			    "but device \"%s\" has no platform (the prompt "
			    "comes from it)", j->name, noplat);
			rc = -1;
		}
	}
	for (i = 0; i < c->ntelemetry; i++) {
		const struct conf_telemetry *t = &c->telemetry[i];
		static const char *const need[] = { "ssh:", "netconf:",
		    "rest:" };
		size_t cnt[CONF_TRANSPORT_COUNT] = { 0 };
		const char *first[CONF_TRANSPORT_COUNT] = { NULL };
		int k;

		for (d = 0; d < c->ndevices; d++) {
			const struct conf_device *dev = &c->devices[d];

			if (conf_select_match(&t->select, dev) &&
			    cnt[dev->p.transport]++ == 0)
				first[dev->p.transport] = dev->name;
		}
		for (k = 0; k < CONF_TRANSPORT_COUNT; k++) {
			int have = k == CONF_TRANSPORT_SSH ? t->ssh != NULL :
			    k == CONF_TRANSPORT_REST ? t->rest != NULL :
			    t->netconf != NULL;

			if (cnt[k] && !have) {
				conf_err(ctx, t->pos, "telemetry \"%s\" selects "
				    "%zu %s device(s) (first: %s) but has no "
				    "%s", t->name, cnt[k],
				    conf_transport_names[k], first[k], need[k]);
				rc = -1;
			}
		}
	}
	return rc;
}

/*
 * jobs: and telemetry: entries, and the select: blocks both use.  The
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
    "commands", "requests", "rpcs", NULL };
static const char *const req_keys[] = { "method", "path", "body", "headers",
    NULL };
static const char *const rpc_keys[] = { "op", "source", "filter", "body",
    NULL };
static const char *const tm_keys[] = { "name", "select", "interval",
    "metric", "stale_after", "ssh", "rest", "netconf", NULL };
static const char *const tm_ssh_keys[] = { "command", "regex", "value",
    "labels", NULL };
static const char *const tm_rest_keys[] = { "path", "pointer", "pointers",
    NULL };
static const char *const tm_nc_keys[] = { "filter", "path", NULL };
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
static int
check_keys(struct conf_ctx *ctx, const struct ynode *m, const char *where,
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

static const struct ynode *
get(const struct ynode *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->items[2 * i]->s, key) == 0)
			return m->items[2 * i + 1];
	return NULL;
}

static int
select_parse(struct conf_ctx *ctx, struct conf *c, struct conf_select *s,
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
	rc |= check_keys(ctx, v, "select", select_keys);
	if ((x = get(v, "groups")) != NULL &&
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
	if ((x = get(v, "tags")) != NULL)
		rc |= cv_tags(ctx, x, "select.tags", &s->tags);
	if ((x = get(v, "names")) != NULL)
		rc |= cv_strlist(ctx, x, "select.names", &s->names, NULL);
	if ((x = get(v, "transports")) != NULL &&
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
	if ((x = get(v, "platforms")) != NULL &&
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

static int
entry_name(struct conf_ctx *ctx, const struct ynode *m, struct htab *names,
    const char *kind, const char **out)
{
	const struct ynode *n = get(m, "name"), *prev;

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
		rc |= check_keys(ctx, v, "a request", req_keys);
		if ((x = get(v, "method")) != NULL)
			rc |= cv_string(ctx, x, "method", &r->method);
		if ((x = get(v, "path")) != NULL)
			rc |= cv_string(ctx, x, "path", &r->path);
		else {
			conf_err(ctx, v->pos, "a request needs a path");
			rc = -1;
		}
		if ((x = get(v, "body")) != NULL)
			rc |= cv_string(ctx, x, "body", &r->body);
		if ((x = get(v, "headers")) != NULL)
			rc |= cv_tags(ctx, x, "headers", &r->headers);
	} else {
		conf_err(ctx, v->pos, "a request must be \"METHOD /path\" or "
		    "a mapping with path:, not a %s", cv_typename(v));
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
	rc |= check_keys(ctx, v, "an rpc", rpc_keys);
	if ((x = get(v, "op")) == NULL) {
		conf_err(ctx, v->pos, "an rpc needs op: get-config, get or rpc");
		return -1;
	}
	if (cv_enum(ctx, x, "op", conf_nc_op_names, CONF_NC_COUNT, &op) != 0)
		return -1;
	r->op = (uint8_t)op;
	if ((x = get(v, "source")) != NULL) {
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
	if ((x = get(v, "filter")) != NULL)
		rc |= cv_string(ctx, x, "filter", &r->filter);
	if ((x = get(v, "body")) != NULL) {
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
	rc |= check_keys(ctx, m, "a job", job_keys);
	rc |= entry_name(ctx, m, names, "job", &j->name);
	rc |= select_parse(ctx, c, &j->select, get(m, "select"));
	if ((x = get(m, "mode")) != NULL) {
		if (cv_enum(ctx, x, "mode", conf_mode_names, CONF_MODE_COUNT,
		    &e) == 0)
			j->mode = (uint8_t)e;
		else
			rc = -1;
	}
	if ((x = get(m, "scrub")) != NULL) {
		if (cv_bool(ctx, x, "scrub", &e) == 0)
			j->scrub = e;
		else
			rc = -1;
	}
	if ((x = get(m, "commands")) != NULL)
		rc |= cv_strlist(ctx, x, "commands", &j->commands,
		    &j->ncommands);
	if ((x = get(m, "requests")) != NULL) {
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
	if ((x = get(m, "rpcs")) != NULL) {
		if (cv_is_seq(ctx, x, "rpcs") == 0) {
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

/* Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]* */
static int
metric_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_' || *s == ':'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

static int
label_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '_') || strncmp(s, "__", 2) == 0)
		return 0;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int
tm_ssh_parse(struct conf_ctx *ctx, struct conf_tm_ssh *s, const struct ynode *m)
{
	const struct ynode *x, *rx;
	struct conf_tag *t;
	uint64_t u;
	int rc = 0;

	if (cv_is_map(ctx, m, "telemetry ssh") != 0)
		return -1;
	rc |= check_keys(ctx, m, "telemetry ssh", tm_ssh_keys);
	if ((x = get(m, "command")) != NULL)
		rc |= cv_string(ctx, x, "ssh.command", &s->command);
	else {
		conf_err(ctx, m->pos, "telemetry ssh needs a command");
		rc = -1;
	}
	if ((rx = get(m, "regex")) == NULL) {
		conf_err(ctx, m->pos, "telemetry ssh needs a regex that "
		    "captures the value");
		return -1;
	}
	if (cv_string(ctx, rx, "ssh.regex", &s->regex) != 0) {
		s->regex = NULL;
		return -1;
	}
	if (cv_regex(ctx, rx, "ssh.regex", s->regex, &s->re) != 0) {
		s->regex = NULL;
		return -1;
	}
	s->value_group = 1;
	if ((x = get(m, "value")) != NULL) {
		if (cv_uint(ctx, x, "ssh.value", 0, 9, &u) == 0)
			s->value_group = (uint32_t)u;
		else
			rc = -1;
	}
	if (s->value_group > s->re.re_nsub) {
		conf_err(ctx, x != NULL ? x->pos : rx->pos, "ssh.value names "
		    "group %u but the regex has %zu group(s)", s->value_group,
		    s->re.re_nsub);
		rc = -1;
	}
	if ((x = get(m, "labels")) != NULL &&
	    cv_tags(ctx, x, "ssh.labels", &s->labels) == 0) {
		size_t i = 0;

		for (t = s->labels; t != NULL; t = t->next, i++) {
			const struct ynode *lv = x->items[2 * i + 1];
			uint64_t g;

			if (!label_name_ok(t->key)) {
				conf_err(ctx, x->items[2 * i]->pos, "\"%s\" is "
				    "not a valid Prometheus label name",
				    t->key);
				rc = -1;
			}
			if (cv_uint(ctx, lv, "a label's group", 1, 9, &g) != 0)
				rc = -1;
			else if (g > s->re.re_nsub) {
				conf_err(ctx, lv->pos, "label \"%s\" names "
				    "group %llu but the regex has %zu "
				    "group(s)", t->key, (unsigned long long)g,
				    s->re.re_nsub);
				rc = -1;
			}
		}
	} else if (x != NULL)
		rc = -1;
	return rc;
}

static int
tm_rest_parse(struct conf_ctx *ctx, struct conf_tm_rest *r,
    const struct ynode *m)
{
	const struct ynode *x;
	struct conf_tag *t;
	int rc = 0;

	if (cv_is_map(ctx, m, "telemetry rest") != 0)
		return -1;
	rc |= check_keys(ctx, m, "telemetry rest", tm_rest_keys);
	if ((x = get(m, "path")) != NULL) {
		rc |= cv_string(ctx, x, "rest.path", &r->path);
		if (rc == 0 && r->path[0] != '/') {
			conf_err(ctx, x->pos, "rest.path must start with '/'");
			rc = -1;
		}
	} else {
		conf_err(ctx, m->pos, "telemetry rest needs a path");
		rc = -1;
	}
	if ((x = get(m, "pointer")) != NULL) {
		if (get(m, "pointers") != NULL) {
			conf_err(ctx, x->pos, "give pointer or pointers, not "
			    "both");
			return -1;
		}
		t = arena_alloc(ctx->arena, sizeof(*t));
		t->key = "";
		if (cv_string(ctx, x, "rest.pointer", &t->value) != 0)
			return -1;
		r->pointers = t;
	} else if ((x = get(m, "pointers")) != NULL) {
		if (cv_tags(ctx, x, "rest.pointers", &r->pointers) != 0)
			return -1;
	} else {
		conf_err(ctx, m->pos, "telemetry rest needs a JSON pointer "
		    "(pointer: /path/to/value)");
		return -1;
	}
	for (t = r->pointers; t != NULL; t = t->next)
		if (t->value[0] != '/' && t->value[0] != '\0') {
			conf_err(ctx, x->pos, "JSON pointer \"%s\" must start "
			    "with '/' (RFC 6901)", t->value);
			rc = -1;
		}
	return rc;
}

static int
tm_parse(struct conf_ctx *ctx, struct conf *c, struct conf_telemetry *t,
    const struct ynode *m, struct htab *names)
{
	const struct ynode *x;
	uint64_t u;
	int rc = 0;

	t->pos = m->pos;
	rc |= check_keys(ctx, m, "a telemetry entry", tm_keys);
	rc |= entry_name(ctx, m, names, "telemetry", &t->name);
	rc |= select_parse(ctx, c, &t->select, get(m, "select"));
	if ((x = get(m, "interval")) == NULL) {
		conf_err(ctx, m->pos, "telemetry \"%s\" needs an interval",
		    t->name ? t->name : "?");
		rc = -1;
	} else if (cv_duration(ctx, x, "interval", 10, 24ULL * 3600 * 1000,
	    &u) == 0)
		t->interval_ms = (uint32_t)u;
	else
		rc = -1;
	t->stale_after_ms = t->interval_ms * 3;
	if ((x = get(m, "stale_after")) != NULL) {
		if (cv_duration(ctx, x, "stale_after", 10, 7ULL * 24 * 3600 *
		    1000, &u) == 0)
			t->stale_after_ms = (uint32_t)u;
		else
			rc = -1;
	}
	if ((x = get(m, "metric")) != NULL) {
		if (cv_string(ctx, x, "metric", &t->metric) != 0)
			rc = -1;
		else if (!metric_name_ok(t->metric)) {
			conf_err(ctx, x->pos, "\"%s\" is not a valid Prometheus "
			    "metric name", t->metric);
			rc = -1;
		}
	}
	if ((x = get(m, "ssh")) != NULL) {
		t->ssh = arena_alloc(ctx->arena, sizeof(*t->ssh));
		rc |= tm_ssh_parse(ctx, t->ssh, x);
	}
	if ((x = get(m, "rest")) != NULL) {
		t->rest = arena_alloc(ctx->arena, sizeof(*t->rest));
		rc |= tm_rest_parse(ctx, t->rest, x);
	}
	if ((x = get(m, "netconf")) != NULL) {
		const struct ynode *y;

		t->netconf = arena_alloc(ctx->arena, sizeof(*t->netconf));
		if (cv_is_map(ctx, x, "telemetry netconf") != 0)
			rc = -1;
		else {
			rc |= check_keys(ctx, x, "telemetry netconf",
			    tm_nc_keys);
			if ((y = get(x, "filter")) != NULL)
				rc |= cv_string(ctx, y, "netconf.filter",
				    &t->netconf->filter);
			if ((y = get(x, "path")) != NULL)
				rc |= cv_string(ctx, y, "netconf.path",
				    &t->netconf->path);
			else {
				conf_err(ctx, x->pos, "telemetry netconf needs "
				    "a path to the value element");
				rc = -1;
			}
		}
	}
	if (t->ssh == NULL && t->rest == NULL && t->netconf == NULL &&
	    rc == 0) {
		conf_err(ctx, m->pos, "telemetry \"%s\" says nothing to fetch: "
		    "give ssh:, rest: or netconf:", t->name);
		rc = -1;
	}
	return rc;
}

int
conf_telemetry_parse(struct conf_ctx *ctx, struct conf *c,
    const struct ynode *v)
{
	struct htab *names;
	size_t i;
	int rc = 0;

	if (cv_is_seq(ctx, v, "telemetry") != 0)
		return -1;
	names = htab_new(v->n);
	c->telemetry = xcalloc(v->n + 1, sizeof(*c->telemetry));
	for (i = 0; i < v->n; i++) {
		if (cv_is_map(ctx, v->items[i], "a telemetry entry") != 0) {
			rc = -1;
			continue;
		}
		rc |= tm_parse(ctx, c, &c->telemetry[c->ntelemetry++],
		    v->items[i], names);
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

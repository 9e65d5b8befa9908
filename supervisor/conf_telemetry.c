/*
 * telemetry: entries: what to poll on which devices, how often, and how to
 * turn the answer into numbers (CLI regex captures, JSON pointers, NETCONF
 * element paths) with Prometheus-valid names.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "htab.h"
#include "tm_nc.h"
#include "xmem.h"

static const char *const tm_keys[] = { "name", "select", "interval",
    "metric", "stale_after", "ssh", "rest", "netconf", NULL };
static const char *const tm_ssh_keys[] = { "command", "regex", "template",
    "value",
    "labels", NULL };
static const char *const tm_rest_keys[] = { "path", "pointer", "pointers",
    NULL };
static const char *const tm_nc_keys[] = { "filter", "path", NULL };

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

int
conf_label_name_ok(const char *s)
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
	rc |= conf_check_keys(ctx, m, "telemetry ssh", tm_ssh_keys);
	if ((x = conf_map_get(m, "command")) != NULL)
		rc |= cv_string(ctx, x, "ssh.command", &s->command);
	else {
		conf_err(ctx, m->pos, "telemetry ssh needs a command");
		rc = -1;
	}
	if ((x = conf_map_get(m, "template")) != NULL)
		return rc | conf_parse_tm_template(ctx, s, m, x);
	if ((rx = conf_map_get(m, "regex")) == NULL) {
		conf_err(ctx, m->pos, "telemetry ssh needs a regex that "
		    "captures the value, or a TextFSM template:");
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
	if ((x = conf_map_get(m, "value")) != NULL) {
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
	if ((x = conf_map_get(m, "labels")) != NULL &&
	    cv_tags(ctx, x, "ssh.labels", &s->labels) == 0) {
		size_t i = 0;

		for (t = s->labels; t != NULL; t = t->next, i++) {
			const struct ynode *lv = x->items[2 * i + 1];
			uint64_t g;

			if (!conf_label_name_ok(t->key)) {
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
	rc |= conf_check_keys(ctx, m, "telemetry rest", tm_rest_keys);
	if ((x = conf_map_get(m, "path")) != NULL) {
		rc |= cv_string(ctx, x, "rest.path", &r->path);
		if (rc == 0 && r->path[0] != '/') {
			conf_err(ctx, x->pos, "rest.path must start with '/'");
			rc = -1;
		}
	} else {
		conf_err(ctx, m->pos, "telemetry rest needs a path");
		rc = -1;
	}
	if ((x = conf_map_get(m, "pointer")) != NULL) {
		if (conf_map_get(m, "pointers") != NULL) {
			conf_err(ctx, x->pos, "give pointer or pointers, not "
			    "both");
			return -1;
		}
		t = arena_alloc(ctx->arena, sizeof(*t));
		t->key = "";
		if (cv_string(ctx, x, "rest.pointer", &t->value) != 0)
			return -1;
		r->pointers = t;
	} else if ((x = conf_map_get(m, "pointers")) != NULL) {
		if (cv_tags(ctx, x, "rest.pointers", &r->pointers) != 0)
			return -1;
		if (r->pointers == NULL) {
			conf_err(ctx, x->pos, "rest.pointers names no value to "
			    "extract");
			return -1;
		}
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
	rc |= conf_check_keys(ctx, m, "a telemetry entry", tm_keys);
	rc |= conf_entry_name(ctx, m, names, "telemetry", &t->name);
	rc |= conf_select_parse(ctx, c, &t->select, conf_map_get(m, "select"));
	if ((x = conf_map_get(m, "interval")) == NULL) {
		conf_err(ctx, m->pos, "telemetry \"%s\" needs an interval",
		    t->name ? t->name : "?");
		rc = -1;
	} else if (cv_duration(ctx, x, "interval", 10, 24ULL * 3600 * 1000,
	    &u) == 0)
		t->interval_ms = (uint32_t)u;
	else
		rc = -1;
	t->stale_after_ms = t->interval_ms * 3;
	if ((x = conf_map_get(m, "stale_after")) != NULL) {
		if (cv_duration(ctx, x, "stale_after", 10, 7ULL * 24 * 3600 *
		    1000, &u) != 0)
			rc = -1;
		else if (u < t->interval_ms) {
			conf_err(ctx, x->pos, "stale_after must not be shorter "
			    "than interval: values would vanish between polls");
			rc = -1;
		} else
			t->stale_after_ms = (uint32_t)u;
	}
	if ((x = conf_map_get(m, "metric")) != NULL) {
		if (cv_string(ctx, x, "metric", &t->metric) != 0)
			rc = -1;
		else if (!metric_name_ok(t->metric)) {
			conf_err(ctx, x->pos, "\"%s\" is not a valid Prometheus "
			    "metric name", t->metric);
			rc = -1;
		}
	}
	if ((x = conf_map_get(m, "ssh")) != NULL) {
		t->ssh = arena_alloc(ctx->arena, sizeof(*t->ssh));
		rc |= tm_ssh_parse(ctx, t->ssh, x);
	}
	if ((x = conf_map_get(m, "rest")) != NULL) {
		t->rest = arena_alloc(ctx->arena, sizeof(*t->rest));
		rc |= tm_rest_parse(ctx, t->rest, x);
	}
	if ((x = conf_map_get(m, "netconf")) != NULL) {
		const struct ynode *y;

		t->netconf = arena_alloc(ctx->arena, sizeof(*t->netconf));
		if (cv_is_map(ctx, x, "telemetry netconf") != 0)
			rc = -1;
		else {
			rc |= conf_check_keys(ctx, x, "telemetry netconf",
			    tm_nc_keys);
			if ((y = conf_map_get(x, "filter")) != NULL)
				rc |= cv_string(ctx, y, "netconf.filter",
				    &t->netconf->filter);
			if ((y = conf_map_get(x, "path")) != NULL) {
				char err[160];

				if (cv_string(ctx, y, "netconf.path",
				    &t->netconf->path) != 0)
					rc = -1;
				/* The syntax the worker evaluates (tm_nc.h). */
				else if (tm_nc_path_ok(t->netconf->path, err,
				    sizeof(err)) != 0) {
					conf_err(ctx, y->pos, "netconf.path: %s",
					    err);
					rc = -1;
				}
			} else {
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


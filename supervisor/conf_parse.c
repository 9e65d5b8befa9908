/*
 * A job's "parse:" (true: pick each command's TextFSM template from the
 * index files of supervisor.templates; a path: that one template for
 * every command) and supervisor.templates.  Templates and indexes are
 * compiled here once, at load, so that a broken one is a fleet error with
 * its own file:line; the worker compiles them again after fork, where it
 * uses them.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "tfsm.h"

/* tm_parse.h's TM_MAX_LABELS (8) less the "field" label. */
#define TM_TEMPLATE_MAX_KEYS	7

static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes",
    "YES", "on", "On", "ON", NULL };
static const char *const no[] = { "false", "False", "FALSE", "no", "No",
    "NO", "off", "Off", "OFF", NULL };

static int
word_in(const char *s, const char *const *w)
{
	for (; *w != NULL; w++)
		if (strcmp(s, *w) == 0)
			return 1;
	return 0;
}

int
conf_parse_job(struct conf_ctx *ctx, struct conf_job *j,
    const struct ynode *x)
{
	struct tfsm_tpl *t;
	char err[512];

	j->parse_pos = x->pos;
	if (cv_string(ctx, x, "parse", &j->parse_template) != 0)
		return -1;
	if (!x->quoted && word_in(x->s, yes)) {
		j->parse = CONF_PARSE_INDEX;
		j->parse_template = NULL;
		return 0;
	}
	if (!x->quoted && word_in(x->s, no)) {
		j->parse_template = NULL;
		return 0;
	}
	if (x->s[0] == '\0') {
		conf_err(ctx, x->pos, "parse must be true, false or a template "
		    "file");
		return -1;
	}
	if ((t = tfsm_load(x->s, err, sizeof(err))) == NULL) {
		conf_err(ctx, x->pos, "parse: %s", err);
		return -1;
	}
	tfsm_free(t);
	j->parse = CONF_PARSE_TEMPLATE;
	return 0;
}

/* After the whole file: parse: true needs index files, and they load. */
int
conf_parse_check(struct conf_ctx *ctx, const struct conf *c)
{
	struct tfsm_index *ix;
	char err[512];
	size_t i;
	int rc = 0, want = 0;

	for (i = 0; i < c->njobs; i++)
		if (c->jobs[i].parse == CONF_PARSE_INDEX && c->sup.ntemplates ==
		    0) {
			conf_err(ctx, c->jobs[i].parse_pos, "parse: true needs "
			    "supervisor.templates, the directories holding "
			    "an index file and its templates");
			rc = -1;
		} else if (c->jobs[i].parse == CONF_PARSE_INDEX)
			want = 1;
	for (i = 0; want && i < c->sup.ntemplates; i++) {
		if ((ix = tfsm_index_load(c->sup.templates[i], err,
		    sizeof(err))) == NULL) {
			conf_err(ctx, c->sup.templates_pos, "templates: %s",
			    err);
			rc = -1;
		}
		tfsm_index_free(ix);
	}
	return rc;
}

/*
 * telemetry ssh: template: instead of regex:.  Each row gives one gauge
 * per numeric field, labelled by the row's Key fields and by "field", the
 * Value's name; so Key names must be valid label names, and with "field"
 * fit the label limit.
 */
int
conf_parse_tm_template(struct conf_ctx *ctx, struct conf_tm_ssh *s,
    const struct ynode *entry, const struct ynode *x)
{
	char err[512];
	size_t i, nkeys = 0;
	int rc = 0;

	if (conf_map_get(entry, "regex") != NULL || conf_map_get(entry,
	    "value") != NULL || conf_map_get(entry, "labels") != NULL) {
		conf_err(ctx, x->pos, "telemetry ssh: template: replaces "
		    "regex:, value: and labels:; give one or the other");
		return -1;
	}
	if (cv_string(ctx, x, "ssh.template", &s->template) != 0)
		return -1;
	if ((s->tpl = tfsm_load(s->template, err, sizeof(err))) == NULL) {
		conf_err(ctx, x->pos, "ssh.template: %s", err);
		return -1;
	}
	for (i = 0; i < tfsm_nvalues(s->tpl); i++) {
		if (!(tfsm_value_opts(s->tpl, i) & TFSM_KEY))
			continue;
		nkeys++;
		if (!conf_label_name_ok(tfsm_value_name(s->tpl, i)) ||
		    strcmp(tfsm_value_name(s->tpl, i), "field") == 0) {
			conf_err(ctx, x->pos, "ssh.template: Key Value \"%s\" "
			    "is not a usable Prometheus label name",
			    tfsm_value_name(s->tpl, i));
			rc = -1;
		}
	}
	if (nkeys + 1 > TM_TEMPLATE_MAX_KEYS + 1) {
		conf_err(ctx, x->pos, "ssh.template: %zu Key Values; telemetry "
		    "takes at most %d", nkeys, TM_TEMPLATE_MAX_KEYS);
		rc = -1;
	}
	return rc;
}

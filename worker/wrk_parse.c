/*
 * parse: in a job: a command's saved text through its TextFSM template,
 * the rows kept as JSON next to the text.  Templates are compiled on
 * first use and kept for the worker's life, keyed by path, so a fleet of
 * 10,000 devices of one platform compiles each template once per worker.
 * A template error is remembered too: every step it would parse fails
 * with the same file:line, without recompiling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tfsm.h"
#include "wrk_int.h"
#include "xmem.h"

struct wp_tpl {
	char		*path;
	struct tfsm_tpl	*tpl;	/* NULL: err says why */
	char		*err;
};

struct wrk_parse {
	const struct conf_job	*job;
	struct tfsm_index	**ix;	/* NULL entries: err_ix[i] says why */
	char			**err_ix;
	size_t			 nix;
	struct wp_tpl		*tpls;
	size_t			 ntpls;
};

struct wrk_parse *
wrk_parse_new(const struct conf *c, const struct conf_job *j)
{
	struct wrk_parse *p;
	char err[512];
	size_t i;

	if (j == NULL || j->parse == CONF_PARSE_NONE)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->job = j;
	if (j->parse == CONF_PARSE_INDEX) {
		p->nix = c->sup.ntemplates;
		p->ix = xcalloc(p->nix + 1, sizeof(*p->ix));
		p->err_ix = xcalloc(p->nix + 1, sizeof(*p->err_ix));
		for (i = 0; i < p->nix; i++)
			if ((p->ix[i] = tfsm_index_load(c->sup.templates[i],
			    err, sizeof(err))) == NULL)
				p->err_ix[i] = xstrdup(err);
	}
	return p;
}

void
wrk_parse_free(struct wrk_parse *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nix; i++) {
		tfsm_index_free(p->ix[i]);
		free(p->err_ix[i]);
	}
	for (i = 0; i < p->ntpls; i++) {
		tfsm_free(p->tpls[i].tpl);
		free(p->tpls[i].path);
		free(p->tpls[i].err);
	}
	free(p->ix);
	free(p->err_ix);
	free(p->tpls);
	free(p);
}

static struct wp_tpl *
template_get(struct wrk_parse *p, const char *path)
{
	struct wp_tpl *t;
	char err[512];
	size_t i;

	for (i = 0; i < p->ntpls; i++)
		if (strcmp(p->tpls[i].path, path) == 0)
			return &p->tpls[i];
	p->tpls = xreallocarray(p->tpls, p->ntpls + 1, sizeof(*p->tpls));
	t = &p->tpls[p->ntpls++];
	t->path = xstrdup(path);
	t->err = NULL;
	if ((t->tpl = tfsm_load(path, err, sizeof(err))) == NULL)
		t->err = xstrdup(err);
	return t;
}

/* The template for this device and command: 0, 1 when no index has one,
 * -1 when an index could not be read. */
static int
select_template(struct wrk_parse *p, const struct conf_device *d,
    const char *cmd, char *path, size_t len, char *err, size_t errlen)
{
	const char *pl = d->platform != NULL ?
	    tfsm_index_platform(d->platform->name) : NULL;
	size_t i;

	if (p->job->parse == CONF_PARSE_TEMPLATE) {
		snprintf(path, len, "%s", p->job->parse_template);
		return 0;
	}
	for (i = 0; i < p->nix; i++) {
		if (p->ix[i] == NULL) {
			snprintf(err, errlen, "%s", p->err_ix[i]);
			return -1;
		}
		if (tfsm_index_lookup(p->ix[i], pl, cmd, d->name, path, len) == 0)
			return 0;
	}
	snprintf(err, errlen, "no template in the index for platform %s, "
	    "command \"%s\"", pl != NULL ? pl : "(none)", cmd);
	return 1;
}

int
wrk_parse_run(struct wrk_parse *p, const struct conf_device *d,
    const char *cmd, const char *text, size_t len, struct wrk_parsed *out)
{
	struct wp_tpl *t;
	struct tfsm_res *res;
	enum tfsm_fail why;
	char path[4096];
	FILE *fp;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = select_template(p, d, cmd, path, sizeof(path), out->err,
	    sizeof(out->err))) != 0)
		return rc;
	t = template_get(p, path);
	if (t->tpl == NULL) {
		snprintf(out->err, sizeof(out->err), "%s", t->err);
		return -1;
	}
	if ((res = tfsm_parse(t->tpl, text, len, NULL, &why, out->err,
	    sizeof(out->err))) == NULL)
		return -1;
	out->rows = tfsm_nrows(res);
	out->required = tfsm_has_required(t->tpl);
	if ((fp = open_memstream(&out->json, &out->jsonlen)) == NULL)
		fatal("open_memstream");
	if (tfsm_json(t->tpl, res, fp) != 0 || fclose(fp) != 0)
		fatal("%s: writing JSON in memory", __func__);
	tfsm_res_free(res);
	return 0;
}

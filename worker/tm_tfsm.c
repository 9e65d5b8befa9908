/*
 * Telemetry from a TextFSM template (telemetry ssh: template:): every row
 * gives one value per numeric field, labelled by the row's Key fields and
 * by "field", the Value's name, so "show interfaces counters" gives one
 * series per interface and counter.  Fields that are empty or not a
 * number (names, states) are skipped; a List field is not a number.
 */
#include <stdio.h>
#include <string.h>

#include "tfsm.h"
#include "tm_parse.h"

static void
key_labels(const struct tfsm_tpl *tpl, const struct tfsm_res *res,
    size_t row, struct tm_value *v)
{
	const struct tfsm_cell *c;
	size_t col;

	v->tv_nlabels = 0;
	for (col = 0; col < tfsm_nvalues(tpl) && v->tv_nlabels + 1 <
	    TM_MAX_LABELS; col++) {
		if (!(tfsm_value_opts(tpl, col) & TFSM_KEY))
			continue;
		c = tfsm_cell(res, row, col);
		v->tv_labels[v->tv_nlabels].tl_name = tfsm_value_name(tpl, col);
		snprintf(v->tv_labels[v->tv_nlabels].tl_value, TM_LABEL_MAX,
		    "%.*s", c->c_kind == TFSM_STR ? (int)(c->c_len <
		    TM_LABEL_MAX ? c->c_len : TM_LABEL_MAX) : 0,
		    c->c_kind == TFSM_STR ? c->c_str : "");
		v->tv_nlabels++;
	}
}

int
tm_parse_template(const struct conf_tm_ssh *t, const char *out, size_t len,
    tm_emit_fn *emit, void *arg, char *err, size_t errlen)
{
	const struct tfsm_cell *c;
	struct tfsm_res *res;
	struct tm_value v;
	enum tfsm_fail why;
	size_t row, col, nl;
	int n = 0;

	if ((res = tfsm_parse(t->tpl, out, len, NULL, &why, err, errlen)) ==
	    NULL)
		return -1;
	for (row = 0; row < tfsm_nrows(res); row++) {
		key_labels(t->tpl, res, row, &v);
		nl = v.tv_nlabels;
		for (col = 0; col < tfsm_nvalues(t->tpl); col++) {
			c = tfsm_cell(res, row, col);
			if ((tfsm_value_opts(t->tpl, col) & TFSM_KEY) ||
			    c->c_kind != TFSM_STR || c->c_len == 0 ||
			    tm_parse_number(c->c_str, c->c_len, &v.tv_value) != 0)
				continue;
			v.tv_labels[nl].tl_name = "field";
			snprintf(v.tv_labels[nl].tl_value, TM_LABEL_MAX, "%s",
			    tfsm_value_name(t->tpl, col));
			v.tv_nlabels = nl + 1;
			emit(arg, &v);
			n++;
		}
	}
	if (n == 0)
		snprintf(err, errlen, "%s: no numeric field in %zu row(s)",
		    tfsm_file(t->tpl), tfsm_nrows(res));
	tfsm_res_free(res);
	return n > 0 ? n : -1;
}

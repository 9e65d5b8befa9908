/*
 * Telemetry values out of CLI text: the regex of a telemetry entry's ssh:
 * section applied over and over, one point per match.  Values must be
 * numbers; anything else is a parse error, never a silent zero.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_json.h"
#include "tm_nc.h"
#include "tm_parse.h"
#include "xmem.h"

/* Matches past this many are ignored: a runaway regex cannot flood us. */
#define TM_MAX_MATCHES	4096

int
tm_parse_number(const char *s, size_t n, double *v)
{
	char buf[64], *end;

	/* Devices pad columns; a value of only blanks is no number. */
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* strtod takes "inf", "nan" and hex too; a counter is none of them. */
	if (strspn(buf, "+-0123456789.eE") != n)
		return -1;
	errno = 0;
	*v = strtod(buf, &end);
	if (end != buf + n || errno == ERANGE)
		return -1;
	return 0;
}

int
tm_parse_ssh(const struct conf_tm_ssh *t, const char *out, size_t len,
    tm_emit_fn *emit, void *arg, char *err, size_t errlen)
{
	regmatch_t m[10];
	struct tm_value v;
	const struct conf_tag *lt;
	char *text = xmalloc(len + 1);
	const char *p;
	size_t ng = t->re.re_nsub + 1 > 10 ? 10 : t->re.re_nsub + 1;
	int n = 0, flags = 0;

	/* regexec(3) wants a C string; outputs may hold NULs: cut there. */
	memcpy(text, out, len);
	text[len] = '\0';
	p = text;
	while (n < TM_MAX_MATCHES && *p != '\0' &&
	    regexec(&t->re, p, ng, m, flags) == 0) {
		regmatch_t *vg = &m[t->value_group];

		if (vg->rm_so < 0 || tm_parse_number(p + vg->rm_so,
		    (size_t)(vg->rm_eo - vg->rm_so), &v.tv_value) != 0) {
			snprintf(err, errlen, "\"%.*s\" is not a number",
			    vg->rm_so < 0 ? 0 : (int)(vg->rm_eo - vg->rm_so) >
			    40 ? 40 : (int)(vg->rm_eo - vg->rm_so),
			    vg->rm_so < 0 ? "" : p + vg->rm_so);
			free(text);
			return -1;
		}
		v.tv_nlabels = 0;
		for (lt = t->labels; lt != NULL &&
		    v.tv_nlabels < TM_MAX_LABELS; lt = lt->next) {
			struct tm_label *l = &v.tv_labels[v.tv_nlabels++];
			unsigned g = (unsigned)atoi(lt->value);
			regoff_t so = g < ng ? m[g].rm_so : -1;
			size_t ln = so < 0 ? 0 : (size_t)(m[g].rm_eo - so);

			if (ln >= sizeof(l->tl_value))
				ln = sizeof(l->tl_value) - 1;
			l->tl_name = lt->key;
			memcpy(l->tl_value, so < 0 ? "" : p + so, ln);
			l->tl_value[ln] = '\0';
		}
		emit(arg, &v);
		n++;
		/* An empty match would match again at the same place. */
		p += m[0].rm_eo > 0 ? m[0].rm_eo : 1;
		if (p > text + len)
			break;
		/* ^ still matches where a line starts (REG_NEWLINE). */
		flags = p[-1] == '\n' ? 0 : REG_NOTBOL;
	}
	free(text);
	if (n == 0) {
		snprintf(err, errlen, "the regex matched nothing in %zu "
		    "byte(s) of output", len);
		return -1;
	}
	return n;
}

int
tm_parse_rest(const struct conf_tm_rest *r, const char *out, size_t len,
    tm_emit_fn *emit, void *arg, char *err, size_t errlen)
{
	const struct conf_tag *pt;
	struct tm_value v;
	char why[160];
	int n = 0, bad = 0;

	if (tm_json_check(out, len, err, errlen) != 0)
		return -1;
	for (pt = r->pointers; pt != NULL; pt = pt->next) {
		if (tm_json_number(out, len, pt->value, &v.tv_value, why,
		    sizeof(why)) != 0) {
			/* The first failure is the one reported. */
			if (!bad++)
				snprintf(err, errlen, "%s", why);
			continue;
		}
		v.tv_nlabels = 0;
		if (pt->key[0] != '\0') {
			v.tv_labels[0].tl_name = TM_REST_LABEL;
			snprintf(v.tv_labels[0].tl_value,
			    sizeof(v.tv_labels[0].tl_value), "%s", pt->key);
			v.tv_nlabels = 1;
		}
		emit(arg, &v);
		n++;
	}
	return bad ? -1 : n;
}

int
tm_parse_output(const struct conf_telemetry *t, unsigned transport,
    const char *out, size_t len, tm_emit_fn *emit, void *arg, char *err,
    size_t errlen)
{
	switch (transport) {
	case CONF_TRANSPORT_SSH:
		if (t->ssh != NULL && t->ssh->tpl != NULL)
			return tm_parse_template(t->ssh, out, len, emit, arg,
			    err, errlen);
		if (t->ssh != NULL)
			return tm_parse_ssh(t->ssh, out, len, emit, arg, err,
			    errlen);
		break;
	case CONF_TRANSPORT_REST:
		if (t->rest != NULL)
			return tm_parse_rest(t->rest, out, len, emit, arg, err,
			    errlen);
		break;
	case CONF_TRANSPORT_NETCONF:
		if (t->netconf != NULL)
			return tm_parse_netconf(t->netconf, out, len, emit,
			    arg, err, errlen);
		break;
	default:
		break;
	}
	snprintf(err, errlen, "no %s parser for telemetry \"%s\" in this "
	    "build", transport == CONF_TRANSPORT_REST ? "rest" : transport ==
	    CONF_TRANSPORT_NETCONF ? "netconf" : "ssh", t->name);
	return -1;
}

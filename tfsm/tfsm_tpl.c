/*
 * The template grammar (textfsm's parser.py, 1.1.0): Value lines, a blank
 * line, then states of rules.  Errors say "file:line: what".  Where
 * textfsm's checks are naive (a Value regex "must be in a () pair",
 * counted without regard to escapes; options split on one space), this
 * follows them, so a template that textfsm rejects is rejected here too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_int.h"
#include "xmem.h"

struct tp {
	struct tfsm_tpl	*t;
	const char	*s, *end;	/* the template text, cursor */
	int		 line;
	const char	*l;		/* the current line, rstripped */
	size_t		 ll;
	char		*err;
	size_t		 errlen;
	pcre2_code	*act[3];	/* textfsm's ACTION_RE, 2, 3 */
	pcre2_code	*statename;
	pcre2_match_data *md;
};

static const char *const tp_action_re[3] = {
	"\\s+(?<ln>Continue|Next|Error)(?:\\.(?<rec>Clear|Clearall|Record|"
	    "NoRecord))?(?:\\s+(?<st>\\w+|\".*\"))?$",
	"\\s+(?<rec>Clear|Clearall|Record|NoRecord)(?:\\s+(?<st>\\w+|\".*\"))?$",
	"(?:\\s+(?<st>\\w+|\".*\"))?$",
};

static int
tp_err(struct tp *p, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[384];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->t->t_file, line, msg);
	return -1;
}

/* Bytes of a Python whitespace character ending at e (0: none). */
static size_t
space_before(const char *s, const char *e)
{
	const unsigned char *u = (const unsigned char *)e;
	size_t n = (size_t)(e - s);

	if (n >= 1 && (u[-1] == ' ' || (u[-1] >= 0x09 && u[-1] <= 0x0d) ||
	    (u[-1] >= 0x1c && u[-1] <= 0x1f)))
		return 1;
	if (n >= 2 && u[-2] == 0xc2 && (u[-1] == 0x85 || u[-1] == 0xa0))
		return 2;
	if (n >= 3 && ((u[-3] == 0xe2 && u[-2] == 0x80 && (u[-1] <= 0x8a ||
	    u[-1] == 0xa8 || u[-1] == 0xa9 || u[-1] == 0xaf)) ||
	    (u[-3] == 0xe2 && u[-2] == 0x81 && u[-1] == 0x9f) ||
	    (u[-3] == 0xe3 && u[-2] == 0x80 && u[-1] == 0x80) ||
	    (u[-3] == 0xe1 && u[-2] == 0x9a && u[-1] == 0x80)))
		return 3;
	return 0;
}

static size_t
space_at(const char *s, const char *e)
{
	const char *q;

	for (q = s + 1; q <= e && q <= s + 3; q++)
		if (space_before(s, q) == (size_t)(q - s))
			return (size_t)(q - s);
	return 0;
}

/* The next line (universal newlines: \n, \r\n, \r), rstripped.  0 at the
 * end of the text. */
static int
next_line(struct tp *p)
{
	const char *e, *q;
	size_t k;

	if (p->s >= p->end)
		return 0;
	for (e = p->s; e < p->end && *e != '\n' && *e != '\r'; e++)
		;
	p->l = p->s;
	q = e;
	while ((k = space_before(p->l, q)) > 0)
		q -= k;
	p->ll = (size_t)(q - p->l);
	if (e < p->end && *e == '\r' && e + 1 < p->end && e[1] == '\n')
		e++;
	p->s = e < p->end ? e + 1 : e;
	p->line++;
	return 1;
}

static int
is_comment(const char *l, size_t n)
{
	const char *e = l + n;
	size_t k;

	while (l < e && (k = space_at(l, e)) > 0)
		l += k;
	return l < e && *l == '#';
}

static size_t
cplen(const char *s, size_t n)
{
	size_t k, c = 0;

	for (k = 0; k < n; k++)
		c += ((unsigned char)s[k] & 0xc0) != 0x80;
	return c;
}

static int
add_option(struct tp *p, struct tfsm_value *v, const char *o, size_t n)
{
	static const char *const names[] = { "Filldown", "Key", "Required",
	    "List", "Fillup" };
	unsigned k;

	for (k = 0; k < 5; k++)
		if (strlen(names[k]) == n && memcmp(names[k], o, n) == 0)
			break;
	if (k == 5)
		return tp_err(p, p->line, "Unknown option \"%.*s\"", (int)n, o);
	if (v->v_opts & (1u << k))
		return tp_err(p, p->line, "Duplicate option \"%.*s\"", (int)n,
		    o);
	v->v_opts |= 1u << k;
	v->v_order[v->v_nopts++] = (unsigned char)(1u << k);
	return 0;
}

/* A List Value whose regex has inner groups matches each item again and
 * keeps the named ones as a dict (textfsm's List.OnAssignVar). */
static int
list_regex(struct tp *p, struct tfsm_value *v)
{
	struct tfsm_rx rx;
	char why[256];
	uint32_t g;

	if (tfsm_rx_translate(v->v_regex, strlen(v->v_regex), &rx, why,
	    sizeof(why)) != 0)
		return tp_err(p, p->line, "%s", why);
	v->v_list_groups = rx.rx_ngroups;
	if (rx.rx_ngroups > 1) {
		if ((v->v_list_re = tfsm_rx_compile(&rx, why, sizeof(why))) ==
		    NULL) {
			tfsm_rx_clear(&rx);
			return tp_err(p, p->line, "%s", why);
		}
		v->v_keys = xcalloc(rx.rx_ngroups, sizeof(char *));
		v->v_keygrp = xcalloc(rx.rx_ngroups, sizeof(uint32_t));
		for (g = 1; g <= rx.rx_ngroups; g++)
			if (rx.rx_names[g] != NULL) {
				v->v_keygrp[v->v_nkeys] = g;
				v->v_keys[v->v_nkeys++] = xstrdup(rx.rx_names[g]);
			}
		if (rx.rx_ngroups + 1 > p->t->t_maxgroups)
			p->t->t_maxgroups = rx.rx_ngroups + 1;
	}
	tfsm_rx_clear(&rx);
	return 0;
}

/* "Value [Opt,Opt] name (regex)", split on single spaces as textfsm does
 * (two spaces make an empty token). */
static int
parse_value(struct tp *p)
{
	const char *tok[3], *e = p->l + p->ll, *q, *rx;
	size_t tl[3], k, nparen[2] = { 0, 0 };
	struct tfsm_value v;
	int nt = 0;

	memset(&v, 0, sizeof(v));
	for (q = p->l; nt < 3; nt++) {
		tok[nt] = q;
		while (q < e && *q != ' ')
			q++;
		tl[nt] = (size_t)(q - tok[nt]);
		if (q >= e) {
			nt++;
			break;
		}
		q++;
	}
	if (nt < 3)
		return tp_err(p, p->line, "Expect at least 3 tokens on line");
	if (tl[2] > 0 && tok[2][0] == '(') {
		v.v_name = strndup(tok[1], tl[1]);
		rx = tok[2];
	} else {
		for (q = tok[1]; q <= tok[1] + tl[1]; q = tok[1] + k + 1) {
			const char *c = memchr(q, ',', (size_t)(tok[1] + tl[1] -
			    q));

			k = (size_t)((c != NULL ? c : tok[1] + tl[1]) - tok[1]);
			if (add_option(p, &v, q, (size_t)(tok[1] + k - q)) != 0)
				return -1;
		}
		v.v_name = strndup(tok[2], tl[2]);
		rx = tok[2] + tl[2] + (tok[2] + tl[2] < e ? 1 : 0);
	}
	if (v.v_name == NULL)
		abort();
	v.v_regex = strndup(rx, (size_t)(e - rx));
	if (v.v_regex == NULL)
		abort();
	p->t->t_values = xreallocarray(p->t->t_values, p->t->t_nvalues + 1,
	    sizeof(v));
	p->t->t_values[p->t->t_nvalues++] = v;	/* freed with the template */
	if (cplen(v.v_name, strlen(v.v_name)) > TFSM_NAME_MAX)
		return tp_err(p, p->line, "Invalid Value name '%s' or name too "
		    "long", v.v_name);
	for (k = 0; v.v_regex[k] != '\0'; k++)
		if (v.v_regex[k] == '(' || v.v_regex[k] == ')')
			nparen[v.v_regex[k] == ')']++;
	k = strlen(v.v_regex);
	if (k < 2 || v.v_regex[0] != '(' || v.v_regex[k - 1] != ')' ||
	    nparen[0] != nparen[1])
		return tp_err(p, p->line, "Value '%s' must be contained within "
		    "a '()' pair", v.v_regex);
	for (k = 0; k + 1 < p->t->t_nvalues; k++)
		if (strcmp(p->t->t_values[k].v_name, v.v_name) == 0)
			return tp_err(p, p->line, "Duplicate declarations for "
			    "Value '%s'", v.v_name);
	v.v_tmpl = xmalloc(strlen(v.v_name) + strlen(v.v_regex) + 5);
	sprintf(v.v_tmpl, "(?P<%s>%s", v.v_name, v.v_regex + 1);
	p->t->t_values[p->t->t_nvalues - 1].v_tmpl = v.v_tmpl;
	if (v.v_opts & TFSM_LIST)
		return list_regex(p, &p->t->t_values[p->t->t_nvalues - 1]);
	return 0;
}

static int
parse_values(struct tp *p)
{
	while (next_line(p)) {
		if (p->ll == 0)
			return 0;
		if (is_comment(p->l, p->ll))
			continue;
		if (p->ll >= 6 && memcmp(p->l, "Value ", 6) == 0) {
			if (parse_value(p) != 0)
				return -1;
		} else if (p->t->t_nvalues == 0)
			return tp_err(p, p->line, "No Value definitions found");
		else
			return tp_err(p, p->line, "Expected blank line after "
			    "last Value entry");
	}
	return 0;
}

static const struct tfsm_value *
value_byname(const struct tfsm_tpl *t, const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < t->t_nvalues; k++)
		if (strlen(t->t_values[k].v_name) == n &&
		    memcmp(t->t_values[k].v_name, s, n) == 0)
			return &t->t_values[k];
	return NULL;
}

/* string.Template.substitute with the Values' regexes: $$, $name and
 * ${name} (name: [_a-zA-Z][_a-zA-Z0-9]*); anything else after a $, or an
 * unknown name, is an error. */
static int
substitute(struct tp *p, const char *s, size_t n, struct tfsm_buf *out)
{
	const struct tfsm_value *v;
	size_t i = 0, j, k;
	int brace;

#define IDSTART(c) ((c) == '_' || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z'))
#define IDCHAR(c) (IDSTART(c) || ((c) >= '0' && (c) <= '9'))
	while (i < n) {
		if (s[i] != '$') {
			tfsm_buf_addc(out, s[i++]);
			continue;
		}
		if (i + 1 < n && s[i + 1] == '$') {
			tfsm_buf_addc(out, '$');
			i += 2;
			continue;
		}
		brace = i + 1 < n && s[i + 1] == '{';
		j = i + 1 + (size_t)brace;
		for (k = j; k < n && (k == j ? IDSTART(s[k]) : IDCHAR(s[k]));
		    k++)
			;
		if (k == j || (brace && (k >= n || s[k] != '}')))
			return tp_err(p, p->line, "Duplicate or invalid variable "
			    "substitution: '%.*s'", (int)n, s);
		if ((v = value_byname(p->t, s + j, k - j)) == NULL)
			return tp_err(p, p->line, "Duplicate or invalid variable "
			    "substitution: '%.*s' (no Value %.*s)", (int)n, s,
			    (int)(k - j), s + j);
		tfsm_buf_adds(out, v->v_tmpl);
		i = k + (size_t)brace;
	}
#undef IDSTART
#undef IDCHAR
	return 0;
}

static int
group(pcre2_code *re, pcre2_match_data *md, const char *name,
    const char *subj, const char **s, size_t *n)
{
	int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	if (g < 0 || ov[2 * g] == PCRE2_UNSET) {
		*n = 0;
		return 0;
	}
	*s = subj + ov[2 * g];
	*n = ov[2 * g + 1] - ov[2 * g];
	return 1;
}

/* The action after " ->": textfsm tries three regexes in turn. */
static int
parse_action(struct tp *p, struct tfsm_rule *r, const char *a, size_t n)
{
	const char *ln = NULL, *rec = NULL, *st = NULL;
	size_t lnl = 0, recl = 0, stl = 0;
	int k;

	for (k = 0; k < 3; k++)
		if (pcre2_match(p->act[k], (PCRE2_SPTR)a, n, 0, 0, p->md,
		    NULL) > 0)
			break;
	if (k == 3)
		return tp_err(p, p->line, "Badly formatted rule '%.*s'",
		    (int)p->ll, p->l);
	if (k == 0)
		group(p->act[k], p->md, "ln", a, &ln, &lnl);
	if (k <= 1)
		group(p->act[k], p->md, "rec", a, &rec, &recl);
	group(p->act[k], p->md, "st", a, &st, &stl);
	r->r_lineop = ln == NULL || *ln == 'N' ? LOP_NEXT : *ln == 'C' ?
	    LOP_CONTINUE : LOP_ERROR;
	r->r_recop = rec == NULL ? ROP_NONE : *rec == 'R' ? ROP_RECORD :
	    *rec == 'N' ? ROP_NONE : recl == 5 ? ROP_CLEAR : ROP_CLEARALL;
	r->r_next = TFSM_ST_SAME;
	if (stl > 0) {
		r->r_next_name = strndup(st, stl);
		if (r->r_next_name == NULL)
			abort();
	}
	if (r->r_lineop == LOP_CONTINUE && stl > 0)
		return tp_err(p, p->line, "Action 'Continue' with new state %s "
		    "specified", r->r_next_name);
	if (r->r_lineop != LOP_ERROR && stl > 0 && *st == '"')
		return tp_err(p, p->line, "Alphanumeric characters only in "
		    "state names");
	return 0;
}

/*
 * Most rules fail on most lines at their first character; PCRE2 knows
 * that character and the shortest match, so the engine can skip the call.
 * PCRE2 reports a caseless first letter as the letter itself, so letters
 * are compared in both ASCII cases, and k, s and i (which Unicode case
 * folding also matches to non-ASCII K, long s, dotted I) are not used.
 */
static void
prefilter(struct tfsm_rule *r)
{
	uint32_t type = 0, unit = 0;

	r->r_first = -1;
	r->r_fold = 0;
	if (pcre2_pattern_info(r->r_re, PCRE2_INFO_MINLENGTH, &r->r_minlen) != 0)
		r->r_minlen = 0;
	if (pcre2_pattern_info(r->r_re, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 ||
	    type != 1 || pcre2_pattern_info(r->r_re, PCRE2_INFO_FIRSTCODEUNIT,
	    &unit) != 0 || unit >= 0x80)
		return;
	if ((unit | 0x20) >= 'a' && (unit | 0x20) <= 'z') {
		if (strchr("ksi", (int)(unit | 0x20)) != NULL)
			return;
		r->r_fold = 1;
		unit |= 0x20;
	}
	r->r_first = (int)unit;
}

static int
rule_regex(struct tp *p, struct tfsm_rule *r, const char *m, size_t n)
{
	struct tfsm_buf b = { NULL, 0, 0 };
	struct tfsm_rx rx;
	const struct tfsm_value *v;
	char why[256];
	uint32_t g;
	int rc = -1;

	if (p->t->t_nvalues > 0) {
		if (substitute(p, m, n, &b) != 0)
			goto out;
	} else
		tfsm_buf_add(&b, m, n);
	tfsm_buf_add(&b, "", 0);
	if (tfsm_rx_translate(b.b, b.len, &rx, why, sizeof(why)) != 0) {
		tp_err(p, p->line, "Invalid regular expression '%s': %s", b.b,
		    why);
		goto out;
	}
	if ((r->r_re = tfsm_rx_compile(&rx, why, sizeof(why))) == NULL)
		tp_err(p, p->line, "Invalid regular expression '%s': %s", b.b,
		    why);
	else {
		r->r_assign = xcalloc(rx.rx_ngroups + 1, sizeof(*r->r_assign));
		for (g = 1; g <= rx.rx_ngroups; g++)
			if (rx.rx_names[g] != NULL && (v = value_byname(p->t,
			    rx.rx_names[g], strlen(rx.rx_names[g]))) != NULL) {
				r->r_assign[r->r_nassign].a_group = g;
				r->r_assign[r->r_nassign++].a_value =
				    (size_t)(v - p->t->t_values);
			}
		if (rx.rx_ngroups + 1 > p->t->t_maxgroups)
			p->t->t_maxgroups = rx.rx_ngroups + 1;
		prefilter(r);
		rc = 0;
	}
	tfsm_rx_clear(&rx);
out:
	free(b.b);
	return rc;
}

/* "  ^regex -> Action State": the last whitespace-"->" splits (textfsm's
 * greedy MATCH_ACTION). */
static int
parse_rule(struct tp *p, struct tfsm_state *st)
{
	struct tfsm_rule *r;
	const char *s = p->l, *e = p->l + p->ll, *q, *arrow = NULL;
	const char *dash = NULL;
	size_t k;

	while (s < e && (k = space_at(s, e)) > 0)
		s += k;
	for (q = e; q >= s + 3; q--)
		if (memcmp(q - 2, "->", 2) == 0 && (k = space_before(s,
		    q - 2)) > 0) {
			dash = q - 2;
			arrow = dash - k;
			break;
		}
	st->s_rules = xreallocarray(st->s_rules, st->s_nrules + 1,
	    sizeof(*r));
	r = &st->s_rules[st->s_nrules++];
	memset(r, 0, sizeof(*r));
	r->r_line = p->line;
	r->r_next = TFSM_ST_SAME;
	if (rule_regex(p, r, s, (size_t)((arrow != NULL ? arrow : e) - s)) != 0)
		return -1;
	if (arrow == NULL)
		return 0;
	return parse_action(p, r, dash + 2, (size_t)(e - (dash + 2)));
}

static int
reserved(const char *s, size_t n)
{
	static const char *const w[] = { "Continue", "Next", "Error", "Clear",
	    "Clearall", "Record", "NoRecord" };
	size_t k;

	for (k = 0; k < sizeof(w) / sizeof(w[0]); k++)
		if (strlen(w[k]) == n && memcmp(w[k], s, n) == 0)
			return 1;
	return 0;
}

static int
state_index(const struct tfsm_tpl *t, const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < t->t_nstates; k++)
		if (strlen(t->t_states[k].s_name) == n &&
		    memcmp(t->t_states[k].s_name, s, n) == 0)
			return (int)k;
	return -1;
}

/* One state: its name line, then rules up to a blank line.  *more is 0
 * when no state was left. */
static int
parse_state(struct tp *p, int *more)
{
	struct tfsm_state *st;

	int found = 0;

	*more = 0;
	while (!found && next_line(p))
		found = p->ll > 0 && !is_comment(p->l, p->ll);
	if (!found)
		return 0;
	if (pcre2_match(p->statename, (PCRE2_SPTR)p->l, p->ll, 0, 0, p->md,
	    NULL) <= 0 || cplen(p->l, p->ll) > TFSM_NAME_MAX ||
	    reserved(p->l, p->ll))
		return tp_err(p, p->line, "Invalid state name: '%.*s'",
		    (int)p->ll, p->l);
	if (state_index(p->t, p->l, p->ll) >= 0)
		return tp_err(p, p->line, "Duplicate state name: '%.*s'",
		    (int)p->ll, p->l);
	p->t->t_states = xreallocarray(p->t->t_states, p->t->t_nstates + 1,
	    sizeof(*st));
	st = &p->t->t_states[p->t->t_nstates++];
	memset(st, 0, sizeof(*st));
	if ((st->s_name = strndup(p->l, p->ll)) == NULL)
		abort();
	st->s_line = p->line;
	*more = 1;
	while (next_line(p)) {
		if (p->ll == 0)
			break;
		if (is_comment(p->l, p->ll))
			continue;
		if (!((p->ll >= 2 && memcmp(p->l, " ^", 2) == 0) ||
		    (p->ll >= 3 && memcmp(p->l, "  ^", 3) == 0) ||
		    (p->ll >= 2 && memcmp(p->l, "\t^", 2) == 0)))
			return tp_err(p, p->line, "Missing white space or carat "
			    "('^') before rule");
		if (parse_rule(p, st) != 0)
			return -1;
	}
	return 0;
}

/* textfsm's _ValidateFSM: a Start state, empty End and EOF states, and
 * every destination declared (End and EOF always exist). */
static int
validate(struct tp *p)
{
	struct tfsm_tpl *t = p->t;
	struct tfsm_state *st;
	struct tfsm_rule *r;
	size_t k, j;
	int end;

	if ((t->t_start = state_index(t, "Start", 5)) < 0)
		return tp_err(p, 1, "Missing state 'Start'");
	for (k = 0; k < t->t_nstates; k++) {
		st = &t->t_states[k];
		end = strcmp(st->s_name, "End") == 0;
		if ((end || strcmp(st->s_name, "EOF") == 0) && st->s_nrules > 0)
			return tp_err(p, st->s_line, "Non-Empty '%s' state",
			    st->s_name);
		if (strcmp(st->s_name, "EOF") == 0)
			t->t_has_eof = 1;
	}
	for (k = 0; k < t->t_nstates; k++)
		for (j = 0; j < t->t_states[k].s_nrules; j++) {
			r = &t->t_states[k].s_rules[j];
			if (r->r_lineop == LOP_ERROR || r->r_next_name == NULL)
				continue;
			if (strcmp(r->r_next_name, "End") == 0)
				r->r_next = TFSM_ST_END;
			else if (strcmp(r->r_next_name, "EOF") == 0)
				r->r_next = TFSM_ST_EOF;
			else if ((r->r_next = state_index(t, r->r_next_name,
			    strlen(r->r_next_name))) < 0)
				return tp_err(p, r->r_line, "State '%s' not "
				    "found, referenced in state '%s'",
				    r->r_next_name, t->t_states[k].s_name);
		}
	return 0;
}

static pcre2_code *
meta_re(const char *pat)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, &ec, &off, NULL);

	if (re == NULL)
		abort();	/* a constant pattern: a bug */
	return re;
}

static int
parse_all(struct tp *p)
{
	size_t ok = tfsm_utf8_prefix(p->s, (size_t)(p->end - p->s));
	int more = 1, k;

	if (ok < (size_t)(p->end - p->s)) {
		for (k = 1; ok-- > 0; )
			k += p->s[ok] == '\n';
		return tp_err(p, k, "invalid UTF-8");
	}
	for (k = 0; k < 3; k++)
		p->act[k] = meta_re(tp_action_re[k]);
	p->statename = meta_re("\\w+$");
	p->md = pcre2_match_data_create(8, NULL);
	if (parse_values(p) != 0)
		return -1;
	while (more)
		if (parse_state(p, &more) != 0)
			return -1;
	return validate(p);
}

struct tfsm_tpl *
tfsm_compile(const char *text, size_t len, const char *file, char *err,
    size_t errlen)
{
	struct tp p;
	int k, rc;

	memset(&p, 0, sizeof(p));
	p.t = xcalloc(1, sizeof(*p.t));
	p.t->t_file = xstrdup(file != NULL ? file : "template");
	p.t->t_maxgroups = 1;
	p.s = text;
	p.end = text + len;
	p.err = err;
	p.errlen = errlen;
	rc = parse_all(&p);
	for (k = 0; k < 3; k++)
		pcre2_code_free(p.act[k]);
	pcre2_code_free(p.statename);
	pcre2_match_data_free(p.md);
	if (rc != 0) {
		tfsm_free(p.t);
		return NULL;
	}
	return p.t;
}

struct tfsm_tpl *
tfsm_load(const char *path, char *err, size_t errlen)
{
	struct tfsm_buf b = { NULL, 0, 0 };
	struct tfsm_tpl *t;
	char chunk[8192];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	    b.len < (4u << 20))
		tfsm_buf_add(&b, chunk, n);
	if (ferror(fp) || b.len >= (4u << 20)) {
		snprintf(err, errlen, "%s: %s", path, ferror(fp) ?
		    strerror(errno) : "template larger than 4 MiB");
		fclose(fp);
		free(b.b);
		return NULL;
	}
	fclose(fp);
	t = tfsm_compile(b.b != NULL ? b.b : "", b.len, path, err, errlen);
	free(b.b);
	return t;
}

void
tfsm_free(struct tfsm_tpl *t)
{
	struct tfsm_value *v;
	size_t k, j;

	if (t == NULL)
		return;
	for (k = 0; k < t->t_nvalues; k++) {
		v = &t->t_values[k];
		free(v->v_name);
		free(v->v_regex);
		free(v->v_tmpl);
		pcre2_code_free(v->v_list_re);
		for (j = 0; j < v->v_nkeys; j++)
			free(v->v_keys[j]);
		free(v->v_keys);
		free(v->v_keygrp);
	}
	for (k = 0; k < t->t_nstates; k++) {
		for (j = 0; j < t->t_states[k].s_nrules; j++) {
			pcre2_code_free(t->t_states[k].s_rules[j].r_re);
			free(t->t_states[k].s_rules[j].r_assign);
			free(t->t_states[k].s_rules[j].r_next_name);
		}
		free(t->t_states[k].s_rules);
		free(t->t_states[k].s_name);
	}
	free(t->t_values);
	free(t->t_states);
	free(t->t_file);
	free(t);
}

const char *
tfsm_file(const struct tfsm_tpl *t)
{
	return t->t_file;
}

size_t
tfsm_nvalues(const struct tfsm_tpl *t)
{
	return t->t_nvalues;
}

const char *
tfsm_value_name(const struct tfsm_tpl *t, size_t i)
{
	return t->t_values[i].v_name;
}

unsigned
tfsm_value_opts(const struct tfsm_tpl *t, size_t i)
{
	return t->t_values[i].v_opts;
}

int
tfsm_has_required(const struct tfsm_tpl *t)
{
	size_t k;

	for (k = 0; k < t->t_nvalues; k++)
		if (t->t_values[k].v_opts & TFSM_REQUIRED)
			return 1;
	return 0;
}

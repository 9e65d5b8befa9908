/*
 * Running a template over text: textfsm's ParseText, _CheckLine,
 * _Operations and the Value options' hooks, in their order (options in
 * declaration order, Values in declaration order), because the order is
 * observable (Required before or after List, Fillup rewriting rows
 * already recorded).  Every match is bounded; a limit hit fails the parse
 * rather than reading as "no match", since Python would have matched.
 *
 * Strings in the result point into the sanitised copy of the input,
 * which the result owns, so a parse copies no matched text; lines are
 * found as the parse reaches them, so End stops the work too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_int.h"
#include "xmem.h"

struct rt_val {
	struct tfsm_cell	 cur;	/* value.value */
	struct tfsm_cell	 fill;	/* Filldown's _myvar */
	struct tfsm_item	*items;	/* List's _value */
	size_t			 nitems, cap;
};

struct tfsm_res {
	size_t			 nvalues;
	struct tfsm_cell	*rows;	/* nrows x nvalues */
	size_t			 nrows, cap;
	char			*text;	/* the sanitised input */
	struct arena		*a;	/* List items; made on first use */
};

struct run {
	const struct tfsm_tpl	*t;
	struct tfsm_res		*res;
	struct rt_val		*v;
	pcre2_match_data	*md;
	pcre2_match_context	*mc;
	size_t			 max_rows, lineno;
	int			 state;
	enum tfsm_fail		 why;
	char			*err;
	size_t			 errlen;
};

static int
run_fail(struct run *r, enum tfsm_fail why, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s:%d: %s", r->t->t_file, line, msg);
	r->why = why;
	return -1;
}

static void *
res_alloc(struct tfsm_res *res, size_t n)
{
	if (res->a == NULL)
		res->a = arena_new();
	return arena_alloc(res->a, n);
}

static int
truthy(const struct tfsm_cell *c)
{
	return c->c_kind == TFSM_STR ? c->c_len > 0 : c->c_kind == TFSM_LISTV ?
	    c->c_nitems > 0 : 0;
}

/* 1 match, 0 none, -1 a limit (or another matching error). */
static int
match(struct run *r, const pcre2_code *re, const char *s, size_t n, int line)
{
	PCRE2_UCHAR msg[120];
	int rc;

	/* The JIT entry point skips pcre2_match's checks (B1); patterns JIT
	 * could not compile go to the interpreter, under the same limits. */
	rc = pcre2_jit_match(re, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK,
	    r->md, r->mc);
	if (rc == PCRE2_ERROR_JIT_BADOPTION)
		rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK,
		    r->md, r->mc);
	if (rc > 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	pcre2_get_error_message(rc, msg, sizeof(msg));
	return run_fail(r, TFSM_LIMIT, line, "regular expression failed on "
	    "input line %zu: %s", r->lineno, (char *)msg);
}

static void
group_str(struct run *r, uint32_t g, const char *subj, struct tfsm_cell *c)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);

	memset(c, 0, sizeof(*c));
	if (g < pcre2_get_ovector_count(r->md) && ov[2 * g] != PCRE2_UNSET) {
		c->c_kind = TFSM_STR;
		c->c_str = subj + ov[2 * g];
		c->c_len = ov[2 * g + 1] - ov[2 * g];
	}
}

/* List.OnAssignVar: the item is a dict when the List's own regex has
 * nested named groups, else the string. */
static int
list_add(struct run *r, const struct tfsm_value *tv, struct rt_val *v,
    int line)
{
	struct tfsm_item it;
	struct tfsm_cell c;
	const char **vals;
	size_t *lens, k;
	int m = 0;

	memset(&it, 0, sizeof(it));
	it.i_kind = v->cur.c_kind == TFSM_STR ? TFSM_STR : TFSM_NONE;
	it.i_str = v->cur.c_str;
	it.i_len = v->cur.c_len;
	if (tv->v_list_re != NULL) {
		if (v->cur.c_kind != TFSM_STR)
			return run_fail(r, TFSM_ERROR_ACTION, line, "List Value "
			    "'%s' with nested groups took no part in the match "
			    "(textfsm fails here too)", tv->v_name);
		if ((m = match(r, tv->v_list_re, v->cur.c_str, v->cur.c_len,
		    line)) < 0)
			return -1;
	}
	if (m && tv->v_nkeys > 0) {
		vals = res_alloc(r->res, tv->v_nkeys * sizeof(*vals));
		lens = res_alloc(r->res, tv->v_nkeys * sizeof(*lens));
		for (k = 0; k < tv->v_nkeys; k++) {
			group_str(r, tv->v_keygrp[k], v->cur.c_str, &c);
			vals[k] = c.c_kind == TFSM_STR ? c.c_str : NULL;
			lens[k] = c.c_len;
		}
		it.i_kind = TFSM_DICT;
		it.i_nkeys = tv->v_nkeys;
		it.i_keys = (const char *const *)tv->v_keys;
		it.i_vals = vals;
		it.i_lens = lens;
	}
	if (v->nitems == v->cap) {
		v->cap = v->cap * 2 + 8;
		v->items = xreallocarray(v->items, v->cap, sizeof(*v->items));
	}
	v->items[v->nitems++] = it;
	return 0;
}

/* TextFSMValue.AssignVar: the value, then each option's OnAssignVar. */
static int
assign(struct run *r, size_t vi, const struct tfsm_cell *val, int line)
{
	const struct tfsm_value *tv = &r->t->t_values[vi];
	struct rt_val *v = &r->v[vi];
	struct tfsm_cell *c;
	size_t row;
	int k;

	v->cur = *val;
	for (k = 0; k < tv->v_nopts; k++) {
		switch (tv->v_order[k]) {
		case TFSM_FILLDOWN:
			v->fill = v->cur;
			break;
		case TFSM_FILLUP:
			if (!truthy(&v->cur))
				break;
			for (row = r->res->nrows; row-- > 0; ) {
				c = &r->res->rows[row * r->res->nvalues + vi];
				if (truthy(c))
					break;
				*c = v->cur;
			}
			break;
		case TFSM_LIST:
			if (list_add(r, tv, v, line) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* _ClearRecord (all 0) and _ClearAllRecord (all 1). */
static void
clear(struct run *r, int all)
{
	const struct tfsm_value *tv;
	struct rt_val *v;
	size_t i;
	int k;

	for (i = 0; i < r->t->t_nvalues; i++) {
		tv = &r->t->t_values[i];
		v = &r->v[i];
		memset(&v->cur, 0, sizeof(v->cur));
		for (k = 0; k < tv->v_nopts; k++) {
			if (tv->v_order[k] == TFSM_FILLDOWN) {
				if (all)
					memset(&v->fill, 0, sizeof(v->fill));
				else
					v->cur = v->fill;
			} else if (tv->v_order[k] == TFSM_LIST &&
			    (all || !(tv->v_opts & TFSM_FILLDOWN)))
				v->nitems = 0;
		}
	}
}

/* _AppendRecord: Required skips (and clears) the record; a record of
 * nothing but None and [] is dropped without clearing; None becomes "". */
static int
record(struct run *r, int line)
{
	const struct tfsm_value *tv;
	struct tfsm_res *res = r->res;
	struct tfsm_cell *row;
	struct rt_val *v;
	size_t i, empty = 0, nv = r->t->t_nvalues;
	int k;

	if (nv == 0)
		return 0;
	if (res->nrows == res->cap) {
		res->cap = res->cap * 2 + 16;
		res->rows = xreallocarray(res->rows, res->cap, nv *
		    sizeof(*res->rows));
	}
	row = &res->rows[res->nrows * nv];
	for (i = 0; i < nv; i++) {
		tv = &r->t->t_values[i];
		v = &r->v[i];
		for (k = 0; k < tv->v_nopts; k++) {
			if (tv->v_order[k] == TFSM_REQUIRED && !truthy(&v->cur)) {
				clear(r, 0);
				return 0;
			}
			if (tv->v_order[k] == TFSM_LIST) {
				v->cur.c_kind = TFSM_LISTV;
				v->cur.c_nitems = v->nitems;
				v->cur.c_items = res_alloc(res, (v->nitems +
				    1) * sizeof(*v->items));
				if (v->nitems > 0)
					memcpy((void *)v->cur.c_items, v->items,
					    v->nitems * sizeof(*v->items));
			}
		}
		row[i] = v->cur;
		empty += v->cur.c_kind == TFSM_NONE || (v->cur.c_kind ==
		    TFSM_LISTV && v->cur.c_nitems == 0);
	}
	if (empty == nv)
		return 0;
	for (i = 0; i < nv; i++)
		if (row[i].c_kind == TFSM_NONE) {
			row[i].c_kind = TFSM_STR;
			row[i].c_str = "";
			row[i].c_len = 0;
		}
	if (++res->nrows > r->max_rows)
		return run_fail(r, TFSM_TOO_MANY_ROWS, line, "more than %zu "
		    "rows", r->max_rows);
	clear(r, 0);
	return 0;
}

/* _CheckLine: the rules of the current state in order; every named
 * group of a matching rule is assigned (None when it took no part), then
 * the record operation, then the line operation. */
static int
check_line(struct run *r, const char *s, size_t n, struct tfsm_cell *tmp)
{
	const struct tfsm_state *st = &r->t->t_states[r->state];
	const struct tfsm_rule *ru;
	size_t k, a;
	int m;

	for (k = 0; k < st->s_nrules; k++) {
		ru = &st->s_rules[k];
		if (n < ru->r_minlen || (ru->r_first >= 0 && (n == 0 ||
		    ((unsigned char)s[0] | (ru->r_fold ? 0x20 : 0)) !=
		    ru->r_first)))
			continue;
		if ((m = match(r, ru->r_re, s, n, ru->r_line)) < 0)
			return -1;
		if (m == 0)
			continue;
		/* Read every group before a List's own match reuses md. */
		for (a = 0; a < ru->r_nassign; a++)
			group_str(r, ru->r_assign[a].a_group, s, &tmp[a]);
		for (a = 0; a < ru->r_nassign; a++)
			if (assign(r, ru->r_assign[a].a_value, &tmp[a],
			    ru->r_line) != 0)
				return -1;
		if (ru->r_recop == ROP_RECORD && record(r, ru->r_line) != 0)
			return -1;
		if (ru->r_recop == ROP_CLEAR || ru->r_recop == ROP_CLEARALL)
			clear(r, ru->r_recop == ROP_CLEARALL);
		if (ru->r_lineop == LOP_ERROR)
			return run_fail(r, TFSM_ERROR_ACTION, ru->r_line,
			    "Error action %s%son input line %zu",
			    ru->r_next_name != NULL ? ru->r_next_name :
			    "(State Error raised)", " ", r->lineno);
		if (ru->r_lineop == LOP_CONTINUE)
			continue;
		if (ru->r_next != TFSM_ST_SAME)
			r->state = ru->r_next;
		return 0;
	}
	return 0;
}

static _Thread_local pcre2_jit_stack *js_cache;
static _Thread_local size_t js_size;

static int
run_setup(struct run *r, const struct tfsm_limits *lim)
{
	struct tfsm_limits d = { TFSM_MATCH_LIMIT, TFSM_DEPTH_LIMIT,
	    TFSM_HEAP_KIB, TFSM_JIT_STACK, TFSM_MAX_ROWS };

	if (lim != NULL) {
		d.tl_match = lim->tl_match ? lim->tl_match : d.tl_match;
		d.tl_depth = lim->tl_depth ? lim->tl_depth : d.tl_depth;
		d.tl_heap_kib = lim->tl_heap_kib ? lim->tl_heap_kib :
		    d.tl_heap_kib;
		d.tl_jit_stack = lim->tl_jit_stack ? lim->tl_jit_stack :
		    d.tl_jit_stack;
		d.tl_max_rows = lim->tl_max_rows ? lim->tl_max_rows :
		    d.tl_max_rows;
	}
	r->max_rows = d.tl_max_rows;
	if ((r->md = pcre2_match_data_create(r->t->t_maxgroups, NULL)) ==
	    NULL || (r->mc = pcre2_match_context_create(NULL)) == NULL)
		abort();
	pcre2_set_match_limit(r->mc, d.tl_match);
	pcre2_set_depth_limit(r->mc, d.tl_depth);
	pcre2_set_heap_limit(r->mc, d.tl_heap_kib);
	/* The default 32 KiB JIT stack fails long lines (B3).  One stack per
	 * thread (JIT needs its own), kept: creating one is two syscalls. */
	if (js_cache == NULL || js_size != d.tl_jit_stack) {
		pcre2_jit_stack_free(js_cache);
		js_size = d.tl_jit_stack;
		js_cache = pcre2_jit_stack_create(32 * 1024, js_size, NULL);
	}
	if (js_cache != NULL)
		pcre2_jit_stack_assign(r->mc, NULL, js_cache);
	r->v = xcalloc(r->t->t_nvalues + 1, sizeof(*r->v));
	return 0;
}

struct tfsm_res *
tfsm_parse(const struct tfsm_tpl *t, const char *text, size_t len,
    const struct tfsm_limits *lim, enum tfsm_fail *why, char *err,
    size_t errlen)
{
	struct run r;
	struct tfsm_cell *tmp;
	struct tfsm_buf b = { xmalloc(len + 1), 0, len + 1 };
	size_t i, pos = 0, start, llen;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.err = err;
	r.errlen = errlen;
	r.state = t->t_start;
	r.res = xcalloc(1, sizeof(*r.res));
	r.res->nvalues = t->t_nvalues;
	run_setup(&r, lim);
	tmp = xcalloc(t->t_maxgroups, sizeof(*tmp));
	tfsm_utf8_sanitise(text, len, &b);
	tfsm_buf_add(&b, "", 0);
	r.res->text = b.b;
	while (rc == 0 && tfsm_line_next(b.b, b.len, &pos, &start, &llen)) {
		r.lineno++;
		rc = check_line(&r, b.b + start, llen, tmp);
		if (r.state == TFSM_ST_END || r.state == TFSM_ST_EOF)
			break;
	}
	if (rc == 0 && r.state != TFSM_ST_END && !t->t_has_eof)
		rc = record(&r, 0);
	for (i = 0; i < t->t_nvalues; i++)
		free(r.v[i].items);
	free(r.v);
	free(tmp);
	pcre2_match_data_free(r.md);
	pcre2_match_context_free(r.mc);
	if (why != NULL)
		*why = rc == 0 ? TFSM_OK : r.why;
	if (rc != 0) {
		tfsm_res_free(r.res);
		return NULL;
	}
	return r.res;
}

void
tfsm_res_free(struct tfsm_res *res)
{
	if (res == NULL)
		return;
	free(res->text);
	if (res->a != NULL)
		arena_free(res->a);
	free(res->rows);
	free(res);
}

size_t
tfsm_nrows(const struct tfsm_res *res)
{
	return res->nrows;
}

const struct tfsm_cell *
tfsm_cell(const struct tfsm_res *res, size_t row, size_t col)
{
	return &res->rows[row * res->nvalues + col];
}

/*
 * YAML text to a node tree, with the checks libyaml 0.2.5 does not make:
 * duplicate keys, recursive aliases, alias expansion bombs, nesting depth,
 * tags, several documents.  Aliases share nodes (no copies); each node keeps
 * its expanded weight so a billion-laughs file is refused at the alias that
 * crosses the limit, before anything walks the tree.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "conf_int.h"
#include "htab.h"
#include "log.h"
#include "xmem.h"

/* Legitimate reuse (a `<<: *common` per device) stays far below this. */
#define YAML_EXPAND_FACTOR	16
#define YAML_EXPAND_SLACK	100000

struct yframe {
	struct ynode	 *node;
	struct ynode	**items;
	size_t		  n, cap;
	const char	 *anchor;
};

struct yparse {
	struct conf_ctx	*ctx;
	struct arena	*a;
	struct yframe	 stack[CONF_MAX_DEPTH + 1];
	int		 depth;
	struct htab	*anchors;
	uint64_t	 nodes;		/* nodes really in the file */
	uint64_t	 weight;	/* nodes after expansion */
	struct ynode	*root;
	int		 failed;
};

static struct conf_pos
ymark(yaml_mark_t m)
{
	struct conf_pos p = { (uint32_t)m.line + 1, (uint32_t)m.column + 1 };

	return p;
}

/* libyaml reports reader (encoding) errors as a byte offset only. */
static struct conf_pos
yoffset_pos(const char *buf, size_t len, size_t off)
{
	struct conf_pos p = { 1, 1 };
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n') {
			p.line++;
			p.col = 1;
		} else if ((c & 0xc0) != 0x80)
			p.col++;
	}
	return p;
}

static int
yadd(struct yparse *y, struct ynode *n)
{
	struct yframe *f;

	y->nodes++;
	if (y->depth == 0) {
		if (y->root != NULL) {
			conf_err(y->ctx, n->pos, "only one YAML document is "
			    "allowed in a fleet file");
			return -1;
		}
		y->root = n;
		return 0;
	}
	f = &y->stack[y->depth - 1];
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->items = xreallocarray(f->items, f->cap, sizeof(*f->items));
	}
	f->items[f->n++] = n;
	return 0;
}

static int
yanchor(struct yparse *y, const yaml_char_t *anchor, struct ynode *n)
{
	const char *name;

	if (anchor == NULL)
		return 0;
	name = arena_strdup(y->a, (const char *)anchor);
	/*
	 * YAML lets an anchor be redefined, but in an inventory a second
	 * "&x" silently changes what every later "*x" means: refuse it.
	 */
	if (htab_put(y->anchors, name, strlen(name), n) != NULL) {
		conf_err(y->ctx, n->pos, "anchor \"&%s\" is defined twice; "
		    "use distinct anchor names", name);
		return -1;
	}
	return 0;
}

static int
ytag_ok(struct yparse *y, const yaml_char_t *tag, struct conf_pos pos,
    int *quoted)
{
	if (tag == NULL)
		return 0;
	if (strcmp((const char *)tag, YAML_STR_TAG) == 0) {
		*quoted = 1;
		return 0;
	}
	if (strcmp((const char *)tag, YAML_MAP_TAG) == 0 ||
	    strcmp((const char *)tag, YAML_SEQ_TAG) == 0 ||
	    strcmp((const char *)tag, YAML_INT_TAG) == 0 ||
	    strcmp((const char *)tag, YAML_BOOL_TAG) == 0)
		return 0;
	conf_err(y->ctx, pos, "YAML tag \"%s\" is not supported here",
	    (const char *)tag);
	return -1;
}

static int
ykey_eq(const struct ynode *a, const struct ynode *b)
{
	return a->type == YN_SCALAR && b->type == YN_SCALAR &&
	    a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

static int
yis_merge_key(const struct ynode *k)
{
	return k->type == YN_SCALAR && !k->quoted && k->n == 2 &&
	    memcmp(k->s, "<<", 2) == 0;
}

/*
 * Checks one mapping: scalar keys, no duplicates, then << merges.  A bad
 * pair is reported and dropped, and parsing goes on, so that one file run
 * shows every error in it.
 */
static int
ymap_close(struct yparse *y, struct ynode *m, struct ynode **it, size_t n)
{
	size_t npairs = n / 2, i, j, nmerge = 0, out, keep = 0;
	struct htab *seen = NULL;
	struct ynode **res;
	int rc = 0;

	if (npairs > 8)
		seen = htab_new(npairs);
	for (i = 0; i < npairs; i++) {
		struct ynode *k = it[2 * i];
		int dup = 0;

		if (k->type != YN_SCALAR) {
			conf_err(y->ctx, k->pos, "mapping keys must be plain "
			    "scalars, not %s", cv_typename(k));
			continue;
		}
		if (yis_merge_key(k)) {
			nmerge++;
		} else if (seen != NULL) {
			struct ynode *prev = htab_put(seen, k->s, k->n, k);

			if (prev != NULL) {
				conf_err(y->ctx, k->pos, "duplicate key \"%s\" "
				    "(first defined at line %u, column %u)",
				    k->s, prev->pos.line, prev->pos.col);
				dup = 1;
			}
		} else {
			for (j = 0; j < keep; j++) {
				if (ykey_eq(it[2 * j], k) &&
				    !yis_merge_key(it[2 * j])) {
					conf_err(y->ctx, k->pos, "duplicate key "
					    "\"%s\" (first defined at line %u, "
					    "column %u)", k->s,
					    it[2 * j]->pos.line,
					    it[2 * j]->pos.col);
					dup = 1;
					break;
				}
			}
		}
		if (dup)
			continue;
		it[2 * keep] = k;
		it[2 * keep + 1] = it[2 * i + 1];
		keep++;
	}
	npairs = keep;
	n = 2 * keep;
	if (nmerge == 0 || rc != 0) {
		htab_free(seen);
		m->items = arena_alloc(y->a, (n ? n : 1) * sizeof(*m->items));
		if (n > 0)
			memcpy(m->items, it, n * sizeof(*it));
		m->n = npairs;
		return rc;
	}

	/*
	 * YAML 1.1 merge keys: explicit keys win, then earlier merged maps
	 * win over later ones.  Merged pairs share the source nodes.
	 */
	{
		struct ynode **srcs = NULL;
		size_t nsrc = 0, total = npairs - nmerge, cap = 0;
		struct htab *have = htab_new(npairs + 16);

		for (i = 0; i < npairs; i++) {
			struct ynode *k = it[2 * i], *v = it[2 * i + 1];

			if (!yis_merge_key(k)) {
				htab_put(have, k->s, k->n, k);
				continue;
			}
			if (v->type == YN_MAP) {
				srcs = xreallocarray(srcs, ++cap, sizeof(*srcs));
				srcs[nsrc++] = v;
			} else if (v->type == YN_SEQ) {
				for (j = 0; j < v->n; j++) {
					if (v->items[j]->type != YN_MAP) {
						conf_err(y->ctx, v->items[j]->pos,
						    "a << merge list may only "
						    "hold mappings");
						rc = -1;
						continue;
					}
					srcs = xreallocarray(srcs, ++cap,
					    sizeof(*srcs));
					srcs[nsrc++] = v->items[j];
				}
			} else {
				conf_err(y->ctx, v->pos, "the value of << must "
				    "be a mapping or a list of mappings");
				rc = -1;
			}
		}
		for (i = 0; i < nsrc; i++)
			total += srcs[i]->n;
		res = arena_alloc(y->a, (2 * total + 1) * sizeof(*res));
		m->merged = arena_alloc(y->a, total + 1);
		out = 0;
		for (i = 0; i < npairs; i++) {
			if (yis_merge_key(it[2 * i]))
				continue;
			res[2 * out] = it[2 * i];
			res[2 * out + 1] = it[2 * i + 1];
			out++;
		}
		for (i = 0; i < nsrc; i++) {
			for (j = 0; j < srcs[i]->n; j++) {
				struct ynode *k = srcs[i]->items[2 * j];

				if (htab_put(have, k->s, k->n, k) != NULL)
					continue;
				res[2 * out] = k;
				res[2 * out + 1] = srcs[i]->items[2 * j + 1];
				m->merged[out] = 1;
				out++;
			}
		}
		free(srcs);
		htab_free(have);
		m->items = res;
		m->n = out;
	}
	htab_free(seen);
	return rc;
}

static struct ynode *
ynew(struct yparse *y, int type, yaml_mark_t mark)
{
	struct ynode *n = arena_alloc(y->a, sizeof(*n));

	n->type = (uint8_t)type;
	n->pos = ymark(mark);
	n->weight = 1;
	return n;
}

static int
yscalar(struct yparse *y, yaml_event_t *ev)
{
	struct ynode *n = ynew(y, YN_SCALAR, ev->start_mark);
	int quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;

	if (ytag_ok(y, ev->data.scalar.tag, n->pos, &quoted) != 0)
		return -1;
	if (memchr(s, '\0', len) != NULL) {
		conf_err(y->ctx, n->pos, "NUL byte inside a value");
		return -1;
	}
	n->s = arena_strndup(y->a, s, len);
	n->n = len;
	n->quoted = (uint8_t)quoted;
	n->isnull = !quoted && (len == 0 || strcmp(s, "~") == 0 ||
	    strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0);
	if (yanchor(y, ev->data.scalar.anchor, n) != 0)
		return -1;
	y->weight++;
	return yadd(y, n);
}

static int
yopen(struct yparse *y, yaml_event_t *ev, int type)
{
	struct ynode *n = ynew(y, type, ev->start_mark);
	const yaml_char_t *anchor, *tag;
	struct yframe *f;
	int q = 0;

	if (type == YN_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (y->depth >= CONF_MAX_DEPTH) {
		conf_err(y->ctx, n->pos, "nesting deeper than %d levels",
		    CONF_MAX_DEPTH);
		return -1;
	}
	if (ytag_ok(y, tag, n->pos, &q) != 0)
		return -1;
	if (yadd(y, n) != 0)
		return -1;
	n->open = 1;
	if (yanchor(y, anchor, n) != 0)
		return -1;
	y->weight++;
	f = &y->stack[y->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	return 0;
}

static int
yclose(struct yparse *y)
{
	struct yframe *f = &y->stack[--y->depth];
	struct ynode *n = f->node;
	size_t i;
	int rc = 0;

	for (i = 0; i < f->n; i++)
		n->weight += f->items[i]->weight;
	if (n->type == YN_MAP)
		rc = ymap_close(y, n, f->items, f->n);
	else {
		n->items = arena_alloc(y->a,
		    (f->n ? f->n : 1) * sizeof(*n->items));
		if (f->n > 0)
			memcpy(n->items, f->items, f->n * sizeof(*f->items));
		n->n = f->n;
	}
	n->open = 0;
	free(f->items);
	f->items = NULL;
	return rc;
}

static int
yalias(struct yparse *y, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct ynode *t = htab_get(y->anchors, name, strlen(name));
	struct conf_pos pos = ymark(ev->start_mark);

	if (t == NULL) {
		conf_err(y->ctx, pos, "alias \"*%s\" names no anchor defined "
		    "before it", name);
		return -1;
	}
	if (t->open) {
		conf_err(y->ctx, pos, "alias \"*%s\" refers to a node that "
		    "contains it (recursive alias)", name);
		return -1;
	}
	y->weight += t->weight;
	if (y->weight > YAML_EXPAND_FACTOR * y->nodes + YAML_EXPAND_SLACK) {
		conf_err(y->ctx, pos, "alias \"*%s\" expands the document to "
		    "over %llu nodes (alias expansion bomb?)", name,
		    (unsigned long long)y->weight);
		return -1;
	}
	y->nodes++;
	if (y->depth == 0) {
		y->root = t;
		return 0;
	}
	{
		struct yframe *f = &y->stack[y->depth - 1];

		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			f->items = xreallocarray(f->items, f->cap,
			    sizeof(*f->items));
		}
		f->items[f->n++] = t;
	}
	return 0;
}

static void
yparser_error(struct yparse *y, yaml_parser_t *p, const char *buf, size_t len)
{
	struct conf_pos pos;
	const char *problem = p->problem ? p->problem : "unknown error";

	if (p->error == YAML_READER_ERROR) {
		pos = yoffset_pos(buf, len, p->problem_offset);
		if (p->problem_value != -1)
			conf_err(y->ctx, pos, "invalid input: %s (byte 0x%02x); "
			    "fleet files must be UTF-8", problem,
			    (unsigned)p->problem_value & 0xff);
		else
			conf_err(y->ctx, pos, "invalid input: %s; fleet files "
			    "must be UTF-8", problem);
		return;
	}
	pos = ymark(p->problem_mark);
	if (p->context != NULL)
		conf_err(y->ctx, pos, "YAML syntax error: %s (%s at line %u, "
		    "column %u)", problem, p->context,
		    (unsigned)p->context_mark.line + 1,
		    (unsigned)p->context_mark.column + 1);
	else
		conf_err(y->ctx, pos, "YAML syntax error: %s", problem);
}

struct ynode *
conf_yaml_parse(struct conf_ctx *ctx, struct arena *a, const char *buf,
    size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct yparse y;
	int done = 0, rc = 0, ndocs = 0;

	memset(&y, 0, sizeof(y));
	y.ctx = ctx;
	y.a = a;
	y.anchors = htab_new(16);
	if (!yaml_parser_initialize(&parser))
		fatalx("%s: yaml_parser_initialize", __func__);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			yparser_error(&y, &parser, buf, len);
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				conf_err(ctx, ymark(ev.start_mark), "only one "
				    "YAML document is allowed in a fleet file");
				rc = -1;
			}
			break;
		case YAML_SCALAR_EVENT:
			rc = yscalar(&y, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = yopen(&y, &ev, YN_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = yopen(&y, &ev, YN_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = yclose(&y);
			break;
		case YAML_ALIAS_EVENT:
			rc = yalias(&y, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (y.depth > 0) {
		y.depth--;
		free(y.stack[y.depth].items);
	}
	yaml_parser_delete(&parser);
	htab_free(y.anchors);
	if (rc != 0)
		return NULL;
	if (y.root == NULL) {
		struct conf_pos p = { 1, 1 };

		conf_err(ctx, p, "the file is empty; expected a mapping with "
		    "at least \"devices:\"");
		return NULL;
	}
	return y.root;
}

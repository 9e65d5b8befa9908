/*
 * Telemetry values out of NETCONF data by element path (see tm_nc.h).
 * One pass of the ncxml scanner over the data wrapped in one root element
 * (the inside of <data> may hold several top-level elements), tracking how
 * many steps of the path the open elements match: no tree is built, and
 * nothing is kept but the current value and the labels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncxml.h"
#include "tm_nc.h"
#include "xmem.h"

/* More matches than this are ignored: a huge reply cannot flood us. */
#define TM_NC_MAX_MATCHES	4096
#define TM_NC_VALUE_MAX		64

struct tm_nc_step {
	const char	*name;		/* local name */
	size_t		 namelen;
	const char	*key;		/* list key child, or NULL */
	size_t		 keylen;
	char		 label[TM_LABEL_MAX];	/* Prometheus label name */
};

struct tm_nc_path {
	struct tm_nc_step step[TM_NC_MAX_STEPS];
	size_t		 n;
	size_t		 nkeys;
};

static int
name_char(int c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
}

/* An XML name with at most one prefix; returns its length, 0 if none. */
static size_t
scan_name(const char *s, const char **local, size_t *locallen)
{
	size_t i = 0, start = 0;

	if (!name_char((unsigned char)s[0], 1))
		return 0;
	for (i = 1; name_char((unsigned char)s[i], 0); i++)
		;
	if (s[i] == ':' && name_char((unsigned char)s[i + 1], 1)) {
		start = ++i;
		for (i++; name_char((unsigned char)s[i], 0); i++)
			;
	}
	*local = s + start;
	*locallen = i - start;
	return i;
}

static int
path_parse(const char *path, struct tm_nc_path *p, char *err, size_t errlen)
{
	const char *s = path;
	struct tm_nc_step *st;
	size_t n, i;

	memset(p, 0, sizeof(*p));
	if (*s == '/')
		s++;
	for (;;) {
		if (p->n == TM_NC_MAX_STEPS) {
			snprintf(err, errlen, "element path has more than %d "
			    "steps", TM_NC_MAX_STEPS);
			return -1;
		}
		st = &p->step[p->n];
		if ((n = scan_name(s, &st->name, &st->namelen)) == 0) {
			snprintf(err, errlen, "element path \"%.60s\": no "
			    "element name at offset %zu", path,
			    (size_t)(s - path));
			return -1;
		}
		s += n;
		if (*s == '[') {
			s++;
			if ((n = scan_name(s, &st->key, &st->keylen)) == 0 ||
			    s[n] != ']') {
				snprintf(err, errlen, "element path \"%.60s\": "
				    "\"[\" wants a key element name and \"]\" "
				    "at offset %zu", path, (size_t)(s - path));
				return -1;
			}
			s += n + 1;
			/* interface[name] labels interface="...". */
			for (i = 0; i < st->namelen && i + 1 < TM_LABEL_MAX;
			    i++)
				st->label[i] = st->name[i] == '-' ||
				    st->name[i] == '.' ? '_' : st->name[i];
			st->label[i] = '\0';
			if (strncmp(st->label, "__", 2) == 0) {
				snprintf(err, errlen, "element path \"%.60s\": "
				    "label \"%s\" would start with \"__\", "
				    "which Prometheus reserves", path,
				    st->label);
				return -1;
			}
			for (i = 0; i < p->n; i++)
				if (p->step[i].key != NULL &&
				    strcmp(p->step[i].label, st->label) == 0) {
					snprintf(err, errlen, "element path "
					    "\"%.60s\": two keys would both "
					    "label \"%s\"", path, st->label);
					return -1;
				}
			if (++p->nkeys > TM_MAX_LABELS) {
				snprintf(err, errlen, "element path has more "
				    "than %d keys", TM_MAX_LABELS);
				return -1;
			}
		}
		p->n++;
		if (*s == '\0')
			return 0;
		if (*s != '/') {
			snprintf(err, errlen, "element path \"%.60s\": "
			    "unexpected \"%c\" at offset %zu", path, *s,
			    (size_t)(s - path));
			return -1;
		}
		s++;
	}
}

int
tm_nc_path_ok(const char *path, char *err, size_t errlen)
{
	struct tm_nc_path p;

	return path_parse(path, &p, err, errlen);
}

static int
step_is(const struct ncx_tok *t, const char *name, size_t len)
{
	return t->namelen == len && memcmp(t->name, name, len) == 0;
}

struct tm_nc_walk {
	const struct tm_nc_path *p;
	struct tm_value	 v;		/* labels by step index order */
	int		 have[TM_NC_MAX_STEPS];	/* key text seen */
	char		 val[TM_NC_VALUE_MAX];
	size_t		 vlen;
	int		 in_val, val_kids, in_key;
	size_t		 klen;
	int		 n;
};

/* The labels of the open keyed steps, in path order. */
static int
labels_of(struct tm_nc_walk *wk, char *err, size_t errlen)
{
	const struct tm_nc_path *p = wk->p;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->step[i].key != NULL && !wk->have[i]) {
			snprintf(err, errlen, "<%.*s> has no <%.*s> key "
			    "before the value", (int)p->step[i].namelen,
			    p->step[i].name, (int)p->step[i].keylen,
			    p->step[i].key);
			return -1;
		}
	return 0;
}

int
tm_parse_netconf(const struct conf_tm_netconf *t, const char *data,
    size_t len, tm_emit_fn *emit, void *arg, char *err, size_t errlen)
{
	struct tm_nc_path p;
	struct tm_nc_walk wk;
	struct ncx x;
	struct ncx_tok tok;
	enum ncx_type ty;
	char *doc;
	size_t m = 0, d, li, i;	/* m: steps matched by the open elements */
	int rc = -1;

	if (t->path == NULL || path_parse(t->path, &p, err, errlen) != 0)
		return -1;
	memset(&wk, 0, sizeof(wk));
	wk.p = &p;
	/* Labels sit in the order of the keyed steps. */
	for (i = 0, li = 0; i < p.n; i++)
		if (p.step[i].key != NULL)
			wk.v.tv_labels[li++].tl_name = p.step[i].label;
	wk.v.tv_nlabels = li;
	doc = xmalloc(len + 8);
	memcpy(doc, "<d>", 3);
	memcpy(doc + 3, data, len);
	memcpy(doc + 3 + len, "</d>", 4);
	ncx_init(&x, doc, len + 7);
	while ((ty = ncx_next(&x, &tok)) != NCX_EOF) {
		if (ty == NCX_ERR) {
			snprintf(err, errlen, "reply data is not well-formed "
			    "XML: %s", ncx_error(&x));
			goto out;
		}
		d = tok.depth < 0 ? 0 : (size_t)tok.depth;
		switch (ty) {
		case NCX_START:
		case NCX_EMPTY:
			if (wk.in_val) {
				wk.val_kids = 1;
				break;
			}
			/* A key child of the innermost matched keyed step. */
			if (m > 0 && d == m + 1 && p.step[m - 1].key != NULL &&
			    step_is(&tok, p.step[m - 1].key,
			    p.step[m - 1].keylen) && ty == NCX_START &&
			    !wk.have[m - 1]) {
				wk.in_key = 1;
				wk.klen = 0;
				for (i = 0, li = 0; i < m - 1; i++)
					if (p.step[i].key != NULL)
						li++;
				wk.v.tv_labels[li].tl_value[0] = '\0';
				break;
			}
			if (d != m + 1 || m >= p.n ||
			    !step_is(&tok, p.step[m].name, p.step[m].namelen))
				break;
			if (ty == NCX_EMPTY) {
				if (m + 1 == p.n) {
					/* <x/>: an empty value, no number. */
					snprintf(err, errlen, "<%.*s> is empty, "
					    "not a number", (int)tok.namelen,
					    tok.name);
					goto out;
				}
				break;
			}
			m++;
			wk.have[m - 1] = 0;
			if (m == p.n) {
				wk.in_val = 1;
				wk.val_kids = 0;
				wk.vlen = 0;
				wk.val[0] = '\0';
			}
			break;
		case NCX_TEXT:
		case NCX_CDATA:
			if (wk.in_val && d == m + 1)
				ncx_text_append(tok.text, tok.textlen,
				    ty == NCX_TEXT, wk.val, sizeof(wk.val),
				    &wk.vlen);
			else if (wk.in_key && d == m + 2) {
				for (i = 0, li = 0; i < m - 1; i++)
					if (p.step[i].key != NULL)
						li++;
				ncx_text_append(tok.text, tok.textlen,
				    ty == NCX_TEXT, wk.v.tv_labels[li].tl_value,
				    TM_LABEL_MAX, &wk.klen);
			}
			break;
		case NCX_END:
			if (wk.in_key && d == m + 1) {
				wk.in_key = 0;
				wk.have[m - 1] = 1;
				break;
			}
			if (d != m || m == 0)
				break;
			if (wk.in_val && m == p.n && !wk.val_kids) {
				wk.in_val = 0;
				if (labels_of(&wk, err, errlen) != 0)
					goto out;
				if (wk.vlen + 1 >= sizeof(wk.val) ||
				    tm_parse_number(wk.val, wk.vlen,
				    &wk.v.tv_value) != 0) {
					snprintf(err, errlen, "<%.*s> holds "
					    "\"%.40s\", not a number",
					    (int)tok.namelen, tok.name, wk.val);
					goto out;
				}
				if (p.nkeys == 0) {
					/* Held back: a second match is an error. */
					if (wk.n++ == 0) {
						m--;
						break;
					}
					snprintf(err, errlen, "element path "
					    "\"%.60s\" matches several elements;"
					    " name a list key, e.g. "
					    "interface[name]", t->path);
					goto out;
				}
				if (wk.n < TM_NC_MAX_MATCHES) {
					emit(arg, &wk.v);
					wk.n++;
				}
			} else if (wk.in_val) {
				snprintf(err, errlen, "<%.*s> has child "
				    "elements, not a number", (int)tok.namelen,
				    tok.name);
				goto out;
			}
			m--;
			break;
		default:
			break;
		}
	}
	if (wk.n == 0) {
		snprintf(err, errlen, "element path \"%.60s\" matches nothing "
		    "in %zu byte(s) of data", t->path, len);
		goto out;
	}
	if (p.nkeys == 0)
		emit(arg, &wk.v);
	rc = wk.n;
out:
	free(doc);
	return rc;
}

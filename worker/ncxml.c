/*
 * A strict XML scanner for NETCONF messages.  One pass, no allocation, no
 * recursion: the only state is the position and a bounded stack of open
 * element names, so a hostile message costs at most its own length.
 * Anything that is not well-formed is an error, with the byte offset.
 */
#include <stdio.h>
#include <string.h>

#include "ncxml.h"

static int
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static int
is_name(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.';
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* XML 1.0 Char: of the bytes below 0x20 only tab, newline and CR. */
static int
is_bad_ctl(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

static enum ncx_type
x_fail(struct ncx *x, size_t at, const char *why)
{
	if (x->err[0] == '\0')
		snprintf(x->err, sizeof(x->err), "%s at byte %zu", why, at);
	x->pos = x->len;
	return NCX_ERR;
}

void
ncx_init(struct ncx *x, const char *buf, size_t len)
{
	x->buf = buf;
	x->len = len;
	x->pos = 0;
	x->depth = 0;
	x->seen_root = 0;
	x->err[0] = '\0';
}

const char *
ncx_error(const struct ncx *x)
{
	return x->err;
}

/* Find needle at or after from; the offset of its first byte or -1. */
static long
x_find(const struct ncx *x, size_t from, const char *needle)
{
	size_t n = strlen(needle), i;

	if (x->len < n)
		return -1;
	for (i = from; i + n <= x->len; i++)
		if (memcmp(x->buf + i, needle, n) == 0)
			return (long)i;
	return -1;
}

/*
 * A reference at p (which is '&'), within n bytes: its length including
 * the ';' and its code point, or 0 if it is not a valid reference.
 */
static size_t
ref_parse(const char *p, size_t n, unsigned long *cp)
{
	static const struct {
		const char	*name;
		unsigned char	 c;
	} ents[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' },
		{ "apos;", '\'' }, { "quot;", '"' }
	};
	size_t i, k;
	unsigned long v = 0;
	int hex;

	if (n >= 2 && p[1] == '#') {
		hex = n >= 3 && p[2] == 'x';
		i = hex ? 3 : 2;
		for (k = i; k < n && k < i + 8; k++) {
			unsigned char c = (unsigned char)p[k];

			if (c >= '0' && c <= '9')
				v = v * (hex ? 16 : 10) + (c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				v = v * 16 + (c - 'a' + 10);
			else if (hex && c >= 'A' && c <= 'F')
				v = v * 16 + (c - 'A' + 10);
			else
				break;
		}
		if (k == i || k >= n || p[k] != ';' || v == 0 || v > 0x10FFFF ||
		    (v < 0x20 && v != '\t' && v != '\n' && v != '\r') ||
		    (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return k + 1;
	}
	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		size_t l = strlen(ents[i].name);

		if (n >= l + 1 && memcmp(p + 1, ents[i].name, l) == 0) {
			*cp = ents[i].c;
			return l + 1;
		}
	}
	return 0;
}

/* Character data or an attribute value: references and characters. */
static int
chars_ok(struct ncx *x, size_t from, size_t to, int in_attr)
{
	unsigned long cp;
	size_t i, l;

	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)x->buf[i];

		if (is_bad_ctl(c)) {
			x_fail(x, i, "control character in text");
			return -1;
		}
		if (in_attr && c == '<') {
			x_fail(x, i, "'<' in an attribute value");
			return -1;
		}
		if (c == '&') {
			if ((l = ref_parse(x->buf + i, to - i, &cp)) == 0) {
				x_fail(x, i, "bad reference (a bare '&')");
				return -1;
			}
			i += l - 1;
		}
	}
	return 0;
}

static size_t
name_end(const struct ncx *x, size_t i)
{
	if (i >= x->len || !is_name_start((unsigned char)x->buf[i]))
		return i;
	while (i < x->len && is_name((unsigned char)x->buf[i]))
		i++;
	return i;
}

static void
local_name(const char *q, size_t n, struct ncx_tok *t)
{
	const char *c = memchr(q, ':', n);

	if (c != NULL && (size_t)(c - q) + 1 < n) {
		t->name = c + 1;
		t->namelen = n - (size_t)(c - q) - 1;
	} else {
		t->name = q;
		t->namelen = n;
	}
}

/* Attributes from i up to '>' or "/>"; returns where that starts. */
static long
attrs_scan(struct ncx *x, size_t i)
{
	size_t ne;
	char q;
	const char *e;

	for (;;) {
		size_t ws = i;

		while (i < x->len && is_space((unsigned char)x->buf[i]))
			i++;
		if (i >= x->len) {
			x_fail(x, i, "unterminated start tag");
			return -1;
		}
		if (x->buf[i] == '>' || x->buf[i] == '/')
			return (long)i;
		if (i == ws) {
			x_fail(x, i, "attributes must be separated by space");
			return -1;
		}
		if ((ne = name_end(x, i)) == i) {
			x_fail(x, i, "bad attribute name");
			return -1;
		}
		i = ne;
		while (i < x->len && is_space((unsigned char)x->buf[i]))
			i++;
		if (i >= x->len || x->buf[i] != '=') {
			x_fail(x, i, "attribute without '='");
			return -1;
		}
		i++;
		while (i < x->len && is_space((unsigned char)x->buf[i]))
			i++;
		if (i >= x->len || (x->buf[i] != '"' && x->buf[i] != '\'')) {
			x_fail(x, i, "attribute value must be quoted");
			return -1;
		}
		q = x->buf[i++];
		if ((e = memchr(x->buf + i, q, x->len - i)) == NULL) {
			x_fail(x, i, "unterminated attribute value");
			return -1;
		}
		if (chars_ok(x, i, (size_t)(e - x->buf), 1) != 0)
			return -1;
		i = (size_t)(e - x->buf) + 1;
	}
}

static enum ncx_type
x_start(struct ncx *x, struct ncx_tok *t)
{
	size_t s = x->pos, ne, i;
	long a;

	ne = name_end(x, s + 1);
	if (ne == s + 1)
		return x_fail(x, s, "bad element name");
	if (x->seen_root && x->depth == 0)
		return x_fail(x, s, "a second root element");
	if ((a = attrs_scan(x, ne)) < 0)
		return NCX_ERR;
	i = (size_t)a;
	local_name(x->buf + s + 1, ne - s - 1, t);
	t->attrs = x->buf + ne;
	t->attrslen = i - ne;
	t->off = s;
	t->depth = x->depth;
	x->seen_root = 1;
	if (x->buf[i] == '/') {
		if (i + 1 >= x->len || x->buf[i + 1] != '>')
			return x_fail(x, i, "'/' not followed by '>'");
		t->end = x->pos = i + 2;
		return t->type = NCX_EMPTY;
	}
	if (x->depth >= NCX_MAX_DEPTH)
		return x_fail(x, s, "elements nested too deep");
	x->stack[x->depth].name = x->buf + s + 1;
	x->stack[x->depth].len = ne - s - 1;
	x->depth++;
	t->end = x->pos = i + 1;
	return t->type = NCX_START;
}

static enum ncx_type
x_end(struct ncx *x, struct ncx_tok *t)
{
	size_t s = x->pos, ne, i;

	ne = name_end(x, s + 2);
	if (ne == s + 2)
		return x_fail(x, s, "bad end tag");
	if (x->depth == 0)
		return x_fail(x, s, "end tag without a start tag");
	if (x->stack[x->depth - 1].len != ne - s - 2 ||
	    memcmp(x->stack[x->depth - 1].name, x->buf + s + 2, ne - s - 2)
	    != 0)
		return x_fail(x, s, "end tag does not match its start tag");
	i = ne;
	while (i < x->len && is_space((unsigned char)x->buf[i]))
		i++;
	if (i >= x->len || x->buf[i] != '>')
		return x_fail(x, i, "unterminated end tag");
	local_name(x->buf + s + 2, ne - s - 2, t);
	x->depth--;
	t->off = s;
	t->end = x->pos = i + 1;
	t->depth = x->depth;
	return t->type = NCX_END;
}

/* Skip <?...?> and <!--...-->; 1 if one was skipped, -1 on error. */
static int
x_misc(struct ncx *x)
{
	long e;

	if (x->len - x->pos >= 2 && memcmp(x->buf + x->pos, "<?", 2) == 0) {
		if ((e = x_find(x, x->pos + 2, "?>")) < 0) {
			x_fail(x, x->pos, "unterminated processing "
			    "instruction");
			return -1;
		}
		x->pos = (size_t)e + 2;
		return 1;
	}
	if (x->len - x->pos >= 4 && memcmp(x->buf + x->pos, "<!--", 4) == 0) {
		if ((e = x_find(x, x->pos + 4, "-->")) < 0) {
			x_fail(x, x->pos, "unterminated comment");
			return -1;
		}
		x->pos = (size_t)e + 3;
		return 1;
	}
	return 0;
}

enum ncx_type
ncx_next(struct ncx *x, struct ncx_tok *t)
{
	const char *lt;
	size_t s;
	long e;
	int m;

	memset(t, 0, sizeof(*t));
	if (x->err[0] != '\0')
		return t->type = NCX_ERR;
	for (;;) {
		if (x->pos >= x->len) {
			if (x->depth > 0 || !x->seen_root)
				return t->type = x_fail(x, x->pos, x->seen_root ?
				    "message ends inside an element" :
				    "no root element");
			return t->type = NCX_EOF;
		}
		s = x->pos;
		if (x->buf[s] != '<') {
			lt = memchr(x->buf + s, '<', x->len - s);
			e = lt != NULL ? lt - x->buf : (long)x->len;
			if (x->depth == 0) {
				/* Outside the root: white space only. */
				for (; s < (size_t)e; s++)
					if (!is_space((unsigned char)x->buf[s]))
						return t->type = x_fail(x, s,
						    "text outside the root "
						    "element");
				x->pos = (size_t)e;
				continue;
			}
			if (chars_ok(x, s, (size_t)e, 0) != 0)
				return t->type = NCX_ERR;
			t->text = x->buf + s;
			t->textlen = (size_t)e - s;
			t->off = s;
			t->end = x->pos = (size_t)e;
			t->depth = x->depth;
			return t->type = NCX_TEXT;
		}
		if ((m = x_misc(x)) < 0)
			return t->type = NCX_ERR;
		if (m > 0)
			continue;
		if (x->len - s >= 9 && memcmp(x->buf + s, "<![CDATA[", 9) == 0) {
			if (x->depth == 0)
				return t->type = x_fail(x, s, "CDATA outside "
				    "the root element");
			if ((e = x_find(x, s + 9, "]]>")) < 0)
				return t->type = x_fail(x, s, "unterminated "
				    "CDATA section");
			t->text = x->buf + s + 9;
			t->textlen = (size_t)e - s - 9;
			t->off = s;
			t->end = x->pos = (size_t)e + 3;
			t->depth = x->depth;
			return t->type = NCX_CDATA;
		}
		if (x->len - s >= 2 && x->buf[s + 1] == '!')
			return t->type = x_fail(x, s, "DOCTYPE and other "
			    "declarations are not allowed");
		if (x->len - s >= 2 && x->buf[s + 1] == '/')
			return t->type = x_end(x, t);
		if (x->seen_root && x->depth == 0)
			return t->type = x_fail(x, s, "a second root element");
		return t->type = x_start(x, t);
	}
}

int
ncx_is(const struct ncx_tok *t, const char *name)
{
	size_t n = strlen(name);

	return t->namelen == n && memcmp(t->name, name, n) == 0;
}

static void
put_utf8(unsigned long cp, char *out, size_t outlen, size_t *olen)
{
	char u[4];
	size_t n, i;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	/* A character that does not fit whole is left out. */
	if (*olen + n >= outlen)
		return;
	for (i = 0; i < n; i++)
		out[(*olen)++] = u[i];
	out[*olen] = '\0';
}

void
ncx_text_append(const char *raw, size_t len, int decode, char *out,
    size_t outlen, size_t *olen)
{
	unsigned long cp;
	size_t i, l;

	if (outlen == 0)
		return;
	for (i = 0; i < len && *olen + 1 < outlen; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (decode && c == '&' &&
		    (l = ref_parse(raw + i, len - i, &cp)) != 0) {
			put_utf8(cp < 0x20 ? ' ' : cp, out, outlen, olen);
			i += l - 1;
			continue;
		}
		out[(*olen)++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[*olen] = '\0';
}

int
ncx_attr(const struct ncx_tok *t, const char *name, char *out, size_t outlen)
{
	const char *p = t->attrs, *end = t->attrs + t->attrslen, *n, *v, *c;
	size_t nl, olen = 0;
	char q;

	if (p == NULL)
		return -1;
	/* The scanner checked the syntax: only walk it. */
	while (p < end) {
		while (p < end && is_space((unsigned char)*p))
			p++;
		if (p >= end)
			break;
		n = p;
		while (p < end && is_name((unsigned char)*p))
			p++;
		nl = (size_t)(p - n);
		while (p < end && *p != '"' && *p != '\'')
			p++;
		if (p >= end)
			break;
		q = *p++;
		v = p;
		while (p < end && *p != q)
			p++;
		if (p >= end)
			break;
		/* xmlns:p="..." declares a prefix; it is no attribute. */
		c = memchr(n, ':', nl);
		if (c != NULL) {
			if (c - n == 5 && memcmp(n, "xmlns", 5) == 0) {
				p++;
				continue;
			}
			nl -= (size_t)(c - n) + 1;
			n = c + 1;
		}
		if (nl == strlen(name) && memcmp(n, name, nl) == 0) {
			if (outlen > 0)
				out[0] = '\0';
			ncx_text_append(v, (size_t)(p - v), 1, out, outlen,
			    &olen);
			return 0;
		}
		p++;
	}
	return -1;
}

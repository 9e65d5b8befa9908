/*
 * A strict JSON scanner for telemetry: walks a device's answer to the
 * value a JSON pointer names, checking every byte it passes (RFC 8259
 * grammar, well-formed UTF-8, no lone surrogate escapes), and turns that
 * value into a number.  Devices are not trusted: every read is checked
 * against the end of the buffer, nesting is bounded, and whatever is not
 * exactly a number is an error, never a silent zero.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tm_json.h"

/* Long enough for any uint64 or double as devices print them. */
#define NUM_MAX		64

struct js {
	const char	*p, *end;
	int		 depth;
	char		*err;
	size_t		 errlen;
};

static int	skip_value(struct js *);

static int
js_fail(struct js *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
js_fail(struct js *s, const char *fmt, ...)
{
	va_list ap;

	if (s->err != NULL && s->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void
ws(struct js *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
peek(const struct js *s)
{
	return s->p < s->end ? (unsigned char)*s->p : -1;
}

static int
hex4(const char *p, unsigned *u)
{
	int i, c;

	*u = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		*u <<= 4;
		if (c >= '0' && c <= '9')
			*u |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*u |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*u |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629), 0 if none. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;		/* past U+10FFFF */
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static size_t
utf8_put(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Inside a string: the next character, decoded to UTF-8 in o[0..4).
 * Returns its length, 0 at the closing quote (consumed), -1 on an error.
 * *esc is set when the character came from an escape.
 */
static int
str_next(struct js *s, char o[4], int *esc)
{
	const unsigned char *p = (const unsigned char *)s->p;
	const unsigned char *end = (const unsigned char *)s->end;
	unsigned cp, lo;
	size_t n;

	*esc = 0;
	if (p >= end)
		return js_fail(s, "unterminated string (truncated?)");
	if (*p == '"') {
		s->p++;
		return 0;
	}
	if (*p < 0x20)
		return js_fail(s, "control character in a string");
	if (*p != '\\') {
		if ((n = utf8_len(p, end)) == 0)
			return js_fail(s, "bad UTF-8 in a string");
		memcpy(o, p, n);
		s->p += n;
		return (int)n;
	}
	*esc = 1;
	if (end - p < 2)
		return js_fail(s, "unterminated escape (truncated?)");
	switch (p[1]) {
	case '"': case '\\': case '/':
		o[0] = (char)p[1];
		break;
	case 'b': o[0] = '\b'; break;
	case 'f': o[0] = '\f'; break;
	case 'n': o[0] = '\n'; break;
	case 'r': o[0] = '\r'; break;
	case 't': o[0] = '\t'; break;
	case 'u':
		if (end - p < 6 || hex4((const char *)p + 2, &cp) != 0)
			return js_fail(s, "bad \\u escape");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return js_fail(s, "lone low surrogate escape");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
			    hex4((const char *)p + 8, &lo) != 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return js_fail(s, "lone high surrogate escape");
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			s->p += 12;
		} else
			s->p += 6;
		return (int)utf8_put(cp, o);
	default:
		return js_fail(s, "bad escape \\%c", p[1] >= 0x20 &&
		    p[1] < 0x7f ? p[1] : '?');
	}
	s->p += 2;
	return 1;
}

static int
skip_string(struct js *s)
{
	char o[4];
	int n, esc;

	s->p++;		/* the opening quote */
	while ((n = str_next(s, o, &esc)) > 0)
		;
	return n;
}

/* A number by RFC 8259's grammar at s->p; its text is [*start, s->p). */
static int
scan_number(struct js *s)
{
	const char *p = s->p, *end = s->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return js_fail(s, "bad number");
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return js_fail(s, "bad number: no digit after '.'");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return js_fail(s, "bad number: no digit in exponent");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	return 0;
}

static int
skip_literal(struct js *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return js_fail(s, "bad literal (expected %s)", lit);
	s->p += n;
	return 0;
}

static int
enter(struct js *s)
{
	if (++s->depth > TM_JSON_MAX_DEPTH)
		return js_fail(s, "nested deeper than %d levels",
		    TM_JSON_MAX_DEPTH);
	s->p++;
	return 0;
}

/* After a member or element: ',' (1) or the closing bracket (0). */
static int
next_item(struct js *s, char close)
{
	ws(s);
	if (peek(s) == ',') {
		s->p++;
		return 1;
	}
	if (peek(s) == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	return js_fail(s, "expected ',' or '%c'%s", close, s->p >= s->end ?
	    " (truncated?)" : "");
}

/* Past the key: ws ':' ws. */
static int
colon(struct js *s)
{
	ws(s);
	if (peek(s) != ':')
		return js_fail(s, "expected ':' after a member name");
	s->p++;
	return 0;
}

static int
skip_object(struct js *s)
{
	int r;

	if (enter(s) != 0)
		return -1;
	ws(s);
	if (peek(s) == '}') {
		s->p++;
		s->depth--;
		return 0;
	}
	do {
		ws(s);
		if (peek(s) != '"')
			return js_fail(s, "expected a member name");
		if (skip_string(s) != 0 || colon(s) != 0 || skip_value(s) != 0)
			return -1;
	} while ((r = next_item(s, '}')) == 1);
	return r;
}

static int
skip_array(struct js *s)
{
	int r;

	if (enter(s) != 0)
		return -1;
	ws(s);
	if (peek(s) == ']') {
		s->p++;
		s->depth--;
		return 0;
	}
	do {
		if (skip_value(s) != 0)
			return -1;
	} while ((r = next_item(s, ']')) == 1);
	return r;
}

static int
skip_value(struct js *s)
{
	ws(s);
	switch (peek(s)) {
	case '{':
		return skip_object(s);
	case '[':
		return skip_array(s);
	case '"':
		return skip_string(s);
	case 't':
		return skip_literal(s, "true");
	case 'f':
		return skip_literal(s, "false");
	case 'n':
		return skip_literal(s, "null");
	case -1:
		return js_fail(s, "a value is missing (truncated?)");
	default:
		if (peek(s) == '-' || (peek(s) >= '0' && peek(s) <= '9'))
			return scan_number(s);
		return js_fail(s, "unexpected byte 0x%02x", peek(s));
	}
}

int
tm_json_check(const char *doc, size_t len, char *err, size_t errlen)
{
	struct js s = { doc, doc + len, 0, err, errlen };
	char r[96];

	if (skip_value(&s) == 0) {
		ws(&s);
		if (s.p == s.end)
			return 0;
		js_fail(&s, "data after the JSON value");
	}
	/* Say where, keeping the scanner's reason. */
	if (err != NULL && errlen > 0) {
		snprintf(r, sizeof(r), "%s", err);
		snprintf(err, errlen, "not JSON: %s (byte %zu of %zu)", r,
		    (size_t)(s.p - doc), len);
	}
	return -1;
}

/*
 * The reference token at *pp (after its '/'), with ~1 and ~0 decoded, into
 * tok; *pp moves to the next '/' or the end.
 */
static int
ptr_token(const char **pp, char *tok, size_t *len)
{
	const char *p = *pp;
	size_t n = 0;

	for (; *p != '\0' && *p != '/'; p++) {
		char c = *p;

		if (c == '~') {
			if (p[1] == '0')
				c = '~';
			else if (p[1] == '1')
				c = '/';
			else
				return -1;
			p++;
		}
		if (n >= TM_JSON_TOKEN_MAX)
			return -1;
		tok[n++] = c;
	}
	*pp = p;
	*len = n;
	return 0;
}

/* Is the member name at s->p (its opening quote) equal to tok? */
static int
key_equal(struct js *s, const char *tok, size_t tlen, int *eq)
{
	char o[4];
	size_t off = 0;
	int n, esc, same = 1;

	s->p++;
	while ((n = str_next(s, o, &esc)) > 0) {
		if (same && (off + (size_t)n > tlen ||
		    memcmp(tok + off, o, (size_t)n) != 0))
			same = 0;
		off += (size_t)n;
	}
	if (n < 0)
		return -1;
	*eq = same && off == tlen;
	return 0;
}

/* An array index token: "0" or digits without a leading zero. */
static int
index_of(const char *tok, size_t n, size_t *ix)
{
	size_t i;

	if (n == 0 || (tok[0] == '0' && n > 1))
		return -1;
	*ix = 0;
	for (i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9' || *ix > 100000000)
			return -1;
		*ix = *ix * 10 + (size_t)(tok[i] - '0');
	}
	return 0;
}

/* One step down: s->p from the container to the member tok names. */
static int
descend(struct js *s, const char *tok, size_t tlen)
{
	size_t ix, i;
	int eq, r;

	if (peek(s) == '{') {
		if (enter(s) != 0)
			return -1;
		ws(s);
		if (peek(s) == '}')
			return js_fail(s, "no member \"%.*s\"", (int)(tlen > 40 ?
			    40 : tlen), tok);
		do {
			ws(s);
			if (peek(s) != '"')
				return js_fail(s, "expected a member name");
			if (key_equal(s, tok, tlen, &eq) != 0 ||
			    colon(s) != 0)
				return -1;
			if (eq) {
				ws(s);
				return 0;
			}
			if (skip_value(s) != 0)
				return -1;
		} while ((r = next_item(s, '}')) == 1);
		if (r < 0)
			return -1;
		return js_fail(s, "no member \"%.*s\"", (int)(tlen > 40 ? 40 :
		    tlen), tok);
	}
	if (peek(s) == '[') {
		if (index_of(tok, tlen, &ix) != 0)
			return js_fail(s, "\"%.*s\" is not an array index",
			    (int)(tlen > 40 ? 40 : tlen), tok);
		if (enter(s) != 0)
			return -1;
		ws(s);
		if (peek(s) == ']')
			return js_fail(s, "index %zu past the array's end", ix);
		for (i = 0; ; i++) {
			ws(s);
			if (i == ix)
				return 0;
			if (skip_value(s) != 0)
				return -1;
			if ((r = next_item(s, ']')) < 0)
				return -1;
			if (r == 0)
				return js_fail(s, "index %zu past the array's "
				    "end (%zu elements)", ix, i + 1);
		}
	}
	return js_fail(s, "\"%.*s\": not inside an object or array",
	    (int)(tlen > 40 ? 40 : tlen), tok);
}

/* strtod on a checked JSON number text; out of double's range fails. */
static int
to_double(struct js *s, const char *t, size_t n, double *v)
{
	char buf[NUM_MAX];
	char *end;

	if (n >= sizeof(buf))
		return js_fail(s, "number of %zu characters is too long", n);
	memcpy(buf, t, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	if (end != buf + n)
		return js_fail(s, "bad number");
	if (errno == ERANGE && isinf(*v))
		return js_fail(s, "number %s is out of range", buf);
	return 0;
}

/* The value at s->p as a number: a number, or a string holding one. */
static int
value_number(struct js *s, double *v)
{
	char buf[NUM_MAX], o[4];
	const char *t = s->p;
	size_t n = 0;
	int r, esc, c = peek(s);
	struct js sub;

	if (c == '-' || (c >= '0' && c <= '9')) {
		if (scan_number(s) != 0)
			return -1;
		return to_double(s, t, (size_t)(s->p - t), v);
	}
	if (c != '"')
		return js_fail(s, "the value is %s, not a number", c == '{' ?
		    "an object" : c == '[' ? "an array" : c == 't' || c == 'f' ?
		    "a boolean" : c == 'n' ? "null" : "not a JSON value");
	s->p++;
	while ((r = str_next(s, o, &esc)) > 0) {
		if (esc || n + (size_t)r >= sizeof(buf))
			return js_fail(s, "the value is a string, not a "
			    "number");
		memcpy(buf + n, o, (size_t)r);
		n += (size_t)r;
	}
	if (r < 0)
		return -1;
	/* The whole string must be one JSON number. */
	sub.p = buf;
	sub.end = buf + n;
	sub.depth = 0;
	sub.err = NULL;
	sub.errlen = 0;
	if (n == 0 || scan_number(&sub) != 0 || sub.p != sub.end)
		return js_fail(s, "the value is a string, not a number: "
		    "\"%.*s\"", (int)(n > 40 ? 40 : n), buf);
	return to_double(s, buf, n, v);
}

int
tm_json_number(const char *doc, size_t len, const char *ptr, double *v,
    char *err, size_t errlen)
{
	struct js s = { doc, doc + len, 0, err, errlen };
	char tok[TM_JSON_TOKEN_MAX];
	const char *p = ptr;
	size_t tlen;

	if (*p != '\0' && *p != '/') {
		js_fail(&s, "pointer \"%.60s\" does not start with '/'", ptr);
		return -1;
	}
	ws(&s);
	while (*p == '/') {
		p++;
		if (ptr_token(&p, tok, &tlen) != 0) {
			js_fail(&s, "bad pointer \"%.60s\" (~ not followed by "
			    "0 or 1, or a token too long)", ptr);
			return -1;
		}
		if (descend(&s, tok, tlen) != 0)
			goto fail;
	}
	if (value_number(&s, v) != 0)
		goto fail;
	return 0;
fail:
	/* The scanner's reason, with the pointer it failed on. */
	if (err != NULL && errlen > 0) {
		char r[128];

		snprintf(r, sizeof(r), "%s", err);
		snprintf(err, errlen, "%.60s: %s", ptr, r);
	}
	return -1;
}

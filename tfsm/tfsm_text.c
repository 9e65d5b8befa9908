/*
 * Text as textfsm sees it: bytes decoded as UTF-8 with errors="replace"
 * (a device may send anything; Latin-1 banners are common), then split
 * with Python's str.splitlines(), which ends a line at more than \n.
 * Also the module's growable buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_int.h"
#include "xmem.h"

void
tfsm_buf_add(struct tfsm_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap * 2 + 64;
		b->b = xreallocarray(b->b, b->cap, 1);
	}
	memcpy(b->b + b->len, p, n);
	b->len += n;
	b->b[b->len] = '\0';
}

void
tfsm_buf_addc(struct tfsm_buf *b, char c)
{
	tfsm_buf_add(b, &c, 1);
}

void
tfsm_buf_adds(struct tfsm_buf *b, const char *s)
{
	tfsm_buf_add(b, s, strlen(s));
}

void
tfsm_buf_printf(struct tfsm_buf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[128];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		tfsm_buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/* Length of the valid sequence at s (1-4), or 0 with *bad set to the
 * bytes of the maximal invalid subpart (Unicode's "best practice", which
 * is what Python's decoder replaces with one U+FFFD). */
static size_t
utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		*bad = 1;
		return 0;
	}
	for (k = 1; k < len; k++) {
		if (k >= n || s[k] < (k == 1 ? lo : 0x80) ||
		    s[k] > (k == 1 ? hi : 0xbf)) {
			*bad = k;
			return 0;
		}
	}
	return len;
}

void
tfsm_utf8_sanitise(const char *s, size_t n, struct tfsm_buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l, bad, run = 0;

	while (i < n) {
		if ((l = utf8_seq(u + i, n - i, &bad)) > 0) {
			i += l;
			run += l;
			continue;
		}
		tfsm_buf_add(out, s + i - run, run);
		tfsm_buf_add(out, "\xef\xbf\xbd", 3);
		run = 0;
		i += bad;
	}
	tfsm_buf_add(out, s + i - run, run);
}

size_t
tfsm_utf8_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, l, bad;

	while (i < n && (l = utf8_seq(u + i, n - i, &bad)) > 0)
		i += l;
	return i;
}

int
tfsm_utf8_valid(const char *s, size_t n)
{
	return tfsm_utf8_prefix(s, n) == n;
}

/* Bytes of a line break at t[i] (0 if none): \n \r \r\n \v \f \x1c-\x1e
 * U+0085 U+2028 U+2029, as str.splitlines(). */
static size_t
linebreak(const unsigned char *t, size_t n, size_t i)
{
	unsigned char c = t[i];

	if (c == '\r')
		return i + 1 < n && t[i + 1] == '\n' ? 2 : 1;
	if (c == '\n' || c == 0x0b || c == 0x0c || (c >= 0x1c && c <= 0x1e))
		return 1;
	if (c == 0xc2 && i + 1 < n && t[i + 1] == 0x85)
		return 2;
	if (c == 0xe2 && i + 2 < n && t[i + 1] == 0x80 && (t[i + 2] == 0xa8 ||
	    t[i + 2] == 0xa9))
		return 3;
	return 0;
}

void
tfsm_lines_split(const char *text, size_t len, struct tfsm_lines *l)
{
	struct tfsm_buf b = { NULL, 0, 0 };
	const unsigned char *t;
	size_t i, start = 0, br, cap = 0;

	memset(l, 0, sizeof(*l));
	tfsm_utf8_sanitise(text, len, &b);
	tfsm_buf_add(&b, "", 0);
	l->l_text = b.b;
	t = (const unsigned char *)b.b;
	for (i = 0; i < b.len; ) {
		if ((br = linebreak(t, b.len, i)) == 0) {
			i++;
			continue;
		}
		if (l->l_n == cap) {
			cap = cap * 2 + 64;
			l->l_off = xreallocarray(l->l_off, cap, sizeof(size_t));
			l->l_len = xreallocarray(l->l_len, cap, sizeof(size_t));
		}
		l->l_off[l->l_n] = start;
		l->l_len[l->l_n++] = i - start;
		i += br;
		start = i;
	}
	if (start < b.len) {
		if (l->l_n == cap) {
			cap++;
			l->l_off = xreallocarray(l->l_off, cap, sizeof(size_t));
			l->l_len = xreallocarray(l->l_len, cap, sizeof(size_t));
		}
		l->l_off[l->l_n] = start;
		l->l_len[l->l_n++] = b.len - start;
	}
}

void
tfsm_lines_free(struct tfsm_lines *l)
{
	free(l->l_text);
	free(l->l_off);
	free(l->l_len);
	memset(l, 0, sizeof(*l));
}

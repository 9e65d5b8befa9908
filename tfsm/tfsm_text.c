/*
 * Text as textfsm sees it: bytes decoded as UTF-8 with errors="replace"
 * (a device may send anything; Latin-1 banners are common), then split
 * with Python's str.splitlines(), which ends a line at more than \n.
 * Also the module's growable buffer.
 */
#include <stdarg.h>
#include <stdint.h>
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
		/* Most device output is ASCII: eight bytes at a time. */
		while (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, u + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
			run += 8;
		}
		if (i >= n)
			break;
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

/* Bytes that may start a line break (str.splitlines()): \n \r \v \f
 * \x1c-\x1e, and the lead bytes of U+0085 (c2 85) and U+2028/9 (e2 80 a8). */
static const unsigned char brk_lead[256] = {
	['\n'] = 1, ['\r'] = 1, [0x0b] = 1, [0x0c] = 1, [0x1c] = 1,
	[0x1d] = 1, [0x1e] = 1, [0xc2] = 1, [0xe2] = 1,
};

/* Bytes of a line break at t[i] (0 if none). */
static size_t
linebreak(const unsigned char *t, size_t n, size_t i)
{
	unsigned char c = t[i];

	if (c == '\r')
		return i + 1 < n && t[i + 1] == '\n' ? 2 : 1;
	if (c == 0xc2)
		return i + 1 < n && t[i + 1] == 0x85 ? 2 : 0;
	if (c == 0xe2)
		return i + 2 < n && t[i + 1] == 0x80 && (t[i + 2] == 0xa8 ||
		    t[i + 2] == 0xa9) ? 3 : 0;
	return 1;
}

int
tfsm_line_next(const char *text, size_t len, size_t *pos, size_t *start,
    size_t *llen)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = *pos, br;

	if (i >= len)
		return 0;
	*start = i;
	for (; i < len; i++)
		if (brk_lead[t[i]] && (br = linebreak(t, len, i)) > 0) {
			*llen = i - *start;
			*pos = i + br;
			return 1;
		}
	*llen = len - *start;
	*pos = len;
	return 1;
}

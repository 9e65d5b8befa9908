/*
 * Escaping for every place device-controlled text leaves naut: the
 * terminal (progress, summary, text logs, naut-stat), JSON (logs,
 * results.jsonl) and Prometheus labels.  One UTF-8 decoder decides what
 * is text; everything else is shown as an escape.
 */
#include <string.h>

#include "esc.h"

static const char hex[] = "0123456789abcdef";

size_t
esc_utf8(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		/* A NUL ends the string and is no continuation byte. */
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are invalid. */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

int
esc_cp_printable(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return 0;			/* C0, DEL */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;			/* C1: CSI, OSC, ... */
	if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a &&
	    cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;			/* zero-width, bidi controls */
	if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
		return 0;			/* line breaks, BOM */
	return 1;
}

size_t
esc_term(char *dst, size_t dsz, const char *src)
{
	size_t n = 0, l, el;
	uint32_t cp;
	char e[16];

	if (dsz == 0)
		return 0;
	while (*src != '\0') {
		l = esc_utf8(src, &cp);
		if (l > 0 && esc_cp_printable(cp)) {
			memcpy(e, src, l);
			el = l;
		} else if (l == 0 || cp < 0x80) {
			unsigned char c = (unsigned char)*src;

			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 0xf];
			el = 4;
			l = 1;
		} else
			el = (size_t)snprintf(e, sizeof(e), "\\u{%04x}",
			    (unsigned)cp);
		if (n + el >= dsz)
			break;
		memcpy(dst + n, e, el);
		n += el;
		src += l;
	}
	dst[n] = '\0';
	return n;
}

void
esc_term_fputs(const char *src, FILE *fp)
{
	char buf[256];
	size_t l;

	/* Whole characters at a time, so an escape is never split. */
	while (*src != '\0') {
		uint32_t cp;
		char one[5];

		l = esc_utf8(src, &cp);
		if (l == 0)
			l = 1;
		memcpy(one, src, l);
		one[l] = '\0';
		esc_term(buf, sizeof(buf), one);
		fputs(buf, fp);
		src += l;
	}
}

size_t
esc_json(char *dst, size_t dsz, const char *src)
{
	size_t n = 0, l, el;
	uint32_t cp;
	char e[16];

	if (dsz == 0)
		return 0;
	while (*src != '\0') {
		l = esc_utf8(src, &cp);
		if (l == 0) {
			memcpy(e, "\\ufffd", 6);
			el = 6;
			l = 1;
		} else if (cp == '"' || cp == '\\') {
			e[0] = '\\';
			e[1] = (char)cp;
			el = 2;
		} else if (cp == '\n') {
			memcpy(e, "\\n", 2);
			el = 2;
		} else if (cp == '\t') {
			memcpy(e, "\\t", 2);
			el = 2;
		} else if (!esc_cp_printable(cp))
			el = (size_t)snprintf(e, sizeof(e), "\\u%04x",
			    (unsigned)cp);
		else {
			memcpy(e, src, l);
			el = l;
		}
		if (n + el >= dsz)
			break;
		memcpy(dst + n, e, el);
		n += el;
		src += l;
	}
	dst[n] = '\0';
	return n;
}

void
esc_prom_label(const char *src, FILE *fp)
{
	uint32_t cp;
	size_t l;

	while (*src != '\0') {
		l = esc_utf8(src, &cp);
		if (l == 0) {
			fputs("\xef\xbf\xbd", fp);
			l = 1;
		} else if (cp == '\\' || cp == '"')
			fprintf(fp, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", fp);
		else if (!esc_cp_printable(cp))
			fputs("\xef\xbf\xbd", fp);
		else
			fwrite(src, 1, l, fp);
		src += l;
	}
}

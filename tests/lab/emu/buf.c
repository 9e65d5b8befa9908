/*
 * The bounded text buffers that commands write their output into.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emu.h"
#include "xmem.h"

void
buf_put(struct buf *b, const char *p, size_t n)
{
	if (n > BUF_MAX - b->b_len)
		n = BUF_MAX - b->b_len;
	if (b->b_len + n + 1 > b->b_cap) {
		size_t cap = b->b_cap ? b->b_cap : 4096;

		while (cap < b->b_len + n + 1)
			cap *= 2;
		b->b_p = xreallocarray(b->b_p, cap, 1);
		b->b_cap = cap;
	}
	memcpy(b->b_p + b->b_len, p, n);
	b->b_len += n;
	b->b_p[b->b_len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/*
 * Output of the emulator: bytes to the client through one buffer (flushed
 * before every pause, so timing misbehaviours are exact), and the bounded
 * text buffers that commands write their output into.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"
#include "xmem.h"

static char	obuf[16384];
static size_t	olen;

void
out_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < olen) {
		n = write(STDOUT_FILENO, obuf + off, olen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);	/* the client is gone */
		off += (size_t)n;
	}
	olen = 0;
}

void
out_put(const void *p, size_t n)
{
	const char *c = p;
	size_t k;

	while (n > 0) {
		if (olen == sizeof(obuf))
			out_flush();
		k = sizeof(obuf) - olen < n ? sizeof(obuf) - olen : n;
		memcpy(obuf + olen, c, k);
		olen += k;
		c += k;
		n -= k;
	}
}

void
out_str(const char *s)
{
	out_put(s, strlen(s));
}

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

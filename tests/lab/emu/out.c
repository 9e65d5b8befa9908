/*
 * Output of the emulator: bytes to the client through one buffer (flushed
 * before every pause, so timing misbehaviours are exact).  The simulator
 * (tests/lab/simd) has its own out_* that queue to an SSH channel.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"

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

/* Error text (stderr): after what stdout has so far, as a shell would. */
void
out_err(const void *p, size_t n)
{
	out_flush();
	(void)!write(STDERR_FILENO, p, n);
}

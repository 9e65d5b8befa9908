/*
 * fuzz_esc: whatever bytes a device sends, what esc.c makes of them for
 * a terminal, JSON or a Prometheus label is valid UTF-8 with no control
 * character, escape, C1 control or bidi override left, and fits its
 * buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
inert(const char *s, size_t len)
{
	const char *end = s + len;
	uint32_t cp;
	size_t l;

	while (s < end) {
		l = esc_utf8(s, &cp);
		if (l == 0 || !esc_cp_printable(cp))
			abort();
		s += l;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, out[512], *p = NULL;
	size_t n, plen = 0;
	FILE *fp;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	n = esc_term(out, sizeof(out), in);
	if (n != strlen(out) || n >= sizeof(out))
		abort();
	inert(out, n);
	n = esc_json(out, sizeof(out), in);
	if (n != strlen(out))
		abort();
	inert(out, n);
	if ((fp = open_memstream(&p, &plen)) != NULL) {
		esc_prom_label(in, fp);
		fclose(fp);
		/* Newlines are escaped; what is left must be inert. */
		inert(p, plen);
		free(p);
	}
	free(in);
	return 0;
}

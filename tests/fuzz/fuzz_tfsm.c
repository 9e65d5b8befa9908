/*
 * fuzz_tfsm: a template and an input (split at the first NUL byte) through
 * the template parser, the Python-re translator, PCRE2 and the engine.
 * Either the template is rejected with a "file:line: " message, or the
 * parse ends (rows or a failure with a message) within its limits, and
 * the JSON it writes is well formed as far as brackets go.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nul = memchr(s, '\0', size);
	size_t tlen = nul != NULL ? (size_t)(nul - s) : size;
	struct tfsm_limits lim = { 20000, 1000, 4096, 1 << 20, 10000 };
	struct tfsm_tpl *t;
	struct tfsm_res *r;
	enum tfsm_fail why;
	char err[512], *out = NULL;
	size_t len = 0;
	FILE *fp;

	err[0] = '\0';
	if ((t = tfsm_compile(s, tlen, "f.tpl", err, sizeof(err))) == NULL) {
		if (strncmp(err, "f.tpl:", 6) != 0)
			abort();
		return 0;
	}
	r = tfsm_parse(t, nul != NULL ? nul + 1 : "", nul != NULL ? size -
	    tlen - 1 : 0, &lim, &why, err, sizeof(err));
	if (r == NULL) {
		if (why == TFSM_OK || strncmp(err, "f.tpl:", 6) != 0)
			abort();
	} else {
		if ((fp = open_memstream(&out, &len)) == NULL)
			abort();
		if (tfsm_json(t, r, fp) != 0)
			abort();
		fclose(fp);
		if (len < 3 || out[0] != '[' || out[len - 2] != ']')
			abort();
		free(out);
		tfsm_res_free(r);
	}
	tfsm_free(t);
	return 0;
}

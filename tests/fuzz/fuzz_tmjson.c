/*
 * fuzz_tmjson: the telemetry JSON scanner over arbitrary bytes.  The
 * input's first line is a JSON pointer, the rest the document: the whole
 * check, then the pointer walk, which must stay in bounds whether or not
 * the check passed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tm_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 512 ? size : 512);
	size_t plen = nl != NULL ? (size_t)(nl - data) : 0;
	char ptr[513], err[160];
	const char *doc;
	size_t dlen;
	double v;

	memcpy(ptr, data, plen);
	ptr[plen] = '\0';
	/* The document in a buffer of its own size, so ASan sees overreads. */
	dlen = nl != NULL ? size - plen - 1 : size;
	doc = (const char *)(nl != NULL ? nl + 1 : data);
	{
		char *copy = malloc(dlen > 0 ? dlen : 1);

		if (copy == NULL)
			return 0;
		memcpy(copy, doc, dlen);
		(void)tm_json_check(copy, dlen, err, sizeof(err));
		(void)tm_json_number(copy, dlen, ptr, &v, err, sizeof(err));
		free(copy);
	}
	return 0;
}

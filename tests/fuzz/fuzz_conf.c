/*
 * fuzz_conf: bytes as a fleet file.  The loader must refuse or accept
 * every input without crashing, leaking or running away (nesting, alias
 * bombs and the size cap are its own limits).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c;

	c = conf_load_buffer("fuzz.yaml", (const char *)data, size, NULL);
	if (c != NULL) {
		/* A loaded fleet must print, as -T would. */
		FILE *fp = fopen("/dev/null", "w");

		if (fp != NULL) {
			conf_print(c, fp);
			conf_summary(c, fp);
			fclose(fp);
		}
		conf_free(c);
	}
	return 0;
}

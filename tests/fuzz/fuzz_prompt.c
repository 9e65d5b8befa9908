/*
 * fuzz_prompt: a device's byte stream, in arbitrary chunkings, through
 * the CLI collector (prompt, pager, echo, CR/backspace handling) with the
 * IOS and Junos patterns, and then through scrubbing.
 */
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "prompt.h"
#include "scrub.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static regex_t	re_prompt, re_more, re_scrub[3];
static int	ready;

static void
setup(void)
{
	regcomp(&re_prompt, "^[A-Za-z0-9._/:-]{1,64}(\\([A-Za-z0-9_-]{1,32}"
	    "\\))?[>#] ?$", REG_EXTENDED | REG_NEWLINE);
	regcomp(&re_more, "--More--|---\\(more( [0-9]+%)?\\)---",
	    REG_EXTENDED | REG_NEWLINE);
	regcomp(&re_scrub[0], "^ *enable (secret|password)( [0-9]+)? ([^ ]+)",
	    REG_EXTENDED | REG_NEWLINE);
	regcomp(&re_scrub[1], "(\\$9\\$[^\";]+)", REG_EXTENDED | REG_NEWLINE);
	regcomp(&re_scrub[2], "^ *snmp-server community ([^ ]+)",
	    REG_EXTENDED | REG_NEWLINE);
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prompt p;
	size_t off = 0, len, olen;
	const char *out;
	char *clean;

	if (!ready)
		setup();
	prompt_init(&p, &re_prompt, &re_more, 64 * 1024);
	prompt_begin(&p, NULL);
	/* The first byte of each step picks the chunk size. */
	while (off < size) {
		size_t n = 1 + data[off] % 64;

		off++;
		if (n > size - off)
			n = size - off;
		switch (prompt_feed(&p, (const char *)data + off, n)) {
		case PROMPT_DONE:
			prompt_begin(&p, "show run");
			break;
		case PROMPT_TOOBIG:
			prompt_begin(&p, NULL);
			break;
		default:
			break;
		}
		off += n;
	}
	out = prompt_output(&p, &len);
	scrub_text(re_scrub, 3, out, len, &clean, &olen);
	free(clean);
	prompt_free(&p);
	return 0;
}

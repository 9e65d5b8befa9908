/*
 * fuzz_ncxml: the NETCONF XML scanner and the hello / rpc-reply readers
 * over arbitrary bytes, held in an exactly sized buffer so that any read
 * past the message is caught.  A reply's <data> must lie inside it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ncxml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ncx_hello h;
	struct ncx_reply r;
	struct ncx x;
	struct ncx_tok t;
	enum ncx_type ty;
	char err[128], v[8], *p;

	if ((p = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(p, data, size);
	(void)ncx_hello(p, size, &h, err, sizeof(err));
	if (ncx_reply(p, size, &r, err, sizeof(err)) == NCX_MSG_REPLY &&
	    r.has_data && r.data_off + r.data_len > size)
		abort();
	ncx_init(&x, p, size);
	do {
		ty = ncx_next(&x, &t);
		if (ty == NCX_START || ty == NCX_EMPTY)
			(void)ncx_attr(&t, "message-id", v, sizeof(v));
	} while (ty != NCX_ERR && ty != NCX_EOF);
	free(p);
	return 0;
}

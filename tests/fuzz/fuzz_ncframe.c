/*
 * fuzz_ncframe: NETCONF framing of both versions over arbitrary bytes in
 * arbitrary chunkings, with a small message cap.
 */
#include <stddef.h>
#include <stdint.h>

#include "ncframe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ncf f;
	size_t off, used, len;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0] & 1;
	ncf_init(&f, mode ? NCF_CHUNKED : NCF_EOM, 4096);
	off = 1;
	while (off < size) {
		size_t n = 1 + data[off - 1] % 97;
		enum ncf_ev ev;

		if (n > size - off)
			n = size - off;
		ev = ncf_feed(&f, (const char *)data + off, n, &used);
		if (ev == NCF_ERR || ev == NCF_TOOBIG)
			break;
		if (ev == NCF_MSG)
			(void)ncf_msg(&f, &len);
		off += used > 0 ? used : n;
	}
	ncf_free(&f);
	return 0;
}

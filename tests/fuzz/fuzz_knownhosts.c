/*
 * fuzz_knownhosts: bytes as a known_hosts file, then lookups of a fixed
 * host with a key blob cut from the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "knownhosts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kh *k = kh_parse((const char *)data, size);
	const char *types[KH_TYPES_MAX];
	size_t blen = size < 64 ? size : 64;

	(void)kh_check(k, "127.1.0.1", 22, data, blen);
	(void)kh_check(k, "dev.example.net", 2222, data + size - blen, blen);
	(void)kh_known_types(k, "127.1.0.1", 22, types, KH_TYPES_MAX);
	kh_free(k);
	return 0;
}

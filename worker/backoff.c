/*
 * Backoff arithmetic, kept free of I/O so the tests can pin every value.
 */
#include "backoff.h"

uint64_t
backoff_cap(uint64_t base_ms, uint64_t max_ms, unsigned n)
{
	uint64_t cap = base_ms;

	while (n-- > 0 && cap < max_ms) {
		if (cap > UINT64_MAX / 2)
			return max_ms;
		cap *= 2;
	}
	return cap < max_ms ? cap : max_ms;
}

uint64_t
backoff_delay(uint64_t base_ms, uint64_t max_ms, unsigned n, uint64_t r)
{
	uint64_t cap = backoff_cap(base_ms, max_ms, n);

	/* (r >> 11) is 53 random bits; scale without modulo bias. */
	return (uint64_t)(((unsigned __int128)(r >> 11) * (cap + 1)) >> 53);
}

uint64_t
backoff_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x853c49e6748fea9bULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

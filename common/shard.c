/*
 * Rendezvous (highest random weight) hashing over device names.  The mixer
 * is splitmix64 over FNV-1a: cheap, well spread, and identical on every
 * host, which --shard K/N across machines depends on.
 */
#include <stdlib.h>
#include <string.h>

#include "shard.h"

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint32_t
shard_pick(const char *name, uint32_t n, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed, best = 0;
	uint32_t b, pick = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	for (b = 0; b < n; b++) {
		uint64_t w = mix64(h ^ mix64(b + 1));

		if (b == 0 || w > best) {
			best = w;
			pick = b;
		}
	}
	return pick;
}

int
shard_parse(const char *s, uint32_t *k, uint32_t *n)
{
	char *end;
	unsigned long a, b;

	if (*s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end != '\0' || b == 0 || b > 65536 || a >= b)
		return -1;
	*k = (uint32_t)a;
	*n = (uint32_t)b;
	return 0;
}

/*
 * shard: which worker (and which host) owns a device.  Rendezvous hashing:
 * each device goes to the bucket with the highest hash(name, bucket), so
 * changing the number of buckets from N to N+1 moves only about 1/(N+1) of
 * the devices, and every process computes the same answer on its own.
 */
#ifndef NAUT_SHARD_H
#define NAUT_SHARD_H

#include <stdint.h>

/* Bucket in [0, n) for name; seed separates independent splits. */
uint32_t	shard_pick(const char *name, uint32_t n, uint64_t seed);

#define SHARD_SEED_WORKER	0x6e617574776b7273ULL	/* "nautwkrs" */
#define SHARD_SEED_HOST		0x6e61757468737473ULL	/* "nauthsts" */

/* Parse "K/N" (0 <= K < N <= 65536); returns 0 or -1. */
int		shard_parse(const char *, uint32_t *k, uint32_t *n);

#endif

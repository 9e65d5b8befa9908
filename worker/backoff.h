/*
 * backoff: when to try again.  Exponential with full jitter (AWS
 * architecture blog, "Exponential Backoff and Jitter"): the delay before
 * retry n is uniform in [0, min(max, base * 2^n)], which spreads a fleet's
 * retries instead of synchronising them.  Pure: the random value is passed in.
 */
#ifndef NAUT_BACKOFF_H
#define NAUT_BACKOFF_H

#include <stdint.h>

/* Upper bound of the delay before retry number n (0 = first retry). */
uint64_t	backoff_cap(uint64_t base_ms, uint64_t max_ms, unsigned n);
/* Delay in ms given r uniform in [0, 2^64). */
uint64_t	backoff_delay(uint64_t base_ms, uint64_t max_ms, unsigned n,
		    uint64_t r);
/* xorshift64*: a per-process generator; seed it after fork. */
uint64_t	backoff_rand(uint64_t *state);

#endif

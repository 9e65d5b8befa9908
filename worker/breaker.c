/*
 * Circuit-breaker transitions (the table is in breaker.h).  Pure: the
 * clock is an argument, the state is the caller's copy of the record.
 */
#include <string.h>

#include "breaker.h"

static const char *const verdict_names[] = {
#define X(e, s) s,
	BREAKER_VERDICTS(X)
#undef X
};

const char *
breaker_verdict_name(enum breaker_verdict v)
{
	return (unsigned)v < BREAKER_VERDICT_COUNT ? verdict_names[v] : "?";
}

/* A clock that went backwards means "not yet", never "long ago". */
static int
open_elapsed(const struct shm_breaker *b, const struct breaker_params *p,
    uint64_t now)
{
	return now >= b->opened_ms && now - b->opened_ms >= p->open_for_ms;
}

static void
trip(struct shm_breaker *b, uint64_t now)
{
	b->state = NAUT_BRK_OPEN;
	b->opened_ms = now;
	b->probe = 0;
	b->successes = 0;
}

enum breaker_verdict
breaker_allow(struct shm_breaker *b, const struct breaker_params *p,
    uint64_t now)
{
	if (p->failure_threshold == 0)
		return BREAKER_ALLOW;
	switch (b->state) {
	case NAUT_BRK_OPEN:
		if (!open_elapsed(b, p, now))
			return BREAKER_REJECT;
		b->state = NAUT_BRK_HALF_OPEN;
		b->successes = 0;
		b->probe = 1;
		return BREAKER_PROBE;
	case NAUT_BRK_HALF_OPEN:
		if (b->probe)
			return BREAKER_REJECT;
		b->probe = 1;
		return BREAKER_PROBE;
	case NAUT_BRK_CLOSED:
		return BREAKER_ALLOW;
	default:
		/* A value from a newer build: start again from a known state. */
		breaker_reset(b);
		return BREAKER_ALLOW;
	}
}

int
breaker_success(struct shm_breaker *b, const struct breaker_params *p,
    uint64_t now)
{
	uint32_t need = p->success_threshold > 0 ? p->success_threshold : 1;

	(void)now;
	switch (b->state) {
	case NAUT_BRK_CLOSED:
		b->failures = 0;
		return 0;
	case NAUT_BRK_HALF_OPEN:
		if (!b->probe)
			return 0;
		b->probe = 0;
		if (++b->successes < need)
			return 0;
		breaker_reset(b);
		return 1;
	default:
		return 0;
	}
}

int
breaker_failure(struct shm_breaker *b, const struct breaker_params *p,
    uint64_t now)
{
	switch (b->state) {
	case NAUT_BRK_CLOSED:
		if (b->failures < UINT32_MAX)
			b->failures++;
		if (p->failure_threshold == 0 ||
		    b->failures < p->failure_threshold)
			return 0;
		trip(b, now);
		return 1;
	case NAUT_BRK_HALF_OPEN:
		if (!b->probe)
			return 0;
		trip(b, now);
		return 1;
	default:
		return 0;
	}
}

void
breaker_abandon(struct shm_breaker *b)
{
	b->probe = 0;
}

void
breaker_reset(struct shm_breaker *b)
{
	memset(b, 0, sizeof(*b));
	b->state = NAUT_BRK_CLOSED;
}

uint64_t
breaker_wait_ms(const struct shm_breaker *b, const struct breaker_params *p,
    uint64_t now)
{
	if (b->state != NAUT_BRK_OPEN || p->failure_threshold == 0 ||
	    open_elapsed(b, p, now))
		return 0;
	if (now < b->opened_ms)
		return p->open_for_ms;
	return p->open_for_ms - (now - b->opened_ms);
}

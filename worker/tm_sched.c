/*
 * The telemetry clock: fixed ticks from an absolute start, a stable phase
 * per task, skip (never queue) when busy.  See tm_sched.h.
 */
#include <stddef.h>

#include "tm_sched.h"

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64's finaliser: FNV alone leaves low bits poorly mixed. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t
tm_sched_phase(const char *device, const char *metric, uint64_t interval)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (interval == 0)
		return 0;
	h = fnv1a(h, device);
	h ^= 0xff;		/* "ab"+"c" and "a"+"bc" differ */
	h *= 0x100000001b3ULL;
	h = fnv1a(h, metric != NULL ? metric : "");
	return mix(h) % interval;
}

void
tm_sched_init(struct tm_sched *s, uint64_t t0, uint64_t interval,
    uint64_t phase)
{
	s->ts_t0 = t0;
	s->ts_interval = interval > 0 ? interval : 1;
	s->ts_phase = phase % s->ts_interval;
	s->ts_k = 0;
}

uint64_t
tm_sched_tick(const struct tm_sched *s, uint64_t k)
{
	return s->ts_t0 + s->ts_phase + k * s->ts_interval;
}

uint64_t
tm_sched_next(const struct tm_sched *s)
{
	return tm_sched_tick(s, s->ts_k);
}

enum tm_fire
tm_sched_fire(struct tm_sched *s, uint64_t now, int busy, uint64_t *tick,
    uint64_t *missed, int *late)
{
	uint64_t t = tm_sched_tick(s, s->ts_k), k;

	*missed = 0;
	*late = 0;
	*tick = t;
	if (now < t)
		return TM_FIRE_EARLY;
	k = s->ts_k + (now - t) / s->ts_interval;
	*missed = k - s->ts_k;
	*tick = t = tm_sched_tick(s, k);
	s->ts_k = k + 1;
	*late = (now - t) * 10 > s->ts_interval;
	return busy ? TM_FIRE_SKIP : TM_FIRE_POLL;
}

/*
 * tm_sched: the telemetry clock of one (device, metric) task.  Pure
 * arithmetic on milliseconds, no I/O, so that it can be unit-tested.
 *
 * Tick k of a task is at t0 + phase + k * interval: ticks come from an
 * absolute start, never from "now + interval", so a late poll does not
 * push the next one back and there is no drift however long it runs.
 * The phase is a stable hash of the device and metric names spread over
 * the interval, so a fleet does not poll in one thundering herd.
 */
#ifndef NAUT_TM_SCHED_H
#define NAUT_TM_SCHED_H

#include <stdint.h>

struct tm_sched {
	uint64_t	ts_t0;		/* CLOCK_MONOTONIC ms of the start */
	uint64_t	ts_interval;	/* ms, > 0 */
	uint64_t	ts_phase;	/* 0 .. interval - 1 */
	uint64_t	ts_k;		/* the next tick not served yet */
};

enum tm_fire {
	TM_FIRE_EARLY,		/* before the tick: wait again */
	TM_FIRE_POLL,		/* poll now */
	TM_FIRE_SKIP		/* the previous poll still runs: skip */
};

/* Stable offset in [0, interval) from the two names. */
uint64_t	tm_sched_phase(const char *device, const char *metric,
		    uint64_t interval);
void		tm_sched_init(struct tm_sched *, uint64_t t0, uint64_t interval,
		    uint64_t phase);
/* Absolute time of tick k. */
uint64_t	tm_sched_tick(const struct tm_sched *, uint64_t k);
/* Absolute time of the next tick to serve. */
uint64_t	tm_sched_next(const struct tm_sched *);
/*
 * The timer fired at now.  Serves the latest tick at or before now; ticks
 * before it that passed unserved (the loop stalled longer than an
 * interval) are counted in *missed.  *late says the served tick is more
 * than a tenth of the interval old.  busy: the task's previous poll still
 * runs, so the tick is skipped rather than queued.  *tick gets the served
 * tick's time.
 */
enum tm_fire	tm_sched_fire(struct tm_sched *, uint64_t now, int busy,
		    uint64_t *tick, uint64_t *missed, int *late);

#endif

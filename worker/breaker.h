/*
 * breaker: the per-device circuit breaker as pure functions over the
 * breaker fields of a device record (struct shm_breaker, shm/shm.h).
 *
 * No clock, no I/O, no shared memory access: the caller passes a monotonic
 * now_ms, works on its own copy of the record (shm_dev_read), and writes
 * the record back (shm_dev_write).  So tests drive time by hand.
 *
 *	CLOSED --failure_threshold consecutive failures--> OPEN
 *	OPEN   --allow() once open_for_ms has passed------> HALF_OPEN (probe)
 *	HALF_OPEN: one probe at a time; the others are rejected
 *	HALF_OPEN --success_threshold probe successes-----> CLOSED
 *	HALF_OPEN --probe failure-------------------------> OPEN (timer restarts)
 *
 * Results that cannot belong to an admitted attempt are ignored: any
 * result while OPEN (the attempt began before the trip) and a result while
 * HALF_OPEN with no probe out (it was abandoned).
 */
#ifndef NAUT_BREAKER_H
#define NAUT_BREAKER_H

#include <stdint.h>

#include "shm.h"

struct breaker_params {
	uint32_t	failure_threshold;	/* 0 disables the breaker */
	uint32_t	success_threshold;	/* 0 is taken as 1 */
	uint64_t	open_for_ms;
};

#define BREAKER_VERDICTS(X)						\
	X(ALLOW,	"allow")	/* closed: go ahead */		\
	X(REJECT,	"reject")	/* fail fast as breaker_open */	\
	X(PROBE,	"probe")	/* half-open: this is the probe */

enum breaker_verdict {
#define X(e, s) BREAKER_##e,
	BREAKER_VERDICTS(X)
#undef X
	BREAKER_VERDICT_COUNT
};

/* Before an attempt.  PROBE marks the probe as out; report its result
 * with breaker_success/breaker_failure, or breaker_abandon if it ended
 * without one (cancelled). */
enum breaker_verdict	 breaker_allow(struct shm_breaker *,
			    const struct breaker_params *, uint64_t now_ms);

/* After an attempt.  Return 1 when the state changed (a trip from
 * breaker_failure, a close from breaker_success), else 0. */
int			 breaker_success(struct shm_breaker *,
			    const struct breaker_params *, uint64_t now_ms);
int			 breaker_failure(struct shm_breaker *,
			    const struct breaker_params *, uint64_t now_ms);
void			 breaker_abandon(struct shm_breaker *);

/* Back to CLOSED with clean counts (operator reset, config change). */
void			 breaker_reset(struct shm_breaker *);

/* While OPEN: ms until allow() will let a probe through (0: now).  0 in
 * every other state.  For a timer instead of polling a rejected device. */
uint64_t		 breaker_wait_ms(const struct shm_breaker *,
			    const struct breaker_params *, uint64_t now_ms);

const char		*breaker_verdict_name(enum breaker_verdict);

#endif

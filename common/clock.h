/*
 * clock: milliseconds on the two clocks naut uses.  Timers, deadlines and
 * breakers run on the monotonic clock; records and logs carry wall time.
 */
#ifndef NAUT_CLOCK_H
#define NAUT_CLOCK_H

#include <stdint.h>

uint64_t	clock_mono_ms(void);	/* CLOCK_MONOTONIC */
uint64_t	clock_wall_ms(void);	/* CLOCK_REALTIME */

#endif

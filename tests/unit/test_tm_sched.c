/*
 * test_tm_sched: the telemetry clock.  Phases are stable and spread over
 * the interval, ticks never drift however late the timer fires, a busy
 * task skips its tick instead of queueing it, and ticks passed entirely
 * while the loop stalled are counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tm_sched.h"

static void
test_tm_sched_phase_stable(void **state)
{
	uint64_t a, b;

	(void)state;
	a = tm_sched_phase("ams-core-1", "cpu", 10000);
	b = tm_sched_phase("ams-core-1", "cpu", 10000);
	assert_int_equal(a, b);
	assert_true(a < 10000);
	/* Another metric or device lands elsewhere (for these names). */
	assert_int_not_equal(a, tm_sched_phase("ams-core-1", "mem", 10000));
	assert_int_not_equal(a, tm_sched_phase("ams-core-2", "cpu", 10000));
	/* The split between the names matters. */
	assert_int_not_equal(tm_sched_phase("ab", "c", 1000000),
	    tm_sched_phase("a", "bc", 1000000));
	assert_int_equal(tm_sched_phase("x", "y", 0), 0);
	assert_int_equal(tm_sched_phase("x", "y", 1), 0);
}

/* 10,000 devices over 10 s in 10 slices: each gets 10% +- 1.5%. */
static void
test_tm_sched_phase_spread(void **state)
{
	unsigned slice[10] = { 0 }, i;
	char name[32];

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "dev%06u", i);
		slice[tm_sched_phase(name, "cpu", 10000) / 1000]++;
	}
	for (i = 0; i < 10; i++) {
		assert_true(slice[i] >= 850);
		assert_true(slice[i] <= 1150);
	}
}

/* A timer that fires late by up to 9 ms every time: tick k stays at
 * t0 + phase + k * interval, 100,000 ticks on. */
static void
test_tm_sched_no_drift(void **state)
{
	struct tm_sched s;
	uint64_t tick, missed, now, k;
	int late;

	(void)state;
	tm_sched_init(&s, 1000, 50, 17);
	for (k = 0; k < 100000; k++) {
		now = tm_sched_next(&s) + k % 10;
		assert_int_equal(tm_sched_fire(&s, now, 0, &tick, &missed,
		    &late), TM_FIRE_POLL);
		assert_int_equal(tick, 1000 + 17 + k * 50);
		assert_int_equal(missed, 0);
		/* A tenth of 50 ms is 5 ms: 6 to 9 ms late is late. */
		assert_int_equal(late, k % 10 > 5);
	}
	assert_int_equal(tm_sched_next(&s), 1000 + 17 + 100000 * 50);
}

static void
test_tm_sched_skip_when_busy(void **state)
{
	struct tm_sched s;
	uint64_t tick, missed;
	int late;

	(void)state;
	tm_sched_init(&s, 0, 100, 0);
	assert_int_equal(tm_sched_fire(&s, 0, 0, &tick, &missed, &late),
	    TM_FIRE_POLL);
	/* The poll of tick 0 still runs at tick 1: skipped, not queued. */
	assert_int_equal(tm_sched_fire(&s, 100, 1, &tick, &missed, &late),
	    TM_FIRE_SKIP);
	assert_int_equal(tick, 100);
	/* Next time it is free: tick 2 is polled, nothing owed for tick 1. */
	assert_int_equal(tm_sched_next(&s), 200);
	assert_int_equal(tm_sched_fire(&s, 201, 0, &tick, &missed, &late),
	    TM_FIRE_POLL);
	assert_int_equal(tick, 200);
	assert_int_equal(missed, 0);
}

static void
test_tm_sched_early_and_missed(void **state)
{
	struct tm_sched s;
	uint64_t tick, missed;
	int late;

	(void)state;
	tm_sched_init(&s, 0, 100, 30);
	assert_int_equal(tm_sched_fire(&s, 29, 0, &tick, &missed, &late),
	    TM_FIRE_EARLY);
	assert_int_equal(tm_sched_next(&s), 30);
	/* The loop stalled 3.5 intervals: ticks 0-2 are lost, tick 3 runs. */
	assert_int_equal(tm_sched_fire(&s, 380, 0, &tick, &missed, &late),
	    TM_FIRE_POLL);
	assert_int_equal(tick, 330);
	assert_int_equal(missed, 3);
	assert_int_equal(late, 1);
	assert_int_equal(tm_sched_next(&s), 430);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tm_sched_phase_stable),
		cmocka_unit_test(test_tm_sched_phase_spread),
		cmocka_unit_test(test_tm_sched_no_drift),
		cmocka_unit_test(test_tm_sched_skip_when_busy),
		cmocka_unit_test(test_tm_sched_early_and_missed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_breaker: every edge of the circuit breaker (worker/breaker.h),
 * driven by a fake monotonic clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "breaker.h"

static const struct breaker_params P = {
	.failure_threshold = 3,
	.success_threshold = 2,
	.open_for_ms = 1000,
};

static void
closed(struct shm_breaker *b)
{
	memset(b, 0xa5, sizeof(*b));	/* reset must not rely on zeroes */
	breaker_reset(b);
}

/* Drive a closed breaker to OPEN at time t. */
static void
trip_at(struct shm_breaker *b, uint64_t t)
{
	unsigned i;

	for (i = 0; i < P.failure_threshold; i++) {
		assert_int_equal(breaker_allow(b, &P, t), BREAKER_ALLOW);
		breaker_failure(b, &P, t);
	}
	assert_int_equal(b->state, NAUT_BRK_OPEN);
}

static void
test_breaker_reset_is_closed(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
	assert_int_equal(b.failures, 0);
	assert_int_equal(b.successes, 0);
	assert_int_equal(b.probe, 0);
	assert_int_equal(b.opened_ms, 0);
}

static void
test_breaker_closed_allows_and_counts(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	assert_int_equal(breaker_allow(&b, &P, 10), BREAKER_ALLOW);
	assert_int_equal(breaker_failure(&b, &P, 10), 0);
	assert_int_equal(breaker_failure(&b, &P, 11), 0);
	assert_int_equal(b.failures, 2);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
	assert_int_equal(breaker_allow(&b, &P, 12), BREAKER_ALLOW);
}

static void
test_breaker_closed_success_resets_streak(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	breaker_failure(&b, &P, 1);
	breaker_failure(&b, &P, 2);
	assert_int_equal(breaker_success(&b, &P, 3), 0);
	assert_int_equal(b.failures, 0);
	/* Two more failures are not three consecutive ones. */
	breaker_failure(&b, &P, 4);
	breaker_failure(&b, &P, 5);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
}

static void
test_breaker_closed_to_open_at_threshold(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	assert_int_equal(breaker_failure(&b, &P, 100), 0);
	assert_int_equal(breaker_failure(&b, &P, 200), 0);
	assert_int_equal(breaker_failure(&b, &P, 300), 1);
	assert_int_equal(b.state, NAUT_BRK_OPEN);
	assert_int_equal(b.opened_ms, 300);
	assert_int_equal(b.failures, 3);
}

static void
test_breaker_open_rejects_until_open_for(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 5000);
	assert_int_equal(breaker_allow(&b, &P, 5000), BREAKER_REJECT);
	assert_int_equal(breaker_allow(&b, &P, 5999), BREAKER_REJECT);
	assert_int_equal(b.state, NAUT_BRK_OPEN);
	assert_int_equal(breaker_wait_ms(&b, &P, 5999), 1);
	assert_int_equal(breaker_wait_ms(&b, &P, 5400), 600);
	assert_int_equal(breaker_wait_ms(&b, &P, 6000), 0);
}

static void
test_breaker_open_to_half_open_probe(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 5000);
	assert_int_equal(breaker_allow(&b, &P, 6000), BREAKER_PROBE);
	assert_int_equal(b.state, NAUT_BRK_HALF_OPEN);
	assert_int_equal(b.probe, 1);
	assert_int_equal(breaker_wait_ms(&b, &P, 6000), 0);
}

static void
test_breaker_half_open_one_probe_at_a_time(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 0);
	assert_int_equal(breaker_allow(&b, &P, 1000), BREAKER_PROBE);
	assert_int_equal(breaker_allow(&b, &P, 1001), BREAKER_REJECT);
	assert_int_equal(breaker_allow(&b, &P, 99999), BREAKER_REJECT);
	assert_int_equal(b.state, NAUT_BRK_HALF_OPEN);
}

static void
test_breaker_half_open_successes_close(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 0);
	assert_int_equal(breaker_allow(&b, &P, 1000), BREAKER_PROBE);
	assert_int_equal(breaker_success(&b, &P, 1001), 0);
	/* One success of two: still half-open, next probe may go. */
	assert_int_equal(b.state, NAUT_BRK_HALF_OPEN);
	assert_int_equal(b.successes, 1);
	assert_int_equal(b.probe, 0);
	assert_int_equal(breaker_allow(&b, &P, 1002), BREAKER_PROBE);
	assert_int_equal(breaker_success(&b, &P, 1003), 1);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
	assert_int_equal(b.failures, 0);
	assert_int_equal(b.successes, 0);
	assert_int_equal(breaker_allow(&b, &P, 1004), BREAKER_ALLOW);
	/* Closed again means a full new streak is needed to trip. */
	breaker_failure(&b, &P, 1005);
	breaker_failure(&b, &P, 1006);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
}

static void
test_breaker_half_open_failure_reopens(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 0);
	assert_int_equal(breaker_allow(&b, &P, 1000), BREAKER_PROBE);
	assert_int_equal(breaker_success(&b, &P, 1001), 0);
	assert_int_equal(breaker_allow(&b, &P, 1500), BREAKER_PROBE);
	assert_int_equal(breaker_failure(&b, &P, 1600), 1);
	assert_int_equal(b.state, NAUT_BRK_OPEN);
	assert_int_equal(b.opened_ms, 1600);	/* the timer restarts */
	assert_int_equal(b.successes, 0);
	assert_int_equal(b.probe, 0);
	assert_int_equal(breaker_allow(&b, &P, 2599), BREAKER_REJECT);
	assert_int_equal(breaker_allow(&b, &P, 2600), BREAKER_PROBE);
	/* The earlier probe success does not count any more. */
	assert_int_equal(breaker_success(&b, &P, 2601), 0);
	assert_int_equal(b.state, NAUT_BRK_HALF_OPEN);
}

static void
test_breaker_abandoned_probe_frees_the_slot(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 0);
	assert_int_equal(breaker_allow(&b, &P, 1000), BREAKER_PROBE);
	breaker_abandon(&b);
	assert_int_equal(b.state, NAUT_BRK_HALF_OPEN);
	assert_int_equal(breaker_allow(&b, &P, 1001), BREAKER_PROBE);
}

static void
test_breaker_results_without_admission_ignored(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 0);
	/* Results of attempts that began before the trip. */
	assert_int_equal(breaker_success(&b, &P, 10), 0);
	assert_int_equal(breaker_failure(&b, &P, 20), 0);
	assert_int_equal(b.state, NAUT_BRK_OPEN);
	assert_int_equal(b.opened_ms, 0);
	/* Half-open with the probe abandoned: a late result is stale. */
	assert_int_equal(breaker_allow(&b, &P, 1000), BREAKER_PROBE);
	breaker_abandon(&b);
	assert_int_equal(breaker_failure(&b, &P, 1001), 0);
	assert_int_equal(breaker_success(&b, &P, 1002), 0);
	assert_int_equal(b.state, NAUT_BRK_HALF_OPEN);
	assert_int_equal(b.successes, 0);
}

static void
test_breaker_clock_backwards_stays_open(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	trip_at(&b, 10000);
	assert_int_equal(breaker_allow(&b, &P, 50), BREAKER_REJECT);
	assert_int_equal(breaker_wait_ms(&b, &P, 50), P.open_for_ms);
}

static void
test_breaker_disabled_never_trips(void **state)
{
	struct breaker_params off = P;
	struct shm_breaker b;
	unsigned i;

	(void)state;
	off.failure_threshold = 0;
	closed(&b);
	for (i = 0; i < 100; i++) {
		assert_int_equal(breaker_allow(&b, &off, i), BREAKER_ALLOW);
		assert_int_equal(breaker_failure(&b, &off, i), 0);
	}
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
}

static void
test_breaker_success_threshold_zero_is_one(void **state)
{
	struct breaker_params p = P;
	struct shm_breaker b;

	(void)state;
	p.success_threshold = 0;
	closed(&b);
	trip_at(&b, 0);
	assert_int_equal(breaker_allow(&b, &p, 1000), BREAKER_PROBE);
	assert_int_equal(breaker_success(&b, &p, 1001), 1);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
}

static void
test_breaker_threshold_one(void **state)
{
	struct breaker_params p = { 1, 1, 0 };
	struct shm_breaker b;

	(void)state;
	closed(&b);
	assert_int_equal(breaker_failure(&b, &p, 7), 1);
	/* open_for 0: the very next allow is the probe. */
	assert_int_equal(breaker_allow(&b, &p, 7), BREAKER_PROBE);
	assert_int_equal(breaker_failure(&b, &p, 8), 1);
	assert_int_equal(b.state, NAUT_BRK_OPEN);
}

static void
test_breaker_unknown_state_recovers(void **state)
{
	struct shm_breaker b;

	(void)state;
	closed(&b);
	b.state = 77;
	assert_int_equal(breaker_allow(&b, &P, 1), BREAKER_ALLOW);
	assert_int_equal(b.state, NAUT_BRK_CLOSED);
}

static void
test_breaker_names(void **state)
{
	(void)state;
	assert_string_equal(breaker_verdict_name(BREAKER_ALLOW), "allow");
	assert_string_equal(breaker_verdict_name(BREAKER_REJECT), "reject");
	assert_string_equal(breaker_verdict_name(BREAKER_PROBE), "probe");
	assert_string_equal(breaker_verdict_name(BREAKER_VERDICT_COUNT), "?");
	assert_string_equal(naut_brk_name(NAUT_BRK_HALF_OPEN), "half_open");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaker_reset_is_closed),
		cmocka_unit_test(test_breaker_closed_allows_and_counts),
		cmocka_unit_test(test_breaker_closed_success_resets_streak),
		cmocka_unit_test(test_breaker_closed_to_open_at_threshold),
		cmocka_unit_test(test_breaker_open_rejects_until_open_for),
		cmocka_unit_test(test_breaker_open_to_half_open_probe),
		cmocka_unit_test(test_breaker_half_open_one_probe_at_a_time),
		cmocka_unit_test(test_breaker_half_open_successes_close),
		cmocka_unit_test(test_breaker_half_open_failure_reopens),
		cmocka_unit_test(test_breaker_abandoned_probe_frees_the_slot),
		cmocka_unit_test(test_breaker_results_without_admission_ignored),
		cmocka_unit_test(test_breaker_clock_backwards_stays_open),
		cmocka_unit_test(test_breaker_disabled_never_trips),
		cmocka_unit_test(test_breaker_success_threshold_zero_is_one),
		cmocka_unit_test(test_breaker_threshold_one),
		cmocka_unit_test(test_breaker_unknown_state_recovers),
		cmocka_unit_test(test_breaker_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

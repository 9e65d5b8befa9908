/*
 * test_ctr: the counter table (common/ctr.h) and the vocabularies
 * (common/naut_enums.h): descriptor offsets, histogram buckets and
 * quantiles, gauge zeroing, the table hash, and the Prometheus text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctr.h"
#include "naut_enums.h"

static void
test_ctr_descriptors_match_struct(void **state)
{
	size_t i, next = 0;

	(void)state;
	/* Rows tile struct naut_ctr in order, without gaps. */
	for (i = 0; i < CTR_COUNT; i++) {
		assert_int_equal(ctr_table[i].cd_word, next);
		next += ctr_table[i].cd_nwords;
		assert_int_equal(ctr_lookup(ctr_table[i].cd_name), (int)i);
		assert_true(strlen(ctr_table[i].cd_help) > 10);
	}
	assert_int_equal(next, CTR_NWORDS);
	assert_int_equal(offsetof(struct naut_ctr, budget_waits),
	    ctr_table[CTR_ID_budget_waits].cd_word * 8);
	assert_int_equal(offsetof(struct naut_ctr, output_bytes),
	    ctr_table[CTR_ID_output_bytes].cd_word * 8);
	assert_int_equal(ctr_lookup("no_such_counter"), -1);
	/* The pool metrics the issue asks for exist with these names. */
	assert_true(ctr_lookup("attempts") >= 0 &&
	    ctr_lookup("successes") >= 0 && ctr_lookup("failures") >= 0 &&
	    ctr_lookup("timeouts") >= 0 && ctr_lookup("duration_ms") >= 0 &&
	    ctr_lookup("retries") >= 0 &&
	    ctr_lookup("breaker_rejections") >= 0 &&
	    ctr_lookup("bytes_received") >= 0 &&
	    ctr_lookup("sessions_open") >= 0 &&
	    ctr_lookup("budget_waits") >= 0 &&
	    ctr_lookup("session_duration_ms") >= 0);
}

static void
test_ctr_hist_buckets(void **state)
{
	struct naut_ctr c;
	struct ctr_snap s;

	(void)state;
	memset(&c, 0, sizeof(c));
	ctr_observe(&c.session_duration_ms, 0);		/* le 1 */
	ctr_observe(&c.session_duration_ms, 1);		/* le 1 */
	ctr_observe(&c.session_duration_ms, 2);		/* le 2 */
	ctr_observe(&c.session_duration_ms, 3);		/* le 5 */
	ctr_observe(&c.session_duration_ms, 5000000);	/* last bound */
	ctr_observe(&c.session_duration_ms, 5000001);	/* +Inf */
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	assert_int_equal(ctr_val(&s, CTR_ID_session_duration_ms, 0), 2);
	assert_int_equal(ctr_val(&s, CTR_ID_session_duration_ms, 1), 1);
	assert_int_equal(ctr_val(&s, CTR_ID_session_duration_ms, 2), 1);
	assert_int_equal(ctr_val(&s, CTR_ID_session_duration_ms,
	    CTR_HIST_NBOUNDS - 1), 1);
	assert_int_equal(ctr_val(&s, CTR_ID_session_duration_ms,
	    CTR_HIST_NBOUNDS), 1);
	assert_int_equal(ctr_hist_count(&s, CTR_ID_session_duration_ms), 6);
	assert_int_equal(ctr_hist_sum(&s, CTR_ID_session_duration_ms),
	    10000007);
	assert_int_equal(ctr_hist_bound(0), 1);
	assert_int_equal(ctr_hist_bound(CTR_HIST_NBOUNDS - 1), 5000000);
	assert_int_equal(ctr_hist_bound(CTR_HIST_NBOUNDS), UINT64_MAX);
}

static void
test_ctr_hist_quantiles(void **state)
{
	struct naut_ctr c;
	struct ctr_snap s;
	unsigned i;

	(void)state;
	memset(&c, 0, sizeof(c));
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	assert_true(ctr_hist_quantile(&s, CTR_ID_session_duration_ms, 0.5) <
	    0);
	/* 100 observations of 150: all in (100, 200]. */
	for (i = 0; i < 100; i++)
		ctr_observe(&c.session_duration_ms, 150);
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	assert_true(ctr_hist_quantile(&s, CTR_ID_session_duration_ms,
	    0.5) == 150.0);
	assert_true(ctr_hist_quantile(&s, CTR_ID_session_duration_ms,
	    1.0) == 200.0);
	assert_true(ctr_hist_quantile(&s, CTR_ID_session_duration_ms,
	    0.9) > 100.0);
	/* Beyond the last bound nothing is known: report that bound. */
	ctr_observe(&c.output_bytes, 99999999);
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	assert_true(ctr_hist_quantile(&s, CTR_ID_output_bytes, 0.99) ==
	    5000000.0);
}

static void
test_ctr_gauges_zeroed_counters_kept(void **state)
{
	struct naut_ctr c;
	struct ctr_snap s;

	(void)state;
	memset(&c, 0, sizeof(c));
	CTR_ADD(&c, attempts, 5);
	ctr_gauge_add(&c.sessions_open, 3);
	ctr_gauge_add(&c.sessions_open, -5);
	ctr_error(&c, NAUT_ERR_TIMEOUT);
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	assert_int_equal(ctr_gauge_val(&s, CTR_ID_sessions_open), -2);
	ctr_zero_gauges(&c);
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	assert_int_equal(ctr_gauge_val(&s, CTR_ID_sessions_open), 0);
	assert_int_equal(ctr_val(&s, CTR_ID_attempts, 0), 5);
	assert_int_equal(ctr_val(&s, CTR_ID_errors, NAUT_ERR_TIMEOUT), 1);
	assert_int_equal(ctr_val(&s, CTR_ID_errors, NAUT_ERR_COUNT), 0);
}

static void
test_ctr_hash_is_stable(void **state)
{
	(void)state;
	assert_true(ctr_hash() != 0);
	assert_true(ctr_hash() == ctr_hash());
}

/* Every sample line of the exposition, parsed back. */
static void
test_ctr_prometheus_text(void **state)
{
	struct naut_ctr c;
	struct ctr_snap s;
	char *buf = NULL, *line, *save = NULL, name[128];
	size_t len = 0;
	unsigned long long v, inf = 0, count = 0, help = 0, type = 0;
	FILE *fp;

	(void)state;
	memset(&c, 0, sizeof(c));
	CTR_ADD(&c, attempts, 42);
	ctr_gauge_add(&c.sessions_open, 7);
	ctr_error(&c, NAUT_ERR_AUTH);
	ctr_observe(&c.session_duration_ms, 30);
	ctr_observe(&c.session_duration_ms, 3000);
	ctr_snap_zero(&s);
	ctr_snap_add(&s, &c);
	fp = open_memstream(&buf, &len);
	assert_int_equal(ctr_prom_write(fp, &s, "naut"), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "# TYPE naut_attempts_total counter\n"
	    "naut_attempts_total 42\n"));
	assert_non_null(strstr(buf, "# TYPE naut_sessions_open gauge\n"
	    "naut_sessions_open 7\n"));
	assert_non_null(strstr(buf, "naut_errors_total{class=\"auth\"} 1\n"));
	assert_null(strstr(buf, "class=\"ok\""));
	/* Milliseconds are exported in seconds, the base unit. */
	assert_non_null(strstr(buf, "# TYPE naut_session_duration_seconds "
	    "histogram\n"));
	assert_non_null(strstr(buf, "naut_session_duration_seconds_bucket{le="
	    "\"0.02\"} 0\n"));
	assert_non_null(strstr(buf, "naut_session_duration_seconds_bucket{le="
	    "\"0.05\"} 1\n"));
	assert_non_null(strstr(buf, "naut_session_duration_seconds_sum 3.03\n"));
	assert_null(strstr(buf, "_ms"));
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			help++;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			type++;
			continue;
		}
		/* name{labels} value, or name value; counts are integers */
		if (strstr(line, "_sum ") != NULL)
			continue;
		assert_int_equal(sscanf(line, "%127s %llu", name, &v), 2);
		assert_true(strncmp(name, "naut_", 5) == 0);
		if (strcmp(name,
		    "naut_session_duration_seconds_bucket{le=\"+Inf\"}") == 0)
			inf = v;
		if (strcmp(name, "naut_session_duration_seconds_count") == 0)
			count = v;
	}
	assert_int_equal(help, CTR_COUNT);
	assert_int_equal(type, CTR_COUNT);
	assert_int_equal(inf, 2);
	assert_int_equal(count, 2);
	free(buf);
}

static void
test_enums_roundtrip(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < NAUT_ERR_COUNT; i++) {
		assert_int_equal(naut_err_parse(naut_err_name(i)), (int)i);
		assert_string_not_equal(naut_err_help(i), "?");
	}
	for (i = 0; i < NAUT_RUN_COUNT; i++)
		assert_int_equal(naut_run_parse(naut_run_name(i)), (int)i);
	for (i = 0; i < NAUT_BRK_COUNT; i++)
		assert_int_equal(naut_brk_parse(naut_brk_name(i)), (int)i);
	assert_string_equal(naut_err_name(NAUT_ERR_COUNT), "?");
	assert_string_equal(naut_run_name(99), "?");
	assert_string_equal(naut_wstate_name(NAUT_WSTATE_DIED), "died");
	assert_string_equal(naut_result_name(NAUT_RESULT_OK), "ok");
	assert_int_equal(naut_err_parse("nonsense"), -1);
	/* The words the issue names, spelled as specified. */
	assert_int_equal(naut_err_parse("hostkey_mismatch"),
	    NAUT_ERR_HOSTKEY_MISMATCH);
	assert_int_equal(naut_err_parse("netconf_framing"),
	    NAUT_ERR_NETCONF_FRAMING);
	assert_int_equal(naut_run_parse("failed"), NAUT_RUN_FAILED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctr_descriptors_match_struct),
		cmocka_unit_test(test_ctr_hist_buckets),
		cmocka_unit_test(test_ctr_hist_quantiles),
		cmocka_unit_test(test_ctr_gauges_zeroed_counters_kept),
		cmocka_unit_test(test_ctr_hash_is_stable),
		cmocka_unit_test(test_ctr_prometheus_text),
		cmocka_unit_test(test_enums_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

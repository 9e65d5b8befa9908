/*
 * test_tm_parse: telemetry values out of CLI text.  One value, one value
 * per interface with its label, numbers as devices print them, and parse
 * errors for what is not a number or does not match.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "tm_parse.h"

#define MAXV	64

struct got {
	size_t		n;
	struct tm_value	v[MAXV];
};

static void
collect(void *arg, const struct tm_value *v)
{
	struct got *g = arg;

	if (g->n < MAXV)
		g->v[g->n] = *v;
	g->n++;
}

static void
mk(struct conf_tm_ssh *t, const char *re, unsigned value,
    struct conf_tag *labels)
{
	memset(t, 0, sizeof(*t));
	t->regex = re;
	assert_int_equal(regcomp(&t->re, re, REG_EXTENDED | REG_NEWLINE), 0);
	t->value_group = value;
	t->labels = labels;
}

static void
test_tm_parse_one_value(void **state)
{
	static const char out[] = "CPU utilization for five seconds: 28%/7%; "
	    "one minute: 30%; five minutes: 29%\r\n PID Runtime\r\n";
	struct conf_tm_ssh t;
	struct got g;
	char err[128];

	(void)state;
	memset(&g, 0, sizeof(g));
	mk(&t, "five seconds: ([0-9]+)%", 1, NULL);
	assert_int_equal(tm_parse_ssh(&t, out, sizeof(out) - 1, collect, &g,
	    err, sizeof(err)), 1);
	assert_true(g.v[0].tv_value == 28.0);
	assert_int_equal(g.v[0].tv_nlabels, 0);
	regfree(&t.re);
}

/* One match per line, the interface as a label; ^ anchors each line. */
static void
test_tm_parse_per_interface(void **state)
{
	static const char out[] =
	    "Port               OutOctets OutUcastPkts\n"
	    "Gi1/0/1        5669222518166   8098889311\n"
	    "Gi1/0/2            131370867   7330529811\n"
	    "Po10                     0.5            1\n";
	struct conf_tag lab = { "interface", "1", NULL };
	struct conf_tm_ssh t;
	struct got g;
	char err[128];

	(void)state;
	memset(&g, 0, sizeof(g));
	mk(&t, "^([A-Z][A-Za-z0-9/]*) +([0-9.]+) ", 2, &lab);
	assert_int_equal(tm_parse_ssh(&t, out, sizeof(out) - 1, collect, &g,
	    err, sizeof(err)), 3);
	assert_string_equal(g.v[0].tv_labels[0].tl_name, "interface");
	assert_string_equal(g.v[0].tv_labels[0].tl_value, "Gi1/0/1");
	/* 2^53 > 5669222518166: exact in a double. */
	assert_true(g.v[0].tv_value == 5669222518166.0);
	assert_string_equal(g.v[1].tv_labels[0].tl_value, "Gi1/0/2");
	assert_true(g.v[1].tv_value == 131370867.0);
	assert_string_equal(g.v[2].tv_labels[0].tl_value, "Po10");
	assert_true(g.v[2].tv_value == 0.5);
	regfree(&t.re);
}

static void
test_tm_parse_no_match_is_parse_error(void **state)
{
	static const char out[] = "% Invalid input detected at '^' marker.\n";
	struct conf_tm_ssh t;
	struct got g;
	char err[128];

	(void)state;
	memset(&g, 0, sizeof(g));
	mk(&t, "five seconds: ([0-9]+)%", 1, NULL);
	assert_int_equal(tm_parse_ssh(&t, out, sizeof(out) - 1, collect, &g,
	    err, sizeof(err)), -1);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(err, "matched nothing"));
	assert_int_equal(tm_parse_ssh(&t, "", 0, collect, &g, err,
	    sizeof(err)), -1);
	regfree(&t.re);
}

static void
test_tm_parse_not_a_number(void **state)
{
	static const char out[] = "temperature: n/a\n";
	struct conf_tm_ssh t;
	struct got g;
	char err[128];

	(void)state;
	memset(&g, 0, sizeof(g));
	mk(&t, "temperature: ([^ \n]+)", 1, NULL);
	assert_int_equal(tm_parse_ssh(&t, out, sizeof(out) - 1, collect, &g,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "n/a"));
	regfree(&t.re);
}

static void
test_tm_parse_numbers(void **state)
{
	double v;

	(void)state;
	assert_int_equal(tm_parse_number(" 42 ", 4, &v), 0);
	assert_true(v == 42.0);
	assert_int_equal(tm_parse_number("-1.5e3", 6, &v), 0);
	assert_true(v == -1500.0);
	assert_int_equal(tm_parse_number("7\r", 2, &v), 0);
	assert_true(v == 7.0);
	assert_int_equal(tm_parse_number("", 0, &v), -1);
	assert_int_equal(tm_parse_number("   ", 3, &v), -1);
	assert_int_equal(tm_parse_number("inf", 3, &v), -1);
	assert_int_equal(tm_parse_number("nan", 3, &v), -1);
	assert_int_equal(tm_parse_number("0x10", 4, &v), -1);
	assert_int_equal(tm_parse_number("1,000", 5, &v), -1);
	assert_int_equal(tm_parse_number("1e999", 5, &v), -1);
	assert_int_equal(tm_parse_number("12abc", 5, &v), -1);
}

/* A regex that can match empty text still ends, one value per spot. */
static void
test_tm_parse_empty_match_ends(void **state)
{
	static const char out[] = "a1b22c";
	struct conf_tm_ssh t;
	struct got g;
	char err[128];

	(void)state;
	memset(&g, 0, sizeof(g));
	mk(&t, "[0-9]*", 0, NULL);
	/* The first spot (empty, before "a") is no number: a parse error. */
	assert_int_equal(tm_parse_ssh(&t, out, sizeof(out) - 1, collect, &g,
	    err, sizeof(err)), -1);
	regfree(&t.re);
	memset(&g, 0, sizeof(g));
	mk(&t, "[0-9]+", 0, NULL);
	assert_int_equal(tm_parse_ssh(&t, out, sizeof(out) - 1, collect, &g,
	    err, sizeof(err)), 2);
	assert_true(g.v[0].tv_value == 1.0 && g.v[1].tv_value == 22.0);
	regfree(&t.re);
}

/* One entry point for every transport; those without a parser fail. */
static void
test_tm_parse_output_by_transport(void **state)
{
	static const char out[] = "five seconds: 12%\n";
	struct conf_tm_ssh s;
	struct conf_telemetry t;
	struct got g;
	char err[128];

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&t, 0, sizeof(t));
	mk(&s, "five seconds: ([0-9]+)%", 1, NULL);
	t.name = "cpu";
	t.ssh = &s;
	assert_int_equal(tm_parse_output(&t, CONF_TRANSPORT_SSH, out,
	    sizeof(out) - 1, collect, &g, err, sizeof(err)), 1);
	assert_true(g.v[0].tv_value == 12.0);
	assert_int_equal(tm_parse_output(&t, CONF_TRANSPORT_REST, out,
	    sizeof(out) - 1, collect, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no rest parser"));
	t.ssh = NULL;
	assert_int_equal(tm_parse_output(&t, CONF_TRANSPORT_SSH, out,
	    sizeof(out) - 1, collect, &g, err, sizeof(err)), -1);
	regfree(&s.re);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tm_parse_one_value),
		cmocka_unit_test(test_tm_parse_per_interface),
		cmocka_unit_test(test_tm_parse_no_match_is_parse_error),
		cmocka_unit_test(test_tm_parse_not_a_number),
		cmocka_unit_test(test_tm_parse_numbers),
		cmocka_unit_test(test_tm_parse_empty_match_ends),
		cmocka_unit_test(test_tm_parse_output_by_transport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

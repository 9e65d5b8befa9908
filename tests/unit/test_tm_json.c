/*
 * test_tm_json: JSON pointers (RFC 6901) over a strict scanner.  The
 * RFC's own example document, escapes in pointers and in member names,
 * numbers and numeric strings, and the hostile cases: truncation, deep
 * nesting, bad UTF-8, huge numbers, values that are not numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "tm_json.h"
#include "tm_parse.h"

/* RFC 6901 section 5, with numbers for values. */
static const char rfc[] = "{\"foo\": [10, 20], \"\": 0, \"a/b\": 1, "
    "\"c%d\": 2, \"e^f\": 3, \"g|h\": 4, \"i\\\\j\": 5, \"k\\\"l\": 6, "
    "\" \": 7, \"m~n\": 8}";

static double
num(const char *doc, const char *ptr)
{
	double v = -12345;
	char err[160];

	if (tm_json_number(doc, strlen(doc), ptr, &v, err, sizeof(err)) != 0)
		fail_msg("%s: %s", ptr, err);
	return v;
}

static int
bad(const char *doc, size_t len, const char *ptr, const char *why)
{
	double v;
	char err[160] = "";
	int r;

	r = tm_json_check(doc, len, err, sizeof(err));
	if (r == 0)
		r = tm_json_number(doc, len, ptr, &v, err, sizeof(err));
	if (r == 0)
		return 0;
	if (why != NULL && strstr(err, why) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, why);
	return 1;
}

static void
test_tm_json_rfc6901(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(tm_json_check(rfc, strlen(rfc), err, sizeof(err)), 0);
	assert_true(num(rfc, "/foo/0") == 10);
	assert_true(num(rfc, "/foo/1") == 20);
	assert_true(num(rfc, "/") == 0);
	assert_true(num(rfc, "/a~1b") == 1);
	assert_true(num(rfc, "/c%d") == 2);
	assert_true(num(rfc, "/e^f") == 3);
	assert_true(num(rfc, "/g|h") == 4);
	assert_true(num(rfc, "/i\\j") == 5);
	assert_true(num(rfc, "/k\"l") == 6);
	assert_true(num(rfc, "/ ") == 7);
	assert_true(num(rfc, "/m~0n") == 8);
	assert_true(num(" 42 ", "") == 42);
}

static void
test_tm_json_nested_and_escaped_names(void **state)
{
	static const char d[] = "{\"if\":{\"eth\\u0030\":{\"in\":[1,{\"o\":"
	    "-2.5e3}]},\"caf\\u00e9\":9,\"\\ud83d\\ude00\":11,"
	    "\"caf\xc3\xa9x\":3},\"skip\":[true,false,null,\"x\\n\",{}]}";

	(void)state;
	assert_int_equal(tm_json_check(d, strlen(d), NULL, 0), 0);
	assert_true(num(d, "/if/eth0/in/0") == 1);
	assert_true(num(d, "/if/eth0/in/1/o") == -2500);
	assert_true(num(d, "/if/caf\xc3\xa9") == 9);
	assert_true(num(d, "/if/\xf0\x9f\x98\x80") == 11);
	assert_true(num(d, "/if/caf\xc3\xa9x") == 3);
}

static void
test_tm_json_numbers_and_strings(void **state)
{
	(void)state;
	assert_true(num("{\"c\":18446744073709551615}", "/c") ==
	    18446744073709551615.0);
	assert_true(num("{\"c\":\"18446744073709551615\"}", "/c") ==
	    18446744073709551615.0);
	assert_true(num("[\"12.5\"]", "/0") == 12.5);
	assert_true(num("[0, -0, 1E2, 1e-400]", "/2") == 100);
	assert_true(num("[0, -0, 1E2, 1e-400]", "/3") == 0);
	assert_true(bad("[\" 12\"]", 7, "/0", "string, not a number"));
	assert_true(bad("[\"0x10\"]", 8, "/0", "string, not a number"));
	assert_true(bad("[\"1\\u0032\"]", 11, "/0", "string, not a number"));
	assert_true(bad("[\"\"]", 4, "/0", "string, not a number"));
	assert_true(bad("[\"nan\"]", 7, "/0", "string, not a number"));
	assert_true(bad("[1e400]", 7, "/0", "out of range"));
	assert_true(bad("[-1e400]", 8, "/0", "out of range"));
	assert_true(bad("[true]", 6, "/0", "boolean"));
	assert_true(bad("[null]", 6, "/0", "null"));
	assert_true(bad("[{}]", 4, "/0", "object"));
	assert_true(bad("[[]]", 4, "/0", "array"));
	assert_true(bad("{\"a\":1}", 7, "", "object"));
}

static void
test_tm_json_pointer_misses(void **state)
{
	static const char d[] = "{\"a\":{\"b\":[1,2]},\"n\":5}";
	size_t l = sizeof(d) - 1;

	(void)state;
	assert_true(bad(d, l, "/x", "no member \"x\""));
	assert_true(bad(d, l, "/a/b/2", "past the array's end"));
	assert_true(bad(d, l, "/a/b/01", "not an array index"));
	assert_true(bad(d, l, "/a/b/-", "not an array index"));
	assert_true(bad(d, l, "/a/b/99999999999999999999", "array index"));
	assert_true(bad(d, l, "/n/0", "not inside an object or array"));
	assert_true(bad(d, l, "/a/~2", "bad pointer"));
	assert_true(bad(d, l, "/a~", "bad pointer"));
	assert_true(bad(d, l, "a", "start with '/'"));
	assert_true(bad("{}", 2, "/a", "no member"));
	assert_true(bad("[]", 2, "/0", "past the array's end"));
}

static void
test_tm_json_malformed(void **state)
{
	static const char *const docs[] = {
		"", " ", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}",
		"[1,]", "[1 2]", "{a:1}", "{'a':1}", "[01]", "[1.]", "[.5]",
		"[1e]", "[+1]", "[-]", "[tru]", "[nul]", "[\"a]",
		"[\"\\x\"]", "[\"\\u12\"]", "[\"\\ud800\"]", "[\"\\udc00\"]",
		"[\"\\ud800\\u0041\"]", "[\"\t\"]", "[1] [2]", "{\"a\":1}}",
		"[\"\xff\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]",
		"[\"\xf4\x90\x80\x80\"]", "[\"\xe2\x82\"]", "\xef\xbb\xbf[1]",
		"[1]\x00",
	};
	size_t i;
	char err[160];

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		size_t len = strlen(docs[i]);

		if (i == sizeof(docs) / sizeof(docs[0]) - 1)
			len = 4;	/* a NUL after the value */
		if (tm_json_check(docs[i], len, err, sizeof(err)) == 0)
			fail_msg("accepted malformed document %zu \"%s\"", i,
			    docs[i]);
		assert_non_null(strstr(err, "not JSON"));
	}
	assert_int_equal(tm_json_check("<html>", 6, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unexpected byte 0x3c"));
	/* A truncated answer is refused even if the value came before. */
	assert_true(bad("{\"a\":1,\"b\":[2,3", 15, "/a", "truncated"));
}

static void
test_tm_json_depth_bounded(void **state)
{
	size_t n = 100000, i;
	char *d = malloc(2 * n + 1), err[160];
	double v;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < n; i++) {
		d[i] = '[';
		d[2 * n - 1 - i] = ']';
	}
	assert_int_equal(tm_json_check(d, 2 * n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nested deeper"));
	/* The walk is bounded too, not only the check. */
	assert_int_equal(tm_json_number(d, 2 * n, "/0/0/0/0/0/0/0/0/0/0/0/0/0/"
	    "0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/"
	    "0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0", &v, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "nested deeper"));
	/* Exactly the limit is fine. */
	for (i = 0; i < TM_JSON_MAX_DEPTH; i++) {
		d[i] = '[';
		d[2 * TM_JSON_MAX_DEPTH - 1 - i] = ']';
	}
	assert_int_equal(tm_json_check(d, 2 * TM_JSON_MAX_DEPTH, err,
	    sizeof(err)), 0);
	free(d);
}

struct got {
	size_t		n;
	struct tm_value	v[8];
};

static void
collect(void *arg, const struct tm_value *v)
{
	struct got *g = arg;

	if (g->n < 8)
		g->v[g->n] = *v;
	g->n++;
}

static void
test_tm_json_parse_rest_pointers(void **state)
{
	static const char d[] = "{\"mem\":{\"used\":100,\"free\":\"28\","
	    "\"state\":\"ok\"}}";
	struct conf_tag free_t = { "free", "/mem/free", NULL };
	struct conf_tag used_t = { "used", "/mem/used", &free_t };
	struct conf_tag state_t = { "state", "/mem/state", NULL };
	struct conf_tag one = { "", "/mem/used", NULL };
	struct conf_tm_rest r = { "/api/mem", &used_t };
	struct conf_telemetry t;
	struct got g;
	char err[160];

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&t, 0, sizeof(t));
	t.name = "mem";
	t.rest = &r;
	assert_int_equal(tm_parse_output(&t, CONF_TRANSPORT_REST, d,
	    sizeof(d) - 1, collect, &g, err, sizeof(err)), 2);
	assert_true(g.v[0].tv_value == 100 && g.v[1].tv_value == 28);
	assert_int_equal(g.v[0].tv_nlabels, 1);
	assert_string_equal(g.v[0].tv_labels[0].tl_name, TM_REST_LABEL);
	assert_string_equal(g.v[0].tv_labels[0].tl_value, "used");
	assert_string_equal(g.v[1].tv_labels[0].tl_value, "free");
	/* One pointer: no label. */
	memset(&g, 0, sizeof(g));
	r.pointers = &one;
	assert_int_equal(tm_parse_rest(&r, d, sizeof(d) - 1, collect, &g, err,
	    sizeof(err)), 1);
	assert_int_equal(g.v[0].tv_nlabels, 0);
	/* A value that is no number fails the poll; the others still count. */
	memset(&g, 0, sizeof(g));
	free_t.next = &state_t;
	r.pointers = &used_t;
	assert_int_equal(tm_parse_rest(&r, d, sizeof(d) - 1, collect, &g, err,
	    sizeof(err)), -1);
	assert_int_equal(g.n, 2);
	assert_non_null(strstr(err, "/mem/state"));
	/* Not JSON: nothing at all. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(tm_parse_rest(&r, "<html>", 6, collect, &g, err,
	    sizeof(err)), -1);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(err, "not JSON"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tm_json_rfc6901),
		cmocka_unit_test(test_tm_json_nested_and_escaped_names),
		cmocka_unit_test(test_tm_json_numbers_and_strings),
		cmocka_unit_test(test_tm_json_pointer_misses),
		cmocka_unit_test(test_tm_json_malformed),
		cmocka_unit_test(test_tm_json_depth_bounded),
		cmocka_unit_test(test_tm_json_parse_rest_pointers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

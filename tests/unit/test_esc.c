/*
 * test_esc: what leaves naut for a terminal, a JSON string or a Prometheus
 * label, fed with what a hostile device or fleet file can put there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esc.h"
#include "log.h"

static char *
prom(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	esc_prom_label(s, fp);
	fclose(fp);
	return buf;
}

/* No byte below 0x20, no DEL, no ESC, no C1 and only valid UTF-8 left. */
static void
assert_inert(const char *s)
{
	uint32_t cp;
	size_t l;

	while (*s != '\0') {
		l = esc_utf8(s, &cp);
		assert_true(l > 0);
		assert_true(esc_cp_printable(cp));
		s += l;
	}
}

static void
test_esc_utf8_decoder(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(esc_utf8("a", &cp), 1);
	assert_int_equal(esc_utf8("\xc3\xa9", &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(esc_utf8("\xe2\x82\xac", &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(esc_utf8("\xf0\x9f\x98\x80", &cp), 4);
	assert_int_equal(esc_utf8("\xc0\xaf", &cp), 0);		/* overlong / */
	assert_int_equal(esc_utf8("\xe0\x80\xaf", &cp), 0);
	assert_int_equal(esc_utf8("\xed\xa0\x80", &cp), 0);	/* surrogate */
	assert_int_equal(esc_utf8("\xf4\x90\x80\x80", &cp), 0);	/* > 10FFFF */
	assert_int_equal(esc_utf8("\xff", &cp), 0);
	assert_int_equal(esc_utf8("\xc3", &cp), 0);		/* cut short */
	assert_int_equal(esc_utf8("\x80", &cp), 0);
}

static void
test_esc_term(void **state)
{
	char out[256];

	(void)state;
	esc_term(out, sizeof(out), "plain caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(out, "plain caf\xc3\xa9 \xe2\x82\xac");
	esc_term(out, sizeof(out), "\033[2J\033]0;x\007\r\n\t");
	assert_string_equal(out, "\\x1b[2J\\x1b]0;x\\x07\\x0d\\x0a\\x09");
	/* C1 CSI, raw and UTF-8 encoded; a bidi override; bad bytes. */
	esc_term(out, sizeof(out), "\x9b" "2J \xc2\x9b" "2J \xe2\x80\xae"
	    "txt \xff\xfe\xc0\xaf");
	assert_string_equal(out, "\\x9b2J \\u{009b}2J \\u{202e}txt "
	    "\\xff\\xfe\\xc0\\xaf");
	assert_inert(out);
	/* Cut at a whole escape, always terminated. */
	esc_term(out, 6, "ab\033cd");
	assert_string_equal(out, "ab");
	esc_term(out, 7, "ab\033cd");
	assert_string_equal(out, "ab\\x1b");
	esc_term(out, 8, "ab\033cd");
	assert_string_equal(out, "ab\\x1bc");
}

static void
test_esc_json(void **state)
{
	char out[256];

	(void)state;
	esc_json(out, sizeof(out), "a\"b\\c\nd\te\033[0m\x01");
	assert_string_equal(out, "a\\\"b\\\\c\\nd\\te\\u001b[0m\\u0001");
	esc_json(out, sizeof(out), "\xff ok \xc3\xa9 \xc2\x85 \xe2\x80\xae");
	assert_string_equal(out, "\\ufffd ok \xc3\xa9 \\u0085 \\u202e");
	/* log_json_escape is the same function. */
	log_json_escape(out, sizeof(out), "\xc0\xaf");
	assert_string_equal(out, "\\ufffd\\ufffd");
	assert_inert(out);
}

static void
test_esc_prom_label(void **state)
{
	char *s;

	(void)state;
	s = prom("r1\"} evil{x=\"1\\\n");
	assert_string_equal(s, "r1\\\"} evil{x=\\\"1\\\\\\n");
	free(s);
	s = prom("a\033[2Jb\xff");
	assert_string_equal(s, "a\xef\xbf\xbd[2Jb\xef\xbf\xbd");
	free(s);
}

/* Every byte value alone and after each lead byte: output stays inert. */
static void
test_esc_all_bytes(void **state)
{
	char in[4], out[64];
	int a, b;

	(void)state;
	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			in[2] = '\0';
			esc_term(out, sizeof(out), in);
			assert_inert(out);
			esc_json(out, sizeof(out), in);
			assert_inert(out);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esc_utf8_decoder),
		cmocka_unit_test(test_esc_term),
		cmocka_unit_test(test_esc_json),
		cmocka_unit_test(test_esc_prom_label),
		cmocka_unit_test(test_esc_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

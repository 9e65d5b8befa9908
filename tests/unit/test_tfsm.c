/*
 * test_tfsm: the Python-re-to-PCRE2 translator (what is rewritten, what
 * is rejected), the text as textfsm sees it, and bounded matching: a
 * limit hit is a failed parse, never a quiet "no match".  The rows
 * themselves are checked against python3-textfsm by tfsm_oracle.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tfsm.h"

static void
xlate(const char *py, const char *want)
{
	struct tfsm_rx rx;
	char err[256];

	if (tfsm_rx_translate(py, strlen(py), &rx, err, sizeof(err)) != 0)
		fail_msg("%s: rejected: %s", py, err);
	if (strcmp(rx.rx_pat, want) != 0)
		fail_msg("%s: got %s, want %s", py, rx.rx_pat, want);
	tfsm_rx_clear(&rx);
}

static void
reject(const char *py, const char *why)
{
	struct tfsm_rx rx;
	char err[256];

	if (tfsm_rx_translate(py, strlen(py), &rx, err, sizeof(err)) == 0)
		fail_msg("%s: accepted as %s", py, rx.rx_pat);
	if (strstr(err, why) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", py, err, why);
}

static void
test_tfsm_rx_rewrites(void **state)
{
	struct tfsm_rx rx;
	char err[256];
	const char *longname = "(?P<a_name_that_is_longer_than_32_bytes_ok>x)";

	xlate("a\\Z", "a\\z");
	xlate("a{,2}", "a{0,2}");
	xlate("a{,}b{3}c{2,}", "a*b{3,3}c{2,}");
	xlate("\\v", "\\x{b}");
	xlate("\\u00e9\\U0001F600", "\\x{e9}\\x{1f600}");
	xlate("[[:digit:]]", "[\\x{5b}\\x{3a}\\x{64}\\x{69}\\x{67}\\x{69}"
	    "\\x{74}\\x{3a}]\\x{5d}");
	xlate("\\s\\S", "[\\s\\x{1c}-\\x{1f}][^\\s\\x{1c}-\\x{1f}]");
	xlate("(?a)\\s", "\\s");
	xlate("x{", "x\\x{7b}");
	xlate("x{1, 2}", "x\\x{7b}1\\x{2c} 2\\x{7d}");
	xlate("(?P<n>a)(?P=n)\\1", "(a)\\g{1}\\g{1}");
	xlate("\\141\\0\\07", "\\x{61}\\x{0}\\x{7}");
	reject("\\12", "invalid group reference 12");
	xlate("(?i:a)(?-i:b)", "(?i:a)(?-i:b)");
	xlate("(?x) a b # comment", "ab");
	xlate("a(?#note)+", "a+");
	xlate("(?<=ab|cd)x", "(?<=ab|cd)x");
	xlate("a++(?>b)", "a++(?>b)");
	xlate("(a)?(?(1)b|c)", "(a)?(?(1)b|c)");
	xlate("[]a]", "[\\x{5d}\\x{61}]");
	xlate("[a-]", "[\\x{61}\\x{2d}]");
	xlate("[\\b]", "[\\x{8}]");
	assert_int_equal(tfsm_rx_translate(longname, strlen(longname), &rx,
	    err, sizeof(err)), 0);
	assert_int_equal(rx.rx_ngroups, 1);
	assert_string_equal(rx.rx_names[1],
	    "a_name_that_is_longer_than_32_bytes_ok");
	tfsm_rx_clear(&rx);
}

static void
test_tfsm_rx_rejects(void **state)
{
	reject("\\z", "bad escape");
	reject("\\x{41}", "incomplete escape");
	reject("\\h", "bad escape");
	reject("\\p{L}", "bad escape");
	reject("\\Q", "bad escape");
	reject("\\N{DIGIT ONE}", "not supported");
	reject("a(?i)b", "global flags");
	reject("(?L)a", "'L'");
	reject("(?<n>a)", "unknown extension");
	reject("(?R)", "unknown extension");
	reject("(?<=a|bc)x", "fixed-width");
	reject("(?<=a+)x", "fixed-width");
	reject("[a-\\w]", "bad character range");
	reject("[\\d-z]", "bad character range");
	reject("[z-a]", "bad character range");
	reject("(a)\\10", "invalid group reference");
	reject("\\1(a)", "invalid group reference");
	reject("(a\\1)", "open group");
	reject("(?P<a>x)(?P<a>y)", "redefinition");
	reject("(?P<a-b>x)", "bad character");
	reject("a**", "multiple repeat");
	reject("*a", "nothing to repeat");
	reject("^*", "nothing to repeat");
	reject("a{3,2}", "min repeat greater");
	reject("a{70000}", "too large");
	reject("(a", "missing )");
	reject("a)", "unbalanced");
	reject("[a", "unterminated");
	reject("\\400", "octal");
	reject("\\ud800", "surrogate");
	reject("(?(2)a|b)(x)", "invalid group reference");
	reject("(?(1)a|b|c)(x)", "more than two");
	reject("\xff", "UTF-8");
}

static struct tfsm_tpl *
tpl(const char *text)
{
	char err[512];
	struct tfsm_tpl *t = tfsm_compile(text, strlen(text), "t.tpl", err,
	    sizeof(err));

	if (t == NULL)
		fail_msg("%s", err);
	return t;
}

/* (a+)+$ against a^n b backtracks 2^n times: with a match limit the parse
 * fails as a limit, and a later rule that would match does not run. */
static void
test_tfsm_limit_is_failure(void **state)
{
	struct tfsm_tpl *t = tpl("Value A ((a+)+$)\nValue B (.*)\n\nStart\n"
	    "  ^${A} -> Record\n  ^${B} -> Record\n");
	struct tfsm_limits lim = { 100000, 0, 0, 0, 0 };
	struct tfsm_res *r;
	enum tfsm_fail why;
	char text[64], err[512];

	/* n = 20: PCRE2's default limit (10M) lets this end as no match, so
	 * only the engine's own limit makes it fail. */
	memset(text, 'a', 20);
	strcpy(text + 20, "b\n");
	r = tfsm_parse(t, text, strlen(text), &lim, &why, err, sizeof(err));
	assert_null(r);
	assert_int_equal(why, TFSM_LIMIT);
	assert_non_null(strstr(err, "t.tpl:5: "));
	assert_non_null(strstr(err, "input line 1"));
	/* Without the hostile line the same template parses. */
	r = tfsm_parse(t, "aaa\nxyz\n", 8, &lim, &why, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(tfsm_nrows(r), 2);
	tfsm_res_free(r);
	tfsm_free(t);
}

/* A 200k-character line needs more than the default 32 KiB JIT stack:
 * the engine's stack takes it, a tiny one is a limit failure. */
static void
test_tfsm_jit_stack(void **state)
{
	struct tfsm_tpl *t = tpl("Value A ((a|b)*c)\n\nStart\n  ^${A} -> "
	    "Record\n");
	struct tfsm_limits tiny = { 0, 0, 0, 4096, 0 };
	size_t n = 200000;
	char *text = malloc(n + 2), err[512];
	struct tfsm_res *r;
	enum tfsm_fail why;

	memset(text, 'a', n);
	text[n] = 'c';
	text[n + 1] = '\n';
	r = tfsm_parse(t, text, n + 2, NULL, &why, err, sizeof(err));
	if (r == NULL)
		fail_msg("%s", err);
	assert_int_equal(tfsm_nrows(r), 1);
	assert_int_equal(tfsm_cell(r, 0, 0)->c_len, n + 1);
	tfsm_res_free(r);
	r = tfsm_parse(t, text, n + 2, &tiny, &why, err, sizeof(err));
	assert_null(r);
	assert_int_equal(why, TFSM_LIMIT);
	free(text);
	tfsm_free(t);
}

static void
test_tfsm_max_rows(void **state)
{
	struct tfsm_tpl *t = tpl("Value A (.)\n\nStart\n  ^${A} -> Record\n");
	struct tfsm_limits lim = { 0, 0, 0, 0, 3 };
	enum tfsm_fail why;
	char err[512];

	assert_null(tfsm_parse(t, "a\nb\nc\nd\n", 8, &lim, &why, err,
	    sizeof(err)));
	assert_int_equal(why, TFSM_TOO_MANY_ROWS);
	tfsm_free(t);
}

/* Invalid UTF-8 becomes U+FFFD per maximal subpart, lines end where
 * str.splitlines() ends them, and the JSON escapes a NUL. */
static void
test_tfsm_text(void **state)
{
	struct tfsm_tpl *t = tpl("Value L (.*)\n\nStart\n  ^${L} -> Record\n");
	const char in[] = "\xe2\x82" "A\r\n\xed\xa0\x80x\x1cq\0z";
	struct tfsm_res *r;
	enum tfsm_fail why;
	char err[512], *out = NULL;
	size_t len = 0;
	FILE *fp;

	r = tfsm_parse(t, in, sizeof(in) - 1, NULL, &why, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(tfsm_nrows(r), 3);
	assert_memory_equal(tfsm_cell(r, 0, 0)->c_str, "\xef\xbf\xbd" "A", 4);
	assert_int_equal(tfsm_cell(r, 1, 0)->c_len, 10);
	fp = open_memstream(&out, &len);
	assert_int_equal(tfsm_json(t, r, fp), 0);
	fclose(fp);
	assert_non_null(strstr(out, "{\"L\":\"q\\u0000z\"}"));
	free(out);
	tfsm_res_free(r);
	tfsm_free(t);
}

static void
test_tfsm_template_errors(void **state)
{
	char err[512];
	const char *bad = "Value A (x)\n\nStart\n  ^${A}\n\xff\n";

	assert_null(tfsm_compile(bad, strlen(bad), "e.tpl", err, sizeof(err)));
	assert_string_equal(err, "e.tpl:5: invalid UTF-8");
	assert_null(tfsm_compile("", 0, "e.tpl", err, sizeof(err)));
	assert_string_equal(err, "e.tpl:1: Missing state 'Start'");
	assert_null(tfsm_load("/nonexistent/x.tpl", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/x.tpl: "));
}

/* An index as ntc-templates writes one: completion, first row wins, an
 * empty cell matches everything, a bad row is file:line. */
static void
test_tfsm_index(void **state)
{
	char dir[] = "/tmp/test_tfsm.XXXXXX", path[4200], err[512];
	struct tfsm_index *ix;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/index", dir);
	fp = fopen(path, "w");
	fputs("# comment\n\nTemplate, Hostname, Platform, Command\n\n"
	    "ios_ver.tpl, .*, cisco_ios, sh[[ow]] ver[[sion]]\n"
	    "ios_int.tpl, , cisco_ios, sh[[ow]] ip int[[erface]] br[[ief]]\n"
	    "any_int.tpl, , , sh[[ow]] int[[erfaces]]\n", fp);
	fclose(fp);
	ix = tfsm_index_load(dir, err, sizeof(err));
	if (ix == NULL)
		fail_msg("%s", err);
	assert_int_equal(tfsm_index_lookup(ix, "cisco_ios", "sh ver", NULL,
	    path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/ios_ver.tpl"));
	assert_int_equal(tfsm_index_lookup(ix, "cisco_ios", "show version",
	    "r1", path, sizeof(path)), 0);
	assert_int_equal(tfsm_index_lookup(ix, "cisco_ios", "show ip int br",
	    NULL, path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/ios_int.tpl"));
	assert_int_equal(tfsm_index_lookup(ix, "arista_eos", "show int",
	    NULL, path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/any_int.tpl"));
	assert_int_equal(tfsm_index_lookup(ix, "arista_eos", "show version",
	    NULL, path, sizeof(path)), -1);
	assert_int_equal(tfsm_index_lookup(ix, "cisco_ios", "shw ver", NULL,
	    path, sizeof(path)), -1);
	tfsm_index_free(ix);
	assert_string_equal(tfsm_index_platform("junos"), "juniper_junos");
	assert_string_equal(tfsm_index_platform("arista_eos"), "arista_eos");
	snprintf(path, sizeof(path), "%s/index", dir);
	fp = fopen(path, "w");
	fputs("Template, Platform, Command\nok.tpl, x, y\n../up.tpl, x, y\n",
	    fp);
	fclose(fp);
	assert_null(tfsm_index_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "/index:3: template must be"));
	fp = fopen(path, "w");
	fputs("Template, Platform, Command\nok.tpl, (x, y\n", fp);
	fclose(fp);
	assert_null(tfsm_index_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "/index:2: bad regex"));
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tfsm_rx_rewrites),
		cmocka_unit_test(test_tfsm_rx_rejects),
		cmocka_unit_test(test_tfsm_limit_is_failure),
		cmocka_unit_test(test_tfsm_jit_stack),
		cmocka_unit_test(test_tfsm_max_rows),
		cmocka_unit_test(test_tfsm_text),
		cmocka_unit_test(test_tfsm_template_errors),
		cmocka_unit_test(test_tfsm_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

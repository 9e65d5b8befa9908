/*
 * test_worker_pure: the I/O-free parts of a worker: backoff arithmetic,
 * rendezvous sharding, the CLI prompt collector and secret scrubbing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backoff.h"
#include "prompt.h"
#include "scrub.h"
#include "shard.h"

static void
test_backoff_cap_doubles_to_max(void **state)
{
	(void)state;
	assert_int_equal(backoff_cap(1000, 30000, 0), 1000);
	assert_int_equal(backoff_cap(1000, 30000, 1), 2000);
	assert_int_equal(backoff_cap(1000, 30000, 4), 16000);
	assert_int_equal(backoff_cap(1000, 30000, 5), 30000);
	assert_int_equal(backoff_cap(1000, 30000, 200), 30000);
	assert_int_equal(backoff_cap(UINT64_MAX / 3, UINT64_MAX, 10),
	    UINT64_MAX);
}

static void
test_backoff_full_jitter_range(void **state)
{
	uint64_t s = 42, lo = UINT64_MAX, hi = 0, sum = 0;
	int i;

	(void)state;
	assert_int_equal(backoff_delay(100, 1000, 3, 0), 0);
	assert_int_equal(backoff_delay(100, 1000, 3, UINT64_MAX), 800);
	for (i = 0; i < 100000; i++) {
		uint64_t d = backoff_delay(100, 1000, 3, backoff_rand(&s));

		assert_true(d <= 800);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += d;
	}
	/* Full jitter: spread over the whole range, mean near the middle. */
	assert_true(lo < 10);
	assert_true(hi > 790);
	assert_true(sum / 100000 > 380 && sum / 100000 < 420);
}

static void
test_shard_stable_and_balanced(void **state)
{
	uint32_t cnt[4] = { 0 }, moved = 0, k, n;
	char name[32];
	int i;

	(void)state;
	for (i = 0; i < 40000; i++) {
		uint32_t a, b;

		snprintf(name, sizeof(name), "dev%06d", i);
		a = shard_pick(name, 4, SHARD_SEED_WORKER);
		b = shard_pick(name, 5, SHARD_SEED_WORKER);
		assert_true(a < 4);
		assert_int_equal(a, shard_pick(name, 4, SHARD_SEED_WORKER));
		cnt[a]++;
		/* Growing 4 -> 5 moves a device only to the new bucket. */
		if (a != b) {
			assert_int_equal(b, 4);
			moved++;
		}
	}
	for (i = 0; i < 4; i++)
		assert_true(cnt[i] > 9000 && cnt[i] < 11000);
	assert_true(moved > 7000 && moved < 9000);	/* about 1/5 */
	assert_int_equal(shard_parse("2/8", &k, &n), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 8);
	assert_int_equal(shard_parse("8/8", &k, &n), -1);
	assert_int_equal(shard_parse("1/0", &k, &n), -1);
	assert_int_equal(shard_parse("a/2", &k, &n), -1);
	assert_int_equal(shard_parse("1/2x", &k, &n), -1);
}

struct pfix {
	regex_t	re, more;
};

static int
pfix_setup(void **state)
{
	struct pfix *f = calloc(1, sizeof(*f));

	assert_int_equal(regcomp(&f->re, "^[A-Za-z0-9._-]{1,64}[>#] ?$",
	    REG_EXTENDED), 0);
	assert_int_equal(regcomp(&f->more, "--More--", REG_EXTENDED), 0);
	*state = f;
	return 0;
}

static int
pfix_teardown(void **state)
{
	struct pfix *f = *state;

	regfree(&f->re);
	regfree(&f->more);
	free(f);
	return 0;
}

/* Feed s split at every position, in two pieces; expect ev at the end. */
static void
feed_split(struct pfix *f, const char *cmd, const char *s, enum prompt_ev ev,
    const char *want)
{
	size_t n = strlen(s), cut, len;

	for (cut = 0; cut <= n; cut++) {
		struct prompt p;
		enum prompt_ev e1, e2;
		const char *o;

		prompt_init(&p, &f->re, &f->more, 1 << 20);
		prompt_begin(&p, NULL);
		assert_int_equal(prompt_feed(&p, "r1#", 3), PROMPT_DONE);
		prompt_begin(&p, cmd);
		e1 = prompt_feed(&p, s, cut);
		e2 = prompt_feed(&p, s + cut, n - cut);
		/* Only a complete prompt at the very end may finish. */
		if (cut < n) {
			assert_int_not_equal(e1, PROMPT_DONE);
			assert_int_equal(e2, ev);
		} else
			assert_int_equal(e1, ev);
		o = prompt_output(&p, &len);
		assert_int_equal(len, strlen(want));
		assert_memory_equal(o, want, len);
		prompt_free(&p);
	}
}

static void
test_prompt_strips_echo_and_prompt(void **state)
{
	feed_split(*state, "show clock", "show clock\r\n*10:00:00 UTC\r\nr1#",
	    PROMPT_DONE, "*10:00:00 UTC\n");
}

static void
test_prompt_learned_prompt_only(void **state)
{
	struct pfix *f = *state;
	struct prompt p;
	size_t len;

	prompt_init(&p, &f->re, &f->more, 1 << 20);
	prompt_begin(&p, NULL);
	assert_int_equal(prompt_feed(&p, "banner\r\nr1#", 11), PROMPT_DONE);
	prompt_begin(&p, "show run");
	/* Looks like a prompt, but is not the one we learned. */
	assert_int_equal(prompt_feed(&p, "show run\r\nbanner#", 17),
	    PROMPT_NONE);
	assert_int_equal(prompt_feed(&p, "\r\nend\r\nr1#", 10), PROMPT_DONE);
	prompt_output(&p, &len);
	assert_int_equal(len, strlen("banner#\nend\n"));
	assert_memory_equal(p.out, "banner#\nend\n", len);
	prompt_free(&p);
}

static void
test_prompt_pager_and_backspaces(void **state)
{
	struct pfix *f = *state;
	struct prompt p;
	size_t len;

	prompt_init(&p, &f->re, &f->more, 1 << 20);
	prompt_begin(&p, NULL);
	assert_int_equal(prompt_feed(&p, "r1#", 3), PROMPT_DONE);
	prompt_begin(&p, "show x");
	assert_int_equal(prompt_feed(&p, "show x\r\na\r\n --More-- ", 21),
	    PROMPT_MORE);
	/* IOS erases the marker with backspaces, spaces, backspaces. */
	assert_int_equal(prompt_feed(&p, "\b\b\b\b\b\b\b\b\b\b          "
	    "\b\b\b\b\b\b\b\b\b\bb\r\nr1#", 36), PROMPT_DONE);
	prompt_output(&p, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(p.out, "a\nb\n", 4);
	assert_int_equal(p.pages, 1);
	prompt_free(&p);
}

#define FEED(p, s)	prompt_feed((p), (s), strlen(s))

/* Junos, NX-OS: "\r<spaces>\r" erases the pager; a lone CR overwrites. */
static void
test_prompt_carriage_return_overwrites(void **state)
{
	struct pfix *f = *state;
	struct prompt p;
	size_t len;

	prompt_init(&p, &f->re, &f->more, 1 << 20);
	prompt_begin(&p, NULL);
	assert_int_equal(prompt_feed(&p, "r1#", 3), PROMPT_DONE);
	prompt_begin(&p, "show x");
	assert_int_equal(FEED(&p, "show x\r\na\r\n--More--"), PROMPT_MORE);
	assert_int_equal(FEED(&p, "\r          \r!\r\nabc\rXY\r\nr1#"),
	    PROMPT_DONE);
	prompt_output(&p, &len);
	assert_int_equal(len, strlen("a\n!\nXY\n"));
	assert_memory_equal(p.out, "a\n!\nXY\n", len);
	/* The prompt itself may come after an erase. */
	prompt_begin(&p, "c");
	assert_int_equal(FEED(&p, "c\r\nz\r\n\r     \rr1#"), PROMPT_DONE);
	prompt_output(&p, &len);
	assert_int_equal(len, 2);
	prompt_free(&p);
}

static void
test_prompt_limit_and_long_lines(void **state)
{
	struct pfix *f = *state;
	struct prompt p;
	char big[3000];
	size_t len;

	memset(big, 'x', sizeof(big));
	prompt_init(&p, &f->re, &f->more, 4096);
	prompt_begin(&p, NULL);
	assert_int_equal(prompt_feed(&p, "r1#", 3), PROMPT_DONE);
	prompt_begin(&p, "c");
	/* A long line streams out and is never taken for a prompt. */
	assert_int_equal(prompt_feed(&p, big, sizeof(big)), PROMPT_NONE);
	assert_int_equal(prompt_feed(&p, "\nr1#", 4), PROMPT_DONE);
	prompt_output(&p, &len);
	assert_int_equal(len, sizeof(big) + 1);
	prompt_begin(&p, "c");
	assert_int_equal(prompt_feed(&p, big, sizeof(big)), PROMPT_NONE);
	assert_int_equal(prompt_feed(&p, big, sizeof(big)), PROMPT_TOOBIG);
	prompt_free(&p);
}

static void
test_scrub_replaces_last_group(void **state)
{
	regex_t re[3];
	const char *in = "hostname r1\nenable secret 5 $1$abc\n"
	    "snmp-server community PUBLIC RO\nsnmp-server community X RW\n"
	    "set x \"$9$a\" y \"$9$b\"\n";
	const char *want = "hostname r1\nenable secret 5 <removed>\n"
	    "snmp-server community <removed> RO\n"
	    "snmp-server community <removed> RW\n"
	    "set x \"<removed>\" y \"<removed>\"\n";
	char *out;
	size_t len, n;

	(void)state;
	assert_int_equal(regcomp(&re[0], "^ *enable (secret|password)"
	    "( [0-9]+)? ([^ ]+)", REG_EXTENDED | REG_NEWLINE), 0);
	assert_int_equal(regcomp(&re[1], "^ *snmp-server community ([^ ]+)",
	    REG_EXTENDED | REG_NEWLINE), 0);
	assert_int_equal(regcomp(&re[2], "(\\$9\\$[^\";]+)",
	    REG_EXTENDED | REG_NEWLINE), 0);
	n = scrub_text(re, 3, in, strlen(in), &out, &len);
	assert_int_equal(n, 5);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
	/* Binary lines pass through untouched; no trailing newline kept. */
	n = scrub_text(re, 3, "a\0enable secret 1 x\nb", 21, &out, &len);
	assert_int_equal(n, 0);
	assert_int_equal(len, 21);
	free(out);
	regfree(&re[0]);
	regfree(&re[1]);
	regfree(&re[2]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_cap_doubles_to_max),
		cmocka_unit_test(test_backoff_full_jitter_range),
		cmocka_unit_test(test_shard_stable_and_balanced),
		cmocka_unit_test_setup_teardown(
		    test_prompt_strips_echo_and_prompt, pfix_setup,
		    pfix_teardown),
		cmocka_unit_test_setup_teardown(test_prompt_learned_prompt_only,
		    pfix_setup, pfix_teardown),
		cmocka_unit_test_setup_teardown(
		    test_prompt_pager_and_backspaces, pfix_setup,
		    pfix_teardown),
		cmocka_unit_test_setup_teardown(
		    test_prompt_carriage_return_overwrites, pfix_setup,
		    pfix_teardown),
		cmocka_unit_test_setup_teardown(
		    test_prompt_limit_and_long_lines, pfix_setup,
		    pfix_teardown),
		cmocka_unit_test(test_scrub_replaces_last_group),
	};

	return cmocka_run_group_tests_name("worker_pure", tests, NULL, NULL);
}

/*
 * test_ncframe: NETCONF framing (RFC 6242), both versions: every message
 * is fed split at every byte boundary and one byte at a time; malformed
 * chunk headers and oversize messages are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ncframe.h"

/* Feed s split at cut; expect exactly one message equal to want. */
static void
expect_split(enum ncf_mode mode, const char *s, size_t n, size_t cut,
    const char *want, size_t wantlen)
{
	struct ncf f;
	size_t used, len, off = 0;
	enum ncf_ev ev;
	const char *m;

	ncf_init(&f, mode, 1 << 20);
	ev = ncf_feed(&f, s, cut, &used);
	if (ev == NCF_NEED) {
		assert_int_equal(used, cut);
		ev = ncf_feed(&f, s + cut, n - cut, &used);
		off = cut;
	}
	assert_int_equal(ev, NCF_MSG);
	assert_int_equal(off + used, n);
	m = ncf_msg(&f, &len);
	assert_int_equal(len, wantlen);
	assert_memory_equal(m, want, len);
	ncf_free(&f);
}

static void
expect_bytewise(enum ncf_mode mode, const char *s, size_t n, const char *want,
    size_t wantlen)
{
	struct ncf f;
	size_t i, used, len;
	enum ncf_ev ev = NCF_NEED;

	ncf_init(&f, mode, 1 << 20);
	for (i = 0; i < n; i++) {
		ev = ncf_feed(&f, s + i, 1, &used);
		assert_int_equal(used, 1);
		if (i + 1 < n)
			assert_int_equal(ev, NCF_NEED);
	}
	assert_int_equal(ev, NCF_MSG);
	assert_memory_equal(ncf_msg(&f, &len), want, wantlen);
	assert_int_equal(len, wantlen);
	ncf_free(&f);
}

static void
every_split(enum ncf_mode mode, const char *s, size_t n, const char *want,
    size_t wantlen)
{
	size_t cut;

	for (cut = 0; cut <= n; cut++)
		expect_split(mode, s, n, cut, want, wantlen);
	expect_bytewise(mode, s, n, want, wantlen);
}

static void
test_ncframe_eom_every_split(void **state)
{
	const char *s = "<hello/>]]>]]>";

	(void)state;
	every_split(NCF_EOM, s, strlen(s), "<hello/>", 8);
}

/* Parts of the marker inside the message are message. */
static void
test_ncframe_eom_near_markers(void **state)
{
	const char *msg = "x]]>]]y]]]>]]]>]z]";
	char s[64];

	(void)state;
	snprintf(s, sizeof(s), "%s]]>]]>", msg);
	every_split(NCF_EOM, s, strlen(s), msg, strlen(msg));
}

static void
test_ncframe_two_messages_in_one_read(void **state)
{
	const char *s = "<a/>]]>]]><b/>]]>]]>";
	struct ncf f;
	size_t used, len, n = strlen(s);

	(void)state;
	ncf_init(&f, NCF_EOM, 1024);
	assert_int_equal(ncf_feed(&f, s, n, &used), NCF_MSG);
	assert_int_equal(used, 10);
	assert_string_equal(ncf_msg(&f, &len), "<a/>");
	/* After the hello, the rest is read with chunked framing. */
	assert_int_equal(ncf_feed(&f, s + used, n - used, &used), NCF_MSG);
	assert_string_equal(ncf_msg(&f, &len), "<b/>");
	ncf_free(&f);
}

static void
test_ncframe_chunked_every_split(void **state)
{
	/* RFC 6242 section 4.2's example, as one message. */
	const char *s = "\n#4\n<rpc\n#18\n message-id=\"102\"\n\n##\n";
	const char *want = "<rpc message-id=\"102\"\n";

	(void)state;
	every_split(NCF_CHUNKED, s, strlen(s), want, strlen(want));
}

static void
test_ncframe_chunked_binaryish_data(void **state)
{
	/* Chunk data is counted, never scanned: "\n##\n" inside is data. */
	const char s[] = "\n#9\na\n##\n]]>\0\n##\n";
	const char want[] = "a\n##\n]]>\0";

	(void)state;
	every_split(NCF_CHUNKED, s, sizeof(s) - 1, want, sizeof(want) - 1);
}

static void
expect_error(const char *s, const char *why)
{
	struct ncf f;
	size_t used;

	ncf_init(&f, NCF_CHUNKED, 1 << 20);
	assert_int_equal(ncf_feed(&f, s, strlen(s), &used), NCF_ERR);
	if (strstr(ncf_error(&f), why) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", s,
		    ncf_error(&f), why);
	ncf_free(&f);
}

static void
test_ncframe_chunked_malformed(void **state)
{
	(void)state;
	expect_error("<rpc/>", "must start with a newline");
	expect_error("\n4\n", "must start with \"\\n#\"");
	expect_error("\n#0\n", "digit 1-9");
	expect_error("\n#-1\n", "digit 1-9");
	expect_error("\n#12a\n", "decimal digits");
	expect_error("\n#4294967296\n", "over 4294967295");
	expect_error("\n#10000000000", "over 4294967295");
	expect_error("\n#2\nab\n##x", "end of chunks");
	expect_error("\n#2\nabX", "must start with a newline");
	/* RFC 6242 4.2: Chunked-Message = 1*chunk end-of-chunks. */
	expect_error("\n##\n", "before any chunk");
}

/*
 * The hello ends in base:1.0 framing and the next message, in the same
 * read, is already chunked (RFC 6242 4.1): the caller switches between.
 */
static void
test_ncframe_switch_after_hello(void **state)
{
	const char s[] = "<hello/>]]>]]>\n#5\n<ok/>\n##\n";
	struct ncf f;
	size_t used, len, cut;

	(void)state;
	for (cut = 1; cut < sizeof(s) - 1; cut++) {
		size_t off = 0, n;
		enum ncf_ev ev;
		int got = 0;

		ncf_init(&f, NCF_EOM, 1024);
		while (off < sizeof(s) - 1) {
			n = off < cut ? cut - off : sizeof(s) - 1 - off;
			ev = ncf_feed(&f, s + off, n, &used);
			off += used;
			if (ev == NCF_NEED)
				continue;
			assert_int_equal(ev, NCF_MSG);
			if (got++ == 0) {
				assert_string_equal(ncf_msg(&f, &len),
				    "<hello/>");
				ncf_set_mode(&f, NCF_CHUNKED);
			} else
				assert_string_equal(ncf_msg(&f, &len), "<ok/>");
		}
		assert_int_equal(got, 2);
		ncf_free(&f);
	}
}

static void
test_ncframe_oversize(void **state)
{
	struct ncf f;
	size_t used;
	char big[64];

	(void)state;
	ncf_init(&f, NCF_CHUNKED, 10);
	/* Refused at the header, before any data is held. */
	assert_int_equal(ncf_feed(&f, "\n#20\n", 5, &used), NCF_TOOBIG);
	ncf_free(&f);
	ncf_init(&f, NCF_CHUNKED, 10);
	assert_int_equal(ncf_feed(&f, "\n#6\nabcdef\n#6\n", 14, &used),
	    NCF_TOOBIG);
	ncf_free(&f);
	memset(big, 'x', sizeof(big));
	ncf_init(&f, NCF_EOM, 10);
	assert_int_equal(ncf_feed(&f, big, sizeof(big), &used), NCF_TOOBIG);
	assert_true(f.len <= 10);
	ncf_free(&f);
}

static void
test_ncframe_frame_roundtrip(void **state)
{
	const char *msg = "<rpc message-id=\"1\"><get/></rpc>";
	enum ncf_mode modes[2] = { NCF_EOM, NCF_CHUNKED };
	size_t i, n, len, used;
	struct ncf f;
	char *out;

	(void)state;
	for (i = 0; i < 2; i++) {
		out = ncf_frame(modes[i], msg, strlen(msg), &n);
		ncf_init(&f, modes[i], 1024);
		assert_int_equal(ncf_feed(&f, out, n, &used), NCF_MSG);
		assert_int_equal(used, n);
		assert_string_equal(ncf_msg(&f, &len), msg);
		ncf_free(&f);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ncframe_eom_every_split),
		cmocka_unit_test(test_ncframe_eom_near_markers),
		cmocka_unit_test(test_ncframe_two_messages_in_one_read),
		cmocka_unit_test(test_ncframe_chunked_every_split),
		cmocka_unit_test(test_ncframe_chunked_binaryish_data),
		cmocka_unit_test(test_ncframe_chunked_malformed),
		cmocka_unit_test(test_ncframe_switch_after_hello),
		cmocka_unit_test(test_ncframe_oversize),
		cmocka_unit_test(test_ncframe_frame_roundtrip),
	};

	return cmocka_run_group_tests_name("ncframe", tests, NULL, NULL);
}

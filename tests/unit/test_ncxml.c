/*
 * test_ncxml: the NETCONF XML scanner and the hello / rpc-reply readers.
 * Well-formed input gives the tokens and fields expected; malformed input
 * is refused with a reason; every truncation and many mutations of a real
 * reply are refused or read without reading past the message (run under
 * make asan to see the latter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ncxml.h"

/* A reply as netconfd 2.13 sends it, with a prefix and references added. */
static const char reply_data[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<nc:rpc-reply message-id=\"101\" xmlns:nc=\"urn:ietf:params:xml:ns:"
    "netconf:base:1.0\"\n  last-modified=\"2026-11-25T20:31:13Z\">\n"
    "  <nc:data>\n    <nacm xmlns=\"urn:ietf:params:xml:ns:yang:ietf-"
    "netconf-acm\">\n    </nacm><!-- a comment -->\n"
    "    <x a='1 &amp; 2'>&lt;&#65;&#x42;<![CDATA[<raw>]]></x>\n"
    "  </nc:data>\n</nc:rpc-reply>";

/* Copy into an exactly sized heap buffer so ASan sees any overread. */
static char *
dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, s, n);
	return p;
}

static void
test_ncxml_tokens(void **state)
{
	const char *s = "<?xml version=\"1.0\"?><a:r xmlns:a=\"u\" id='7'>"
	    "t&amp;x<b/><!-- c --><![CDATA[<d>]]></a:r>\n";
	struct ncx x;
	struct ncx_tok t;
	char v[16];

	(void)state;
	ncx_init(&x, s, strlen(s));
	assert_int_equal(ncx_next(&x, &t), NCX_START);
	assert_true(ncx_is(&t, "r"));
	assert_int_equal(t.depth, 0);
	assert_int_equal(ncx_attr(&t, "id", v, sizeof(v)), 0);
	assert_string_equal(v, "7");
	/* xmlns:a declares a prefix: never an attribute named "a". */
	assert_int_equal(ncx_attr(&t, "a", v, sizeof(v)), -1);
	assert_int_equal(ncx_next(&x, &t), NCX_TEXT);
	assert_int_equal(t.textlen, 7);
	assert_int_equal(t.depth, 1);
	assert_int_equal(ncx_next(&x, &t), NCX_EMPTY);
	assert_true(ncx_is(&t, "b"));
	assert_int_equal(t.depth, 1);
	assert_int_equal(ncx_next(&x, &t), NCX_CDATA);
	assert_int_equal(t.textlen, 3);
	assert_memory_equal(t.text, "<d>", 3);
	assert_int_equal(ncx_next(&x, &t), NCX_END);
	assert_true(ncx_is(&t, "r"));
	assert_int_equal(t.depth, 0);
	assert_int_equal(ncx_next(&x, &t), NCX_EOF);
	assert_int_equal(ncx_next(&x, &t), NCX_EOF);
}

static void
expect_bad(const char *s, const char *why)
{
	struct ncx x;
	struct ncx_tok t;
	enum ncx_type ty;
	char *p = dup_exact(s, strlen(s));
	int i;

	ncx_init(&x, p, strlen(s));
	for (i = 0; i < 1000; i++)
		if ((ty = ncx_next(&x, &t)) == NCX_ERR || ty == NCX_EOF)
			break;
	if (ty != NCX_ERR)
		fail_msg("\"%s\" was accepted", s);
	if (strstr(ncx_error(&x), why) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", s, ncx_error(&x),
		    why);
	/* An error repeats. */
	assert_int_equal(ncx_next(&x, &t), NCX_ERR);
	free(p);
}

static void
test_ncxml_malformed(void **state)
{
	(void)state;
	expect_bad("", "no root element");
	expect_bad("  \n", "no root element");
	expect_bad("<a>", "ends inside an element");
	expect_bad("<a></b>", "does not match");
	expect_bad("<a:x></b:x>", "does not match");
	expect_bad("</a>", "without a start tag");
	expect_bad("<a/><b/>", "second root");
	expect_bad("<a/>x", "text outside the root");
	expect_bad("x<a/>", "text outside the root");
	expect_bad("<!DOCTYPE a [<!ENTITY e \"x\">]><a/>", "DOCTYPE");
	expect_bad("<a>&e;</a>", "bad reference");
	expect_bad("<a>&#0;</a>", "bad reference");
	expect_bad("<a>&#x110000;</a>", "bad reference");
	expect_bad("<a>&#xD800;</a>", "bad reference");
	expect_bad("<a>&amp</a>", "bad reference");
	expect_bad("<a>\001</a>", "control character");
	expect_bad("<a b=c/>", "quoted");
	expect_bad("<a b/>", "without '='");
	expect_bad("<a b='1'c='2'/>", "separated by space");
	expect_bad("<a b='<'/>", "'<' in an attribute");
	expect_bad("<a b='1", "unterminated attribute");
	expect_bad("<a b='1'", "unterminated start tag");
	expect_bad("<a/ >", "'/' not followed by '>'");
	expect_bad("<1a/>", "bad element name");
	expect_bad("<a><!-- x </a>", "unterminated comment");
	expect_bad("<a><![CDATA[ x </a>", "unterminated CDATA");
	expect_bad("<?xml version='1.0'", "unterminated processing");
	expect_bad("<a></a", "unterminated end tag");
	expect_bad("<![CDATA[x]]><a/>", "CDATA outside");
}

static void
test_ncxml_depth_limit(void **state)
{
	size_t n = NCX_MAX_DEPTH + 1, i;
	char *s = malloc(n * 3 + 1), *p = s;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < n; i++) {
		memcpy(p, "<a>", 3);
		p += 3;
	}
	*p = '\0';
	expect_bad(s, "nested too deep");
	free(s);
}

static void
test_ncxml_text_decode(void **state)
{
	char out[32];
	size_t olen = 0;
	const char *in = "a&lt;&#233;&#x20AC;\tb&bogus;";

	(void)state;
	ncx_text_append(in, strlen(in), 1, out, sizeof(out), &olen);
	assert_string_equal(out, "a<\xc3\xa9\xe2\x82\xac b&bogus;");
	/* Truncated to the buffer, never past it, and terminated. */
	olen = 0;
	ncx_text_append("abcdefgh", 8, 0, out, 4, &olen);
	assert_int_equal(olen, 3);
	assert_string_equal(out, "abc");
	/* A multi-byte character that does not fit is left out whole. */
	olen = 0;
	ncx_text_append("ab&#233;", 8, 1, out, 4, &olen);
	assert_string_equal(out, "ab");
}

static void
test_ncxml_hello(void **state)
{
	const char *h =
	    "<hello xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
	    "<capabilities>\n"
	    "  <capability>\n    urn:ietf:params:netconf:base:1.0\n"
	    "  </capability>\n"
	    "  <capability><![CDATA[urn:ietf:params:netconf:base:1.1]]>"
	    "</capability>\n"
	    "  <capability>urn:ietf:params:netconf:capability:candidate:1.0"
	    "</capability>\n"
	    "</capabilities><session-id> 42 </session-id></hello>";
	const char *h10 = "<nc:hello xmlns:nc=\"urn:ietf:params:xml:ns:"
	    "netconf:base:1.0\"><nc:capabilities><nc:capability>"
	    "urn:ietf:params:netconf:base:1.0</nc:capability>"
	    "</nc:capabilities></nc:hello>";
	const char *near = "<hello><capabilities><capability>"
	    "urn:ietf:params:netconf:base:1.1?x=1</capability>"
	    "<capability>urn:ietf:params:netconf:base:1.0:extra</capability>"
	    "</capabilities></hello>";
	struct ncx_hello hh;
	char err[128];

	(void)state;
	assert_int_equal(ncx_hello(h, strlen(h), &hh, err, sizeof(err)),
	    NCX_MSG_HELLO);
	assert_true(hh.base10);
	assert_true(hh.base11);
	assert_int_equal(hh.ncaps, 3);
	assert_string_equal(hh.session_id, "42");
	assert_int_equal(ncx_hello(h10, strlen(h10), &hh, err, sizeof(err)),
	    NCX_MSG_HELLO);
	assert_true(hh.base10);
	assert_false(hh.base11);
	/* Only exact base capabilities count. */
	assert_int_equal(ncx_hello(near, strlen(near), &hh, err,
	    sizeof(err)), NCX_MSG_OTHER);
	assert_non_null(strstr(err, "neither base:1.0 nor base:1.1"));
	assert_int_equal(ncx_hello("<rpc-reply/>", 12, &hh, err, sizeof(err)),
	    NCX_MSG_OTHER);
	assert_non_null(strstr(err, "expected <hello>"));
	assert_int_equal(ncx_hello("<hello>", 7, &hh, err, sizeof(err)),
	    NCX_MSG_BAD);
}

static void
test_ncxml_reply_data(void **state)
{
	struct ncx_reply r;
	char err[128];
	const char *want_start = "\n    <nacm xmlns=";
	const char *want_end = "<![CDATA[<raw>]]></x>\n  ";

	(void)state;
	assert_int_equal(ncx_reply(reply_data, sizeof(reply_data) - 1, &r, err,
	    sizeof(err)), NCX_MSG_REPLY);
	assert_true(r.has_mid);
	assert_string_equal(r.message_id, "101");
	assert_true(r.has_data);
	assert_int_equal(r.nerrors, 0);
	assert_false(r.ok);
	/* The inside of <data>, byte for byte. */
	assert_memory_equal(reply_data + r.data_off, want_start,
	    strlen(want_start));
	assert_memory_equal(reply_data + r.data_off + r.data_len -
	    strlen(want_end), want_end, strlen(want_end));
	assert_memory_equal(reply_data + r.data_off + r.data_len,
	    "</nc:data>", 10);
}

static void
test_ncxml_reply_ok_and_empty(void **state)
{
	const char *ok = "<rpc-reply message-id='5' xmlns='urn:ietf:params"
	    ":xml:ns:netconf:base:1.0'><ok/></rpc-reply>";
	const char *empty = "<rpc-reply message-id=\"6\"><data/></rpc-reply>";
	const char *nomid = "<rpc-reply/>";
	const char *notif = "<notification xmlns=\"urn:ietf:params:xml:ns:"
	    "netconf:notification:1.0\"><eventTime>x</eventTime>"
	    "</notification>";
	const char *two = "<rpc-reply message-id=\"6\"><data/><data/>"
	    "</rpc-reply>";
	struct ncx_reply r;
	char err[128];

	(void)state;
	assert_int_equal(ncx_reply(ok, strlen(ok), &r, err, sizeof(err)),
	    NCX_MSG_REPLY);
	assert_true(r.ok);
	assert_false(r.has_data);
	assert_string_equal(r.message_id, "5");
	assert_int_equal(ncx_reply(empty, strlen(empty), &r, err,
	    sizeof(err)), NCX_MSG_REPLY);
	assert_true(r.has_data);
	assert_int_equal(r.data_len, 0);
	assert_int_equal(ncx_reply(nomid, strlen(nomid), &r, err,
	    sizeof(err)), NCX_MSG_REPLY);
	assert_false(r.has_mid);
	assert_int_equal(ncx_reply(notif, strlen(notif), &r, err,
	    sizeof(err)), NCX_MSG_NOTIFICATION);
	assert_int_equal(ncx_reply(two, strlen(two), &r, err, sizeof(err)),
	    NCX_MSG_OTHER);
	assert_int_equal(ncx_reply("<hello/>", 8, &r, err, sizeof(err)),
	    NCX_MSG_OTHER);
	assert_non_null(strstr(err, "expected <rpc-reply>, got <hello>"));
}

static void
test_ncxml_reply_errors(void **state)
{
	const char *e =
	    "<rpc-reply message-id=\"3\" xmlns=\"urn:ietf:params:xml:ns:"
	    "netconf:base:1.0\">"
	    "<rpc-error><error-type>application</error-type>"
	    "<error-tag>data-missing</error-tag>"
	    "<error-severity>warning</error-severity>"
	    "<error-message>only a warning</error-message></rpc-error>"
	    "<rpc-error>\n <error-type> protocol </error-type>\n"
	    " <error-tag>invalid-value</error-tag>\n"
	    " <error-severity>error</error-severity>\n"
	    " <error-app-tag>data-incomplete</error-app-tag>\n"
	    " <error-path>/nc:rpc/nc:get-config</error-path>\n"
	    " <error-message xml:lang=\"en\">config &lt;startup&gt;\n"
	    "not found</error-message>\n"
	    " <error-info><bad-value>startup</bad-value>"
	    "<error-message>nested, not ours</error-message></error-info>\n"
	    "</rpc-error>"
	    "<rpc-error><error-type>rpc</error-type>"
	    "<error-tag>second</error-tag></rpc-error>"
	    "</rpc-reply>";
	const char *w = "<rpc-reply message-id=\"4\"><rpc-error>"
	    "<error-type>application</error-type><error-tag>x</error-tag>"
	    "<error-severity>warning</error-severity></rpc-error><ok/>"
	    "</rpc-reply>";
	struct ncx_reply r;
	char err[128];

	(void)state;
	assert_int_equal(ncx_reply(e, strlen(e), &r, err, sizeof(err)),
	    NCX_MSG_REPLY);
	assert_int_equal(r.nerrors, 2);
	assert_int_equal(r.nwarnings, 1);
	/* The first error, not the warning before it. */
	assert_string_equal(r.etype, "protocol");
	assert_string_equal(r.etag, "invalid-value");
	assert_string_equal(r.esev, "error");
	assert_string_equal(r.eapptag, "data-incomplete");
	assert_string_equal(r.epath, "/nc:rpc/nc:get-config");
	assert_string_equal(r.emsg, "config <startup> not found");
	assert_int_equal(ncx_reply(w, strlen(w), &r, err, sizeof(err)),
	    NCX_MSG_REPLY);
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(r.nwarnings, 1);
	assert_true(r.ok);
	assert_string_equal(r.etag, "x");
}

/* Every prefix of a reply is refused, and read only within its bytes. */
static void
test_ncxml_truncations(void **state)
{
	size_t n = sizeof(reply_data) - 1, i;
	struct ncx_reply r;
	struct ncx_hello h;
	char err[128], *p;

	(void)state;
	for (i = 0; i < n; i++) {
		p = dup_exact(reply_data, i);
		assert_int_equal(ncx_reply(p, i, &r, err, sizeof(err)),
		    NCX_MSG_BAD);
		(void)ncx_hello(p, i, &h, err, sizeof(err));
		free(p);
	}
}

/* Mutations: one byte replaced at every position by a few hard values. */
static void
test_ncxml_mutations(void **state)
{
	static const char vals[] = { '<', '>', '&', '/', '"', '\'', ']', '\0',
	    ':', '!', '?', '-' };
	size_t n = sizeof(reply_data) - 1, i, k;
	struct ncx_reply r;
	enum ncx_kind kind;
	char err[128], *p;

	(void)state;
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(vals); k++) {
			p = dup_exact(reply_data, n);
			p[i] = vals[k];
			kind = ncx_reply(p, n, &r, err, sizeof(err));
			if (kind == NCX_MSG_REPLY && r.has_data)
				assert_true(r.data_off + r.data_len <= n);
			free(p);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ncxml_tokens),
		cmocka_unit_test(test_ncxml_malformed),
		cmocka_unit_test(test_ncxml_depth_limit),
		cmocka_unit_test(test_ncxml_text_decode),
		cmocka_unit_test(test_ncxml_hello),
		cmocka_unit_test(test_ncxml_reply_data),
		cmocka_unit_test(test_ncxml_reply_ok_and_empty),
		cmocka_unit_test(test_ncxml_reply_errors),
		cmocka_unit_test(test_ncxml_truncations),
		cmocka_unit_test(test_ncxml_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

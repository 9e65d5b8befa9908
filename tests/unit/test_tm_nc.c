/*
 * test_tm_nc: telemetry values out of NETCONF reply data by element path.
 * One leaf, one point per list entry labelled by its key, prefixes and
 * several top-level elements, and parse errors for misses, non-numbers,
 * missing or late keys, ambiguous paths, bad paths and hostile XML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "ncxml.h"
#include "tm_nc.h"
#include "tm_parse.h"

#define MAXV	16

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

static int
run(const char *path, const char *data, struct got *g, char *err,
    size_t errlen)
{
	struct conf_tm_netconf t = { .filter = NULL, .path = path };

	memset(g, 0, sizeof(*g));
	err[0] = '\0';
	return tm_parse_netconf(&t, data, strlen(data), collect, g, err,
	    errlen);
}

static const char ifs[] =
    "<interfaces-state xmlns=\"urn:ietf:params:xml:ns:yang:"
    "ietf-interfaces\">"
    "<interface><name>lo</name><type>x</type>"
    "<statistics><in-octets>1234</in-octets>"
    "<out-octets>5</out-octets></statistics></interface>\n"
    "<interface><name>eth&amp;0</name>"
    "<statistics><in-octets> 18446744073709551615 </in-octets>"
    "</statistics></interface>"
    "</interfaces-state>";

static void
test_tm_nc_one_leaf(void **state)
{
	static const char data[] =
	    "<netconf-state xmlns=\"urn:x\"><statistics>"
	    "<netconf-start-time>2026-11-25T21:00:00Z</netconf-start-time>"
	    "<in-rpcs>42</in-rpcs><in-bad-rpcs>0</in-bad-rpcs>"
	    "</statistics></netconf-state>"
	    "<system-state xmlns=\"urn:y\"><clock/></system-state>";
	struct got g;
	char err[200];

	(void)state;
	assert_int_equal(run("netconf-state/statistics/in-rpcs", data, &g, err,
	    sizeof(err)), 1);
	assert_int_equal(g.n, 1);
	assert_true(g.v[0].tv_value == 42.0);
	assert_int_equal(g.v[0].tv_nlabels, 0);
	/* A leading slash and prefixes are fine; the second root is seen. */
	assert_int_equal(run("/ncm:netconf-state/ncm:statistics/in-bad-rpcs",
	    data, &g, err, sizeof(err)), 1);
	assert_true(g.v[0].tv_value == 0.0);
	assert_int_equal(run("system-state/clock", data, &g, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
}

static void
test_tm_nc_per_list_entry(void **state)
{
	struct got g;
	char err[200];

	(void)state;
	assert_int_equal(run("interfaces-state/interface[name]/statistics/"
	    "in-octets", ifs, &g, err, sizeof(err)), 2);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.v[0].tv_nlabels, 1);
	assert_string_equal(g.v[0].tv_labels[0].tl_name, "interface");
	assert_string_equal(g.v[0].tv_labels[0].tl_value, "lo");
	assert_true(g.v[0].tv_value == 1234.0);
	assert_string_equal(g.v[1].tv_labels[0].tl_value, "eth&0");
	assert_true(g.v[1].tv_value == 18446744073709551615.0);
	/* An entry without the leaf gives no point, the others do. */
	assert_int_equal(run("interfaces-state/interface[name]/statistics/"
	    "out-octets", ifs, &g, err, sizeof(err)), 1);
	assert_string_equal(g.v[0].tv_labels[0].tl_value, "lo");
}

static void
test_tm_nc_label_names(void **state)
{
	static const char data[] =
	    "<a><addr-fam.x><k>v4</k><n>1</n></addr-fam.x>"
	    "<addr-fam.x><k>v6</k><n>2</n></addr-fam.x></a>";
	struct got g;
	char err[200];

	(void)state;
	assert_int_equal(run("a/addr-fam.x[k]/n", data, &g, err,
	    sizeof(err)), 2);
	assert_string_equal(g.v[1].tv_labels[0].tl_name, "addr_fam_x");
	assert_string_equal(g.v[1].tv_labels[0].tl_value, "v6");
	assert_true(g.v[1].tv_value == 2.0);
}

static void
test_tm_nc_parse_errors(void **state)
{
	struct got g;
	char err[200];

	(void)state;
	/* A miss. */
	assert_int_equal(run("interfaces-state/interface[name]/statistics/"
	    "nope", ifs, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "matches nothing"));
	assert_int_equal(g.n, 0);
	/* Several matches and no key to tell them apart: nothing emitted. */
	assert_int_equal(run("interfaces-state/interface/statistics/"
	    "in-octets", ifs, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "several"));
	assert_int_equal(g.n, 0);
	/* Not a leaf, not a number, no key, a key after the value. */
	assert_int_equal(run("interfaces-state/interface[name]/statistics",
	    ifs, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "child elements"));
	assert_int_equal(run("interfaces-state/interface[name]/type", ifs, &g,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(run("interfaces-state/interface[nm]/statistics/"
	    "in-octets", ifs, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no <nm> key"));
	assert_int_equal(run("l/e[k]/v", "<l><e><v>1</v><k>a</k></e></l>", &g,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "key before"));
	/* Numbers only: no inf, nan, hex or overlong text. */
	assert_int_equal(run("v", "<v>inf</v>", &g, err, sizeof(err)), -1);
	assert_int_equal(run("v", "<v>0x10</v>", &g, err, sizeof(err)), -1);
	assert_int_equal(run("v", "<v>1111111111111111111111111111111111111"
	    "11111111111111111111111111111111111</v>", &g, err, sizeof(err)),
	    -1);
	assert_int_equal(run("v", "<v>&#x31;<![CDATA[2]]></v>", &g, err,
	    sizeof(err)), 1);
	assert_true(g.v[0].tv_value == 12.0);
}

static void
test_tm_nc_hostile_xml(void **state)
{
	static const char *const bad[] = {
		"<v>1</w>",			/* mismatched */
		"<v>1",				/* unclosed */
		"</d><v>1</v><d>",		/* escapes the wrapper */
		"<!DOCTYPE v [<!ENTITY e \"1\">]><v>&e;</v>",
		"<v>&bogus;</v>",
		"<v a=\"1>2</v>",
		"<v>1</v><v>2</v>",		/* two, no key */
		"",
	};
	char deep[NCX_MAX_DEPTH * 8 + 64];
	struct got g;
	char err[200];
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run("v", bad[i], &g, err, sizeof(err)), -1);
		assert_int_equal(g.n, 0);
		assert_true(err[0] != '\0');
	}
	/* Nesting past the scanner's bound is refused, not recursed into. */
	for (i = 0; i < NCX_MAX_DEPTH + 4; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	assert_int_equal(run("a/a/a", deep, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "well-formed"));
}

static void
test_tm_nc_paths(void **state)
{
	static const char *const good[] = { "a", "/a/b", "p:a/b[k]/q:c",
	    "a_b.c-d/e[f-g]", "a[k]/b[k]/c" };
	static const char *const badp[] = { "", "/", "a/", "a//b", "a[", "a[]",
	    "a[k", "a[k]b", "1a", "a b", "a/b[k][l]", "a:", "a/*",
	    "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", "__a[k]/v", "a[k]/b/a[j]/v",
	    "a-b[k]/a.b[j]/v" };
	char err[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(tm_nc_path_ok(good[i], err, sizeof(err)), 0);
	for (i = 0; i < sizeof(badp) / sizeof(badp[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tm_nc_path_ok(badp[i], err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
}

static void
test_tm_nc_through_tm_parse_output(void **state)
{
	struct conf_tm_netconf nc = { .filter = NULL,
	    .path = "interfaces-state/interface[name]/statistics/in-octets" };
	struct conf_telemetry t;
	struct got g;
	char err[200];

	(void)state;
	memset(&t, 0, sizeof(t));
	memset(&g, 0, sizeof(g));
	t.name = "ifin";
	t.netconf = &nc;
	assert_int_equal(tm_parse_output(&t, CONF_TRANSPORT_NETCONF, ifs,
	    sizeof(ifs) - 1, collect, &g, err, sizeof(err)), 2);
	t.netconf = NULL;
	assert_int_equal(tm_parse_output(&t, CONF_TRANSPORT_NETCONF, ifs,
	    sizeof(ifs) - 1, collect, &g, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tm_nc_one_leaf),
		cmocka_unit_test(test_tm_nc_per_list_entry),
		cmocka_unit_test(test_tm_nc_label_names),
		cmocka_unit_test(test_tm_nc_parse_errors),
		cmocka_unit_test(test_tm_nc_hostile_xml),
		cmocka_unit_test(test_tm_nc_paths),
		cmocka_unit_test(test_tm_nc_through_tm_parse_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

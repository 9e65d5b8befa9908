/*
 * test_conf: the fleet.yaml loader.  Golden files: every tests/conf/bad/NAME.yaml
 * must fail with exactly the lines of its .err, every tests/conf/ok/NAME.yaml
 * must print (-T) exactly its .out, and that printout must load again to the
 * same printout.  Unit tests cover inheritance, values, reuse and selection.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

#define SECRET	"lab-secret-value"

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static struct conf *
load_str(const char *yaml, char **errs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct conf *c;

	c = conf_load_buffer("t.yaml", yaml, strlen(yaml), fp);
	fclose(fp);
	if (errs != NULL)
		*errs = buf;
	else
		free(buf);
	return c;
}

static char *
print_conf(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	conf_print(c, fp);
	fclose(fp);
	return buf;
}

static void
test_conf_bad_golden(void **state)
{
	const char *yaml = *state;
	char errpath[512], *want, *got = NULL;
	size_t len = 0;
	FILE *fp;
	struct conf *c;

	snprintf(errpath, sizeof(errpath), "%.*s.err",
	    (int)(strlen(yaml) - 5), yaml);
	want = slurp(errpath);
	assert_non_null(want);
	assert_true(strlen(want) > 0);
	fp = open_memstream(&got, &len);
	c = conf_load(yaml, fp);
	fclose(fp);
	assert_null(c);
	if (strcmp(want, got) != 0)
		print_error("%s\n--- want\n%s--- got\n%s", yaml, want, got);
	assert_string_equal(want, got);
	free(want);
	free(got);
}

static void
test_conf_ok_golden(void **state)
{
	const char *yaml = *state;
	char outpath[512], *want, *got, *again, *errs = NULL;
	size_t len = 0;
	FILE *fp;
	struct conf *c, *c2;

	snprintf(outpath, sizeof(outpath), "%.*s.out",
	    (int)(strlen(yaml) - 5), yaml);
	want = slurp(outpath);
	assert_non_null(want);
	fp = open_memstream(&errs, &len);
	c = conf_load(yaml, fp);
	fclose(fp);
	if (c == NULL)
		print_error("%s", errs);
	assert_non_null(c);
	got = print_conf(c);
	assert_string_equal(want, got);
	/* Secrets never reach the printout. */
	assert_null(strstr(got, SECRET));
	/* The printout is itself a fleet file describing the same fleet. */
	c2 = load_str(got, NULL);
	assert_non_null(c2);
	again = print_conf(c2);
	assert_string_equal(got, again);
	assert_int_equal(c->ndevices, c2->ndevices);
	conf_free(c);
	conf_free(c2);
	free(want);
	free(got);
	free(again);
	free(errs);
}

static const struct conf_device *
dev(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ndevices; i++)
		if (strcmp(c->devices[i].name, name) == 0)
			return &c->devices[i];
	fail_msg("no device %s", name);
	return NULL;
}

static const char *
tag(const struct conf_device *d, const char *k)
{
	const struct conf_tag *t;

	for (t = d->p.tags; t != NULL; t = t->next)
		if (strcmp(t->key, k) == 0)
			return t->value;
	return NULL;
}

static void
test_conf_inheritance_order(void **state)
{
	struct conf *c = conf_load("tests/conf/ok/inherit.yaml", stderr);
	const struct conf_device *r1, *r2, *r3;

	(void)state;
	assert_non_null(c);
	r1 = dev(c, "r1");
	r2 = dev(c, "r2");
	r3 = dev(c, "r3");
	/* first's parent comes before second (depth first). */
	assert_string_equal(r1->p.username, "from-parent");
	assert_string_equal(r2->p.username, "from-second");
	assert_int_equal(r1->p.retries, 3);
	assert_int_equal(r2->p.retries, 0);
	assert_int_equal(r3->p.retries, 1);
	assert_int_equal(r1->p.port, 2300);
	assert_int_equal(r3->p.port, 2200);
	assert_int_equal(r1->p.t_connect_ms, 45000);
	assert_int_equal(r3->p.t_command_ms, 300000);
	assert_int_equal(r3->p.t_connect_ms, 10000);
	assert_int_equal(r1->p.br_fails, 9);
	assert_string_equal(r1->p.breaker_key, "shared-ctrl");
	assert_int_equal(r3->p.transport, CONF_TRANSPORT_NETCONF);
	/* Tags merge key by key with the same precedence. */
	assert_string_equal(tag(r1, "site"), "parent-site");
	assert_string_equal(tag(r2, "site"), "own");
	assert_string_equal(tag(r1, "owner"), "noc");
	assert_string_equal(tag(r3, "site"), "none");
	assert_null(tag(r3, "tier"));
	assert_non_null(r1->platform);
	assert_string_equal(r1->platform->name, "arista_eos");
	assert_null(r3->platform);
	/* The secret was read from the environment, once. */
	assert_non_null(r1->password);
	assert_ptr_equal(r1->password, r3->password);
	assert_string_equal(r1->password->value, SECRET);
	assert_int_equal(c->sup.workers, 3);
	assert_int_equal(c->sup.max_concurrent, 7);
	conf_free(c);
}

static void
test_conf_durations(void **state)
{
	static const struct {
		const char	*in;
		uint64_t	 ms;
		int		 ok;
	} v[] = {
		{ "500ms", 500, 1 }, { "30s", 30000, 1 }, { "5m", 300000, 1 },
		{ "1h", 3600000, 1 }, { "1m30s", 90000, 1 }, { "7", 7000, 1 },
		{ "2d", 172800000, 1 }, { "0", 0, 1 }, { "1.5s", 0, 0 },
		{ "", 0, 0 }, { "s", 0, 0 }, { "10 s", 0, 0 }, { "-1s", 0, 0 },
		{ "5x", 0, 0 }, { "99999999999999999999s", 0, 0 },
	};
	size_t i;
	char buf[32];

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t ms = 0;
		int rc = conf_parse_duration(v[i].in, &ms);

		assert_int_equal(rc == 0, v[i].ok);
		if (v[i].ok)
			assert_int_equal(ms, v[i].ms);
	}
	conf_format_duration(90000, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
	conf_format_duration(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ms");
	conf_format_duration(7200000, buf, sizeof(buf));
	assert_string_equal(buf, "2h");
}

static void
test_conf_sizes(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(conf_parse_size("16MiB", &b), 0);
	assert_int_equal(b, 16ULL << 20);
	assert_int_equal(conf_parse_size("512KiB", &b), 0);
	assert_int_equal(b, 512ULL << 10);
	assert_int_equal(conf_parse_size("65536", &b), 0);
	assert_int_equal(b, 65536);
	assert_int_equal(conf_parse_size("1G", &b), 0);
	assert_int_equal(b, 1ULL << 30);
	assert_int_not_equal(conf_parse_size("1.5MiB", &b), 0);
	assert_int_not_equal(conf_parse_size("12XB", &b), 0);
	assert_int_not_equal(conf_parse_size("MiB", &b), 0);
}

static void
test_conf_platform_override(void **state)
{
	struct conf *c = conf_load("tests/conf/ok/reuse.yaml", stderr);
	const struct conf_platform *ios, *mt;
	regmatch_t m[1];

	(void)state;
	assert_non_null(c);
	ios = conf_platform_find(c, "cisco_ios");
	mt = conf_platform_find(c, "mikrotik");
	assert_non_null(ios);
	assert_non_null(mt);
	/* Overridden field changed, the others kept from the built-in. */
	assert_string_equal(ios->paging_off[0], "terminal length 0");
	assert_null(ios->paging_off[1]);
	assert_string_equal(ios->more, "--More--");
	assert_true(ios->nscrub > 0);
	assert_int_equal(regexec(&ios->prompt_re, "core-sw1#", 1, m, 0), 0);
	assert_int_equal(regexec(&ios->prompt_re, "core-sw1(config-if)#",
	    1, m, 0), 0);
	assert_int_not_equal(regexec(&ios->prompt_re, "Building config",
	    1, m, 0), 0);
	assert_int_equal(regexec(&mt->prompt_re, "[admin@MikroTik] > ",
	    1, m, 0), 0);
	assert_null(mt->paging_off[0]);
	assert_string_equal(dev(c, "r1")->platform->name, "mikrotik");
	conf_free(c);
}

static void
test_conf_reuse_merge_keys(void **state)
{
	struct conf *c = conf_load("tests/conf/ok/reuse.yaml", stderr);
	const struct conf_device *r2, *r3;

	(void)state;
	assert_non_null(c);
	r2 = dev(c, "r2");
	r3 = dev(c, "r3");
	/* Explicit keys beat merged ones. */
	assert_string_equal(r2->p.username, "override");
	assert_int_equal(r2->p.backoff_base_ms, 250);
	assert_int_equal(r2->p.backoff_max_ms, 90000);
	assert_string_equal(tag(r3, "env"), "lab");
	assert_int_equal(r3->p.tls_verify, 0);
	assert_int_equal(r3->p.port, 443);
	assert_string_equal(tag(dev(c, "r1"), "env"), "lab");
	conf_free(c);
}

static void
test_conf_selection(void **state)
{
	struct conf *c = conf_load("tests/conf/ok/example.yaml", stderr);
	struct conf_select s;
	const char *groups[] = { "site-ams", NULL };
	const char *names[] = { "fra-*", NULL };
	struct conf_tag t = { "role", "c*", NULL };

	(void)state;
	assert_non_null(c);
	memset(&s, 0, sizeof(s));
	s.groups = groups;
	/* ams-core-1 is in site-ams through its group core. */
	assert_true(conf_select_match(&s, dev(c, "ams-core-1")));
	assert_true(conf_select_match(&s, dev(c, "ams-edge-1")));
	assert_false(conf_select_match(&s, dev(c, "fra-edge-1")));
	memset(&s, 0, sizeof(s));
	s.names = names;
	assert_true(conf_select_match(&s, dev(c, "fra-srv-1")));
	assert_false(conf_select_match(&s, dev(c, "ams-edge-1")));
	memset(&s, 0, sizeof(s));
	s.tags = &t;
	assert_true(conf_select_match(&s, dev(c, "ams-core-1")));
	assert_false(conf_select_match(&s, dev(c, "fra-edge-1")));
	/* AND across criteria. */
	s.names = names;
	assert_false(conf_select_match(&s, dev(c, "ams-core-1")));
	conf_free(c);
}

static void
test_conf_secret_file(void **state)
{
	char path[] = "/tmp/naut-test-secret-XXXXXX", yaml[512], *errs;
	struct conf *c;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cr3t\n", 7), 7);
	close(fd);
	snprintf(yaml, sizeof(yaml), "defaults: { username: u, password_file:"
	    " %s }\ndevices:\n  - { name: a, host: h }\n  - { name: b, host: "
	    "h2, password: inline-pw }\n", path);
	c = load_str(yaml, &errs);
	assert_non_null(c);
	assert_string_equal(errs, "");
	/* One trailing newline belongs to the file, not to the secret. */
	assert_string_equal(dev(c, "a")->password->value, "s3cr3t");
	assert_int_equal(dev(c, "a")->password->len, 6);
	/* The device's inline password beats the inherited file. */
	assert_string_equal(dev(c, "b")->password->value, "inline-pw");
	free(errs);
	errs = print_conf(c);
	assert_null(strstr(errs, "s3cr3t"));
	assert_null(strstr(errs, "inline-pw"));
	assert_non_null(strstr(errs, "password: \"********\""));
	free(errs);
	conf_free(c);
	unlink(path);
}

/* REST auth: basic by default, bearer sends the password secret. */
static void
test_conf_rest_http_auth(void **state)
{
	struct conf *c;
	char *errs, *out;

	(void)state;
	setenv("NAUT_TEST_TOKEN", "tok-123", 1);
	c = load_str("defaults: { transport: rest }\ndevices:\n"
	    "  - { name: a, host: h, username: u, password_env: "
	    "NAUT_TEST_TOKEN }\n"
	    "  - { name: b, host: h, http_auth: bearer, password_env: "
	    "NAUT_TEST_TOKEN }\n"
	    "  - { name: c, host: h }\n", &errs);
	assert_non_null(c);
	assert_string_equal(errs, "");
	assert_int_equal(dev(c, "a")->p.http_auth, CONF_HTTPAUTH_BASIC);
	assert_int_equal(dev(c, "b")->p.http_auth, CONF_HTTPAUTH_BEARER);
	assert_string_equal(dev(c, "b")->password->value, "tok-123");
	assert_null(dev(c, "c")->password);
	out = print_conf(c);
	assert_non_null(strstr(out, "http_auth: bearer"));
	assert_null(strstr(out, "tok-123"));
	free(out);
	free(errs);
	conf_free(c);

	c = load_str("defaults: { transport: rest }\ndevices:\n"
	    "  - { name: a, host: h, http_auth: bearer }\n"
	    "  - { name: b, host: h, password_env: NAUT_TEST_TOKEN }\n"
	    "  - { name: c, host: h, http_auth: digest }\n", &errs);
	assert_null(c);
	assert_non_null(strstr(errs, "t.yaml:3:36: device \"a\" uses "
	    "http_auth: bearer but has no token"));
	assert_non_null(strstr(errs, "t.yaml:4:13: device \"b\" has a "
	    "password but no username"));
	assert_non_null(strstr(errs, "t.yaml:5:36: "));
	assert_non_null(strstr(errs, "digest"));
	free(errs);
	unsetenv("NAUT_TEST_TOKEN");
}

/* user:, group:, read_group: are accounts of this host, or unset. */
static void
test_conf_privsep_accounts(void **state)
{
	const char *base = "defaults: { username: u, password: p }\n"
	    "devices:\n  - { name: a, host: h }\n";
	char yaml[512], *errs;
	struct conf *c;

	(void)state;
	c = load_str(base, &errs);
	assert_non_null(c);
	assert_null(c->sup.user);
	assert_null(c->sup.group);
	assert_null(c->sup.read_group);
	conf_free(c);
	free(errs);
	snprintf(yaml, sizeof(yaml), "supervisor: { user: nobody, group: "
	    "nogroup, read_group: root }\n%s", base);
	c = load_str(yaml, &errs);
	assert_non_null(c);
	assert_string_equal(c->sup.user, "nobody");
	assert_string_equal(c->sup.group, "nogroup");
	assert_string_equal(c->sup.read_group, "root");
	assert_int_equal(c->sup.max_sessions_per_worker, 0);
	conf_free(c);
	free(errs);
	snprintf(yaml, sizeof(yaml), "supervisor: { max_sessions_per_worker: "
	    "0 }\n%s", base);
	c = load_str(yaml, &errs);
	assert_null(c);
	assert_non_null(strstr(errs, "max_sessions_per_worker"));
	free(errs);
	snprintf(yaml, sizeof(yaml), "supervisor: { user: [nobody] }\n%s",
	    base);
	c = load_str(yaml, &errs);
	assert_null(c);
	assert_non_null(strstr(errs, "user"));
	free(errs);
	snprintf(yaml, sizeof(yaml), "supervisor: { read_group: "
	    "naut-absent-group }\n%s", base);
	c = load_str(yaml, &errs);
	assert_null(c);
	assert_non_null(strstr(errs, "no group \"naut-absent-group\""));
	free(errs);
}

static void
test_conf_errors_all_reported(void **state)
{
	char *errs;
	struct conf *c;
	int lines = 0;
	const char *p;

	(void)state;
	c = load_str("defaults: { retries: 99, port: x }\ndevices:\n"
	    "  - { name: a, host: h, username: u, password: p, colour: red }\n"
	    "  - { name: a, host: h, username: u, password: p }\n", &errs);
	assert_null(c);
	for (p = errs; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	assert_non_null(strstr(errs, "t.yaml:1:22: retries must be from 0 to "
	    "10, not 99\n"));
	assert_non_null(strstr(errs, "t.yaml:1:32: port must be an integer"));
	assert_non_null(strstr(errs, "t.yaml:3:51: unknown key \"colour\""));
	assert_non_null(strstr(errs, "t.yaml:4:13: duplicate device name"));
	free(errs);
}

/* An error inherited by many devices is reported once, where it is written. */
static void
test_conf_error_dedup(void **state)
{
	char *yaml, *errs;
	size_t i, len = 0, cap = 1 << 20;
	struct conf *c;
	int lines = 0;
	const char *p;

	(void)state;
	yaml = malloc(cap);
	len += (size_t)snprintf(yaml + len, cap - len, "defaults: { username: "
	    "u, password: p, platform: cisco_iso }\ndevices:\n");
	for (i = 0; i < 1000; i++)
		len += (size_t)snprintf(yaml + len, cap - len,
		    "  - { name: d%zu, host: h }\n", i);
	c = load_str(yaml, &errs);
	assert_null(c);
	for (p = errs; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1);
	free(errs);
	free(yaml);
}

static void
test_conf_suggestions(void **state)
{
	char *errs;

	(void)state;
	assert_null(load_str("devices:\n  - { name: a, host: h, username: u, "
	    "password: p, host_key_cheking: off }\n", &errs));
	assert_non_null(strstr(errs, "did you mean \"host_key_checking\"?"));
	free(errs);
	assert_null(load_str("devices:\n  - { name: a, host: h, username: u, "
	    "password: p, zebra: 1 }\n", &errs));
	assert_null(strstr(errs, "did you mean"));
	free(errs);
}

static int
sort_strs(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
collect(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	char **v = NULL;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char *p;

		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		p = malloc(strlen(dir) + l + 2);
		sprintf(p, "%s/%s", dir, e->d_name);
		v[n++] = p;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), sort_strs);
	*out = v;
	return n;
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_conf_inheritance_order),
		cmocka_unit_test(test_conf_durations),
		cmocka_unit_test(test_conf_sizes),
		cmocka_unit_test(test_conf_platform_override),
		cmocka_unit_test(test_conf_reuse_merge_keys),
		cmocka_unit_test(test_conf_selection),
		cmocka_unit_test(test_conf_secret_file),
		cmocka_unit_test(test_conf_rest_http_auth),
		cmocka_unit_test(test_conf_privsep_accounts),
		cmocka_unit_test(test_conf_errors_all_reported),
		cmocka_unit_test(test_conf_error_dedup),
		cmocka_unit_test(test_conf_suggestions),
	};
	struct CMUnitTest *tests;
	char **bad = NULL, **ok = NULL;
	size_t nbad, nok, nfixed = sizeof(fixed) / sizeof(fixed[0]), i, n = 0;
	int rc;

	/* The golden files were made with exactly this environment. */
	setenv("NAUT_TEST_PW", SECRET, 1);
	setenv("HOME", "/nonexistent/naut-home", 1);
	unsetenv("NAUT_TEST_DEFINITELY_UNSET");
	nbad = collect("tests/conf/bad", &bad);
	nok = collect("tests/conf/ok", &ok);
	if (nbad < 30 || nok < 3) {
		fprintf(stderr, "test_conf: run from the top of the tree "
		    "(found %zu bad and %zu ok files)\n", nbad, nok);
		return 1;
	}
	tests = calloc(nfixed + nbad + nok, sizeof(*tests));
	for (i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	for (i = 0; i < nbad; i++) {
		tests[n].name = bad[i];
		tests[n].test_func = test_conf_bad_golden;
		tests[n].initial_state = bad[i];
		n++;
	}
	for (i = 0; i < nok; i++) {
		tests[n].name = ok[i];
		tests[n].test_func = test_conf_ok_golden;
		tests[n].initial_state = ok[i];
		n++;
	}
	rc = _cmocka_run_group_tests("conf", tests, n, NULL, NULL);
	for (i = 0; i < nbad; i++)
		free(bad[i]);
	for (i = 0; i < nok; i++)
		free(ok[i]);
	free(bad);
	free(ok);
	free(tests);
	return rc;
}

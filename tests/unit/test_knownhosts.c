/*
 * test_knownhosts: the known_hosts reader against real OpenSSH data.
 *
 * The keys below are public halves made with OpenSSH 9.2p1:
 *	ssh-keygen -t ed25519 (twice), -t ecdsa, -t ecdsa -b 384, -t rsa -b 2048
 * and the |1| lines are what "ssh-keygen -H" wrote for
 *	hashed1.lab,10.9.9.1 <ed25519 A>
 *	[hashed2.lab]:2222   <ecdsa-256>
 *	[hashed3.lab]:22     <rsa>
 * so matching them proves our HMAC-SHA1 agrees with OpenSSH's.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "knownhosts.h"

#define ED_A	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILlXsQTDWuOPPJFqO12qBkj8" \
	"+OUh836dX+jrHsiKw9wJ"
#define ED_B	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDtke5bDrTjOt2flnpuTRJCU" \
	"7SglFdoIloe2jIhODntT"
#define EC256	"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlz" \
	"dHAyNTYAAABBBOgDX0LnoGd2hZA1u8CpwHOCEToSLIdrl+LjQKwi+iVZvTKtu9u4xvz" \
	"hXBVenscmC/eWq+qAPw4pFTrtdzaVvC0="
#define EC384	"ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlz" \
	"dHAzODQAAABhBD7uHUwvxGjO9kftGx8mIJliDephGrkEl6zfjonhQf0nKN5m9weCS0F" \
	"yJgzE40+5XWAJPQDcfumeZwEsAOuVVZ4D4UMw8Um7SJJRQdDycCI9HO1wnUgkOcTVlF" \
	"2HbAec0Q=="
#define RSA	"ssh-rsa " \
	"AAAAB3NzaC1yc2EAAAADAQABAAABAQC80ASo/8fC+yQnlCoZKeERPjML6VvqzlC8" \
	"5tjZCo3RU6uSH2Fbvp42wBUjAx6hTyTQYzD/7M4wIeQSLb/cEYK9o0YEdrSZUWu/" \
	"XwMNRfKCfozBAUwCOq4Q6x2rbMukNYraYGpjKKnjSD/GOSSBSOo9r8sMsVQvjSz0" \
	"mF4iB9w5R1wdNbVmsa2g3O915zvgujs76jPvOhQ7AGtFsjD9SG8AANg7W5nOBGN+" \
	"YS1S7IspCjzYPZPLx8Mk9rFZWNeGMmxlQwxNcrECLnhAluFjp1kmwsElIFG4FPcl" \
	"R/BlGSSicV6rFxLsQJxzSnre65TM9PBkNFBUvhq5nf60Jnjw+bRB"

#define HASHED \
	"|1|2qwcNYNXYrUanxoVID5j8LaQZr0=|xxFMUfHA6L1e4iss5ZXOimO2OM4= " \
	    ED_A "\n" \
	"|1|+bp2QtmsD4RBtmSc0nwGG6Qi/k4=|tnvYZGtx0LZcA8k1zsuDsF4Wxh0= " \
	    ED_A "\n" \
	"|1|Sun5yG5nhkMZFUljXXPi5eumd0s=|z8hk5FpQyNu08+1V32ChHpN1eec= " \
	    EC256 "\n" \
	"|1|u3Te9Xk09TebxLVSd06dbEbhbaA=|KP/Btvsz7VWtNaiKRQPB0ek7Uoc= " \
	    RSA "\n"

enum { K_EDA, K_EDB, K_EC256, K_EC384, K_RSA, K_N };

static const char *const key_lines[K_N] = { ED_A, ED_B, EC256, EC384, RSA };

static struct {
	unsigned char	blob[512];
	size_t		len;
} keys[K_N];

static char tmpdir[] = "/tmp/naut-kh-XXXXXX";

#define BLOB(i)	keys[i].blob, keys[i].len

static size_t
b64_decode(const char *s, unsigned char *out)
{
	size_t n = strlen(s), pad = 0;
	int r;

	while (pad < n && s[n - 1 - pad] == '=')
		pad++;
	r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	assert_true(r > 0);
	return (size_t)r - pad;
}

static int
group_setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < K_N; i++)
		keys[i].len = b64_decode(strchr(key_lines[i], ' ') + 1,
		    keys[i].blob);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static struct kh *
parse(const char *s)
{
	return kh_parse(s, strlen(s));
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_kh_plain_host_match(void **state)
{
	struct kh *k = parse("router1.lab " ED_A "\n"
	    "10.0.0.1,router2.lab " EC256 " a comment\n");

	(void)state;
	assert_int_equal(kh_count(k), 2);
	assert_int_equal(kh_skipped(k), 0);
	assert_int_equal(kh_check(k, "router1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "router2.lab", 22, BLOB(K_EC256)),
	    KH_MATCH);
	assert_int_equal(kh_check(k, "10.0.0.1", 22, BLOB(K_EC256)), KH_MATCH);
	assert_int_equal(kh_check(k, "router3.lab", 22, BLOB(K_EDA)),
	    KH_UNKNOWN);
	assert_int_equal(kh_check(k, "router1", 22, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);
}

static void
test_kh_names_case_insensitive(void **state)
{
	struct kh *k = parse("Router1.LAB " ED_A "\n*.Example.NET " EC256 "\n");

	(void)state;
	assert_int_equal(kh_check(k, "ROUTER1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r9.EXAMPLE.net", 22, BLOB(K_EC256)),
	    KH_MATCH);
	kh_free(k);
}

static void
test_kh_port_brackets(void **state)
{
	struct kh *k = parse("[r1.lab]:2222 " ED_A "\nr2.lab " ED_A "\n");

	(void)state;
	assert_int_equal(kh_check(k, "r1.lab", 2222, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_UNKNOWN);
	assert_int_equal(kh_check(k, "r1.lab", 2223, BLOB(K_EDA)), KH_UNKNOWN);
	assert_int_equal(kh_check(k, "r2.lab", 2222, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);
}

static void
test_kh_port22_bare_and_bracketed(void **state)
{
	struct kh *k = parse("r1.lab " ED_A "\n[r2.lab]:22 " EC256 "\n");
	const char *t[4];

	(void)state;
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r1.lab", 0, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r2.lab", 22, BLOB(K_EC256)), KH_MATCH);
	assert_int_equal(kh_known_types(k, "r2.lab", 22, t, 4), 1);
	assert_string_equal(t[0], "ecdsa-sha2-nistp256");
	kh_free(k);
}

static void
test_kh_wildcards(void **state)
{
	struct kh *k = parse("*.lab " ED_A "\n10.0.?.1 " EC256 "\n"
	    "[*.lab]:2222 " RSA "\n");

	(void)state;
	assert_int_equal(kh_check(k, "a.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "x.lab.com", 22, BLOB(K_EDA)), KH_UNKNOWN);
	assert_int_equal(kh_check(k, "10.0.5.1", 22, BLOB(K_EC256)), KH_MATCH);
	assert_int_equal(kh_check(k, "10.0.55.1", 22, BLOB(K_EC256)),
	    KH_UNKNOWN);
	assert_int_equal(kh_check(k, "a.lab", 2222, BLOB(K_RSA)), KH_MATCH);
	/* "*.lab" does not match "[a.lab]:2222", exactly as in OpenSSH. */
	assert_int_equal(kh_check(k, "a.lab", 2222, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);

	k = parse("* " ED_A "\n");
	assert_int_equal(kh_check(k, "anything", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "anything", 830, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "anything", 830, BLOB(K_EDB)),
	    KH_MISMATCH);
	kh_free(k);
}

static void
test_kh_negation_excludes_line(void **state)
{
	struct kh *k = parse("*.lab,!bad.lab " ED_A "\n"
	    "!old?.lab,*.lab " EC256 "\n"
	    "*,![quiet.lab]:22 " RSA "\n");

	(void)state;
	assert_int_equal(kh_check(k, "good.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "bad.lab", 22, BLOB(K_EDA)), KH_UNKNOWN);
	assert_int_equal(kh_check(k, "new1.lab", 22, BLOB(K_EC256)), KH_MATCH);
	assert_int_equal(kh_check(k, "old1.lab", 22, BLOB(K_EC256)),
	    KH_UNKNOWN);
	assert_int_equal(kh_check(k, "loud.lab", 22, BLOB(K_RSA)), KH_MATCH);
	/* Port 22 is both names: a veto on either one excludes the line. */
	assert_int_equal(kh_check(k, "quiet.lab", 22, BLOB(K_RSA)), KH_UNKNOWN);
	kh_free(k);

	/* Only the vetoed line is excluded; another line still applies. */
	k = parse("*.lab,!bad.lab " ED_A "\nbad.lab " ED_B "\n");
	assert_int_equal(kh_check(k, "bad.lab", 22, BLOB(K_EDA)), KH_MISMATCH);
	assert_int_equal(kh_check(k, "bad.lab", 22, BLOB(K_EDB)), KH_MATCH);
	kh_free(k);
}

static void
test_kh_hashed_openssh_interop(void **state)
{
	struct kh *k = parse(HASHED);

	(void)state;
	assert_int_equal(kh_count(k), 4);
	assert_int_equal(kh_skipped(k), 0);
	assert_int_equal(kh_check(k, "hashed1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "HASHED1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "10.9.9.1", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "hashed1.lab", 22, BLOB(K_EDB)),
	    KH_MISMATCH);
	assert_int_equal(kh_check(k, "hashed1.lab", 2222, BLOB(K_EDA)),
	    KH_UNKNOWN);
	assert_int_equal(kh_check(k, "hashed2.lab", 2222, BLOB(K_EC256)),
	    KH_MATCH);
	assert_int_equal(kh_check(k, "hashed2.lab", 22, BLOB(K_EC256)),
	    KH_UNKNOWN);
	/* Written as "[hashed3.lab]:22", found by the bare name on port 22. */
	assert_int_equal(kh_check(k, "hashed3.lab", 22, BLOB(K_RSA)), KH_MATCH);
	assert_int_equal(kh_check(k, "hashed4.lab", 22, BLOB(K_RSA)),
	    KH_UNKNOWN);
	kh_free(k);
}

static void
test_kh_revoked_wins(void **state)
{
	struct kh *k = parse("r1.lab " ED_A "\n@revoked * " ED_A "\n"
	    "r1.lab " EC256 "\n@revoked\tr2.lab " EC256 "\nr3.lab " EC256 "\n");
	const char *t[4];

	(void)state;
	assert_int_equal(kh_count(k), 5);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_REVOKED);
	assert_int_equal(kh_check(k, "other.lab", 22, BLOB(K_EDA)),
	    KH_REVOKED);
	/* Revoked keys are not known keys. */
	assert_int_equal(kh_check(k, "other.lab", 22, BLOB(K_EDB)), KH_UNKNOWN);
	assert_int_equal(kh_known_types(k, "other.lab", 22, t, 4), 0);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EC256)), KH_MATCH);
	/* @revoked applies to its own host patterns only. */
	assert_int_equal(kh_check(k, "r2.lab", 22, BLOB(K_EC256)), KH_REVOKED);
	assert_int_equal(kh_check(k, "r3.lab", 22, BLOB(K_EC256)), KH_MATCH);
	kh_free(k);
}

static void
test_kh_cert_authority_ignored(void **state)
{
	struct kh *k = parse("@cert-authority *.lab " ED_A "\nr1.lab " EC256
	    "\n@cert-authority *.lab ssh-ed25519 AAAA\n");
	const char *t[4];

	(void)state;
	assert_int_equal(kh_count(k), 1);
	assert_int_equal(kh_ca_ignored(k), 1);
	assert_int_equal(kh_skipped(k), 1);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_UNKNOWN);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDB)), KH_UNKNOWN);
	assert_int_equal(kh_known_types(k, "r1.lab", 22, t, 4), 1);
	assert_string_equal(t[0], "ecdsa-sha2-nistp256");
	kh_free(k);
}

static void
test_kh_mismatch_same_type(void **state)
{
	struct kh *k = parse("r1.lab " ED_A "\n");

	(void)state;
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDB)), KH_MISMATCH);
	kh_free(k);
	/* Any applicable line with the key is enough. */
	k = parse("r1.lab " ED_A "\n*.lab " ED_B "\n");
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDB)), KH_MATCH);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r2.lab", 22, BLOB(K_EDA)), KH_MISMATCH);
	kh_free(k);
}

static void
test_kh_unknown_other_type(void **state)
{
	struct kh *k = parse("r1.lab " ED_A "\nr2.lab " EC256 "\n");

	(void)state;
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EC256)), KH_UNKNOWN);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_RSA)), KH_UNKNOWN);
	/* Another curve is another key type. */
	assert_int_equal(kh_check(k, "r2.lab", 22, BLOB(K_EC384)), KH_UNKNOWN);
	kh_free(k);
}

static void
test_kh_known_types_order(void **state)
{
	struct kh *k = parse("*.lab " EC256 "\n"
	    "r1.lab,r2.lab " RSA "\n"
	    "[r1.lab]:22 " ED_A "\n"
	    "r1.lab " ED_B "\n"
	    "@revoked r1.lab " EC384 "\n"
	    "[r1.lab]:2222 " EC384 "\n"
	    "hashed1.lab " RSA "\n" HASHED);
	const char *t[KH_TYPES_MAX];

	(void)state;
	assert_int_equal(kh_known_types(k, "r1.lab", 22, t, KH_TYPES_MAX), 3);
	assert_string_equal(t[0], "ecdsa-sha2-nistp256");
	assert_string_equal(t[1], "ssh-rsa");
	assert_string_equal(t[2], "ssh-ed25519");
	assert_int_equal(kh_known_types(k, "r1.lab", 22, t, 2), 2);
	assert_string_equal(t[1], "ssh-rsa");
	assert_int_equal(kh_known_types(k, "r1.lab", 2222, t, KH_TYPES_MAX), 1);
	assert_string_equal(t[0], "ecdsa-sha2-nistp384");
	/* The hashed ed25519 line comes after the plain rsa one. */
	assert_int_equal(kh_known_types(k, "hashed1.lab", 22, t, KH_TYPES_MAX),
	    3);
	assert_string_equal(t[0], "ecdsa-sha2-nistp256");
	assert_string_equal(t[1], "ssh-rsa");
	assert_string_equal(t[2], "ssh-ed25519");
	assert_int_equal(kh_known_types(k, "nowhere", 22, t, KH_TYPES_MAX), 0);
	assert_int_equal(kh_known_types(k, "r1.lab", 22, t, 0), 0);
	kh_free(k);
}

static void
test_kh_malformed_lines_skipped(void **state)
{
	static const char *const bad[] = {
		"r1.lab\n",
		"r1.lab ssh-ed25519\n",
		"r1.lab ssh-ed25519 !!!!notbase64\n",
		"r1.lab ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILlXsQTDWuOPPJF\n",
		/* the key is not of the type the line says */
		"r1.lab ecdsa-sha2-nistp256 " ED_A "\n",
		"r1.lab ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB\n",
		"r1.lab ssh-foo AAAAB3NzaC1mb28AAAABAA==\n",	/* a new type */
		"r1.lab ED25519 AAAAC3NzaC1lZDI1NTE5AAAAILlXsQTDWuOPPJFqO12q"
		    "Bkj8+OUh836dX+jrHsiKw9wJ\n",
		"@bogus r1.lab " ED_A "\n",
		"@revoked\n",
		"@revoked " ED_A "\n",
		"|1|c2hvcnQ=|xxFMUfHA6L1e4iss5ZXOimO2OM4= " ED_A "\n",
		/* a 21-byte salt */
		"|1|AAAAAAAAAAAAAAAAAAAAAAAAAAAA|xxFMUfHA6L1e4iss5ZXOimO2OM4= "
		    ED_A "\n",
		"|2|2qwcNYNXYrUanxoVID5j8LaQZr0=|xxFMUfHA6L1e4iss5ZXOimO2OM4= "
		    ED_A "\n",
		"|junk " ED_A "\n",
		",,, " ED_A "\n",
		/* ecdsa key with stray bits before the '=' */
		"r1.lab ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYA"
		    "AAAIbmlzdHAyNTYAAABBBOgDX0LnoGd2hZA1u8CpwHOCEToSLIdrl+LjQK"
		    "wi+iVZvTKtu9u4xvzhXBVenscmC/eWq+qAPw4pFTrtdzaVvC1=\n",
	};
	char buf[8192], big[KH_LINE_MAX + 200];
	size_t i, n = 0;
	struct kh *k;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s", bad[i]);
	n += snprintf(buf + n, sizeof(buf) - n, "good.lab %s\n", ED_A);
	buf[n++] = 'x';		/* a line with a NUL inside */
	buf[n++] = '\0';
	n += snprintf(buf + n, sizeof(buf) - n, " %s\n", ED_A);
	k = kh_parse(buf, n);
	assert_int_equal(kh_skipped(k), sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(kh_count(k), 1);
	assert_int_equal(kh_check(k, "good.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);

	/* Longer than KH_LINE_MAX: skipped even though it would parse. */
	memset(big, 0, sizeof(big));
	n = snprintf(big, sizeof(big), "r1.lab %s ", ED_A);
	memset(big + n, 'c', KH_LINE_MAX + 10 - n);
	n = KH_LINE_MAX + 10;
	n += snprintf(big + n, sizeof(big) - n, "\nr2.lab %s", ED_A);
	k = kh_parse(big, n);
	assert_int_equal(kh_skipped(k), 1);
	assert_int_equal(kh_count(k), 1);
	assert_int_equal(kh_check(k, "r2.lab", 22, BLOB(K_EDA)), KH_MATCH);
	kh_free(k);
}

static void
test_kh_crlf_whitespace_comments(void **state)
{
	struct kh *k = parse("# known hosts\r\n\r\n\n   \t\n"
	    "  \t r1.lab\t" ED_A "  trailing comment\r\n"
	    "#r9.lab " ED_A "\n"
	    "r2.lab  " ED_B "\r\n"
	    "r3.lab " RSA);	/* no final newline */

	(void)state;
	assert_int_equal(kh_count(k), 3);
	assert_int_equal(kh_skipped(k), 0);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r2.lab", 22, BLOB(K_EDB)), KH_MATCH);
	assert_int_equal(kh_check(k, "r3.lab", 22, BLOB(K_RSA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r9.lab", 22, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);

	k = kh_parse(NULL, 0);
	assert_int_equal(kh_count(k), 0);
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);
}

static void
test_kh_blob_type(void **state)
{
	unsigned char b[64];
	struct kh *k = parse("r1.lab " ED_A "\n");
	const char *t;
	size_t n;

	(void)state;
	t = kh_blob_type(BLOB(K_EDA), &n);
	assert_non_null(t);
	assert_int_equal(n, 11);
	assert_memory_equal(t, "ssh-ed25519", 11);
	t = kh_blob_type(BLOB(K_EC384), &n);
	assert_int_equal(n, 19);
	assert_memory_equal(t, "ecdsa-sha2-nistp384", 19);
	assert_null(kh_blob_type(keys[K_EDA].blob, 3, &n));
	assert_null(kh_blob_type(keys[K_EDA].blob, 14, &n));
	assert_null(kh_blob_type(NULL, 0, &n));
	memcpy(b, "\xff\xff\xff\xff" "ssh-ed25519", 15);
	assert_null(kh_blob_type(b, 15, &n));
	memset(b, 0, 8);
	assert_null(kh_blob_type(b, 8, &n));

	/* A malformed key is never trusted; a new type is just unknown. */
	assert_int_equal(kh_check(k, "r1.lab", 22, keys[K_EDA].blob,
	    keys[K_EDA].len - 1), KH_MISMATCH);
	assert_int_equal(kh_check(k, "r1.lab", 22, b, 8), KH_MISMATCH);
	memcpy(b, "\0\0\0\x07ssh-foo\0\0\0\x01x", 16);
	assert_int_equal(kh_check(k, "r1.lab", 22, b, 16), KH_UNKNOWN);
	kh_free(k);
}

static void
path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, strlen(s), f), strlen(s));
	assert_int_equal(fclose(f), 0);
}

static void
test_kh_load_missing_and_unreadable(void **state)
{
	char path[256], err[256];
	struct kh *k;

	(void)state;
	path_in_tmp(path, sizeof(path), "missing");
	k = kh_load(path, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(kh_count(k), 0);
	kh_free(k);

	/* A directory cannot be read: NULL, and the message says why. */
	err[0] = '\0';
	assert_null(kh_load(tmpdir, err, sizeof(err)));
	assert_non_null(strstr(err, tmpdir));
	assert_non_null(strstr(err, strerror(EISDIR)));

	path_in_tmp(path, sizeof(path), "known_hosts");
	write_file(path, "r1.lab " ED_A "\n" HASHED);
	k = kh_load(path, err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(kh_count(k), 5);
	assert_int_equal(kh_check(k, "hashed2.lab", 2222, BLOB(K_EC256)),
	    KH_MATCH);
	kh_free(k);
	unlink(path);
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return buf;
}

static void
test_kh_append_roundtrip(void **state)
{
	char path[256], *text;
	struct stat st;
	struct kh *k, *k2;
	size_t len;

	(void)state;
	path_in_tmp(path, sizeof(path), "append");
	k = kh_load(path, NULL, 0);
	assert_non_null(k);
	assert_int_equal(kh_append(k, path, "R1.lab", 22, BLOB(K_EDA)), 0);
	assert_int_equal(kh_append(k, path, "r2.lab", 2222, BLOB(K_EC256)), 0);
	/* The in-memory set knows them at once. */
	assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r2.lab", 2222, BLOB(K_EC256)), KH_MATCH);
	assert_int_equal(kh_count(k), 2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = read_all(path, &len);
	assert_string_equal(text, "r1.lab " ED_A "\n[r2.lab]:2222 " EC256 "\n");
	free(text);

	k2 = kh_load(path, NULL, 0);
	assert_int_equal(kh_count(k2), 2);
	assert_int_equal(kh_check(k2, "r2.lab", 2222, BLOB(K_EC256)), KH_MATCH);
	kh_free(k2);
	kh_free(k);
	unlink(path);

	/* A last line without '\n' must not swallow the appended one. */
	write_file(path, "r0.lab " RSA);
	k = kh_load(path, NULL, 0);
	assert_int_equal(kh_append(k, path, "r3.lab", 22, BLOB(K_EDB)), 0);
	kh_free(k);
	k = kh_load(path, NULL, 0);
	assert_int_equal(kh_count(k), 2);
	assert_int_equal(kh_skipped(k), 0);
	assert_int_equal(kh_check(k, "r0.lab", 22, BLOB(K_RSA)), KH_MATCH);
	assert_int_equal(kh_check(k, "r3.lab", 22, BLOB(K_EDB)), KH_MATCH);
	kh_free(k);
	unlink(path);
}

static void
test_kh_append_rejects_bad_input(void **state)
{
	static const char *const hosts[] = {
		"", "a b", "a,b", "*.lab", "a?", "!a", "[a]", "a\nb", "|1|x",
		"#a", "@revoked",
	};
	char path[256];
	struct kh *k = kh_parse(NULL, 0);
	size_t i;

	(void)state;
	path_in_tmp(path, sizeof(path), "rejects");
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		errno = 0;
		assert_int_equal(kh_append(k, path, hosts[i], 22, BLOB(K_EDA)),
		    -1);
		assert_int_equal(errno, EINVAL);
	}
	errno = 0;
	assert_int_equal(kh_append(k, path, "r1.lab", 22, keys[K_EDA].blob,
	    keys[K_EDA].len - 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(kh_count(k), 0);
	/* An unwritable path fails without touching the set. */
	assert_int_equal(kh_append(k, tmpdir, "r1.lab", 22, BLOB(K_EDA)), -1);
	assert_int_equal(kh_count(k), 0);
	kh_free(k);
}

#define APP_PROCS	4
#define APP_LINES	200

/* Lines of three lengths on two port forms, so a torn line shows. */
static int
child_key(int w, int i)
{
	static const int kt[3] = { K_RSA, K_EDA, K_EC384 };

	return kt[(w + i) % 3];
}

static uint16_t
child_port(int w, int i)
{
	return i % 2 ? 22 : 8022 + w;
}

static int
append_child(const char *path, int w)
{
	struct kh *k = kh_parse(NULL, 0);
	char host[64];
	int i, kt;

	for (i = 0; i < APP_LINES; i++) {
		kt = child_key(w, i);
		snprintf(host, sizeof(host), "w%d-%03d.lab", w, i);
		if (kh_append(k, path, host, child_port(w, i), keys[kt].blob,
		    keys[kt].len) == -1)
			return 1;
	}
	kh_free(k);
	return 0;
}

static void
test_kh_append_concurrent(void **state)
{
	char path[256], host[64], *text;
	pid_t pids[APP_PROCS];
	struct stat st;
	struct kh *k;
	size_t len, lines = 0, j;
	int w, i, status, kt;

	(void)state;
	path_in_tmp(path, sizeof(path), "concurrent");
	for (w = 0; w < APP_PROCS; w++) {
		pids[w] = fork();
		assert_true(pids[w] != -1);
		if (pids[w] == 0)
			_exit(append_child(path, w));
	}
	for (w = 0; w < APP_PROCS; w++) {
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = read_all(path, &len);
	for (j = 0; j < len; j++)
		lines += text[j] == '\n';
	assert_int_equal(lines, APP_PROCS * APP_LINES);
	assert_int_equal(text[len - 1], '\n');
	free(text);

	k = kh_load(path, NULL, 0);
	assert_non_null(k);
	assert_int_equal(kh_count(k), APP_PROCS * APP_LINES);
	assert_int_equal(kh_skipped(k), 0);
	for (w = 0; w < APP_PROCS; w++)
		for (i = 0; i < APP_LINES; i++) {
			kt = child_key(w, i);
			snprintf(host, sizeof(host), "w%d-%03d.lab", w, i);
			assert_int_equal(kh_check(k, host, child_port(w, i),
			    keys[kt].blob, keys[kt].len), KH_MATCH);
		}
	kh_free(k);
	unlink(path);
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Mutated and random input must never crash or trip ASan/UBSan. */
static void
test_kh_hostile_input(void **state)
{
	static const char corpus[] = "r1.lab " ED_A "\n*.lab,!x.lab " EC256
	    "\n@revoked * " ED_B "\n[r2.lab]:2222 " RSA "\n" HASHED
	    "@cert-authority *.lab " ED_A "\n";
	char buf[sizeof(corpus) + 64], host[2048];
	const char *t[KH_TYPES_MAX];
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	struct kh *k;
	size_t n, j;
	int it;

	(void)state;
	for (it = 0; it < 3000; it++) {
		memcpy(buf, corpus, sizeof(corpus));
		n = sizeof(corpus) - 1;
		for (j = rnd(&s) % 8 + 1; j > 0; j--) {
			size_t at = rnd(&s) % n;

			switch (rnd(&s) % 4) {
			case 0:
				buf[at] = (char)rnd(&s);
				break;
			case 1:
				buf[at] = '\0';
				break;
			case 2:
				buf[at] = "\n \t,*!|@#=[]:"[rnd(&s) % 13];
				break;
			default:
				n = at + 1;	/* truncate */
				break;
			}
		}
		k = kh_parse(buf, n);
		(void)kh_check(k, "r1.lab", 22, BLOB(K_EDA));
		(void)kh_check(k, "x.lab", 2222, BLOB(K_RSA));
		(void)kh_check(k, "hashed1.lab", 22, BLOB(K_EDB));
		(void)kh_known_types(k, "a.lab", 22, t, KH_TYPES_MAX);
		kh_free(k);
	}
	for (it = 0; it < 300; it++) {
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = (char)rnd(&s);
		k = kh_parse(buf, sizeof(buf));
		assert_int_equal(kh_check(k, "r1.lab", 22, BLOB(K_EDA)),
		    KH_UNKNOWN);
		kh_free(k);
		/* Random blobs as presented keys. */
		k = parse(corpus);
		(void)kh_check(k, "r1.lab", 22, (unsigned char *)buf,
		    rnd(&s) % sizeof(buf));
		kh_free(k);
	}

	/* A pattern that makes a backtracking glob exponential. */
	n = 0;
	for (j = 0; j < 400; j++)
		n += snprintf(buf + n, sizeof(buf) - n, "*a");
	snprintf(buf + n, sizeof(buf) - n, "b %s\n", ED_A);
	k = parse(buf);
	memset(host, 'a', 999);
	host[999] = '\0';
	assert_int_equal(kh_check(k, host, 22, BLOB(K_EDA)), KH_UNKNOWN);
	memset(host, 'a', sizeof(host) - 1);	/* over KH_HOST_MAX */
	host[sizeof(host) - 1] = '\0';
	assert_int_equal(kh_check(k, host, 22, BLOB(K_EDA)), KH_UNKNOWN);
	kh_free(k);
}

/* 100,000 plain hosts with distinct ed25519 keys; then hashed lines. */
static void
test_kh_100k_entries(void **state)
{
	enum { N = 100000, NH = 2000, QH = 200 };
	unsigned char blob[64], salt[20], mac[20];
	char b64[128], sb[40], mb[40], host[64], path[256];
	struct mallinfo2 m0, m1;
	double t0, t1, t2;
	struct kh *k;
	FILE *f;
	int i, ok = 0;
	unsigned int ml;

	(void)state;
	path_in_tmp(path, sizeof(path), "big");
	f = fopen(path, "w");
	assert_non_null(f);
	memcpy(blob, keys[K_EDA].blob, keys[K_EDA].len);
	for (i = 0; i < N; i++) {
		memcpy(blob + keys[K_EDA].len - 4, &i, 4);
		EVP_EncodeBlock((unsigned char *)b64, blob, keys[K_EDA].len);
		fprintf(f, "dev%06d.example.net ssh-ed25519 %s\n", i, b64);
	}
	assert_int_equal(fclose(f), 0);

	m0 = mallinfo2();
	t0 = now();
	k = kh_load(path, NULL, 0);
	t1 = now();
	m1 = mallinfo2();
	assert_non_null(k);
	assert_int_equal(kh_count(k), N);
	for (i = 0; i < N; i++) {
		int d = (int)((uint64_t)i * 7919 % N);

		memcpy(blob + keys[K_EDA].len - 4, &d, 4);
		snprintf(host, sizeof(host), "dev%06d.example.net", d);
		ok += kh_check(k, host, 22, blob, keys[K_EDA].len) == KH_MATCH;
	}
	t2 = now();
	assert_int_equal(ok, N);
	print_message("kh: load %d plain lines: %.1f ms, %.1f MB heap; "
	    "%d lookups: %.1f ms (%.2f us each)\n", N, (t1 - t0) * 1e3,
	    (double)(m1.uordblks - m0.uordblks) / 1e6, N, (t2 - t1) * 1e3,
	    (t2 - t1) * 1e6 / N);
	kh_free(k);

	/* Hashed lines cost one HMAC per line per lookup. */
	f = fopen(path, "w");
	assert_non_null(f);
	EVP_EncodeBlock((unsigned char *)b64, keys[K_EDA].blob,
	    keys[K_EDA].len);
	for (i = 0; i < NH; i++) {
		snprintf(host, sizeof(host), "dev%06d.example.net", i);
		memset(salt, 0, sizeof(salt));
		memcpy(salt, &i, sizeof(i));
		HMAC(EVP_sha1(), salt, sizeof(salt), (unsigned char *)host,
		    strlen(host), mac, &ml);
		EVP_EncodeBlock((unsigned char *)sb, salt, sizeof(salt));
		EVP_EncodeBlock((unsigned char *)mb, mac, sizeof(mac));
		fprintf(f, "|1|%s|%s ssh-ed25519 %s\n", sb, mb, b64);
	}
	assert_int_equal(fclose(f), 0);
	k = kh_load(path, NULL, 0);
	assert_int_equal(kh_count(k), NH);
	t0 = now();
	for (ok = i = 0; i < QH; i++) {
		snprintf(host, sizeof(host), "dev%06d.example.net", i * 7);
		ok += kh_check(k, host, 22, BLOB(K_EDA)) == KH_MATCH;
	}
	t1 = now();
	assert_int_equal(ok, QH);
	print_message("kh: %d hashed lines, %d lookups (port 22: 2 names): "
	    "%.2f ms each, %.2f us per line\n", NH, QH,
	    (t1 - t0) * 1e3 / QH, (t1 - t0) * 1e6 / QH / NH);
	kh_free(k);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kh_plain_host_match),
		cmocka_unit_test(test_kh_names_case_insensitive),
		cmocka_unit_test(test_kh_port_brackets),
		cmocka_unit_test(test_kh_port22_bare_and_bracketed),
		cmocka_unit_test(test_kh_wildcards),
		cmocka_unit_test(test_kh_negation_excludes_line),
		cmocka_unit_test(test_kh_hashed_openssh_interop),
		cmocka_unit_test(test_kh_revoked_wins),
		cmocka_unit_test(test_kh_cert_authority_ignored),
		cmocka_unit_test(test_kh_mismatch_same_type),
		cmocka_unit_test(test_kh_unknown_other_type),
		cmocka_unit_test(test_kh_known_types_order),
		cmocka_unit_test(test_kh_malformed_lines_skipped),
		cmocka_unit_test(test_kh_crlf_whitespace_comments),
		cmocka_unit_test(test_kh_blob_type),
		cmocka_unit_test(test_kh_load_missing_and_unreadable),
		cmocka_unit_test(test_kh_append_roundtrip),
		cmocka_unit_test(test_kh_append_rejects_bad_input),
		cmocka_unit_test(test_kh_append_concurrent),
		cmocka_unit_test(test_kh_hostile_input),
		cmocka_unit_test(test_kh_100k_entries),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

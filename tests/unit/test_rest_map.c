/*
 * test_rest_map: how REST outcomes become error classes (and so whether
 * they are retried), and Retry-After parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "rest_map.h"

static void
test_rest_map_status_classes(void **state)
{
	(void)state;
	assert_int_equal(rest_status_class(200), NAUT_ERR_OK);
	assert_int_equal(rest_status_class(204), NAUT_ERR_OK);
	assert_int_equal(rest_status_class(401), NAUT_ERR_AUTH);
	assert_int_equal(rest_status_class(407), NAUT_ERR_AUTH);
	assert_int_equal(rest_status_class(403), NAUT_ERR_HTTP_4XX);
	assert_int_equal(rest_status_class(404), NAUT_ERR_HTTP_4XX);
	assert_int_equal(rest_status_class(429), NAUT_ERR_HTTP_4XX);
	assert_int_equal(rest_status_class(500), NAUT_ERR_HTTP_5XX);
	assert_int_equal(rest_status_class(503), NAUT_ERR_HTTP_5XX);
	assert_int_equal(rest_status_class(302), NAUT_ERR_PROTOCOL);
	assert_int_equal(rest_status_class(101), NAUT_ERR_PROTOCOL);
	assert_int_equal(rest_status_class(0), NAUT_ERR_PROTOCOL);
}

static void
test_rest_map_curl_classes(void **state)
{
	(void)state;
	assert_int_equal(rest_curl_class(CURLE_COULDNT_CONNECT, ECONNREFUSED,
	    0), NAUT_ERR_REFUSED);
	assert_int_equal(rest_curl_class(CURLE_COULDNT_CONNECT, EHOSTUNREACH,
	    0), NAUT_ERR_TIMEOUT);
	assert_int_equal(rest_curl_class(CURLE_OPERATION_TIMEDOUT, 0, 0),
	    NAUT_ERR_TIMEOUT);
	assert_int_equal(rest_curl_class(CURLE_RECV_ERROR, ECONNRESET, 0),
	    NAUT_ERR_RESET);
	assert_int_equal(rest_curl_class(CURLE_GOT_NOTHING, 0, 0),
	    NAUT_ERR_RESET);
	assert_int_equal(rest_curl_class(CURLE_PEER_FAILED_VERIFICATION, 0, 0),
	    NAUT_ERR_TLS_ERROR);
	assert_int_equal(rest_curl_class(CURLE_SSL_CONNECT_ERROR, 0, 0),
	    NAUT_ERR_TLS_ERROR);
	assert_int_equal(rest_curl_class(CURLE_SSL_CONNECT_ERROR, ECONNRESET,
	    0), NAUT_ERR_RESET);
	assert_int_equal(rest_curl_class(CURLE_SSL_CACERT_BADFILE, 0, 0),
	    NAUT_ERR_TLS_ERROR);
	assert_int_equal(rest_curl_class(CURLE_WRITE_ERROR, 0, 1),
	    NAUT_ERR_OUTPUT_TOO_LARGE);
	assert_int_equal(rest_curl_class(CURLE_FILESIZE_EXCEEDED, 0, 0),
	    NAUT_ERR_OUTPUT_TOO_LARGE);
	assert_int_equal(rest_curl_class(CURLE_TOO_MANY_REDIRECTS, 0, 0),
	    NAUT_ERR_PROTOCOL);
	assert_int_equal(rest_curl_class(CURLE_HTTP2, 0, 0),
	    NAUT_ERR_PROTOCOL);
	assert_int_equal(rest_curl_class(CURLE_OUT_OF_MEMORY, 0, 0),
	    NAUT_ERR_INTERNAL);
}

static void
test_rest_map_retry_after(void **state)
{
	const char *v;
	uint64_t ms = 0;
	time_t now = 1445412480;	/* Wed, 21 Oct 2015 07:28:00 GMT */

	(void)state;
	v = " 2\r\n";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), 0);
	assert_int_equal(ms, 2000);
	v = "0";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), 0);
	assert_int_equal(ms, 0);
	v = "99999999999999999999999";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), 0);
	assert_int_equal(ms, REST_RETRY_AFTER_MAX_MS);
	v = " Wed, 21 Oct 2015 07:28:30 GMT\r\n";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), 0);
	assert_int_equal(ms, 30000);
	v = "Wed, 21 Oct 2015 07:00:00 GMT";	/* in the past */
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), 0);
	assert_int_equal(ms, 0);
	v = "12s";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), -1);
	v = "soon";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), -1);
	v = "  \r\n";
	assert_int_equal(rest_retry_after(v, strlen(v), now, &ms), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest_map_status_classes),
		cmocka_unit_test(test_rest_map_curl_classes),
		cmocka_unit_test(test_rest_map_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

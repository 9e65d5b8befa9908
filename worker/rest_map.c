/*
 * REST outcomes as error classes (see rest_map.h).  Retry policy, metrics
 * and results.jsonl key off the class, so the mapping decides what is
 * retried: connection trouble and server errors are, a request the server
 * refused or a certificate we do not trust is not.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "rest_map.h"

enum naut_err
rest_status_class(long status)
{
	if (status >= 200 && status < 300)
		return NAUT_ERR_OK;
	/* Credentials refused: the same class as an SSH login refused. */
	if (status == 401 || status == 407)
		return NAUT_ERR_AUTH;
	if (status >= 400 && status < 500)
		return NAUT_ERR_HTTP_4XX;
	if (status >= 500 && status < 600)
		return NAUT_ERR_HTTP_5XX;
	return NAUT_ERR_PROTOCOL;
}

enum naut_err
rest_curl_class(int rc, long os_errno, int too_large)
{
	if (too_large)
		return NAUT_ERR_OUTPUT_TOO_LARGE;
	switch (rc) {
	case CURLE_OK:
		return NAUT_ERR_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
		return NAUT_ERR_REFUSED;	/* as SSH does */
	case CURLE_COULDNT_CONNECT:
		return naut_err_errno(os_errno, NAUT_ERR_REFUSED);
	case CURLE_OPERATION_TIMEDOUT:
		return NAUT_ERR_TIMEOUT;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return NAUT_ERR_RESET;
	case CURLE_SSL_CONNECT_ERROR:
		/* A reset in the handshake is the network, not TLS. */
		return naut_err_errno(os_errno, NAUT_ERR_TLS_ERROR) ==
		    NAUT_ERR_RESET ? NAUT_ERR_RESET : NAUT_ERR_TLS_ERROR;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return NAUT_ERR_TLS_ERROR;
	case CURLE_FILESIZE_EXCEEDED:
		return NAUT_ERR_OUTPUT_TOO_LARGE;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FAILED_INIT:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return NAUT_ERR_INTERNAL;
	default:
		/* HTTP/2 errors, weird replies, too many redirects, ... */
		return NAUT_ERR_PROTOCOL;
	}
}

int
rest_retry_after(const char *v, size_t len, time_t now, uint64_t *ms)
{
	char buf[64], *end;
	struct tm tm;
	uint64_t s = 0;
	size_t i;
	time_t t;

	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	if (isdigit((unsigned char)v[0])) {
		for (i = 0; i < len; i++) {
			if (!isdigit((unsigned char)v[i]))
				return -1;
			if (s < REST_RETRY_AFTER_MAX_MS)
				s = s * 10 + (uint64_t)(v[i] - '0');
		}
		s *= 1000;
	} else {
		/* IMF-fixdate, the form RFC 9110 says senders use. */
		memcpy(buf, v, len);
		buf[len] = '\0';
		memset(&tm, 0, sizeof(tm));
		end = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (end == NULL || *end != '\0')
			return -1;
		t = timegm(&tm);
		s = t > now ? (uint64_t)(t - now) * 1000 : 0;
	}
	*ms = s < REST_RETRY_AFTER_MAX_MS ? s : REST_RETRY_AFTER_MAX_MS;
	return 0;
}

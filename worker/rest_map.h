/*
 * rest_map: how a REST transfer's outcome becomes an error class, and the
 * server's Retry-After hint.  Pure functions (no libcurl calls, only its
 * error numbers), so that a unit test links this file alone.
 */
#ifndef NAUT_REST_MAP_H
#define NAUT_REST_MAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "naut_enums.h"

/* A Retry-After longer than this is cut: the batch deadline still rules. */
#define REST_RETRY_AFTER_MAX_MS	(10ULL * 60 * 1000)

/*
 * The class of a completed HTTP exchange by its final status: 2xx ok,
 * 401 and 407 auth, other 4xx http_4xx, 5xx http_5xx, anything else
 * (1xx, an unfollowed 3xx) protocol.
 */
enum naut_err	 rest_status_class(long status);

/*
 * The class of a transfer libcurl failed (CURLcode rc, not CURLE_OK);
 * os_errno is CURLINFO_OS_ERRNO, 0 if none; too_large says the write
 * callback stopped the transfer at output_limit.
 */
enum naut_err	 rest_curl_class(int rc, long os_errno, int too_large);

/*
 * A Retry-After value (delay-seconds or an HTTP-date) in milliseconds from
 * now, capped at REST_RETRY_AFTER_MAX_MS.  -1 when it is neither.
 */
int		 rest_retry_after(const char *value, size_t len, time_t now,
		    uint64_t *ms);

#endif

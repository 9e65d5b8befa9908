/*
 * The small fixed vocabularies that reach logs, metrics, results.jsonl and
 * naut-stat.  Each is one X-macro list expanded into an enum and a name
 * table (naut_enums.c), so every word is spelled in exactly one place.
 *
 * The numeric values are stored in the shared-memory segment: append new
 * words at the end and bump SHM_VERSION when a value changes meaning.
 */
#ifndef NAUT_ENUMS_H
#define NAUT_ENUMS_H

/* Why an attempt ended.  Retry policy, metric labels and results key off it. */
#define NAUT_ERRS(X)							\
	X(OK,		"ok",		"no error")			\
	X(TIMEOUT,	"timeout",	"a phase timer expired")	\
	X(REFUSED,	"refused",	"the connection was refused")	\
	X(RESET,	"reset",	"the peer reset or closed the connection") \
	X(AUTH,		"auth",		"authentication was refused")	\
	X(HOSTKEY_UNKNOWN, "hostkey_unknown", "the host key is not known") \
	X(HOSTKEY_MISMATCH, "hostkey_mismatch", "the host key changed")	\
	X(PROTOCOL,	"protocol",	"the peer broke the SSH/HTTP protocol") \
	X(OUTPUT_TOO_LARGE, "output_too_large", "output passed output_limit") \
	X(BREAKER_OPEN,	"breaker_open",	"refused at once by an open breaker") \
	X(DEADLINE,	"deadline",	"the batch deadline passed")	\
	X(CANCELLED,	"cancelled",	"cancelled by shutdown") \
	X(TLS_ERROR,	"tls_error",	"TLS handshake or verification failed") \
	X(HTTP_4XX,	"http_4xx",	"the REST API answered 4xx")	\
	X(HTTP_5XX,	"http_5xx",	"the REST API answered 5xx")	\
	X(NETCONF_FRAMING, "netconf_framing", "bad NETCONF framing")	\
	X(PARSE,	"parse",	"the reply could not be parsed") \
	X(INTERNAL,	"internal",	"a bug or resource failure in naut")

enum naut_err {
#define X(e, s, h) NAUT_ERR_##e,
	NAUT_ERRS(X)
#undef X
	NAUT_ERR_COUNT
};

/* Where a device stands in the current run. */
#define NAUT_RUNS(X)							\
	X(PENDING,	"pending",	"not started yet")		\
	X(RUNNING,	"running",	"an attempt is in flight")	\
	X(BACKOFF,	"backoff",	"waiting to retry after a failure") \
	X(DONE,		"done",		"finished successfully")	\
	X(FAILED,	"failed",	"gave up; see the last error")

enum naut_run {
#define X(e, s, h) NAUT_RUN_##e,
	NAUT_RUNS(X)
#undef X
	NAUT_RUN_COUNT
};

/* The status word of a device's last attempt (results.jsonl "status"). */
#define NAUT_RESULTS(X)							\
	X(NONE,		"none",		"no attempt finished yet")	\
	X(OK,		"ok",		"the attempt succeeded")	\
	X(FAILED,	"failed",	"the attempt failed")		\
	X(CANCELLED,	"cancelled",	"the attempt was cancelled")

enum naut_result {
#define X(e, s, h) NAUT_RESULT_##e,
	NAUT_RESULTS(X)
#undef X
	NAUT_RESULT_COUNT
};

/* Circuit-breaker states (worker/breaker.h has the transitions). */
#define NAUT_BRKS(X)							\
	X(CLOSED,	"closed",	"attempts pass")		\
	X(OPEN,		"open",		"attempts are refused until open_for passed") \
	X(HALF_OPEN,	"half_open",	"one probe at a time decides")

enum naut_brk {
#define X(e, s, h) NAUT_BRK_##e,
	NAUT_BRKS(X)
#undef X
	NAUT_BRK_COUNT
};

/* A worker slot's lifecycle, as the supervisor sees it (Varnish mgt_child). */
#define NAUT_WSTATES(X)							\
	X(NONE,		"none",		"never started")		\
	X(STARTING,	"starting",	"forked, not yet in its loop")	\
	X(RUNNING,	"running",	"in its event loop")		\
	X(STOPPING,	"stopping",	"draining before exit")		\
	X(STOPPED,	"stopped",	"exited cleanly")		\
	X(DIED,		"died",		"exited abnormally; reaped")

enum naut_wstate {
#define X(e, s, h) NAUT_WSTATE_##e,
	NAUT_WSTATES(X)
#undef X
	NAUT_WSTATE_COUNT
};

/*
 * name() returns "?" for a value out of range (a segment written by a newer
 * build); parse() returns the value or -1.  help() is the one-line meaning.
 */
const char	*naut_err_name(unsigned);
const char	*naut_err_help(unsigned);
int		 naut_err_parse(const char *);
const char	*naut_run_name(unsigned);
const char	*naut_run_help(unsigned);
int		 naut_run_parse(const char *);
const char	*naut_result_name(unsigned);
const char	*naut_brk_name(unsigned);
const char	*naut_brk_help(unsigned);
int		 naut_brk_parse(const char *);
const char	*naut_wstate_name(unsigned);

/* A socket's errno as a status word, for every transport; dflt if none. */
enum naut_err	 naut_err_errno(long, enum naut_err dflt);

#endif

/*
 * Private to worker/wrk_rest*.c.  wrk_rest.c owns the worker's one CURLM
 * and drives it from the event loop; wrk_rest_att.c runs one attempt (a
 * device's requests, one easy handle reused step after step);
 * wrk_rest_keep.c keeps such a handle open between telemetry polls.
 */
#ifndef NAUT_WRK_REST_INT_H
#define NAUT_WRK_REST_INT_H

#include <curl/curl.h>
#include <stdint.h>

#include "wrk_int.h"

/*
 * One attempt (a batch device's requests) or one kept-open telemetry
 * session (ra_keep): an easy handle that goes back into the multi for each
 * transfer, so the multi's connection cache keeps its connection.
 */
#define RA_MAGIC	0x72617421U	/* "rat!" */

struct rest_att {
	uint32_t		 ra_magic;
	struct wrk		*ra_w;
	const struct conf_device *ra_dev;
	const struct conf_job	*ra_job;
	const struct wrk_att_cb	*ra_cb;
	void			*ra_arg;
	size_t			 ra_step;
	const struct conf_rest_req *ra_rq;	/* the transfer's request */
	int			 ra_keep;	/* a kept-open session */
	int			 ra_kstate;	/* wrk_rest_keep.c's */
	struct conf_rest_req	 ra_poll;	/* a poll's GET */
	long			 ra_maxage_s;	/* idle connection reuse, 0: curl's */
	CURL			*ra_e;
	CURLM			*ra_m;
	int			 ra_added;	/* ra_e is in the multi */
	struct curl_slist	*ra_hdrs;
	char			*ra_url;
	char			*ra_buf;	/* the response body */
	size_t			 ra_len, ra_cap;
	int			 ra_too_large;
	int			 ra_has_retry;
	uint64_t		 ra_retry_ms;
	struct event		*ra_kick;
	enum naut_err		 ra_err;
	char			 ra_msg[256];
	char			 ra_errbuf[CURL_ERROR_SIZE];
};

/* wrk_rest.c */
CURLM		*rest_multi(struct wrk *);	/* created on first use */
/* The counters and connection cache settings every easy handle shares. */
void		 rest_easy_sockets(struct wrk *, CURL *);

/* wrk_rest_att.c */
void		*rest_start(struct wrk *, const struct conf_device *,
		    const struct conf_job *, size_t first_step,
		    const struct wrk_att_cb *, void *arg);
void		 rest_cancel(void *att, enum naut_err, const char *msg);
/* A transfer of att's finished (from curl_multi_info_read). */
void		 rest_att_done(struct rest_att *, CURLcode);
struct rest_att	*rest_att_check(void *);
void		 rest_att_fail(struct rest_att *, enum naut_err,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
int		 rest_att_request(struct rest_att *,
		    const struct conf_rest_req *);
/* Frees ra, then calls ac_done with its error (NAUT_ERR_OK if none). */
void		 rest_att_finish(struct rest_att *);

/* wrk_rest_keep.c: kept-open sessions for telemetry. */
void		*rest_open(struct wrk *, const struct conf_device *,
		    const struct wrk_att_cb *, void *arg);
int		 rest_poll(void *sess, const struct conf_telemetry *);
void		 rest_close(void *sess);
/* The session's zero timer fired; a poll's GET answered 2xx. */
void		 rest_keep_kick(struct rest_att *);
void		 rest_keep_polled(struct rest_att *, int status);

#endif

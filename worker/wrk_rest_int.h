/*
 * Private to worker/wrk_rest*.c.  wrk_rest.c owns the worker's one CURLM
 * and drives it from the event loop; wrk_rest_att.c runs one attempt (a
 * device's requests, one easy handle reused step after step).
 */
#ifndef NAUT_WRK_REST_INT_H
#define NAUT_WRK_REST_INT_H

#include <curl/curl.h>

#include "wrk_int.h"

struct rest_att;

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

#endif

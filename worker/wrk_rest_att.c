/*
 * One REST attempt: a device's requests, one after the other, on one easy
 * handle that goes back into the worker's multi handle for each step (the
 * multi's connection cache keeps the device's connection between them).
 * A 2xx body is the step's output; any other outcome ends the attempt with
 * an error class (rest_map.c), the HTTP status and, when the server sent
 * one, its Retry-After hint for wrk_run.c.
 *
 * Secrets go to libcurl as options (CURLOPT_PASSWORD, CURLOPT_XOAUTH2_BEARER),
 * never into a URL, a log line or a message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "ctr.h"
#include "log.h"
#include "rest_map.h"
#include "wrk_rest_int.h"
#include "xmem.h"

#define RA_MAXREDIRS	5L

struct rest_att *
rest_att_check(void *p)
{
	struct rest_att *ra = p;

	if (ra == NULL || ra->ra_magic != RA_MAGIC)
		fatalx("%s: bad attempt pointer", __func__);
	return ra;
}

void
rest_att_fail(struct rest_att *ra, enum naut_err err, const char *fmt, ...)
{
	va_list ap;

	if (ra->ra_err != NAUT_ERR_OK)
		return;
	ra->ra_err = err;
	va_start(ap, fmt);
	vsnprintf(ra->ra_msg, sizeof(ra->ra_msg), fmt, ap);
	va_end(ap);
}

static size_t
att_write_cb(char *p, size_t sz, size_t nm, void *arg)
{
	struct rest_att *ra = rest_att_check(arg);
	size_t n = sz * nm, cap;

	CTR_ADD(ra->ra_w->w_ctr, bytes_received, n);
	/* Returning less than n makes libcurl abort the transfer. */
	if (ra->ra_len + n > ra->ra_dev->p.output_limit) {
		ra->ra_too_large = 1;
		return 0;
	}
	if (ra->ra_len + n + 1 > ra->ra_cap) {
		cap = ra->ra_cap ? ra->ra_cap * 2 : 4096;
		while (cap < ra->ra_len + n + 1)
			cap *= 2;
		ra->ra_buf = xreallocarray(ra->ra_buf, cap, 1);
		ra->ra_cap = cap;
	}
	memcpy(ra->ra_buf + ra->ra_len, p, n);
	ra->ra_len += n;
	return n;
}

/* Only the last response's Retry-After counts (redirects come first). */
static size_t
att_header_cb(char *p, size_t sz, size_t nm, void *arg)
{
	static const char ra_hdr[] = "retry-after:";
	struct rest_att *ra = rest_att_check(arg);
	size_t n = sz * nm, k = sizeof(ra_hdr) - 1;
	uint64_t ms;

	CTR_ADD(ra->ra_w->w_ctr, bytes_received, n);
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		ra->ra_has_retry = 0;
	else if (n > k && strncasecmp(p, ra_hdr, k) == 0 &&
	    rest_retry_after(p + k, n - k, time(NULL), &ms) == 0) {
		ra->ra_has_retry = 1;
		ra->ra_retry_ms = ms;
	}
	return n;
}

static int
hdr_given(const struct conf_tag *h, const char *name)
{
	for (; h != NULL; h = h->next)
		if (strcasecmp(h->key, name) == 0)
			return 1;
	return 0;
}

static void
att_auth(struct rest_att *ra)
{
	const struct conf_device *d = ra->ra_dev;
	const struct conf_secret *pw = d->password;
	CURL *e = ra->ra_e;

	if (d->p.http_auth == CONF_HTTPAUTH_BEARER) {
		if (pw == NULL)
			return;
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, pw->value);
		return;
	}
	if (d->p.username == NULL)
		return;
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERNAME, d->p.username);
	curl_easy_setopt(e, CURLOPT_PASSWORD, pw != NULL ? pw->value : "");
}

static void
att_method(struct rest_att *ra, const struct conf_rest_req *rq)
{
	CURL *e = ra->ra_e;

	if (strcmp(rq->method, "GET") == 0 && rq->body == NULL)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else if (strcmp(rq->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(rq->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body != NULL || strcmp(rq->method, "POST") == 0) {
		const char *b = rq->body != NULL ? rq->body : "";

		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(b));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, b);
	}
}

static int
att_headers(struct rest_att *ra, const struct conf_rest_req *rq)
{
	const struct conf_tag *h;
	struct curl_slist *l;
	char *line;
	size_t len;

	curl_slist_free_all(ra->ra_hdrs);
	ra->ra_hdrs = NULL;
	for (h = rq->headers; h != NULL; h = h->next) {
		len = strlen(h->key) + strlen(h->value) + 3;
		line = xmalloc(len);
		snprintf(line, len, "%s: %s", h->key, h->value);
		l = curl_slist_append(ra->ra_hdrs, line);
		free(line);
		if (l == NULL)
			return -1;
		ra->ra_hdrs = l;
	}
	/* JSON APIs are the norm; curl would say form-urlencoded. */
	if (rq->body != NULL && !hdr_given(rq->headers, "Content-Type")) {
		if ((l = curl_slist_append(ra->ra_hdrs,
		    "Content-Type: application/json")) == NULL)
			return -1;
		ra->ra_hdrs = l;
	}
	return 0;
}

/*
 * Set up request rq on ra's easy handle with the device's URL, auth, TLS,
 * timeouts and output limit, and add it to the multi: the one place both
 * batch steps and telemetry polls (wrk_rest_keep.c) make a transfer.
 * -1 after rest_att_fail().
 */
int
rest_att_request(struct rest_att *ra, const struct conf_rest_req *rq)
{
	const struct conf_device *d = ra->ra_dev;
	const char *host = d->p.host;
	int v6 = strchr(host, ':') != NULL;
	CURL *e = ra->ra_e;
	size_t len;

	curl_easy_reset(e);
	ra->ra_rq = rq;
	ra->ra_len = 0;
	ra->ra_too_large = 0;
	ra->ra_has_retry = 0;
	ra->ra_errbuf[0] = '\0';
	free(ra->ra_url);
	len = strlen(host) + strlen(rq->path) + 32;
	ra->ra_url = xmalloc(len);
	snprintf(ra->ra_url, len, "https://%s%s%s:%u%s", v6 ? "[" : "", host,
	    v6 ? "]" : "", d->p.port, rq->path);
	if (att_headers(ra, rq) != 0) {
		rest_att_fail(ra, NAUT_ERR_INTERNAL,
		    "out of memory for headers");
		return -1;
	}
	curl_easy_setopt(e, CURLOPT_URL, ra->ra_url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, ra);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ra->ra_errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, RA_MAXREDIRS);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "naut/" NAUT_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)d->p.t_connect_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)d->p.t_command_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)d->p.output_limit);
	/*
	 * After the device's last request its connection is closed (once no
	 * other transfer shares it): a batch then holds connections for the
	 * devices in progress, not for every device it has done.  A kept-open
	 * session keeps it for the next poll.
	 */
	if (ra->ra_job != NULL && ra->ra_step + 1 == ra->ra_job->nrequests)
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	if (ra->ra_maxage_s > 0)
		curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, ra->ra_maxage_s);
	if (!d->p.tls_verify) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (d->p.ca_file != NULL) {
		/* Debian's default CA path would be consulted as well. */
		curl_easy_setopt(e, CURLOPT_CAINFO, d->p.ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, att_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, ra);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, att_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, ra);
	if (ra->ra_hdrs != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, ra->ra_hdrs);
	rest_easy_sockets(ra->ra_w, e);
	att_auth(ra);
	att_method(ra, rq);
	if (curl_multi_add_handle(ra->ra_m, e) != CURLM_OK) {
		rest_att_fail(ra, NAUT_ERR_INTERNAL,
		    "curl_multi_add_handle failed");
		return -1;
	}
	ra->ra_added = 1;
	return 0;
}

/* Start the next step, or finish when none is left or one failed. */
static void
att_next(struct rest_att *ra)
{
	if (ra->ra_step < ra->ra_job->nrequests && ra->ra_err ==
	    NAUT_ERR_OK && rest_att_request(ra,
	    &ra->ra_job->requests[ra->ra_step]) == 0)
		return;
	rest_att_finish(ra);
}

void
rest_att_done(struct rest_att *ra, CURLcode rc)
{
	const struct conf_rest_req *rq;
	curl_off_t up = 0;
	long status = 0, oserr = 0, reqsize = 0;
	enum naut_err err;

	ra = rest_att_check(ra);
	rq = ra->ra_rq;
	curl_easy_getinfo(ra->ra_e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(ra->ra_e, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(ra->ra_e, CURLINFO_REQUEST_SIZE, &reqsize);
	curl_easy_getinfo(ra->ra_e, CURLINFO_SIZE_UPLOAD_T, &up);
	CTR_ADD(ra->ra_w->w_ctr, bytes_sent, (uint64_t)reqsize + (uint64_t)up);
	curl_multi_remove_handle(ra->ra_m, ra->ra_e);
	ra->ra_added = 0;

	if (rc != CURLE_OK) {
		err = rest_curl_class(rc, oserr, ra->ra_too_large);
		if (err == NAUT_ERR_OUTPUT_TOO_LARGE)
			rest_att_fail(ra, err, "%s %s: response larger than "
			    "output_limit (%llu bytes)", rq->method, rq->path,
			    (unsigned long long)ra->ra_dev->p.output_limit);
		else
			rest_att_fail(ra, err, "%s %s: %s", rq->method, rq->path,
			    ra->ra_errbuf[0] != '\0' ? ra->ra_errbuf :
			    curl_easy_strerror(rc));
		/* A status seen before the failure still goes on record. */
		if (status > 0 && ra->ra_cb->ac_status != NULL)
			ra->ra_cb->ac_status(ra->ra_arg, (int)status, 0);
		rest_att_finish(ra);
		return;
	}
	if ((err = rest_status_class(status)) != NAUT_ERR_OK) {
		rest_att_fail(ra, err, "%s %s: HTTP %ld", rq->method, rq->path,
		    status);
		if (ra->ra_cb->ac_status != NULL)
			ra->ra_cb->ac_status(ra->ra_arg, (int)status,
			    ra->ra_has_retry ? ra->ra_retry_ms : 0);
		rest_att_finish(ra);
		return;
	}
	if (ra->ra_keep) {
		rest_keep_polled(ra, (int)status);
		return;
	}
	ra->ra_cb->ac_output(ra->ra_arg, ra->ra_step, ra->ra_buf != NULL ?
	    ra->ra_buf : "", ra->ra_len, (int)status);
	ra->ra_step++;
	att_next(ra);
}

static void
att_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rest_att *ra;

	(void)fd;
	(void)what;
	ra = rest_att_check(arg);
	if (ra->ra_keep)
		rest_keep_kick(ra);
	else
		att_next(ra);
}

/* Everything is freed before ac_done runs: it may start a new attempt. */
void
rest_att_finish(struct rest_att *ra)
{
	const struct wrk_att_cb *cb = ra->ra_cb;
	enum naut_err err = ra->ra_err;
	void *arg = ra->ra_arg;
	char msg[sizeof(ra->ra_msg)];

	if (ra->ra_added)
		curl_multi_remove_handle(ra->ra_m, ra->ra_e);
	if (ra->ra_e != NULL)
		curl_easy_cleanup(ra->ra_e);
	curl_slist_free_all(ra->ra_hdrs);
	event_free(ra->ra_kick);
	free(ra->ra_buf);
	free(ra->ra_url);
	memcpy(msg, ra->ra_msg, sizeof(msg));
	ra->ra_magic = 0;
	free(ra);
	cb->ac_done(arg, err, msg);
}

void *
rest_start(struct wrk *w, const struct conf_device *d,
    const struct conf_job *j, size_t first_step, const struct wrk_att_cb *cb,
    void *arg)
{
	struct rest_att *ra = xcalloc(1, sizeof(*ra));
	static const struct timeval tv_zero = { 0, 0 };

	ra->ra_magic = RA_MAGIC;
	ra->ra_w = w;
	ra->ra_dev = d;
	ra->ra_job = j;
	ra->ra_cb = cb;
	ra->ra_arg = arg;
	ra->ra_step = first_step;
	ra->ra_kick = evtimer_new(w->w_base, att_kick_cb, ra);
	if ((ra->ra_m = rest_multi(w)) == NULL)
		rest_att_fail(ra, NAUT_ERR_INTERNAL,
		    "libcurl multi handle failed");
	else if ((ra->ra_e = curl_easy_init()) == NULL)
		rest_att_fail(ra, NAUT_ERR_INTERNAL, "curl_easy_init failed");
	/* Start from the loop, so ac_done never runs inside rest_start(). */
	evtimer_add(ra->ra_kick, &tv_zero);
	return ra;
}

void
rest_cancel(void *p, enum naut_err why, const char *msg)
{
	struct rest_att *ra = rest_att_check(p);

	ra->ra_err = NAUT_ERR_OK;
	rest_att_fail(ra, why, "%s", msg);
	rest_att_finish(ra);
}

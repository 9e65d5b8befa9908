/*
 * /metrics and /healthz on supervisor.metrics_listen (libevent's evhttp on
 * the supervisor's loop).  Every scrape is built from the segment, so the
 * workers never serve, block on or even notice a scrape.  Text exposition
 * format 0.0.4; HELP and TYPE once per family; label values escaped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "conf.h"
#include "ctr.h"
#include "esc.h"
#include "log.h"
#include "shm.h"
#include "sup.h"

/*
 * Label values: backslash, double quote and newline escaped; invalid
 * UTF-8 and control characters become U+FFFD (esc.c).
 */
static void
prom_label(FILE *fp, const char *s)
{
	esc_prom_label(s, fp);
}

static void
family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_workers(FILE *fp, const struct sup *s)
{
	struct shm_worker wk;
	uint64_t now = clock_mono_ms();
	unsigned w;

	family(fp, "naut_worker_up", "gauge", "1 while the worker process "
	    "runs");
	for (w = 0; w < s->s_nworkers; w++)
		fprintf(fp, "naut_worker_up{worker=\"%u\"} %d\n", w,
		    shm_worker_alive(s->s_shm, w));
	family(fp, "naut_worker_starts_total", "counter", "Times a worker "
	    "process was started in this slot (restarts included)");
	for (w = 0; w < s->s_nworkers; w++) {
		shm_worker_get(s->s_shm, w, &wk);
		fprintf(fp, "naut_worker_starts_total{worker=\"%u\"} %u\n", w,
		    wk.starts);
	}
	family(fp, "naut_worker_heartbeat_age_seconds", "gauge", "Seconds "
	    "since the worker's event loop last beat");
	for (w = 0; w < s->s_nworkers; w++) {
		shm_worker_get(s->s_shm, w, &wk);
		fprintf(fp, "naut_worker_heartbeat_age_seconds{worker=\"%u\"} "
		    "%.3f\n", w, wk.heartbeat_ms == 0 || wk.heartbeat_ms > now ?
		    0.0 : (double)(now - wk.heartbeat_ms) / 1000.0);
	}
}

static void
metrics_devices(FILE *fp, const struct sup *s)
{
	unsigned nd = shm_ndevices(s->s_shm), i, k;
	unsigned byrun[NAUT_RUN_COUNT] = { 0 }, bybrk[NAUT_BRK_COUNT] = { 0 };
	struct shm_dev d;
	char *brk = NULL;
	size_t brklen = 0;
	FILE *bf = open_memstream(&brk, &brklen);

	if (bf == NULL)
		return;
	for (i = 0; i < nd; i++) {
		shm_dev_read(s->s_shm, i, &d);
		if (d.run < NAUT_RUN_COUNT)
			byrun[d.run]++;
		if (d.brk.state < NAUT_BRK_COUNT)
			bybrk[d.brk.state]++;
		/* Per device, only where a breaker holds state. */
		if (s->s_conf->devices[i].brk_dev == i) {
			fputs("naut_breaker_state{device=\"", bf);
			prom_label(bf, shm_dev_name(s->s_shm, i));
			fprintf(bf, "\"} %u\n", d.brk.state);
		}
	}
	fclose(bf);
	family(fp, "naut_devices", "gauge", "Devices by run status");
	for (k = 0; k < NAUT_RUN_COUNT; k++)
		fprintf(fp, "naut_devices{status=\"%s\"} %u\n",
		    naut_run_name(k), byrun[k]);
	family(fp, "naut_breakers", "gauge", "Device breakers by state");
	for (k = 0; k < NAUT_BRK_COUNT; k++)
		fprintf(fp, "naut_breakers{state=\"%s\"} %u\n",
		    naut_brk_name(k), bybrk[k]);
	family(fp, "naut_breaker_state", "gauge", "Breaker of each device "
	    "(or shared key leader): 0 closed, 1 open, 2 half-open");
	fwrite(brk, 1, brklen, fp);
	free(brk);
}

/* The whole exposition; returns 0, or -1 if writing failed. */
static int
metrics_write(FILE *fp, const struct sup *s)
{
	struct shm_budget_view bv;
	struct ctr_snap snap;
	unsigned k;

	family(fp, "naut_build_info", "gauge", "Build of this naut; always 1");
	fprintf(fp, "naut_build_info{version=\"%s\"} 1\n", NAUT_VERSION);
	shm_ctr_sum(s->s_shm, &snap);
	ctr_prom_write(fp, &snap, "naut");
	shm_budget_view(s->s_shm, &bv, NULL, 8);
	family(fp, "naut_budget_limit", "gauge", "Global concurrency budget "
	    "(max_concurrent)");
	fprintf(fp, "naut_budget_limit %u\n", bv.limit);
	family(fp, "naut_budget_in_use", "gauge", "Budget tokens held by "
	    "active sessions now");
	fprintf(fp, "naut_budget_in_use %u\n", bv.in_use);
	family(fp, "naut_budget_waiters", "gauge", "Workers waiting for a "
	    "budget token now");
	fprintf(fp, "naut_budget_waiters %u\n", bv.waiters);
	metrics_workers(fp, s);
	metrics_devices(fp, s);
	if (s->s_tm != NULL) {
		sup_tm_metrics(fp, s);
		return ferror(fp) ? -1 : 0;
	}
	family(fp, "naut_batch_devices", "gauge", "Devices selected by the "
	    "running batch job");
	fprintf(fp, "naut_batch_devices %zu\n", s->s_nselected);
	family(fp, "naut_batch_results", "gauge", "Devices of the batch "
	    "finished, by final status word");
	for (k = 0; k < NAUT_ERR_COUNT; k++)
		fprintf(fp, "naut_batch_results{status=\"%s\"} %" PRIu64 "\n",
		    naut_err_name(k), s->s_bystatus[k]);
	family(fp, "naut_batch_elapsed_seconds", "gauge", "Seconds since the "
	    "batch started");
	fprintf(fp, "naut_batch_elapsed_seconds %.3f\n",
	    (double)(clock_mono_ms() - s->s_t0_ms) / 1000.0);
	return ferror(fp) ? -1 : 0;
}

static void
metrics_cb(struct evhttp_request *req, void *arg)
{
	struct sup *s = arg;
	struct evbuffer *out;
	char *body = NULL;
	size_t len = 0;
	FILE *fp;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	if ((fp = open_memstream(&body, &len)) == NULL ||
	    metrics_write(fp, s) != 0) {
		if (fp != NULL)
			fclose(fp);
		free(body);
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	fclose(fp);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	out = evbuffer_new();
	evbuffer_add(out, body, len);
	free(body);
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void
healthz_cb(struct evhttp_request *req, void *arg)
{
	struct sup *s = arg;
	struct evbuffer *out = evbuffer_new();

	/* Healthy while at least one worker runs or the batch is complete. */
	evbuffer_add_printf(out, "ok %u/%u workers\n", s->s_alive,
	    s->s_nworkers);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void
notfound_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_send_error(req, 404, "Not Found (try /metrics)");
}

/* Listen on host:port; a failure is logged and the batch runs without. */
int
sup_metrics_start(struct sup *s)
{
	const char *listen = s->s_conf->sup.metrics_listen;
	char host[256];
	const char *colon = strrchr(listen, ':');
	size_t hl;

	if (colon == NULL)
		return -1;
	hl = (size_t)(colon - listen);
	if (*listen == '[' && hl >= 2) {
		listen++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if ((s->s_http = evhttp_new(s->s_base)) == NULL)
		return -1;
	if (evhttp_bind_socket(s->s_http, host,
	    (uint16_t)atoi(colon + 1)) != 0) {
		log_warnx("metrics_listen %s: cannot listen; running without "
		    "/metrics", s->s_conf->sup.metrics_listen);
		evhttp_free(s->s_http);
		s->s_http = NULL;
		return -1;
	}
	evhttp_set_allowed_methods(s->s_http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
	evhttp_set_timeout(s->s_http, 10);
	evhttp_set_cb(s->s_http, "/metrics", metrics_cb, s);
	evhttp_set_cb(s->s_http, "/healthz", healthz_cb, s);
	evhttp_set_gencb(s->s_http, notfound_cb, s);
	log_debug("serving /metrics on %s", s->s_conf->sup.metrics_listen);
	return 0;
}

void
sup_metrics_stop(struct sup *s)
{
	if (s->s_http != NULL)
		evhttp_free(s->s_http);
	s->s_http = NULL;
}

/*
 * The worker's REST engine: one libcurl multi handle per worker, driven by
 * the worker's libevent loop through curl's multi_socket API.  libcurl
 * says which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake
 * it (CURLMOPT_TIMERFUNCTION); this file turns both into events and feeds
 * readiness back with curl_multi_socket_action().  The multi handle's
 * connection cache is what keeps a device's connection alive from one
 * request to the next and across attempts.
 *
 * libcurl refuses multi calls made from inside those two callbacks
 * (CURLM_RECURSIVE_API_CALL), so they only arm events; even a zero timeout
 * becomes a timer that fires from the loop.
 */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctr.h"
#include "log.h"
#include "wrk_rest_int.h"
#include "xmem.h"

#define REST_MAGIC	0x72657374U	/* "rest" */
#define REST_MIN_CACHE	16

struct rest_sock {
	struct event		*rs_ev;
	LIST_ENTRY(rest_sock)	 rs_entry;
};

struct rest_engine {
	uint32_t		 re_magic;
	struct wrk		*re_w;
	CURLM			*re_m;
	struct event		*re_tmo;
	LIST_HEAD(, rest_sock)	 re_socks;	/* freed at shutdown */
};

static int	curl_inited;

static struct rest_engine *
re_check(void *p)
{
	struct rest_engine *re = p;

	if (re == NULL || re->re_magic != REST_MAGIC)
		fatalx("%s: bad engine pointer", __func__);
	return re;
}

/* Finished transfers go back to their attempts, which may start more. */
static void
re_info(struct rest_engine *re)
{
	struct rest_att *att;
	CURLMsg *msg;
	CURLcode rc;
	CURL *e;
	int left;

	while ((msg = curl_multi_info_read(re->re_m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		e = msg->easy_handle;
		rc = msg->data.result;	/* msg dies with e's removal */
		att = NULL;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&att);
		rest_att_done(att, rc);
	}
}

static void
re_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rest_engine *re = re_check(arg);
	int action = 0, running;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(re->re_m, fd, action, &running);
	re_info(re);
}

static void
re_tmo_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rest_engine *re = re_check(arg);
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(re->re_m, CURL_SOCKET_TIMEOUT, 0, &running);
	re_info(re);
}

/*
 * The event's argument is the engine, not the socket's context: curl may
 * free the context (CURL_POLL_REMOVE) inside the socket_action it runs.
 */
static int
re_sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct rest_engine *re = re_check(userp);
	struct rest_sock *rs = socketp;
	short ev = EV_PERSIST;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (rs != NULL) {
			LIST_REMOVE(rs, rs_entry);
			event_free(rs->rs_ev);
			free(rs);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	if (rs == NULL) {
		rs = xcalloc(1, sizeof(*rs));
		rs->rs_ev = event_new(re->re_w->w_base, s, ev, re_ev_cb, re);
		LIST_INSERT_HEAD(&re->re_socks, rs, rs_entry);
		curl_multi_assign(re->re_m, s, rs);
	} else {
		event_del(rs->rs_ev);
		event_assign(rs->rs_ev, re->re_w->w_base, s, ev, re_ev_cb, re);
	}
	event_add(rs->rs_ev, NULL);
	return 0;
}

static int
re_timer_cb(CURLM *m, long ms, void *userp)
{
	struct rest_engine *re = re_check(userp);
	struct timeval tv;

	(void)m;
	if (ms < 0) {
		evtimer_del(re->re_tmo);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(re->re_tmo, &tv);
	return 0;
}

/*
 * One idle connection per REST device of this worker, so that a device
 * polled again finds its connection; bounded by half the fd limit.
 */
static long
re_cache_size(const struct wrk *w)
{
	const struct wrk_heritage *h = w->w_h;
	const struct conf *c = h->wh_conf;
	struct rlimit rl;
	long n = 0;
	size_t i;

	for (i = 0; i < c->ndevices; i++)
		if (h->wh_selected[i] && h->wh_owner[i] == h->wh_index &&
		    c->devices[i].p.transport == CONF_TRANSPORT_REST)
			n++;
	if (n < REST_MIN_CACHE)
		n = REST_MIN_CACHE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur !=
	    RLIM_INFINITY && (rlim_t)n > rl.rlim_cur / 2)
		n = (long)(rl.rlim_cur / 2);
	return n;
}

CURLM *
rest_multi(struct wrk *w)
{
	struct rest_engine *re = w->w_rest;

	if (re != NULL)
		return re->re_m;
	/* Per process, after fork: nothing of curl's crosses a fork. */
	if (!curl_inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_inited = 1;
	}
	re = xcalloc(1, sizeof(*re));
	re->re_magic = REST_MAGIC;
	re->re_w = w;
	LIST_INIT(&re->re_socks);
	if ((re->re_m = curl_multi_init()) == NULL) {
		free(re);
		return NULL;
	}
	re->re_tmo = evtimer_new(w->w_base, re_tmo_cb, re);
	curl_multi_setopt(re->re_m, CURLMOPT_SOCKETFUNCTION, re_sock_cb);
	curl_multi_setopt(re->re_m, CURLMOPT_SOCKETDATA, re);
	curl_multi_setopt(re->re_m, CURLMOPT_TIMERFUNCTION, re_timer_cb);
	curl_multi_setopt(re->re_m, CURLMOPT_TIMERDATA, re);
	curl_multi_setopt(re->re_m, CURLMOPT_MAXCONNECTS, re_cache_size(w));
	curl_multi_setopt(re->re_m, CURLMOPT_PIPELINING,
	    (long)CURLPIPE_MULTIPLEX);
	w->w_rest = re;
	return re->re_m;
}

/* Connections are counted as sessions, idle kept-alive ones included. */
static curl_socket_t
re_open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct wrk *w = arg;
	int fd;

	(void)purpose;
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd == -1)
		return CURL_SOCKET_BAD;
	ctr_gauge_add(&w->w_ctr->sessions_open, 1);
	return fd;
}

static int
re_close_cb(void *arg, curl_socket_t fd)
{
	struct wrk *w = arg;

	ctr_gauge_add(&w->w_ctr->sessions_open, -1);
	return close(fd);
}

void
rest_easy_sockets(struct wrk *w, CURL *e)
{
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, re_open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, w);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, re_close_cb);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, w);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
}

/* The loop has ended: every attempt is over; close the cached connections. */
static void
rest_shutdown(struct wrk *w)
{
	struct rest_engine *re = w->w_rest;
	struct rest_sock *rs;

	if (re == NULL)
		return;
	curl_multi_cleanup(re->re_m);
	while ((rs = LIST_FIRST(&re->re_socks)) != NULL) {
		LIST_REMOVE(rs, rs_entry);
		event_free(rs->rs_ev);
		free(rs);
	}
	event_free(re->re_tmo);
	re->re_magic = 0;
	free(re);
	w->w_rest = NULL;
	if (curl_inited) {
		curl_global_cleanup();
		curl_inited = 0;
	}
}

const struct wrk_transport wrk_tp_rest = {
	.wt_name = "rest",
	.wt_start = rest_start,
	.wt_cancel = rest_cancel,
	.wt_shutdown = rest_shutdown,
	.wt_open = rest_open,
	.wt_poll = rest_poll,
	.wt_close = rest_close,
};

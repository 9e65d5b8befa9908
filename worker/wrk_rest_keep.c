/*
 * Kept-open REST sessions for telemetry: a device's easy handle lives from
 * wt_open to the session's end, and each poll is one GET of the entry's
 * rest.path on it (wrk_rest_att.c sets the transfer up, as for a batch
 * step, but never forbids reuse).  Between polls the handle is out of the
 * multi and its connection waits in the multi's connection cache, sized
 * to one per REST device (wrk_rest.c): the next poll finds it, so a poll
 * costs a request, not a TCP and TLS handshake; HTTP/2 or HTTP/1.1
 * keep-alive, whichever the device offers.  A connection the device
 * closed while idle is noticed and replaced by libcurl itself.
 *
 * wt_open goes idle at once, without a request: HTTP has no login to keep,
 * the path to fetch is the poll's, and a probe request would double the
 * first poll's load on the device.  The first poll makes the connection;
 * if the device is down, that poll fails (connect error class) and wrk_tm
 * counts it against the breaker like any broken session.
 *
 * Any failed poll (non-2xx, TLS, timeout, connection) ends the session
 * through ac_done with the transfer's error class (rest_map.c), so that
 * wrk_tm.c's breaker and backoff apply; the next session reuses whatever
 * connection is still cached.
 */
#include <event2/event.h>

#include "wrk_rest_int.h"

enum rk_state {
	RK_OPENING,	/* kicked: go idle from the loop */
	RK_IDLE,
	RK_POLLING,	/* the GET is in the multi */
	RK_FAILED,	/* the GET could not start: end from the loop */
	RK_CLOSING	/* kicked: end in order from the loop */
};

/* libcurl's own default for CURLOPT_MAXAGE_CONN. */
#define RK_MAXAGE_MIN_S	118L

static const struct timeval tv_zero = { 0, 0 };

void *
rest_open(struct wrk *w, const struct conf_device *d,
    const struct wrk_att_cb *cb, void *arg)
{
	struct rest_att *ra;

	/* Nothing runs before the zero timer fires: no callback from here. */
	ra = rest_start(w, d, NULL, 0, cb, arg);
	ra->ra_keep = 1;
	ra->ra_kstate = RK_OPENING;
	return ra;
}

/* From the session's zero timer. */
void
rest_keep_kick(struct rest_att *ra)
{
	/* rest_start() could not get a multi or an easy handle. */
	if (ra->ra_err != NAUT_ERR_OK) {
		rest_att_finish(ra);
		return;
	}
	switch (ra->ra_kstate) {
	case RK_OPENING:
		ra->ra_kstate = RK_IDLE;
		/* May poll, close or cancel (free) the session: last. */
		ra->ra_cb->ac_idle(ra->ra_arg);
		return;
	case RK_FAILED:
	case RK_CLOSING:
		rest_att_finish(ra);
		return;
	default:
		return;
	}
}

int
rest_poll(void *p, const struct conf_telemetry *t)
{
	struct rest_att *ra = rest_att_check(p);

	if (!ra->ra_keep || ra->ra_kstate != RK_IDLE || t->rest == NULL)
		return -1;
	ra->ra_poll.method = "GET";
	ra->ra_poll.path = t->rest->path;
	ra->ra_poll.body = NULL;
	ra->ra_poll.headers = NULL;
	/*
	 * libcurl drops a cached connection idle for more than 118 s: a
	 * slower entry would pay a handshake per poll.  Let it wait a whole
	 * interval (the device may still close it first; then a new one).
	 */
	ra->ra_maxage_s = (long)(t->interval_ms / 1000) + 60;
	if (ra->ra_maxage_s < RK_MAXAGE_MIN_S)
		ra->ra_maxage_s = RK_MAXAGE_MIN_S;
	ra->ra_kstate = RK_POLLING;
	/* Adding the handle calls nothing of ours back but curl's timer. */
	if (rest_att_request(ra, &ra->ra_poll) != 0) {
		ra->ra_kstate = RK_FAILED;
		evtimer_add(ra->ra_kick, &tv_zero);
	}
	return 0;
}

/* The poll's GET answered 2xx: its body, then idle again. */
void
rest_keep_polled(struct rest_att *ra, int status)
{
	ra->ra_kstate = RK_IDLE;
	ra->ra_cb->ac_output(ra->ra_arg, 0, ra->ra_buf != NULL ? ra->ra_buf :
	    "", ra->ra_len, status);
	ra->ra_len = 0;
	ra->ra_cb->ac_idle(ra->ra_arg);
}

void
rest_close(void *p)
{
	struct rest_att *ra = rest_att_check(p);

	if (!ra->ra_keep || ra->ra_kstate != RK_IDLE)
		return;
	ra->ra_kstate = RK_CLOSING;
	evtimer_add(ra->ra_kick, &tv_zero);
}

/*
 * One SSH attempt as a state machine on the worker's event loop: connect,
 * handshake, host-key check, authentication, then either one exec channel
 * per command or one PTY shell for all of them, then an orderly close.
 *
 * libssh2 runs non-blocking.  Every phase calls its libssh2 function; on
 * EAGAIN the socket event is re-armed in the directions libssh2 reports
 * (libssh2_session_block_directions) and the step returns; otherwise the
 * next phase runs at once in the same callback.  Exactly one libssh2 call
 * is in flight per session: after EAGAIN the same call is repeated with the
 * same arguments (libssh2 1.10 returns LIBSSH2_ERROR_BAD_USE otherwise).
 *
 * Every phase has a timer.  An attempt that fails or times out is torn down
 * with shutdown(2) first, so that libssh2's free functions cannot wait on a
 * peer that will never answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctr.h"
#include "log.h"
#include "wrk_ssh_int.h"
#include "wrk_ssh_mem.h"
#include "xmem.h"

const char *const ssh_phase_names[] = {
#define X(e, s) s,
	SSH_PHASES(X)
#undef X
};

static void	ssh_step(struct ssh_attempt *);
static void	ssh_finish(struct ssh_attempt *);
static int	ph_resolve(struct ssh_attempt *);

static const struct timeval tv_zero = { 0, 0 };

struct ssh_attempt *
ssh_check(void *p)
{
	struct ssh_attempt *x = p;

	if (x == NULL || x->magic != SSH_MAGIC)
		fatalx("%s: bad attempt pointer", __func__);
	return x;
}

int
ssh_fail(struct ssh_attempt *x, enum naut_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int
ssh_fail(struct ssh_attempt *x, enum naut_err err, const char *fmt, ...)
{
	va_list ap;

	if (x->err == NAUT_ERR_OK) {
		x->err = err;
		va_start(ap, fmt);
		vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
		va_end(ap);
	}
	return STEP_FAIL;
}

/* Map a libssh2 failure to an error class; the text comes from libssh2. */
int
ssh_fail_lib(struct ssh_attempt *x, int rc, enum naut_err dflt)
{
	char *m = NULL;
	enum naut_err e = dflt;

	libssh2_session_last_error(x->s, &m, NULL, 0);
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_BANNER_RECV:
		e = NAUT_ERR_RESET;
		break;
	case LIBSSH2_ERROR_TIMEOUT:
		e = NAUT_ERR_TIMEOUT;
		break;
	case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
	case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
		e = NAUT_ERR_AUTH;
		break;
	default:
		break;
	}
	return ssh_fail(x, e, "%s: %s (libssh2 %d)",
	    ssh_phase_names[x->phase], m != NULL && *m != '\0' ? m :
	    "failed", rc);
}

void
ssh_timer(struct ssh_attempt *x, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(x->tmo, &tv);
}

/* The command timer runs from a command's start to its last byte. */
void
ssh_cmd_timer(struct ssh_attempt *x)
{
	if (x->armed_for != x->cmd + 1) {
		ssh_timer(x, x->dev->p.t_command_ms);
		x->armed_for = x->cmd + 1;
	}
}

static void
ssh_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ssh_attempt *x = ssh_check(arg);

	(void)fd;
	(void)what;
	ssh_step(x);
}

static void
ssh_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ssh_step(ssh_check(arg));
}

/* Wait on the socket in the directions the last EAGAIN needs. */
int
ssh_wait(struct ssh_attempt *x)
{
	int dir = libssh2_session_block_directions(x->s);
	short ev = 0;

	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		ev |= EV_READ;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		ev |= EV_WRITE;
	x->wait_in_only = ev == EV_READ;
	event_del(x->ev);
	if (ev == 0) {
		/* EAGAIN with no direction: retry shortly, never sleep. */
		struct timeval tv = { 0, SSH_NODIR_RETRY_MS * 1000 };

		evtimer_add(x->kick, &tv);
		return STEP_WAIT;
	}
	event_assign(x->ev, x->w->w_base, x->fd, ev, ssh_sock_cb, x);
	event_add(x->ev, NULL);
	return STEP_WAIT;
}

static void
ssh_tmo_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ssh_attempt *x = ssh_check(arg);

	(void)fd;
	(void)what;
	if (x->closing) {
		/* The work is done; a peer that will not close is cut. */
		ssh_finish(x);
		return;
	}
	if (x->exec_out) {
		/* The output is whole; a peer that will not close keeps only
		 * its exit status to itself. */
		ssh_exec_deliver(x);
		ssh_timer(x, SSH_CLOSE_MS);
		x->phase = PH_CH_FREE;
		ssh_step(x);
		return;
	}
	/* The login prompt is still authentication's time. */
	ssh_fail(x, NAUT_ERR_TIMEOUT, "timeout in %s after %s",
	    ssh_phase_names[x->phase], x->phase <= PH_CONNECT ? "connect "
	    "timeout" : x->phase <= PH_AUTH_KBD || (x->phase == PH_SH_READ &&
	    x->sh_what == SH_LOGIN) ? "auth timeout" : "command timeout");
	ssh_finish(x);
}

/*
 * Keepalive, only when the session waits for input with nothing half
 * sent: any other send in that state would be a second call in flight.
 */
static void
ssh_ka_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ssh_attempt *x = ssh_check(arg);
	int next = 0;

	(void)fd;
	(void)what;
	if (x->s != NULL && x->wait_in_only && x->phase >= PH_CH_OPEN &&
	    !x->closing)
		libssh2_keepalive_send(x->s, &next);
}

static void
ssh_sockopts(int fd)
{
	int one = 1, idle = 30, intvl = 10, cnt = 3;

	/* Without NODELAY, small request/response exchanges stall ~40 ms. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static int
ph_connect(struct ssh_attempt *x)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (x->fd == -1) {
		x->fd = socket(x->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (x->fd == -1)
			return ssh_fail(x, NAUT_ERR_INTERNAL, "socket: %s",
			    strerror(errno));
		ssh_sockopts(x->fd);
		if (connect(x->fd, (struct sockaddr *)&x->sa, x->salen) == 0)
			goto connected;
		if (errno != EINPROGRESS)
			return ssh_fail(x, naut_err_errno(errno,
			    NAUT_ERR_INTERNAL), "connect: %s", strerror(errno));
		event_assign(x->ev, x->w->w_base, x->fd, EV_WRITE, ssh_sock_cb,
		    x);
		event_add(x->ev, NULL);
		return STEP_WAIT;
	}
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0)
		return ssh_fail(x, naut_err_errno(err, NAUT_ERR_INTERNAL),
		    "connect: %s", strerror(err));
connected:
	ssh_timer(x, x->dev->p.t_auth_ms);
	x->phase = PH_HANDSHAKE;
	return STEP_NEXT;
}

/* libssh2 1.10 host-key algorithms, in its own default order. */
static int
ph_handshake(struct ssh_attempt *x)
{
	int rc;

	if (x->s == NULL) {
		/* Idle sessions keep ~20 of their ~56 KiB: wrk_ssh_mem.c */
		if ((x->s = libssh2_session_init_ex(wrk_ssh_alloc,
		    wrk_ssh_free, wrk_ssh_realloc, NULL)) == NULL)
			return ssh_fail(x, NAUT_ERR_INTERNAL,
			    "libssh2_session_init failed");
		wrk_ssh_trim(x->s);
		libssh2_session_set_blocking(x->s, 0);
		libssh2_session_flag(x->s, LIBSSH2_FLAG_COMPRESS, 0);
		libssh2_keepalive_config(x->s, 0, SSH_KEEPALIVE_S);
		ssh_hostkey_pref(x);
	}
	rc = libssh2_session_handshake(x->s, x->fd);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc != 0)
		return ssh_fail_lib(x, rc, NAUT_ERR_PROTOCOL);
	x->phase = PH_HOSTKEY;
	return STEP_NEXT;
}

static int
ph_disconnect(struct ssh_attempt *x)
{
	int rc = libssh2_session_disconnect(x->s, "naut: done");

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	x->phase = PH_FREE;
	return STEP_NEXT;
}

static int
ph_free(struct ssh_attempt *x)
{
	int rc = libssh2_session_free(x->s);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	x->s = NULL;
	x->phase = PH_DONE;
	return STEP_NEXT;
}

static void
ssh_step(struct ssh_attempt *x)
{
	int rc = STEP_NEXT;

	while (rc == STEP_NEXT) {
		switch (x->phase) {
		case PH_RESOLVE:
			rc = ph_resolve(x);
			break;
		case PH_CONNECT:
			rc = ph_connect(x);
			break;
		case PH_HANDSHAKE:
			rc = ph_handshake(x);
			break;
		case PH_HOSTKEY:
			rc = ssh_ph_hostkey(x);
			break;
		case PH_AUTHLIST:
			rc = ssh_ph_authlist(x);
			break;
		case PH_AUTH_KEY:
			rc = ssh_ph_auth_key(x);
			break;
		case PH_AUTH_PW:
			rc = ssh_ph_auth_pw(x);
			break;
		case PH_AUTH_KBD:
			rc = ssh_ph_auth_kbd(x);
			break;
		case PH_CH_OPEN:
			rc = ssh_ph_ch_open(x);
			break;
		case PH_CH_PTY:
			rc = ssh_ph_pty(x);
			break;
		case PH_CH_START:
			rc = ssh_ph_ch_start(x);
			break;
		case PH_EXEC_READ:
			rc = ssh_ph_exec_read(x);
			break;
		case PH_CH_CLOSE:
			rc = ssh_ph_ch_close(x);
			break;
		case PH_CH_WAIT:
			rc = ssh_ph_ch_wait(x);
			break;
		case PH_CH_FREE:
			rc = ssh_ph_ch_free(x);
			break;
		case PH_SH_WRITE:
			rc = ssh_ph_sh_write(x);
			break;
		case PH_SH_READ:
			rc = ssh_ph_sh_read(x);
			break;
		case PH_SH_EOF:
			rc = ssh_ph_sh_eof(x);
			break;
		case PH_IDLE:
			rc = ssh_ph_idle(x);
			break;
		case PH_NC_START:
			rc = nc_ph_start(x);
			break;
		case PH_NC_WRITE:
			rc = nc_ph_write(x);
			break;
		case PH_NC_SETTLE:
			rc = nc_ph_settle(x);
			break;
		case PH_NC_READ:
			rc = nc_ph_read(x);
			break;
		case PH_NC_POLL:
			rc = nc_ph_poll(x);
			break;
		case PH_NC_CLOSE:
			rc = nc_ph_close(x);
			break;
		case PH_DISCONNECT:
			rc = ph_disconnect(x);
			break;
		case PH_FREE:
			rc = ph_free(x);
			break;
		case PH_DONE:
			ssh_finish(x);
			return;
		}
	}
	if (rc == STEP_FAIL) {
		/* Work finished before a close step failed still counts. */
		if (x->closing)
			x->err = NAUT_ERR_OK;
		ssh_finish(x);
	}
}

/* Free everything; cut the socket first so libssh2 cannot wait on it. */
static void
ssh_finish(struct ssh_attempt *x)
{
	enum naut_err err;
	const struct wrk_att_cb *cb = x->cb;
	void *arg = x->arg;
	char msg[sizeof(x->msg)];
	int i;

	if (x->dnsreq != NULL)
		evdns_getaddrinfo_cancel(x->dnsreq);
	if (x->fd != -1 && x->phase != PH_DONE)
		shutdown(x->fd, SHUT_RDWR);
	if (x->ch != NULL)
		for (i = 0; i < 10 && libssh2_channel_free(x->ch) ==
		    LIBSSH2_ERROR_EAGAIN; i++)
			;
	if (x->s != NULL)
		for (i = 0; i < 10 && libssh2_session_free(x->s) ==
		    LIBSSH2_ERROR_EAGAIN; i++)
			;
	if (x->fd != -1)
		close(x->fd);
	event_free(x->ev);
	event_free(x->tmo);
	event_free(x->ka);
	event_free(x->kick);
	if (x->job->mode == CONF_MODE_SHELL)
		prompt_free(&x->pr);
	nc_free(x);		/* may settle x->err: see wrk_nc.c */
	err = x->err;
	free(x->obuf);
	free(x->wbuf);
	memcpy(msg, x->msg, sizeof(msg));
	ctr_gauge_add(&x->w->w_ctr->sessions_open, -1);
	x->magic = 0;
	free(x);
	cb->ac_done(arg, err, msg);
}

/* May run inside evdns_getaddrinfo(): only record and kick the step. */
static void
ssh_dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct ssh_attempt *x;

	if (result == EVUTIL_EAI_CANCEL)
		return;		/* arg is freed or being freed */
	x = ssh_check(arg);
	x->dnsreq = NULL;
	x->dns_done = 1;
	x->dns_err = result;
	if (result == 0 && res != NULL) {
		memcpy(&x->sa, res->ai_addr, res->ai_addrlen);
		x->salen = (socklen_t)res->ai_addrlen;
	} else if (x->dns_err == 0)
		x->dns_err = EVUTIL_EAI_FAIL;
	if (res != NULL)
		evutil_freeaddrinfo(res);
	evtimer_add(x->kick, &tv_zero);
}

static int
ph_resolve(struct ssh_attempt *x)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	char port[8];

	if (!x->dns_started) {
		x->dns_started = 1;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = EVUTIL_AI_NUMERICSERV;
		snprintf(port, sizeof(port), "%u", x->dev->p.port);
		req = evdns_getaddrinfo(x->w->w_dns, x->dev->p.host, port,
		    &hints, ssh_dns_cb, x);
		if (!x->dns_done)
			x->dnsreq = req;
	}
	if (!x->dns_done)
		return STEP_WAIT;
	if (x->dns_err != 0)
		return ssh_fail(x, NAUT_ERR_REFUSED, "cannot resolve %s: %s",
		    x->dev->p.host, evutil_gai_strerror(x->dns_err));
	x->phase = PH_CONNECT;
	return STEP_NEXT;
}

void *
ssh_start(struct wrk *w, const struct conf_device *d,
    const struct conf_job *j, size_t first_cmd, const struct wrk_att_cb *cb,
    void *arg)
{
	struct ssh_attempt *x = xcalloc(1, sizeof(*x));
	struct evutil_addrinfo hints, *res = NULL;
	struct timeval ka = { SSH_KEEPALIVE_S, 0 };
	char port[8];

	x->magic = SSH_MAGIC;
	x->w = w;
	x->dev = d;
	x->job = j;
	x->cb = cb;
	x->arg = arg;
	x->fd = -1;
	x->cmd = first_cmd;
	x->ev = event_new(w->w_base, -1, 0, ssh_sock_cb, x);
	x->tmo = evtimer_new(w->w_base, ssh_tmo_cb, x);
	x->ka = event_new(w->w_base, -1, EV_PERSIST, ssh_ka_cb, x);
	x->kick = evtimer_new(w->w_base, ssh_kick_cb, x);
	evtimer_add(x->ka, &ka);
	ctr_gauge_add(&w->w_ctr->sessions_open, 1);
	if (d->p.transport == CONF_TRANSPORT_NETCONF)
		x->nc = nc_new(x);

	/* The connect timer covers name resolution too. */
	ssh_timer(x, d->p.t_connect_ms);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_NUMERICHOST | EVUTIL_AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", d->p.port);
	if (evutil_getaddrinfo(d->p.host, port, &hints, &res) == 0 &&
	    res != NULL) {
		memcpy(&x->sa, res->ai_addr, res->ai_addrlen);
		x->salen = (socklen_t)res->ai_addrlen;
		evutil_freeaddrinfo(res);
		x->phase = PH_CONNECT;
	} else
		x->phase = PH_RESOLVE;	/* a name: evdns, never blocking */
	/* Start from the loop, so ac_done never runs inside ssh_start(). */
	evtimer_add(x->kick, &tv_zero);
	return x;
}

static void
ssh_cancel(void *p, enum naut_err why, const char *msg)
{
	struct ssh_attempt *x = ssh_check(p);

	x->err = NAUT_ERR_OK;
	ssh_fail(x, why, "%s", msg);
	x->closing = 0;
	ssh_finish(x);
}


const struct wrk_transport wrk_tp_ssh = {
	.wt_name = "ssh",
	.wt_start = ssh_start,
	.wt_cancel = ssh_cancel,
	.wt_open = ssh_open,
	.wt_poll = ssh_poll,
	.wt_close = ssh_close,
};

/*
 * The same attempt; after authentication, wrk_nc.c takes the channel.
 * Kept open (telemetry), the netconf channel itself stays open between
 * polls: wrk_ssh_keep.c.
 */
const struct wrk_transport wrk_tp_netconf = {
	.wt_name = "netconf",
	.wt_start = ssh_start,
	.wt_cancel = ssh_cancel,
	.wt_open = ssh_open,
	.wt_poll = ssh_poll,
	.wt_close = ssh_close,
};

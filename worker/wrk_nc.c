/*
 * NETCONF over SSH (RFC 6241, RFC 6242) on an authenticated SSH attempt:
 * the "netconf" subsystem on one session channel, the <hello> exchange
 * (base:1.1 chunked framing from the next message on when both sides
 * offer it, else base:1.0 end-of-message framing), then each of the job's
 * RPCs in turn, one in flight, each reply matched by its message-id, and
 * <close-session> on the way out.
 *
 * What is saved for a step is the inside of the reply's <data>, byte for
 * byte; a reply without <data> (a raw RPC answered with <ok/> or with
 * elements of its own) is saved whole.  An <rpc-error> of severity error
 * ends the attempt as "protocol" with its error-type, error-tag and
 * error-message, after an orderly <close-session>: the device answered,
 * so retrying would only ask again.
 *
 * Kept open for telemetry (x->keep, wrk_ssh_keep.c), the session goes
 * idle after the hello exchange and after each reply, channel open; a
 * poll is one <get> (nc_ph_poll), and an rpc-error closes the session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctr.h"
#include "ncframe.h"
#include "ncxml.h"
#include "wrk_ssh_int.h"
#include "xmem.h"

/* Room for the envelope around an output_limit of data. */
#define NC_SLACK	(64 * 1024)
/* Real routers list hundreds of YANG modules in their hello. */
#define NC_HELLO_MAX	(4 * 1024 * 1024)

#define NC_NS		"urn:ietf:params:xml:ns:netconf:base:1.0"

/*
 * The least time between our hello and the first chunked RPC.  yuma123's
 * netconfd (2.13, Debian 12) switches to base:1.1 framing only for reads
 * after the one that held the client's hello: a chunked <rpc> that shares
 * that read waits until the session closes.  Under load that hit half of
 * 50 parallel sessions; a short pause costs one delay per session.
 */
#ifndef NC_SETTLE_MS
#define NC_SETTLE_MS	50
#endif

enum nc_await { NC_AW_HELLO, NC_AW_REPLY, NC_AW_CLOSE };

struct nc_sess {
	struct ncf	 nc_f;
	enum ncf_mode	 nc_mode;
	enum nc_await	 nc_await;
	char		*nc_wbuf;	/* the framed message being written */
	size_t		 nc_wlen, nc_woff;
	unsigned long	 nc_mid;	/* message-id of the request in flight */
	size_t		 nc_rpos, nc_rlen; /* bytes of nc_rbuf not fed yet */
	/*
	 * Unfed bytes stay here between steps, so NETCONF cannot use the
	 * worker's shared channel buffer; only NETCONF sessions pay for it.
	 */
	char		 nc_rbuf[SSH_RBUF];
	int		 nc_started;
	int		 nc_settled;
	uint64_t	 nc_hello_ms;	/* when our hello was written */
	enum naut_err	 nc_err;	/* an rpc-error, reported after close */
	char		 nc_msg[200];
};

static size_t
nc_cap(const struct ssh_attempt *x)
{
	return x->dev->p.output_limit + NC_SLACK;
}

struct nc_sess *
nc_new(struct ssh_attempt *x)
{
	struct nc_sess *nc = xcalloc(1, sizeof(*nc));
	size_t cap = nc_cap(x);

	ncf_init(&nc->nc_f, NCF_EOM, cap > NC_HELLO_MAX ? cap : NC_HELLO_MAX);
	nc->nc_mode = NCF_EOM;
	nc->nc_err = NAUT_ERR_OK;
	return nc;
}

/* From ssh_finish: an rpc-error outlives whatever the close did. */
void
nc_free(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;

	if (nc == NULL)
		return;
	if (nc->nc_err != NAUT_ERR_OK) {
		x->err = nc->nc_err;
		memcpy(x->msg, nc->nc_msg, sizeof(x->msg) < sizeof(nc->nc_msg) ?
		    sizeof(x->msg) : sizeof(nc->nc_msg));
		x->msg[sizeof(x->msg) - 1] = '\0';
	}
	ncf_free(&nc->nc_f);
	free(nc->nc_wbuf);
	free(nc);
	x->nc = NULL;
}

/* Frame msg (a NUL-terminated document) and write it next. */
static int
nc_send(struct ssh_attempt *x, char *msg, enum nc_await await)
{
	struct nc_sess *nc = x->nc;
	size_t len = strlen(msg);

	/* base:1.0 cannot carry its own end mark (RFC 6242 section 4.3). */
	if (nc->nc_mode == NCF_EOM && memmem(msg, len, "]]>]]>", 6) != NULL) {
		free(msg);
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "rpc %zu contains "
		    "\"]]>]]>\", which base:1.0 framing cannot send",
		    x->cmd + 1);
	}
	free(nc->nc_wbuf);
	nc->nc_wbuf = ncf_frame(nc->nc_mode, msg, len, &nc->nc_wlen);
	nc->nc_woff = 0;
	nc->nc_await = await;
	free(msg);
	x->phase = PH_NC_WRITE;
	return STEP_NEXT;
}

/* A subtree filter (RFC 6241 section 6), given as XML in the job. */
static char *
nc_filter(const char *f)
{
	char *out;
	size_t n;

	if (f == NULL || *f == '\0')
		return xstrdup("");
	n = strlen(f) + 40;
	out = xmalloc(n);
	snprintf(out, n, "<filter type=\"subtree\">%s</filter>", f);
	return out;
}

/* The job's RPC i as a whole <rpc> document. */
static char *
nc_rpc_doc(const struct conf_nc_rpc *r, unsigned long mid)
{
	char *filter = NULL, *op, *doc;
	const char *body;
	size_t n;

	switch (r->op) {
	case CONF_NC_GET_CONFIG:
		filter = nc_filter(r->filter);
		n = strlen(filter) + strlen(r->source) + 64;
		op = xmalloc(n);
		snprintf(op, n, "<get-config><source><%s/></source>%s"
		    "</get-config>", r->source, filter);
		break;
	case CONF_NC_GET:
		filter = nc_filter(r->filter);
		n = strlen(filter) + 16;
		op = xmalloc(n);
		snprintf(op, n, "<get>%s</get>", filter);
		break;
	default:
		body = r->body != NULL ? r->body : "";
		op = xstrdup(body);
		break;
	}
	n = strlen(op) + sizeof(NC_NS) + 128;
	doc = xmalloc(n);
	snprintf(doc, n, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rpc message-id=\"%lu\" xmlns=\"%s\">%s</rpc>", mid, NC_NS, op);
	free(op);
	free(filter);
	return doc;
}

static int
nc_close_session(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;
	char *doc;
	size_t n;

	nc->nc_mid++;
	x->closing = 1;
	ssh_timer(x, SSH_CLOSE_MS);
	n = sizeof(NC_NS) + 128;
	doc = xmalloc(n);
	snprintf(doc, n, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rpc message-id=\"%lu\" xmlns=\"%s\"><close-session/></rpc>",
	    nc->nc_mid, NC_NS);
	return nc_send(x, doc, NC_AW_CLOSE);
}

/*
 * After hello or a reply: the next RPC, else <close-session>.  A kept-open
 * session (telemetry) waits idle for the next poll instead, channel open;
 * after an rpc-error it closes: the failure ends the session.
 */
static int
nc_next(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;

	if (x->keep && nc->nc_err == NAUT_ERR_OK) {
		x->phase = PH_IDLE;
		return STEP_NEXT;
	}
	if (x->cmd < x->job->nrpcs && nc->nc_err == NAUT_ERR_OK) {
		nc->nc_mid++;
		/* t_command runs from sending an RPC to its whole reply. */
		ssh_timer(x, x->dev->p.t_command_ms);
		return nc_send(x, nc_rpc_doc(&x->job->rpcs[x->cmd],
		    nc->nc_mid), NC_AW_REPLY);
	}
	return nc_close_session(x);
}

/* A poll on a kept-open session: one <get> with the entry's filter. */
int
nc_ph_poll(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;
	struct conf_nc_rpc r;

	memset(&r, 0, sizeof(r));
	r.op = CONF_NC_GET;
	r.filter = x->keep_tm->netconf->filter;
	nc->nc_mid++;
	ssh_timer(x, x->dev->p.t_command_ms);
	return nc_send(x, nc_rpc_doc(&r, nc->nc_mid), NC_AW_REPLY);
}

/* Closing a kept-open session: <close-session>, then the usual close. */
int
nc_ph_close(struct ssh_attempt *x)
{
	return nc_close_session(x);
}

int
nc_ph_start(struct ssh_attempt *x)
{
	static const char hello[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<hello xmlns=\"" NC_NS "\"><capabilities>"
	    "<capability>" NCX_BASE10 "</capability>"
	    "<capability>" NCX_BASE11 "</capability>"
	    "</capabilities></hello>";
	int rc;

	if (!x->nc->nc_started) {
		/* The subsystem and both hellos are timed like a command. */
		x->nc->nc_started = 1;
		ssh_timer(x, x->dev->p.t_command_ms);
	}
	rc = libssh2_channel_process_startup(x->ch, "subsystem", 9, "netconf",
	    7);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED)
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "the device refused the "
		    "netconf subsystem");
	if (rc != 0)
		return ssh_fail_lib(x, rc, NAUT_ERR_PROTOCOL);
	/* A subsystem's stderr is no part of the NETCONF stream. */
	libssh2_channel_handle_extended_data2(x->ch,
	    LIBSSH2_CHANNEL_EXTENDED_DATA_IGNORE);
	/* Both peers send hello at once (RFC 6241 section 8.1). */
	return nc_send(x, xstrdup(hello), NC_AW_HELLO);
}

int
nc_ph_write(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;
	ssize_t n;

	while (nc->nc_woff < nc->nc_wlen) {
		n = libssh2_channel_write(x->ch, nc->nc_wbuf + nc->nc_woff,
		    nc->nc_wlen - nc->nc_woff);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return ssh_wait(x);
		if (n < 0)
			return ssh_fail_lib(x, (int)n, NAUT_ERR_RESET);
		CTR_ADD(x->w->w_ctr, bytes_sent, n);
		nc->nc_woff += (size_t)n;
	}
	free(nc->nc_wbuf);
	nc->nc_wbuf = NULL;
	if (nc->nc_await == NC_AW_HELLO)
		nc->nc_hello_ms = clock_mono_ms();
	x->phase = PH_NC_READ;
	return STEP_NEXT;
}

/* Hold the first chunked RPC until NC_SETTLE_MS after our hello. */
int
nc_ph_settle(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;
	uint64_t now = clock_mono_ms(), until;
	struct timeval tv;

	until = nc->nc_hello_ms + NC_SETTLE_MS;
	if (!nc->nc_settled && now < until) {
		nc->nc_settled = 1;
		tv.tv_sec = 0;
		tv.tv_usec = (suseconds_t)(until - now) * 1000;
		evtimer_add(x->kick, &tv);
		return STEP_WAIT;
	}
	nc->nc_settled = 1;
	return nc_next(x);
}

static int
nc_got_hello(struct ssh_attempt *x, const char *m, size_t len)
{
	struct nc_sess *nc = x->nc;
	struct ncx_hello h;
	char err[160];

	switch (ncx_hello(m, len, &h, err, sizeof(err))) {
	case NCX_MSG_HELLO:
		break;
	case NCX_MSG_BAD:
		return ssh_fail(x, NAUT_ERR_PARSE, "the server's hello is not "
		    "well-formed XML: %s", err);
	default:
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "bad hello: %s", err);
	}
	/* RFC 6242 section 4.1: chunks from the message after hello on. */
	if (h.base11) {
		nc->nc_mode = NCF_CHUNKED;
		ncf_set_mode(&nc->nc_f, NCF_CHUNKED);
	}
	nc->nc_f.limit = nc_cap(x);
	log_debug("netconf %s: session-id %s, %u capabilities, base:%s",
	    x->dev->name, h.session_id[0] != '\0' ? h.session_id : "?",
	    h.ncaps, h.base11 ? "1.1" : "1.0");
	if (h.base11) {
		x->phase = PH_NC_SETTLE;
		return STEP_NEXT;
	}
	return nc_next(x);
}

/* The first rpc-error, for the result record. */
static void
nc_rpc_error(struct ssh_attempt *x, const struct ncx_reply *r)
{
	struct nc_sess *nc = x->nc;
	char more[32] = "";

	if (r->nerrors > 1)
		snprintf(more, sizeof(more), " (+%u more)", r->nerrors - 1);
	nc->nc_err = NAUT_ERR_PROTOCOL;
	/* Type and tag come first: a long message is what gets cut. */
	if (snprintf(nc->nc_msg, sizeof(nc->nc_msg), "rpc-error: error-type "
	    "%s, error-tag %s, error-message \"%s\"%s",
	    r->etype[0] != '\0' ? r->etype : "?",
	    r->etag[0] != '\0' ? r->etag : "?", r->emsg, more) >=
	    (int)sizeof(nc->nc_msg))
		memcpy(nc->nc_msg + sizeof(nc->nc_msg) - 5, "...\"", 5);
}

static int
nc_got_reply(struct ssh_attempt *x, const char *m, size_t len)
{
	struct nc_sess *nc = x->nc;
	struct ncx_reply r;
	char err[160], want[24];
	const char *out = m;
	size_t olen = len;

	switch (ncx_reply(m, len, &r, err, sizeof(err))) {
	case NCX_MSG_NOTIFICATION:
		return STEP_NEXT;	/* not subscribed; not ours */
	case NCX_MSG_REPLY:
		break;
	case NCX_MSG_BAD:
		if (nc->nc_await == NC_AW_CLOSE)
			break;
		return ssh_fail(x, NAUT_ERR_PARSE, "the reply to rpc %zu is "
		    "not well-formed XML: %s", x->cmd + 1, err);
	default:
		if (nc->nc_await == NC_AW_CLOSE)
			break;
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "rpc %zu: %s",
		    x->cmd + 1, err);
	}
	if (nc->nc_await == NC_AW_CLOSE) {
		x->phase = PH_CH_CLOSE;
		return STEP_NEXT;
	}
	/*
	 * One request is in flight, so a reply is its reply; yet the id
	 * must match when given.  A server may leave it out of an error
	 * about a request it could not parse.
	 */
	snprintf(want, sizeof(want), "%lu", nc->nc_mid);
	if (r.has_mid && strcmp(r.message_id, want) != 0)
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "rpc-reply message-id "
		    "\"%.40s\" does not match the request's \"%s\"",
		    r.message_id, want);
	if (!r.has_mid && r.nerrors == 0)
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "rpc-reply without a "
		    "message-id");
	if (r.nerrors > 0) {
		nc_rpc_error(x, &r);
		return nc_next(x);
	}
	if (r.has_data) {
		out = m + r.data_off;
		olen = r.data_len;
	}
	if (olen > x->dev->p.output_limit)
		return ssh_fail(x, NAUT_ERR_OUTPUT_TOO_LARGE, "the reply to rpc "
		    "%zu passed output_limit (%llu bytes)", x->cmd + 1,
		    (unsigned long long)x->dev->p.output_limit);
	x->cb->ac_output(x->arg, x->keep ? 0 : x->cmd, out, olen, -1);
	x->cmd++;
	return nc_next(x);
}

static int
nc_message(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;
	const char *m;
	size_t len;

	m = ncf_msg(&nc->nc_f, &len);
	if (nc->nc_await == NC_AW_HELLO)
		return nc_got_hello(x, m, len);
	return nc_got_reply(x, m, len);
}

int
nc_ph_read(struct ssh_attempt *x)
{
	struct nc_sess *nc = x->nc;
	size_t used;
	ssize_t n;
	int rc;

	for (;;) {
		/* Bytes after the last message belong to the next one. */
		while (nc->nc_rpos < nc->nc_rlen) {
			switch (ncf_feed(&nc->nc_f, nc->nc_rbuf + nc->nc_rpos,
			    nc->nc_rlen - nc->nc_rpos, &used)) {
			case NCF_NEED:
				break;
			case NCF_ERR:
				return ssh_fail(x, NAUT_ERR_NETCONF_FRAMING,
				    "%s framing: %s", nc->nc_mode == NCF_EOM ?
				    "base:1.0" : "base:1.1 chunked",
				    ncf_error(&nc->nc_f));
			case NCF_TOOBIG:
				if (nc->nc_await == NC_AW_HELLO)
					return ssh_fail(x,
					    NAUT_ERR_OUTPUT_TOO_LARGE, "the "
					    "device's hello passed %llu bytes",
					    (unsigned long long)
					    nc->nc_f.limit);
				return ssh_fail(x, NAUT_ERR_OUTPUT_TOO_LARGE,
				    "the reply to rpc %zu passed %llu bytes "
				    "(output_limit and %u for its envelope)",
				    x->cmd + 1, (unsigned long long)
				    nc->nc_f.limit, NC_SLACK);
			case NCF_MSG:
				nc->nc_rpos += used;
				rc = nc_message(x);
				if (rc != STEP_NEXT || x->phase != PH_NC_READ)
					return rc;
				continue;
			}
			nc->nc_rpos += used;
		}
		n = libssh2_channel_read(x->ch, nc->nc_rbuf,
		    sizeof(nc->nc_rbuf));
		if (n > 0) {
			CTR_ADD(x->w->w_ctr, bytes_received, n);
			nc->nc_rpos = 0;
			nc->nc_rlen = (size_t)n;
			continue;
		}
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (!libssh2_channel_eof(x->ch))
				return ssh_wait(x);
			n = 0;
		}
		if (n < 0)
			return ssh_fail_lib(x, (int)n, NAUT_ERR_RESET);
		/* EOF: fine after close-session, else the session broke. */
		if (nc->nc_await == NC_AW_CLOSE) {
			x->phase = PH_CH_CLOSE;
			return STEP_NEXT;
		}
		if (nc->nc_await == NC_AW_HELLO)
			return ssh_fail(x, NAUT_ERR_RESET, "the device closed "
			    "the netconf session before its hello");
		return ssh_fail(x, NAUT_ERR_RESET, "the device closed the "
		    "netconf session during rpc %zu", x->cmd + 1);
	}
}

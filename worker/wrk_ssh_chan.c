/*
 * The work half of an SSH attempt: one exec channel per command, or one
 * PTY shell that gets paging turned off, each command in turn with its
 * output collected up to the prompt, and "exit".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "wrk_ssh_int.h"
#include "xmem.h"

/*
 * One read buffer for all of a worker's sessions: each read is consumed
 * (output buffer, prompt matcher) before the next, and 16 KiB less per
 * session is what lets 10,000 of them stay open.
 */
static char rbuf[SSH_RBUF];

int
ssh_ph_ch_open(struct ssh_attempt *x)
{
	if (x->job->mode == CONF_MODE_EXEC && x->nc == NULL) {
		if (x->keep && x->keep_cmd == NULL) {
			x->phase = PH_IDLE;
			return STEP_NEXT;
		}
		if (!x->keep && x->cmd >= x->job->ncommands) {
			x->closing = 1;
			ssh_timer(x, SSH_CLOSE_MS);
			x->phase = PH_DISCONNECT;
			return STEP_NEXT;
		}
		ssh_cmd_timer(x);
	}
	x->ch = libssh2_channel_open_ex(x->s, "session", 7, SSH_WINDOW,
	    SSH_PACKET, NULL, 0);
	if (x->ch == NULL) {
		int rc = libssh2_session_last_errno(x->s);

		if (rc == LIBSSH2_ERROR_EAGAIN)
			return ssh_wait(x);
		return ssh_fail_lib(x, rc, NAUT_ERR_PROTOCOL);
	}
	/* Devices print errors on stderr; keep them in the output. */
	libssh2_channel_handle_extended_data2(x->ch,
	    LIBSSH2_CHANNEL_EXTENDED_DATA_MERGE);
	x->olen = 0;
	if (x->nc != NULL)
		x->phase = PH_NC_START;	/* the netconf subsystem: wrk_nc.c */
	else
		x->phase = x->job->mode == CONF_MODE_SHELL ? PH_CH_PTY :
		    PH_CH_START;
	return STEP_NEXT;
}

int
ssh_ph_pty(struct ssh_attempt *x)
{
	int rc;

	/* Wide and tall enough that devices neither wrap nor page. */
	rc = libssh2_channel_request_pty_ex(x->ch, "vt100", 5, NULL, 0, 511,
	    24, 0, 0);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc != 0)
		return ssh_fail_lib(x, rc, NAUT_ERR_PROTOCOL);
	x->phase = PH_CH_START;
	return STEP_NEXT;
}

int
ssh_ph_ch_start(struct ssh_attempt *x)
{
	const char *cmd;
	int rc;

	if (x->job->mode == CONF_MODE_SHELL)
		rc = libssh2_channel_shell(x->ch);
	else {
		cmd = ssh_cmd_text(x);
		rc = libssh2_channel_process_startup(x->ch, "exec", 4, cmd,
		    (unsigned)strlen(cmd));
	}
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc != 0)
		return ssh_fail_lib(x, rc, NAUT_ERR_PROTOCOL);
	if (x->job->mode == CONF_MODE_SHELL) {
		prompt_init(&x->pr, &x->dev->platform->prompt_re,
		    x->dev->platform->more != NULL ?
		    &x->dev->platform->more_re : NULL, x->dev->p.output_limit);
		prompt_begin(&x->pr, NULL);
		x->sh_what = SH_LOGIN;
		x->phase = PH_SH_READ;
	} else
		x->phase = PH_EXEC_READ;
	return STEP_NEXT;
}

static int
obuf_add(struct ssh_attempt *x, const char *p, size_t n)
{
	if (x->olen + n > x->dev->p.output_limit)
		return -1;
	if (x->olen + n > x->ocap) {
		size_t c = x->ocap ? x->ocap : 16384;

		while (c < x->olen + n)
			c *= 2;
		if (c > x->dev->p.output_limit)
			c = x->dev->p.output_limit;
		x->obuf = xreallocarray(x->obuf, c, 1);
		x->ocap = c;
	}
	memcpy(x->obuf + x->olen, p, n);
	x->olen += n;
	return 0;
}

int
ssh_ph_exec_read(struct ssh_attempt *x)
{
	ssize_t n;

	for (;;) {
		n = libssh2_channel_read(x->ch, rbuf, sizeof(rbuf));
		if (n > 0) {
			CTR_ADD(x->w->w_ctr, bytes_received, n);
			if (obuf_add(x, rbuf, (size_t)n) != 0)
				return ssh_fail(x, NAUT_ERR_OUTPUT_TOO_LARGE,
				    "output of \"%s\" passed output_limit "
				    "(%llu bytes)", ssh_cmd_text(x),
				    (unsigned long long)x->dev->p.output_limit);
			continue;
		}
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (libssh2_channel_eof(x->ch))
				break;
			return ssh_wait(x);
		}
		if (n < 0)
			return ssh_fail_lib(x, (int)n, NAUT_ERR_RESET);
		break;		/* 0: EOF */
	}
	/*
	 * The peer sends exit-status after EOF and before its close: the
	 * output is delivered once the channel is closed both ways (or
	 * SSH_STATUS_MS later, for a peer that never closes).
	 */
	x->exec_out = 1;
	ssh_timer(x, SSH_STATUS_MS);
	x->phase = PH_CH_CLOSE;
	return STEP_NEXT;
}

void
ssh_exec_deliver(struct ssh_attempt *x)
{
	/* 1.10 reports 0 for "no exit-status" as well: devices rarely send one. */
	x->exec_out = 0;
	x->cb->ac_output(x->arg, x->cmd, x->obuf != NULL ? x->obuf : "",
	    x->olen, libssh2_channel_get_exit_status(x->ch));
	x->cmd++;
	x->keep_cmd = NULL;
}

int
ssh_ph_ch_wait(struct ssh_attempt *x)
{
	if (libssh2_channel_wait_closed(x->ch) == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	ssh_exec_deliver(x);
	ssh_timer(x, SSH_CLOSE_MS);
	x->phase = PH_CH_FREE;
	return STEP_NEXT;
}

int
ssh_ph_ch_close(struct ssh_attempt *x)
{
	int rc = libssh2_channel_close(x->ch);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	/* A close the peer never confirms is not worth failing the work. */
	x->phase = x->exec_out ? PH_CH_WAIT : PH_CH_FREE;
	return STEP_NEXT;
}

int
ssh_ph_ch_free(struct ssh_attempt *x)
{
	int rc = libssh2_channel_free(x->ch);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	x->ch = NULL;
	/* A kept-open netconf session closes after its close-session. */
	if (x->closing || (!x->keep && (x->job->mode == CONF_MODE_SHELL ||
	    x->nc != NULL || x->cmd >= x->job->ncommands))) {
		x->closing = 1;
		ssh_timer(x, SSH_CLOSE_MS);
		x->phase = PH_DISCONNECT;
	} else
		x->phase = PH_CH_OPEN;
	return STEP_NEXT;
}

/* Queue the next line the shell must receive. */
static void
sh_send(struct ssh_attempt *x, enum sh_what what, const char *line)
{
	size_t n = strlen(line);

	free(x->wbuf);
	x->wbuf = xmalloc(n + 2);
	memcpy(x->wbuf, line, n);
	x->wbuf[n] = '\n';
	x->wbuf[n + 1] = '\0';
	x->wlen = n + 1;
	x->woff = 0;
	x->sh_what = what;
	x->phase = PH_SH_WRITE;
	if (what == SH_EXIT)
		ssh_timer(x, SSH_CLOSE_MS);
	else {
		/* A paging-off command is timed like a command. */
		if (what == SH_PAGING)
			x->armed_for = 0;
		ssh_cmd_timer(x);
		prompt_begin(&x->pr, line);
	}
}

/* After a prompt: paging off first, then the job's commands, then exit. */
static void
sh_next(struct ssh_attempt *x)
{
	const struct conf_platform *pl = x->dev->platform;

	if (x->sh_what == SH_LOGIN || x->sh_what == SH_PAGING) {
		if (pl->paging_off[x->sh_paging] != NULL) {
			sh_send(x, SH_PAGING, pl->paging_off[x->sh_paging++]);
			return;
		}
	}
	if (x->cmd < x->job->ncommands) {
		sh_send(x, SH_COMMAND, x->job->commands[x->cmd]);
		return;
	}
	x->closing = 1;
	sh_send(x, SH_EXIT, pl->exit_cmd);
}

int
ssh_ph_sh_write(struct ssh_attempt *x)
{
	ssize_t n;

	while (x->woff < x->wlen) {
		n = libssh2_channel_write(x->ch, x->wbuf + x->woff,
		    x->wlen - x->woff);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return ssh_wait(x);
		if (n < 0)
			return ssh_fail_lib(x, (int)n, NAUT_ERR_RESET);
		CTR_ADD(x->w->w_ctr, bytes_sent, n);
		x->woff += (size_t)n;
	}
	x->phase = x->sh_what == SH_EXIT ? PH_SH_EOF : PH_SH_READ;
	return STEP_NEXT;
}

int
ssh_ph_sh_read(struct ssh_attempt *x)
{
	const struct conf_platform *pl = x->dev->platform;
	enum prompt_ev ev = PROMPT_NONE;
	ssize_t n;
	size_t len;
	const char *out;

	for (;;) {
		n = libssh2_channel_read(x->ch, rbuf, sizeof(rbuf));
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (libssh2_channel_eof(x->ch))
				n = 0;
			else
				return ssh_wait(x);
		}
		if (n == 0)
			return ssh_fail(x, NAUT_ERR_RESET, "the device closed "
			    "the session %s", x->sh_what == SH_LOGIN ?
			    "before its prompt" : "in the middle of output");
		if (n < 0)
			return ssh_fail_lib(x, (int)n, NAUT_ERR_RESET);
		CTR_ADD(x->w->w_ctr, bytes_received, n);
		ev = prompt_feed(&x->pr, rbuf, (size_t)n);
		if (ev != PROMPT_NONE)
			break;
	}
	switch (ev) {
	case PROMPT_MORE:
		/* A pager despite paging off: page on, same command. */
		free(x->wbuf);
		x->wbuf = xstrdup(pl->more_reply);
		x->wlen = strlen(x->wbuf);
		x->woff = 0;
		x->phase = PH_SH_WRITE;
		x->sh_after_more = 1;
		return STEP_NEXT;
	case PROMPT_TOOBIG:
		return ssh_fail(x, NAUT_ERR_OUTPUT_TOO_LARGE, "output of \"%s\" "
		    "passed output_limit (%llu bytes)", x->sh_what ==
		    SH_COMMAND ? x->job->commands[x->cmd] : "login banner",
		    (unsigned long long)x->dev->p.output_limit);
	case PROMPT_DONE:
		break;
	default:
		return ssh_fail(x, NAUT_ERR_INTERNAL, "prompt state");
	}
	if (x->sh_what == SH_COMMAND) {
		out = prompt_output(&x->pr, &len);
		x->cb->ac_output(x->arg, x->cmd, out, len, -1);
		x->cmd++;
	}
	sh_next(x);
	return STEP_NEXT;
}

/* After "exit": read until the device closes, discarding what it says. */
int
ssh_ph_sh_eof(struct ssh_attempt *x)
{
	ssize_t n;

	for (;;) {
		n = libssh2_channel_read(x->ch, rbuf, sizeof(rbuf));
		if (n > 0)
			continue;
		if (n == LIBSSH2_ERROR_EAGAIN && !libssh2_channel_eof(x->ch))
			return ssh_wait(x);
		break;
	}
	x->phase = PH_CH_CLOSE;
	return STEP_NEXT;
}


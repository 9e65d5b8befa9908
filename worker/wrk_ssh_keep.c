/*
 * Kept-open SSH sessions for telemetry: the attempt machine of wrk_ssh.c
 * with one change of course.  After authentication, and after each poll's
 * exec channel is closed, the session goes to PH_IDLE instead of
 * disconnecting: no phase timer, no socket interest, only the keepalive
 * timer (idle is the one state where a keepalive cannot collide with a
 * half-sent packet).  ssh_poll() opens a new exec channel on it for the
 * next command; the connection and its login are reused.
 *
 * NETCONF (x->nc) keeps more: the netconf channel, opened and greeted
 * once, stays open while idle, and each poll is one <get> on it
 * (wrk_nc.c's PH_NC_POLL); closing sends <close-session> first.
 */
#include <string.h>

#include "wrk_ssh_int.h"

/* A kept-open session runs exec channels; the job has no commands. */
static const struct conf_job ssh_keep_job = {
	.name = "telemetry",
	.mode = CONF_MODE_EXEC,
};

static const struct timeval tv_zero = { 0, 0 };

const char *
ssh_cmd_text(const struct ssh_attempt *x)
{
	if (x->keep)
		return x->keep_cmd != NULL ? x->keep_cmd : "";
	return x->job->commands[x->cmd];
}

/*
 * Entered with the channel freed.  Returns STEP_WAIT after the callback
 * without touching x again: the callback may poll, close or cancel (and
 * so free) the session.
 */
int
ssh_ph_idle(struct ssh_attempt *x)
{
	evtimer_del(x->tmo);
	event_del(x->ev);
	x->armed_for = 0;
	x->wait_in_only = 1;
	x->cb->ac_idle(x->arg);
	return STEP_WAIT;
}

void *
ssh_open(struct wrk *w, const struct conf_device *d,
    const struct wrk_att_cb *cb, void *arg)
{
	struct ssh_attempt *x;

	/* Nothing has run yet: the start is kicked from the loop. */
	x = ssh_start(w, d, &ssh_keep_job, 0, cb, arg);
	if (x != NULL)
		x->keep = 1;
	return x;
}

int
ssh_poll(void *p, const struct conf_telemetry *t)
{
	struct ssh_attempt *x = ssh_check(p);

	if (x->phase != PH_IDLE)
		return -1;
	if (x->nc != NULL) {
		if (t->netconf == NULL)
			return -1;
		x->keep_tm = t;
		x->phase = PH_NC_POLL;
	} else {
		if (t->ssh == NULL)
			return -1;
		x->keep_cmd = t->ssh->command;
		x->phase = PH_CH_OPEN;
	}
	x->wait_in_only = 0;
	evtimer_add(x->kick, &tv_zero);
	return 0;
}

void
ssh_close(void *p)
{
	struct ssh_attempt *x = ssh_check(p);

	if (x->phase != PH_IDLE)
		return;
	x->closing = 1;
	x->wait_in_only = 0;
	ssh_timer(x, SSH_CLOSE_MS);
	x->phase = x->nc != NULL ? PH_NC_CLOSE : PH_DISCONNECT;
	evtimer_add(x->kick, &tv_zero);
}

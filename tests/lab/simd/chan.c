/*
 * simd's channels: exec and shell sessions that behave as the emulator
 * does (tests/lab/emu: the same command table, outputs, banners, prompts,
 * pager and misbehaviours), but paced by events.  Where the emulator
 * sleeps, blocks on a key or hangs, a channel here records where it is
 * (enum hstate) and chan_step() carries on when input, channel window or
 * a timer lets it.
 *
 * The emulator's code writes through out_put/out_str and term_emit; this
 * file provides them: bytes go to the queue of the channel being served
 * (cur), and term_emit hands a command's output to the channel's emitter.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "xmem.h"

#define OUT_HIGH	65536	/* most queued ahead of the window */
#define IN_MAX		65536	/* unread input kept; the rest is dropped */

enum hstate {
	H_NEW,		/* no exec or shell request yet */
	H_PROMPT,	/* shell: print the prompt (after a slow delay) */
	H_LINE,		/* shell: reading a command line */
	H_EMIT,		/* sending a command's output */
	H_MORE,		/* at the pager's marker, waiting for a key */
	H_ENDLESS,	/* log lines for ever */
	H_AFTER,	/* the command is done: next prompt, or the end */
	H_EXIT,		/* send the exit status and close */
	H_HANG,		/* say nothing more, ever */
	H_DROP,		/* disconnect_mid: drop the connection once sent */
	H_CLOSED	/* closed on our side */
};

struct chan {
	unsigned	 h_magic;
	struct chan	*h_next;
	struct conn	*h_conn;
	ssh_channel	 h_ch;
	struct ssh_channel_callbacks_struct h_cb;
	enum hstate	 h_state;
	struct dev	 h_dev;
	struct sess	 h_sess;
	struct edit	 h_edit;
	char		*h_cmd;		/* exec request, until started */
	int		 h_pty, h_shell;
	int		 h_eof;		/* the client sent EOF */
	int		 h_rclosed;	/* the client closed the channel */
	int		 h_end;		/* the command line ended the shell */
	int		 h_rc;		/* exit status so far */
	struct buf	 h_out;		/* to the client, not yet written */
	size_t		 h_outoff;
	struct buf	 h_in;		/* from the client, not yet read */
	size_t		 h_inoff;
	struct event	 h_tm;		/* slow: the delay before a line */
	int		 h_sleeping, h_slept;
	/* The output being emitted (term_emit), as the emulator's loop. */
	struct buf	 h_em;
	size_t		 h_emoff, h_emline, h_emlines, h_emonpage;
	int		 h_empaged, h_more;
	unsigned long	 h_endless;
};

static struct chan *cur;	/* whose queue out_put fills */

void
out_put(const void *p, size_t n)
{
	buf_put(&cur->h_out, p, n);
}

void
out_str(const char *s)
{
	out_put(s, strlen(s));
}

/* The queue is written as the channel's window allows, not here. */
void
out_flush(void)
{
}

void
out_err(const void *p, size_t n)
{
	(void)ssh_channel_write_stderr(cur->h_ch, p, (uint32_t)n);
}

/* The emulator's term_emit: the command's output goes to the emitter. */
void
term_emit(struct sess *s, const struct buf *b, int paged)
{
	struct chan *h = cur;
	size_t i;

	if (b->b_len == 0)
		return;
	if (s->s_dev->d_beh == B_GARBAGE) {
		face_garbage(s);
		return;
	}
	h->h_em.b_len = 0;
	buf_put(&h->h_em, b->b_p, b->b_len);
	h->h_emoff = h->h_emline = h->h_emonpage = h->h_emlines = 0;
	for (i = 0; i < b->b_len; i++)
		h->h_emlines += b->b_p[i] == '\n';
	h->h_empaged = paged;
	h->h_slept = 0;
	h->h_state = H_EMIT;
}

/* Not reached: hanging is a state here (H_HANG). */
void
term_hang(void)
{
	abort();
}

static void
tm_cb(evutil_socket_t fd, short what, void *arg)
{
	struct chan *h = arg;

	if (h->h_magic != CHAN_MAGIC)
		abort();
	h->h_sleeping = 0;
	conn_service(h->h_conn);
}

static void
sleep_ms(struct chan *h, unsigned ms)
{
	struct timeval tv = { ms / 1000, (long)(ms % 1000) * 1000 };

	h->h_sleeping = 1;
	evtimer_add(&h->h_tm, &tv);
}

/* Write the queue as far as the client's window goes; 0 when empty. */
static int
pump(struct chan *h)
{
	uint32_t w;
	size_t n;
	int k;

	while (h->h_outoff < h->h_out.b_len) {
		if ((w = ssh_channel_window_size(h->h_ch)) == 0)
			return -1;
		n = h->h_out.b_len - h->h_outoff;
		n = n < w ? n : w;
		n = n < 32768 ? n : 32768;
		k = ssh_channel_write(h->h_ch, h->h_out.b_p + h->h_outoff,
		    (uint32_t)n);
		if (k <= 0)
			return -1;
		h->h_outoff += (size_t)k;
	}
	h->h_out.b_len = h->h_outoff = 0;
	/* Most sessions are idle most of the time: keep them small. */
	if (h->h_out.b_cap > 16384) {
		free(h->h_out.b_p);
		memset(&h->h_out, 0, sizeof(h->h_out));
	}
	return 0;
}

/* The next key typed, or -1 if none is there yet. */
static int
key(struct chan *h)
{
	int c;

	do {
		if (h->h_inoff == h->h_in.b_len) {
			h->h_in.b_len = h->h_inoff = 0;
			return -1;
		}
		c = (unsigned char)h->h_in.b_p[h->h_inoff++];
	} while (face_lf_skip(&h->h_sess, c));
	return c;
}

/* term_emit's loop, resumable: until done or something to wait for. */
static void
emit(struct chan *h)
{
	struct sess *s = &h->h_sess;
	const struct dev *d = s->s_dev;
	const struct buf *b = &h->h_em;
	const char *nl;
	size_t n;

	while (h->h_emoff < b->b_len) {
		if (h->h_out.b_len >= OUT_HIGH)
			return;
		nl = memchr(b->b_p + h->h_emoff, '\n', b->b_len - h->h_emoff);
		n = nl ? (size_t)(nl - (b->b_p + h->h_emoff)) :
		    b->b_len - h->h_emoff;
		if (d->d_beh == B_SLOW && !h->h_slept) {
			h->h_slept = 1;
			sleep_ms(h, d->d_delay_ms);
			return;
		}
		if ((d->d_beh == B_HANG_MID || d->d_beh == B_DISCONNECT_MID) &&
		    h->h_emlines >= 2 && h->h_emline == h->h_emlines / 2) {
			h->h_state = d->d_beh == B_HANG_MID ? H_HANG : H_DROP;
			return;
		}
		if (h->h_empaged && s->s_pagelen > 1 &&
		    d->d_beh != B_ENDLESS &&
		    h->h_emonpage == s->s_pagelen - 1) {
			h->h_more = face_more(s, h->h_emoff, b->b_len);
			h->h_state = H_MORE;
			return;
		}
		out_put(b->b_p + h->h_emoff, n);
		out_str(s->s_eol);
		h->h_emoff += n + 1;
		h->h_emline++;
		h->h_emonpage++;
		h->h_slept = 0;
	}
	h->h_endless = 1;
	h->h_state = d->d_beh == B_ENDLESS ? H_ENDLESS : H_AFTER;
}

/* Run one command line; its output, if any, goes to the emitter. */
static void
run_line(struct chan *h, char *line)
{
	h->h_state = H_AFTER;
	h->h_end = cli_run(&h->h_sess, line, &h->h_rc);
}

static void
start(struct chan *h)
{
	struct sess *s = &h->h_sess;
	struct dev *d = &h->h_dev;
	char line[LINE_MAX_LEN];

	memset(d, 0, sizeof(*d));
	d->d_time = simd.sd_time;
	snprintf(d->d_user, sizeof(d->d_user), "%s", h->h_conn->c_user);
	devconf_device(d, h->h_conn->c_ip, simd.sd_rules, simd.sd_nrules);
	memset(s, 0, sizeof(*s));
	s->s_dev = d;
	if (!h->h_shell) {
		s->s_exec = 1;
		s->s_eol = d->d_plat == P_IOS ? "\r\n" : "\n";
		if (d->d_beh == B_HANG_LOGIN) {
			h->h_state = H_HANG;
			return;
		}
		snprintf(line, sizeof(line), "%s", h->h_cmd);
		line[strcspn(line, "\r\n")] = '\0';
		run_line(h, line);
		h->h_end = 1;
		return;
	}
	s->s_tty = h->h_pty;
	s->s_eol = "\r\n";
	s->s_pagelen = d->d_plat == P_LINUX ? 0 : PAGE_DEFAULT;
	if (d->d_beh == B_HANG_LOGIN) {
		h->h_state = H_HANG;
		return;
	}
	face_banner(s);
	h->h_state = H_PROMPT;
}

/* The exit status the emulator's process would have had; then close. */
static void
finish(struct chan *h)
{
	const struct dev *d = &h->h_dev;
	int rc = h->h_shell ? 0 : h->h_rc;

	if (d->d_beh == B_EXITSTATUS)
		rc = d->d_status;
	(void)ssh_channel_request_send_exit_status(h->h_ch, rc);
	(void)ssh_channel_send_eof(h->h_ch);
	(void)ssh_channel_close(h->h_ch);
	h->h_state = H_CLOSED;
}

/* One step of the session; 1 if it moved and may move again. */
static int
step(struct chan *h)
{
	struct sess *s = &h->h_sess;
	int c, k;

	switch (h->h_state) {
	case H_NEW:
		if (h->h_cmd == NULL && !h->h_shell)
			return 0;
		start(h);
		return 1;
	case H_PROMPT:
		if (h->h_dev.d_beh == B_SLOW && !h->h_slept) {
			h->h_slept = 1;
			sleep_ms(h, h->h_dev.d_delay_ms);
			return 0;
		}
		h->h_slept = 0;
		face_prompt(s);
		h->h_state = H_LINE;
		return 1;
	case H_LINE:
		while ((c = key(h)) != -1)
			if (face_edit(s, &h->h_edit, c)) {
				run_line(h, h->h_edit.e_line);
				return 1;
			}
		if (h->h_eof) {
			h->h_state = H_EXIT;
			return 1;
		}
		return 0;
	case H_EMIT:
		emit(h);
		return h->h_state != H_EMIT;
	case H_MORE:
		if ((c = key(h)) == -1) {
			if (h->h_eof) {
				h->h_rc = 0;
				h->h_state = H_EXIT;
				return 1;
			}
			return 0;
		}
		k = face_more_key(h->h_more, c);
		if (k == 'q') {
			h->h_state = H_AFTER;
			return 1;
		}
		h->h_emonpage = k == ' ' ? 0 : s->s_pagelen - 2;
		h->h_state = H_EMIT;
		return 1;
	case H_ENDLESS:
		while (h->h_out.b_len < OUT_HIGH) {
			if (h->h_dev.d_beh == B_SLOW) {
				if (h->h_slept) {
					h->h_slept = 0;
					sleep_ms(h, h->h_dev.d_delay_ms);
					return 0;
				}
				h->h_slept = 1;
			}
			face_endless(s, h->h_endless++);
		}
		return 0;
	case H_AFTER:
		h->h_state = h->h_end ? H_EXIT : H_PROMPT;
		return 1;
	case H_EXIT:
		finish(h);
		return 1;
	case H_DROP:
		/* What was written reaches the client, then the line drops. */
		if (!h->h_sleeping && !h->h_slept) {
			h->h_slept = 1;
			sleep_ms(h, 100);
		} else if (!h->h_sleeping)
			conn_kill(h->h_conn);
		return 0;
	case H_HANG:
	case H_CLOSED:
		h->h_in.b_len = h->h_inoff = 0;
		return 0;
	}
	return 0;
}

static void
chan_free(struct chan *h)
{
	evtimer_del(&h->h_tm);
	if (h->h_ch != NULL) {
		ssh_remove_channel_callbacks(h->h_ch, &h->h_cb);
		ssh_channel_free(h->h_ch);
	}
	free(h->h_cmd);
	free(h->h_out.b_p);
	free(h->h_in.b_p);
	free(h->h_em.b_p);
	h->h_magic = 0;
	free(h);
	simd.sd_open--;
}

/*
 * Move every channel of c as far as it goes; free those closed at both
 * ends.  Called after each batch of packets and each timer.
 */
void
chan_run_all(struct conn *c)
{
	struct chan *h, **hp;

	for (hp = &c->c_chans; (h = *hp) != NULL && c->c_state == CS_RUN;) {
		cur = h;
		while (pump(h) == 0 && !h->h_sleeping &&
		    c->c_state == CS_RUN && step(h))
			;
		if (h->h_rclosed && h->h_state != H_DROP) {
			if (h->h_state != H_CLOSED)
				(void)ssh_channel_close(h->h_ch);
			*hp = h->h_next;
			chan_free(h);
			continue;
		}
		hp = &h->h_next;
	}
	cur = NULL;
}

void
chan_free_all(struct conn *c)
{
	struct chan *h;

	while ((h = c->c_chans) != NULL) {
		c->c_chans = h->h_next;
		/* ssh_free() frees the libssh side. */
		h->h_ch = NULL;
		chan_free(h);
	}
}

static int
ch_data(ssh_session ssh, ssh_channel ch, void *data, uint32_t len,
    int is_stderr, void *arg)
{
	struct chan *h = arg;

	if (h->h_in.b_len + len <= IN_MAX && h->h_state != H_HANG &&
	    h->h_state != H_CLOSED)
		buf_put(&h->h_in, data, len);
	return (int)len;
}

static void
ch_eof(ssh_session ssh, ssh_channel ch, void *arg)
{
	((struct chan *)arg)->h_eof = 1;
}

static void
ch_close(ssh_session ssh, ssh_channel ch, void *arg)
{
	((struct chan *)arg)->h_rclosed = 1;
}

static int
ch_pty(ssh_session ssh, ssh_channel ch, const char *term, int w, int hgt,
    int pxw, int pxh, void *arg)
{
	((struct chan *)arg)->h_pty = 1;
	return 0;
}

static int
ch_shell(ssh_session ssh, ssh_channel ch, void *arg)
{
	struct chan *h = arg;

	if (h->h_cmd != NULL || h->h_shell)
		return 1;
	h->h_shell = 1;
	return 0;
}

static int
ch_exec(ssh_session ssh, ssh_channel ch, const char *cmd, void *arg)
{
	struct chan *h = arg;

	if (h->h_cmd != NULL || h->h_shell)
		return 1;
	/* dropbear passes an empty command for a shell; so does simd. */
	if (*cmd == '\0')
		h->h_shell = 1;
	else
		h->h_cmd = xstrdup(cmd);
	return 0;
}

static int
ch_winch(ssh_session ssh, ssh_channel ch, int w, int hgt, int pxw, int pxh,
    void *arg)
{
	return 0;
}

/* A session channel: accepted once authenticated, if devices.conf is. */
ssh_channel
chan_open(ssh_session ssh, void *arg)
{
	struct conn *c = arg;
	struct chan *h;

	if (c->c_magic != CONN_MAGIC)
		abort();
	if (!c->c_authed || simd.sd_rules_bad)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->h_magic = CHAN_MAGIC;
	h->h_conn = c;
	if ((h->h_ch = ssh_channel_new(ssh)) == NULL) {
		free(h);
		return NULL;
	}
	h->h_cb.userdata = h;
	h->h_cb.channel_data_function = ch_data;
	h->h_cb.channel_eof_function = ch_eof;
	h->h_cb.channel_close_function = ch_close;
	h->h_cb.channel_pty_request_function = ch_pty;
	h->h_cb.channel_shell_request_function = ch_shell;
	h->h_cb.channel_exec_request_function = ch_exec;
	h->h_cb.channel_pty_window_change_function = ch_winch;
	ssh_callbacks_init(&h->h_cb);
	ssh_set_channel_callbacks(h->h_ch, &h->h_cb);
	evtimer_assign(&h->h_tm, simd.sd_base, tm_cb, h);
	h->h_next = c->c_chans;
	c->c_chans = h;
	simd.sd_channels++;
	simd.sd_open++;
	return h->h_ch;
}

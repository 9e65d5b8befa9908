/*
 * The emulator's terminal, blocking, one session per process: reading keys
 * and lines (the PTY is raw, as a device's CLI keeps it), the pager, the
 * misbehaviours that strike while output flows, and the interactive shell
 * loop.  What it says comes from face.c, which the simulator shares.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"

/* Sleep, after sending what is due: delays are what the client sees. */
static void
msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	out_flush();
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Stop answering but keep the session: read and drop input, and leave when
 * the client is gone (stdout reports an error or hang-up) or on SIGHUP.
 */
void
term_hang(void)
{
	struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 },
	    { STDOUT_FILENO, 0, 0 } };
	char sink[512];
	ssize_t n;

	out_flush();
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL))
			_exit(0);
		if (pfd[0].revents & POLLNVAL)
			pfd[0].fd = -1;
		else if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, sink, sizeof(sink));
			if (n == 0 || (n == -1 && errno != EINTR &&
			    errno != EAGAIN))
				pfd[0].fd = -1;	/* EOF: still hang */
		}
	}
}

/*
 * Drop the connection: SIGKILL the sshd session process that holds it
 * (it runs as the lab user).  dropbear's runs as root, so there the
 * emulator can only die itself: the channel closes, the connection stays.
 */
static void __attribute__((noreturn))
disconnect(void)
{
	pid_t p = getppid();
	char path[64], comm[32];
	struct stat st;
	FILE *fp;
	int up, q;

	out_flush();
	/* Let the server take what was written, or the client sees none. */
	for (up = 0; up < 100 && fstat(STDOUT_FILENO, &st) == 0; up++) {
		if (ioctl(STDOUT_FILENO, S_ISFIFO(st.st_mode) ? FIONREAD :
		    TIOCOUTQ, &q) == -1 || q == 0)
			break;
		msleep(10);
	}
	msleep(100);
	for (up = 0; up < 2 && p > 1; up++) {
		snprintf(path, sizeof(path), "/proc/%ld/comm", (long)p);
		if ((fp = fopen(path, "r")) == NULL)
			break;
		if (fgets(comm, sizeof(comm), fp) == NULL)
			comm[0] = '\0';
		fclose(fp);
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, "sshd") == 0 ||
		    strcmp(comm, "naut-lab-sshd") == 0 ||
		    strcmp(comm, "dropbear") == 0) {
			kill(p, SIGKILL);
			break;
		}
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)p);
		if ((fp = fopen(path, "r")) == NULL ||
		    fscanf(fp, "%*d (%*[^)]) %*c %d", &p) != 1)
			p = 0;
		if (fp != NULL)
			fclose(fp);
	}
	raise(SIGKILL);
	_exit(1);
}

/* Log lines for ever, as fast as the client takes them (or slow). */
static void __attribute__((noreturn))
endless(struct sess *s)
{
	unsigned long n;

	for (n = 1;; n++) {
		face_endless(s, n);
		if (s->s_dev->d_beh == B_SLOW)
			msleep(s->s_dev->d_delay_ms);
	}
}

/* One byte of input, or -1 at EOF; output is flushed before waiting. */
static int
in_byte(struct sess *s)
{
	ssize_t n;

	if (s->s_inpos == s->s_inlen) {
		out_flush();
		do
			n = read(STDIN_FILENO, s->s_in, sizeof(s->s_in));
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			return -1;
		s->s_inlen = (size_t)n;
		s->s_inpos = 0;
	}
	return s->s_in[s->s_inpos++];
}

/* A key; the LF of a CR LF pair is part of the CR. */
static int
in_key(struct sess *s)
{
	int c = in_byte(s);

	while (face_lf_skip(s, c))
		c = in_byte(s);
	return c;
}

/* The pager's prompt: ' ' next page, '\n' one more line, 'q' stop. */
static int
more(struct sess *s, size_t done, size_t total)
{
	int c, n = face_more(s, done, total);

	if ((c = in_key(s)) == -1)
		exit(0);
	return face_more_key(n, c);
}

/*
 * Send output (lines ending in \n) with the session's line ends, the
 * pager, and the misbehaviours that strike in the middle of output.
 */
void
term_emit(struct sess *s, const struct buf *b, int paged)
{
	const struct dev *d = s->s_dev;
	size_t off = 0, line = 0, nlines = 0, onpage = 0, i;
	const char *nl;

	if (b->b_len == 0 || hostile_emit(s, b))
		return;
	if (d->d_beh == B_GARBAGE) {
		face_garbage(s);
		return;
	}
	for (i = 0; i < b->b_len; i++)
		nlines += b->b_p[i] == '\n';
	for (; off < b->b_len; line++, onpage++) {
		size_t n;

		nl = memchr(b->b_p + off, '\n', b->b_len - off);
		n = nl ? (size_t)(nl - (b->b_p + off)) : b->b_len - off;
		if (d->d_beh == B_SLOW)
			msleep(d->d_delay_ms);
		if ((d->d_beh == B_HANG_MID || d->d_beh == B_DISCONNECT_MID) &&
		    nlines >= 2 && line == nlines / 2) {
			if (d->d_beh == B_HANG_MID)
				term_hang();
			disconnect();
		}
		if (paged && s->s_pagelen > 1 && d->d_beh != B_ENDLESS &&
		    onpage == s->s_pagelen - 1) {
			int k = more(s, off, b->b_len);

			if (k == 'q')
				return;
			onpage = k == ' ' ? 0 : s->s_pagelen - 2;
		}
		out_put(b->b_p + off, n);
		out_str(s->s_eol);
		off += n + 1;
	}
	if (d->d_beh == B_ENDLESS)
		endless(s);
}

/* The prompt, late on a slow device. */
static void
prompt(struct sess *s)
{
	if (s->s_dev->d_beh == B_SLOW)
		msleep(s->s_dev->d_delay_ms);
	face_prompt(s);
}

/* Read a line with echo and simple editing; -1 at EOF. */
static int
read_line(struct sess *s, struct edit *e)
{
	int c;

	for (;;) {
		if ((c = in_key(s)) == -1)
			return -1;
		if (face_edit(s, e, c))
			return 0;
	}
}

/* The interactive session; returns the exit status. */
int
term_shell(struct sess *s)
{
	struct termios tio;
	struct edit e;
	int rc = 0;

	/* Raw mode: like a device's CLI we echo, edit and page ourselves. */
	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		s->s_tty = 1;
		cfmakeraw(&tio);
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	}
	s->s_eol = "\r\n";
	s->s_pagelen = s->s_dev->d_plat == P_LINUX ? 0 : PAGE_DEFAULT;
	if (s->s_dev->d_beh == B_HANG_LOGIN)
		term_hang();
	memset(&e, 0, sizeof(e));
	hostile_login(s);
	face_banner(s);
	for (;;) {
		prompt(s);
		if (read_line(s, &e) == -1)
			break;
		if (cli_run(s, e.e_line, &rc))
			break;
	}
	out_flush();
	return s->s_dev->d_beh == B_EXITSTATUS ? s->s_dev->d_status : 0;
}

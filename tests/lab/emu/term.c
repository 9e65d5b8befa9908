/*
 * The emulator's terminal: reading keys and lines with echo and editing
 * (the PTY is raw, as a device's CLI keeps it), the pager, prompts and
 * login banners, the misbehaviours that strike while output flows, and the
 * interactive shell loop.
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

/* What a broken line or device sends: NULs, escapes, 8-bit junk. */
static void
garbage(struct sess *s)
{
	static const char *const esc[] = { "\033[2J", "\033[H", "\033c",
	    "\033]0;pwned\007", "\033[6n", "\033[?1049h", "\033(0", "\377\376",
	    "\300\200", "\r" };
	uint64_t st = s->s_dev->d_seed ^ 0x6a6b;
	unsigned char c;
	int i;

	for (i = 0; i < 4096; i++) {
		if (model_rnd(&st, 24) == 0) {
			out_str(esc[model_rnd(&st, 10)]);
			continue;
		}
		c = (unsigned char)model_rnd(&st, 256);
		/* No prompt characters: a prompt must come from the CLI. */
		if (c == '#' || c == '>' || c == '$' || c == '%')
			c = 0;
		out_put(&c, 1);
	}
	out_str(s->s_eol);
}

/* Log lines for ever, as fast as the client takes them (or slow). */
static void __attribute__((noreturn))
endless(struct sess *s)
{
	unsigned long n;
	char line[160];

	for (n = 1;; n++) {
		int k = snprintf(line, sizeof(line), "%%LINEPROTO-5-UPDOWN: "
		    "Line protocol on Interface GigabitEthernet1/0/%lu, "
		    "changed state to %s (%lu)%s", n % 48 + 1,
		    n & 1 ? "down" : "up", n, s->s_eol);

		out_put(line, (size_t)k);
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

	if (c == '\n' && s->s_lastcr)
		c = in_byte(s);
	s->s_lastcr = c == '\r';
	return c;
}

/* The pager's prompt: ' ' next page, '\n' one more line, 'q' stop. */
static int
more(struct sess *s, size_t done, size_t total)
{
	char m[32];
	int c, n;

	if (s->s_dev->d_plat == P_JUNOS)
		n = snprintf(m, sizeof(m), "---(more %zu%%)---",
		    done * 100 / (total ? total : 1));
	else
		n = snprintf(m, sizeof(m), " --More-- ");
	out_put(m, (size_t)n);
	if ((c = in_key(s)) == -1)
		exit(0);
	out_str("\r");
	while (n-- > 0)
		out_str(" ");
	out_str("\r");
	return c == ' ' ? ' ' : c == '\r' || c == '\n' ? '\n' : 'q';
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
		garbage(s);
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

/* The platform's prompt; its width places the caret of errors. */
static void
prompt(struct sess *s)
{
	const struct dev *d = s->s_dev;
	char p[256];
	const char *last;

	if (d->d_beh == B_SLOW)
		msleep(d->d_delay_ms);
	switch (d->d_plat) {
	case P_JUNOS:
		snprintf(p, sizeof(p), "\r\n%s%s@%s%s ", s->s_conf ?
		    "[edit]\r\n" : "", d->d_user, d->d_name, s->s_conf ? "#" :
		    ">");
		break;
	case P_LINUX:
		snprintf(p, sizeof(p), "%s@%s:~$ ", d->d_user, d->d_name);
		break;
	default:
		snprintf(p, sizeof(p), "%s%s#%s", d->d_name, s->s_conf ?
		    "(config)" : "", d->d_plat == P_NXOS ? " " : "");
		break;
	}
	out_str(p);
	last = strrchr(p, '\n');
	s->s_promptlen = strlen(last ? last + 1 : p);
}

/* What the device prints after login, before the first prompt. */
static void
banner(struct sess *s)
{
	const struct dev *d = s->s_dev;
	char when[64];
	time_t t = model_now(d) - 3600 - (time_t)(d->d_seed % 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	switch (d->d_plat) {
	case P_IOS:
		out_str("\r\n");
		break;
	case P_NXOS:
		out_str("Cisco Nexus Operating System (NX-OS) Software\r\n"
		    "TAC support: http://www.cisco.com/tac\r\n"
		    "Copyright (C) 2002-2023, Cisco and/or its affiliates.\r\n"
		    "All rights reserved.\r\n");
		break;
	case P_JUNOS:
		out_str("Last login: ");
		out_str(when);
		out_str(" from 192.0.2.250\r\n--- JUNOS 21.4R3-S4.9 Kernel "
		    "64-bit  JNPR-12.1-20230411.a7b3db8_buil\r\n");
		break;
	case P_EOS:
		out_str("Last login: ");
		out_str(when);
		out_str(" from 192.0.2.250\r\n");
		break;
	default:
		out_str("Linux ");
		out_str(d->d_name);
		out_str(" 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian "
		    "6.1.76-1 (2024-02-01) x86_64\r\n\r\n"
		    "The programs included with the Debian GNU/Linux system "
		    "are free software.\r\nLast login: ");
		out_str(when);
		out_str(" from 192.0.2.250\r\n");
		break;
	}
}

/* Read a line with echo and simple editing; -1 at EOF. */
static int
read_line(struct sess *s, char *line, size_t max)
{
	size_t n = 0;
	int c, esc = 0;

	for (;;) {
		if ((c = in_key(s)) == -1)
			return -1;
		if (esc) {	/* skip ESC [ ... final, ESC O x, ESC x */
			if (esc == 1 && (c == '[' || c == 'O'))
				esc = 2;
			else if (esc == 1 || (c >= 0x40 && c <= 0x7e))
				esc = 0;
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		if (c == 0x1b)
			esc = 1;
		else if ((c == 0x7f || c == '\b') && n > 0) {
			n--;
			if (s->s_tty)
				out_str("\b \b");
		} else if (c == 0x03 || c == 0x15) {	/* ^C, ^U */
			if (s->s_tty)
				out_str(c == 0x03 ? "^C" : "");
			n = 0;
			if (c == 0x03)
				break;
		} else if (c == 0x04 && n == 0 && s->s_dev->d_plat == P_LINUX) {
			snprintf(line, max, "logout");
			return 0;
		} else if (c >= 0x20 && c < 0x7f && n + 1 < max) {
			line[n++] = (char)c;
			if (s->s_tty)
				out_put(&line[n - 1], 1);
		}
	}
	if (s->s_tty)
		out_str("\r\n");
	line[n] = '\0';
	return 0;
}

/* The interactive session; returns the exit status. */
int
term_shell(struct sess *s)
{
	struct termios tio;
	char line[LINE_MAX_LEN];
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
	hostile_login(s);
	banner(s);
	for (;;) {
		prompt(s);
		if (read_line(s, line, sizeof(line)) == -1)
			break;
		if (cli_run(s, line, &rc))
			break;
	}
	out_flush();
	return s->s_dev->d_beh == B_EXITSTATUS ? s->s_dev->d_status : 0;
}

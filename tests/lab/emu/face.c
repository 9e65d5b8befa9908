/*
 * What the emulator's terminal says, apart from when it says it: login
 * banners, prompts, the pager's marker, garbage, endless log lines and the
 * line editor's answer to each key.  The emulator (term.c, blocking, one
 * session per process) and the simulator (tests/lab/simd, event-driven,
 * thousands of sessions) both drive these, so a device behaves the same
 * behind either; everything goes out through out_put/out_str.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "emu.h"

/* 1 if c is the LF of a CR LF pair (part of the CR key): drop it. */
int
face_lf_skip(struct sess *s, int c)
{
	if (c == '\n' && s->s_lastcr) {
		s->s_lastcr = 0;
		return 1;
	}
	s->s_lastcr = c == '\r';
	return 0;
}

/* The pager's marker; returns its width for face_more_erase. */
int
face_more(const struct sess *s, size_t done, size_t total)
{
	char m[32];
	int n;

	if (s->s_dev->d_plat == P_JUNOS)
		n = snprintf(m, sizeof(m), "---(more %zu%%)---",
		    done * 100 / (total ? total : 1));
	else
		n = snprintf(m, sizeof(m), " --More-- ");
	out_put(m, (size_t)n);
	return n;
}

/* Wipe a marker n wide; what the key c means: ' ', '\n' or 'q'. */
int
face_more_key(int n, int c)
{
	out_str("\r");
	while (n-- > 0)
		out_str(" ");
	out_str("\r");
	return c == ' ' ? ' ' : c == '\r' || c == '\n' ? '\n' : 'q';
}

/* What a broken line or device sends: NULs, escapes, 8-bit junk. */
void
face_garbage(const struct sess *s)
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

/* Log line n of a device that never stops talking. */
void
face_endless(const struct sess *s, unsigned long n)
{
	char line[160];
	int k = snprintf(line, sizeof(line), "%%LINEPROTO-5-UPDOWN: "
	    "Line protocol on Interface GigabitEthernet1/0/%lu, "
	    "changed state to %s (%lu)%s", n % 48 + 1,
	    n & 1 ? "down" : "up", n, s->s_eol);

	out_put(line, (size_t)k);
}

/* The platform's prompt; its width places the caret of errors. */
void
face_prompt(struct sess *s)
{
	const struct dev *d = s->s_dev;
	char p[256];
	const char *last;

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
void
face_banner(const struct sess *s)
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

/*
 * One key of a command line, with echo and simple editing.  Returns 1
 * when e->e_line holds a whole line (the editor is then ready for the
 * next one), else 0.
 */
int
face_edit(struct sess *s, struct edit *e, int c)
{
	if (e->e_esc) {	/* skip ESC [ ... final, ESC O x, ESC x */
		if (e->e_esc == 1 && (c == '[' || c == 'O'))
			e->e_esc = 2;
		else if (e->e_esc == 1 || (c >= 0x40 && c <= 0x7e))
			e->e_esc = 0;
		return 0;
	}
	if (c == '\r' || c == '\n')
		goto done;
	if (c == 0x1b)
		e->e_esc = 1;
	else if ((c == 0x7f || c == '\b') && e->e_n > 0) {
		e->e_n--;
		if (s->s_tty)
			out_str("\b \b");
	} else if (c == 0x03 || c == 0x15) {	/* ^C, ^U */
		if (s->s_tty)
			out_str(c == 0x03 ? "^C" : "");
		e->e_n = 0;
		if (c == 0x03)
			goto done;
	} else if (c == 0x04 && e->e_n == 0 && s->s_dev->d_plat == P_LINUX) {
		snprintf(e->e_line, sizeof(e->e_line), "logout");
		return 1;
	} else if (c >= 0x20 && c < 0x7f && e->e_n + 1 < sizeof(e->e_line)) {
		e->e_line[e->e_n++] = (char)c;
		if (s->s_tty)
			out_put(&e->e_line[e->e_n - 1], 1);
	}
	return 0;
done:
	if (s->s_tty)
		out_str("\r\n");
	e->e_line[e->e_n] = '\0';
	e->e_n = 0;
	e->e_esc = 0;
	return 1;
}

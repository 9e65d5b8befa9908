/*
 * Hostile devices: output meant to hurt the client or the operator's
 * terminal rather than to be parsed.  Each misbehaviour is a devices.conf
 * behaviour; the tests check it costs naut only that device's session.
 *
 *   escape_flood    10 MB of terminal escape sequences, then the output
 *   endless_banner  login banner lines for ever, never a prompt
 *   long_line       1 MB without a line end or a prompt, then silence
 *   bad_utf8        invalid UTF-8, NULs and C1 controls inside the output
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"

#define FLOOD_BYTES	(10u << 20)
#define LONG_LINE	(1u << 20)

static void
escape_flood(struct sess *s)
{
	/* Clear screen, title, cursor report, alternate screen, charset,
	 * a DCS string, colour, bell: what a terminal would act on. */
	static const char *const esc[] = { "\033[2J", "\033]0;naut-pwned\007",
	    "\033[6n", "\033[?1049h", "\033(0", "\033P+q544e\033\\",
	    "\033[31;1m", "\007", "\033]52;c;cHduZWQ=\007", "\033[H" };
	uint64_t st = s->s_dev->d_seed ^ 0xe5c;
	size_t sent = 0;

	while (sent < FLOOD_BYTES) {
		const char *e = esc[model_rnd(&st, 10)];

		out_str(e);
		sent += strlen(e);
	}
	out_str(s->s_eol);
}

static void __attribute__((noreturn))
endless_banner(struct sess *s)
{
	unsigned long n;
	char line[160];

	for (n = 1;; n++) {
		int k = snprintf(line, sizeof(line), "*** Authorized access "
		    "only; banner line %lu \033[5m\033]0;banner\007%s", n,
		    s->s_eol);

		out_put(line, (size_t)k);
	}
}

static void __attribute__((noreturn))
long_line(struct sess *s)
{
	char chunk[4096];
	size_t sent;

	(void)s;
	memset(chunk, 'A', sizeof(chunk));
	for (sent = 0; sent < LONG_LINE; sent += sizeof(chunk))
		out_put(chunk, sizeof(chunk));
	term_hang();
}

static void
bad_utf8(struct sess *s)
{
	static const unsigned char junk[] = { 0xff, 0xfe, 0xc0, 0xaf, 0xe0,
	    0x80, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x00,
	    0x00, 'n', 'u', 'l', 0x00, 0x9b, '2', 'J', 0x85, 0x1b, '[', '2',
	    'J', 0x7f, 0x08, 0x0d };

	out_put(junk, sizeof(junk));
	out_str(s->s_eol);
}

/*
 * Before the banner (shell) or the command (exec).  Returns only if the
 * session goes on normally.
 */
void
hostile_login(struct sess *s)
{
	if (s->s_dev->d_beh == B_ENDLESS_BANNER)
		endless_banner(s);
}

/* Instead of or before a command's output; 1 if the output is done. */
int
hostile_emit(struct sess *s, const struct buf *b)
{
	switch (s->s_dev->d_beh) {
	case B_ESCAPE_FLOOD:
		escape_flood(s);
		return 0;
	case B_LONG_LINE:
		long_line(s);
	case B_BAD_UTF8:
		bad_utf8(s);
		return 0;
	default:
		(void)b;
		return 0;
	}
}

/*
 * The CLI collector.  Lines are built in a small buffer and moved to the
 * output when they end, so the only thing a regex ever sees is the last,
 * unfinished line: a prompt or a pager waits there for our input.
 *
 * After the first prompt is seen, its exact text is learned and later
 * prompts must equal it (as Netmiko does): a line of output that merely
 * looks like a prompt ("!#", "cfg>") and happens to end a read must not end
 * the command early.
 */
#include <stdlib.h>
#include <string.h>

#include "prompt.h"
#include "xmem.h"

void
prompt_init(struct prompt *p, const regex_t *re, const regex_t *more,
    size_t limit)
{
	memset(p, 0, sizeof(*p));
	p->re = re;
	p->more_re = more;
	p->limit = limit;
}

static void
line_reset(struct prompt *p)
{
	p->linelen = 0;
	p->longline = 0;
	p->ovr = 0;
	p->cur = p->hw = 0;
}

void
prompt_begin(struct prompt *p, const char *cmd)
{
	p->len = 0;
	line_reset(p);
	p->cr = 0;
	p->echo = cmd;
	p->first_line = 1;
	p->pages = 0;
}

static int
out_append(struct prompt *p, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (p->len + n > p->limit)
		return -1;
	if (p->len + n > p->cap) {
		size_t ncap = p->cap ? p->cap : 4096;

		while (ncap < p->len + n)
			ncap *= 2;
		if (ncap > p->limit)
			ncap = p->limit;
		p->out = xreallocarray(p->out, ncap, 1);
		p->cap = ncap;
	}
	memcpy(p->out + p->len, s, n);
	p->len += n;
	return 0;
}

static int
is_echo(const struct prompt *p)
{
	size_t n;

	if (p->echo == NULL || !p->first_line || p->longline)
		return 0;
	n = strlen(p->echo);
	if (p->linelen < n || memcmp(p->line, p->echo, n) != 0)
		return 0;
	/* Some devices pad the echo with spaces. */
	for (; n < p->linelen; n++)
		if (p->line[n] != ' ')
			return 0;
	return 1;
}

/* A line ended: keep it, unless it is the echo of our own command. */
static int
line_end(struct prompt *p)
{
	int rc = 0;

	/* What a terminal would show: nothing past the last overwrite. */
	if (p->ovr)
		p->linelen = p->hw;
	if (!is_echo(p)) {
		rc = out_append(p, p->line, p->linelen);
		if (rc == 0)
			rc = out_append(p, "\n", 1);
	}
	p->first_line = 0;
	line_reset(p);
	return rc;
}

static size_t
line_len(const struct prompt *p)
{
	return p->ovr ? p->hw : p->linelen;
}

static int
line_match(const struct prompt *p, const regex_t *re)
{
	char buf[PROMPT_LINE_MAX + 1];
	size_t n = line_len(p);

	memcpy(buf, p->line, n);
	buf[n] = '\0';
	if (memchr(p->line, '\0', n) != NULL)
		return 0;
	return regexec(re, buf, 0, NULL, 0) == 0;
}

static int
is_prompt(struct prompt *p)
{
	size_t n = line_len(p);

	if (n == 0 || p->longline)
		return 0;
	if (p->learned[0] != '\0')
		return strlen(p->learned) == n &&
		    memcmp(p->learned, p->line, n) == 0;
	if (!line_match(p, p->re))
		return 0;
	memcpy(p->learned, p->line, n);
	p->learned[n] = '\0';
	return 1;
}

enum prompt_ev
prompt_feed(struct prompt *p, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (p->cr) {
			/* "\r\n" is a newline; a lone '\r' goes to column 0. */
			p->cr = 0;
			if (c != '\n' && !p->longline) {
				/*
				 * What counts is what is written after the
				 * last '\r': "\r<spaces>\r!" is "!".
				 */
				p->ovr = 1;
				p->cur = 0;
				p->hw = 0;
			}
		}
		switch (c) {
		case '\r':
			p->cr = 1;
			continue;
		case '\n':
			if (line_end(p) != 0)
				return PROMPT_TOOBIG;
			continue;
		case '\b':
			if (p->ovr) {
				if (p->cur > 0)
					p->cur--;
			} else if (p->linelen > 0 && !p->longline)
				p->linelen--;
			continue;
		default:
			break;
		}
		if (p->ovr) {
			if (p->cur < p->linelen)
				p->line[p->cur] = c;
			else if (p->linelen < PROMPT_LINE_MAX)
				p->line[p->linelen++] = c;
			if (p->cur < PROMPT_LINE_MAX)
				p->cur++;
			if (p->cur > p->hw)
				p->hw = p->cur;
			continue;
		}
		if (p->linelen == PROMPT_LINE_MAX) {
			/* Too long to be a prompt: stream it out. */
			if (out_append(p, p->line, p->linelen) != 0)
				return PROMPT_TOOBIG;
			p->linelen = 0;
			p->longline = 1;
			p->first_line = 0;
		}
		p->line[p->linelen++] = c;
	}
	if (line_len(p) == 0 || p->longline)
		return PROMPT_NONE;
	if (p->more_re != NULL && line_match(p, p->more_re)) {
		/* The marker is the device's, not output. */
		line_reset(p);
		p->pages++;
		return PROMPT_MORE;
	}
	if (is_prompt(p)) {
		line_reset(p);
		return PROMPT_DONE;
	}
	return PROMPT_NONE;
}

const char *
prompt_output(const struct prompt *p, size_t *len)
{
	*len = p->len;
	return p->out != NULL ? p->out : "";
}

void
prompt_free(struct prompt *p)
{
	free(p->out);
	p->out = NULL;
	p->cap = p->len = 0;
}

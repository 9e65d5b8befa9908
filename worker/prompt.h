/*
 * prompt: turn the byte stream of an interactive CLI session into clean
 * command output.  It drops carriage returns before newlines, treats a lone
 * one as the terminal does (back to column 0, overwrite: devices erase their
 * pager prompt with "\r<spaces>\r"), applies backspaces, removes
 * the echoed command line, answers pagers (--More--) and recognises the
 * prompt that ends a command.  Only the current last line is ever matched,
 * so a 20 MB running-config costs O(bytes), never a rescan.  Pure: no I/O.
 */
#ifndef NAUT_PROMPT_H
#define NAUT_PROMPT_H

#include <regex.h>
#include <stddef.h>

#define PROMPT_LINE_MAX	512	/* longer lines are never prompts */

enum prompt_ev {
	PROMPT_NONE = 0,	/* need more bytes */
	PROMPT_MORE,		/* a pager waits: send the platform's reply */
	PROMPT_DONE,		/* the prompt came back: output is complete */
	PROMPT_TOOBIG		/* output passed the limit */
};

struct prompt {
	const regex_t	*re;		/* platform prompt, POSIX ERE */
	const regex_t	*more_re;	/* pager marker or NULL */
	char		*out;		/* collected output */
	size_t		 len, cap, limit;
	char		 line[PROMPT_LINE_MAX];
	size_t		 linelen;
	int		 longline;	/* current line passed PROMPT_LINE_MAX */
	int		 cr;		/* a '\r' waits: newline or overwrite? */
	int		 ovr;		/* overwriting the line after a '\r' */
	size_t		 cur, hw;	/* cursor and high water in ovr mode */
	char		 learned[PROMPT_LINE_MAX];	/* first prompt seen */
	const char	*echo;		/* command whose echo to drop */
	int		 first_line;
	size_t		 pages;		/* pagers answered */
};

void	prompt_init(struct prompt *, const regex_t *re, const regex_t *more,
	    size_t limit);
/* Start collecting the output of cmd (NULL: the login banner). */
void	prompt_begin(struct prompt *, const char *cmd);
enum prompt_ev prompt_feed(struct prompt *, const char *, size_t);
/* The output so far; valid until the next prompt_begin or prompt_free. */
const char *prompt_output(const struct prompt *, size_t *len);
void	prompt_free(struct prompt *);

#endif

/*
 * The command line of each platform: the command table (with the unique
 * abbreviations network CLIs accept), the platform's wording of errors,
 * "| include"-style output filters, configuration mode, and running one
 * line.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

#define PB(p)	(1u << (p))
#define CIS	(PB(P_IOS) | PB(P_NXOS) | PB(P_EOS))
#define NET	(CIS | PB(P_JUNOS))
#define ALL	(NET | PB(P_LINUX))

struct cmddef {
	unsigned	 c_plats;
	const char	*c_words;
	int		 c_nargs;	/* -1: any number */
	enum cmd	 c_cmd;
};

static const struct cmddef cmds[] = {
	{ ALL, "show version", 0, C_VERSION },
	{ ALL, "show running-config", 0, C_CONFIG },
	{ PB(P_IOS) | PB(P_EOS), "show startup-config", 0, C_CONFIG },
	{ PB(P_JUNOS), "show configuration", 0, C_CONFIG },
	{ ALL, "show processes cpu", 0, C_CPU },
	{ ALL, "show interfaces counters", 0, C_COUNTERS },
	{ CIS, "terminal length", 1, C_TERMLEN },
	{ CIS, "terminal width", 1, C_TERMWIDTH },
	{ PB(P_JUNOS), "set cli screen-length", 1, C_TERMLEN },
	{ PB(P_JUNOS), "set cli screen-width", 1, C_TERMWIDTH },
	{ CIS, "configure terminal", 0, C_CONFIGURE },
	{ PB(P_JUNOS), "configure", 0, C_CONFIGURE },
	{ CIS, "enable", 0, C_NOP },
	{ ALL, "exit", 0, C_EXIT },
	{ NET, "quit", 0, C_EXIT },
	{ PB(P_IOS) | PB(P_LINUX), "logout", 0, C_EXIT },
	{ PB(P_LINUX), "uname -a", 0, C_UNAME },
	{ PB(P_LINUX), "hostname", 0, C_HOSTNAME },
	{ PB(P_LINUX), "cat /etc/os-release", 0, C_OSREL },
	{ PB(P_LINUX), "uptime", 0, C_UPTIME },
	{ PB(P_LINUX), "echo", -1, C_ECHO },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* Split line in place at blanks; a line with too many words is cut. */
static void
tokenize(char *line, struct toks *t)
{
	char *p = line;

	t->t_n = 0;
	while (*p != '\0' && t->t_n < MAX_TOKENS) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		t->t_off[t->t_n] = (size_t)(p - line);
		t->t_s[t->t_n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
}

static int
word_ok(const struct dev *d, const char *tok, const char *word, size_t wlen)
{
	size_t n = strlen(tok);

	/* Network CLIs take unique abbreviations ("sh run"); shells do not. */
	if (d->d_plat == P_LINUX)
		return n == wlen && strncmp(tok, word, wlen) == 0;
	return n <= wlen && strncmp(tok, word, n) == 0;
}

/*
 * The table row that tokens t name, or NULL with *why = 0 (unknown),
 * 1 (incomplete) or 2 (ambiguous) and *bad = the token at fault.
 */
static const struct cmddef *
cmd_find(const struct dev *d, const struct toks *t, int *why, size_t *bad)
{
	const struct cmddef *hit = NULL;
	size_t i, best = 0, nhit = 0;

	*why = 0;
	for (i = 0; i < NCMDS; i++) {
		const char *w = cmds[i].c_words, *e;
		size_t k = 0, nw = 0;

		if (!(cmds[i].c_plats & PB(d->d_plat)))
			continue;
		for (; *w != '\0'; w = *e ? e + 1 : e, nw++) {
			e = strchr(w, ' ');
			e = e ? e : w + strlen(w);
			if (k == nw && k < t->t_n &&
			    word_ok(d, t->t_s[k], w, (size_t)(e - w)))
				k++;
		}
		if (k > best)
			best = k;
		if (k == nw && (cmds[i].c_nargs < 0 ||
		    t->t_n == nw + (size_t)cmds[i].c_nargs)) {
			hit = &cmds[i];
			nhit++;
		} else if (k == t->t_n &&
		    k < nw + (size_t)(cmds[i].c_nargs > 0))
			*why = 1;
	}
	if (nhit == 1)
		return hit;
	*why = nhit > 1 ? 2 : *why;
	*bad = best < t->t_n ? best : t->t_n ? t->t_n - 1 : 0;
	return NULL;
}

/* The platform's complaint about a line it does not understand. */
static void
cmd_error(struct sess *s, const struct toks *t, const char *line, int why,
    size_t bad, struct buf *b)
{
	const struct dev *d = s->s_dev;
	size_t col = (t->t_n ? t->t_off[bad] : 0) +
	    (s->s_exec ? 0 : s->s_promptlen);

	if (d->d_plat == P_LINUX) {
		buf_printf(b, "%s%s: command not found\n", s->s_exec ?
		    "bash: line 1: " : "-bash: ", t->t_s[0]);
		return;
	}
	if (why == 2) {
		buf_printf(b, "%% Ambiguous command:  \"%s\"\n", line);
		return;
	}
	if (why == 1 && d->d_plat != P_JUNOS) {
		buf_printf(b, "%% Incomplete command%s\n", d->d_plat == P_EOS ?
		    "" : ".");
		return;
	}
	if (d->d_plat == P_EOS) {
		buf_printf(b, "%% Invalid input (at token %zu: '%s')\n", bad,
		    t->t_n ? t->t_s[bad] : "");
		return;
	}
	buf_printf(b, "%*s^\n", (int)(col > 512 ? 512 : col), "");
	if (d->d_plat == P_JUNOS)
		buf_printf(b, "%s\n", bad == 0 ? "unknown command." :
		    "syntax error, expecting <command>.");
	else
		buf_printf(b, "%% Invalid %s at '^' marker.\n",
		    d->d_plat == P_NXOS ? "command" : "input detected");
}

/* "| include RE", "| exclude RE", "| begin RE", "| no-more" and kin. */
static int
pipe_filter(const struct dev *d, char *spec, struct buf *b, int *paged)
{
	static const char *const names[] = { "include", "match", "grep",
	    "exclude", "except", "begin", "no-more" };
	struct buf out = { NULL, 0, 0 };
	size_t i, k = sizeof(names) / sizeof(names[0]), off = 0;
	int which = -1, on = 0, sel;
	char *arg, *word = spec + strspn(spec, " \t");
	regex_t re;

	arg = word + strcspn(word, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	for (i = 0; i < k; i++)
		if (*word != '\0' && word_ok(d, word, names[i],
		    strlen(names[i])))
			which = which == -1 ? (int)i : -2;
	if (which == 6 && *arg == '\0') {
		*paged = 0;
		return 0;
	}
	if (which < 0 || *arg == '\0' || regcomp(&re, arg, REG_EXTENDED |
	    REG_NOSUB) != 0)
		return -1;
	while (off < b->b_len) {
		char *nl = memchr(b->b_p + off, '\n', b->b_len - off);
		size_t n = nl ? (size_t)(nl - b->b_p) - off : b->b_len - off;
		char save = b->b_p[off + n];

		b->b_p[off + n] = '\0';
		sel = regexec(&re, b->b_p + off, 0, NULL, 0) == 0;
		b->b_p[off + n] = save;
		on |= which == 5 && sel;
		if (which == 5 ? on : which < 3 ? sel : !sel)
			buf_put(&out, b->b_p + off, n + 1);
		off += n + 1;
	}
	regfree(&re);
	free(b->b_p);
	*b = out;
	return 0;
}

/*
 * Run one command line.  Returns 1 when the session is to end, else 0;
 * *rc is the exit status an exec session reports.
 */
int
cli_run(struct sess *s, char *line, int *rc)
{
	struct dev *d = s->s_dev;
	struct buf b = { NULL, 0, 0 };
	const struct cmddef *c;
	struct toks t;
	char copy[LINE_MAX_LEN], *bar;
	int why, paged = !s->s_exec, end = 0;
	size_t bad = 0;
	unsigned long v;

	snprintf(copy, sizeof(copy), "%s", line);
	bar = d->d_plat == P_LINUX && strchr(line, '|') == NULL ? NULL :
	    strchr(line, '|');
	if (bar != NULL)
		*bar++ = '\0';
	tokenize(line, &t);
	if (t.t_n == 0 && bar == NULL)
		return 0;
	if (s->s_conf) {
		/* Configuration mode takes any line; these leave it. */
		if (t.t_n == 1 && (strcmp(t.t_s[0], "end") == 0 ||
		    strcmp(t.t_s[0], "exit") == 0 ||
		    strcmp(t.t_s[0], "quit") == 0)) {
			s->s_conf = 0;
			if (d->d_plat == P_JUNOS)
				buf_printf(&b, "Exiting configuration mode\n");
		} else if (d->d_plat == P_JUNOS && t.t_n == 1 &&
		    strcmp(t.t_s[0], "commit") == 0)
			buf_printf(&b, "commit complete\n");
		term_emit(s, &b, 0);
		free(b.b_p);
		return 0;
	}
	if ((c = cmd_find(d, &t, &why, &bad)) == NULL) {
		cmd_error(s, &t, copy, why, bad, &b);
		*rc = d->d_plat == P_LINUX ? 127 : 0;
		if (d->d_plat == P_LINUX && s->s_exec) {
			out_err(b.b_p, b.b_len);
			b.b_len = 0;
		}
		term_emit(s, &b, 0);
		free(b.b_p);
		return 0;
	}
	switch (c->c_cmd) {
	case C_VERSION:
		text_version(d, &b);
		break;
	case C_CONFIG:
		config_running(d, &b);
		break;
	case C_CPU:
		text_cpu(d, &b);
		break;
	case C_COUNTERS:
		text_counters(d, &b);
		break;
	case C_TERMLEN:
	case C_TERMWIDTH:
		v = strtoul(t.t_s[t.t_n - 1], &bar, 10);
		if (*bar != '\0' || t.t_s[t.t_n - 1][0] == '-' || v > 32767) {
			cmd_error(s, &t, copy, 0, t.t_n - 1, &b);
			break;
		}
		if (c->c_cmd == C_TERMLEN && !s->s_exec)
			s->s_pagelen = (unsigned)v;
		if (d->d_plat == P_JUNOS)
			buf_printf(&b, "Screen %s set to %lu\n",
			    c->c_cmd == C_TERMLEN ? "length" : "width", v);
		else if (d->d_plat == P_EOS && c->c_cmd == C_TERMLEN && v == 0)
			buf_printf(&b, "Pagination disabled.\n");
		bar = NULL;
		break;
	case C_CONFIGURE:
		s->s_conf = !s->s_exec;
		buf_printf(&b, "%s\n", d->d_plat == P_JUNOS ? "Entering "
		    "configuration mode" : "Enter configuration commands, one "
		    "per line.  End with CNTL/Z.");
		break;
	case C_NOP:
		break;
	case C_EXIT:
		end = 1;
		if (d->d_plat == P_LINUX && !s->s_exec)
			buf_printf(&b, "logout\n");
		break;
	default:
		text_linux(d, c->c_cmd, &t, &b);
		break;
	}
	if (bar != NULL && pipe_filter(d, bar, &b, &paged) != 0) {
		b.b_len = 0;
		buf_printf(&b, "%% Invalid input detected at '|' marker.\n");
	}
	term_emit(s, &b, paged);
	free(b.b_p);
	return end;
}

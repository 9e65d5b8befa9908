/*
 * tfsm internals, shared by the files of tfsm/ only (nothing outside this
 * directory includes it).
 */
#ifndef NAUT_TFSM_INT_H
#define NAUT_TFSM_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tfsm.h"

#define TFSM_NAME_MAX	48	/* textfsm's MAX_NAME_LEN */

/* A growable byte buffer. */
struct tfsm_buf {
	char	*b;
	size_t	 len, cap;
};
void	tfsm_buf_add(struct tfsm_buf *, const void *, size_t);
void	tfsm_buf_addc(struct tfsm_buf *, char);
void	tfsm_buf_adds(struct tfsm_buf *, const char *);
void	tfsm_buf_printf(struct tfsm_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Compile a translation anchored at the start (re.match) with UTF+UCP and
 * JIT.  NULL with a message on error. */
pcre2_code	*tfsm_rx_compile(const struct tfsm_rx *, char *err,
		    size_t errlen);

/* The next line of sanitised text from *pos, as Python's str.splitlines()
 * ends lines: 1 with its start and length, 0 at the end. */
int	tfsm_line_next(const char *, size_t, size_t *pos, size_t *start,
	    size_t *len);
/* Replace invalid UTF-8 with U+FFFD (maximal subparts, like Python). */
void	tfsm_utf8_sanitise(const char *, size_t, struct tfsm_buf *);
/* 1 if s[0..len) is valid UTF-8. */
int	tfsm_utf8_valid(const char *, size_t);
/* Length of the longest valid UTF-8 prefix. */
size_t	tfsm_utf8_prefix(const char *, size_t);

enum tfsm_lineop { LOP_NEXT, LOP_CONTINUE, LOP_ERROR };
enum tfsm_recop { ROP_NONE, ROP_RECORD, ROP_CLEAR, ROP_CLEARALL };
#define TFSM_ST_SAME	(-1)
#define TFSM_ST_END	(-2)
#define TFSM_ST_EOF	(-3)

struct tfsm_value {
	char		*v_name;
	char		*v_regex;	/* as written */
	char		*v_tmpl;	/* (?P<name>... */
	unsigned	 v_opts;	/* TFSM_* bits */
	unsigned char	 v_order[5];	/* options in declaration order */
	int		 v_nopts;
	pcre2_code	*v_list_re;	/* List with nested groups, or NULL */
	uint32_t	 v_list_groups;
	size_t		 v_nkeys;	/* named nested groups */
	char		**v_keys;
	uint32_t	*v_keygrp;	/* their group numbers */
};

/* A named group of a rule that assigns a Value. */
struct tfsm_assign {
	uint32_t	a_group;
	size_t		a_value;
};

struct tfsm_rule {
	int			 r_line;
	pcre2_code		*r_re;
	int			 r_first;	/* a line must start so, or -1 */
	int			 r_fold;	/* ... in either ASCII case */
	uint32_t		 r_minlen;	/* characters, so <= bytes */
	struct tfsm_assign	*r_assign;	/* in group order */
	size_t			 r_nassign;
	enum tfsm_lineop	 r_lineop;
	enum tfsm_recop		 r_recop;
	int			 r_next;	/* state index or TFSM_ST_* */
	char			*r_next_name;	/* as written (Error message) */
};

struct tfsm_state {
	char			*s_name;
	int			 s_line;
	struct tfsm_rule	*s_rules;
	size_t			 s_nrules;
};

struct tfsm_tpl {
	char			*t_file;
	struct tfsm_value	*t_values;
	size_t			 t_nvalues;
	struct tfsm_state	*t_states;
	size_t			 t_nstates;
	int			 t_start;
	int			 t_has_eof;	/* an EOF state was declared */
	uint32_t		 t_maxgroups;	/* for the match data */
};

#endif

/*
 * tfsm: a TextFSM engine (the template language of Google's textfsm, as
 * the ntc-templates library uses it) on PCRE2.
 *
 * It lives in a module of its own below worker/ and supervisor/ because
 * both use it: the supervisor compiles templates when it loads the fleet
 * (so a broken template is a load error, and --parse debugs one), the
 * worker runs them over device output.  It is pure logic: libc, PCRE2 and
 * common/xmem only, no libevent or libssh2, so the cmocka suite and the
 * fuzzer link it alone.
 *
 * A compiled template is read-only after tfsm_compile() and may be shared
 * (it survives fork); everything a parse changes lives in its result.
 */
#ifndef NAUT_TFSM_H
#define NAUT_TFSM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Value options, as bits of tfsm_value_opts(). */
#define TFSM_FILLDOWN	0x01
#define TFSM_KEY	0x02
#define TFSM_REQUIRED	0x04
#define TFSM_LIST	0x08
#define TFSM_FILLUP	0x10

/* Bounds on one parse: a hostile device output must not hang a worker on
 * backtracking.  Zero fields take the defaults below. */
struct tfsm_limits {
	uint32_t	tl_match;	/* PCRE2 match limit per match call */
	uint32_t	tl_depth;	/* backtracking depth (interpreter) */
	uint32_t	tl_heap_kib;	/* interpreter heap per match */
	size_t		tl_jit_stack;	/* JIT stack, bytes */
	size_t		tl_max_rows;	/* rows before the parse fails */
};
#define TFSM_MATCH_LIMIT	1000000
#define TFSM_DEPTH_LIMIT	10000
#define TFSM_HEAP_KIB		(64 * 1024)
#define TFSM_JIT_STACK		(8 * 1024 * 1024)
#define TFSM_MAX_ROWS		1000000

/* Why a parse failed. */
enum tfsm_fail {
	TFSM_OK = 0,
	TFSM_ERROR_ACTION,	/* the template's Error action fired */
	TFSM_LIMIT,		/* a match hit a PCRE2 limit */
	TFSM_TOO_MANY_ROWS,
};

struct tfsm_tpl;
struct tfsm_res;

/* Compile a template.  On error returns NULL and writes "file:line: what"
 * to err. */
struct tfsm_tpl	*tfsm_compile(const char *text, size_t len, const char *file,
		    char *err, size_t errlen);
/* tfsm_compile() on a file's contents. */
struct tfsm_tpl	*tfsm_load(const char *path, char *err, size_t errlen);
void		 tfsm_free(struct tfsm_tpl *);
const char	*tfsm_file(const struct tfsm_tpl *);
size_t		 tfsm_nvalues(const struct tfsm_tpl *);
const char	*tfsm_value_name(const struct tfsm_tpl *, size_t);
unsigned	 tfsm_value_opts(const struct tfsm_tpl *, size_t);
/* Whether any Value is Required (an empty parse is then worth a report). */
int		 tfsm_has_required(const struct tfsm_tpl *);

/* Run a template over text (any bytes; invalid UTF-8 becomes U+FFFD as
 * Python's errors="replace" does).  Returns the rows, or NULL with
 * "file:line: what" in err and the reason in *why.  lim may be NULL. */
struct tfsm_res	*tfsm_parse(const struct tfsm_tpl *, const char *text,
		    size_t len, const struct tfsm_limits *lim,
		    enum tfsm_fail *why, char *err, size_t errlen);
void		 tfsm_res_free(struct tfsm_res *);
size_t		 tfsm_nrows(const struct tfsm_res *);

/* One cell of a row: a string, or for a List Value its items. */
enum tfsm_kind { TFSM_NONE, TFSM_STR, TFSM_LISTV, TFSM_DICT };
struct tfsm_item;
struct tfsm_cell {
	enum tfsm_kind		 c_kind;	/* TFSM_STR or TFSM_LISTV */
	const char		*c_str;		/* TFSM_STR: UTF-8, c_len */
	size_t			 c_len;
	const struct tfsm_item	*c_items;	/* TFSM_LISTV */
	size_t			 c_nitems;
};
const struct tfsm_cell	*tfsm_cell(const struct tfsm_res *, size_t row,
			    size_t col);
/* A List item: TFSM_NONE (null), TFSM_STR, or TFSM_DICT (the nested named
 * groups of the List's regex, in group order; a NULL value is null). */
struct tfsm_item {
	enum tfsm_kind		 i_kind;
	const char		*i_str;
	size_t			 i_len;
	size_t			 i_nkeys;
	const char *const	*i_keys;
	const char *const	*i_vals;
	const size_t		*i_lens;
};

/* The rows as a JSON array of objects keyed by Value name, List values as
 * arrays.  Returns 0, or -1 if writing failed. */
int		 tfsm_json(const struct tfsm_tpl *, const struct tfsm_res *,
		    FILE *);
/* A JSON string (quotes included) of s[0..len). */
void		 tfsm_json_str(const char *s, size_t len, FILE *);

/* An ntc-templates style index (tfsm_index.c): a directory holding an
 * "index" file and the templates it names. */
struct tfsm_index;
struct tfsm_index *tfsm_index_load(const char *dir, char *err, size_t);
void		 tfsm_index_free(struct tfsm_index *);
/* The template for a platform (index name) and command: 0 with its path,
 * -1 if no row matches.  hostname may be NULL. */
int		 tfsm_index_lookup(const struct tfsm_index *,
		    const char *platform, const char *command,
		    const char *hostname, char *path, size_t pathlen);
/* naut's platform name as the index writes it. */
const char	*tfsm_index_platform(const char *);

/* A Python re pattern translated for PCRE2 (the engine's own step, public
 * so its cmocka suite and any other PCRE2 user in naut can call it). */
struct tfsm_rx {
	char		 *rx_pat;	/* PCRE2 pattern, NUL-terminated */
	size_t		  rx_len;
	uint32_t	  rx_ngroups;
	char		**rx_names;	/* [1..ngroups]: name or NULL */
	int		  rx_ascii;	/* (?a): no UCP */
};
/* Translate Python re syntax (3.11, as textfsm's re.match sees it) into a
 * PCRE2 pattern with the same meaning, or fail with a message (no "file:"
 * prefix) in err.  Named groups become numbered ones; rx_names keeps the
 * names.  Returns 0 or -1. */
int		 tfsm_rx_translate(const char *py, size_t len, struct tfsm_rx *,
		    char *err, size_t errlen);
void		 tfsm_rx_clear(struct tfsm_rx *);
#endif

/*
 * Name tables for the vocabularies of naut_enums.h.  The tables are built
 * from the same X-macros as the enums, so they cannot fall out of step.
 */
#include <errno.h>
#include <string.h>

#include "naut_enums.h"

static const char *const err_names[] = {
#define X(e, s, h) s,
	NAUT_ERRS(X)
#undef X
};
static const char *const err_helps[] = {
#define X(e, s, h) h,
	NAUT_ERRS(X)
#undef X
};
static const char *const run_names[] = {
#define X(e, s, h) s,
	NAUT_RUNS(X)
#undef X
};
static const char *const run_helps[] = {
#define X(e, s, h) h,
	NAUT_RUNS(X)
#undef X
};
static const char *const result_names[] = {
#define X(e, s, h) s,
	NAUT_RESULTS(X)
#undef X
};
static const char *const brk_names[] = {
#define X(e, s, h) s,
	NAUT_BRKS(X)
#undef X
};
static const char *const brk_helps[] = {
#define X(e, s, h) h,
	NAUT_BRKS(X)
#undef X
};
static const char *const wstate_names[] = {
#define X(e, s, h) s,
	NAUT_WSTATES(X)
#undef X
};

static const char *
lookup(const char *const *tab, unsigned n, unsigned v)
{
	return v < n ? tab[v] : "?";
}

static int
parse(const char *const *tab, unsigned n, const char *s)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
naut_err_name(unsigned v)
{
	return lookup(err_names, NAUT_ERR_COUNT, v);
}

const char *
naut_err_help(unsigned v)
{
	return lookup(err_helps, NAUT_ERR_COUNT, v);
}

int
naut_err_parse(const char *s)
{
	return parse(err_names, NAUT_ERR_COUNT, s);
}

const char *
naut_run_name(unsigned v)
{
	return lookup(run_names, NAUT_RUN_COUNT, v);
}

const char *
naut_run_help(unsigned v)
{
	return lookup(run_helps, NAUT_RUN_COUNT, v);
}

int
naut_run_parse(const char *s)
{
	return parse(run_names, NAUT_RUN_COUNT, s);
}

const char *
naut_result_name(unsigned v)
{
	return lookup(result_names, NAUT_RESULT_COUNT, v);
}

const char *
naut_brk_name(unsigned v)
{
	return lookup(brk_names, NAUT_BRK_COUNT, v);
}

const char *
naut_brk_help(unsigned v)
{
	return lookup(brk_helps, NAUT_BRK_COUNT, v);
}

int
naut_brk_parse(const char *s)
{
	return parse(brk_names, NAUT_BRK_COUNT, s);
}

const char *
naut_wstate_name(unsigned v)
{
	return lookup(wstate_names, NAUT_WSTATE_COUNT, v);
}

enum naut_err
naut_err_errno(long e, enum naut_err dflt)
{
	switch (e) {
	case ECONNREFUSED:
		return NAUT_ERR_REFUSED;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
		return NAUT_ERR_RESET;
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return NAUT_ERR_TIMEOUT;
	default:
		return dflt;
	}
}

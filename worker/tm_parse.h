/*
 * tm_parse: numbers out of a command's output for telemetry.  The REST
 * form is a list of JSON pointers (tm_json.h).  The SSH form is a POSIX ERE matched repeatedly over the whole output: each match
 * gives one value (group value_group) and, optionally, labels from other
 * groups (one match per interface gives one point per interface).
 */
#ifndef NAUT_TM_PARSE_H
#define NAUT_TM_PARSE_H

#include <stddef.h>

#include "conf.h"

#define TM_MAX_LABELS	8
#define TM_LABEL_MAX	64	/* a label value is cut to this */

struct tm_label {
	const char	*tl_name;
	char		 tl_value[TM_LABEL_MAX];
};

struct tm_value {
	double		 tv_value;
	size_t		 tv_nlabels;
	struct tm_label	 tv_labels[TM_MAX_LABELS];
};

typedef void	tm_emit_fn(void *, const struct tm_value *);

/* A number as devices print it: [+-]digits[.digits][e..]; 0 if it is one. */
int	tm_parse_number(const char *, size_t, double *);

/*
 * Match t's regex over out; call emit once per match.  Returns the number
 * of values, or -1 (err filled) when nothing matched or a captured value
 * is not a number: a parse error.
 */
int	tm_parse_ssh(const struct conf_tm_ssh *t, const char *out, size_t len,
	    tm_emit_fn *emit, void *arg, char *err, size_t errlen);

/* tm_tfsm.c: the same from a TextFSM template (t->tpl), one value per
 * numeric field of each row, labelled by the Key fields and "field". */
int	tm_parse_template(const struct conf_tm_ssh *t, const char *out,
	    size_t len, tm_emit_fn *emit, void *arg, char *err, size_t errlen);

/*
 * The label that names each value of a rest: entry's pointers: mapping
 * (its key); a single pointer: gives a value without it.
 */
#define TM_REST_LABEL	"field"

/*
 * The numbers at r's JSON pointers in a REST answer (tm_json.c): one
 * value per pointer.  The document must be well-formed JSON.  Returns the
 * number of values, or -1 (err: the first failure) when the document is
 * not JSON or some pointer gives no number; the other pointers' values
 * are still emitted.
 */
int	tm_parse_rest(const struct conf_tm_rest *r, const char *out,
	    size_t len, tm_emit_fn *emit, void *arg, char *err, size_t errlen);

/*
 * The answer to one poll of entry t over a device's transport (enum
 * conf_transport), whatever the transport: the one entry point wrk_tm.c
 * uses.  SSH and REST are parsed; a NETCONF parser (element paths) plugs
 * in here; until it does, its answers are parse errors.
 */
int	tm_parse_output(const struct conf_telemetry *t, unsigned transport,
	    const char *out, size_t len, tm_emit_fn *emit, void *arg,
	    char *err, size_t errlen);

#endif

/*
 * tm_json: numbers out of a JSON document by JSON pointer (RFC 6901), for
 * telemetry over REST.  A strict scanner over the bytes as they came
 * (RFC 8259 grammar, UTF-8 checked, nesting bounded): no tree, no
 * allocation, never a read past len.  Pure, so a unit test and a fuzzer
 * link this file alone.
 */
#ifndef NAUT_TM_JSON_H
#define NAUT_TM_JSON_H

#include <stddef.h>

/* Deeper documents are refused: the scanner recurses once per level. */
#define TM_JSON_MAX_DEPTH	64
/* A pointer's reference tokens longer than this are refused. */
#define TM_JSON_TOKEN_MAX	256

/*
 * 0 if doc[0..len) is one well-formed JSON text (whitespace around it
 * allowed), else -1 with err filled.
 */
int	tm_json_check(const char *doc, size_t len, char *err, size_t errlen);

/*
 * The number at pointer ptr ("" for the whole document) in doc.  A JSON
 * number, or a string that holds exactly a JSON number ("42", as RFC 7951
 * encodes 64-bit counters); any other value, a pointer that leads nowhere
 * or a number out of double's range is -1 with err filled.  Only the part
 * of doc that the walk passes over is checked: call tm_json_check first.
 */
int	tm_json_number(const char *doc, size_t len, const char *ptr,
	    double *v, char *err, size_t errlen);

#endif

/*
 * scrub: remove secrets (enable secrets, type-7 passwords, SNMP communities,
 * Junos $9$ strings) from saved device output.  Each pattern is applied to
 * every line; its last matching parenthesised group (or the whole match if
 * it has none) is replaced by "<removed>".  Pure: no I/O.
 */
#ifndef NAUT_SCRUB_H
#define NAUT_SCRUB_H

#include <regex.h>
#include <stddef.h>

#define SCRUB_MARK	"<removed>"

/*
 * Scrub len bytes of in; returns a malloc'd copy in *out (NUL-terminated)
 * and its length.  Returns the number of replacements made.
 */
size_t	scrub_text(const regex_t *res, size_t nres, const char *in,
	    size_t len, char **out, size_t *outlen);

#endif

/*
 * tm_nc: telemetry values out of a NETCONF <get> reply's data, chosen by
 * the entry's element path (fleet.yaml telemetry netconf.path):
 *
 *	interfaces-state/interface[name]/statistics/in-octets
 *
 * Each step names a child element by its local name (a prefix such as
 * "if:" is ignored: namespaces are not resolved), starting from the
 * top-level elements of <data>.  Every element the whole path reaches is
 * one value; its text must be a number.  A step "list[key]" makes each
 * match carry a label named after the list element ("-" and "." become
 * "_": interface="eth0") whose value is the text of the entry's key
 * child, which must come before the value (RFC 7950 puts keys first).
 * A path that matches nothing, a value that is no number or has child
 * elements, a missing key, or several matches with no key to tell them
 * apart is a parse error: never a silent zero, never duplicate series.
 * Pure: no I/O; tests and the fuzzer link just this and ncxml.c.
 */
#ifndef NAUT_TM_NC_H
#define NAUT_TM_NC_H

#include <stddef.h>

#include "tm_parse.h"

#define TM_NC_MAX_STEPS	16

/* Whether path is well-formed (the loader's check); err says why not. */
int	tm_nc_path_ok(const char *path, char *err, size_t errlen);

/*
 * Evaluate path over data (the inside of a reply's <data>); call emit
 * once per value.  Returns the number of values, or -1 (err filled): a
 * parse error.
 */
int	tm_parse_netconf(const struct conf_tm_netconf *t, const char *data,
	    size_t len, tm_emit_fn *emit, void *arg, char *err,
	    size_t errlen);

#endif

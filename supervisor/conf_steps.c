/*
 * A job's steps as one device sees them: SSH devices run the commands,
 * REST devices the requests, NETCONF devices the RPCs.  Results, output
 * files and progress count steps, so every transport is handled alike.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"

size_t
conf_job_nsteps(const struct conf_job *j, unsigned transport)
{
	switch (transport) {
	case CONF_TRANSPORT_SSH:
		return j->ncommands;
	case CONF_TRANSPORT_REST:
		return j->nrequests;
	case CONF_TRANSPORT_NETCONF:
		return j->nrpcs;
	default:
		return 0;
	}
}

size_t
conf_job_maxsteps(const struct conf_job *j)
{
	size_t n = j->ncommands;

	if (j->nrequests > n)
		n = j->nrequests;
	if (j->nrpcs > n)
		n = j->nrpcs;
	return n;
}

/* "show version", "GET /restconf/data", "get-config running". */
const char *
conf_job_step(const struct conf_job *j, unsigned transport, size_t i,
    char *buf, size_t len)
{
	const struct conf_rest_req *rq;
	const struct conf_nc_rpc *rpc;

	if (i >= conf_job_nsteps(j, transport)) {
		snprintf(buf, len, "?");
		return buf;
	}
	switch (transport) {
	case CONF_TRANSPORT_SSH:
		return j->commands[i];
	case CONF_TRANSPORT_REST:
		rq = &j->requests[i];
		snprintf(buf, len, "%s %s", rq->method, rq->path);
		return buf;
	default:
		rpc = &j->rpcs[i];
		if (rpc->op == CONF_NC_GET_CONFIG)
			snprintf(buf, len, "get-config %s", rpc->source);
		else
			snprintf(buf, len, "%s", conf_nc_op_names[rpc->op]);
		return buf;
	}
}

/*
 * The transports this build has, by fleet.yaml's transport: value.
 */
#include "wrk_int.h"

static const struct wrk_transport *const transports[CONF_TRANSPORT_COUNT] = {
	[CONF_TRANSPORT_SSH] = &wrk_tp_ssh,
	[CONF_TRANSPORT_REST] = &wrk_tp_rest,
	[CONF_TRANSPORT_NETCONF] = &wrk_tp_netconf,
};

const struct wrk_transport *
wrk_transport(unsigned t)
{
	return t < CONF_TRANSPORT_COUNT ? transports[t] : NULL;
}

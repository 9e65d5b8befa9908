/*
 * fuzz_tmnc: telemetry values out of NETCONF data by element path, over
 * arbitrary bytes.  The input is a path, a newline, then the data; the
 * data is held in an exactly sized buffer so that any read past it is
 * caught.  Every value emitted must carry in-bounds, terminated labels.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tm_nc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(void *arg, const struct tm_value *v)
{
	size_t i;

	(void)arg;
	if (v->tv_nlabels > TM_MAX_LABELS)
		abort();
	for (i = 0; i < v->tv_nlabels; i++)
		if (strlen(v->tv_labels[i].tl_name) >= TM_LABEL_MAX ||
		    memchr(v->tv_labels[i].tl_value, '\0', TM_LABEL_MAX) ==
		    NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
	struct conf_tm_netconf t;
	char err[200], *path, *d;
	size_t plen, dlen;

	if (nl == NULL)
		return 0;
	plen = (size_t)(nl - data);
	dlen = size - plen - 1;
	if ((path = malloc(plen + 1)) == NULL)
		return 0;
	memcpy(path, data, plen);
	path[plen] = '\0';
	if ((d = malloc(dlen ? dlen : 1)) == NULL) {
		free(path);
		return 0;
	}
	memcpy(d, nl + 1, dlen);
	memset(&t, 0, sizeof(t));
	t.path = path;
	(void)tm_nc_path_ok(path, err, sizeof(err));
	(void)tm_parse_netconf(&t, d, dlen, check, NULL, err, sizeof(err));
	free(d);
	free(path);
	return 0;
}

/*
 * naut-supervisor --parse TEMPLATE FILE: run one TextFSM template over a
 * saved output and print the rows as JSON, the tool a user debugs a
 * template with.  A template error or a failed parse is printed as
 * "file:line: what" and exits non-zero (78 for the template, 1 for the
 * parse), so a script can tell them apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sup.h"
#include "tfsm.h"

#define PARSE_MAX_INPUT	(256u << 20)

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL, *nb;
	size_t cap = 0, n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	for (;;) {
		if (*len + 65536 > cap) {
			cap = cap * 2 + 65536;
			if (cap > PARSE_MAX_INPUT + 65536 ||
			    (nb = realloc(buf, cap)) == NULL) {
				errno = EFBIG;
				break;
			}
			buf = nb;
		}
		if ((n = fread(buf + *len, 1, cap - *len, fp)) == 0)
			break;
		*len += n;
	}
	if (ferror(fp) || errno == EFBIG) {
		if (fp != stdin)
			fclose(fp);
		free(buf);
		return NULL;
	}
	if (fp != stdin)
		fclose(fp);
	return buf != NULL ? buf : calloc(1, 1);
}

int
sup_parse_cmd(const char *tpl_path, const char *input)
{
	struct tfsm_tpl *t;
	struct tfsm_res *res;
	enum tfsm_fail why;
	char err[512], *text;
	size_t len;
	int rc;

	if ((t = tfsm_load(tpl_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "naut-supervisor: %s\n", err);
		return NAUT_EX_CONFIG;
	}
	if ((text = slurp(input, &len)) == NULL) {
		fprintf(stderr, "naut-supervisor: %s: %s\n", input,
		    strerror(errno));
		tfsm_free(t);
		return NAUT_EX_FAILED;
	}
	res = tfsm_parse(t, text, len, NULL, &why, err, sizeof(err));
	free(text);
	if (res == NULL) {
		fprintf(stderr, "naut-supervisor: %s\n", err);
		tfsm_free(t);
		return NAUT_EX_FAILED;
	}
	rc = tfsm_json(t, res, stdout) == 0 && fflush(stdout) == 0 ?
	    NAUT_EX_OK : NAUT_EX_OSERR;
	tfsm_res_free(res);
	tfsm_free(t);
	return rc;
}

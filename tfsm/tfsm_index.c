/*
 * Template selection by an ntc-templates "index" file (textfsm's
 * clitable.py): comment lines (#) and blank lines, a header naming the
 * columns (Template, Hostname, Platform, Command, in any order), then one
 * row per template.  Every column but Template is a Python regex matched
 * at the start of the attribute (re.match), an empty cell matches all,
 * and in Command "[[xyz]]" is the completion "(x(y(z)?)?)?", so
 * "sh[[ow]] ver[[sion]]" takes "sh ver".  The first matching row wins.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_int.h"
#include "xmem.h"

enum { IX_TEMPLATE, IX_HOSTNAME, IX_PLATFORM, IX_COMMAND, IX_NCOLS };
static const char *const ix_cols[IX_NCOLS] = { "Template", "Hostname",
    "Platform", "Command" };

struct ix_row {
	char		*template;	/* a path below the index's directory */
	pcre2_code	*re[IX_NCOLS];	/* NULL: empty cell, matches all */
	int		 line;
};

struct tfsm_index {
	char		*dir;
	struct ix_row	*rows;
	size_t		 nrows;
};

/* "sh[[ow]]" -> "sh(o(w)?)?" */
static void
completion(const char *s, struct tfsm_buf *b)
{
	const char *e;
	size_t k, n;

	while (*s != '\0') {
		if (strncmp(s, "[[", 2) == 0 && (e = strstr(s + 2, "]]")) !=
		    NULL && e > s + 2) {
			n = (size_t)(e - s - 2);
			for (k = 0; k < n; k++) {
				tfsm_buf_addc(b, '(');
				tfsm_buf_addc(b, s[2 + k]);
			}
			for (k = 0; k < n; k++)
				tfsm_buf_adds(b, ")?");
			s = e + 2;
		} else
			tfsm_buf_addc(b, *s++);
	}
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static int
ix_err(const char *path, int line, char *err, size_t errlen, const char *w,
    const char *what)
{
	snprintf(err, errlen, "%s:%d: %s%s", path, line, w, what);
	return -1;
}

static int
ix_cell(struct ix_row *r, int col, const char *cell, const char *path,
    int line, char *err, size_t errlen)
{
	struct tfsm_buf b = { NULL, 0, 0 };
	struct tfsm_rx rx;
	char why[256];

	if (*cell == '\0')
		return 0;
	if (col == IX_COMMAND)
		completion(cell, &b);
	else
		tfsm_buf_adds(&b, cell);
	if (tfsm_rx_translate(b.b, b.len, &rx, why, sizeof(why)) != 0) {
		free(b.b);
		return ix_err(path, line, err, errlen, "bad regex: ", why);
	}
	free(b.b);
	r->re[col] = tfsm_rx_compile(&rx, why, sizeof(why));
	tfsm_rx_clear(&rx);
	if (r->re[col] == NULL)
		return ix_err(path, line, err, errlen, "bad regex: ", why);
	return 0;
}

/* One data row; map[k] is the column of field k (-1: ignored). */
static int
ix_row(struct tfsm_index *ix, char *line, const int *map, int nmap,
    const char *path, int ln, char *err, size_t errlen)
{
	struct ix_row r;
	char *f, *save = NULL;
	int k = 0;

	memset(&r, 0, sizeof(r));
	r.line = ln;
	for (f = strtok_r(line, ",", &save); f != NULL && k < nmap;
	    f = strtok_r(NULL, ",", &save), k++) {
		f = trim(f);
		if (map[k] == IX_TEMPLATE) {
			if (strchr(f, ':') != NULL || strstr(f, "..") != NULL ||
			    *f == '/' || *f == '\0') {
				free(r.template);
				return ix_err(path, ln, err, errlen, "template "
				    "must be one file name below the index's "
				    "directory: ", f);
			}
			r.template = xstrdup(f);
		} else if (map[k] >= 0 && ix_cell(&r, map[k], f, path, ln, err,
		    errlen) != 0) {
			free(r.template);
			for (k = 0; k < IX_NCOLS; k++)
				pcre2_code_free(r.re[k]);
			return -1;
		}
	}
	if (r.template == NULL)
		return ix_err(path, ln, err, errlen, "row has no Template", "");
	ix->rows = xreallocarray(ix->rows, ix->nrows + 1, sizeof(r));
	ix->rows[ix->nrows++] = r;
	return 0;
}

static int
ix_header(char *line, int *map, int *nmap, const char *path, int ln,
    char *err, size_t errlen)
{
	char *f, *save = NULL;
	int k, seen = 0;

	for (*nmap = 0, f = strtok_r(line, ",", &save); f != NULL && *nmap <
	    16; f = strtok_r(NULL, ",", &save)) {
		f = trim(f);
		map[*nmap] = -1;
		for (k = 0; k < IX_NCOLS; k++)
			if (strcmp(f, ix_cols[k]) == 0) {
				map[*nmap] = k;
				seen |= 1 << k;
			}
		(*nmap)++;
	}
	if (!(seen & (1 << IX_TEMPLATE)))
		return ix_err(path, ln, err, errlen, "the header names no "
		    "Template column", "");
	return 0;
}

void
tfsm_index_free(struct tfsm_index *ix)
{
	size_t i;
	int k;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->nrows; i++) {
		free(ix->rows[i].template);
		for (k = 0; k < IX_NCOLS; k++)
			pcre2_code_free(ix->rows[i].re[k]);
	}
	free(ix->rows);
	free(ix->dir);
	free(ix);
}

struct tfsm_index *
tfsm_index_load(const char *dir, char *err, size_t errlen)
{
	struct tfsm_index *ix = xcalloc(1, sizeof(*ix));
	char path[4096], *line = NULL, *l;
	size_t cap = 0;
	int map[16], nmap = -1, ln = 0, rc = 0;
	FILE *fp;

	ix->dir = xstrdup(dir);
	snprintf(path, sizeof(path), "%s/index", dir);
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		tfsm_index_free(ix);
		return NULL;
	}
	while (rc == 0 && getline(&line, &cap, fp) != -1) {
		ln++;
		l = trim(line);
		if (*l == '\0' || *l == '#')
			continue;
		if (nmap < 0)
			rc = ix_header(l, map, &nmap, path, ln, err, errlen);
		else
			rc = ix_row(ix, l, map, nmap, path, ln, err, errlen);
	}
	free(line);
	fclose(fp);
	if (rc == 0 && nmap < 0)
		rc = ix_err(path, ln, err, errlen, "no header line", "");
	if (rc != 0) {
		tfsm_index_free(ix);
		return NULL;
	}
	return ix;
}

static int
cell_match(const pcre2_code *re, const char *s, pcre2_match_data *md)
{
	if (re == NULL || s == NULL)
		return 1;	/* clitable skips absent attributes */
	return pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) > 0;
}

int
tfsm_index_lookup(const struct tfsm_index *ix, const char *platform,
    const char *command, const char *hostname, char *path, size_t pathlen)
{
	pcre2_match_data *md = pcre2_match_data_create(32, NULL);
	const struct ix_row *r;
	size_t i;
	int found = -1;

	if (md == NULL)
		abort();
	for (i = 0; i < ix->nrows && found < 0; i++) {
		r = &ix->rows[i];
		if (cell_match(r->re[IX_PLATFORM], platform, md) &&
		    cell_match(r->re[IX_COMMAND], command, md) &&
		    cell_match(r->re[IX_HOSTNAME], hostname, md))
			found = (int)i;
	}
	pcre2_match_data_free(md);
	if (found < 0)
		return -1;
	snprintf(path, pathlen, "%s/%s", ix->dir, ix->rows[found].template);
	return 0;
}

/* naut's platform names are ntc-templates' already; these are the short
 * names people also write. */
const char *
tfsm_index_platform(const char *naut)
{
	static const char *const map[][2] = {
		{ "ios", "cisco_ios" }, { "iosxe", "cisco_xe" },
		{ "nxos", "cisco_nxos" }, { "junos", "juniper_junos" },
		{ "eos", "arista_eos" },
	};
	size_t k;

	for (k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (strcmp(naut, map[k][0]) == 0)
			return map[k][1];
	return naut;
}

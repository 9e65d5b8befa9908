/*
 * Rows as JSON: what `naut-supervisor --parse` prints and a job saves as
 * <command>.json.  The strings are valid UTF-8 already (the input was
 * sanitised), so only quotes, backslashes and control bytes (a NUL from a
 * device included) need escaping.
 */
#include <stdio.h>
#include <string.h>

#include "tfsm_int.h"

void
tfsm_json_str(const char *s, size_t len, FILE *fp)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	unsigned char c;

	putc('"', fp);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		fwrite(s + i - run, 1, run, fp);
		run = 0;
		if (c == '"' || c == '\\') {
			putc('\\', fp);
			putc(c, fp);
		} else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else
			fprintf(fp, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
	}
	fwrite(s + len - run, 1, run, fp);
	putc('"', fp);
}

static void
json_item(const struct tfsm_item *it, FILE *fp)
{
	size_t k;

	if (it->i_kind == TFSM_NONE) {
		fputs("null", fp);
		return;
	}
	if (it->i_kind == TFSM_STR) {
		tfsm_json_str(it->i_str, it->i_len, fp);
		return;
	}
	putc('{', fp);
	for (k = 0; k < it->i_nkeys; k++) {
		if (k > 0)
			putc(',', fp);
		tfsm_json_str(it->i_keys[k], strlen(it->i_keys[k]), fp);
		putc(':', fp);
		if (it->i_vals[k] == NULL)
			fputs("null", fp);
		else
			tfsm_json_str(it->i_vals[k], it->i_lens[k], fp);
	}
	putc('}', fp);
}

int
tfsm_json(const struct tfsm_tpl *t, const struct tfsm_res *res, FILE *fp)
{
	const struct tfsm_cell *c;
	size_t row, col, k;

	putc('[', fp);
	for (row = 0; row < tfsm_nrows(res); row++) {
		fputs(row > 0 ? ",\n{" : "\n{", fp);
		for (col = 0; col < tfsm_nvalues(t); col++) {
			c = tfsm_cell(res, row, col);
			if (col > 0)
				putc(',', fp);
			tfsm_json_str(tfsm_value_name(t, col),
			    strlen(tfsm_value_name(t, col)), fp);
			putc(':', fp);
			if (c->c_kind == TFSM_STR) {
				tfsm_json_str(c->c_str, c->c_len, fp);
				continue;
			}
			putc('[', fp);
			for (k = 0; k < c->c_nitems; k++) {
				if (k > 0)
					putc(',', fp);
				json_item(&c->c_items[k], fp);
			}
			putc(']', fp);
		}
		putc('}', fp);
	}
	fputs(tfsm_nrows(res) > 0 ? "\n]\n" : "]\n", fp);
	return ferror(fp) ? -1 : 0;
}

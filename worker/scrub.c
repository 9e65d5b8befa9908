/*
 * Secret scrubbing, line by line.  A line with a NUL byte cannot be handed
 * to regexec(3) whole; such lines are kept as they are (device output is
 * data, and a binary line is not a configuration statement).
 */
#include <stdlib.h>
#include <string.h>

#include "scrub.h"
#include "xmem.h"

struct sbuf {
	char	*p;
	size_t	 len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		b->p = xreallocarray(b->p, ncap, 1);
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Scrub one NUL-terminated line in place; returns replacements. */
static size_t
scrub_line(const regex_t *res, size_t nres, struct sbuf *line,
    struct sbuf *tmp)
{
	regmatch_t m[10];
	size_t i, n = 0;

	for (i = 0; i < nres; i++) {
		size_t off = 0;
		int flags = 0;

		while (off <= line->len &&
		    regexec(&res[i], line->p + off, 10, m, flags) == 0) {
			size_t g = 0, so, eo, k;

			for (k = 1; k < 10; k++)
				if (m[k].rm_so != -1)
					g = k;
			so = off + (size_t)m[g].rm_so;
			eo = off + (size_t)m[g].rm_eo;
			if (eo == so) {
				/* Empty match: step on to avoid a loop. */
				off = off + (size_t)m[0].rm_eo + 1;
				flags = REG_NOTBOL;
				continue;
			}
			tmp->len = 0;
			sb_add(tmp, line->p, so);
			sb_add(tmp, SCRUB_MARK, sizeof(SCRUB_MARK) - 1);
			sb_add(tmp, line->p + eo, line->len - eo);
			line->len = 0;
			sb_add(line, tmp->p, tmp->len);
			n++;
			/* Search on after the marker, never inside it. */
			off = so + sizeof(SCRUB_MARK) - 1;
			flags = REG_NOTBOL;
		}
	}
	return n;
}

size_t
scrub_text(const regex_t *res, size_t nres, const char *in, size_t len,
    char **out, size_t *outlen)
{
	struct sbuf o = { 0 }, line = { 0 }, tmp = { 0 };
	size_t pos = 0, n = 0;

	sb_add(&o, "", 0);
	while (pos < len) {
		const char *nl = memchr(in + pos, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - (in + pos)) : len - pos;

		line.len = 0;
		sb_add(&line, in + pos, ll);
		if (nres > 0 && memchr(in + pos, '\0', ll) == NULL)
			n += scrub_line(res, nres, &line, &tmp);
		sb_add(&o, line.p, line.len);
		if (nl != NULL)
			sb_add(&o, "\n", 1);
		pos += ll + (nl != NULL);
	}
	free(line.p);
	free(tmp.p);
	*out = o.p;
	*outlen = o.len;
	return n;
}

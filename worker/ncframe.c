/*
 * NETCONF framing, both versions, as byte-at-a-time state machines so
 * that a message split anywhere (a read can end inside "]]>]]>" or inside
 * a chunk header) parses the same as one read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncframe.h"
#include "xmem.h"

static const char eom_mark[] = "]]>]]>";
#define EOM_LEN	6

/* KMP fallback for "]]>]]>": after matching k bytes and failing. */
static const unsigned eom_fail[EOM_LEN + 1] = { 0, 0, 1, 0, 1, 2, 3 };

enum {
	CH_LF = 0,	/* expect '\n' before '#' */
	CH_HASH,	/* expect '#' */
	CH_SIZE1,	/* first size digit (1-9) or '#' (end of chunks) */
	CH_SIZE,	/* more digits or '\n' */
	CH_DATA,
	CH_END		/* after "##": expect '\n' */
};

void
ncf_init(struct ncf *f, enum ncf_mode mode, size_t limit)
{
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->limit = limit;
}

void
ncf_set_mode(struct ncf *f, enum ncf_mode mode)
{
	f->mode = mode;
	f->eom = 0;
	f->st = CH_LF;
}

void
ncf_free(struct ncf *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

static int
put(struct ncf *f, const char *p, size_t n)
{
	if (f->len + n > f->limit)
		return -1;
	if (f->len + n + 1 > f->cap) {
		size_t c = f->cap ? f->cap : 4096;

		while (c < f->len + n + 1)
			c *= 2;
		f->buf = xreallocarray(f->buf, c, 1);
		f->cap = c;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	f->buf[f->len] = '\0';
	return 0;
}

static enum ncf_ev
fail(struct ncf *f, const char *why, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(f->err, sizeof(f->err), "%s (got '%c')", why, c);
	else
		snprintf(f->err, sizeof(f->err), "%s (got byte 0x%02x)", why, c);
	return NCF_ERR;
}

static enum ncf_ev
feed_eom(struct ncf *f, const char *p, size_t n, size_t *used)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = p[i];

		while (f->eom > 0 && c != eom_mark[f->eom]) {
			/* The partly matched bytes were message after all. */
			unsigned back = eom_fail[f->eom];

			if (put(f, eom_mark, f->eom - back) != 0)
				return NCF_TOOBIG;
			f->eom = back;
		}
		if (c == eom_mark[f->eom]) {
			if (++f->eom == EOM_LEN) {
				f->eom = 0;
				f->done = 1;
				*used = i + 1;
				return NCF_MSG;
			}
			continue;
		}
		if (put(f, &c, 1) != 0)
			return NCF_TOOBIG;
	}
	*used = n;
	return NCF_NEED;
}

static enum ncf_ev
feed_chunked(struct ncf *f, const char *p, size_t n, size_t *used)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		switch (f->st) {
		case CH_LF:
			if (c != '\n')
				return fail(f, "chunk header must start with "
				    "a newline", c);
			f->st = CH_HASH;
			break;
		case CH_HASH:
			if (c != '#')
				return fail(f, "chunk header must start with "
				    "\"\\n#\"", c);
			f->st = CH_SIZE1;
			break;
		case CH_SIZE1:
			if (c == '#') {
				/* Chunks are 1 byte or more: none means none. */
				if (f->len == 0)
					return fail(f, "end of chunks before any "
					    "chunk", c);
				f->st = CH_END;
				break;
			}
			if (c < '1' || c > '9')
				return fail(f, "chunk size must start with a "
				    "digit 1-9", c);
			f->left = (uint64_t)(c - '0');
			f->digits = 1;
			f->st = CH_SIZE;
			break;
		case CH_SIZE:
			if (c == '\n') {
				if (f->len + f->left > f->limit)
					return NCF_TOOBIG;
				f->st = CH_DATA;
				break;
			}
			if (c < '0' || c > '9')
				return fail(f, "chunk size must be decimal "
				    "digits ended by a newline", c);
			if (++f->digits > 10 ||
			    f->left * 10 + (uint64_t)(c - '0') > NCF_CHUNK_MAX)
				return fail(f, "chunk size over 4294967295", c);
			f->left = f->left * 10 + (uint64_t)(c - '0');
			break;
		case CH_DATA: {
			size_t take = n - i;

			if (take > f->left)
				take = (size_t)f->left;
			if (put(f, p + i, take) != 0)
				return NCF_TOOBIG;
			f->left -= take;
			i += take;
			if (f->left == 0)
				f->st = CH_LF;
			continue;
		}
		case CH_END:
			if (c != '\n')
				return fail(f, "end of chunks must be "
				    "\"\\n##\\n\"", c);
			f->st = CH_LF;
			f->done = 1;
			*used = i + 1;
			return NCF_MSG;
		}
		i++;
	}
	*used = n;
	return NCF_NEED;
}

enum ncf_ev
ncf_feed(struct ncf *f, const char *p, size_t n, size_t *used)
{
	if (f->done) {
		f->done = 0;
		f->len = 0;
		if (f->buf != NULL)
			f->buf[0] = '\0';
	}
	*used = 0;
	return f->mode == NCF_EOM ? feed_eom(f, p, n, used) :
	    feed_chunked(f, p, n, used);
}

const char *
ncf_msg(const struct ncf *f, size_t *len)
{
	*len = f->len;
	return f->buf != NULL ? f->buf : "";
}

const char *
ncf_error(const struct ncf *f)
{
	return f->err;
}

char *
ncf_frame(enum ncf_mode mode, const char *msg, size_t len, size_t *outlen)
{
	char *out;
	int h;

	if (mode == NCF_EOM) {
		out = xmalloc(len + EOM_LEN + 1);
		memcpy(out, msg, len);
		memcpy(out + len, eom_mark, EOM_LEN + 1);
		*outlen = len + EOM_LEN;
		return out;
	}
	/* One chunk holds the whole message (len <= NCF_CHUNK_MAX). */
	out = xmalloc(len + 32);
	h = snprintf(out, 32, "\n#%zu\n", len);
	memcpy(out + h, msg, len);
	memcpy(out + h + len, "\n##\n", 5);
	*outlen = (size_t)h + len + 4;
	return out;
}

/*
 * The server's messages as a client reads them: <hello> for the base
 * capabilities (which framing the rest of the session uses) and
 * <rpc-reply> for the message-id, the first <rpc-error> and where <data>
 * lies in the message (the saved output is its inside, byte for byte).
 */
#include <stdio.h>
#include <string.h>

#include "ncxml.h"

/* Leading and trailing blanks off a NUL-terminated field, in place. */
static void
trim(char *s, size_t *len)
{
	size_t a = 0, n = *len;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	while (a < n && s[a] == ' ')
		a++;
	memmove(s, s + a, n - a);
	*len = n - a;
	s[*len] = '\0';
}

static enum ncx_kind
bad(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return NCX_MSG_BAD;
}

static enum ncx_kind
other(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return NCX_MSG_OTHER;
}

/* The root element's token, or NCX_ERR/NCX_EOF. */
static enum ncx_type
root(struct ncx *x, struct ncx_tok *t)
{
	enum ncx_type ty;

	do
		ty = ncx_next(x, t);
	while (ty == NCX_TEXT || ty == NCX_CDATA);
	return ty;
}

static void
name_of(const struct ncx_tok *t, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)(t->namelen > 40 ? 40 : t->namelen),
	    t->name);
}

enum ncx_kind
ncx_hello(const char *msg, size_t len, struct ncx_hello *h, char *err,
    size_t errlen)
{
	struct ncx x;
	struct ncx_tok t;
	enum ncx_type ty;
	char cap[128], nm[48];
	size_t clen = 0, slen = 0;
	int in_caps = 0, in_cap = 0, in_sid = 0, trunc = 0;

	memset(h, 0, sizeof(*h));
	ncx_init(&x, msg, len);
	ty = root(&x, &t);
	if (ty == NCX_ERR)
		return bad(err, errlen, "%s", ncx_error(&x));
	if (!ncx_is(&t, "hello")) {
		name_of(&t, nm, sizeof(nm));
		return other(err, errlen, "expected <hello>, got <%s>", nm);
	}
	if (ty == NCX_EMPTY)
		return other(err, errlen, "%s", "<hello> without "
		    "capabilities");
	while ((ty = ncx_next(&x, &t)) != NCX_EOF) {
		switch (ty) {
		case NCX_ERR:
			return bad(err, errlen, "%s", ncx_error(&x));
		case NCX_START:
			if (t.depth == 1 && ncx_is(&t, "capabilities"))
				in_caps = 1;
			else if (t.depth == 1 && ncx_is(&t, "session-id"))
				in_sid = 1;
			else if (t.depth == 2 && in_caps &&
			    ncx_is(&t, "capability")) {
				in_cap = 1;
				clen = 0;
				cap[0] = '\0';
				trunc = 0;
			}
			break;
		case NCX_TEXT:
		case NCX_CDATA:
			if (in_cap && t.depth == 3) {
				if (clen + t.textlen >= sizeof(cap))
					trunc = 1;
				ncx_text_append(t.text, t.textlen,
				    ty == NCX_TEXT, cap, sizeof(cap), &clen);
			} else if (in_sid && t.depth == 2)
				ncx_text_append(t.text, t.textlen,
				    ty == NCX_TEXT, h->session_id,
				    sizeof(h->session_id), &slen);
			break;
		case NCX_END:
			if (t.depth == 1)
				in_caps = in_sid = 0;
			else if (t.depth == 2 && in_cap) {
				in_cap = 0;
				h->ncaps++;
				trim(cap, &clen);
				if (trunc)
					break;
				if (strcmp(cap, NCX_BASE10) == 0)
					h->base10 = 1;
				else if (strcmp(cap, NCX_BASE11) == 0)
					h->base11 = 1;
			}
			break;
		default:
			break;
		}
	}
	trim(h->session_id, &slen);
	if (!h->base10 && !h->base11)
		return other(err, errlen, "%s", "the server's <hello> offers "
		    "neither base:1.0 nor base:1.1");
	return NCX_MSG_HELLO;
}

/* Which rpc-error field an element at depth 2 fills, if any. */
static char *
err_field(struct ncx_reply *cur, const struct ncx_tok *t, size_t *cap)
{
	static const struct {
		const char	*name;
		size_t		 off, cap;
	} f[] = {
#define F(n, m) { n, offsetof(struct ncx_reply, m), \
	sizeof(((struct ncx_reply *)0)->m) }
		F("error-type", etype),
		F("error-tag", etag),
		F("error-severity", esev),
		F("error-app-tag", eapptag),
		F("error-path", epath),
		F("error-message", emsg),
#undef F
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (ncx_is(t, f[i].name)) {
			*cap = f[i].cap;
			return (char *)cur + f[i].off;
		}
	return NULL;
}

/* An rpc-error ended: keep the first error (or, failing one, warning). */
static void
err_done(struct ncx_reply *r, const struct ncx_reply *cur)
{
	int warning = strcmp(cur->esev, "warning") == 0;

	if (warning)
		r->nwarnings++;
	else
		r->nerrors++;
	if ((!warning && r->nerrors == 1) ||
	    (warning && r->nerrors == 0 && r->nwarnings == 1)) {
		memcpy(r->etype, cur->etype, sizeof(r->etype));
		memcpy(r->etag, cur->etag, sizeof(r->etag));
		memcpy(r->esev, cur->esev, sizeof(r->esev));
		memcpy(r->eapptag, cur->eapptag, sizeof(r->eapptag));
		memcpy(r->epath, cur->epath, sizeof(r->epath));
		memcpy(r->emsg, cur->emsg, sizeof(r->emsg));
	}
}

enum ncx_kind
ncx_reply(const char *msg, size_t len, struct ncx_reply *r, char *err,
    size_t errlen)
{
	struct ncx x;
	struct ncx_tok t;
	struct ncx_reply cur;
	enum ncx_type ty;
	char *field = NULL, nm[48];
	size_t fcap = 0, flen = 0;
	int in_err = 0, in_data = 0;

	memset(r, 0, sizeof(*r));
	ncx_init(&x, msg, len);
	ty = root(&x, &t);
	if (ty == NCX_ERR)
		return bad(err, errlen, "%s", ncx_error(&x));
	if (ncx_is(&t, "notification"))
		return NCX_MSG_NOTIFICATION;
	if (!ncx_is(&t, "rpc-reply")) {
		name_of(&t, nm, sizeof(nm));
		return other(err, errlen, "expected <rpc-reply>, got <%s>",
		    nm);
	}
	if (ncx_attr(&t, "message-id", r->message_id,
	    sizeof(r->message_id)) == 0)
		r->has_mid = 1;
	if (ty == NCX_EMPTY)
		return NCX_MSG_REPLY;
	while ((ty = ncx_next(&x, &t)) != NCX_EOF) {
		switch (ty) {
		case NCX_ERR:
			return bad(err, errlen, "%s", ncx_error(&x));
		case NCX_START:
		case NCX_EMPTY:
			if (t.depth == 1 && ncx_is(&t, "ok"))
				r->ok = 1;
			else if (t.depth == 1 && ncx_is(&t, "data")) {
				if (r->has_data)
					return other(err, errlen, "%s", "two "
					    "<data> elements in one reply");
				r->has_data = 1;
				r->data_off = t.end;
				r->data_len = 0;
				in_data = ty == NCX_START;
			} else if (t.depth == 1 && ncx_is(&t, "rpc-error")) {
				memset(&cur, 0, sizeof(cur));
				in_err = ty == NCX_START;
				if (!in_err)
					err_done(r, &cur);
			} else if (t.depth == 2 && in_err && ty == NCX_START &&
			    (field = err_field(&cur, &t, &fcap)) != NULL)
				flen = 0;
			break;
		case NCX_TEXT:
		case NCX_CDATA:
			if (field != NULL && t.depth == 3)
				ncx_text_append(t.text, t.textlen,
				    ty == NCX_TEXT, field, fcap, &flen);
			break;
		case NCX_END:
			if (t.depth == 2 && field != NULL) {
				trim(field, &flen);
				field = NULL;
			} else if (t.depth == 1 && in_data) {
				r->data_len = t.off - r->data_off;
				in_data = 0;
			} else if (t.depth == 1 && in_err) {
				err_done(r, &cur);
				in_err = 0;
			}
			break;
		default:
			break;
		}
	}
	return NCX_MSG_REPLY;
}

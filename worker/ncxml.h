/*
 * ncxml: the little XML a NETCONF client needs to read (RFC 6241).
 *
 * ncxml.c is a strict, non-validating scanner over one message held in
 * memory: start and end tags (names matched, nesting bounded), attributes,
 * text with its references checked, comments, processing instructions and
 * CDATA.  A DOCTYPE is refused (RFC 6241 has none, and entity expansion
 * is how XML parsers get bombed).  It never allocates and never recurses.
 *
 * ncmsg.c reads the two messages a client receives on top of it: the
 * server's <hello> (base capabilities, session-id) and an <rpc-reply>
 * (message-id, <rpc-error> fields, the span of <data>, <ok/>).
 * Namespaces are not resolved: elements are known by their local names.
 * Pure: no I/O, so tests and the fuzzer link just these files.
 */
#ifndef NAUT_NCXML_H
#define NAUT_NCXML_H

#include <stddef.h>

#define NCX_MAX_DEPTH	256

enum ncx_type {
	NCX_EOF = 0,		/* the root element closed; nothing but misc after */
	NCX_START,		/* <name ...> */
	NCX_EMPTY,		/* <name .../> (no NCX_END follows) */
	NCX_END,		/* </name> */
	NCX_TEXT,		/* character data, raw (references not decoded) */
	NCX_CDATA,		/* the inside of <![CDATA[ ... ]]> */
	NCX_ERR			/* malformed: ncx_error() says why */
};

struct ncx_tok {
	enum ncx_type	 type;
	const char	*name;		/* local name: the prefix is dropped */
	size_t		 namelen;
	const char	*attrs;		/* raw attribute text of a start tag */
	size_t		 attrslen;
	const char	*text;		/* NCX_TEXT, NCX_CDATA */
	size_t		 textlen;
	size_t		 off, end;	/* the token's bytes in the message */
	int		 depth;		/* of the element (root 0) or text */
};

struct ncx {
	const char	*buf;
	size_t		 len, pos;
	int		 depth;
	int		 seen_root;
	struct {
		const char	*name;	/* qualified name, for the end tag */
		size_t		 len;
	}		 stack[NCX_MAX_DEPTH];
	char		 err[128];
};

void		 ncx_init(struct ncx *, const char *, size_t);
/* The next token; NCX_ERR and NCX_EOF repeat once reached. */
enum ncx_type	 ncx_next(struct ncx *, struct ncx_tok *);
const char	*ncx_error(const struct ncx *);
/* Whether tok's local name is name. */
int		 ncx_is(const struct ncx_tok *, const char *name);
/*
 * The value of attribute name (local name; "xmlns" itself never matches
 * a prefixed attribute) with references decoded into out, NUL-terminated
 * and truncated to outlen - 1.  Returns 0, or -1 when it is absent.
 */
int		 ncx_attr(const struct ncx_tok *, const char *name, char *out,
		    size_t outlen);
/*
 * Append raw text (references not yet decoded) to out, decoding the five
 * predefined entities and character references; control characters
 * become spaces.  *olen is updated; the result is truncated to outlen - 1
 * and NUL-terminated.
 */
void		 ncx_text_append(const char *raw, size_t len, int decode,
		    char *out, size_t outlen, size_t *olen);

/* ncmsg.c */
#define NCX_BASE10	"urn:ietf:params:netconf:base:1.0"
#define NCX_BASE11	"urn:ietf:params:netconf:base:1.1"

struct ncx_hello {
	int		 base10, base11;	/* the server offers them */
	unsigned	 ncaps;
	char		 session_id[24];
};

struct ncx_reply {
	int		 has_mid;
	char		 message_id[64];
	int		 ok;			/* <ok/> */
	int		 has_data;
	size_t		 data_off, data_len;	/* inside of <data> */
	unsigned	 nerrors;		/* severity error (or none given) */
	unsigned	 nwarnings;
	/* The first rpc-error of severity error (else the first warning). */
	char		 etype[32];
	char		 etag[48];
	char		 esev[16];
	char		 eapptag[48];
	char		 epath[96];
	char		 emsg[200];
};

enum ncx_kind {
	NCX_MSG_BAD = -1,	/* not well-formed XML */
	NCX_MSG_OTHER,		/* well-formed, but not what a client expects */
	NCX_MSG_HELLO,
	NCX_MSG_REPLY,
	NCX_MSG_NOTIFICATION	/* <notification>: not ours to answer */
};

/* What a message is, by its root element; err says why it is bad. */
enum ncx_kind	 ncx_hello(const char *, size_t, struct ncx_hello *,
		    char *err, size_t errlen);
enum ncx_kind	 ncx_reply(const char *, size_t, struct ncx_reply *,
		    char *err, size_t errlen);

#endif

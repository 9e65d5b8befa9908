/*
 * ncframe: NETCONF message framing over SSH (RFC 6242).  base:1.0 ends
 * each message with "]]>]]>"; base:1.1 sends chunks "\n#<size>\n<data>"
 * ended by "\n##\n".  The parser is streaming: it takes bytes as they
 * arrive, in any chunking, never holds more than one message (capped),
 * and rejects malformed chunk headers with a clear error.  Pure: no I/O.
 */
#ifndef NAUT_NCFRAME_H
#define NAUT_NCFRAME_H

#include <stddef.h>
#include <stdint.h>

enum ncf_mode {
	NCF_EOM = 0,		/* base:1.0, until both sides said 1.1 */
	NCF_CHUNKED		/* base:1.1 */
};

enum ncf_ev {
	NCF_NEED = 0,		/* every byte consumed, no message yet */
	NCF_MSG,		/* a message is complete: ncf_msg() */
	NCF_ERR,		/* malformed framing: ncf_error() says why */
	NCF_TOOBIG		/* the message passed the limit */
};

/* RFC 6242 4.2: chunk-size is 1..4294967295, at most 10 digits. */
#define NCF_CHUNK_MAX	4294967295ULL

struct ncf {
	enum ncf_mode	 mode;
	size_t		 limit;
	char		*buf;
	size_t		 len, cap;
	unsigned	 eom;		/* bytes of "]]>]]>" matched */
	int		 st;		/* chunked parser state */
	uint64_t	 left;		/* bytes left in the current chunk */
	unsigned	 digits;
	int		 done;		/* a message is waiting in buf */
	char		 err[128];
};

void		 ncf_init(struct ncf *, enum ncf_mode, size_t limit);
/* After the hello exchange (RFC 6242 4.1): from the next message on. */
void		 ncf_set_mode(struct ncf *, enum ncf_mode);
/*
 * Feed n bytes; *used says how many were consumed.  After NCF_MSG the rest
 * (n - *used) belongs to the next message: take the message, then feed
 * the rest.  After NCF_ERR or NCF_TOOBIG the stream cannot be trusted.
 */
enum ncf_ev	 ncf_feed(struct ncf *, const char *, size_t n, size_t *used);
/* The complete message (NUL-terminated); the next ncf_feed drops it. */
const char	*ncf_msg(const struct ncf *, size_t *len);
const char	*ncf_error(const struct ncf *);
void		 ncf_free(struct ncf *);
/* The framing to send msg with: a malloc'd buffer and its length. */
char		*ncf_frame(enum ncf_mode, const char *msg, size_t len,
		    size_t *outlen);

#endif

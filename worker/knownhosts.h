/*
 * knownhosts: read an OpenSSH known_hosts file and decide whether the host
 * key a device presents is known, changed, revoked or new.  The format and
 * matching rules are those of sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT".
 *
 * Why not libssh2_knownhost_*: libssh2 1.10 scans a linked list per check,
 * ties the list to one session, ignores @revoked/@cert-authority and cannot
 * say which key types are known for a host.  Here plain host names sit in a
 * hash table (O(1) per lookup); wildcard and hashed lines are scanned per
 * lookup (one pattern match or one HMAC-SHA1 each).  The parser is pure (no
 * libssh2, no I/O but kh_load/kh_append) and takes hostile input.
 */
#ifndef NAUT_KNOWNHOSTS_H
#define NAUT_KNOWNHOSTS_H

#include <stddef.h>
#include <stdint.h>

#define KH_LINE_MAX	16384	/* longer lines are skipped */
#define KH_HOST_MAX	1000	/* longer host names are never known */
#define KH_TYPES_MAX	8	/* key types kh_known_types can return */

struct kh;

enum kh_result {
	KH_MATCH,	/* a line for this host has exactly this key */
	KH_MISMATCH,	/* lines for this host have this key type, other keys */
	KH_UNKNOWN,	/* no line for this host has this key type */
	KH_REVOKED	/* the key is on an @revoked line for this host */
};

/* Missing file: an empty set.  Unreadable: NULL and a message in err. */
struct kh	*kh_load(const char *path, char *err, size_t errlen);
/* Never fails: malformed lines are skipped and counted. */
struct kh	*kh_parse(const char *buf, size_t len);
void		 kh_free(struct kh *);
size_t		 kh_count(const struct kh *);	/* usable lines, @revoked too */
size_t		 kh_skipped(const struct kh *);	/* malformed lines */
size_t		 kh_ca_ignored(const struct kh *); /* @cert-authority lines */

/*
 * keyblob is the SSH wire-format public key (what libssh2_session_hostkey()
 * returns).  Port 0 means 22; port 22 matches lines for "host" and for
 * "[host]:22".  Fails closed: a malformed blob, or an OpenSSL failure while
 * hashed lines are checked, is KH_MISMATCH, never KH_UNKNOWN, so no caller
 * can accept-new it.
 */
enum kh_result	 kh_check(const struct kh *, const char *host, uint16_t port,
		    const unsigned char *keyblob, size_t bloblen);
/*
 * Key type names known for host:port (revoked keys excluded), in the order
 * of their first line, without duplicates.  Stores up to max static strings
 * in types and returns how many it stored.
 */
size_t		 kh_known_types(const struct kh *, const char *host,
		    uint16_t port, const char **types, size_t max);
/*
 * accept-new: append "host type base64" to path (created 0600) and to the
 * set.  Safe against concurrent appenders: O_APPEND, flock(LOCK_EX), one
 * write(2) per line, fsync.  Returns 0, or -1 with errno (EINVAL: a host
 * name that cannot be written as a plain pattern, or a malformed blob).
 */
int		 kh_append(struct kh *, const char *path, const char *host,
		    uint16_t port, const unsigned char *keyblob,
		    size_t bloblen);
/* The key type inside a blob (not NUL-terminated), or NULL if malformed. */
const char	*kh_blob_type(const unsigned char *blob, size_t len,
		    size_t *typelen);

#endif

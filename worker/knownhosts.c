/*
 * The known_hosts reader and matcher.  Each line becomes an entry pointing
 * at an interned key blob.  Where the entry goes depends on its host field:
 *
 *   plain names ("a,b,[c]:2222")  k_names: hash table keyed on the lowercased
 *                                 name, one entry per name, chained.  O(1).
 *   patterns (any of "*?!")       k_pats: matched per lookup, O(lines x
 *                                 pattern length) with a linear-time glob.
 *   hashed ("|1|salt|mac")        k_hashed: one HMAC-SHA1 per line and
 *                                 candidate name per lookup, about 1 us
 *                                 each; OpenSSH pays the same.
 *
 * Blobs are interned, so a key listed for many hosts is stored once and
 * "same key" is a pointer comparison.  Nothing here trusts the input: every
 * length comes from the line, is bounded by KH_LINE_MAX, and is checked
 * before use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "htab.h"
#include "kh_int.h"
#include "xmem.h"

#define KH_SHA1_LEN	20
#define KH_SUB_MAX	1022	/* OpenSSH ignores longer host patterns */
#define KH_POOL		(16 * 1024)	/* blob pool chunk; arena pads to 16 */
#define KH_BLOB_MAX	(KH_LINE_MAX / 4 * 3)

/* Host key types OpenSSH accepts in known_hosts; others are skipped. */
const char *const kh_types[KH_TYPES_MAX] = {
	"ssh-ed25519",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521",
	"ssh-rsa",
	"ssh-dss",
	"sk-ssh-ed25519@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com",
};

enum { KH_MRK_NONE, KH_MRK_REVOKED, KH_MRK_CA };
enum { KH_L_USED, KH_L_EMPTY, KH_L_CA, KH_L_BAD };
enum { KH_H_PLAIN, KH_H_PATTERN, KH_H_HASHED };

struct kh_ent {
	const unsigned char	*e_blob;	/* interned: compare pointers */
	struct kh_ent		*e_next;	/* same name, in k_names */
	uint32_t		 e_seq;		/* line order */
	uint8_t			 e_type;	/* index into kh_types */
	uint8_t			 e_marker;
};

struct kh_pat {
	const char	*p_list;	/* lowercased host field */
	struct kh_ent	 p_ent;
};

struct kh_hashed {
	unsigned char	 h_salt[KH_SHA1_LEN];
	unsigned char	 h_mac[KH_SHA1_LEN];
	struct kh_ent	 h_ent;
};

struct kh {
	struct arena		*k_arena;
	struct htab		*k_names;
	struct htab		*k_blobs;
	struct kh_pat		*k_pats;
	size_t			 k_npats, k_patcap;
	struct kh_hashed	*k_hashed;
	size_t			 k_nhashed, k_hashcap;
	unsigned char		*k_pool;	/* free tail of the blob pool */
	size_t			 k_poolleft;
	uint32_t		 k_seq;
	size_t			 k_count, k_skipped, k_ca;
};

/* The candidate names of one lookup, lowercased as OpenSSH does. */
struct kh_query {
	char	q_n1[KH_HOST_MAX + 16];	/* "host" or "[host]:port" */
	char	q_n2[KH_HOST_MAX + 16];	/* "[host]:22" for port 22 */
	size_t	q_l1, q_l2;
};

typedef void kh_visit_fn(const struct kh_ent *, void *);

char
kh_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static uint32_t
kh_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
kh_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Strict base64, like OpenBSD's b64_pton that OpenSSH uses: padded to a
 * multiple of 4, '=' only at the end, no stray bits past the last byte.
 * out must hold n / 4 * 3 bytes.  Returns the decoded length or -1.
 */
static long
kh_b64_decode(const char *s, size_t n, unsigned char *out)
{
	size_t i, o = 0;

	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		const char *q = s + i;
		int v[4] = { 0, 0, 0, 0 }, pad = 0, j;
		uint32_t w;

		if (i + 4 == n && q[3] == '=')
			pad = q[2] == '=' ? 2 : 1;
		for (j = 0; j < 4 - pad; j++)
			if ((v[j] = kh_b64val((unsigned char)q[j])) < 0)
				return -1;
		if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
			return -1;
		w = (uint32_t)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
		out[o++] = w >> 16;
		if (pad < 2)
			out[o++] = w >> 8;
		if (pad < 1)
			out[o++] = w;
	}
	return (long)o;
}

size_t
kh_b64_encode(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			w |= in[i + 1] << 8;
		if (i + 2 < n)
			w |= in[i + 2];
		out[o++] = tab[w >> 18];
		out[o++] = tab[(w >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(w >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[w & 63] : '=';
	}
	return o;
}

const char *
kh_blob_type(const unsigned char *blob, size_t len, size_t *typelen)
{
	uint32_t n;

	if (blob == NULL || len < 4)
		return NULL;
	n = kh_be32(blob);
	if (n == 0 || n > len - 4)
		return NULL;
	if (typelen != NULL)
		*typelen = n;
	return (const char *)blob + 4;
}

/*
 * The kh_types index of a blob; -1 if malformed, -2 if well-formed but of
 * a type we do not know.  Every known type is its name followed by SSH
 * strings or mpints, so a blob is well-formed when they fill it exactly.
 */
int
kh_blob_kind(const unsigned char *blob, size_t len)
{
	const char *t;
	size_t tl, off;
	uint32_t n;
	int i;

	if ((t = kh_blob_type(blob, len, &tl)) == NULL || 4 + tl == len)
		return -1;
	for (off = 4 + tl; off < len; off += 4 + (size_t)n) {
		if (len - off < 4 || (n = kh_be32(blob + off)) > len - off - 4)
			return -1;
	}
	for (i = 0; i < KH_TYPES_MAX; i++)
		if (strlen(kh_types[i]) == tl &&
		    memcmp(kh_types[i], t, tl) == 0)
			return i;
	return -2;
}

/* Glob with '*' and '?' only (OpenSSH match_pattern), in O(|s| x |p|). */
static int
kh_glob(const char *s, size_t sl, const char *p, size_t pl)
{
	size_t si = 0, pi = 0, star = SIZE_MAX, mark = 0;

	while (si < sl) {
		if (pi < pl && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pl && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++mark;
		} else
			return 0;
	}
	while (pi < pl && p[pi] == '*')
		pi++;
	return pi == pl;
}

/* OpenSSH match_pattern_list: 1 positive, -1 a negated pattern matched. */
static int
kh_list_match(const char *name, size_t nl, const char *list)
{
	const char *p = list, *q;
	int pos = 0, neg;

	while (*p != '\0') {
		if ((neg = *p == '!'))
			p++;
		if ((q = strchr(p, ',')) == NULL)
			q = p + strlen(p);
		if (kh_glob(name, nl, p, q - p)) {
			if (neg)
				return -1;
			pos = 1;
		}
		p = *q == ',' ? q + 1 : q;
	}
	return pos;
}

/* 1 if HMAC-SHA1(salt, name) is the line's mac, 0 if not, -1 on error. */
static int
kh_hmac_eq(EVP_MAC_CTX *ctx, const struct kh_hashed *h, const char *name,
    size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;

	if (!EVP_MAC_init(ctx, h->h_salt, sizeof(h->h_salt), NULL) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)name, len) ||
	    !EVP_MAC_final(ctx, md, &mdlen, sizeof(md)) || mdlen != KH_SHA1_LEN)
		return -1;
	return memcmp(md, h->h_mac, KH_SHA1_LEN) == 0;
}

/*
 * Classify a host field.  Hashed fields are exactly "|1|" salt "|" mac with
 * both decoding to 20 bytes; any other field starting with '|' is invalid,
 * as in OpenSSH.  A subpattern OpenSSH would refuse makes the line dead.
 */
static int
kh_hosts_kind(const char *h, size_t len, struct kh_hashed *out)
{
	unsigned char salt[28 / 4 * 3], mac[28 / 4 * 3];
	size_t i, sub = 0, names = 0;
	int pattern = 0;

	if (h[0] == '|') {
		if (len != 3 + 28 + 1 + 28 || memcmp(h, "|1|", 3) != 0 ||
		    h[31] != '|' ||
		    kh_b64_decode(h + 3, 28, salt) != KH_SHA1_LEN ||
		    kh_b64_decode(h + 32, 28, mac) != KH_SHA1_LEN)
			return -1;
		memcpy(out->h_salt, salt, KH_SHA1_LEN);
		memcpy(out->h_mac, mac, KH_SHA1_LEN);
		return KH_H_HASHED;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || h[i] == ',') {
			names += sub > 0;
			sub = 0;
		} else if (h[i] == '!' && sub == 0 &&
		    (i == 0 || h[i - 1] == ','))
			pattern = 1;
		else {
			if (++sub > KH_SUB_MAX)
				return -1;
			if (h[i] == '*' || h[i] == '?' || h[i] == '!')
				pattern = 1;
		}
	}
	if (names == 0)
		return -1;
	return pattern ? KH_H_PATTERN : KH_H_PLAIN;
}

static const unsigned char *
kh_intern(struct kh *k, const unsigned char *b, size_t len)
{
	unsigned char *p;

	if ((p = htab_get(k->k_blobs, (const char *)b, len)) != NULL)
		return p;
	if (len > KH_POOL / 4)
		p = arena_alloc(k->k_arena, len);
	else {
		if (k->k_poolleft < len) {
			k->k_pool = arena_alloc(k->k_arena, KH_POOL);
			k->k_poolleft = KH_POOL;
		}
		p = k->k_pool;
		k->k_pool += len;
		k->k_poolleft -= len;
	}
	memcpy(p, b, len);
	htab_put(k->k_blobs, (const char *)p, len, p);
	return p;
}

static void
kh_add_name(struct kh *k, const char *name, size_t len,
    const struct kh_ent *proto)
{
	struct kh_ent *e, *head;
	char low[KH_SUB_MAX + 1];
	size_t i;

	for (i = 0; i < len; i++)
		low[i] = kh_lower(name[i]);
	e = arena_alloc(k->k_arena, sizeof(*e));
	*e = *proto;
	if ((head = htab_get(k->k_names, low, len)) != NULL) {
		e->e_next = head->e_next;
		head->e_next = e;
	} else
		htab_put(k->k_names, arena_strndup(k->k_arena, low, len), len,
		    e);
}

static void
kh_add(struct kh *k, int kind, const char *h, size_t len,
    const struct kh_hashed *hashed, const struct kh_ent *proto)
{
	struct kh_pat *p;
	char *low;
	size_t i, s;

	switch (kind) {
	case KH_H_HASHED:
		if (k->k_nhashed == k->k_hashcap) {
			k->k_hashcap = k->k_hashcap ? k->k_hashcap * 2 : 16;
			k->k_hashed = xreallocarray(k->k_hashed, k->k_hashcap,
			    sizeof(*k->k_hashed));
		}
		k->k_hashed[k->k_nhashed] = *hashed;
		k->k_hashed[k->k_nhashed++].h_ent = *proto;
		break;
	case KH_H_PATTERN:
		if (k->k_npats == k->k_patcap) {
			k->k_patcap = k->k_patcap ? k->k_patcap * 2 : 16;
			k->k_pats = xreallocarray(k->k_pats, k->k_patcap,
			    sizeof(*k->k_pats));
		}
		low = arena_strndup(k->k_arena, h, len);
		for (i = 0; i < len; i++)
			low[i] = kh_lower(low[i]);
		p = &k->k_pats[k->k_npats++];
		p->p_list = low;
		p->p_ent = *proto;
		break;
	default:
		for (i = s = 0; i <= len; i++) {
			if (i < len && h[i] != ',')
				continue;
			if (i > s)
				kh_add_name(k, h + s, i - s, proto);
			s = i + 1;
		}
		break;
	}
}

static const char *
kh_skipws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *
kh_token(const char *p, const char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

static int
kh_tokeq(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) == n && memcmp(p, word, n) == 0;
}

/*
 * One line, without its '\n': "[marker] hosts keytype base64 [comment]",
 * fields split by spaces and tabs as in OpenSSH's hostfile.c.
 */
static int
kh_line(struct kh *k, const char *p, size_t len)
{
	unsigned char blob[KH_BLOB_MAX];
	const char *end = p + len, *hosts, *hend, *type, *tend, *key, *kend;
	struct kh_hashed hashed;
	struct kh_ent proto;
	int marker = KH_MRK_NONE, kind, t;
	long bl;

	if (len > 0 && end[-1] == '\r')
		end--;
	p = kh_skipws(p, end);
	if (p == end || *p == '#')
		return KH_L_EMPTY;
	if (memchr(p, '\0', end - p) != NULL || (size_t)(end - p) > KH_LINE_MAX)
		return KH_L_BAD;
	if (*p == '@') {
		tend = kh_token(p, end);
		if (kh_tokeq(p, tend, "@cert-authority"))
			marker = KH_MRK_CA;
		else if (kh_tokeq(p, tend, "@revoked"))
			marker = KH_MRK_REVOKED;
		else
			return KH_L_BAD;
		p = kh_skipws(tend, end);
	}
	hosts = p;
	hend = kh_token(p, end);
	type = kh_skipws(hend, end);
	tend = kh_token(type, end);
	key = kh_skipws(tend, end);
	kend = kh_token(key, end);
	if (hosts == hend || type == tend || key == kend)
		return KH_L_BAD;
	if ((kind = kh_hosts_kind(hosts, hend - hosts, &hashed)) < 0 ||
	    (bl = kh_b64_decode(key, kend - key, blob)) < 0 ||
	    (t = kh_blob_kind(blob, bl)) < 0 ||
	    !kh_tokeq(type, tend, kh_types[t]))
		return KH_L_BAD;
	if (marker == KH_MRK_CA)
		return KH_L_CA;
	memset(&proto, 0, sizeof(proto));
	proto.e_blob = kh_intern(k, blob, bl);
	proto.e_seq = k->k_seq++;
	proto.e_type = t;
	proto.e_marker = marker;
	kh_add(k, kind, hosts, hend - hosts, &hashed, &proto);
	return KH_L_USED;
}

void
kh_feed(struct kh *k, const char *p, size_t len)
{
	switch (kh_line(k, p, len)) {
	case KH_L_USED:
		k->k_count++;
		break;
	case KH_L_CA:
		k->k_ca++;
		break;
	case KH_L_BAD:
		k->k_skipped++;
		break;
	default:
		break;
	}
}

struct kh *
kh_parse(const char *buf, size_t len)
{
	struct kh *k = xcalloc(1, sizeof(*k));
	const char *p = buf, *end, *nl;
	size_t hint = len / 128 < (1 << 20) ? len / 128 : (1 << 20);

	k->k_arena = arena_new();
	k->k_names = htab_new(hint);
	k->k_blobs = htab_new(hint / 4);
	if (buf == NULL)
		return k;
	for (end = buf + len; p < end; p = nl == NULL ? end : nl + 1) {
		nl = memchr(p, '\n', end - p);
		if ((size_t)((nl == NULL ? end : nl) - p) > KH_LINE_MAX)
			k->k_skipped++;
		else
			kh_feed(k, p, (nl == NULL ? end : nl) - p);
	}
	return k;
}

void
kh_free(struct kh *k)
{
	if (k == NULL)
		return;
	htab_free(k->k_names);
	htab_free(k->k_blobs);
	free(k->k_pats);
	free(k->k_hashed);
	arena_free(k->k_arena);
	free(k);
}

size_t
kh_count(const struct kh *k)
{
	return k->k_count;
}

size_t
kh_skipped(const struct kh *k)
{
	return k->k_skipped;
}

size_t
kh_ca_ignored(const struct kh *k)
{
	return k->k_ca;
}

/*
 * Port 22 is written as the bare name, but "[host]:22" must find the same
 * lines too, so both are candidates.
 */
static int
kh_query_init(struct kh_query *q, const char *host, uint16_t port)
{
	size_t i, hl;

	if (host == NULL || (hl = strnlen(host, KH_HOST_MAX + 1)) == 0 ||
	    hl > KH_HOST_MAX)
		return -1;
	if (port == 0 || port == 22) {
		for (i = 0; i < hl; i++)
			q->q_n1[i] = kh_lower(host[i]);
		q->q_n1[hl] = '\0';
		q->q_l1 = hl;
		q->q_l2 = snprintf(q->q_n2, sizeof(q->q_n2), "[%s]:22",
		    q->q_n1);
	} else {
		q->q_n1[0] = '[';
		for (i = 0; i < hl; i++)
			q->q_n1[i + 1] = kh_lower(host[i]);
		q->q_l1 = hl + 1 + snprintf(q->q_n1 + hl + 1,
		    sizeof(q->q_n1) - hl - 1, "]:%u", (unsigned)port);
		q->q_l2 = 0;
	}
	return 0;
}

/*
 * Hashed lines: one HMAC per line and name.  One EVP_MAC_CTX re-keyed per
 * line costs a third of what the one-shot HMAC() does (that fetches the
 * algorithm on every call).  -1 if OpenSSL fails: the caller cannot tell a
 * known host from a new one then.
 */
static int
kh_visit_hashed(const struct kh *k, const struct kh_query *q, kh_visit_fn *fn,
    void *arg)
{
	static char sha1[] = "SHA1";
	OSSL_PARAM params[2];
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	size_t i;
	int r, rc = -1;

	if (k->k_nhashed == 0)
		return 0;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    sha1, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_CTX_set_params(ctx, params))
		goto out;
	for (i = 0; i < k->k_nhashed; i++) {
		const struct kh_hashed *h = &k->k_hashed[i];

		if ((r = kh_hmac_eq(ctx, h, q->q_n1, q->q_l1)) == 0 &&
		    q->q_l2 > 0)
			r = kh_hmac_eq(ctx, h, q->q_n2, q->q_l2);
		if (r == -1)
			goto out;
		if (r == 1)
			fn(&h->h_ent, arg);
	}
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* Call fn for every entry whose host field applies to the query. */
static int
kh_visit(const struct kh *k, const struct kh_query *q, kh_visit_fn *fn,
    void *arg)
{
	const struct kh_ent *e;
	size_t i;
	int r1, r2;

	for (e = htab_get(k->k_names, q->q_n1, q->q_l1); e; e = e->e_next)
		fn(e, arg);
	if (q->q_l2 > 0)
		for (e = htab_get(k->k_names, q->q_n2, q->q_l2); e;
		    e = e->e_next)
			fn(e, arg);
	for (i = 0; i < k->k_npats; i++) {
		const struct kh_pat *p = &k->k_pats[i];

		/* A negated pattern matching either name vetoes the line. */
		if ((r1 = kh_list_match(q->q_n1, q->q_l1, p->p_list)) < 0)
			continue;
		r2 = q->q_l2 == 0 ? 0 :
		    kh_list_match(q->q_n2, q->q_l2, p->p_list);
		if (r2 >= 0 && (r1 > 0 || r2 > 0))
			fn(&p->p_ent, arg);
	}
	return kh_visit_hashed(k, q, fn, arg);
}

struct kh_verdict {
	const unsigned char	*v_blob;	/* interned copy or NULL */
	int			 v_type;
	int			 v_match, v_other, v_revoked;
};

static void
kh_check_one(const struct kh_ent *e, void *arg)
{
	struct kh_verdict *v = arg;

	if (e->e_marker == KH_MRK_REVOKED) {
		v->v_revoked |= e->e_blob == v->v_blob;
		return;
	}
	if (e->e_type != v->v_type)
		return;
	if (e->e_blob == v->v_blob)
		v->v_match = 1;
	else
		v->v_other = 1;
}

enum kh_result
kh_check(const struct kh *k, const char *host, uint16_t port,
    const unsigned char *blob, size_t len)
{
	struct kh_verdict v;
	struct kh_query q;
	int rc;

	memset(&v, 0, sizeof(v));
	if ((v.v_type = kh_blob_kind(blob, len)) == -1)
		return KH_MISMATCH;
	if (v.v_type < 0 || kh_query_init(&q, host, port) == -1)
		return KH_UNKNOWN;
	/* Not interned: no line has this key, so it can match none. */
	v.v_blob = htab_get(k->k_blobs, (const char *)blob, len);
	rc = kh_visit(k, &q, kh_check_one, &v);
	if (v.v_revoked)
		return KH_REVOKED;
	if (rc == -1)
		return KH_MISMATCH;	/* a hashed line may know this host */
	if (v.v_match)
		return KH_MATCH;
	return v.v_other ? KH_MISMATCH : KH_UNKNOWN;
}

static void
kh_types_one(const struct kh_ent *e, void *arg)
{
	uint32_t *first = arg;

	if (e->e_marker == KH_MRK_NONE && e->e_seq < first[e->e_type])
		first[e->e_type] = e->e_seq;
}

size_t
kh_known_types(const struct kh *k, const char *host, uint16_t port,
    const char **types, size_t max)
{
	uint32_t first[KH_TYPES_MAX];
	struct kh_query q;
	size_t n = 0;
	int i, best;

	if (kh_query_init(&q, host, port) == -1)
		return 0;
	for (i = 0; i < KH_TYPES_MAX; i++)
		first[i] = UINT32_MAX;
	/* A preference, not a verdict: a partial answer is fine. */
	(void)kh_visit(k, &q, kh_types_one, first);
	while (n < max) {
		for (best = -1, i = 0; i < KH_TYPES_MAX; i++)
			if (first[i] != UINT32_MAX &&
			    (best == -1 || first[i] < first[best]))
				best = i;
		if (best == -1)
			break;
		types[n++] = kh_types[best];
		first[best] = UINT32_MAX;
	}
	return n;
}


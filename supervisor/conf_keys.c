/*
 * The device property table (every key a device, group or defaults may set,
 * as nginx-style rows), its parser and the merge used for inheritance, plus
 * the built-in platform profiles.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "xmem.h"

const char *const conf_transport_names[] = {
#define X(e, s) s,
	CONF_TRANSPORTS(X)
#undef X
};
const char *const conf_httpauth_names[] = {
#define X(e, s) s,
	CONF_HTTPAUTHS(X)
#undef X
};
const char *const conf_hostkey_names[] = {
#define X(e, s) s,
	CONF_HOSTKEYS(X)
#undef X
};
const char *const conf_mode_names[] = {
#define X(e, s) s,
	CONF_MODES(X)
#undef X
};
const char *const conf_nc_op_names[] = {
#define X(e, s) s,
	CONF_NC_OPS(X)
#undef X
};
const char *const conf_logfmt_names[] = {
#define X(e, s) s,
	CONF_LOGFMTS(X)
#undef X
};
const char *const conf_loglvl_names[] = {
#define X(e, s) s,
	CONF_LOGLVLS(X)
#undef X
};

static const char *const conf_prop_names[] = {
#define X(e, s) s,
	CONF_PROPS(X)
#undef X
};

const char *
conf_prop_name(enum conf_prop p)
{
	return conf_prop_names[p];
}

enum pt {
	PT_STR,
	PT_PATH,
	PT_PORT,
	PT_TRANSPORT,
	PT_HOSTKEY,
	PT_HTTPAUTH,
	PT_BOOL,
	PT_U8,
	PT_U32,
	PT_DUR,
	PT_SIZE,
	PT_SECRET_INLINE,
	PT_SECRET_ENV,
	PT_SECRET_FILE
};

struct prop_row {
	enum conf_prop	 id;
	const char	*parent;	/* nested under this key, or NULL */
	const char	*key;
	enum pt		 type;
	size_t		 off;
	uint64_t	 min, max;
};

#define O(f)	offsetof(struct conf_props, f)
#define SEC	1000ULL
static const struct prop_row prop_rows[] = {
	{ CONF_P_HOST, NULL, "host", PT_STR, O(host), 0, 0 },
	{ CONF_P_PORT, NULL, "port", PT_PORT, O(port), 1, 65535 },
	{ CONF_P_TRANSPORT, NULL, "transport", PT_TRANSPORT, O(transport), 0, 0 },
	{ CONF_P_PLATFORM, NULL, "platform", PT_STR, O(platform), 0, 0 },
	{ CONF_P_USERNAME, NULL, "username", PT_STR, O(username), 0, 0 },
	{ CONF_P_PASSWORD, NULL, "password", PT_SECRET_INLINE, O(password), 0, 0 },
	{ CONF_P_PASSWORD_ENV, NULL, "password_env", PT_SECRET_ENV,
	    O(password_env), 0, 0 },
	{ CONF_P_PASSWORD_FILE, NULL, "password_file", PT_SECRET_FILE,
	    O(password_file), 0, 0 },
	{ CONF_P_KEY_FILE, NULL, "key_file", PT_PATH, O(key_file), 0, 0 },
	{ CONF_P_PASSPHRASE_ENV, NULL, "passphrase_env", PT_SECRET_ENV,
	    O(passphrase_env), 0, 0 },
	{ CONF_P_PASSPHRASE_FILE, NULL, "passphrase_file", PT_SECRET_FILE,
	    O(passphrase_file), 0, 0 },
	{ CONF_P_KNOWN_HOSTS, NULL, "known_hosts", PT_STR, O(known_hosts), 0, 0 },
	{ CONF_P_HOST_KEY_CHECKING, NULL, "host_key_checking", PT_HOSTKEY,
	    O(host_key_checking), 0, 0 },
	{ CONF_P_TLS_VERIFY, NULL, "tls_verify", PT_BOOL, O(tls_verify), 0, 0 },
	{ CONF_P_CA_FILE, NULL, "ca_file", PT_PATH, O(ca_file), 0, 0 },
	{ CONF_P_HTTP_AUTH, NULL, "http_auth", PT_HTTPAUTH, O(http_auth), 0, 0 },
	{ CONF_P_T_CONNECT, "timeout", "connect", PT_DUR, O(t_connect_ms),
	    10, 3600 * SEC },
	{ CONF_P_T_AUTH, "timeout", "auth", PT_DUR, O(t_auth_ms), 10, 3600 * SEC },
	{ CONF_P_T_COMMAND, "timeout", "command", PT_DUR, O(t_command_ms),
	    10, 24 * 3600 * SEC },
	{ CONF_P_RETRIES, NULL, "retries", PT_U8, O(retries), 0, 10 },
	{ CONF_P_B_BASE, "backoff", "base", PT_DUR, O(backoff_base_ms),
	    1, 3600 * SEC },
	{ CONF_P_B_MAX, "backoff", "max", PT_DUR, O(backoff_max_ms),
	    1, 3600 * SEC },
	{ CONF_P_BR_FAILS, "breaker", "failure_threshold", PT_U32, O(br_fails),
	    1, 1000 },
	{ CONF_P_BR_SUCCESS, "breaker", "success_threshold", PT_U32,
	    O(br_success), 1, 1000 },
	{ CONF_P_BR_OPEN_FOR, "breaker", "open_for", PT_DUR, O(br_open_for_ms),
	    100, 24 * 3600 * SEC },
	{ CONF_P_BR_KEY, "breaker", "key", PT_STR, O(breaker_key), 0, 0 },
	{ CONF_P_OUTPUT_LIMIT, NULL, "output_limit", PT_SIZE, O(output_limit),
	    1024, 1024ULL * 1024 * 1024 },
};
#undef O
#define NROWS	(sizeof(prop_rows) / sizeof(prop_rows[0]))

_Static_assert(NROWS == CONF_P_COUNT, "one row per property");
_Static_assert(CONF_P_COUNT <= 64, "the set mask is 64 bits");

#define PW_MASK	CONF_PW_MASK
#define PP_MASK	CONF_PP_MASK

void
conf_props_defaults(struct conf_props *p)
{
	memset(p, 0, sizeof(*p));
	p->transport = CONF_TRANSPORT_SSH;
	p->host_key_checking = CONF_HOSTKEY_STRICT;
	p->tls_verify = 1;
	p->t_connect_ms = 10 * SEC;
	p->t_auth_ms = 20 * SEC;
	p->t_command_ms = 60 * SEC;
	p->retries = 2;
	p->backoff_base_ms = 1 * SEC;
	p->backoff_max_ms = 30 * SEC;
	p->br_fails = 5;
	p->br_success = 1;
	p->br_open_for_ms = 60 * SEC;
	p->output_limit = 16ULL * 1024 * 1024;
	p->set = (1ULL << CONF_P_TRANSPORT) | (1ULL << CONF_P_HOST_KEY_CHECKING) |
	    (1ULL << CONF_P_TLS_VERIFY) | (1ULL << CONF_P_T_CONNECT) |
	    (1ULL << CONF_P_T_AUTH) | (1ULL << CONF_P_T_COMMAND) |
	    (1ULL << CONF_P_RETRIES) | (1ULL << CONF_P_B_BASE) |
	    (1ULL << CONF_P_B_MAX) | (1ULL << CONF_P_BR_FAILS) |
	    (1ULL << CONF_P_BR_SUCCESS) | (1ULL << CONF_P_BR_OPEN_FOR) |
	    (1ULL << CONF_P_OUTPUT_LIMIT);
}

static void
prop_copy(struct conf_props *dst, const struct conf_props *src,
    const struct prop_row *r)
{
	size_t sz;

	switch (r->type) {
	case PT_PORT:
		sz = sizeof(uint16_t);
		break;
	case PT_TRANSPORT:
	case PT_HOSTKEY:
	case PT_HTTPAUTH:
	case PT_BOOL:
	case PT_U8:
		sz = sizeof(uint8_t);
		break;
	case PT_U32:
	case PT_DUR:
		sz = sizeof(uint32_t);
		break;
	case PT_SIZE:
		sz = sizeof(uint64_t);
		break;
	default:
		sz = sizeof(const char *);
		break;
	}
	memcpy((char *)dst + r->off, (const char *)src + r->off, sz);
	dst->pos[r->id] = src->pos[r->id];
	dst->set |= 1ULL << r->id;
}

/*
 * Fill what dst does not have from src (dst is the more specific level).
 * Tags merge key by key; src's list is copied, never shared, since dst's
 * list grows at its tail.
 */
void
conf_props_merge(struct arena *a, struct conf_props *dst,
    const struct conf_props *src)
{
	uint64_t take = src->set & ~dst->set;
	struct conf_tag *t, *d, **tail;
	size_t i;

	if (dst->set & PW_MASK)
		take &= ~PW_MASK;
	if (dst->set & PP_MASK)
		take &= ~PP_MASK;
	take &= ~dst->bad;
	dst->bad |= src->bad & ~dst->set;
	for (i = 0; i < NROWS && take != 0; i++)
		if (take & (1ULL << prop_rows[i].id))
			prop_copy(dst, src, &prop_rows[i]);
	for (t = src->tags; t != NULL; t = t->next) {
		tail = &dst->tags;
		for (d = dst->tags; d != NULL; d = d->next) {
			if (strcmp(d->key, t->key) == 0)
				break;
			tail = &d->next;
		}
		if (d == NULL) {
			d = arena_alloc(a, sizeof(*d));
			d->key = t->key;
			d->value = t->value;
			*tail = d;
		}
	}
}

static const struct prop_row *
prop_find(const char *parent, const char *key)
{
	size_t i;

	for (i = 0; i < NROWS; i++) {
		const struct prop_row *r = &prop_rows[i];

		if (strcmp(r->key, key) != 0)
			continue;
		if ((parent == NULL) != (r->parent == NULL))
			continue;
		if (parent == NULL || strcmp(parent, r->parent) == 0)
			return r;
	}
	return NULL;
}

static int
prop_set(struct conf_ctx *ctx, struct conf_props *p, const struct prop_row *r,
    const struct ynode *v)
{
	char what[64];
	uint64_t u;
	int i;
	const char *s;
	char *base = (char *)p;

	if (r->parent != NULL)
		snprintf(what, sizeof(what), "%s.%s", r->parent, r->key);
	else
		snprintf(what, sizeof(what), "%s", r->key);
	/* Cleared below on success; a bad value is not also "missing". */
	p->bad |= 1ULL << r->id;
	switch (r->type) {
	case PT_STR:
	case PT_PATH:
	case PT_SECRET_INLINE:
	case PT_SECRET_ENV:
	case PT_SECRET_FILE:
		if (cv_string(ctx, v, what, &s) != 0)
			return -1;
		if (*s == '\0') {
			conf_err(ctx, v->pos, "%s must not be empty", what);
			return -1;
		}
		*(const char **)(base + r->off) = s;
		break;
	case PT_PORT:
		if (cv_uint(ctx, v, what, r->min, r->max, &u) != 0)
			return -1;
		*(uint16_t *)(base + r->off) = (uint16_t)u;
		break;
	case PT_U8:
		if (cv_uint(ctx, v, what, r->min, r->max, &u) != 0)
			return -1;
		*(uint8_t *)(base + r->off) = (uint8_t)u;
		break;
	case PT_U32:
		if (cv_uint(ctx, v, what, r->min, r->max, &u) != 0)
			return -1;
		*(uint32_t *)(base + r->off) = (uint32_t)u;
		break;
	case PT_DUR:
		if (cv_duration(ctx, v, what, r->min, r->max, &u) != 0)
			return -1;
		*(uint32_t *)(base + r->off) = (uint32_t)u;
		break;
	case PT_SIZE:
		if (cv_size(ctx, v, what, r->min, r->max, &u) != 0)
			return -1;
		*(uint64_t *)(base + r->off) = u;
		break;
	case PT_BOOL:
		if (cv_bool(ctx, v, what, &i) != 0)
			return -1;
		*(uint8_t *)(base + r->off) = (uint8_t)i;
		break;
	case PT_TRANSPORT:
		if (cv_enum(ctx, v, what, conf_transport_names,
		    CONF_TRANSPORT_COUNT, &i) != 0)
			return -1;
		*(uint8_t *)(base + r->off) = (uint8_t)i;
		break;
	case PT_HOSTKEY:
		if (cv_enum(ctx, v, what, conf_hostkey_names,
		    CONF_HOSTKEY_COUNT, &i) != 0)
			return -1;
		*(uint8_t *)(base + r->off) = (uint8_t)i;
		break;
	case PT_HTTPAUTH:
		if (cv_enum(ctx, v, what, conf_httpauth_names,
		    CONF_HTTPAUTH_COUNT, &i) != 0)
			return -1;
		*(uint8_t *)(base + r->off) = (uint8_t)i;
		break;
	}
	p->set |= 1ULL << r->id;
	p->bad &= ~(1ULL << r->id);
	p->pos[r->id] = v->pos;
	return 0;
}

static void
nested_candidates(const char *parent, const char **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < NROWS && n + 1 < max; i++)
		if (prop_rows[i].parent != NULL &&
		    strcmp(prop_rows[i].parent, parent) == 0)
			out[n++] = prop_rows[i].key;
	out[n] = NULL;
}

static int
props_nested(struct conf_ctx *ctx, struct conf_props *p, const char *parent,
    const struct ynode *v)
{
	const char *cand[16];
	char where[64];
	size_t i;
	int rc = 0;

	/* "timeout: 30s" sets every phase at once. */
	if (strcmp(parent, "timeout") == 0 && v->type == YN_SCALAR) {
		rc |= prop_set(ctx, p, prop_find("timeout", "connect"), v);
		if (rc == 0) {
			rc |= prop_set(ctx, p, prop_find("timeout", "auth"), v);
			rc |= prop_set(ctx, p, prop_find("timeout", "command"),
			    v);
		}
		return rc;
	}
	snprintf(where, sizeof(where), "%s", parent);
	if (cv_is_map(ctx, v, where) != 0)
		return -1;
	nested_candidates(parent, cand, sizeof(cand) / sizeof(cand[0]));
	for (i = 0; i < v->n; i++) {
		const struct ynode *k = v->items[2 * i];
		const struct prop_row *r = prop_find(parent, k->s);

		if (r == NULL) {
			conf_unknown_key(ctx, k, where, cand);
			rc = -1;
			continue;
		}
		if (prop_set(ctx, p, r, v->items[2 * i + 1]) != 0)
			rc = -1;
	}
	return rc;
}

/*
 * Parse one level's properties from map.  Keys in extra (e.g. "name",
 * "groups") are the caller's and skipped here.
 */
int
conf_props_parse(struct conf_ctx *ctx, struct conf_props *p,
    const struct ynode *map, const char *const *extra, int level)
{
	const char *cand[NROWS + 16];
	size_t i, j, nc = 0;
	int rc = 0;

	/* The keys a level may use, for "did you mean" suggestions. */
	for (i = 0; i < NROWS; i++)
		if (prop_rows[i].parent == NULL)
			cand[nc++] = prop_rows[i].key;
	cand[nc++] = "timeout";
	cand[nc++] = "backoff";
	cand[nc++] = "breaker";
	cand[nc++] = "tags";
	cand[nc] = NULL;
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		const struct ynode *v = map->items[2 * i + 1];
		const struct prop_row *r;
		int skip = 0;

		for (j = 0; extra != NULL && extra[j] != NULL; j++)
			if (strcmp(k->s, extra[j]) == 0)
				skip = 1;
		if (skip)
			continue;
		if (strcmp(k->s, "timeout") == 0 ||
		    strcmp(k->s, "backoff") == 0 ||
		    strcmp(k->s, "breaker") == 0) {
			if (props_nested(ctx, p, k->s, v) != 0)
				rc = -1;
			continue;
		}
		if (strcmp(k->s, "tags") == 0) {
			if (cv_tags(ctx, v, "tags", &p->tags) != 0)
				rc = -1;
			continue;
		}
		if ((r = prop_find(NULL, k->s)) == NULL) {
			const char *all[NROWS + 24];
			size_t n = 0;

			for (j = 0; cand[j] != NULL; j++)
				all[n++] = cand[j];
			for (j = 0; extra != NULL && extra[j] != NULL; j++)
				all[n++] = extra[j];
			all[n] = NULL;
			conf_unknown_key(ctx, k, level == 0 ? "defaults" :
			    level == 1 ? "group" : "device", all);
			rc = -1;
			continue;
		}
		if (prop_set(ctx, p, r, v) != 0)
			rc = -1;
	}
	if ((p->set & PW_MASK) & ((p->set & PW_MASK) - 1)) {
		enum conf_prop second = CONF_P_PASSWORD_FILE;

		if (!(p->set & (1ULL << CONF_P_PASSWORD_FILE)))
			second = CONF_P_PASSWORD_ENV;
		conf_err(ctx, p->pos[second], "set only one of password, "
		    "password_env and password_file");
		rc = -1;
	}
	if ((p->set & PP_MASK) == PP_MASK) {
		conf_err(ctx, p->pos[CONF_P_PASSPHRASE_FILE], "set only one of "
		    "passphrase_env and passphrase_file");
		rc = -1;
	}
	return rc;
}

/* Levenshtein distance, bounded: keys are short. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
conf_suggest(const char *key, const char *const *valid)
{
	const char *best = NULL;
	size_t bd = 99, i, lim;

	lim = strlen(key) <= 4 ? 1 : strlen(key) <= 8 ? 2 : 3;
	for (i = 0; valid[i] != NULL; i++) {
		size_t d = edit_distance(key, valid[i]);

		if (d < bd) {
			bd = d;
			best = valid[i];
		}
	}
	return bd <= lim ? best : NULL;
}

void
conf_unknown_key(struct conf_ctx *ctx, const struct ynode *key,
    const char *where, const char *const *valid)
{
	const char *s = conf_suggest(key->s, valid);

	if (s != NULL)
		conf_err(ctx, key->pos, "unknown key \"%s\" in %s; did you "
		    "mean \"%s\"?", key->s, where, s);
	else
		conf_err(ctx, key->pos, "unknown key \"%s\" in %s", key->s,
		    where);
}

/* YAML double-quoted form: safe for every byte a value can hold. */
void
conf_print_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", fp);
		else if (ch == '\t')
			fputs("\\t", fp);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(fp, "\\x%02x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

/* Print every set property of p, in table order, at the given indent. */
void
conf_props_print(FILE *fp, const struct conf_props *p, int ind)
{
	const char *open = NULL;
	const struct conf_tag *t;
	char dur[32];
	size_t i;

	for (i = 0; i < NROWS; i++) {
		const struct prop_row *r = &prop_rows[i];
		const char *base = (const char *)p;
		int in = ind;

		if (!(p->set & (1ULL << r->id)))
			continue;
		if (r->parent != NULL) {
			if (open == NULL || strcmp(open, r->parent) != 0)
				fprintf(fp, "%*s%s:\n", ind, "", r->parent);
			open = r->parent;
			in = ind + 2;
		} else
			open = NULL;
		fprintf(fp, "%*s%s: ", in, "", r->key);
		switch (r->type) {
		case PT_SECRET_INLINE:
			/* The value never leaves the process. */
			conf_print_str(fp, "********");
			break;
		case PT_STR:
		case PT_PATH:
		case PT_SECRET_ENV:
		case PT_SECRET_FILE:
			conf_print_str(fp, *(const char *const *)(base + r->off));
			break;
		case PT_PORT:
			fprintf(fp, "%u", *(const uint16_t *)(base + r->off));
			break;
		case PT_U8:
			fprintf(fp, "%u", *(const uint8_t *)(base + r->off));
			break;
		case PT_U32:
			fprintf(fp, "%u", *(const uint32_t *)(base + r->off));
			break;
		case PT_DUR:
			conf_format_duration(*(const uint32_t *)(base + r->off),
			    dur, sizeof(dur));
			fputs(dur, fp);
			break;
		case PT_SIZE:
			fprintf(fp, "%llu", (unsigned long long)
			    *(const uint64_t *)(base + r->off));
			break;
		case PT_BOOL:
			fputs(*(const uint8_t *)(base + r->off) ? "true" :
			    "false", fp);
			break;
		case PT_TRANSPORT:
			fputs(conf_transport_names[*(const uint8_t *)
			    (base + r->off)], fp);
			break;
		case PT_HOSTKEY:
			fputs(conf_hostkey_names[*(const uint8_t *)
			    (base + r->off)], fp);
			break;
		case PT_HTTPAUTH:
			fputs(conf_httpauth_names[*(const uint8_t *)
			    (base + r->off)], fp);
			break;
		}
		fputc('\n', fp);
	}
	if (p->tags != NULL) {
		fprintf(fp, "%*stags:\n", ind, "");
		for (t = p->tags; t != NULL; t = t->next) {
			fprintf(fp, "%*s", ind + 2, "");
			conf_print_str(fp, t->key);
			fputs(": ", fp);
			conf_print_str(fp, t->value);
			fputc('\n', fp);
		}
	}
}

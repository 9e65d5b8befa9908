/*
 * Typed values from YAML scalars (strings, integers, booleans, durations,
 * sizes, enums, lists, maps, regexes), each reporting its own error at the
 * node it came from.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "xmem.h"

const char *
cv_typename(const struct ynode *n)
{
	if (n->type == YN_MAP)
		return "a mapping";
	if (n->type == YN_SEQ)
		return "a list";
	if (n->isnull)
		return "an empty value";
	return "a scalar";
}

static int
cv_scalar(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    const char *expect)
{
	if (n->type != YN_SCALAR) {
		conf_err(ctx, n->pos, "%s must be %s, not %s", what, expect,
		    cv_typename(n));
		return -1;
	}
	if (n->isnull) {
		conf_err(ctx, n->pos, "%s needs a value (%s)", what, expect);
		return -1;
	}
	return 0;
}

int
cv_is_map(struct conf_ctx *ctx, const struct ynode *n, const char *what)
{
	if (n->type == YN_MAP)
		return 0;
	conf_err(ctx, n->pos, "%s must be a mapping, not %s", what,
	    cv_typename(n));
	return -1;
}

int
cv_is_seq(struct conf_ctx *ctx, const struct ynode *n, const char *what)
{
	if (n->type == YN_SEQ)
		return 0;
	conf_err(ctx, n->pos, "%s must be a list, not %s", what,
	    cv_typename(n));
	return -1;
}

int
cv_string(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    const char **out)
{
	if (cv_scalar(ctx, n, what, "a string") != 0)
		return -1;
	*out = n->s;
	return 0;
}

/* A run of decimal digits at *sp, advanced past it; -1 if none or overflow. */
static int
digit_run(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*sp = s;
	*out = v;
	return 0;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;

	if (digit_run(&s, &v) != 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}

int
cv_uint(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (cv_scalar(ctx, n, what, "an integer") != 0)
		return -1;
	if (parse_u64(n->s, &v) != 0) {
		conf_err(ctx, n->pos, "%s must be an integer from %" PRIu64
		    " to %" PRIu64 ", not \"%s\"", what, min, max, n->s);
		return -1;
	}
	if (v < min || v > max) {
		conf_err(ctx, n->pos, "%s must be from %" PRIu64 " to %" PRIu64
		    ", not %" PRIu64, what, min, max, v);
		return -1;
	}
	*out = v;
	return 0;
}

int
cv_bool(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
	    "Yes", "YES", "on", "On", "ON", NULL };
	static const char *const no[] = { "false", "False", "FALSE", "no",
	    "No", "NO", "off", "Off", "OFF", NULL };
	int i;

	if (cv_scalar(ctx, n, what, "true or false") != 0)
		return -1;
	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(n->s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(n->s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	conf_err(ctx, n->pos, "%s must be true or false, not \"%s\"", what,
	    n->s);
	return -1;
}

/*
 * "500ms", "30s", "5m", "1h", "1m30s"; a bare number means seconds.
 * Fractions are not accepted: "1.5s" is written "1500ms".
 */
int
conf_parse_duration(const char *s, uint64_t *ms)
{
	uint64_t total = 0;
	int any = 0;

	if (parse_u64(s, &total) == 0) {
		if (total > UINT64_MAX / 1000)
			return -1;
		*ms = total * 1000;
		return 0;
	}
	while (*s != '\0') {
		uint64_t v, mul;

		if (digit_run(&s, &v) != 0)
			return -1;
		if (strncmp(s, "ms", 2) == 0) {
			mul = 1;
			s += 2;
		} else if (*s == 's') {
			mul = 1000;
			s++;
		} else if (*s == 'm') {
			mul = 60 * 1000;
			s++;
		} else if (*s == 'h') {
			mul = 3600 * 1000;
			s++;
		} else if (*s == 'd') {
			mul = 86400 * 1000;
			s++;
		} else
			return -1;
		if (v > (UINT64_MAX - total) / mul)
			return -1;
		total += v * mul;
		any = 1;
	}
	if (!any)
		return -1;
	*ms = total;
	return 0;
}

void
conf_format_duration(uint64_t ms, char *buf, size_t sz)
{
	if (ms == 0)
		snprintf(buf, sz, "0s");
	else if (ms % (3600 * 1000) == 0)
		snprintf(buf, sz, "%" PRIu64 "h", ms / (3600 * 1000));
	else if (ms % (60 * 1000) == 0)
		snprintf(buf, sz, "%" PRIu64 "m", ms / (60 * 1000));
	else if (ms % 1000 == 0)
		snprintf(buf, sz, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, sz, "%" PRIu64 "ms", ms);
}

int
cv_duration(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    uint64_t min, uint64_t max, uint64_t *out)
{
	char lo[32], hi[32];
	uint64_t v;

	conf_format_duration(min, lo, sizeof(lo));
	conf_format_duration(max, hi, sizeof(hi));
	if (cv_scalar(ctx, n, what, "a duration") != 0)
		return -1;
	if (conf_parse_duration(n->s, &v) != 0) {
		conf_err(ctx, n->pos, "%s must be a duration such as 500ms, "
		    "30s, 5m or 1h, not \"%s\"", what, n->s);
		return -1;
	}
	if (v < min || v > max) {
		conf_err(ctx, n->pos, "%s must be from %s to %s, not %s", what,
		    lo, hi, n->s);
		return -1;
	}
	*out = v;
	return 0;
}

/* "16MiB", "512KiB", "1GiB", "65536" (bytes); k/M/G are taken as KiB/... */
int
conf_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v, mul = 1;

	if (digit_run(&s, &v) != 0)
		return -1;
	if (*s == 'k' || *s == 'K')
		mul = 1024;
	else if (*s == 'M')
		mul = 1024 * 1024;
	else if (*s == 'G')
		mul = 1024 * 1024 * 1024;
	else if (*s != '\0' && strcmp(s, "B") != 0)
		return -1;
	if (mul != 1) {
		s++;
		if (*s != '\0' && strcmp(s, "iB") != 0 && strcmp(s, "B") != 0)
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*bytes = v * mul;
	return 0;
}

int
cv_size(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (cv_scalar(ctx, n, what, "a size") != 0)
		return -1;
	if (conf_parse_size(n->s, &v) != 0) {
		conf_err(ctx, n->pos, "%s must be a size such as 65536, 512KiB "
		    "or 16MiB, not \"%s\"", what, n->s);
		return -1;
	}
	if (v < min || v > max) {
		conf_err(ctx, n->pos, "%s must be from %" PRIu64 " to %" PRIu64
		    " bytes, not %s", what, min, max, n->s);
		return -1;
	}
	*out = v;
	return 0;
}

int
cv_enum(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    const char *const *names, int count, int *out)
{
	char list[256];
	size_t l = 0;
	int i;

	if (cv_scalar(ctx, n, what, "a word") != 0)
		return -1;
	for (i = 0; i < count; i++)
		if (strcmp(n->s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	list[0] = '\0';
	for (i = 0; i < count && l < sizeof(list); i++)
		l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s",
		    i == 0 ? "" : (i == count - 1 ? " or " : ", "), names[i]);
	conf_err(ctx, n->pos, "%s must be %s, not \"%s\"", what, list, n->s);
	return -1;
}

/* A single string is accepted where a list of strings is expected. */
int
cv_strlist(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    const char ***out, size_t *np)
{
	const char **v;
	size_t i;
	int rc = 0;

	if (n->type == YN_SCALAR && !n->isnull) {
		v = arena_alloc(ctx->arena, 2 * sizeof(*v));
		v[0] = n->s;
		*out = v;
		if (np != NULL)
			*np = 1;
		return 0;
	}
	if (n->type != YN_SEQ) {
		conf_err(ctx, n->pos, "%s must be a list of strings, not %s",
		    what, cv_typename(n));
		return -1;
	}
	v = arena_alloc(ctx->arena, (n->n + 1) * sizeof(*v));
	for (i = 0; i < n->n; i++)
		if (cv_string(ctx, n->items[i], what, &v[i]) != 0)
			rc = -1;
	*out = v;
	if (np != NULL)
		*np = n->n;
	return rc;
}

int
cv_tags(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    struct conf_tag **out)
{
	struct conf_tag *head = NULL, **tail = &head;
	size_t i;
	int rc = 0;

	if (cv_is_map(ctx, n, what) != 0)
		return -1;
	for (i = 0; i < n->n; i++) {
		const struct ynode *v = n->items[2 * i + 1];
		struct conf_tag *t;

		if (v->type != YN_SCALAR || v->isnull) {
			conf_err(ctx, v->pos, "%s: the value of \"%s\" must be "
			    "a string, not %s", what, n->items[2 * i]->s,
			    cv_typename(v));
			rc = -1;
			continue;
		}
		t = arena_alloc(ctx->arena, sizeof(*t));
		t->key = n->items[2 * i]->s;
		t->value = v->s;
		*tail = t;
		tail = &t->next;
	}
	*out = head;
	return rc;
}

int
cv_regex(struct conf_ctx *ctx, const struct ynode *n, const char *what,
    const char *re, regex_t *out)
{
	char ebuf[256];
	int e;

	if ((e = regcomp(out, re, REG_EXTENDED | REG_NEWLINE)) != 0) {
		regerror(e, out, ebuf, sizeof(ebuf));
		conf_err(ctx, n->pos, "%s is not a valid extended regular "
		    "expression: %s", what, ebuf);
		return -1;
	}
	return 0;
}


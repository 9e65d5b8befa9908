/*
 * Platform profiles: how a CLI shell of each network OS looks (prompt, pager,
 * paging-off commands) and which lines of its configuration hold secrets.
 * A fleet may override any field of a built-in profile or add its own.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "xmem.h"

struct platform_def {
	const char	*name;
	const char	*prompt;
	const char	*more;
	const char	*paging_off[3];
	const char	*exit_cmd;
	const char	*scrub[8];
};

/*
 * Prompts are matched against the last line of output only.  Scrub patterns
 * replace their last parenthesised group (or the whole match) by <removed>.
 */
static const struct platform_def builtin[] = {
	{ "cisco_ios",
	  "^[A-Za-z0-9._/:-]{1,64}(\\([A-Za-z0-9_-]{1,32}\\))?[>#] ?$",
	  "--More--", { "terminal length 0", "terminal width 511", NULL },
	  "exit",
	  { "^ *enable (secret|password)( [0-9]+)? ([^ ]+)",
	    "^ *username [^ ]+ .*(secret|password)( [0-9]+)? ([^ ]+)",
	    "^ *snmp-server community ([^ ]+)",
	    "^ *(tacacs-server|radius-server) key( [0-9]+)? ([^ ]+)",
	    "^ *password( [0-9]+)? ([^ ]+)",
	    "^ *neighbor [^ ]+ password( [0-9]+)? ([^ ]+)",
	    "^ *key( [0-9]+)? ([^ ]+)", NULL } },
	{ "cisco_nxos",
	  "^[A-Za-z0-9._/:-]{1,64}(\\([A-Za-z0-9_-]{1,32}\\))?# ?$",
	  "--More--", { "terminal length 0", "terminal width 511", NULL },
	  "exit",
	  { "^ *username [^ ]+ password( [0-9]+)? ([^ ]+)",
	    "^ *snmp-server user [^ ]+ .*auth [a-z0-9-]+ ([^ ]+)",
	    "^ *snmp-server community ([^ ]+)",
	    "^ *(tacacs-server|radius-server) key( [0-9]+)? \"?([^ \"]+)",
	    "^ *password( [0-9]+)? ([^ ]+)",
	    NULL } },
	{ "juniper_junos",
	  "^([A-Za-z0-9._-]{1,64}@)?[A-Za-z0-9._-]{1,64}[>#%] ?$",
	  "---\\(more( [0-9]+%)?\\)---",
	  { "set cli screen-length 0", "set cli screen-width 0", NULL },
	  "exit",
	  { "(\\$9\\$[^\";]+)",
	    "encrypted-password \"([^\"]+)\"",
	    "(secret|authentication-key|pre-shared-key ascii-text) \"([^\"]+)\"",
	    "^ *community ([^ ;{]+)", NULL } },
	{ "arista_eos",
	  "^[A-Za-z0-9._/:-]{1,64}(\\([A-Za-z0-9_-]{1,32}\\))?[>#] ?$",
	  "--More--", { "terminal length 0", "terminal width 32767", NULL },
	  "exit",
	  { "^ *username [^ ]+ .*secret( [a-z0-9-]+)? ([^ ]+)",
	    "^ *enable (secret|password)( [a-z0-9-]+)? ([^ ]+)",
	    "^ *snmp-server community ([^ ]+)",
	    "^ *(tacacs-server|radius-server) .*key( [0-9]+)? ([^ ]+)",
	    "^ *neighbor [^ ]+ password( [0-9]+)? ([^ ]+)",
	    NULL } },
	{ "linux",
	  "^[^\n]{0,200}[$#] ?$",
	  NULL, { NULL }, "exit", { NULL } },
};
#define NBUILTIN	(sizeof(builtin) / sizeof(builtin[0]))

static const char *const platform_keys[] = { "prompt", "more", "more_reply",
    "paging_off", "exit", "scrub", NULL };

/* Compile every pattern of p; errors point at the key that set it. */
int
conf_platform_compile(struct conf_ctx *ctx, struct conf_platform *p)
{
	struct ynode at;
	size_t i;
	int rc = 0;

	memset(&at, 0, sizeof(at));
	at.pos = p->prompt_pos.line ? p->prompt_pos : p->pos;
	if (cv_regex(ctx, &at, "prompt", p->prompt, &p->prompt_re) != 0)
		return -1;
	p->compiled = 1;
	if (p->more != NULL) {
		at.pos = p->more_pos.line ? p->more_pos : p->pos;
		if (cv_regex(ctx, &at, "more", p->more, &p->more_re) != 0) {
			p->more = NULL;
			rc = -1;
		}
	}
	p->scrub_re = arena_alloc(ctx->arena,
	    (p->nscrub + 1) * sizeof(regex_t));
	for (i = 0; i < p->nscrub; i++) {
		at.pos = p->scrub_pos != NULL ? p->scrub_pos[i] : p->pos;
		if (cv_regex(ctx, &at, "scrub pattern", p->scrub[i],
		    &p->scrub_re[i]) != 0) {
			p->nscrub = i;	/* the compiled ones stay freeable */
			return -1;
		}
	}
	return rc;
}

void
conf_platform_release(struct conf_platform *p)
{
	size_t i;

	if (!p->compiled)
		return;
	regfree(&p->prompt_re);
	if (p->more != NULL)
		regfree(&p->more_re);
	for (i = 0; i < p->nscrub; i++)
		regfree(&p->scrub_re[i]);
	p->compiled = 0;
}

static void
platform_add(struct conf *c, struct conf_platform *p)
{
	c->platforms = xreallocarray(c->platforms, c->nplatforms + 1,
	    sizeof(*c->platforms));
	c->platforms[c->nplatforms++] = p;
}

int
conf_platforms_builtin(struct conf_ctx *ctx, struct conf *c)
{
	size_t i, j;

	for (i = 0; i < NBUILTIN; i++) {
		const struct platform_def *d = &builtin[i];
		struct conf_platform *p = arena_alloc(ctx->arena, sizeof(*p));
		size_t n;

		p->name = d->name;
		p->builtin = 1;
		p->prompt = d->prompt;
		p->more = d->more;
		p->more_reply = " ";
		p->exit_cmd = d->exit_cmd;
		for (n = 0; d->paging_off[n] != NULL; n++)
			;
		p->paging_off = arena_alloc(ctx->arena,
		    (n + 1) * sizeof(char *));
		for (j = 0; j < n; j++)
			p->paging_off[j] = d->paging_off[j];
		for (n = 0; d->scrub[n] != NULL; n++)
			;
		p->scrub = arena_alloc(ctx->arena, (n + 1) * sizeof(char *));
		for (j = 0; j < n; j++)
			p->scrub[j] = d->scrub[j];
		p->nscrub = n;
		platform_add(c, p);
	}
	return 0;
}

const struct conf_platform *
conf_platform_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nplatforms; i++)
		if (strcmp(c->platforms[i]->name, name) == 0)
			return c->platforms[i];
	return NULL;
}

static int
platform_name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* name: { prompt, more, more_reply, paging_off, exit, scrub } */
int
conf_platform_parse(struct conf_ctx *ctx, struct conf *c, const char *name,
    const struct ynode *key, const struct ynode *map)
{
	struct conf_platform *p = NULL;
	size_t i;
	int rc = 0;

	if (!platform_name_ok(name)) {
		conf_err(ctx, key->pos, "platform name \"%s\" may only use "
		    "letters, digits, _ and - (at most 64)", name);
		return -1;
	}
	if (cv_is_map(ctx, map, "a platform") != 0)
		return -1;
	for (i = 0; i < c->nplatforms; i++)
		if (strcmp(c->platforms[i]->name, name) == 0)
			p = c->platforms[i];
	if (p == NULL) {
		p = arena_alloc(ctx->arena, sizeof(*p));
		p->name = name;
		p->more_reply = " ";
		p->exit_cmd = "exit";
		p->paging_off = arena_alloc(ctx->arena, sizeof(char *));
		p->scrub = arena_alloc(ctx->arena, sizeof(char *));
		platform_add(c, p);
	}
	p->pos = key->pos;
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->items[2 * i];
		const struct ynode *v = map->items[2 * i + 1];

		if (strcmp(k->s, "prompt") == 0) {
			rc |= cv_string(ctx, v, "prompt", &p->prompt);
			p->prompt_pos = v->pos;
		} else if (strcmp(k->s, "more") == 0) {
			p->more_pos = v->pos;
			if (v->isnull)
				p->more = NULL;
			else
				rc |= cv_string(ctx, v, "more", &p->more);
		} else if (strcmp(k->s, "more_reply") == 0)
			rc |= cv_string(ctx, v, "more_reply", &p->more_reply);
		else if (strcmp(k->s, "exit") == 0)
			rc |= cv_string(ctx, v, "exit", &p->exit_cmd);
		else if (strcmp(k->s, "paging_off") == 0) {
			if (v->type == YN_SEQ && v->n == 0)
				p->paging_off[0] = NULL;
			else
				rc |= cv_strlist(ctx, v, "paging_off",
				    &p->paging_off, NULL);
		} else if (strcmp(k->s, "scrub") == 0) {
			size_t j;

			p->nscrub = 0;
			p->scrub_pos = NULL;
			if (v->type == YN_SEQ && v->n == 0)
				continue;
			rc |= cv_strlist(ctx, v, "scrub", &p->scrub,
			    &p->nscrub);
			p->scrub_pos = arena_alloc(ctx->arena,
			    (p->nscrub + 1) * sizeof(*p->scrub_pos));
			for (j = 0; j < p->nscrub; j++)
				p->scrub_pos[j] = v->type == YN_SEQ ?
				    v->items[j]->pos : v->pos;
		} else {
			conf_unknown_key(ctx, k, "platform", platform_keys);
			rc = -1;
		}
	}
	if (p->prompt == NULL && rc == 0) {
		conf_err(ctx, key->pos, "platform \"%s\" needs a prompt "
		    "(an extended regular expression)", name);
		return -1;
	}
	return rc;
}

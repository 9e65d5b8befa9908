/*
 * conf_load: fleet.yaml to struct conf.  Sections are read in dependency
 * order (platforms, groups, devices, jobs, telemetry) whatever their order
 * in the file; every error is collected and all are printed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"
#include "tfsm.h"
#include "htab.h"
#include "xmem.h"


static const char *const top_keys[] = { "supervisor", "defaults",
    "platforms", "groups", "devices", "jobs", "telemetry", NULL };

static int
conf_parse_tree(struct conf_ctx *ctx, struct conf *c, const struct ynode *root)
{
	const struct ynode *v;
	struct conf_group **path;
	struct htab *gt;
	size_t i;
	int rc = 0, cycles = 0;

	if (root->type != YN_MAP) {
		conf_err(ctx, root->pos, "the top level must be a mapping with "
		    "devices: (and optionally supervisor:, defaults:, "
		    "platforms:, groups:, jobs:, telemetry:), not %s",
		    cv_typename(root));
		return -1;
	}
	for (i = 0; i < root->n; i++) {
		const struct ynode *k = root->items[2 * i];
		size_t j;
		int known = 0;

		for (j = 0; top_keys[j] != NULL; j++)
			if (strcmp(k->s, top_keys[j]) == 0)
				known = 1;
		if (!known) {
			conf_unknown_key(ctx, k, "the top level", top_keys);
			rc = -1;
		}
	}
	rc |= conf_sup_parse(ctx, c, conf_map_get(root, "supervisor"));

	conf_platforms_builtin(ctx, c);
	if ((v = conf_map_get(root, "platforms")) != NULL && !v->isnull) {
		if (cv_is_map(ctx, v, "platforms") != 0)
			rc = -1;
		else
			for (i = 0; i < v->n; i++)
				rc |= conf_platform_parse(ctx, c,
				    v->items[2 * i]->s, v->items[2 * i],
				    v->items[2 * i + 1]);
	}
	for (i = 0; i < c->nplatforms; i++)
		if (c->platforms[i]->prompt != NULL)
			rc |= conf_platform_compile(ctx, c->platforms[i]);

	if ((v = conf_map_get(root, "defaults")) != NULL && !v->isnull) {
		if (cv_is_map(ctx, v, "defaults") != 0)
			rc = -1;
		else {
			rc |= conf_props_parse(ctx, &c->defaults, v, NULL, 0);
			conf_props_check_sources(ctx, c, &c->defaults);
		}
	}

	gt = htab_new(16);
	if ((v = conf_map_get(root, "groups")) != NULL && !v->isnull)
		rc |= conf_groups_parse(ctx, c, gt, v);
	path = xcalloc(CONF_MAX_DEPTH + 1, sizeof(*path));
	for (i = 0; i < c->ngroups; i++)
		if (conf_group_cycle(ctx, c->groups[i], path, 0) != 0)
			cycles = 1;
	free(path);

	if ((v = conf_map_get(root, "devices")) == NULL || v->isnull) {
		conf_err(ctx, root->pos, "no devices: section; a fleet file "
		    "lists its devices under devices:");
		rc = -1;
	} else
		rc |= conf_devices_parse(ctx, c, gt, v);
	htab_free(gt);
	/* Resolve even after other errors, to report them all; not a cycle. */
	if (!cycles)
		rc |= conf_devices_resolve(ctx, c);
	else
		rc = -1;

	if ((v = conf_map_get(root, "jobs")) != NULL && !v->isnull)
		rc |= conf_jobs_parse(ctx, c, v);
	if ((v = conf_map_get(root, "telemetry")) != NULL && !v->isnull)
		rc |= conf_telemetry_parse(ctx, c, v);
	if (rc == 0)
		rc |= conf_jobs_check(ctx, c);
	if (rc == 0)
		rc |= conf_parse_check(ctx, c);
	return rc;
}

struct conf *
conf_load_buffer(const char *name, const char *buf, size_t len, FILE *errfp)
{
	struct conf_ctx ctx;
	struct conf *c;
	struct arena *tree;
	struct ynode *root;
	int rc = -1;

	memset(&ctx, 0, sizeof(ctx));
	c = xcalloc(1, sizeof(*c));
	c->arena = arena_new();
	c->file = arena_strdup(c->arena, name);
	ctx.file = c->file;
	ctx.errfp = errfp;
	ctx.arena = c->arena;
	ctx.secrets = htab_new(16);
	ctx.paths = htab_new(16);
	ctx.seen = htab_new(16);

	if (len > CONF_MAX_FILE_SIZE) {
		struct conf_pos p = { 0, 0 };

		conf_err(&ctx, p, "file is %zu bytes; the limit is %u", len,
		    CONF_MAX_FILE_SIZE);
		goto out;
	}
	/* The node tree dies after conversion; the conf keeps its strings. */
	tree = c->arena;
	root = conf_yaml_parse(&ctx, tree, buf, len);
	if (root != NULL)
		rc = conf_parse_tree(&ctx, c, root);
	if (ctx.nerr > 0)
		rc = -1;
out:
	htab_free(ctx.secrets);
	htab_free(ctx.paths);
	htab_free(ctx.seen);
	conf_err_flush(&ctx);
	if (rc != 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, FILE *errfp)
{
	struct conf *c;
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errfp != NULL)
			fprintf(errfp, "%s: cannot open: %s\n", path,
			    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (errfp != NULL)
			fprintf(errfp, "%s: not a regular file\n", path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > CONF_MAX_FILE_SIZE) {
		if (errfp != NULL)
			fprintf(errfp, "%s: file is %lld bytes; the limit is "
			    "%u\n", path, (long long)st.st_size,
			    CONF_MAX_FILE_SIZE);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size &&
	    (n = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	c = conf_load_buffer(path, buf, len, errfp);
	free(buf);
	return c;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nplatforms; i++)
		conf_platform_release(c->platforms[i]);
	for (i = 0; i < c->ntelemetry; i++) {
		if (c->telemetry[i].ssh != NULL &&
		    c->telemetry[i].ssh->regex != NULL)
			regfree(&c->telemetry[i].ssh->re);
		if (c->telemetry[i].ssh != NULL)
			tfsm_free(c->telemetry[i].ssh->tpl);
	}
	for (i = 0; i < c->nsecrets; i++) {
		struct conf_secret *s = c->secrets[i];

		if (s->value != NULL) {
			explicit_bzero(s->value, s->len);
			free(s->value);
		}
		free(s);
	}
	free(c->secrets);
	free(c->platforms);
	free(c->devices);
	free(c->jobs);
	free(c->telemetry);
	arena_free(c->arena);
	free(c);
}

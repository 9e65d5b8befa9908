/*
 * Private to supervisor/conf_*.c: the YAML node tree and error collection.
 * Nothing outside supervisor/ includes this file.
 */
#ifndef NAUT_CONF_INT_H
#define NAUT_CONF_INT_H

#include <stdarg.h>

#include "conf.h"

enum ynode_type {
	YN_SCALAR = 0,
	YN_MAP,
	YN_SEQ
};

struct ynode {
	uint8_t		 type;
	uint8_t		 quoted;	/* scalar was quoted or a block */
	uint8_t		 isnull;	/* plain "", "~", "null" */
	struct conf_pos	 pos;
	size_t		 n;		/* scalar length, items or pairs */
	const char	*s;		/* scalar text, NUL-terminated */
	struct ynode   **items;		/* map: key0, val0, key1, val1, ... */
	uint64_t	 weight;	/* nodes after alias expansion */
	int		 open;		/* still being built (recursion check) */
	uint8_t		*merged;	/* map: pair i came from a << merge */
};

struct conf_err {
	struct conf_pos	 pos;
	uint32_t	 seq;
	char		*msg;
};

struct htab;

struct conf_ctx {
	const char	*file;
	FILE		*errfp;
	struct arena	*arena;		/* the conf's arena */
	struct conf_err	*errs;
	size_t		 nerr;
	size_t		 errcap;
	int		 toomany;
	struct htab	*secrets;	/* "E:NAME" / "F:path" -> conf_secret */
	struct htab	*paths;		/* files checked for readability */
	struct htab	*seen;		/* errors already reported */
};

/* The password sources are one slot: the most specific level sets it. */
#define CONF_PW_MASK	((1ULL << CONF_P_PASSWORD) | \
	(1ULL << CONF_P_PASSWORD_ENV) | (1ULL << CONF_P_PASSWORD_FILE))
#define CONF_PP_MASK	((1ULL << CONF_P_PASSPHRASE_ENV) | \
	(1ULL << CONF_P_PASSPHRASE_FILE))

void	conf_err(struct conf_ctx *, struct conf_pos, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	conf_err_flush(struct conf_ctx *);

/* conf_yaml.c: parse a buffer into a tree in arena a; NULL on error. */
struct ynode	*conf_yaml_parse(struct conf_ctx *, struct arena *a,
		    const char *buf, size_t len);

/* conf_keys.c */
int	conf_props_parse(struct conf_ctx *, struct conf_props *,
	    const struct ynode *map, const char *const *extra, int level);
void	conf_props_defaults(struct conf_props *);
void	conf_props_merge(struct arena *, struct conf_props *dst,
	    const struct conf_props *src);
const char *conf_prop_name(enum conf_prop);
void	conf_print_str(FILE *, const char *);
void	conf_props_print(FILE *, const struct conf_props *, int indent);
int	conf_platforms_builtin(struct conf_ctx *, struct conf *);
int	conf_platform_parse(struct conf_ctx *, struct conf *,
	    const char *name, const struct ynode *key, const struct ynode *);
int	conf_platform_compile(struct conf_ctx *, struct conf_platform *);
void	conf_platform_release(struct conf_platform *);
const char *conf_suggest(const char *, const char *const *);
void	conf_unknown_key(struct conf_ctx *, const struct ynode *key,
	    const char *where, const char *const *valid);

/* conf_sup.c */
int	conf_sup_parse(struct conf_ctx *, struct conf *, const struct ynode *);

/* conf_devices.c */
void	conf_props_check_sources(struct conf_ctx *, struct conf *,
	    const struct conf_props *);
int	conf_groups_parse(struct conf_ctx *, struct conf *, struct htab *,
	    const struct ynode *);
int	conf_group_cycle(struct conf_ctx *, struct conf_group *,
	    struct conf_group **, int);
int	conf_devices_parse(struct conf_ctx *, struct conf *, struct htab *,
	    const struct ynode *);
int	conf_devices_resolve(struct conf_ctx *, struct conf *);

/* conf_jobs.c */
int	conf_jobs_parse(struct conf_ctx *, struct conf *, const struct ynode *);
int	conf_telemetry_parse(struct conf_ctx *, struct conf *,
	    const struct ynode *);
int	conf_jobs_check(struct conf_ctx *, struct conf *);
int	conf_check_keys(struct conf_ctx *, const struct ynode *, const char *,
	    const char *const *);
int	conf_select_parse(struct conf_ctx *, struct conf *, struct conf_select *,
	    const struct ynode *);
int	conf_entry_name(struct conf_ctx *, const struct ynode *, struct htab *,
	    const char *, const char **);
const struct ynode *conf_map_get(const struct ynode *, const char *);

/* conf_value.c: typed scalar helpers that report errors at the node. */
int	cv_string(struct conf_ctx *, const struct ynode *, const char *what,
	    const char **out);
int	cv_uint(struct conf_ctx *, const struct ynode *, const char *what,
	    uint64_t min, uint64_t max, uint64_t *out);
int	cv_bool(struct conf_ctx *, const struct ynode *, const char *what,
	    int *out);
int	cv_duration(struct conf_ctx *, const struct ynode *, const char *what,
	    uint64_t min, uint64_t max, uint64_t *out);
int	cv_size(struct conf_ctx *, const struct ynode *, const char *what,
	    uint64_t min, uint64_t max, uint64_t *out);
int	cv_enum(struct conf_ctx *, const struct ynode *, const char *what,
	    const char *const *names, int n, int *out);
int	cv_strlist(struct conf_ctx *, const struct ynode *, const char *what,
	    const char ***out, size_t *n);
int	cv_tags(struct conf_ctx *, const struct ynode *, const char *what,
	    struct conf_tag **out);
int	cv_regex(struct conf_ctx *, const struct ynode *, const char *what,
	    const char *re, regex_t *out);
int	cv_is_map(struct conf_ctx *, const struct ynode *, const char *what);
int	cv_is_seq(struct conf_ctx *, const struct ynode *, const char *what);
const char *cv_typename(const struct ynode *);
const struct conf_secret *conf_secret_get(struct conf_ctx *, struct conf *,
	    enum conf_secret_src, const char *ref, struct conf_pos, const char *);
int	conf_check_readable(struct conf_ctx *, const char *path,
	    struct conf_pos, const char *what);

/* conf_parse.c: parse: and supervisor.templates (TextFSM). */
int	conf_parse_job(struct conf_ctx *, struct conf_job *,
	    const struct ynode *);
int	conf_parse_check(struct conf_ctx *, const struct conf *);
int	conf_parse_tm_template(struct conf_ctx *, struct conf_tm_ssh *,
	    const struct ynode *entry, const struct ynode *tpl);
/* conf_telemetry.c */
int	conf_label_name_ok(const char *);

#endif

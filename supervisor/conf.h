/*
 * conf: fleet.yaml loaded into plain structs.
 *
 * Everything one load produces lives in one arena and is freed by
 * conf_free(), so a reload can build a new struct conf beside the old one
 * and swap only if it is valid.  Positions (file:line:col) are kept for every
 * value that a later check may need to point at.
 */
#ifndef NAUT_CONF_H
#define NAUT_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <regex.h>

struct arena;

/* Hostile-input limits of the loader. */
#define CONF_MAX_FILE_SIZE	(256u * 1024 * 1024)
#define CONF_MAX_DEPTH		64
#define CONF_MAX_ERRORS		200

struct conf_pos {
	uint32_t	line;	/* 1-based; 0 = not from the file */
	uint32_t	col;
};

#define CONF_TRANSPORTS(X)	\
	X(SSH, "ssh")		\
	X(NETCONF, "netconf")	\
	X(REST, "rest")

enum conf_transport {
#define X(e, s) CONF_TRANSPORT_##e,
	CONF_TRANSPORTS(X)
#undef X
	CONF_TRANSPORT_COUNT
};

#define CONF_HOSTKEYS(X)		\
	X(STRICT, "strict")		\
	X(ACCEPT_NEW, "accept-new")	\
	X(OFF, "off")

enum conf_hostkey {
#define X(e, s) CONF_HOSTKEY_##e,
	CONF_HOSTKEYS(X)
#undef X
	CONF_HOSTKEY_COUNT
};

#define CONF_MODES(X)		\
	X(EXEC, "exec")		\
	X(SHELL, "shell")

enum conf_mode {
#define X(e, s) CONF_MODE_##e,
	CONF_MODES(X)
#undef X
	CONF_MODE_COUNT
};

/* REST: how password/password_env/password_file is sent. */
#define CONF_HTTPAUTHS(X)	\
	X(BASIC, "basic")	\
	X(BEARER, "bearer")

enum conf_httpauth {
#define X(e, s) CONF_HTTPAUTH_##e,
	CONF_HTTPAUTHS(X)
#undef X
	CONF_HTTPAUTH_COUNT
};

extern const char *const conf_transport_names[];
extern const char *const conf_httpauth_names[];
extern const char *const conf_hostkey_names[];
extern const char *const conf_mode_names[];

/*
 * The properties a device can get from itself, its groups or defaults.  Each
 * is one row (name, type, field, bounds) in the property table of conf_keys.c;
 * the set mask says which ones a level defines (nginx's UNSET, as a bit).
 */
#define CONF_PROPS(X)							\
	X(HOST,		"host")						\
	X(PORT,		"port")						\
	X(TRANSPORT,	"transport")					\
	X(PLATFORM,	"platform")					\
	X(USERNAME,	"username")					\
	X(PASSWORD,	"password")					\
	X(PASSWORD_ENV,	"password_env")					\
	X(PASSWORD_FILE, "password_file")				\
	X(KEY_FILE,	"key_file")					\
	X(PASSPHRASE_ENV, "passphrase_env")				\
	X(PASSPHRASE_FILE, "passphrase_file")				\
	X(KNOWN_HOSTS,	"known_hosts")					\
	X(HOST_KEY_CHECKING, "host_key_checking")			\
	X(TLS_VERIFY,	"tls_verify")					\
	X(CA_FILE,	"ca_file")					\
	X(HTTP_AUTH,	"http_auth")					\
	X(T_CONNECT,	"timeout.connect")				\
	X(T_AUTH,	"timeout.auth")					\
	X(T_COMMAND,	"timeout.command")				\
	X(RETRIES,	"retries")					\
	X(B_BASE,	"backoff.base")					\
	X(B_MAX,	"backoff.max")					\
	X(BR_FAILS,	"breaker.failure_threshold")			\
	X(BR_SUCCESS,	"breaker.success_threshold")			\
	X(BR_OPEN_FOR,	"breaker.open_for")				\
	X(BR_KEY,	"breaker.key")					\
	X(OUTPUT_LIMIT,	"output_limit")

enum conf_prop {
#define X(e, s) CONF_P_##e,
	CONF_PROPS(X)
#undef X
	CONF_P_COUNT
};

struct conf_tag {
	const char	*key;
	const char	*value;
	struct conf_tag	*next;
};

/* A secret names where it comes from; the value is read once at load. */
enum conf_secret_src {
	CONF_SECRET_NONE = 0,
	CONF_SECRET_INLINE,
	CONF_SECRET_ENV,
	CONF_SECRET_FILE
};

struct conf_secret {
	enum conf_secret_src	 src;
	const char		*ref;		/* env name or file path */
	char			*value;		/* never printed or logged */
	size_t			 len;
};

struct conf_props {
	uint64_t		 set;		/* bit per enum conf_prop */
	uint64_t		 bad;		/* given but invalid: not "missing" */
	struct conf_pos		 pos[CONF_P_COUNT];
	const char		*host;
	uint16_t		 port;
	uint8_t			 transport;
	uint8_t			 host_key_checking;
	uint8_t			 tls_verify;
	uint8_t			 http_auth;	/* enum conf_httpauth */
	uint8_t			 retries;
	const char		*platform;
	const char		*username;
	const char		*password;	/* inline (discouraged) */
	const char		*password_env;
	const char		*password_file;
	const char		*key_file;
	const char		*passphrase_env;
	const char		*passphrase_file;
	const char		*known_hosts;
	const char		*ca_file;
	const char		*breaker_key;
	uint32_t		 t_connect_ms;
	uint32_t		 t_auth_ms;
	uint32_t		 t_command_ms;
	uint32_t		 backoff_base_ms;
	uint32_t		 backoff_max_ms;
	uint32_t		 br_fails;
	uint32_t		 br_success;
	uint32_t		 br_open_for_ms;
	uint64_t		 output_limit;
	struct conf_tag		*tags;		/* merged key by key */
};

struct conf_platform {
	const char		*name;
	struct conf_pos		 pos;
	int			 builtin;
	const char		*prompt;	/* POSIX ERE, matched at the end */
	regex_t			 prompt_re;
	const char		*more;		/* pager marker, ERE */
	regex_t			 more_re;
	const char		*more_reply;	/* what to send at the pager */
	const char	       **paging_off;	/* NULL-terminated */
	const char		*exit_cmd;
	const char	       **scrub;		/* EREs; matches become <removed> */
	regex_t			*scrub_re;
	size_t			 nscrub;
	struct conf_pos		 prompt_pos;
	struct conf_pos		 more_pos;
	struct conf_pos		*scrub_pos;	/* NULL for built-in lists */
	int			 compiled;
};

struct conf_group {
	const char		*name;
	struct conf_pos		 pos;
	struct conf_group      **parents;	/* NULL-terminated */
	struct conf_props	 props;
	int			 visit;		/* cycle detection */
};

struct conf_device {
	const char		*name;
	struct conf_pos		 pos;
	uint32_t		 index;
	struct conf_group      **groups;	/* direct, NULL-terminated */
	struct conf_props	 p;		/* fully resolved */
	const struct conf_platform *platform;
	const struct conf_secret *password;	/* NULL if none */
	const struct conf_secret *passphrase;
	/*
	 * The device whose record holds this device's breaker: itself, or
	 * the first device with the same breaker.key (they share one).
	 */
	uint32_t		 brk_dev;
};

/* Selection: AND across the given criteria, OR within each list. */
struct conf_select {
	int			 all;
	const char	       **groups;	/* NULL-terminated or NULL */
	struct conf_tag		*tags;
	const char	       **names;		/* fnmatch(3) patterns */
	const char	       **transports;
	const char	       **platforms;
};

struct conf_rest_req {
	const char		*method;
	const char		*path;
	const char		*body;
	struct conf_tag		*headers;
};

#define CONF_NC_OPS(X)			\
	X(GET_CONFIG, "get-config")	\
	X(GET, "get")			\
	X(RPC, "rpc")

enum conf_nc_op {
#define X(e, s) CONF_NC_##e,
	CONF_NC_OPS(X)
#undef X
	CONF_NC_COUNT
};
extern const char *const conf_nc_op_names[];

struct conf_nc_rpc {
	uint8_t			 op;
	const char		*source;	/* get-config */
	const char		*filter;	/* subtree filter XML */
	const char		*body;		/* raw RPC body (op rpc) */
};

struct conf_job {
	const char		*name;
	struct conf_pos		 pos;
	struct conf_select	 select;
	uint8_t			 mode;
	int			 scrub;		/* -1 = platform default */
	const char	       **commands;	/* ssh CLI, NULL-terminated */
	size_t			 ncommands;
	struct conf_rest_req	*requests;
	size_t			 nrequests;
	struct conf_nc_rpc	*rpcs;
	size_t			 nrpcs;
	uint8_t			 parse;		/* CONF_PARSE_* */
	const char		*parse_template; /* CONF_PARSE_TEMPLATE */
	struct conf_pos		 parse_pos;
};
#define CONF_PARSE_NONE		0
#define CONF_PARSE_INDEX	1	/* by supervisor.templates' indexes */
#define CONF_PARSE_TEMPLATE	2	/* one template for every command */

struct tfsm_tpl;

struct conf_tm_ssh {
	const char		*command;
	const char		*regex;
	regex_t			 re;
	uint32_t		 value_group;
	struct conf_tag		*labels;	/* label -> group number text */
	const char		*template;	/* TextFSM, instead of regex */
	struct tfsm_tpl		*tpl;		/* compiled at load, shared */
};

struct conf_tm_rest {
	const char		*path;
	struct conf_tag		*pointers;	/* label field -> pointer ("" one) */
};

struct conf_tm_netconf {
	const char		*filter;
	const char		*path;
};

struct conf_telemetry {
	const char		*name;
	struct conf_pos		 pos;
	struct conf_select	 select;
	const char		*metric;	/* exported name */
	uint32_t		 interval_ms;
	uint32_t		 stale_after_ms;
	struct conf_tm_ssh	*ssh;
	struct conf_tm_rest	*rest;
	struct conf_tm_netconf	*netconf;
};

#define CONF_LOGFMTS(X)		\
	X(JSON, "json")		\
	X(TEXT, "text")

enum conf_logfmt {
#define X(e, s) CONF_LOGFMT_##e,
	CONF_LOGFMTS(X)
#undef X
	CONF_LOGFMT_COUNT
};
extern const char *const conf_logfmt_names[];

#define CONF_LOGLVLS(X)		\
	X(ERROR, "error")	\
	X(WARN, "warn")		\
	X(INFO, "info")		\
	X(DEBUG, "debug")

enum conf_loglvl {
#define X(e, s) CONF_LOGLVL_##e,
	CONF_LOGLVLS(X)
#undef X
	CONF_LOGLVL_COUNT
};
extern const char *const conf_loglvl_names[];

struct conf_supervisor {
	uint32_t		 workers;
	uint32_t		 max_concurrent;
	uint32_t		 global_timeout_ms;	/* 0 = none */
	uint32_t		 drain_timeout_ms;
	const char		*metrics_listen;
	const char		*output_dir;
	const char		*name;
	const char		*user;		/* workers run as; NULL: default */
	const char		*group;		/* ... with this group */
	const char		*read_group;	/* may read segment, outputs */
	uint32_t		 max_sessions_per_worker; /* 0: from fd limit */
	int			 log_format;	/* -1 = auto (json off a tty) */
	uint8_t			 log_level;
	uint8_t			 workers_auto;
	const char	       **templates;	/* TextFSM index directories */
	size_t			 ntemplates;
	struct conf_pos		 templates_pos;
};

struct conf {
	struct arena		*arena;
	const char		*file;
	struct conf_supervisor	 sup;
	struct conf_props	 defaults;
	struct conf_platform   **platforms;
	size_t			 nplatforms;
	struct conf_group      **groups;
	size_t			 ngroups;
	struct conf_device	*devices;
	size_t			 ndevices;
	struct conf_job		*jobs;
	size_t			 njobs;
	struct conf_telemetry	*telemetry;
	size_t			 ntelemetry;
	struct conf_secret    **secrets;
	size_t			 nsecrets;
};

/*
 * Load and validate a fleet file.  Every error goes to errfp as
 * "file:line:col: message"; on any error NULL is returned after all of them
 * were printed.  The returned conf is complete and resolved.
 */
struct conf	*conf_load(const char *path, FILE *errfp);
struct conf	*conf_load_buffer(const char *name, const char *buf,
		    size_t len, FILE *errfp);
void		 conf_free(struct conf *);

/* conf_print.c */
void		 conf_print(const struct conf *, FILE *);	/* -T */
void		 conf_summary(const struct conf *, FILE *);	/* -t */

/* conf_select.c */
int		 conf_select_match(const struct conf_select *,
		    const struct conf_device *);
int		 conf_device_in_group(const struct conf_device *,
		    const struct conf_group *);

/* conf_value.c: scalar parsers shared with the command line. */
int		 conf_parse_duration(const char *, uint64_t *ms);
int		 conf_parse_size(const char *, uint64_t *bytes);
void		 conf_format_duration(uint64_t ms, char *, size_t);

/* conf_steps.c: the commands, requests or RPCs a device's transport runs. */
size_t		 conf_job_nsteps(const struct conf_job *, unsigned transport);
size_t		 conf_job_maxsteps(const struct conf_job *);
const char	*conf_job_step(const struct conf_job *, unsigned transport,
		    size_t, char *, size_t);

const struct conf_platform *conf_platform_find(const struct conf *,
		    const char *);

#endif

/*
 * The lab's device emulator: what its parts share.  Private to tests/lab;
 * tests/lab/emu.c is the program, tests/lab/README its manual.
 *
 *   out.c      bytes to the client (simd has its own)
 *   buf.c      bounded text buffers
 *   model.c    the facts of a device, derived from its name and the clock
 *   text.c     show version, telemetry and Linux commands
 *   config.c   show running-config for each platform
 *   cli.c      the command table, parsing, errors, "| include" filters
 *   face.c     what the terminal says: banners, prompts, pager marker,
 *              garbage, endless lines, the line editor's keys
 *   term.c     the terminal's timing: pager, misbehaviours, shell loop
 *   devconf.c  the address <-> device mapping and devices.conf
 *   hostile.c  output meant to hurt the client or the terminal
 */
#ifndef NAUT_LAB_EMU_H
#define NAUT_LAB_EMU_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LINE_MAX_LEN	1024		/* longest command line kept */
#define MAX_TOKENS	32
#define BUF_MAX		(4u << 20)	/* most output of a command */
#define RULES_MAX	4096
#define PAGE_DEFAULT	24
#define DEV_BASE	0x7f010000u	/* 127.1.0.0 is device 0 */
#define DEV_END		0x7fffffffu	/* the broadcast address */
#define BOOT_EPOCH	1704067200	/* 2024-01-01: boots are later */

#define EMU_PLATFORMS(X)					\
	X(P_IOS, "cisco_ios")					\
	X(P_NXOS, "cisco_nxos")					\
	X(P_JUNOS, "juniper_junos")				\
	X(P_EOS, "arista_eos")					\
	X(P_LINUX, "linux")
#define EMU_BEHAVIOURS(X)					\
	X(B_NORMAL, "normal")					\
	X(B_SLOW, "slow")					\
	X(B_HANG_LOGIN, "hang_login")				\
	X(B_HANG_MID, "hang_mid")				\
	X(B_ENDLESS, "endless")					\
	X(B_GARBAGE, "garbage")					\
	X(B_DISCONNECT_MID, "disconnect_mid")			\
	X(B_EXITSTATUS, "exitstatus")				\
	X(B_ESCAPE_FLOOD, "escape_flood")			\
	X(B_ENDLESS_BANNER, "endless_banner")			\
	X(B_LONG_LINE, "long_line")				\
	X(B_BAD_UTF8, "bad_utf8")

#define X(e, s) e,
enum platform { EMU_PLATFORMS(X) P_COUNT };
enum behaviour { EMU_BEHAVIOURS(X) B_COUNT };
#undef X

/* The device a session talks to. */
struct dev {
	long		 d_index;	/* -1: not a device address */
	uint32_t	 d_ip;
	char		 d_addr[INET_ADDRSTRLEN];
	char		 d_name[32];
	char		 d_user[64];
	enum platform	 d_plat;
	enum behaviour	 d_beh;
	unsigned	 d_delay_ms;	/* slow: delay before each line */
	int		 d_status;	/* exitstatus: the exit status */
	uint64_t	 d_seed;	/* hash of d_name: all output derives */
	time_t		 d_time;	/* --time; 0: the real clock */
};

/* One devices.conf line; -1 in a value field means "not set". */
struct rule {
	int		 r_any;		/* "*" */
	long		 r_lo, r_hi;	/* indexes, or -1: r_ip */
	uint32_t	 r_ip;
	int		 r_plat, r_beh, r_delay, r_status;
};

/* One SSH session: exec (one command) or an interactive shell. */
struct sess {
	struct dev	*s_dev;
	const char	*s_eol;
	int		 s_exec;	/* one command, no pager */
	int		 s_tty;		/* stdin is a tty: echo */
	unsigned	 s_pagelen;	/* lines per page; 0: paging off */
	int		 s_conf;	/* in configuration mode */
	size_t		 s_promptlen;
	int		 s_lastcr;
	unsigned char	 s_in[4096];
	size_t		 s_inlen, s_inpos;
};

/* The line editor: a command line being typed. */
struct edit {
	char		 e_line[LINE_MAX_LEN];
	size_t		 e_n;
	int		 e_esc;		/* inside an escape sequence */
};

/* Text of one command's output, lines ending in \n, at most BUF_MAX. */
struct buf {
	char		*b_p;
	size_t		 b_len, b_cap;
};

/* What sits on a port: the last two ports are uplinks to neighbours. */
struct port {
	char		 p_desc[64];
	unsigned	 p_vlan;
	int		 p_uplink;
	int		 p_shut;
};

enum cmd {
	C_VERSION, C_CONFIG, C_CPU, C_COUNTERS, C_TERMLEN, C_TERMWIDTH,
	C_CONFIGURE, C_NOP, C_EXIT, C_UNAME, C_HOSTNAME, C_OSREL, C_UPTIME,
	C_ECHO
};

/* A command line split at blanks. */
struct toks {
	size_t		 t_n;
	char		*t_s[MAX_TOKENS];
	size_t		 t_off[MAX_TOKENS];	/* column */
};

/* out.c */
void	 out_flush(void);
void	 out_put(const void *, size_t);
void	 out_str(const char *);
void	 out_err(const void *, size_t);

/* buf.c */
void	 buf_put(struct buf *, const char *, size_t);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* model.c */
uint64_t model_mix(uint64_t);
uint64_t model_rnd(uint64_t *, uint64_t);
uint64_t model_fnv1a(const char *);
time_t	 model_now(const struct dev *);
time_t	 model_uptime(const struct dev *);
void	 model_hash(uint64_t *, char *, size_t, const char *, unsigned,
	    unsigned);
void	 model_type7(uint64_t *, char *, size_t);
void	 model_stamp(const struct dev *, char *, size_t, const char *);
unsigned model_nports(const struct dev *);
void	 model_ifname(const struct dev *, unsigned, int, char *, size_t);
unsigned model_vlan(const struct dev *, unsigned);
unsigned model_nvlans(const struct dev *);
void	 model_port(const struct dev *, unsigned, struct port *);
unsigned model_o2(const struct dev *);
unsigned model_asn(const struct dev *, int);

/* text.c */
void	 text_version(const struct dev *, struct buf *);
void	 text_cpu(const struct dev *, struct buf *);
void	 text_counters(const struct dev *, struct buf *);
void	 text_linux(const struct dev *, enum cmd, const struct toks *,
	    struct buf *);

/* config.c */
void	 config_running(const struct dev *, struct buf *);

/* cli.c */
int	 cli_run(struct sess *, char *, int *);

/* face.c */
int	 face_lf_skip(struct sess *, int);
int	 face_more(const struct sess *, size_t, size_t);
int	 face_more_key(int, int);
void	 face_garbage(const struct sess *);
void	 face_endless(const struct sess *, unsigned long);
void	 face_prompt(struct sess *);
void	 face_banner(const struct sess *);
int	 face_edit(struct sess *, struct edit *, int);

/* term.c */
void	 term_emit(struct sess *, const struct buf *, int);
void	 term_hang(void) __attribute__((noreturn));
int	 term_shell(struct sess *);

/* tmlog.c */
void	 tmlog_exec(const char *, const struct dev *, const char *);
/* hostile.c */
void	 hostile_login(struct sess *);
int	 hostile_emit(struct sess *, const struct buf *);

/* devconf.c */
extern const char *const emu_platforms[];
extern const char *const emu_behaviours[];
int	 devconf_num(const char *, long, long *);
int	 devconf_load(const char *, struct rule *, size_t *);
void	 devconf_device(struct dev *, uint32_t, const struct rule *,
	    size_t);
uint32_t devconf_conn_ip(void);

#endif

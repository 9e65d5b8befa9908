/*
 * Private to worker/wrk_ssh*.c: the SSH attempt's state and its phases.
 * wrk_ssh.c drives the machine (socket, timers, connect, handshake, close),
 * wrk_ssh_auth.c checks the host key and authenticates, wrk_ssh_chan.c
 * runs the exec channels or the interactive shell.
 */
#ifndef NAUT_WRK_SSH_INT_H
#define NAUT_WRK_SSH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <libssh2.h>

#include "prompt.h"
#include "wrk_int.h"

#define SSH_MAGIC		0x73736821U	/* "ssh!" */
#define SSH_RBUF		16384
#define SSH_WINDOW		(256 * 1024)	/* bounds queued input per channel */
#define SSH_PACKET		32768
#define SSH_CLOSE_MS		5000
#define SSH_KEEPALIVE_S		15
#define SSH_NODIR_RETRY_MS	10

#define SSH_PHASES(X)		\
	X(RESOLVE, "resolve")	\
	X(CONNECT, "connect")	\
	X(HANDSHAKE, "handshake") \
	X(HOSTKEY, "hostkey")	\
	X(AUTHLIST, "authlist")	\
	X(AUTH_KEY, "auth_publickey") \
	X(AUTH_PW, "auth_password") \
	X(AUTH_KBD, "auth_kbdint") \
	X(CH_OPEN, "channel_open") \
	X(CH_PTY, "pty")	\
	X(CH_START, "channel_start") \
	X(EXEC_READ, "exec_read") \
	X(CH_CLOSE, "channel_close") \
	X(CH_FREE, "channel_free") \
	X(SH_WRITE, "shell_write") \
	X(SH_READ, "shell_read") \
	X(SH_EOF, "shell_eof")	\
	X(DISCONNECT, "disconnect") \
	X(FREE, "free")		\
	X(DONE, "done")

enum ssh_phase {
#define X(e, s) PH_##e,
	SSH_PHASES(X)
#undef X
};

extern const char *const ssh_phase_names[];

enum step { STEP_NEXT, STEP_WAIT, STEP_FAIL };

/* What the shell sends next, in order. */
enum sh_what { SH_LOGIN, SH_PAGING, SH_COMMAND, SH_EXIT };

struct ssh_attempt {
	uint32_t		 magic;
	struct wrk		*w;
	const struct conf_device *dev;
	const struct conf_job	*job;
	const struct wrk_att_cb	*cb;
	void			*arg;
	enum ssh_phase		 phase;
	int			 fd;
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	struct evdns_getaddrinfo_request *dnsreq;
	LIBSSH2_SESSION		*s;
	LIBSSH2_CHANNEL		*ch;
	struct event		*ev;		/* socket */
	struct event		*tmo;		/* phase deadline */
	struct event		*ka;		/* keepalive */
	struct event		*kick;		/* zero-delay re-step */
	int			 wait_in_only;	/* safe to send a keepalive */
	size_t			 cmd;		/* next command index */
	const char		*auth_methods;
	int			 kbd_used;
	/* exec */
	char			*obuf;
	size_t			 olen, ocap;
	/* shell */
	struct prompt		 pr;
	enum sh_what		 sh_what;
	size_t			 sh_paging;	/* next paging-off command */
	char			*wbuf;		/* line being written */
	size_t			 wlen, woff;
	int			 sh_after_more;
	enum naut_err		 err;
	char			 msg[200];
	int			 closing;	/* teardown after success */
	size_t			 armed_for;	/* command index + 1 timed */
	int			 dns_started, dns_done, dns_err;
	char			 rbuf[SSH_RBUF];
};


struct ssh_attempt	*ssh_check(void *);
int	ssh_fail(struct ssh_attempt *, enum naut_err, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	ssh_fail_lib(struct ssh_attempt *, int rc, enum naut_err dflt);
void	ssh_timer(struct ssh_attempt *, uint64_t ms);
void	ssh_cmd_timer(struct ssh_attempt *);
int	ssh_wait(struct ssh_attempt *);

/* wrk_ssh_mem.c: libssh2 allocations, wiped when freed */
LIBSSH2_SESSION	*ssh_session_new(void);
void		*ssh_mem_alloc(size_t);

/* wrk_ssh_auth.c */
void	ssh_hostkey_pref(struct ssh_attempt *);
int	ssh_ph_hostkey(struct ssh_attempt *);
int	ssh_ph_authlist(struct ssh_attempt *);
int	ssh_ph_auth_key(struct ssh_attempt *);
int	ssh_ph_auth_pw(struct ssh_attempt *);
int	ssh_ph_auth_kbd(struct ssh_attempt *);

/* wrk_ssh_chan.c */
int	ssh_ph_ch_open(struct ssh_attempt *);
int	ssh_ph_pty(struct ssh_attempt *);
int	ssh_ph_ch_start(struct ssh_attempt *);
int	ssh_ph_exec_read(struct ssh_attempt *);
int	ssh_ph_ch_close(struct ssh_attempt *);
int	ssh_ph_ch_free(struct ssh_attempt *);
int	ssh_ph_sh_write(struct ssh_attempt *);
int	ssh_ph_sh_read(struct ssh_attempt *);
int	ssh_ph_sh_eof(struct ssh_attempt *);

#endif

/*
 * simd, the lab's scale simulator: what its parts share.  Private to
 * tests/lab; tests/lab/simd.c is the program, tests/lab/README its manual.
 *
 *   simd.c       options, the listening socket, connections, the loop
 *   simd/auth.c  host key, password and authorized keys; auth callbacks
 *   simd/chan.c  channels: exec and shell over the emulator's model
 *                (tests/lab/emu), paced by events instead of sleeps
 */
#ifndef NAUT_LAB_SIMD_H
#define NAUT_LAB_SIMD_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <libssh/libssh.h>
#include <libssh/callbacks.h>
#include <libssh/server.h>

#include "../emu/emu.h"

#define CONN_MAGIC	0x53494d43u	/* "SIMC" */
#define CHAN_MAGIC	0x53494d48u	/* "SIMH" */

enum conn_state { CS_KEX, CS_RUN, CS_DEAD };

struct chan;

/* One TCP connection: an SSH session to one device. */
struct conn {
	unsigned		 c_magic;
	enum conn_state		 c_state;
	ssh_session		 c_ssh;
	ssh_event		 c_sev;		/* the session's own poll set */
	int			 c_fd;
	uint32_t		 c_ip;		/* the device: local address */
	char			 c_user[64];	/* authenticated as */
	int			 c_authed;
	struct event		 c_rd, c_wr;
	struct ssh_server_callbacks_struct c_scb;
	struct chan		*c_chans;
};

/* What the whole simulator shares. */
struct simd {
	struct event_base	*sd_base;
	ssh_bind		 sd_bind;
	const char		*sd_lab;
	char			 sd_user[64];
	char			 sd_password[256];
	ssh_key			*sd_keys;	/* authorized public keys */
	size_t			 sd_nkeys;
	struct rule		*sd_rules;	/* devices.conf */
	size_t			 sd_nrules;
	int			 sd_rules_bad;	/* invalid: logins fail */
	time_t			 sd_time;	/* --time; 0 the real clock */
	unsigned long		 sd_accepted, sd_authed, sd_failed,
				 sd_channels, sd_open;
};

extern struct simd simd;

/* simd.c */
void	 conn_kill(struct conn *);
void	 conn_service(struct conn *);

/* auth.c */
int	 auth_load(const char *, const char *);
void	 auth_setup(struct conn *);

/* chan.c */
ssh_channel chan_open(ssh_session, void *);
void	 chan_run_all(struct conn *);
void	 chan_free_all(struct conn *);

#endif

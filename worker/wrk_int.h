/*
 * Private to worker/: the worker's process state and the interfaces between
 * its layers (run: one device's attempts; ssh: one attempt's session).
 */
#ifndef NAUT_WRK_INT_H
#define NAUT_WRK_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "conf.h"
#include "log.h"
#include "naut_enums.h"
#include "clock.h"
#include "wrk.h"

struct event_base;
struct evdns_base;
struct htab;
struct kh;
struct kh_entry;
struct rest_engine;
struct wrk_run;

#define WRK_MAGIC	0x6e77726bU	/* "nwrk" */

struct wrk {
	uint32_t		 w_magic;
	const struct wrk_heritage *w_h;
	struct event_base	*w_base;
	struct evdns_base	*w_dns;
	struct naut_ctr		*w_ctr;
	struct htab		*w_kh;		/* known_hosts path -> entry */
	struct kh_entry		*w_khlist;	/* the same entries, to free */
	uint64_t		 w_rng;
	unsigned		 w_active;	/* runs holding a token */
	unsigned		 w_queued;	/* runs waiting for a token */
	int			 w_draining;	/* SIGTERM: start nothing new */
	int			 w_handover;	/* SIGUSR1: reload, give back */
	int			 w_terms;	/* SIGTERM/SIGINT received */
	int			 w_deadline_hit;
	TAILQ_HEAD(, wrk_run)	 w_queue;	/* runs waiting for a token */
	TAILQ_HEAD(, wrk_run)	 w_runs;	/* every run not finished */
	size_t			 w_nruns;
	struct event		*w_wake;	/* budget wake fd */
	struct event		*w_wake_tmo;	/* fallback for lost wakes */
	int			 w_waiting;
	char		       **w_outnames[CONF_TRANSPORT_COUNT]; /* per step */
	struct rest_engine	*w_rest;	/* wrk_rest.c: the CURLM, or NULL */
	struct wrk_tm		*w_tm;		/* daemon mode (wrk_tm.c) */
	struct wrk_parse	*w_parse;	/* the job's parse:, or NULL */
};

/* wrk_parse.c: a job's parse: (TextFSM). */
struct wrk_parse;
struct wrk_parsed {
	char		*json;		/* the rows, to free */
	size_t		 jsonlen;
	size_t		 rows;
	int		 required;	/* the template has Required values */
	char		 err[WRK_MSG_MAX];
};
struct wrk_parse *wrk_parse_new(const struct conf *, const struct conf_job *);
void		 wrk_parse_free(struct wrk_parse *);
/* 0 parsed, 1 no template for this command, -1 failed (out->err). */
int		 wrk_parse_run(struct wrk_parse *, const struct conf_device *,
		    const char *cmd, const char *text, size_t len,
		    struct wrk_parsed *out);

struct kh	*wrk_knownhosts(struct wrk *, const char *path);
void		 wrk_send(struct wrk *, const struct wrk_rec *);
void		 wrk_log_event(struct wrk *, enum log_level, unsigned dev,
		    const char *event, enum naut_err status, int64_t dur_ms,
		    const char *, ...) __attribute__((format(printf, 7, 8)));

/* wrk_secret.c */
const struct wrk_key *wrk_key_find(struct wrk *, const char *path);
void	wrk_secrets_trim(const struct wrk_heritage *);
void	wrk_secrets_wipe(const struct wrk_heritage *);

/* wrk_main.c */
void		 wrk_wait_budget(struct wrk *, int on);
void		 wrk_idle(struct wrk *);	/* nothing left: exit the loop */

/* wrk_run.c: one device's attempts, retries and records. */
struct wrk_run	*wrk_run_new(struct wrk *, const struct conf_device *);
void		 wrk_run_enqueue(struct wrk_run *);
void		 wrk_run_pump(struct wrk *);
void		 wrk_run_start_all(struct wrk *);
void		 wrk_run_drain(struct wrk *);
void		 wrk_run_handover(struct wrk *);
void		 wrk_run_cancel_all(struct wrk *, enum naut_err, const char *);

/*
 * A transport runs one attempt: the job's steps for one device, from
 * connect to close.  wrk_run.c owns everything around an attempt (budget,
 * breaker, retries, records); a transport only talks to the device.
 */
struct wrk_att_cb {
	/* Output of step i is complete (exec: EOF; shell: prompt). */
	void	(*ac_output)(void *, size_t step, const char *, size_t,
		    int code);
	/* The attempt is over; err NAUT_ERR_OK when every step ran. */
	void	(*ac_done)(void *, enum naut_err, const char *msg);
	/*
	 * Optional, before a failing ac_done: the failed step's status (HTTP)
	 * and the server's Retry-After in ms (0: none).
	 */
	void	(*ac_status)(void *, int code, uint64_t retry_after_ms);
	/*
	 * Kept-open sessions only (wt_open): the session is up, or its poll
	 * is over, and it waits for the next wt_poll holding nothing.  May
	 * call wt_poll, wt_close or wt_cancel.
	 */
	void	(*ac_idle)(void *);
};

struct wrk_transport {
	const char	*wt_name;
	/* Never calls back before it returns; NULL only if out of memory. */
	void		*(*wt_start)(struct wrk *, const struct conf_device *,
			    const struct conf_job *, size_t first_step,
			    const struct wrk_att_cb *, void *arg);
	/* Abort now; ac_done is called with why before this returns. */
	void		 (*wt_cancel)(void *att, enum naut_err why,
			    const char *msg);
	/* The worker is exiting: free per-worker state (may be NULL). */
	void		 (*wt_shutdown)(struct wrk *);
	/*
	 * Kept-open sessions for telemetry (NULL where a transport has none):
	 * wt_open connects and authenticates, then calls ac_idle instead of
	 * closing.  wt_poll starts one poll of a telemetry entry on an idle
	 * session: its raw answer comes through ac_output (step 0), then
	 * ac_idle again; a failure ends the session through ac_done.
	 * wt_close closes an idle session in order (ac_done follows).  None
	 * of them calls back before it returns.
	 */
	void		*(*wt_open)(struct wrk *, const struct conf_device *,
			    const struct wrk_att_cb *, void *arg);
	int		 (*wt_poll)(void *sess, const struct conf_telemetry *);
	void		 (*wt_close)(void *sess);
};

/* wrk_tm.c: telemetry daemon mode, polls on kept-open sessions. */
size_t		 wrk_tm_start(struct wrk *);	/* tasks scheduled */
void		 wrk_tm_pump(struct wrk *);	/* a budget token may be free */
void		 wrk_tm_signal(struct wrk *);	/* SIGTERM/SIGINT */
void		 wrk_tm_free(struct wrk *);

/* wrk_tp.c: NULL when this build has no such transport. */
const struct wrk_transport *wrk_transport(unsigned conf_transport);

/* wrk_ssh.c: SSH exec and interactive shells. */
extern const struct wrk_transport wrk_tp_ssh;
/* wrk_rest.c: HTTPS requests through libcurl. */
extern const struct wrk_transport wrk_tp_rest;
/* wrk_ssh.c + wrk_nc.c: NETCONF over SSH's netconf subsystem. */
extern const struct wrk_transport wrk_tp_netconf;

/* wrk_out.c: saved outputs. */
int		 wrk_out_write(const char *outdir, const char *device,
		    const char *name, const char *data, size_t len,
		    char *err, size_t errlen);
void		 wrk_out_filename(const char *command, char *, size_t);
char		**wrk_out_names(const struct conf_job *, unsigned transport);

#endif

/*
 * sup: the supervisor process.  It owns the parsed fleet, the segment, the
 * workers and every file naut writes besides device outputs: results.jsonl
 * and the log.  Workers report to it over one socketpair each.
 */
#ifndef NAUT_SUP_H
#define NAUT_SUP_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "clock.h"
#include "wrk.h"

struct conf;
struct conf_job;
struct event;
struct event_base;
struct evhttp;
struct shm;
struct sup_priv;

struct sup_opts {
	const char	*so_file;
	const char	*so_job;		/* --job NAME */
	uint32_t	 so_shard_k, so_shard_n;	/* --shard K/N; n 0 = all */
	int		 so_progress;		/* -1 auto (tty), 0 off, 1 on */
	const char	*so_pidfile;
	int		 so_verbose;
};

struct sup_worker {
	unsigned	 sw_index;
	pid_t		 sw_pid;
	int		 sw_fd;		/* our end of the socketpair */
	struct event	*sw_ev;
	unsigned	 sw_restarts;
#define SUP_CRASH_MAX		5	/* crashes within SUP_CRASH_WINDOW_MS */
#define SUP_CRASH_WINDOW_MS	60000	/* ... and the worker stays down */
	uint64_t	 sw_crash_ms[SUP_CRASH_MAX];	/* ring of crash times */
	uint64_t	 sw_started_ms;
	int		 sw_done;	/* exited and will not be restarted */
};

/* Per device: what the summary and the dedupe need. */
struct sup_devstat {
	uint32_t	 sd_err;	/* final enum naut_err */
	uint32_t	 sd_attempts;
	uint64_t	 sd_dur_ms;
	uint8_t		 sd_done;
};

struct sup {
	const struct sup_opts	*s_opts;
	struct conf		*s_conf;
	const struct conf_job	*s_job;
	struct event_base	*s_base;
	struct shm		*s_shm;
	uint8_t			*s_selected;	/* per device */
	uint16_t		*s_owner;	/* per device: worker */
	size_t			 s_nselected;
	struct sup_worker	*s_workers;
	unsigned		 s_nworkers;
	unsigned		 s_alive;
	struct wrk_heritage	 s_heritage;
	FILE			*s_results;
	uint64_t		 s_run_id;
	uint8_t			*s_written;	/* device x command: record out */
	size_t			 s_maxsteps;	/* row length of s_written */
	struct sup_devstat	*s_dev;
	size_t			 s_ndone, s_nok, s_nfailed;
	uint64_t		 s_bystatus[32];
	uint64_t		 s_t0_ms;
	uint64_t		 s_deadline_ms;
	int			 s_tty;
	int			 s_stopping;	/* signals received */
	int			 s_deadline_hit;	/* past deadline + grace */
	struct evhttp		*s_http;	/* /metrics, /healthz */
	struct event		*s_progress;
	struct event		*s_drain;
#define SUP_NSIGS	4
	struct event		*s_sigs[SUP_NSIGS];	/* CHLD TERM INT HUP */
	int			 s_progress_shown;
	struct sup_priv		*s_priv;	/* privilege separation */
};

/* sup_run.c */
int	sup_run(struct sup *);

/* sup_spawn.c */
int	sup_spawn(struct sup *, unsigned w);
void	sup_reap(struct sup *);
void	sup_signal_workers(struct sup *, int sig);

/* sup_results.c */
int	sup_results_open(struct sup *);
void	sup_results_close(struct sup *);
void	sup_results_handle(struct sup *, const struct wrk_rec *);
void	sup_results_log(struct sup *, unsigned w, pid_t,
	    const struct wrk_rec *);

/* sup_metrics.c */
int	sup_metrics_start(struct sup *);
void	sup_metrics_stop(struct sup *);

/* sup_limits.c */
int	sup_limits_init(struct sup *);
unsigned sup_limits_sessions(unsigned long long nofile);

/* sup_priv.c */
int	sup_priv_init(struct sup *);
mode_t	sup_priv_shm_mode(const struct conf *);
int	sup_priv_setup(struct sup *);
void	sup_priv_drop(const struct sup *);
void	sup_priv_free(struct sup *);

/* sup_progress.c */
void	sup_progress_start(struct sup *);
void	sup_progress_draw(struct sup *, int final);
void	sup_summary(struct sup *, FILE *);


#endif

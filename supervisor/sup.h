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
#include "shm.h"
#include "wrk.h"

struct conf;
struct conf_device;
struct conf_job;
struct sup_tm;
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
	int		 so_telemetry;		/* --telemetry: daemon mode */
	const char	*so_tm_log;		/* --telemetry-log FILE */
	uint64_t	 so_tm_log_max;		/* rotate past this size */
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
	/* SIGHUP with a valid file: the fleet the next generation runs. */
	struct conf		*s_next;
	const struct conf_job	*s_next_job;
	unsigned		 s_generation;	/* reloads applied */
	struct sup_tm		*s_tm;		/* daemon mode (sup_tm.c) */
	struct sup_priv		*s_priv;	/* privilege separation */
};

/* sup_run.c */
int	sup_run(struct sup *);
/* sup_parse.c: --parse TEMPLATE FILE; returns the exit code. */
int	sup_parse_cmd(const char *, const char *);
void	sup_select(struct sup *);
enum shm_rc sup_segment(struct sup *, uint64_t generation, struct shm **,
	    char *errbuf);
void	sup_heritage(struct sup *);

/* sup_reload.c */
void	sup_reload(struct sup *);		/* SIGHUP */
void	sup_reload_apply(struct sup *);		/* old workers all gone */
void	sup_reload_forget(struct sup *);	/* at exit */

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

/* sup_tm.c: telemetry daemon mode */
int	sup_tm_check(const struct conf *);
int	sup_tm_init(struct sup *);	/* 0, or an exit status */
void	sup_tm_free(struct sup *);
int	sup_tm_selects(const struct sup *, const struct conf_device *);
void	sup_tm_handle(struct sup *, const struct wrk_rec *);
void	sup_tm_metrics(FILE *, const struct sup *);

/* sup_tm_log.c: the JSON-lines sink of every point */
int	sup_tm_log_open(struct sup *);
void	sup_tm_log_close(void);
void	sup_tm_log_point(const struct sup *, const struct wrk_rec *,
	    const char *labels, size_t);
void	sup_tm_log_flush(void);
/* sup_limits.c */
int	sup_limits_init(struct sup *);
unsigned sup_limits_sessions(unsigned long long nofile);

/* sup_priv.c */
int	sup_priv_init(struct sup *);
mode_t	sup_priv_shm_mode(const struct conf *);
int	sup_priv_setup(struct sup *);
int	sup_priv_segment(struct sup *);
void	sup_priv_drop(const struct sup *);
void	sup_priv_free(struct sup *);

/* sup_progress.c */
void	sup_progress_start(struct sup *);
void	sup_progress_draw(struct sup *, int final);
void	sup_summary(struct sup *, FILE *);


#endif

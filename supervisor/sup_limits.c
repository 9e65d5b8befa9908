/*
 * Open files: every session holds a socket, and briefly an output file,
 * in its worker.  The soft RLIMIT_NOFILE is raised to the hard limit at
 * start, and each worker's cap on open sessions is sized from it, so a
 * large max_concurrent costs waiting sessions instead of EMFILE failures.
 */
#include <sys/resource.h>

#include "conf.h"
#include "log.h"
#include "sup.h"

#define SUP_FD_RESERVE		64	/* logs, epoll, eventfds, DNS, ... */
#define SUP_FD_PER_SESSION	2	/* socket, output file being saved */

/* The sessions that fit in nofile open files, in one worker. */
unsigned
sup_limits_sessions(unsigned long long nofile)
{
	if (nofile <= SUP_FD_RESERVE + SUP_FD_PER_SESSION)
		return 1;
	return (unsigned)((nofile - SUP_FD_RESERVE) / SUP_FD_PER_SESSION);
}

/*
 * Returns -1 (a configuration error) only when max_sessions_per_worker
 * was asked for and the hard limit cannot hold it.  Otherwise the cap is
 * what fits, with a warning when that is below what max_concurrent could
 * put on one worker.
 */
int
sup_limits_init(struct sup *s)
{
	const struct conf_supervisor *cs = &s->s_conf->sup;
	struct rlimit rl;
	unsigned fit, want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return 0;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("raising the open file limit to %llu",
			    (unsigned long long)rl.rlim_max);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	fit = rl.rlim_cur == RLIM_INFINITY ? 1000000 :
	    sup_limits_sessions((unsigned long long)rl.rlim_cur);
	want = cs->max_sessions_per_worker;
	if (want != 0 && want > fit) {
		log_warnx("supervisor.max_sessions_per_worker %u needs %llu "
		    "open files, but the limit is %llu: raise it (ulimit -Hn, "
		    "systemd LimitNOFILE=) or lower the setting", want,
		    (unsigned long long)want * SUP_FD_PER_SESSION +
		    SUP_FD_RESERVE, (unsigned long long)rl.rlim_cur);
		return -1;
	}
	if (want == 0) {
		want = fit;
		/* Sessions are spread over workers, but one may get them all. */
		if (cs->max_concurrent > fit)
			log_warnx("open file limit %llu holds %u sessions per "
			    "worker, below max_concurrent %u; the rest wait "
			    "(raise it with ulimit -Hn or LimitNOFILE=)",
			    (unsigned long long)rl.rlim_cur, fit,
			    cs->max_concurrent);
	}
	s->s_heritage.wh_max_sessions = want;
	log_debug("open file limit %llu: at most %u sessions per worker",
	    (unsigned long long)rl.rlim_cur, want);
	return 0;
}

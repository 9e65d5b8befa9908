/*
 * The mechanics of workers: fork with a socketpair, reap, and restart a
 * worker that died while its shard still has work, after its budget tokens
 * and in-flight devices were given back (shm_worker_reap).  A worker that
 * keeps dying is not restarted forever (nginx's respawn rules).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "log.h"
#include "shm.h"
#include "sup.h"

#define SUP_RESTART_BASE_MS	100

static void
sup_worker_drain(struct sup *s, struct sup_worker *sw)
{
	struct wrk_rec rec;
	ssize_t n;

	while ((n = recv(sw->sw_fd, &rec, sizeof(rec), MSG_DONTWAIT)) ==
	    (ssize_t)sizeof(rec)) {
		if (rec.wr_type == WRK_REC_LOG)
			sup_results_log(s, sw->sw_index, sw->sw_pid, &rec);
		else
			sup_results_handle(s, &rec);
	}
}

struct sup_wctx {
	struct sup		*s;
	struct sup_worker	*sw;
};

static void
sup_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup_wctx *c = arg;
	struct wrk_rec rec;
	ssize_t n;
	int i;

	(void)fd;
	(void)what;
	/* A bounded batch per wake-up keeps one busy worker from starving
	 * the others and the progress timer. */
	for (i = 0; i < 256; i++) {
		n = recv(c->sw->sw_fd, &rec, sizeof(rec), MSG_DONTWAIT);
		if (n == (ssize_t)sizeof(rec)) {
			if (rec.wr_type == WRK_REC_LOG)
				sup_results_log(c->s, c->sw->sw_index,
				    c->sw->sw_pid, &rec);
			else
				sup_results_handle(c->s, &rec);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == 0 || n == -1) {
			/* Closed: the worker is exiting; SIGCHLD will reap. */
			event_del(c->sw->sw_ev);
			return;
		}
		log_warnx("worker %u sent a record of %zd bytes; ignored",
		    c->sw->sw_index, n);
	}
}

int
sup_spawn(struct sup *s, unsigned w)
{
	struct sup_worker *sw = &s->s_workers[w];
	struct sup_wctx *ctx;
	int sv[2], sndbuf = 1 << 20;
	sigset_t usr1, omask;
	unsigned i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("socketpair");
		return -1;
	}
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	/* Buffered results must not be written twice by the child's exit. */
	fflush(NULL);
	/*
	 * SIGUSR1 (hand over, on reload) would kill a child that has not set
	 * its handler yet: the child starts with it blocked and unblocks it
	 * once its event loop owns it.
	 */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &omask);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		sigprocmask(SIG_SETMASK, &omask, NULL);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		struct wrk_heritage h = s->s_heritage;
		pid_t parent = getppid();

		/*
		 * Signals are the supervisor's to hand on: out of the
		 * terminal's process group, a Ctrl-C reaches only it, and it
		 * drains the workers.  If it dies, we drain by ourselves.
		 */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			raise(SIGTERM);

		/*
		 * The parent's event base shares its epoll fd with us: reinit
		 * it before touching it, drop its signal events (so that our
		 * own base may own signals), free it, and only then close the
		 * fds its events refer to.
		 */
		event_reinit(s->s_base);
		/* The metrics listener is the supervisor's, not ours. */
		sup_metrics_stop(s);
		for (i = 0; i < SUP_NSIGS; i++)
			if (s->s_sigs[i] != NULL)
				event_del(s->s_sigs[i]);
		event_base_free(s->s_base);
		close(sv[0]);
		for (i = 0; i < s->s_nworkers; i++)
			if (s->s_workers[i].sw_fd != -1)
				close(s->s_workers[i].sw_fd);
		if (s->s_results != NULL)
			fclose(s->s_results);
		h.wh_index = w;
		h.wh_fd = sv[1];
		sup_priv_drop(s);
		wrk_main(&h);
	}
	sigprocmask(SIG_SETMASK, &omask, NULL);
	close(sv[1]);
	sw->sw_index = w;
	sw->sw_pid = pid;
	sw->sw_fd = sv[0];
	sw->sw_started_ms = clock_mono_ms();
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		fatal("calloc");
	ctx->s = s;
	ctx->sw = sw;
	if (sw->sw_ev != NULL) {
		free(event_get_callback_arg(sw->sw_ev));
		event_free(sw->sw_ev);
	}
	sw->sw_ev = event_new(s->s_base, sv[0], EV_READ | EV_PERSIST,
	    sup_read_cb, ctx);
	event_add(sw->sw_ev, NULL);
	shm_worker_set(s->s_shm, w, pid, NAUT_WSTATE_STARTING);
	s->s_alive++;
	log_debug("worker %u started, pid %ld", w, (long)pid);
	return 0;
}

/*
 * A worker killed between creating an output's temporary file and
 * renaming it leaves "<name>.tmp.<pid>" behind: remove those of its
 * devices, so nothing half-written stays in output_dir.
 */
static void
sup_clean_tmp(struct sup *s, unsigned w, pid_t pid)
{
	const struct conf *c = s->s_conf;
	char dir[4096], path[8192], suffix[32];
	struct dirent *de;
	size_t i, sl;
	DIR *d;

	sl = (size_t)snprintf(suffix, sizeof(suffix), ".tmp.%ld", (long)pid);
	for (i = 0; i < c->ndevices; i++) {
		if (!s->s_selected[i] || s->s_owner[i] != w)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", c->sup.output_dir,
		    c->devices[i].name);
		if ((d = opendir(dir)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			size_t l = strlen(de->d_name);

			if (l > sl && strcmp(de->d_name + l - sl, suffix) == 0) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    de->d_name);
				if (unlink(path) == 0)
					log_info("removed %s left by worker "
					    "%u", path, w);
			}
		}
		closedir(d);
	}
}

/* The loop ends once every worker finished or will not be restarted. */
static void
sup_check_done(struct sup *s)
{
	unsigned w;

	for (w = 0; w < s->s_nworkers; w++)
		if (!s->s_workers[w].sw_done)
			return;
	/* A reload waited for the old generation to hand over: start it. */
	if (s->s_next != NULL && !s->s_stopping && !s->s_deadline_hit) {
		sup_reload_apply(s);
		if (s->s_alive > 0)
			return;
	}
	event_base_loopexit(s->s_base, NULL);
}

struct sup_restart {
	struct sup	*s;
	unsigned	 w;
	struct event	*ev;
};

static void
sup_restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sup_restart *r = arg;
	struct sup *s = r->s;
	unsigned w = r->w;

	(void)fd;
	(void)what;
	event_free(r->ev);
	free(r);
	if (s->s_stopping || s->s_deadline_hit || s->s_next != NULL ||
	    sup_spawn(s, w) != 0) {
		s->s_workers[w].sw_done = 1;
		sup_check_done(s);
	}
}

/* Reap every exited worker; restart those that died with work left. */
void
sup_reap(struct sup *s)
{
	struct shm_reap rp;
	int status;
	pid_t pid;
	unsigned w;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct sup_worker *sw = NULL;
		uint64_t now, oldest;
		int clean, i, loop;

		for (w = 0; w < s->s_nworkers; w++)
			if (s->s_workers[w].sw_pid == pid)
				sw = &s->s_workers[w];
		if (sw == NULL)
			continue;
		/* Records it sent before dying are results too. */
		sup_worker_drain(s, sw);
		event_del(sw->sw_ev);
		close(sw->sw_fd);
		sw->sw_fd = -1;
		sw->sw_pid = 0;
		s->s_alive--;
		clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		memset(&rp, 0, sizeof(rp));
		/* EAGAIN: another worker is stopped mid-operation; brief. */
		for (i = 0; i < 20 && shm_worker_reap(s->s_shm, sw->sw_index,
		    clean, &rp) == SHM_EAGAIN; i++)
			usleep(50000);
		if (clean) {
			sw->sw_done = 1;
			log_debug("worker %u (pid %ld) finished", sw->sw_index,
			    (long)pid);
			continue;
		}
		sup_clean_tmp(s, sw->sw_index, pid);
		if (WIFSIGNALED(status))
			log_warnx("worker %u (pid %ld) killed by signal %d%s; "
			    "%u token(s) reclaimed, %u device(s) to redo",
			    sw->sw_index, (long)pid, WTERMSIG(status),
			    WCOREDUMP(status) ? " (core dumped)" : "",
			    rp.tokens, rp.requeued);
		else
			log_warnx("worker %u (pid %ld) exited with status %d; "
			    "%u token(s) reclaimed, %u device(s) to redo",
			    sw->sw_index, (long)pid, WEXITSTATUS(status),
			    rp.tokens, rp.requeued);
		/*
		 * Crash loop: SUP_CRASH_MAX crashes within the window and the
		 * worker stays down (nginx's "cannot be respawned").
		 */
		/*
		 * Crash k goes to slot k % 5; the slot after it then holds
		 * crash k - 4, the oldest of the last five.
		 */
		now = clock_mono_ms();
		sw->sw_crash_ms[sw->sw_restarts % SUP_CRASH_MAX] = now;
		oldest = sw->sw_crash_ms[(sw->sw_restarts + 1) % SUP_CRASH_MAX];
		loop = sw->sw_restarts >= SUP_CRASH_MAX - 1 &&
		    now - oldest < SUP_CRASH_WINDOW_MS;
		/* During a reload the new generation redoes its devices. */
		if ((WIFEXITED(status) && WEXITSTATUS(status) ==
		    WRK_EXIT_FATAL) || loop || s->s_stopping ||
		    s->s_deadline_hit || s->s_next != NULL) {
			if (!s->s_stopping && !s->s_deadline_hit &&
			    s->s_next == NULL)
				log_warnx("worker %u is not restarted: %s; its "
				    "devices stay unfinished", sw->sw_index,
				    loop ? "it crashed 5 times within 60 s" :
				    "it exited with its fatal status");
			sw->sw_done = 1;
			continue;
		}
		{
			struct sup_restart *r = calloc(1, sizeof(*r));
			unsigned recent = 0, k;
			uint64_t ms;

			/* Backoff doubles with the crashes of the window. */
			for (k = 0; k < SUP_CRASH_MAX; k++)
				if (sw->sw_crash_ms[k] != 0 && now -
				    sw->sw_crash_ms[k] < SUP_CRASH_WINDOW_MS)
					recent++;
			ms = (uint64_t)SUP_RESTART_BASE_MS << (recent - 1);
			struct timeval tv = { (time_t)(ms / 1000),
			    (suseconds_t)(ms % 1000) * 1000 };

			if (r == NULL)
				fatal("calloc");
			sw->sw_restarts++;
			r->s = s;
			r->w = sw->sw_index;
			r->ev = evtimer_new(s->s_base, sup_restart_cb, r);
			evtimer_add(r->ev, &tv);
		}
	}
	sup_check_done(s);
}

void
sup_signal_workers(struct sup *s, int sig)
{
	unsigned w;

	for (w = 0; w < s->s_nworkers; w++)
		if (s->s_workers[w].sw_pid > 0)
			kill(s->s_workers[w].sw_pid, sig);
}

/*
 * simd: the device lab's scale simulator.  One single-threaded process
 * serves SSH for every 127.x.y.z device at once, with the emulator's
 * platforms, outputs, pager and misbehaviours (tests/lab/emu), so that a
 * benchmark of 10,000 devices measures the client, not a lab of sshd
 * processes that spend tens of ms of CPU per login.
 *
 * One listening socket on 0.0.0.0:port bound to the loopback device takes
 * connections to every 127.0.0.0/8 address (as lab.sh's sshd does); the
 * local address of a connection names the device.  libssh's server API
 * runs each session non-blocking: libevent says when a socket is ready
 * and simd lets libssh read and answer it (ssh_handle_key_exchange during
 * the key exchange, then an ssh_event of that one session).  Credentials
 * are the lab's (lab.sh init): its ed25519 host key, password and
 * authorized_keys.  tests/lab/README is the manual.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simd/simd.h"
#include "xmem.h"

struct simd simd;

static char		 conf_path[4096];
static struct stat	 conf_st;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: simd --lab dir [--port port] [--hostkey file] "
	    "[--user name]\n"
	    "            [--time epoch] [--max-time sec] [--pidfile file]\n");
	exit(64);
}

/* devices.conf again if it changed: the emulator reads it every login. */
static void
conf_reload(void)
{
	struct stat st;
	int errors;

	if (stat(conf_path, &st) == -1)
		memset(&st, 0, sizeof(st));
	if (st.st_mtim.tv_sec == conf_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == conf_st.st_mtim.tv_nsec &&
	    st.st_size == conf_st.st_size && st.st_ino == conf_st.st_ino)
		return;
	conf_st = st;
	errors = devconf_load(conf_path, simd.sd_rules, &simd.sd_nrules);
	simd.sd_rules_bad = errors != 0;
	if (errors)
		fprintf(stderr, "simd: %s is invalid: logins fail\n",
		    conf_path);
}

static void
conn_free(struct conn *c)
{
	event_del(&c->c_rd);
	event_del(&c->c_wr);
	if (c->c_sev != NULL) {
		ssh_event_remove_session(c->c_sev, c->c_ssh);
		ssh_event_free(c->c_sev);
	}
	/* Closes the socket and frees libssh's channels; then ours. */
	ssh_free(c->c_ssh);
	chan_free_all(c);
	c->c_magic = 0;
	free(c);
}

/* Drop the connection as a killed server would: no goodbye. */
void
conn_kill(struct conn *c)
{
	shutdown(c->c_fd, SHUT_RDWR);
	c->c_state = CS_DEAD;
}

/*
 * After packets or a timer: move the channels on, then wait for what
 * libssh waits for (writing, if its socket buffer holds data), or free
 * the connection if it is over.
 */
void
conn_service(struct conn *c)
{
	if (c->c_state == CS_RUN) {
		chan_run_all(c);
		if (ssh_get_status(c->c_ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			c->c_state = CS_DEAD;
	}
	if (c->c_state == CS_DEAD) {
		conn_free(c);
		return;
	}
	if (ssh_get_poll_flags(c->c_ssh) & SSH_WRITE_PENDING)
		event_add(&c->c_wr, NULL);
}

static void
conn_io(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int rc;

	if (c->c_magic != CONN_MAGIC)
		abort();
	if (c->c_state == CS_KEX) {
		rc = ssh_handle_key_exchange(c->c_ssh);
		if (rc == SSH_AGAIN) {
			conn_service(c);
			return;
		}
		if (rc != SSH_OK) {
			c->c_state = CS_DEAD;
			conn_service(c);
			return;
		}
		/*
		 * A poll set of its own: ssh_event_dopoll() then looks at
		 * this one socket, whatever the number of sessions.
		 */
		if ((c->c_sev = ssh_event_new()) == NULL ||
		    ssh_event_add_session(c->c_sev, c->c_ssh) != SSH_OK) {
			c->c_state = CS_DEAD;
			conn_service(c);
			return;
		}
		c->c_state = CS_RUN;
	} else if (ssh_event_dopoll(c->c_sev, 0) == SSH_ERROR)
		c->c_state = CS_DEAD;
	conn_service(c);
}

static void
conn_new(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct conn *c;

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1 ||
	    sin.sin_family != AF_INET) {
		close(fd);
		return;
	}
	conf_reload();
	c = xcalloc(1, sizeof(*c));
	c->c_magic = CONN_MAGIC;
	c->c_fd = fd;
	c->c_ip = ntohl(sin.sin_addr.s_addr);
	if ((c->c_ssh = ssh_new()) == NULL ||
	    ssh_bind_accept_fd(simd.sd_bind, c->c_ssh, fd) != SSH_OK) {
		fprintf(stderr, "simd: accept: %s\n", c->c_ssh ?
		    ssh_get_error(c->c_ssh) : "out of memory");
		if (c->c_ssh != NULL)
			ssh_free(c->c_ssh);
		close(fd);
		free(c);
		return;
	}
	ssh_set_blocking(c->c_ssh, 0);
	auth_setup(c);
	c->c_state = CS_KEX;
	event_assign(&c->c_rd, simd.sd_base, fd, EV_READ | EV_PERSIST,
	    conn_io, c);
	event_assign(&c->c_wr, simd.sd_base, fd, EV_WRITE, conn_io, c);
	event_add(&c->c_rd, NULL);
	simd.sd_accepted++;
	/* The server speaks first: its version banner. */
	conn_io(fd, EV_WRITE, c);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	int fd, i;

	for (i = 0; i < 64; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				fprintf(stderr, "simd: accept: %s\n",
				    strerror(errno));
			return;
		}
		conn_new(fd);
	}
}

/* 0.0.0.0:port on the loopback device: every 127.x.y.z, nothing else. */
static int
listen_on(int port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 4096) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
stats(void)
{
	struct rusage ru;
	double cpu;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	fprintf(stderr, "simd: %lu connections, %lu logins, %lu refused, "
	    "%lu channels; CPU %.2f s (%.3f ms/connection), max RSS %ld KiB\n",
	    simd.sd_accepted, simd.sd_authed, simd.sd_failed,
	    simd.sd_channels, cpu,
	    simd.sd_accepted ? cpu * 1000 / (double)simd.sd_accepted : 0.0,
	    ru.ru_maxrss);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(simd.sd_base);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "hostkey", required_argument, NULL, 'k' },
		{ "user", required_argument, NULL, 'u' },
		{ "time", required_argument, NULL, 't' },
		{ "max-time", required_argument, NULL, 'm' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	static struct rule rules[RULES_MAX];
	struct event *ev_l, *ev_term, *ev_int, *ev_max;
	struct timeval max = { 3600, 0 };
	struct rlimit rl;
	const char *hostkey = NULL, *pidfile = NULL, *u;
	char path[4096];
	long v, port = 22600;
	int ch, lfd;
	FILE *fp;

	u = getenv("LAB_USER");
	snprintf(simd.sd_user, sizeof(simd.sd_user), "%s", u ? u : "nautlab");
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			simd.sd_lab = optarg;
			break;
		case 'p':
			if (devconf_num(optarg, 65535, &port) != 0)
				usage();
			break;
		case 'k':
			hostkey = optarg;
			break;
		case 'u':
			snprintf(simd.sd_user, sizeof(simd.sd_user), "%s",
			    optarg);
			break;
		case 't':
			if (devconf_num(optarg, 1L << 40, &v) != 0)
				usage();
			simd.sd_time = (time_t)v;
			break;
		case 'm':
			if (devconf_num(optarg, 1L << 30, &v) != 0)
				usage();
			max.tv_sec = v;
			break;
		case 'P':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || simd.sd_lab == NULL)
		usage();
	signal(SIGPIPE, SIG_IGN);
	/* Thousands of sessions: as many descriptors as we may have. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	simd.sd_rules = rules;
	snprintf(conf_path, sizeof(conf_path), "%s/devices.conf", simd.sd_lab);
	conf_reload();
	if ((simd.sd_bind = ssh_bind_new()) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/ssh_host_ed25519_key", simd.sd_lab);
	if (auth_load(simd.sd_lab, hostkey ? hostkey : path) == -1)
		return 1;
	if ((lfd = listen_on((int)port)) == -1) {
		fprintf(stderr, "simd: port %ld: %s\n", port, strerror(errno));
		return 1;
	}
	if ((simd.sd_base = event_base_new()) == NULL)
		return 1;
	ev_l = event_new(simd.sd_base, lfd, EV_READ | EV_PERSIST, accept_cb,
	    NULL);
	ev_term = evsignal_new(simd.sd_base, SIGTERM, stop_cb, NULL);
	ev_int = evsignal_new(simd.sd_base, SIGINT, stop_cb, NULL);
	/* A lab fixture never outlives a test run. */
	ev_max = evtimer_new(simd.sd_base, stop_cb, NULL);
	event_add(ev_l, NULL);
	event_add(ev_term, NULL);
	event_add(ev_int, NULL);
	event_add(ev_max, &max);
	if (pidfile != NULL) {
		snprintf(path, sizeof(path), "%s.tmp", pidfile);
		if ((fp = fopen(path, "w")) == NULL ||
		    fprintf(fp, "%ld\n", (long)getpid()) < 0 ||
		    fclose(fp) != 0 || rename(path, pidfile) == -1) {
			fprintf(stderr, "simd: %s: %s\n", pidfile,
			    strerror(errno));
			return 1;
		}
	}
	event_base_dispatch(simd.sd_base);
	stats();
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
}

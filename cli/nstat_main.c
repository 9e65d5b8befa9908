/*
 * naut-stat: show a running fleet's counters, budget, workers and devices
 * from its shared-memory segment, read-only (varnishstat for naut).
 * main() reads top to bottom: options, -l (needs no segment), attach
 * (waiting with -t), then one of -j, -d, a single snapshot, or the loop
 * that redraws and re-attaches when the supervisor restarts.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "nstat.h"
#include "xmem.h"

#ifndef NAUT_VERSION
#define NAUT_VERSION	"unknown"
#endif

static volatile sig_atomic_t	stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* -h asks for the text: stdout and 0; a mistake gets it on stderr and 64. */
static void __attribute__((noreturn))
usage(int asked)
{
	fprintf(asked ? stdout : stderr,
	    "usage: naut-stat [-1dhjlV] [-n name | -p path] [-w secs] [-c count]"
	    " [-t secs]\n"
	    "                 [-I glob] [-X glob] [-D glob] [-s word]\n"
	    "  -1       print one snapshot and exit (the default off a "
	    "terminal)\n"
	    "  -c count redraw count times, then exit\n"
	    "  -d       list devices (status, attempts, last error, "
	    "breaker)\n"
	    "  -D glob  only devices whose name matches glob (implies -d)\n"
	    "  -h       print this help and exit\n"
	    "  -I glob  include counters matching glob\n"
	    "  -j       print one JSON object\n"
	    "  -l       list the counters and their descriptions\n"
	    "  -n name  fleet name: segment /dev/shm/naut.<name>\n"
	    "  -p path  segment file path\n"
	    "  -s word  only devices with this status, breaker state or "
	    "error (implies -d)\n"
	    "  -t secs  wait up to secs for the segment to appear\n"
	    "  -V       print the version\n"
	    "  -w secs  refresh interval of the live view (default 1)\n"
	    "  -X glob  exclude counters matching glob\n");
	exit(asked ? NAUT_EX_OK : NAUT_EX_USAGE);
}

static void
errx_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "naut-stat: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(NAUT_EX_USAGE);
}

static double
parse_secs(const char *s, double min)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || d < min || d > 86400)
		errx_usage("bad number of seconds: %s", s);
	return d;
}

static void
sleep_secs(double d)
{
	struct timespec ts;

	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	/* A signal ends the sleep early; the caller checks stop. */
	nanosleep(&ts, NULL);
}

/*
 * Without -n or -p: the only naut segment in /dev/shm if there is exactly
 * one, else "naut".  found lists what exists, for the error message.
 */
static const char *
default_name(char *only, size_t olen, char *found, size_t flen)
{
	struct dirent *de;
	DIR *d;
	size_t l = 0;
	int n = 0;

	found[0] = '\0';
	if ((d = opendir("/dev/shm")) == NULL)
		return "naut";
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "naut.", 5) != 0 ||
		    strlen(de->d_name + 5) > SHM_NAME_MAX)
			continue;
		if (n++ == 0)
			snprintf(only, olen, "%s", de->d_name + 5);
		if (l < flen)
			l += (size_t)snprintf(found + l, flen - l, "%s%s",
			    l ? ", " : "", de->d_name + 5);
	}
	closedir(d);
	return n == 1 ? only : "naut";
}

static struct shm *
attach_wait(const struct nstat_opts *o, const char *found)
{
	char errbuf[SHM_ERRBUF];
	struct timespec ts;
	struct shm *seg;
	double deadline, now;
	enum shm_rc rc;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + o->o_wait;
	for (;;) {
		rc = shm_attach(o->o_name, o->o_path, &seg, errbuf);
		if (rc == SHM_OK)
			return seg;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		if ((rc != SHM_ENOENT && rc != SHM_ENOTREADY) ||
		    now >= deadline || stop)
			break;
		sleep_secs(0.1);
	}
	fprintf(stderr, "naut-stat: %s", errbuf);
	if (rc == SHM_ENOENT) {
		if (o->o_path == NULL)
			fprintf(stderr, " (fleet name \"%s\"%s)", o->o_name,
			    found[0] ? "" : "; is naut-supervisor running?");
		if (found[0] != '\0')
			fprintf(stderr, "; segments found: %s (use -n)", found);
		if (o->o_wait > 0)
			fprintf(stderr, "; waited %.1f s", o->o_wait);
	}
	fputc('\n', stderr);
	exit(NSTAT_EX_NOSEG);
}

static void
warn_stale(const struct shm *seg)
{
	struct shm_info in;

	shm_info(seg, &in);
	if (!in.sup_alive)
		fprintf(stderr, "naut-stat: supervisor pid %ld of %s is not "
		    "running: these are the last values it left\n",
		    (long)in.sup_pid, in.path);
}

static void
describe_change(char *note, size_t len, enum shm_change ch,
    const struct shm_info *old)
{
	char when[16];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	switch (ch) {
	case SHM_RELOADED:
		snprintf(note, len, "%s supervisor reloaded (was generation "
		    "%llu)", when, (unsigned long long)old->generation);
		break;
	case SHM_REPLACED:
		snprintf(note, len, "%s supervisor restarted (was pid %ld, "
		    "generation %llu)", when, (long)old->sup_pid,
		    (unsigned long long)old->generation);
		break;
	case SHM_GONE:
	case SHM_CLOSING:
		snprintf(note, len, "%s supervisor pid %ld shut down; waiting "
		    "for a new one", when, (long)old->sup_pid);
		break;
	default:
		note[0] = '\0';
	}
}

/*
 * The repeating view: live on a terminal, plain snapshots otherwise (-c).
 * Each refresh first asks whether the segment was superseded and, if so,
 * re-attaches, so a supervisor restart costs one frame, not the viewer.
 */
static int
loop(const struct nstat_opts *o, struct shm *seg, int tty)
{
	struct nstat_row *rows;
	struct nstat_snap snap;
	struct nstat_tty *t;
	struct shm_info old;
	char note[SHM_ERRBUF + 64] = "", errbuf[SHM_ERRBUF];
	enum shm_change ch;
	size_t n = nstat_rows(o, &rows);
	long i;

	t = nstat_tty_new(n);
	shm_info(seg, &old);
	for (i = 0; o->o_count == 0 || i < o->o_count; i++) {
		if (i > 0)
			sleep_secs(o->o_interval);
		if (stop)
			break;
		if (seg != NULL && (ch = shm_changed(seg)) != SHM_SAME) {
			/* What the last frame showed, not what is there now. */
			describe_change(note, sizeof(note), ch, &old);
			shm_close(seg);
			seg = NULL;
			nstat_tty_reset(t);
		}
		if (seg == NULL && shm_attach(o->o_name, o->o_path, &seg,
		    errbuf) != SHM_OK) {
			seg = NULL;
			if (tty) {
				fprintf(stdout, "\033[H\033[J%s\nwaiting: %s\n",
				    note, errbuf);
				fflush(stdout);
			} else
				printf("# waiting: %s\n", errbuf);
			continue;
		}
		nstat_snap_take(seg, &snap);
		old = snap.s_info;
		if (tty)
			nstat_tty_draw(t, stdout, rows, n, &snap,
			    note[0] ? note : NULL);
		else {
			printf("# generation %llu pid %ld%s%s\n",
			    (unsigned long long)snap.s_info.generation,
			    (long)snap.s_info.sup_pid, note[0] ? " " : "",
			    note);
			nstat_text_once(stdout, rows, n, &snap);
			fflush(stdout);
			note[0] = '\0';
		}
	}
	if (tty)
		nstat_tty_end(stdout);
	nstat_tty_free(t);
	free(rows);
	if (seg != NULL)
		shm_close(seg);
	return NAUT_EX_OK;
}

static void
add_filter(struct nstat_opts *o, int include, const char *glob)
{
	o->o_filters = xreallocarray(o->o_filters, o->o_nfilters + 1,
	    sizeof(*o->o_filters));
	o->o_filters[o->o_nfilters].nf_include = include;
	o->o_filters[o->o_nfilters++].nf_glob = glob;
}

static void
add_str(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

int
main(int argc, char *argv[])
{
	struct nstat_opts o;
	struct nstat_row *rows;
	struct nstat_snap snap;
	struct sigaction sa;
	struct shm *seg;
	char found[512] = "", defname[SHM_NAME_MAX + 1], *end;
	size_t n;
	int ch, tty, rc = NAUT_EX_OK;

	memset(&o, 0, sizeof(o));
	o.o_interval = 1.0;
	while ((ch = getopt(argc, argv, "1c:dD:hI:jln:p:s:t:Vw:X:")) != -1) {
		switch (ch) {
		case '1':
			o.o_once = 1;
			break;
		case 'c':
			errno = 0;
			o.o_count = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || o.o_count < 1)
				errx_usage("bad count: %s", optarg);
			break;
		case 'd':
			o.o_devices = 1;
			break;
		case 'D':
			o.o_devices = 1;
			add_str(&o.o_dev_globs, &o.o_ndev_globs, optarg);
			break;
		case 'I':
			add_filter(&o, 1, optarg);
			break;
		case 'j':
			o.o_json = 1;
			break;
		case 'l':
			o.o_list = 1;
			break;
		case 'n':
			o.o_name = optarg;
			break;
		case 'p':
			o.o_path = optarg;
			break;
		case 's':
			if (nstat_dev_word_ok(optarg) == NULL)
				errx_usage("-s %s: not a device status, breaker "
				    "state or error class (see naut-stat(1))",
				    optarg);
			o.o_devices = 1;
			add_str(&o.o_dev_words, &o.o_ndev_words, optarg);
			break;
		case 't':
			o.o_wait = parse_secs(optarg, 0);
			break;
		case 'V':
			printf("naut-stat %s (segment layout %d)\n",
			    NAUT_VERSION, SHM_VERSION);
			return NAUT_EX_OK;
		case 'w':
			o.o_interval = parse_secs(optarg, 0.01);
			break;
		case 'X':
			add_filter(&o, 0, optarg);
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (optind != argc || (o.o_name != NULL && o.o_path != NULL))
		usage(0);

	if (o.o_list) {
		n = nstat_rows(&o, &rows);
		nstat_text_list(stdout, rows, n);
		free(rows);
		return NAUT_EX_OK;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (o.o_name == NULL && o.o_path == NULL)
		o.o_name = default_name(defname, sizeof(defname), found,
		    sizeof(found));
	seg = attach_wait(&o, found);
	tty = isatty(STDOUT_FILENO);
	if (!tty)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (o.o_json || o.o_devices || o.o_once || (!tty && o.o_count == 0)) {
		warn_stale(seg);
		nstat_snap_take(seg, &snap);
		if (o.o_json) {
			n = nstat_rows(&o, &rows);
			nstat_json(stdout, seg, rows, n, &snap, &o);
			free(rows);
		} else if (o.o_devices)
			nstat_text_devices(stdout, seg, &o);
		else {
			n = nstat_rows(&o, &rows);
			nstat_text_once(stdout, rows, n, &snap);
			free(rows);
		}
		shm_close(seg);
	} else
		rc = loop(&o, seg, tty);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "naut-stat: write error on stdout: %s\n",
		    strerror(errno));
		rc = NAUT_EX_OSERR;
	}
	free(o.o_filters);
	free(o.o_dev_globs);
	free(o.o_dev_words);
	return rc;
}

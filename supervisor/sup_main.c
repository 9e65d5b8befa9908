/*
 * naut-supervisor: parse the fleet, then either check it (-t, -T) or run
 * a batch job with forked workers.  main() reads top to bottom.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "shard.h"
#include "sup.h"

#define USAGE	"usage: naut-supervisor [-dhqtTv] [--version] [--job NAME | " \
		"--telemetry] [--telemetry-log FILE] [--telemetry-log-size " \
		"SIZE] [--shard K/N] [-P pidfile] -c fleet.yaml\n" \
		"       naut-supervisor --parse TEMPLATE FILE\n"

static void __attribute__((noreturn))
usage(void)
{
	fputs(USAGE, stderr);
	exit(NAUT_EX_USAGE);
}

static void
help(void)
{
	fputs(USAGE, stdout);
	printf("  -c FILE       the fleet file (inventory, jobs, telemetry)\n"
	    "  -t            check the fleet file, print a summary and exit\n"
	    "  -T            check it and print the resolved inventory\n"
	    "  --job NAME    the job to run (needed when there are several)\n"
	    "  --telemetry   run as a daemon polling the telemetry: entries\n"
	    "                (the default when the fleet has no jobs)\n"
	    "  --telemetry-log FILE  every telemetry point as a JSON line\n"
	    "  --telemetry-log-size SIZE  rotate FILE to FILE.1 past SIZE "
	    "(64M)\n"
	    "  --shard K/N   run only this host's share K of N hosts\n"
	    "  --parse TEMPLATE FILE  print FILE's rows under a TextFSM\n"
	    "                template as JSON, and exit\n"
	    "  -P FILE       write the supervisor's pid to FILE while running\n"
	    "  -q            no progress display\n"
	    "  -v            more log output (-d: debug)\n"
	    "  -h, --help    this help\n"
	    "  --version     print the version\n"
	    "See naut-supervisor(8) and naut-fleet.yaml(5).\n");
}

/* Written whole, then renamed: a reader never sees a partial pid. */
static int
write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL || fprintf(fp, "%ld\n",
	    (long)getpid()) < 0 || fclose(fp) != 0 || rename(tmp, path) != 0) {
		log_warn("pid file %s", path);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "job", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 'S' },
		{ "telemetry", no_argument, NULL, 'M' },
		{ "telemetry-log", required_argument, NULL, 'L' },
		{ "telemetry-log-size", required_argument, NULL, 'Z' },
		{ "parse", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct sup_opts o;
	struct sup s;
	struct conf *conf;
	int ch, test = 0, dump = 0, level = LOG_LVL_INFO, fmt, ex;
	const char *parse = NULL;

	memset(&o, 0, sizeof(o));
	o.so_progress = -1;
	o.so_tm_log_max = 64ULL << 20;
	log_init(stderr, LOG_FMT_TEXT, LOG_LVL_INFO);
	log_procinit("supervisor");
	while ((ch = getopt_long(argc, argv, "c:dhP:qtTv", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'c':
			o.so_file = optarg;
			break;
		case 'd':
			level = LOG_LVL_DEBUG;
			break;
		case 'q':
			o.so_progress = 0;
			break;
		case 'P':
			o.so_pidfile = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			dump = 1;
			break;
		case 'v':
			o.so_verbose++;
			break;
		case 'j':
			o.so_job = optarg;
			break;
		case 'M':
			o.so_telemetry = 1;
			break;
		case 'L':
			o.so_tm_log = optarg;
			break;
		case 'Z':
			if (conf_parse_size(optarg, &o.so_tm_log_max) != 0) {
				fprintf(stderr, "naut-supervisor: "
				    "--telemetry-log-size wants a size such as "
				    "64M, not \"%s\"\n", optarg);
				usage();
			}
			break;
		case 'S':
			if (shard_parse(optarg, &o.so_shard_k, &o.so_shard_n)
			    != 0) {
				fprintf(stderr, "naut-supervisor: --shard "
				    "wants K/N with 0 <= K < N, not \"%s\"\n",
				    optarg);
				usage();
			}
			break;
		case 'p':
			parse = optarg;
			break;
		case 'h':
			help();
			return NAUT_EX_OK;
		case 'V':
			printf("naut-supervisor %s\n", NAUT_VERSION);
			return NAUT_EX_OK;
		default:
			usage();
		}
	}
	if (parse != NULL) {
		if (optind + 1 != argc) {
			fprintf(stderr, "naut-supervisor: --parse wants "
			    "TEMPLATE FILE\n");
			usage();
		}
		return sup_parse_cmd(parse, argv[optind]);
	}
	if (optind != argc) {
		fprintf(stderr, "naut-supervisor: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage();
	}
	if (o.so_job != NULL && o.so_telemetry) {
		fprintf(stderr, "naut-supervisor: --job and --telemetry "
		    "exclude each other\n");
		usage();
	}
	if (o.so_file == NULL) {
		fprintf(stderr, "naut-supervisor: no fleet file; use -c "
		    "fleet.yaml\n");
		usage();
	}
	if ((conf = conf_load(o.so_file, stderr)) == NULL)
		return NAUT_EX_CONFIG;
	if (dump) {
		conf_print(conf, stdout);
		conf_free(conf);
		return NAUT_EX_OK;
	}
	if (test) {
		conf_summary(conf, stdout);
		conf_free(conf);
		return NAUT_EX_OK;
	}

	/* Daemon mode when the fleet has telemetry and nothing to run once. */
	if (o.so_job == NULL && conf->njobs == 0 && conf->ntelemetry > 0)
		o.so_telemetry = 1;
	/* JSON lines unless a person is watching, or the fleet says. */
	fmt = conf->sup.log_format >= 0 ? (conf->sup.log_format ==
	    CONF_LOGFMT_JSON ? LOG_FMT_JSON : LOG_FMT_TEXT) :
	    (isatty(STDERR_FILENO) ? LOG_FMT_TEXT : LOG_FMT_JSON);
	if (level != LOG_LVL_DEBUG)
		level = conf->sup.log_level;
	if (o.so_verbose > 0 && level < LOG_LVL_DEBUG)
		level++;
	log_init(stderr, fmt, level);
	memset(&s, 0, sizeof(s));
	s.s_opts = &o;
	s.s_conf = conf;
	s.s_tty = isatty(STDERR_FILENO);
	if (o.so_progress == -1)
		o.so_progress = 1;
	if (o.so_pidfile != NULL && write_pidfile(o.so_pidfile) != 0) {
		conf_free(conf);
		return NAUT_EX_OSERR;
	}
	ex = sup_run(&s);
	if (o.so_pidfile != NULL)
		unlink(o.so_pidfile);
	/* A reload may have replaced the fleet the batch started with. */
	conf_free(s.s_conf);
	return ex;
}

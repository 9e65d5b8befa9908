/*
 * naut-supervisor: parse the fleet, then (in later stages) create the
 * segment, fork the workers and supervise them.  main() reads top to bottom.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: naut-supervisor [-tTh] [--version] "
	    "-c fleet.yaml\n");
	exit(NAUT_EX_USAGE);
}

static void
help(void)
{
	printf("usage: naut-supervisor [-tTh] [--version] -c fleet.yaml\n"
	    "  -c FILE    the fleet file (inventory, jobs, telemetry)\n"
	    "  -t         check the fleet file, print a summary and exit\n"
	    "  -T         check it and print the resolved inventory as YAML\n"
	    "  -h         this help\n"
	    "  --version  print the version\n"
	    "See naut-supervisor(8) and naut-fleet.yaml(5).\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	struct conf *conf;
	int ch, test = 0, dump = 0;

	log_init(stderr, LOG_FMT_TEXT, LOG_LVL_INFO);
	log_procinit("supervisor");
	while ((ch = getopt_long(argc, argv, "c:htT", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			dump = 1;
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
	if (optind != argc) {
		fprintf(stderr, "naut-supervisor: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage();
	}
	if (file == NULL) {
		fprintf(stderr, "naut-supervisor: no fleet file; use -c "
		    "fleet.yaml\n");
		usage();
	}
	if ((conf = conf_load(file, stderr)) == NULL)
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
	log_warnx("running jobs needs the session engine, which this build "
	    "does not have yet; use -t or -T");
	conf_free(conf);
	return NAUT_EX_SOFTWARE;
}

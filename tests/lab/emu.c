/*
 * emu: the device lab's emulator of a network device's command line.
 *
 * sshd runs it as ForceCommand (dropbear as -c) for the lab user.  It names
 * itself after the loopback address the client connected to and behaves like
 * that device's platform (cisco_ios, cisco_nxos, juniper_junos, arista_eos,
 * linux): with SSH_ORIGINAL_COMMAND it runs one command (exec), otherwise it
 * is an interactive shell with echo, prompt and pager.  Output is a pure
 * function of the device name (and of the clock, for counters), and
 * <lab>/devices.conf can make a device misbehave for fault tests.
 * tests/lab/README gives the address mapping and the devices.conf format.
 *
 * It is a fixture that hostile input must not break: buffers are bounded,
 * any byte is accepted, and it exits on EOF, on SIGHUP, when the client is
 * gone (even while it "hangs") and after --max-time seconds at the latest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu/emu.h"

/*
 * The parts are separate translation units.  Until GNUmakefile compiles
 * the files in tests/lab/emu/ and links them with -DEMU_SEPARATE (rule in
 * tests/lab/README), the one-program-per-file rule of tests/lab builds
 * them from here.
 */
#ifndef EMU_SEPARATE
#include "emu/out.c"
#include "emu/buf.c"
#include "emu/model.c"
#include "emu/text.c"
#include "emu/config.c"
#include "emu/cli.c"
#include "emu/face.c"
#include "emu/term.c"
#include "emu/devconf.c"
#include "emu/tmlog.c"
#endif

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: emu [--lab dir] [--addr ip | --index n] "
	    "[--time epoch] [--max-time sec] [-c command]\n"
	    "       emu [--lab dir] --list first count\n"
	    "       emu --lab dir --check\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "addr", required_argument, NULL, 'a' },
		{ "index", required_argument, NULL, 'i' },
		{ "time", required_argument, NULL, 't' },
		{ "max-time", required_argument, NULL, 'm' },
		{ "list", no_argument, NULL, 'L' },
		{ "check", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	static struct rule rules[RULES_MAX];
	struct dev d;
	struct sess s;
	struct in_addr ia;
	struct passwd *pw;
	char path[4096], line[LINE_MAX_LEN];
	const char *lab = NULL, *cmd = NULL, *u;
	uint32_t ip = 0;
	size_t nrules = 0;
	time_t fixed = 0;
	long v, first, count, k;
	int ch, list = 0, check = 0, rc = 0, errors;

	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			lab = optarg;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &ia) != 1)
				usage();
			ip = ntohl(ia.s_addr);
			break;
		case 'i':
			if (devconf_num(optarg, DEV_END - DEV_BASE - 1,
			    &v) != 0)
				usage();
			ip = DEV_BASE + (uint32_t)v;
			break;
		case 't':
			if (devconf_num(optarg, 1L << 40, &v) != 0)
				usage();
			fixed = (time_t)v;
			break;
		case 'm':
			if (devconf_num(optarg, 1L << 30, &v) != 0)
				usage();
			alarm((unsigned)v);
			break;
		case 'L':
			list = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'c':
			cmd = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (list ? 2 : 0) || (check && lab == NULL))
		usage();
	/* A lab fixture never outlives a test run, even if sshd forgets it. */
	if (!list && !check && alarm(0) == 0)
		alarm(3600);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_DFL);
	/*
	 * A ^C or ^\ typed before the shell makes the PTY raw reaches us as
	 * a signal; a device's CLI does not die of it.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	if (lab != NULL) {
		snprintf(path, sizeof(path), "%s/devices.conf", lab);
		errors = devconf_load(path, rules, &nrules);
		if (check)
			return errors ? 1 : 0;
		if (errors)
			return 2;
	}
	memset(&d, 0, sizeof(d));
	d.d_time = fixed;
	pw = getpwuid(getuid());
	u = pw != NULL ? pw->pw_name : getenv("USER");
	snprintf(d.d_user, sizeof(d.d_user), "%s", u ? u : "lab");
	if (list) {
		if (devconf_num(argv[0], DEV_END - DEV_BASE - 1, &first) != 0 ||
		    devconf_num(argv[1], DEV_END - DEV_BASE, &count) != 0 ||
		    count > (long)(DEV_END - DEV_BASE) - first)
			usage();
		for (k = first; k < first + count; k++) {
			devconf_device(&d, DEV_BASE + (uint32_t)k, rules,
			    nrules);
			printf("%ld %s %s %s %s\n", d.d_index, d.d_addr,
			    d.d_name, emu_platforms[d.d_plat],
			    emu_behaviours[d.d_beh]);
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (ip == 0)
		ip = devconf_conn_ip();
	devconf_device(&d, ip, rules, nrules);
	if (cmd == NULL)
		cmd = getenv("SSH_ORIGINAL_COMMAND");
	/* dropbear sets it empty for a shell when it forces a command. */
	if (cmd != NULL && *cmd == '\0')
		cmd = NULL;
	/* sshd hands subsystems to ForceCommand too: pass netconf on. */
	if (cmd != NULL && lab != NULL) {
		snprintf(path, sizeof(path), "%s/netconf-subsystem", lab);
		if (strcmp(cmd, path) == 0) {
			execl(path, path, (char *)NULL);
			fprintf(stderr, "emu: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	memset(&s, 0, sizeof(s));
	s.s_dev = &d;
	if (cmd == NULL)
		return term_shell(&s);
	s.s_exec = 1;
	tmlog_exec(lab, &d, cmd);
	s.s_eol = d.d_plat == P_IOS ? "\r\n" : "\n";
	if (d.d_beh == B_HANG_LOGIN)
		term_hang();
	hostile_login(&s);
	snprintf(line, sizeof(line), "%s", cmd);
	line[strcspn(line, "\r\n")] = '\0';
	(void)cli_run(&s, line, &rc);
	out_flush();
	return d.d_beh == B_EXITSTATUS ? d.d_status : rc;
}

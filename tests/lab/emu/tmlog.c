/*
 * The exec log, for telemetry tests: when <lab>/exec.log exists (a test
 * creates it, writable by the lab user), every exec command appends
 * "<device address> <client port> <command>".  The client port names the
 * SSH connection (SSH_CONNECTION), so a test counts logins as distinct
 * ports and polls as lines: one login for many polls is a kept-open
 * session.  Without the file nothing is written.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"

void
tmlog_exec(const char *lab, const struct dev *d, const char *cmd)
{
	char path[4096], line[1400], conn[256], *p;
	const char *sc = getenv("SSH_CONNECTION");
	int fd, n;

	if (lab == NULL)
		return;
	snprintf(path, sizeof(path), "%s/exec.log", lab);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		return;
	/* "client_ip client_port server_ip server_port": the second word. */
	snprintf(conn, sizeof(conn), "%s", sc != NULL ? sc : "- -");
	p = strchr(conn, ' ');
	p = p != NULL ? p + 1 : conn;
	p[strcspn(p, " ")] = '\0';
	n = snprintf(line, sizeof(line), "%s %s %.1024s\n", d->d_addr, p, cmd);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)write(fd, line, (size_t)n);	/* one write: atomic */
	close(fd);
}

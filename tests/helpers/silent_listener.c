/*
 * silent_listener: a TCP port that accepts connections and never says a
 * word (a device whose SSH daemon is wedged), for the fault tests.
 * usage: silent_listener ADDR PORT SECONDS; exits after SECONDS.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in sa;
	struct pollfd pfd;
	time_t end;
	int fd, one = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: silent_listener addr port seconds\n");
		return 64;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 64;
	end = time(NULL) + atoi(argv[3]);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 71;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 4096) == -1) {
		perror("silent_listener");
		return 71;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* Accepted sockets are kept open and never written to. */
	while (time(NULL) < end)
		if (poll(&pfd, 1, 200) == 1)
			(void)accept(fd, NULL, NULL);
	return 0;
}

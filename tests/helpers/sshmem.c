/*
 * sshmem: where the memory of one open libssh2 session goes.  Opens COUNT
 * sessions (blocking, password auth, one exec channel each, held open) to
 * lab devices FIRST.. on PORT, with counting allocators for libssh2
 * (libssh2_session_init_ex) and for OpenSSL (CRYPTO_set_mem_functions),
 * and prints the live bytes per session after each phase, the largest
 * single allocation, and the resident memory per session.  The devices
 * should hang after login (devices.conf hang_login) so that nothing is
 * queued.  -t trims the session as the worker does (wrk_ssh_mem.c).
 *
 * usage: sshmem [-t] [-w window] port user password first count
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>
#include <openssl/crypto.h>

#include "wrk_ssh_mem.h"

struct hdr {
	size_t	 h_size;
	size_t	 h_pad;
};

static size_t	ssl_live, ssl_peak_one;
static size_t	ssh_live, ssh_big;
static int	trimmed;

static void *
ssl_malloc(size_t n, const char *file, int line)
{
	struct hdr *h = malloc(sizeof(*h) + n);

	if (h == NULL)
		return NULL;
	h->h_size = n;
	ssl_live += n;
	if (n > ssl_peak_one)
		ssl_peak_one = n;
	return h + 1;
}

static void
ssl_free(void *p, const char *file, int line)
{
	struct hdr *h;

	if (p == NULL)
		return;
	h = (struct hdr *)p - 1;
	ssl_live -= h->h_size;
	free(h);
}

static void *
ssl_realloc(void *p, size_t n, const char *file, int line)
{
	struct hdr *h;
	size_t old;

	if (p == NULL)
		return ssl_malloc(n, file, line);
	h = (struct hdr *)p - 1;
	old = h->h_size;
	if ((h = realloc(h, sizeof(*h) + n)) == NULL)
		return NULL;
	ssl_live = ssl_live - old + n;
	h->h_size = n;
	return h + 1;
}

static LIBSSH2_ALLOC_FUNC(ssh_malloc)
{
	size_t n = count;

	ssh_live += n;
	if (n > ssh_big)
		ssh_big = n;
	return wrk_ssh_alloc(count, abstract);
}

static LIBSSH2_FREE_FUNC(ssh_free)
{
	if (ptr != NULL)
		ssh_live -= wrk_ssh_allocsize(ptr);
	wrk_ssh_free(ptr, abstract);
}

static LIBSSH2_REALLOC_FUNC(ssh_realloc)
{
	size_t old = ptr ? wrk_ssh_allocsize(ptr) : 0;
	void *p = wrk_ssh_realloc(ptr, count, abstract);

	if (p != NULL)
		ssh_live = ssh_live - old + count;
	return p;
}

static long
rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (fp != NULL)
		fclose(fp);
	return v;
}

/* Which pages of a session's block are in memory (mapped blocks only). */
static void
resident(void *p)
{
	unsigned char vec[64];
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len, i, n = 0;
	char *base = (char *)p - 16;

	if (!trimmed || ((uintptr_t)base & (ps - 1)) != 0)
		return;
	len = (wrk_ssh_allocsize(p) + 16 + ps - 1) / ps;
	if (len > sizeof(vec) || mincore(base, len * ps, vec) == -1)
		return;
	printf("pages of the session block in memory:");
	for (i = 0; i < len; i++)
		if (vec[i] & 1) {
			printf(" %zu", i);
			n++;
		}
	printf(" (%zu of %zu)\n", n, len);
}

static void
phase(const char *what, long n)
{
	printf("%-22s libssh2 %7zu B/session  OpenSSL %7zu B/session\n", what,
	    ssh_live / (size_t)n, ssl_live / (size_t)n);
}

int
main(int argc, char *argv[])
{
	size_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, o0 = 0, o1 = 0, o2 = 0, o3 = 0;
	LIBSSH2_SESSION **ss;
	LIBSSH2_CHANNEL *ch;
	struct sockaddr_in sin;
	unsigned window = 256 * 1024;
	long first, count, k, r0, r1;
	int c, fd, trim = 0, port;

	/* Before anything allocates through OpenSSL. */
	CRYPTO_set_mem_functions(ssl_malloc, ssl_realloc, ssl_free);
	while ((c = getopt(argc, argv, "tw:")) != -1) {
		if (c == 't')
			trim = trimmed = 1;
		else if (c == 'w')
			window = (unsigned)strtoul(optarg, NULL, 10);
		else
			return 64;
	}
	argc -= optind;
	argv += optind;
	if (argc != 5)
		return 64;
	port = atoi(argv[0]);
	first = atol(argv[3]);
	count = atol(argv[4]);
	libssh2_init(0);
	ss = calloc((size_t)count, sizeof(*ss));
	r0 = rss_kib();
	for (k = 0; k < count; k++) {
		long d = first + k;
		size_t a = ssh_live, b = ssl_live;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(0x7f010000u + (uint32_t)d);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			perror("connect");
			return 1;
		}
		ss[k] = libssh2_session_init_ex(ssh_malloc, ssh_free,
		    ssh_realloc, NULL);
		if (trim)
			wrk_ssh_trim(ss[k]);
		s0 += ssh_live - a;
		o0 += ssl_live - b;
		if (libssh2_session_handshake(ss[k], fd) != 0) {
			fprintf(stderr, "handshake failed\n");
			return 1;
		}
		s1 += ssh_live - a;
		o1 += ssl_live - b;
		if (libssh2_userauth_password(ss[k], argv[1], argv[2]) != 0) {
			fprintf(stderr, "auth failed\n");
			return 1;
		}
		s2 += ssh_live - a;
		o2 += ssl_live - b;
		ch = libssh2_channel_open_ex(ss[k], "session", 7, window,
		    32768, NULL, 0);
		if (ch == NULL || libssh2_channel_exec(ch, "show version")) {
			fprintf(stderr, "channel failed\n");
			return 1;
		}
		s3 += ssh_live - a;
		o3 += ssl_live - b;
	}
	r1 = rss_kib();
	printf("%ld sessions, window %u%s\n", count, window,
	    trim ? ", trimmed" : "");
	printf("after init:      libssh2 %7zu  OpenSSL %7zu B/session\n",
	    s0 / (size_t)count, o0 / (size_t)count);
	printf("after handshake: libssh2 %7zu  OpenSSL %7zu B/session\n",
	    s1 / (size_t)count, o1 / (size_t)count);
	printf("after auth:      libssh2 %7zu  OpenSSL %7zu B/session\n",
	    s2 / (size_t)count, o2 / (size_t)count);
	printf("after exec:      libssh2 %7zu  OpenSSL %7zu B/session\n",
	    s3 / (size_t)count, o3 / (size_t)count);
	printf("largest libssh2 allocation %zu B; resident %.1f KiB/session\n",
	    ssh_big, (double)(r1 - r0) / (double)count);
	phase("held", count);
	resident(ss[0]);
	return 0;
}

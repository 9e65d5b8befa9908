/*
 * libssh2's allocator in a worker: every block is wiped when it is freed,
 * so a password, passphrase or keyboard-interactive answer that passed
 * through a packet buffer, and a decrypted private key, do not linger in
 * freed heap.  A header in front of each block keeps its size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "wrk_ssh_int.h"

/* The header keeps the block as aligned as malloc's. */
#define MEM_HDR		sizeof(max_align_t)

static
LIBSSH2_ALLOC_FUNC(mem_alloc)
{
	char *b;

	(void)abstract;
	if (count > SIZE_MAX - MEM_HDR || (b = malloc(count + MEM_HDR)) ==
	    NULL)
		return NULL;
	memcpy(b, &count, sizeof(count));
	return b + MEM_HDR;
}

static
LIBSSH2_FREE_FUNC(mem_free)
{
	char *b;
	size_t n;

	(void)abstract;
	if (ptr == NULL)
		return;
	b = (char *)ptr - MEM_HDR;
	memcpy(&n, b, sizeof(n));
	explicit_bzero(b, n + MEM_HDR);
	free(b);
}

/* Never realloc in place: the old block must be wiped, not abandoned. */
static
LIBSSH2_REALLOC_FUNC(mem_realloc)
{
	void *n;
	size_t old;

	if (ptr == NULL)
		return mem_alloc(count, abstract);
	if ((n = mem_alloc(count, abstract)) == NULL)
		return NULL;
	memcpy(&old, (char *)ptr - MEM_HDR, sizeof(old));
	memcpy(n, ptr, old < count ? old : count);
	mem_free(ptr, abstract);
	return n;
}

LIBSSH2_SESSION *
ssh_session_new(void)
{
	return libssh2_session_init_ex(mem_alloc, mem_free, mem_realloc,
	    NULL);
}

/* For what libssh2 frees itself (keyboard-interactive responses). */
void *
ssh_mem_alloc(size_t n)
{
	return mem_alloc(n, NULL);
}

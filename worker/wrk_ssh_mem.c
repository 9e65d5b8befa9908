/*
 * libssh2's allocators for the worker's sessions.
 *
 * A libssh2 1.10 session is one ~52 KiB block (LIBSSH2_SESSION embeds a
 * 16 KiB receive buffer and a 35,000-byte send buffer) that
 * libssh2_session_init_ex() zeroes whole, so all of it becomes resident
 * although an idle session only ever touches a few of its pages.  Blocks
 * that large get pages of their own (mmap), and wrk_ssh_trim() hands the
 * still-zero pages back to the kernel (MADV_DONTNEED): reading them again
 * gives zeros, exactly what was there, and only the pages libssh2 later
 * writes come back.  Smaller blocks come from malloc.  Every block starts
 * with a header holding its size, so any block can be freed or counted,
 * whichever way it came.
 *
 * Blocks are wiped when freed, so a password, passphrase or
 * keyboard-interactive answer that passed through a packet buffer, or a
 * decrypted private key, does not linger in freed heap.  Mapped blocks go
 * back to the kernel, which zeroes pages before anyone gets them again;
 * wiping them first would only fault their trimmed pages back in.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wrk_ssh_mem.h"

#define MEM_MAP_MIN	(40 * 1024)	/* above any packet (35,000 B) */

struct mhdr {
	size_t		 m_size;	/* what the caller asked for */
	size_t		 m_mapped;	/* length of the mapping, or 0 */
};

static size_t
pagesz(void)
{
	static size_t ps;

	if (ps == 0)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

void *
wrk_ssh_alloc(size_t n, void **abstract)
{
	struct mhdr *h;
	size_t len;

	(void)abstract;
	if (n > SIZE_MAX / 2)
		return NULL;
	if (n >= MEM_MAP_MIN) {
		len = (sizeof(*h) + n + pagesz() - 1) & ~(pagesz() - 1);
		h = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED)
			return NULL;
		h->m_mapped = len;
	} else {
		if ((h = malloc(sizeof(*h) + n)) == NULL)
			return NULL;
		h->m_mapped = 0;
	}
	h->m_size = n;
	return h + 1;
}

void
wrk_ssh_free(void *p, void **abstract)
{
	struct mhdr *h;

	(void)abstract;
	if (p == NULL)
		return;
	h = (struct mhdr *)p - 1;
	if (h->m_mapped)
		munmap(h, h->m_mapped);
	else {
		explicit_bzero(h, sizeof(*h) + h->m_size);
		free(h);
	}
}

void *
wrk_ssh_realloc(void *p, size_t n, void **abstract)
{
	struct mhdr *h;
	void *q;

	if (p == NULL)
		return wrk_ssh_alloc(n, abstract);
	/* Never realloc(3) in place: the old block must be wiped. */
	h = (struct mhdr *)p - 1;
	if ((q = wrk_ssh_alloc(n, abstract)) == NULL)
		return NULL;
	memcpy(q, p, h->m_size < n ? h->m_size : n);
	wrk_ssh_free(p, abstract);
	return q;
}

size_t
wrk_ssh_allocsize(const void *p)
{
	return ((const struct mhdr *)p - 1)->m_size;
}

/* Give back the pages of block p that hold only zeros. */
void
wrk_ssh_trim(void *p)
{
	struct mhdr *h;
	const unsigned char *pg;
	size_t ps = pagesz(), off;

	if (p == NULL)
		return;
	h = (struct mhdr *)p - 1;
	/* The first page holds the header: it is never all zeros. */
	for (off = ps; off < h->m_mapped; off += ps) {
		pg = (const unsigned char *)h + off;
		if (pg[0] == 0 && memcmp(pg, pg + 1, ps - 1) == 0)
			(void)madvise((void *)(uintptr_t)pg, ps,
			    MADV_DONTNEED);
	}
}

/*
 * libssh2's memory in a worker (libssh2_session_init_ex allocators):
 * every block knows its size, and the session itself is mapped on its own
 * pages so that wrk_ssh_trim() can give back what libssh2 zeroes and does
 * not use.  tests/helpers/sshmem.c counts with the same functions.
 */
#ifndef NAUT_WRK_SSH_MEM_H
#define NAUT_WRK_SSH_MEM_H

#include <stddef.h>

void	*wrk_ssh_alloc(size_t, void **);
void	 wrk_ssh_free(void *, void **);
void	*wrk_ssh_realloc(void *, size_t, void **);
size_t	 wrk_ssh_allocsize(const void *);
void	 wrk_ssh_trim(void *);

#endif

/*
 * Private to worker/knownhosts.c and worker/kh_file.c: the parser's
 * helpers the file half needs.  Nothing outside worker/ includes it.
 */
#ifndef NAUT_KH_INT_H
#define NAUT_KH_INT_H

#include <stddef.h>

#include "knownhosts.h"

extern const char *const kh_types[KH_TYPES_MAX];

char	kh_lower(char);
size_t	kh_b64_encode(const unsigned char *, size_t, char *);
/* Index into kh_types of a well-formed blob, or -1. */
int	kh_blob_kind(const unsigned char *, size_t);
/* Parse one line (no newline) into k. */
void	kh_feed(struct kh *, const char *, size_t);

#endif

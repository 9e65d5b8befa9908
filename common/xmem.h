/*
 * Allocators that never return NULL (they fatal), and a bump arena for data
 * that lives and dies together, such as one loaded configuration.
 */
#ifndef NAUT_XMEM_H
#define NAUT_XMEM_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

struct arena;

struct arena	*arena_new(void);
void		 arena_free(struct arena *);
void		*arena_alloc(struct arena *, size_t);	/* zeroed, 16-aligned */
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_strdup(struct arena *, const char *);
size_t		 arena_used(const struct arena *);

#endif

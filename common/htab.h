/*
 * htab: a string-keyed open-addressing hash table.  Keys are not copied: the
 * caller keeps them alive (the loader keeps them in its arena).
 */
#ifndef NAUT_HTAB_H
#define NAUT_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab;

struct htab	*htab_new(size_t hint);
void		 htab_free(struct htab *);
/* Returns the stored value or NULL. */
void		*htab_get(const struct htab *, const char *, size_t);
/* Stores val under key unless present; returns the existing value or NULL. */
void		*htab_put(struct htab *, const char *, size_t, void *val);
size_t		 htab_count(const struct htab *);
uint64_t	 htab_hash(const char *, size_t);

#endif

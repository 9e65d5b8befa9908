/*
 * Open addressing with linear probing; the table doubles at 50% load, so a
 * probe sequence stays short even for 100,000 device names.
 */
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "xmem.h"

struct htab_ent {
	const char	*key;
	size_t		 len;
	uint64_t	 hash;
	void		*val;
};

struct htab {
	struct htab_ent	*ents;
	size_t		 cap;	/* power of two */
	size_t		 n;
};

uint64_t
htab_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

struct htab *
htab_new(size_t hint)
{
	struct htab *h = xcalloc(1, sizeof(*h));

	h->cap = 16;
	while (h->cap < hint * 2)
		h->cap <<= 1;
	h->ents = xcalloc(h->cap, sizeof(*h->ents));
	return h;
}

void
htab_free(struct htab *h)
{
	if (h == NULL)
		return;
	free(h->ents);
	free(h);
}

static struct htab_ent *
htab_slot(struct htab_ent *ents, size_t cap, const char *key, size_t len,
    uint64_t hash)
{
	size_t i = hash & (cap - 1);

	for (;;) {
		struct htab_ent *e = &ents[i];

		if (e->key == NULL || (e->hash == hash && e->len == len &&
		    memcmp(e->key, key, len) == 0))
			return e;
		i = (i + 1) & (cap - 1);
	}
}

void *
htab_get(const struct htab *h, const char *key, size_t len)
{
	struct htab_ent *e;

	e = htab_slot(h->ents, h->cap, key, len, htab_hash(key, len));
	return e->key != NULL ? e->val : NULL;
}

static void
htab_grow(struct htab *h)
{
	size_t ncap = h->cap * 2, i;
	struct htab_ent *n = xcalloc(ncap, sizeof(*n));

	for (i = 0; i < h->cap; i++) {
		struct htab_ent *o = &h->ents[i];

		if (o->key != NULL)
			*htab_slot(n, ncap, o->key, o->len, o->hash) = *o;
	}
	free(h->ents);
	h->ents = n;
	h->cap = ncap;
}

void *
htab_put(struct htab *h, const char *key, size_t len, void *val)
{
	uint64_t hash = htab_hash(key, len);
	struct htab_ent *e;

	if ((h->n + 1) * 2 > h->cap)
		htab_grow(h);
	e = htab_slot(h->ents, h->cap, key, len, hash);
	if (e->key != NULL)
		return e->val;
	e->key = key;
	e->len = len;
	e->hash = hash;
	e->val = val;
	h->n++;
	return NULL;
}

size_t
htab_count(const struct htab *h)
{
	return h->n;
}

/*
 * Secrets in a worker: it inherits every device's secrets with the parsed
 * fleet, but needs only those of its own devices.  The others are wiped
 * before the first connection, and all of them when the worker is done,
 * so a core or a memory read of a worker exposes no more than its shard.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "wrk_int.h"

const struct wrk_key *
wrk_key_find(struct wrk *w, const char *path)
{
	const struct wrk_heritage *h = w->w_h;
	size_t i;

	if (path == NULL)
		return NULL;
	for (i = 0; i < h->wh_nkeys; i++)
		if (h->wh_keys[i].wk_data != NULL &&
		    strcmp(h->wh_keys[i].wk_path, path) == 0)
			return &h->wh_keys[i];
	return NULL;
}

extern char **environ;

/*
 * A password_env value is also in the environment the worker inherited,
 * which /proc/<pid>/environ shows: overwrite it there, in place, since
 * unsetenv() would leave the bytes where that file reads them.
 */
static void
wipe_env(const struct conf_secret *s)
{
	size_t l = strlen(s->ref);
	char **e;

	for (e = environ; e != NULL && *e != NULL; e++)
		if (strncmp(*e, s->ref, l) == 0 && (*e)[l] == '=')
			explicit_bzero(*e + l + 1, strlen(*e + l + 1));
}

static int
mine(const struct wrk_heritage *h, size_t i)
{
	return h->wh_selected[i] && h->wh_owner[i] == h->wh_index;
}

static void
wipe_secret(struct conf_secret *s)
{
	if (s->value != NULL)
		explicit_bzero(s->value, s->len);
}

static void
wipe_key(const struct wrk_key *k)
{
	if (k->wk_data != NULL)
		explicit_bzero(k->wk_data, k->wk_len);
}

/*
 * keep_mine: wipe only what no device of this worker uses.  A secret is
 * shared by every device naming the same source, so it is kept when any
 * of them is ours.
 */
static void
wrk_secrets_wipe_some(const struct wrk_heritage *h, int keep_mine)
{
	const struct conf *c = h->wh_conf;
	size_t i, k;

	for (k = 0; k < c->nsecrets; k++) {
		struct conf_secret *s = c->secrets[k];
		int used = 0;

		if (s->src == CONF_SECRET_ENV && s->ref != NULL)
			wipe_env(s);

		for (i = 0; keep_mine && !used && i < c->ndevices; i++)
			used = mine(h, i) && (c->devices[i].password == s ||
			    c->devices[i].passphrase == s);
		if (!used)
			wipe_secret(s);
	}
	for (k = 0; k < h->wh_nkeys; k++) {
		int used = 0;

		for (i = 0; keep_mine && !used && i < c->ndevices; i++)
			used = mine(h, i) && c->devices[i].p.key_file != NULL &&
			    strcmp(c->devices[i].p.key_file,
			    h->wh_keys[k].wk_path) == 0;
		if (!used)
			wipe_key(&h->wh_keys[k]);
	}
}

void
wrk_secrets_trim(const struct wrk_heritage *h)
{
	wrk_secrets_wipe_some(h, 1);
}

void
wrk_secrets_wipe(const struct wrk_heritage *h)
{
	wrk_secrets_wipe_some(h, 0);
}

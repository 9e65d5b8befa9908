/*
 * Which devices a job or telemetry entry selects: every criterion given must
 * match (AND); any entry of a criterion's list may match (OR).  A device is
 * in a group when it lists the group or any group it lists descends from it.
 */
#include <fnmatch.h>
#include <string.h>

#include "conf.h"

static int
group_has_ancestor(const struct conf_group *g, const char *name, int depth)
{
	size_t i;

	if (strcmp(g->name, name) == 0)
		return 1;
	if (depth > CONF_MAX_DEPTH)
		return 0;
	for (i = 0; g->parents != NULL && g->parents[i] != NULL; i++)
		if (group_has_ancestor(g->parents[i], name, depth + 1))
			return 1;
	return 0;
}

static int
device_in_group_name(const struct conf_device *d, const char *name)
{
	size_t i;

	for (i = 0; d->groups != NULL && d->groups[i] != NULL; i++)
		if (group_has_ancestor(d->groups[i], name, 0))
			return 1;
	return 0;
}

int
conf_device_in_group(const struct conf_device *d, const struct conf_group *g)
{
	return device_in_group_name(d, g->name);
}

static const char *
tag_get(const struct conf_tag *t, const char *key)
{
	for (; t != NULL; t = t->next)
		if (strcmp(t->key, key) == 0)
			return t->value;
	return NULL;
}

int
conf_select_match(const struct conf_select *s, const struct conf_device *d)
{
	const struct conf_tag *t;
	size_t i;
	int any;

	if (s->all)
		return 1;
	if (s->groups != NULL) {
		for (i = 0, any = 0; s->groups[i] != NULL && !any; i++)
			any = device_in_group_name(d, s->groups[i]);
		if (!any)
			return 0;
	}
	for (t = s->tags; t != NULL; t = t->next) {
		const char *v = tag_get(d->p.tags, t->key);

		if (v == NULL || fnmatch(t->value, v, 0) != 0)
			return 0;
	}
	if (s->names != NULL) {
		for (i = 0, any = 0; s->names[i] != NULL && !any; i++)
			any = fnmatch(s->names[i], d->name, 0) == 0;
		if (!any)
			return 0;
	}
	if (s->transports != NULL) {
		for (i = 0, any = 0; s->transports[i] != NULL && !any; i++)
			any = strcmp(s->transports[i],
			    conf_transport_names[d->p.transport]) == 0;
		if (!any)
			return 0;
	}
	if (s->platforms != NULL) {
		for (i = 0, any = 0; s->platforms[i] != NULL && !any; i++)
			any = d->p.platform != NULL &&
			    strcmp(s->platforms[i], d->p.platform) == 0;
		if (!any)
			return 0;
	}
	return 1;
}

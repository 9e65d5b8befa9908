/*
 * conf_print: the resolved inventory as YAML (-T), which loads again to the
 * same inventory, and the one-screen summary of -t.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "xmem.h"

static void
print_list(FILE *fp, const char *const *v)
{
	size_t i;

	fputc('[', fp);
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		if (i > 0)
			fputs(", ", fp);
		conf_print_str(fp, v[i]);
	}
	fputc(']', fp);
}

static void
print_map(FILE *fp, const struct conf_tag *t)
{
	fputc('{', fp);
	for (; t != NULL; t = t->next) {
		conf_print_str(fp, t->key);
		fputs(": ", fp);
		conf_print_str(fp, t->value);
		if (t->next != NULL)
			fputs(", ", fp);
	}
	fputc('}', fp);
}

static void
print_select(FILE *fp, const struct conf_select *s)
{
	fputs("    select:", fp);
	if (s->all) {
		fputs(" all\n", fp);
		return;
	}
	fputc('\n', fp);
	if (s->groups != NULL) {
		fputs("      groups: ", fp);
		print_list(fp, s->groups);
		fputc('\n', fp);
	}
	if (s->tags != NULL) {
		fputs("      tags: ", fp);
		print_map(fp, s->tags);
		fputc('\n', fp);
	}
	if (s->names != NULL) {
		fputs("      names: ", fp);
		print_list(fp, s->names);
		fputc('\n', fp);
	}
	if (s->transports != NULL) {
		fputs("      transports: ", fp);
		print_list(fp, s->transports);
		fputc('\n', fp);
	}
	if (s->platforms != NULL) {
		fputs("      platforms: ", fp);
		print_list(fp, s->platforms);
		fputc('\n', fp);
	}
}

static void
print_kv(FILE *fp, int ind, const char *k, const char *v)
{
	if (v == NULL)
		return;
	fprintf(fp, "%*s%s: ", ind, "", k);
	conf_print_str(fp, v);
	fputc('\n', fp);
}

static void
print_jobs(FILE *fp, const struct conf *c)
{
	size_t i, k;

	if (c->njobs == 0)
		return;
	fputs("jobs:\n", fp);
	for (i = 0; i < c->njobs; i++) {
		const struct conf_job *j = &c->jobs[i];

		fputs("  - name: ", fp);
		conf_print_str(fp, j->name);
		fputc('\n', fp);
		print_select(fp, &j->select);
		fprintf(fp, "    mode: %s\n", conf_mode_names[j->mode]);
		if (j->scrub >= 0)
			fprintf(fp, "    scrub: %s\n", j->scrub ? "true" :
			    "false");
		if (j->parse == CONF_PARSE_INDEX)
			fputs("    parse: true\n", fp);
		else if (j->parse == CONF_PARSE_TEMPLATE)
			print_kv(fp, 4, "parse", j->parse_template);
		if (j->ncommands > 0) {
			fputs("    commands:\n", fp);
			for (k = 0; k < j->ncommands; k++) {
				fputs("      - ", fp);
				conf_print_str(fp, j->commands[k]);
				fputc('\n', fp);
			}
		}
		if (j->nrequests > 0) {
			fputs("    requests:\n", fp);
			for (k = 0; k < j->nrequests; k++) {
				const struct conf_rest_req *r = &j->requests[k];

				fputs("      - method: ", fp);
				conf_print_str(fp, r->method);
				fputc('\n', fp);
				print_kv(fp, 8, "path", r->path);
				print_kv(fp, 8, "body", r->body);
				if (r->headers != NULL) {
					fputs("        headers: ", fp);
					print_map(fp, r->headers);
					fputc('\n', fp);
				}
			}
		}
		if (j->nrpcs > 0) {
			fputs("    rpcs:\n", fp);
			for (k = 0; k < j->nrpcs; k++) {
				const struct conf_nc_rpc *r = &j->rpcs[k];

				fprintf(fp, "      - op: %s\n",
				    conf_nc_op_names[r->op]);
				print_kv(fp, 8, "source", r->source);
				print_kv(fp, 8, "filter", r->filter);
				print_kv(fp, 8, "body", r->body);
			}
		}
	}
}

static void
print_telemetry(FILE *fp, const struct conf *c)
{
	char dur[32];
	size_t i;

	if (c->ntelemetry == 0)
		return;
	fputs("telemetry:\n", fp);
	for (i = 0; i < c->ntelemetry; i++) {
		const struct conf_telemetry *t = &c->telemetry[i];

		fputs("  - name: ", fp);
		conf_print_str(fp, t->name);
		fputc('\n', fp);
		print_select(fp, &t->select);
		conf_format_duration(t->interval_ms, dur, sizeof(dur));
		fprintf(fp, "    interval: %s\n", dur);
		conf_format_duration(t->stale_after_ms, dur, sizeof(dur));
		fprintf(fp, "    stale_after: %s\n", dur);
		print_kv(fp, 4, "metric", t->metric);
		if (t->ssh != NULL) {
			fputs("    ssh:\n", fp);
			print_kv(fp, 6, "command", t->ssh->command);
			if (t->ssh->template != NULL)
				print_kv(fp, 6, "template", t->ssh->template);
			else {
				print_kv(fp, 6, "regex", t->ssh->regex);
				fprintf(fp, "      value: %u\n",
				    t->ssh->value_group);
			}
			if (t->ssh->labels != NULL) {
				fputs("      labels: ", fp);
				print_map(fp, t->ssh->labels);
				fputc('\n', fp);
			}
		}
		if (t->rest != NULL) {
			fputs("    rest:\n", fp);
			print_kv(fp, 6, "path", t->rest->path);
			if (t->rest->pointers != NULL &&
			    t->rest->pointers->key[0] == '\0')
				print_kv(fp, 6, "pointer",
				    t->rest->pointers->value);
			else {
				fputs("      pointers: ", fp);
				print_map(fp, t->rest->pointers);
				fputc('\n', fp);
			}
		}
		if (t->netconf != NULL) {
			fputs("    netconf:\n", fp);
			print_kv(fp, 6, "filter", t->netconf->filter);
			print_kv(fp, 6, "path", t->netconf->path);
		}
	}
}

void
conf_print(const struct conf *c, FILE *fp)
{
	char dur[32];
	size_t i, k;

	fputs("# naut resolved inventory (naut-supervisor -T); secrets are "
	    "shown by source only\n", fp);
	fputs("supervisor:\n", fp);
	if (c->sup.workers_auto)
		fputs("  workers: auto\n", fp);
	else
		fprintf(fp, "  workers: %u\n", c->sup.workers);
	fprintf(fp, "  max_concurrent: %u\n", c->sup.max_concurrent);
	conf_format_duration(c->sup.global_timeout_ms, dur, sizeof(dur));
	fprintf(fp, "  global_timeout: %s\n", dur);
	conf_format_duration(c->sup.drain_timeout_ms, dur, sizeof(dur));
	fprintf(fp, "  drain_timeout: %s\n", dur);
	print_kv(fp, 2, "metrics_listen", c->sup.metrics_listen);
	print_kv(fp, 2, "output_dir", c->sup.output_dir);
	print_kv(fp, 2, "name", c->sup.name);
	if (c->sup.ntemplates > 0) {
		fputs("  templates:\n", fp);
		for (k = 0; k < c->sup.ntemplates; k++) {
			fputs("    - ", fp);
			conf_print_str(fp, c->sup.templates[k]);
			fputc('\n', fp);
		}
	}
	if (c->sup.max_sessions_per_worker != 0)
		fprintf(fp, "  max_sessions_per_worker: %u\n",
		    c->sup.max_sessions_per_worker);
	if (c->sup.user != NULL)
		print_kv(fp, 2, "user", c->sup.user);
	if (c->sup.group != NULL)
		print_kv(fp, 2, "group", c->sup.group);
	if (c->sup.read_group != NULL)
		print_kv(fp, 2, "read_group", c->sup.read_group);
	fputs("  log:\n", fp);
	if (c->sup.log_format >= 0)
		fprintf(fp, "    format: %s\n",
		    conf_logfmt_names[c->sup.log_format]);
	fprintf(fp, "    level: %s\n", conf_loglvl_names[c->sup.log_level]);

	fputs("platforms:\n", fp);
	for (i = 0; i < c->nplatforms; i++) {
		const struct conf_platform *p = c->platforms[i];

		fprintf(fp, "  %s:\n", p->name);
		print_kv(fp, 4, "prompt", p->prompt);
		if (p->more != NULL)
			print_kv(fp, 4, "more", p->more);
		else
			fputs("    more: ~\n", fp);
		print_kv(fp, 4, "more_reply", p->more_reply);
		fputs("    paging_off: ", fp);
		print_list(fp, p->paging_off);
		fputc('\n', fp);
		print_kv(fp, 4, "exit", p->exit_cmd);
		fputs("    scrub: [", fp);
		for (k = 0; k < p->nscrub; k++) {
			if (k > 0)
				fputs(", ", fp);
			conf_print_str(fp, p->scrub[k]);
		}
		fputs("]\n", fp);
	}

	if (c->ngroups > 0) {
		fputs("groups:\n", fp);
		for (i = 0; i < c->ngroups; i++) {
			const struct conf_group *g = c->groups[i];

			fputs("  ", fp);
			conf_print_str(fp, g->name);
			if (g->parents[0] == NULL) {
				fputs(": {}\n", fp);
				continue;
			}
			fputs(":\n    groups: [", fp);
			for (k = 0; g->parents[k] != NULL; k++) {
				if (k > 0)
					fputs(", ", fp);
				conf_print_str(fp, g->parents[k]->name);
			}
			fputs("]\n", fp);
		}
	}

	fputs("devices:\n", fp);
	for (i = 0; i < c->ndevices; i++) {
		const struct conf_device *d = &c->devices[i];

		fputs("  - name: ", fp);
		conf_print_str(fp, d->name);
		fputc('\n', fp);
		if (d->groups[0] != NULL) {
			fputs("    groups: [", fp);
			for (k = 0; d->groups[k] != NULL; k++) {
				if (k > 0)
					fputs(", ", fp);
				conf_print_str(fp, d->groups[k]->name);
			}
			fputs("]\n", fp);
		}
		conf_props_print(fp, &d->p, 4);
	}
	print_jobs(fp, c);
	print_telemetry(fp, c);
}

struct count {
	const char	*name;
	size_t		 n;
};

static void
count_add(struct count **v, size_t *nv, const char *name)
{
	size_t i;

	for (i = 0; i < *nv; i++)
		if (strcmp((*v)[i].name, name) == 0) {
			(*v)[i].n++;
			return;
		}
	*v = xreallocarray(*v, *nv + 1, sizeof(**v));
	(*v)[*nv].name = name;
	(*v)[*nv].n = 1;
	(*nv)++;
}

static void
count_print(FILE *fp, const char *title, struct count *v, size_t nv)
{
	size_t i;

	fprintf(fp, "%-12s", title);
	if (nv == 0)
		fputs(" none", fp);
	for (i = 0; i < nv; i++)
		fprintf(fp, "%s %s %zu", i ? "," : "", v[i].name, v[i].n);
	fputc('\n', fp);
}

void
conf_summary(const struct conf *c, FILE *fp)
{
	struct count *plat = NULL;
	size_t nplat = 0, i, d, n;
	size_t tr[CONF_TRANSPORT_COUNT] = { 0 };
	char dur[32];

	for (d = 0; d < c->ndevices; d++) {
		tr[c->devices[d].p.transport]++;
		count_add(&plat, &nplat, c->devices[d].p.platform != NULL ?
		    c->devices[d].p.platform : "(none)");
	}
	fprintf(fp, "%s: configuration OK\n", c->file);
	fprintf(fp, "%-12s %zu (ssh %zu, netconf %zu, rest %zu)\n", "devices:",
	    c->ndevices, tr[CONF_TRANSPORT_SSH], tr[CONF_TRANSPORT_NETCONF],
	    tr[CONF_TRANSPORT_REST]);
	count_print(fp, "platforms:", plat, nplat);
	free(plat);
	fprintf(fp, "%-12s", "groups:");
	if (c->ngroups == 0)
		fputs(" none", fp);
	for (i = 0; i < c->ngroups; i++) {
		for (d = 0, n = 0; d < c->ndevices; d++)
			n += conf_device_in_group(&c->devices[d],
			    c->groups[i]) != 0;
		fprintf(fp, "%s %s %zu", i ? "," : "", c->groups[i]->name, n);
	}
	fputc('\n', fp);
	fprintf(fp, "%-12s %u%s, max_concurrent %u, segment \"%s\"\n",
	    "workers:", c->sup.workers, c->sup.workers_auto ? " (auto)" : "",
	    c->sup.max_concurrent, c->sup.name);
	fprintf(fp, "%-12s %zu", "jobs:", c->njobs);
	for (i = 0; i < c->njobs; i++) {
		for (d = 0, n = 0; d < c->ndevices; d++)
			n += conf_select_match(&c->jobs[i].select,
			    &c->devices[d]) != 0;
		fprintf(fp, "%s %s (%zu device%s, %s)", i ? "," : ":",
		    c->jobs[i].name, n, n == 1 ? "" : "s",
		    conf_mode_names[c->jobs[i].mode]);
	}
	fputc('\n', fp);
	fprintf(fp, "%-12s %zu", "telemetry:", c->ntelemetry);
	for (i = 0; i < c->ntelemetry; i++) {
		for (d = 0, n = 0; d < c->ndevices; d++)
			n += conf_select_match(&c->telemetry[i].select,
			    &c->devices[d]) != 0;
		conf_format_duration(c->telemetry[i].interval_ms, dur,
		    sizeof(dur));
		fprintf(fp, "%s %s (%zu device%s every %s)", i ? "," : ":",
		    c->telemetry[i].name, n, n == 1 ? "" : "s", dur);
	}
	fputc('\n', fp);
}

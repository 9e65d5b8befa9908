/*
 * naut-stat -j: the whole snapshot as one JSON object (and, with -d, the
 * device list).  Strings are escaped byte by byte and invalid UTF-8 is
 * replaced, so the output parses whatever a config file put in a name.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nstat.h"

#define NSTAT_JSON_FORMAT	1

/* Length of the valid UTF-8 sequence at p, or 0 if invalid. */
static size_t
utf8_len(const unsigned char *p)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

static void
json_str(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', fp);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fputc('\\', fp);
			fputc(*p++, fp);
		} else if (*p == '\n') {
			fputs("\\n", fp);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", fp);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\u%04x", *p++);
		} else if ((n = utf8_len(p)) == 0) {
			fputs("\\ufffd", fp);
			p++;
		} else {
			fwrite(p, 1, n, fp);
			p += n;
		}
	}
	fputc('"', fp);
}

static void
json_key(FILE *fp, int *first, const char *k)
{
	if (!*first)
		fputc(',', fp);
	*first = 0;
	json_str(fp, k);
	fputc(':', fp);
}

static void
json_num(FILE *fp, double d)
{
	if (!isfinite(d))
		fputs("null", fp);
	else
		fprintf(fp, "%.6g", d);
}

static void
json_time(FILE *fp, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[40];

	if (ms == 0 || gmtime_r(&t, &tm) == NULL) {
		fputs("null", fp);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(fp, "\"%s.%03uZ\"", buf, (unsigned)(ms % 1000));
}

static uint64_t
now_ms(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
json_header(FILE *fp, const struct shm *seg, const struct nstat_snap *s)
{
	const struct shm_info *in = &s->s_info;
	struct shm_worker wk;
	unsigned i;

	fprintf(fp, "{\"naut_stat\":%d,\"timestamp\":", NSTAT_JSON_FORMAT);
	json_time(fp, s->s_real_ms);
	fputs(",\"segment\":{\"path\":", fp);
	json_str(fp, in->path);
	fputs(",\"name\":", fp);
	json_str(fp, in->name);
	fprintf(fp, ",\"layout\":%u,\"generation\":%" PRIu64 ",\"size\":%"
	    PRIu64 ",\"mode\":\"%04o\"}", in->version, in->generation,
	    in->seg_size, (unsigned)in->mode);
	fprintf(fp, ",\"supervisor\":{\"pid\":%ld,\"alive\":%s,\"started\":",
	    (long)in->sup_pid, in->sup_alive ? "true" : "false");
	json_time(fp, in->started_ms);
	fputs(",\"uptime_s\":", fp);
	json_num(fp, nstat_uptime_s(s));
	fprintf(fp, "},\"workers\":{\"total\":%u,\"alive\":%u,\"slots\":[",
	    in->nworkers, s->s_workers_alive);
	for (i = 0; i < in->nworkers; i++) {
		shm_worker_get(seg, i, &wk);
		fprintf(fp, "%s{\"pid\":%ld,\"state\":\"%s\",\"starts\":%u,"
		    "\"heartbeat_age_ms\":", i ? "," : "", (long)wk.pid,
		    naut_wstate_name(wk.state), wk.starts);
		if (wk.heartbeat_ms == 0 || wk.heartbeat_ms > s->s_mono_ms)
			fputs("null}", fp);
		else
			fprintf(fp, "%" PRIu64 "}", s->s_mono_ms -
			    wk.heartbeat_ms);
	}
	fprintf(fp, "]},\"budget\":{\"limit\":%u,\"in_use\":%u,\"waiters\":%u,"
	    "\"held_sum\":%" PRIu64 ",\"consistent\":%s}", s->s_budget.limit,
	    s->s_budget.in_use, s->s_budget.waiters, s->s_budget.held_sum,
	    s->s_budget.consistent ? "true" : "false");
	fprintf(fp, ",\"devices\":{\"total\":%u,\"mid_write\":%u,"
	    "\"by_status\":{", in->ndevices, s->s_busy);
	for (i = 0; i < NAUT_RUN_COUNT; i++)
		fprintf(fp, "%s\"%s\":%u", i ? "," : "", naut_run_name(i),
		    s->s_by_run[i]);
	fputs("},\"breakers\":{", fp);
	for (i = 0; i < NAUT_BRK_COUNT; i++)
		fprintf(fp, "%s\"%s\":%u", i ? "," : "", naut_brk_name(i),
		    s->s_by_brk[i]);
	fputs("}}", fp);
}

static void
json_counters(FILE *fp, const struct nstat_row *rows, size_t n,
    const struct nstat_snap *s)
{
	struct nstat_val v;
	double up = nstat_uptime_s(s);
	int first = 1;
	size_t i;

	fputs(",\"counters\":{", fp);
	for (i = 0; i < n; i++) {
		const struct nstat_row *r = &rows[i];

		if (r->r_kind == NSTAT_STATE)
			continue;
		nstat_row_value(r, s, &v);
		json_key(fp, &first, r->r_name);
		fprintf(fp, "{\"kind\":\"%s\",\"unit\":",
		    nstat_rowkind_name(r->r_kind));
		json_str(fp, r->r_unit);
		fputs(",\"value\":", fp);
		if (!v.v_def)
			fputs("null", fp);
		else if (v.v_int)
			fprintf(fp, "%" PRId64, v.v_i);
		else
			json_num(fp, v.v_d);
		if (r->r_kind == NSTAT_COUNTER) {
			fputs(",\"avg\":", fp);
			json_num(fp, v.v_def ? v.v_d / up : NAN);
		}
		fputs(",\"description\":", fp);
		json_str(fp, r->r_help);
		fputc('}', fp);
	}
	fputc('}', fp);
}

static int
hist_selected(const struct nstat_row *rows, size_t n, const char *name)
{
	size_t i, l = strlen(name);

	for (i = 0; i < n; i++)
		if (strncmp(rows[i].r_name, name, l) == 0 &&
		    rows[i].r_name[l] == '.')
			return 1;
	return 0;
}

static void
json_histograms(FILE *fp, const struct nstat_row *rows, size_t n,
    const struct nstat_snap *s)
{
	uint64_t cum;
	unsigned i, k;
	int first = 1;

	fputs(",\"histograms\":{", fp);
	for (i = 0; i < CTR_COUNT; i++) {
		const struct ctr_desc *d = &ctr_table[i];

		if (d->cd_kind != CTR_HIST ||
		    !hist_selected(rows, n, d->cd_name))
			continue;
		json_key(fp, &first, d->cd_name);
		fputs("{\"unit\":", fp);
		json_str(fp, d->cd_unit);
		fprintf(fp, ",\"count\":%" PRIu64 ",\"sum\":%" PRIu64
		    ",\"buckets\":[", ctr_hist_count(&s->s_ctr, (enum ctr_id)i),
		    ctr_hist_sum(&s->s_ctr, (enum ctr_id)i));
		for (cum = 0, k = 0; k < CTR_HIST_NBUCKETS; k++) {
			cum += ctr_val(&s->s_ctr, (enum ctr_id)i, k);
			if (k < CTR_HIST_NBOUNDS)
				fprintf(fp, "%s{\"le\":%" PRIu64 ",\"count\":%"
				    PRIu64 "}", k ? "," : "",
				    ctr_hist_bound(k), cum);
			else
				fprintf(fp, ",{\"le\":\"+Inf\",\"count\":%"
				    PRIu64 "}", cum);
		}
		fputs("]}", fp);
	}
	fputc('}', fp);
}

static void
json_devices(FILE *fp, const struct shm *seg, const struct nstat_opts *o)
{
	struct shm_dev d;
	uint64_t mono = now_ms(CLOCK_MONOTONIC);
	unsigned i, n = shm_ndevices(seg);
	int first = 1, busy;

	fputs(",\"device_list\":[", fp);
	for (i = 0; i < n; i++) {
		const char *nm = shm_dev_name(seg, i);

		busy = shm_dev_read(seg, i, &d) == -1;
		if (!nstat_dev_match(o, nm, &d))
			continue;
		fputs(first ? "\n{\"name\":" : ",\n{\"name\":", fp);
		first = 0;
		json_str(fp, nm);
		fprintf(fp, ",\"index\":%u,\"status\":\"%s\",\"attempts\":%u,"
		    "\"result\":\"%s\",\"error\":", i, naut_run_name(d.run),
		    d.attempts, naut_result_name(d.last_result));
		if (d.last_result == NAUT_RESULT_NONE)
			fputs("null", fp);
		else
			fprintf(fp, "\"%s\"", naut_err_name(d.last_err));
		fputs(",\"code\":", fp);
		if (d.last_code < 0)
			fputs("null", fp);
		else
			fprintf(fp, "%d", d.last_code);
		fprintf(fp, ",\"last_ms\":%u,\"last_ok\":", d.last_dur_ms);
		json_time(fp, d.last_ok_ms);
		fprintf(fp, ",\"breaker\":{\"state\":\"%s\",\"failures\":%u,"
		    "\"successes\":%u,\"probe\":%s,\"open_age_ms\":",
		    naut_brk_name(d.brk.state), d.brk.failures,
		    d.brk.successes, d.brk.probe ? "true" : "false");
		if (d.brk.state == NAUT_BRK_OPEN && mono >= d.brk.opened_ms)
			fprintf(fp, "%" PRIu64 "}", mono - d.brk.opened_ms);
		else
			fputs("null}", fp);
		fprintf(fp, ",\"worker\":%u,\"mid_write\":%s}", d.owner,
		    busy ? "true" : "false");
	}
	fputs("]", fp);
}

void
nstat_json(FILE *fp, const struct shm *seg, const struct nstat_row *rows,
    size_t n, const struct nstat_snap *s, const struct nstat_opts *o)
{
	json_header(fp, seg, s);
	json_counters(fp, rows, n, s);
	json_histograms(fp, rows, n, s);
	if (o->o_devices)
		json_devices(fp, seg, o);
	fputs("}\n", fp);
}

/*
 * Plain-text output: -1 (one line per row: name, value, average per second
 * since start, description, as varnishstat -1), -l (the row list), and
 * -d (one line per device).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nstat.h"

void
nstat_text_once(FILE *fp, const struct nstat_row *rows, size_t n,
    const struct nstat_snap *s)
{
	struct nstat_val v;
	double up = nstat_uptime_s(s);
	char val[32], avg[32];
	size_t i;

	for (i = 0; i < n; i++) {
		nstat_row_value(&rows[i], s, &v);
		nstat_fmt_value(val, sizeof(val), &v);
		if (rows[i].r_kind == NSTAT_COUNTER && v.v_def)
			snprintf(avg, sizeof(avg), "%.2f", v.v_d / up);
		else
			snprintf(avg, sizeof(avg), ".");
		fprintf(fp, "%-36s %14s %12s  %s\n", rows[i].r_name, val, avg,
		    rows[i].r_help);
	}
}

void
nstat_text_list(FILE *fp, const struct nstat_row *rows, size_t n)
{
	size_t i;

	fprintf(fp, "%-36s %-8s %-6s %s\n", "NAME", "KIND", "UNIT",
	    "DESCRIPTION");
	for (i = 0; i < n; i++)
		fprintf(fp, "%-36s %-8s %-6s %s\n", rows[i].r_name,
		    nstat_rowkind_name(rows[i].r_kind),
		    rows[i].r_unit[0] != '\0' ? rows[i].r_unit : "-",
		    rows[i].r_help);
}

static uint64_t
now_ms(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
breaker_word(char *buf, size_t len, const struct shm_breaker *b,
    uint64_t mono)
{
	char age[32];

	if (b->state == NAUT_BRK_OPEN) {
		nstat_fmt_age(age, sizeof(age), mono > b->opened_ms ?
		    mono - b->opened_ms : 0);
		snprintf(buf, len, "open/%s", age);
	} else if (b->state == NAUT_BRK_HALF_OPEN)
		snprintf(buf, len, "half_open%s", b->probe ? "/probe" : "");
	else
		snprintf(buf, len, "%s", naut_brk_name(b->state));
}

void
nstat_text_devices(FILE *fp, const struct shm *seg,
    const struct nstat_opts *o)
{
	struct shm_dev d;
	uint64_t mono = now_ms(CLOCK_MONOTONIC), real = now_ms(CLOCK_REALTIME);
	unsigned i, n = shm_ndevices(seg), shown = 0, busy;
	size_t w = 6, l;
	char name[256], code[16], lastok[32], brk[48];

	for (i = 0; i < n; i++)
		if ((l = strlen(shm_dev_name(seg, i))) > w)
			w = l;
	if (w > 40)
		w = 40;
	fprintf(fp, "%-*s %-8s %8s %-9s %-16s %5s %9s %8s %-16s %5s %3s\n",
	    (int)w, "DEVICE", "STATUS", "ATTEMPTS", "RESULT", "ERROR", "CODE",
	    "LAST_MS", "LAST_OK", "BREAKER", "FAILS", "W");
	for (i = 0; i < n; i++) {
		const char *nm = shm_dev_name(seg, i);

		busy = shm_dev_read(seg, i, &d) == -1;
		if (!nstat_dev_match(o, nm, &d))
			continue;
		shown++;
		nstat_fmt_name(name, sizeof(name), nm);
		if (d.last_code >= 0)
			snprintf(code, sizeof(code), "%d", d.last_code);
		else
			snprintf(code, sizeof(code), "-");
		if (d.last_ok_ms != 0 && real >= d.last_ok_ms)
			nstat_fmt_age(lastok, sizeof(lastok),
			    real - d.last_ok_ms);
		else
			snprintf(lastok, sizeof(lastok), "-");
		breaker_word(brk, sizeof(brk), &d.brk, mono);
		fprintf(fp, "%-*s %-8s %8u %-9s %-16s %5s %9u %8s %-16s %5u %3u"
		    "%s\n", (int)w, name, naut_run_name(d.run), d.attempts,
		    naut_result_name(d.last_result),
		    d.last_result == NAUT_RESULT_NONE ? "-" :
		    naut_err_name(d.last_err), code, d.last_dur_ms, lastok,
		    brk, d.brk.failures, d.owner, busy ? " (mid-write)" : "");
	}
	fprintf(fp, "# %u of %u devices\n", shown, n);
}

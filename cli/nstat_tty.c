/*
 * The live terminal view: a header with the fleet's state, then one line
 * per row with its value, its rate over the last refresh and its average
 * since the supervisor started.  Plain ANSI (home, clear to end), so
 * naut-stat needs no curses; lines are cut to the window size.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "nstat.h"
#include "xmem.h"

struct nstat_tty {
	size_t		 t_nrows;
	double		*t_prev;	/* value per row at the last frame */
	unsigned char	*t_have;	/* t_prev[i] is meaningful */
	uint64_t	 t_prev_ms;	/* monotonic time of the last frame */
	int		 t_started;
};

struct nstat_tty *
nstat_tty_new(size_t nrows)
{
	struct nstat_tty *t = xcalloc(1, sizeof(*t));

	t->t_nrows = nrows;
	t->t_prev = xcalloc(nrows ? nrows : 1, sizeof(double));
	t->t_have = xcalloc(nrows ? nrows : 1, 1);
	return t;
}

void
nstat_tty_free(struct nstat_tty *t)
{
	if (t == NULL)
		return;
	free(t->t_prev);
	free(t->t_have);
	free(t);
}

void
nstat_tty_reset(struct nstat_tty *t)
{
	memset(t->t_have, 0, t->t_nrows ? t->t_nrows : 1);
	t->t_prev_ms = 0;
}

static void
winsize(int *rows, int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* Print at most cols columns of line, then clear to end of line. */
static void
put_line(FILE *fp, int cols, const char *line)
{
	fprintf(fp, "%.*s\033[K\n", cols, line);
}

static void
header(FILE *fp, int cols, const struct nstat_snap *s, const char *note)
{
	const struct shm_info *in = &s->s_info;
	char line[512], up[32], when[32];
	time_t t = (time_t)(s->s_real_ms / 1000);
	struct tm tm;
	size_t l;
	unsigned k;

	nstat_fmt_age(up, sizeof(up), (uint64_t)(nstat_uptime_s(s) * 1000));
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(line, sizeof(line), "naut-stat  %s  %s  pid %ld%s  up %s  "
	    "gen %" PRIu64 "  %s", in->name[0] ? in->name : "-", in->path,
	    (long)in->sup_pid, in->sup_alive ? "" : " (gone)", up,
	    in->generation, when);
	put_line(fp, cols, line);
	snprintf(line, sizeof(line), "workers %u/%u alive   budget %u/%u in "
	    "use, %u waiting", s->s_workers_alive, in->nworkers,
	    s->s_budget.in_use, s->s_budget.limit, s->s_budget.waiters);
	put_line(fp, cols, line);
	l = (size_t)snprintf(line, sizeof(line), "devices %u:", in->ndevices);
	for (k = 0; k < NAUT_RUN_COUNT && l < sizeof(line); k++)
		l += (size_t)snprintf(line + l, sizeof(line) - l, " %s %u",
		    naut_run_name(k), s->s_by_run[k]);
	if (l < sizeof(line))
		snprintf(line + l, sizeof(line) - l, "   breakers: open %u "
		    "half_open %u", s->s_by_brk[NAUT_BRK_OPEN],
		    s->s_by_brk[NAUT_BRK_HALF_OPEN]);
	put_line(fp, cols, line);
	put_line(fp, cols, note != NULL ? note : "");
}

void
nstat_tty_draw(struct nstat_tty *t, FILE *fp, const struct nstat_row *rows,
    size_t n, const struct nstat_snap *s, const char *note)
{
	struct nstat_val v;
	double up = nstat_uptime_s(s), dt;
	char line[512], val[32], rate[32], avg[32];
	int wrows, cols, used = 0;
	size_t i;

	winsize(&wrows, &cols);
	if (!t->t_started) {
		fputs("\033[?25l", fp);		/* hide the cursor */
		t->t_started = 1;
	}
	fputs("\033[H", fp);
	header(fp, cols, s, note);
	snprintf(line, sizeof(line), "%-28s %12s %10s %10s  %s", "NAME",
	    "CURRENT", "CHANGE/s", "AVG/s", "DESCRIPTION");
	put_line(fp, cols, line);
	used = 5;
	dt = t->t_prev_ms != 0 && s->s_mono_ms > t->t_prev_ms ?
	    (double)(s->s_mono_ms - t->t_prev_ms) / 1000.0 : 0;
	for (i = 0; i < n && i < t->t_nrows; i++) {
		const struct nstat_row *r = &rows[i];

		nstat_row_value(r, s, &v);
		/* The header already shows the state rows. */
		if (r->r_kind != NSTAT_STATE && used < wrows - 1) {
			nstat_fmt_value(val, sizeof(val), &v);
			snprintf(rate, sizeof(rate), ".");
			snprintf(avg, sizeof(avg), ".");
			if (r->r_kind == NSTAT_COUNTER && v.v_def) {
				if (dt > 0 && t->t_have[i])
					snprintf(rate, sizeof(rate), "%.2f",
					    (v.v_d - t->t_prev[i]) / dt);
				snprintf(avg, sizeof(avg), "%.2f", v.v_d / up);
			}
			snprintf(line, sizeof(line), "%-28s %12s %10s %10s  %s",
			    r->r_name, val, rate, avg, r->r_help);
			put_line(fp, cols, line);
			used++;
		}
		t->t_prev[i] = v.v_d;
		t->t_have[i] = (unsigned char)v.v_def;
	}
	t->t_prev_ms = s->s_mono_ms;
	fputs("\033[J", fp);	/* clear whatever the last frame left below */
	fflush(fp);
}

void
nstat_tty_end(FILE *fp)
{
	fputs("\033[?25h", fp);
	fflush(fp);
}

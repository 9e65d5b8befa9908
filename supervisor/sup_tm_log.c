/*
 * The telemetry JSON-lines sink (--telemetry-log FILE): one object per
 * point, {"time","device","metric","labels":{...},"value"}, written by the
 * supervisor alone so lines never interleave.  Past --telemetry-log-size
 * the file is renamed to FILE.1 (replacing the previous one) and a new
 * FILE begins: at most twice the size is kept, with no outside rotator.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "sup.h"

static FILE	*tm_log;
static uint64_t	 tm_log_size;

static int
tm_log_open(const char *path)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0640)) == -1 || (tm_log = fdopen(fd, "a")) == NULL) {
		log_warn("telemetry log %s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	tm_log_size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int
sup_tm_log_open(struct sup *s)
{
	if (s->s_opts->so_tm_log == NULL)
		return 0;
	return tm_log_open(s->s_opts->so_tm_log);
}

void
sup_tm_log_close(void)
{
	if (tm_log != NULL && fclose(tm_log) != 0)
		log_warn("telemetry log");
	tm_log = NULL;
}

static void
tm_log_rotate(const struct sup *s)
{
	char old[4096];
	const char *path = s->s_opts->so_tm_log;

	fclose(tm_log);
	tm_log = NULL;
	snprintf(old, sizeof(old), "%s.1", path);
	if (rename(path, old) == -1)
		log_warn("telemetry log: rename %s", path);
	tm_log_open(path);
}

static void
put_str(FILE *fp, const char *v)
{
	char esc[1024];

	log_json_escape(esc, sizeof(esc), v);
	fprintf(fp, "\"%s\"", esc);
}

void
sup_tm_log_point(const struct sup *s, const struct wrk_rec *r,
    const char *labels, size_t llen)
{
	const struct conf *c = s->s_conf;
	const char *l = labels, *end = labels + llen, *v;
	char ts[64];
	struct tm tm;
	time_t t = (time_t)(r->wr_time_ms / 1000);
	long pos;

	if (tm_log == NULL)
		return;
	gmtime_r(&t, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(r->wr_time_ms % 1000));
	pos = ftell(tm_log);
	fprintf(tm_log, "{\"time\":\"%s\",\"ts_ms\":%llu,\"tick_ms\":%llu,"
	    "\"device\":", ts, (unsigned long long)r->wr_time_ms,
	    (unsigned long long)r->wr_bytes);
	put_str(tm_log, c->devices[r->wr_dev].name);
	fputs(",\"metric\":", tm_log);
	put_str(tm_log, c->telemetry[r->wr_cmd].metric != NULL ?
	    c->telemetry[r->wr_cmd].metric : c->telemetry[r->wr_cmd].name);
	fputs(",\"labels\":{", tm_log);
	while (l < end) {
		v = l + strlen(l) + 1;
		if (l != labels)
			fputc(',', tm_log);
		put_str(tm_log, l);
		fputc(':', tm_log);
		put_str(tm_log, v);
		l = v + strlen(v) + 1;
	}
	fprintf(tm_log, "},\"value\":%.17g}\n", r->wr_value);
	if (pos >= 0 && ftell(tm_log) > pos)
		tm_log_size += (uint64_t)(ftell(tm_log) - pos);
	if (s->s_opts->so_tm_log_max > 0 &&
	    tm_log_size >= s->s_opts->so_tm_log_max)
		tm_log_rotate(s);
}

/* Lines are whole once flushed; a reader tailing the file sees them soon. */
void
sup_tm_log_flush(void)
{
	if (tm_log != NULL)
		fflush(tm_log);
}

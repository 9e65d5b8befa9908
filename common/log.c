/*
 * Log sink shared by the supervisor, its workers and the tools.  Messages are
 * escaped before they are written, so bytes that came from a device can never
 * reach an operator's terminal as control sequences.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "esc.h"
#include "log.h"

static FILE		*log_fp;
static enum log_format	 log_fmt = LOG_FMT_TEXT;
static int		 log_lvl = LOG_LVL_INFO;
static char		 log_proc[32] = "naut";
static log_sink_fn	*log_sink;
static void		*log_sink_arg;

static const char *const log_lvlname[] = {
	"error", "warn", "info", "debug"
};

void
log_init(FILE *fp, enum log_format fmt, enum log_level lvl)
{
	log_fp = fp;
	log_fmt = fmt;
	log_lvl = lvl;
}

void
log_procinit(const char *name)
{
	snprintf(log_proc, sizeof(log_proc), "%s", name);
}

void
log_setlevel(enum log_level lvl)
{
	log_lvl = lvl;
}

int
log_getlevel(void)
{
	return log_lvl;
}

size_t
log_json_escape(char *dst, size_t dsz, const char *src)
{
	return esc_json(dst, dsz, src);
}

/*
 * Text mode: keep printable UTF-8, show control bytes, escape sequences'
 * ESC, C1 controls, bidi overrides and invalid UTF-8 as escapes.
 */
static void
log_text_escape(char *dst, size_t dsz, const char *src)
{
	esc_term(dst, dsz, src);
}

void
log_set_sink(log_sink_fn *fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

/*
 * Write one line for proc (pid).  Every line of every process goes
 * through here in the supervisor, which alone writes the log, so lines
 * never interleave.
 */
void
log_emit(enum log_level lvl, const char *proc, long pid, const char *msg)
{
	log_emit_fields(lvl, proc, pid, NULL, msg);
}

static void
log_json_field(FILE *fp, const char *k, const char *v)
{
	char esc[1024];

	if (v == NULL)
		return;
	log_json_escape(esc, sizeof(esc), v);
	fprintf(fp, ",\"%s\":\"%s\"", k, esc);
}

void
log_emit_fields(enum log_level lvl, const char *proc, long pid,
    const struct log_fields *f, const char *msg)
{
	char esc[8192], ts[64];
	struct timespec now;
	struct tm tm;
	FILE *fp = log_fp != NULL ? log_fp : stderr;

	if ((unsigned)lvl > LOG_LVL_DEBUG)
		lvl = LOG_LVL_DEBUG;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (now.tv_nsec / 1000000) % 1000);
	if (log_fmt == LOG_FMT_JSON) {
		fprintf(fp, "{\"ts\":\"%s\",\"level\":\"%s\",\"proc\":\"%s\","
		    "\"pid\":%ld", ts, log_lvlname[lvl], proc, pid);
		if (f != NULL) {
			log_json_field(fp, "device", f->lf_device);
			log_json_field(fp, "transport", f->lf_transport);
			log_json_field(fp, "event", f->lf_event);
			log_json_field(fp, "status", f->lf_status);
			if (f->lf_duration_ms >= 0)
				fprintf(fp, ",\"duration_ms\":%lld",
				    (long long)f->lf_duration_ms);
		}
		log_json_escape(esc, sizeof(esc), msg);
		fprintf(fp, ",\"msg\":\"%s\"}\n", esc);
	} else {
		log_text_escape(esc, sizeof(esc), msg);
		fprintf(fp, "%s %s[%ld] %s: %s\n", ts, proc, pid,
		    log_lvlname[lvl], esc);
	}
	fflush(fp);
}

void
vlog(enum log_level lvl, int err, const char *fmt, va_list ap)
{
	char msg[4096];
	int saved = errno;

	if ((int)lvl > log_lvl) {
		errno = saved;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, ": %s", strerror(err));
	}
	if (log_sink != NULL)
		log_sink(log_sink_arg, lvl, msg);
	else
		log_emit(lvl, log_proc, (long)getpid(), msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, err, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, err, fmt, ap);
	va_end(ap);
	exit(NAUT_EX_SOFTWARE);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(NAUT_EX_SOFTWARE);
}

/*
 * Logging for every naut process: the OpenBSD log.c shape (log_warn adds
 * strerror(errno), fatal exits) with a JSON-lines or text sink.
 */
#ifndef NAUT_LOG_H
#define NAUT_LOG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

enum log_format {
	LOG_FMT_TEXT = 0,
	LOG_FMT_JSON
};

/* Exit codes (sysexits.h values, documented in naut-supervisor(8)). */
#define NAUT_EX_OK		0
#define NAUT_EX_FAILED		1
#define NAUT_EX_USAGE		64
#define NAUT_EX_SOFTWARE	70
#define NAUT_EX_OSERR		71
#define NAUT_EX_TEMPFAIL	75
#define NAUT_EX_CONFIG		78

/*
 * The structured part of an event about one device.  JSON output carries
 * each set field as its own key; text output only the message.
 */
struct log_fields {
	const char	*lf_device;
	const char	*lf_transport;
	const char	*lf_event;	/* retry, device_failed, breaker_open ... */
	const char	*lf_status;	/* a status word, e.g. timeout */
	int64_t		 lf_duration_ms;	/* -1: none */
};

typedef void log_sink_fn(void *, enum log_level, const char *msg);

void	log_init(FILE *, enum log_format, enum log_level);
/* Send formatted lines to fn instead of writing them (workers). */
void	log_set_sink(log_sink_fn *, void *);
void	log_emit(enum log_level, const char *proc, long pid, const char *);
void	log_emit_fields(enum log_level, const char *proc, long pid,
	    const struct log_fields *, const char *);
void	log_procinit(const char *);
void	log_setlevel(enum log_level);
int	log_getlevel(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(enum log_level, int, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Escape a string into a JSON string body (no quotes); returns bytes written. */
size_t	log_json_escape(char *, size_t, const char *);

#endif

/*
 * results.jsonl: one JSON object per device and command, written only by
 * the supervisor, so lines from many workers never interleave.  A record
 * for a (device, command) pair is written once: a replacement worker that
 * redoes a device after a crash cannot duplicate what was already written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "naut_enums.h"
#include "sup.h"
#include "xmem.h"

int
sup_results_open(struct sup *s)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/results.jsonl",
	    s->s_conf->sup.output_dir);
	/*
	 * Appended: results of earlier runs are never thrown away.  Never
	 * through a link: under privilege separation output_dir belongs to
	 * the worker user, and we may be root.
	 */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW, 0640)) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if ((s->s_results = fdopen(fd, "a")) == NULL) {
		log_warn("fdopen %s", path);
		close(fd);
		return -1;
	}
	/* Whole lines only: tail -f, log shippers and tests read it live. */
	setvbuf(s->s_results, NULL, _IOLBF, 1 << 16);
	s->s_maxsteps = conf_job_maxsteps(s->s_job);
	s->s_written = xcalloc(s->s_conf->ndevices * (s->s_maxsteps + 1)
	    / 8 + 1, 1);
	s->s_dev = xcalloc(s->s_conf->ndevices + 1, sizeof(*s->s_dev));
	return 0;
}

void
sup_results_close(struct sup *s)
{
	if (s->s_results == NULL)
		return;
	if (fflush(s->s_results) != 0 || fsync(fileno(s->s_results)) != 0)
		log_warn("results.jsonl");
	fclose(s->s_results);
	s->s_results = NULL;
}

static void
put_str(FILE *fp, const char *k, const char *v)
{
	char esc[2048];

	log_json_escape(esc, sizeof(esc), v != NULL ? v : "");
	fprintf(fp, ",\"%s\":\"%s\"", k, esc);
}

static void
sup_results_write(struct sup *s, const struct wrk_rec *r)
{
	const struct conf_device *d = &s->s_conf->devices[r->wr_dev];
	char ts[64], msg[WRK_MSG_MAX + 1], step[1024];
	struct tm tm;
	time_t t = (time_t)(r->wr_time_ms / 1000);
	FILE *fp = s->s_results;

	gmtime_r(&t, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(r->wr_time_ms % 1000));
	memcpy(msg, r->wr_msg, WRK_MSG_MAX);
	msg[WRK_MSG_MAX] = '\0';
	fprintf(fp, "{\"time\":\"%s\",\"run\":%llu", ts,
	    (unsigned long long)s->s_run_id);
	put_str(fp, "device", d->name);
	put_str(fp, "host", d->p.host);
	fprintf(fp, ",\"port\":%u", d->p.port);
	put_str(fp, "transport", conf_transport_names[d->p.transport]);
	put_str(fp, "job", s->s_job->name);
	put_str(fp, "command", conf_job_step(s->s_job, d->p.transport,
	    r->wr_cmd, step, sizeof(step)));
	put_str(fp, "status", naut_err_name(r->wr_err));
	fprintf(fp, ",\"attempts\":%u,\"duration_ms\":%llu,\"bytes\":%llu",
	    r->wr_attempts, (unsigned long long)r->wr_dur_ms,
	    (unsigned long long)r->wr_bytes);
	if (r->wr_code >= 0)
		fprintf(fp, ",\"exit_code\":%d", r->wr_code);
	if (r->wr_parsed)
		fprintf(fp, ",\"rows\":%llu", (unsigned long long)r->wr_rows);
	put_str(fp, "error", msg);
	fputs("}\n", fp);
}

void
sup_results_handle(struct sup *s, const struct wrk_rec *r)
{
	const struct conf *c = s->s_conf;
	struct sup_devstat *ds;
	size_t bit;

	if (r->wr_type != WRK_REC_LOG && (r->wr_dev >= c->ndevices ||
	    r->wr_err >= NAUT_ERR_COUNT)) {
		log_warnx("malformed record from a worker (device %u)",
		    r->wr_dev);
		return;
	}
	switch (r->wr_type) {
	case WRK_REC_RESULT:
		if (r->wr_cmd >= conf_job_nsteps(s->s_job,
		    c->devices[r->wr_dev].p.transport))
			return;
		bit = (size_t)r->wr_dev * s->s_maxsteps + r->wr_cmd;
		if (s->s_written[bit / 8] & (1u << (bit % 8)))
			return;
		s->s_written[bit / 8] |= (uint8_t)(1u << (bit % 8));
		sup_results_write(s, r);
		break;
	case WRK_REC_DEVICE:
		ds = &s->s_dev[r->wr_dev];
		if (ds->sd_done)
			return;
		ds->sd_done = 1;
		ds->sd_err = r->wr_err;
		ds->sd_attempts = r->wr_attempts;
		ds->sd_dur_ms = r->wr_dur_ms;
		s->s_ndone++;
		if (r->wr_err == NAUT_ERR_OK)
			s->s_nok++;
		else
			s->s_nfailed++;
		s->s_bystatus[r->wr_err]++;
		break;
	case WRK_REC_POINT:
	case WRK_REC_POLL:
		sup_tm_handle(s, r);
		break;
	default:
		log_warnx("unknown record type %u from a worker", r->wr_type);
		break;
	}
}

/* A worker's log line, written by us so that lines never interleave. */
void
sup_results_log(struct sup *s, unsigned w, pid_t pid, const struct wrk_rec *r)
{
	char proc[32], msg[WRK_MSG_MAX + 1], event[sizeof(r->wr_event) + 1];
	struct log_fields f, *fp = NULL;
	enum log_level lvl = LOG_LVL_WARN;

	snprintf(proc, sizeof(proc), "worker-%u", w);
	memcpy(msg, r->wr_msg, WRK_MSG_MAX);
	msg[WRK_MSG_MAX] = '\0';
	if (r->wr_code >= LOG_LVL_ERROR && r->wr_code <= LOG_LVL_DEBUG)
		lvl = (enum log_level)r->wr_code;
	if (r->wr_dev != WRK_NODEV && r->wr_dev < s->s_conf->ndevices) {
		const struct conf_device *d = &s->s_conf->devices[r->wr_dev];

		memcpy(event, r->wr_event, sizeof(r->wr_event));
		event[sizeof(r->wr_event)] = '\0';
		memset(&f, 0, sizeof(f));
		f.lf_device = d->name;
		f.lf_transport = conf_transport_names[d->p.transport];
		f.lf_event = event;
		f.lf_status = naut_err_name(r->wr_err);
		f.lf_duration_ms = r->wr_dur_ms == UINT64_MAX ? -1 :
		    (int64_t)r->wr_dur_ms;
		fp = &f;
	}
	log_emit_fields(lvl, proc, (long)pid, fp, msg);
}

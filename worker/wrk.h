/*
 * wrk: a worker process.  The supervisor forks it after parsing the fleet
 * and creating the segment; everything it inherits is in one struct
 * (Varnish heritage.h), and it talks back only through its socketpair and
 * the segment.
 */
#ifndef NAUT_WRK_H
#define NAUT_WRK_H

#include <stddef.h>
#include <stdint.h>

struct conf;
struct conf_job;
struct shm;

/* A private key file read by the supervisor for a worker that cannot. */
struct wrk_key {
	const char		*wk_path;	/* key_file as configured */
	char			*wk_data;	/* the file's bytes; wiped */
	size_t			 wk_len;
};

struct wrk_heritage {
	unsigned		 wh_index;	/* slot in the segment */
	const struct conf	*wh_conf;
	const struct conf_job	*wh_job;
	const uint8_t		*wh_selected;	/* per device: in this batch */
	const uint16_t		*wh_owner;	/* per device: worker index */
	struct shm		*wh_shm;
	int			 wh_fd;		/* SOCK_SEQPACKET to the supervisor */
	uint64_t		 wh_deadline_ms;	/* CLOCK_MONOTONIC; 0: none */
	const char		*wh_outdir;
	int			 wh_telemetry;	/* daemon mode: wh_job is NULL */
	unsigned		 wh_max_sessions;	/* open at once; 0: no cap */
	const struct wrk_key	*wh_keys;	/* privsep: key files read */
	size_t			 wh_nkeys;
};

/* Records a worker sends; the supervisor is the only writer of results. */
#define WRK_REC_RESULT	1	/* one device x command */
#define WRK_REC_DEVICE	2	/* a device finished (wr_cmd unused) */
#define WRK_REC_LOG	3	/* a log line: wr_code level, wr_msg text; an
				   event about a device also has wr_dev,
				   wr_event, wr_err status, wr_dur_ms */
#define WRK_REC_POINT	4	/* telemetry value: wr_cmd entry, wr_value,
				   wr_time_ms, wr_bytes its tick (wall ms),
				   wr_attempts labels in wr_msg as
				   "name\0value\0..." */
#define WRK_REC_POLL	5	/* telemetry poll over: wr_cmd entry, wr_err,
				   wr_attempts points, wr_value seconds */
#define WRK_NODEV	UINT32_MAX

#define WRK_MSG_MAX	384

struct wrk_rec {
	uint32_t	wr_type;
	uint32_t	wr_dev;
	uint32_t	wr_cmd;
	uint32_t	wr_err;		/* enum naut_err */
	uint32_t	wr_attempts;
	int32_t		wr_code;	/* exit status, HTTP status; -1 none */
	uint64_t	wr_time_ms;	/* CLOCK_REALTIME at the end */
	uint64_t	wr_dur_ms;
	uint64_t	wr_bytes;
	uint32_t	wr_parsed;	/* RESULT: rows were parsed (parse:) */
	uint64_t	wr_rows;	/* ... this many */
	char		wr_event[24];		/* log event name */
	char		wr_msg[WRK_MSG_MAX];	/* error text or log line */
	double		wr_value;		/* POINT value, POLL seconds */
};

/* Never returns: the worker exits 0 when its shard is done. */
void	wrk_main(const struct wrk_heritage *) __attribute__((noreturn));

/* Exit status meaning "do not restart me" (nginx's 2). */
#define WRK_EXIT_FATAL	2

#endif

/*
 * Privilege separation.  Started as root, the supervisor keeps root for
 * what needs it (reading secrets and private keys, the listening socket,
 * the segment, results.jsonl) and every worker gives it up right after
 * fork, before it touches a device: no supplementary groups, the group
 * and user of supervisor.user (default "naut" when that account exists),
 * no new privileges, and a check that root cannot be had back.  What a
 * worker still needs is handed down open (the segment mapping, wake fds,
 * the socketpair) or in memory (secrets, private keys), except the output
 * directory, which is given to the worker user.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "shm.h"
#include "sup.h"
#include "xmem.h"

#define SUP_PRIV_DEFAULT_USER	"naut"
#define SUP_PRIV_KEY_MAX	(1 << 20)

struct sup_priv {
	int		 sp_drop;	/* workers change user */
	uid_t		 sp_uid;
	gid_t		 sp_gid;
	int		 sp_rgroup;	/* a read_group is configured */
	gid_t		 sp_rgid;
	char		 sp_user[64];
	struct wrk_key	*sp_keys;
	size_t		 sp_nkeys;
};

/* A private key file, read whole while we can; the worker uses the copy. */
static int
priv_read_key(const char *path, struct wrk_key *k)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	char *buf;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY))
	    == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size >= SUP_PRIV_KEY_MAX) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size && (n = read(fd, buf + len,
	    (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	k->wk_path = path;
	k->wk_data = buf;
	k->wk_len = len;
	return 0;
}

static int
priv_load_keys(struct sup *s, struct sup_priv *p)
{
	const struct conf *c = s->s_conf;
	size_t i, j;

	for (i = 0; i < c->ndevices; i++) {
		const char *kf = c->devices[i].p.key_file;

		if (kf == NULL)
			continue;
		for (j = 0; j < p->sp_nkeys; j++)
			if (strcmp(p->sp_keys[j].wk_path, kf) == 0)
				break;
		if (j < p->sp_nkeys)
			continue;
		p->sp_keys = xreallocarray(p->sp_keys, p->sp_nkeys + 1,
		    sizeof(*p->sp_keys));
		if (priv_read_key(kf, &p->sp_keys[p->sp_nkeys]) == -1) {
			log_warn("key_file %s", kf);
			return -1;
		}
		p->sp_nkeys++;
	}
	return 0;
}

/*
 * Work out who the workers will be.  Not root: they stay what we are,
 * and a supervisor.user naming someone else is an error.  Root without
 * supervisor.user and without a "naut" account: they stay root, and
 * the log says so.
 */
int
sup_priv_init(struct sup *s)
{
	const struct conf_supervisor *cs = &s->s_conf->sup;
	struct sup_priv *p;
	struct passwd *pw;
	struct group *gr;

	p = xcalloc(1, sizeof(*p));
	s->s_priv = p;
	if (cs->read_group != NULL) {
		if ((gr = getgrnam(cs->read_group)) == NULL) {
			log_warnx("read_group: no group \"%s\"", cs->read_group);
			return -1;
		}
		p->sp_rgroup = 1;
		p->sp_rgid = gr->gr_gid;
	}
	pw = getpwnam(cs->user != NULL ? cs->user : SUP_PRIV_DEFAULT_USER);
	if (geteuid() != 0) {
		if (cs->user != NULL && (pw == NULL || pw->pw_uid != geteuid())) {
			log_warnx("user: %s: only root can run workers as "
			    "another user", cs->user);
			return -1;
		}
		return 0;
	}
	if (pw == NULL) {
		if (cs->user != NULL) {
			log_warnx("user: no user \"%s\"", cs->user);
			return -1;
		}
		/* Info, not a warning: a lab or a container may mean it. */
		log_info("running as root with no supervisor.user and no "
		    "\"%s\" account: workers keep root privileges",
		    SUP_PRIV_DEFAULT_USER);
		return 0;
	}
	if (pw->pw_uid == 0) {
		log_warnx("user: %s is root: workers keep root privileges",
		    pw->pw_name);
		return 0;
	}
	p->sp_drop = 1;
	p->sp_uid = pw->pw_uid;
	p->sp_gid = pw->pw_gid;
	snprintf(p->sp_user, sizeof(p->sp_user), "%s", pw->pw_name);
	if (cs->group != NULL) {
		if ((gr = getgrnam(cs->group)) == NULL) {
			log_warnx("group: no group \"%s\"", cs->group);
			return -1;
		}
		p->sp_gid = gr->gr_gid;
	}
	if (priv_load_keys(s, p) == -1)
		return -1;
	s->s_heritage.wh_keys = p->sp_keys;
	s->s_heritage.wh_nkeys = p->sp_nkeys;
	log_debug("workers run as uid %ld gid %ld (%s)", (long)p->sp_uid,
	    (long)p->sp_gid, p->sp_user);
	return 0;
}

/* The segment's mode: readers are the owner, or also read_group. */
mode_t
sup_priv_shm_mode(const struct conf *c)
{
	return c->sup.read_group != NULL ? 0640 : 0600;
}

/*
 * A directory given to the worker user, through a descriptor opened
 * without following a symbolic link: a worker of an earlier run owned
 * output_dir and may have left a link to /etc where a device directory
 * was.
 */
static int
priv_give_dir(int at, const char *name, const char *shown, uid_t uid,
    gid_t gid, mode_t mode)
{
	int fd;

	/* output_dir itself is the operator's to name, links and all. */
	if ((fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (at == AT_FDCWD ? 0 : O_NOFOLLOW))) == -1) {
		/* Not a directory, or a link: not ours to give away. */
		if (at != AT_FDCWD && (errno == ENOTDIR || errno == ELOOP))
			return 0;
		log_warn("%s", shown);
		return -1;
	}
	if (fchown(fd, uid, gid) == -1 || fchmod(fd, mode) == -1) {
		log_warn("chown %s", shown);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * After the segment and results.jsonl exist: give them to read_group, and
 * output_dir with the device directories of earlier runs to the worker
 * user.  With read_group, directories get it and the setgid bit, so that
 * what workers create there is readable by that group too.
 */
/* The segment (a reload makes a new one) goes to read_group. */
int
sup_priv_segment(struct sup *s)
{
	struct sup_priv *p = s->s_priv;
	struct shm_info si;

	if (p == NULL || !p->sp_rgroup)
		return 0;
	/* /dev/shm is sticky: only we can replace our segment. */
	shm_info(s->s_shm, &si);
	if (lchown(si.path, (uid_t)-1, p->sp_rgid) == -1) {
		log_warn("giving the segment to read_group");
		return -1;
	}
	return 0;
}

int
sup_priv_setup(struct sup *s)
{
	struct sup_priv *p = s->s_priv;
	const char *outdir = s->s_conf->sup.output_dir;
	uid_t duid = p->sp_drop ? p->sp_uid : (uid_t)-1;
	gid_t dgid = p->sp_rgroup ? p->sp_rgid : (gid_t)-1;
	mode_t dmode = p->sp_rgroup ? 02750 : 0750;
	char shown[4096];
	struct dirent *de;
	DIR *d;
	int dfd;

	if (sup_priv_segment(s) == -1)
		return -1;
	/* Daemon mode has no results.jsonl. */
	if (p->sp_rgroup && s->s_results != NULL &&
	    (fchown(fileno(s->s_results), (uid_t)-1, p->sp_rgid) == -1 ||
	    fchmod(fileno(s->s_results), 0640) == -1)) {
		log_warn("giving results.jsonl to read_group");
		return -1;
	}
	if (!p->sp_drop && !p->sp_rgroup)
		return 0;
	if (priv_give_dir(AT_FDCWD, outdir, outdir, duid, dgid, dmode) == -1)
		return -1;
	if ((dfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		log_warn("%s", outdir);
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR &&
		    de->d_type != DT_UNKNOWN && de->d_type != DT_LNK))
			continue;
		snprintf(shown, sizeof(shown), "%s/%s", outdir, de->d_name);
		if (de->d_type == DT_LNK) {
			log_warnx("%s is a symbolic link; left alone", shown);
			continue;
		}
		if (priv_give_dir(dirfd(d), de->d_name, shown, duid, dgid,
		    dmode) == -1) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

/*
 * In a worker, after fork, before anything else: become the worker user
 * for good.  Any failure is fatal, and the worker exits with the status
 * that stops the supervisor from restarting it.
 */
void
sup_priv_drop(const struct sup *s)
{
	const struct sup_priv *p = s->s_priv;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (p == NULL || !p->sp_drop)
		return;
	if (setgroups(0, NULL) == -1 ||
	    setresgid(p->sp_gid, p->sp_gid, p->sp_gid) == -1 ||
	    setresuid(p->sp_uid, p->sp_uid, p->sp_uid) == -1) {
		log_warn("dropping privileges to %s", p->sp_user);
		_exit(WRK_EXIT_FATAL);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("PR_SET_NO_NEW_PRIVS");
		_exit(WRK_EXIT_FATAL);
	}
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != p->sp_uid || eu != p->sp_uid || su != p->sp_uid ||
	    rg != p->sp_gid || eg != p->sp_gid || sg != p->sp_gid ||
	    getgroups(0, NULL) != 0 || setuid(0) != -1 || setgid(0) != -1) {
		log_warnx("privileges still held after dropping them to %s",
		    p->sp_user);
		_exit(WRK_EXIT_FATAL);
	}
}

void
sup_priv_free(struct sup *s)
{
	struct sup_priv *p = s->s_priv;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->sp_nkeys; i++) {
		explicit_bzero(p->sp_keys[i].wk_data, p->sp_keys[i].wk_len);
		free(p->sp_keys[i].wk_data);
	}
	free(p->sp_keys);
	free(p);
	s->s_priv = NULL;
}

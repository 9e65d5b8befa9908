/*
 * Which device a connection reached and how it behaves: the address
 * <-> index mapping (127.1.0.0 is device 0), the platform by index, and
 * the overrides of <lab>/devices.conf.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

#define X(e, s) s,
const char *const emu_platforms[] = { EMU_PLATFORMS(X) NULL };
const char *const emu_behaviours[] = { EMU_BEHAVIOURS(X) NULL };
#undef X

static int
name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int
devconf_num(const char *s, long max, long *v)
{
	char *e;

	errno = 0;
	*v = strtol(s, &e, 10);
	if (*s < '0' || *s > '9' || *e != '\0' || errno != 0 || *v > max)
		return -1;
	return 0;
}

/* One rule from "<selector> key=value ..."; -1 with *err on error. */
static int
rule_parse(char *line, struct rule *r, const char **err)
{
	char *tok, *save, *v, *dash;
	struct in_addr ia;
	long n;
	int i;

	memset(r, 0, sizeof(*r));
	r->r_lo = r->r_hi = -1;
	r->r_plat = r->r_beh = r->r_delay = r->r_status = -1;
	if ((tok = strtok_r(line, " \t", &save)) == NULL)
		return 1;	/* blank */
	if (strcmp(tok, "*") == 0)
		r->r_any = 1;
	else if (inet_pton(AF_INET, tok, &ia) == 1)
		r->r_ip = ntohl(ia.s_addr);
	else {
		if ((dash = strchr(tok, '-')) != NULL)
			*dash++ = '\0';
		if (devconf_num(tok, DEV_END - DEV_BASE - 1, &r->r_lo) != 0 ||
		    devconf_num(dash ? dash : tok, DEV_END - DEV_BASE - 1,
		    &r->r_hi) != 0 || r->r_hi < r->r_lo) {
			*err = "selector must be *, an index, a range lo-hi or "
			    "an IPv4 address";
			return -1;
		}
	}
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if ((v = strchr(tok, '=')) == NULL) {
			*err = "expected key=value";
			return -1;
		}
		*v++ = '\0';
		if (strcmp(tok, "platform") == 0)
			i = r->r_plat = name_index(emu_platforms, v);
		else if (strcmp(tok, "behaviour") == 0 ||
		    strcmp(tok, "behavior") == 0)
			i = r->r_beh = name_index(emu_behaviours, v);
		else if (strcmp(tok, "delay") == 0)
			i = devconf_num(v, 60000, &n) ? -1 :
			    (r->r_delay = (int)n);
		else if (strcmp(tok, "status") == 0)
			i = devconf_num(v, 255, &n) ? -1 :
			    (r->r_status = (int)n);
		else {
			*err = "unknown key (platform, behaviour, delay, "
			    "status)";
			return -1;
		}
		if (i < 0) {
			if (strcmp(tok, "platform") == 0)
				*err = "platform must be cisco_ios, "
				    "cisco_nxos, juniper_junos, arista_eos or "
				    "linux";
			else if (strcmp(tok, "delay") == 0)
				*err = "delay must be 0..60000 (ms)";
			else if (strcmp(tok, "status") == 0)
				*err = "status must be 0..255";
			else
				*err = "behaviour must be normal, slow, "
				    "hang_login, hang_mid, endless, garbage, "
				    "disconnect_mid, exitstatus, escape_flood, "
				    "endless_banner, long_line or bad_utf8";
			return -1;
		}
	}
	return 0;
}

/* Load path into rules; prints each error, returns how many there were. */
int
devconf_load(const char *path, struct rule *rules, size_t *nrules)
{
	char line[512];
	const char *err = NULL;
	FILE *fp;
	int lineno = 0, errors = 0, rc;

	*nrules = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "emu: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			fprintf(stderr, "emu: %s:%d: line too long\n", path,
			    lineno);
			errors++;
			while ((rc = fgetc(fp)) != EOF && rc != '\n')
				;
			continue;
		}
		line[strcspn(line, "#\r\n")] = '\0';
		rc = rule_parse(line, &rules[*nrules], &err);
		if (rc == -1) {
			fprintf(stderr, "emu: %s:%d: %s\n", path, lineno, err);
			errors++;
		} else if (rc == 0 && ++*nrules == RULES_MAX) {
			fprintf(stderr, "emu: %s: more than %d rules\n", path,
			    RULES_MAX);
			errors++;
			break;
		}
	}
	fclose(fp);
	return errors;
}

/* Name, platform and behaviour of the device at ip (host order). */
void
devconf_device(struct dev *d, uint32_t ip, const struct rule *rules,
    size_t nrules)
{
	struct in_addr ia = { htonl(ip) };
	size_t i;

	d->d_ip = ip;
	inet_ntop(AF_INET, &ia, d->d_addr, sizeof(d->d_addr));
	d->d_index = ip >= DEV_BASE && ip < DEV_END ? (long)(ip - DEV_BASE) :
	    -1;
	if (d->d_index >= 0)
		snprintf(d->d_name, sizeof(d->d_name), "dev%06ld", d->d_index);
	else
		snprintf(d->d_name, sizeof(d->d_name), "labhost");
	d->d_plat = d->d_index >= 0 ? (enum platform)(d->d_index % P_COUNT) :
	    P_LINUX;
	d->d_beh = B_NORMAL;
	d->d_delay_ms = 50;
	d->d_status = 1;
	d->d_seed = model_fnv1a(d->d_name);
	for (i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];

		if (!r->r_any && (r->r_lo >= 0 ? d->d_index < r->r_lo ||
		    d->d_index > r->r_hi : r->r_ip != ip))
			continue;
		if (r->r_plat >= 0)
			d->d_plat = (enum platform)r->r_plat;
		if (r->r_beh >= 0)
			d->d_beh = (enum behaviour)r->r_beh;
		if (r->r_delay >= 0)
			d->d_delay_ms = (unsigned)r->r_delay;
		if (r->r_status >= 0)
			d->d_status = r->r_status;
	}
}

/* The server address of this connection: SSH_CONNECTION's third field. */
uint32_t
devconf_conn_ip(void)
{
	const char *c = getenv("SSH_CONNECTION");
	char f[3][64];
	struct in_addr ia;

	if (c == NULL || sscanf(c, "%63s %63s %63s", f[0], f[1], f[2]) != 3)
		return 0;
	if (strncmp(f[2], "::ffff:", 7) == 0)
		memmove(f[2], f[2] + 7, strlen(f[2] + 7) + 1);
	return inet_pton(AF_INET, f[2], &ia) == 1 ? ntohl(ia.s_addr) : 0;
}

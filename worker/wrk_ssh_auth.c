/*
 * The trust half of an SSH attempt: host-key algorithm preference from
 * known_hosts, the host-key check (strict, accept-new, off), and user
 * authentication by public key, password or keyboard-interactive, falling
 * through to the next method the device offers when one is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knownhosts.h"
#include "log.h"
#include "wrk_ssh_int.h"
#include "wrk_ssh_mem.h"

static const char *const hk_algos[] = { "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519", "ssh-rsa",
    NULL };

/*
 * Offer first the key types known_hosts has for this device, as OpenSSH
 * does: otherwise libssh2 negotiates ecdsa while the file holds ed25519,
 * and a known host would look unknown.
 */
void
ssh_hostkey_pref(struct ssh_attempt *x)
{
	const struct conf_props *p = &x->dev->p;
	const char *known[8];
	char pref[256];
	size_t n, i, j, l = 0;
	struct kh *kh;

	if (p->host_key_checking == CONF_HOSTKEY_OFF || p->known_hosts == NULL)
		return;
	if ((kh = wrk_knownhosts(x->w, p->known_hosts)) == NULL)
		return;
	n = kh_known_types(kh, p->host, p->port, known, 8);
	if (n == 0)
		return;
	pref[0] = '\0';
	for (i = 0; i < n; i++)
		for (j = 0; hk_algos[j] != NULL; j++)
			if (strcmp(known[i], hk_algos[j]) == 0 &&
			    l + strlen(known[i]) + 2 < sizeof(pref))
				l += (size_t)snprintf(pref + l, sizeof(pref) - l,
				    "%s%s", l ? "," : "", known[i]);
	if (l == 0)
		return;
	/*
	 * Then the others: a device whose key type changed then reaches the
	 * host-key check and fails as hostkey_unknown, not as a KEX error.
	 * (libssh2 1.10 has no rsa-sha2-*: "ssh-rsa" is all it can offer.)
	 */
	for (j = 0; hk_algos[j] != NULL; j++) {
		for (i = 0; i < n; i++)
			if (strcmp(known[i], hk_algos[j]) == 0)
				break;
		if (i == n && l + strlen(hk_algos[j]) + 2 < sizeof(pref))
			l += (size_t)snprintf(pref + l, sizeof(pref) - l, ",%s",
			    hk_algos[j]);
	}
	libssh2_session_method_pref(x->s, LIBSSH2_METHOD_HOSTKEY, pref);
}

int
ssh_ph_hostkey(struct ssh_attempt *x)
{
	const struct conf_props *p = &x->dev->p;
	const unsigned char *key;
	size_t len;
	int type;
	struct kh *kh;

	x->phase = PH_AUTHLIST;
	if (p->host_key_checking == CONF_HOSTKEY_OFF)
		return STEP_NEXT;
	key = (const unsigned char *)libssh2_session_hostkey(x->s, &len,
	    &type);
	if (key == NULL)
		return ssh_fail(x, NAUT_ERR_PROTOCOL, "no host key");
	if (p->known_hosts == NULL ||
	    (kh = wrk_knownhosts(x->w, p->known_hosts)) == NULL)
		return ssh_fail(x, NAUT_ERR_HOSTKEY_UNKNOWN, "no known_hosts "
		    "file to check the host key against");
	switch (kh_check(kh, p->host, p->port, key, len)) {
	case KH_MATCH:
		return STEP_NEXT;
	case KH_REVOKED:
		return ssh_fail(x, NAUT_ERR_HOSTKEY_MISMATCH, "host key is "
		    "marked @revoked in %s", p->known_hosts);
	case KH_MISMATCH:
		return ssh_fail(x, NAUT_ERR_HOSTKEY_MISMATCH, "host key for "
		    "%s port %u differs from %s", p->host, p->port,
		    p->known_hosts);
	case KH_UNKNOWN:
		if (p->host_key_checking == CONF_HOSTKEY_ACCEPT_NEW) {
			if (kh_append(kh, p->known_hosts, p->host, p->port,
			    key, len) != 0)
				return ssh_fail(x, NAUT_ERR_INTERNAL, "cannot "
				    "record host key in %s: %s",
				    p->known_hosts, strerror(errno));
			wrk_log_event(x->w, LOG_LVL_INFO, x->dev->index,
			    "hostkey_recorded", NAUT_ERR_OK, -1,
			    "device %s: new host key recorded in %s",
			    x->dev->name, p->known_hosts);
			return STEP_NEXT;
		}
		return ssh_fail(x, NAUT_ERR_HOSTKEY_UNKNOWN, "host key for %s "
		    "port %u is not in %s", p->host, p->port, p->known_hosts);
	}
	return ssh_fail(x, NAUT_ERR_INTERNAL, "host key check failed");
}

static int
has_method(const char *list, const char *m)
{
	size_t n = strlen(m);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, m, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

int
ssh_ph_authlist(struct ssh_attempt *x)
{
	const struct conf_device *d = x->dev;
	const char *u = d->p.username;
	char *list;

	list = libssh2_userauth_list(x->s, u, (unsigned)strlen(u));
	if (list == NULL) {
		int rc = libssh2_session_last_errno(x->s);

		if (rc == LIBSSH2_ERROR_EAGAIN)
			return ssh_wait(x);
		if (libssh2_userauth_authenticated(x->s)) {
			/* "none" was accepted: nothing else to do. */
			x->phase = PH_CH_OPEN;
			return STEP_NEXT;
		}
		return ssh_fail_lib(x, rc, NAUT_ERR_AUTH);
	}
	x->auth_methods = list;
	if (d->p.key_file != NULL && has_method(list, "publickey"))
		x->phase = PH_AUTH_KEY;
	else if (d->password != NULL && has_method(list, "password"))
		x->phase = PH_AUTH_PW;
	else if (d->password != NULL && has_method(list,
	    "keyboard-interactive"))
		x->phase = PH_AUTH_KBD;
	else
		return ssh_fail(x, NAUT_ERR_AUTH, "no usable authentication "
		    "method (device offers: %s)", list);
	return STEP_NEXT;
}

/* After one method is refused, try the next one the device offers. */
static int
auth_next(struct ssh_attempt *x, int rc)
{
	const struct conf_device *d = x->dev;

	if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
	    rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED &&
	    rc != LIBSSH2_ERROR_METHOD_NOT_SUPPORTED &&
	    rc != LIBSSH2_ERROR_FILE)
		return ssh_fail_lib(x, rc, NAUT_ERR_AUTH);
	if (x->phase == PH_AUTH_KEY && d->password != NULL &&
	    has_method(x->auth_methods, "password")) {
		x->phase = PH_AUTH_PW;
		return STEP_NEXT;
	}
	if ((x->phase == PH_AUTH_KEY || x->phase == PH_AUTH_PW) &&
	    d->password != NULL && !x->kbd_used &&
	    has_method(x->auth_methods, "keyboard-interactive")) {
		x->phase = PH_AUTH_KBD;
		return STEP_NEXT;
	}
	if (rc == LIBSSH2_ERROR_FILE)
		return ssh_fail_lib(x, rc, NAUT_ERR_INTERNAL);
	return ssh_fail(x, NAUT_ERR_AUTH, "authentication refused for user "
	    "%s", d->p.username);
}

int
ssh_ph_auth_key(struct ssh_attempt *x)
{
	const struct conf_device *d = x->dev;
	char pub[4096];
	int rc, havepub;

	const struct wrk_key *k = wrk_key_find(x->w, d->p.key_file);
	const char *pp = d->passphrase != NULL ? d->passphrase->value : NULL;

	/* Under privilege separation the supervisor read the file for us. */
	if (k != NULL)
		rc = libssh2_userauth_publickey_frommemory(x->s,
		    d->p.username, strlen(d->p.username), NULL, 0,
		    k->wk_data, k->wk_len, pp);
	else {
		/*
		 * Without the public key file, libssh2 1.10 derives the
		 * public key from the private one through OpenSSL's PEM
		 * decoders first, which cost ~0.4 ms of CPU per login;
		 * <key_file>.pub, as ssh(1) uses it.
		 */
		havepub = (size_t)snprintf(pub, sizeof(pub), "%s.pub",
		    d->p.key_file) < sizeof(pub) && access(pub, R_OK) == 0;
		rc = libssh2_userauth_publickey_fromfile_ex(x->s,
		    d->p.username, (unsigned)strlen(d->p.username),
		    havepub ? pub : NULL, d->p.key_file, pp);
	}
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc != 0)
		return auth_next(x, rc);
	x->phase = PH_CH_OPEN;
	return STEP_NEXT;
}

int
ssh_ph_auth_pw(struct ssh_attempt *x)
{
	const struct conf_device *d = x->dev;
	int rc;

	rc = libssh2_userauth_password_ex(x->s, d->p.username,
	    (unsigned)strlen(d->p.username), d->password->value,
	    (unsigned)d->password->len, NULL);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc != 0)
		return auth_next(x, rc);
	x->phase = PH_CH_OPEN;
	return STEP_NEXT;
}

/*
 * keyboard-interactive: answer a prompt that asks for a password (or a
 * single prompt, the usual PAM "Password: " under any wording) with the
 * password, anything else with an empty string.  The abstract pointer
 * carries the attempt; libssh2 frees responses with its allocator
 * (wrk_ssh_mem.c), so they come from it.
 */
static void
kbd_cb(const char *name, int name_len, const char *instr, int instr_len,
    int nprompts, const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
    LIBSSH2_USERAUTH_KBDINT_RESPONSE *res, void **abstract)
{
	struct ssh_attempt *x = ssh_check(*abstract);
	const struct conf_secret *pw = x->dev->password;
	int i;

	(void)name;
	(void)name_len;
	(void)instr;
	(void)instr_len;
	for (i = 0; i < nprompts; i++) {
		int want = nprompts == 1 ||
		    memmem(prompts[i].text, prompts[i].length, "assword", 7) !=
		    NULL || memmem(prompts[i].text, prompts[i].length,
		    "asscode", 7) != NULL;
		size_t n = want ? pw->len : 0;

		res[i].text = wrk_ssh_alloc(n + 1, abstract);
		if (res[i].text == NULL) {
			res[i].length = 0;
			continue;
		}
		memcpy(res[i].text, want ? pw->value : "", n + 1);
		res[i].length = (unsigned)n;
	}
}

int
ssh_ph_auth_kbd(struct ssh_attempt *x)
{
	const struct conf_device *d = x->dev;
	void **abs;
	int rc;

	abs = libssh2_session_abstract(x->s);
	*abs = x;
	x->kbd_used = 1;
	rc = libssh2_userauth_keyboard_interactive_ex(x->s, d->p.username,
	    (unsigned)strlen(d->p.username), kbd_cb);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return ssh_wait(x);
	if (rc != 0)
		return auth_next(x, rc);
	x->phase = PH_CH_OPEN;
	return STEP_NEXT;
}


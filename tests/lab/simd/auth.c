/*
 * simd's credentials, the lab's own: the host key that lab.sh made (so
 * the lab's known_hosts lines fit, and clients keep strict checking), the
 * lab user's password and authorized_keys, read once at start.  The
 * password and publickey callbacks accept the lab user only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "xmem.h"

/* Read the first line of path into dst; 0 or -1. */
static int
first_line(const char *path, char *dst, size_t len)
{
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(dst, (int)len, fp) == NULL)
		dst[0] = '\0';
	fclose(fp);
	dst[strcspn(dst, "\r\n")] = '\0';
	return 0;
}

/* "type base64 [comment]" lines without options, as lab.sh writes. */
static int
load_authorized(const char *path)
{
	char line[16384], *type, *b64, *save;
	enum ssh_keytypes_e kt;
	ssh_key k;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((type = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    *type == '#' ||
		    (b64 = strtok_r(NULL, " \t\r\n", &save)) == NULL)
			continue;
		kt = ssh_key_type_from_name(type);
		if (kt == SSH_KEYTYPE_UNKNOWN ||
		    ssh_pki_import_pubkey_base64(b64, kt, &k) != SSH_OK)
			continue;
		simd.sd_keys = xreallocarray(simd.sd_keys, simd.sd_nkeys + 1,
		    sizeof(*simd.sd_keys));
		simd.sd_keys[simd.sd_nkeys++] = k;
	}
	fclose(fp);
	return 0;
}

/*
 * The lab's credentials from dir and its host key hostkey (an OpenSSH
 * private key file) into the bind; 0, or -1 with the reason on stderr.
 */
int
auth_load(const char *dir, const char *hostkey)
{
	char path[4096];
	ssh_key k;

	snprintf(path, sizeof(path), "%s/password", dir);
	if (first_line(path, simd.sd_password, sizeof(simd.sd_password))) {
		fprintf(stderr, "simd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/authorized_keys", dir);
	if (load_authorized(path) == -1) {
		fprintf(stderr, "simd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (ssh_pki_import_privkey_file(hostkey, NULL, NULL, NULL, &k) !=
	    SSH_OK) {
		fprintf(stderr, "simd: %s: cannot load the host key\n",
		    hostkey);
		return -1;
	}
	/* The bind keeps the key; every session gets a reference to it. */
	if (ssh_bind_options_set(simd.sd_bind, SSH_BIND_OPTIONS_IMPORT_KEY,
	    k) != SSH_OK) {
		fprintf(stderr, "simd: %s: %s\n", hostkey,
		    ssh_get_error(simd.sd_bind));
		return -1;
	}
	return 0;
}

static int
auth_ok(struct conn *c, const char *user)
{
	snprintf(c->c_user, sizeof(c->c_user), "%s", user);
	c->c_authed = 1;
	simd.sd_authed++;
	return SSH_AUTH_SUCCESS;
}

static int
auth_password(ssh_session ssh, const char *user, const char *pw, void *arg)
{
	struct conn *c = arg;

	if (strcmp(user, simd.sd_user) == 0 && simd.sd_password[0] != '\0' &&
	    strcmp(pw, simd.sd_password) == 0)
		return auth_ok(c, user);
	simd.sd_failed++;
	return SSH_AUTH_DENIED;
}

/*
 * Called twice per key when the client asks first (state NONE: "would
 * this key do?") and once with a verified signature (VALID).
 */
static int
auth_pubkey(ssh_session ssh, const char *user, struct ssh_key_struct *key,
    char state, void *arg)
{
	struct conn *c = arg;
	size_t i;

	if (strcmp(user, simd.sd_user) != 0 ||
	    (state != SSH_PUBLICKEY_STATE_NONE &&
	    state != SSH_PUBLICKEY_STATE_VALID))
		goto deny;
	for (i = 0; i < simd.sd_nkeys; i++)
		if (ssh_key_cmp(key, simd.sd_keys[i], SSH_KEY_CMP_PUBLIC) == 0)
			return state == SSH_PUBLICKEY_STATE_VALID ?
			    auth_ok(c, user) : SSH_AUTH_SUCCESS;
deny:
	if (state == SSH_PUBLICKEY_STATE_VALID)
		simd.sd_failed++;
	return SSH_AUTH_DENIED;
}

/* Before the key exchange: what this connection accepts. */
void
auth_setup(struct conn *c)
{
	ssh_set_auth_methods(c->c_ssh, SSH_AUTH_METHOD_PASSWORD |
	    SSH_AUTH_METHOD_PUBLICKEY);
	memset(&c->c_scb, 0, sizeof(c->c_scb));
	c->c_scb.userdata = c;
	c->c_scb.auth_password_function = auth_password;
	c->c_scb.auth_pubkey_function = auth_pubkey;
	c->c_scb.channel_open_request_session_function = chan_open;
	ssh_callbacks_init(&c->c_scb);
	ssh_set_server_callbacks(c->c_ssh, &c->c_scb);
}

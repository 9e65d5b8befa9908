/*
 * The facts of a device: serial numbers, ports, VLANs, peers, secrets,
 * uptime.  All derive from a hash of the device's name (and the clock, for
 * what moves), so a device says the same thing at every login and two
 * devices never say quite the same thing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "emu.h"

uint64_t
model_mix(uint64_t x)	/* the splitmix64 finaliser */
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t
model_rnd(uint64_t *st, uint64_t n)
{
	*st += 0x9e3779b97f4a7c15ULL;
	return model_mix(*st) % n;
}

uint64_t
model_fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

time_t
model_now(const struct dev *d)
{
	return d->d_time ? d->d_time : time(NULL);
}

time_t
model_uptime(const struct dev *d)
{
	time_t boot = BOOT_EPOCH + (time_t)(d->d_seed % (180 * 86400));

	return model_now(d) > boot ? model_now(d) - boot : 0;
}

/* A crypt(3)-looking "$id$salt$hash" (or "$9$..." for Junos) from st. */
void
model_hash(uint64_t *st, char *out, size_t len, const char *id, unsigned salt,
    unsigned hash)
{
	static const char c64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	size_t n = (size_t)snprintf(out, len, "$%s$", id);
	unsigned i;

	for (i = 0; i < salt + hash + (salt > 0) && n + 1 < len; i++)
		out[n++] = i == salt && salt > 0 ? '$' : c64[model_rnd(st, 64)];
	out[n] = '\0';
}

/* A Cisco "type 7" string: two decimal digits, then hex pairs. */
void
model_type7(uint64_t *st, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%02u",
	    (unsigned)model_rnd(st, 16));

	while (n + 3 < len && n < 24)
		n += (size_t)snprintf(out + n, len - n, "%02X",
		    (unsigned)model_rnd(st, 256));
}

void
model_stamp(const struct dev *d, char *out, size_t len, const char *fmt)
{
	time_t t = BOOT_EPOCH + (time_t)(d->d_seed % (150 * 86400));
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, fmt, &tm);
}

unsigned
model_nports(const struct dev *d)
{
	if (d->d_plat == P_LINUX)
		return 2 + (unsigned)(d->d_seed % 3);
	return 40 + (unsigned)((d->d_seed >> 8) % 57);	/* 1-2 members */
}

void
model_ifname(const struct dev *d, unsigned i, int brief, char *out, size_t len)
{
	switch (d->d_plat) {
	case P_IOS:
		snprintf(out, len, "%s%u/0/%u", brief ? "Gi" :
		    "GigabitEthernet", i / 48 + 1, i % 48 + 1);
		break;
	case P_NXOS:
		snprintf(out, len, "%s1/%u", brief ? "Eth" : "Ethernet", i + 1);
		break;
	case P_EOS:
		snprintf(out, len, "%s%u", brief ? "Et" : "Ethernet", i + 1);
		break;
	case P_JUNOS:
		snprintf(out, len, "ge-0/%u/%u", i / 48, i % 48);
		break;
	default:
		snprintf(out, len, "eth%u", i);
		break;
	}
}

unsigned
model_vlan(const struct dev *d, unsigned i)
{
	return 10 * (i + 1) + (unsigned)(model_mix(d->d_seed + i) % 10);
}

unsigned
model_nvlans(const struct dev *d)
{
	return 4 + (unsigned)((d->d_seed >> 16) % 12);
}

void
model_port(const struct dev *d, unsigned i, struct port *p)
{
	static const char *const kind[] = { "user", "printer", "ap", "camera",
	    "phone", "desk", "lab-bench", "badge-reader" };
	uint64_t x = model_mix(d->d_seed ^ (0x100 + i));
	unsigned n = model_nports(d);

	memset(p, 0, sizeof(*p));
	p->p_vlan = model_vlan(d, (unsigned)(x % model_nvlans(d)));
	if (i + 2 >= n) {
		p->p_uplink = 1;
		snprintf(p->p_desc, sizeof(p->p_desc), "uplink to dev%06ld "
		    "port %u",
		    (d->d_index + (i + 2 == n ? 1 : -1) + 100000) % 100000,
		    (unsigned)(x >> 8) % 48 + 1);
		return;
	}
	p->p_shut = (x >> 12) % 7 == 0;
	snprintf(p->p_desc, sizeof(p->p_desc), "%s-%s-%03u",
	    kind[(x >> 16) % 8], p->p_shut ? "spare" : "fl2",
	    (unsigned)(x >> 24) % 1000);
}

unsigned
model_o2(const struct dev *d)	/* 2nd and 3rd octets of its addresses */
{
	return (unsigned)(d->d_index + 1) & 0xffff;
}

unsigned
model_asn(const struct dev *d, int peer)
{
	return 65000 + (unsigned)((d->d_index + 1 + peer) % 500);
}

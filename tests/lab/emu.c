/*
 * emu: the device lab's emulator of a network device's command line.
 *
 * sshd runs it as ForceCommand (dropbear as -c) for the lab user.  It names
 * itself after the loopback address the client connected to and behaves like
 * that device's platform (cisco_ios, cisco_nxos, juniper_junos, arista_eos,
 * linux): with SSH_ORIGINAL_COMMAND it runs one command (exec), otherwise it
 * is an interactive shell with echo, prompt and pager.  Output is a pure
 * function of the device name (and of the clock, for counters), and
 * <lab>/devices.conf can make a device misbehave for fault tests.
 * tests/lab/README gives the address mapping and the devices.conf format.
 *
 * It is a fixture that hostile input must not break: buffers are bounded,
 * any byte is accepted, and it exits on EOF, on SIGHUP, when the client is
 * gone (even while it "hangs") and after --max-time seconds at the latest.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "xmem.h"

#define LINE_MAX_LEN	1024		/* longest command kept; more is dropped */
#define MAX_TOKENS	32
#define BUF_MAX		(4u << 20)	/* cap on one command's output */
#define RULES_MAX	4096
#define PAGE_DEFAULT	24
#define DEV_BASE	0x7f010000u	/* 127.1.0.0 is device 0 */
#define DEV_END		0x7fffffffu	/* 127.255.255.255 (broadcast): none */
#define BOOT_EPOCH	1704067200	/* 2024-01-01: devices boot after it */

#define PLATFORMS(X)						\
	X(P_IOS, "cisco_ios")					\
	X(P_NXOS, "cisco_nxos")					\
	X(P_JUNOS, "juniper_junos")				\
	X(P_EOS, "arista_eos")					\
	X(P_LINUX, "linux")
#define BEHAVIOURS(X)						\
	X(B_NORMAL, "normal")					\
	X(B_SLOW, "slow")					\
	X(B_HANG_LOGIN, "hang_login")				\
	X(B_HANG_MID, "hang_mid")				\
	X(B_ENDLESS, "endless")					\
	X(B_GARBAGE, "garbage")					\
	X(B_DISCONNECT_MID, "disconnect_mid")			\
	X(B_EXITSTATUS, "exitstatus")

#define X(e, s) e,
enum platform { PLATFORMS(X) P_COUNT };
enum behaviour { BEHAVIOURS(X) B_COUNT };
#undef X
#define X(e, s) s,
static const char *const plat_names[] = { PLATFORMS(X) NULL };
static const char *const beh_names[] = { BEHAVIOURS(X) NULL };
#undef X

#define PB(p)	(1u << (p))
#define CIS	(PB(P_IOS) | PB(P_NXOS) | PB(P_EOS))
#define NET	(CIS | PB(P_JUNOS))
#define ALL	(NET | PB(P_LINUX))

struct dev {
	long		 d_index;	/* -1: not a device address */
	uint32_t	 d_ip;
	char		 d_addr[INET_ADDRSTRLEN];
	char		 d_name[32];
	char		 d_user[64];
	enum platform	 d_plat;
	enum behaviour	 d_beh;
	unsigned	 d_delay_ms;	/* slow: delay before each line */
	int		 d_status;	/* exitstatus: the exit status */
	uint64_t	 d_seed;	/* hash of d_name: all output derives */
	time_t		 d_time;	/* fixed clock (--time); 0: real time */
};

/* One devices.conf line; -1 in a value field means "not set". */
struct rule {
	int		 r_any;		/* "*" */
	long		 r_lo, r_hi;	/* index range, or -1 and r_ip */
	uint32_t	 r_ip;
	int		 r_plat, r_beh, r_delay, r_status;
};

struct sess {
	struct dev	*s_dev;
	const char	*s_eol;
	int		 s_exec;	/* one command, no terminal, no pager */
	int		 s_tty;		/* stdin is a terminal: we echo */
	unsigned	 s_pagelen;	/* lines per page; 0: paging off */
	int		 s_conf;	/* in configuration mode */
	int		 s_struck;	/* a *_mid misbehaviour had its turn */
	size_t		 s_promptlen;
	int		 s_lastcr;
	unsigned char	 s_in[4096];
	size_t		 s_inlen, s_inpos;
};

struct buf {
	char		*b_p;
	size_t		 b_len, b_cap;
};

/* ---- output to the client ------------------------------------------- */

static char	obuf[16384];
static size_t	olen;

static void
oflush(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < olen) {
		n = write(STDOUT_FILENO, obuf + off, olen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);	/* the client is gone */
		off += (size_t)n;
	}
	olen = 0;
}

static void
oput(const void *p, size_t n)
{
	const char *c = p;
	size_t k;

	while (n > 0) {
		if (olen == sizeof(obuf))
			oflush();
		k = sizeof(obuf) - olen < n ? sizeof(obuf) - olen : n;
		memcpy(obuf + olen, c, k);
		olen += k;
		c += k;
		n -= k;
	}
}

static void
ostr(const char *s)
{
	oput(s, strlen(s));
}

/* ---- bounded text buffers ------------------------------------------- */

static void
bput(struct buf *b, const char *p, size_t n)
{
	if (n > BUF_MAX - b->b_len)
		n = BUF_MAX - b->b_len;
	if (b->b_len + n + 1 > b->b_cap) {
		size_t cap = b->b_cap ? b->b_cap : 4096;

		while (cap < b->b_len + n + 1)
			cap *= 2;
		b->b_p = xreallocarray(b->b_p, cap, 1);
		b->b_cap = cap;
	}
	memcpy(b->b_p + b->b_len, p, n);
	b->b_len += n;
	b->b_p[b->b_len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
bprintf(struct buf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		bput(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		    sizeof(tmp) - 1);
}

/* ---- determinism: everything derives from the name and the clock ---- */

static uint64_t
mix64(uint64_t x)	/* the splitmix64 finaliser */
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
rnd(uint64_t *st, uint64_t n)
{
	*st += 0x9e3779b97f4a7c15ULL;
	return mix64(*st) % n;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static time_t
now(const struct dev *d)
{
	return d->d_time ? d->d_time : time(NULL);
}

static time_t
uptime(const struct dev *d)
{
	time_t boot = BOOT_EPOCH + (time_t)(d->d_seed % (180 * 86400));

	return now(d) > boot ? now(d) - boot : 0;
}

/* A crypt(3)-looking "$id$salt$hash" (or "$9$..." for Junos) from st. */
static void
hashstr(uint64_t *st, char *out, size_t len, const char *id, unsigned salt,
    unsigned hash)
{
	static const char c64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz";
	size_t n = (size_t)snprintf(out, len, "$%s$", id);
	unsigned i;

	for (i = 0; i < salt + hash + (salt > 0) && n + 1 < len; i++)
		out[n++] = i == salt && salt > 0 ? '$' : c64[rnd(st, 64)];
	out[n] = '\0';
}

/* A Cisco "type 7" string: two decimal digits, then hex pairs. */
static void
type7(uint64_t *st, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%02u", (unsigned)rnd(st, 16));

	while (n + 3 < len && n < 24)
		n += (size_t)snprintf(out + n, len - n, "%02X",
		    (unsigned)rnd(st, 256));
}

static unsigned
nports(const struct dev *d)
{
	if (d->d_plat == P_LINUX)
		return 2 + (unsigned)(d->d_seed % 3);
	return 40 + (unsigned)((d->d_seed >> 8) % 57);	/* 1-2 members */
}

static void
ifname(const struct dev *d, unsigned i, int brief, char *out, size_t len)
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

/* What sits on port i: the last two ports are uplinks to neighbours. */
struct port {
	char		 p_desc[64];
	unsigned	 p_vlan;
	int		 p_uplink;
	int		 p_shut;
};

static unsigned
vlan_id(const struct dev *d, unsigned i)
{
	return 10 * (i + 1) + (unsigned)(mix64(d->d_seed + i) % 10);
}

static unsigned
nvlans(const struct dev *d)
{
	return 4 + (unsigned)((d->d_seed >> 16) % 12);
}

static void
port_info(const struct dev *d, unsigned i, struct port *p)
{
	static const char *const kind[] = { "user", "printer", "ap", "camera",
	    "phone", "desk", "lab-bench", "badge-reader" };
	uint64_t x = mix64(d->d_seed ^ (0x100 + i));
	unsigned n = nports(d);

	memset(p, 0, sizeof(*p));
	p->p_vlan = vlan_id(d, (unsigned)(x % nvlans(d)));
	if (i + 2 >= n) {
		p->p_uplink = 1;
		snprintf(p->p_desc, sizeof(p->p_desc), "uplink to dev%06ld "
		    "port %u", (d->d_index + (i + 2 == n ? 1 : -1) + 100000) %
		    100000, (unsigned)(x >> 8) % 48 + 1);
		return;
	}
	p->p_shut = (x >> 12) % 7 == 0;
	snprintf(p->p_desc, sizeof(p->p_desc), "%s-%s-%03u",
	    kind[(x >> 16) % 8], p->p_shut ? "spare" : "fl2",
	    (unsigned)(x >> 24) % 1000);
}

static unsigned
o2(const struct dev *d)	/* second and third octets of its addresses */
{
	return (unsigned)(d->d_index + 1) & 0xffff;
}

static unsigned
asn(const struct dev *d, int peer)
{
	return 65000 + (unsigned)((d->d_index + 1 + peer) % 500);
}

/* ---- show version ---------------------------------------------------- */

static void
gen_version(const struct dev *d, struct buf *b)
{
	time_t up = uptime(d);
	unsigned long w = up / 604800, dd = up / 86400 % 7, h = up / 3600 % 24,
	    m = up / 60 % 60;
	unsigned sn = (unsigned)(d->d_seed % 100000000), mem;
	uint64_t mac = d->d_seed & 0xffffffffffULL;

	mem = 8000000 + (unsigned)(d->d_seed % 4000000);
	switch (d->d_plat) {
	case P_IOS:
		bprintf(b, "Cisco IOS XE Software, Version 17.09.04a\n"
		    "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software"
		    " (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\n"
		    "Technical Support: http://www.cisco.com/techsupport\n"
		    "Copyright (c) 1986-2023 by Cisco Systems, Inc.\n"
		    "Compiled Fri 20-Oct-23 10:44 by mcpre\n\n\n"
		    "ROM: IOS-XE ROMMON\nBOOTLDR: System Bootstrap, Version "
		    "17.9.1r, RELEASE SOFTWARE (P)\n\n"
		    "%s uptime is %lu weeks, %lu days, %lu hours, %lu minutes\n"
		    "Uptime for this control processor is %lu weeks, %lu days, "
		    "%lu hours, %lu minutes\nSystem returned to ROM by Reload "
		    "Command\nSystem image file is \"flash:packages.conf\"\n"
		    "Last reload reason: Reload Command\n\n\n"
		    "cisco C9300-48P (X86) processor with 1338934K/6147K bytes "
		    "of memory.\nProcessor board ID FOC%08u\n"
		    "2048K bytes of non-volatile configuration memory.\n"
		    "%uK bytes of physical memory.\n"
		    "11264000K bytes of Flash at flash:.\n\n"
		    "Base Ethernet MAC Address          : 00a3.%04x.%04x\n"
		    "Model Number                       : C9300-48P\n"
		    "System Serial Number               : FOC%08u\n\n"
		    "Configuration register is 0x102\n", d->d_name, w, dd, h, m,
		    w, dd, h, m, sn, mem, (unsigned)(mac >> 16) & 0xffff,
		    (unsigned)mac & 0xffff, sn);
		break;
	case P_NXOS:
		bprintf(b, "Cisco Nexus Operating System (NX-OS) Software\n"
		    "TAC support: http://www.cisco.com/tac\n"
		    "Copyright (C) 2002-2023, Cisco and/or its affiliates.\n"
		    "All rights reserved.\n\nSoftware\n  BIOS: version 05.47\n"
		    "  NXOS: version 9.3(12)\n  BIOS compile time:  04/28/2022\n"
		    "  NXOS image file is: bootflash:///nxos.9.3.12.bin\n"
		    "  NXOS compile time:  6/30/2023 12:00:00 [07/01/2023 "
		    "04:32:15]\n\nHardware\n  cisco Nexus9000 C93180YC-FX "
		    "Chassis\n  Intel(R) Xeon(R) CPU D-1528 @ 1.90GHz with %u kB "
		    "of memory.\n  Processor Board ID FDO%08u\n\n"
		    "  Device name: %s\n  bootflash: 115805708 kB\n"
		    "Kernel uptime is %lu day(s), %lu hour(s), %lu minute(s), "
		    "%lu second(s)\n\nLast reset\n  Reason: Reset Requested by "
		    "CLI command reload\n  System version: 9.3(12)\n\nplugin\n"
		    "  Core Plugin, Ethernet Plugin\n\nActive Package(s):\n\n",
		    mem, sn, d->d_name, (unsigned long)up / 86400, h, m,
		    (unsigned long)up % 60);
		break;
	case P_JUNOS:
		bprintf(b, "Hostname: %s\nModel: mx204\nJunos: 21.4R3-S4.9\n",
		    d->d_name);
		bprintf(b, "JUNOS OS Kernel 64-bit  [20230411.a7b3db8_builder_"
		    "stable_12_214]\nJUNOS OS libs [20230411.a7b3db8_builder_"
		    "stable_12_214]\nJUNOS OS runtime [20230411.a7b3db8_builder_"
		    "stable_12_214]\nJUNOS OS time zone information [20230411."
		    "a7b3db8_builder_stable_12_214]\nJUNOS network stack and "
		    "utilities [20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS libs [20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS OS libs compat32 [20230411.a7b3db8_builder_stable_12"
		    "_214]\nJUNOS runtime [20230428.133208_builder_junos_214_r3_"
		    "s4]\nJUNOS Routing Engine Software [20230428.133208_builder_"
		    "junos_214_r3_s4]\nJUNOS mx Data Plane Services [20230428."
		    "133208_builder_junos_214_r3_s4]\nJUNOS Packet Forwarding "
		    "Engine Support (MX/EX92XX Common) [21.4R3-S4.9]\nJUNOS "
		    "Crypto Software Suite [21.4R3-S4.9]\nJUNOS Online "
		    "Documentation [21.4R3-S4.9]\nJUNOS Kernel Software Suite "
		    "[21.4R3-S4.9]\nJUNOS Routing Software Suite [21.4R3-S4.9]\n"
		    "JUNOS Web Management Platform Package [21.4R3-S4.9]\n");
		break;
	case P_EOS:
		bprintf(b, "Arista DCS-7050SX3-48YC8-F\nHardware version: 11.01\n"
		    "Serial number: JPE%08u\nHardware MAC address: "
		    "fcbd.%04x.%04x\nSystem MAC address: fcbd.%04x.%04x\n\n"
		    "Software image version: 4.30.2F\nArchitecture: x86_64\n"
		    "Internal build version: 4.30.2F-33092737.4302F\n"
		    "Internal build ID: 1d5b5a4a-0d3f-4b7e-9a51-2f3c1f0e9a77\n"
		    "Image format version: 3.0\n"
		    "Image optimization: Strata-4GB\n\n"
		    "Uptime: %lu weeks, %lu days, %lu hours and %lu minutes\n"
		    "Total memory: %u kB\nFree memory: %u kB\n\n", sn,
		    (unsigned)(mac >> 16) & 0xffff, (unsigned)mac & 0xffff,
		    (unsigned)(mac >> 16) & 0xffff, (unsigned)mac & 0xffff,
		    w, dd, h, m, mem, mem / 3);
		break;
	default:
		bprintf(b, " Static hostname: %s\n       Icon name: computer-"
		    "server\n         Chassis: server\n      Machine ID: "
		    "%016llx%016llx\n         Boot ID: %016llx%016llx\n"
		    "Operating System: Debian GNU/Linux 12 (bookworm)\n"
		    "          Kernel: Linux 6.1.0-18-amd64\n    Architecture: "
		    "x86-64\n Hardware Vendor: Supermicro\n  Hardware Model: "
		    "SYS-5019C-MR\nFirmware Version: 1.9\n", d->d_name,
		    (unsigned long long)d->d_seed,
		    (unsigned long long)mix64(d->d_seed),
		    (unsigned long long)mix64(d->d_seed + 1),
		    (unsigned long long)mix64(d->d_seed + 2));
		break;
	}
}

/* ---- show running-config -------------------------------------------- */

static void
stamp(const struct dev *d, char *out, size_t len, const char *fmt)
{
	time_t t = BOOT_EPOCH + (time_t)(d->d_seed % (150 * 86400));
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, fmt, &tm);
}

static void
cfg_ios(const struct dev *d, struct buf *out)
{
	uint64_t st = d->d_seed ^ 0x105;
	struct buf b = { NULL, 0, 0 };
	char h1[128], h2[128], t7[32], when[64], ifn[48];
	struct port p;
	unsigned i, j, n = nports(d), a = o2(d);

	stamp(d, when, sizeof(when), "%H:%M:%S UTC %a %b %e %Y");
	hashstr(&st, h1, sizeof(h1), "9", 14, 43);
	bprintf(&b, "!\n! Last configuration change at %s by %s\n!\nversion "
	    "17.9\nservice timestamps debug datetime msec\nservice timestamps "
	    "log datetime msec\nservice password-encryption\nservice "
	    "call-home\nplatform punt-keepalive disable-kernel-core\n!\n"
	    "hostname %s\n!\nvrf definition Mgmt-vrf\n !\n address-family "
	    "ipv4\n exit-address-family\n!\nlogging buffered 64000 "
	    "informational\nenable secret 9 %s\n!\naaa new-model\n"
	    "aaa authentication login default local\naaa authorization exec "
	    "default local\naaa session-id common\nclock timezone UTC 0 0\n"
	    "switch 1 provision c9300-48p\n!\nip domain name lab.example.net\n"
	    "ip name-server 192.0.2.53\n!\nlogin on-success log\n!\n", when,
	    d->d_user, d->d_name, h1);
	bprintf(&b, "crypto pki trustpoint TP-self-signed-%u\n enrollment "
	    "selfsigned\n subject-name cn=IOS-Self-Signed-Certificate-%u\n "
	    "revocation-check none\n!\ncrypto pki certificate chain "
	    "TP-self-signed-%u\n certificate self-signed 01\n",
	    (unsigned)(d->d_seed % 1000000000), (unsigned)(d->d_seed %
	    1000000000), (unsigned)(d->d_seed % 1000000000));
	for (i = 0; i < 22; i++) {
		bprintf(&b, " ");
		for (j = 0; j < 8; j++)
			bprintf(&b, " %08X", (unsigned)rnd(&st, 1ULL << 32));
		bprintf(&b, "\n");
	}
	hashstr(&st, h1, sizeof(h1), "9", 14, 43);
	hashstr(&st, h2, sizeof(h2), "1", 4, 22);
	bprintf(&b, "  \tquit\n!\nspanning-tree mode rapid-pvst\nspanning-tree "
	    "extend system-id\n!\nusername admin privilege 15 secret 9 %s\n"
	    "username %s privilege 15 secret 5 %s\n!\nredundancy\n mode sso\n"
	    "!\n", h1, d->d_user, h2);
	for (i = 0; i < nvlans(d); i++)
		bprintf(&b, "vlan %u\n name users-%u\n!\n", vlan_id(d, i),
		    vlan_id(d, i));
	bprintf(&b, "interface Loopback0\n ip address 10.%u.%u.%u "
	    "255.255.255.255\n!\ninterface GigabitEthernet0/0\n vrf forwarding "
	    "Mgmt-vrf\n ip address 172.16.%u.%u 255.255.0.0\n negotiation auto"
	    "\n!\n", (unsigned)(d->d_index >> 16) & 255, a >> 8, a & 255,
	    a >> 8, a & 255);
	for (i = 0; i < n; i++) {
		port_info(d, i, &p);
		ifname(d, i, 0, ifn, sizeof(ifn));
		bprintf(&b, "interface %s\n description %s\n", ifn, p.p_desc);
		if (p.p_uplink)
			bprintf(&b, " switchport trunk native vlan 999\n "
			    "switchport mode trunk\n ip dhcp snooping trust\n");
		else
			bprintf(&b, " switchport access vlan %u\n switchport "
			    "mode access\n device-tracking attach-policy "
			    "IPDT_POLICY\n authentication periodic\n "
			    "access-session port-control auto\n mab\n dot1x pae "
			    "authenticator\n spanning-tree portfast\n "
			    "spanning-tree bpduguard enable\n%s", p.p_vlan,
			    p.p_shut ? " shutdown\n" : "");
		bprintf(&b, "!\n");
	}
	for (i = 0; i < nvlans(d); i++)
		bprintf(&b, "interface Vlan%u\n description SVI users-%u\n "
		    "ip address 10.%u.%u.1 255.255.255.0\n ip helper-address "
		    "192.0.2.67\n!\n", vlan_id(d, i), vlan_id(d, i),
		    100 + vlan_id(d, i) % 100, a & 255);
	bprintf(&b, "router bgp %u\n bgp router-id 10.%u.%u.%u\n bgp "
	    "log-neighbor-changes\n", asn(d, 0), (unsigned)(d->d_index >> 16) &
	    255, a >> 8, a & 255);
	for (i = 1; i <= 4; i++) {
		type7(&st, t7, sizeof(t7));
		bprintf(&b, " neighbor 10.255.%u.%u remote-as %u\n neighbor "
		    "10.255.%u.%u description to dev%06ld\n neighbor 10.255.%u.%u"
		    " password 7 %s\n", (a + i) >> 8 & 255, (a + i) & 255,
		    asn(d, (int)i), (a + i) >> 8 & 255, (a + i) & 255,
		    (d->d_index + i) % 1000000, (a + i) >> 8 & 255, (a + i) & 255,
		    t7);
	}
	bprintf(&b, "!\nip forward-protocol nd\nno ip http server\nip ssh "
	    "version 2\n!\nip access-list extended MGMT-IN\n");
	for (i = 0; i < 8 + d->d_seed % 16; i++)
		bprintf(&b, " %u permit tcp 10.%u.%u.0 0.0.0.255 any eq %u\n",
		    10 * (i + 1), (unsigned)rnd(&st, 256), (unsigned)rnd(&st, 256),
		    (unsigned[]){ 22, 443, 830, 161, 179 }[rnd(&st, 5)]);
	type7(&st, t7, sizeof(t7));
	bprintf(&b, " %u deny ip any any log\n!\nlogging host 192.0.2.10\n"
	    "snmp-server community SECRETCOMM RO MGMT-IN\nsnmp-server "
	    "community c%016llx RW MGMT-IN\nsnmp-server location lab rack %u\n"
	    "snmp-server contact noc@lab.example.net\ntacacs-server host "
	    "192.0.2.49\ntacacs-server key 7 %s\n!\nbanner motd ^C\n*** %s: "
	    "authorised access only ***\n^C\n!\nline con 0\n exec-timeout 15 0"
	    "\n stopbits 1\nline vty 0 4\n exec-timeout 15 0\n",
	    10 * (i + 1), (unsigned long long)mix64(d->d_seed ^ 0x5eed),
	    (unsigned)(d->d_seed % 40) + 1, t7, d->d_name);
	type7(&st, t7, sizeof(t7));
	bprintf(&b, " password 7 %s\n transport input ssh\nline vty 5 15\n "
	    "transport input ssh\n!\nntp server 192.0.2.123\n!\nend\n", t7);
	bprintf(out, "Building configuration...\n\nCurrent configuration : "
	    "%zu bytes\n", b.b_len);
	bput(out, b.b_p, b.b_len);
	free(b.b_p);
}

static void
cfg_nxos_eos(const struct dev *d, struct buf *b)
{
	int nx = d->d_plat == P_NXOS;
	const char *in = nx ? "  " : "   ", *sep = nx ? "\n" : "!\n";
	uint64_t st = d->d_seed ^ 0x707;
	char h1[128], h2[128], t7[32], when[64], ifn[48];
	struct port p;
	unsigned i, n = nports(d), a = o2(d);

	stamp(d, when, sizeof(when), "%a %b %e %H:%M:%S %Y");
	hashstr(&st, h1, sizeof(h1), nx ? "5" : "6", 16, nx ? 43 : 86);
	hashstr(&st, h2, sizeof(h2), nx ? "5" : "6", 16, nx ? 43 : 86);
	if (nx)
		bprintf(b, "\n!Command: show running-config\n!Running "
		    "configuration last done at: %s\n\nversion 9.3(12) Bios:"
		    "version 05.47\nhostname %s\nvdc %s id 1\n  limit-resource "
		    "vlan minimum 16 maximum 4094\n\nfeature nxapi\nfeature "
		    "scp-server\nfeature interface-vlan\nfeature lacp\nfeature "
		    "lldp\nfeature bgp\n\nusername admin password 5 %s  role "
		    "network-admin\nusername %s password 5 %s  role "
		    "network-admin\nip domain-lookup\nsnmp-server user admin "
		    "network-admin auth md5 0x%016llx%016llx priv 0x%016llx "
		    "localizedkey\nsnmp-server community SECRETCOMM group "
		    "network-operator\n", when, d->d_name, d->d_name, h1,
		    d->d_user, h2, (unsigned long long)mix64(st),
		    (unsigned long long)mix64(st + 1),
		    (unsigned long long)mix64(st + 2));
	else
		bprintf(b, "! Command: show running-config\n! device: %s "
		    "(DCS-7050SX3-48YC8, EOS-4.30.2F)\n!\n! boot system flash:/"
		    "EOS-4.30.2F.swi\n!\nno aaa root\n!\nusername admin "
		    "privilege 15 role network-admin secret sha512 %s\n"
		    "username %s privilege 15 role network-admin secret sha512 "
		    "%s\n!\nservice routing protocols model multi-agent\n!\n"
		    "hostname %s\nip name-server vrf MGMT 192.0.2.53\n!\n"
		    "snmp-server community SECRETCOMM ro\n!\nspanning-tree mode "
		    "mstp\n!\n", d->d_name, h1, d->d_user, h2, d->d_name);
	type7(&st, t7, sizeof(t7));
	bprintf(b, "tacacs-server host 192.0.2.49\ntacacs-server key 7 %s%s%s"
	    "\n%s", nx ? "\"" : "", t7, nx ? "\"" : "", sep);
	if (!nx) {
		hashstr(&st, h1, sizeof(h1), "6", 16, 86);
		bprintf(b, "enable secret sha512 %s\n!\n", h1);
	}
	for (i = 0; i < nvlans(d); i++)
		bprintf(b, "vlan %u\n%sname users-%u\n%s", vlan_id(d, i), in,
		    vlan_id(d, i), sep);
	bprintf(b, "vrf %s\n%s", nx ? "context management\n  ip route "
	    "0.0.0.0/0 172.16.0.1" : "instance MGMT", sep);
	for (i = 0; i < n; i++) {
		port_info(d, i, &p);
		ifname(d, i, 0, ifn, sizeof(ifn));
		bprintf(b, "interface %s\n%sdescription %s\n", ifn, in,
		    p.p_desc);
		if (p.p_uplink)
			bprintf(b, "%sswitchport mode trunk\n%sswitchport trunk "
			    "native vlan 999\n", in, in);
		else
			bprintf(b, "%sswitchport access vlan %u\n%sspanning-tree"
			    " %s\n%sspanning-tree bpduguard enable\n%sstorm-"
			    "control broadcast level 1%s\n%smtu 9216\n", in,
			    p.p_vlan, in, nx ? "port type edge" : "portfast", in,
			    in, nx ? ".00" : "", in);
		bprintf(b, "%s%s%s", in, p.p_shut ? "shutdown" :
		    "no shutdown", nx ? "\n\n" : "\n!\n");
	}
	for (i = 0; i < nvlans(d); i++)
		bprintf(b, "interface Vlan%u\n%sno shutdown\n%sip address "
		    "10.%u.%u.1/24\n%s", vlan_id(d, i), in, in,
		    100 + vlan_id(d, i) % 100, a & 255, sep);
	bprintf(b, "interface %s\n%svrf %s\n%sip address 172.16.%u.%u/16\n%s"
	    "interface loopback0\n%sip address 10.%u.%u.%u/32\n%s",
	    nx ? "mgmt0" : "Management1", in, nx ? "member management" :
	    "MGMT", in, a >> 8, a & 255, sep, in, (unsigned)(d->d_index >>
	    16) & 255, a >> 8, a & 255, sep);
	bprintf(b, "%srouter bgp %u\n%srouter-id 10.%u.%u.%u\n", nx ? "" :
	    "ip routing\n!\n", asn(d, 0), in, (unsigned)(d->d_index >> 16) &
	    255, a >> 8, a & 255);
	for (i = 1; i <= 4; i++) {
		unsigned x = (a + i) >> 8 & 255, y = (a + i) & 255;

		type7(&st, t7, sizeof(t7));
		if (nx)
			bprintf(b, "  neighbor 10.255.%u.%u\n    remote-as %u\n"
			    "    description to dev%06ld\n    password 3 %s\n"
			    "    address-family ipv4 unicast\n", x, y,
			    asn(d, (int)i), (d->d_index + i) % 1000000, t7);
		else
			bprintf(b, "   neighbor 10.255.%u.%u remote-as %u\n   "
			    "neighbor 10.255.%u.%u description to dev%06ld\n   "
			    "neighbor 10.255.%u.%u password 7 %s\n", x, y,
			    asn(d, (int)i), x, y, (d->d_index + i) % 1000000, x,
			    y, t7);
	}
	bprintf(b, "%s", nx ? "\nline console\nline vty\n\n" : "!\nmanagement "
	    "api http-commands\n   no shutdown\n!\nend\n");
}

static void
cfg_junos(const struct dev *d, struct buf *b)
{
	uint64_t st = d->d_seed ^ 0x303;
	char h1[128], h2[128], h3[64], when[64], ifn[48];
	struct port p;
	unsigned i, n = nports(d), a = o2(d);

	stamp(d, when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC");
	hashstr(&st, h1, sizeof(h1), "6", 16, 86);
	hashstr(&st, h2, sizeof(h2), "6", 16, 86);
	hashstr(&st, h3, sizeof(h3), "9", 0, 24);
	bprintf(b, "## Last commit: %s by %s\nversion 21.4R3-S4.9;\nsystem {\n"
	    "    host-name %s;\n    root-authentication {\n        "
	    "encrypted-password \"%s\"; ## SECRET-DATA\n    }\n    login {\n"
	    "        user %s {\n            uid 2001;\n            class "
	    "super-user;\n            authentication {\n                "
	    "encrypted-password \"%s\"; ## SECRET-DATA\n            }\n        "
	    "}\n    }\n    services {\n        ssh {\n            root-login "
	    "deny;\n        }\n        netconf {\n            ssh;\n        }\n"
	    "    }\n    tacplus-server {\n        192.0.2.49 secret \"%s\"; ## "
	    "SECRET-DATA\n    }\n    syslog {\n        host 192.0.2.10 {\n"
	    "            any notice;\n        }\n    }\n    ntp {\n        "
	    "server 192.0.2.123;\n    }\n}\ninterfaces {\n", when, d->d_user,
	    d->d_name, h1, d->d_user, h2, h3);
	for (i = 0; i < n; i++) {
		port_info(d, i, &p);
		ifname(d, i, 0, ifn, sizeof(ifn));
		bprintf(b, "    %s {\n%s        description \"%s\";\n", ifn,
		    p.p_shut ? "        disable;\n" : "", p.p_desc);
		if (p.p_uplink)
			bprintf(b, "        unit 0 {\n            family inet {\n"
			    "                address 10.254.%u.%u/31;\n          "
			    "  }\n        }\n    }\n", a >> 8, (a & 127) * 2 +
			    (i & 1));
		else
			bprintf(b, "        unit 0 {\n            family ethernet-"
			    "switching {\n                interface-mode access;"
			    "\n                vlan {\n                    members"
			    " v%u;\n                }\n            }\n        }\n"
			    "    }\n", p.p_vlan);
	}
	bprintf(b, "    lo0 {\n        unit 0 {\n            family inet {\n"
	    "                address 10.%u.%u.%u/32;\n            }\n        }\n"
	    "    }\n}\nsnmp {\n    location \"lab rack %u\";\n    community "
	    "SECRETCOMM {\n        authorization read-only;\n        clients {\n"
	    "            192.0.2.0/24;\n        }\n    }\n}\nrouting-options "
	    "{\n    autonomous-system %u;\n}\nprotocols {\n    bgp {\n        "
	    "group peers {\n            type external;\n", (unsigned)(d->d_index
	    >> 16) & 255, a >> 8, a & 255, (unsigned)(d->d_seed % 40) + 1,
	    asn(d, 0));
	hashstr(&st, h3, sizeof(h3), "9", 0, 24);
	bprintf(b, "            authentication-key \"%s\"; ## SECRET-DATA\n",
	    h3);
	for (i = 1; i <= 4; i++)
		bprintf(b, "            neighbor 10.255.%u.%u {\n                "
		    "description \"to dev%06ld\";\n                peer-as %u;\n"
		    "            }\n", (a + i) >> 8 & 255, (a + i) & 255,
		    (d->d_index + i) % 1000000, asn(d, (int)i));
	bprintf(b, "        }\n    }\n    lldp {\n        interface all;\n    }"
	    "\n}\nvlans {\n");
	for (i = 0; i < nvlans(d); i++)
		bprintf(b, "    v%u {\n        vlan-id %u;\n    }\n",
		    vlan_id(d, i), vlan_id(d, i));
	bprintf(b, "}\n");
}

static void
cfg_linux(const struct dev *d, struct buf *b)
{
	unsigned i, a = o2(d);
	struct port p;

	bprintf(b, "Building configuration...\n\nCurrent configuration:\n!\n"
	    "frr version 8.4.4\nfrr defaults traditional\nhostname %s\nlog "
	    "syslog informational\nservice integrated-vtysh-config\n!\n",
	    d->d_name);
	for (i = 0; i < nports(d); i++) {
		port_info(d, i, &p);
		bprintf(b, "interface eth%u\n description %s\n ip address "
		    "10.%u.%u.%u/24\nexit\n!\n", i, p.p_desc, 100 + i, a >> 8,
		    a & 255);
	}
	bprintf(b, "router bgp %u\n bgp router-id 10.%u.%u.%u\n neighbor "
	    "10.255.%u.%u remote-as %u\n neighbor 10.255.%u.%u password "
	    "lab-%08llx\nexit\n!\nline vty\n!\nend\n", asn(d, 0),
	    (unsigned)(d->d_index >> 16) & 255, a >> 8, a & 255, a >> 8,
	    (a + 1) & 255, asn(d, 1), a >> 8, (a + 1) & 255,
	    (unsigned long long)(d->d_seed & 0xffffffffULL));
}

/* ---- telemetry-ish: values are f(name) + f(name) * time -------------- */

static void
gen_cpu(const struct dev *d, struct buf *b)
{
	static const char *const procs[] = { "Chunk Manager", "Load Meter",
	    "Check heaps", "Pool Manager", "ARP Input", "IP Input",
	    "SSH Process", "BGP Router", "SNMP ENGINE", "CDP Protocol" };
	uint64_t h = d->d_seed, t = (uint64_t)now(d);
	unsigned base = (unsigned)(h % 30), c5 = base + (unsigned)((t / 5 + h)
	    % 20), i;

	bprintf(b, "CPU utilization for five seconds: %u%%/%u%%; one minute: "
	    "%u%%; five minutes: %u%%\n PID Runtime(ms)     Invoked      uSecs"
	    "   5Sec   1Min   5Min TTY Process\n", c5, c5 / 4,
	    base + (unsigned)((t / 60 + h) % 20), base + (unsigned)((t / 300 +
	    h) % 20));
	for (i = 0; i < 10; i++) {
		uint64_t x = mix64(h + i);
		uint64_t inv = x % 100000 + t / 10 % 1000000;

		bprintf(b, "%4u %11llu %11llu %10u %3u.%02u%% %3u.%02u%% "
		    "%3u.%02u%%   0 %s\n", i + 1, (unsigned long long)inv * 3,
		    (unsigned long long)inv, 3, (unsigned)(x >> 8) % 2,
		    (unsigned)(x >> 16) % 100, 0, (unsigned)(x >> 24) % 100, 0,
		    (unsigned)(x >> 32) % 100, procs[i]);
	}
}

static void
gen_counters(const struct dev *d, struct buf *b)
{
	uint64_t t = (uint64_t)uptime(d);
	unsigned i, dir, n = nports(d);
	char ifn[48];

	for (dir = 0; dir < 2; dir++) {
		bprintf(b, "%sPort         %s %s %s %s\n", dir ? "\n" : "",
		    dir ? "      OutOctets" : "       InOctets",
		    dir ? "OutUcastPkts" : " InUcastPkts",
		    dir ? "OutMcastPkts" : " InMcastPkts",
		    dir ? "OutBcastPkts" : " InBcastPkts");
		for (i = 0; i < n; i++) {
			uint64_t x = mix64(d->d_seed ^ (0x1000 * (dir + 1) + i));
			uint64_t oct = x % 1000000000 + t * (1000 + (x >> 32) %
			    125000);

			ifname(d, i, 1, ifn, sizeof(ifn));
			bprintf(b, "%-12s %15llu %12llu %12llu %12llu\n", ifn,
			    (unsigned long long)oct,
			    (unsigned long long)oct / 700,
			    (unsigned long long)oct / 90000,
			    (unsigned long long)oct / 400000);
		}
	}
}

/* ---- commands --------------------------------------------------------- */

enum cmd {
	C_VERSION, C_CONFIG, C_CPU, C_COUNTERS, C_TERMLEN, C_TERMWIDTH,
	C_CONFIGURE, C_NOP, C_EXIT, C_UNAME, C_HOSTNAME, C_OSREL, C_UPTIME,
	C_ECHO
};

struct cmddef {
	unsigned	 c_plats;
	const char	*c_words;
	int		 c_nargs;	/* -1: any number */
	enum cmd	 c_cmd;
};

static const struct cmddef cmds[] = {
	{ ALL, "show version", 0, C_VERSION },
	{ ALL, "show running-config", 0, C_CONFIG },
	{ PB(P_IOS) | PB(P_EOS), "show startup-config", 0, C_CONFIG },
	{ PB(P_JUNOS), "show configuration", 0, C_CONFIG },
	{ ALL, "show processes cpu", 0, C_CPU },
	{ ALL, "show interfaces counters", 0, C_COUNTERS },
	{ CIS, "terminal length", 1, C_TERMLEN },
	{ CIS, "terminal width", 1, C_TERMWIDTH },
	{ PB(P_JUNOS), "set cli screen-length", 1, C_TERMLEN },
	{ PB(P_JUNOS), "set cli screen-width", 1, C_TERMWIDTH },
	{ CIS, "configure terminal", 0, C_CONFIGURE },
	{ PB(P_JUNOS), "configure", 0, C_CONFIGURE },
	{ CIS, "enable", 0, C_NOP },
	{ ALL, "exit", 0, C_EXIT },
	{ NET, "quit", 0, C_EXIT },
	{ PB(P_IOS) | PB(P_LINUX), "logout", 0, C_EXIT },
	{ PB(P_LINUX), "uname -a", 0, C_UNAME },
	{ PB(P_LINUX), "hostname", 0, C_HOSTNAME },
	{ PB(P_LINUX), "cat /etc/os-release", 0, C_OSREL },
	{ PB(P_LINUX), "uptime", 0, C_UPTIME },
	{ PB(P_LINUX), "echo", -1, C_ECHO },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

struct toks {
	size_t		 t_n;
	char		*t_s[MAX_TOKENS];
	size_t		 t_off[MAX_TOKENS];	/* column in the line */
};

/* Split line in place at blanks; a line with too many words is cut. */
static void
tokenize(char *line, struct toks *t)
{
	char *p = line;

	t->t_n = 0;
	while (*p != '\0' && t->t_n < MAX_TOKENS) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		t->t_off[t->t_n] = (size_t)(p - line);
		t->t_s[t->t_n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
}

static int
word_ok(const struct dev *d, const char *tok, const char *word, size_t wlen)
{
	size_t n = strlen(tok);

	/* Network CLIs take unique abbreviations ("sh run"); shells do not. */
	if (d->d_plat == P_LINUX)
		return n == wlen && strncmp(tok, word, wlen) == 0;
	return n <= wlen && strncmp(tok, word, n) == 0;
}

/*
 * The table row that tokens t name, or NULL with *why = 0 (unknown),
 * 1 (incomplete) or 2 (ambiguous) and *bad = the token at fault.
 */
static const struct cmddef *
cmd_find(const struct dev *d, const struct toks *t, int *why, size_t *bad)
{
	const struct cmddef *hit = NULL;
	size_t i, best = 0, nhit = 0;

	*why = 0;
	for (i = 0; i < NCMDS; i++) {
		const char *w = cmds[i].c_words, *e;
		size_t k = 0, nw = 0;

		if (!(cmds[i].c_plats & PB(d->d_plat)))
			continue;
		for (; *w != '\0'; w = *e ? e + 1 : e, nw++) {
			e = strchr(w, ' ');
			e = e ? e : w + strlen(w);
			if (k == nw && k < t->t_n &&
			    word_ok(d, t->t_s[k], w, (size_t)(e - w)))
				k++;
		}
		if (k > best)
			best = k;
		if (k == nw && (cmds[i].c_nargs < 0 ||
		    t->t_n == nw + (size_t)cmds[i].c_nargs)) {
			hit = &cmds[i];
			nhit++;
		} else if (k == t->t_n && k < nw + (size_t)(cmds[i].c_nargs > 0))
			*why = 1;
	}
	if (nhit == 1)
		return hit;
	*why = nhit > 1 ? 2 : *why;
	*bad = best < t->t_n ? best : t->t_n ? t->t_n - 1 : 0;
	return NULL;
}

/* The platform's complaint about a line it does not understand. */
static void
cmd_error(struct sess *s, const struct toks *t, const char *line, int why,
    size_t bad, struct buf *b)
{
	const struct dev *d = s->s_dev;
	size_t col = (t->t_n ? t->t_off[bad] : 0) +
	    (s->s_exec ? 0 : s->s_promptlen);

	if (d->d_plat == P_LINUX) {
		bprintf(b, "%s%s: command not found\n", s->s_exec ?
		    "bash: line 1: " : "-bash: ", t->t_s[0]);
		return;
	}
	if (why == 2) {
		bprintf(b, "%% Ambiguous command:  \"%s\"\n", line);
		return;
	}
	if (why == 1 && d->d_plat != P_JUNOS) {
		bprintf(b, "%% Incomplete command%s\n", d->d_plat == P_EOS ?
		    "" : ".");
		return;
	}
	if (d->d_plat == P_EOS) {
		bprintf(b, "%% Invalid input (at token %zu: '%s')\n", bad,
		    t->t_n ? t->t_s[bad] : "");
		return;
	}
	bprintf(b, "%*s^\n", (int)(col > 512 ? 512 : col), "");
	if (d->d_plat == P_JUNOS)
		bprintf(b, "%s\n", bad == 0 ? "unknown command." :
		    "syntax error, expecting <command>.");
	else
		bprintf(b, "%% Invalid %s at '^' marker.\n",
		    d->d_plat == P_NXOS ? "command" : "input detected");
}

/* ---- writing output: paging and the misbehaviours -------------------- */

static void
msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	oflush();
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Stop answering but keep the session: read and drop input, and leave when
 * the client is gone (stdout reports an error or hang-up) or on SIGHUP.
 */
static void __attribute__((noreturn))
hang(void)
{
	struct pollfd pfd[2] = { { STDIN_FILENO, POLLIN, 0 },
	    { STDOUT_FILENO, 0, 0 } };
	char sink[512];
	ssize_t n;

	oflush();
	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL))
			_exit(0);
		if (pfd[0].revents & POLLNVAL)
			pfd[0].fd = -1;
		else if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, sink, sizeof(sink));
			if (n == 0 || (n == -1 && errno != EINTR &&
			    errno != EAGAIN))
				pfd[0].fd = -1;	/* EOF: still hang */
		}
	}
}

/*
 * Drop the connection: SIGKILL the sshd session process that holds it
 * (it runs as the lab user).  dropbear's runs as root, so there the
 * emulator can only die itself: the channel closes, the connection stays.
 */
static void __attribute__((noreturn))
disconnect(void)
{
	pid_t p = getppid();
	char path[64], comm[32];
	struct stat st;
	FILE *fp;
	int up, q;

	oflush();
	/* Let the server take what was written, or the client sees none. */
	for (up = 0; up < 100 && fstat(STDOUT_FILENO, &st) == 0; up++) {
		if (ioctl(STDOUT_FILENO, S_ISFIFO(st.st_mode) ? FIONREAD :
		    TIOCOUTQ, &q) == -1 || q == 0)
			break;
		msleep(10);
	}
	msleep(100);
	for (up = 0; up < 2 && p > 1; up++) {
		snprintf(path, sizeof(path), "/proc/%ld/comm", (long)p);
		if ((fp = fopen(path, "r")) == NULL)
			break;
		if (fgets(comm, sizeof(comm), fp) == NULL)
			comm[0] = '\0';
		fclose(fp);
		comm[strcspn(comm, "\n")] = '\0';
		if (strcmp(comm, "sshd") == 0 || strcmp(comm,
		    "naut-lab-sshd") == 0 || strcmp(comm, "dropbear") == 0) {
			kill(p, SIGKILL);
			break;
		}
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)p);
		if ((fp = fopen(path, "r")) == NULL ||
		    fscanf(fp, "%*d (%*[^)]) %*c %d", &p) != 1)
			p = 0;
		if (fp != NULL)
			fclose(fp);
	}
	raise(SIGKILL);
	_exit(1);
}

/* What a broken line or device sends: NULs, escapes, 8-bit junk. */
static void
garbage(struct sess *s)
{
	static const char *const esc[] = { "\033[2J", "\033[H", "\033c",
	    "\033]0;pwned\007", "\033[6n", "\033[?1049h", "\033(0", "\377\376",
	    "\300\200", "\r" };
	uint64_t st = s->s_dev->d_seed ^ 0x6a6b;
	unsigned char c;
	int i;

	for (i = 0; i < 4096; i++) {
		if (rnd(&st, 24) == 0) {
			ostr(esc[rnd(&st, 10)]);
			continue;
		}
		c = (unsigned char)rnd(&st, 256);
		/* No prompt characters: a prompt must come from the CLI. */
		if (c == '#' || c == '>' || c == '$' || c == '%')
			c = 0;
		oput(&c, 1);
	}
	ostr(s->s_eol);
}

static void __attribute__((noreturn))
endless(struct sess *s)
{
	unsigned long n;
	char line[160];

	for (n = 1;; n++) {
		int k = snprintf(line, sizeof(line), "%%LINEPROTO-5-UPDOWN: Line"
		    " protocol on Interface GigabitEthernet1/0/%lu, changed "
		    "state to %s (%lu)%s", n % 48 + 1, n & 1 ? "down" : "up", n,
		    s->s_eol);

		oput(line, (size_t)k);
		if (s->s_dev->d_beh == B_SLOW)
			msleep(s->s_dev->d_delay_ms);
	}
}

static int
in_byte(struct sess *s)
{
	ssize_t n;

	if (s->s_inpos == s->s_inlen) {
		oflush();
		do
			n = read(STDIN_FILENO, s->s_in, sizeof(s->s_in));
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			return -1;
		s->s_inlen = (size_t)n;
		s->s_inpos = 0;
	}
	return s->s_in[s->s_inpos++];
}

/* A key; the LF of a CR LF pair is part of the CR. */
static int
in_key(struct sess *s)
{
	int c = in_byte(s);

	if (c == '\n' && s->s_lastcr)
		c = in_byte(s);
	s->s_lastcr = c == '\r';
	return c;
}

/* The pager's prompt: ' ' next page, '\n' one more line, 'q' stop. */
static int
more(struct sess *s, size_t done, size_t total)
{
	char m[32];
	int c, n;

	if (s->s_dev->d_plat == P_JUNOS)
		n = snprintf(m, sizeof(m), "---(more %zu%%)---",
		    done * 100 / (total ? total : 1));
	else
		n = snprintf(m, sizeof(m), " --More-- ");
	oput(m, (size_t)n);
	if ((c = in_key(s)) == -1)
		exit(0);
	ostr("\r");
	while (n-- > 0)
		ostr(" ");
	ostr("\r");
	return c == ' ' ? ' ' : c == '\r' || c == '\n' ? '\n' : 'q';
}

/*
 * Send output (lines ending in \n) with the session's line ends, the
 * pager, and the misbehaviours that strike in the middle of output.
 */
static void
emit(struct sess *s, const struct buf *b, int paged)
{
	const struct dev *d = s->s_dev;
	size_t off = 0, line = 0, nlines = 0, onpage = 0, i;
	const char *nl;

	if (b->b_len == 0)
		return;
	if (d->d_beh == B_GARBAGE) {
		garbage(s);
		return;
	}
	for (i = 0; i < b->b_len; i++)
		nlines += b->b_p[i] == '\n';
	for (; off < b->b_len; line++, onpage++) {
		size_t n;

		nl = memchr(b->b_p + off, '\n', b->b_len - off);
		n = nl ? (size_t)(nl - (b->b_p + off)) : b->b_len - off;
		if (d->d_beh == B_SLOW)
			msleep(d->d_delay_ms);
		if ((d->d_beh == B_HANG_MID || d->d_beh == B_DISCONNECT_MID) &&
		    nlines >= 2 && line == nlines / 2) {
			s->s_struck = 1;
			if (d->d_beh == B_HANG_MID)
				hang();
			disconnect();
		}
		if (paged && s->s_pagelen > 1 && d->d_beh != B_ENDLESS &&
		    onpage == s->s_pagelen - 1) {
			int k = more(s, off, b->b_len);

			if (k == 'q')
				return;
			onpage = k == ' ' ? 0 : s->s_pagelen - 2;
		}
		oput(b->b_p + off, n);
		ostr(s->s_eol);
		off += n + 1;
	}
	if (d->d_beh == B_ENDLESS)
		endless(s);
}

/* "| include RE", "| exclude RE", "| begin RE", "| no-more" and kin. */
static int
pipe_filter(const struct dev *d, char *spec, struct buf *b, int *paged)
{
	static const char *const names[] = { "include", "match", "grep",
	    "exclude", "except", "begin", "no-more" };
	struct buf out = { NULL, 0, 0 };
	size_t i, k = sizeof(names) / sizeof(names[0]), off = 0;
	int which = -1, on = 0, sel;
	char *arg, *word = spec + strspn(spec, " \t");
	regex_t re;

	arg = word + strcspn(word, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	for (i = 0; i < k; i++)
		if (*word != '\0' && word_ok(d, word, names[i],
		    strlen(names[i])))
			which = which == -1 ? (int)i : -2;
	if (which == 6 && *arg == '\0') {
		*paged = 0;
		return 0;
	}
	if (which < 0 || *arg == '\0' || regcomp(&re, arg, REG_EXTENDED |
	    REG_NOSUB) != 0)
		return -1;
	while (off < b->b_len) {
		char *nl = memchr(b->b_p + off, '\n', b->b_len - off);
		size_t n = nl ? (size_t)(nl - b->b_p) - off : b->b_len - off;
		char save = b->b_p[off + n];

		b->b_p[off + n] = '\0';
		sel = regexec(&re, b->b_p + off, 0, NULL, 0) == 0;
		b->b_p[off + n] = save;
		on |= which == 5 && sel;
		if (which == 5 ? on : which < 3 ? sel : !sel)
			bput(&out, b->b_p + off, n + 1);
		off += n + 1;
	}
	regfree(&re);
	free(b->b_p);
	*b = out;
	return 0;
}

static void
gen_linux(const struct dev *d, enum cmd c, const struct toks *t,
    struct buf *b)
{
	time_t up = uptime(d);
	size_t i;

	switch (c) {
	case C_UNAME:
		bprintf(b, "Linux %s 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian"
		    " 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n", d->d_name);
		break;
	case C_HOSTNAME:
		bprintf(b, "%s\n", d->d_name);
		break;
	case C_OSREL:
		bprintf(b, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		    "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 "
		    "(bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
		    "HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://"
		    "www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs."
		    "debian.org/\"\n");
		break;
	case C_UPTIME:
		bprintf(b, " up %ld days, %2ld:%02ld,  1 user,  load average: "
		    "0.%02u, 0.%02u, 0.%02u\n", (long)up / 86400, (long)up /
		    3600 % 24, (long)up / 60 % 60, (unsigned)(d->d_seed % 90),
		    (unsigned)(d->d_seed >> 8) % 90, (unsigned)(d->d_seed >> 16)
		    % 90);
		break;
	default:
		for (i = 1; i < t->t_n; i++)
			bprintf(b, "%s%s", i > 1 ? " " : "", t->t_s[i]);
		bprintf(b, "\n");
		break;
	}
}

/*
 * Run one command line.  Returns 1 when the session is to end, else 0;
 * *rc is the exit status an exec session reports.
 */
static int
run_line(struct sess *s, char *line, int *rc)
{
	struct dev *d = s->s_dev;
	struct buf b = { NULL, 0, 0 };
	const struct cmddef *c;
	struct toks t;
	char copy[LINE_MAX_LEN], *bar;
	int why, paged = !s->s_exec, end = 0;
	size_t bad = 0;
	unsigned long v;

	snprintf(copy, sizeof(copy), "%s", line);
	bar = d->d_plat == P_LINUX && strchr(line, '|') == NULL ? NULL :
	    strchr(line, '|');
	if (bar != NULL)
		*bar++ = '\0';
	tokenize(line, &t);
	if (t.t_n == 0 && bar == NULL)
		return 0;
	if (s->s_conf) {
		/* Configuration mode takes any line; these leave it. */
		if (t.t_n == 1 && (strcmp(t.t_s[0], "end") == 0 ||
		    strcmp(t.t_s[0], "exit") == 0 ||
		    strcmp(t.t_s[0], "quit") == 0)) {
			s->s_conf = 0;
			if (d->d_plat == P_JUNOS)
				bprintf(&b, "Exiting configuration mode\n");
		} else if (d->d_plat == P_JUNOS && t.t_n == 1 &&
		    strcmp(t.t_s[0], "commit") == 0)
			bprintf(&b, "commit complete\n");
		emit(s, &b, 0);
		free(b.b_p);
		return 0;
	}
	if ((c = cmd_find(d, &t, &why, &bad)) == NULL) {
		cmd_error(s, &t, copy, why, bad, &b);
		*rc = d->d_plat == P_LINUX ? 127 : 0;
		if (d->d_plat == P_LINUX && s->s_exec) {
			oflush();
			(void)!write(STDERR_FILENO, b.b_p, b.b_len);
			b.b_len = 0;
		}
		emit(s, &b, 0);
		free(b.b_p);
		return 0;
	}
	switch (c->c_cmd) {
	case C_VERSION:
		gen_version(d, &b);
		break;
	case C_CONFIG:
		if (d->d_plat == P_IOS)
			cfg_ios(d, &b);
		else if (d->d_plat == P_JUNOS)
			cfg_junos(d, &b);
		else if (d->d_plat == P_LINUX)
			cfg_linux(d, &b);
		else
			cfg_nxos_eos(d, &b);
		break;
	case C_CPU:
		gen_cpu(d, &b);
		break;
	case C_COUNTERS:
		gen_counters(d, &b);
		break;
	case C_TERMLEN:
	case C_TERMWIDTH:
		v = strtoul(t.t_s[t.t_n - 1], &bar, 10);
		if (*bar != '\0' || t.t_s[t.t_n - 1][0] == '-' || v > 32767) {
			cmd_error(s, &t, copy, 0, t.t_n - 1, &b);
			break;
		}
		if (c->c_cmd == C_TERMLEN && !s->s_exec)
			s->s_pagelen = (unsigned)v;
		if (d->d_plat == P_JUNOS)
			bprintf(&b, "Screen %s set to %lu\n", c->c_cmd ==
			    C_TERMLEN ? "length" : "width", v);
		else if (d->d_plat == P_EOS && c->c_cmd == C_TERMLEN && v == 0)
			bprintf(&b, "Pagination disabled.\n");
		bar = NULL;
		break;
	case C_CONFIGURE:
		s->s_conf = !s->s_exec;
		bprintf(&b, "%s\n", d->d_plat == P_JUNOS ? "Entering "
		    "configuration mode" : "Enter configuration commands, one "
		    "per line.  End with CNTL/Z.");
		break;
	case C_NOP:
		break;
	case C_EXIT:
		end = 1;
		if (d->d_plat == P_LINUX && !s->s_exec)
			bprintf(&b, "logout\n");
		break;
	default:
		gen_linux(d, c->c_cmd, &t, &b);
		break;
	}
	if (bar != NULL && pipe_filter(d, bar, &b, &paged) != 0) {
		b.b_len = 0;
		bprintf(&b, "%% Invalid input detected at '|' marker.\n");
	}
	emit(s, &b, paged);
	free(b.b_p);
	return end;
}

/* ---- the interactive shell ------------------------------------------- */

static void
prompt(struct sess *s)
{
	const struct dev *d = s->s_dev;
	char p[256];
	const char *last;

	if (d->d_beh == B_SLOW)
		msleep(d->d_delay_ms);
	switch (d->d_plat) {
	case P_JUNOS:
		snprintf(p, sizeof(p), "\r\n%s%s@%s%s ", s->s_conf ?
		    "[edit]\r\n" : "", d->d_user, d->d_name, s->s_conf ? "#" :
		    ">");
		break;
	case P_LINUX:
		snprintf(p, sizeof(p), "%s@%s:~$ ", d->d_user, d->d_name);
		break;
	default:
		snprintf(p, sizeof(p), "%s%s#%s", d->d_name, s->s_conf ?
		    "(config)" : "", d->d_plat == P_NXOS ? " " : "");
		break;
	}
	ostr(p);
	last = strrchr(p, '\n');
	s->s_promptlen = strlen(last ? last + 1 : p);
}

static void
banner(struct sess *s)
{
	const struct dev *d = s->s_dev;
	char when[64];
	time_t t = now(d) - 3600 - (time_t)(d->d_seed % 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	switch (d->d_plat) {
	case P_IOS:
		ostr("\r\n");
		break;
	case P_NXOS:
		ostr("Cisco Nexus Operating System (NX-OS) Software\r\nTAC "
		    "support: http://www.cisco.com/tac\r\nCopyright (C) 2002-2023"
		    ", Cisco and/or its affiliates.\r\nAll rights reserved.\r\n");
		break;
	case P_JUNOS:
		ostr("Last login: ");
		ostr(when);
		ostr(" from 192.0.2.250\r\n--- JUNOS 21.4R3-S4.9 Kernel 64-bit  "
		    "JNPR-12.1-20230411.a7b3db8_buil\r\n");
		break;
	case P_EOS:
		ostr("Last login: ");
		ostr(when);
		ostr(" from 192.0.2.250\r\n");
		break;
	default:
		ostr("Linux ");
		ostr(d->d_name);
		ostr(" 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 "
		    "(2024-02-01) x86_64\r\n\r\nThe programs included with the "
		    "Debian GNU/Linux system are free software.\r\nLast login: ");
		ostr(when);
		ostr(" from 192.0.2.250\r\n");
		break;
	}
}

/* Read a line with echo and simple editing; -1 at EOF. */
static int
read_line(struct sess *s, char *line, size_t max)
{
	size_t n = 0;
	int c, esc = 0;

	for (;;) {
		if ((c = in_key(s)) == -1)
			return -1;
		if (esc) {	/* skip ESC [ ... final, ESC O x, ESC x */
			if (esc == 1 && (c == '[' || c == 'O'))
				esc = 2;
			else if (esc == 1 || (c >= 0x40 && c <= 0x7e))
				esc = 0;
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		if (c == 0x1b)
			esc = 1;
		else if ((c == 0x7f || c == '\b') && n > 0) {
			n--;
			if (s->s_tty)
				ostr("\b \b");
		} else if (c == 0x03 || c == 0x15) {	/* ^C, ^U */
			if (s->s_tty)
				ostr(c == 0x03 ? "^C" : "");
			n = 0;
			if (c == 0x03)
				break;
		} else if (c == 0x04 && n == 0 && s->s_dev->d_plat == P_LINUX) {
			snprintf(line, max, "logout");
			return 0;
		} else if (c >= 0x20 && c < 0x7f && n + 1 < max) {
			line[n++] = (char)c;
			if (s->s_tty)
				oput(&line[n - 1], 1);
		}
	}
	if (s->s_tty)
		ostr("\r\n");
	line[n] = '\0';
	return 0;
}

static int
run_shell(struct sess *s)
{
	struct termios tio;
	char line[LINE_MAX_LEN];
	int rc = 0;

	/* Raw mode: like a device's CLI we echo, edit and page ourselves. */
	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		s->s_tty = 1;
		cfmakeraw(&tio);
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	}
	s->s_eol = "\r\n";
	s->s_pagelen = s->s_dev->d_plat == P_LINUX ? 0 : PAGE_DEFAULT;
	if (s->s_dev->d_beh == B_HANG_LOGIN)
		hang();
	banner(s);
	for (;;) {
		prompt(s);
		if (read_line(s, line, sizeof(line)) == -1)
			break;
		if (run_line(s, line, &rc))
			break;
	}
	oflush();
	return s->s_dev->d_beh == B_EXITSTATUS ? s->s_dev->d_status : 0;
}

/* ---- devices.conf and the address mapping ------------------------------ */

static int
name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
parse_num(const char *s, long max, long *v)
{
	char *e;

	errno = 0;
	*v = strtol(s, &e, 10);
	return *s >= '0' && *s <= '9' && *e == '\0' && errno == 0 && *v <= max
	    ? 0 : -1;
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
		if (parse_num(tok, DEV_END - DEV_BASE - 1, &r->r_lo) != 0 ||
		    parse_num(dash ? dash : tok, DEV_END - DEV_BASE - 1,
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
			i = r->r_plat = name_index(plat_names, v);
		else if (strcmp(tok, "behaviour") == 0 ||
		    strcmp(tok, "behavior") == 0)
			i = r->r_beh = name_index(beh_names, v);
		else if (strcmp(tok, "delay") == 0)
			i = parse_num(v, 60000, &n) ? -1 : (r->r_delay = (int)n);
		else if (strcmp(tok, "status") == 0)
			i = parse_num(v, 255, &n) ? -1 : (r->r_status = (int)n);
		else {
			*err = "unknown key (platform, behaviour, delay, "
			    "status)";
			return -1;
		}
		if (i < 0) {
			*err = "bad value (see tests/lab/README)";
			return -1;
		}
	}
	return 0;
}

/* Load path into rules; prints each error, returns how many there were. */
static int
rules_load(const char *path, struct rule *rules, size_t *nrules)
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
static void
dev_init(struct dev *d, uint32_t ip, const struct rule *rules, size_t nrules)
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
	d->d_seed = fnv1a(d->d_name);
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
static uint32_t
conn_ip(void)
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

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: emu [--lab dir] [--addr ip | --index n] "
	    "[--time epoch] [--max-time sec] [-c command]\n"
	    "       emu [--lab dir] --list first count\n"
	    "       emu --lab dir --check\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "addr", required_argument, NULL, 'a' },
		{ "index", required_argument, NULL, 'i' },
		{ "time", required_argument, NULL, 't' },
		{ "max-time", required_argument, NULL, 'm' },
		{ "list", no_argument, NULL, 'L' },
		{ "check", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	static struct rule rules[RULES_MAX];
	struct dev d;
	struct sess s;
	struct in_addr ia;
	struct passwd *pw;
	char path[4096], line[LINE_MAX_LEN];
	const char *lab = NULL, *cmd = NULL, *u;
	uint32_t ip = 0;
	size_t nrules = 0;
	time_t fixed = 0;
	long v, first, count, k;
	int ch, list = 0, check = 0, rc = 0, errors;

	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			lab = optarg;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &ia) != 1)
				usage();
			ip = ntohl(ia.s_addr);
			break;
		case 'i':
			if (parse_num(optarg, DEV_END - DEV_BASE - 1, &v) != 0)
				usage();
			ip = DEV_BASE + (uint32_t)v;
			break;
		case 't':
			if (parse_num(optarg, 1L << 40, &v) != 0)
				usage();
			fixed = (time_t)v;
			break;
		case 'm':
			if (parse_num(optarg, 1L << 30, &v) != 0)
				usage();
			alarm((unsigned)v);
			break;
		case 'L':
			list = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'c':
			cmd = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (list ? 2 : 0) || (check && lab == NULL))
		usage();
	/* A lab fixture never outlives a test run, even if sshd forgets it. */
	if (!list && !check && alarm(0) == 0)
		alarm(3600);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_DFL);
	if (lab != NULL) {
		snprintf(path, sizeof(path), "%s/devices.conf", lab);
		errors = rules_load(path, rules, &nrules);
		if (check)
			return errors ? 1 : 0;
		if (errors)
			return 2;
	}
	memset(&d, 0, sizeof(d));
	d.d_time = fixed;
	pw = getpwuid(getuid());
	u = pw != NULL ? pw->pw_name : getenv("USER");
	snprintf(d.d_user, sizeof(d.d_user), "%s", u ? u : "lab");
	if (list) {
		if (parse_num(argv[0], DEV_END - DEV_BASE - 1, &first) != 0 ||
		    parse_num(argv[1], DEV_END - DEV_BASE, &count) != 0 ||
		    count > (long)(DEV_END - DEV_BASE) - first)
			usage();
		for (k = first; k < first + count; k++) {
			dev_init(&d, DEV_BASE + (uint32_t)k, rules, nrules);
			printf("%ld %s %s %s %s\n", d.d_index, d.d_addr,
			    d.d_name, plat_names[d.d_plat], beh_names[d.d_beh]);
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (ip == 0)
		ip = conn_ip();
	dev_init(&d, ip, rules, nrules);
	if (cmd == NULL)
		cmd = getenv("SSH_ORIGINAL_COMMAND");
	/* dropbear sets it empty for a shell when it forces a command. */
	if (cmd != NULL && *cmd == '\0')
		cmd = NULL;
	/* sshd hands subsystems to ForceCommand too: pass netconf on. */
	if (cmd != NULL && lab != NULL) {
		snprintf(path, sizeof(path), "%s/netconf-subsystem", lab);
		if (strcmp(cmd, path) == 0) {
			execl(path, path, (char *)NULL);
			fprintf(stderr, "emu: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	memset(&s, 0, sizeof(s));
	s.s_dev = &d;
	if (cmd == NULL)
		return run_shell(&s);
	s.s_exec = 1;
	s.s_eol = d.d_plat == P_IOS ? "\r\n" : "\n";
	if (d.d_beh == B_HANG_LOGIN)
		hang();
	snprintf(line, sizeof(line), "%s", cmd);
	line[strcspn(line, "\r\n")] = '\0';
	(void)run_line(&s, line, &rc);
	oflush();
	return d.d_beh == B_EXITSTATUS ? d.d_status : rc;
}

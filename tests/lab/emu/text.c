/*
 * Command output other than configurations: show version of each
 * platform, the telemetry commands (whose counters are a function of the
 * name and the clock, so tests can recompute them with emu --time), and
 * the few Linux commands.
 */
#include <stdio.h>

#include "emu.h"

void
text_version(const struct dev *d, struct buf *b)
{
	time_t up = model_uptime(d);
	unsigned long w = up / 604800, dd = up / 86400 % 7, h = up / 3600 % 24,
	    m = up / 60 % 60;
	unsigned sn = (unsigned)(d->d_seed % 100000000), mem;
	uint64_t mac = d->d_seed & 0xffffffffffULL;

	mem = 8000000 + (unsigned)(d->d_seed % 4000000);
	switch (d->d_plat) {
	case P_IOS:
		buf_printf(b, "Cisco IOS XE Software, Version 17.09.04a\n"
		    "Cisco IOS Software [Cupertino], Catalyst L3 Switch "
		    "Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE "
		    "(fc3)\nTechnical Support: "
		    "http://www.cisco.com/techsupport\nCopyright (c) 1986-2023 "
		    "by Cisco Systems, Inc.\nCompiled Fri 20-Oct-23 10:44 by "
		    "mcpre\n\n\nROM: IOS-XE ROMMON\nBOOTLDR: System Bootstrap, "
		    "Version 17.9.1r, RELEASE SOFTWARE (P)\n\n"
		    "%s uptime is %lu weeks, %lu days, %lu hours, %lu minutes\n"
		    "Uptime for this control processor is %lu weeks, %lu days, "
		    "%lu hours, %lu minutes\nSystem returned to ROM by Reload "
		    "Command\nSystem image file is \"flash:packages.conf\"\n"
		    "Last reload reason: Reload Command\n\n\n"
		    "cisco C9300-48P (X86) processor with 1338934K/6147K bytes "
		    "of memory.\nProcessor board ID FOC%08u\n"
		    "2048K bytes of non-volatile configuration memory.\n"
		    "%uK bytes of physical memory.\n11264000K bytes of Flash "
		    "at flash:.\n\nBase Ethernet MAC Address          : "
		    "00a3.%04x.%04x\nModel Number                       : "
		    "C9300-48P\nSystem Serial Number               : FOC%08u\n"
		    "\nConfiguration register is 0x102\n", d->d_name, w, dd, h,
		    m, w, dd, h, m, sn, mem, (unsigned)(mac >> 16) & 0xffff,
		    (unsigned)mac & 0xffff, sn);
		break;
	case P_NXOS:
		buf_printf(b, "Cisco Nexus Operating System (NX-OS) Software\n"
		    "TAC support: http://www.cisco.com/tac\n"
		    "Copyright (C) 2002-2023, Cisco and/or its affiliates.\n"
		    "All rights reserved.\n\nSoftware\n  BIOS: version 05.47\n"
		    "  NXOS: version 9.3(12)\n  BIOS compile time:  "
		    "04/28/2022\n  NXOS image file is: "
		    "bootflash:///nxos.9.3.12.bin\n  NXOS compile time:  "
		    "6/30/2023 12:00:00 [07/01/2023 04:32:15]\n\nHardware\n"
		    "  cisco Nexus9000 C93180YC-FX Chassis\n"
		    "  Intel(R) Xeon(R) CPU D-1528 @ 1.90GHz with %u kB of "
		    "memory.\n  Processor Board ID FDO%08u\n\n"
		    "  Device name: %s\n  bootflash: 115805708 kB\n"
		    "Kernel uptime is %lu day(s), %lu hour(s), %lu minute(s), "
		    "%lu second(s)\n\nLast reset\n  Reason: Reset Requested by "
		    "CLI command reload\n  System version: 9.3(12)\n\nplugin\n"
		    "  Core Plugin, Ethernet Plugin\n\nActive Package(s):\n\n",
		    mem, sn, d->d_name, (unsigned long)up / 86400, h, m,
		    (unsigned long)up % 60);
		break;
	case P_JUNOS:
		buf_printf(b, "Hostname: %s\nModel: mx204\nJunos: "
		    "21.4R3-S4.9\n", d->d_name);
		buf_printf(b, "JUNOS OS Kernel 64-bit  "
		    "[20230411.a7b3db8_builder_stable_12_214]\n"
		    "JUNOS OS libs [20230411.a7b3db8_builder_stable_12_214]\n"
		    "JUNOS OS runtime "
		    "[20230411.a7b3db8_builder_stable_12_214]\n"
		    "JUNOS OS time zone information "
		    "[20230411.a7b3db8_builder_stable_12_214]\n"
		    "JUNOS network stack and utilities "
		    "[20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS libs [20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS OS libs compat32 "
		    "[20230411.a7b3db8_builder_stable_12_214]\n"
		    "JUNOS runtime [20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS Routing Engine Software "
		    "[20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS mx Data Plane Services "
		    "[20230428.133208_builder_junos_214_r3_s4]\n"
		    "JUNOS Packet Forwarding Engine Support (MX/EX92XX Common) "
		    "[21.4R3-S4.9]\nJUNOS Crypto Software Suite [21.4R3-S4.9]\n"
		    "JUNOS Online Documentation [21.4R3-S4.9]\n"
		    "JUNOS Kernel Software Suite [21.4R3-S4.9]\n"
		    "JUNOS Routing Software Suite [21.4R3-S4.9]\n"
		    "JUNOS Web Management Platform Package [21.4R3-S4.9]\n");
		break;
	case P_EOS:
		buf_printf(b, "Arista DCS-7050SX3-48YC8-F\nHardware version: "
		    "11.01\nSerial number: JPE%08u\nHardware MAC address: "
		    "fcbd.%04x.%04x\nSystem MAC address: fcbd.%04x.%04x\n\n"
		    "Software image version: 4.30.2F\nArchitecture: x86_64\n"
		    "Internal build version: 4.30.2F-33092737.4302F\n"
		    "Internal build ID: 1d5b5a4a-0d3f-4b7e-9a51-2f3c1f0e9a77\n"
		    "Image format version: 3.0\nImage optimization: "
		    "Strata-4GB\n\nUptime: %lu weeks, %lu days, %lu hours and "
		    "%lu minutes\nTotal memory: %u kB\nFree memory: %u kB\n\n",
		    sn, (unsigned)(mac >> 16) & 0xffff, (unsigned)mac & 0xffff,
		    (unsigned)(mac >> 16) & 0xffff, (unsigned)mac & 0xffff, w,
		    dd, h, m, mem, mem / 3);
		break;
	default:
		buf_printf(b, " Static hostname: %s\n       Icon name: "
		    "computer-server\n         Chassis: server\n"
		    "      Machine ID: %016llx%016llx\n         Boot ID: "
		    "%016llx%016llx\nOperating System: Debian GNU/Linux 12 "
		    "(bookworm)\n          Kernel: Linux 6.1.0-18-amd64\n"
		    "    Architecture: x86-64\n Hardware Vendor: Supermicro\n"
		    "  Hardware Model: SYS-5019C-MR\nFirmware Version: 1.9\n",
		    d->d_name, (unsigned long long)d->d_seed,
		    (unsigned long long)model_mix(d->d_seed),
		    (unsigned long long)model_mix(d->d_seed + 1),
		    (unsigned long long)model_mix(d->d_seed + 2));
		break;
	}
}

void
text_cpu(const struct dev *d, struct buf *b)
{
	static const char *const procs[] = { "Chunk Manager", "Load Meter",
	    "Check heaps", "Pool Manager", "ARP Input", "IP Input",
	    "SSH Process", "BGP Router", "SNMP ENGINE", "CDP Protocol" };
	uint64_t h = d->d_seed, t = (uint64_t)model_now(d);
	unsigned base = (unsigned)(h % 30), c5 = base + (unsigned)((t / 5 + h)
	    % 20), i;

	buf_printf(b, "CPU utilization for five seconds: %u%%/%u%%; one "
	    "minute: %u%%; five minutes: %u%%\n PID Runtime(ms)     Invoked    "
	    "  uSecs   5Sec   1Min   5Min TTY Process\n", c5, c5 / 4,
	    base + (unsigned)((t / 60 + h) % 20),
	    base + (unsigned)((t / 300 + h) % 20));
	for (i = 0; i < 10; i++) {
		uint64_t x = model_mix(h + i);
		uint64_t inv = x % 100000 + t / 10 % 1000000;

		buf_printf(b, "%4u %11llu %11llu %10u %3u.%02u%% %3u.%02u%% "
		    "%3u.%02u%%   0 %s\n", i + 1, (unsigned long long)inv * 3,
		    (unsigned long long)inv, 3, (unsigned)(x >> 8) % 2,
		    (unsigned)(x >> 16) % 100, 0, (unsigned)(x >> 24) % 100, 0,
		    (unsigned)(x >> 32) % 100, procs[i]);
	}
}

void
text_counters(const struct dev *d, struct buf *b)
{
	uint64_t t = (uint64_t)model_uptime(d);
	unsigned i, dir, n = model_nports(d);
	char ifn[48];

	for (dir = 0; dir < 2; dir++) {
		buf_printf(b, "%sPort         %s %s %s %s\n", dir ? "\n" : "",
		    dir ? "      OutOctets" : "       InOctets", dir ?
		    "OutUcastPkts" : " InUcastPkts", dir ? "OutMcastPkts" :
		    " InMcastPkts", dir ? "OutBcastPkts" : " InBcastPkts");
		for (i = 0; i < n; i++) {
			uint64_t x = model_mix(d->d_seed ^
			    (0x1000 * (dir + 1) + i));
			uint64_t oct = x % 1000000000 + t * (1000 + (x >> 32) %
			    125000);

			model_ifname(d, i, 1, ifn, sizeof(ifn));
			buf_printf(b, "%-12s %15llu %12llu %12llu %12llu\n",
			    ifn, (unsigned long long)oct,
			    (unsigned long long)oct / 700,
			    (unsigned long long)oct / 90000,
			    (unsigned long long)oct / 400000);
		}
	}
}

void
text_linux(const struct dev *d, enum cmd c, const struct toks *t,
    struct buf *b)
{
	time_t up = model_uptime(d);
	size_t i;

	switch (c) {
	case C_UNAME:
		buf_printf(b, "Linux %s 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC "
		    "Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n",
		    d->d_name);
		break;
	case C_HOSTNAME:
		buf_printf(b, "%s\n", d->d_name);
		break;
	case C_OSREL:
		buf_printf(b, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		    "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
		    "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\n"
		    "ID=debian\nHOME_URL=\"https://www.debian.org/\"\n"
		    "SUPPORT_URL=\"https://www.debian.org/support\"\n"
		    "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n");
		break;
	case C_UPTIME:
		buf_printf(b, " up %ld days, %2ld:%02ld,  1 user,  load "
		    "average: 0.%02u, 0.%02u, 0.%02u\n", (long)up / 86400,
		    (long)up / 3600 % 24, (long)up / 60 % 60,
		    (unsigned)(d->d_seed % 90), (unsigned)(d->d_seed >> 8) % 90,
		    (unsigned)(d->d_seed >> 16) % 90);
		break;
	default:
		for (i = 1; i < t->t_n; i++)
			buf_printf(b, "%s%s", i > 1 ? " " : "", t->t_s[i]);
		buf_printf(b, "\n");
		break;
	}
}

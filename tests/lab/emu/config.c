/*
 * show running-config (Junos: show configuration) of each platform: about
 * 20 KB of plausible configuration per device, different per device, with
 * the secrets that naut's scrub patterns must hide (README lists them).
 */
#include <stdio.h>
#include <stdlib.h>

#include "emu.h"

static void
cfg_ios(const struct dev *d, struct buf *out)
{
	uint64_t st = d->d_seed ^ 0x105;
	struct buf b = { NULL, 0, 0 };
	char h1[128], h2[128], t7[32], when[64], ifn[48];
	struct port p;
	unsigned i, j, n = model_nports(d), a = model_o2(d);

	model_stamp(d, when, sizeof(when), "%H:%M:%S UTC %a %b %e %Y");
	model_hash(&st, h1, sizeof(h1), "9", 14, 43);
	buf_printf(&b, "!\n! Last configuration change at %s by %s\n!\n"
	    "version 17.9\nservice timestamps debug datetime msec\n"
	    "service timestamps log datetime msec\nservice "
	    "password-encryption\nservice call-home\n"
	    "platform punt-keepalive disable-kernel-core\n!\nhostname %s\n!\n"
	    "vrf definition Mgmt-vrf\n !\n address-family ipv4\n"
	    " exit-address-family\n!\nlogging buffered 64000 informational\n"
	    "enable secret 9 %s\n!\naaa new-model\naaa authentication login "
	    "default local\naaa authorization exec default local\n"
	    "aaa session-id common\nclock timezone UTC 0 0\n"
	    "switch 1 provision c9300-48p\n!\nip domain name lab.example.net\n"
	    "ip name-server 192.0.2.53\n!\nlogin on-success log\n!\n", when,
	    d->d_user, d->d_name, h1);
	buf_printf(&b, "crypto pki trustpoint TP-self-signed-%u\n"
	    " enrollment selfsigned\n subject-name "
	    "cn=IOS-Self-Signed-Certificate-%u\n revocation-check none\n!\n"
	    "crypto pki certificate chain TP-self-signed-%u\n"
	    " certificate self-signed 01\n", (unsigned)(d->d_seed % 1000000000),
	    (unsigned)(d->d_seed % 1000000000),
	    (unsigned)(d->d_seed % 1000000000));
	for (i = 0; i < 22; i++) {
		buf_printf(&b, " ");
		for (j = 0; j < 8; j++)
			buf_printf(&b, " %08X",
			    (unsigned)model_rnd(&st, 1ULL << 32));
		buf_printf(&b, "\n");
	}
	model_hash(&st, h1, sizeof(h1), "9", 14, 43);
	model_hash(&st, h2, sizeof(h2), "1", 4, 22);
	buf_printf(&b, "  \tquit\n!\nspanning-tree mode rapid-pvst\n"
	    "spanning-tree extend system-id\n!\nusername admin privilege 15 "
	    "secret 9 %s\nusername %s privilege 15 secret 5 %s\n!\nredundancy\n"
	    " mode sso\n!\n", h1, d->d_user, h2);
	for (i = 0; i < model_nvlans(d); i++)
		buf_printf(&b, "vlan %u\n name users-%u\n!\n", model_vlan(d, i),
		    model_vlan(d, i));
	buf_printf(&b, "interface Loopback0\n ip address 10.%u.%u.%u "
	    "255.255.255.255\n!\ninterface GigabitEthernet0/0\n"
	    " vrf forwarding Mgmt-vrf\n ip address 172.16.%u.%u 255.255.0.0\n"
	    " negotiation auto\n!\n", (unsigned)(d->d_index >> 16) & 255,
	    a >> 8, a & 255, a >> 8, a & 255);
	for (i = 0; i < n; i++) {
		model_port(d, i, &p);
		model_ifname(d, i, 0, ifn, sizeof(ifn));
		buf_printf(&b, "interface %s\n description %s\n", ifn,
		    p.p_desc);
		if (p.p_uplink)
			buf_printf(&b, " switchport trunk native vlan 999\n"
			    " switchport mode trunk\n ip dhcp snooping "
			    "trust\n");
		else
			buf_printf(&b, " switchport access vlan %u\n"
			    " switchport mode access\n device-tracking "
			    "attach-policy IPDT_POLICY\n authentication "
			    "periodic\n access-session port-control auto\n"
			    " mab\n dot1x pae authenticator\n"
			    " spanning-tree portfast\n spanning-tree bpduguard "
			    "enable\n%s", p.p_vlan, p.p_shut ? " shutdown\n" :
			    "");
		buf_printf(&b, "!\n");
	}
	for (i = 0; i < model_nvlans(d); i++)
		buf_printf(&b, "interface Vlan%u\n description SVI users-%u\n"
		    " ip address 10.%u.%u.1 255.255.255.0\n"
		    " ip helper-address 192.0.2.67\n!\n", model_vlan(d, i),
		    model_vlan(d, i), 100 + model_vlan(d, i) % 100, a & 255);
	buf_printf(&b, "router bgp %u\n bgp router-id 10.%u.%u.%u\n"
	    " bgp log-neighbor-changes\n", model_asn(d, 0),
	    (unsigned)(d->d_index >> 16) & 255, a >> 8, a & 255);
	for (i = 1; i <= 4; i++) {
		model_type7(&st, t7, sizeof(t7));
		buf_printf(&b, " neighbor 10.255.%u.%u remote-as %u\n"
		    " neighbor 10.255.%u.%u description to dev%06ld\n"
		    " neighbor 10.255.%u.%u password 7 %s\n",
		    (a + i) >> 8 & 255, (a + i) & 255, model_asn(d, (int)i),
		    (a + i) >> 8 & 255, (a + i) & 255,
		    (d->d_index + i) % 1000000, (a + i) >> 8 & 255,
		    (a + i) & 255, t7);
	}
	buf_printf(&b, "!\nip forward-protocol nd\nno ip http server\n"
	    "ip ssh version 2\n!\nip access-list extended MGMT-IN\n");
	for (i = 0; i < 8 + d->d_seed % 16; i++) {
		/* One draw per statement: argument order is unspecified. */
		unsigned net = (unsigned)model_rnd(&st, 65536);
		unsigned svc = (unsigned)model_rnd(&st, 5);

		buf_printf(&b, " %u permit tcp 10.%u.%u.0 0.0.0.255 any eq "
		    "%u\n", 10 * (i + 1), net >> 8, net & 255,
		    (unsigned[]){ 22, 443, 830, 161, 179 }[svc]);
	}
	model_type7(&st, t7, sizeof(t7));
	buf_printf(&b, " %u deny ip any any log\n!\nlogging host 192.0.2.10\n"
	    "snmp-server community SECRETCOMM RO MGMT-IN\n"
	    "snmp-server community c%016llx RW MGMT-IN\n"
	    "snmp-server location lab rack %u\nsnmp-server contact "
	    "noc@lab.example.net\ntacacs-server host 192.0.2.49\n"
	    "tacacs-server key 7 %s\n!\nbanner motd ^C\n"
	    "*** %s: authorised access only ***\n^C\n!\nline con 0\n"
	    " exec-timeout 15 0\n stopbits 1\nline vty 0 4\n"
	    " exec-timeout 15 0\n", 10 * (i + 1),
	    (unsigned long long)model_mix(d->d_seed ^ 0x5eed),
	    (unsigned)(d->d_seed % 40) + 1, t7, d->d_name);
	model_type7(&st, t7, sizeof(t7));
	buf_printf(&b, " password 7 %s\n transport input ssh\nline vty 5 15\n"
	    " transport input ssh\n!\nntp server 192.0.2.123\n!\nend\n", t7);
	buf_printf(out, "Building configuration...\n\nCurrent configuration : "
	    "%zu bytes\n", b.b_len);
	buf_put(out, b.b_p, b.b_len);
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
	unsigned i, n = model_nports(d), a = model_o2(d);

	model_stamp(d, when, sizeof(when), "%a %b %e %H:%M:%S %Y");
	model_hash(&st, h1, sizeof(h1), nx ? "5" : "6", 16, nx ? 43 : 86);
	model_hash(&st, h2, sizeof(h2), nx ? "5" : "6", 16, nx ? 43 : 86);
	if (nx)
		buf_printf(b, "\n!Command: show running-config\n"
		    "!Running configuration last done at: %s\n\n"
		    "version 9.3(12) Bios:version 05.47\nhostname %s\n"
		    "vdc %s id 1\n  limit-resource vlan minimum 16 maximum "
		    "4094\n\nfeature nxapi\nfeature scp-server\n"
		    "feature interface-vlan\nfeature lacp\nfeature lldp\n"
		    "feature bgp\n\nusername admin password 5 %s  role "
		    "network-admin\nusername %s password 5 %s  role "
		    "network-admin\nip domain-lookup\nsnmp-server user admin "
		    "network-admin auth md5 0x%016llx%016llx priv 0x%016llx "
		    "localizedkey\nsnmp-server community SECRETCOMM group "
		    "network-operator\n", when, d->d_name, d->d_name, h1,
		    d->d_user, h2, (unsigned long long)model_mix(st),
		    (unsigned long long)model_mix(st + 1),
		    (unsigned long long)model_mix(st + 2));
	else
		buf_printf(b, "! Command: show running-config\n"
		    "! device: %s (DCS-7050SX3-48YC8, EOS-4.30.2F)\n!\n"
		    "! boot system flash:/EOS-4.30.2F.swi\n!\nno aaa root\n!\n"
		    "username admin privilege 15 role network-admin secret "
		    "sha512 %s\nusername %s privilege 15 role network-admin "
		    "secret sha512 %s\n!\nservice routing protocols model "
		    "multi-agent\n!\nhostname %s\nip name-server vrf MGMT "
		    "192.0.2.53\n!\nsnmp-server community SECRETCOMM ro\n!\n"
		    "spanning-tree mode mstp\n!\n", d->d_name, h1, d->d_user,
		    h2, d->d_name);
	model_type7(&st, t7, sizeof(t7));
	buf_printf(b, "tacacs-server host 192.0.2.49\ntacacs-server key 7 "
	    "%s%s%s\n%s", nx ? "\"" : "", t7, nx ? "\"" : "", sep);
	if (!nx) {
		model_hash(&st, h1, sizeof(h1), "6", 16, 86);
		buf_printf(b, "enable secret sha512 %s\n!\n", h1);
	}
	for (i = 0; i < model_nvlans(d); i++)
		buf_printf(b, "vlan %u\n%sname users-%u\n%s", model_vlan(d, i),
		    in, model_vlan(d, i), sep);
	buf_printf(b, "vrf %s\n%s", nx ? "context management\n  ip route "
	    "0.0.0.0/0 172.16.0.1" : "instance MGMT", sep);
	for (i = 0; i < n; i++) {
		model_port(d, i, &p);
		model_ifname(d, i, 0, ifn, sizeof(ifn));
		buf_printf(b, "interface %s\n%sdescription %s\n", ifn, in,
		    p.p_desc);
		if (p.p_uplink)
			buf_printf(b, "%sswitchport mode trunk\n"
			    "%sswitchport trunk native vlan 999\n", in, in);
		else
			buf_printf(b, "%sswitchport access vlan %u\n"
			    "%sspanning-tree %s\n%sspanning-tree bpduguard "
			    "enable\n%sstorm-control broadcast level 1%s\n"
			    "%smtu 9216\n", in, p.p_vlan, in, nx ? "port type "
			    "edge" : "portfast", in, in, nx ? ".00" : "", in);
		buf_printf(b, "%s%s%s", in, p.p_shut ? "shutdown" :
		    "no shutdown", nx ? "\n\n" : "\n!\n");
	}
	for (i = 0; i < model_nvlans(d); i++)
		buf_printf(b, "interface Vlan%u\n%sno shutdown\n"
		    "%sip address 10.%u.%u.1/24\n%s", model_vlan(d, i), in, in,
		    100 + model_vlan(d, i) % 100, a & 255, sep);
	buf_printf(b, "interface %s\n%svrf %s\n%sip address 172.16.%u.%u/16\n"
	    "%sinterface loopback0\n%sip address 10.%u.%u.%u/32\n%s", nx ?
	    "mgmt0" : "Management1", in, nx ? "member management" : "MGMT", in,
	    a >> 8, a & 255, sep, in, (unsigned)(d->d_index >> 16) & 255,
	    a >> 8, a & 255, sep);
	buf_printf(b, "%srouter bgp %u\n%srouter-id 10.%u.%u.%u\n", nx ? "" :
	    "ip routing\n!\n", model_asn(d, 0), in,
	    (unsigned)(d->d_index >> 16) & 255, a >> 8, a & 255);
	for (i = 1; i <= 4; i++) {
		unsigned x = (a + i) >> 8 & 255, y = (a + i) & 255;

		model_type7(&st, t7, sizeof(t7));
		if (nx)
			buf_printf(b, "  neighbor 10.255.%u.%u\n"
			    "    remote-as %u\n    description to dev%06ld\n"
			    "    password 3 %s\n    address-family ipv4 "
			    "unicast\n", x, y, model_asn(d, (int)i),
			    (d->d_index + i) % 1000000, t7);
		else
			buf_printf(b, "   neighbor 10.255.%u.%u remote-as %u\n"
			    "   neighbor 10.255.%u.%u description to dev%06ld\n"
			    "   neighbor 10.255.%u.%u password 7 %s\n", x, y,
			    model_asn(d, (int)i), x, y,
			    (d->d_index + i) % 1000000, x, y, t7);
	}
	buf_printf(b, "%s", nx ? "\nline console\nline vty\n\n" : "!\n"
	    "management api http-commands\n   no shutdown\n!\nend\n");
}

static void
cfg_junos(const struct dev *d, struct buf *b)
{
	uint64_t st = d->d_seed ^ 0x303;
	char h1[128], h2[128], h3[64], when[64], ifn[48];
	struct port p;
	unsigned i, n = model_nports(d), a = model_o2(d);

	model_stamp(d, when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC");
	model_hash(&st, h1, sizeof(h1), "6", 16, 86);
	model_hash(&st, h2, sizeof(h2), "6", 16, 86);
	model_hash(&st, h3, sizeof(h3), "9", 0, 24);
	buf_printf(b, "## Last commit: %s by %s\nversion 21.4R3-S4.9;\n"
	    "system {\n    host-name %s;\n    root-authentication {\n"
	    "        encrypted-password \"%s\"; ## SECRET-DATA\n    }\n"
	    "    login {\n        user %s {\n            uid 2001;\n"
	    "            class super-user;\n            authentication {\n"
	    "                encrypted-password \"%s\"; ## SECRET-DATA\n"
	    "            }\n        }\n    }\n    services {\n        ssh {\n"
	    "            root-login deny;\n        }\n        netconf {\n"
	    "            ssh;\n        }\n    }\n    tacplus-server {\n"
	    "        192.0.2.49 secret \"%s\"; ## SECRET-DATA\n    }\n"
	    "    syslog {\n        host 192.0.2.10 {\n            any notice;\n"
	    "        }\n    }\n    ntp {\n        server 192.0.2.123;\n    }\n"
	    "}\ninterfaces {\n", when, d->d_user, d->d_name, h1, d->d_user, h2,
	    h3);
	for (i = 0; i < n; i++) {
		model_port(d, i, &p);
		model_ifname(d, i, 0, ifn, sizeof(ifn));
		buf_printf(b, "    %s {\n%s        description \"%s\";\n", ifn,
		    p.p_shut ? "        disable;\n" : "", p.p_desc);
		if (p.p_uplink)
			buf_printf(b, "        unit 0 {\n            family "
			    "inet {\n                address 10.254.%u.%u/31;\n"
			    "            }\n        }\n    }\n", a >> 8,
			    (a & 127) * 2 + (i & 1));
		else
			buf_printf(b, "        unit 0 {\n            family "
			    "ethernet-switching {\n                "
			    "interface-mode access;\n                vlan {\n"
			    "                    members v%u;\n"
			    "                }\n            }\n        }\n"
			    "    }\n", p.p_vlan);
	}
	buf_printf(b, "    lo0 {\n        unit 0 {\n            family inet {\n"
	    "                address 10.%u.%u.%u/32;\n            }\n"
	    "        }\n    }\n}\nsnmp {\n    location \"lab rack %u\";\n"
	    "    community SECRETCOMM {\n        authorization read-only;\n"
	    "        clients {\n            192.0.2.0/24;\n        }\n    }\n"
	    "}\nrouting-options {\n    autonomous-system %u;\n}\nprotocols {\n"
	    "    bgp {\n        group peers {\n            type external;\n",
	    (unsigned)(d->d_index >> 16) & 255, a >> 8, a & 255,
	    (unsigned)(d->d_seed % 40) + 1, model_asn(d, 0));
	model_hash(&st, h3, sizeof(h3), "9", 0, 24);
	buf_printf(b, "            authentication-key \"%s\"; ## SECRET-DATA\n",
	    h3);
	for (i = 1; i <= 4; i++)
		buf_printf(b, "            neighbor 10.255.%u.%u {\n"
		    "                description \"to dev%06ld\";\n"
		    "                peer-as %u;\n            }\n",
		    (a + i) >> 8 & 255, (a + i) & 255,
		    (d->d_index + i) % 1000000, model_asn(d, (int)i));
	buf_printf(b, "        }\n    }\n    lldp {\n        interface all;\n"
	    "    }\n}\nvlans {\n");
	for (i = 0; i < model_nvlans(d); i++)
		buf_printf(b, "    v%u {\n        vlan-id %u;\n    }\n",
		    model_vlan(d, i), model_vlan(d, i));
	buf_printf(b, "}\n");
}

static void
cfg_linux(const struct dev *d, struct buf *b)
{
	unsigned i, a = model_o2(d);
	struct port p;

	buf_printf(b, "Building configuration...\n\nCurrent configuration:\n!\n"
	    "frr version 8.4.4\nfrr defaults traditional\nhostname %s\n"
	    "log syslog informational\nservice integrated-vtysh-config\n!\n",
	    d->d_name);
	for (i = 0; i < model_nports(d); i++) {
		model_port(d, i, &p);
		buf_printf(b, "interface eth%u\n description %s\n"
		    " ip address 10.%u.%u.%u/24\nexit\n!\n", i, p.p_desc,
		    100 + i, a >> 8, a & 255);
	}
	buf_printf(b, "router bgp %u\n bgp router-id 10.%u.%u.%u\n"
	    " neighbor 10.255.%u.%u remote-as %u\n neighbor 10.255.%u.%u "
	    "password lab-%08llx\nexit\n!\nline vty\n!\nend\n", model_asn(d, 0),
	    (unsigned)(d->d_index >> 16) & 255, a >> 8, a & 255, a >> 8,
	    (a + 1) & 255, model_asn(d, 1), a >> 8, (a + 1) & 255,
	    (unsigned long long)(d->d_seed & 0xffffffffULL));
}

/* show running-config of d into b. */
void
config_running(const struct dev *d, struct buf *b)
{
	switch (d->d_plat) {
	case P_IOS:
		cfg_ios(d, b);
		break;
	case P_JUNOS:
		cfg_junos(d, b);
		break;
	case P_LINUX:
		cfg_linux(d, b);
		break;
	default:
		cfg_nxos_eos(d, b);
		break;
	}
}

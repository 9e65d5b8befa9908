#!/bin/sh
# The device lab: private SSH servers on loopback whose every login lands in
# the device emulator (build/lab/emu), so that naut's tests and its demo talk
# to real peers.  Three servers share one set of host keys:
#
#   sshd      LAB_SSHD_PORT (22222)      publickey, password    every 127.x.y.z
#   sshd-kbd  LAB_KBD_PORT (22223)       keyboard-interactive   every 127.x.y.z
#   dropbear  LAB_DROPBEAR_PORT (22224)  publickey, password    devices 0-9
#
# usage: lab.sh start | stop | status | env | init |
#            known-hosts [first count [port]]
#
#   init         create LAB_DIR with host keys, user keys, password (once)
#   start        init, create the lab user, start whatever is not running
#   stop         stop the servers and every session under them (idempotent)
#   status       say what runs; exit 0 only if all three servers run
#   env          print LAB_* variables for `eval "$(sh tests/lab/lab.sh env)"`
#   known-hosts  add to LAB_DIR/known_hosts 127.0.0.1, devices 0-31 and,
#                if given, devices first..first+count-1 on port (or on both
#                sshd ports); gen-fleet.sh uses it
#
# LAB_DIR defaults to $NAUT_BUILD/lab-run (build/lab-run).  The emulator,
# the address <-> device mapping and devices.conf are in tests/lab/README.
# start and stop need root (a system user, /run/sshd, sshd's privilege
# separation); the system's own sshd is never touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${NAUT_BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac

LAB_DIR=${LAB_DIR:-$build/lab-run}
LAB_EMU=${LAB_EMU:-$build/lab/emu}
LAB_USER=${LAB_USER:-nautlab}
LAB_SSHD_PORT=${LAB_SSHD_PORT:-22222}
LAB_KBD_PORT=${LAB_KBD_PORT:-22223}
LAB_DROPBEAR_PORT=${LAB_DROPBEAR_PORT:-22224}
LAB_DROPBEAR_FIRST=${LAB_DROPBEAR_FIRST:-0}
LAB_DROPBEAR_COUNT=${LAB_DROPBEAR_COUNT:-10}
LAB_SSHD=${LAB_SSHD:-/usr/sbin/sshd}
LAB_DROPBEAR=${LAB_DROPBEAR:-/usr/sbin/dropbear}
# What the netconf subsystem runs; the NETCONF lab sets it
# (e.g. /usr/sbin/netconf-subsystem).  cat is an echoing placeholder.
LAB_NETCONF_SUBSYSTEM=${LAB_NETCONF_SUBSYSTEM:-cat}
LAB_HOSTKEY_TYPES=${LAB_HOSTKEY_TYPES:-ed25519 ecdsa rsa}

SERVERS="sshd sshd-kbd dropbear"

die() {
	echo "lab.sh: $*" >&2
	exit 1
}

# Paths end up unquoted in ForceCommand and dropbear -c, which a shell
# splits: refuse anything but plain path characters.
plain_path() {
	case $2 in
	/*[!A-Za-z0-9._/+-]*|'') die "$1 \"$2\" must be an absolute path of [A-Za-z0-9._/+-]" ;;
	/*) ;;
	*) die "$1 \"$2\" must be an absolute path" ;;
	esac
}

check_port() {
	case $2 in
	''|*[!0-9]*) die "$1 must be a port number, not \"$2\"" ;;
	esac
	if [ "$2" -lt 1 ] || [ "$2" -gt 65535 ]; then
		die "$1 $2 is not a port"
	fi
}

# Device k is 127.(1 + k/65536).(k/256 % 256).(k % 256): see README.
dev_addr() {
	echo "127.$((1 + $1 / 65536)).$(($1 / 256 % 256)).$(($1 % 256))"
}

dropbear_addrs() {
	k=$LAB_DROPBEAR_FIRST
	while [ "$k" -lt $((LAB_DROPBEAR_FIRST + LAB_DROPBEAR_COUNT)) ]; do
		dev_addr "$k"
		k=$((k + 1))
	done
}

keygen() {	# type bits file comment [passphrase]
	[ -f "$3" ] && return 0
	ssh-keygen -q -t "$1" -b "$2" -N "${5:-}" -C "$4" -f "$3" </dev/null
}

lab_init() {
	mkdir -p "$LAB_DIR"
	LAB_DIR=$(cd "$LAB_DIR" && pwd)
	plain_path LAB_DIR "$LAB_DIR"
	# The lab user reads devices.conf and authorized_keys from here.
	chmod 755 "$LAB_DIR"
	(
		umask 077
		cd "$LAB_DIR"
		for t in ed25519:256 ecdsa:256 rsa:3072; do
			keygen "${t%:*}" "${t#*:}" "ssh_host_${t%:*}_key" \
			    naut-lab-host
			# dropbear needs its own format of the same keys.
			[ -f "dropbear_${t%:*}_host_key" ] ||
			    dropbearconvert openssh dropbear \
			    "ssh_host_${t%:*}_key" "dropbear_${t%:*}_host_key" \
			    >/dev/null 2>&1 ||
			    die "dropbearconvert failed for ${t%:*}"
		done
		# lab_user makes it the lab user's password (or replaces it by
		# the one other labs already use).
		[ -f password ] || od -An -N12 -tx1 /dev/urandom |
		    tr -d ' \n' >password
		[ -f passphrase ] || od -An -N12 -tx1 /dev/urandom |
		    tr -d ' \n' >passphrase
		keygen ed25519 256 id_ed25519 "naut-lab:$LAB_DIR"
		keygen ecdsa 256 id_ecdsa "naut-lab:$LAB_DIR"
		keygen rsa 3072 id_rsa "naut-lab:$LAB_DIR"
		keygen ed25519 256 id_ed25519_pass "naut-lab:$LAB_DIR" \
		    "$(cat passphrase)"
		chmod 644 ./*.pub
	)
	cat "$LAB_DIR"/id_ed25519.pub "$LAB_DIR"/id_ecdsa.pub \
	    "$LAB_DIR"/id_rsa.pub "$LAB_DIR"/id_ed25519_pass.pub \
	    >"$LAB_DIR/authorized_keys"
	chmod 644 "$LAB_DIR/authorized_keys"
	[ -f "$LAB_DIR/devices.conf" ] || cat >"$LAB_DIR/devices.conf" <<'EOF'
# Per-device overrides read by the emulator at every login (see
# tests/lab/README):  <index | lo-hi | address | *> key=value ...
# keys: platform= behaviour= delay=<ms> status=<exit status>
EOF
	chmod 644 "$LAB_DIR/devices.conf"
	cat >"$LAB_DIR/netconf-subsystem.tmp" <<EOF
#!/bin/sh
# sshd's "Subsystem netconf" (through the emulator, since ForceCommand
# takes subsystems too).  Written by lab.sh from LAB_NETCONF_SUBSYSTEM.
exec $LAB_NETCONF_SUBSYSTEM
EOF
	chmod 755 "$LAB_DIR/netconf-subsystem.tmp"
	mv "$LAB_DIR/netconf-subsystem.tmp" "$LAB_DIR/netconf-subsystem"
	cat >"$LAB_DIR/ssh_config" <<EOF
# OpenSSH client settings for the lab: ssh -F $LAB_DIR/ssh_config 127.1.0.5 'show version'
Host *
	User $LAB_USER
	Port $LAB_SSHD_PORT
	IdentityFile $LAB_DIR/id_ed25519
	IdentitiesOnly yes
	UserKnownHostsFile $LAB_DIR/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	UpdateHostKeys no
	CheckHostIP no
	BatchMode yes
	ConnectTimeout 5
	LogLevel ERROR
EOF
	[ -f "$LAB_DIR/known_hosts" ] || known_hosts 0 0
}

# known_hosts: 127.0.0.1 and devices 0-31 on both sshd ports, dropbear's
# addresses on its port, and devices first..first+count-1 on port (default
# both sshd ports).  One line per address, port and key type (libssh2
# matches neither wildcards nor comma lists), in awk because ssh-keyscan of
# thousands of devices is slow.  Lines are only ever added (the host keys of
# a lab dir never change), so fleets generated one after the other all
# stay valid.  LAB_HOSTKEY_TYPES limits the key types: a line is ~100
# (ed25519), ~200 (ecdsa) or ~600 (rsa) bytes.
known_hosts() {	# first count [port]
	kh=$LAB_DIR/known_hosts
	for t in $LAB_HOSTKEY_TYPES; do
		case $t in
		ed25519|ecdsa|rsa) cat "$LAB_DIR/ssh_host_${t}_key.pub" ;;
		*) die "LAB_HOSTKEY_TYPES: unknown type $t" ;;
		esac
	done | awk -v first="$1" -v count="$2" -v port="${3:-}" \
	    -v p1="$LAB_SSHD_PORT" -v p2="$LAB_KBD_PORT" \
	    -v p3="$LAB_DROPBEAR_PORT" -v dfirst="$LAB_DROPBEAR_FIRST" \
	    -v dcount="$LAB_DROPBEAR_COUNT" -v old="$kh" '
	function addr(k) {
		return sprintf("127.%d.%d.%d", 1 + int(k / 65536),
		    int(k / 256) % 256, k % 256)
	}
	function emit(a, p,    i, l) {
		for (i = 1; i <= nkeys; i++) {
			l = sprintf("[%s]:%d %s", a, p, key[i])
			if (!(l in seen)) {
				seen[l] = 1
				print l
			}
		}
	}
	{ key[++nkeys] = $1 " " $2 }
	END {
		while ((getline l < old) > 0)
			if (!(l in seen)) {
				seen[l] = 1
				print l
			}
		emit("127.0.0.1", p1); emit("127.0.0.1", p2)
		for (k = 0; k < 32; k++) { emit(addr(k), p1); emit(addr(k), p2) }
		for (k = dfirst; k < dfirst + dcount; k++)
			emit(addr(k), p3)
		for (k = first; k < first + count; k++)
			if (port != "")
				emit(addr(k), port)
			else {
				emit(addr(k), p1); emit(addr(k), p2)
			}
	}' >"$kh.tmp"
	chmod 644 "$kh.tmp"
	mv "$kh.tmp" "$kh"
}

# The lab user: a system account whose shell runs the forced command.
# Labs in other directories (other ports, parallel test runs) log in as the
# same user, so its password is one random value kept in the user's home
# (root-only) that every lab dir copies into its password file: starting
# one lab never breaks another's password.  dropbear only reads
# ~/.ssh/authorized_keys, where this lab's keys replace the lines an
# earlier start of it left and other labs' lines stay.
lab_user() {
	if ! id "$LAB_USER" >/dev/null 2>&1; then
		useradd --system --user-group --create-home \
		    --home-dir "/var/lib/$LAB_USER" --shell /bin/sh "$LAB_USER" ||
		    die "cannot create user $LAB_USER"
	fi
	home=$(getent passwd "$LAB_USER" | cut -d: -f6)
	[ -d "$home" ] || die "home $home of $LAB_USER is missing"
	store=$home/.naut-lab-password
	if [ ! -s "$store" ]; then
		(umask 077 && cp "$LAB_DIR/password" "$store.tmp")
		chown root:root "$store.tmp"
		mv "$store.tmp" "$store"
	fi
	cmp -s "$store" "$LAB_DIR/password" || cat "$store" >"$LAB_DIR/password"
	printf '%s:%s\n' "$LAB_USER" "$(cat "$store")" | chpasswd
	mkdir -p "$home/.ssh"
	ak=$home/.ssh/authorized_keys
	{
		[ -f "$ak" ] && awk -v tag="naut-lab:$LAB_DIR" '$NF != tag' "$ak"
		cat "$LAB_DIR/authorized_keys"
	} >"$ak.tmp"
	mv "$ak.tmp" "$ak"
	chown -R "$LAB_USER:" "$home/.ssh"
	chmod 700 "$home/.ssh"
	chmod 600 "$ak"
}

# ListenAddress 0.0.0.0 rdomain lo: sshd sets SO_BINDTODEVICE "lo" on the
# wildcard socket, so it accepts connections to every 127.x.y.z (a socket
# bound to 127.0.0.1 takes only that address) and none that arrive on
# another interface, not even to this host's own eth0 address.
sshd_config() {	# name port kbd(0|1)
	f=$LAB_DIR/$1_config
	cat >"$f.tmp" <<EOF
# $1 of the naut device lab: written by tests/lab/lab.sh at every start.
ListenAddress 0.0.0.0:$2 rdomain lo
HostKey $LAB_DIR/ssh_host_ed25519_key
HostKey $LAB_DIR/ssh_host_ecdsa_key
HostKey $LAB_DIR/ssh_host_rsa_key
PidFile $LAB_DIR/$1.pid
AllowUsers $LAB_USER
PermitRootLogin no
AuthorizedKeysFile $LAB_DIR/authorized_keys
StrictModes no
UseDNS no
# Hundreds of simultaneous handshakes: never drop one for being early.
MaxStartups 2000:30:4000
MaxSessions 100
LoginGraceTime 60
PrintMotd no
PrintLastLog no
Banner none
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PermitUserRC no
ForceCommand $EMU_CMD
Subsystem netconf $LAB_DIR/netconf-subsystem
LogLevel INFO
EOF
	if [ "$3" -eq 1 ]; then
		# Only keyboard-interactive: on Debian it needs PAM.  sshd
		# runs as naut-lab-sshd, so PAM uses that service, which is
		# not configured and falls back to /etc/pam.d/other (pam_unix
		# via common-*): no motd, no pam_loginuid, as on a device.
		cat >>"$f.tmp" <<EOF
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
EOF
	else
		cat >>"$f.tmp" <<EOF
UsePAM no
KbdInteractiveAuthentication no
PasswordAuthentication yes
PubkeyAuthentication yes
EOF
	fi
	mv "$f.tmp" "$f"
	"$LAB_DIR/naut-lab-sshd" -t -f "$f" || die "$f: sshd -t failed"
}

pid_of() {	# server: print its pid if it runs (from this LAB_DIR)
	pf=$LAB_DIR/$1.pid
	[ -f "$pf" ] || return 1
	p=$(cat "$pf" 2>/dev/null) || return 1
	case $p in ''|*[!0-9]*) return 1 ;; esac
	# A recycled pid is not ours: the command line names our config.
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$LAB_DIR/" ||
	    return 1
	echo "$p"
}

listening() {	# port
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

start_server() {	# name port
	name=$1
	port=$2
	if p=$(pid_of "$1"); then
		echo "lab: $1 already runs (pid $p)"
		return 0
	fi
	listening "$2" && die "port $2 for $1 is in use"
	case $1 in
	sshd)
		sshd_config sshd "$2" 0
		setsid "$LAB_DIR/naut-lab-sshd" -D -e -f "$LAB_DIR/sshd_config" \
		    </dev/null >>"$LAB_DIR/sshd.log" 2>&1 &
		;;
	sshd-kbd)
		sshd_config sshd-kbd "$2" 1
		setsid "$LAB_DIR/naut-lab-sshd" -D -e \
		    -f "$LAB_DIR/sshd-kbd_config" \
		    </dev/null >>"$LAB_DIR/sshd-kbd.log" 2>&1 &
		;;
	dropbear)
		# dropbear cannot bind to a device: it listens on at most
		# ten addresses, the devices LAB_DROPBEAR_FIRST.. onwards.
		set --
		for a in $(dropbear_addrs); do
			set -- "$@" -p "$a:$port"
		done
		setsid "$LAB_DROPBEAR" -F -E -m -w -j -k -G "$LAB_USER" "$@" \
		    -r "$LAB_DIR/dropbear_ed25519_host_key" \
		    -r "$LAB_DIR/dropbear_ecdsa_host_key" \
		    -r "$LAB_DIR/dropbear_rsa_host_key" \
		    -P "$LAB_DIR/dropbear.pid" \
		    -c "$EMU_CMD" \
		    </dev/null >>"$LAB_DIR/dropbear.log" 2>&1 &
		;;
	esac
	i=0
	while ! { pid_of "$name" >/dev/null && listening "$port"; }; do
		i=$((i + 1))
		[ "$i" -le 100 ] || die "$name did not start; see $LAB_DIR/$name.log"
		sleep 0.05
	done
	echo "lab: $name listening on port $port (pid $(pid_of "$name"))"
}

lab_start() {
	[ "$(id -u)" -eq 0 ] || die "start needs root"
	for v in LAB_SSHD_PORT LAB_KBD_PORT LAB_DROPBEAR_PORT; do
		eval "check_port $v \"\$$v\""
	done
	if [ "$LAB_DROPBEAR_COUNT" -lt 1 ] || [ "$LAB_DROPBEAR_COUNT" -gt 10 ]; then
		die "LAB_DROPBEAR_COUNT must be 1..10 (dropbear's limit)"
	fi
	command -v ssh-keygen >/dev/null || die "no ssh-keygen (openssh-client)"
	[ -x "$LAB_SSHD" ] || die "no $LAB_SSHD (openssh-server)"
	[ -x "$LAB_DROPBEAR" ] || die "no $LAB_DROPBEAR (dropbear-bin)"
	[ -x "$LAB_EMU" ] || die "no emulator $LAB_EMU: run make lab"
	plain_path LAB_EMU "$LAB_EMU"
	lab_init
	lab_user
	# Catch a devices.conf typo and an unreadable emulator once, here,
	# as the lab user, instead of in every session.
	runuser -u "$LAB_USER" -- "$LAB_EMU" --lab "$LAB_DIR" --check ||
	    die "the emulator fails as $LAB_USER (see above)"
	# The user's shell runs this: no signal from an early ^C until the
	# emulator ignores them itself, and no shell left behind (exec).
	EMU_CMD="trap '' INT QUIT TSTP; exec $LAB_EMU --lab $LAB_DIR"
	mkdir -p /run/sshd
	chmod 755 /run/sshd
	ln -sf "$LAB_SSHD" "$LAB_DIR/naut-lab-sshd"
	start_server sshd "$LAB_SSHD_PORT"
	start_server sshd-kbd "$LAB_KBD_PORT"
	start_server dropbear "$LAB_DROPBEAR_PORT"
}

# Every process below pid, read before pid dies (orphans are reparented).
descendants() {
	ps -e -o pid= -o ppid= | awk -v top="$1" '
	{ parent[$1] = $2 }
	END {
		for (p in parent) {
			q = parent[p]
			while (q != top && q in parent && q > 1)
				q = parent[q]
			if (q == top)
				print p
		}
	}'
}

# The server and its sessions (sshd forks per connection, the session
# forks the emulator), by pid: TERM, then KILL after two seconds.
stop_server() {
	p=$(pid_of "$1") || { rm -f "$LAB_DIR/$1.pid"; return 0; }
	pids="$p $(descendants "$p")"
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	i=0
	while [ "$i" -lt 40 ]; do
		alive=""
		for q in $pids; do
			kill -0 "$q" 2>/dev/null && alive="$alive $q"
		done
		[ -z "$alive" ] && break
		sleep 0.05
		i=$((i + 1))
	done
	if [ -n "$alive" ]; then
		# shellcheck disable=SC2086
		kill -KILL $alive 2>/dev/null || true
	fi
	rm -f "$LAB_DIR/$1.pid"
	echo "lab: $1 stopped (pid $p)"
}

lab_stop() {
	[ -d "$LAB_DIR" ] || return 0
	LAB_DIR=$(cd "$LAB_DIR" && pwd)
	for s in $SERVERS; do
		stop_server "$s"
	done
}

lab_status() {
	rc=0
	for s in $SERVERS; do
		case $s in
		sshd) port=$LAB_SSHD_PORT ;;
		sshd-kbd) port=$LAB_KBD_PORT ;;
		dropbear) port=$LAB_DROPBEAR_PORT ;;
		esac
		if p=$(pid_of "$s"); then
			echo "$s: running, pid $p, port $port"
		else
			echo "$s: stopped"
			rc=1
		fi
	done
	return $rc
}

lab_env() {
	[ -d "$LAB_DIR" ] && LAB_DIR=$(cd "$LAB_DIR" && pwd)
	for v in LAB_DIR LAB_EMU LAB_USER LAB_SSHD_PORT LAB_KBD_PORT \
	    LAB_DROPBEAR_PORT; do
		eval "printf '%s=%s\n' $v \"'\$$v'\""
	done
	printf "LAB_DROPBEAR_ADDRS='%s'\n" "$(dropbear_addrs | tr '\n' ' ' |
	    sed 's/ $//')"
	printf "LAB_PASSWORD_FILE='%s'\n" "$LAB_DIR/password"
	printf "LAB_KEY='%s'\n" "$LAB_DIR/id_ed25519"
	printf "LAB_KEY_ECDSA='%s'\n" "$LAB_DIR/id_ecdsa"
	printf "LAB_KEY_RSA='%s'\n" "$LAB_DIR/id_rsa"
	printf "LAB_KEY_PASS='%s'\n" "$LAB_DIR/id_ed25519_pass"
	printf "LAB_PASSPHRASE_FILE='%s'\n" "$LAB_DIR/passphrase"
	printf "LAB_KNOWN_HOSTS='%s'\n" "$LAB_DIR/known_hosts"
	printf "LAB_SSH_CONFIG='%s'\n" "$LAB_DIR/ssh_config"
	printf "LAB_DEVICES_CONF='%s'\n" "$LAB_DIR/devices.conf"
	echo "export LAB_DIR LAB_EMU LAB_USER LAB_SSHD_PORT LAB_KBD_PORT" \
	    "LAB_DROPBEAR_PORT LAB_DROPBEAR_ADDRS LAB_PASSWORD_FILE LAB_KEY" \
	    "LAB_KEY_ECDSA LAB_KEY_RSA LAB_KEY_PASS LAB_PASSPHRASE_FILE" \
	    "LAB_KNOWN_HOSTS LAB_SSH_CONFIG LAB_DEVICES_CONF"
}

case ${1:-} in
start) lab_start ;;
stop) lab_stop ;;
status) lab_status ;;
env) lab_env ;;
init) lab_init ;;
known-hosts)
	first=${2:-0}
	count=${3:-0}
	port=${4:-}
	case $first$count$port in
	*[!0-9]*) die "known-hosts [first count [port]]: numbers" ;;
	esac
	lab_init
	known_hosts "$first" "$count" "$port"
	;;
*)
	echo "usage: lab.sh start | stop | status | env | init |" \
	    "known-hosts [first count [port]]" >&2
	exit 64
	;;
esac

#!/bin/sh
# Install the Debian 12 packages naut's build, tests and lab need, only when
# something is missing, so a second run costs one dpkg-query.  Services the
# packages ship (sshd, nginx, ...) are kept from starting: the tests run their
# own private instances and never touch the system's.
set -eu

# Build: compiler, libraries (libssh: the lab's simulator).  Tests: the
# lab's real peers (OpenSSH server and client, dropbear, yuma123's netconfd
# for NETCONF), ss(8) from iproute2, valgrind, jq for JSON, nginx and
# openssl(1) for the REST lab, clang and its runtime for the libFuzzer
# smoke that check runs.
PKGS="gcc make pkg-config libc6-dev libevent-dev libssh2-1-dev
libcurl4-openssl-dev libyaml-dev libcmocka-dev libssl-dev libssh-dev libpcre2-dev
mandoc jq procps python3-textfsm
time openssh-server openssh-client dropbear-bin sshpass iproute2 valgrind passwd
curl prometheus
util-linux nginx-light openssl netconfd clang libclang-rt-14-dev"

# `deps.sh bench` adds what the benchmarks compare naut with.
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS python3 python3-asyncssh python3-uvloop python3-aiohttp"
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; install these packages first:$missing" >&2
	exit 1
fi
# policy-rc.d 101 tells invoke-rc.d not to start services on install.
prc=/usr/sbin/policy-rc.d
had_prc=0
[ -e "$prc" ] && had_prc=1
if [ "$had_prc" -eq 0 ]; then
	printf '#!/bin/sh\nexit 101\n' > "$prc"
	chmod 755 "$prc"
fi
trap '[ "$had_prc" -eq 0 ] && rm -f "$prc"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/bin/sh
# A private nginx for REST tests and benchmarks: TLS with a CA made here by
# openssl, HTTP/2, basic auth, JSON files per device address, and paths that
# fail on purpose.  Nothing of the system's nginx is used or touched.
#
#   rest-lab.sh start DIR PORT STATUS_PORT NDEV [NWORKERS]
#   rest-lab.sh stop DIR
#
# Device k (0-based) is 127.77.x.y (rest_addr below); nginx listens on
# each device address and on 127.0.0.1.  Fault devices use 127.78.0.1-32.
# In DIR: ca.crt (signed the server's cert), other-ca.crt (did not),
# htpasswd (user naut, password in DIR/password), token (bearer token),
# access.log ("$msec $server_addr $connection $status $request_method
# $request_uri $server_protocol" per request), and stub_status on http://127.0.0.1:STATUS_PORT/.
#
# Paths: /api/<name>.json (files under www/<address>/api/), /flaky
# (503 the first time per address, then 200), /busy (429 with
# Retry-After: 2 the first time, then 200), /down (always 503),
# /forbidden (403), /big (200 KiB), /echo (method, content type and
# X-Naut-Test header echoed as JSON), /loop (redirects to itself),
# /bearer (wants "Authorization: Bearer <token>", no basic auth).
set -eu

rest_addr() {
	echo "127.77.$(($1 / 250)).$(($1 % 250 + 1))"
}

die() {
	echo "rest-lab: $*" >&2
	exit 1
}

certs() {	# dir ndev
	d=$1
	o="-days 3 -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
	# shellcheck disable=SC2086
	openssl req -x509 $o -keyout "$d/ca.key" -out "$d/ca.crt" \
	    -subj /CN=naut-rest-lab-ca 2>/dev/null
	# shellcheck disable=SC2086
	openssl req -x509 $o -keyout "$d/other-ca.key" \
	    -out "$d/other-ca.crt" -subj /CN=naut-other-ca 2>/dev/null
	# shellcheck disable=SC2086
	openssl req $o -keyout "$d/srv.key" -out "$d/srv.csr" \
	    -subj /CN=naut-rest-lab 2>/dev/null
	{
		printf 'subjectAltName=IP:127.0.0.1'
		k=0
		while [ $k -lt "$2" ]; do
			printf ',IP:%s' "$(rest_addr $k)"
			k=$((k + 1))
		done
		k=1
		while [ $k -le 32 ]; do
			printf ',IP:127.78.0.%d' $k
			k=$((k + 1))
		done
		echo
	} >"$d/san.ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 3 -extfile "$d/san.ext" -out "$d/srv.crt" \
	    2>/dev/null
}

content() {	# dir ndev
	k=0
	while [ $k -lt "$2" ]; do
		a=$(rest_addr $k)
		mkdir -p "$1/www/$a/api"
		printf '{"device":"%s","hostname":"r%d","version":"17.3.%d","uptime":%d}\n' \
		    "$a" $k $((k % 7)) $((k * 37)) >"$1/www/$a/api/system.json"
		printf '{"interfaces":[{"name":"eth0","in_octets":%d},{"name":"eth1","in_octets":%d}]}\n' \
		    $((k * 1000)) $((k * 2000)) >"$1/www/$a/api/interfaces.json"
		printf '{"cpu":%d}\n' $((k % 100)) >"$1/www/$a/api/cpu.json"
		printf '{"mem_used":%d}\n' $((k * 11)) >"$1/www/$a/api/mem.json"
		printf '{"routes":%d}\n' $((k * 3)) >"$1/www/$a/api/routes.json"
		k=$((k + 1))
	done
	k=1
	while [ $k -le 32 ]; do
		a=127.78.0.$k
		mkdir -p "$1/www/$a/api"
		printf '{"device":"%s"}\n' "$a" >"$1/www/$a/api/system.json"
		k=$((k + 1))
	done
	printf '{"ok":true}\n' >"$1/www/ok.json"
	awk 'BEGIN { printf "{\"pad\":\""; for (i = 0; i < 204800; i++)
	    printf "x"; print "\"}" }' >"$1/www/big.json"
}

conf() {	# dir port status_port ndev nworkers
	d=$1
	{
		[ "$(id -u)" -eq 0 ] && echo "user root root;"
		cat <<EOT
worker_processes $5;
worker_rlimit_nofile 8192;
events { worker_connections 4096; }
http {
	log_format rl '\$msec \$server_addr \$connection \$status \$request_method \$request_uri \$server_protocol';
	access_log $d/access.log rl;
	client_body_temp_path $d/tmp;
	default_type application/json;
	keepalive_requests 1000000;
	keepalive_timeout 120s;
	server {
		listen 127.0.0.1:$3;
		access_log off;
		location / { stub_status; }
	}
	server {
		listen 127.0.0.1:$2 ssl http2;
EOT
		k=0
		while [ $k -lt "$4" ]; do
			echo "		listen $(rest_addr $k):$2 ssl http2;"
			k=$((k + 1))
		done
		k=1
		while [ $k -le 32 ]; do
			echo "		listen 127.78.0.$k:$2 ssl http2;"
			k=$((k + 1))
		done
		cat <<EOT
		ssl_certificate $d/srv.crt;
		ssl_certificate_key $d/srv.key;
		root $d/www;
		auth_basic "naut lab";
		auth_basic_user_file $d/htpasswd;
		location /api/ { root $d/www/\$server_addr; }
		location = /flaky {
			access_log $d/access.log rl;
			access_log $d/hits/flaky-\$server_addr rl;
			if (!-f $d/hits/flaky-\$server_addr) { return 503; }
			try_files /ok.json =404;
		}
		location = /busy {
			access_log $d/access.log rl;
			access_log $d/hits/busy-\$server_addr rl;
			add_header Retry-After 2 always;
			if (!-f $d/hits/busy-\$server_addr) { return 429; }
			try_files /ok.json =404;
		}
		location = /down { return 503; }
		location = /forbidden { return 403; }
		location = /big { try_files /big.json =404; }
		location = /loop { return 302 /loop; }
		location = /echo {
			return 200 '{"method":"\$request_method","type":"\$content_type","test":"\$http_x_naut_test","length":"\$content_length"}\n';
		}
		location = /bearer {
			auth_basic off;
			if (\$http_authorization != "Bearer $(cat "$d/token")") { return 401; }
			try_files /ok.json =404;
		}
	}
}
EOT
	} >"$d/nginx.conf"
}

case ${1:-} in
start)
	[ $# -ge 5 ] || die "usage: rest-lab.sh start DIR PORT STATUS_PORT NDEV [NWORKERS]"
	d=$2
	case $d in /*) ;; *) d=$(pwd)/$d ;; esac
	[ -x /usr/sbin/nginx ] || die "nginx is not installed (apt-get install nginx-light)"
	if [ -f "$d/nginx.pid" ] && kill -0 "$(cat "$d/nginx.pid")" 2>/dev/null; then
		kill "$(cat "$d/nginx.pid")"
		sleep 0.5
	fi
	rm -rf "$d"
	mkdir -p "$d/tmp" "$d/hits" "$d/www"
	chmod 755 "$d" "$d/www"
	certs "$d" "$5"
	content "$d" "$5"
	# A password no other file of the test holds; apr1 is what nginx reads.
	printf 'naut-lab-pw-%s\n' "$(openssl rand -hex 6)" >"$d/password"
	printf 'naut-lab-token-%s\n' "$(openssl rand -hex 8)" >"$d/token"
	printf 'naut:%s\n' "$(openssl passwd -apr1 "$(cat "$d/password")")" \
	    >"$d/htpasswd"
	conf "$d" "$3" "$4" "$5" "${6:-1}"
	/usr/sbin/nginx -p "$d" -c "$d/nginx.conf" \
	    -g "pid $d/nginx.pid; error_log $d/error.log;" ||
	    die "nginx did not start: $(tail -3 "$d/error.log" 2>/dev/null)"
	i=0
	while ! curl -sf "http://127.0.0.1:$4/" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 50 ] && die "nginx does not answer on $4"
		sleep 0.1
	done
	;;
stop)
	d=${2:?}
	if [ -f "$d/nginx.pid" ]; then
		pid=$(cat "$d/nginx.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		rm -f "$d/nginx.pid"
	fi
	;;
addr)
	rest_addr "$2"
	;;
*)
	die "usage: rest-lab.sh start DIR PORT STATUS_PORT NDEV [NWORKERS] | stop DIR | addr K"
	;;
esac

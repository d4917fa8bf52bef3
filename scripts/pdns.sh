#!/usr/bin/env bash
# A throwaway PowerDNS Authoritative 4.7 (Debian's pdns-server, sqlite3 backend) on loopback,
# for the live tests (tests/live) and for trying examples/powerdns.yaml by hand.
# Usage:
#   scripts/pdns.sh start DIR [API_PORT DNS_PORT]   fresh database in DIR, HTTP API and DNS on 127.0.0.1;
#                                                   prints "URL KEY DNS_PORT" on stdout when the API answers
#   scripts/pdns.sh stop DIR                        stops the server started in DIR (by its pid) and removes DIR
# Defaults: API_PORT 8081, DNS_PORT 5353, API key $PDNS_API_KEY or a random one. A taken port: exit status 3.
# Installs pdns-server, pdns-backend-sqlite3 and bind9-dnsutils (for dig) with apt-get when missing.
# pdnsutil works against the running server with: pdnsutil --config-dir=DIR ...
set -euo pipefail

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "pdns.sh: $*" >&2; exit 1; }
# A taken port exits 3, so that a caller can try another one.
port_die() { echo "pdns.sh: $*" >&2; exit 3; }

ensure_installed() {
  [[ -x /usr/sbin/pdns_server && -f /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ]] &&
    command -v dig >/dev/null && command -v sqlite3 >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "PowerDNS is not installed and we are not root; run:" \
    "apt-get install -y pdns-server pdns-backend-sqlite3 bind9-dnsutils sqlite3"
  echo "pdns.sh: installing pdns-server pdns-backend-sqlite3 bind9-dnsutils" >&2
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/snapq-pdns-apt.XXXXXX")
  # pdns-server's postinst would start the packaged service where an init system exists;
  # policy-rc.d (exit 101) keeps it from taking port 53 and the default API port.
  local policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  if ! { apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           pdns-server pdns-backend-sqlite3 bind9-dnsutils sqlite3; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    [[ $policy_added -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
    die "apt-get install failed (output above)"
  fi
  rm -f "$log"
  [[ $policy_added -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
  [[ -x /usr/sbin/pdns_server ]] || die "pdns-server installed but /usr/sbin/pdns_server is missing"
}

port_taken() {  # port_taken PORT: someone listens on it (TCP or UDP) on any address
  if command -v ss >/dev/null; then
    ss -Hltnu "( sport = :$1 )" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

start() {
  local dir=${1:?start needs DIR} api_port=${2:-8081} dns_port=${3:-5353}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  for p in "$api_port" "$dns_port"; do
    [[ $p =~ ^[0-9]+$ && $p -ge 1024 && $p -le 65535 ]] || die "bad port '$p'"
  done
  ensure_installed
  if [[ -f $dir/pdns.pid ]] && kill -0 "$(cat "$dir/pdns.pid")" 2>/dev/null; then
    die "a server is already running in $dir (scripts/pdns.sh stop $dir)"
  fi
  # Without this check the readiness probe could be answered by ANOTHER instance
  # while ours dies on "Address already in use".
  port_taken "$api_port" && port_die "port $api_port is already taken"
  port_taken "$dns_port" && port_die "port $dns_port is already taken"
  local key=${PDNS_API_KEY:-}
  [[ -n $key ]] || key="snapq-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  mkdir -p "$dir"
  rm -f "$dir/pdns.sqlite3"
  sqlite3 "$dir/pdns.sqlite3" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  # config-dir must hold a file named pdns.conf. Caches are off so that dig sees an API
  # change at once; few threads for a 2-core machine; no security polling (no network).
  cat >"$dir/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$dir/pdns.sqlite3
gsqlite3-pragma-synchronous=0
local-address=127.0.0.1
local-port=$dns_port
webserver=yes
webserver-address=127.0.0.1
webserver-port=$api_port
webserver-allow-from=127.0.0.1/32
api=yes
api-key=$key
daemon=no
guardian=no
disable-syslog=yes
log-timestamp=yes
loglevel=4
socket-dir=$dir
write-pid=no
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
security-poll-suffix=
receiver-threads=1
distributor-threads=1
EOF
  chmod 0600 "$dir/pdns.conf"
  # setsid: the server outlives this script and is stopped only by its pid.
  setsid /usr/sbin/pdns_server --config-dir="$dir" >"$dir/pdns.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/pdns.pid"
  local url="http://127.0.0.1:$api_port/api/v1/servers/localhost"
  for _ in $(seq 1 100); do  # up to 10 s; it usually answers within 0.2 s
    if curl -fs -o /dev/null -H "X-API-Key: $key" "$url"; then
      echo "pdns.sh: pdns_server $pid running in $dir (API $url, DNS 127.0.0.1:$dns_port)" >&2
      echo "$url $key $dns_port"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$dir/pdns.log" >&2; die "pdns_server exited (log above)"; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  tail -n 20 "$dir/pdns.log" >&2
  die "the API did not answer within 10 s (log above)"
}

stop() {
  local dir=${1:?stop needs DIR}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  if [[ -f $dir/pdns.pid ]]; then
    local pid
    pid=$(cat "$dir/pdns.pid")
    if kill "$pid" 2>/dev/null; then  # SIGTERM: a clean exit takes 1-2 s
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    echo "pdns.sh: stopped the server in $dir" >&2
  fi
  # Only a directory this script set up is removed.
  if [[ -f $dir/pdns.conf ]]; then rm -rf "$dir"; fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac

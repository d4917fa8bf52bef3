#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests and local experiments.
# Usage:
#   scripts/pg.sh start DIR [PORT]   initdb + start in DIR; prints the connection URL on stdout
#   scripts/pg.sh stop DIR           fast shutdown of the server started in DIR
#   scripts/pg.sh restart DIR        fast shutdown, then start the same server again (same data, same URL)
#   scripts/pg.sh url DIR            prints the URL of the server running in DIR
# Without PORT the server listens only on a unix socket inside DIR (no TCP at all);
# with PORT it also listens on 127.0.0.1:PORT and refuses a port that is already taken.
# Durable settings (fsync and synchronous_commit on) sized like ../shared/bench/peers/lib.sh.
# Installs postgresql-15 with apt-get when its binaries are missing (idempotent).
# initdb and postgres refuse to run as root: as root they run as the 'postgres' account.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_USER=snapq
PG_DB=snapq
SOCKET_PORT=5432  # without TCP it only names the socket file inside DIR

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "pg.sh: $*" >&2; exit 1; }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_installed() {
  [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL 15 is not installed and we are not root; run: apt-get install -y postgresql-15"
  echo "pg.sh: installing postgresql-15" >&2
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/snapq-pg-apt.XXXXXX")
  if ! { apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "apt-get install postgresql-15 failed (output above)"
  fi
  rm -f "$log"
  [[ -x $PG_BIN/initdb ]] || die "postgresql-15 installed but $PG_BIN/initdb is missing"
}

port_taken() {
  # A connect that succeeds means someone listens there already.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url_for() {
  local dir=$1 port
  port=$(cat "$dir/port")
  echo "postgresql://$PG_USER@/$PG_DB?host=$dir&port=$port"
}

start() {
  local dir=${1:?start needs DIR} port=${2:-}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  ensure_installed
  if [[ -f $dir/pgdata/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" status >/dev/null 2>&1; then
    die "a server is already running in $dir (scripts/pg.sh stop $dir)"
  fi
  local listen="''" sock_port=$SOCKET_PORT
  if [[ -n $port ]]; then
    [[ $port =~ ^[0-9]+$ && $port -ge 1024 && $port -le 65535 ]] || die "bad port '$port'"
    port_taken "$port" && die "port $port on 127.0.0.1 is already taken"
    listen="'127.0.0.1'"
    sock_port=$port
  fi
  mkdir -p "$dir"
  # The socket directory must be reachable by the server's account.
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
  chmod 0755 "$dir"
  rm -rf "$dir/pgdata"
  if ! as_pg "$PG_BIN/initdb" -D "$dir/pgdata" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed in $dir"
  fi
  echo "$sock_port" >"$dir/port"
  echo "$listen" >"$dir/listen"
  launch "$dir"
  if ! as_pg "$PG_BIN/createdb" -h "$dir" -p "$sock_port" -U "$PG_USER" "$PG_DB" 2>"$dir/createdb.log"; then
    cat "$dir/createdb.log" >&2
    as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    die "createdb failed"
  fi
  echo "pg.sh: postgres $(head -1 "$dir/pgdata/postmaster.pid") running in $dir" >&2
  url_for "$dir"
}

# Starts the server whose data, port and listen address are in DIR.
launch() {
  local dir=$1 listen sock_port
  listen=$(cat "$dir/listen")
  sock_port=$(cat "$dir/port")
  # fsync and synchronous_commit stay on (durable). autovacuum_naptime=1s keeps the
  # planner's statistics current on queue tables that change by thousands of rows a second.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$dir/postgres.log" -w -t 60 start -o "\
      -c listen_addresses=$listen -c unix_socket_directories='$dir' -p $sock_port \
      -c fsync=on -c synchronous_commit=on \
      -c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB \
      -c checkpoint_timeout=30min -c wal_buffers=16MB -c autovacuum_naptime=1s \
      -c log_min_messages=warning" >/dev/null; then
    tail -n 20 "$dir/postgres.log" >&2 || true
    die "the server did not start in $dir"
  fi
}

# Fast shutdown (clients are disconnected, nothing committed is lost), then start again.
restart() {
  local dir=${1:?restart needs DIR}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  [[ -f $dir/port && -f $dir/listen && -d $dir/pgdata ]] || die "no server was started in $dir"
  stop "$dir"
  launch "$dir"
  echo "pg.sh: restarted the server in $dir" >&2
}

stop() {
  local dir=${1:?stop needs DIR}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  [[ -f $dir/pgdata/postmaster.pid ]] || { echo "pg.sh: no server running in $dir" >&2; return 0; }
  as_pg "$PG_BIN/pg_ctl" -D "$dir/pgdata" -m fast -w -t 60 stop >/dev/null ||
    die "pg_ctl stop failed for $dir"
  echo "pg.sh: stopped the server in $dir" >&2
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  restart) shift; restart "$@" ;;
  url) shift; url_for "${1:?url needs DIR}" ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac

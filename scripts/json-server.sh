#!/usr/bin/env bash
# A throwaway json-server 0.17.4 on loopback, for the live tests (tests/live) and for trying
# examples/json-server.yaml by hand.
# Usage:
#   scripts/json-server.sh start DIR [PORT]   serves a copy of tests/live/json-server/db.json from DIR on
#                                             127.0.0.1:PORT (default 3000); prints its URL when it answers;
#                                             a taken port: exit status 3
#   scripts/json-server.sh stop DIR           stops the server started in DIR (by its pid) and removes DIR
# json-server is pinned by tests/live/json-server/package.json and package-lock.json and installed with
# `npm ci` into $SNAPQ_NPM_CACHE (default ~/.cache/snapq/json-server-<lockfile hash>), outside the repo.
# Installs nodejs and npm with apt-get when `node` or `npm` is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="$ROOT/tests/live/json-server"

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "json-server.sh: $*" >&2; exit 1; }
# A taken port exits 3, so that a caller can try another one.
port_die() { echo "json-server.sh: $*" >&2; exit 3; }

ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "node/npm are missing and we are not root; run: apt-get install -y nodejs npm"
  echo "json-server.sh: installing nodejs npm" >&2
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/snapq-node-apt.XXXXXX")
  if ! { apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "apt-get install nodejs npm failed (output above)"
  fi
  rm -f "$log"
}

# Installs the pinned json-server once per lockfile; prints the directory holding node_modules.
ensure_json_server() {
  local hash dir
  hash=$(cat "$PKG/package.json" "$PKG/package-lock.json" | sha256sum | cut -c1-16)
  dir=${SNAPQ_NPM_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/snapq}/json-server-$hash
  if [[ ! -f $dir/node_modules/json-server/lib/cli/bin.js ]]; then
    echo "json-server.sh: npm ci in $dir" >&2
    mkdir -p "$dir"
    cp "$PKG/package.json" "$PKG/package-lock.json" "$dir/"
    local log="$dir/npm-ci.log"
    (cd "$dir" && npm ci --no-audit --no-fund >"$log" 2>&1) || { cat "$log" >&2; die "npm ci failed (output above)"; }
  fi
  echo "$dir"
}

start() {
  local dir=${1:?start needs DIR} port=${2:-3000}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  [[ $port =~ ^[0-9]+$ && $port -ge 1024 && $port -le 65535 ]] || die "bad port '$port'"
  if [[ -f $dir/json-server.pid ]] && kill -0 "$(cat "$dir/json-server.pid")" 2>/dev/null; then
    die "a server is already running in $dir (scripts/json-server.sh stop $dir)"
  fi
  # A connect that succeeds means someone listens there already; without this check the
  # readiness probe could be answered by another server while ours fails to bind.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port_die "port $port on 127.0.0.1 is already taken"; fi
  ensure_node
  local modules
  modules=$(ensure_json_server)
  mkdir -p "$dir"
  cp "$PKG/db.json" "$dir/db.json"  # json-server writes every change back into this copy
  # --host: its default is localhost; --watch reloads db.json when something else edits it.
  setsid node "$modules/node_modules/json-server/lib/cli/bin.js" "$dir/db.json" \
    --host 127.0.0.1 --port "$port" --watch --quiet >"$dir/json-server.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/json-server.pid"
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do  # up to 10 s; it usually answers within 0.6 s
    if curl -fs -o /dev/null "$url/db"; then
      echo "json-server.sh: json-server $pid running in $dir ($url)" >&2
      echo "$url"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$dir/json-server.log" >&2; die "json-server exited (log above)"; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  tail -n 20 "$dir/json-server.log" >&2
  die "json-server did not answer within 10 s (log above)"
}

stop() {
  local dir=${1:?stop needs DIR}
  [[ $dir == /* ]] || dir="$(pwd)/$dir"
  if [[ -f $dir/json-server.pid ]]; then
    local pid
    pid=$(cat "$dir/json-server.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    echo "json-server.sh: stopped the server in $dir" >&2
  fi
  # Only a directory this script set up is removed.
  if [[ -f $dir/db.json ]]; then rm -rf "$dir"; fi
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  -h | --help) usage ;;
  *) usage >&2; exit 2 ;;
esac

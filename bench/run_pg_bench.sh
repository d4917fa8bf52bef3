#!/usr/bin/env bash
# snapq on PostgreSQL side by side with the peers, in one session on this machine:
# the peers (../shared/bench/peers/run.sh: graphile-worker, pg-boss, BullMQ), the raw
# PostgreSQL limit (limits/run.sh WHAT=postgres) and queue_bench --db on a private
# PostgreSQL started with the peers' own start_pg (lib.sh: same settings, unix socket
# only, fsync and synchronous_commit on), with 1, 2 and 4 worker processes.
#
#   bench/run_pg_bench.sh                     # ROUNDS=1
#   ROUNDS=3 PROCESSES=1,2,4 WORKERS=4 bench/run_pg_bench.sh
#
# Env: ROUNDS (1)  JOBS (20000)  WORKERS (threads per worker process, 4)  PROCESSES (1,2,4)
#      PHASES (all)  BUILD_DIR (build)  PEERS (run.sh's default set; "" skips the peers)
#      LIMITS (1; 0 = skip the raw limit)  PEERS_DIR (../shared/bench/peers)
#      OUT (bench/results/pg-<UTC date>.jsonl: snapq's lines)
#      PEERS_OUT (bench/results/pg-peers-<UTC date>.jsonl)  LIMITS_OUT (bench/results/pg-limits-<UTC date>.jsonl)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=${ROUNDS:-1}
JOBS=${JOBS:-20000}
WORKERS=${WORKERS:-4}
PROCESSES=${PROCESSES:-1,2,4}
PHASES=${PHASES:-}
BUILD_DIR=${BUILD_DIR:-build}
LIMITS=${LIMITS:-1}
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/bench/peers}
DATE=$(date -u +%F)
OUT=${OUT:-$ROOT/bench/results/pg-$DATE.jsonl}
PEERS_OUT=${PEERS_OUT:-$ROOT/bench/results/pg-peers-$DATE.jsonl}
LIMITS_OUT=${LIMITS_OUT:-$ROOT/bench/results/pg-limits-$DATE.jsonl}

case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
# Absolute, since the peers and the limits run in their own directories.
for v in OUT PEERS_OUT LIMITS_OUT; do
  case "${!v}" in /*) ;; *) printf -v "$v" '%s' "$PWD/${!v}" ;; esac
done
mkdir -p "$(dirname "$OUT")"
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD_DIR" --target queue_bench
BIN="$BUILD_DIR/bench/queue_bench"

# shellcheck source=/dev/null
source "$PEERS_DIR/lib.sh"
RUN_DIR=""
cleanup() {
  if [ -n "$RUN_DIR" ]; then
    stop_pg "$RUN_DIR"
    rm -rf "$RUN_DIR"
    RUN_DIR=""
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SESSION=$(date -u +%Y%m%dT%H%M%SZ)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && ! git -C "$ROOT" diff --quiet HEAD -- src include bench 2>/dev/null; then
  COMMIT="$COMMIT+dirty"
fi
LABEL_BASE="session=$SESSION commit=$COMMIT"

# Appends stdin's JSON lines to $1 with the session label.
tag() {
  python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        d = json.loads(line); d["label"] = sys.argv[2]; print(json.dumps(d, separators=(",", ":")), flush=True)
' "$1" "$2" | tee -a "$1"
}

args=(--jobs "$JOBS" --workers "$WORKERS" --processes "$PROCESSES")
[ -n "$PHASES" ] && args+=(--phases "$PHASES")

for r in $(seq 1 "$ROUNDS"); do
  label="$LABEL_BASE round=$r"
  echo "=== round $r/$ROUNDS snapq queue_bench --db postgres $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  RUN_DIR=$(mktemp -d /tmp/snapq-pgbench.XXXXXX)
  chmod 755 "$RUN_DIR"
  start_pg "$RUN_DIR"
  # --server-pid: each line also has the server's and the workers' CPU inside the timed window.
  "$BIN" "${args[@]}" --db "postgresql://$BENCH_PGUSER@/$BENCH_PGDB?host=$RUN_DIR&port=$BENCH_PGPORT" \
    --server-pid "$(head -1 "$RUN_DIR/pgdata/postmaster.pid")" --label "$label" | tee -a "$OUT"
  cleanup
  if [ -n "${PEERS-x}" ]; then
    echo "=== round $r/$ROUNDS peers $(date -u +%FT%TZ)" >&2
    if [ -n "${PEERS:-}" ]; then export PEERS; fi
    # run.sh appends to $OUT itself when it is set: here its lines go through tag().
    (cd "$PEERS_DIR" && env -u OUT JOBS="$JOBS" ./run.sh) | tag "$PEERS_OUT" "$label"
  fi
  if [ "$LIMITS" = 1 ]; then
    echo "=== round $r/$ROUNDS postgres limits $(date -u +%FT%TZ)" >&2
    (cd "$PEERS_DIR/limits" && env -u OUT WHAT=postgres ./run.sh) | tag "$LIMITS_OUT" "$label"
  fi
done
echo "results: $OUT $PEERS_OUT $LIMITS_OUT (session $SESSION)" >&2

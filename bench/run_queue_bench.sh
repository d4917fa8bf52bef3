#!/usr/bin/env bash
# Builds queue_bench and runs it ROUNDS times, each round followed by the raw
# SQLite limit probe (../shared/bench/peers/limits/run.sh, WHAT=sqlite) so the
# project's numbers and the ceiling come from the same session, interleaved.
# Then prints the medians (bench/summarize.py).
#
#   bench/run_queue_bench.sh                  # 3 rounds, 20000 jobs, durable (synchronous=FULL)
#   ROUNDS=5 RELAXED=1 bench/run_queue_bench.sh
#
# Env: ROUNDS (3)  JOBS (20000)  WORKERS (1,2,4,8)  PHASES (all)  PREFETCH (engine default)
#      RELAXED (0; 1 = also a --relaxed run per round, reported separately)
#      EXTRA_ARGS (more queue_bench arguments)  BUILD_DIR (build)  LIMITS (1; 0 = skip the probe)
#      PEERS_DIR (../shared/bench/peers)  OUT (bench/results/queue-<UTC date>.jsonl)
#      LIMITS_OUT (bench/results/limits-<UTC date>.jsonl)  BENCH_DIR (temp dir for the databases)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=${ROUNDS:-3}
JOBS=${JOBS:-20000}
WORKERS=${WORKERS:-1,2,4,8}
PHASES=${PHASES:-}
PREFETCH=${PREFETCH:-}
RELAXED=${RELAXED:-0}
EXTRA_ARGS=${EXTRA_ARGS:-}
BUILD_DIR=${BUILD_DIR:-build}
LIMITS=${LIMITS:-1}
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/bench/peers}
DATE=$(date -u +%F)
OUT=${OUT:-$ROOT/bench/results/queue-$DATE.jsonl}
LIMITS_OUT=${LIMITS_OUT:-$ROOT/bench/results/limits-$DATE.jsonl}
BENCH_DIR=${BENCH_DIR:-}

case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
case "$LIMITS_OUT" in /*) ;; *) LIMITS_OUT="$PWD/$LIMITS_OUT" ;; esac
mkdir -p "$(dirname "$OUT")" "$(dirname "$LIMITS_OUT")"

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD_DIR" --target queue_bench
BIN="$BUILD_DIR/bench/queue_bench"

LIMITS_SH="$PEERS_DIR/limits/run.sh"
if [ "$LIMITS" = 1 ] && [ ! -x "$LIMITS_SH" ]; then
  echo "note: $LIMITS_SH not found; skipping the raw SQLite limit" >&2
  LIMITS=0
fi

SESSION=$(date -u +%Y%m%dT%H%M%SZ)
# What was measured: HEAD plus "+dirty" when src/ or include/ differ from it.
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$COMMIT" != unknown ] && ! git -C "$ROOT" diff --quiet HEAD -- src include 2>/dev/null; then
  COMMIT="$COMMIT+dirty"
fi
args=(--jobs "$JOBS" --workers "$WORKERS")
[ -n "$PHASES" ] && args+=(--phases "$PHASES")
[ -n "$PREFETCH" ] && args+=(--prefetch "$PREFETCH")
[ -n "$BENCH_DIR" ] && args+=(--dir "$BENCH_DIR")
# shellcheck disable=SC2206
[ -n "$EXTRA_ARGS" ] && args+=($EXTRA_ARGS)

for r in $(seq 1 "$ROUNDS"); do
  echo "=== round $r/$ROUNDS queue_bench $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "$BIN" "${args[@]}" --label "session=$SESSION round=$r commit=$COMMIT" | tee -a "$OUT"
  if [ "$RELAXED" = 1 ]; then
    echo "=== round $r/$ROUNDS queue_bench --relaxed $(date -u +%FT%TZ)" >&2
    "$BIN" "${args[@]}" --relaxed --label "session=$SESSION round=$r commit=$COMMIT" | tee -a "$OUT"
  fi
  if [ "$LIMITS" = 1 ]; then
    echo "=== round $r/$ROUNDS sqlite limits $(date -u +%FT%TZ)" >&2
    tmp=$(mktemp)
    (cd "$PEERS_DIR/limits" && WHAT=sqlite SQLITE_JOBS="$JOBS" OUT="$tmp" ./run.sh >/dev/null)
    # tag the probe's lines with this session so the summary compares like with like
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        d = json.loads(line); d["label"] = sys.argv[2]; print(json.dumps(d, separators=(",", ":")))
' "$tmp" "session=$SESSION round=$r commit=$COMMIT" | tee -a "$LIMITS_OUT" >&2
    rm -f "$tmp"
  fi
done

echo >&2
python3 "$ROOT/bench/summarize.py" --session "$SESSION" "$OUT" --limits "$LIMITS_OUT" \
  --peers "$PEERS_DIR/results/peers.jsonl"

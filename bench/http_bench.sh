#!/usr/bin/env bash
# HTTP benchmark of `snapq serve` with wrk (Debian package `wrk`, scripts/setup.sh).
# Builds nothing: give it the binaries.
#
#   bench/http_bench.sh PATH/TO/snapq [PATH/TO/jobs_list_bench]
#
# In a throwaway directory: `snapq sim --accounts ACCOUNTS`, a SQLite database
# filled with JOBS audit-log jobs (jobs_list_bench --fill-only: 30 days of a
# realistic mix), `snapq sync sim accounts --wait` (the snapshot), then
# `snapq serve` with SNAPQ_ADMIN_PASSWORD set and a token from
# `snapq token create --user admin`. wrk (keep-alive connections, bearer token)
# then runs each case for DURATION; one JSON line per case (requests/s, p50,
# p90, p99, non-2xx responses, load) goes to OUT and to stdout.
#
# Cases (CASES, comma list; each URL can be overridden with URL_<case>):
#   accounts      GET /api/v1/services/sim/accounts?domain=example7.test&q=user12&limit=25
#   jobs          GET /api/v1/jobs                 (newest first, status counts)
#   jobs_q        GET /api/v1/jobs?q=acct-4217     (a target id: ~20 jobs)
#   jobs_q_broad  GET /api/v1/jobs?q=timed%20out   (an error text: ~11,000 jobs)
#   jobs_failed   GET /api/v1/jobs?status=failed,conflict&since=7d
# ACCESS_LOG=both runs every case twice, with serve's access log on and off
# (--access-log off), in that order, against the same database.
#
# Each line also carries the CPU time per request of `serve` (its /proc stat over the run) and of
# wrk (bash's `time`), and, with SINGLE (a duration, e.g. 5s), a second run with one connection
# (`wrk -t1 -c1`): the service time of one request, single_p50_ms and single_serve_cpu_ms.
# Env: ACCOUNTS (100000)  JOBS (1000000)  DURATION (30s)  CONNECTIONS (64)  THREADS (2)  SINGLE ()
#      PORT (18480)  SIM_PORT (19480)  CASES (all)  ACCESS_LOG (on|off|both; on)
#      SCHEDULES (0: the accounts sync that examples/sim.yaml runs every minute is
#      removed from the copy serve reads, so a 2 s sync does not land inside a run; 1 keeps it)
#      MAX_LOAD (1.5) LOAD_WAIT (300): before each run, wait up to LOAD_WAIT seconds
#      for the 1-minute load average to fall below MAX_LOAD (the line records it either way)
#      OUT (bench/results/http.jsonl)  LABEL (copied into every line)  KEEP (1: keep the dir)
#      SERVE_ARGS (extra `snapq serve` options, e.g. "--page-cache off --token-cache off")
#      Each line also carries serve's CPU time (user + system, from /proc) over the wrk run
#      and per request: on a box shared with wrk and other work, the steadier figure.
#      DB (sqlite:<dir>/snapq.db; a postgres:// URL of an EMPTY database runs on PostgreSQL)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SNAPQ=${1:?usage: bench/http_bench.sh PATH/TO/snapq [PATH/TO/jobs_list_bench]}
FILL=${2:-$(dirname "$SNAPQ")/bench/jobs_list_bench}
ACCOUNTS=${ACCOUNTS:-100000}
JOBS=${JOBS:-1000000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18480}
SIM_PORT=${SIM_PORT:-19480}
CASES=${CASES:-accounts,jobs,jobs_q,jobs_q_broad,jobs_failed}
ACCESS_LOG=${ACCESS_LOG:-on}
SCHEDULES=${SCHEDULES:-0}
MAX_LOAD=${MAX_LOAD:-1.5}
LOAD_WAIT=${LOAD_WAIT:-300}
OUT=${OUT:-$ROOT/bench/results/http.jsonl}
SERVE_ARGS=${SERVE_ARGS:-}
LABEL=${LABEL:-}
SINGLE=${SINGLE:-}
KEEP=${KEEP:-0}

die() { echo "http_bench: $*" >&2; exit 1; }
[[ -x $SNAPQ ]] || die "$SNAPQ is not an executable"
[[ -x $FILL ]] || die "$FILL is not an executable (jobs_list_bench: ninja -C BUILD jobs_list_bench)"
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk (scripts/setup.sh)"
command -v curl >/dev/null || die "curl is missing"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
mkdir -p "$(dirname "$OUT")"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/snapq-http-bench.XXXXXX")
DB=${DB:-sqlite:$DIR/snapq.db}
SIM_PID=""
SERVE_PID=""
cleanup() {
  [[ -n $SERVE_PID ]] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  [[ -n $SIM_PID ]] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  if [[ $KEEP == 1 ]]; then echo "http_bench: kept $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

export SIM_URL="http://127.0.0.1:$SIM_PORT" SIM_TOKEN=sim-token
export SNAPQ_ADMIN_PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CONFIG="$DIR/sim.yaml"
if [[ $SCHEDULES == 1 ]]; then
  cp "$ROOT/examples/sim.yaml" "$CONFIG"
else
  # Each schedule line goes; a sync: block left empty keeps the default deletion guard.
  python3 - "$ROOT/examples/sim.yaml" >"$CONFIG" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
out = []
for i, line in enumerate(lines):
    m = re.match(r"^( *)schedule:", line)
    if not m:
        out.append(line)
        continue
    indent = m.group(1)
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    if not nxt.startswith(indent) or not nxt.strip() or nxt.strip().startswith("#"):
        out.append(indent + "deletion_guard: 0.5")
print("\n".join(out), end="")
PY
fi
# The fill's running jobs (bench/jobs_fill.h: never expiring, so nobody
# rescues them during a run) hold some of each service's concurrency slots; 18
# of them are sim's. Room for the sync the bench runs:
sed -i 's/^\( *\)concurrency: [0-9]*/\1concurrency: 64/' "$CONFIG"

wait_for() {  # wait_for URL SECONDS: until it answers 200
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

echo "http_bench: sim with $ACCOUNTS accounts on 127.0.0.1:$SIM_PORT, database in $DIR" >&2
"$SNAPQ" sim --listen "127.0.0.1:$SIM_PORT" --accounts "$ACCOUNTS" >"$DIR/sim.log" 2>&1 &
SIM_PID=$!
deadline=$((SECONDS + 30))
until curl -fsS -o /dev/null -H "Authorization: Bearer $SIM_TOKEN" "$SIM_URL/_sim/stats" 2>/dev/null; do
  ((SECONDS < deadline)) || die "the sim did not start: $(tail -3 "$DIR/sim.log")"
  sleep 0.2
done

fill_start=$SECONDS
"$FILL" --db "$DB" --jobs "$JOBS" --fill-only >"$DIR/fill.jsonl" || die "the fill failed"
echo "http_bench: $JOBS jobs in $((SECONDS - fill_start)) s" >&2
sync_start=$SECONDS
"$SNAPQ" sync sim accounts --wait --config "$CONFIG" --db "$DB" >"$DIR/sync.log" 2>&1 ||
  die "the sync failed: $(tail -3 "$DIR/sync.log")"
echo "http_bench: synced $ACCOUNTS accounts in $((SECONDS - sync_start)) s" >&2

start_serve() {  # start_serve on|off
  # shellcheck disable=SC2086 # SERVE_ARGS is a list of options
  "$SNAPQ" serve --config "$CONFIG" --db "$DB" --listen "127.0.0.1:$PORT" --access-log "$1" $SERVE_ARGS \
    >"$DIR/serve-$1.out" 2>"$DIR/serve-$1.err" &
  SERVE_PID=$!
  wait_for "http://127.0.0.1:$PORT/readyz" 60 || die "serve did not become ready: $(tail -3 "$DIR/serve-$1.err")"
}
stop_serve() {
  kill "$SERVE_PID" && wait "$SERVE_PID" 2>/dev/null || true
  SERVE_PID=""
}

url_of() {
  local override="URL_$1"
  if [[ -n ${!override:-} ]]; then echo "${!override}"; return; fi
  case $1 in
    accounts) echo "/api/v1/services/sim/accounts?domain=example7.test&q=user12&limit=25" ;;
    jobs) echo "/api/v1/jobs" ;;
    jobs_q) echo "/api/v1/jobs?q=acct-4217" ;;
    jobs_q_broad) echo "/api/v1/jobs?q=timed%20out" ;;
    jobs_failed) echo "/api/v1/jobs?status=failed,conflict&since=7d" ;;
    *) die "unknown case $1" ;;
  esac
}

wait_for_load() {
  local waited=0
  while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$MAX_LOAD" 'BEGIN{exit !(l >= m)}'; do
    ((waited < LOAD_WAIT)) || { echo "http_bench: load $(cut -d' ' -f1 /proc/loadavg) still >= $MAX_LOAD" >&2; return; }
    sleep 10
    waited=$((waited + 10))
  done
}

# measure PREFIX WRK-ARGS... PATH TOKEN: PREFIX.txt (wrk's output) and PREFIX.cpu
# (serve's CPU clock ticks over the run, then wrk's user and system seconds).
measure() {
  local prefix=$1 path=${@: -2:1} token=${@: -1} before after
  local args=("${@:2:$#-3}")
  before=$(awk '{print $14 + $15}' "/proc/$SERVE_PID/stat")
  local TIMEFORMAT='%U %S'
  { time wrk --latency "${args[@]}" -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT$path" \
      >"$prefix.txt"; } 2>"$prefix.time"
  after=$(awk '{print $14 + $15}' "/proc/$SERVE_PID/stat")
  echo "$((after - before)) $(cat "$prefix.time")" >"$prefix.cpu"
}

run_case() {  # run_case NAME ACCESS_LOG TOKEN
  local name=$1 log=$2 token=$3 path load status
  path=$(url_of "$name")
  status=$(curl -s -o "$DIR/$name.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$PORT$path")
  [[ $status == 200 ]] || die "$name: GET $path answered $status: $(head -c 300 "$DIR/$name.json")"
  wait_for_load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  measure "$DIR/wrk-$name-$log" -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$path" "$token"
  if [[ -n $SINGLE ]]; then
    measure "$DIR/wrk1-$name-$log" -t 1 -c 1 -d "$SINGLE" "$path" "$token"
  else
    rm -f "$DIR/wrk1-$name-$log".*
  fi
  python3 - "$DIR/wrk-$name-$log" "$name" "$path" "$log" "$load" "$LABEL" "$JOBS" "$ACCOUNTS" \
    "$CONNECTIONS" "$THREADS" "$DURATION" "$DIR/$name.json" "${DB%%:*}" "$DIR/wrk1-$name-$log" "$SERVE_ARGS" <<'PY' | tee -a "$OUT"
import json, re, sys, os, time, platform
name, path, log, load, label, jobs, accounts, conns, threads, duration, body, scheme, single, serve_args = sys.argv[2:16]
def run(prefix):
    text = open(prefix + ".txt").read()
    serve_ticks, wrk_user, wrk_sys = open(prefix + ".cpu").read().split()
    total = int(re.search(r"(\d+) requests in", text).group(1))
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    return text, total, {"serve_cpu_ms": round(int(serve_ticks) * tick_ms / max(total, 1), 4),
                         "wrk_cpu_ms": round((float(wrk_user) + float(wrk_sys)) * 1000 / max(total, 1), 4)}
text, total, cpu = run(sys.argv[1])
load1, load5, load15 = (float(v) for v in load.split())
load = load1
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return round(float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 3)
lat = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", text, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
page = json.load(open(body))
line = {"bench": "http", "driver": "sqlite" if scheme == "sqlite" else "postgres", "case": name, "path": path, "access_log": log, "requests_per_s": round(rps, 1),
        "p50_ms": lat.get("50"), "p90_ms": lat.get("90"), "p99_ms": lat.get("99"), "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else "",
        "connections": int(conns), "threads": int(threads), "duration": duration, "jobs": int(jobs),
        "accounts": int(accounts), "rows_per_page": len(page.get("jobs", page.get("rows", []))),
        "load1_before": float(load), "load1_after": float(open("/proc/loadavg").read().split()[0]),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "nproc": os.cpu_count(),
        "kernel": platform.release()}
line.update(cpu)
line.update({"load5_before": load5, "load15_before": load15})
if os.path.exists(single + ".txt"):
    text1, total1, cpu1 = run(single)
    p50 = re.search(r"^\s+50%\s+(\S+)", text1, re.M).group(1)
    line.update({"single_p50_ms": ms(p50), "single_requests_per_s": round(float(re.search(r"Requests/sec:\s+([\d.]+)", text1).group(1)), 1),
                 "single_serve_cpu_ms": cpu1["serve_cpu_ms"], "single_wrk_cpu_ms": cpu1["wrk_cpu_ms"]})
if serve_args: line["serve_args"] = serve_args
if label: line["label"] = label
print(json.dumps(line))
PY
}

TOKEN=""
modes=$ACCESS_LOG
[[ $ACCESS_LOG == both ]] && modes="on off"
for log in $modes; do
  start_serve "$log"
  if [[ -z $TOKEN ]]; then
    TOKEN=$("$SNAPQ" token create --user admin --name http-bench --db "$DB" 2>/dev/null) || die "token create failed"
  fi
  IFS=, read -ra cases <<<"$CASES"
  for c in "${cases[@]}"; do run_case "$c" "$log" "$TOKEN"; done
  stop_serve
done

#!/usr/bin/env bash
# One phase of queue_bench against the server scripts/pg.sh started in $PG_DIR, with the CPU
# the server (every backend) and snapq (the dispatching process and the worker processes)
# spent inside the timed window (queue_bench --server-pid), and, for reference, over the
# whole run (which adds creating, migrating and dropping the phase's database: 0.3-0.4 s of
# server CPU on the project box, ~20 us per job of 20,000). Prints one JSON line.
# usage: PG_DIR=/tmp/pg-x/d [OUT=file.jsonl] [AB_COMMIT=sha] [WORKERS=4] bench/pg_cpu_phase.sh LABEL BIN PHASE PROCESSES [args]
# Used for the A/B tables in bench/README.md (main build vs branch build, interleaved).
set -euo pipefail
label=$1 bin=$2 phase=$3 procs=$4; shift 4
PG_DIR=${PG_DIR:?PG_DIR: the directory given to scripts/pg.sh start}
OUT=${OUT:-/dev/null}
PM=$(head -1 "$PG_DIR/pgdata/postmaster.pid")
tck=$(getconf CLK_TCK)
pgcpu() { # postmaster self+reaped children + live children, in ticks
  local t=0
  read -r -a f < <(sed 's/^.*) //' /proc/$PM/stat)
  t=$(( f[11] + f[12] + f[13] + f[14] ))
  for c in $(cat /proc/$PM/task/*/children); do
    if [ -r /proc/$c/stat ]; then read -r -a g < <(sed 's/^.*) //' /proc/$c/stat) || continue; t=$(( t + g[11] + g[12] )); fi
  done
  echo $t
}
URL=$(cat "$PG_DIR/url" 2>/dev/null || echo "postgresql://snapq@/snapq?host=$PG_DIR&port=$(cat "$PG_DIR/port")")
ERR=$(mktemp)
export OUT
load=$(cut -d' ' -f1 /proc/loadavg)
p0=$(pgcpu)
out=$( { /usr/bin/time -f "TIME %U %S %e" "$bin" --db "$URL" --phases "$phase" --workers ${WORKERS:-4} --processes "$procs" --server-pid "$PM" "$@" 2>"$ERR" ; } 2>&1 ) || true
p1=$(pgcpu)
t=$(grep "^TIME" "$ERR" | tail -1)
line=$(echo "$out" | grep '^{' | tail -1)
python3 - "$label" "$line" "$t" "$p0" "$p1" "$tck" "$load" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json,sys
label,line,t,p0,p1,tck,l0,l1=sys.argv[1:]
d=json.loads(line) if line else {"ok":False}
_,u,s,e=t.split() if t else (0,0,0,0)
jobs=d.get("jobs",20000)
snap=float(u)+float(s); pg=(int(p1)-int(p0))/int(tck)
import os
rec={"ab":label,"commit":os.environ.get("AB_COMMIT",""),"at":__import__("datetime").datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),"phase":d.get("phase"),"processes":d.get("processes"),"jobs":jobs,"jobs_per_s":d.get("jobs_per_s"),
 "ok":d.get("ok"),"snapq_us_per_job":d.get("snapq_us_per_job"),"pg_us_per_job":d.get("server_us_per_job"),
 "run_snapq_cpu_s":round(snap,2),"run_pg_cpu_s":round(pg,2),"wall_s":float(e),"load1_before":float(l0),"load1_after":float(l1),
 "seconds":d.get("seconds")}
print(json.dumps(rec))
open(os.environ.get("OUT","/dev/null"),"a").write(json.dumps(rec)+"\n")
PY
rm -f "$ERR"

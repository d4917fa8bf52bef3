#!/usr/bin/env python3
"""Medians of queue_bench JSON lines, per phase and worker count, with the share of
the raw SQLite batched limit (limits/run.sh) and the peers' medians for comparison.

usage: python3 bench/summarize.py [QUEUE.jsonl ...] [--limits LIMITS.jsonl]
                                  [--peers PEERS.jsonl] [--session SESSION]

--session keeps only lines whose "label" names that session (run_queue_bench.sh
tags queue and limit lines with "session=<UTC timestamp> round=<n>").
"""
import argparse
import glob
import json
import os
import statistics
from collections import OrderedDict, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

PHASES = ["enqueue_serial", "enqueue_single", "enqueue_bulk", "process", "end_to_end_single", "end_to_end_bulk"]
LABELS = {
    "enqueue_serial": "enqueue 1/call, serial",
    "enqueue_single": "enqueue 1/call, 10 in flight",
    "enqueue_bulk": "enqueue bulk (1000/call)",
    "process": "process pre-filled queue",
    "end_to_end_single": "end-to-end (1/call, 10 in flight)",
    "end_to_end_bulk": "end-to-end (bulk producer)",
}
# The targets (jobs/s, fully durable, audit row kept).
TARGETS = {"enqueue_bulk": 60000, "end_to_end_single": 10000, "end_to_end_bulk": 30000}
# Peer JSON keys for the same phases (../shared/bench/peers/results/peers.jsonl).
PEER_KEYS = {
    "enqueue_serial": "enqueue_jobs_per_s",
    "enqueue_single": "enqueue_parallel_jobs_per_s",
    "enqueue_bulk": "enqueue_bulk_jobs_per_s",
    "process": "process_jobs_per_s",
    "end_to_end_single": "end_to_end_jobs_per_s",
    "end_to_end_bulk": "end_to_end_bulk_producer_jobs_per_s",
}


def load(paths):
    rows = []
    for path in paths:
        try:
            with open(path) as f:
                for line in f:
                    line = line.strip()
                    if line.startswith("{"):
                        rows.append(json.loads(line))
        except FileNotFoundError:
            pass
    return rows


def in_session(row, session):
    return not session or f"session={session} " in (row.get("label", "") + " ")


def cell(vals, bold=True):
    vals = [v for v in vals if isinstance(v, (int, float))]
    if not vals:
        return "n/a"
    med = statistics.median(vals)
    if len(vals) == 1:
        return f"{med:,.0f}"
    m = f"**{med:,.0f}**" if bold else f"{med:,.0f}"
    return f"{m} ({min(vals):,.0f}–{max(vals):,.0f})"


def sqlite_limit(limits, sync):
    vals = [r["jobs_per_s"] for r in limits
            if r.get("probe") == "sqlite" and r.get("mode") == "batch" and r.get("synchronous") == sync
            and r.get("locking_mode", "NORMAL") == "NORMAL"]
    return (statistics.median(vals), len(vals)) if vals else (None, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--limits", default=None)
    ap.add_argument("--peers", default=os.path.join(HERE, "..", "..", "shared", "bench", "peers", "results",
                                                    "peers.jsonl"))
    ap.add_argument("--session", default=None)
    a = ap.parse_args()
    files = a.files or sorted(glob.glob(os.path.join(HERE, "results", "queue-*.jsonl")))
    rows = [r for r in load(files) if r.get("bench") == "queue" and in_session(r, a.session)]
    limit_files = [a.limits] if a.limits else sorted(glob.glob(os.path.join(HERE, "results", "limits-*.jsonl")))
    limits = [r for r in load(limit_files) if in_session(r, a.session)]
    peers = load([a.peers]) if a.peers else []

    failed = [r for r in rows if not r.get("ok", True)]
    rows = [r for r in rows if r.get("ok", True)]
    groups = OrderedDict()
    for r in sorted(rows, key=lambda r: (r.get("filesystem") == "tmpfs", r.get("durability") != "full",
                                         r.get("payload", ""), r.get("prefetch", 0), r.get("jobs"),
                                         PHASES.index(r["phase"]), r.get("workers", 0))):
        key = (r.get("durability"), r.get("payload"), r.get("prefetch", 0), r.get("jobs"),
               r.get("filesystem", "disk (not recorded)"))
        groups.setdefault(key, OrderedDict()).setdefault((r["phase"], r.get("workers", 0)), []).append(r)

    best = {}  # (durability) -> phase -> list of jobs/s of the best worker count
    for (durability, payload, prefetch, jobs, fs), by in groups.items():
        sync = "FULL" if durability == "full" else "NORMAL"
        lim, nlim = sqlite_limit(limits, sync) if fs != "tmpfs" else (None, 0)
        title = (f"snapq queue_bench, {jobs} jobs, durability {durability} (synchronous={sync}), "
                 f"payload {payload}, prefetch {prefetch or 'default (adaptive)'}, on {fs}")
        if fs == "tmpfs":
            title += " (fsync is free: the engine's CPU ceiling, NOT durable)"
        print(f"### {title}\n")
        if lim:
            print(f"Raw SQLite limit in the same session(s), batch 100 jobs/txn, synchronous={sync}: "
                  f"{lim:,.0f} jobs/s (median of {nlim})\n")
        print("| phase | workers | n | jobs/s median (min–max) | CPU % (200 = 2 cores) | fsync µs (median) "
              "| share of SQLite batch limit | target |")
        print("|---|---|---|---|---|---|---|---|")
        for (phase, workers), rs in by.items():
            js = [r["jobs_per_s"] for r in rs]
            med = statistics.median(js)
            cpu = statistics.median([r.get("cpu_pct", 0) for r in rs])
            share = f"{med / lim:.0%}" if lim and phase in ("process", "end_to_end_bulk", "end_to_end_single") else ""
            target = ""
            if phase in TARGETS:
                target = f"{'meets' if med >= TARGETS[phase] else 'misses'} ≥{TARGETS[phase]:,}"
            fsync = statistics.median([r.get("fsync_us", -1) for r in rs])
            print(f"| {phase} | {workers or '-'} | {len(rs)} | {cell(js)} | {cpu:.0f} | {fsync:.0f} | {share} | {target} |")
            b = best.setdefault((durability, payload, prefetch, jobs, fs), {})
            if phase not in b or med > statistics.median(b[phase][1]):
                b[phase] = (workers, js)
        print()

    if failed:
        print("Failed lines (not counted): " + "; ".join(
            f"{r['phase']} w={r.get('workers')}: {r.get('error')}" for r in failed) + "\n")

    if peers and best:
        pm = OrderedDict()
        for p in peers:
            if "error" not in p:
                pm.setdefault(p["peer"], []).append(p)
        for key, b in best.items():
            durability, payload, prefetch, jobs, fs = key
            if durability != "full" or payload != "empty" or fs == "tmpfs":
                continue
            print(f"### snapq (best worker count, median) vs peers (median of their runs, "
                  f"../shared/bench/peers/results/peers.jsonl), {jobs} jobs\n")
            print("| phase | snapq | " + " | ".join(pm.keys()) + " |")
            print("|---|---|" + "---|" * len(pm))
            for phase in PHASES:
                if phase not in b:
                    continue
                w, js = b[phase]
                s = f"{statistics.median(js):,.0f}" + (f" (W={w})" if w else "")
                cols = []
                for peer, prs in pm.items():
                    vals = [r.get(PEER_KEYS[phase]) for r in prs if isinstance(r.get(PEER_KEYS[phase]), (int, float))]
                    cols.append(f"{statistics.median(vals):,.0f}" if vals else "n/a")
                print(f"| {LABELS[phase]} | {s} | " + " | ".join(cols) + " |")
            print()


if __name__ == "__main__":
    main()

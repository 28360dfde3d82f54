#!/usr/bin/python3
"""Single commands on a large log, side by side with the sqlite3 shell doing the equivalent
work on the same file: `--version`, `open` (one committed incident), `show ID`, `due`, and
`list --status all --json`. Each case runs R times, alternating the two sides; prints min,
median and max wall time of each and the ratio of the medians (outage / sqlite3).

    bench/cli_latency.py [--outage build/release/src/outage] [--incidents 100000] [--runs 15]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from notify_bulk import ROOT
from stats_large import build_log

SHOW_SQL = ("SELECT * FROM incidents WHERE id = {id};"
            "SELECT * FROM events WHERE incident_id = {id} ORDER BY id;")
# What `due` reads: incidents nobody assessed, the update clocks whose time has come, and the
# deadlines missed or close (the handover check reads the open incidents of the first query).
DUE_SQL = ("SELECT id, severity, opened_at, owner, title, handed_off_at FROM incidents "
           "WHERE status = 'open' ORDER BY id;"
           "SELECT i.id, i.severity, c.audience, c.due_at, i.owner, i.title "
           "FROM update_clocks c JOIN incidents i ON i.id = c.incident_id "
           "WHERE i.status = 'open' AND c.due_at <= '2027-01-01T00:00:00Z' "
           "ORDER BY c.due_at;"
           "SELECT * FROM deadlines WHERE met_at IS NULL AND due_at < '2027-01-01T04:00:00Z' "
           "ORDER BY due_at;")
OPEN_SQL = ("BEGIN IMMEDIATE;"
            "INSERT INTO incidents (title, scenario, status, phase, owner, opened_at) "
            "VALUES ('Bench', 'malware', 'open', 'investigating', 'bench', "
            "'2027-01-01T00:00:00Z');"
            "INSERT INTO events (id, incident_id, at, kind, actor, payload, prev_hash, hash) "
            "SELECT max(id) + 1, last_insert_rowid(), '2027-01-01T00:00:00Z', 'opened', 'bench', "
            "'{\"title\":\"Bench\"}', '', '' FROM events;"
            "COMMIT;")


def timed(argv, env):
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", default=os.path.join(ROOT, "build", "release", "src", "outage"))
    parser.add_argument("--incidents", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    outage = os.path.abspath(args.outage)
    work = tempfile.mkdtemp(prefix="outage-bench-")
    try:
        db = os.path.join(work, "incidents.db")
        events = build_log(outage, db, args.incidents)
        env = dict(os.environ, OUTAGE_DB=db, OUTAGE_NOW="2027-01-01T00:00:00Z",
                   OUTAGE_USER="bench", TZ="UTC", OUTAGE_RUNBOOKS=os.path.join(ROOT, "runbooks"))
        middle = args.incidents // 2
        cases = [
            ("--version", [outage, "--version"], ["sqlite3", "--version"]),
            ("open", [outage, "open", "--scenario", "malware", "--title", "Bench"],
             ["sqlite3", db, OPEN_SQL]),
            (f"show {middle}", [outage, "show", str(middle)],
             ["sqlite3", "-readonly", db, SHOW_SQL.format(id=middle)]),
            ("due", [outage, "due"], ["sqlite3", "-readonly", db, DUE_SQL]),
            ("list --status all --json", [outage, "list", "--status", "all", "--json"],
             ["sqlite3", "-readonly", "-json", db, "SELECT * FROM incidents ORDER BY id"]),
        ]
        print(f"log: {args.incidents} incidents, {events} events; {args.runs} runs per case")
        print(f"{'case':<26} {'outage min/med/max ms':>24} {'sqlite3 min/med/max ms':>24} "
              f"{'ratio':>6}")
        for name, ours, theirs in cases:
            a, b = [], []
            for _ in range(args.runs):
                a.append(timed(ours, env))
                b.append(timed(theirs, env))
            fmt = lambda xs: "/".join(f"{x * 1000:.1f}" for x in
                                      (min(xs), statistics.median(xs), max(xs)))
            print(f"{name:<26} {fmt(a):>24} {fmt(b):>24} "
                  f"{statistics.median(a) / statistics.median(b):>6.2f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

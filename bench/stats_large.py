#!/usr/bin/python3
"""`outage stats` on a large log, side by side with the obvious alternative: the sqlite3 shell
running the equivalent GROUP BY query over the same file (per scenario: incidents, mean time
to assess and to resolve, incidents reopened, notices; SQLite has no median, so the shell does
a little less work). The log is built directly with Python's sqlite3 module: N incidents of
ten events each, spread over five scenarios and a year. Prints wall time and peak memory
(max RSS) of each and their ratio.

    bench/stats_large.py [--outage build/release/src/outage] [--incidents 10000 100000]
"""

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta

from notify_bulk import ROOT, run_measured

SCENARIOS = ["hardware-failure", "malware", "network-outage", "power-loss", "third-party-outage"]
START = datetime(2026, 1, 1)

# What the shell runs: the same figures as `outage stats --by scenario`, medians aside.
QUERY = """
WITH o AS (SELECT incident_id, at, json_extract(payload, '$.scenario') AS scenario
           FROM events WHERE kind = 'opened'),
     a AS (SELECT incident_id, MIN(at) AS at FROM events WHERE kind = 'assessed'
           GROUP BY incident_id),
     c AS (SELECT incident_id, MAX(at) AS at FROM events WHERE kind = 'closed'
           GROUP BY incident_id),
     r AS (SELECT DISTINCT incident_id FROM events WHERE kind = 'reopened'),
     n AS (SELECT incident_id, COUNT(*) AS notices FROM events WHERE kind = 'notice'
           GROUP BY incident_id)
SELECT o.scenario, COUNT(*),
       AVG(strftime('%s', a.at) - strftime('%s', o.at)),
       AVG(strftime('%s', c.at) - strftime('%s', o.at)),
       COUNT(r.incident_id), TOTAL(n.notices)
FROM o LEFT JOIN a USING (incident_id) LEFT JOIN c USING (incident_id)
       LEFT JOIN r USING (incident_id) LEFT JOIN n USING (incident_id)
GROUP BY o.scenario ORDER BY o.scenario;
"""


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def events_of(rng, incident, scenario, opened):
    """Ten events: open, assess (SEV3), two notices with their sends, then a worse
    assessment (SEV2) and an update before the close; one incident in ten is closed, reopened
    and closed again instead."""
    t = opened
    out = [(t, "opened", {"title": f"Incident {incident}", "scenario": scenario,
                          "owner": "oncall", "services": ["portal"]})]

    def later(low, high):
        nonlocal t
        t += timedelta(minutes=rng.randint(low, high))
        return t

    out.append((later(1, 40), "assessed", {"severity": "SEV3", "rule": "default", "answers": {}}))
    out.append((t, "severity_changed", {"from": None, "to": "SEV3", "rule": "default"}))
    for audience in ("frontline", "customers"):
        out.append((later(1, 20), "notice", {"notice": incident * 2, "audience": audience,
                                             "template": "t", "channel": "email",
                                             "recipients": 2}))
        out.append((t, "notice_sent", {"notice": incident * 2, "audience": audience,
                                       "attempted": 2, "sent": 2, "failed": 0, "pending": 0}))
    if incident % 10 == 0:
        out.append((later(5, 60), "closed", {"resolution": "Fixed", "actions": []}))
        out.append((later(5, 60), "reopened", {"note": "Back again"}))
    else:
        out.append((later(5, 60), "severity_changed", {"from": "SEV3", "to": "SEV2", "rule": "r"}))
        out.append((later(5, 60), "updated", {"note": "Still working on it"}))
    out.append((later(10, 600), "closed", {"resolution": "Fixed", "actions": []}))
    return out


def build_log(outage, path, incidents):
    """Lets outage create the schema, then fills the log directly. The hash chain is left
    unfilled (`verify` would refuse this log); stats does not read it."""
    env = dict(os.environ, OUTAGE_DB=path, OUTAGE_NOW="2026-01-01T00:00:00Z",
               OUTAGE_USER="bench", OUTAGE_RUNBOOKS=os.path.join(ROOT, "runbooks"))
    subprocess.run([outage, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(7)
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = OFF")
    for table in ("events", "deadlines", "incidents"):
        db.execute(f"DELETE FROM {table}")
    event_id = 0
    for incident in range(1, incidents + 1):
        scenario = SCENARIOS[incident % len(SCENARIOS)]
        opened = START + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        events = events_of(rng, incident, scenario, opened)
        db.execute("INSERT INTO incidents (id, title, scenario, status, phase, severity, owner, "
                   "opened_at, closed_at) VALUES (?, ?, ?, 'closed', 'resolved', 'SEV2', "
                   "'oncall', ?, ?)",
                   (incident, f"Incident {incident}", scenario, iso(opened), iso(events[-1][0])))
        rows = []
        for at, kind, payload in events:
            event_id += 1
            rows.append((event_id, incident, iso(at), kind, "bench", json.dumps(payload),
                         "0" * 64, "0" * 64))
        db.executemany("INSERT INTO events (id, incident_id, at, kind, actor, payload, "
                       "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    return event_id


def check_same_answer(outage, path):
    """The two sides must agree on what they both compute, or the timing means nothing."""
    env = dict(os.environ, OUTAGE_DB=path, TZ="UTC")
    ours = json.loads(subprocess.run([outage, "stats", "--json"], env=env, check=True,
                                     capture_output=True, text=True).stdout)
    theirs = subprocess.run(["sqlite3", "-readonly", "-separator", "|", path, QUERY], check=True,
                            capture_output=True, text=True).stdout.split("\n")
    for group, row in zip(ours["groups"], theirs):
        scenario, count, assess, resolve, reopened, notices = row.split("|")
        if (group["key"], group["incidents"], group["reopened"], group["notices"]) != (
                scenario, int(count), int(reopened), int(float(notices))) or abs(
                group["mean_to_assess_seconds"] - float(assess)) > 1 or abs(
                group["mean_to_resolve_seconds"] - float(resolve)) > 1:
            sys.exit(f"outage and sqlite3 disagree:\n{group}\n{row}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", default=os.path.join(ROOT, "build", "release", "src", "outage"))
    parser.add_argument("--incidents", type=int, nargs="+", default=[10000, 100000])
    args = parser.parse_args()
    outage = os.path.abspath(args.outage)
    print(f"{'incidents':>9} {'events':>9}  {'outage s':>9} {'MB':>6}  {'sqlite3 s':>9} "
          f"{'MB':>6}  {'time ratio':>10} {'memory ratio':>12}")
    for incidents in args.incidents:
        work = tempfile.mkdtemp(prefix="outage-bench-")
        try:
            path = os.path.join(work, "incidents.db")
            events = build_log(outage, path, incidents)
            check_same_answer(outage, path)
            env = dict(os.environ, OUTAGE_DB=path, TZ="UTC")
            t1, m1 = run_measured([outage, "stats", "--json"], env)
            t2, m2 = run_measured(["sqlite3", "-readonly", path, QUERY])
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{incidents:>9} {events:>9}  {t1:>9.2f} {m1:>6.1f}  {t2:>9.2f} {m2:>6.1f}  "
              f"{t1 / t2:>10.2f} {m1 / m2:>12.2f}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Bulk notify to the file channel, side by side with the obvious alternative: a Python
mail-merge script doing the same work (read the CSV, record every delivery as pending in
SQLite, render each message, write one .eml per recipient atomically, mark it sent, commit
every 500). Prints wall time and peak memory (max RSS) of each and their ratio.

    bench/notify_bulk.py [--outage build/release/src/outage] [--rows 10000 100000 1000000]
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The same answers every run: a SEV1 network outage, so the plan tells customers.
ANSWERS = dict(where="our-services", scope="team", customers="many", impact="blocked",
               realtime="yes", downtime="hours", attack="no", workaround="no", cause="ours")

MAIL_MERGE = r'''
import csv, email.message, email.utils, json, os, sqlite3, sys
csv_path, outbox, db_path = sys.argv[1:4]
body_template = ("Dear {name},\n\nSince {opened_at} the following services are disrupted:\n"
                 "  - portal\n\nWe do not yet know when they will work normally again.\n\n"
                 "You will hear from us again by {next_update}.\n\nThe support team\n")
os.makedirs(outbox, mode=0o700, exist_ok=True)
db = sqlite3.connect(db_path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY, recipient TEXT, "
           "columns TEXT, state TEXT)")
db.execute("BEGIN IMMEDIATE")
with open(csv_path, newline="") as f:
    for row in csv.DictReader(f):
        db.execute("INSERT INTO deliveries (recipient, columns, state) VALUES (?, ?, 'pending')",
                   (row["email"], json.dumps(row)))
db.execute("COMMIT")
after = 0
while True:
    rows = db.execute("SELECT id, recipient, columns FROM deliveries WHERE state = 'pending' "
                      "AND id > ? ORDER BY id LIMIT 500", (after,)).fetchall()
    if not rows:
        break
    db.execute("BEGIN IMMEDIATE")
    for delivery_id, recipient, columns in rows:
        after = delivery_id
        row = json.loads(columns)
        msg = email.message.EmailMessage()
        msg["From"] = "Ops <ops@example.com>"
        msg["To"] = recipient
        msg["Subject"] = "Service disruption: portal (INC-1)"
        msg["Date"] = email.utils.formatdate()
        msg["Message-ID"] = f"<bench.{delivery_id}@example.com>"
        msg.set_content(body_template.format(name=row["name"], opened_at="2026-11-22 11:00 CET",
                                             next_update="2026-11-22 11:15 CET"))
        path = os.path.join(outbox, f"delivery-{delivery_id}.eml")
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(bytes(msg))
        os.rename(path + ".tmp", path)
        db.execute("UPDATE deliveries SET state = 'sent' WHERE id = ?", (delivery_id,))
    db.execute("COMMIT")
'''


def run_measured(argv, env=None):
    """Runs argv; returns (seconds, peak RSS in MB). Fails loudly when the command fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} failed with {proc.returncode}: {err}")
    return elapsed, usage.ru_maxrss / 1024


def write_recipients(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["email", "name", "organisation"])
        for i in range(rows):
            writer.writerow([f"contact{i}@customer{i // 2}.example", f"Contact {i}",
                             f"Customer {i // 2}"])


def bench(outage, rows, work):
    csv_path = os.path.join(work, f"recipients-{rows}.csv")
    write_recipients(csv_path, rows)
    env = dict(os.environ, OUTAGE_DB=os.path.join(work, f"outage-{rows}.db"),
               OUTAGE_NOW="2026-11-22T10:00:00Z", OUTAGE_USER="bench", TZ="Europe/Amsterdam",
               OUTAGE_RUNBOOKS=os.path.join(ROOT, "runbooks"),
               OUTAGE_TEMPLATES=os.path.join(ROOT, "templates"))
    config = os.path.join(work, f"config-{rows}.yaml")
    with open(config, "w") as f:
        f.write(f"outbox: {os.path.join(work, f'outbox-{rows}')}\n")
    env["OUTAGE_CONFIG"] = config
    subprocess.run([outage, "open", "--scenario", "network-outage", "--title", "Portal down",
                    "--service", "portal"], env=env, check=True, stdout=subprocess.DEVNULL)
    answers = [a for key, value in ANSWERS.items() for a in ("--answer", f"{key}={value}")]
    subprocess.run([outage, "assess", "1", *answers], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    ours = run_measured([outage, "notify", "1", "--audience", "customers", "--channel", "file",
                         "--recipients", csv_path], env)
    script = os.path.join(work, "mail_merge.py")
    with open(script, "w") as f:
        f.write(MAIL_MERGE)
    theirs = run_measured(["/usr/bin/python3", script, csv_path,
                           os.path.join(work, f"merge-outbox-{rows}"),
                           os.path.join(work, f"merge-{rows}.db")])
    return ours, theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", default=os.path.join(ROOT, "build", "release", "src", "outage"))
    parser.add_argument("--rows", type=int, nargs="+", default=[10000, 100000])
    args = parser.parse_args()
    outage = os.path.abspath(args.outage)
    print(f"{'rows':>9}  {'outage s':>9} {'MB':>6}  {'script s':>9} {'MB':>6}  "
          f"{'time ratio':>10} {'memory ratio':>12}")
    for rows in args.rows:
        work = tempfile.mkdtemp(prefix="outage-bench-")
        try:
            (t1, m1), (t2, m2) = bench(outage, rows, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{rows:>9}  {t1:>9.2f} {m1:>6.1f}  {t2:>9.2f} {m2:>6.1f}  "
              f"{t1 / t2:>10.2f} {m1 / m2:>12.2f}", flush=True)


if __name__ == "__main__":
    main()

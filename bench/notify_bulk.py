#!/usr/bin/python3
"""Bulk notify to the file channel, side by side with the obvious alternatives: Python
mail-merge scripts doing the same work (read the CSV, record every delivery as pending in
SQLite, render each message, write one .eml per recipient atomically, mark it sent, commit
every 500), one building messages with the email package, one rendering with jinja2
(Debian's python3-jinja2). Prints wall time and peak memory (max RSS) and the time ratio.

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

# The alternatives share everything but how a message is made: read the CSV, record every
# delivery as pending in SQLite, render, write one .eml atomically (mode 0600), mark it sent,
# commit every 500. RENDER is filled in per alternative.
# What every alternative script does first (bench/smtp_bulk.py too): the notice's fields,
# RENDER (filled in per alternative), every delivery recorded as pending in SQLite, and
# pending_batches() to read them back 500 at a time.
# Its arguments: the CSV, the database, then the script's own.
RECORD_PENDING = r'''
import csv, email.message, email.utils, json, os, sqlite3, sys
csv_path, db_path = sys.argv[1:3]
FIELDS = dict(opened_at="2026-11-22 11:00 CET", next_update="2026-11-22 11:15 CET",
              services=["portal"], eta="", workaround="", reference="INC-1",
              organisation="The support team")
RENDER
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
def pending_batches():
    after = 0
    while True:
        rows = db.execute("SELECT id, recipient, columns FROM deliveries "
                          "WHERE state = 'pending' AND id > ? ORDER BY id LIMIT 500",
                          (after,)).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        yield rows
'''

SCRIPT = RECORD_PENDING + r'''
outbox = sys.argv[3]
os.makedirs(outbox, mode=0o700, exist_ok=True)
for rows in pending_batches():
    db.execute("BEGIN IMMEDIATE")
    for delivery_id, recipient, columns in rows:
        data = render(delivery_id, recipient, json.loads(columns))
        path = os.path.join(outbox, f"delivery-{delivery_id}.eml")
        fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.rename(path + ".tmp", path)
        db.execute("UPDATE deliveries SET state = 'sent' WHERE id = ?", (delivery_id,))
    db.execute("COMMIT")
'''

# Python's email package builds a proper MIME message, as outage does.
EMAIL_PACKAGE = r'''
BODY = ("Dear {name},\n\nSince {opened_at} the following services are disrupted:\n"
        "  - portal\n\nWe do not yet know when they will work normally again.\n\n"
        "You will hear from us again by {next_update}.\n\nThe support team\n")
def render(delivery_id, recipient, row):
    msg = email.message.EmailMessage()
    msg["From"] = "Ops <ops@example.com>"
    msg["To"] = recipient
    msg["Subject"] = "Service disruption: portal (INC-1)"
    msg["Date"] = email.utils.formatdate()
    msg["Message-ID"] = f"<bench.{delivery_id}@example.com>"
    msg.set_content(BODY.format(name=row["name"], **FIELDS))
    return bytes(msg)
'''

# jinja2 renders the same template logic as customer-first-notice; headers are written
# directly, as a straightforward script would (issue 6's comparison).
JINJA2 = r'''
import jinja2
TEMPLATE = jinja2.Template(
    "Dear {% if name %}{{ name }}{% else %}customer{% endif %},\n\n"
    "Since {{ opened_at }} the following services are disrupted:\n"
    "{% for s in services %}  - {{ s }}\n{% endfor %}\n"
    "{% if eta %}We expect them to work normally again by {{ eta }}.\n"
    "{% else %}We do not yet know when they will work normally again.\n{% endif %}"
    "{% if workaround %}\nIn the meantime: {{ workaround }}\n{% endif %}\n"
    "{% if next_update %}You will hear from us again by {{ next_update }}.\n{% endif %}\n"
    "{{ organisation }}\n", autoescape=False)
def render(delivery_id, recipient, row):
    body = TEMPLATE.render(name=row["name"], **FIELDS)
    head = (f"From: Ops <ops@example.com>\r\nTo: {recipient}\r\n"
            f"Subject: Service disruption: portal (INC-1)\r\n"
            f"Date: {email.utils.formatdate()}\r\n"
            f"Message-ID: <bench.{delivery_id}@example.com>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n")
    return (head + body.replace("\n", "\r\n")).encode()
'''

ALTERNATIVES = {"email package": EMAIL_PACKAGE, "jinja2": JINJA2}


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


def assessed_incident(outage, db, config_text, config_path):
    """A fresh log at `db` holding incident 1, assessed SEV1; returns the environment that
    points outage at it and at a config file holding `config_text`."""
    env = dict(os.environ, OUTAGE_DB=db, OUTAGE_CONFIG=config_path,
               OUTAGE_NOW="2026-11-22T10:00:00Z", OUTAGE_USER="bench", TZ="Europe/Amsterdam",
               OUTAGE_RUNBOOKS=os.path.join(ROOT, "runbooks"),
               OUTAGE_TEMPLATES=os.path.join(ROOT, "templates"))
    with open(config_path, "w") as f:
        f.write(config_text)
    subprocess.run([outage, "open", "--scenario", "network-outage", "--title", "Portal down",
                    "--service", "portal"], env=env, check=True, stdout=subprocess.DEVNULL)
    answers = [a for key, value in ANSWERS.items() for a in ("--answer", f"{key}={value}")]
    subprocess.run([outage, "assess", "1", *answers], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return env


def bench(outage, rows, work):
    csv_path = os.path.join(work, f"recipients-{rows}.csv")
    write_recipients(csv_path, rows)
    env = assessed_incident(outage, os.path.join(work, f"outage-{rows}.db"),
                            f"outbox: {os.path.join(work, f'outbox-{rows}')}\n",
                            os.path.join(work, f"config-{rows}.yaml"))
    ours = run_measured([outage, "notify", "1", "--audience", "customers", "--channel", "file",
                         "--recipients", csv_path], env)
    theirs = {}
    for name, render in ALTERNATIVES.items():
        script = os.path.join(work, "merge.py")
        with open(script, "w") as f:
            f.write(SCRIPT.replace("RENDER", render))
        label = name.replace(" ", "-")
        theirs[name] = run_measured(["/usr/bin/python3", script, csv_path,
                                     os.path.join(work, f"{label}-{rows}.db"),
                                     os.path.join(work, f"{label}-outbox-{rows}")])
    return ours, theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", default=os.path.join(ROOT, "build", "release", "src", "outage"))
    parser.add_argument("--rows", type=int, nargs="+", default=[10000, 100000])
    args = parser.parse_args()
    outage = os.path.abspath(args.outage)
    print(f"{'rows':>9}  {'outage s':>9} {'MB':>6}  " + "  ".join(
        f"{name + ' s':>16} {'MB':>6} {'ratio':>6}" for name in ALTERNATIVES))
    for rows in args.rows:
        work = tempfile.mkdtemp(prefix="outage-bench-")
        try:
            (t1, m1), theirs = bench(outage, rows, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{rows:>9}  {t1:>9.2f} {m1:>6.1f}  " + "  ".join(
            f"{t2:>16.2f} {m2:>6.1f} {t1 / t2:>6.2f}" for t2, m2 in theirs.values()), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Bulk e-mail over SMTP, side by side with a Python smtplib loop against the same local
aiosmtpd server (Debian's python3-aiosmtpd, on 127.0.0.1): `outage notify --channel email
--recipients FILE.csv` against a script doing the same work on one reused SMTP connection:
read the CSV, record every delivery as pending in SQLite, render each message with jinja2,
send it, mark it sent and commit (outage commits after every SMTP send, so that a message
the server accepted is never sent twice). Both sides run R times, alternating; the server
counts what it accepts, and each run must deliver every message. Prints min/median/max wall
time and the ratio of the medians (outage / smtplib).

    bench/smtp_bulk.py [--outage build/release/src/outage] [--rows 10000] [--runs 3]
                       [--connections 4]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading

from aiosmtpd.controller import Controller

from notify_bulk import (JINJA2, RECORD_PENDING, ROOT, assessed_incident, run_measured,
                         write_recipients)

SCRIPT = RECORD_PENDING + r'''
import smtplib
port = int(sys.argv[3])
smtp = smtplib.SMTP("127.0.0.1", port)
for rows in pending_batches():
    for delivery_id, recipient, columns in rows:
        smtp.sendmail("ops@example.com", [recipient],
                      render(delivery_id, recipient, json.loads(columns)))
        db.execute("UPDATE deliveries SET state = 'sent' WHERE id = ?", (delivery_id,))
smtp.quit()
'''


class Counter:
    """An aiosmtpd handler that accepts and counts every message."""

    def __init__(self):
        self.accepted = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted += 1
        return "250 Message accepted for delivery"


def outage_run(outage, work, csv_path, port, run, connections):
    """One outage send of the whole list to a fresh log."""
    env = assessed_incident(outage, os.path.join(work, f"outage-{run}.db"),
                            f"email:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"
                            f"  from: \"Ops <ops@example.com>\"\n"
                            f"  connections: {connections}\n",
                            os.path.join(work, "config.yaml"))
    return run_measured([outage, "notify", "1", "--audience", "customers", "--channel", "email",
                         "--recipients", csv_path], env)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", default=os.path.join(ROOT, "build", "release", "src", "outage"))
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4,
                        help="outage's email.connections (its default is 4)")
    args = parser.parse_args()
    outage = os.path.abspath(args.outage)
    counter = Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    work = tempfile.mkdtemp(prefix="outage-bench-")
    try:
        csv_path = os.path.join(work, "recipients.csv")
        write_recipients(csv_path, args.rows)
        script = os.path.join(work, "smtp_loop.py")
        with open(script, "w") as f:
            f.write(SCRIPT.replace("RENDER", JINJA2))
        ours, theirs = [], []
        for run in range(args.runs):
            for side, times, measure in (
                    ("outage", ours, lambda: outage_run(outage, work, csv_path, port, run,
                                                      args.connections)),
                    ("smtplib", theirs, lambda: run_measured(
                        ["/usr/bin/python3", script, csv_path,
                         os.path.join(work, f"smtplib-{run}.db"), str(port)])[0])):
                before = counter.accepted
                times.append(measure())
                if counter.accepted - before != args.rows:
                    raise SystemExit(f"{side} delivered {counter.accepted - before} of "
                                     f"{args.rows} messages")
        fmt = lambda xs: "/".join(f"{x:.2f}" for x in (min(xs), statistics.median(xs), max(xs)))
        print(f"{args.rows} messages, {args.runs} runs each")
        print(f"{'':<8} {'min/median/max s':>18}")
        print(f"{'outage':<8} {fmt(ours):>18}")
        print(f"{'smtplib':<8} {fmt(theirs):>18}")
        print(f"ratio {statistics.median(ours) / statistics.median(theirs):.2f}")
    finally:
        controller.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes legacy-v2.sql: a log as outage 0.1.0 wrote it (schema 2, every event payload of
version 1), for tests/e2e/test_verify.py's legacy-log tests. Made once, with the binary
built from commit be96383, and kept as SQL text so that a diff shows what it holds:

    tests/data/logs/make_legacy_log.py OLD_OUTAGE_BINARY > tests/data/logs/legacy-v2.sql

Two incidents of the lab-flood runbook (tests/data/runbooks/good): the first through every
command that writes an event, closed; the second open, assessed and noted, with a notice to
two recipients.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUNBOOKS = os.path.join(os.path.dirname(HERE), "runbooks", "good")

SEV2 = ["--answer", "scope=room", "--answer", "samples_at_risk=no", "--answer", "people=12",
        "--answer", "realtime=no", "--answer", "reporter=Ann"]
SEV1 = ["--answer", "scope=floor", "--answer", "samples_at_risk=yes", "--answer",
        "people=40", "--answer", "realtime=yes", "--answer", "reporter=Ann"]


def main():
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp()
    try:
        db = os.path.join(tmp, "incidents.db")
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8", "TZ": "UTC",
               "OUTAGE_DB": db, "OUTAGE_RUNBOOKS": RUNBOOKS, "OUTAGE_USER": "alice",
               "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
               "XDG_CACHE_HOME": os.path.join(tmp, "cache")}

        def run(when, *args, user="alice"):
            subprocess.run([binary, *args], check=True, stdout=subprocess.DEVNULL,
                           env={**env, "OUTAGE_NOW": f"2026-11-{when}Z", "OUTAGE_USER": user})

        run("22T10:00:00", "open", "--scenario", "lab-flood", "--title", "Flood in lab 2",
            "--service", "lab", "--affected", "12", "--dedup-key", "flood-2", "--note",
            "Water on the floor")
        run("22T10:05:00", "open", "--scenario", "lab-flood", "--title", "Flood again",
            "--dedup-key", "flood-2")
        run("22T10:10:00", "assess", "1", *SEV2)
        run("22T10:20:00", "update", "1", "--status", "identified", "--eta", "2h", "--note",
            "Pumps on")
        run("22T10:30:00", "handoff", "1", "--to", "bob", "--note", "Samples moved")
        run("22T10:35:00", "ack", "1", user="bob")
        run("22T10:40:00", "step", "1", "power-off", "--done", "--note", "Breaker 4")
        run("22T10:41:00", "step", "1", "move-samples", "--skip")
        run("22T10:45:00", "assess", "1", *SEV1)
        run("22T10:50:00", "deadline", "1", "sample-owner", "--met", "--note", "Called them")
        run("22T10:55:00", "notify", "1", "--audience", "frontline", "--channel", "stdout",
            "--note", "Lab 2 closed")
        run("22T11:00:00", "notify", "1", "--audience", "customers", "--channel", "stdout",
            "--to", "ann@acme.example", "--to", "bo@acme.example")
        run("22T12:00:00", "open", "--scenario", "lab-flood", "--title", "Freezer alarm")
        run("22T12:05:00", "assess", "2", *SEV2)
        run("22T12:10:00", "update", "2", "--note", "Engineer on the way")
        run("22T12:15:00", "notify", "2", "--audience", "customers", "--channel", "stdout",
            "--to", "cy@acme.example", "--to", "di@acme.example")
        run("25T10:00:00", "deadline", "1", "insurer", "--met")
        run("25T11:00:00", "close", "1", "--resolution", "Pumped out", "--root-cause",
            "A burst pipe", "--recurrence", "unlikely", "--action", "Fit a leak sensor")

        conn = sqlite3.connect(db)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        print(f"-- A log written by outage 0.1.0 (tests/data/logs/make_legacy_log.py).")
        print(f"PRAGMA user_version = {version};")
        for line in conn.iterdump():
            print(line)
        conn.close()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

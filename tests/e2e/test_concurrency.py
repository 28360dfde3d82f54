"""Eight operators and hooks at once on one log: open (with and without a shared dedup key),
update, assess, step, notify (file channel) and close, mixed on shared incidents, every worker
running a fixed list of commands that holds each of them. Afterwards the log is intact, every
command that succeeded is in it exactly once, nothing failed with "database is locked", and the
shared dedup key opened one incident."""

import json
import os
import random
import threading
import traceback

from harness import OutageTestCase

WORKERS = 8
# Commands per worker: each kind of command once, then random ones. A fixed amount of work,
# the same on a fast machine and a slow one; nothing depends on how long it takes.
COMMANDS = 16
# Safety net only: how long a worker may take before the test calls it hung.
HUNG = 600
DEDUP_KEY = "monitor-alert-42"
ANSWERS = ["--answer", "safety=no", "--answer", "site=office", "--answer", "scope=team",
           "--answer", "customers=some", "--answer", "impact=blocked", "--answer", "realtime=yes",
           "--answer", "backup_power=ups", "--answer", "downtime=hours", "--answer",
           "data_risk=no", "--answer", "workaround=no", "--answer", "cause=supplier"]
STEPS = ["safety-check", "call-supplier", "brief-frontline", "check-ups", "send-people"]
# Exit codes a command may legitimately end with in this race: 0, or 5 when another worker
# closed the incident first. Anything else is a failure of the tool.
ALLOWED = {0, 5}
OPS = {"open", "open-keyed", "update", "assess", "step", "notify", "close"}


def schedule(rng):
    """A worker's commands: every kind in OPS in a random order, an `open` always before the
    `close` (a worker closes only incidents it opened), then random ones up to COMMANDS."""
    kinds = sorted(OPS - {"open"})
    rng.shuffle(kinds)
    kinds.insert(rng.randrange(kinds.index("close") + 1), "open")
    while len(kinds) < COMMANDS:
        kinds.append(rng.choice(["open", "open-keyed", "update", "update", "assess", "step",
                                 "notify", "close"]))
    return kinds


class ConcurrencyTest(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.use_outbox_config()
        del self.env["OUTAGE_NOW"]  # the real clock: time passes during the race

    def test_eight_processes_mixing_every_writing_command(self):
        # Shared incidents exist before the race so updates have something to hit at once.
        shared = [self.open_incident(f"Shared {n}", "power-loss") for n in range(3)]
        lock = threading.Lock()
        succeeded = []   # (operation, incident, token, parsed stdout)
        failures = []    # (argv, code, stderr)
        keyed_ids = set()
        # Every worker waits here until all have started, so their commands overlap.
        start = threading.Barrier(WORKERS)

        def record(op, incident, token, argv, code, out, err):
            with lock:
                if "locked" in err or "busy" in err:
                    failures.append((argv, code, err))
                elif code not in ALLOWED:
                    failures.append((argv, code, err))
                elif code == 0:
                    succeeded.append((op, incident, token, out))

        def worker(number):
            try:
                start.wait(timeout=HUNG)
                run_commands(number)
            except Exception:
                with lock:
                    failures.append((f"worker {number}", None, traceback.format_exc()))

        def run_commands(number):
            rng = random.Random(number)
            mine = []   # incidents this worker opened without a key: only these get closed
            for count, op in enumerate(schedule(rng), 1):
                token = f"w{number}-{count}"
                target = rng.choice(shared + mine)
                if op == "open":
                    argv = ["open", "--scenario", "power-loss", "--title", token, "--json"]
                elif op == "open-keyed":
                    argv = ["open", "--scenario", "power-loss", "--title", token,
                            "--dedup-key", DEDUP_KEY, "--json"]
                elif op == "update":
                    argv = ["update", str(target), "--note", token]
                elif op == "assess":
                    argv = ["assess", str(target), *ANSWERS]
                elif op == "step":
                    argv = ["step", str(target), rng.choice(STEPS), "--done", "--note", token]
                elif op == "notify":
                    argv = ["notify", str(target), "--audience", "frontline", "--channel", "file",
                            "--to", f"{token}@example.com", "--note", token]
                else:
                    if not mine:
                        continue
                    target = mine.pop(rng.randrange(len(mine)))
                    argv = ["close", str(target), "--resolution", token]
                code, out, err = self.run_outage(*argv)
                if code == 0 and op in ("open", "open-keyed"):
                    doc = json.loads(out)
                    target = doc["id"]
                    if op == "open":
                        mine.append(target)
                    else:
                        with lock:
                            keyed_ids.add(target)
                record(op, target, token, argv, code, out, err)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=HUNG)
            self.assertFalse(thread.is_alive(), "a worker hung")

        self.assertEqual(failures, [])
        # Every worker ran every kind of command, and each of them succeeded at least once.
        ops = {op for op, *_ in succeeded}
        self.assertEqual(ops, OPS, "the race did not exercise every command")
        self.assertGreater(len(succeeded), 8 * WORKERS)

        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        code, out, err = self.run_outage("verify")
        self.assertEqual((code, err), (0, ""), out)

        # The shared key opened exactly one incident; every other keyed open re-triggered it.
        self.assertEqual(len(keyed_ids), 1)
        keyed = self.query("SELECT id FROM incidents WHERE dedup_key = ?", (DEDUP_KEY,))
        self.assertEqual(keyed, [(next(iter(keyed_ids)),)])
        keyed_opens = sum(1 for op, *_ in succeeded if op == "open-keyed")
        retriggers = self.query("SELECT count(*) FROM events WHERE kind = 'retriggered'")[0][0]
        self.assertEqual(retriggers, keyed_opens - 1)

        def events_with(kind, key, token):
            return self.query("SELECT count(*) FROM events WHERE kind = ? AND "
                              "json_extract(payload, ?) = ?", (kind, f"$.{key}", token))[0][0]

        assessments = 0
        for op, incident, token, _ in succeeded:
            with self.subTest(op=op, token=token):
                if op == "open":
                    self.assertEqual(events_with("opened", "title", token), 1)
                elif op == "update":
                    self.assertEqual(events_with("updated", "note", token), 1)
                elif op == "step":
                    self.assertEqual(events_with("step", "note", token), 1)
                elif op == "close":
                    self.assertEqual(events_with("closed", "resolution", token), 1)
                elif op == "notify":
                    notices = self.query("SELECT count(*) FROM notices WHERE "
                                         "json_extract(fields, '$.note') = ?", (token,))
                    self.assertEqual(notices, [(1,)])
                    sent = self.query("SELECT count(*) FROM deliveries WHERE recipient = ? "
                                      "AND state = 'sent'", (f"{token}@example.com",))
                    self.assertEqual(sent, [(1,)])
                elif op == "assess":
                    assessments += 1
        self.assertEqual(self.query("SELECT count(*) FROM assessments")[0][0], assessments)
        self.assertEqual(self.query("SELECT count(*) FROM events WHERE kind = 'assessed'")[0][0],
                         assessments)
        notices = sum(1 for op, *_ in succeeded if op == "notify")
        self.assertEqual(len([f for f in os.listdir(self.outbox) if f.endswith(".eml")]),
                         notices)


if __name__ == "__main__":
    import unittest

    unittest.main()

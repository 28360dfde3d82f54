"""Killed at the worst moment: a bulk notify and a stream of updates get SIGKILL at random
points, many times over. After every kill the log passes integrity_check and holds every
command that was acknowledged; the resumed notify ends with each recipient's message present
exactly once."""

import os
import random
import signal
import subprocess
import time

from harness import OutageTestCase

RECIPIENTS = 6000
KILLS = 12
# The kills in the send land at random messages before this one, so each lands with
# thousands of messages still to go and the send cannot finish first, however fast the machine.
LAST_KILL_AT = RECIPIENTS * 2 // 3
# Safety net only: how long to wait for a send to show progress before the test gives up.
PROGRESS_TIMEOUT = 120
ANSWERS = ["--answer", "safety=no", "--answer", "site=office", "--answer", "scope=team",
           "--answer", "customers=many", "--answer", "impact=blocked", "--answer",
           "realtime=yes", "--answer", "backup_power=ups", "--answer", "downtime=hours",
           "--answer", "data_risk=no", "--answer", "workaround=no", "--answer", "cause=supplier"]


class CrashTest(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.use_outbox_config()
        self.rng = random.Random(6)

    def start(self, *args):
        return subprocess.Popen([self.bin, *map(str, args)], env=self.env, cwd=self.tmp,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    def kill_after(self, proc, seconds):
        """SIGKILL after `seconds` unless it ended; returns the exit code: -SIGKILL when the
        kill landed, what the process returned when it ended by itself first. Any other end
        (a crash, a sanitizer report) fails the test."""
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        self.assertIn(proc.returncode, (0, -signal.SIGKILL), err)
        return proc.returncode

    def wait_for_progress(self, proc, target, deadline):
        """Waits until `target` messages are in the outbox, `proc` has ended or `deadline`
        (monotonic) has passed; returns the number in the outbox."""
        written = self.written()
        while written < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
            written = self.written()
        return written

    def written(self):
        """Messages in the outbox: each is there before the log records it sent, so this
        sees a send's progress message by message. (A resumed send writes again, under the
        same name, what it wrote before the kill but had not recorded.)"""
        try:
            return sum(1 for name in os.listdir(self.outbox) if name.endswith(".eml"))
        except FileNotFoundError:
            return 0

    def sent(self):
        return self.query("SELECT count(*) FROM deliveries WHERE state = 'sent'")[0][0]

    def assert_log_intact(self):
        self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        code, out, err = self.run_outage("verify")
        self.assertEqual((code, err), (0, ""), out)

    def test_bulk_notify_killed_again_and_again_sends_each_message_once(self):
        incident = self.open_incident("Leeds dark", "power-loss", "--service", "phones")
        self.ok("assess", str(incident), *ANSWERS)
        csv_path = os.path.join(self.tmp, "customers.csv")
        with open(csv_path, "w") as f:
            f.write("email,name,organisation\n")
            for i in range(RECIPIENTS):
                f.write(f"c{i}@org{i // 2}.example,Contact {i},Org {i // 2}\n")
        notify = ["notify", incident, "--audience", "customers", "--channel", "file",
                  "--recipients", csv_path, "--eta", "2h"]
        # Every fourth kill lands while the command starts up (before it writes a message
        # beyond those already in the outbox, or just after); the others land part way through
        # the send, once the outbox holds a random number of messages: chosen against the
        # send's progress, never against the clock, and anywhere between two writes to the
        # log. Every kill is checked to have landed with messages still to go: a slow machine
        # only waits longer, a fast one cannot finish the send first.
        in_send = [round for round in range(KILLS) if round % 4 != 0]
        kill_at = dict(zip(in_send, sorted(self.rng.sample(range(1, LAST_KILL_AT),
                                                           len(in_send)))))
        for round in range(KILLS):
            before = self.written()
            proc = self.start(*notify)
            if round not in kill_at:
                deadline = time.monotonic() + self.rng.uniform(0.0, 0.05)
                self.wait_for_progress(proc, before + 1, deadline)
                code = self.kill_after(proc, 0)
            else:
                target = max(kill_at[round], before + 1)
                reached = self.wait_for_progress(proc, target,
                                                 time.monotonic() + PROGRESS_TIMEOUT)
                code = self.kill_after(proc, 0)
                self.assertGreaterEqual(reached, target,
                                        f"round {round}: no progress (exit {code})")
            self.assertEqual(code, -signal.SIGKILL, f"round {round}: the send ended itself")
            self.assertLess(self.written(), RECIPIENTS, f"round {round}")
            self.assertLess(self.sent(), RECIPIENTS, f"round {round}")
            self.assert_log_intact()
        # The last kill left messages unsent; the same call resumes and sends all of them.
        self.ok(*notify)

        self.assertEqual(self.query("SELECT count(*) FROM notices"), [(1,)])
        self.assertEqual(self.query("SELECT state, count(*) FROM deliveries GROUP BY state"),
                         [("sent", RECIPIENTS)])
        self.assertEqual(self.query("SELECT count(DISTINCT recipient) FROM deliveries"),
                         [(RECIPIENTS,)])
        files = [f for f in os.listdir(self.outbox) if f != ".partial"]
        self.assertEqual(len(files), RECIPIENTS)
        self.assertEqual([f for f in files if not f.endswith(".eml")], [])
        # What the killed sends left half-written was cleared by the next run.
        self.assertEqual(os.listdir(os.path.join(self.outbox, ".partial")), [])
        addressed = []
        for name in files:
            with open(os.path.join(self.outbox, name), encoding="utf-8") as f:
                addressed += [line[4:].strip() for line in f if line.startswith("To: ")]
        self.assertEqual(sorted(addressed),
                         sorted(f"c{i}@org{i // 2}.example" for i in range(RECIPIENTS)))

    def test_updates_killed_mid_write_leave_every_acknowledged_one(self):
        incident = self.open_incident("Leeds dark", "power-loss")
        # Kill delays scale with how long an update takes here, loaded machine or not. Where a
        # kill lands is left to chance; what is checked does not depend on it: whether the
        # kill landed is read from the exit status, not guessed from the clock.
        acknowledged, unknown = [], []
        durations = []
        for n in range(3):
            token = f"warm-up-{n}"
            started = time.monotonic()
            self.ok("update", incident, "--note", token)
            durations.append(time.monotonic() - started)
            acknowledged.append(token)
        typical = sorted(durations)[1]
        for n in range(40):
            token = f"update-{n}"
            proc = self.start("update", incident, "--note", token)
            # The first kill is sent at once: at least one update is surely killed.
            delay = 0.0 if n == 0 else self.rng.uniform(0.0, 1.5 * typical)
            code = self.kill_after(proc, delay)
            (unknown if code == -signal.SIGKILL else acknowledged).append(token)
            if n % 5 == 0:
                self.assert_log_intact()
        self.assert_log_intact()
        notes = [row[0] for row in self.query(
            "SELECT json_extract(payload, '$.note') FROM events WHERE kind = 'updated'")]
        for token in acknowledged:
            self.assertEqual(notes.count(token), 1, token)
        for token in unknown:  # killed: all or nothing, never twice
            self.assertIn(notes.count(token), (0, 1), token)
        self.assertTrue(acknowledged and unknown, (len(acknowledged), len(unknown)))
        # The incident row and its timeline agree after all of it.
        self.assertEqual(self.run_json("show", str(incident))["status"], "open")


if __name__ == "__main__":
    import unittest

    unittest.main()

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
        """SIGKILL after `seconds` unless it ended; returns the exit code (None when killed)."""
        try:
            proc.wait(timeout=seconds)
            return proc.returncode
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            return None
        finally:
            proc.stderr.close()

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
        # Kills land at random moments, chosen against the send's progress rather than the
        # clock, so a slow machine still has its sends killed part way through.
        killed_mid_send = 0
        for round in range(KILLS):
            proc = self.start(*notify)
            if round % 4 == 0:
                code = self.kill_after(proc, self.rng.uniform(0.0, 0.05))  # while starting up
            else:
                threshold = self.sent() + self.rng.randrange(1, 800)
                while proc.poll() is None and self.sent() < threshold:
                    time.sleep(0.005)
                code = self.kill_after(proc, self.rng.uniform(0.0, 0.05))
            self.assertIn(code, (None, 0))
            self.assert_log_intact()
            if code is None and 0 < self.sent() < RECIPIENTS:
                killed_mid_send += 1
        self.assertGreaterEqual(killed_mid_send, KILLS // 2, "too few kills landed mid-send")
        out = self.ok(*notify)
        self.assertIn("0 failed, 0 pending", out)

        self.assertEqual(self.query("SELECT count(*) FROM notices"), [(1,)])
        self.assertEqual(self.query("SELECT state, count(*) FROM deliveries GROUP BY state"),
                         [("sent", RECIPIENTS)])
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
        # Kill delays scale with how long an update takes here, loaded machine or not.
        durations = []
        for n in range(3):
            started = time.monotonic()
            self.ok("update", incident, "--note", f"warm-up-{n}")
            durations.append(time.monotonic() - started)
        typical = sorted(durations)[1]
        acknowledged, unknown = [], []
        for n in range(40):
            token = f"update-{n}"
            proc = self.start("update", incident, "--note", token)
            code = self.kill_after(proc, self.rng.uniform(0.0, 1.5 * typical))
            (unknown if code is None else acknowledged).append(token)
            if code is not None:
                self.assertEqual(code, 0)
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

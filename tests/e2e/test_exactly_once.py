"""Exactly once when two senders meet, when a sender is killed, and when a server refuses or
stalls (issue 12): each delivery is claimed in a committed transaction before its message
leaves, so a second sender (the same notify again, cron's `outbox --flush`) skips it; a claim
whose process is gone is taken over; the file channel stages a message before moving it into
the outbox, so a pickup job that takes files away as they appear never sees one twice. What
the servers received is counted against what the log says."""

import collections
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

from harness import OutageTestCase, reserve_port

ANSWERS = ["--answer", "safety=no", "--answer", "site=office", "--answer", "scope=team",
           "--answer", "customers=many", "--answer", "impact=blocked", "--answer",
           "realtime=yes", "--answer", "backup_power=ups", "--answer", "downtime=hours",
           "--answer", "data_risk=no", "--answer", "workaround=no", "--answer", "cause=supplier"]
# Safety net only: how long to wait for a send to show progress before the test gives up.
PROGRESS_TIMEOUT = 120


class SlowMailbox:
    """An aiosmtpd handler that counts every accepted message by recipient, taking `delay`
    seconds over each so that a send lasts long enough for a second sender to meet it.
    Addresses in `refuse_rcpt` are refused at RCPT with 550."""

    def __init__(self, delay=0.0, refuse_rcpt=()):
        self.delay = delay
        self.refuse_rcpt = set(refuse_rcpt)
        self.received = collections.Counter()
        self.message_ids = collections.defaultdict(set)  # recipient -> Message-IDs received
        self.rcpt_attempts = collections.Counter()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts[address] += 1
        if address in self.refuse_rcpt:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        message_id = next((line.split(b":", 1)[1].strip() for line in
                           envelope.content.split(b"\r\n") if line.startswith(b"Message-ID:")),
                          None)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[rcpt] += 1
                self.message_ids[rcpt].add(message_id)
        return "250 Message accepted for delivery"

    def total(self):
        with self.lock:
            return sum(self.received.values())


class ExactlyOnceTest(OutageTestCase):
    use_fixture_runbooks = False
    verify_log_at_end = True

    def setUp(self):
        super().setUp()
        self.outbox = os.path.join(self.tmp, "outbox")
        self.incident = self.open_incident("Leeds dark", "power-loss", "--service", "phones")
        self.ok("assess", self.incident, *ANSWERS)

    # Set-up ------------------------------------------------------------------------------

    def write_config(self, smtp_port=None, extra=""):
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write(f"outbox: {self.outbox}\n")
            if smtp_port:
                f.write(f"""email:
  host: 127.0.0.1
  port: {smtp_port}
  security: none
  from: "Ops <ops@example.com>"
""")
            f.write(extra)
        self.env["OUTAGE_CONFIG"] = config

    def customers(self, count, name="customers.csv"):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("email,name,organisation\n")
            for i in range(count):
                f.write(f"c{i}@org{i // 2}.example,Contact {i},Org {i // 2}\n")
        return path

    def start(self, *args, env=None):
        full_env = dict(self.env, **(env or {}))
        return subprocess.Popen([self.bin, *map(str, args)], env=full_env, cwd=self.tmp,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def finish(self, proc, timeout=PROGRESS_TIMEOUT):
        out, err = proc.communicate(timeout=timeout)
        return proc.returncode, out.decode(), err.decode()

    def states(self):
        return dict(self.query("SELECT state, count(*) FROM deliveries GROUP BY state"))

    def wait_until(self, condition, what):
        deadline = time.monotonic() + PROGRESS_TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"gave up waiting for {what}")
            time.sleep(0.005)

    # Two senders -------------------------------------------------------------------------

    def test_a_flush_and_the_same_notify_during_a_send_send_nothing_twice(self):
        mailbox = SlowMailbox(delay=0.01)
        self.write_config(self.serve_smtp(mailbox))
        count = 300
        notify = ["notify", self.incident, "--audience", "customers", "--channel", "email",
                  "--recipients", self.customers(count), "--eta", "2h"]
        first = self.start(*notify)
        self.wait_until(lambda: mailbox.total() >= 20, "the first send to get going")
        # cron's flush and the operator running the same command again, half-way through.
        flush = self.start("outbox", "--flush")
        again = self.start(*notify)
        results = [self.finish(p) for p in (first, flush, again)]
        for code, out, err in results:
            self.assertEqual(code, 0, out + err)
        self.assertEqual(len(mailbox.received), count)
        self.assertEqual(set(mailbox.received.values()), {1})
        self.assertEqual(self.states(), {"sent": count})
        self.assertEqual(self.query("SELECT count(*) FROM notices"), [(1,)])
        self.assertEqual(self.query("SELECT count(*) FROM deliveries WHERE claim_host IS NOT "
                                    "NULL"), [(0,)])

    def test_a_claim_whose_process_is_gone_is_taken_over_and_a_live_one_is_not(self):
        closed = reserve_port()  # nothing listens: the first send fails, leaving six queued
        self.addCleanup(closed.close)
        self.write_config(closed.getsockname()[1])
        code, out, err = self.run_outage("notify", self.incident, "--audience", "customers",
                                         "--channel", "email", "--recipients", self.customers(6),
                                         "--eta", "2h")
        self.assertEqual(code, 6, out + err)
        self.tamper("UPDATE deliveries SET state = 'pending', retry_at = NULL")
        ids = [row[0] for row in self.query("SELECT id FROM deliveries ORDER BY id")]
        host = socket.gethostname()
        with open(f"/proc/{os.getpid()}/stat") as f:
            started = int(f.read().rsplit(")", 1)[1].split()[19])
        claims = [
            ("elsewhere", 1, 1, "2026-11-22T09:00:00Z"),  # another host, past its lease
            ("elsewhere", 1, 1, "2026-11-22T09:59:00Z"),  # another host, a fresh claim
            (host, 999999999, 1, "2026-11-22T09:59:00Z"),  # a process of this host, gone
            (host, os.getpid(), started, "2026-11-22T09:59:00Z"),  # this test, running
        ]
        for delivery, claim in zip(ids, claims):
            self.tamper("UPDATE deliveries SET claim_host = ?, claim_pid = ?, claim_started = ?, "
                        "claimed_at = ? WHERE id = ?", (*claim, delivery))
        mailbox = SlowMailbox()
        self.write_config(self.serve_smtp(mailbox))
        code, out, err = self.run_outage("outbox", "--flush")
        self.assertEqual(code, 0, out + err)
        sent = {row[0] for row in self.query("SELECT id FROM deliveries WHERE state = 'sent'")}
        self.assertEqual(sent, {ids[0], ids[2], ids[4], ids[5]})
        self.assertEqual(len(mailbox.received), 4)
        self.assertIn("2 being sent", self.ok("outbox"))
        listing = self.run_json("outbox")
        self.assertEqual([(n["pending"], n["sending"], n["failed"]) for n in listing], [(0, 2, 0)])
        # A failed delivery claimed for its retry is being sent, not failed: no count goes
        # below nothing.
        self.tamper("UPDATE deliveries SET state = 'failed' WHERE id = ?", (ids[1],))
        listing = self.run_json("outbox")
        self.assertEqual([(n["pending"], n["sending"], n["failed"]) for n in listing], [(0, 2, 0)])
        self.tamper("UPDATE deliveries SET state = 'pending' WHERE id = ?", (ids[1],))
        # Two senders holding claims leave the log's tables as its events say, once done.
        self.tamper("UPDATE deliveries SET claim_host = NULL, claim_pid = NULL, "
                    "claim_started = NULL, claimed_at = NULL")
        self.ok("outbox", "--flush")
        self.assertEqual(self.states(), {"sent": 6})

    # Killed senders ----------------------------------------------------------------------

    def test_a_pickup_job_never_sees_a_message_twice_across_kills(self):
        self.write_config()
        count = 3000
        picked = os.path.join(self.tmp, "picked")
        os.mkdir(picked)
        seen = collections.Counter()
        stop = threading.Event()

        def pickup():
            # A mail relay's pickup job: takes each .eml away as soon as it appears.
            while not stop.is_set():
                try:
                    names = os.listdir(self.outbox)
                except FileNotFoundError:
                    names = []
                for name in names:
                    if name.endswith(".eml"):
                        seen[name] += 1
                        shutil.move(os.path.join(self.outbox, name),
                                    os.path.join(picked, f"{name}.{seen[name]}"))
                time.sleep(0.001)

        thread = threading.Thread(target=pickup, daemon=True)
        thread.start()
        self.addCleanup(stop.set)
        notify = ["notify", self.incident, "--audience", "customers", "--channel", "file",
                  "--recipients", self.customers(count), "--eta", "2h"]
        for target in (300, 900, 1600, 2300):
            proc = self.start(*notify)
            self.wait_until(lambda: sum(seen.values()) >= target or proc.poll() is not None,
                            f"{target} messages picked up")
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])
        self.ok(*notify)
        self.wait_until(lambda: not any(n.endswith(".eml") for n in os.listdir(self.outbox)),
                        "the pickup job to empty the outbox")
        stop.set()
        thread.join()
        self.assertEqual(len(seen), count)
        self.assertEqual([name for name, n in seen.items() if n != 1], [])
        self.assertEqual(self.states(), {"sent": count})
        self.assertEqual(os.listdir(os.path.join(self.outbox, ".partial")), [])

    def test_close_notify_cut_short_is_finished_by_running_it_again(self):
        mailbox = SlowMailbox()
        self.write_config(self.serve_smtp(mailbox))
        self.ok("notify", self.incident, "--audience", "status-page", "--eta", "2h")
        self.ok("notify", self.incident, "--audience", "customers", "--recipients",
                self.customers(40), "--eta", "2h")
        notices_before = self.query("SELECT count(*) FROM notices")[0][0]
        # The close is recorded and the all-clears never go: what a kill right after the close
        # leaves.
        code, out, err = self.run_outage("close", self.incident, "--resolution", "Power back")
        self.assertEqual(code, 0, out + err)
        code, out, err = self.run_outage("close", self.incident, "--resolution", "Power back")
        self.assertEqual(code, 5, out + err)
        self.assertIn("--notify --resolution TEXT` sends the all-clears", err)
        code, out, err = self.run_outage("close", self.incident, "--notify", "--resolution",
                                         "Power back")
        self.assertEqual(code, 0, out + err)
        self.assertIn("was closed", err)
        all_clears = self.query("SELECT audience, template FROM notices WHERE id > ? ORDER BY id",
                                (notices_before,))
        self.assertEqual(sorted(a for a, _ in all_clears), ["customers", "status-page"])
        self.assertEqual(set(mailbox.received.values()), {2})  # the notice and the all-clear
        # Again: nothing more is owed, nothing more is sent.
        code, out, err = self.run_outage("close", self.incident, "--notify", "--resolution",
                                         "Power back")
        self.assertEqual(code, 0, out + err)
        self.assertEqual(self.query("SELECT count(*) FROM notices")[0][0],
                         notices_before + len(all_clears))
        # Reopened and closed again with nobody told of the reopening: nobody is owed a
        # second all-clear.
        self.ok("reopen", self.incident, "--note", "flicker")
        code, out, err = self.run_outage("close", self.incident, "--notify", "--resolution",
                                         "Power back for good")
        self.assertEqual(code, 0, out + err)
        self.assertEqual(self.query("SELECT count(*) FROM notices")[0][0],
                         notices_before + len(all_clears))
        self.assertEqual(set(mailbox.received.values()), {2})
        self.assertEqual(list(self.states()), ["sent"])

    def test_close_notify_killed_during_the_all_clears_sends_each_once_when_run_again(self):
        mailbox = SlowMailbox(delay=0.002)
        self.write_config(self.serve_smtp(mailbox))
        count = 1000
        self.ok("notify", self.incident, "--audience", "status-page", "--eta", "2h")
        self.ok("notify", self.incident, "--audience", "customers", "--recipients",
                self.customers(count), "--eta", "2h")
        status_files = set(os.listdir(self.outbox))
        proc = self.start("close", self.incident, "--notify", "--resolution", "Power back")
        self.wait_until(lambda: mailbox.total() > count + 100 or proc.poll() is not None,
                        "all-clears to start going out")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertLess(mailbox.total(), 2 * count, "the close finished before the kill")
        code, out, err = self.run_outage("close", self.incident, "--notify", "--resolution",
                                         "Power back")
        self.assertEqual(code, 0, out + err)
        # Every customer has the all-clear under one Message-ID (a kill between the server's
        # acceptance and the mark sends that message again, under the same id, at most once
        # per connection under way); the status page its replacement once.
        self.assertEqual(len(mailbox.message_ids), count)
        self.assertEqual({len(ids) for ids in mailbox.message_ids.values()}, {2})
        self.assertLessEqual(mailbox.total() - 2 * count, 4)
        new = [n for n in os.listdir(self.outbox) if n not in status_files and n != ".partial"]
        self.assertEqual(len(new), 1)
        self.assertEqual(list(self.states()), ["sent"])

    # Locks, failures and stalls ------------------------------------------------------------

    def test_a_stdout_send_into_a_stopped_pager_holds_no_lock(self):
        self.write_config()
        # Enough messages to fill the pipe, which nobody reads: the send blocks writing.
        proc = subprocess.Popen(
            [self.bin, "notify", str(self.incident), "--audience", "customers", "--channel", "stdout",
             "--recipients", self.customers(2000), "--eta", "2h"],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        self.wait_until(lambda: self.query("SELECT count(*) FROM deliveries WHERE claim_host "
                                           "IS NOT NULL")[0][0] > 0, "the send to claim")
        code, out, err = self.run_outage("open", "--title", "Router down", "--scenario",
                                         "network-outage", "--dedup-key", "alert-7")
        self.assertEqual(code, 0, out + err)
        self.assertIsNone(proc.poll(), "the send ended: the pipe did not fill")
        proc.kill()
        proc.wait()

    def test_a_refused_recipient_is_not_retried_until_asked(self):
        bad = "c3@org1.example"
        mailbox = SlowMailbox(refuse_rcpt={bad})
        self.write_config(self.serve_smtp(mailbox))
        code, out, err = self.run_outage("notify", self.incident, "--audience", "customers",
                                         "--channel", "email", "--recipients", self.customers(6),
                                         "--eta", "2h")
        self.assertEqual(code, 6, out + err)
        self.assertIn("1 refused by the server for good", out)
        error = self.query("SELECT last_error, permanent FROM deliveries WHERE state = 'failed'")
        self.assertEqual(len(error), 1)
        self.assertEqual(error[0][1], 1)
        self.assertIn("550", error[0][0])
        # cron's flush leaves it alone and exits 0: a person has to look.
        code, out, err = self.run_outage("outbox", "--flush")
        self.assertEqual((code, err), (0, ""), out)
        self.assertEqual(mailbox.rcpt_attempts[bad], 1)
        out = self.ok("outbox")
        self.assertIn("1 refused for good", out)
        self.assertIn("550", out)
        # Asked to, it tries again.
        code, out, err = self.run_outage("outbox", "--flush", "--retry-failed")
        self.assertEqual(code, 6, out + err)
        self.assertEqual(mailbox.rcpt_attempts[bad], 2)
        self.assertEqual(sum(mailbox.received.values()), 5)

    def test_a_server_that_is_down_is_retried_after_a_backoff(self):
        closed = reserve_port()  # nothing listens: every connection is refused
        self.addCleanup(closed.close)
        self.write_config(closed.getsockname()[1])
        code, out, err = self.run_outage("notify", self.incident, "--audience", "customers",
                                         "--channel", "email", "--recipients", self.customers(4),
                                         "--eta", "2h")
        self.assertEqual(code, 6, out + err)
        self.assertEqual(self.states(), {"failed": 4})
        # A minute has not passed: the flush tries nothing, and says when it will.
        code, out, err = self.run_outage("outbox", "--flush")
        self.assertEqual(code, 6, out + err)
        self.assertIn("waiting to be retried at", out)
        self.assertEqual(self.query("SELECT max(attempts) FROM deliveries"), [(1,)])
        mailbox = SlowMailbox()
        self.write_config(self.serve_smtp(mailbox))
        code, out, err = self.run_outage("outbox", "--flush",
                                         env={"OUTAGE_NOW": "2026-11-22T10:02:00Z"})
        self.assertEqual(code, 0, out + err)
        self.assertEqual(self.states(), {"sent": 4})
        self.assertEqual(len(mailbox.received), 4)

    def test_a_stalled_server_stops_the_send_after_a_few_timeouts(self):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)  # accepts connections and never answers
        self.addCleanup(listener.close)
        self.write_config(listener.getsockname()[1])
        with open(self.env["OUTAGE_CONFIG"], "a") as f:
            f.write("  timeout: 1s\n")
        code, out, err = self.run_outage("notify", self.incident, "--audience", "customers",
                                         "--channel", "email", "--recipients",
                                         self.customers(200), "--eta", "2h")
        self.assertEqual(code, 6, out + err)
        self.assertIn("timed out", out)
        states = self.states()
        self.assertLessEqual(states.get("failed", 0), 8)  # a few per connection at most
        self.assertGreaterEqual(states.get("pending", 0), 190)
        self.assertEqual(self.query("SELECT count(*) FROM deliveries WHERE claim_host IS NOT "
                                    "NULL"), [(0,)])

    def test_a_flush_goes_on_past_a_notice_whose_channel_cannot_be_built(self):
        smtp_down = reserve_port()
        self.addCleanup(smtp_down.close)
        hook_socket = reserve_port()  # nothing listens yet: the webhook notice fails
        self.addCleanup(hook_socket.close)
        path = os.path.join(self.tmp, "config.yaml")
        with open(path, "w") as f:
            f.write(f"""outbox: {self.outbox}
email:
  host: 127.0.0.1
  port: {smtp_down.getsockname()[1]}
  security: none
  username: ops
  password_env: SMTP_PASSWORD
  from: "Ops <ops@example.com>"
webhooks:
  chat: {{url: "http://127.0.0.1:{hook_socket.getsockname()[1]}/chat", format: text}}
""")
        self.env["OUTAGE_CONFIG"] = path
        code, out, err = self.run_outage("notify", self.incident, "--audience", "customers",
                                         "--channel", "email", "--recipients", self.customers(2),
                                         "--eta", "2h", env={"SMTP_PASSWORD": "secret"})
        self.assertEqual(code, 6, out + err)
        code, out, err = self.run_outage("notify", self.incident, "--audience", "chat",
                                         "--template", "staff-alert", "--channel", "webhook",
                                         "--to", "chat", "--note", "Phones down")
        self.assertEqual(code, 6, out + err)
        # The webhook's server is up now; the SMTP password variable is not set in cron.
        received = []

        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Hook, bind_and_activate=False)
        server.socket.close()
        server.socket = hook_socket
        server.server_activate()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        code, out, err = self.run_outage("outbox", "--flush", "--retry-failed")
        self.assertEqual(code, 6, out + err)
        self.assertIn("was not tried", out)
        self.assertIn("SMTP_PASSWORD", out)
        self.assertEqual(len(received), 1)
        self.assertEqual(self.query("SELECT n.audience, d.state FROM deliveries d JOIN notices n "
                                    "ON n.id = d.notice_id ORDER BY d.id"),
                         [("customers", "failed"), ("customers", "failed"), ("chat", "sent")])

"""notify, outbox and template render end to end, against real servers on 127.0.0.1: an
aiosmtpd SMTP server and an HTTP listener for webhooks. The messages they receive are
checked byte for byte against what `template render` produces."""

import email
import email.policy
import http.server
import json
import os
import signal
import subprocess
import threading

from harness import OutageTestCase, reserve_port, smtp_server

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

ANSWERS_SEV1 = ["--answer", "scope=floor", "--answer", "samples_at_risk=no", "--answer",
                "people=20", "--answer", "realtime=no", "--answer", "reporter=Ann"]


class Mailbox:
    """An aiosmtpd handler that keeps every accepted message. `refuse_at` makes it call
    `on_refuse` and answer 451 for that message number instead of accepting it."""

    def __init__(self):
        self.messages = []
        self.sessions = []  # the session objects themselves: a freed one's id could recur
        self.refuse_at = None
        self.on_refuse = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_at is not None and len(self.messages) + 1 == self.refuse_at:
                self.refuse_at = None
                self.on_refuse()
                return "451 Requested action aborted: try again later"
            self.messages.append((envelope.rcpt_tos, envelope.content))
            if not any(seen is session for seen in self.sessions):
                self.sessions.append(session)
        return "250 Message accepted for delivery"


class Hooks(http.server.BaseHTTPRequestHandler):
    received = []
    status = 200

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Hooks.received.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(Hooks.status)
        self.end_headers()

    def log_message(self, *args):
        pass


class NotifyTest(OutageTestCase):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def setUp(self):
        super().setUp()
        self.env["OUTAGE_RUNBOOKS"] = os.path.join(DATA, "runbooks", "good")
        self.env["OUTAGE_TEMPLATES"] = os.path.join(DATA, "templates")
        self.outbox = os.path.join(self.tmp, "outbox")
        self.mailbox = Mailbox()
        # The server listens on a socket bound to port 0 and kept: no free port is looked up
        # and bound again later, which another process could take in between.
        self.controller = self.start_smtp(reserve_port())
        self.smtp_port = self.controller.port
        Hooks.received = []
        Hooks.status = 200
        # Bound to port 0 and kept: the hooks' URL names the port it actually got.
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
        self.addCleanup(self.http.server_close)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.addCleanup(self.http.shutdown)
        self.write_config()
        self.incident = self.open_incident("Flood in lab 2", "lab-flood", "--service", "booking",
                                           "--service", "lab access")
        self.ok("assess", str(self.incident), *ANSWERS_SEV1)

    def start_smtp(self, sock):
        """Starts an SMTP server for self.mailbox on `sock` (from reserve_port())."""
        self.addCleanup(sock.close)
        controller = smtp_server(self.mailbox, sock)
        controller.start()
        self.addCleanup(controller.stop)
        return controller

    def write_config(self, password_env=None):
        config = os.path.join(self.tmp, "config.yaml")
        hook = f"http://127.0.0.1:{self.http.server_address[1]}/hooks/abc"
        with open(config, "w") as f:
            f.write(f"""outbox: {self.outbox}
organisation: Example Ltd
email:
  host: 127.0.0.1
  port: {self.smtp_port}
  security: none
  from: "Ops <ops@example.com>"
  connections: 1
""" + (f"  username: ops\n  password_env: {password_env}\n" if password_env else "") + f"""
webhooks:
  chat: {{url: "{hook}", format: text}}
  feed: {{url: "{hook}/feed", format: notice}}
""")
        self.env["OUTAGE_CONFIG"] = config

    def recipients(self, rows, header="email,name,organisation,lang"):
        path = os.path.join(self.tmp, "recipients.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(header + "\n" + "".join(row + "\n" for row in rows))
        return path

    def rendered(self, *args):
        out = self.ok("template", "render", str(self.incident), *args)
        subject, body = out.split("\n\n", 1)
        return subject.removeprefix("Subject: "), body

    # ---------------------------------------------------------------------------------------

    def test_a_bulk_email_send_reuses_its_smtp_connections(self):
        csv = self.recipients([f"contact{i}@example.com,Contact {i},Org {i // 2},en"
                               for i in range(40)])
        out = self.ok("notify", str(self.incident), "--audience", "customers", "--channel",
                      "email", "--recipients", csv, "--eta", "2h")
        self.assertIn("40 sent, 0 failed, 0 pending", out)
        self.assertEqual(len(self.mailbox.messages), 40)
        # email.connections (default 4) side by side, each kept for message after message.
        self.assertLessEqual(len(self.mailbox.sessions), 4)

    def test_email_matches_template_render_byte_for_byte(self):
        csv = self.recipients(["ann@example.com,Ann Smith,Acme,en",
                               "jan@example.nl,Jan de Vries,Acme,nl"])
        out = self.ok("notify", str(self.incident), "--audience", "customers", "--channel",
                      "email", "--recipients", csv, "--eta", "2h", "--note",
                      "Zażółć gęślą jaźń {{owner}}")
        self.assertIn("2 sent, 0 failed, 0 pending", out)
        self.assertEqual(len(self.mailbox.messages), 2)
        for (rcpts, raw), (name, lang) in zip(self.mailbox.messages,
                                              [("Ann Smith", "en"), ("Jan de Vries", "nl")]):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            subject, body = self.rendered("--template", "customer-first-notice", "--lang", lang,
                                          "--eta", "2h", "--audience", "customers", "--note",
                                          "Zażółć gęślą jaźń {{owner}}")
            # The render has no recipient; the message greets them by name.
            expected = body.replace("klant" if lang == "nl" else "customer", name, 1)
            self.assertEqual(str(message["Subject"]), subject)
            # The wire has CRLF line ends (RFC 5322); the text is otherwise the same.
            self.assertEqual(message.get_content().replace("\r\n", "\n"), expected)
            self.assertIn("{{owner}}", message.get_content())  # never expanded again
            self.assertEqual(message["From"], "Ops <ops@example.com>")
            self.assertTrue(message["Message-ID"].startswith(f"<outage.{self.incident}."))
            self.assertIsNotNone(message["Date"])
        # An external notice moves the next update forward by the interval (SEV1: 30m).
        shown = self.run_json("show", str(self.incident))
        self.assertEqual(shown["next_update_due"], "2026-11-22T10:30:00Z")
        kinds = [e["kind"] for e in shown["timeline"]]
        self.assertEqual(kinds[-2:], ["notice", "notice_sent"])

    def test_same_call_repeats_later_and_a_new_note_is_a_new_notice(self):
        args = ["notify", str(self.incident), "--audience", "frontline", "--channel", "email",
                "--to", "desk@example.com", "--note", "Pumps on their way"]
        self.ok(*args)
        # Moments later the same call is taken for an accident: refused, nothing recorded.
        before = self.snapshot_db()
        self.assert_fails(args, 5, "outage: notice 1 to frontline went out 0s ago with the same "
                                   "message; to send it again as a new update, add --again\n")
        self.assertEqual(self.snapshot_db(), before)
        self.assertEqual(len(self.mailbox.messages), 1)
        self.ok(*args[:-1], "Pumps arrived")
        self.assertEqual(len(self.mailbox.messages), 2)
        self.assertEqual(self.query("SELECT count(*) FROM notices")[0][0], 2)
        # Two hours later the same call is the next update: a new notice, a fresh promise.
        out = self.ok(*args, env={"OUTAGE_NOW": "2026-11-22T12:00:00Z"})
        self.assertIn("Notice 3 to frontline: 1 sent", out)
        self.assertEqual(len(self.mailbox.messages), 3)
        # --again sends at once.
        self.ok(*args, "--again", env={"OUTAGE_NOW": "2026-11-22T12:00:00Z"})
        self.assertEqual(len(self.mailbox.messages), 4)

    def test_bulk_send_killed_part_way_resumes_without_duplicates(self):
        rows = [f"user{i}@example.com,User {i},Org{i // 2},en" for i in range(1000)]
        csv = self.recipients(rows)
        args = [self.bin, "notify", str(self.incident), "--audience", "customers", "--channel",
                "email", "--recipients", csv, "--eta", "3h"]
        proc = subprocess.Popen(args, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=self.tmp)
        self.mailbox.on_refuse = lambda: os.kill(proc.pid, signal.SIGKILL)
        self.mailbox.refuse_at = 400
        self.assertEqual(proc.wait(timeout=120), -signal.SIGKILL)
        self.assertEqual(len(self.mailbox.messages), 399)
        states = dict(self.query("SELECT state, count(*) FROM deliveries GROUP BY state"))
        self.assertEqual(states, {"sent": 399, "pending": 601})
        out = self.ok(*args[1:])
        self.assertIn("1000 sent, 0 failed, 0 pending", out)
        received = [rcpt for rcpts, _ in self.mailbox.messages for rcpt in rcpts]
        self.assertEqual(len(received), 1000)
        self.assertEqual(sorted(received), sorted(f"user{i}@example.com" for i in range(1000)))

    def test_mail_server_down_queues_then_outbox_flush_delivers(self):
        # The mail server is down: its port is held by a socket that does not listen, so the
        # connection is refused, and the server comes up on that same socket (no port is let
        # go and bound again, which another process could take in between).
        down = reserve_port()
        self.addCleanup(down.close)
        self.smtp_port = down.getsockname()[1]
        self.write_config()
        code, out, err = self.run("notify", str(self.incident), "--audience", "frontline",
                                  "--channel", "email", "--to", "desk@example.com")
        self.assertEqual(code, 6, out + err)
        self.assertIn("0 sent, 1 failed, 0 pending", out)
        listing = self.run_json("outbox")
        self.assertEqual(len(listing), 1)
        self.assertEqual(listing[0]["failed"], 1)
        self.assertIn("SMTP 127.0.0.1", listing[0]["last_error"])
        self.start_smtp(down)
        # cron's next run, five minutes on: past the failure's one-minute backoff.
        flushed = self.run_json("outbox", "--flush", env={"OUTAGE_NOW": "2026-11-22T10:05:00Z"})
        self.assertEqual(flushed[0]["sent"], 1)
        self.assertEqual(self.run_json("outbox"), [])
        self.assertEqual(len(self.mailbox.messages), 1)

    def test_file_channel_writes_eml_files_owner_only(self):
        self.ok("notify", str(self.incident), "--audience", "customers", "--channel", "file",
                "--to", "a@example.com", "--to", "b@example.com", "--eta", "14:00")
        files = sorted(f for f in os.listdir(self.outbox) if f != ".partial")
        self.assertEqual(len(files), 2)
        self.assertEqual(os.listdir(os.path.join(self.outbox, ".partial")), [])
        self.assertTrue(all(f.endswith(".eml") for f in files))
        self.assertEqual(os.stat(self.outbox).st_mode & 0o777, 0o700)
        for name in files:
            path = os.path.join(self.outbox, name)
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
            with open(path, "rb") as f:
                raw = f.read()
            self.assertIn(b"\r\nContent-Type: text/plain; charset=UTF-8\r\n", raw)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            self.assertIn("We expect it back by 2026-11-22 14:00 CET.",
                          message.get_content().replace("\r\n", "\n"))

    def test_webhooks_text_and_notice(self):
        self.ok("notify", str(self.incident), "--audience", "frontline", "--channel", "webhook",
                "--to", "chat", "--note", "Pumps on their way")
        path, headers, body = Hooks.received[0]
        self.assertEqual(path, "/hooks/abc")
        self.assertEqual(headers["Content-Type"], "application/json")
        subject, rendered = self.rendered("--template", "frontline-briefing", "--note",
                                          "Pumps on their way", "--audience", "frontline")
        self.assertEqual(json.loads(body), {"text": f"*{subject}*\n\n{rendered}"})
        self.ok("notify", str(self.incident), "--audience", "frontline", "--channel", "webhook",
                "--to", "feed", "--note", "Second")
        path, _, body = Hooks.received[1]
        self.assertEqual(path, "/hooks/abc/feed")
        notice = json.loads(body)
        self.assertEqual(notice["audience"], "frontline")
        self.assertEqual(notice["incident"], self.incident)
        self.assertIn("Update: Second", notice["body"])

    def test_webhook_error_status_is_a_failed_delivery(self):
        Hooks.status = 500
        code, out, err = self.run("notify", str(self.incident), "--audience", "frontline",
                                  "--channel", "webhook", "--to", "chat")
        self.assertEqual(code, 6)
        self.assertEqual(self.query("SELECT last_error FROM deliveries")[0][0],
                         "webhook chat: the server answered HTTP 500")

    def test_refusals_change_nothing(self):
        self.assert_fails(["notify", str(self.incident), "--audience", "customers", "--channel",
                           "email", "--to", "a@example.com", "--eta", "1h"], 2,
                          "the plan tells customers through at least 2 recipients; 1 given")
        csv = self.recipients(["a@example.com,A,Acme,en", "b@example.com,B,Acme,en",
                               "c@example.com,C,Solo,en"])
        self.assert_fails(["notify", str(self.incident), "--audience", "customers", "--channel",
                           "email", "--recipients", csv, "--eta", "1h"], 2,
                          "each customers organisation through at least 2 contacts; 'Solo' has 1")
        bad = self.recipients(["a@example.com,A,Acme,en", "b@example,B,Acme,en"])
        self.assert_fails(["notify", str(self.incident), "--audience", "customers", "--channel",
                           "email", "--recipients", bad, "--eta", "1h"], 2,
                          f"{bad}:3: invalid e-mail address 'b@example'")
        self.assert_fails(["notify", str(self.incident), "--audience", "customers", "--channel",
                           "email", "--to", "a@example.com", "--to", "b@example.com"], 2,
                          "template customer-first-notice needs eta: pass --eta")
        self.assert_fails(["notify", str(self.incident), "--audience", "press"], 2,
                          "the lab-flood runbook has no plan for audience 'press'")
        self.assert_fails(["notify", "99", "--audience", "frontline"], 3, "no incident 99")
        self.assert_fails(["notify", str(self.incident), "--audience", "frontline", "--channel",
                           "email", "--to", "a@example.com\r\nBcc: x@example.com"], 2,
                          "--to: character U+000D (CARRIAGE RETURN) at position 14")
        self.write_config(password_env="OUTAGE_TEST_SMTP_PASSWORD")
        err = self.assert_fails(["notify", str(self.incident), "--audience", "frontline",
                                 "--channel", "email", "--to", "a@example.com"], 1,
                                "the SMTP password variable OUTAGE_TEST_SMTP_PASSWORD is not set")
        self.assertEqual(self.mailbox.messages, [])

    def test_language_fallback_is_said_on_stderr(self):
        # --lang must be a language some template is written in (test_bad_bytes.py); a
        # recipient's language that none is falls back to English, said once.
        csv = self.recipients(["ann@example.com,Ann,Acme,de", "bo@example.com,Bo,Acme,de"])
        code, out, err = self.run("notify", str(self.incident), "--audience", "customers",
                                  "--channel", "stdout", "--recipients", csv, "--eta", "1h")
        self.assertEqual(code, 0, err)
        self.assertEqual(
            err.count("template customer-first-notice has no 'de' version; using English\n"), 1,
            err)
        self.assertIn("Dear Ann,", out)
        self.assertIn("Dear Bo,", out)

    def test_dry_run_records_nothing(self):
        before = self.snapshot_db()
        code, out, err = self.run("notify", str(self.incident), "--audience", "customers",
                                  "--channel", "email", "--to", "a@example.com", "--to",
                                  "b@example.com", "--eta", "1h", "--dry-run")
        self.assertEqual(code, 0, err)
        self.assertEqual(out.count("Subject: Disruption of booking, lab access (INC-1)"), 2)
        self.assertIn("dry run: 2 messages rendered", err)
        self.assertEqual(self.snapshot_db(), before)
        self.assertEqual(self.mailbox.messages, [])

    def test_external_messages_never_carry_internal_fields(self):
        out = self.ok("template", "render", str(self.incident), "--template",
                      "customer-first-notice", "--eta", "1h", "--internal-note", "db-07 died")
        self.assertNotIn("db-07", out)
        self.assertNotIn("Flood in lab 2", out)  # the title is internal

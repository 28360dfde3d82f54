"""Failed deliveries told apart and explained (issue 12, items 3, 6, 11, 12 and 14): against
real servers on 127.0.0.1 (an aiosmtpd server that refuses some recipients, an HTTP listener
that answers 400, 429 and 500, a listener that never answers), each delivery's last error
names the server's code, text and stage; every webhook request carries an Idempotency-Key
that a resend repeats; a login in clear to another machine is refused."""

import email
import email.policy
import http.server
import json
import os
import socket

from harness import OutageTestCase

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

ANSWERS_SEV1 = ["--answer", "scope=floor", "--answer", "samples_at_risk=no", "--answer",
                "people=20", "--answer", "realtime=no", "--answer", "reporter=Ann"]


class Refusing:
    """An aiosmtpd handler: 550 at RCPT for bob@example.com, 554 at the end of DATA for a
    message to spam@example.com; everything else is accepted and kept."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "bob@example.com":
            return "550 5.1.1 <bob@example.com>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "spam@example.com" in envelope.rcpt_tos:
            return "554 5.6.0 Message refused: looks like spam"
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


class Hooks(http.server.BaseHTTPRequestHandler):
    """Answers each path with the status and body in `answers` (200 otherwise) and records
    every request's path, headers and body."""

    answers = {}
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hooks.received.append((self.path, dict(self.headers), body))
        status, text = Hooks.answers.get(self.path, (200, b""))
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args):
        pass


class DeliveryFailuresTest(OutageTestCase):
    verify_log_at_end = True

    def setUp(self):
        super().setUp()
        self.env["OUTAGE_RUNBOOKS"] = os.path.join(DATA, "runbooks", "good")
        self.env["OUTAGE_TEMPLATES"] = os.path.join(DATA, "templates")
        self.outbox = os.path.join(self.tmp, "outbox")
        self.mailbox = Refusing()
        self.smtp_port = self.serve_smtp(self.mailbox)
        Hooks.answers = {}
        Hooks.received = []
        self.hooks = self.serve_http(Hooks) + "/hooks"
        self.write_config()
        self.incident = self.open_incident("Flood in lab 2", "lab-flood", "--service", "booking")
        self.ok("assess", str(self.incident), *ANSWERS_SEV1)

    def write_config(self, port=None, email_extra="", timeout="30s"):
        self.config = os.path.join(self.tmp, "config.yaml")
        with open(self.config, "w") as f:
            f.write(f"""outbox: {self.outbox}
organisation: Example Ltd
email:
  host: 127.0.0.1
  port: {port or self.smtp_port}
  security: none
  from: "Ops <ops@example.com>"
  timeout: {timeout}
{email_extra}webhooks:
  bad: {{url: "{self.hooks}/bad", format: text}}
  busy: {{url: "{self.hooks}/busy", format: notice}}
  down: {{url: "{self.hooks}/down", format: text}}
  fine: {{url: "{self.hooks}/fine", format: notice}}
""")
        self.env["OUTAGE_CONFIG"] = self.config

    def notify(self, channel, *recipients):
        args = ["notify", str(self.incident), "--audience", "frontline", "--channel", channel]
        for recipient in recipients:
            args += ["--to", recipient]
        return self.run(*args)

    def last_errors(self):
        return dict(self.query("SELECT recipient, last_error FROM deliveries"))

    # ---------------------------------------------------------------------------------------

    def test_smtp_refusals_carry_the_code_text_and_stage(self):
        code, out, err = self.notify("email", "ann@example.com", "bob@example.com",
                                     "spam@example.com", "cid@example.com")
        self.assertEqual(code, 6, out + err)
        self.assertIn("2 sent, 2 failed, 0 pending", out)
        server = f"SMTP 127.0.0.1:{self.smtp_port}"
        errors = self.last_errors()
        self.assertEqual(errors["bob@example.com"],
                         f"{server}: 550 5.1.1 <bob@example.com>: no such user (at RCPT TO)")
        # libcurl's own words for this are "Weird server reply".
        self.assertEqual(errors["spam@example.com"],
                         f"{server}: 554 5.6.0 Message refused: looks like spam "
                         "(at the end of DATA)")
        self.assertEqual([errors["ann@example.com"], errors["cid@example.com"]], [None, None])
        self.assertEqual(sorted(r for rcpts, _ in self.mailbox.messages for r in rcpts),
                         ["ann@example.com", "cid@example.com"])
        # outbox shows the first undelivered one's reason.
        listing = self.run_json("outbox")
        self.assertEqual((listing[0]["failed"], listing[0]["refused"]), (0, 2))
        self.assertEqual(listing[0]["last_error"], errors["bob@example.com"])
        self.assertIn("last error: " + errors["bob@example.com"], self.ok("outbox"))

    def test_a_server_that_never_answers_is_a_timeout(self):
        # Listening, so the connection is made, but nobody ever accepts it or says a word.
        silent = socket.socket()
        self.addCleanup(silent.close)
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        self.write_config(port=port, timeout="1s")
        code, out, err = self.notify("email", "desk@example.com")
        self.assertEqual(code, 6, out + err)
        self.assertEqual(self.last_errors(),
                         {"desk@example.com":
                          f"SMTP 127.0.0.1:{port}: no answer within 1 s (at the greeting)"})

    def test_webhook_failures_carry_the_status_and_body(self):
        Hooks.answers = {
            "/hooks/bad": (400, b'{"error": "unknown channel\\n#ops"}\n\x1b[2J'),
            "/hooks/busy": (429, b"slow down"),
            "/hooks/down": (500, b""),
        }
        code, out, err = self.notify("webhook", "bad", "busy", "down", "fine")
        self.assertEqual(code, 6, out + err)
        self.assertIn("1 sent, 3 failed, 0 pending", out)
        self.assertEqual(self.last_errors(), {
            "bad": 'webhook bad: the server answered HTTP 400: {"error": "unknown channel\\n#ops"} '
                   "[2J",
            "busy": "webhook busy: the server answered HTTP 429: slow down",
            "down": "webhook down: the server answered HTTP 500",
            "fine": None,
        })

    def test_every_webhook_request_carries_a_stable_idempotency_key(self):
        Hooks.answers = {"/hooks/down": (500, b"")}
        code, out, err = self.notify("webhook", "down", "fine", "busy")
        self.assertEqual(code, 6, out + err)
        Hooks.answers = {}
        # cron's next run, five minutes on: past the 500's one-minute backoff.
        flushed = self.run_json("outbox", "--flush", env={"OUTAGE_NOW": "2026-11-22T10:05:00Z"})
        self.assertEqual((flushed[0]["failed"], flushed[0]["pending"]), (0, 0))
        self.assertEqual(self.run_json("outbox"), [])
        keys = {}
        for path, headers, _ in Hooks.received:
            self.assertIn("Idempotency-Key", headers, path)
            keys.setdefault(path, []).append(headers["Idempotency-Key"])
        # The resent request says it is the same delivery; different deliveries differ.
        self.assertEqual(len(keys["/hooks/down"]), 2)
        self.assertEqual(len(set(keys["/hooks/down"])), 1)
        firsts = [values[0] for values in keys.values()]
        self.assertEqual(len(set(firsts)), 3)
        self.assertTrue(all(values == values[:1] * len(values) for values in keys.values()))
        # A new notice to the same hook is a new key.
        self.ok("notify", str(self.incident), "--audience", "frontline", "--channel", "webhook",
                "--to", "fine", "--note", "Pumps arrived")
        self.assertNotIn(Hooks.received[-1][1]["Idempotency-Key"], firsts)

    def test_a_long_subject_goes_out_folded(self):
        # A title of 1,000 characters gives a subject over 998; aiosmtpd refuses lines longer.
        title = " ".join(f"word{i:03}" for i in range(125))[:1000].strip()
        incident = self.open_incident(title, "lab-flood", "--service", "booking")
        self.ok("assess", str(incident), *ANSWERS_SEV1)
        out = self.ok("notify", str(incident), "--audience", "frontline", "--channel", "email",
                      "--to", "ann@example.com")
        self.assertIn("1 sent, 0 failed", out)
        (_, raw), = self.mailbox.messages
        head = raw.split(b"\r\n\r\n", 1)[0]
        self.assertTrue(all(len(line) <= 78 for line in head.split(b"\r\n")), head)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertTrue(str(message["Subject"]).endswith(title), message["Subject"])

    def test_a_login_in_clear_to_another_machine_is_refused(self):
        self.write_config(email_extra="  username: ops\n  password_env: OUTAGE_TEST_PASSWORD\n")
        with open(self.config) as f:
            text = f.read()
        with open(self.config, "w") as f:
            f.write(text.replace("host: 127.0.0.1", "host: smtp.example.com"))
        self.assert_fails(
            ["notify", str(self.incident), "--audience", "frontline", "--channel", "email",
             "--to", "ann@example.com"], 4,
            f"outage: {self.config}:6:13: security: none would send the SMTP password of 'ops' "
            "unencrypted to smtp.example.com; use starttls or tls, or add allow_plaintext_auth: "
            "true to the email section\n", env={"OUTAGE_TEST_PASSWORD": "secret"})
        self.assertEqual(self.mailbox.messages, [])

    def test_the_password_variable_is_checked_before_libcurl_is_loaded(self):
        self.write_config(email_extra="  username: ops\n  password_env: OUTAGE_TEST_PASSWORD\n")
        args = ["notify", str(self.incident), "--audience", "frontline", "--channel", "email",
                "--to", "ann@example.com"]
        code, out, err = self.run(*args, env={"LD_DEBUG": "libs"})
        self.assertEqual(code, 1, out + err)
        self.assertIn("the SMTP password variable OUTAGE_TEST_PASSWORD is not set", err)
        self.assertFalse("libcurl.so.4" in err, "libcurl was loaded")
        # The same with the variable set loads it and sends (so the check above can fail).
        code, out, err = self.run(*args, env={"LD_DEBUG": "libs",
                                              "OUTAGE_TEST_PASSWORD": "secret"})
        self.assertEqual(code, 0, out + err)
        self.assertIn("libcurl.so.4", err)
        self.assertEqual(len(self.mailbox.messages), 1)

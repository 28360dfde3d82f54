"""The promises of docs/security.md, each proved against the built binary: private files, no
secret anywhere it could leak, no shell, no template re-expansion, no internal field in an
external message, header injection refused, and files others could change refused."""

import logging
import os
import re
import warnings

from aiosmtpd.smtp import AuthResult, LoginPassword

from harness import OutageTestCase, reserve_port, smtp_server

# This test server asks for AUTH over plain text on loopback on purpose; keep its warnings quiet.
warnings.filterwarnings("ignore", module="aiosmtpd")
logging.getLogger("mail.log").setLevel(logging.ERROR)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "s3cret-Pa55word-0f-the-0ps-mailbox"
ANSWERS = ["--answer", "where=our-services", "--answer", "scope=team", "--answer",
           "customers=many", "--answer", "impact=blocked", "--answer", "realtime=yes",
           "--answer", "downtime=hours", "--answer", "attack=no", "--answer", "workaround=no",
           "--answer", "cause=supplier"]


class Accept:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


class Authenticator:
    """Accepts the login only with the right password; remembers every attempt."""

    def __init__(self):
        self.attempts = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.attempts.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == SECRET.encode())


class SecurityTest(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.outbox = os.path.join(self.tmp, "outbox")
        self.mailbox, self.auth = Accept(), Authenticator()
        # Served on a socket bound to port 0 and kept, not on a port looked up and bound
        # again (another process could take it in between).
        sock = reserve_port()
        self.addCleanup(sock.close)
        controller = smtp_server(self.mailbox, sock, authenticator=self.auth,
                                 auth_require_tls=False, auth_required=True)
        self.smtp_port = controller.port
        controller.start()
        self.addCleanup(controller.stop)
        self.config = os.path.join(self.tmp, "config.yaml")
        with open(self.config, "w") as f:
            f.write(f"outbox: {self.outbox}\norganisation: Example Ltd\n"
                    f"email:\n  host: 127.0.0.1\n  port: {self.smtp_port}\n  security: none\n"
                    f"  from: \"Ops <ops@example.com>\"\n  username: ops\n"
                    f"  password_env: OUTAGE_TEST_PASSWORD\n")
        os.chmod(self.config, 0o600)
        self.env["OUTAGE_CONFIG"] = self.config
        self.incident = self.open_incident("Portal down at Acme Telecom", "network-outage",
                                           "--service", "portal")
        self.ok("assess", str(self.incident), *ANSWERS)

    def everything_written(self):
        """Every byte outage left on disk: the log (with its WAL) and the outbox."""
        blobs = []
        for folder in (os.path.dirname(self.db), self.outbox):
            for dirpath, _, names in os.walk(folder):
                for name in names:
                    with open(os.path.join(dirpath, name), "rb") as f:
                        blobs.append(f.read())
        return b"".join(blobs)

    def test_the_smtp_password_never_leaks(self):
        notify = ["notify", str(self.incident), "--audience", "staff", "--channel", "email",
                  "--to", "all@example.com", "--json"]
        # Wrong password: the delivery fails, and the error names no secret.
        code, out, err = self.run(*notify, env={"OUTAGE_TEST_PASSWORD": "wrong-" + SECRET})
        self.assertEqual(code, 6, err)
        self.assertNotIn(SECRET, out + err)
        listing = self.ok("outbox", "--json")
        self.assertNotIn(SECRET, listing)
        self.assertIn(("ops", ("wrong-" + SECRET).encode()), [
            (login.decode(), password) for login, password in self.auth.attempts])
        # Right password: delivered; the secret is in no output and nowhere on disk.
        # cron's next run, five minutes on: past the first failure's one-minute backoff.
        code, out, err = self.run("outbox", "--flush", env={"OUTAGE_TEST_PASSWORD": SECRET,
                                                            "OUTAGE_NOW": "2026-11-22T10:05:00Z"})
        self.assertEqual((code, err), (0, ""), out)
        self.assertEqual(len(self.mailbox.messages), 1)
        self.assertNotIn(SECRET, out)
        self.assertNotIn(SECRET.encode(), self.everything_written())
        self.assertNotIn(SECRET.encode(), self.mailbox.messages[0])
        shown = self.ok("show", str(self.incident), "--json")
        self.assertNotIn(SECRET, shown)

    def test_no_shell_anywhere(self):
        # Nothing in the source starts a shell or another program.
        calls = re.compile(r"\b(system|popen|execl|execlp|execle|execv|execvp|execvpe|"
                           r"posix_spawn|posix_spawnp)\s*\(")
        found = []
        for folder in ("src", "include"):
            for dirpath, _, names in os.walk(os.path.join(ROOT, folder)):
                for name in names:
                    with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                        for number, line in enumerate(f, 1):
                            if calls.search(line):
                                found.append(f"{name}:{number}: {line.strip()}")
        self.assertEqual(found, [])
        # And shell syntax in values stays text.
        marker = os.path.join(self.tmp, "pwned")
        note = f"$(touch {marker}) `touch {marker}` ; touch {marker}"
        out = self.ok("notify", str(self.incident), "--audience", "staff", "--channel",
                      "stdout", "--note", note)
        self.assertIn(note, out)
        self.assertFalse(os.path.exists(marker))

    def test_values_are_never_expanded_again(self):
        out = self.ok("notify", str(self.incident), "--audience", "staff", "--channel",
                      "stdout", "--note", "{{owner}} {{{title}}} {{#owner}}x{{/owner}}")
        self.assertIn("{{owner}} {{{title}}} {{#owner}}x{{/owner}}", out)

    def test_internal_fields_never_reach_an_external_message(self):
        out = self.ok("notify", str(self.incident), "--audience", "customers", "--channel",
                      "stdout", "--to", "a@example.com", "--to", "b@example.com",
                      "--internal-note", "Router R7 config pushed by Bob",
                      "--supplier", "Acme Telecom")
        for internal in ("Router R7", "Acme Telecom", "Portal down", "tester"):
            self.assertNotIn(internal, out)
        # A template that tries is refused by lint and at send time.
        mine = os.path.join(self.tmp, "templates")
        os.mkdir(mine)
        with open(os.path.join(mine, "leaky.en.mustache"), "w") as f:
            f.write("---\naudience: external\nsubject: x\n---\nOwner: {{owner}}\n")
        code, out, err = self.run("template", "lint", env={"OUTAGE_TEMPLATES": mine})
        self.assertEqual(code, 4)
        self.assertIn("leaky.en.mustache:5:8:", out + err)
        before = self.snapshot_db()
        code, out, err = self.run("notify", str(self.incident), "--audience", "customers",
                                  "--template", "leaky", "--channel", "stdout",
                                  env={"OUTAGE_TEMPLATES": mine})
        self.assertEqual((code, out), (4, ""))
        self.assertEqual(self.snapshot_db(), before)

    def test_header_injection_is_refused(self):
        before = self.snapshot_db()
        for to in ("a@example.com\r\nBcc: all@example.com", "a@example.com\nBcc: x@example.com",
                   "Ann <a@example.com>, b@example.com"):
            with self.subTest(to=to):
                self.assert_fails(["notify", str(self.incident), "--audience", "staff",
                                   "--channel", "email", "--to", to], 2, "--to")
        self.assertEqual(self.snapshot_db(), before)
        self.assertEqual(self.mailbox.messages, [])

    def test_files_others_could_change_are_refused(self):
        mine = os.path.join(self.tmp, "runbooks")
        os.mkdir(mine, 0o755)
        with open(os.path.join(ROOT, "runbooks", "power-loss.yaml")) as f:
            text = f.read()
        runbook = os.path.join(mine, "power-loss.yaml")
        with open(runbook, "w") as f:
            f.write(text)
        env = {"OUTAGE_RUNBOOKS": mine}
        self.ok("runbook", "show", "power-loss", env=env)
        for path, mode in ((runbook, 0o666), (mine, 0o777)):
            with self.subTest(path=path):
                os.chmod(path, mode)
                before = self.snapshot_db()
                code, out, err = self.run("open", "--scenario", "power-loss", "--title", "t",
                                          env=env)
                self.assertEqual((code, out), (4, ""))
                self.assert_one_error_line(err, "writable by its group and others")
                self.assertIn("chmod go-w", err)
                self.assertEqual(self.snapshot_db(), before)
                os.chmod(path, 0o644 if path == runbook else 0o755)
        # A shared sticky folder such as /tmp is fine: others cannot replace our file there.
        os.chmod(mine, 0o1777)
        self.ok("runbook", "show", "power-loss", env=env)
        os.chmod(mine, 0o755)
        # The config file decides where messages go: the same rule.
        os.chmod(self.config, 0o666)
        code, out, err = self.run("notify", str(self.incident), "--audience", "staff",
                                  "--channel", "stdout")
        self.assertEqual((code, out), (4, ""))
        self.assert_one_error_line(err, "writable by its group and others")
        os.chmod(self.config, 0o600)
        # And a template.
        mine = os.path.join(self.tmp, "templates")
        os.mkdir(mine)
        with open(os.path.join(ROOT, "templates", "staff-alert.en.mustache")) as f:
            text = f.read()
        template = os.path.join(mine, "staff-alert.en.mustache")
        with open(template, "w") as f:
            f.write(text)
        os.chmod(template, 0o646)
        code, out, err = self.run("notify", str(self.incident), "--audience", "staff",
                                  "--channel", "stdout", env={"OUTAGE_TEMPLATES": mine})
        self.assertEqual((code, out), (4, ""))
        self.assert_one_error_line(err, "writable by others")


if __name__ == "__main__":
    import unittest

    unittest.main()

"""Hostile input: adversarial runbooks and templates, broken databases, a full disk, malformed
recipient lists, answers and config. Each gives one clear `outage: ` line on stderr and the
documented exit code: never a crash, a stack trace, a sanitizer report or a partial write.
(Option values with control bytes, invalid UTF-8, impossible times and bad counts are in
test_errors.py.) The table is docs/errors.md."""

import os
import resource
import signal
import sqlite3
import subprocess

from harness import OutageTestCase

RUNTIME, USAGE, NOT_FOUND, INVALID = 1, 2, 3, 4

RUNBOOK_HEAD = ("version: 1\nid: evil\ntitle: Evil\ndescription: d\n"
                "questions:\n  - {id: q, prompt: p, type: yes-no}\n")
RUNBOOK_TAIL = "severity:\n  - {name: default, level: SEV4}\n"

# Runbooks: (case, file content, message). Loading `evil` must fail with exit 4.
RUNBOOKS = [
    ("deep nesting", "x: " + "[" * 20000 + "]" * 20000 + "\n", "evil.yaml"),
    ("deep block nesting", "".join("  " * i + f"k{i}:\n" for i in range(3000)), "evil.yaml"),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}]\n" for i in range(9)) + RUNBOOK_HEAD + RUNBOOK_TAIL, "evil.yaml"),
    ("huge scalar", RUNBOOK_HEAD.replace("title: Evil", "title: " + "x" * 5_000_000)
     + RUNBOOK_TAIL, "evil.yaml"),
    ("binary bytes", b"\x00\x01\xff\xfe\x80" * 100, "evil.yaml"),
    ("invalid UTF-8 in a value", RUNBOOK_HEAD.encode().replace(b"Evil", b"Ev\xffil")
     + RUNBOOK_TAIL.encode(), "evil.yaml"),
    ("tab indentation", RUNBOOK_HEAD + "severity:\n\t- {name: default, level: SEV4}\n",
     "evil.yaml"),
    ("empty file", "", "evil.yaml"),
    ("a list, not a mapping", "- a\n- b\n", "evil.yaml"),
    ("duplicate keys", RUNBOOK_HEAD + "title: Again\n" + RUNBOOK_TAIL, "evil.yaml"),
    ("unterminated quote", RUNBOOK_HEAD.replace("title: Evil", 'title: "Evil') + RUNBOOK_TAIL,
     "evil.yaml"),
    ("self-referencing merge key", "a: &a {<<: *a}\n", "evil.yaml"),
]

# Templates: (case, file content, message). `template lint` must fail with exit 4.
GOOD_FRONT = "---\naudience: internal\nsubject: s\n---\n"
TEMPLATES = [
    ("unclosed section", GOOD_FRONT + "{{#eta}}x\n", "bad.en.mustache"),
    ("crossed sections", GOOD_FRONT + "{{#eta}}{{#note}}{{/eta}}{{/note}}\n", "bad.en.mustache"),
    ("unclosed tag", GOOD_FRONT + "{{eta\n", "bad.en.mustache"),
    ("unclosed triple mustache", GOOD_FRONT + "{{{eta}}\n", "bad.en.mustache"),
    ("set delimiter", GOOD_FRONT + "{{=<% %>=}}<% eta %>\n", "bad.en.mustache"),
    ("partial", GOOD_FRONT + "{{> other}}\n", "bad.en.mustache"),
    ("front matter not closed", "---\naudience: internal\nsubject: s\nbody\n", "bad.en.mustache"),
    ("invalid UTF-8", GOOD_FRONT.encode() + b"caf\xe9\n", "bad.en.mustache"),
    ("deeply nested sections", GOOD_FRONT + "{{#note}}" * 50000 + "{{/note}}" * 50000 + "\n",
     "nested more than 32 deep"),
    ("bigger than 1 MiB", GOOD_FRONT + "x" * 1_100_000 + "\n", "at most 1048576 bytes"),
    ("closing an unopened section", GOOD_FRONT + "{{/eta}}\n", "bad.en.mustache"),
    ("unknown field", GOOD_FRONT + "{{password}}\n", "unknown field"),
    ("front matter not YAML", "---\n: : :\n---\nx\n", "bad.en.mustache"),
]


def ignore_sigxfsz_and_limit(size):
    """For a child process: writes past `size` bytes fail with EFBIG instead of killing it,
    as on a full disk."""
    def setup():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return setup


def as_nobody():
    """For a child process when the tests run as root, who may write anything: become an
    ordinary user, so file permissions mean what they mean for operators."""
    def setup():
        os.setgid(65534)
        os.setuid(65534)
    return setup if os.geteuid() == 0 else None


class HostileInputTest(OutageTestCase):
    def run_restricted(self, *args):
        """Runs outage as an ordinary user (see as_nobody); returns (code, out, err)."""
        if os.geteuid() == 0:
            for path in (self.tmp, os.path.dirname(self.db)):
                if os.path.exists(path):
                    os.chmod(path, 0o755)
        proc = subprocess.run([self.bin, *args], env=self.env, cwd="/", capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=30, preexec_fn=as_nobody())
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def assert_clean_failure(self, code, out, err, wanted_code, message):
        self.assertEqual(code, wanted_code, out + err)
        self.assert_one_error_line(err, message)
        for crash in ("terminate called", "Sanitizer", "runtime error", "Segmentation",
                      "what():", "Aborted", "stack"):
            self.assertNotIn(crash, err)

    def test_adversarial_runbooks(self):
        folder = os.path.join(self.tmp, "evil-runbooks")
        for case, content, message in RUNBOOKS:
            with self.subTest(case=case):
                os.makedirs(folder, exist_ok=True)
                mode = "wb" if isinstance(content, bytes) else "w"
                with open(os.path.join(folder, "evil.yaml"), mode) as f:
                    f.write(content)
                env = {"OUTAGE_RUNBOOKS": folder}
                before = self.snapshot_db()
                code, out, err = self.run("open", "--scenario", "evil", "--title", "t", env=env)
                self.assert_clean_failure(code, out, err, INVALID, message)
                self.assertEqual(self.snapshot_db(), before)
                code, out, err = self.run("runbook", "lint", os.path.join(folder, "evil.yaml"))
                self.assertEqual(code, INVALID, out + err)
                self.assertIn("evil.yaml:", out)

    def test_adversarial_templates(self):
        folder = os.path.join(self.tmp, "evil-templates")
        os.mkdir(folder)
        path = os.path.join(folder, "bad.en.mustache")
        for case, content, message in TEMPLATES:
            with self.subTest(case=case):
                mode = "wb" if isinstance(content, bytes) else "w"
                with open(path, mode) as f:
                    f.write(content)
                code, out, err = self.run("template", "lint", path)
                self.assertEqual(code, INVALID, out + err)
                self.assertIn("bad.en.mustache:", out)
                self.assertIn(message, out)
                incident = self.open_incident("t")
                before = self.snapshot_db()
                code, out, err = self.run("template", "render", str(incident), "--template",
                                          "bad", env={"OUTAGE_TEMPLATES": folder})
                self.assert_clean_failure(code, out, err, INVALID, "bad.en.mustache")
                self.assertEqual(self.snapshot_db(), before)

    def test_read_only_database(self):
        self.open_incident("t")
        os.chmod(self.db, 0o444)
        self.addCleanup(os.chmod, self.db, 0o600)
        before = self.snapshot_db()
        code, out, err = self.run_restricted("update", "1", "--note", "x")
        self.assert_clean_failure(code, out, err, RUNTIME, "read")
        self.assertEqual(self.snapshot_db(), before)

    def test_database_in_a_missing_or_unwritable_folder(self):
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w") as f:
            f.write("x")
        code, out, err = self.run("open", "--scenario", "malware", "--title", "t",
                                  "--db", os.path.join(blocker, "sub", "incidents.db"))
        self.assert_clean_failure(code, out, err, RUNTIME, "a-file")
        locked = os.path.join(self.tmp, "locked")
        os.mkdir(locked)
        os.chmod(locked, 0o555)
        self.addCleanup(os.chmod, locked, 0o700)
        code, out, err = self.run_restricted("open", "--scenario", "malware", "--title", "t",
                                             "--db", os.path.join(locked, "incidents.db"))
        self.assert_clean_failure(code, out, err, RUNTIME, "locked")
        self.assertEqual(os.listdir(locked), [])

    def test_corrupt_database_file(self):
        self.open_incident("t")
        with open(self.db, "r+b") as f:
            f.seek(100)
            f.write(os.urandom(3000))
        for args in (["show", "1"], ["update", "1", "--note", "x"], ["list"]):
            with self.subTest(args=args):
                code, out, err = self.run(*args)
                self.assert_clean_failure(code, out, err, RUNTIME, self.db)

    def test_database_from_a_newer_schema(self):
        self.open_incident("t")
        conn = sqlite3.connect(self.db)
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
        conn.close()
        before = self.snapshot_db()
        code, out, err = self.run("update", "1", "--note", "x")
        self.assert_clean_failure(code, out, err, RUNTIME, "newer")
        self.assertEqual(self.snapshot_db(), before)

    def test_disk_full(self):
        self.open_incident("t")
        before = self.snapshot_db()
        size = os.path.getsize(self.db)
        # The log may not grow by a single byte: a note this big needs new pages.
        proc = subprocess.run(
            [self.bin, "update", "1", "--note", "n" * 90_000], env=self.env, cwd=self.tmp,
            capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
            preexec_fn=ignore_sigxfsz_and_limit(size))
        out, err = proc.stdout.decode(), proc.stderr.decode()
        self.assert_clean_failure(proc.returncode, out, err, RUNTIME, "")
        self.assertIn("is the disk full?", err)
        self.assertEqual(self.snapshot_db(), before)
        self.ok("verify")
        # With room again, the same command works.
        self.ok("update", "1", "--note", "n" * 90_000)

    def test_disk_full_outbox(self):
        incident = self.open_incident("t")
        config = self.use_outbox_config()
        outbox = self.outbox
        notify = [self.bin, "notify", str(incident), "--audience", "x", "--template",
                  "staff-alert", "--channel", "file", "--config", config]
        self.ok(*notify[1:], "--to", "first@example.com")
        first = sorted(os.listdir(outbox))
        # A message bigger than the room left: the delivery fails and stays queued.
        proc = subprocess.run(
            notify + ["--to", "second@example.com", "--note", "y" * 50_000], env=self.env,
            cwd=self.tmp, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
            preexec_fn=ignore_sigxfsz_and_limit(40_000))
        out, err = proc.stdout.decode(), proc.stderr.decode()
        # Either the log could not grow (nothing recorded, exit 1) or the message could not be
        # written (recorded as failed and queued, exit 6).
        self.assertIn(proc.returncode, (RUNTIME, 6), out + err)
        if proc.returncode == RUNTIME:
            self.assert_one_error_line(err, "is the disk full?")
        for crash in ("terminate called", "Sanitizer", "Segmentation"):
            self.assertNotIn(crash, err)
        # Nothing half-written anywhere: the outbox is as it was, the partial folder empty.
        self.assertEqual(sorted(os.listdir(outbox)), first)
        self.assertEqual(os.listdir(os.path.join(outbox, ".partial")), [])
        states = self.query("SELECT state FROM deliveries ORDER BY id")
        self.assertEqual(states, [("sent",)] if proc.returncode == RUNTIME
                         else [("sent",), ("failed",)])

    def csv_case(self, content):
        incident = self.open_incident("t")
        path = os.path.join(self.tmp, "people.csv")
        with open(path, "wb") as f:
            f.write(content)
        args = ["notify", str(incident), "--audience", "x", "--template", "staff-alert",
                "--channel", "stdout", "--recipients", path]
        return args

    def test_malformed_recipient_lists(self):
        cases = [
            ("no email column", b"name\nAnn\n", "email"),
            ("unterminated quote", b'email\n"a@example.com\n', "people.csv:2"),
            ("invalid address", b"email\na@example.com\nnot an address\n", "people.csv:3"),
            ("NUL byte", b"email\na@exa\x00mple.com\n", "people.csv:2"),
            ("wrong field count", b"email,name\na@example.com,Ann,extra\n", "people.csv:2"),
            ("header injection", b'email\n"a@example.com\r\nBcc: b@example.com"\n',
             "people.csv:2"),
            ("invalid UTF-8", b"email,name\na@example.com,\xff\xfe\n", "people.csv:2"),
            ("empty file", b"", "people.csv"),
        ]
        for case, content, message in cases:
            with self.subTest(case=case):
                args = self.csv_case(content)
                before = self.snapshot_db()
                code, out, err = self.run(*args)
                self.assert_clean_failure(code, out, err, USAGE, message)
                self.assertEqual(out, "")
                self.assertEqual(self.snapshot_db(), before)

    def test_malformed_answers_and_config(self):
        incident = self.open_incident("t")
        answers = os.path.join(self.tmp, "answers.yaml")
        for case, content, message in [
            ("not YAML", b"down: [yes\n", "answers.yaml"),
            ("a list", b"- down\n", "answers.yaml"),
            ("binary", b"\x00\xff\x00", "answers.yaml"),
            ("nested value", b"down: {a: b}\n", "answers.yaml:1:1"),
        ]:
            with self.subTest(case=case):
                with open(answers, "wb") as f:
                    f.write(content)
                before = self.snapshot_db()
                code, out, err = self.run("assess", str(incident), "--answers-file", answers)
                self.assert_clean_failure(code, out, err, USAGE, message)
                self.assertEqual(self.snapshot_db(), before)
        config = os.path.join(self.tmp, "config.yaml")
        for case, content, message in [
            ("not YAML", "email: {host: [\n", "config.yaml"),
            ("unknown key", "outbx: /tmp/x\n", "outbx"),
            ("port out of range", "email: {host: h, from: a@b.example, port: 99999}\n", "port"),
        ]:
            with self.subTest(case=case):
                with open(config, "w") as f:
                    f.write(content)
                before = self.snapshot_db()
                code, out, err = self.run("notify", str(incident), "--audience", "x",
                                          "--template", "staff-alert", "--channel", "stdout",
                                          env={"OUTAGE_CONFIG": config})
                self.assert_clean_failure(code, out, err, INVALID, message)
                self.assertEqual(self.snapshot_db(), before)


if __name__ == "__main__":
    import unittest

    unittest.main()

"""The dispatcher (docs/architecture.md, "The dispatcher: what a command gets"): each command
gets only what its row of the command table names, options are checked before the log is
opened, read-only commands never create or change the log, and --help, --version and an
unknown command touch nothing."""

import os
import unittest

from harness import OutageTestCase, file_digest

USAGE, INVALID = 2, 4

TOP_LEVEL = ("init, open, assess, update, handoff, ack, brief, notify, outbox, steps, step, "
             "deadline, close, reopen, list, show, report, stats, export, status-page, due, "
             "runbook, template, verify")


class DispatchTestCase(OutageTestCase):
    def read_only_calls(self):
        """One call of every command whose row opens the log read-only."""
        return [
            ["list"], ["list", "--since", "2h"], ["show", "1"], ["verify"], ["brief", "1"],
            ["steps", "1"], ["outbox"], ["due"], ["export"], ["export", "--events"],
            ["report", "1"], ["stats"], ["status-page", "--out", os.path.join(self.tmp, "page")],
            ["template", "render", "1", "--template", "customer-update"],
        ]

    def assert_no_log(self, args):
        self.assertFalse(os.path.exists(self.db), f"outage {' '.join(args)} created the log")
        self.assertFalse(os.path.exists(os.path.dirname(self.db)),
                         f"outage {' '.join(args)} created the log's folder")

    def write_broken_config(self):
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write("outbox: [unclosed\n")
        self.env["OUTAGE_CONFIG"] = config
        return config


class ReadOnlyCommandsTest(DispatchTestCase):
    def test_on_a_missing_log_nothing_is_created(self):
        for args in self.read_only_calls():
            with self.subTest(args=args):
                code, out, err = self.run(*args)
                self.assertIn(code, (0, 2, 3), out + err)
                self.assert_no_log(args)

    def test_an_existing_log_is_left_as_it_was(self):
        self.open_incident()
        self.ok("update", "1", "--note", "n")
        digest = file_digest(self.db)
        for args in self.read_only_calls():
            with self.subTest(args=args):
                before = self.snapshot_db()
                code, out, err = self.run(*args)
                self.assertIn(code, (0, 2, 3), out + err)
                self.assertEqual(self.snapshot_db(), before)
        self.assertEqual(file_digest(self.db), digest)


class OnlyWhatTheRowNamesTest(DispatchTestCase):
    """A command that does not use the clock, the actor or the config is not stopped by a bad
    one: the dispatcher prepares only what the command's row names."""

    def setUp(self):
        super().setUp()
        self.open_incident()

    def test_a_bad_clock_stops_only_the_commands_that_read_it(self):
        env = {"OUTAGE_NOW": "garbage"}
        for args in (["list"], ["show", "1"], ["verify"], ["steps", "1"], ["outbox"],
                     ["export"], ["stats"], ["runbook", "list"], ["template", "list"]):
            with self.subTest(args=args):
                self.ok(*args, env=env)
        for args in (["list", "--since", "2h"], ["export", "--since", "1d"],
                     ["stats", "--since", "1d"], ["stats", "--html", "s.html"], ["due"],
                     ["brief", "1"], ["report", "1"], ["update", "1", "--note", "n"],
                     ["ack", "1"], ["reopen", "1", "--note", "n"],
                     ["template", "render", "1", "--template", "customer-update", "--eta", "2h"]):
            with self.subTest(args=args):
                self.assert_fails(args, USAGE, "invalid OUTAGE_NOW 'garbage'", env=env)

    def test_a_bad_actor_stops_only_the_commands_that_record_it(self):
        actor = "a\nb"
        for args in (["list"], ["show", "1"], ["brief", "1"], ["due"], ["verify"]):
            with self.subTest(args=args):
                self.ok("--as", actor, *args)
        for args in (["update", "1", "--note", "n"], ["open", "--scenario", "malware",
                                                      "--title", "t"]):
            with self.subTest(args=args):
                self.assert_fails(["--as", actor, *args], USAGE, "--as")

    def test_a_broken_config_stops_only_the_commands_that_load_it(self):
        config = self.write_broken_config()
        self.ok("open", "--scenario", "malware", "--title", "Second")
        for args in (["list"], ["show", "1"], ["update", "1", "--note", "n"], ["outbox"],
                     ["brief", "1"], ["due"]):
            with self.subTest(args=args):
                self.ok(*args)
        for args in (["notify", "1", "--audience", "customers"], ["outbox", "--flush"],
                     ["status-page", "--out", os.path.join(self.tmp, "page")],
                     ["template", "render", "1", "--template", "customer-update"],
                     ["close", "1", "--resolution", "r", "--notify"]):
            with self.subTest(args=args):
                self.assert_fails(args, INVALID, config)
        self.assertEqual(self.run_json("show", "1")["status"], "open")
        self.ok("close", "2", "--resolution", "r")

    def test_a_missing_config_file_matters_only_to_commands_that_load_it(self):
        env = {"OUTAGE_CONFIG": os.path.join(self.tmp, "nowhere.yaml")}
        self.ok("list", env=env)
        self.ok("update", "1", "--note", "n", env=env)
        self.assert_fails(["status-page", "--out", os.path.join(self.tmp, "page")], USAGE,
                          "nowhere.yaml: no such file", env=env)


class ChecksBeforeTheLogTest(DispatchTestCase):
    def test_bad_options_are_refused_before_the_log_is_opened(self):
        # A log outage cannot open: a refusal that names the option, not the file, shows the
        # options were checked first.
        os.makedirs(os.path.dirname(self.db))
        with open(self.db, "w") as f:
            f.write("not a database\n")
        digest = file_digest(self.db)
        for args, code, message in (
            (["update", "1", "--eta", "tomorrow"], USAGE, "--eta"),
            (["list", "--since", "yesterday"], USAGE, "--since"),
            (["export", "--json", "--format", "csv"], USAGE, "contradicts --format csv"),
            (["report", "1", "--json", "--format", "html"], USAGE, "contradicts --format html"),
            (["due", "--within", "forever"], USAGE, "--within"),
            (["step", "1", "power-off", "--done", "--skip"], USAGE, "exactly one of"),
            (["assess", "1", "--answer", "down"], USAGE, "--answer needs QUESTION=VALUE"),
            (["notify", "--audience", "customers"], USAGE, "needs an incident id"),
            (["open", "--scenario", "flood", "--title", "t"], 3, "unknown scenario 'flood'"),
            (["template", "render", "1", "--template", "t", "--eta", "x"], USAGE, "--eta"),
        ):
            with self.subTest(args=args):
                rc, out, err = self.run(*args)
                self.assertEqual((rc, out), (code, ""), err)
                self.assert_one_error_line(err, message)
                self.assertEqual(file_digest(self.db), digest)
        # With good options the same log is refused for what it is.
        rc, out, err = self.run("list")
        self.assertEqual(rc, 1, err)
        self.assert_one_error_line(err, "file is not a database")

    def test_a_refused_open_leaves_no_log_behind(self):
        for args in (["open", "--scenario", "flood", "--title", "t"],
                     ["open", "--scenario", "malware", "--title", "t", "--note", ""],
                     ["--as", "a\nb", "open", "--scenario", "malware", "--title", "t"]):
            with self.subTest(args=args):
                rc, out, err = self.run(*args)
                self.assertIn(rc, (2, 3), err)
                self.assert_no_log(args)


class NothingTouchedTest(DispatchTestCase):
    def test_help_and_version_need_nothing(self):
        # Not the clock, the actor, the config or the log: each of them broken.
        self.open_incident()
        digest = file_digest(self.db)
        self.write_broken_config()
        env = {"OUTAGE_NOW": "garbage"}
        for args in (["--help"], ["--version"], ["open", "--help"], ["notify", "--help"],
                     ["close", "1", "--help"], ["outbox", "--flush", "--help"],
                     ["runbook", "lint", "--help"], ["template", "render", "--help"]):
            with self.subTest(args=args):
                code, out, err = self.run("--as", "a\nb", *args, env=env)
                self.assertEqual((code, err), (0, ""))
                self.assertTrue(out)
        self.assertEqual(file_digest(self.db), digest)

    def test_an_unknown_command_names_the_commands(self):
        rc, out, err = self.run("--json", "frobnicate", "1")
        self.assertEqual((rc, out), (USAGE, ""))
        self.assertEqual(err, f"outage: unknown command 'frobnicate' (commands: {TOP_LEVEL})\n")
        self.assert_no_log(["frobnicate"])

    def test_a_command_without_its_action(self):
        for command in ("runbook", "template"):
            with self.subTest(command=command):
                self.assert_fails([command], USAGE, "A subcommand is required")
                self.assert_no_log([command])


if __name__ == "__main__":
    unittest.main()

"""A missing log is an error for readers (issue 11, failure 11 and build item 9): read-only
commands and commands about an existing incident exit 3 naming the path and `outage init`,
creating nothing; `outage init` makes the empty log a first run reads, and leaves an existing
one as it is."""

import json
import os
import sqlite3
import stat
import unittest

from harness import OutageTestCase, file_digest

NOT_FOUND = 3


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class MissingLogTest(OutageTestCase):
    def message(self, path=None):
        return (f"no incident log at {path or self.db}: create one with `outage init`, or give "
                f"the right path with --db or OUTAGE_DB")

    def assert_no_log(self, args, path=None):
        path = path or self.db
        self.assertFalse(os.path.exists(path), f"outage {' '.join(args)} created the log")
        self.assertFalse(os.path.exists(os.path.dirname(path)),
                         f"outage {' '.join(args)} created the log's folder")

    def test_due_on_a_mistyped_path_fails_instead_of_reporting_nothing_overdue(self):
        # Failure 11: "Nothing overdue", exit 0, from a log that does not exist.
        self.ok("open", "--scenario", "malware", "--title", "Ransomware on the file server")
        typo = os.path.join(self.tmp, "data", "incidnets.db")
        self.assert_fails(["--db", typo, "due", "--fail-if-overdue"], NOT_FOUND,
                          self.message(typo))
        self.assertFalse(os.path.exists(typo))

    def test_status_page_on_a_missing_log_publishes_nothing(self):
        # Failure 11: a cron job with another HOME published "All Systems Operational".
        self.ok("open", "--scenario", "malware", "--title", "Ransomware on the file server")
        page = os.path.join(self.tmp, "page")
        other_home = os.path.join(self.home, ".local", "share", "outage", "incidents.db")
        self.assert_fails(["status-page", "--out", page], NOT_FOUND, self.message(other_home),
                          env={"OUTAGE_DB": None, "XDG_DATA_HOME": None})
        self.assertFalse(os.path.exists(page))

    def test_the_default_path_is_named(self):
        default = os.path.join(self.home, ".local", "share", "outage", "incidents.db")
        self.assert_fails(["list"], NOT_FOUND, self.message(default),
                          env={"OUTAGE_DB": None, "XDG_DATA_HOME": None})

    def test_every_command_that_reads_or_changes_an_existing_log_refuses(self):
        self.use_outbox_config()
        for args in (
            ["list"], ["list", "--since", "2h"], ["show", "1"], ["verify"], ["brief", "1"],
            ["steps", "1"], ["outbox"], ["outbox", "--flush"], ["due"], ["export"],
            ["export", "--events"], ["report", "1"], ["stats"],
            ["status-page", "--out", os.path.join(self.tmp, "page")],
            ["template", "render", "1", "--template", "customer-update"],
            ["update", "1", "--note", "x"], ["assess", "1", "--answer", "down=yes"],
            ["handoff", "1", "--to", "priya", "--note", "n"], ["ack", "1"],
            ["step", "1", "call-facilities", "--done"], ["deadline", "1", "gdpr", "--met"],
            ["close", "1", "--resolution", "r"], ["reopen", "1", "--note", "n"],
            ["notify", "1", "--audience", "customers"],
        ):
            with self.subTest(args=args):
                self.assert_fails(args, NOT_FOUND, self.message(), stdout=None)
                self.assert_no_log(args)

    def test_json_output_does_not_change_the_refusal(self):
        code, out, err = self.run("list", "--json")
        self.assertEqual((code, out), (NOT_FOUND, ""))
        self.assert_one_error_line(err, self.message())

    def test_an_empty_file_is_not_a_log_either(self):
        os.makedirs(os.path.dirname(self.db))
        open(self.db, "w").close()
        self.assert_fails(["list"], NOT_FOUND,
                          f"no incident log at {self.db} (the file is empty): create one with "
                          f"`outage init`")
        self.assertEqual(os.path.getsize(self.db), 0)

    def test_open_still_creates_the_log(self):
        self.ok("open", "--scenario", "malware", "--title", "t")
        self.assertEqual(self.query("SELECT id FROM incidents"), [(1,)])


class InitTest(OutageTestCase):
    def test_creates_an_empty_private_log_and_says_where(self):
        db = os.path.join(self.tmp, "a", "b", "incidents.db")
        os.chmod(self.tmp, 0o755)
        out = self.ok("init", env={"OUTAGE_DB": db}, umask=0)
        self.assertEqual(out, f"Created an empty incident log at {db}.\nNext: open an incident "
                              f"with `outage open --scenario ID --title TEXT` (`outage runbook "
                              f"list` shows the scenarios).\n")
        self.assertEqual(oct(mode(db)), oct(0o600))
        self.assertEqual(oct(mode(os.path.join(self.tmp, "a"))), oct(0o700))
        self.assertEqual(oct(mode(os.path.join(self.tmp, "a", "b"))), oct(0o700))
        self.assertEqual(self.query("SELECT count(*) FROM incidents", path=db), [(0,)])

    def test_then_a_first_run_reads_an_empty_log(self):
        self.ok("init")
        self.assertEqual(self.ok("list"), "No incidents.\n")
        self.assertEqual(self.ok("due", "--fail-if-overdue"),
                         "Nothing overdue; no deadline within 4h.\n")
        self.use_outbox_config()
        self.ok("status-page", "--out", os.path.join(self.tmp, "page"))
        with open(os.path.join(self.tmp, "page", "index.html")) as f:
            self.assertIn("All Systems Operational", f.read())

    def test_a_relative_path_is_shown_in_full(self):
        out = self.ok("--db", "here.db", "init")
        self.assertIn(f"at {os.path.join(self.tmp, 'here.db')}.", out)
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "here.db")))

    def test_an_existing_log_is_left_as_it_is(self):
        self.open_incident()
        before, digest = self.snapshot_db(), file_digest(self.db)
        self.assertEqual(self.ok("init"),
                         f"An incident log already exists at {self.db}; left as it is.\n")
        self.assertEqual(self.snapshot_db(), before)
        self.assertEqual(file_digest(self.db), digest)

    def test_a_log_of_an_older_outage_is_left_for_a_command_that_writes(self):
        self.open_incident()
        conn = sqlite3.connect(self.db)
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
        conn.close()
        before = self.snapshot_db()
        out = self.ok("init")
        self.assertIn("An incident log of an older outage already exists", out)
        self.assertIn("the next command that writes brings it up to date", out)
        self.assertEqual(self.snapshot_db(), before)

    def test_json(self):
        self.assertEqual(self.run_json("init"),
                         {"path": self.db, "created": True, "up_to_date": True})
        self.assertEqual(self.run_json("init"),
                         {"path": self.db, "created": False, "up_to_date": True})

    def test_what_is_not_a_log_is_refused_and_left_alone(self):
        notes = os.path.join(self.tmp, "notes.txt")
        with open(notes, "w") as f:
            f.write("this is not a database, it is a shopping list\n")
        digest = file_digest(notes)
        code, out, err = self.run("--db", notes, "init")
        self.assertEqual((code, out), (1, ""))
        self.assert_one_error_line(err, f"incident log {notes}: ")
        self.assertEqual(file_digest(notes), digest)
        code, out, err = self.run("--db", self.tmp, "init")
        self.assertEqual((code, out), (1, ""))
        self.assert_one_error_line(err, f"incident log {self.tmp}: is a directory")

    def test_init_needs_no_clock_runbooks_or_config(self):
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write("outbox: [unclosed\n")
        self.ok("init", env={"OUTAGE_NOW": "garbage", "OUTAGE_CONFIG": config,
                             "OUTAGE_RUNBOOKS": os.path.join(self.tmp, "nowhere")})
        self.assertTrue(os.path.isfile(self.db))


if __name__ == "__main__":
    unittest.main()

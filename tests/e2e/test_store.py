"""The incident log on disk: where it lives, its permissions, refusing files it must not touch,
read-only commands that never create it, the hash chain `verify` checks, and failed commands
that leave it exactly as it was."""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import unittest

from harness import USER, OutageTestCase, file_digest

HASH = re.compile(r"^[0-9a-f]{64}$")


def chain_hash(event_id, incident, at, kind, actor, payload, previous):
    """The hash docs/decisions.md describes: SHA-256 over the length-prefixed id, incident id,
    time, kind, actor, payload text and previous hash."""
    material = b""
    for field in (str(event_id), str(incident), at, kind, actor, payload, previous):
        data = field.encode()
        material += str(len(data)).encode() + b":" + data + b";"
    return hashlib.sha256(material).hexdigest()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class LocationAndPermissionsTest(OutageTestCase):
    def test_file_0600_and_new_directories_0700_even_with_umask_0(self):
        db = os.path.join(self.tmp, "a", "b", "incidents.db")
        os.chmod(self.tmp, 0o755)
        self.ok("open", "--scenario", "malware", "--title", "t", env={"OUTAGE_DB": db}, umask=0)
        self.assertEqual(oct(mode(db)), oct(0o600))
        self.assertEqual(oct(mode(os.path.join(self.tmp, "a"))), oct(0o700))
        self.assertEqual(oct(mode(os.path.join(self.tmp, "a", "b"))), oct(0o700))
        self.assertEqual(oct(mode(self.tmp)), oct(0o755), "an existing directory is left alone")
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db + suffix):
                self.assertEqual(oct(mode(db + suffix)), oct(0o600), suffix)

    def test_existing_directory_keeps_its_mode(self):
        shared = os.path.join(self.tmp, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o750)
        db = os.path.join(shared, "log.db")
        self.ok("open", "--scenario", "malware", "--title", "t", env={"OUTAGE_DB": db}, umask=0)
        self.assertEqual(oct(mode(db)), oct(0o600))
        self.assertEqual(oct(mode(shared)), oct(0o750))

    def test_default_path_is_under_xdg_data_home(self):
        xdg = os.path.join(self.tmp, "xdg-data")
        self.ok("open", "--scenario", "malware", "--title", "t",
                env={"OUTAGE_DB": None, "XDG_DATA_HOME": xdg}, umask=0o022)
        db = os.path.join(xdg, "outage", "incidents.db")
        self.assertTrue(os.path.isfile(db))
        self.assertEqual(oct(mode(db)), oct(0o600))
        self.assertEqual(oct(mode(os.path.join(xdg, "outage"))), oct(0o700))
        self.assertEqual(self.query("SELECT title FROM incidents", path=db), [("t",)])
        self.assertFalse(os.path.exists(self.db))

    def test_default_path_without_xdg_data_home_is_under_home(self):
        env = {"OUTAGE_DB": None, "XDG_DATA_HOME": None}
        self.ok("open", "--scenario", "malware", "--title", "t", env=env)
        db = os.path.join(self.home, ".local", "share", "outage", "incidents.db")
        self.assertEqual(self.query("SELECT id FROM incidents", path=db), [(1,)])
        # A relative XDG_DATA_HOME is ignored, as the XDG specification says.
        env["XDG_DATA_HOME"] = "relative/dir"
        self.assertEqual(self.run_json("show", "1", env=env)["title"], "t")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "relative")))

    def test_db_option_wins_over_outage_db(self):
        other = os.path.join(self.tmp, "other.db")
        self.ok("--db", other, "open", "--scenario", "malware", "--title", "in other")
        self.assertFalse(os.path.exists(self.db))
        self.assertEqual(self.query("SELECT title FROM incidents", path=other), [("in other",)])
        self.assertEqual(self.run_json("list", "--db", other)[0]["title"], "in other")

    def test_log_settings(self):
        self.open_incident()
        self.assertEqual(self.query("PRAGMA journal_mode"), [("wal",)])
        self.assertGreaterEqual(self.query("PRAGMA user_version")[0][0], 1)
        tables = {row[0] for row in self.query("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in ("incidents", "events", "assessments", "step_progress", "notices",
                      "deliveries"):
            self.assertIn(table, tables)


class ReadOnlyCommandsTest(OutageTestCase):
    def assert_no_log(self, what="a read-only command"):
        self.assertFalse(os.path.exists(self.db), f"{what} created the log")
        self.assertFalse(os.path.exists(os.path.dirname(self.db)),
                         f"{what} created the log's directory")

    def test_list_show_and_verify_on_a_missing_log(self):
        for args in (["list"], ["list", "--status", "all", "--since", "1d"], ["list", "--json"],
                     ["show", "1"], ["verify"], ["verify", "--json"]):
            with self.subTest(args=args):
                self.assert_fails(args, 3, f"no incident log at {self.db}")
        self.assert_no_log()

    def test_list_show_and_verify_on_an_empty_log(self):
        self.ok("init")
        self.assertEqual(self.ok("list"), "No incidents.\n")
        self.assertEqual(self.ok("list", "--status", "all", "--since", "1d"), "No incidents.\n")
        self.assertEqual(self.run_json("list"), [])
        self.assert_fails(["show", "1"], 3, "no incident 1")
        self.assertEqual(self.run_json("verify"), {
            "ok": True, "events_checked": 0, "head": "0" * 64, "incidents_checked": 0,
            "differences": [], "problems": [], "clock_jumps": [], "unproven": [],
            "interrupted": []})
        self.assertTrue(self.ok("verify").startswith("Timeline intact: 0 events"))

    def test_failed_write_commands_on_a_missing_log_create_nothing(self):
        # A command that fails changes nothing: with no log before, there is no log after.
        for args, code in (
            (["update", "1", "--note", "x"], 3),
            (["close", "1", "--resolution", "r"], 3),
            (["open", "--scenario", "flood", "--title", "t"], 3),
            (["open", "--scenario", "malware", "--title", "a\nb"], 2),
        ):
            with self.subTest(args=args):
                rc, out, err = self.run(*args)
                self.assertEqual((rc, out), (code, ""), err)
                self.assert_one_error_line(err)
                try:
                    self.assert_no_log("a failed command")
                finally:
                    shutil.rmtree(os.path.dirname(self.db), ignore_errors=True)

    def test_read_only_commands_do_not_change_the_file(self):
        self.open_incident()
        self.ok("update", "1", "--note", "n")
        digest = file_digest(self.db)
        self.ok("list")
        self.ok("show", "1")
        self.ok("verify")
        self.assertEqual(file_digest(self.db), digest)


class RefusedFilesTest(OutageTestCase):
    COMMANDS = [
        ["list"],
        ["show", "1"],
        ["verify"],
        ["open", "--scenario", "malware", "--title", "t"],
        ["update", "1", "--note", "n"],
        ["close", "1", "--resolution", "r"],
    ]

    def assert_refused_untouched(self, path, message):
        digest = file_digest(path)
        size = os.path.getsize(path)
        for args in self.COMMANDS:
            with self.subTest(args=args):
                rc, out, err = self.run(*args, env={"OUTAGE_DB": path})
                self.assertEqual((rc, out), (1, ""), err)
                for part in [message] if isinstance(message, str) else message:
                    self.assert_one_error_line(err, part)
                self.assertEqual(file_digest(path), digest, "the file was changed")
                self.assertEqual(os.path.getsize(path), size)

    def test_newer_schema_is_refused_and_left_untouched(self):
        self.open_incident()
        self.tamper("PRAGMA user_version = 99")
        conn = sqlite3.connect(self.db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        self.assert_refused_untouched(self.db, ["schema version 99", "newer", self.db])
        self.assertEqual(self.query("PRAGMA user_version"), [(99,)])
        self.assertEqual(self.query("SELECT count(*) FROM incidents"), [(1,)])

    def test_foreign_sqlite_database_is_refused_and_left_untouched(self):
        path = os.path.join(self.tmp, "accounts.db")
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO accounts (name) VALUES ('alice')")
        conn.commit()
        conn.close()
        self.assert_refused_untouched(path, ["not an outage incident log", path])
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.assertEqual(conn.execute("SELECT name FROM sqlite_master").fetchall(),
                         [("accounts",)])
        conn.close()

    def test_file_that_is_not_sqlite_is_refused_and_left_untouched(self):
        path = os.path.join(self.tmp, "notes.txt")
        with open(path, "w") as f:
            f.write("these are my notes, not a database\n" * 100)
        self.assert_refused_untouched(path, ["incident log", path])

    def test_directory_as_log_is_refused(self):
        path = os.path.join(self.tmp, "a-directory")
        os.mkdir(path)
        for args in self.COMMANDS:
            with self.subTest(args=args):
                rc, out, err = self.run(*args, env={"OUTAGE_DB": path})
                self.assertEqual((rc, out), (1, ""))
                self.assert_one_error_line(err, "is a directory")
        self.assertEqual(os.listdir(path), [])

    def test_unwritable_location_is_a_runtime_error(self):
        if os.geteuid() == 0:
            blocked = "/proc/outage-e2e/incidents.db"  # not creatable even by root
        else:
            locked = os.path.join(self.tmp, "locked")
            os.mkdir(locked, 0o500)
            self.addCleanup(os.chmod, locked, 0o700)
            blocked = os.path.join(locked, "sub", "incidents.db")
        rc, out, err = self.run("open", "--scenario", "malware", "--title", "t",
                                env={"OUTAGE_DB": blocked})
        self.assertEqual((rc, out), (1, ""))
        self.assert_one_error_line(err, "incident log")


class VerifyTest(OutageTestCase):
    def setUp(self):
        super().setUp()
        # Six events over two incidents, interleaved.
        self.open_incident("First")                                   # event 1
        self.open_incident("Second", "malware")                       # event 2
        self.ok("update", "1", "--note", "looking into it")           # event 3
        self.ok("handoff", "2", "--to", "priya", "--note", "yours")   # event 4
        self.ok("close", "1", "--resolution", "fixed")                # event 5
        self.ok("update", "2", "--status", "identified")              # event 6

    def last_hash(self):
        return self.query("SELECT hash FROM events ORDER BY id DESC LIMIT 1")[0][0]

    def assert_caught(self, event_id, incident, kind, actor=USER, checked=None):
        rc, out, err = self.run("verify")
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(
            err,
            f"outage: event {event_id} (incident {incident}, {kind} by {actor}) does not match "
            "its hash: the log was changed outside outage at or after this event\n",
        )
        rc, out, err = self.run("verify", "--json")
        self.assertEqual(rc, 1)
        self.assert_one_error_line(err, f"event {event_id} ")
        doc = json.loads(out)
        self.assertEqual(doc["ok"], False)
        self.assertEqual(doc["first_mismatch"], {"id": event_id, "incident": incident,
                                                 "kind": kind})
        self.assertEqual(doc["events_checked"], checked or event_id)

    def test_untouched_log_passes(self):
        head = self.last_hash()
        self.assertRegex(head, HASH)
        self.assertEqual(self.ok("verify"), f"Timeline intact: 6 events, last hash {head}\n"
                                            "State matches the events: 2 incidents.\n")
        self.assertEqual(self.run_json("verify"), {
            "ok": True, "events_checked": 6, "head": head, "incidents_checked": 2,
            "differences": [], "problems": [], "clock_jumps": [], "unproven": [],
            "interrupted": []})
        # Each event links to the one before it.
        rows = self.query("SELECT prev_hash, hash FROM events ORDER BY id")
        self.assertEqual(rows[0][0], "0" * 64)
        for previous, current in zip(rows, rows[1:]):
            self.assertEqual(current[0], previous[1])
        self.assertEqual(len({h for _, h in rows}), 6)

    def test_edited_payload_is_caught(self):
        self.tamper("UPDATE events SET payload = replace(payload, 'looking into it', "
                    "'all fine') WHERE id = 3")
        self.assertIn("all fine", self.query("SELECT payload FROM events WHERE id = 3")[0][0])
        self.assert_caught(3, 1, "updated")

    def test_edits_of_each_column_are_caught(self):
        edits = [
            ("UPDATE events SET at = '2026-11-22T09:00:00Z' WHERE id = 4", 4, 2, "handoff", USER),
            ("UPDATE events SET actor = 'mallory' WHERE id = 4", 4, 2, "handoff", "mallory"),
            ("UPDATE events SET kind = 'retriggered' WHERE id = 2", 2, 2, "retriggered", USER),
            ("UPDATE events SET incident_id = 2 WHERE id = 5", 5, 2, "closed", USER),
            ("UPDATE events SET hash = '" + "a" * 64 + "' WHERE id = 6", 6, 2, "updated", USER),
        ]
        for sql, event_id, incident, kind, actor in edits:
            with self.subTest(sql=sql):
                backup = self.snapshot_db()["events"]
                self.tamper(sql)
                self.assert_caught(event_id, incident, kind, actor)
                # Put the row back and the chain is whole again.
                self.tamper("DELETE FROM events")
                conn = sqlite3.connect(self.db)
                conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", backup)
                conn.commit()
                conn.close()
                self.assertEqual(self.run("verify")[0], 0)

    def rehash(self, first_id, last_id):
        """Recomputes the hashes of events first_id..last_id, as a careful forger would."""
        rows = self.query("SELECT id, incident_id, at, kind, actor, payload, prev_hash "
                          "FROM events ORDER BY id")
        previous = None
        conn = sqlite3.connect(self.db)
        for event_id, incident, at, kind, actor, payload, prev_hash in rows:
            if previous is not None and event_id <= last_id:
                prev_hash = previous
            if first_id <= event_id <= last_id:
                new = chain_hash(event_id, incident, at, kind, actor, payload, prev_hash)
                conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?",
                             (prev_hash, new, event_id))
                previous = new
        conn.commit()
        conn.close()

    def test_hashes_follow_the_documented_construction(self):
        previous = "0" * 64
        for row in self.query("SELECT id, incident_id, at, kind, actor, payload, prev_hash, hash "
                              "FROM events ORDER BY id"):
            self.assertEqual(row[6], previous)
            self.assertEqual(row[7], chain_hash(*row[:6], previous), f"event {row[0]}")
            previous = row[7]

    def test_edit_with_its_own_hash_recomputed_is_caught_at_the_next_event(self):
        self.tamper("UPDATE events SET payload = '{\"note\":\"all fine\"}' WHERE id = 3")
        self.rehash(3, 3)
        self.assert_caught(4, 2, "handoff")

    def test_whole_chain_rewritten_changes_the_head(self):
        # A forger who rewrites every later hash passes verify, but the head verify printed
        # before (kept elsewhere, as the docs advise) no longer matches.
        head_before = self.run_json("verify")["head"]
        self.tamper("UPDATE events SET payload = '{\"note\":\"all fine\"}' WHERE id = 3")
        self.rehash(3, 6)
        doc = self.run_json("verify")
        self.assertEqual(doc["events_checked"], 6)
        self.assertNotEqual(doc["head"], head_before)

    def test_deleted_middle_event_is_caught(self):
        self.tamper("DELETE FROM events WHERE id = 3")
        self.assert_caught(4, 2, "handoff", checked=3)

    def test_inserted_event_is_caught(self):
        self.tamper(
            "INSERT INTO events (id, incident_id, at, kind, actor, payload, prev_hash, hash) "
            "VALUES (7, 1, '2026-11-22T10:00:00Z', 'updated', 'mallory', '{}', ?, ?)",
            (self.last_hash(), "c" * 64),
        )
        self.assert_caught(7, 1, "updated", "mallory")

    def test_chain_continues_after_the_process_restarts(self):
        self.ok("reopen", "1", "--note", "again")
        self.open_incident("Third")
        self.assertEqual(self.run_json("verify")["events_checked"], 8)


class FailedCommandLeavesLogTest(OutageTestCase):
    def test_failed_commands_leave_the_snapshot_unchanged(self):
        self.open_incident()
        self.ok("close", "1", "--resolution", "fixed")
        self.open_incident("Another", "malware", "--dedup-key", "k")
        before = self.snapshot_db()
        before_digest = file_digest(self.db)
        self.assert_fails(["update", "1", "--note", "x"], 5, "incident 1: it is closed")
        self.assert_fails(["handoff", "1", "--to", "priya", "--note", "x"], 5, "closed")
        self.assert_fails(["close", "1", "--resolution", "again"], 5, "closed")
        self.assert_fails(["reopen", "2", "--note", "x"], 5, "already open")
        self.assert_fails(["update", "2", "--eta", "soon"], 2, "'soon'")
        self.assert_fails(["open", "--scenario", "flood", "--title", "t", "--dedup-key", "k"], 3,
                          "unknown scenario")
        self.assertEqual(self.snapshot_db(), before)
        self.assertEqual(file_digest(self.db), before_digest)
        self.assertEqual(self.run("verify")[0], 0)


if __name__ == "__main__":
    unittest.main()

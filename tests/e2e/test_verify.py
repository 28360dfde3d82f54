"""`outage verify` end to end: the stored state is a projection of the hash-chained events, so
an edit of any state table made with the sqlite3 library is found and named; `--head` catches a
log cut short; back-dated events are flagged; a log an earlier outage wrote verifies, with what
its events cannot prove reported as unproven; `show`, `report` and `export` refuse an incident
whose tables its events do not give."""

import json
import os
import sqlite3
import unittest

from harness import reserve_port
from test_event_payloads import DATA, SEV1, SEV2, EventLogTestCase

LEGACY_LOG = os.path.join(DATA, "logs", "legacy-v2.sql")


def at(hhmm, day=22):
    return {"OUTAGE_NOW": f"2026-11-{day}T{hhmm}:00Z"}


def later(hhmm):
    """After write_every_kind's last command."""
    return at(hhmm, day=25)


class VerifyTestCase(EventLogTestCase):
    """The fixture runbook lab-flood: its deadlines, steps and plan touch every table."""

    def write_incidents(self):
        """Incident 1 through every command that writes an event (write_every_kind), closed;
        incident 2 opened after it, with its insurer deadline running."""
        self.write_every_kind()
        self.ok("open", "--scenario", "lab-flood", "--title", "Freezer alarm", env=later("12:30"))

    # Keeping the log as it was around an edit -------------------------------------------

    def copy_log(self, source, target):
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()

    def keep(self):
        self.kept = os.path.join(self.tmp, "kept.db")
        self.copy_log(self.db, self.kept)

    def put_back(self):
        self.copy_log(self.kept, self.db)

    def assert_found(self, sql, line, params=()):
        """Edits the log with `sql`; verify must fail (1) printing `line` (a line of stdout or
        its start) and one `outage:` line on stderr; then the log is put back and verifies."""
        self.tamper(sql, params)
        code, out, err = self.run("verify")
        self.assertEqual(code, 1, f"{sql}: verify passed:\n{out}")
        self.assert_one_error_line(err, "between the tables and the events")
        lines = out.splitlines()
        self.assertTrue(any(l == line or l.startswith(line) for l in lines),
                        f"{sql}: no line {line!r} in:\n{out}")
        self.put_back()
        self.assertEqual(self.run("verify")[0], 0)


class CleanLogTest(VerifyTestCase):
    def test_what_the_commands_write_verifies(self):
        self.write_incidents()
        out = self.ok("verify")
        events = self.query("SELECT count(*) FROM events")[0][0]
        head = self.query("SELECT hash FROM events ORDER BY id DESC LIMIT 1")[0][0]
        self.assertEqual(out, f"Timeline intact: {events} events, last hash {head}\n"
                              "State matches the events: 2 incidents.\n")
        doc = self.run_json("verify")
        self.assertEqual(doc, {
            "ok": True, "events_checked": events, "head": head, "incidents_checked": 2,
            "differences": [], "problems": [], "clock_jumps": [], "unproven": [],
            "interrupted": []})

    def test_the_new_fields_are_in_the_events(self):
        self.write_incidents()
        payloads = [json.loads(p) for (p,) in self.query(
            "SELECT payload FROM events WHERE kind IN ('assessed', 'notice', 'notice_sent') "
            "ORDER BY id")]
        assessed, notices, sends = payloads[0:2], payloads[2:6:2], payloads[3:6:2]
        self.assertEqual([(a["v"], a["update_interval"]) for a in assessed],
                         [(2, 3600), (2, 900)])
        identities = [i for (i,) in self.query("SELECT identity FROM notices ORDER BY id")]
        self.assertEqual([n["identity"] for n in notices], identities)
        for notice in notices:
            self.assertEqual(notice["v"], 2)
            self.assertRegex(notice["fields_digest"], "^[0-9a-f]{64}$")
            self.assertRegex(notice["recipients_digest"], "^[0-9a-f]{64}$")
        for sent in sends:
            self.assertEqual(sent["v"], 2)
            self.assertRegex(sent["states_digest"], "^[0-9a-f]{64}$")


class TableEditTest(VerifyTestCase):
    """Each state table, each field edited with the sqlite3 module: verify names it."""

    def setUp(self):
        super().setUp()
        self.write_incidents()
        self.keep()

    def test_every_field_of_the_incident(self):
        edits = [
            ("title", "'Nothing happened'", '"Flood in lab 2"'),
            ("scenario", "'malware'", '"lab-flood"'),
            ("status", "'open'", '"closed"'),
            ("phase", "'monitoring'", '"resolved"'),
            ("severity", "'SEV4'", '"SEV1"'),
            ("owner", "'mallory'", '"bob"'),
            ("services", "'[\"lab\"]'", '["booking","lab"]'),
            ("affected", "1", "14"),
            ("dedup_key", "NULL", '"flood-2"'),
            ("eta", "'2026-11-22T13:00:00Z'", '"2026-11-22T12:20:00Z"'),
            ("opened_at", "'2026-11-22T09:00:00Z'", '"2026-11-22T10:00:00Z"'),
            ("closed_at", "'2026-11-22T11:00:00Z'", '"2026-11-25T12:00:00Z"'),
            ("next_update_due", "'2026-11-23T10:00:00Z'", "none"),
            ("update_interval", "86400", "900"),
            ("handed_off_at", "'2026-11-22T10:30:00Z'", "none"),
            ("resolution", "'Nothing to see'", '"Pumped out again"'),
            ("root_cause", "'Cosmic rays'", "none"),
            ("recurrence", "'likely'", "none"),
            ("actions", "'[]'", '["Fit a leak sensor","Check pipes yearly"]'),
            ("workaround", "'Use the other lab'", "none"),
        ]
        for column, value, in_log in edits:
            with self.subTest(column=column):
                self.assert_found(f"UPDATE incidents SET {column} = {value} WHERE id = 1",
                                  f"incident 1: {column} is {in_log} in the log, ")

    def test_update_clocks(self):
        # Closed, incident 1 owes no update; a clock put back makes `due` nag again.
        self.assert_found("INSERT INTO update_clocks VALUES (1, 'customers', "
                          "'2026-11-26T10:00:00Z')",
                          'incident 1: update_clocks is {} in the log, '
                          '{"customers":"2026-11-26T10:00:00Z"} in the table')
        self.ok("assess", "2", *SEV2, env=later("12:40"))
        self.keep()
        self.assert_found("UPDATE update_clocks SET due_at = '2026-11-26T13:40:00Z' "
                          "WHERE incident_id = 2",
                          'incident 2: update_clocks is {"":"2026-11-25T13:40:00Z"} in the log, '
                          '{"":"2026-11-26T13:40:00Z"} in the table')
        self.assert_found("DELETE FROM update_clocks", "incident 2: update_clocks is {")

    def test_assessments(self):
        self.assert_found("UPDATE assessments SET severity = 'SEV4' WHERE id = 2",
                          'incident 1: assessment 2 severity is "SEV1" in the log, "SEV4" in '
                          'the table')
        self.assert_found("UPDATE assessments SET answers = json_set(answers, '$.people', 1) "
                          "WHERE id = 1", "incident 1: assessment 1 answers is ")
        self.assert_found("UPDATE assessments SET rule = 'default' WHERE id = 1",
                          "incident 1: assessment 1 rule is ")
        self.assert_found("UPDATE assessments SET actor = 'mallory' WHERE id = 1",
                          "incident 1: assessment 1 actor is ")
        self.assert_found("DELETE FROM assessments WHERE id = 2",
                          "incident 1: assessment 2 is {")

    def test_step_progress(self):
        self.assert_found("UPDATE step_progress SET state = 'done' WHERE step_id = 'move-samples'",
                          'incident 1: step move-samples state is "skipped" in the log, "done" '
                          'in the table')
        self.assert_found("UPDATE step_progress SET note = 'x' WHERE step_id = 'power-off'",
                          "incident 1: step power-off note is ")
        self.assert_found("UPDATE step_progress SET at = '2026-11-22T10:00:00Z'",
                          "incident 1: step ")
        self.assert_found("DELETE FROM step_progress WHERE step_id = 'power-off'",
                          "incident 1: step power-off is {")
        self.assert_found("INSERT INTO step_progress VALUES (1, 'photos', 'done', NULL, "
                          "'2026-11-22T11:00:00Z', 'alice')",
                          "incident 1: step photos is none in the log, {")

    def test_deadlines(self):
        self.assertEqual(self.query("SELECT met_at FROM deadlines WHERE incident_id = 2"),
                         [(None,)])
        self.assert_found("UPDATE deadlines SET met_at = '2026-11-25T13:00:00Z' "
                          "WHERE incident_id = 2 AND name = 'insurer'",
                          'incident 2: deadline insurer met_at is none in the log, '
                          '"2026-11-25T13:00:00Z" in the table')
        self.assert_found("UPDATE deadlines SET met_at = '2026-11-24T09:00:00Z' "
                          "WHERE incident_id = 1 AND name = 'insurer'",
                          'incident 1: deadline insurer met_at is "2026-11-25T09:00:00Z" in the '
                          'log, "2026-11-24T09:00:00Z" in the table')
        self.assert_found("UPDATE deadlines SET met_at = '2026-11-22T10:46:00Z' "
                          "WHERE name = 'sample-owner'",
                          "incident 1: deadline sample-owner met_at is ")
        self.assert_found("UPDATE deadlines SET due_at = '2026-12-22T10:00:00Z' "
                          "WHERE incident_id = 1 AND name = 'insurer'",
                          "incident 1: deadline insurer due_at is ")
        self.assert_found("UPDATE deadlines SET note = 'Called' WHERE name = 'insurer'",
                          "incident 1: deadline insurer note is none in the log, ")
        self.assert_found("UPDATE deadlines SET title = 'Tell nobody' WHERE incident_id = 2",
                          'incident 2: deadline insurer title is "Tell the insurer" in the log, ')
        self.assert_found("DELETE FROM deadlines WHERE incident_id = 2",
                          "incident 2: deadline insurer is {")

    def test_notices(self):
        for column, value in [("audience", "'status-page'"), ("template", "'x'"),
                              ("channel", "'email'"), ("created_at", "'2026-11-22T09:00:00Z'"),
                              ("actor", "'mallory'"), ("identity", "'x'"),
                              ("fields", "json_set(fields, '$.note', 'All fine')")]:
            with self.subTest(column=column):
                self.assert_found(f"UPDATE notices SET {column} = {value} WHERE id = 2",
                                  f"incident 1: notice 2 {column} is ")

    def test_deliveries(self):
        self.assert_found("UPDATE deliveries SET state = 'failed' WHERE id = 2",
                          'incident 1: notice 2 deliveries is {"failed":0,"pending":0,"sent":2} '
                          'in the log, {"failed":1,"pending":0,"sent":1} in the table')
        self.assert_found("UPDATE deliveries SET recipient = 'eve@evil.example' WHERE id = 2",
                          "incident 1: notice 2 recipient_list is ")
        self.assert_found("UPDATE deliveries SET lang = 'nl' WHERE id = 3",
                          "incident 1: notice 2 recipient_list is ")
        self.assert_found("UPDATE deliveries SET fields = '{\"name\":\"Eve\"}' WHERE id = 3",
                          "incident 1: notice 2 recipient_list is ")
        self.assert_found("INSERT INTO deliveries (notice_id, recipient, lang, state, updated_at) "
                          "VALUES (2, 'cy@acme.example', 'en', 'sent', '2026-11-22T11:00:00Z')",
                          "incident 1: notice 2 recipients is 2 in the log, 3 in the table")
        self.assert_found("DELETE FROM deliveries WHERE id = 3",
                          "incident 1: notice 2 recipients is 2 in the log, 1 in the table")

    def test_every_event_deleted(self):
        self.tamper("DELETE FROM events")
        code, out, err = self.run("verify")
        self.assertEqual(code, 1)
        self.assertEqual(out, "Timeline intact: 0 events, last hash " + "0" * 64 + "\n"
                              "incident 1: the table has it, the log has no event of it\n"
                              "incident 2: the table has it, the log has no event of it\n")
        self.assert_one_error_line(err, "2 differences between the tables and the events")

    def test_an_incident_removed_from_the_table(self):
        self.tamper("DELETE FROM deadlines WHERE incident_id = 2")
        self.tamper("DELETE FROM incidents WHERE id = 2")
        code, out, _ = self.run("verify")
        self.assertEqual(code, 1)
        self.assertIn("incident 2: the log has 2 events of it, the table does not have it\n", out)

    def test_verify_json_names_each_difference(self):
        self.tamper("UPDATE incidents SET severity = 'SEV3', resolution = NULL WHERE id = 1")
        code, out, err = self.run("verify", "--json")
        self.assertEqual(code, 1)
        doc = json.loads(out)
        self.assertFalse(doc["ok"])
        self.assertEqual(doc["differences"], [
            {"incident": 1, "field": "severity", "log": "SEV1", "table": "SEV3"},
            {"incident": 1, "field": "resolution", "log": "Pumped out again", "table": None}])
        self.assert_one_error_line(err, "2 differences")


class ReadersRefuseTest(VerifyTestCase):
    """show, report and export print the stored state only when the events give it."""

    def setUp(self):
        super().setUp()
        self.write_incidents()

    def test_a_forged_incident_is_refused_and_the_others_still_print(self):
        self.tamper("UPDATE incidents SET severity = 'SEV4' WHERE id = 1")
        message = 'incident 1: severity is "SEV1" in the log, "SEV4" in the table'
        for args in (["show", "1"], ["show", "1", "--json"], ["report", "1"],
                     ["report", "1", "--format", "html"], ["export"],
                     ["export", "--format", "csv", "--events"]):
            with self.subTest(args=args):
                self.assert_fails(args, 1, message)
        out_file = os.path.join(self.tmp, "export.json")
        self.assert_fails(["export", "-o", out_file], 1, message)
        self.assertFalse(os.path.exists(out_file))
        self.assertIn("Freezer alarm", self.ok("show", "2"))
        self.assertIn("Freezer alarm", self.ok("report", "2"))
        self.assertEqual(len(json.loads(self.ok("export", "--status", "open"))), 1)

    def test_report_checks_every_table_show_only_the_incident(self):
        self.tamper("UPDATE deadlines SET met_at = '2026-11-24T09:00:00Z' WHERE name = 'insurer' "
                    "AND incident_id = 1")
        self.assert_fails(["report", "1"], 1,
                          'incident 1: deadline insurer met_at is "2026-11-25T09:00:00Z" in the '
                          'log, "2026-11-24T09:00:00Z" in the table')
        self.ok("show", "1")

    def test_an_incident_without_events_is_refused(self):
        self.tamper("DELETE FROM events WHERE incident_id = 2")
        self.assert_fails(["show", "2"], 1, "incident 2: the table has it, the log has no event")


class HeadTest(VerifyTestCase):
    def test_a_cut_from_the_end_is_caught_only_with_the_head_kept_elsewhere(self):
        self.write_incidents()
        head = self.run_json("verify")["head"]
        self.ok("update", "2", "--note", "Fridge door was open", env=later("12:40"))
        out = self.ok("verify", "--head", head)
        self.assertIn(f"The head kept elsewhere is event {self.event_of(head)}; 1 event since.\n",
                      out)
        self.assertEqual(self.run_json("verify", "--head", head)["head_kept"],
                         {"hash": head, "event": self.event_of(head), "events_since": 1})
        # A forger removes incident 2 whole, its events the last in the log: the chain and
        # the tables agree, and only the head kept elsewhere tells.
        self.tamper("DELETE FROM events WHERE incident_id = 2")
        self.tamper("DELETE FROM deadlines WHERE incident_id = 2")
        self.tamper("DELETE FROM incidents WHERE id = 2")
        self.ok("verify")
        code, out, err = self.run("verify", "--head", head)
        self.assertEqual(code, 1)
        self.assert_one_error_line(err, f"the chain does not hold the head {head} kept elsewhere")
        doc = json.loads(self.run("verify", "--head", head, "--json")[1])
        self.assertEqual(doc["head_kept"], {"hash": head, "event": None, "events_since": None})

    def event_of(self, head):
        return self.query("SELECT id FROM events WHERE hash = ?", (head,))[0][0]

    def test_a_head_that_is_not_a_hash_is_a_usage_error(self):
        self.assert_fails(["verify", "--head", "abc"], 2, "--head 'abc' is not a hash")


class ClockTest(VerifyTestCase):
    def test_an_event_stamped_before_an_earlier_one_is_flagged(self):
        self.write_incidents()
        # Within the tolerance (5 minutes): two machines whose clocks differ a little.
        self.ok("update", "2", "--note", "Skew", env=later("12:26"))
        self.ok("verify")
        # A deadline "met" the day before, by setting the clock back.
        self.ok("deadline", "2", "insurer", "--met", env=later("12:00"))
        # Flagged, not failed: tests and replays set the clock back on purpose.
        out = self.ok("verify")
        last = self.query("SELECT max(id) FROM events")[0][0]
        self.assertIn(f"warning: event {last} (incident 2, deadline_met) is stamped "
                      f"2026-11-25T12:00:00Z, 30m before event {last - 3}: a clock set back or a "
                      "back-dated command\n", out)
        self.assertEqual(self.run_json("verify")["clock_jumps"], [
            {"incident": 2, "event": last, "kind": "deadline_met", "at": "2026-11-25T12:00:00Z",
             "after_event": last - 3, "after_at": "2026-11-25T12:30:00Z"}])


class InterruptedSendTest(VerifyTestCase):
    def test_a_send_cut_off_before_its_last_event_is_a_note(self):
        self.ok("open", "--scenario", "lab-flood", "--title", "Flood in lab 2")
        self.ok("assess", "1", *SEV2, env=at("10:10"))
        self.ok("notify", "1", "--audience", "customers", "--channel", "stdout", "--to",
                "ann@acme.example", "--to", "bo@acme.example", env=at("10:20"))
        # A crash after the last message and before the notice_sent event: the last event
        # goes, as it would never have been written.
        self.assertEqual(self.query("SELECT kind FROM events ORDER BY id DESC LIMIT 1"),
                         [("notice_sent",)])
        self.tamper("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
        out = self.ok("verify")
        self.assertIn("note: the send of notice 1 (incident 1) was interrupted after its last "
                      "event: the log has 0 sent, 0 failed, 2 pending, the table 2 sent, "
                      "0 failed, 0 pending; every message has gone since\n", out)

    def test_failed_deliveries_marked_sent_read_as_an_interrupted_send(self):
        # The trade-off docs/security.md describes: without an event per delivery, a failed
        # delivery edited to "sent" looks like a resend whose notice_sent was lost. verify
        # says so, and never that all is well without a word.
        closed_port = reserve_port()
        self.addCleanup(closed_port.close)
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write(f"email:\n  host: 127.0.0.1\n  port: {closed_port.getsockname()[1]}\n"
                    "  security: none\n  from: ops@example.com\n")
        self.env["OUTAGE_CONFIG"] = config
        self.write_incidents()
        code, _, _ = self.run("notify", "2", "--audience", "frontline", "--to",
                              "ann@lab.example", env=later("12:40"))
        self.assertEqual(code, 6)
        self.ok("verify")
        self.tamper("UPDATE deliveries SET state = 'sent' WHERE notice_id = 3")
        out = self.ok("verify")
        self.assertIn("note: the send of notice 3 (incident 2) was interrupted after its last "
                      "event: the log has 0 sent, 1 failed, 0 pending, the table 1 sent, 0 failed, "
                      "0 pending", out)


class LegacyLogTest(VerifyTestCase):
    """A log outage 0.1.0 wrote (tests/data/logs/make_legacy_log.py): events of payload version
    1, which carry no update interval, notice identity, values, recipients or delivery states."""

    def setUp(self):
        super().setUp()
        os.makedirs(os.path.dirname(self.db))
        conn = sqlite3.connect(self.db)
        with open(LEGACY_LOG) as f:
            conn.executescript(f.read())
        conn.close()

    def test_it_verifies_with_what_it_cannot_prove_as_notes(self):
        self.assertEqual(self.query("PRAGMA user_version"), [(2,)])
        # Read-only commands leave an old log as it is; a command that writes migrates it.
        self.assert_fails(["verify"], 1, "was written by an older outage")
        self.ok("update", "2", "--note", "Engineer here", env=later("12:00"))
        out = self.ok("verify")
        self.assertIn("State matches the events: 2 incidents.\n", out)
        notes = [l for l in out.splitlines() if l.startswith("note: ")]
        self.assertEqual(notes, [
            "note: the delivery_states of notices 1, 2, 3: unproven, an earlier outage recorded "
            "them with events that do not carry it",
            "note: the fields of notices 1, 2, 3: unproven, an earlier outage recorded them with "
            "events that do not carry it",
            "note: the identity of notices 1, 2, 3: unproven, an earlier outage recorded them "
            "with events that do not carry it",
            "note: the next_update_due of incident 2: unproven, an earlier outage recorded it "
            "with events that do not carry it",
            "note: the recipient_list of notices 1, 2, 3: unproven, an earlier outage recorded "
            "them with events that do not carry it",
            "note: the update_clocks of incident 2: unproven, an earlier outage recorded it with "
            "events that do not carry it",
            "note: the update_interval of incidents 1, 2: unproven, an earlier outage recorded "
            "them with events that do not carry it",
        ])
        doc = self.run_json("verify")
        self.assertTrue(doc["ok"])
        self.assertEqual(len(doc["unproven"]), 16)

        # What the old events carry is proven as it always was.
        self.tamper("UPDATE incidents SET severity = 'SEV3' WHERE id = 1")
        self.assertEqual(self.run("verify")[0], 1)
        self.tamper("UPDATE incidents SET severity = 'SEV1' WHERE id = 1")
        self.tamper("UPDATE deliveries SET state = 'failed' WHERE id = 2")
        self.assertEqual(self.run("verify")[0], 1)
        self.tamper("UPDATE deliveries SET state = 'sent' WHERE id = 2")
        # What they do not carry can change unseen: the notes say so.
        self.tamper("UPDATE incidents SET update_interval = 60 WHERE id = 1")
        self.tamper("UPDATE deliveries SET recipient = 'eve@evil.example' WHERE id = 2")
        self.ok("verify")

        # A new assessment proves incident 2's update interval from then on.
        self.ok("assess", "2", *SEV2, env=later("12:10"))
        self.tamper("UPDATE incidents SET update_interval = 60 WHERE id = 2")
        code, out, _ = self.run("verify")
        self.assertEqual(code, 1)
        self.assertIn("incident 2: update_interval is 3600 in the log, 60 in the table\n", out)


if __name__ == "__main__":
    unittest.main()

"""The timeline's stored form end to end: every kind of event as the commands write it, byte
for byte (the hash chain covers the payload text, so old logs verify only while it stays the
same), and what the reading commands do with a row changed outside outage."""

import json
import os
import re
import shutil
import unittest

from harness import OutageTestCase

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
GOOD = os.path.join(DATA, "runbooks", "good")

SEV2 = ["--answer", "scope=room", "--answer", "samples_at_risk=no", "--answer", "people=12",
        "--answer", "realtime=no", "--answer", "reporter=Ann"]
SEV1 = ["--answer", "scope=floor", "--answer", "samples_at_risk=yes", "--answer",
        "people=40", "--answer", "realtime=yes", "--answer", "reporter=Ann"]


def at(hhmm):
    return {"OUTAGE_NOW": f"2026-11-22T{hhmm}:00Z"}


# Every kind, in the order the scenario below writes them. Kinds still at payload version 1 hold
# the bytes the log held before the event vocabulary (docs/architecture.md#events-the-one-
# vocabulary); assessed, notice and reopened are at version 2 ("v": 2), which adds the update
# clocks, the interval and a notice's ETA and workaround (docs/architecture.md#update-clocks).
PAYLOADS = [
    ("opened", '{"affected":12,"dedup_key":"flood-2","note":"Water on the floor","owner":"alice",'
               '"scenario":"lab-flood","services":["booking","lab"],"title":"Flood in lab 2"}'),
    ("deadline_started", '{"deadline":"insurer","due_at":"2026-11-24T10:00:00Z",'
                         '"title":"Tell the insurer"}'),
    ("retriggered", '{"dedup_key":"flood-2","note":"Alarm again","title":"Flood again"}'),
    ("assessed", '{"answers":{"people":12,"realtime":"no","reporter":"Ann",'
                 '"samples_at_risk":"no","scope":"room"},"clocks":{"":"2026-11-22T11:10:00Z"},'
                 '"next_update_due":"2026-11-22T11:10:00Z","rule":"many-people",'
                 '"severity":"SEV2","update_interval":3600,"v":2}'),
    ("severity_changed", '{"from":null,"rule":"many-people","to":"SEV2"}'),
    ("updated", '{"affected":14,"eta":"2026-11-22T12:20:00Z","note":"Pumps on",'
                '"status":"identified"}'),
    ("updated", '{"status":"monitoring"}'),
    ("handoff", '{"from":"alice","note":"Samples moved","to":"bob"}'),
    ("acknowledged", '{"handed_off_at":"2026-11-22T10:30:00Z","owner":"bob"}'),
    ("step", '{"note":"Breaker 4","state":"done","step":"power-off"}'),
    ("step", '{"state":"skipped","step":"move-samples"}'),
    ("assessed", '{"answers":{"people":40,"realtime":"yes","reporter":"Ann",'
                 '"samples_at_risk":"yes","scope":"floor"},"clocks":{"":"2026-11-22T11:00:00Z"},'
                 '"next_update_due":"2026-11-22T11:00:00Z","rule":"whole-floor-or-samples",'
                 '"severity":"SEV1","update_interval":900,"v":2}'),
    ("severity_changed", '{"from":"SEV2","rule":"whole-floor-or-samples","to":"SEV1"}'),
    ("deadline_started", '{"deadline":"sample-owner","due_at":"2026-11-23T10:45:00Z",'
                         '"title":"Tell sample owners"}'),
    ("deadline_met", '{"deadline":"sample-owner","due_at":"2026-11-23T10:45:00Z","late":false,'
                     '"note":"Called them"}'),
    ("notice", '{"audience":"frontline","channel":"stdout",'
               '"clocks":{"frontline":"2026-11-22T11:10:00Z"},"fields_digest":DIGEST,'
               '"identity":DIGEST,"next_update_due":"2026-11-22T11:10:00Z","note":"Lab 2 closed",'
               '"notice":1,"recipients":1,"recipients_digest":DIGEST,'
               '"template":"frontline-briefing","v":2}'),
    ("notice_sent", '{"attempted":1,"audience":"frontline","failed":0,"notice":1,"pending":0,'
                    '"sent":1,"states_digest":DIGEST,"v":2}'),
    ("notice", '{"audience":"customers","channel":"stdout",'
               '"clocks":{"customers":"2026-11-22T11:15:00Z","frontline":"2026-11-22T11:10:00Z"},'
               '"fields_digest":DIGEST,"identity":DIGEST,"next_update_due":"2026-11-22T11:15:00Z",'
               '"notice":2,"recipients":2,"recipients_digest":DIGEST,'
               '"template":"customer-first-notice","v":2}'),
    ("notice_sent", '{"attempted":2,"audience":"customers","failed":0,"notice":2,"pending":0,'
                    '"sent":2,"states_digest":DIGEST,"v":2}'),
    ("deadline_met", '{"deadline":"insurer","due_at":"2026-11-24T10:00:00Z","late":true}'),
    ("closed", '{"actions":["Fit a leak sensor","Check pipes yearly"],"recurrence":"unlikely",'
               '"resolution":"Pumped out","root_cause":"A burst pipe"}'),
    ("reopened", '{"clocks":{"":"2026-11-25T11:15:00Z"},"note":"Water again","v":2}'),
    ("closed", '{"actions":[],"resolution":"Pumped out again"}'),
]


class EventLogTestCase(OutageTestCase):
    """The fixture runbook lab-flood, whose deadlines, steps and plan give every kind."""

    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        runbooks = os.path.join(self.tmp, "runbooks")
        shutil.copytree(GOOD, runbooks)
        self.env["OUTAGE_RUNBOOKS"] = runbooks

    def write_every_kind(self):
        """One incident through every command that writes an event; returns its id."""
        self.ok("open", "--scenario", "lab-flood", "--title", "Flood in lab 2", "--service",
                "booking", "--service", "lab", "--affected", "12", "--dedup-key", "flood-2",
                "--note", "Water on the floor", "--owner", "alice")
        self.ok("open", "--scenario", "lab-flood", "--title", "Flood again", "--dedup-key",
                "flood-2", "--note", "Alarm again", env=at("10:05"))
        self.ok("assess", "1", *SEV2, env=at("10:10"))
        self.ok("update", "1", "--status", "identified", "--eta", "2h", "--affected", "14",
                "--note", "Pumps on", env=at("10:20"))
        self.ok("update", "1", "--status", "monitoring", env=at("10:25"))
        self.ok("handoff", "1", "--to", "bob", "--note", "Samples moved", env=at("10:30"))
        self.ok("ack", "1", env={**at("10:35"), "OUTAGE_USER": "bob"})
        self.ok("step", "1", "power-off", "--done", "--note", "Breaker 4", env=at("10:40"))
        self.ok("step", "1", "move-samples", "--skip", env=at("10:41"))
        self.ok("assess", "1", *SEV1, env=at("10:45"))
        self.ok("deadline", "1", "sample-owner", "--met", "--note", "Called them",
                env=at("10:50"))
        self.ok("notify", "1", "--audience", "frontline", "--channel", "stdout", "--note",
                "Lab 2 closed", env=at("10:55"))
        self.ok("notify", "1", "--audience", "customers", "--channel", "stdout", "--to",
                "ann@acme.example", "--to", "bo@acme.example", env=at("11:00"))
        self.ok("deadline", "1", "insurer", "--met", env={"OUTAGE_NOW": "2026-11-25T09:00:00Z"})
        self.ok("close", "1", "--resolution", "Pumped out", "--root-cause", "A burst pipe",
                "--recurrence", "unlikely", "--action", "Fit a leak sensor", "--action",
                "Check pipes yearly", env={"OUTAGE_NOW": "2026-11-25T10:00:00Z"})
        self.ok("reopen", "1", "--note", "Water again", env={"OUTAGE_NOW": "2026-11-25T11:00:00Z"})
        self.ok("close", "1", "--resolution", "Pumped out again",
                env={"OUTAGE_NOW": "2026-11-25T12:00:00Z"})
        return 1



class WrittenTest(EventLogTestCase):
    def test_every_kind_is_written_as_before(self):
        self.write_every_kind()
        rows = self.query("SELECT kind, payload FROM events ORDER BY id")
        # The SHA-256 digests of version 2 (tests/e2e/test_verify.py checks what they cover).
        rows = [(kind, re.sub('"[0-9a-f]{64}"', "DIGEST", payload)) for kind, payload in rows]
        self.assertEqual(rows, PAYLOADS)
        self.assertEqual({kind for kind, _ in rows}, {
            "opened", "retriggered", "updated", "handoff", "acknowledged", "closed", "reopened",
            "assessed", "severity_changed", "step", "deadline_started", "deadline_met", "notice",
            "notice_sent"})
        self.assertEqual(self.run("verify")[0], 0)


class ChangedRowTest(EventLogTestCase):
    """A row edited with the sqlite3 shell: the commands that read it say which event and which
    field in one line (exit 1), instead of printing a value of the wrong type or nlohmann's
    message."""

    # Everything that reads the fields of a `closed` event (stats counts it by its kind alone).
    READERS = [["show", "1"], ["report", "1"], ["export", "--events", "--format", "csv"]]

    def setUp(self):
        super().setUp()
        self.write_every_kind()

    def test_a_field_of_the_wrong_type_is_named(self):
        self.tamper("UPDATE events SET payload = json_set(payload, '$.to', 7) WHERE id = 5")
        for args in [["show", "1"], ["report", "1"], ["stats"],
                     ["export", "--events", "--format", "csv"]]:
            with self.subTest(args=args):
                self.assert_fails(args, 1, "outage: event 5 (severity_changed): field 'to' is "
                                  "not text (run `outage verify` to see whether the log was "
                                  "changed outside outage)", stdout=None)
        # verify finds the edit the message points at.
        code, out, _ = self.run("verify", "--json")
        self.assertEqual((code, json.loads(out)["first_mismatch"]["id"]), (1, 5))

    def test_a_handover_note_of_the_wrong_type_is_named(self):
        self.tamper("UPDATE events SET payload = json_set(payload, '$.note', 5) WHERE id = 8")
        for args in [["show", "1"], ["report", "1"], ["brief", "1"]]:
            with self.subTest(args=args):
                self.assert_fails(args, 1, "event 8 (handoff): field 'note' is not text",
                                  stdout=None)

    def test_a_payload_that_is_not_an_object_is_named(self):
        self.tamper("UPDATE events SET payload = '[1]' WHERE id = 21")
        for args in self.READERS:
            with self.subTest(args=args):
                self.assert_fails(args, 1, "event 21 (closed): its fields are not a JSON object",
                                  stdout=None)

    def test_a_missing_field_is_refused_by_what_prints_the_state(self):
        # show, report and export print the incident only when its events give its state
        # (tests/e2e/test_verify.py); a closed event without its resolution does not. Counts
        # read it as empty, as they always did.
        self.tamper("UPDATE events SET payload = json_remove(payload, '$.resolution') "
                    "WHERE id = 21")
        for args in self.READERS + [["export"]]:
            with self.subTest(args=args):
                self.assert_fails(args, 1, "event 21 (closed): field 'resolution' is missing",
                                  stdout=None)
        self.ok("stats")
        self.assertEqual(self.run("verify")[0], 1)

    def test_the_export_as_json_checks_the_rows_it_passes_through(self):
        # The archive form copies each payload as stored, once the incidents it exports have
        # been checked against their events: a field of the wrong type is named.
        self.tamper("UPDATE events SET payload = json_set(payload, '$.note', 5) WHERE id = 8")
        self.assert_fails(["export", "--events"], 1, "event 8 (handoff): field 'note' is not text")


if __name__ == "__main__":
    unittest.main()

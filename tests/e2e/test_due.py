"""`outage due` end to end with OUTAGE_NOW moved forward, against the fixture runbook
tests/data/runbooks/good/lab-flood.yaml: overdue updates most overdue first, handovers nobody
acknowledged, deadlines missed or close, --fail-if-overdue, --json, and what moves an update or
ends a deadline or a handover (`update --note`, re-assessment, `deadline --met`, `ack`,
`close`)."""

import json
import os
import unittest

from harness import NOW, OutageTestCase

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

ROW = "  {:>5}  {:<8}  {:<10}  {:<12}  {}"
UPDATE_ROW = "  {:>5}  {:<8}  {:<16}  {:<10}  {:<12}  {}"
HEADER = ("Updates due (each audience was promised the time, or the assessment asked for a first "
          "update):\n" + UPDATE_ROW.format("ID", "SEVERITY", "AUDIENCE", "OVERDUE", "OWNER", "TITLE")
          + "\n")
UNASSESSED = ("Not assessed within 15m of opening (run `outage assess ID`):\n"
              + ROW.format("ID", "SEVERITY", "WAITING", "OWNER", "TITLE") + "\n")
FIRST = "(first update)"
NOTHING = "Nothing overdue; no deadline within 4h.\n"


def answers(scope="corner", samples="no", people=0, realtime="no"):
    return ["--answer", f"scope={scope}", "--answer", f"samples_at_risk={samples}", "--answer",
            f"people={people}", "--answer", f"realtime={realtime}", "--answer", "reporter=Ann"]


SEV1 = answers(scope="floor")  # every 30m
SEV2 = answers(people=10)  # every 1h
SEV4 = answers()  # every 12h (the runbook's override)
SEV4_SAMPLES = answers(samples="yes")  # starts sample-owner: 24h


class DueTestCase(OutageTestCase):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.env["OUTAGE_RUNBOOKS"] = os.path.join(DATA, "runbooks", "good")

    def flood(self, title, answers, owner=None, at=NOW):
        """Opens a lab-flood incident and assesses it, both at `at`; returns its id."""
        extra = ["--owner", owner] if owner else []
        incident = self.open_incident(title, "lab-flood", *extra, env={"OUTAGE_NOW": at})
        self.ok("assess", str(incident), *answers, env={"OUTAGE_NOW": at})
        return incident

    def close(self, incident, resolution):
        """Closes an incident; its steps are left open, which close warns about."""
        code, _, err = self.run("close", incident, "--resolution", resolution)
        self.assertEqual(code, 0, err)
        self.assertIn("required step", err)

    def due(self, at, *args):
        """`outage due` at `at`: (exit code, stdout); stderr must be empty."""
        code, out, err = self.run("due", *args, env={"OUTAGE_NOW": at})
        self.assertEqual(err, "", out)
        return code, out

    def due_json(self, at, *args):
        return self.run_json("due", *args, env={"OUTAGE_NOW": at})

    def due_ids(self, at, *args):
        return [(e["kind"], e["incident"]) for e in self.due_json(at, *args)]


class OverdueUpdatesTest(DueTestCase):
    def setUp(self):
        super().setUp()
        # Opened in id order, but 2 falls due first: 1 at 11:00Z, 2 at 10:30Z, 3 at 22:00Z.
        self.flood("Flood in lab 2", SEV2)
        self.flood("Flood on the whole floor", SEV1, owner="priya")
        self.flood("Damp corner", SEV4)
        # A monitoring hook's incident nobody assessed: due 15 minutes after it opened.
        self.open_incident("Not assessed yet", "lab-flood", env={"OUTAGE_NOW": NOW})

    def test_nothing_due_right_after_assessment(self):
        self.assertEqual(self.due(NOW), (0, NOTHING))
        self.assertEqual(self.due(NOW, "--fail-if-overdue"), (0, NOTHING))
        self.assertEqual(self.due_json(NOW), [])
        self.assertEqual(self.due_json("2026-11-22T10:14:59Z"), [])
        # Due at exactly its time: the first update at 10:30, the assessment at 10:15.
        self.assertEqual(self.due_ids("2026-11-22T10:15:00Z"), [("unassessed", 4)])
        self.assertEqual(self.due_ids("2026-11-22T10:29:59Z"), [("unassessed", 4)])
        self.assertEqual(self.due_ids("2026-11-22T10:30:00Z"), [("unassessed", 4), ("update", 2)])

    def test_overdue_most_overdue_first_with_how_long_and_owner(self):
        code, out = self.due("2026-11-22T11:30:00Z")
        self.assertEqual(code, 0)
        self.assertEqual(out, UNASSESSED
                         + ROW.format(4, "-", "1h 30m", "tester", "Not assessed yet") + "\n\n"
                         + HEADER
                         + UPDATE_ROW.format(2, "SEV1", FIRST, "1h", "priya",
                                             "Flood on the whole floor") + "\n"
                         + UPDATE_ROW.format(1, "SEV2", FIRST, "30m", "tester", "Flood in lab 2")
                         + "\n")
        self.ok("assess", "4", *SEV4, env={"OUTAGE_NOW": "2026-11-22T11:30:00Z"})
        code, out = self.due("2026-11-23T08:15:00Z")
        self.assertEqual(out, HEADER
                         + UPDATE_ROW.format(2, "SEV1", FIRST, "21h 45m", "priya",
                                             "Flood on the whole floor") + "\n"
                         + UPDATE_ROW.format(1, "SEV2", FIRST, "21h 15m", "tester",
                                             "Flood in lab 2") + "\n"
                         + UPDATE_ROW.format(3, "SEV4", FIRST, "10h 15m", "tester", "Damp corner")
                         + "\n" + UPDATE_ROW.format(4, "SEV4", FIRST, "8h 45m", "tester",
                                                   "Not assessed yet") + "\n")

    def test_json_array(self):
        doc = self.due_json("2026-11-22T11:30:00Z")
        self.assertEqual(doc, [
            {"kind": "unassessed", "incident": 4, "title": "Not assessed yet", "severity": None,
             "owner": "tester", "opened_at": NOW, "waiting_minutes": 90},
            {"kind": "update", "incident": 2, "title": "Flood on the whole floor",
             "severity": "SEV1", "owner": "priya", "audience": None,
             "due_at": "2026-11-22T10:30:00Z", "overdue_minutes": 60},
            {"kind": "update", "incident": 1, "title": "Flood in lab 2", "severity": "SEV2",
             "owner": "tester", "audience": None, "due_at": "2026-11-22T11:00:00Z",
             "overdue_minutes": 30},
        ])
        self.assertIs(type(doc[1]["overdue_minutes"]), int)

    def test_fail_if_overdue(self):
        code, out = self.due("2026-11-22T10:45:00Z", "--fail-if-overdue")
        self.assertEqual(code, 7)
        self.assertIn(UPDATE_ROW.format(2, "SEV1", FIRST, "15m", "priya",
                                        "Flood on the whole floor"), out)
        code, out = self.run("due", "--fail-if-overdue", "--json",
                             env={"OUTAGE_NOW": "2026-11-22T10:45:00Z"})[:2]
        self.assertEqual(code, 7)
        self.assertEqual(len(json.loads(out)), 2)
        self.assertEqual(self.due("2026-11-22T10:14:00Z", "--fail-if-overdue"), (0, NOTHING))
        # An incident nobody assessed fails cron on its own.
        code, out = self.due("2026-11-22T10:20:00Z", "--fail-if-overdue")
        self.assertEqual((code, out), (7, UNASSESSED
                                       + ROW.format(4, "-", "20m", "tester", "Not assessed yet")
                                       + "\n"))
        # Without the flag, overdue is still exit 0.
        self.assertEqual(self.due("2026-11-22T10:45:00Z")[0], 0)

    def test_a_note_moves_no_clock(self):
        late = "2026-11-22T11:30:00Z"
        self.ok("assess", "4", *SEV4, env={"OUTAGE_NOW": late})
        self.assertEqual(self.due_ids(late), [("update", 2), ("update", 1)])
        # A note is the team's record: nobody outside heard anything.
        doc = self.run_json("update", "1", "--note", "Pumps running", env={"OUTAGE_NOW": late})
        self.assertEqual(doc["next_update_due"], "2026-11-22T11:00:00Z")
        self.assertEqual(self.due_ids(late), [("update", 2), ("update", 1)])
        self.assertEqual(self.due_json(late)[1]["overdue_minutes"], 30)

    def test_closed_incidents_are_not_due(self):
        self.close("2", "Pumped out")
        self.assertEqual(self.due_ids("2026-11-22T11:30:00Z"), [("unassessed", 4), ("update", 1)])
        shown = self.run_json("show", "2")
        self.assertIsNone(shown["next_update_due"])


class ReassessmentTest(DueTestCase):
    def test_reassessment_never_postpones_an_update(self):
        self.flood("Flood", SEV1)
        doc = self.run_json("assess", "1", *SEV4, env={"OUTAGE_NOW": "2026-11-22T10:20:00Z"})
        self.assertEqual((doc["severity"], doc["update_interval_minutes"]), ("SEV4", 720))
        self.assertEqual(doc["next_update_due"], "2026-11-22T10:30:00Z")
        self.assertEqual(self.due_ids("2026-11-22T10:31:00Z"), [("update", 1)])

    def test_escalation_brings_the_next_update_forward(self):
        self.flood("Flood", SEV4)
        self.assertEqual(self.due_json("2026-11-22T11:00:00Z"), [])
        doc = self.run_json("assess", "1", *SEV1, env={"OUTAGE_NOW": "2026-11-22T10:20:00Z"})
        self.assertEqual(doc["next_update_due"], "2026-11-22T10:50:00Z")
        self.assertEqual(self.due_json("2026-11-22T11:00:00Z")[0]["overdue_minutes"], 10)


class DeadlinesDueTest(DueTestCase):
    def setUp(self):
        super().setUp()
        # SEV4, updates every 12h; sample-owner due 2026-11-23T10:00Z, insurer 2026-11-24T10:00Z.
        self.flood("Samples wet", SEV4_SAMPLES, owner="priya")

    def note(self, at):
        """Tells staff, which promises the next update an interval (12h) later."""
        self.ok("notify", "1", "--audience", "staff", "--template", "staff-alert", "--channel",
                "stdout", "--force", env={"OUTAGE_NOW": at})

    def test_deadlines_due_soon_are_listed_but_do_not_fail(self):
        at = "2026-11-22T11:00:00Z"
        self.assertEqual(self.due(at), (0, NOTHING))
        doc = self.due_json(at, "--within", "1d")
        self.assertEqual(doc, [{
            "kind": "deadline", "incident": 1, "name": "sample-owner",
            "title": "Tell sample owners", "started_at": NOW, "due_at": "2026-11-23T10:00:00Z",
            "met_at": None, "note": None, "overdue": False, "outcome": "running",
        }])
        self.assertEqual(self.due(at, "--within", "1d", "--fail-if-overdue")[0], 0)
        self.assertEqual(len(self.due_json(at, "--within", "2d")), 2)
        # Within the default 4h: at 07:00Z the next update is due at 09:00Z (staff told at 21:00Z).
        self.note("2026-11-22T21:00:00Z")
        code, out = self.due("2026-11-23T07:00:00Z", "--fail-if-overdue")
        self.assertEqual(code, 0)
        self.assertEqual(out, "Deadlines missed or due within 4h:\n"
                              "     ID  DEADLINE               STATE"
                              "                                TITLE\n"
                              "      1  sample-owner           due 2026-11-23 11:00 CET (in 3h)     "
                              "Tell sample owners\n")

    def test_missed_deadline_is_overdue_until_met(self):
        self.note("2026-11-22T21:00:00Z")
        self.note("2026-11-23T07:00:00Z")  # next update 19:00Z: only the deadline is late
        at = "2026-11-23T11:00:00Z"
        code, out = self.due(at, "--fail-if-overdue")
        self.assertEqual(code, 7)
        self.assertNotIn("Updates due", out)
        self.assertIn("Deadlines missed or due within 4h:\n     ID  DEADLINE", out)
        self.assertRegex(out, r"\n      1  sample-owner +MISSED 1h ago +Tell sample owners\n")
        doc = self.due_json(at)
        self.assertEqual([(d["kind"], d["name"], d["overdue"]) for d in doc],
                         [("deadline", "sample-owner", True)])
        out = self.ok("deadline", "1", "sample-owner", "--met", "--note", "Phoned them",
                      env={"OUTAGE_NOW": at})
        self.assertEqual(out, "Deadline sample-owner of incident 1 met, 1h late.\n")
        self.assertEqual(self.due(at, "--fail-if-overdue"), (0, NOTHING))
        self.assertEqual(self.due_json(at, "--within", "2d")[0]["name"], "insurer")
        met = [e for e in self.run_json("show", "1")["timeline"] if e["kind"] == "deadline_met"]
        self.assertEqual(len(met), 1)
        self.assertEqual((met[0]["deadline"], met[0]["late"], met[0]["note"], met[0]["at"]),
                         ("sample-owner", True, "Phoned them", at))

    def test_deadline_met_in_time(self):
        doc = self.run_json("deadline", "1", "insurer", "--met",
                            env={"OUTAGE_NOW": "2026-11-22T12:00:00Z"})
        self.assertEqual(doc, {"incident": 1, "name": "insurer", "title": "Tell the insurer",
                               "started_at": NOW, "due_at": "2026-11-24T10:00:00Z",
                               "met_at": "2026-11-22T12:00:00Z", "note": None, "overdue": False,
                               "outcome": "met on time"})
        self.assertEqual([d["name"] for d in self.due_json(NOW, "--within", "3d")],
                         ["sample-owner"])
        self.assertEqual(self.ok("deadline", "1", "sample-owner", "--met"),
                         "Deadline sample-owner of incident 1 met, on time.\n")
        self.assertEqual(self.due_json("2026-11-25T00:00:00Z", "--within", "3d")[-1]["kind"],
                         "update")
        self.assertFalse(any(d["kind"] == "deadline"
                             for d in self.due_json("2026-11-25T00:00:00Z", "--within", "3d")))

    def test_deadlines_of_closed_incidents_are_still_due(self):
        # Deadlines outlive the incident: closing does not stop the insurer's or the sample
        # owners' clock, and a missed one still fails cron.
        self.close("1", "Dry")
        at = "2026-11-23T11:00:00Z"
        self.assertEqual([(d["name"], d["outcome"])
                          for d in self.due_json(at, "--within", "3d")],
                         [("sample-owner", "missed"), ("insurer", "running")])
        self.assertEqual(self.due(at, "--fail-if-overdue")[0], 7)
        self.ok("deadline", "1", "sample-owner", "--met", env={"OUTAGE_NOW": at})
        self.assertEqual(self.due(at, "--fail-if-overdue"), (0, NOTHING))
        self.assertEqual(self.run_json("show", "1")["status"], "closed")

    def test_deadline_refusals_change_nothing(self):
        self.assert_fails(["deadline", "1", "regulator", "--met"], 3,
                          "no deadline 'regulator' in the lab-flood runbook (deadlines: insurer, "
                          "sample-owner)")
        self.assert_fails(["deadline", "99", "insurer", "--met"], 3, "no incident 99")
        self.flood("Dry samples", SEV4)
        self.assert_fails(["deadline", "2", "sample-owner", "--met"], 5,
                          "deadline 'sample-owner' is not running on incident 2")
        self.ok("deadline", "1", "insurer", "--met")
        self.assert_fails(["deadline", "1", "insurer", "--met"], 5,
                          "deadline 'insurer' of incident 1 was already met at " + NOW)


class HandoverDueTest(DueTestCase):
    """Handovers nobody acknowledged after 15 minutes: listed, and overdue for cron."""

    HANDOVERS = ("Handovers not acknowledged after 15m (the new owner runs `outage ack ID`):\n"
                 + ROW.format("ID", "SEVERITY", "WAITING", "OWNER", "TITLE") + "\n")

    def setUp(self):
        super().setUp()
        # SEV4: the next update is due at 22:00Z, so only the handover can be late.
        self.flood("Damp corner", SEV4)
        self.ok("handoff", "1", "--to", "priya", "--note", "Dehumidifier on",
                env={"OUTAGE_NOW": NOW})

    def test_listed_16_minutes_after_the_handoff(self):
        self.assertEqual(self.due("2026-11-22T10:15:00Z", "--fail-if-overdue"), (0, NOTHING))
        at = "2026-11-22T10:16:00Z"
        self.assertEqual(self.due(at), (0, self.HANDOVERS
                                        + ROW.format(1, "SEV4", "16m", "priya", "Damp corner")
                                        + "\n"))
        self.assertEqual(self.due(at, "--fail-if-overdue")[0], 7)
        self.assertEqual(self.due_json(at), [
            {"kind": "handover", "incident": 1, "title": "Damp corner", "severity": "SEV4",
             "owner": "priya", "handed_off_at": NOW, "waiting_minutes": 16},
        ])
        code, out, _ = self.run("due", "--fail-if-overdue", "--json", env={"OUTAGE_NOW": at})
        self.assertEqual((code, json.loads(out)[0]["kind"]), (7, "handover"))

    def test_ack_ends_it(self):
        at = "2026-11-22T10:40:00Z"
        self.ok("ack", "1", env={"OUTAGE_NOW": at, "OUTAGE_USER": "priya"})
        self.assertEqual(self.due(at, "--fail-if-overdue"), (0, NOTHING))
        # A new handover starts a new wait.
        self.ok("handoff", "1", "--to", "bob", "--note", "Night shift",
                env={"OUTAGE_NOW": at, "OUTAGE_USER": "priya"})
        self.assertEqual(self.due_ids("2026-11-22T10:55:00Z"), [])
        self.assertEqual(self.due_ids("2026-11-22T10:56:00Z"), [("handover", 1)])

    def test_between_overdue_updates_and_deadlines_longest_waiting_first(self):
        self.flood("Flood in lab 2", SEV1, owner="ann")  # update due 10:30Z
        self.ok("handoff", "2", "--to", "bob", "--note", "Pumps", env={"OUTAGE_USER": "ann",
                                                                        "OUTAGE_NOW": NOW})
        self.ok("handoff", "1", "--to", "carl", "--note", "Again",
                env={"OUTAGE_USER": "priya", "OUTAGE_NOW": "2026-11-22T10:10:00Z"})
        at = "2026-11-22T10:45:00Z"
        self.assertEqual(self.due_ids(at, "--within", "2d"),
                         [("update", 2), ("handover", 2), ("handover", 1), ("deadline", 1),
                          ("deadline", 2)])
        code, out = self.due(at)
        self.assertIn(UPDATE_ROW.format(2, "SEV1", FIRST, "15m", "bob", "Flood in lab 2") + "\n\n"
                      + self.HANDOVERS
                      + ROW.format(2, "SEV1", "45m", "bob", "Flood in lab 2") + "\n"
                      + ROW.format(1, "SEV4", "35m", "carl", "Damp corner") + "\n", out)

    def test_closed_incidents_are_not_listed(self):
        self.close("1", "Dry")
        self.assertEqual(self.due("2026-11-22T11:00:00Z", "--fail-if-overdue"), (0, NOTHING))


class DueErrorsTest(DueTestCase):
    def test_without_a_log_it_fails_and_creates_none(self):
        # Not "nothing overdue": a mistyped path would report all-clear forever.
        self.assert_fails(["due", "--fail-if-overdue"], 3, f"no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db))

    def test_an_empty_log_has_nothing_due(self):
        self.ok("init")
        self.assertEqual(self.due(NOW, "--fail-if-overdue"), (0, NOTHING))

    def test_bad_within(self):
        self.assert_fails(["due", "--within", "soon"], 2, "--within: invalid duration 'soon'")


if __name__ == "__main__":
    unittest.main()

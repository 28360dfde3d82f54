"""What outage promises in a message is what it tracks (issue 11, failures 2 to 7): the "next
update by" time is the audience's clock that `due` enforces, a note moves no clock, a closed
incident owes no update, an incident nobody assessed is due, the ETA and workaround given to a
notice stay the incident's word, and the same notify later is the next update. Against the
fixture runbook lab-flood (SEV2 updates every hour) and the bundled templates."""

import os
import unittest

from harness import NOW, OutageTestCase

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")

SEV2 = ["--answer", "scope=room", "--answer", "samples_at_risk=no", "--answer", "people=12",
        "--answer", "realtime=no", "--answer", "reporter=Ann"]
CUSTOMERS = ["--audience", "customers", "--channel", "stdout", "--to", "ann@acme.example",
             "--to", "bo@acme.example"]


def at(hhmm):
    return {"OUTAGE_NOW": f"2026-11-22T{hhmm}:00Z"}


class PromisesTestCase(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.env["OUTAGE_RUNBOOKS"] = os.path.join(DATA, "runbooks", "good")
        self.open_incident("Flood in lab 2", "lab-flood", env=at("10:00"))
        self.ok("assess", "1", *SEV2, env=at("10:00"))  # first update owed by 11:00Z

    def tell_customers(self, hhmm, *extra):
        return self.ok("notify", "1", *CUSTOMERS, *extra, env=at(hhmm))

    def due(self, hhmm):
        return [(e["kind"], e.get("audience"), e.get("due_at"))
                for e in self.run_json("due", env=at(hhmm))]

    def close(self, hhmm):
        """Closes the incident; it warns about steps and the insurer's deadline left open."""
        code, out, err = self.run("close", "1", "--resolution", "Pumped out", env=at(hhmm))
        self.assertEqual(code, 0, err)
        self.assertIn("Closed incident 1.", out)

    def fails_due(self, hhmm):
        return self.run("due", "--fail-if-overdue", env=at(hhmm))[0]


class NextUpdateTest(PromisesTestCase):
    def test_the_time_in_the_message_is_the_clock_due_enforces(self):
        # Failure 2: the message said 09:20 while due nagged at 09:25.
        out = self.tell_customers("10:10")
        self.assertEqual(out.count("You will hear from us again by 2026-11-22 12:10 CET"), 2)
        self.assertEqual(self.run_json("show", "1")["next_update_due"], "2026-11-22T11:10:00Z")
        self.assertEqual(self.due("11:09"), [])
        self.assertEqual(self.fails_due("11:09"), 0)
        self.assertEqual(self.due("11:10"), [("update", "customers", "2026-11-22T11:10:00Z")])
        self.assertEqual(self.fails_due("11:10"), 7)

    def test_a_message_sent_late_promises_a_time_still_to_come(self):
        # The first update was owed at 11:00; sent at 11:45 it promises 12:45, not 11:00.
        self.assertEqual(self.due("11:45"), [("update", None, "2026-11-22T11:00:00Z")])
        out = self.tell_customers("11:45")
        self.assertIn("You will hear from us again by 2026-11-22 13:45 CET", out)
        self.assertEqual(self.due("11:45"), [])
        self.assertEqual(self.due("12:45"), [("update", "customers", "2026-11-22T12:45:00Z")])

    def test_each_audience_keeps_its_own_clock(self):
        self.tell_customers("10:10")
        self.ok("notify", "1", "--audience", "frontline", "--channel", "stdout", "--to",
                "desk@lab.example", env=at("10:30"))
        self.assertEqual(self.due("12:00"), [("update", "customers", "2026-11-22T11:10:00Z"),
                                             ("update", "frontline", "2026-11-22T11:30:00Z")])
        # Telling the customers again moves theirs only.
        self.tell_customers("11:15", "--note", "Pumps arrived")
        self.assertEqual(self.due("12:00"), [("update", "frontline", "2026-11-22T11:30:00Z")])

    def test_an_internal_note_moves_no_clock(self):
        # Failure 5: customers were promised 11:10; a note must not push that back.
        self.tell_customers("10:10")
        doc = self.run_json("update", "1", "--note", "Supplier: part by 11:30", env=at("10:45"))
        self.assertEqual(doc["next_update_due"], "2026-11-22T11:10:00Z")
        self.assertEqual(self.due("11:10"), [("update", "customers", "2026-11-22T11:10:00Z")])


class ClosedTest(PromisesTestCase):
    def test_closed_means_no_update_due_anywhere(self):
        # Failure 3.
        self.tell_customers("10:10")
        self.close("10:40")
        self.assertIsNone(self.run_json("show", "1")["next_update_due"])
        self.assertIsNone(self.run_json("export")[0]["next_update_due"])
        brief = self.run_json("brief", "1", env=at("12:00"))
        self.assertIsNone(brief["pending"]["next_update_due"])
        self.assertIs(brief["pending"]["update_overdue"], False)
        self.assertNotIn("next update", self.ok("show", "1"))
        self.assertEqual(self.due("23:00"), [])
        # A notice after the close promises nothing and starts no clock.
        out = self.ok("notify", "1", "--audience", "frontline", "--channel", "stdout", "--to",
                      "desk@lab.example", env=at("11:00"))
        self.assertNotIn("next briefing comes by", out)
        self.assertIsNone(self.run_json("show", "1")["next_update_due"])
        self.assertEqual(self.query("SELECT count(*) FROM update_clocks"), [(0,)])

    def test_reopen_starts_a_fresh_clock(self):
        self.close("10:40")
        doc = self.run_json("reopen", "1", "--note", "Water again", env=at("15:00"))
        self.assertEqual(doc["next_update_due"], "2026-11-22T16:00:00Z")
        self.assertEqual(self.due("15:00"), [])
        self.assertEqual(self.due("16:00"), [("update", None, "2026-11-22T16:00:00Z")])


class UnassessedTest(OutageTestCase):
    use_fixture_runbooks = False

    def test_a_hook_opened_incident_nobody_assessed_is_due(self):
        # Failure 4: three hours later `due --fail-if-overdue` said nothing.
        self.env["OUTAGE_RUNBOOKS"] = os.path.join(DATA, "runbooks", "good")
        self.ok("open", "--scenario", "lab-flood", "--title", "Sensor 4 wet", "--dedup-key",
                "sensor-4", env=at("08:55"))
        self.assertEqual(self.run("due", "--fail-if-overdue", env=at("09:09"))[0], 0)
        code, out, _ = self.run("due", "--fail-if-overdue", env=at("09:12"))
        self.assertEqual(code, 7)
        self.assertIn("Not assessed within 15m of opening (run `outage assess ID`):\n", out)
        self.assertIn("Sensor 4 wet", out)
        code, out, _ = self.run("due", "--fail-if-overdue", env=at("11:55"))
        self.assertIn("3h", out)
        self.ok("assess", "1", *SEV2, env=at("11:56"))
        self.assertEqual(self.run("due", "--fail-if-overdue", env=at("11:56"))[0], 0)


class PublicFactsTest(PromisesTestCase):
    def test_eta_and_workaround_given_to_notify_stay_for_later_messages(self):
        # Failure 6: the next message said "not known yet".
        self.tell_customers("10:10", "--eta", "14:00", "--workaround", "Use the second-floor lab")
        shown = self.run_json("show", "1")
        self.assertEqual(shown["eta"], "2026-11-22T13:00:00Z")
        later = self.ok("notify", "1", "--audience", "customers", "--template", "customer-update",
                        "--channel", "stdout", "--to", "ann@acme.example", "--note",
                        "Pumps arrived", env=at("11:10"))
        self.assertIn("2026-11-22 14:00 CET", later)
        self.assertIn("Use the second-floor lab", later)
        notice = [e for e in shown["timeline"] if e["kind"] == "notice"][0]
        self.assertEqual((notice["eta"], notice["workaround"]),
                         ("2026-11-22T13:00:00Z", "Use the second-floor lab"))


class RepeatTest(PromisesTestCase):
    def test_the_same_notify_later_is_the_next_update(self):
        # Failure 7: two hours later it said "already sent ... nothing left to send".
        self.tell_customers("10:10")
        out = self.tell_customers("12:10")
        self.assertIn("Notice 2 to customers: 2 sent, 0 failed, 0 pending.", out)
        self.assertIn("You will hear from us again by 2026-11-22 14:10 CET", out)
        self.assertEqual(self.query("SELECT id, json_extract(fields, '$.update_number') "
                                    "FROM notices ORDER BY id"), [(1, "1"), (2, "2")])
        self.assertEqual(self.due("13:10"), [("update", "customers", "2026-11-22T13:10:00Z")])

    def test_an_accidental_second_run_is_refused(self):
        self.tell_customers("10:10")
        self.assert_fails(["notify", "1", *CUSTOMERS], 5,
                          "outage: notice 1 to customers went out 1m ago with the same message; "
                          "to send it again as a new update, add --again",
                          env=at("10:11"))
        out = self.ok("notify", "1", *CUSTOMERS, "--again", env=at("10:11"))
        self.assertIn("Notice 2 to customers: 2 sent", out)


if __name__ == "__main__":
    unittest.main()

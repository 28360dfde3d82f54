"""The incident lifecycle end to end: open, update, handoff, close, reopen, close again; the
human and JSON output of each; show's timeline; list's filters; the actor; --help; --version."""

import json
import os
import re
import unittest

from harness import NOW, SCENARIOS, USER, OutageTestCase, login_name

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# Every field docs/cli.md promises in the incident object.
INCIDENT_FIELDS = {
    "id", "title", "scenario", "status", "phase", "severity", "owner", "services", "affected",
    "dedup_key", "eta", "opened_at", "closed_at", "next_update_due", "update_interval_minutes",
    "handed_off_at", "resolution", "root_cause", "recurrence", "actions",
}

TITLE = "Power cut at the Leeds office"


class IncidentAssertions:
    def assert_incident(self, doc, **expected):
        """The incident object has every documented field, and the given ones exactly."""
        self.assertIsInstance(doc, dict)
        missing = INCIDENT_FIELDS - set(doc)
        self.assertFalse(missing, f"incident object lacks {sorted(missing)}")
        self.assertIs(type(doc["id"]), int)
        self.assertIsInstance(doc["services"], list)
        self.assertIsInstance(doc["actions"], list)
        for key in ("opened_at", "closed_at", "next_update_due", "eta", "handed_off_at"):
            if doc[key] is not None:
                self.assertRegex(doc[key], ISO_UTC, key)
        for key, value in expected.items():
            self.assertEqual(doc[key], value, f"incident field {key}")
            if isinstance(value, int) and not isinstance(value, bool):
                self.assertIs(type(doc[key]), int, key)


class OpenTest(OutageTestCase, IncidentAssertions):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def test_open_prints_the_id_and_the_next_step(self):
        out = self.ok("open", "--scenario", "power-loss", "--title", TITLE)
        self.assertEqual(
            out, f"Opened incident 1: {TITLE}\nNext: assess it with `outage assess 1`.\n"
        )
        out = self.ok("open", "--scenario", "malware", "--title", "Ransom note on a laptop")
        self.assertEqual(
            out,
            "Opened incident 2: Ransom note on a laptop\n"
            "Next: assess it with `outage assess 2`.\n",
        )

    def test_open_json_is_the_incident_object(self):
        doc = self.run_json(
            "open", "--scenario", "power-loss", "--title", TITLE, "--service", "phones",
            "--service", "wifi", "--service", "phones", "--affected", "120",
        )
        self.assert_incident(
            doc,
            id=1,
            title=TITLE,
            scenario="power-loss",
            status="open",
            phase="investigating",
            severity=None,
            owner=USER,
            services=["phones", "wifi"],  # duplicates dropped, order kept
            affected=120,
            dedup_key=None,
            eta=None,
            opened_at=NOW,
            closed_at=None,
            next_update_due=None,
            update_interval_minutes=None,
            handed_off_at=None,
            resolution=None,
            root_cause=None,
            recurrence=None,
            actions=[],
            retriggered=False,
        )

    def test_open_without_optional_options(self):
        doc = self.run_json("open", "--scenario", "hardware-failure", "--title", "Disk failed")
        self.assert_incident(doc, id=1, services=[], affected=None, owner=USER, dedup_key=None)

    def test_affected_zero_is_allowed(self):
        doc = self.run_json("open", "--scenario", "power-loss", "--title", "t", "--affected", "0")
        self.assertEqual(doc["affected"], 0)

    def test_ids_count_up(self):
        ids = [self.open_incident(f"incident {n}") for n in range(3)]
        self.assertEqual(ids, [1, 2, 3])

    def test_unicode_title_round_trips(self):
        title = "Stroomstoring in Zürich — 停电 ⚡"
        self.open_incident(title)
        self.assertEqual(self.run_json("show", "1")["title"], title)
        self.assertIn(f"Incident 1: {title}\n", self.ok("show", "1"))

    def test_every_bundled_scenario_id_is_accepted(self):
        for n, scenario in enumerate(SCENARIOS, start=1):
            doc = self.run_json("open", "--scenario", scenario, "--title", f"t {scenario}")
            self.assert_incident(doc, id=n, scenario=scenario)


class BundledRunbooksTest(OutageTestCase, IncidentAssertions):
    """Without a user runbook folder the bundled runbooks must be found and be valid."""
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    use_fixture_runbooks = False

    def test_open_with_each_bundled_scenario(self):
        for n, scenario in enumerate(SCENARIOS, start=1):
            with self.subTest(scenario=scenario):
                code, out, err = self.run("open", "--scenario", scenario, "--title", "t", "--json")
                self.assertEqual((code, err), (0, ""), out + err)
                self.assert_incident(json.loads(out), scenario=scenario, status="open")

    def test_unknown_scenario_lists_the_bundled_ids(self):
        code, out, err = self.run("open", "--scenario", "flood", "--title", "t")
        self.assertEqual((code, out), (3, ""))
        self.assert_one_error_line(err, "unknown scenario 'flood'")
        for scenario in SCENARIOS:
            self.assertIn(scenario, err)


class LifecycleTest(OutageTestCase, IncidentAssertions):
    """open → update → handoff → close → reopen → close, with the clock moving."""
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def at(self, when):
        return {"OUTAGE_NOW": when}

    def test_whole_lifecycle(self):
        # 10:00Z open.
        doc = self.run_json(
            "open", "--scenario", "power-loss", "--title", TITLE, "--service", "phones",
            "--service", "wifi", "--affected", "120", "--note", "Building dark",
        )
        self.assert_incident(doc, id=1, status="open", owner=USER, opened_at=NOW)

        # 10:15Z alice records progress.
        doc = self.run_json(
            "update", "1", "--status", "identified", "--note", "UPS failed", "--eta", "2h",
            "--affected", "80", "--as", "alice", env=self.at("2026-11-22T10:15:00Z"),
        )
        self.assert_incident(
            doc, id=1, status="open", phase="identified", eta="2026-11-22T12:15:00Z",
            affected=80, owner=USER, services=["phones", "wifi"], opened_at=NOW,
            next_update_due=None, closed_at=None,
        )

        # 10:30Z handed over to priya.
        doc = self.run_json(
            "handoff", "1", "--to", "priya", "--note", "Vendor engineer due 14:00",
            env=self.at("2026-11-22T10:30:00Z"),
        )
        self.assert_incident(
            doc, status="open", owner="priya", handed_off_at="2026-11-22T10:30:00Z",
            phase="identified",
        )

        # 11:00Z priya closes it (her name from OUTAGE_USER).
        doc = self.run_json(
            "close", "1", "--resolution", "Power restored", "--root-cause", "UPS battery worn out",
            "--recurrence", "likely", "--action", "Replace UPS batteries yearly",
            "--action", "Alert on UPS self-test",
            env={"OUTAGE_NOW": "2026-11-22T11:00:00Z", "OUTAGE_USER": "priya"},
        )
        self.assert_incident(
            doc, status="closed", phase="resolved", closed_at="2026-11-22T11:00:00Z",
            next_update_due=None, resolution="Power restored", root_cause="UPS battery worn out",
            recurrence="likely",
            actions=["Replace UPS batteries yearly", "Alert on UPS self-test"], owner="priya",
            opened_at=NOW,
        )

        # 12:00Z reopened.
        doc = self.run_json("reopen", "1", "--note", "Power dropped again",
                            env=self.at("2026-11-22T12:00:00Z"))
        self.assert_incident(
            doc, status="open", phase="investigating", closed_at=None, resolution=None,
            root_cause=None, recurrence=None, owner="priya", opened_at=NOW,
            actions=["Replace UPS batteries yearly", "Alert on UPS self-test"],
        )

        # 13:00Z closed again; the prevention actions accumulate.
        doc = self.run_json("close", "1", "--resolution", "Mains stable", "--action",
                            "Second feed", env=self.at("2026-11-22T13:00:00Z"))
        self.assert_incident(
            doc, status="closed", phase="resolved", closed_at="2026-11-22T13:00:00Z",
            resolution="Mains stable", root_cause=None, recurrence=None,
            actions=["Replace UPS batteries yearly", "Alert on UPS self-test", "Second feed"],
        )

        shown = self.run_json("show", "1")
        timeline = shown.pop("timeline")
        # close adds what it found: the all-clears due, the steps left open and the deadlines
        # still running.
        self.assertEqual((doc.pop("all_clear"), doc.pop("unfinished_steps"),
                          doc.pop("unmet_deadlines")), ([], [], []))
        self.assertEqual(shown, doc, "show --json is the same incident object")
        self.assertEqual(
            timeline,
            [
                {"id": 1, "at": "2026-11-22T10:00:00Z", "kind": "opened", "actor": USER,
                 "title": TITLE, "scenario": "power-loss", "owner": USER,
                 "services": ["phones", "wifi"], "affected": 120, "note": "Building dark"},
                {"id": 2, "at": "2026-11-22T10:15:00Z", "kind": "updated", "actor": "alice",
                 "status": "identified", "note": "UPS failed", "eta": "2026-11-22T12:15:00Z",
                 "affected": 80},
                {"id": 3, "at": "2026-11-22T10:30:00Z", "kind": "handoff", "actor": USER,
                 "from": USER, "to": "priya", "note": "Vendor engineer due 14:00"},
                {"id": 4, "at": "2026-11-22T11:00:00Z", "kind": "closed", "actor": "priya",
                 "resolution": "Power restored", "root_cause": "UPS battery worn out",
                 "recurrence": "likely",
                 "actions": ["Replace UPS batteries yearly", "Alert on UPS self-test"]},
                {"id": 5, "at": "2026-11-22T12:00:00Z", "kind": "reopened", "actor": USER,
                 "note": "Power dropped again", "clocks": {}, "v": 2},
                {"id": 6, "at": "2026-11-22T13:00:00Z", "kind": "closed", "actor": USER,
                 "resolution": "Mains stable", "actions": ["Second feed"]},
            ],
        )

        # The human view: local times (CET), the timeline oldest first.
        self.assertEqual(
            self.ok("show", "1"),
            f"Incident 1: {TITLE}\n"
            "  scenario     power-loss\n"
            "  status       closed\n"
            "  severity     unassessed\n"
            "  owner        priya\n"
            "  services     phones, wifi\n"
            "  affected     80\n"
            "  opened       2026-11-22 11:00 CET\n"
            "  eta          2026-11-22 13:15 CET\n"
            "  closed       2026-11-22 14:00 CET\n"
            "  resolution   Mains stable\n"
            "  action       Replace UPS batteries yearly\n"
            "  action       Alert on UPS self-test\n"
            "  action       Second feed\n"
            "\n"
            "Timeline\n"
            f"  2026-11-22 11:00 CET  tester       opened \"{TITLE}\" (power-loss), owner tester"
            " — Building dark\n"
            "  2026-11-22 11:15 CET  alice        status identified, ETA 2026-11-22 13:15 CET,"
            " affected 80 — UPS failed\n"
            "  2026-11-22 11:30 CET  tester       handed over from tester to priya"
            " — Vendor engineer due 14:00\n"
            "  2026-11-22 12:00 CET  priya        closed — Power restored\n"
            "  2026-11-22 13:00 CET  tester       reopened — Power dropped again\n"
            "  2026-11-22 14:00 CET  tester       closed — Mains stable\n",
        )

    def test_human_output_of_each_change(self):
        self.open_incident(TITLE, "power-loss", "--service", "phones")
        out = self.ok("update", "1", "--status", "monitoring", "--eta", "90m")
        self.assertEqual(
            out,
            "Updated incident 1.\n"
            f"Incident 1: {TITLE}\n"
            "  scenario     power-loss\n"
            "  status       open (monitoring)\n"
            "  severity     unassessed\n"
            "  owner        tester\n"
            "  services     phones\n"
            "  opened       2026-11-22 11:00 CET\n"
            "  eta          2026-11-22 12:30 CET\n",
        )
        out = self.ok("handoff", "1", "--to", "priya", "--note", "over to you")
        self.assertTrue(out.startswith("Incident 1 handed over to priya.\n"), out)
        self.assertIn("\n  owner        priya since 2026-11-22 11:00 CET;", out)  # the brief
        out = self.ok("close", "1", "--resolution", "Fixed")
        self.assertTrue(out.startswith(f"Closed incident 1.\nIncident 1: {TITLE}\n"), out)
        self.assertIn("\n  status       closed\n", out)
        self.assertIn("\n  closed       2026-11-22 11:00 CET\n", out)
        self.assertIn("\n  resolution   Fixed\n", out)
        out = self.ok("reopen", "1", "--note", "Again")
        self.assertTrue(out.startswith(f"Reopened incident 1.\nIncident 1: {TITLE}\n"), out)
        self.assertIn("\n  status       open (investigating)\n", out)
        self.assertNotIn("closed", out)
        self.assertNotIn("resolution", out)

    def test_each_update_field_alone(self):
        self.open_incident()
        self.assert_incident(self.run_json("update", "1", "--note", "looking"),
                             phase="investigating", eta=None, affected=None)
        self.assert_incident(self.run_json("update", "1", "--affected", "7"), affected=7)
        self.assert_incident(self.run_json("update", "1", "--status", "identified"),
                             phase="identified", affected=7)
        self.assert_incident(self.run_json("update", "1", "--eta", "2026-11-22T18:00:00Z"),
                             eta="2026-11-22T18:00:00Z", phase="identified")
        kinds = [(e["kind"], sorted(set(e) - {"id", "at", "kind", "actor"}))
                 for e in self.run_json("show", "1")["timeline"]]
        self.assertEqual(kinds, [
            ("opened", ["owner", "scenario", "services", "title"]),
            ("updated", ["note"]),
            ("updated", ["affected"]),
            ("updated", ["status"]),
            ("updated", ["eta"]),
        ])

    def test_eta_forms(self):
        self.open_incident()
        cases = [
            # (value, OUTAGE_NOW, stored UTC)
            ("2h", NOW, "2026-11-22T12:00:00Z"),
            ("90m", NOW, "2026-11-22T11:30:00Z"),
            ("1d", NOW, "2026-11-23T10:00:00Z"),
            ("1h30m", NOW, "2026-11-22T11:30:00Z"),
            ("2026-11-22T14:30:00Z", NOW, "2026-11-22T14:30:00Z"),
            ("2026-11-22T14:30+02:00", NOW, "2026-11-22T12:30:00Z"),
            ("2026-11-22T14:30", NOW, "2026-11-22T13:30:00Z"),  # local, CET = UTC+1
            ("2026-11-22 14:30:00", NOW, "2026-11-22T13:30:00Z"),
            ("14:30", NOW, "2026-11-22T13:30:00Z"),  # today, local
            ("9:05", "2026-11-23T07:00:00Z", "2026-11-23T08:05:00Z"),
            ("14:30", "2027-07-01T10:00:00Z", "2027-07-01T12:30:00Z"),  # CEST = UTC+2
            ("2027-07-01T14:30", NOW, "2027-07-01T12:30:00Z"),
        ]
        for value, now, expected in cases:
            with self.subTest(eta=value, now=now):
                doc = self.run_json("update", "1", "--eta", value, env={"OUTAGE_NOW": now})
                self.assertEqual(doc["eta"], expected)
                self.assertEqual(self.run_json("show", "1")["timeline"][-1]["eta"], expected)

    def test_assessment_sets_severity_and_a_note_moves_no_clock(self):
        self.open_incident()
        self.ok("assess", "1", "--answer", "down=yes", "--no-input")
        self.assert_incident(self.run_json("show", "1"), severity="SEV2",
                             next_update_due="2026-11-22T11:00:00Z", update_interval_minutes=60)
        # Neither a status change nor a note tells anyone outside anything: no clock moves.
        doc = self.run_json("update", "1", "--status", "identified",
                            env={"OUTAGE_NOW": "2026-11-22T10:40:00Z"})
        self.assertEqual(doc["next_update_due"], "2026-11-22T11:00:00Z")
        doc = self.run_json("update", "1", "--note", "Generator on its way",
                            env={"OUTAGE_NOW": "2026-11-22T10:40:00Z"})
        self.assertEqual(doc["next_update_due"], "2026-11-22T11:00:00Z")
        last = self.run_json("show", "1")["timeline"][-1]
        self.assertNotIn("next_update_due", last)
        self.assertIn("  next update  2026-11-22 12:00 CET (every 1h)\n", self.ok("show", "1"))
        # Closing clears it.
        doc = self.run_json("close", "1", "--resolution", "Back on mains")
        self.assertIsNone(doc["next_update_due"])
        self.assertEqual(doc["severity"], "SEV2")

    def test_show_unassessed_and_assessed_in_human_output(self):
        self.open_incident()
        self.assertIn("\n  severity     unassessed\n", self.ok("show", "1"))
        self.ok("assess", "1", "--answer", "down=no")
        out = self.ok("show", "1")
        self.assertIn("\n  severity     SEV4\n", out)
        self.assertNotIn("\x1b[", out, "no colour without a terminal and with NO_COLOR")


class ListTest(OutageTestCase, IncidentAssertions):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def setUp(self):
        super().setUp()
        # 1: power-loss, open, unassessed, opened two days ago.
        self.open_incident("A", "power-loss", env={"OUTAGE_NOW": "2026-11-20T09:00:00Z"})
        # 2: malware, open, SEV2, opened yesterday 09:00Z.
        self.open_incident("B", "malware", env={"OUTAGE_NOW": "2026-11-21T09:00:00Z"})
        self.ok("assess", "2", "--answer", "down=yes", env={"OUTAGE_NOW": "2026-11-21T09:05:00Z"})
        # 3: malware, open, SEV4, opened today 08:00Z (09:00 CET).
        self.open_incident("C", "malware", "--owner", "priya",
                           env={"OUTAGE_NOW": "2026-11-22T08:00:00Z"})
        self.ok("assess", "3", "--answer", "down=no", env={"OUTAGE_NOW": "2026-11-22T08:05:00Z"})
        # 4: network-outage, closed, opened today 09:30Z.
        self.open_incident("D", "network-outage", env={"OUTAGE_NOW": "2026-11-22T09:30:00Z"})
        self.ok("close", "4", "--resolution", "Link back", env={"OUTAGE_NOW": "2026-11-22T09:45:00Z"})

    def ids(self, *args, env=None):
        doc = self.run_json("list", *args, env=env)
        self.assertIsInstance(doc, list)
        for incident in doc:
            self.assert_incident(incident)
        return [incident["id"] for incident in doc]

    def test_status_filter(self):
        self.assertEqual(self.ids(), [1, 2, 3])  # open by default
        self.assertEqual(self.ids("--status", "open"), [1, 2, 3])
        self.assertEqual(self.ids("--status", "closed"), [4])
        self.assertEqual(self.ids("--status", "all"), [1, 2, 3, 4])

    def test_scenario_filter(self):
        self.assertEqual(self.ids("--scenario", "malware"), [2, 3])
        self.assertEqual(self.ids("--scenario", "network-outage"), [])
        self.assertEqual(self.ids("--scenario", "network-outage", "--status", "all"), [4])
        self.assertEqual(self.ids("--scenario", "hardware-failure", "--status", "all"), [])

    def test_severity_filter(self):
        self.assertEqual(self.ids("--severity", "SEV2"), [2])
        self.assertEqual(self.ids("--severity", "SEV4"), [3])
        self.assertEqual(self.ids("--severity", "SEV1", "--status", "all"), [])

    def test_since_filter(self):
        cases = [
            (["--since", "2026-11-22T08:00:00Z"], NOW, [3, 4]),  # at or after
            (["--since", "2026-11-22T08:00:01Z"], NOW, [4]),
            (["--since", "2026-11-22T09:00+01:00"], NOW, [3, 4]),
            (["--since", "2026-11-22"], NOW, [3, 4]),  # local midnight
            (["--since", "2026-11-21T10:00"], NOW, [2, 3, 4]),  # local: 09:00Z
            (["--since", "2026-11-21T10:01"], NOW, [3, 4]),
            (["--since", "1d"], NOW, [3, 4]),  # 2026-11-21T10:00Z
            (["--since", "25h"], NOW, [2, 3, 4]),  # 2026-11-21T09:00Z, inclusive
            (["--since", "3d"], NOW, [1, 2, 3, 4]),
            (["--since", "30m"], NOW, [4]),
            (["--since", "30m"], "2026-11-22T10:30:00Z", []),  # the clock moved on
            (["--since", "1h"], "2026-11-22T10:30:00Z", [4]),
            (["--since", "09:00"], NOW, [3, 4]),  # today 09:00 local = 08:00Z
            (["--since", "10:31"], NOW, []),
            # Still to come today (11:00 local now): yesterday's, 2026-11-21T11:00Z.
            (["--since", "12:00"], NOW, [3, 4]),
        ]
        for args, now, expected in cases:
            with self.subTest(since=args[1], now=now):
                self.assertEqual(self.ids("--status", "all", *args, env={"OUTAGE_NOW": now}),
                                 expected)

    def test_filters_combine(self):
        self.assertEqual(self.ids("--scenario", "malware", "--severity", "SEV4"), [3])
        self.assertEqual(self.ids("--scenario", "malware", "--since", "1d"), [3])
        self.assertEqual(self.ids("--scenario", "malware", "--severity", "SEV2", "--since", "1d"),
                         [])
        self.assertEqual(self.ids("--status", "closed", "--since", "1h"), [4])
        self.assertEqual(self.ids("--status", "closed", "--scenario", "malware"), [])

    def test_json_is_an_array_one_incident_per_line(self):
        code, out, err = self.run("list", "--json")
        self.assertEqual((code, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(lines[0], "[")
        self.assertEqual(lines[-1], "]")
        self.assertEqual([json.loads(line.rstrip(","))["title"] for line in lines[1:-1]],
                         ["A", "B", "C"])
        self.assertEqual(self.run_json("list", "--scenario", "hardware-failure"), [])

    def test_human_table(self):
        row = "{:>5}  {:<10}  {:<6}  {:<20}  {:<18}  {:<12}  {}"
        self.assertEqual(
            self.ok("list", "--status", "all"),
            "\n".join([
                row.format("ID", "SEVERITY", "STATUS", "SCENARIO", "OPENED", "OWNER", "TITLE"),
                row.format(1, "unassessed", "open", "power-loss", "2026-11-20 10:00", "tester", "A"),
                row.format(2, "SEV2", "open", "malware", "2026-11-21 10:00", "tester", "B"),
                row.format(3, "SEV4", "open", "malware", "2026-11-22 09:00", "priya", "C"),
                row.format(4, "unassessed", "closed", "network-outage", "2026-11-22 10:30",
                           "tester", "D"),
            ]) + "\n",
        )
        self.assertEqual(self.ok("list", "--severity", "SEV1"), "No incidents.\n")


class ActorTest(OutageTestCase, IncidentAssertions):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def actors(self, incident=1):
        return [(e["kind"], e["actor"]) for e in self.run_json("show", str(incident))["timeline"]]

    def test_outage_user_is_the_actor_and_default_owner(self):
        doc = self.run_json("open", "--scenario", "malware", "--title", "t",
                            env={"OUTAGE_USER": "bob"})
        self.assertEqual(doc["owner"], "bob")
        self.assertEqual(self.actors(), [("opened", "bob")])

    def test_as_wins_over_outage_user(self):
        doc = self.run_json("--as", "alice", "open", "--scenario", "malware", "--title", "t",
                            env={"OUTAGE_USER": "bob"})
        self.assertEqual(doc["owner"], "alice")
        # --as may also come after the command.
        self.ok("update", "1", "--note", "n", "--as", "carol", env={"OUTAGE_USER": "bob"})
        self.assertEqual(self.actors(), [("opened", "alice"), ("updated", "carol")])

    def test_owner_option_is_not_the_actor(self):
        doc = self.run_json("open", "--scenario", "malware", "--title", "t", "--owner", "priya",
                            "--as", "alice")
        self.assertEqual(doc["owner"], "priya")
        timeline = self.run_json("show", "1")["timeline"]
        self.assertEqual((timeline[0]["actor"], timeline[0]["owner"]), ("alice", "priya"))

    def test_login_name_without_as_or_outage_user(self):
        doc = self.run_json("open", "--scenario", "malware", "--title", "t",
                            env={"OUTAGE_USER": None})
        name = login_name()
        self.assertEqual(doc["owner"], name)
        self.assertEqual(self.actors(), [("opened", name)])

    def test_handoff_from_and_to(self):
        self.open_incident(env={"OUTAGE_USER": "alice"})
        self.ok("handoff", "1", "--to", "bob", "--note", "yours", "--as", "alice")
        self.ok("handoff", "1", "--to", "carol", "--note", "yours now", "--as", "bob")
        handoffs = [(e["actor"], e["from"], e["to"], e["note"])
                    for e in self.run_json("show", "1")["timeline"] if e["kind"] == "handoff"]
        self.assertEqual(handoffs, [("alice", "alice", "bob", "yours"),
                                    ("bob", "bob", "carol", "yours now")])
        self.assertEqual(self.run_json("show", "1")["owner"], "carol")


class HelpAndVersionTest(OutageTestCase):
    CORE = ["open", "update", "handoff", "close", "reopen", "list", "show", "verify"]

    def subcommands(self, *path):
        """The subcommands `outage PATH --help` lists."""
        code, out, err = self.run(*path, "--help")
        self.assertEqual((code, err), (0, ""), f"outage {' '.join(path)} --help: {out}{err}")
        if "Subcommands:" not in out:
            return []
        names = []
        for line in out.split("Subcommands:", 1)[1].splitlines()[1:]:
            match = re.match(r"^  (\S+)\s", line)
            if not match:
                break
            names.append(match.group(1))
        return names

    def test_every_command_has_help_with_an_example(self):
        top = self.subcommands()
        for core in self.CORE:
            self.assertIn(core, top)
        pending = [[name] for name in top]
        while pending:
            path = pending.pop(0)
            pending.extend(path + [name] for name in self.subcommands(*path))
            with self.subTest(command=" ".join(path)):
                code, out, err = self.run(*path, "--help")
                self.assertEqual((code, err), (0, ""), out + err)
                self.assertIn(f"outage {' '.join(path)}", out)
                self.assertIn("Example", out)
        self.assertFalse(os.path.exists(self.db), "--help must not create the log")

    def test_top_level_help_names_environment_and_exit_codes(self):
        code, out, err = self.run("--help")
        self.assertEqual((code, err), (0, ""))
        for word in ("OUTAGE_DB", "OUTAGE_NOW", "OUTAGE_USER", "--json", "--as", "--db",
                     "Exit codes"):
            self.assertIn(word, out)

    def test_version(self):
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "CMakeLists.txt")) as f:
            version = re.search(r"project\(outage VERSION (\d+\.\d+\.\d+)", f.read()).group(1)
        code, out, err = self.run("--version")
        self.assertEqual((code, out, err), (0, f"outage {version}\n", ""))
        self.assertFalse(os.path.exists(self.db))


if __name__ == "__main__":
    unittest.main()

"""close, brief and ack end to end, against a copy of the fixture runbook
tests/data/runbooks/good/lab-flood.yaml whose plan also tells staff and the status page and
writes to a file outbox: the all-clear messages close lists and the commands it prints (run
for real), close --notify, the prevention questions typed into a pseudo-terminal, the warning
about unfinished steps, the handover brief in text and JSON, ack, and the refusals that leave
the log as it was."""

import email
import email.policy
import json
import os
import re
import shlex
import shutil
import unittest

from harness import NOW, USER, OutageTestCase, reserve_port
from test_assess import Terminal

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
GOOD = os.path.join(DATA, "runbooks", "good")

PLAN = """communications:
  - audience: frontline
    template: frontline-briefing
    channel: file
  - audience: staff
    template: staff-alert
    channel: email
    min-severity: SEV3
  - audience: customers
    template: customer-first-notice
    channel: file
    min-severity: SEV2
    min-recipients: 2
    min-per-organisation: 2
  - audience: status-page
    template: status-page-notice
    channel: file
    min-severity: SEV2
  - audience: vendor
    template: vendor-inquiry
    channel: email
    mode: on-request
workarounds:
"""

SEV2 = ["--answer", "scope=room", "--answer", "samples_at_risk=no", "--answer", "people=12",
        "--answer", "realtime=no", "--answer", "reporter=Ann"]
RESOLUTION = "Pumped out; it's dry"
RESOLVED_NOTE = "'Resolved: Pumped out; it'\\''s dry'"
LATER = "2026-11-22T12:00:00Z"  # 13:00 CET


class CloseBriefTestCase(OutageTestCase):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        runbooks = os.path.join(self.tmp, "runbooks")
        shutil.copytree(GOOD, runbooks)
        path = os.path.join(runbooks, "lab-flood.yaml")
        with open(path) as f:
            text = f.read()
        self.assertIn("communications:", text)
        text = re.sub(r"communications:\n.*?workarounds:\n", PLAN, text, flags=re.S)
        with open(path, "w") as f:
            f.write(text)
        self.env["OUTAGE_RUNBOOKS"] = runbooks
        self.outbox = os.path.join(self.tmp, "outbox")
        self.config = os.path.join(self.tmp, "config.yaml")
        # Nothing listens on the SMTP port: e-mail deliveries fail and stay queued. The port is
        # held by a socket that does not listen, for the whole test, so no other process can
        # start listening on it.
        no_server = reserve_port()
        self.addCleanup(no_server.close)
        with open(self.config, "w") as f:
            f.write(f"outbox: {self.outbox}\norganisation: Example Lab\n"
                    f"email:\n  host: 127.0.0.1\n  port: {no_server.getsockname()[1]}\n"
                    f"  security: none\n"
                    f"  from: \"Ops <ops@lab.example>\"\n  timeout: 5s\n")
        self.env["OUTAGE_CONFIG"] = self.config
        self.contacts = os.path.join(self.tmp, "contacts.csv")
        with open(self.contacts, "w") as f:
            f.write("email,name,organisation,lang\n"
                    "ann@acme.example,Ann,Acme,en\n"
                    "bo@acme.example,Bo,Acme,nl\n")

    def flood(self, title="Flood in lab 2"):
        incident = self.open_incident(title, "lab-flood", "--service", "booking")
        self.ok("assess", str(incident), *SEV2)
        return incident

    def tell_everyone(self, incident=1):
        """Notices 1-5: frontline to one address, customers to the CSV, the status page (one
        file), staff on stdout (no addresses), the supplier."""
        i = str(incident)
        self.ok("notify", i, "--audience", "frontline", "--to", "help@lab.example",
                "--note", "Lab 2 closed")
        self.ok("notify", i, "--audience", "customers", "--recipients", self.contacts)
        self.ok("notify", i, "--audience", "status-page")
        self.ok("notify", i, "--audience", "staff", "--channel", "stdout")
        self.ok("notify", i, "--audience", "vendor", "--channel", "file", "--to",
                "pumps@supplier.example", "--supplier", "Acme Pumps")

    def mark_steps(self, incident=1):
        self.ok("step", str(incident), "power-off", "--done")
        self.ok("step", str(incident), "move-samples", "--skip")

    def close(self, *args, code=0, env=None):
        """close at LATER; returns stdout; stderr must be empty (steps marked first). The
        insurer is told first: close warns about a deadline still running
        (test_deadlines_kept.py)."""
        self.run("deadline", args[0], "insurer", "--met")
        rc, out, err = self.run("close", *args, env=dict({"OUTAGE_NOW": LATER}, **(env or {})))
        self.assertEqual((rc, err), (code, ""), out)
        return out

    def notices(self):
        return self.query("SELECT id, audience, template, channel FROM notices ORDER BY id")

    def deliveries(self, notice):
        return self.query("SELECT recipient, lang, state FROM deliveries WHERE notice_id = ? "
                          "ORDER BY id", (notice,))

    def outbox_message(self, incident, notice, delivery):
        """The body of one message the file channel wrote."""
        stem = os.path.join(self.outbox, f"incident-{incident}-notice-{notice}-{delivery}")
        if os.path.exists(stem + ".txt"):
            with open(stem + ".txt", encoding="utf-8") as f:
                return f.read()
        with open(stem + ".eml", "rb") as f:
            message = email.message_from_bytes(f.read(), policy=email.policy.default)
        return message["Subject"] + "\n" + message.get_content().replace("\r\n", "\n")

    def delivery_ids(self, notice):
        return [row[0] for row in self.query(
            "SELECT id FROM deliveries WHERE notice_id = ? ORDER BY id", (notice,))]

    def timeline(self, incident=1):
        return self.run_json("show", str(incident))["timeline"]


class CloseAllClearTest(CloseBriefTestCase):
    def test_lists_the_all_clears_with_commands_that_work(self):
        self.flood()
        self.tell_everyone()
        self.mark_steps()
        out = self.close("1", "--resolution", RESOLUTION)
        self.assertTrue(out.startswith("Closed incident 1.\nIncident 1: Flood in lab 2\n"), out)
        _, section = out.split("\n\nAll-clear messages due", 1)
        self.assertEqual(section, (
            " (everyone told about the incident hears it is over):\n"
            "  frontline      frontline-briefing     via file     to the 1 recipient of notice 1\n"
            f"      outage notify 1 --audience frontline --recipients-of 1 --note {RESOLVED_NOTE}\n"
            "  staff          staff-alert            via email    needs recipients: notice 4 went by "
            "stdout to no one in particular, so there are no e-mail addresses to reuse\n"
            f"      outage notify 1 --audience staff --to ADDRESS --lang en --note {RESOLVED_NOTE}\n"
            "  customers      customer-all-clear     via file     to the 2 recipients of notice 2\n"
            "      outage notify 1 --audience customers --template customer-all-clear "
            "--recipients-of 2\n"
            "\n"
            "Switch back what the incident put up (each stays until it is replaced):\n"
            "  the status page (status-page: status-page-notice via file)\n"
            "      outage notify 1 --audience status-page --lang en\n"))
        self.assertEqual(len(self.notices()), 5, "close itself sends nothing")

        # The printed commands are exact: run them as printed.
        commands = [line.strip() for line in section.splitlines()
                    if line.startswith("      outage notify") and "ADDRESS" not in line]
        self.assertEqual(len(commands), 3)
        for command in commands:
            argv = shlex.split(command)
            self.assertEqual(argv[0], "outage")
            self.ok(*argv[1:], env={"OUTAGE_NOW": LATER})
        self.assertEqual(self.notices()[5:], [
            (6, "frontline", "frontline-briefing", "file"),
            (7, "customers", "customer-all-clear", "file"),
            (8, "status-page", "status-page-notice", "file"),
        ])
        frontline = self.outbox_message(1, 6, self.delivery_ids(6)[0])
        self.assertIn("Latest: Resolved: Pumped out; it's dry", frontline)
        # Each customer in their own language, by name, as on the first notice.
        self.assertEqual(self.deliveries(7), [("ann@acme.example", "en", "sent"),
                                              ("bo@acme.example", "nl", "sent")])
        ann, bo = (self.outbox_message(1, 7, d) for d in self.delivery_ids(7))
        self.assertIn("Dear Ann,", ann)
        self.assertIn("The disruption that began at 2026-11-22 11:00 CET was resolved at "
                      "2026-11-22 13:00 CET.", ann)
        self.assertNotIn("Pumped out", ann)  # the resolution is internal
        self.assertIn("Bo", bo)
        self.assertNotIn("Dear Ann", bo)
        page = self.outbox_message(1, 8, self.delivery_ids(8)[0])
        self.assertIn("Resolved: 2026-11-22 13:00 CET.", page)

        # The same command again at once is refused: nothing is sent twice.
        argv = shlex.split(commands[1])
        code, out, err = self.run(*argv[1:], env={"OUTAGE_NOW": LATER})
        self.assertEqual((code, out), (5, ""))
        self.assertEqual(err, "outage: notice 7 to customers went out 0s ago with the same "
                              "message; to send it again as a new update, add --again\n")
        self.assertEqual(len(self.notices()), 8)

    def test_notify_sends_them_while_closing(self):
        self.flood()
        self.tell_everyone()
        self.mark_steps()
        out = self.close("1", "--resolution", RESOLUTION, "--notify", code=6)
        self.assertIn(
            "\n\nAll-clear messages:\n"
            "Notice 6 to frontline: 1 sent, 0 failed, 0 pending.\n"
            "Not sent to staff: notice 4 went by stdout to no one in particular, so there are no "
            "e-mail addresses to reuse; send it with:\n"
            f"  outage notify 1 --audience staff --to ADDRESS --lang en --note {RESOLVED_NOTE}\n"
            "Notice 7 to customers: 2 sent, 0 failed, 0 pending.\n"
            "\n"
            "Replacing what the incident put up (put each new text where the old one is live, "
            "or switch that off):\n"
            "Notice 8 to status-page: 1 sent, 0 failed, 0 pending.\n", out)
        self.assertEqual(self.notices()[5:], [
            (6, "frontline", "frontline-briefing", "file"),
            (7, "customers", "customer-all-clear", "file"),
            (8, "status-page", "status-page-notice", "file"),
        ])
        self.assertEqual(self.deliveries(6), [("help@lab.example", "en", "sent")])
        self.assertEqual(self.deliveries(7), [("ann@acme.example", "en", "sent"),
                                              ("bo@acme.example", "nl", "sent")])
        self.assertEqual(self.deliveries(8), [("", "en", "sent")])
        incident = self.run_json("show", "1")
        self.assertEqual(incident["status"], "closed")
        kinds = [e["kind"] for e in incident["timeline"]]
        self.assertEqual(kinds[-7:], ["closed", "notice", "notice_sent", "notice", "notice_sent",
                                      "notice", "notice_sent"])

    def test_notify_json_when_everything_can_be_sent(self):
        self.flood()
        self.ok("notify", "1", "--audience", "frontline", "--to", "help@lab.example")
        self.ok("notify", "1", "--audience", "customers", "--recipients", self.contacts)
        self.mark_steps()
        doc = json.loads(self.close("1", "--resolution", "Dry", "--notify", "--json"))
        self.assertEqual(doc["status"], "closed")
        self.assertEqual(doc["unfinished_steps"], [])
        self.assertEqual(doc["all_clear"], [
            {"audience": "frontline", "template": "frontline-briefing", "channel": "file",
             "recipients_of": 1, "recipients": 1,
             "command": "outage notify 1 --audience frontline --recipients-of 1 --note "
                        "'Resolved: Dry'",
             "blocked": None, "error": None, "switch_back": None,
             "sent": {"notice": 3, "audience": "frontline", "resumed": False, "attempted": 1,
                      "sent": 1, "failed": 0, "pending": 0, "refused": 0, "stopped": None}},
            {"audience": "customers", "template": "customer-all-clear", "channel": "file",
             "recipients_of": 2, "recipients": 2,
             "command": "outage notify 1 --audience customers --template customer-all-clear "
                        "--recipients-of 2",
             "blocked": None, "error": None, "switch_back": None,
             "sent": {"notice": 4, "audience": "customers", "resumed": False, "attempted": 2,
                      "sent": 2, "failed": 0, "pending": 0, "refused": 0, "stopped": None}},
        ])

    def test_json_without_notify_lists_what_is_due(self):
        self.flood()
        self.ok("notify", "1", "--audience", "staff", "--channel", "stdout")
        self.mark_steps()
        doc = json.loads(self.close("1", "--resolution", "Dry", "--json"))
        self.assertEqual(doc["all_clear"], [
            {"audience": "staff", "template": "staff-alert", "channel": "email",
             "recipients_of": None, "recipients": 0,
             "command": "outage notify 1 --audience staff --to ADDRESS --lang en --note 'Resolved: Dry'",
             "blocked": "notice 1 went by stdout to no one in particular, so there are no "
                        "e-mail addresses to reuse",
             "sent": None, "error": None, "switch_back": None},
        ])

    def test_a_send_that_fails_is_exit_6_and_the_incident_is_closed(self):
        self.flood()
        self.ok("notify", "1", "--audience", "customers", "--recipients", self.contacts)
        self.mark_steps()
        # The customer plan now goes by e-mail, and the mail server is down.
        path = os.path.join(self.env["OUTAGE_RUNBOOKS"], "lab-flood.yaml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("template: customer-first-notice\n    channel: file",
                                 "template: customer-first-notice\n    channel: email"))
        out = self.close("1", "--resolution", "Dry", "--notify", code=6)
        self.assertIn("Notice 2 to customers: 0 sent, 2 failed, 0 pending.\n"
                      "Failed deliveries stay queued: retry with `outage notify --resume 2` or "
                      "`outage outbox --flush`.\n", out)
        self.assertEqual(self.run_json("show", "1")["status"], "closed")
        self.assertEqual([row["notice"] for row in self.run_json("outbox")], [2])

    def test_nobody_told_nobody_to_tell(self):
        self.flood()
        self.mark_steps()
        out = self.close("1", "--resolution", "Dry")
        self.assertTrue(out.endswith(
            "\n\nNobody was told about this incident, so no all-clear is due.\n"), out)

    def test_an_audience_below_the_plan_minimum_still_hears_the_end(self):
        self.flood()
        self.ok("notify", "1", "--audience", "status-page")
        # Reassessed down to SEV3: the plan tells the status page from SEV2 only.
        self.ok("assess", "1", "--answer", "people=2")
        self.mark_steps()
        out = self.close("1", "--resolution", "Dry")
        self.assertIn("      outage notify 1 --audience status-page --lang en --force\n", out)
        self.ok("notify", "1", "--audience", "status-page", "--force")


class UnfinishedStepsTest(CloseBriefTestCase):
    def test_close_warns_and_lists_the_required_steps_left(self):
        self.flood()
        rc, out, err = self.run("close", "1", "--resolution", "Dry")
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, (
            "outage: warning: incident 1 was closed with 2 required steps neither done nor "
            "skipped:\n"
            "  [ ] power-off                it-responder    Cut power to the wet area\n"
            "  [ ] move-samples             frontline       Move samples to the cold room\n"
            "outage: warning: incident 1 was closed with 1 deadline not met; it goes on running "
            "and `outage due` reports it until recorded:\n"
            "  insurer                due 2026-11-24 11:00 CET (in 2d)             "
            "Tell the insurer\n"
            "      outage deadline 1 insurer --met [--at TIME]\n"))
        self.assertNotIn("photos", err)  # optional
        self.assertTrue(out.startswith("Closed incident 1.\n"))
        self.assertEqual(self.run_json("show", "1")["status"], "closed")

    def test_steps_above_the_severity_and_marked_ones_do_not_count(self):
        incident = self.open_incident("Damp corner", "lab-flood")
        self.ok("assess", str(incident), "--answer", "scope=corner", "--answer",
                "samples_at_risk=no", "--answer", "people=0", "--answer", "realtime=no",
                "--answer", "reporter=Ann")  # SEV4: move-samples needs SEV2
        rc, out, err = self.run("close", str(incident), "--resolution", "Dry", "--json")
        self.assertEqual(rc, 0)
        self.assertIn("1 required step neither done nor skipped:\n  [ ] power-off ", err)
        self.assertEqual([s["id"] for s in json.loads(out)["unfinished_steps"]], ["power-off"])
        self.assertEqual(json.loads(out)["unfinished_steps"][0]["state"], "open")

        self.flood("Second flood")
        self.mark_steps(2)
        self.assertEqual(json.loads(self.close("2", "--resolution", "Dry", "--json"))
                         ["unfinished_steps"], [])

    def test_a_missing_runbook_still_closes(self):
        self.flood()
        os.remove(os.path.join(self.env["OUTAGE_RUNBOOKS"], "lab-flood.yaml"))
        rc, out, err = self.run("close", "1", "--resolution", "Dry")
        self.assertEqual(rc, 0, err)
        self.assertTrue(err.startswith("outage: warning: unknown scenario 'lab-flood' (known: "),
                        err)
        self.assertIn("closing without the runbook's prevention questions, step check and "
                      "communications plan\n", err)
        self.assertEqual(self.run_json("show", "1")["status"], "closed")


class PreventionQuestionsTest(CloseBriefTestCase):
    def setUp(self):
        super().setUp()
        self.flood()
        self.mark_steps()

    def closed(self):
        doc = self.run_json("show", "1")
        return doc["status"], doc["root_cause"], doc["recurrence"], doc["actions"]

    def test_typed_answers_become_root_cause_recurrence_and_actions(self):
        term = Terminal(self, "close", "1", "--resolution", "Pumped out")
        shown = term.expect("> ")
        self.assertIn("Closing incident 1: Flood in lab 2\nPress Enter to skip a question.\n",
                      shown)
        self.assertIn("(1/3) What caused it (the root cause)?\n", shown)
        term.type("A burst pipe")
        self.assertIn("(2/3) Can it happen again? likely, unlikely or unknown\n",
                      term.expect("> "))
        term.type("maybe")
        self.assertIn("  'maybe' is not likely, unlikely or unknown; try again.\n",
                      term.expect("> "))
        term.type("likely")
        self.assertIn("(3/3) What would have warned us earlier?\n", term.expect("> "))
        term.type("A leak sensor under the sink")
        code, rest = term.finish()
        self.assertEqual(code, 0, term.output)
        self.assertIn("Closed incident 1.\n", rest)
        self.assertEqual(self.closed(),
                         ("closed", "A burst pipe", "likely", ["A leak sensor under the sink"]))
        self.assertEqual(self.timeline()[-1]["actions"], ["A leak sensor under the sink"])

    def test_empty_answers_skip(self):
        term = Terminal(self, "close", "1", "--resolution", "Pumped out", "--recurrence",
                        "unlikely")
        shown = term.expect("> ")
        self.assertIn("(1/2) What caused it (the root cause)?\n", shown)
        term.type("")
        self.assertIn("(2/2) What would have warned us earlier?\n", term.expect("> "))
        term.type("   ")
        code, _ = term.finish()
        self.assertEqual(code, 0, term.output)
        self.assertEqual(self.closed(), ("closed", None, "unlikely", []))

    def test_end_of_input_skips_the_rest(self):
        term = Terminal(self, "close", "1", "--resolution", "Pumped out")
        term.expect("(1/3) What caused it (the root cause)?\n> ")
        term.end_input()
        code, rest = term.finish()
        self.assertEqual(code, 0, term.output)
        self.assertNotIn("(2/3)", rest)
        self.assertEqual(self.closed(), ("closed", None, None, []))

    def test_not_asked_with_an_action_a_root_cause_or_no_input(self):
        for extra in (["--action", "Sensor"], ["--root-cause", "Pipe"], ["--no-input"]):
            with self.subTest(extra=extra):
                term = Terminal(self, "close", "1", "--resolution", "Dry", *extra)
                code, rest = term.finish()
                self.assertEqual(code, 0, rest)
                self.assertNotIn("(1/", rest)
                self.assertIn("Closed incident 1.\n", rest)
                self.ok("reopen", "1", "--note", "again")

    def test_not_asked_without_a_terminal(self):
        out = self.close("1", "--resolution", "Dry")  # stdin is /dev/null
        self.assertNotIn("(1/", out)
        self.assertEqual(self.closed(), ("closed", None, None, []))


class BriefTest(CloseBriefTestCase):
    def story(self):
        """10:00Z opened and assessed SEV2 by tester; 10:05 frontline told; 10:10 power-off
        done; 10:12 photos skipped; 10:20 handed to priya, who acknowledges at 10:25; 10:30
        staff e-mail fails (the server is down); 10:40 handed to bob."""
        self.flood()
        at = lambda hhmm: {"OUTAGE_NOW": f"2026-11-22T{hhmm}:00Z"}
        self.ok("notify", "1", "--audience", "frontline", "--to", "help@lab.example",
                env=at("10:05"))
        self.ok("step", "1", "power-off", "--done", env=at("10:10"))
        self.ok("step", "1", "photos", "--skip", "--note", "no camera", env=at("10:12"))
        self.ok("handoff", "1", "--to", "priya", "--note", "Pumps due at 11", env=at("10:20"))
        self.ok("ack", "1", env=dict(at("10:25"), OUTAGE_USER="priya"))
        rc, out, err = self.run("notify", "1", "--audience", "staff", "--to", "all@lab.example",
                                env=at("10:30"))
        self.assertEqual(rc, 6, out + err)
        self.ok("handoff", "1", "--to", "bob", "--note", "Night shift:\ncheck the pumps",
                env=dict(at("10:40"), OUTAGE_USER="priya"))

    def test_text_fits_one_screen(self):
        self.story()
        rc, out, err = self.run("brief", "1", env={"OUTAGE_NOW": "2026-11-22T10:50:00Z"})
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertLessEqual(len(lines), 24, out)
        queued = [line for line in lines if line.startswith("  queued: ")]
        self.assertEqual(len(queued), 1, out)
        self.assertTrue(queued[0].startswith(
            "  queued: notice 2 to staff by email: 0 pending, 1 failed; last error: "), queued)
        self.assertEqual(out.replace(queued[0] + "\n", "QUEUED\n"), (
            "Brief for incident 1: Flood in lab 2\n"
            "  scenario     Flood in the lab (lab-flood)\n"
            "  status       open (investigating), opened 2026-11-22 11:00 CET (50m ago)\n"
            "  severity     SEV2, by rule many-people (assessed 2026-11-22 11:00 CET by tester)\n"
            "  owner        bob since 2026-11-22 11:40 CET; handover not acknowledged yet "
            "(waiting 10m)\n"
            "\n"
            "Owners\n"
            "  2026-11-22 11:00 CET  tester       opened it\n"
            "  2026-11-22 11:20 CET  priya        from tester: Pumps due at 11 (acknowledged "
            "2026-11-22 11:25 CET)\n"
            "  2026-11-22 11:40 CET  bob          from priya: Night shift: check the pumps\n"
            "\n"
            "Done\n"
            "  [x] power-off                it-responder    Cut power to the wet area (tester, "
            "2026-11-22 11:10 CET)\n"
            "  [-] photos                   incident-owner  Take photos for the insurer (tester, "
            "2026-11-22 11:12 CET)\n"
            "\n"
            "Pending\n"
            "  [ ] move-samples             frontline       Move samples to the cold room\n"
            "  deadline insurer             due 2026-11-24 11:00 CET (in 1d 23h) Tell the insurer\n"
            "  next update due 2026-11-22 12:05 CET (in 15m)\n"
            "QUEUED\n"
            "\n"
            "Last messages\n"
            "  frontline      2026-11-22 11:05 CET  \"Briefing [INC-1] SEV2: Flood in lab 2\" "
            "(notice 1: 1 sent, 0 failed, 0 pending)\n"
            "  staff          2026-11-22 11:30 CET  \"[INC-1] SEV2 Flood in lab 2\" "
            "(notice 2: 0 sent, 1 failed, 0 pending)\n"))

    def test_overdue_update_and_nothing_pending(self):
        self.flood()
        self.mark_steps()
        self.ok("step", "1", "photos", "--done")
        self.ok("deadline", "1", "insurer", "--met")
        out = self.ok("brief", "1", env={"OUTAGE_NOW": "2026-11-22T11:30:00Z"})
        self.assertIn("\nPending\n  next update due 2026-11-22 12:00 CET (30m ago): OVERDUE\n"
                      "\nLast messages\n  none sent\n", out)
        self.close("1", "--resolution", "Dry")
        out = self.ok("brief", "1", env={"OUTAGE_NOW": LATER})
        self.assertIn("  status       closed 2026-11-22 13:00 CET: Dry\n", out)
        self.assertIn("\nPending\n  nothing\n", out)

    def test_unassessed(self):
        self.open_incident("Drip", "lab-flood", "--owner", "priya")
        out = self.ok("brief", "1")
        self.assertIn("\nOwners\n  2026-11-22 11:00 CET  priya        opened by tester\n", out)
        self.assertIn("  severity     unassessed: run `outage assess 1`\n", out)
        self.assertIn("\nDone\n  no step marked yet\n", out)
        # Before the first assessment every step applies.
        self.assertIn("  [ ] move-samples ", out)

    def test_json(self):
        self.story()
        doc = self.run_json("brief", "1", env={"OUTAGE_NOW": "2026-11-22T10:50:00Z"})
        self.assertEqual(set(doc), {"incident", "runbook_title", "severity", "rule",
                                    "assessed_at", "assessed_by", "owners", "done", "pending",
                                    "last_notices"})
        self.assertEqual(doc["incident"]["id"], 1)
        self.assertEqual(doc["incident"]["owner"], "bob")
        self.assertEqual((doc["runbook_title"], doc["severity"], doc["rule"], doc["assessed_at"],
                          doc["assessed_by"]),
                         ("Flood in the lab", "SEV2", "many-people", NOW, USER))
        self.assertEqual(doc["owners"], [
            {"owner": USER, "since": NOW, "by": USER, "handover": False, "from": None,
             "note": None, "acknowledged_at": None},
            {"owner": "priya", "since": "2026-11-22T10:20:00Z", "by": USER, "handover": True,
             "from": USER, "note": "Pumps due at 11", "acknowledged_at": "2026-11-22T10:25:00Z"},
            {"owner": "bob", "since": "2026-11-22T10:40:00Z", "by": "priya", "handover": True,
             "from": "priya", "note": "Night shift:\ncheck the pumps", "acknowledged_at": None},
        ])
        self.assertEqual([(s["id"], s["state"]) for s in doc["done"]],
                         [("power-off", "done"), ("photos", "skipped")])
        pending = doc["pending"]
        self.assertEqual([s["id"] for s in pending["steps"]], ["move-samples"])
        self.assertEqual([(d["name"], d["due_at"]) for d in pending["deadlines"]],
                         [("insurer", "2026-11-24T10:00:00Z")])
        # The front line was promised the next briefing by 11:05 when told at 10:05.
        self.assertEqual(pending["next_update_due"], "2026-11-22T11:05:00Z")
        self.assertIs(pending["update_overdue"], False)
        self.assertEqual(pending["handover_unacknowledged_since"], "2026-11-22T10:40:00Z")
        self.assertEqual(len(pending["queued"]), 1)
        queued = pending["queued"][0]
        self.assertEqual({k: queued[k] for k in ("notice", "audience", "channel", "pending",
                                                 "failed")},
                         {"notice": 2, "audience": "staff", "channel": "email", "pending": 0,
                          "failed": 1})
        self.assertIsInstance(queued["last_error"], str)
        self.assertEqual(doc["last_notices"], [
            {"audience": "frontline", "notice": 1, "at": "2026-11-22T10:05:00Z", "actor": USER,
             "template": "frontline-briefing", "channel": "file",
             "subject": "Briefing [INC-1] SEV2: Flood in lab 2", "sent": 1, "failed": 0,
             "pending": 0},
            {"audience": "staff", "notice": 2, "at": "2026-11-22T10:30:00Z", "actor": USER,
             "template": "staff-alert", "channel": "email",
             "subject": "[INC-1] SEV2 Flood in lab 2", "sent": 0, "failed": 1, "pending": 0},
        ])

    def test_handoff_prints_the_brief_for_the_new_owner(self):
        self.flood()
        out = self.ok("handoff", "1", "--to", "priya", "--note", "Pumps due at 11")
        self.assertTrue(out.startswith(
            "Incident 1 handed over to priya.\n"
            "priya: once you have it, say so with `outage ack 1`.\n\n"
            "Brief for incident 1: Flood in lab 2\n"), out)
        self.assertIn("  owner        priya since 2026-11-22 11:00 CET; handover not "
                      "acknowledged yet\n", out)
        self.assertIn("  2026-11-22 11:00 CET  priya        from tester: Pumps due at 11\n", out)
        self.assertEqual(out.split("\n\n", 1)[1],
                         self.ok("brief", "1"), "the same brief `outage brief` prints")
        doc = self.run_json("handoff", "1", "--to", "bob", "--note", "x")
        self.assertEqual(doc["owner"], "bob")  # --json: the incident object, as before


class AckTest(CloseBriefTestCase):
    def setUp(self):
        super().setUp()
        self.flood()
        self.ok("handoff", "1", "--to", "priya", "--note", "Pumps due at 11",
                env={"OUTAGE_NOW": "2026-11-22T10:20:00Z"})

    def test_the_new_owner_acknowledges(self):
        out = self.ok("ack", "1", env={"OUTAGE_USER": "priya",
                                       "OUTAGE_NOW": "2026-11-22T10:32:00Z"})
        self.assertEqual(out, "priya has taken over incident 1 (handed over 2026-11-22 11:20 CET, "
                              "12m ago).\n")
        event = self.timeline()[-1]
        self.assertEqual(event, {"id": event["id"], "at": "2026-11-22T10:32:00Z",
                                 "kind": "acknowledged", "actor": "priya", "owner": "priya",
                                 "handed_off_at": "2026-11-22T10:20:00Z"})
        self.assertIsNone(self.run_json("show", "1")["handed_off_at"])
        self.assertIn("  2026-11-22 11:32 CET  priya        handover acknowledged: priya has it\n",
                      self.ok("show", "1"))

        # Again: nothing to acknowledge, nothing recorded.
        before = self.snapshot_db()
        out = self.ok("ack", "1", env={"OUTAGE_USER": "priya"})
        self.assertEqual(out, "Nothing to acknowledge: no handover of incident 1 is waiting "
                              "(priya owns it).\n")
        doc = self.run_json("ack", "1", env={"OUTAGE_USER": "priya"})
        self.assertIs(doc["acknowledged"], False)
        self.assertEqual(doc["owner"], "priya")
        self.assertEqual(self.snapshot_db(), before)

    def test_json(self):
        doc = self.run_json("ack", "1", "--as", "priya")
        self.assertEqual(self.ok("ack", "1", "--as", "priya"), "Nothing to acknowledge: no "
                         "handover of incident 1 is waiting (priya owns it).\n")
        self.assertIs(doc["acknowledged"], True)
        self.assertIsNone(doc["handed_off_at"])
        self.assertEqual(doc["owner"], "priya")

    def test_at_once(self):
        out = self.ok("ack", "1", "--as", "priya", env={"OUTAGE_NOW": "2026-11-22T10:20:00Z"})
        self.assertEqual(out, "priya has taken over incident 1 (handed over 2026-11-22 11:20 "
                              "CET).\n")

    def test_only_the_new_owner_acknowledges(self):
        self.assert_fails(["ack", "1"], 5, "outage: incident 1 was handed over to priya; only "
                                           "they can acknowledge it (you are tester)")

    def test_closed_and_unknown(self):
        self.mark_steps()
        self.close("1", "--resolution", "Dry")
        self.assert_fails(["ack", "1", "--as", "priya"], 5,
                          "cannot acknowledge incident 1: it is closed")
        self.assert_fails(["ack", "9"], 3, "outage: no incident 9")


class RefusalsTest(CloseBriefTestCase):
    def test_close_refusals_change_nothing(self):
        self.flood()
        self.ok("notify", "1", "--audience", "frontline", "--to", "help@lab.example")
        self.assert_fails(["close", "9", "--resolution", "x"], 3, "outage: no incident 9")
        self.assert_fails(["close", "1", "--resolution", "x", "--recurrence", "sometimes"], 2,
                          "--recurrence")
        self.assert_fails(["close", "1", "--resolution", "   "], 2, "--resolution")
        self.assert_fails(["close", "1", "--resolution", "x", "--action", ""], 2, "--action")
        with open(self.config, "w") as f:
            f.write("outbox: [unclosed\n")
        self.assert_fails(["close", "1", "--resolution", "x", "--notify"], 4, self.config)
        self.assertEqual(self.run_json("show", "1")["status"], "open")
        os.remove(self.config)
        self.mark_steps()
        self.close("1", "--resolution", "Dry")
        self.assert_fails(["close", "1", "--resolution", "x"], 5,
                          "outage: cannot close incident 1: it is closed (reopen it first")
        # With --notify it finishes the all-clears instead (test_exactly_once), recording no
        # second close.
        self.run_outage("close", "1", "--resolution", "x", "--notify")
        self.assertEqual(self.query("SELECT count(*) FROM events WHERE kind = 'closed'"), [(1,)])

    def test_brief_refusals(self):
        self.assert_fails(["brief", "1"], 3, f"outage: no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db), "brief created a log")
        self.flood()
        self.assert_fails(["brief", "2"], 3, "outage: no incident 2")
        self.assert_fails(["brief"], 2, "id is required")

    def test_recipients_of_refusals(self):
        self.flood()
        self.flood("Another")
        self.ok("notify", "1", "--audience", "frontline", "--to", "help@lab.example")
        self.assert_fails(["notify", "2", "--audience", "frontline", "--recipients-of", "1"], 3,
                          "outage: incident 2 has no notice 1")
        self.assert_fails(["notify", "1", "--audience", "frontline", "--recipients-of", "7"], 3,
                          "outage: incident 1 has no notice 7")
        self.assert_fails(["notify", "1", "--audience", "frontline", "--recipients-of", "1",
                           "--to", "x@lab.example"], 2,
                          "--recipients-of takes the place of --to and --recipients")
        self.assert_fails(["notify", "1", "--audience", "frontline", "--recipients-of", "1",
                           "--channel", "webhook"], 2,
                          "notice 1 went by file: its recipients are not webhook names; pass "
                          "--to")
        self.assert_fails(["notify", "1", "--audience", "frontline", "--recipients-of", "x"], 2,
                          "--recipients-of")
        # The same recipients, a dry run: each shown, nothing recorded.
        before = self.snapshot_db()
        rc, out, err = self.run("notify", "1", "--audience", "frontline", "--recipients-of", "1",
                                "--note", "x", "--dry-run")
        self.assertEqual((rc, err), (0, "outage: dry run: 1 message rendered, nothing recorded "
                                        "or sent\n"))
        self.assertIn("help@lab.example", out)
        self.assertEqual(self.snapshot_db(), before)


if __name__ == "__main__":
    unittest.main()

"""Promises kept (issue 11, failures 1 and 8): deadlines outlive the incident, `deadline --met
--at` records when a deadline was met, an outcome reads the same whenever it is reported, a
runbook deadline is met by a delivered notice, and `close` names what the incident put up that
must be switched back. Each test moves the clock with OUTAGE_NOW as an on-call engineer's days
would, against the bundled runbooks (or the fixture ones where the plan does not matter)."""

import json
import os
import shlex
import unittest

from harness import NOW, OutageTestCase, reserve_port

# The malware incident with personal data and NIS2 answers: assessed at NOW (11:00 CET), so
# nis2-early-warning is due 24h later, gdpr-authority and nis2-notification 72h later.
MALWARE = ["--answer", "kind=single", "--answer", "scope=few", "--answer", "customers=none",
           "--answer", "impact=annoying", "--answer", "realtime=no", "--answer",
           "data_leaking=no", "--answer", "personal_data=yes", "--answer", "nis2=yes",
           "--answer", "backups_ok=yes"]
CLOSED = "2026-11-22T22:00:00Z"       # 12 h later
DAY_4 = "2026-11-26T10:00:00Z"        # +4 days
DAY_5 = "2026-11-27T10:00:00Z"
DAY_40 = "2027-01-01T10:00:00Z"
EARLY_WARNING_SENT = "2026-11-23T06:30"  # day 2, 06:30 local (05:30Z), before 11:00 CET

# hardware-failure with SLA customers blocked: customer-sla runs, due 4 h after NOW.
HARDWARE = ["--answer", "component=server", "--answer", "scope=few", "--answer",
            "customers=some", "--answer", "impact=blocked", "--answer", "realtime=no",
            "--answer", "redundancy=yes", "--answer", "downtime=short", "--answer",
            "data_risk=no", "--answer", "workaround=yes", "--answer", "cause=ours"]
TEN_MINUTES_IN = "2026-11-22T10:10:00Z"


def deadline_rows(markdown):
    """The report's deadline table rows, by deadline id."""
    section = markdown.split("## Deadlines", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[0] not in ("Deadline", "---"):
            rows[cells[0]] = cells
    return rows


class DeadlinesOutliveTheIncidentTest(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.open_incident("Ransom note on the file server", "malware")
        self.ok("assess", "1", *MALWARE)

    def close(self):
        code, out, err = self.run("close", "1", "--resolution", "Rebuilt from backups",
                                  env={"OUTAGE_NOW": CLOSED})
        self.assertEqual(code, 0, err)
        return out, err

    def at(self, when, *args, code=0):
        rc, out, err = self.run(*args, env={"OUTAGE_NOW": when})
        self.assertEqual((rc, err), (code, ""), out)
        return out

    def test_close_warns_about_each_deadline_not_met(self):
        _, err = self.close()
        self.assertIn(
            "outage: warning: incident 1 was closed with 4 deadlines not met; they go on running "
            "and `outage due` reports them until recorded:\n"
            "  nis2-early-warning     due 2026-11-23 11:00 CET (in 12h)            "
            "Early warning to the CSIRT or competent authority (NIS2 art. 23)\n"
            "      outage deadline 1 nis2-early-warning --met [--at TIME]\n"
            "  gdpr-authority         due 2026-11-25 11:00 CET (in 2d 12h)         "
            "Notify the data-protection authority (GDPR art. 33)\n"
            "      outage deadline 1 gdpr-authority --met [--at TIME]\n", err)
        self.assertIn("      outage deadline 1 nis2-final-report --met [--at TIME]\n", err)
        doc = self.run_json("show", "1")
        self.assertEqual(doc["status"], "closed")

    def test_close_json_lists_the_unmet_deadlines(self):
        self.ok("deadline", "1", "nis2-early-warning", "--met")
        rc, out, err = self.run("close", "1", "--resolution", "Rebuilt", "--json",
                                env={"OUTAGE_NOW": CLOSED})
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        self.assertEqual([(d["name"], d["outcome"]) for d in doc["unmet_deadlines"]],
                         [("gdpr-authority", "running"), ("nis2-notification", "running"),
                          ("nis2-final-report", "running")])
        self.assertIn("with 3 deadlines not met", err)

    def test_a_closed_incident_still_fails_due_until_each_deadline_is_met(self):
        self.close()
        # At +4 days the 72 h clocks have run out though the incident closed after 12 h.
        code, out, err = self.run("due", "--fail-if-overdue", env={"OUTAGE_NOW": DAY_4})
        self.assertEqual((code, err), (7, ""), out)
        self.assertRegex(out, r"\n      1  gdpr-authority +MISSED 1d ago +Notify the data")
        self.assertRegex(out, r"\n      1  nis2-notification +MISSED 1d ago +Incident notif")
        self.assertRegex(out, r"\n      1  nis2-early-warning +MISSED 3d ago +Early warning")
        self.assertEqual(
            [(d["kind"], d["name"], d["overdue"], d["outcome"])
             for d in self.run_json("due", env={"OUTAGE_NOW": DAY_4})],
            [("deadline", "nis2-early-warning", True, "missed"),
             ("deadline", "gdpr-authority", True, "missed"),
             ("deadline", "nis2-notification", True, "missed")])

        # Recorded on the closed incident, which stays closed: no reopening, no new close.
        self.assertEqual(self.at(DAY_4, "deadline", "1", "gdpr-authority", "--met", "--note",
                                 "DPA portal, ref 2026-0413"),
                         "Deadline gdpr-authority of incident 1 met, 1d late.\n")
        self.assertEqual(self.at(DAY_4, "deadline", "1", "nis2-early-warning", "--met", "--at",
                                 EARLY_WARNING_SENT),
                         "Deadline nis2-early-warning of incident 1 met at 2026-11-23 06:30 CET, "
                         "on time.\n")
        self.assertEqual(self.at(DAY_4, "deadline", "1", "nis2-notification", "--met", "--at",
                                 "1h"),
                         "Deadline nis2-notification of incident 1 met at 2026-11-26 10:00 CET, "
                         "23h late.\n")
        doc = self.run_json("show", "1")
        self.assertEqual(doc["status"], "closed")
        self.assertEqual(doc["closed_at"], CLOSED)
        kinds = [e["kind"] for e in doc["timeline"]]
        self.assertNotIn("reopened", kinds)
        self.assertEqual(kinds.count("closed"), 1)
        met = [e for e in doc["timeline"] if e["kind"] == "deadline_met"]
        self.assertEqual([(e["deadline"], e["late"], e.get("met_at"), e["at"]) for e in met], [
            ("gdpr-authority", True, None, DAY_4),
            ("nis2-early-warning", False, "2026-11-23T05:30:00Z", DAY_4),
            ("nis2-notification", True, "2026-11-26T09:00:00Z", DAY_4),
        ])
        self.assertEqual(self.at(DAY_4, "due", "--fail-if-overdue"),
                         "Nothing overdue; no deadline within 4h.\n")

        # The report reads the same at +5 days and at +40 days for every deadline met; the
        # one still running at +5 days has been missed by +40.
        at_5, at_40 = (deadline_rows(self.at(when, "report", "1")) for when in (DAY_5, DAY_40))
        for name in ("gdpr-authority", "nis2-early-warning", "nis2-notification"):
            self.assertEqual(at_5[name], at_40[name])
        self.assertEqual(at_5["nis2-early-warning"][4:],
                         ["met on time", "2026-11-23 06:30 CET"])
        self.assertEqual(at_5["gdpr-authority"][4], "met late")
        self.assertEqual((at_5["nis2-final-report"][4], at_40["nis2-final-report"][4]),
                         ("running", "missed"))
        outcomes = {d["name"]: d["outcome"]
                    for d in json.loads(self.at(DAY_40, "report", "1", "--json"))["deadlines"]}
        self.assertEqual(outcomes["nis2-early-warning"], "met on time")
        timeline = self.at(DAY_40, "report", "1")
        self.assertIn("deadline nis2-early-warning met on time, at 2026-11-23 06:30 CET", timeline)
        self.assertIn("deadline gdpr-authority met 1d late — DPA portal, ref 2026-0413", timeline)

    def test_at_refusals_leave_the_log_as_it_was(self):
        self.close()
        env = {"OUTAGE_NOW": DAY_4}
        self.assert_fails(["deadline", "1", "gdpr-authority", "--met", "--at",
                           "2026-11-27T10:00"], 2,
                          "--at: 2026-11-27 10:00 CET is in the future (it is 2026-11-26 11:00 "
                          "CET now)", env=env)
        self.assert_fails(["deadline", "1", "gdpr-authority", "--met", "--at",
                           "2026-11-22T10:30"], 2,
                          "--at: 2026-11-22 10:30 CET is before deadline 'gdpr-authority' of "
                          "incident 1 started (2026-11-22 11:00 CET)", env=env)
        self.assert_fails(["deadline", "1", "gdpr-authority", "--met", "--at", "last week"], 2,
                          "--at: invalid time 'last week'", env=env)
        self.at(DAY_4, "deadline", "1", "gdpr-authority", "--met")
        self.assert_fails(["deadline", "1", "gdpr-authority", "--met", "--at", "1h"], 5,
                          "deadline 'gdpr-authority' of incident 1 was already met at "
                          "2026-11-26T10:00:00Z", env=env)


class DeadlineMetByNoticeTest(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.open_incident("Storage array failed", "hardware-failure", "--service", "portal")
        doc = self.run_json("assess", "1", *HARDWARE)
        self.assertEqual([(d["name"], d["due_at"]) for d in doc["deadlines"]],
                         [("customer-sla", "2026-11-22T14:00:00Z")])

    def customers(self, when, *channel, code=0):
        rc, out, err = self.run("notify", "1", "--audience", "customers", "--to",
                                "ann@acme.example", "--to", "bo@acme.example", "--force",
                                *channel, env={"OUTAGE_NOW": when})
        self.assertEqual(rc, code, out + err)
        return out

    def sla(self):
        return [d for d in self.run_json("report", "1")["deadlines"]
                if d["name"] == "customer-sla"][0]

    def test_a_customer_notice_delivered_ten_minutes_in_meets_customer_sla(self):
        runbook = self.run_json("runbook", "show", "hardware-failure")
        self.assertEqual([d["met_by"] for d in runbook["deadlines"]],
                         [{"audience": "customers"}])
        self.customers(TEN_MINUTES_IN, "--channel", "stdout")
        sla = self.sla()
        self.assertEqual((sla["met_at"], sla["note"], sla["outcome"]),
                         (TEN_MINUTES_IN, "met by notice 1 to customers", "met on time"))
        met = [e for e in self.run_json("show", "1")["timeline"] if e["kind"] == "deadline_met"]
        self.assertEqual([(e["deadline"], e["late"], e["at"], e["actor"]) for e in met],
                         [("customer-sla", False, TEN_MINUTES_IN, "tester")])
        code, out, _ = self.run("due", "--within", "1d", "--fail-if-overdue",
                                env={"OUTAGE_NOW": "2026-11-22T15:00:00Z"})
        self.assertNotIn("customer-sla", out)
        # A second customer notice meets nothing more.
        self.customers("2026-11-22T10:20:00Z", "--channel", "stdout", "--note", "Still down")
        self.assertEqual(len([e for e in self.run_json("show", "1")["timeline"]
                              if e["kind"] == "deadline_met"]), 1)

    def test_the_file_channel_meets_it_too(self):
        self.use_outbox_config()
        self.customers(TEN_MINUTES_IN, "--channel", "file")
        self.assertEqual(self.sla()["met_at"], TEN_MINUTES_IN)

    def test_a_failed_delivery_does_not(self):
        no_server = reserve_port()
        self.addCleanup(no_server.close)
        self.use_outbox_config(f"email:\n  host: 127.0.0.1\n  port: {no_server.getsockname()[1]}\n"
                               f"  security: none\n  from: \"Ops <ops@example.com>\"\n"
                               f"  timeout: 5s\n")
        self.customers(TEN_MINUTES_IN, code=6)
        self.assertEqual((self.sla()["met_at"], self.sla()["outcome"]), (None, "running"))
        code, out, _ = self.run("due", "--fail-if-overdue",
                                env={"OUTAGE_NOW": "2026-11-22T14:30:00Z"})
        self.assertEqual(code, 7)
        self.assertRegex(out, r"\n      1  customer-sla +MISSED 30m ago ")
        # Told later through a channel that works: met, late.
        self.customers("2026-11-22T15:00:00Z", "--channel", "stdout", "--note", "Sorry")
        sla = self.sla()
        self.assertEqual((sla["met_at"], sla["outcome"], sla["note"]),
                         ("2026-11-22T15:00:00Z", "met late", "met by notice 2 to customers"))


class SwitchBackTest(OutageTestCase):
    """The fixture runbooks have no plan: every audience is named with its template and
    channel, as an operator does for a one-off auto-reply or phone message."""

    LATER = "2026-11-22T12:00:00Z"

    def setUp(self):
        super().setUp()
        self.use_outbox_config()
        self.open_incident("Mail server down", "hardware-failure", "--service", "e-mail")
        self.ok("notify", "1", "--audience", "customers", "--template", "customer-first-notice",
                "--channel", "stdout", "--to", "ann@acme.example")
        for audience, template in (("status-page", "status-page-notice"),
                                   ("auto-reply", "auto-reply"), ("phone", "ivr-message")):
            self.ok("notify", "1", "--audience", audience, "--template", template,
                    "--channel", "file")

    def test_close_lists_what_to_switch_back_with_commands_that_work(self):
        out = self.ok("close", "1", "--resolution", "Disk replaced",
                      env={"OUTAGE_NOW": self.LATER})
        _, section = out.split("\n\nAll-clear messages due", 1)
        self.assertEqual(section, (
            " (everyone told about the incident hears it is over):\n"
            "  customers      customer-all-clear     via stdout   to the 1 recipient of notice 1\n"
            "      outage notify 1 --audience customers --template customer-all-clear "
            "--channel stdout --recipients-of 1\n"
            "\n"
            "Switch back what the incident put up (each stays until it is replaced):\n"
            "  the status page (status-page: status-page-notice via file)\n"
            "      outage notify 1 --audience status-page --template status-page-notice "
            "--channel file --lang en\n"
            "  the automatic reply to incoming e-mail (auto-reply: auto-reply via file)\n"
            "      outage notify 1 --audience auto-reply --template auto-reply --channel file "
            "--lang en\n"
            "  the phone line's recorded message (phone: ivr-message via file)\n"
            "      outage notify 1 --audience phone --template ivr-message --channel file "
            "--lang en\n"))
        commands = [line.strip() for line in section.splitlines()
                    if line.startswith("      outage notify")]
        for command in commands:
            self.ok(*shlex.split(command)[1:], env={"OUTAGE_NOW": self.LATER})
        rows = self.query("SELECT id, audience, template, channel FROM notices WHERE id > 4 "
                          "ORDER BY id")
        self.assertEqual(rows, [(5, "customers", "customer-all-clear", "stdout"),
                                (6, "status-page", "status-page-notice", "file"),
                                (7, "auto-reply", "auto-reply", "file"),
                                (8, "phone", "ivr-message", "file")])
        fields = json.loads(self.query("SELECT fields FROM notices WHERE id = 7")[0][0])
        self.assertEqual((fields["resolved"], fields["status"]), (True, "resolved"))
        page = [name for name in os.listdir(self.outbox) if "notice-6-" in name]
        with open(os.path.join(self.outbox, page[0])) as f:
            self.assertIn("Resolved: 2026-11-22 13:00 CET.", f.read())

    def test_json_names_each_switch_back(self):
        rc, out, err = self.run("close", "1", "--resolution", "Disk replaced", "--json")
        self.assertEqual((rc, err), (0, ""))
        doc = json.loads(out)
        self.assertEqual([(c["audience"], c["switch_back"]) for c in doc["all_clear"]], [
            ("customers", None),
            ("status-page", "the status page"),
            ("auto-reply", "the automatic reply to incoming e-mail"),
            ("phone", "the phone line's recorded message"),
        ])
        self.assertEqual(doc["unmet_deadlines"], [])

    def test_notify_sends_them_and_says_which_replace_something(self):
        out = self.ok("close", "1", "--resolution", "Disk replaced", "--notify",
                      env={"OUTAGE_NOW": self.LATER})
        self.assertIn("\n\nAll-clear messages:\nNotice 5 to customers: 1 sent", out)
        self.assertIn("\n\nReplacing what the incident put up (put each new text where the old "
                      "one is live, or switch that off):\n"
                      "Notice 6 to status-page: 1 sent, 0 failed, 0 pending.\n"
                      "Notice 7 to auto-reply: 1 sent, 0 failed, 0 pending.\n"
                      "Notice 8 to phone: 1 sent, 0 failed, 0 pending.\n", out)


class ClosingStateInTemplatesTest(OutageTestCase):
    """`status`, `resolved`, `resolved_at` and (internal) `resolution` in any template."""

    def setUp(self):
        super().setUp()
        self.templates = os.path.join(self.tmp, "templates")
        os.mkdir(self.templates)
        with open(os.path.join(self.templates, "closing-check.en.mustache"), "w") as f:
            f.write("---\naudience: external\nsubject: \"{{status}}\"\n---\n"
                    "{{#resolved}}Resolved at {{resolved_at}}.{{/resolved}}"
                    "{{^resolved}}Still {{status}}.{{/resolved}}\n")
        with open(os.path.join(self.templates, "closing-staff.en.mustache"), "w") as f:
            f.write("---\naudience: internal\nsubject: \"x\"\n"
                    "requires: [resolved]\n---\nFixed: {{resolution}}\n")
        self.env["OUTAGE_TEMPLATES"] = self.templates
        self.open_incident("Mail server down", "hardware-failure")

    def render(self, template):
        return self.run_json("template", "render", "1", "--template", template,
                             env={"OUTAGE_NOW": "2026-11-22T12:00:00Z"})

    def test_the_fields_follow_the_incident_to_its_close(self):
        self.assertEqual(self.ok("template", "lint", self.templates), "No problems found.\n")
        self.assertEqual(self.render("closing-check"),
                         {"subject": "investigating", "body": "Still investigating.\n"})
        self.assert_fails(["template", "render", "1", "--template", "closing-staff"], 2,
                          "resolved")
        self.ok("close", "1", "--resolution", "Disk replaced",
                env={"OUTAGE_NOW": "2026-11-22T11:00:00Z"})
        self.assertEqual(self.render("closing-check"),
                         {"subject": "resolved",
                          "body": "Resolved at 2026-11-22 12:00 CET.\n"})
        self.assertEqual(self.render("closing-staff")["body"], "Fixed: Disk replaced\n")

    def test_an_external_template_cannot_name_the_resolution(self):
        with open(os.path.join(self.templates, "leak.en.mustache"), "w") as f:
            f.write("---\naudience: external\nsubject: \"x\"\n---\n{{resolution}}\n")
        code, out, _ = self.run("template", "lint", self.templates)
        self.assertEqual(code, 4, out)
        self.assertIn("resolution", out)


if __name__ == "__main__":
    unittest.main()

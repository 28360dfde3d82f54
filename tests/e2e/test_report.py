"""The post-incident report end to end: one incident taken from open to close with two
assessments (a severity change), a handover, notices through the file channel (and one that
fails), steps and a deadline, the clock moved between commands; then `outage report` in
Markdown, JSON and HTML, each checked section by section with the exact durations; the HTML's
timeline picture parsed as XML; and the bad inputs."""

import json
import os
import stat
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html.parser import HTMLParser

from harness import NOW, USER, OutageTestCase, reserve_port

START = datetime.strptime(NOW, "%Y-%m-%dT%H:%M:%SZ")
SVG = "{http://www.w3.org/2000/svg}"

# power-loss with steps, a plan and a deadline: `down=no` is SEV3, `down=yes` SEV2.
RUNBOOK = """\
version: 1
id: power-loss
title: Power loss at a site
description: The fixture for the report tests.
questions:
  - id: down
    prompt: Is it down?
    type: yes-no
severity:
  - name: site-down
    level: SEV2
    when: {question: down, equals: yes}
  - name: default
    level: SEV3
steps:
  - id: call-utility
    title: Call the utility
    role: facilities
  - id: check-ups
    title: Check the UPS
    role: it-responder
  - id: tell-board
    title: Tell the board
    role: incident-owner
    min-severity: SEV2
communications:
  - audience: frontline
    template: frontline-briefing
    channel: file
  - audience: status-page
    template: status-page-notice
    channel: webhook
  - audience: customers
    template: customer-first-notice
    channel: file
    min-severity: SEV3
deadlines:
  - id: insurer
    title: Tell the insurer
    within: 2h
"""

TITLE = 'Power cut <Leeds> | "R&D"'


def at(minutes):
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


class SectionParser(HTMLParser):
    """Collects the HTML's tags, its sections' headings and text, and the raw SVG."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.attributes = []
        self.sections = {}
        self.section = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        if tag == "section":
            self.section = dict(attrs)["id"]
            self.sections[self.section] = []

    def handle_data(self, data):
        self.text.append(data)
        if self.section:
            self.sections[self.section].append(data)


class ReportTest(OutageTestCase):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def setUp(self):
        super().setUp()
        with open(os.path.join(self.runbooks, "power-loss.yaml"), "w") as f:
            f.write(RUNBOOK)
        self.outbox = os.path.join(self.tmp, "outbox")
        self.config = os.path.join(self.tmp, "config.yaml")
        # Nothing listens on the webhook's port, held by a socket that does not listen for the
        # whole test (not port 9, where a discard service may run): the status page's webhook
        # fails.
        no_server = reserve_port()
        self.addCleanup(no_server.close)
        hook = f"http://127.0.0.1:{no_server.getsockname()[1]}/hook"
        with open(self.config, "w") as f:
            f.write(f"outbox: {self.outbox}\n"
                    f"webhooks:\n  status: {{url: '{hook}', format: text}}\n")
        self.env["OUTAGE_CONFIG"] = self.config

    def step(self, minutes, *args, code=0, actor=USER):
        rc, out, err = self.run(*args, env={"OUTAGE_NOW": at(minutes), "OUTAGE_USER": actor})
        self.assertEqual(rc, code, f"{args}: {out}{err}")
        return out

    def full_incident(self, scenario="power-loss"):
        """Opens at 10:00 UTC, SEV3 at +20m, SEV2 at +60m, closed at +180m."""
        self.step(0, "open", "--scenario", scenario, "--title", TITLE, "--service", "phones",
                  "--service", "email", "--affected", "40")
        self.step(20, "assess", "1", "--answer", "down=no")
        self.step(30, "notify", "1", "--audience", "frontline", "--to", "desk@example.com")
        self.step(40, "notify", "1", "--audience", "status-page", "--to", "status", code=6)
        self.step(45, "notify", "1", "--audience", "customers", "--to", "a@acme.example",
                  "--to", "b@acme.example")
        self.step(60, "assess", "1", "--answer", "down=yes")
        self.step(70, "handoff", "1", "--to", "bob", "--note", "UPS at 40%\ncall the utility")
        self.step(75, "ack", "1", actor="bob")
        self.step(80, "step", "1", "call-utility", "--done", "--note", "ticket | 123", actor="bob")
        self.step(85, "step", "1", "check-ups", "--skip", actor="bob")
        self.step(100, "deadline", "1", "insurer", "--met", actor="bob")
        self.step(180, "close", "1", "--resolution", "Power back", "--root-cause",
                  "Substation <fault>", "--recurrence", "unlikely", "--action", "Buy a bigger UPS",
                  "--action", "Test the generator monthly", actor="bob")
        self.assertEqual(len([f for f in os.listdir(self.outbox) if f.endswith(".eml")]), 3)
        self.env["OUTAGE_NOW"] = at(240)

    # Markdown ----------------------------------------------------------------------------

    def test_markdown_has_every_section_with_exact_values(self):
        self.full_incident()
        md = self.ok("report", "1")
        self.assertEqual(md, self.ok("report", "1", "--format", "markdown"))
        sections = md.split("\n## ")
        self.assertEqual(
            [s.split("\n")[0] for s in sections[1:]],
            ["Summary", "Key durations", "Timeline", "Notices",
             "Steps (1 done, 1 skipped, 1 open)", "Deadlines", "Resolution"])
        head, summary, durations, timeline, notices, steps, deadlines, resolution = sections
        self.assertEqual(
            head,
            "# Post-incident report: incident 1\n\n"
            '**Power cut \\<Leeds\\> \\| "R\\&D"**\n\n'
            "Generated 2026-11-22 15:00 CET. Internal: this report may name suppliers, systems "
            "and people; do not send it outside.\n")
        self.assertEqual(summary, """\
Summary

|  |  |
|---|---|
| Incident | 1: Power cut \\<Leeds\\> \\| "R\\&D" |
| Scenario | Power loss at a site (power-loss) |
| Status | closed |
| Severity | SEV2 (went SEV3 → SEV2) |
| Owner | bob (1 handover) |
| Services | phones, email |
| Affected | 40 |
| Opened | 2026-11-22 11:00 CET |
| Closed | 2026-11-22 14:00 CET |

### Severity changes

| When | Change | Rule | By |
|---|---|---|---|
| 2026-11-22 11:20 CET | unassessed → SEV3 | default | tester |
| 2026-11-22 12:00 CET | SEV3 → SEV2 | site-down | tester |

### Owner and handovers

| When | From | To | Note | By |
|---|---|---|---|---|
| 2026-11-22 12:10 CET | tester | bob | UPS at 40%<br>call the utility | tester |
""")
        self.assertEqual(durations, """\
Key durations

| Measure | Time |
|---|---|
| Time to assess | 20m |
| Time to first customer notice | 45m |
| Time to resolve | 3h |
| Time at SEV2 | 2h |
| Time at SEV3 | 40m |
""")
        rows = [line for line in timeline.split("\n") if line.startswith("| 2026")]
        self.assertEqual(rows, [
            '| 2026-11-22 11:00 CET | tester | opened "Power cut \\<Leeds\\> \\| "R\\&D"" '
            "(power-loss), owner tester |",
            "| 2026-11-22 11:00 CET | tester | deadline insurer started, due 2026-11-22 13:00 CET |",
            "| 2026-11-22 11:20 CET | tester | assessed SEV3 (rule default) |",
            "| 2026-11-22 11:20 CET | tester | severity unassessed → SEV3 |",
            "| 2026-11-22 11:30 CET | tester | notice 1 to frontline (frontline-briefing via file, "
            "1 recipient) |",
            "| 2026-11-22 11:30 CET | tester | notice 1 to frontline: 1 sent, 0 failed, 0 pending |",
            "| 2026-11-22 11:40 CET | tester | notice 2 to status-page (status-page-notice via "
            "webhook, 1 recipient) |",
            "| 2026-11-22 11:40 CET | tester | notice 2 to status-page: 0 sent, 1 failed, 0 pending |",
            "| 2026-11-22 11:45 CET | tester | notice 3 to customers (customer-first-notice via "
            "file, 2 recipients) |",
            "| 2026-11-22 11:45 CET | tester | notice 3 to customers: 2 sent, 0 failed, 0 pending |",
            "| 2026-11-22 12:00 CET | tester | assessed SEV2 (rule site-down) |",
            "| 2026-11-22 12:00 CET | tester | severity SEV3 → SEV2 |",
            "| 2026-11-22 12:10 CET | tester | handed over from tester to bob — UPS at 40%<br>call "
            "the utility |",
            "| 2026-11-22 12:15 CET | bob | handover acknowledged: bob has it |",
            "| 2026-11-22 12:20 CET | bob | step call-utility done — ticket \\| 123 |",
            "| 2026-11-22 12:25 CET | bob | step check-ups skipped |",
            "| 2026-11-22 12:40 CET | bob | deadline insurer met on time |",
            "| 2026-11-22 14:00 CET | bob | closed — Power back |",
        ])
        self.assertEqual(notices, """\
Notices

### Per audience

| Audience | Customer-facing | Notices | Sent | Failed | Pending |
|---|---|---|---|---|---|
| frontline | no | 1 | 1 | 0 | 0 |
| status-page | yes | 1 | 0 | 1 | 0 |
| customers | yes | 1 | 2 | 0 | 0 |

### Each notice

| Notice | When | Audience | Template | Channel | By | Sent | Failed | Pending |
|---|---|---|---|---|---|---|---|---|
| 1 | 2026-11-22 11:30 CET | frontline | frontline-briefing | file | tester | 1 | 0 | 0 |
| 2 | 2026-11-22 11:40 CET | status-page | status-page-notice | webhook | tester | 0 | 1 | 0 |
| 3 | 2026-11-22 11:45 CET | customers | customer-first-notice | file | tester | 2 | 0 | 0 |
""")
        self.assertEqual(steps, """\
Steps (1 done, 1 skipped, 1 open)

| State | Step | Title | Role | When | By | Note |
|---|---|---|---|---|---|---|
| done | call-utility | Call the utility | facilities | 2026-11-22 12:20 CET | bob | ticket \\| 123 |
| skipped | check-ups | Check the UPS | it-responder | 2026-11-22 12:25 CET | bob |  |
| open | tell-board | Tell the board | incident-owner |  |  |  |
""")
        self.assertEqual(deadlines, """\
Deadlines

| Deadline | Title | Started | Due | Outcome | Met |
|---|---|---|---|---|---|
| insurer | Tell the insurer | 2026-11-22 11:00 CET | 2026-11-22 13:00 CET | met on time | 2026-11-22 12:40 CET |
""")
        self.assertEqual(resolution, """\
Resolution

|  |  |
|---|---|
| Resolution | Power back |
| Root cause | Substation \\<fault\\> |
| Recurrence | unlikely |

### Prevention actions

- Buy a bigger UPS
- Test the generator monthly
""")

    def test_an_open_incident_counts_to_now(self):
        self.step(0, "open", "--scenario", "power-loss", "--title", "Flicker")
        md = self.step(30, "report", "1")
        self.assertIn("| Time to assess | not assessed |", md)
        self.assertIn("| Time to resolve | still open |", md)
        self.assertIn("\nNever assessed.\n", md)
        self.assertIn("\nNo notices were sent.\n", md)
        self.step(40, "assess", "1", "--answer", "down=yes")
        md = self.step(100, "report", "1")
        self.assertIn("| Time at SEV2 | 1h (and counting) |", md)
        self.assertIn("| Status | open (investigating) |", md)
        doc = json.loads(self.step(100, "report", "1", "--format", "json"))
        self.assertEqual(doc["durations"]["severity_periods"], [
            {"level": "SEV2", "from": at(40), "to": at(100), "ongoing": True, "seconds": 3600}])
        self.assertIsNone(doc["durations"]["to_resolve_seconds"])

    def test_reopened_incident_resolves_at_its_last_close(self):
        self.step(0, "open", "--scenario", "power-loss", "--title", "Flicker")
        self.step(10, "assess", "1", "--answer", "down=no")
        self.step(60, "close", "1", "--resolution", "Fixed")
        self.step(120, "reopen", "1", "--note", "Back again")
        self.step(150, "close", "1", "--resolution", "Fixed for good")
        doc = json.loads(self.step(200, "report", "1", "--json"))
        self.assertEqual(doc["reopens"], 1)
        self.assertEqual(doc["durations"]["to_resolve_seconds"], 150 * 60)
        self.assertEqual(doc["durations"]["open_seconds"], (60 + 30) * 60)
        self.assertEqual(doc["durations"]["severity_seconds"], {"SEV3": (50 + 30) * 60})
        md = self.step(200, "report", "1")
        self.assertIn("| Reopened | 1 time |", md)
        self.assertIn("| Time open (without the time it stood closed) | 1h 30m |", md)

    # JSON --------------------------------------------------------------------------------

    def test_json_is_the_same_report_as_an_object(self):
        self.full_incident()
        doc = json.loads(self.ok("report", "1", "--format", "json"))
        self.assertEqual(doc, json.loads(self.ok("report", "1", "--json")))
        self.assertEqual(
            sorted(doc),
            ["audiences", "deadlines", "durations", "generated_at", "handovers", "incident",
             "notices", "reopens", "runbook_problem", "scenario_title", "severity_changes",
             "steps", "timeline"])
        self.assertEqual(doc["generated_at"], at(240))
        self.assertEqual(doc["scenario_title"], "Power loss at a site")
        self.assertIsNone(doc["runbook_problem"])
        incident = doc["incident"]
        self.assertEqual((incident["id"], incident["title"], incident["severity"],
                          incident["owner"], incident["services"], incident["affected"]),
                         (1, TITLE, "SEV2", "bob", ["phones", "email"], 40))
        self.assertEqual((incident["resolution"], incident["root_cause"], incident["recurrence"],
                          incident["actions"]),
                         ("Power back", "Substation <fault>", "unlikely",
                          ["Buy a bigger UPS", "Test the generator monthly"]))
        self.assertEqual(doc["durations"], {
            "to_assess_seconds": 20 * 60,
            "to_first_customer_notice_seconds": 45 * 60,
            "to_resolve_seconds": 180 * 60,
            "open_seconds": 180 * 60,
            "severity_seconds": {"SEV3": 40 * 60, "SEV2": 120 * 60},
            "severity_periods": [
                {"level": "SEV3", "from": at(20), "to": at(60), "ongoing": False,
                 "seconds": 2400},
                {"level": "SEV2", "from": at(60), "to": at(180), "ongoing": False,
                 "seconds": 7200},
            ],
        })
        self.assertEqual(doc["severity_changes"], [
            {"at": at(20), "actor": USER, "from": None, "to": "SEV3", "rule": "default"},
            {"at": at(60), "actor": USER, "from": "SEV3", "to": "SEV2", "rule": "site-down"},
        ])
        self.assertEqual(doc["handovers"], [
            {"at": at(70), "actor": USER, "from": USER, "to": "bob",
             "note": "UPS at 40%\ncall the utility"}])
        self.assertEqual(doc["reopens"], 0)
        self.assertEqual(
            [(a["audience"], a["customer_facing"], a["notices"], a["sent"], a["failed"],
              a["pending"]) for a in doc["audiences"]],
            [("frontline", False, 1, 1, 0, 0), ("status-page", True, 1, 0, 1, 0),
             ("customers", True, 1, 2, 0, 0)])
        self.assertEqual(
            [(n["id"], n["at"], n["audience"], n["template"], n["channel"], n["sent"],
              n["failed"]) for n in doc["notices"]],
            [(1, at(30), "frontline", "frontline-briefing", "file", 1, 0),
             (2, at(40), "status-page", "status-page-notice", "webhook", 0, 1),
             (3, at(45), "customers", "customer-first-notice", "file", 2, 0)])
        self.assertEqual(
            [(s["id"], s["state"], s.get("actor"), s.get("note")) for s in doc["steps"]],
            [("call-utility", "done", "bob", "ticket | 123"), ("check-ups", "skipped", "bob", None),
             ("tell-board", "open", None, None)])
        self.assertEqual(
            [(d["name"], d["due_at"], d["met_at"], d["outcome"]) for d in doc["deadlines"]],
            [("insurer", at(120), at(100), "met on time")])
        self.assertEqual(
            [e["kind"] for e in doc["timeline"]],
            ["opened", "deadline_started", "assessed", "severity_changed", "notice",
             "notice_sent", "notice", "notice_sent", "notice", "notice_sent", "assessed",
             "severity_changed", "handoff", "acknowledged", "step", "step", "deadline_met",
             "closed"])
        self.assertEqual(doc["timeline"][-1]["text"], "closed — Power back")
        self.assertEqual(doc["timeline"][-1]["actor"], "bob")

    # HTML --------------------------------------------------------------------------------

    def test_html_is_self_contained_with_a_severity_picture(self):
        self.full_incident()
        html = self.ok("report", "1", "--format", "html")
        parser = SectionParser()
        parser.feed(html)
        parser.close()
        self.assertEqual(list(parser.sections),
                         ["summary", "durations", "timeline", "notices", "steps", "deadlines",
                          "resolution"])
        # Nothing outside the file: no script, stylesheet link, image or frame, no src/href.
        for tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.assertNotIn(tag, parser.tags)
        self.assertNotIn("src", parser.attributes)
        self.assertNotIn("href", parser.attributes)
        self.assertIn("style", parser.tags)
        # The title's markup is text, never a tag.
        self.assertNotIn("leeds", parser.tags)
        self.assertIn(TITLE, "".join(parser.text))
        text = {k: " ".join(" ".join(v).split()) for k, v in parser.sections.items()}
        self.assertIn("Severity SEV2 (went SEV3 → SEV2)", text["summary"])
        self.assertIn("UPS at 40% call the utility", text["summary"])
        for row in ("Time to assess 20m", "Time to first customer notice 45m",
                    "Time to resolve 3h", "Time at SEV2 2h", "Time at SEV3 40m"):
            self.assertIn(row, text["durations"])
        self.assertIn("status-page yes 1 0 1 0", text["notices"])
        self.assertIn("customers yes 1 2 0 0", text["notices"])
        self.assertIn("done call-utility Call the utility facilities", text["steps"])
        self.assertIn("open tell-board", text["steps"])
        self.assertIn("met on time 2026-11-22 12:40 CET", text["deadlines"])
        self.assertIn("Root cause Substation <fault>", text["resolution"])
        self.assertIn("Test the generator monthly", text["resolution"])
        self.assertIn("handover acknowledged: bob has it", text["timeline"])

        svgs = html.count("<svg")
        self.assertEqual(svgs, 1)
        svg = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + len("</svg>")])
        self.assertEqual(svg.tag, SVG + "svg")
        labels = [t.text for t in svg.iter(SVG + "text")]
        for level in ("SEV1", "SEV2", "SEV3", "SEV4"):
            self.assertIn(level, labels)
        # Ticks at the start and end of the incident (local time).
        self.assertIn("11:00", labels)
        self.assertIn("14:00", labels)
        levels = [line for line in svg.iter(SVG + "line") if line.get("class") == "level"]
        self.assertEqual([line.find(SVG + "title").text for line in levels],
                         ["SEV3 40m", "SEV2 2h"])
        # 3 hours across 630 pixels from x=70: SEV3 from +20m to +60m, one lane above SEV4.
        first, second = levels
        self.assertEqual((first.get("x1"), first.get("x2"), first.get("y1")),
                         ("140.0", "280.0", "102"))
        self.assertEqual((second.get("x1"), second.get("x2"), second.get("y1")),
                         ("280.0", "700.0", "66"))
        marks = {kind: [g.find(SVG + "path").find(SVG + "title").text
                        for g in svg.iter(SVG + "g") if g.get("class") == kind]
                 for kind in ("notice", "handover")}
        self.assertEqual(marks["notice"], ["2026-11-22 11:30 CET notice 1 to frontline",
                                           "2026-11-22 11:40 CET notice 2 to status-page",
                                           "2026-11-22 11:45 CET notice 3 to customers"])
        self.assertEqual(marks["handover"], ["2026-11-22 12:10 CET handover to bob"])

    # Writing a file ----------------------------------------------------------------------

    def test_output_file_is_private_and_the_same_document(self):
        self.full_incident()
        for fmt in ("markdown", "json", "html"):
            with self.subTest(format=fmt):
                path = os.path.join(self.tmp, "reports", f"report.{fmt}")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                out = self.ok("report", "1", "--format", fmt, "-o", path)
                self.assertEqual(out, f"Wrote the {fmt} report on incident 1 to {path}.\n")
                self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
                with open(path, encoding="utf-8") as f:
                    self.assertEqual(f.read(), self.ok("report", "1", "--format", fmt))
        doc = self.run_json("report", "1", "--format", "html", "-o", path)
        self.assertEqual(doc, {"file": path, "format": "html", "incident": 1})
        # Written through a temporary file and a rename: nothing else is left behind.
        self.assertEqual(sorted(os.listdir(os.path.dirname(path))),
                         ["report.html", "report.json", "report.markdown"])

    # Bad input ---------------------------------------------------------------------------

    def test_errors(self):
        self.full_incident()
        self.assert_fails(["report", "99"], 3, "no incident 99")
        self.assert_fails(["report", "1", "--format", "pdf"], 2, ["--format", "pdf"])
        self.assert_fails(["report", "1", "--json", "--format", "html"], 2,
                          "--json prints JSON; it contradicts --format html")
        self.assert_fails(["report", "x"], 2, "x")
        missing = os.path.join(self.tmp, "no-such-dir", "report.md")
        self.assert_fails(["report", "1", "-o", missing], 1,
                          ["cannot write", os.path.dirname(missing)])
        self.assertFalse(os.path.exists(os.path.dirname(missing)))
        locked = os.path.join(self.tmp, "locked")
        os.mkdir(locked, 0o500)
        self.addCleanup(os.chmod, locked, 0o700)
        if os.geteuid() != 0:  # root writes anywhere
            self.assert_fails(["report", "1", "-o", os.path.join(locked, "r.md")], 1, "locked")
        self.assert_fails(["report", "1", "-o", self.tmp], 1, self.tmp)

    def test_no_log_is_not_found_and_leaves_no_file(self):
        self.assert_fails(["report", "1"], 3, f"no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db))

    def test_a_runbook_gone_since_still_reports(self):
        # A scenario of the team's own (no bundled runbook has its id), later removed.
        own = os.path.join(self.runbooks, "generator-fault.yaml")
        with open(own, "w") as f:
            f.write(RUNBOOK.replace("id: power-loss", "id: generator-fault"))
        self.full_incident("generator-fault")
        os.remove(own)
        doc = json.loads(self.ok("report", "1", "--json"))
        self.assertEqual(doc["scenario_title"], "generator-fault")
        self.assertIn("generator-fault", doc["runbook_problem"])
        md = self.ok("report", "1")
        self.assertIn("| Scenario | generator-fault |", md)
        self.assertIn("| done | call-utility | (no longer in the runbook) |  | ", md)
        # Only the steps the log knows; customer-facing by the audience's name.
        self.assertEqual([s["id"] for s in doc["steps"]], ["call-utility", "check-ups"])
        self.assertEqual(doc["durations"]["to_first_customer_notice_seconds"], 45 * 60)

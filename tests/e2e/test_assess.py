"""`outage assess` end to end against the fixture runbook tests/data/runbooks/good/lab-flood.yaml
(and severity.yaml beside it): answers from --answer and --answers-file reaching every level,
the human and JSON output, refusals that leave the log as it was, the timeline, deadlines,
re-assessment, and an interactive session typed into a pseudo-terminal."""

import json
import os
import select
import shutil
import signal
import subprocess
import time
import unittest

from harness import NOW, OutageTestCase

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
GOOD = os.path.join(DATA, "runbooks", "good")
ANSWERS = os.path.join(DATA, "answers")

QUESTIONS = ["scope", "samples_at_risk", "people", "realtime", "reporter"]
PROMPTS = {
    "scope": "How much of the lab is affected?",
    "samples_at_risk": "Are samples at risk?",
    "people": "How many people cannot work?",
    "realtime": "Is the booking system down?",
    "reporter": "Who reported it?",
}
MEANINGS = {
    "SEV1": ("Critical", "The lab cannot work at all."),
    "SEV2": ("Major", "Most lab work stops."),
    "SEV3": ("Minor", "Some work is slowed down."),
    "SEV4": ("Low", "An annoyance."),
}
PROACTIVE_LINE = {
    True: "  proactive    yes: tell customers now, without waiting to be asked\n",
    False: "  proactive    no: customers are told when they ask\n",
}

# What the fixture's plan gives at each level: customers told proactively, the audiences to
# notify now, the steps that apply.
BY_LEVEL = {
    "SEV1": (True, ["frontline", "customers"], ["power-off", "move-samples", "photos"]),
    "SEV2": (True, ["frontline", "customers"], ["power-off", "move-samples", "photos"]),
    "SEV3": (False, ["frontline"], ["power-off", "photos"]),
    "SEV4": (False, ["frontline"], ["power-off", "photos"]),
}


# Answers, and what lab-flood.yaml makes of them: severity, deciding rule, update interval and
# next update due (UTC and CET; NOW is 10:00Z, 11:00 CET). The runbook overrides SEV4's 1d
# from severity.yaml with 12h, and with a real-time service down it shortens SEV1 and SEV3.
LEVELS = """
floor   no  3   no   SEV1  whole-floor-or-samples  30m  10:30  11:30
corner  no  10  no   SEV2  many-people             1h   11:00  12:00
room    no  2   no   SEV3  room                    4h   14:00  15:00
corner  no  0   no   SEV4  default                 12h  22:00  23:00
floor   no  3   yes  SEV1  whole-floor-or-samples  15m  10:15  11:15
room    no  2   y    SEV3  room                    2h   12:00  13:00
"""


def level_case(row):
    scope, samples, people, realtime, severity, rule, every, due_utc, due_cet = row.split()
    proactive, audiences, steps = BY_LEVEL[severity]
    minutes = int(every[:-1]) * (60 if every.endswith("h") else 1)
    return dict(answers=dict(scope=scope, samples_at_risk=samples, people=people,
                             realtime=realtime, reporter="Ann"),
                severity=severity, rule=rule, proactive=proactive, minutes=minutes,
                due=f"2026-11-22T{due_utc}:00Z",
                due_local=f"every {every}; next due 2026-11-22 {due_cet} CET",
                audiences=audiences, steps=steps,
                # The vendor is there on request when the booking system is down.
                on_request=["vendor"] if realtime in ("yes", "y") else [])


LEVEL_CASES = [level_case(row) for row in LEVELS.strip().splitlines()]

TEMPLATES = {"frontline": "frontline-briefing", "customers": "customer-first-notice",
             "vendor": "vendor-inquiry"}


def answer_args(answers):
    args = []
    for key, value in answers.items():
        args += ["--answer", f"{key}={value}"]
    return args


def sev4_answers(without=()):
    """--answer options for the SEV4 case, leaving out the questions in `without`."""
    return answer_args({k: v for k, v in LEVEL_CASES[3]["answers"].items() if k not in without})


SEV4_ANSWERS = sev4_answers()


class LabFloodTestCase(OutageTestCase):
    """Runs against tests/data/runbooks/good (lab-flood) and the test templates."""
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.env["OUTAGE_RUNBOOKS"] = GOOD
        self.env["OUTAGE_TEMPLATES"] = os.path.join(DATA, "templates")

    def open_flood(self, title="Flood in lab 2", **kwargs):
        return self.open_incident(title, "lab-flood", **kwargs)

    def timeline(self, incident=1):
        return self.run_json("show", str(incident))["timeline"]


class AssessLevelsTest(LabFloodTestCase):
    def test_answers_reach_each_level_json(self):
        for case in LEVEL_CASES:
            with self.subTest(severity=case["severity"], answers=case["answers"]):
                incident = self.open_flood()
                doc = self.run_json("assess", str(incident), *answer_args(case["answers"]))
                self.assertEqual(doc["incident"], incident)
                self.assertEqual(doc["severity"], case["severity"])
                name, meaning = MEANINGS[case["severity"]]
                self.assertEqual(doc["severity_name"], name)
                self.assertEqual(doc["meaning"], meaning)
                self.assertIsNone(doc["previous_severity"])
                self.assertEqual(doc["rule"], case["rule"])
                self.assertIs(doc["proactive"], case["proactive"])
                self.assertIs(type(doc["update_interval_minutes"]), int)
                self.assertEqual(doc["update_interval_minutes"], case["minutes"])
                self.assertEqual(doc["next_update_due"], case["due"])
                self.assertEqual([a["audience"] for a in doc["audiences"]], case["audiences"])
                self.assertEqual([a["audience"] for a in doc["on_request"]], case["on_request"])
                for entry in doc["audiences"] + doc["on_request"]:
                    self.assertEqual(entry["template"], TEMPLATES[entry["audience"]])
                    self.assertEqual(entry["channel"], "email")
                    self.assertEqual(entry["command"],
                                     f"outage notify {incident} --audience {entry['audience']}")
                self.assertEqual([s["id"] for s in doc["steps"]], case["steps"])
                self.assertTrue(all(s["state"] == "open" for s in doc["steps"]))
                # The incident carries the verdict.
                shown = self.run_json("show", str(incident))
                self.assertEqual(shown["severity"], case["severity"])
                self.assertEqual(shown["update_interval_minutes"], case["minutes"])
                self.assertEqual(shown["next_update_due"], case["due"])

    def test_answers_reach_each_level_human(self):
        for case in LEVEL_CASES:
            with self.subTest(severity=case["severity"], answers=case["answers"]):
                incident = self.open_flood()
                out = self.ok("assess", str(incident), *answer_args(case["answers"]))
                severity = case["severity"]
                name, meaning = MEANINGS[severity]
                self.assertIn(f"Incident {incident} is {severity} ({name}), first assessment.\n",
                              out)
                self.assertIn(f"  meaning      {meaning}\n", out)
                self.assertIn(f"  decided by   rule {case['rule']}\n", out)
                self.assertIn(PROACTIVE_LINE[case["proactive"]], out)
                self.assertIn(f"  updates      {case['due_local']}\n", out)
                notify, steps = out.split("\nNotify now, in this order:\n")[1].split("\nSteps at ")
                listed = [line.split()[0] for line in notify.splitlines()
                          if "outage notify" in line]
                self.assertEqual(listed, case["audiences"])
                for audience in case["audiences"]:
                    self.assertIn(f"outage notify {incident} --audience {audience}\n", notify)
                if case["on_request"]:
                    self.assertIn(f"On request: {', '.join(case['on_request'])}\n", notify)
                else:
                    self.assertNotIn("On request", notify)
                self.assertTrue(steps.startswith(f"{severity}:\n"), steps)
                boxes = [line.split()[2] for line in steps.splitlines() if line.startswith("  [ ]")]
                self.assertEqual(boxes, case["steps"])
                self.assertNotIn("\x1b[", out)

    def test_customers_plan_carries_its_minimums(self):
        self.open_flood()
        doc = self.run_json("assess", "1", *answer_args(LEVEL_CASES[0]["answers"]))
        customers = [a for a in doc["audiences"] if a["audience"] == "customers"]
        self.assertEqual(len(customers), 1)
        self.assertEqual(customers[0]["min_recipients"], 2)
        self.assertEqual(customers[0]["min_per_organisation"], 2)
        frontline = [a for a in doc["audiences"] if a["audience"] == "frontline"][0]
        self.assertEqual(frontline["min_recipients"], 1)
        self.assertIsNone(frontline["min_per_organisation"])

    def test_answers_are_stored_typed(self):
        self.open_flood()
        doc = self.run_json("assess", "1", *answer_args(LEVEL_CASES[1]["answers"]))
        expected = {"scope": "corner", "samples_at_risk": "no", "people": 10, "realtime": "no",
                    "reporter": "Ann"}
        self.assertEqual(doc["answers"], expected)
        self.assertIs(type(doc["answers"]["people"]), int)
        assessed = [e for e in self.timeline() if e["kind"] == "assessed"]
        self.assertEqual(len(assessed), 1)
        self.assertEqual(assessed[0]["answers"], expected)
        self.assertEqual((assessed[0]["severity"], assessed[0]["rule"]), ("SEV2", "many-people"))
        self.assertEqual(assessed[0]["next_update_due"], "2026-11-22T11:00:00Z")

    def test_workarounds_follow_the_answers(self):
        self.open_flood()
        doc = self.run_json("assess", "1", *answer_args(LEVEL_CASES[0]["answers"]))
        self.assertEqual([w["title"] for w in doc["workarounds"]], ["Use the second-floor lab"])
        doc = self.run_json("assess", "1", "--answer", "realtime=yes")
        self.assertEqual([w["title"] for w in doc["workarounds"]],
                         ["Use the second-floor lab", "Use paper booking"])
        out = self.ok("assess", "1")
        self.assertIn("Workarounds:\n  - Use the second-floor lab: Book through facilities.\n"
                      "  - Use paper booking\n", out)


class YesNoTest(LabFloodTestCase):
    def test_yes_no_forms(self):
        self.open_flood()
        base = ["--answer", "scope=corner", "--answer", "people=10", "--answer", "realtime=no",
                "--answer", "reporter=Ann"]
        cases = [("yes", "yes", "SEV1"), ("no", "no", "SEV2"), ("y", "yes", "SEV1"),
                 ("n", "no", "SEV2"), ("true", "yes", "SEV1"), ("false", "no", "SEV2")]
        for given, stored, severity in cases:
            with self.subTest(samples_at_risk=given):
                doc = self.run_json("assess", "1", *base, "--answer", f"samples_at_risk={given}")
                self.assertEqual(doc["answers"]["samples_at_risk"], stored)
                self.assertEqual(doc["severity"], severity)
        self.assert_fails(["assess", "1", "--answer", "realtime=maybe"], 2,
                          ["invalid answer 'maybe' to question 'realtime'", "yes or no"])


class AnswersFileTest(LabFloodTestCase):
    def test_yaml_answers_file_with_answers_for_the_rest(self):
        self.open_flood()
        doc = self.run_json("assess", "1", "--answers-file",
                            os.path.join(ANSWERS, "good_answers.yaml"), "--answer", "realtime=no",
                            "--answer", "reporter=Ann")
        self.assertEqual(doc["answers"], {"scope": "room", "samples_at_risk": "yes", "people": 12,
                                          "realtime": "no", "reporter": "Ann"})
        self.assertEqual((doc["severity"], doc["rule"]), ("SEV1", "whole-floor-or-samples"))

    def test_answer_wins_over_the_file(self):
        self.open_flood()
        doc = self.run_json("assess", "1", "--answer", "people=3", "--answers-file",
                            os.path.join(ANSWERS, "good_answers.yaml"), "--answer", "realtime=no",
                            "--answer", "reporter=Ann")
        self.assertEqual(doc["answers"]["people"], 3)
        self.assertEqual((doc["severity"], doc["rule"]), ("SEV3", "room"))

    def test_json_answers_file_with_numbers_and_booleans(self):
        path = os.path.join(self.tmp, "answers.json")
        with open(path, "w") as f:
            json.dump({"scope": "corner", "samples_at_risk": False, "people": 0,
                       "realtime": True, "reporter": "Bo"}, f)
        self.open_flood()
        doc = self.run_json("assess", "1", "--answers-file", path)
        self.assertEqual(doc["answers"], {"scope": "corner", "samples_at_risk": "no", "people": 0,
                                          "realtime": "yes", "reporter": "Bo"})
        self.assertEqual((doc["severity"], doc["update_interval_minutes"]), ("SEV4", 720))
        self.assertEqual([a["audience"] for a in doc["on_request"]], ["vendor"])

    def test_bad_answers_files_change_nothing(self):
        self.open_flood()
        bad = os.path.join(ANSWERS, "bad_answers.yaml")
        self.assert_fails(["assess", "1", "--answers-file", bad], 2,
                          f"--answers-file: {bad}:2:1: each answer is `question_id: value`")
        missing = os.path.join(self.tmp, "nowhere.yaml")
        self.assert_fails(["assess", "1", "--answers-file", missing], 2,
                          [f"--answers-file: {missing}", "cannot read"])
        wrong = os.path.join(self.tmp, "wrong.yaml")
        with open(wrong, "w") as f:
            f.write("scope: everywhere\n")
        self.assert_fails(["assess", "1", "--answers-file", wrong, *sev4_answers(["scope"])], 2,
                          "invalid answer 'everywhere' to question 'scope': expected one of: "
                          "corner, room, floor")


class AssessErrorsTest(LabFloodTestCase):
    def setUp(self):
        super().setUp()
        self.open_flood()

    def test_invalid_answer_names_the_question_and_the_allowed_values(self):
        cases = [
            ("scope=kitchen", "invalid answer 'kitchen' to question 'scope': expected one of: "
                              "corner, room, floor"),
            # Numbers pick a choice only at the prompt.
            ("scope=3", "invalid answer '3' to question 'scope': expected one of: corner, room, "
                        "floor"),
            ("samples_at_risk=maybe", "invalid answer 'maybe' to question 'samples_at_risk': "
                                      "expected yes or no"),
            ("people=lots", "invalid answer 'lots' to question 'people': expected a number of "
                            "at least 0"),
            ("people=-1", "invalid answer '-1' to question 'people': expected a number of at "
                          "least 0"),
            ("reporter=", "invalid answer '' to question 'reporter': expected one line of text"),
        ]
        for answer, message in cases:
            with self.subTest(answer=answer):
                others = sev4_answers(without=[answer.split("=")[0]])
                self.assert_fails(["assess", "1", *others, "--answer", answer], 2, message)
        self.assertEqual(self.run_json("show", "1")["severity"], None)

    def test_malformed_answer_option(self):
        self.assert_fails(["assess", "1", "--answer", "scope"], 2,
                          "--answer needs QUESTION=VALUE, not 'scope'")
        self.assert_fails(["assess", "1", "--answer", "=room"], 2,
                          "--answer needs QUESTION=VALUE, not '=room'")

    def test_missing_answers_without_a_terminal_name_each_question(self):
        for extra in ([], ["--no-input"], ["--json"]):
            with self.subTest(extra=extra):
                err = self.assert_fails(["assess", "1", "--answer", "scope=room", *extra], 2,
                                        "missing answers: ")
                for question in QUESTIONS[1:]:
                    self.assertIn(f"{question} ({PROMPTS[question]})", err)
                self.assertNotIn("scope (", err)
        err = self.assert_fails(["assess", "1", "--no-input"], 2, "missing answers: ")
        for question in QUESTIONS:
            self.assertIn(f"{question} ({PROMPTS[question]})", err)

    def test_unknown_question(self):
        self.assert_fails(["assess", "1", *SEV4_ANSWERS, "--answer", "colour=blue"], 2,
                          "unknown question 'colour' for scenario lab-flood (questions: scope, "
                          "samples_at_risk, people, realtime, reporter)")

    def test_unknown_incident(self):
        self.assert_fails(["assess", "99", *SEV4_ANSWERS], 3, "no incident 99")

    def test_unknown_incident_without_a_log_creates_none(self):
        os.remove(self.db)
        self.assert_fails(["assess", "1", *SEV4_ANSWERS], 3, f"no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db))

    def test_closed_incident(self):
        # Closing warns about the steps still open; that is all.
        self.assertEqual(self.run("close", "1", "--resolution", "Dry again")[0], 0)
        self.assert_fails(["assess", "1", *SEV4_ANSWERS], 5, "cannot assess incident 1")


class AssessTimelineTest(LabFloodTestCase):
    def test_a_change_of_severity_is_its_own_event(self):
        self.open_flood()
        self.ok("assess", "1", *SEV4_ANSWERS)
        self.ok("assess", "1", "--answer", "people=5", env={"OUTAGE_NOW": "2026-11-22T10:05:00Z"})
        doc = self.run_json("assess", "1", "--answer", "scope=floor",
                            env={"OUTAGE_NOW": "2026-11-22T10:10:00Z"})
        self.assertEqual(doc["previous_severity"], "SEV4")
        out = self.ok("assess", "1", "--answer", "scope=room",
                      env={"OUTAGE_NOW": "2026-11-22T10:15:00Z"})
        self.assertIn("Incident 1 is SEV3 (Minor), was SEV1.\n", out)
        out = self.ok("assess", "1", env={"OUTAGE_NOW": "2026-11-22T10:20:00Z"})
        self.assertIn("Incident 1 is SEV3 (Minor), unchanged.\n", out)
        events = [(e["kind"], e["at"], e.get("severity"), e.get("from"), e.get("to"),
                   e.get("rule"))
                  for e in self.timeline() if e["kind"] in ("assessed", "severity_changed")]
        self.assertEqual(events, [
            ("assessed", NOW, "SEV4", None, None, "default"),
            ("severity_changed", NOW, None, None, "SEV4", "default"),
            ("assessed", "2026-11-22T10:05:00Z", "SEV4", None, None, "default"),
            ("assessed", "2026-11-22T10:10:00Z", "SEV1", None, None, "whole-floor-or-samples"),
            ("severity_changed", "2026-11-22T10:10:00Z", None, "SEV4", "SEV1",
             "whole-floor-or-samples"),
            ("assessed", "2026-11-22T10:15:00Z", "SEV3", None, None, "room"),
            ("severity_changed", "2026-11-22T10:15:00Z", None, "SEV1", "SEV3", "room"),
            ("assessed", "2026-11-22T10:20:00Z", "SEV3", None, None, "room"),
        ])
        changed = [e for e in self.timeline() if e["kind"] == "severity_changed"]
        self.assertIsNone(changed[0]["from"])
        self.assertIn("severity SEV4 → SEV1", self.ok("show", "1"))

    def test_deadlines_started_by_an_answer_are_listed(self):
        self.open_flood()
        # The insurer's clock starts when the incident opens; the sample owners' only when
        # samples are at risk.
        doc = self.run_json("assess", "1", *SEV4_ANSWERS)
        self.assertEqual([d["name"] for d in doc["deadlines"]], ["insurer"])
        later = "2026-11-22T10:30:00Z"
        doc = self.run_json("assess", "1", "--answer", "samples_at_risk=yes",
                            env={"OUTAGE_NOW": later})
        deadlines = {d["name"]: d for d in doc["deadlines"]}
        self.assertEqual(sorted(deadlines), ["insurer", "sample-owner"])
        self.assertEqual(deadlines["sample-owner"]["title"], "Tell sample owners")
        self.assertEqual(deadlines["sample-owner"]["started_at"], later)
        self.assertEqual(deadlines["sample-owner"]["due_at"], "2026-11-23T10:30:00Z")
        self.assertEqual(deadlines["insurer"]["started_at"], NOW)
        self.assertEqual(deadlines["insurer"]["due_at"], "2026-11-24T10:00:00Z")
        self.assertFalse(any(d["overdue"] or d["met_at"] for d in doc["deadlines"]))
        started = [(e["deadline"], e["at"], e["due_at"]) for e in self.timeline()
                   if e["kind"] == "deadline_started"]
        self.assertEqual(started, [("insurer", NOW, "2026-11-24T10:00:00Z"),
                                   ("sample-owner", later, "2026-11-23T10:30:00Z")])
        # Asking again does not start it again; the human output lists both.
        out = self.ok("assess", "1", env={"OUTAGE_NOW": "2026-11-22T11:00:00Z"})
        section = out.split("\nDeadlines:\n")[1].split("\n\n")[0].splitlines()
        self.assertEqual(len(section), 2, section)  # soonest first
        self.assertRegex(section[0], r"^  sample-owner +due 2026-11-23 11:30 CET \(in 23h 30m\) +"
                                     r"Tell sample owners$")
        self.assertRegex(section[1], r"^  insurer +due 2026-11-24 11:00 CET \(in 1d 23h\) +"
                                     r"Tell the insurer$")
        self.assertEqual(len([e for e in self.timeline() if e["kind"] == "deadline_started"]), 2)

    def test_reassessment_keeps_earlier_answers(self):
        self.open_flood()
        self.ok("assess", "1", *SEV4_ANSWERS)
        doc = self.run_json("assess", "1", "--answer", "people=11")
        self.assertEqual(doc["answers"], {"scope": "corner", "samples_at_risk": "no",
                                          "people": 11, "realtime": "no", "reporter": "Ann"})
        self.assertEqual(doc["severity"], "SEV2")


class Terminal:
    """outage run with a pseudo-terminal as stdin, stdout and stderr."""

    TIMEOUT = 20

    def __init__(self, test, *args):
        self.test = test
        master, slave = os.openpty()
        self.fd = master
        self.proc = subprocess.Popen([test.bin, *args], env=test.env, cwd=test.tmp, stdin=slave,
                                     stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        test.addCleanup(self.close)
        self.output = ""
        self.seen = 0

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _read(self, until):
        """Reads what is there; False once the terminal has closed."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, min(0.2, until - time.monotonic())))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: every slave end is closed
            return False
        if not chunk:
            return False
        self.output += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text):
        """Waits for `text` after what was matched before; returns what came up to its end."""
        until = time.monotonic() + self.TIMEOUT
        while text not in self.output[self.seen:]:
            if time.monotonic() > until or not self._read(until):
                self.test.fail(f"waited for {text!r}; the terminal shows:\n"
                               f"{self.output[self.seen:]}")
        end = self.output.index(text, self.seen) + len(text)
        shown, self.seen = self.output[self.seen:end], end
        return shown

    def type(self, line):
        os.write(self.fd, line.encode() + b"\n")

    def end_input(self):
        os.write(self.fd, b"\x04")  # Ctrl-D at the start of a line: end of input

    def finish(self):
        """Waits for the program to end by itself; returns (exit code, the rest it showed)."""
        until = time.monotonic() + self.TIMEOUT
        while self._read(until):
            if time.monotonic() > until:
                self.test.fail(f"outage did not finish; the terminal shows:\n{self.output}")
        try:
            code = self.proc.wait(timeout=max(1.0, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.test.fail(f"outage did not exit; the terminal shows:\n{self.output}")
        rest, self.seen = self.output[self.seen:], len(self.output)
        return code, rest


class InteractiveTest(LabFloodTestCase):
    def test_typed_session_with_numbered_choices_and_a_reask(self):
        self.open_flood()
        term = Terminal(self, "assess", "1")
        shown = term.expect("scope [1-3 or a value]: ")
        self.assertIn("Assessing incident 1: Flood in lab 2 (Flood in the lab)\n", shown)
        self.assertIn("(1/5) How much of the lab is affected?\n", shown)
        self.assertIn("      Look at the floor, not the ceiling.\n", shown)
        self.assertIn("  1) corner       One corner\n"
                      "  2) room         One room\n"
                      "  3) floor        The whole floor\n", shown)
        term.type("4")
        shown = term.expect("scope [1-3 or a value]: ")
        self.assertIn("  '4' is not a choice; expected one of: corner, room, floor (or 1 to 3); "
                      "try again.\n", shown)
        term.type("2")  # room, by its number
        self.assertIn("(2/5) Are samples at risk?\n", term.expect("samples_at_risk [yes or no]: "))
        term.type("perhaps")
        shown = term.expect("samples_at_risk [yes or no]: ")
        self.assertIn("'perhaps' is not yes or no (y/n and true/false work too); try again.",
                      shown)
        term.type("y")
        self.assertIn("(3/5) How many people cannot work?\n",
                      term.expect("people [a number of at least 0]: "))
        term.type("lots")
        self.assertIn("'lots' is not a number of at least 0; try again.",
                      term.expect("people [a number of at least 0]: "))
        term.type("12")
        term.expect("realtime [yes or no]: ")
        term.type("no")
        term.expect("reporter [one line of text]: ")
        term.type("Ann from the lab")
        code, rest = term.finish()
        self.assertEqual(code, 0, term.output)
        self.assertIn("Incident 1 is SEV1 (Critical), first assessment.\n", rest)
        self.assertIn("  decided by   rule whole-floor-or-samples\n", rest)
        self.assertNotIn("outage: ", term.output)
        assessed = [e for e in self.timeline() if e["kind"] == "assessed"]
        self.assertEqual(len(assessed), 1)
        self.assertEqual(assessed[0]["answers"],
                         {"scope": "room", "samples_at_risk": "yes", "people": 12,
                          "realtime": "no", "reporter": "Ann from the lab"})

    def test_only_unanswered_questions_are_asked(self):
        self.open_flood()
        term = Terminal(self, "assess", "1", "--answer", "scope=floor", "--answer",
                        "samples_at_risk=no", "--answer", "people=3")
        shown = term.expect("realtime [yes or no]: ")
        self.assertIn("(1/2) Is the booking system down?\n", shown)
        for question in ("scope", "samples_at_risk", "people"):
            self.assertNotIn(f"{question} [", shown)
        term.type("yes")
        self.assertIn("(2/2) Who reported it?\n", term.expect("reporter [one line of text]: "))
        term.type("Bo")
        code, rest = term.finish()
        self.assertEqual(code, 0, term.output)
        self.assertIn("Incident 1 is SEV1 (Critical), first assessment.\n", rest)
        self.assertIn("every 15m", rest)

    def test_reassessment_asks_only_what_the_runbook_added(self):
        runbooks = os.path.join(self.tmp, "runbooks")
        shutil.copytree(GOOD, runbooks)
        self.env["OUTAGE_RUNBOOKS"] = runbooks
        self.open_flood()
        self.ok("assess", "1", *SEV4_ANSWERS)
        # Nothing unanswered: no question at all, even on a terminal.
        term = Terminal(self, "assess", "1")
        code, rest = term.finish()
        self.assertEqual(code, 0, rest)
        self.assertNotIn("Assessing incident", rest)
        self.assertIn("Incident 1 is SEV4 (Low), unchanged.\n", rest)
        # The runbook gains a question: only that one is asked.
        path = os.path.join(runbooks, "lab-flood.yaml")
        with open(path) as f:
            text = f.read()
        question = ("  - id: roof\n    prompt: Is the roof leaking?\n    type: yes-no\n")
        self.assertIn("  - id: reporter\n", text)
        with open(path, "w") as f:
            f.write(text.replace("  - id: reporter\n", question + "  - id: reporter\n"))
        self.assert_fails(["assess", "1", "--no-input"], 2,
                          "missing answers: roof (Is the roof leaking?); pass --answer")
        term = Terminal(self, "assess", "1")
        shown = term.expect("roof [yes or no]: ")
        self.assertIn("(1/1) Is the roof leaking?\n", shown)
        self.assertNotIn("lab affected", shown)
        term.type("n")
        code, rest = term.finish()
        self.assertEqual(code, 0, term.output)
        assessed = [e for e in self.timeline() if e["kind"] == "assessed"]
        self.assertEqual(assessed[-1]["answers"],
                         {"scope": "corner", "samples_at_risk": "no", "people": 0,
                          "realtime": "no", "reporter": "Ann", "roof": "no"})

    def test_no_input_and_json_never_prompt_on_a_terminal(self):
        self.open_flood()
        for flag in ("--no-input", "--json"):
            with self.subTest(flag=flag):
                before = self.snapshot_db()
                term = Terminal(self, "assess", "1", "--answer", "scope=room", flag)
                code, rest = term.finish()
                self.assertEqual(code, 2, rest)
                self.assertNotIn("[yes or no]", rest)
                self.assertIn("outage: missing answers: samples_at_risk (Are samples at risk?)",
                              rest)
                self.assertEqual(self.snapshot_db(), before)

    def test_input_ending_part_way_changes_nothing(self):
        self.open_flood()
        before = self.snapshot_db()
        term = Terminal(self, "assess", "1")
        term.expect("scope [1-3 or a value]: ")
        term.type("floor")
        term.expect("samples_at_risk [yes or no]: ")
        term.end_input()
        code, rest = term.finish()
        self.assertEqual(code, 2, term.output)
        self.assertIn("outage: input ended before question 'samples_at_risk' was answered\n",
                      rest)
        self.assertEqual(self.snapshot_db(), before)


if __name__ == "__main__":
    unittest.main()

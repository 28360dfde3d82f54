"""`outage runbook list | show | lint` end to end against the fixture runbooks in
tests/data/runbooks (good, user and bad): the listing, the runbook as loaded, and every problem
of every broken fixture at its `file:line:column`, as text and as JSON."""

import json
import os
import shutil
import unittest

from harness import SCENARIOS, OutageTestCase

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
GOOD = os.path.join(DATA, "runbooks", "good")
USER = os.path.join(DATA, "runbooks", "user")
BAD = os.path.join(DATA, "runbooks", "bad")

# Every problem of every broken fixture, in file order (as tests/unit/test_runbook_load.cpp).
BAD_PROBLEMS = {
    "bad_duplicate_id.yaml": ["9:9: duplicate question id 'down' (first at line 6)"],
    "bad_id_mismatch.yaml": [
        "2:5: id 'something-else' does not match the file name 'bad_id_mismatch.yaml'"],
    "bad_many.yaml": [
        "1:1: missing required key 'description' in the runbook",
        "1:10: runbook format version 2 is not known; this outage reads version 1",
        "2:5: 'id' must be a lowercase name of letters, digits, '-' and '_' starting with a "
        "letter, not 'Bad Many'",
        "7:11: unknown question type 'maybe' (types: choice, yes-no, number, text)",
        "11:14: 'choices' belongs only to a choice question",
        "13:5: rule 'first' has no 'when' but is not the last rule: the rules after it could "
        "never apply",
        "17:38: 'at-least' needs a number question; 'down' is text",
        "18:5: the last severity rule is the default and has no 'when'; add a final rule "
        "without one",
        "20:37: question 'count' is answered with a number, not 'lots'",
        "24:13: 'within' must be a duration such as 30m, 4h or 3d, not 'soon'",
    ],
    "bad_met_by.yaml": [
        "20:24: met-by names audience 'customer', which the communications plan does not "
        "have (audiences: customers)",
        "24:13: met-by must be a mapping of keys to values, not a scalar",
        "28:35: unknown key 'template' in met-by",
        "32:13: missing required key 'audience' in met-by",
    ],
    "bad_missing_title.yaml": [
        "1:1: missing required key 'title' in the runbook",
        "1:1: missing required key 'questions' in the runbook",
        "1:1: missing required key 'severity' in the runbook",
    ],
    "bad_no_default.yaml": [
        "10:5: the last severity rule is the default and has no 'when'; add a final rule "
        "without one"],
    "bad_syntax.yaml": ["4:12: end of sequence flow not found"],
    "bad_unknown_choice.yaml": [
        "15:43: choice 'most' does not exist in question 'scope' (choices: one, all)"],
    "bad_unknown_key.yaml": ["9:5: unknown key 'hlep' in a question (did you mean 'help'?)"],
    "bad_unknown_level.yaml": [
        "11:12: unknown severity level 'SEV0' (levels: SEV1, SEV2, SEV3, SEV4)"],
    "bad_unknown_question.yaml": ["12:22: condition names unknown question 'dwon'"],
    "bad_unknown_template.yaml": [
        "14:15: template 'staff-alret' does not exist",
        "15:14: unknown channel 'pigeon' (channels: stdout, file, email, webhook)",
    ],
    "bad_wrong_type.yaml": [
        "12:8: 'steps' must be a list, not a scalar",
        "17:21: 'min-recipients' must be a whole number of at least 1",
    ],
}


def lines_of(path, name):
    return [f"{path}:{problem}" for problem in BAD_PROBLEMS[name]]


def summary(problems, files):
    return (f"outage: {problems} problem{'' if problems == 1 else 's'} in {files} "
            f"file{'' if files == 1 else 's'}\n")


class RunbookCliTestCase(OutageTestCase):
    use_fixture_runbooks = False

    def setUp(self):
        super().setUp()
        self.env["OUTAGE_RUNBOOKS"] = GOOD
        # The test templates plus the staff-alert that bad_wrong_type.yaml names, so that which
        # templates exist does not depend on the bundled set.
        self.templates = os.path.join(self.tmp, "templates")
        shutil.copytree(os.path.join(DATA, "templates"), self.templates)
        shutil.copy(os.path.join(self.templates, "frontline-briefing.en.mustache"),
                    os.path.join(self.templates, "staff-alert.en.mustache"))
        self.env["OUTAGE_TEMPLATES"] = self.templates

    def lint(self, *paths, json_output=False):
        """`runbook lint PATHS`: (exit code, stdout lines or JSON, stderr); never a log."""
        args = ["runbook", "lint", *paths] + (["--json"] if json_output else [])
        code, out, err = self.run(*args)
        self.assertFalse(os.path.exists(self.db), "lint must not create the log")
        return code, json.loads(out) if json_output else out.splitlines(), err


class RunbookListTest(RunbookCliTestCase):
    def test_list_json_user_folder_overrides_bundled_by_id(self):
        doc = self.run_json("runbook", "list", "--runbooks", USER)
        self.assertIsInstance(doc, list)
        for entry in doc:
            self.assertEqual(set(entry), {"id", "title", "file", "valid"})
        ids = [entry["id"] for entry in doc]
        self.assertEqual(ids, sorted(set(SCENARIOS + ["lab-flood"])))
        by_id = {entry["id"]: entry for entry in doc}
        self.assertEqual(by_id["power-loss"], {
            "id": "power-loss", "title": "Power loss (our own site plan)",
            "file": os.path.join(USER, "power-loss.yaml"), "valid": True})
        self.assertEqual(by_id["lab-flood"]["file"], os.path.join(USER, "lab-flood.yaml"))
        for scenario in set(SCENARIOS) - {"power-loss"}:
            self.assertNotEqual(os.path.dirname(by_id[scenario]["file"]), USER)
            self.assertTrue(by_id[scenario]["file"].endswith(f"/{scenario}.yaml"))

    def test_list_human(self):
        out = self.ok("runbook", "list")
        self.assertIn(f"{'lab-flood':<22} Flood in the lab\n", out)
        self.assertEqual(len(out.splitlines()), len(set(SCENARIOS + ["lab-flood"])))
        out = self.ok("runbook", "list", env={"OUTAGE_RUNBOOKS": USER})
        self.assertIn(f"{'power-loss':<22} Power loss (our own site plan)\n", out)

    def test_an_invalid_runbook_is_listed_as_invalid(self):
        folder = os.path.join(self.tmp, "runbooks")
        shutil.copytree(GOOD, folder)
        shutil.copy(os.path.join(BAD, "bad_syntax.yaml"), folder)
        doc = self.run_json("runbook", "list", "--runbooks", folder)
        broken = [entry for entry in doc if entry["id"] == "bad_syntax"]
        self.assertEqual(broken, [{"id": "bad_syntax", "title": None, "valid": False,
                                   "file": os.path.join(folder, "bad_syntax.yaml")}])
        self.assertTrue([e for e in doc if e["id"] == "lab-flood"][0]["valid"])
        out = self.ok("runbook", "list", "--runbooks", folder)
        self.assertIn(f"{'bad_syntax':<22} INVALID: run `outage runbook lint`\n", out)
        self.assertNotIn("severity", out)  # severity.yaml is not a scenario


class RunbookShowTest(RunbookCliTestCase):
    def test_show_json_is_the_runbook_as_loaded(self):
        doc = self.run_json("runbook", "show", "lab-flood")
        self.assertEqual(doc["id"], "lab-flood")
        self.assertEqual(doc["title"], "Flood in the lab")
        self.assertEqual(doc["description"], "Water in the lab; equipment and samples at risk.")
        self.assertEqual(doc["file"], os.path.join(GOOD, "lab-flood.yaml"))
        questions = doc["questions"]
        self.assertEqual([(q["id"], q["type"], q["prompt"]) for q in questions], [
            ("scope", "choice", "How much of the lab is affected?"),
            ("samples_at_risk", "yes-no", "Are samples at risk?"),
            ("people", "number", "How many people cannot work?"),
            ("realtime", "yes-no", "Is the booking system down?"),
            ("reporter", "text", "Who reported it?"),
        ])
        self.assertEqual(questions[0]["choices"], [
            {"value": "corner", "label": "One corner"},
            {"value": "room", "label": "One room"},
            {"value": "floor", "label": "The whole floor"},
        ])
        self.assertEqual(questions[0]["help"], "Look at the floor, not the ceiling.")
        self.assertTrue(all(q["choices"] == [] for q in questions[1:]))
        self.assertEqual((questions[2]["min"], questions[2]["max"]), (0, None))
        self.assertEqual(doc["severity"], [
            {"name": "whole-floor-or-samples", "level": "SEV1", "when": {"any": [
                {"question": "scope", "equals": "floor"},
                {"all": [{"question": "samples_at_risk", "equals": "yes"},
                         {"question": "people", "at-least": 10}]}]}},
            {"name": "many-people", "level": "SEV2",
             "when": {"question": "people", "at-least": 10}},
            {"name": "room", "level": "SEV3",
             "when": {"not": {"question": "scope", "one-of": ["corner"]}}},
            {"name": "default", "level": "SEV4", "when": None},
        ])
        self.assertEqual(doc["update_intervals"], [
            {"when": {"question": "realtime", "equals": "yes"},
             "minutes": {"SEV1": 15, "SEV3": 120}},
            {"when": None, "minutes": {"SEV4": 720}},
        ])
        self.assertEqual([(s["id"], s["role"], s["min_severity"], s["optional"])
                          for s in doc["steps"]],
                         [("power-off", "it-responder", None, False),
                          ("move-samples", "frontline", "SEV2", False),
                          ("photos", "incident-owner", None, True)])
        self.assertEqual(doc["steps"][1]["detail"], "Racks A to F first.")
        self.assertEqual([(c["audience"], c["template"], c["channel"], c["min_severity"],
                           c["mode"], c["min_recipients"], c["min_per_organisation"])
                          for c in doc["communications"]],
                         [("frontline", "frontline-briefing", "email", "SEV4", "proactive", 1,
                           None),
                          ("customers", "customer-first-notice", "email", "SEV2", "proactive", 2,
                           2),
                          ("vendor", "vendor-inquiry", "email", "SEV4", "on-request", 1, None)])
        self.assertEqual(doc["communications"][2]["when"],
                         {"question": "realtime", "equals": "yes"})
        self.assertEqual([w["title"] for w in doc["workarounds"]],
                         ["Use the second-floor lab", "Use paper booking"])
        self.assertEqual(doc["recovery"], ["Floor dry and inspected"])
        self.assertEqual(doc["prevention"], ["What would have warned us earlier?"])
        self.assertEqual([(d["id"], d["title"], d["within_minutes"], d["when"])
                          for d in doc["deadlines"]],
                         [("insurer", "Tell the insurer", 2880, None),
                          ("sample-owner", "Tell sample owners", 1440,
                           {"question": "samples_at_risk", "equals": "yes"})])
        self.assertFalse(os.path.exists(self.db))

    def test_show_human(self):
        out = self.ok("runbook", "show", "lab-flood")
        self.assertTrue(out.startswith("lab-flood: Flood in the lab\n"
                                       "  Water in the lab; equipment and samples at risk.\n"),
                        out)
        self.assertIn("\nQuestions:\n  scope                  (choice) How much of the lab is "
                      "affected?\n                           - corner: One corner\n", out)
        self.assertIn("\nSeverity rules (first match wins):\n", out)
        self.assertIn("  SEV4  default                      (default)\n", out)
        self.assertIn("  move-samples             frontline       Move samples to the cold room "
                      "(SEV2 or worse)\n", out)
        self.assertIn("  sample-owner           within 1d     Tell sample owners", out)

    def test_show_user_override(self):
        doc = self.run_json("--runbooks", USER, "runbook", "show", "power-loss")
        self.assertEqual((doc["title"], doc["file"]),
                         ("Power loss (our own site plan)", os.path.join(USER, "power-loss.yaml")))

    def test_show_unknown_and_invalid(self):
        err = self.assert_fails(["runbook", "show", "lab-flod"], 3,
                                "unknown scenario 'lab-flod' (known: ")
        self.assertIn("lab-flood", err)
        self.assert_fails(["runbook", "show", "bad_many"], 4,
                          f"{os.path.join(BAD, 'bad_many.yaml')}:1:1: missing required key "
                          "'description' in the runbook (and 9 more; run `outage runbook lint` "
                          "to see all)", env={"OUTAGE_RUNBOOKS": BAD})
        self.assertFalse(os.path.exists(self.db))


class RunbookLintTest(RunbookCliTestCase):
    def test_good_fixtures_pass(self):
        self.assertEqual(self.lint(GOOD), (0, ["No problems found."], ""))
        self.assertEqual(self.lint(os.path.join(GOOD, "lab-flood.yaml")),
                         (0, ["No problems found."], ""))
        self.assertEqual(self.lint(GOOD, json_output=True), (0, [], ""))

    def test_each_broken_fixture_fails_with_its_positions(self):
        self.assertEqual(sorted(BAD_PROBLEMS), sorted(os.listdir(BAD)))
        for name in sorted(BAD_PROBLEMS):
            with self.subTest(fixture=name):
                path = os.path.join(BAD, name)
                code, lines, err = self.lint(path)
                self.assertEqual(code, 4)
                self.assertEqual(lines, lines_of(path, name))
                self.assertEqual(err, summary(len(BAD_PROBLEMS[name]), 1))

    def test_a_folder_reports_every_problem_of_every_file(self):
        code, lines, err = self.lint(BAD)
        self.assertEqual(code, 4)
        expected = [line for name in sorted(BAD_PROBLEMS)
                    for line in lines_of(os.path.join(BAD, name), name)]
        self.assertEqual(lines, expected)
        self.assertEqual(err, summary(len(expected), len(BAD_PROBLEMS)))

    def test_several_paths_in_the_order_given(self):
        names = ["bad_syntax.yaml", "bad_no_default.yaml", "bad_unknown_key.yaml"]
        paths = [os.path.join(BAD, names[0]), GOOD, os.path.join(BAD, names[1]),
                 os.path.join(BAD, names[2])]
        code, lines, err = self.lint(*paths)
        self.assertEqual(code, 4)
        expected = [line for name in names for line in lines_of(os.path.join(BAD, name), name)]
        self.assertEqual(lines, expected)
        self.assertEqual(err, summary(3, 3))

    def test_json_problems(self):
        code, doc, err = self.lint(BAD, os.path.join(GOOD, "lab-flood.yaml"), json_output=True)
        self.assertEqual((code, err), (4, ""))
        self.assertIsInstance(doc, list)
        for problem in doc:
            self.assertEqual(set(problem), {"file", "line", "column", "message"})
            self.assertIs(type(problem["line"]), int)
            self.assertIs(type(problem["column"]), int)
        got = [f"{p['file']}:{p['line']}:{p['column']}: {p['message']}" for p in doc]
        self.assertEqual(got, [line for name in sorted(BAD_PROBLEMS)
                               for line in lines_of(os.path.join(BAD, name), name)])
        code, doc, err = self.lint(os.path.join(BAD, "bad_wrong_type.yaml"), json_output=True)
        self.assertEqual(doc[1], {"file": os.path.join(BAD, "bad_wrong_type.yaml"), "line": 17,
                                  "column": 21,
                                  "message": "'min-recipients' must be a whole number of at "
                                             "least 1"})

    def test_paths_print_as_given(self):
        os.mkdir(os.path.join(self.tmp, "mine"))
        shutil.copy(os.path.join(BAD, "bad_syntax.yaml"), os.path.join(self.tmp, "mine"))
        code, lines, err = self.lint("mine")
        self.assertEqual((code, lines), (4, ["mine/bad_syntax.yaml:4:12: end of sequence flow "
                                             "not found"]))

    def test_a_broken_severity_scale(self):
        folder = os.path.join(self.tmp, "scale")
        os.mkdir(folder)
        with open(os.path.join(GOOD, "severity.yaml")) as f:
            text = f.read()
        broken = (text.replace("    proactive: false\n", "    proactive: maybe\n", 1)
                  .replace("update-interval: 1h", "update-intervall: 1h"))
        self.assertNotEqual(broken, text)
        path = os.path.join(folder, "severity.yaml")
        with open(path, "w") as f:
            f.write(broken)
        code, lines, err = self.lint(path)
        self.assertEqual(code, 4)
        self.assertEqual(lines, [
            f"{path}:8:5: missing required key 'update-interval' in a severity level",
            f"{path}:11:5: unknown key 'update-intervall' in a severity level (did you mean "
            "'update-interval'?)",
            f"{path}:17:16: 'proactive' must be true or false",
        ])

    def test_a_missing_path(self):
        missing = os.path.join(self.tmp, "nowhere")
        self.assert_fails(["runbook", "lint", missing], 3, f"{missing}: no such file or folder")


class RunbookCacheTest(RunbookCliTestCase):
    """Parsed runbooks are kept under $XDG_CACHE_HOME/outage/runbooks, owner-only, named by
    the SHA-256 of the file's bytes: an edited runbook is read afresh at once."""

    def test_a_runbook_is_parsed_once_and_edits_are_seen_at_once(self):
        runbooks = os.path.join(self.tmp, "runbooks")
        shutil.copytree(GOOD, runbooks)
        self.env["OUTAGE_RUNBOOKS"] = runbooks
        self.ok("open", "--scenario", "lab-flood", "--title", "Water in the lab")
        cache = os.path.join(self.home, ".cache", "outage", "runbooks")
        entries = os.listdir(cache)
        self.assertEqual(len(entries), 1)
        self.assertEqual(os.stat(cache).st_mode & 0o7777, 0o700)
        self.assertEqual(os.stat(os.path.join(cache, entries[0])).st_mode & 0o7777, 0o600)
        title = json.loads(self.ok("runbook", "show", "lab-flood", "--json"))["title"]
        file = os.path.join(runbooks, "lab-flood.yaml")
        with open(file, encoding="utf-8") as f:
            text = f.read()
        with open(file, "w", encoding="utf-8") as f:
            f.write(text.replace(f"title: {title}", "title: Flooded lab", 1))
        shown = json.loads(self.ok("runbook", "show", "lab-flood", "--json"))
        self.assertEqual(shown["title"], "Flooded lab")
        self.assertEqual(len(os.listdir(cache)), 2)


if __name__ == "__main__":
    unittest.main()

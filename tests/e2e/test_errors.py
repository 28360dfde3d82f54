"""Every error path: its exit code, its one `outage: ` line on stderr, nothing on stdout, and
the log exactly as it was."""

import unittest

from harness import SCENARIOS, OutageTestCase

NOT_FOUND, USAGE, CONFLICT = 3, 2, 5
INVALID_TIME = "expected ISO 8601"

# (arguments, exit code, text the message must contain: a string or a list of strings)
CASES = [
    # Unknown incident.
    (["show", "99"], NOT_FOUND, "no incident 99"),
    (["show", "0"], NOT_FOUND, "no incident 0"),
    (["update", "99", "--note", "x"], NOT_FOUND, "no incident 99"),
    (["handoff", "99", "--to", "priya", "--note", "x"], NOT_FOUND, "no incident 99"),
    (["close", "99", "--resolution", "r"], NOT_FOUND, "no incident 99"),
    (["reopen", "99", "--note", "n"], NOT_FOUND, "no incident 99"),
    # Unknown scenario: the message lists the known ids.
    (["open", "--scenario", "flood", "--title", "t"], NOT_FOUND,
     ["unknown scenario 'flood'", "known: "] + SCENARIOS),
    (["open", "--scenario", "../runbooks/malware", "--title", "t"], NOT_FOUND,
     "unknown scenario '../runbooks/malware'"),
    (["open", "--scenario", "severity", "--title", "t"], NOT_FOUND, "unknown scenario 'severity'"),
    # State conflicts: incident 2 is closed, incident 1 is open and owned by tester.
    (["update", "2", "--note", "x"], CONFLICT, "cannot update incident 2: it is closed"),
    (["update", "2", "--status", "monitoring"], CONFLICT, "incident 2: it is closed"),
    (["handoff", "2", "--to", "priya", "--note", "x"], CONFLICT, "cannot hand off incident 2: it is closed"),
    (["close", "2", "--resolution", "again"], CONFLICT, "cannot close incident 2: it is closed"),
    (["reopen", "1", "--note", "x"], CONFLICT, "incident 1 is already open"),
    (["handoff", "1", "--to", "tester", "--note", "x"], CONFLICT,
     "incident 1 is already owned by tester"),
    # Nothing to change.
    (["update", "1"], USAGE, "nothing to update"),
    # Bad times, quoting the value.
    (["update", "1", "--eta", "tomorrow"], USAGE, ["--eta", "invalid time 'tomorrow'", INVALID_TIME]),
    (["update", "1", "--eta", "25:00"], USAGE, ["--eta", "'25:00'"]),
    (["update", "1", "--eta", "12:60"], USAGE, ["--eta", "'12:60'"]),
    (["update", "1", "--eta", "2026-13-01"], USAGE, ["--eta", "'2026-13-01'"]),
    (["update", "1", "--eta", "2026-02-30T10:00"], USAGE, ["--eta", "'2026-02-30T10:00'"]),
    (["update", "1", "--eta", "2026-11-22T10:00+25:00"], USAGE, "'2026-11-22T10:00+25:00'"),
    (["update", "1", "--eta", "5x"], USAGE, ["--eta", "'5x'"]),
    (["update", "1", "--eta", "-2h"], USAGE, ["--eta", "'-2h'"]),
    (["update", "1", "--eta", "2h "], USAGE, ["--eta", "'2h '"]),
    (["update", "1", "--eta", ""], USAGE, ["--eta", "''"]),
    (["list", "--since", "yesterday"], USAGE, ["--since", "invalid time 'yesterday'"]),
    (["list", "--since", "7 days"], USAGE, ["--since", "'7 days'"]),
    (["list", "--since", "1y"], USAGE, ["--since", "'1y'"]),
    # Bad numbers.
    (["update", "1", "--affected", "-1"], USAGE, "--affected: '-1' is not a whole number from 0 to 9223372036854775807"),
    (["open", "--scenario", "malware", "--title", "t", "--affected", "-5"], USAGE,
     "--affected: '-5' is not a whole number from 0 to 9223372036854775807"),
    (["update", "1", "--affected", "abc"], USAGE, ["--affected", "abc"]),
    (["update", "1", "--affected", "1.5"], USAGE, ["--affected", "1.5"]),
    (["update", "1", "--affected", "12people"], USAGE, ["--affected", "12people"]),
    (["update", "1", "--affected", "99999999999999999999"], USAGE,
     ["--affected", "99999999999999999999"]),
    (["open", "--scenario", "malware", "--title", "t", "--affected", "many"], USAGE,
     ["--affected", "many"]),
    (["show", "99999999999999999999"], USAGE, "99999999999999999999"),
    (["show", "abc"], USAGE, "abc"),
    (["update", "1x", "--note", "n"], USAGE, "1x"),
    # Values outside a fixed set.
    (["update", "1", "--status", "resolved"], USAGE, ["--status", "resolved"]),
    (["update", "1", "--status", "bogus"], USAGE, ["--status", "bogus"]),
    (["close", "1", "--resolution", "r", "--recurrence", "maybe"], USAGE,
     ["--recurrence", "maybe"]),
    (["list", "--status", "bogus"], USAGE, ["--status", "bogus"]),
    (["list", "--severity", "SEV9"], USAGE, ["--severity", "SEV9"]),
    # Missing required options and arguments.
    (["open", "--title", "t"], USAGE, "--scenario is required"),
    (["open", "--scenario", "malware"], USAGE, "--title is required"),
    (["open", "--scenario"], USAGE, "--scenario"),
    (["handoff", "1", "--note", "x"], USAGE, "--to is required"),
    (["handoff", "1", "--to", "priya"], USAGE, "--note is required"),
    (["close", "1"], USAGE, "--resolution is required"),
    (["reopen", "2"], USAGE, "--note is required"),
    (["update", "--note", "x"], USAGE, "id is required"),
    (["show"], USAGE, "id is required"),
    # Text values: one line, valid UTF-8, not blank, not too long.
    (["open", "--scenario", "malware", "--title", ""], USAGE, "--title is empty"),
    (["open", "--scenario", "malware", "--title", "  \t "], USAGE, "--title is empty"),
    (["open", "--scenario", "malware", "--title", "two\nlines"], USAGE,
     ["--title", "character U+000A (LINE FEED) at position 4"]),
    (["open", "--scenario", "malware", "--title", "a\rb"], USAGE, ["--title", "U+000D (CARRIAGE RETURN)"]),
    (["open", "--scenario", "malware", "--title", "tab\there"], USAGE, ["--title", "U+0009 (CHARACTER TABULATION)"]),
    (["open", "--scenario", "malware", "--title", "bell\x07"], USAGE, ["--title", "U+0007 (BELL)"]),
    (["open", "--scenario", "malware", "--title", "\x1b[31mred"], USAGE, ["--title", "U+001B (ESCAPE)"]),
    (["open", "--scenario", "malware", "--title", "del\x7f"], USAGE, ["--title", "U+007F (DELETE)"]),
    (["open", "--scenario", "malware", "--title", b"caf\xe9"], USAGE,
     "--title is not valid UTF-8"),
    (["open", "--scenario", "malware", "--title", b"\xff\xfe"], USAGE,
     "--title is not valid UTF-8"),
    (["open", "--scenario", "malware", "--title", b"over\xc0\xaflong"], USAGE,
     "--title is not valid UTF-8"),
    (["open", "--scenario", "malware", "--title", b"surrogate\xed\xa0\x80"], USAGE,
     "--title is not valid UTF-8"),
    (["open", "--scenario", "malware", "--title", b"cut\xe2\x82"], USAGE,
     "--title is not valid UTF-8"),
    (["open", "--scenario", "malware", "--title", "x" * 1001], USAGE,
     "--title is 1001 bytes long; the limit is 1000"),
    (["open", "--scenario", "malware", "--title", "t", "--owner", "a\nb"], USAGE, "--owner"),
    (["open", "--scenario", "malware", "--title", "t", "--service", ""], USAGE,
     "--service is empty"),
    (["open", "--scenario", "malware", "--title", "t", "--dedup-key", " "], USAGE,
     "--dedup-key is empty"),
    (["open", "--scenario", "malware", "--title", "t", "--note", b"\xc3("], USAGE,
     "--note is not valid UTF-8"),
    (["update", "1", "--note", ""], USAGE, "--note is empty"),
    (["update", "1", "--note", "x\x01y"], USAGE,
     ["--note", "U+0001 (START OF HEADING)"]),
    (["update", "1", "--note", "x" * 100_001], USAGE, "--note is 100001 bytes long"),
    (["handoff", "1", "--to", "pri\nya", "--note", "x"], USAGE, "--to"),
    (["handoff", "1", "--to", "priya", "--note", "   "], USAGE, "--note is empty"),
    (["close", "1", "--resolution", ""], USAGE, "--resolution is empty"),
    (["close", "1", "--resolution", "r", "--root-cause", b"\xff"], USAGE,
     "--root-cause is not valid UTF-8"),
    (["close", "1", "--resolution", "r", "--action", ""], USAGE, "--action is empty"),
    (["reopen", "2", "--note", "\n"], USAGE, "--note is empty"),
    (["--as", "ali\nce", "update", "1", "--note", "x"], USAGE, "--as"),
    # Unknown command or option.
    (["frobnicate"], USAGE, "frobnicate"),
    (["opne", "--scenario", "malware", "--title", "t"], USAGE, "opne"),
    ([], USAGE, "outage: "),
    (["list", "--frob"], USAGE, "--frob"),
    (["open", "--scenario", "malware", "--title", "t", "--sevrity", "SEV1"], USAGE, "--sevrity"),
    (["show", "1", "2"], USAGE, "2"),
    (["--bogus-global", "list"], USAGE, "--bogus-global"),
]


class ErrorPathsTest(OutageTestCase):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.open_incident("Open one"), 1)
        self.assertEqual(self.open_incident("Closed one", "malware"), 2)
        self.ok("close", "2", "--resolution", "fixed")
        self.ok("update", "1", "--note", "a note so the log has more than one kind")

    def test_every_error_path(self):
        for args, code, message in CASES:
            with self.subTest(args=args):
                self.assert_fails(args, code, message)

    def test_invalid_outage_now(self):
        for value in ("garbage", "2026-11-22 25:00", "22/11/2026", "2026-11-22T10:00:00+99:00",
                      "1h"):
            with self.subTest(OUTAGE_NOW=value):
                env = {"OUTAGE_NOW": value}
                self.assert_fails(["open", "--scenario", "malware", "--title", "t"], USAGE,
                                  f"invalid OUTAGE_NOW '{value}'", env=env)
                self.assert_fails(["update", "1", "--note", "n"], USAGE, "OUTAGE_NOW", env=env)
                self.assert_fails(["close", "1", "--resolution", "r"], USAGE, "OUTAGE_NOW",
                                  env=env)
                self.assert_fails(["list", "--since", "2h"], USAGE, "OUTAGE_NOW", env=env)

    def test_outage_now_forms_that_are_valid(self):
        # UTC with Z, with an offset, and without a zone (UTC for OUTAGE_NOW).
        for value, expected in (("2026-11-22T10:00:00Z", "2026-11-22T10:00:00Z"),
                                ("2026-11-22T11:00:00+01:00", "2026-11-22T10:00:00Z"),
                                ("2026-11-22T10:00:00", "2026-11-22T10:00:00Z")):
            with self.subTest(OUTAGE_NOW=value):
                doc = self.run_json("update", "1", "--note", "n", env={"OUTAGE_NOW": value})
                self.assertEqual(self.run_json("show", "1")["timeline"][-1]["at"], expected)
                self.assertEqual(doc["id"], 1)

    def test_conflict_messages_suggest_reopen(self):
        err = self.assert_fails(["update", "2", "--note", "x"], CONFLICT, "outage reopen 2")
        self.assertEqual(
            err,
            "outage: cannot update incident 2: it is closed (reopen it first with "
            "`outage reopen 2 --note TEXT`)\n",
        )

    def test_texts_that_are_allowed(self):
        # Notes may span lines and hold tabs; a title may be exactly 1000 bytes.
        note = "line one\n\tline two\r\nline three"
        self.ok("update", "1", "--note", note)
        self.assertEqual(self.run_json("show", "1")["timeline"][-1]["note"], note)
        title = "é" * 500  # 1000 bytes
        self.assertEqual(self.run_json("open", "--scenario", "malware", "--title", title)["title"],
                         title)
        self.ok("update", "1", "--note", "x" * 100_000)


if __name__ == "__main__":
    unittest.main()

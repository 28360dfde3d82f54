"""`outage stats` end to end: five incidents over two scenarios, with assessments, a notice, a
reopen and a month boundary, counted by scenario, severity and month; --json checked value by
value, --since, the human table, the --html page with its bar charts parsed as XML, and the
bad inputs."""

import json
import os
import stat
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html.parser import HTMLParser

from harness import NOW, OutageTestCase
from test_report import RUNBOOK

START = datetime.strptime(NOW, "%Y-%m-%dT%H:%M:%SZ")
SVG = "{http://www.w3.org/2000/svg}"
DAY = 24 * 60


def at(minutes):
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def group(key, incidents, closed, reopened, notices, assessed, assess, resolve):
    """A group as --json prints it; `assess` and `resolve` are (mean, median) in seconds."""
    return {"key": key, "incidents": incidents, "closed": closed, "reopened": reopened,
            "notices": notices, "assessed": assessed,
            "mean_to_assess_seconds": assess[0], "median_to_assess_seconds": assess[1],
            "mean_to_resolve_seconds": resolve[0], "median_to_resolve_seconds": resolve[1]}


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.cells = [], [], []
        self.in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.in_cell = tag == "td"

    def handle_endtag(self, tag):
        self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.cells.append(data)


class StatsTest(OutageTestCase):
    def setUp(self):
        super().setUp()
        # power-loss: SEV3, or SEV2 when down, with a frontline plan; malware: the harness's
        # fixture (SEV2 when down, else SEV4).
        with open(os.path.join(self.runbooks, "power-loss.yaml"), "w") as f:
            f.write(RUNBOOK)
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write(f"outbox: {os.path.join(self.tmp, 'outbox')}\n")
        self.env["OUTAGE_CONFIG"] = config

    def step(self, minutes, *args, code=0):
        rc, out, err = self.run(*args, env={"OUTAGE_NOW": at(minutes)})
        self.assertEqual(rc, code, f"{args}: {out}{err}")
        return out

    def incidents(self):
        # 1 power-loss: assessed after 10m (SEV3), one notice, closed after 60m.
        self.step(0, "open", "--scenario", "power-loss", "--title", "One")
        self.step(10, "assess", "1", "--answer", "down=no")
        self.step(15, "notify", "1", "--audience", "frontline", "--to", "desk@example.com")
        self.step(60, "close", "1", "--resolution", "Fixed")
        # 2 power-loss, the next day: SEV2 after 30m, closed, reopened, closed after 120m.
        self.step(DAY, "open", "--scenario", "power-loss", "--title", "Two")
        self.step(DAY + 30, "assess", "2", "--answer", "down=yes")
        self.step(DAY + 50, "close", "2", "--resolution", "Fixed")
        self.step(DAY + 55, "reopen", "2", "--note", "Back")
        self.step(DAY + 120, "close", "2", "--resolution", "Fixed again")
        # 3 malware: SEV4 after 7m, closed after 10m. 4 malware: never assessed, open.
        self.step(120, "open", "--scenario", "malware", "--title", "Three")
        self.step(127, "assess", "3", "--answer", "down=no")
        self.step(130, "close", "3", "--resolution", "Cleaned")
        self.step(180, "open", "--scenario", "malware", "--title", "Four")
        # 5 malware: 23:30 UTC on 30 November is December in Amsterdam; SEV2 after 5m.
        self.step(8 * DAY + 13 * 60 + 30, "open", "--scenario", "malware", "--title", "Five")
        self.step(8 * DAY + 13 * 60 + 35, "assess", "5", "--answer", "down=yes")
        self.assertEqual(at(8 * DAY + 13 * 60 + 30), "2026-11-30T23:30:00Z")
        self.env["OUTAGE_NOW"] = at(10 * DAY)

    def test_by_scenario_json_and_table(self):
        self.incidents()
        doc = self.run_json("stats")
        self.assertEqual(doc, self.run_json("stats", "--by", "scenario"))
        self.assertEqual(doc, {
            "by": "scenario",
            "since": None,
            "groups": [
                group("malware", 3, 1, 0, 0, 2, (360, 360), (600, 600)),
                group("power-loss", 2, 2, 1, 1, 2, (1200, 1200), (5400, 5400)),
            ],
            # Times to assess 5, 7, 10, 30 minutes; to resolve 10, 60, 120 minutes.
            "total": group("total", 5, 3, 1, 1, 4, (780, 510), (3800, 3600)),
        })
        self.assertEqual(self.ok("stats"), (
            "SCENARIO    INCIDENTS  CLOSED  ASSESS MEAN  ASSESS MEDIAN  RESOLVE MEAN  "
            "RESOLVE MEDIAN  REOPENED  NOTICES\n"
            "malware             3       1           6m             6m           10m   "
            "          10m         0        0\n"
            "power-loss          2       2          20m            20m        1h 30m   "
            "       1h 30m         1        1\n"
            "total               5       3          13m             8m         1h 3m   "
            "           1h         1        1\n"))

    def test_by_severity_is_the_worst_level_reached(self):
        self.incidents()
        doc = self.run_json("stats", "--by", "severity")
        self.assertEqual(doc["by"], "severity")
        self.assertEqual(doc["groups"], [
            group("SEV2", 2, 1, 1, 0, 2, (1050, 1050), (7200, 7200)),
            group("SEV3", 1, 1, 0, 1, 1, (600, 600), (3600, 3600)),
            group("SEV4", 1, 1, 0, 0, 1, (420, 420), (600, 600)),
            group("unassessed", 1, 0, 0, 0, 0, (None, None), (None, None)),
        ])
        self.assertEqual(doc["total"]["incidents"], 5)

    def test_by_month_in_local_time(self):
        self.incidents()
        doc = self.run_json("stats", "--by", "month")
        self.assertEqual([(g["key"], g["incidents"]) for g in doc["groups"]],
                         [("2026-11", 4), ("2026-12", 1)])
        self.assertEqual(doc["groups"][1]["median_to_assess_seconds"], 300)
        # The same log seen from UTC puts the fifth incident in November.
        doc = self.run_json("stats", "--by", "month", env={"TZ": "UTC"})
        self.assertEqual([(g["key"], g["incidents"]) for g in doc["groups"]], [("2026-11", 5)])

    def test_since(self):
        self.incidents()
        # Midnight in Amsterdam on the 23rd: incidents 2 and 5.
        doc = self.run_json("stats", "--since", "2026-11-23")
        self.assertEqual(doc["since"], "2026-11-22T23:00:00Z")
        self.assertEqual(doc["groups"], [
            group("malware", 1, 0, 0, 0, 1, (300, 300), (None, None)),
            group("power-loss", 1, 1, 1, 0, 1, (1800, 1800), (7200, 7200)),
        ])
        self.assertEqual(self.run_json("stats", "--since", "1d")["total"]["incidents"], 0)
        self.assertEqual(self.ok("stats", "--since", "1d"), "No incidents opened since then.\n")

    def test_html_page_with_bar_charts(self):
        self.incidents()
        page = os.path.join(self.tmp, "stats.html")
        out = self.ok("stats", "--html", page)
        self.assertTrue(out.endswith(f"Charts written to {page}.\n"), out)
        self.assertEqual(stat.S_IMODE(os.stat(page).st_mode), 0o644)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        tags = Tags()
        tags.feed(html)
        for tag in ("script", "link", "img", "iframe"):
            self.assertNotIn(tag, tags.tags)
        self.assertNotIn("src", tags.attributes)
        self.assertNotIn("href", tags.attributes)
        self.assertEqual(tags.cells[:9], ["malware", "3", "1", "6m", "6m", "10m", "10m", "0", "0"])
        self.assertEqual(tags.cells[-9:],
                         ["total", "5", "3", "13m", "8m", "1h 3m", "1h", "1", "1"])

        charts = []
        rest = html
        while "<svg" in rest:
            start = rest.index("<svg")
            end = rest.index("</svg>") + len("</svg>")
            charts.append(ET.fromstring(rest[start:end]))
            rest = rest[end:]
        self.assertEqual(len(charts), 2)

        def bars(svg):
            rows = []
            for g in svg.iter(SVG + "g"):
                texts = [t.text for t in g.iter(SVG + "text")]
                rect = g.find(SVG + "rect")
                rows.append((texts[0], texts[1], None if rect is None else rect.get("width")))
            return rows

        incidents, resolve = charts
        self.assertEqual(incidents.find(SVG + "title").text, "Incidents per scenario")
        self.assertEqual(bars(incidents), [("malware", "3", "360.0"), ("power-loss", "2", "240.0")])
        self.assertEqual(resolve.find(SVG + "title").text, "Median time to resolve per scenario")
        self.assertEqual(bars(resolve),
                         [("malware", "10m", "40.0"), ("power-loss", "1h 30m", "360.0")])

        doc = self.run_json("stats", "--by", "severity", "--html", page)
        self.assertEqual(doc["by"], "severity")
        with open(page, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("<title>Incident statistics by severity</title>", html)
        self.assertIn("none closed", html)  # the unassessed group has no time to resolve

    def test_empty_or_missing_log(self):
        self.assert_fails(["stats"], 3, f"no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db))
        self.ok("init")
        self.assertEqual(self.ok("stats"), "No incidents.\n")
        self.assertEqual(self.run_json("stats")["groups"], [])

    def test_errors(self):
        self.incidents()
        self.assert_fails(["stats", "--since", "last tuesday"], 2, ["--since", "last tuesday"])
        self.assert_fails(["stats", "--by", "week"], 2, ["--by", "week"])
        missing = os.path.join(self.tmp, "no-such-dir", "stats.html")
        self.assert_fails(["stats", "--html", missing], 1,
                          ["cannot write", os.path.dirname(missing)])
        self.assertFalse(os.path.exists(os.path.dirname(missing)))

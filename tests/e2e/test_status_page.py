"""status-page end to end: the Statuspage v2 JSON documents checked against the shape widgets
expect, public fields only, the HTML page loaded in headless Chromium (DOM text and a
screenshot) with a service name full of HTML metacharacters, atomic replacement, and the
errors."""

import html.parser
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import unittest

from harness import OutageTestCase

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NASTY = '<script>alert(1)</script> & "quotes"'
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PAGE_FILES = ["api/v2/incidents.json", "api/v2/status.json", "api/v2/summary.json", "index.html"]

# Text that must never reach the public page: titles, owners, scenarios, internal notes,
# resolutions and the supplier they name.
INTERNAL = ["Secret", "Acme", "alice", "bob", "tester", "power-loss", "Unpublished",
            "db3-internal", "rack 7"]

CONFIG = """\
organisation: Example <Corp>
contact: "+31 20 555 0100 <help@example.com>"
status_page:
  name: Example <Corp> status
  url: https://status.example.com/
"""

# The Statuspage v2 shapes (https://<page>/api/v2/): each key with the types it may hold.
STRING, NULLABLE_STRING, TIME, NULLABLE_TIME = (str,), (str, type(None)), "time", "time?"
PAGE_SHAPE = {"id": STRING, "name": STRING, "url": STRING, "time_zone": STRING,
              "updated_at": TIME}
STATUS_SHAPE = {"indicator": ("none", "minor", "major", "critical"), "description": STRING}
COMPONENT_SHAPE = {
    "id": STRING, "name": STRING,
    "status": ("operational", "degraded_performance", "partial_outage", "major_outage",
               "under_maintenance"),
    "created_at": TIME, "updated_at": TIME, "position": (int,), "description": NULLABLE_STRING,
    "showcase": (bool,), "start_date": NULLABLE_STRING, "group_id": NULLABLE_STRING,
    "page_id": STRING, "group": (bool,), "only_show_if_degraded": (bool,),
}
UPDATE_SHAPE = {
    "id": STRING, "status": ("investigating", "identified", "monitoring", "resolved", "postmortem"),
    "body": STRING, "incident_id": STRING, "created_at": TIME, "updated_at": TIME,
    "display_at": TIME, "affected_components": (list, type(None)),
    "deliver_notifications": (bool,), "custom_tweet": NULLABLE_STRING,
    "tweet_id": NULLABLE_STRING,
}
INCIDENT_SHAPE = {
    "id": STRING, "name": STRING,
    "status": ("investigating", "identified", "monitoring", "resolved", "postmortem"),
    "created_at": TIME, "updated_at": TIME, "monitoring_at": NULLABLE_TIME,
    "resolved_at": NULLABLE_TIME, "impact": ("none", "minor", "major", "critical"),
    "shortlink": STRING, "started_at": TIME, "page_id": STRING,
    "incident_updates": [UPDATE_SHAPE], "components": [COMPONENT_SHAPE],
}
SUMMARY_SHAPE = {"page": PAGE_SHAPE, "components": [COMPONENT_SHAPE],
                 "incidents": [INCIDENT_SHAPE], "scheduled_maintenances": [dict],
                 "status": STATUS_SHAPE}
INCIDENTS_SHAPE = {"page": PAGE_SHAPE, "incidents": [INCIDENT_SHAPE]}
STATUS_DOC_SHAPE = {"page": PAGE_SHAPE, "status": STATUS_SHAPE}


class PageText(html.parser.HTMLParser):
    """The tags and the text of an HTML document, as a browser parses them."""

    def __init__(self, document):
        super().__init__(convert_charrefs=True)
        self.tags, self.chunks = [], []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self):
        return "".join(self.chunks)


class StatusPageTest(OutageTestCase):
    def setUp(self):
        super().setUp()
        self.out = os.path.join(self.tmp, "site")
        self.config = os.path.join(self.tmp, "config.yaml")
        with open(self.config, "w") as f:
            f.write(CONFIG)
        self.env["OUTAGE_CONFIG"] = self.config

    def at(self, when):
        return {"OUTAGE_NOW": when}

    def publish(self, incident, when, *args):
        """A status-page notice, as the runbooks' plans send it (file channel)."""
        self.ok("notify", incident, "--audience", "status-page", "--template",
                "status-page-notice", "--channel", "file", *args, env=self.at(when))

    def build_log(self):
        """Two open published incidents, one open unpublished, one resolved two days ago and
        one resolved ten days ago."""
        phones = self.open_incident(
            "Secret: Acme PSU firmware bug in rack 7", "power-loss", "--service", "phones",
            "--service", "chat", "--owner", "alice", env=self.at("2026-11-22T10:00:00Z"))
        self.ok("assess", phones, "--answer", "down=yes", env=self.at("2026-11-22T10:00:00Z"))
        self.publish(phones, "2026-11-22T10:05:00Z", "--note", "Calls may drop.")
        self.ok("update", phones, "--status", "identified", "--note", "internal: Acme firmware",
                env=self.at("2026-11-22T10:20:00Z"))
        self.publish(phones, "2026-11-22T10:30:00Z", "--note", "We found the cause.", "--eta",
                     "12:00", "--workaround", "Use the mobile app")
        nasty = self.open_incident("Secret nasty one", "network-outage", "--service", NASTY,
                                   "--owner", "bob", env=self.at("2026-11-22T10:35:00Z"))
        self.publish(nasty, "2026-11-22T10:40:00Z", "--note", NASTY + "\nSecond <b>line</b>")
        quiet = self.open_incident("Unpublished secret title", "hardware-failure", "--service",
                                   "db3-internal", env=self.at("2026-11-22T10:45:00Z"))
        old = self.open_incident("Secret switch", "network-outage", "--service", "e-mail",
                                 env=self.at("2026-11-19T08:00:00Z"))
        self.publish(old, "2026-11-19T08:10:00Z", "--note", "E-mail is slow.")
        self.ok("close", old, "--resolution", "Replaced the Acme switch",
                env=self.at("2026-11-20T09:00:00Z"))
        ancient = self.open_incident("Secret ancient", "power-loss", "--service", "fax",
                                     env=self.at("2026-11-10T08:00:00Z"))
        self.publish(ancient, "2026-11-10T08:10:00Z")
        self.ok("close", ancient, "--resolution", "Fixed", env=self.at("2026-11-11T09:00:00Z"))
        self.env["OUTAGE_NOW"] = "2026-11-22T11:00:00Z"
        return phones, nasty, quiet, old

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def files(self):
        found = []
        for folder, _, names in os.walk(self.out):
            found += [os.path.relpath(os.path.join(folder, n), self.out) for n in names]
        return sorted(found)

    def assert_shape(self, value, shape, where="$"):
        """`value` has exactly the keys of `shape`, each of an allowed type or value."""
        if isinstance(shape, dict):
            self.assertIsInstance(value, dict, where)
            self.assertEqual(set(value), set(shape), f"keys of {where}")
            for key, sub in shape.items():
                self.assert_shape(value[key], sub, f"{where}.{key}")
        elif isinstance(shape, list):
            self.assertIsInstance(value, list, where)
            for i, item in enumerate(value):
                if shape[0] is dict:
                    self.assertIsInstance(item, dict, where)
                else:
                    self.assert_shape(item, shape[0], f"{where}[{i}]")
        elif shape in (TIME, NULLABLE_TIME):
            if value is None and shape == NULLABLE_TIME:
                return
            self.assertRegex(value, ISO, where)
        elif all(isinstance(s, str) for s in shape):
            self.assertIn(value, shape, where)
        else:
            self.assertIsInstance(value, shape, where)
            if int in shape:
                self.assertNotIsInstance(value, bool, where)

    # The documents -------------------------------------------------------------------------

    def test_json_documents_have_the_statuspage_shape(self):
        phones, nasty, quiet, old = self.build_log()
        out = self.ok("status-page", "--out", self.out)
        self.assertEqual(
            out,
            f"Status page written to {self.out}: Partial System Outage; 2 open incidents, "
            "1 resolved in the last 7 days.\n"
            f"Not on the page, no status-page notice yet: incident {quiet}. Publish with "
            "`outage notify ID --audience status-page`.\n")
        self.assertEqual(self.files(), PAGE_FILES)
        for name in PAGE_FILES:
            mode = stat.S_IMODE(os.stat(os.path.join(self.out, name)).st_mode)
            self.assertEqual(mode, 0o644, name)

        summary = json.loads(self.read("api/v2/summary.json"))
        incidents = json.loads(self.read("api/v2/incidents.json"))
        status = json.loads(self.read("api/v2/status.json"))
        self.assert_shape(summary, SUMMARY_SHAPE)
        self.assert_shape(incidents, INCIDENTS_SHAPE)
        self.assert_shape(status, STATUS_DOC_SHAPE)

        page = summary["page"]
        self.assertEqual(page["name"], "Example <Corp> status")
        self.assertEqual(page["url"], "https://status.example.com/")
        self.assertEqual(page["updated_at"], "2026-11-22T11:00:00Z")
        self.assertEqual(incidents["page"], page)
        self.assertEqual(status["page"], page)
        self.assertEqual(summary["status"],
                         {"indicator": "major", "description": "Partial System Outage"})
        self.assertEqual(status["status"], summary["status"])

        # Open ones in the summary, newest first; resolved ones join them in incidents.json.
        self.assertEqual([i["id"] for i in summary["incidents"]], [f"INC-{nasty}", f"INC-{phones}"])
        self.assertEqual([i["id"] for i in incidents["incidents"]],
                         [f"INC-{nasty}", f"INC-{phones}", f"INC-{old}"])
        self.assertEqual(summary["incidents"], incidents["incidents"][:2])

        first = incidents["incidents"][1]
        self.assertEqual(first["name"], "Disruption of phones, chat")
        self.assertEqual(first["status"], "identified")
        self.assertEqual(first["impact"], "major")
        self.assertEqual(first["started_at"], "2026-11-22T10:00:00Z")
        self.assertEqual(first["updated_at"], "2026-11-22T10:30:00Z")
        self.assertIsNone(first["resolved_at"])
        self.assertEqual(first["shortlink"], f"https://status.example.com/#INC-{phones}")
        self.assertEqual(first["page_id"], page["id"])
        self.assertEqual([c["name"] for c in first["components"]], ["chat", "phones"])
        updates = first["incident_updates"]
        self.assertEqual([(u["status"], u["created_at"]) for u in updates], [
            ("identified", "2026-11-22T10:30:00Z"),
            ("identified", "2026-11-22T10:20:00Z"),
            ("investigating", "2026-11-22T10:05:00Z"),
        ])
        self.assertTrue(updates[0]["body"].startswith(
            "We found the cause.\nWorkaround: Use the mobile app\n"
            "Expected restoration: 2026-11-22 12:00 CET.\nNext update by "), updates[0]["body"])
        self.assertEqual(updates[1]["body"],
                         "The cause has been found and a fix is being worked on.")
        self.assertTrue(updates[2]["body"].startswith("Calls may drop.\nNext update by "))
        self.assertEqual({u["incident_id"] for u in updates}, {f"INC-{phones}"})
        self.assertEqual(len({u["id"] for u in updates}), 3)

        second = incidents["incidents"][0]
        self.assertEqual(second["name"], "Disruption of " + NASTY)
        self.assertEqual(second["impact"], "none")
        self.assertTrue(second["incident_updates"][0]["body"].startswith(
            NASTY + "\nSecond <b>line</b>"))

        resolved = incidents["incidents"][2]
        self.assertEqual(resolved["status"], "resolved")
        self.assertEqual(resolved["resolved_at"], "2026-11-20T09:00:00Z")
        self.assertEqual(resolved["incident_updates"][0]["body"], "This incident has been resolved.")

        components = {c["name"]: c["status"] for c in summary["components"]}
        self.assertEqual(components, {"chat": "partial_outage", "phones": "partial_outage",
                                      NASTY: "degraded_performance", "e-mail": "operational"})
        self.assertEqual([c["position"] for c in summary["components"]], [1, 2, 3, 4])

    def test_only_public_fields_reach_the_page(self):
        self.build_log()
        self.ok("status-page", "--out", self.out)
        for name in PAGE_FILES:
            text = self.read(name)
            for secret in INTERNAL:
                self.assertNotIn(secret, text, f"{secret!r} leaked into {name}")

    def test_html_escapes_everything(self):
        self.build_log()
        self.ok("status-page", "--out", self.out)
        page = self.read("index.html")
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertNotIn("<script", page)
        self.assertNotIn("<b>", page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;", page)
        parsed = PageText(page)
        self.assertNotIn("script", parsed.tags)
        self.assertIn("Disruption of " + NASTY, parsed.text)
        self.assertIn(NASTY + "\nSecond <b>line</b>", parsed.text)
        self.assertIn("Example <Corp> status", parsed.text)
        self.assertIn("+31 20 555 0100 <help@example.com>", parsed.text)
        # Self-contained: no external asset, no script.
        self.assertNotRegex(page, r"(?i)<(script|link|img|iframe)\b")
        self.assertNotRegex(page, r"<[^>]*\bsrc=")
        self.assertNotIn("://", page)

    @unittest.skipUnless(CHROMIUM, "chromium is not installed (scripts/quickstart installs it)")
    def test_page_in_headless_chromium(self):
        self.build_log()
        self.ok("status-page", "--out", self.out)
        url = "file://" + os.path.join(self.out, "index.html")
        dom = self.chromium("--dump-dom", url).decode("utf-8")
        parsed = PageText(dom)
        self.assertNotIn("script", parsed.tags, "a <script> element exists after load")
        self.assertNotIn("<script", dom)
        # Shown literally: escaped in the serialised DOM, the very characters in its text.
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\"", dom)
        self.assertIn("Disruption of " + NASTY, parsed.text)
        self.assertIn(NASTY + "\nSecond <b>line</b>", parsed.text)
        for text in ("Example <Corp> status", "Partial System Outage", "Current incidents",
                     "Disruption of phones, chat", "We found the cause.",
                     "Resolved in the last 7 days", "Disruption of e-mail",
                     "This incident has been resolved."):
            self.assertIn(text, parsed.text)
        for secret in INTERNAL:
            self.assertNotIn(secret, parsed.text)

        shot = os.path.join(self.tmp, "status.png")
        self.chromium(f"--screenshot={shot}", "--window-size=1200,900", url)
        with open(shot, "rb") as f:
            png = f.read()
        self.assertGreater(len(png), 1000)
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        self.assertEqual((width, height), (1200, 900))

    def chromium(self, *args):
        """Runs headless Chromium with its own profile and returns stdout; the whole process
        group is killed if it has not finished within two minutes."""
        argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + os.path.join(self.tmp, "chromium-profile"), *args]
        env = dict(self.env, HOME=self.home)
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.tmp, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            self.fail("chromium did not finish within 120 s")
        self.assertEqual(proc.returncode, 0, err.decode("utf-8", "replace")[-2000:])
        return out

    # Regenerating --------------------------------------------------------------------------

    def test_regenerating_replaces_every_file_atomically(self):
        self.env["OUTAGE_NOW"] = "2026-11-22T10:00:00Z"
        self.ok("init")
        self.ok("status-page", "--out", self.out)
        self.assertIn("No incidents right now.", self.read("index.html"))
        before = {name: os.stat(os.path.join(self.out, name)).st_ino for name in PAGE_FILES}
        self.assertEqual(json.loads(self.read("api/v2/status.json"))["status"]["indicator"],
                         "none")

        incident = self.open_incident("Secret", "power-loss", "--service", "wifi")
        self.ok("assess", incident, "--answer", "down=yes")
        self.publish(incident, "2026-11-22T10:00:00Z", "--note", "Wifi is down.")
        self.ok("status-page", "--out", self.out)
        self.assertEqual(self.files(), PAGE_FILES)  # no temporary file left behind
        for name in PAGE_FILES:
            # A new file renamed over the old one, never the old one rewritten in place.
            self.assertNotEqual(os.stat(os.path.join(self.out, name)).st_ino, before[name], name)
        self.assertNotIn("No incidents right now.", self.read("index.html"))
        self.assertIn("Wifi is down.", self.read("index.html"))
        self.assertEqual(json.loads(self.read("api/v2/status.json"))["status"]["indicator"],
                         "major")

    def test_resolved_window_and_days(self):
        _, _, _, old = self.build_log()
        doc = self.run_json("status-page", "--out", self.out, "--days", "1")
        self.assertEqual(doc["resolved"], [])
        self.assertIn("Resolved in the last 1 day", self.read("index.html"))
        doc = self.run_json("status-page", "--out", self.out, "--days", "30")
        self.assertEqual(len(doc["resolved"]), 2)
        self.assertEqual(doc["resolved"][0], old)
        self.assertEqual(doc["indicator"], "major")
        self.assertEqual(doc["files"], [os.path.join(self.out, n) for n in
                                        ["api/v2/summary.json", "api/v2/status.json",
                                         "api/v2/incidents.json", "index.html"]])

    def test_a_missing_log_publishes_nothing_and_creates_no_log(self):
        self.assert_fails(["status-page", "--out", self.out], 3, f"no incident log at {self.db}")
        self.assertFalse(os.path.exists(self.db))
        self.assertFalse(os.path.exists(self.out))

    def test_empty_log_is_all_operational(self):
        del self.env["OUTAGE_CONFIG"]  # no config file: the defaults
        self.ok("init")
        out = self.ok("status-page", "--out", self.out)
        self.assertIn("All Systems Operational; 0 open incidents", out)
        summary = json.loads(self.read("api/v2/summary.json"))
        self.assert_shape(summary, SUMMARY_SHAPE)
        self.assertEqual(summary["page"]["name"], "Service status")
        self.assertEqual(summary["page"]["url"], "")
        self.assertEqual(summary["status"]["indicator"], "none")
        self.assertEqual(summary["incidents"], [])
        self.assertIn("<title>Service status</title>", self.read("index.html"))

    # Errors --------------------------------------------------------------------------------

    def test_errors(self):
        self.build_log()
        self.assert_fails(["status-page"], 2, "--out is required")
        self.assert_fails(["status-page", "--out", self.out, "--days", "-1"], 2, "--days")
        self.assert_fails(["status-page", "--out", self.out, "--days", "many"], 2, "--days")
        self.assertFalse(os.path.exists(self.out))

        blocker = os.path.join(self.tmp, "blocker")
        with open(blocker, "w") as f:
            f.write("a file, not a folder\n")
        self.assert_fails(["status-page", "--out", blocker], 1,
                          f"cannot create {blocker}/api/v2")

        # An index.html that cannot be replaced (a folder in its place): the JSON written
        # before it stays whole, and no temporary file is left.
        os.makedirs(os.path.join(self.out, "index.html"))
        self.assert_fails(["status-page", "--out", self.out], 1,
                          ["cannot write", "index.html"])
        leftovers = [n for n in os.listdir(self.out) if "tmp" in n]
        self.assertEqual(leftovers, [])

    def test_config_errors(self):
        with open(self.config, "w") as f:
            f.write("status_page:\n  name: Status\n  url: status.example.com\n")
        self.assert_fails(["status-page", "--out", self.out], 4,
                          f"{self.config}:3:8: the status page url starts with http:// or https://")
        with open(self.config, "w") as f:
            f.write("status_page:\n  title: Status\n")
        self.assert_fails(["status-page", "--out", self.out], 4, f"{self.config}:2:3: ")
        self.assertFalse(os.path.exists(self.out))

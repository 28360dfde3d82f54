"""The five incidents of SCENARIOS.md, each walked from the first alert to the report with the
clock (OUTAGE_NOW) moving as the story says, against the bundled runbooks and templates, with
e-mail going to a real SMTP server on 127.0.0.1 and the file channel to an outbox folder.

At every moment the story marks (◆) the same facts are read from every place that holds them
and must agree (`assert_agree`): the log (the timeline's update clocks and the update_clocks
table), `due` (text, `--json` and the exit code of `--fail-if-overdue`), `show`, `brief`,
`export` and `report`, and the messages already delivered: each message's "next update by" is
the clock of its audience, in the reader's language. Then the story's own checks: exact times,
who was told what, and what nobody may be told.

Story parts that belong to other issues are left out here: localised dates and plurals in
messages and the phone script (issue 13), `close --at` and closing as a duplicate (issue 14),
concurrent senders, a reboot mid-send, a stalled mail server, PostgreSQL and database logins
(issues 12 and 15)."""

import email
import email.policy
import json
import os
import re
import shlex
import shutil
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from harness import OutageTestCase, reserve_port, smtp_server

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "..", "templates")
NOTHING = "Nothing overdue; no deadline within 4h.\n"
ORGANISATION = "Example Retail B.V."
CONTACT = "+31 20 555 0100"


# Times --------------------------------------------------------------------------------------

def iso(moment):
    """A datetime as the log and JSON write it: UTC, whole seconds, `Z`."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def shift(text, **delta):
    """An ISO UTC time moved by a timedelta's keywords."""
    return iso(parse(text) + timedelta(**delta))


def minutes_between(earlier, later):
    return int((parse(later) - parse(earlier)).total_seconds() // 60)


# The bundled templates' own sentences --------------------------------------------------------

_LINES = {}


def template_line(name, lang, field):
    """A pattern for the line of the bundled template `name.lang` that shows `{{field}}`
    outside any inline section, the field's text captured and other fields matching anything;
    None when the template has no such line. Read from the templates themselves, so a test
    follows a rewording of the text."""
    key = (name, lang, field)
    if key not in _LINES:
        _LINES[key] = None
        path = os.path.join(TEMPLATES, f"{name}.{lang}.mustache")
        with open(path, encoding="utf-8") as f:
            body = f.read().split("\n---\n", 1)[1]
        tag = "{{" + field + "}}"
        for line in body.splitlines():
            if tag not in line or re.search(r"\{\{[#^/!]", line):
                continue
            parts = re.split(r"(\{\{[^}]*\}\})", line.strip())
            pattern = "".join("(.+?)" if part == tag else ".+?" if part.startswith("{{")
                              else re.escape(part) for part in parts if part)
            literal = max((p for p in parts if not p.startswith("{{")), key=len, default="")
            _LINES[key] = (re.compile(r"^[ \t]*" + pattern + r"[ \t]*$", re.M), literal.strip())
            break
    return _LINES[key]


def said(message, field):
    """What `message` says for `field` (the text its template's sentence holds there), or None
    when the message does not carry that sentence."""
    line = template_line(message.template, message.lang, field)
    if line is None:
        return None
    found = line[0].search(message.body)
    return found.group(1) if found else None


def said_anywhere(message, field):
    """The sentence of any bundled template, in the message's language, that would show
    `field`, if the message has it: a promise or an estimate in any wording outage ships."""
    names = sorted({f.split(".")[0] for f in os.listdir(TEMPLATES) if f.endswith(".mustache")})
    for name in names:
        line = template_line(name, message.lang, field)
        if line and line[0].search(message.body):
            return line[0].search(message.body).group(0)
    return None


# Messages as delivered -----------------------------------------------------------------------

class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, as the server got it."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def snapshot(self):
        with self.lock:
            return list(self.messages)


class Message:
    """One delivered message: the notice and delivery it belongs to, its recipient and
    language (from the log), its subject and body (from the mail server or the outbox)."""

    def __init__(self, notice, delivery, template, recipient, lang, subject, body, headers=None):
        self.notice, self.delivery, self.template = notice, delivery, template
        self.recipient, self.lang, self.subject, self.body = recipient, lang, subject, body
        self.headers = headers  # the e-mail as the server got it, or None for a file

    def __repr__(self):
        return f"<message {self.notice}.{self.delivery} {self.template}.{self.lang} to " \
               f"{self.recipient!r}>"


# The base of every story ---------------------------------------------------------------------

class StoryTestCase(OutageTestCase):
    use_fixture_runbooks = False
    ZONE = "Europe/Amsterdam"
    USER = "ann"

    def setUp(self):
        super().setUp()
        self.env["TZ"] = self.ZONE
        self.env["OUTAGE_USER"] = self.USER
        self.mailbox = Mailbox()
        sock = reserve_port()
        self.addCleanup(sock.close)
        controller = smtp_server(self.mailbox, sock)
        controller.start()
        self.addCleanup(controller.stop)
        self.outbox = os.path.join(self.tmp, "outbox")
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write(f"outbox: {self.outbox}\norganisation: {ORGANISATION}\n"
                    f"contact: \"{CONTACT}\"\nemail:\n  host: 127.0.0.1\n"
                    f"  port: {controller.port}\n  security: none\n"
                    f"  from: \"Ops <ops@example.com>\"\n  timeout: 5s\n")
        self.env["OUTAGE_CONFIG"] = config
        self.repeat = {}      # (incident, audience) -> the notify arguments to send again
        self._messages = {}   # notice -> [Message], read once

    # The clock -------------------------------------------------------------------------------

    def local(self, day, hm, second=0):
        """The UTC time of local `hm` ("09:12") on `day` ("2026-03-10") in the story's zone."""
        moment = datetime.strptime(f"{day} {hm}", "%Y-%m-%d %H:%M").replace(
            second=second, tzinfo=ZoneInfo(self.env["TZ"]))
        return iso(moment)

    def hm(self, when):
        """Local HH:MM of a UTC time."""
        return parse(when).astimezone(ZoneInfo(self.env["TZ"])).strftime("%H:%M")

    def shown(self, when):
        """A UTC time as outage's human output shows it: `2026-03-10 10:20 CET`."""
        return parse(when).astimezone(ZoneInfo(self.env["TZ"])).strftime("%Y-%m-%d %H:%M %Z")

    # Running commands ------------------------------------------------------------------------

    def at(self, when, *args, code=0, err="", user=None, env=None):
        """Runs outage at `when` (as `user`); the exit code must be `code` and stderr `err`
        (None: anything). Returns stdout."""
        extra = {"OUTAGE_NOW": when}
        if user:
            extra["OUTAGE_USER"] = user
        extra.update(env or {})
        rc, out, stderr = self.run_outage(*args, env=extra)
        shown = " ".join(map(str, args))
        self.assertEqual(rc, code, f"outage {shown} at {when}: exit {rc}\n{out}{stderr}")
        if err is not None:
            self.assertEqual(stderr, err, f"outage {shown} at {when}: stderr")
        return out

    def at_json(self, when, *args, **kwargs):
        return json.loads(self.at(when, *args, "--json", **kwargs))

    def refused(self, when, args, code, message, user=None):
        """A command that must fail at `when` with `code` and one line naming `message`,
        leaving the log and the mail server as they were."""
        env = {"OUTAGE_NOW": when}
        if user:
            env["OUTAGE_USER"] = user
        mail = len(self.mailbox.snapshot())
        outbox = sorted(os.listdir(self.outbox)) if os.path.isdir(self.outbox) else []
        err = self.assert_fails(args, code, message, env=env, stdout=None)
        self.assertEqual(len(self.mailbox.snapshot()), mail, "a refused command sent mail")
        self.assertEqual(sorted(os.listdir(self.outbox)) if os.path.isdir(self.outbox) else [],
                         outbox, "a refused command wrote to the outbox")
        return err

    def open_by_hook(self, when, *args, user="monitoring"):
        doc = self.at_json(when, "open", *args, user=user)
        return doc["id"], doc["retriggered"]

    def notify(self, when, incident, audience, *args, user=None, remember=True, err=""):
        """Sends a notice; every message must be delivered. Returns the notice id. The call is
        remembered as the audience's "same call" that keep_promises() runs again."""
        doc = self.at_json(when, "notify", str(incident), "--audience", audience, *args,
                           user=user, err=err)
        self.assertEqual((doc["failed"], doc["pending"], doc["sent"]),
                         (0, 0, doc["attempted"]), doc)
        if remember:
            self.repeat[(incident, audience)] = args
        return doc["notice"]

    def timeline(self, when, incident):
        return self.at_json(when, "show", str(incident))["timeline"]

    # The log ---------------------------------------------------------------------------------

    def clocks(self, incident):
        """The update clocks the log's table holds: audience ('' = first update) -> due."""
        return dict(self.query("SELECT audience, due_at FROM update_clocks WHERE incident_id = ?",
                               (incident,)))

    def notice_rows(self, incident):
        return self.query("SELECT id, audience, template, channel FROM notices "
                          "WHERE incident_id = ? ORDER BY id", (incident,))

    def notice_fields(self, notice):
        return json.loads(self.query("SELECT fields FROM notices WHERE id = ?", (notice,))[0][0])

    def mail_by_id(self):
        """The SMTP server's messages by Message-ID (each a list: a resent one has two)."""
        messages = self.mailbox.snapshot()
        parsed = getattr(self, "_parsed", [])
        for rcpts, raw in messages[len(parsed):]:
            parsed.append((rcpts, email.message_from_bytes(raw, policy=email.policy.default)))
        self._parsed = parsed
        mail = {}
        for rcpts, message in parsed:
            mail.setdefault(str(message["Message-ID"]), []).append((rcpts, message))
        return mail

    def messages(self, notice):
        """Every message of a notice as it was delivered: e-mail from the SMTP server (each
        delivery exactly once, found by its Message-ID), files from the outbox."""
        if notice in self._messages:
            return self._messages[notice]
        rows = self.query(
            "SELECT d.id, d.recipient, d.lang, d.state, n.incident_id, n.template, n.channel "
            "FROM deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.id = ? "
            "ORDER BY d.id", (notice,))
        self.assertTrue(rows, f"notice {notice} has no deliveries")
        mail = self.mail_by_id()
        found = []
        for delivery, recipient, lang, state, incident, template, channel in rows:
            self.assertEqual(state, "sent", f"notice {notice} delivery {delivery}")
            headers = None
            if channel == "email":
                ids = [k for k in mail if k.startswith(f"<outage.{incident}.{notice}.{delivery}@")]
                self.assertEqual(len(ids), 1, f"notice {notice} delivery {delivery}: {ids}")
                copies = mail[ids[0]]
                self.assertEqual(len(copies), 1,
                                 f"{recipient} got notice {notice} {len(copies)} times")
                rcpts, parsed = copies[0]
                headers = parsed
                self.assertEqual(rcpts, [recipient])
                subject = str(parsed["Subject"])
                body = parsed.get_content().replace("\r\n", "\n")
            elif channel == "file":
                stem = os.path.join(self.outbox,
                                    f"incident-{incident}-notice-{notice}-{delivery}")
                if os.path.exists(stem + ".txt"):
                    with open(stem + ".txt", encoding="utf-8") as f:
                        subject, body = f.read().split("\n\n", 1)
                else:
                    with open(stem + ".eml", "rb") as f:
                        parsed = email.message_from_bytes(f.read(), policy=email.policy.default)
                    subject = str(parsed["Subject"])
                    body = parsed.get_content().replace("\r\n", "\n")
            else:
                self.fail(f"notice {notice}: channel {channel} is not read by these tests")
            found.append(Message(notice, delivery, template, recipient, lang, subject, body,
                                 headers))
        self._messages[notice] = found
        return found

    # What must agree -------------------------------------------------------------------------

    def assert_promised(self, notice, due_at):
        """Every message of `notice` says its audience hears again by `due_at` (the local time
        of day and the day of the month, in the reader's language), or, with None, promises
        nothing."""
        for message in self.messages(notice):
            promise = said(message, "next_update")
            if due_at is None:
                self.assertIsNone(said_anywhere(message, "next_update"),
                                  f"{message} promises an update:\n{message.body}")
                continue
            self.assertIsNotNone(promise, f"{message} has no next-update sentence:\n"
                                          f"{message.body}")
            local = parse(due_at).astimezone(ZoneInfo(self.env["TZ"]))
            self.assertRegex(promise, rf"\b{local:%H:%M}\b", f"{message}: {promise!r}")
            self.assertRegex(promise, rf"\b0?{local.day}\b", f"{message}: {promise!r}")

    def due_state(self, when):
        """`due --json --fail-if-overdue` at `when`: (entries, exit code)."""
        rc, out, err = self.run_outage("due", "--json", "--fail-if-overdue",
                                       env={"OUTAGE_NOW": when})
        self.assertEqual(err, "")
        self.assertIn(rc, (0, 7), out)
        return json.loads(out), rc

    def overdue_updates(self, when, incident):
        """The update clocks `due` lists for `incident` at `when`, and the exit code of
        `--fail-if-overdue`."""
        entries, code = self.due_state(when)
        return sorted((e["audience"] or "", e["due_at"]) for e in entries
                      if e["kind"] == "update" and e["incident"] == incident), code

    def assert_agree(self, when, incident):
        """◆ The log, due (text, JSON, exit code), show, brief, export, report and the messages
        already delivered say the same about `incident` at `when`."""
        doc = self.at_json(when, "show", str(incident))
        # The log: the clocks the last clock-changing event carries, or none after a close.
        clocks = {}
        for event in doc["timeline"]:
            if "clocks" in event:
                clocks = dict(event["clocks"])
            if event["kind"] == "closed":
                clocks = {}
        self.assertEqual(self.clocks(incident), clocks, "update_clocks table vs the timeline")
        earliest = min(clocks.values()) if clocks else None
        if doc["status"] == "closed":
            self.assertEqual(clocks, {}, "a closed incident owes no update")
        self.assertEqual(doc["next_update_due"], earliest, "show")
        brief = self.at_json(when, "brief", str(incident))
        self.assertEqual(brief["incident"]["next_update_due"], earliest, "brief")
        self.assertEqual(brief["pending"]["next_update_due"], earliest, "brief pending")
        exported = [i for i in self.at_json(when, "export") if i["id"] == incident]
        self.assertEqual(exported[0]["next_update_due"], earliest, "export")
        listed = [i for i in self.at_json(when, "list", "--status", "all") if i["id"] == incident]
        self.assertEqual(listed[0]["next_update_due"], earliest, "list")
        report = self.at_json(when, "report", str(incident))
        self.assertEqual(report["incident"]["next_update_due"], earliest, "report")

        # due: every clock whose time has come (at the time itself), how long, for whom.
        entries, code = self.due_state(when)
        mine = [e for e in entries if e["incident"] == incident]
        self.assertEqual(
            sorted((e["audience"] or "", e["due_at"], e["overdue_minutes"])
                   for e in mine if e["kind"] == "update"),
            sorted((audience, due, minutes_between(due, when))
                   for audience, due in clocks.items() if due <= when), f"due at {when}")
        for e in mine:
            if e["kind"] == "update":
                self.assertEqual((e["severity"], e["owner"], e["title"]),
                                 (doc["severity"], doc["owner"], doc["title"]))
        # Deadlines: due lists every unmet one (with a window long enough), as report has it.
        wide = self.at_json(when, "due", "--within", "20000d")
        deadlines = {d["name"]: d for d in report["deadlines"]}
        self.assertEqual(
            {e["name"]: {k: v for k, v in e.items() if k != "kind"}
             for e in wide if e["kind"] == "deadline" and e["incident"] == incident},
            {name: d for name, d in deadlines.items() if d["met_at"] is None}, "due vs report")
        self.assertEqual(sorted(d["name"] for d in brief["pending"]["deadlines"]),
                         sorted(n for n, d in deadlines.items() if d["met_at"] is None),
                         "brief's pending deadlines")
        table = {row[0]: row[1:] for row in self.query(
            "SELECT name, due_at, met_at FROM deadlines WHERE incident_id = ?", (incident,))}
        self.assertEqual(table, {n: (d["due_at"], d["met_at"]) for n, d in deadlines.items()})
        for d in deadlines.values():
            expected = ("met on time" if d["met_at"] and d["met_at"] <= d["due_at"] else
                        "met late" if d["met_at"] else
                        "missed" if d["due_at"] < when else "running")
            self.assertEqual(d["outcome"], expected, d)
        # The exit code: 7 exactly when something is overdue, in JSON and text alike.
        overdue = any(e["kind"] in ("unassessed", "update", "handover")
                      or (e["kind"] == "deadline" and e["overdue"]) for e in entries)
        self.assertEqual(code, 7 if overdue else 0, entries)
        rc, text, err = self.run_outage("due", "--fail-if-overdue", env={"OUTAGE_NOW": when})
        self.assertEqual((rc, err), (code, ""))
        if not entries:
            self.assertEqual(text, NOTHING)
        rows = [line for line in text.splitlines() if re.match(rf"\s+{incident}\s\s", line)]
        self.assertEqual(len(rows), len(mine), text)
        for e in mine:
            if e["kind"] == "update":
                audience = e["audience"] or "(first update)"
                self.assertTrue(any(re.match(rf"\s+{incident}\s+{e['severity']}\s+"
                                             rf"{re.escape(audience)}\s", row) for row in rows),
                                f"{audience} not in\n{text}")

        # The messages: each notice's "next update by" is the clock it recorded.
        for event in doc["timeline"]:
            if event["kind"] == "notice":
                self.assert_promised(event["notice"], event.get("next_update_due"))
        # Every e-mail the server got is one the log sent, once.
        sent = self.query("SELECT count(*) FROM deliveries d JOIN notices n ON n.id = d.notice_id "
                          "WHERE n.channel = 'email' AND d.state = 'sent'")[0][0]
        self.assertEqual(len(self.mailbox.snapshot()), sent, "messages at the mail server")
        return doc

    # Keeping the promises ------------------------------------------------------------------

    def keep_promises(self, incident, until, user=None, check=False):
        """Sends each audience its next update at the minute its clock runs out, with the same
        call as last time (the same call later is the next update), until `until`. With
        `check`, `due` must stay quiet until that very minute, fail at it, and be quiet again
        after the update. Returns the notices sent."""
        sent = []
        interval = None  # an assessment changes it; none is made while promises are kept
        while True:
            clocks = self.clocks(incident)
            if not clocks or min(clocks.values()) >= until:
                return sent
            when = min(clocks.values())
            audiences = sorted(a for a, due in clocks.items() if due == when)
            self.assertNotIn("", audiences, "a first update nobody sent")
            if check:
                self.assertEqual(self.overdue_updates(shift(when, seconds=-1), incident), ([], 0))
                self.assertEqual(self.overdue_updates(when, incident),
                                 ([(a, when) for a in audiences], 7))
            if interval is None:
                interval = self.at_json(when, "show", str(incident))["update_interval_minutes"]
            for audience in audiences:
                notice = self.notify(when, incident, audience, *self.repeat[(incident, audience)],
                                     user=user)
                self.assert_promised(notice, shift(when, minutes=interval))
                sent.append(notice)
            if check:
                self.assertEqual(self.overdue_updates(when, incident), ([], 0))

    def assert_not_ongoing(self, notices, eta=None, workaround=None):
        """No message of `notices` (sent after the close) tells its reader that the outage is
        still going on: no next-update promise, no restore estimate, no workaround "in the
        meantime", no "we are working on it"."""
        for notice in notices:
            for message in self.messages(notice):
                with self.subTest(notice=notice, template=message.template, lang=message.lang):
                    for field in ("next_update", "eta", "workaround"):
                        self.assertIsNone(said_anywhere(message, field),
                                          f"{message} still says the {field} sentence after the "
                                          f"close:\n{message.subject}\n\n{message.body}")
                    for value in (eta, workaround):
                        if value:
                            self.assertNotIn(value, message.body)

    def assert_report_stable(self, incident, first, later):
        """The report made at `first` and at `later` says the same, but for when it was made."""
        a, b = (self.at(when, "report", str(incident)) for when in (first, later))
        drop = re.compile(r"^Generated .*$", re.M)
        self.assertEqual(drop.sub("", a), drop.sub("", b))
        a, b = (self.at_json(when, "report", str(incident)) for when in (first, later))
        a.pop("generated_at")
        b.pop("generated_at")
        self.assertEqual(a, b)

    def assert_verify(self, when):
        """`verify` passes on the log as the story left it, over every event."""
        events = self.query("SELECT count(*) FROM events")[0][0]
        doc = self.at_json(when, "verify")
        self.assertEqual((doc["ok"], doc["events_checked"]), (True, events), doc)
        out = self.at(when, "verify")
        self.assertTrue(out.startswith(f"Timeline intact: {events} events, last hash "
                                       f"{doc['head']}\n"), out)
        # The tables are what the events give (a story that sets the clock back gets a warning).
        self.assertIn("State matches the events: ", out)


def contacts_csv(path, organisations, languages, prefix="org"):
    """A customers file: two contacts per organisation, languages in turn."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("email,name,organisation,lang\n")
        n = 0
        for i in range(organisations):
            for who in ("it", "ops"):
                lang = languages[n % len(languages)]
                f.write(f"{who}@{prefix}{i}.example,{who.upper()} desk of Org {i},Org {i},{lang}\n")
                n += 1
    return path


# 1. The SAN controller ----------------------------------------------------------------------

SAN_SEV2 = ["component=storage", "scope=team", "customers=some", "impact=blocked",
            "realtime=no", "redundancy=no", "downtime=hours", "data_risk=no", "workaround=no",
            "cause=supplier"]
# The webshop is a live customer portal: real-time, so SEV2 updates come every 30 minutes.
SAN_REALTIME = ["component=storage", "scope=few", "customers=some", "impact=blocked",
                "realtime=yes", "redundancy=no", "downtime=hours", "data_risk=no",
                "workaround=yes", "cause=ours"]


def answers(pairs):
    return [arg for pair in pairs for arg in ("--answer", pair)]


class SanControllerTest(StoryTestCase):
    """Hardware failure, SEV2, business hours: a hook opens it, nobody assesses it at first,
    front line and staff hear first, 80 customer contacts in two languages get a notice with
    a workaround and an estimate, every promise is kept on the minute, a handover, the close
    with all-clears and everything the incident put up switched back."""

    def walk(self, day, interval, assessment, rule, languages, organisations, ack_late,
             all_clear_by_commands, check_rounds):
        L = lambda hm, s=0: self.local(day, hm, s)  # noqa: E731
        contacts = 2 * organisations
        csv = contacts_csv(os.path.join(self.tmp, "customers.csv"), organisations, languages)
        hook = ["--scenario", "hardware-failure", "--title", "SAN controller A failed on san01",
                "--service", "webshop", "--service", "file shares", "--dedup-key",
                "nagios:san01:controller-a"]

        # 08:55 Monitoring opens it; the hook fires again and again: one incident.
        self.assertEqual(self.open_by_hook(L("08:55"), *hook), (1, False))
        for hm in ("09:00", "09:05", "09:10"):
            self.assertEqual(self.open_by_hook(L(hm), *hook), (1, True))
        self.assertEqual([i["id"] for i in self.at_json(L("09:10"), "list", "--status", "all")],
                         [1])

        # ◆ 09:12 `due` reports the unassessed incident, from the 15th minute on.
        self.assertEqual(self.due_state(L("09:09", 59)), ([], 0))
        self.assertEqual(self.due_state(L("09:10"))[1], 7)
        entries, code = self.due_state(L("09:12"))
        self.assertEqual((entries, code), ([{
            "kind": "unassessed", "incident": 1, "title": "SAN controller A failed on san01",
            "severity": None, "owner": "monitoring", "opened_at": L("08:55"),
            "waiting_minutes": 17}], 7))
        out = self.at(L("09:12"), "due")
        self.assertEqual(out, "Not assessed within 15m of opening (run `outage assess ID`):\n"
                              "     ID  SEVERITY  WAITING     OWNER         TITLE\n"
                              "      1  -         17m         monitoring    "
                              "SAN controller A failed on san01\n")
        self.assert_agree(L("09:12"), 1)

        # 09:14 The on-call engineer assesses; the hook's owner hands it to them.
        self.at(L("09:13"), "handoff", "1", "--to", "ann", "--note", "Paged", user="monitoring")
        self.at(L("09:13"), "ack", "1")
        doc = self.at_json(L("09:14"), "assess", "1", *answers(assessment))
        self.assertEqual((doc["severity"], doc["rule"], doc["update_interval_minutes"],
                          doc["next_update_due"]),
                         ("SEV2", rule, interval, shift(L("09:14"), minutes=interval)))
        self.assertEqual([a["audience"] for a in doc["audiences"]][:3],
                         ["frontline", "staff", "customers"])
        self.assertEqual([(d["name"], d["due_at"]) for d in doc["deadlines"]],
                         [("customer-sla", L("13:14"))])
        self.assertEqual(self.due_state(L("09:14")), ([], 0))

        # Front line first, then staff.
        frontline = self.notify(L("09:15"), 1, "frontline", "--to", "helpdesk@example.com",
                                "--note", "Webshop degraded; take orders by phone")
        (briefing,) = self.messages(frontline)
        self.assertIn("Front-line briefing #1 for INC-1", briefing.body)
        # The same call a minute later is a command run twice by accident.
        self.refused(L("09:16"), ["notify", "1", "--audience", "frontline", "--to",
                                  "helpdesk@example.com", "--note",
                                  "Webshop degraded; take orders by phone"], 5,
                     ["notice 1", "--again"])
        self.notify(L("09:16"), 1, "staff", "--to", "all-staff@example.com")

        # 09:20 ◆ Customers: each reads the next update time, which is the customers' clock.
        customers = self.notify(L("09:20"), 1, "customers", "--recipients", csv, "--eta",
                                "12:30", "--workaround",
                                "Order by phone on +31 20 555 0199")
        promised = shift(L("09:20"), minutes=interval)
        self.assertEqual(self.clocks(1)["customers"], promised)
        messages = self.messages(customers)
        self.assertEqual(len(messages), contacts)
        self.assertEqual(sorted({m.lang for m in messages}), sorted(set(languages)))
        for message in messages:
            self.assertEqual(said(message, "next_update"),
                             self.notice_fields(customers)["next_update"])
            self.assertIn(self.hm(promised), said(message, "next_update"))
            self.assertIn("12:30", said(message, "eta"))
            self.assertEqual(said(message, "workaround"), "Order by phone on +31 20 555 0199")
            name = message.recipient.split("@")[0].upper()
            self.assertIn(f"{name} desk of Org", message.body)  # by name, in their language
        self.assertEqual(
            {m.lang: said(m, "next_update") is not None for m in messages},
            {lang: True for lang in languages})
        # customer-sla is met by that first delivered notice.
        sla = self.at_json(L("09:20"), "report", "1")["deadlines"][0]
        self.assertEqual((sla["met_at"], sla["note"], sla["outcome"]),
                         (L("09:20"), f"met by notice {customers} to customers", "met on time"))
        # What the incident puts up: the status page, the auto-reply, the phone message.
        self.notify(L("09:20"), 1, "status-page")
        self.notify(L("09:20"), 1, "auto-reply", "--template", "auto-reply", "--channel", "file")
        self.notify(L("09:20"), 1, "phone", "--template", "ivr-message", "--channel", "file")
        self.repeat[(1, "customers")] = ("--template", "customer-update", "--recipients", csv)
        self.assert_agree(L("09:21"), 1)

        # 10:05 The supplier confirms the part: an internal note. ◆ No clock moves.
        before = self.clocks(1)
        doc = self.at_json(L("10:05"), "update", "1", "--note",
                           "Supplier confirms a replacement controller by 11:30")
        self.assertEqual(self.clocks(1), before)
        self.assertEqual(doc["next_update_due"], min(before.values()))
        self.assertNotIn("next_update_due", self.timeline(L("10:05"), 1)[-1])
        self.assertEqual(self.clocks(1)["customers"], promised)
        self.assert_agree(L("10:05"), 1)

        # ◆ Each update goes out at the promised minute; `due` fails at exactly that minute.
        self.assertNotIn(("customers", promised),
                         self.overdue_updates(shift(promised, seconds=-1), 1)[0])
        self.assertIn(("customers", promised), self.overdue_updates(promised, 1)[0])
        sent = self.keep_promises(1, L("11:50", 1), check=check_rounds)
        updates = [n for n in sent if n in [r[0] for r in self.notice_rows(1)
                                            if r[2] == "customer-update"]]
        for number, notice in enumerate(updates, start=2):
            for message in self.messages(notice):
                self.assertEqual(said(message, "update_number"), str(number), message.body)
                # The estimate and the workaround given to the first notice are repeated.
                self.assertIn("12:30", said(message, "eta"))
                self.assertEqual(said(message, "workaround"), "Order by phone on +31 20 555 0199")
        self.assertGreaterEqual(len(updates), 2)
        self.assert_agree(L("11:49"), 1)

        # 11:50 Handover; the colleague acknowledges from their own login.
        self.at(L("11:50"), "handoff", "1", "--to", "bob", "--note",
                "Controller arrives 11:30; engineer on site")
        self.refused(L("11:51"), ["ack", "1"], 5, "bob")
        if ack_late:
            self.assertEqual(self.due_state(L("12:05")), ([], 0))
            entries, code = self.due_state(L("12:06"))
            self.assertEqual(entries, [{"kind": "handover", "incident": 1,
                                        "title": "SAN controller A failed on san01",
                                        "severity": "SEV2", "owner": "bob",
                                        "handed_off_at": L("11:50"), "waiting_minutes": 16}])
            self.assertEqual(code, 7)
            self.assert_agree(L("12:06"), 1)
            acked = L("12:06")
        else:
            acked = L("11:52")
        self.assertTrue(self.at_json(acked, "ack", "1", user="bob")["acknowledged"])
        self.assertEqual(self.due_state(acked), ([], 0))
        sent = self.keep_promises(1, L("12:40"), user="bob", check=check_rounds)
        for notice in sent:
            self.assertEqual(self.query("SELECT actor FROM notices WHERE id = ?", (notice,)),
                             [("bob",)])
        self.assert_agree(L("12:39"), 1)

        # 12:40 Restored and closed with a root cause and two actions, then the all-clears.
        last_before_close = max(r[0] for r in self.notice_rows(1))
        close = ["close", "1", "--resolution", "Controller replaced; array rebuilt",
                 "--root-cause", "Controller firmware fault", "--recurrence", "unlikely",
                 "--action", "Update the SAN firmware", "--action",
                 "Keep a spare controller on site"]
        for step in ("confirm-failure", "protect-data", "brief-frontline", "failover",
                     "tell-staff", "tell-customers", "decide-eta", "verify-restore"):
            self.at(L("12:39"), "step", "1", step, "--done", user="bob")
        if all_clear_by_commands:
            out = self.at(L("12:40"), *close, user="bob")
            section = out.split("\n\nAll-clear messages due", 1)[1]
            commands = [line.strip() for line in section.splitlines()
                        if line.startswith("      outage notify")]
            self.assertEqual([shlex.split(c)[4] for c in commands],
                             ["frontline", "staff", "customers", "status-page", "auto-reply",
                              "phone"])
            for command in commands:
                self.at(L("12:41"), *shlex.split(command)[1:], user="bob")
        else:
            out = self.at(L("12:40"), *close, "--notify", user="bob")
            self.assertRegex(out, r"\n\nAll-clear messages:\n"
                                  r"Notice \d+ to frontline: 1 sent, 0 failed, 0 pending.\n"
                                  r"Notice \d+ to staff: 1 sent, 0 failed, 0 pending.\n"
                                  rf"Notice \d+ to customers: {contacts} sent, 0 failed, "
                                  r"0 pending.\n\n"
                                  r"Replacing what the incident put up .*\n"
                                  r"Notice \d+ to status-page: 1 sent, 0 failed, 0 pending.\n"
                                  r"Notice \d+ to auto-reply: 1 sent, 0 failed, 0 pending.\n"
                                  r"Notice \d+ to phone: 1 sent, 0 failed, 0 pending.\n$")
        after = [r for r in self.notice_rows(1) if r[0] > last_before_close]
        self.assertEqual([(r[1], r[2]) for r in after], [
            ("frontline", "frontline-briefing"), ("staff", "staff-alert"),
            ("customers", "customer-all-clear"), ("status-page", "status-page-notice"),
            ("auto-reply", "auto-reply"), ("phone", "ivr-message")])
        all_clears = [r[0] for r in after]
        customers_clear = self.messages(all_clears[2])
        self.assertEqual(sorted(m.recipient for m in customers_clear),
                         sorted(m.recipient for m in self.messages(customers)))
        for message in customers_clear:  # each in their own language
            first = [m for m in self.messages(customers) if m.recipient == message.recipient][0]
            self.assertEqual(message.lang, first.lang)
            self.assertIn("12:40", said(message, "resolved_at") or message.body)

        # ◆ After the close nobody is told it is ongoing, and nothing is due any more.
        self.assert_not_ongoing(all_clears, workaround="Order by phone on +31 20 555 0199")
        for event in self.timeline(L("12:45"), 1):
            if event["kind"] == "notice" and event["notice"] in all_clears:
                self.assertNotIn("next_update_due", event)
                self.assertNotIn("clocks", event)
        self.assertEqual(self.clocks(1), {})
        doc = self.assert_agree(L("12:45"), 1)
        self.assertEqual((doc["status"], doc["phase"], doc["next_update_due"]),
                         ("closed", "resolved", None))
        for when in (L("12:45"), L("13:40"), L("23:00")):
            self.assertEqual(self.due_state(when), ([], 0))
        self.assertEqual(self.at(L("13:40"), "due", "--fail-if-overdue"), NOTHING)

        # ◆ The report says the same today and next month; verify passes.
        month_later = shift(L("12:45"), days=31)
        self.assert_report_stable(1, L("12:45"), month_later)
        report = self.at_json(month_later, "report", "1")
        self.assertEqual([(h["from"], h["to"]) for h in report["handovers"]],
                         [("monitoring", "ann"), ("ann", "bob")])
        self.assertEqual(report["incident"]["actions"],
                         ["Update the SAN firmware", "Keep a spare controller on site"])
        self.assertEqual(report["durations"]["to_resolve_seconds"], 3 * 3600 + 45 * 60)
        self.assertEqual(report["durations"]["to_first_customer_notice_seconds"], 25 * 60)
        self.assert_verify(month_later)

    def test_the_san_controller(self):
        self.walk("2026-03-10", 60, SAN_SEV2, "team-stopped-or-realtime-down", ["en", "nl"], 40,
                  ack_late=False, all_clear_by_commands=False, check_rounds=True)

    def test_in_summer_with_a_realtime_webshop_and_four_languages(self):
        # Summer time (CEST), updates every 30 minutes, customers in es/pl/nl/en, the handover
        # acknowledged late, the all-clears sent with the commands close prints; 12 customer
        # organisations.
        self.walk("2026-06-16", 30, SAN_REALTIME, "team-stopped-or-realtime-down",
                  ["es", "pl", "nl", "en"], 12, ack_late=True, all_clear_by_commands=True,
                  check_rounds=False)


# 2. Ransomware on the file server -----------------------------------------------------------

RANSOMWARE = ["kind=ransomware", "scope=most", "customers=some", "impact=blocked",
              "realtime=no", "data_leaking=no", "personal_data=yes", "nis2=yes",
              "backups_ok=yes"]
SPREADING = ["kind=spreading", "scope=team", "customers=none", "impact=blocked", "realtime=no",
             "data_leaking=no", "personal_data=yes", "nis2=no", "backups_ok=unknown"]
# Words that are internal to the malware incident: none may reach a customer or the public.
INTERNAL = ["LockBit", "fs01", "corp.example", "VLAN", "Ransomware", "Malware", "phishing",
            "macro"]


def deadline_rows(markdown):
    """The report's deadline table rows, by deadline id."""
    section = markdown.split("## Deadlines", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 6 and cells[0] not in ("Deadline", "---"):
            rows[cells[0]] = cells
    return rows


class RansomwareTest(StoryTestCase):
    """Malware, SEV1, personal data, NIS2: the regulators' clocks start at the assessment and
    outlive the incident; customers and the public never read an internal detail; a deadline
    met before the close is recorded after it with the time it was met; the missed GDPR
    notification fails every cron run until it is recorded; an edit to the log is caught."""

    TITLE = "Ransomware (LockBit 3.0) on fs01.corp.example"

    def assert_nothing_internal(self, notices, owner="ann"):
        for notice in notices:
            for message in self.messages(notice):
                text = message.subject + "\n" + message.body
                for word in INTERNAL + [self.TITLE]:
                    self.assertNotIn(word.lower(), text.lower(), f"{message}:\n{text}")
                self.assertNotRegex(text, rf"\b{owner}\b", f"{message} names the owner")

    def test_ransomware_on_the_file_server(self):
        day = "2026-02-03"
        L = lambda hm, d=0, s=0: self.local(  # noqa: E731
            (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=d)).strftime("%Y-%m-%d"), hm, s)
        csv = contacts_csv(os.path.join(self.tmp, "customers.csv"), 5, ["en", "nl"])

        # 07:40 Opened by a person; assessed at 07:48: the clocks start.
        doc = self.at_json(L("07:40"), "open", "--scenario", "malware", "--title", self.TITLE,
                           "--service", "file shares", "--service", "document portal",
                           "--affected", "180")
        self.assertEqual((doc["id"], doc["owner"], doc["retriggered"]), (1, "ann", False))
        doc = self.at_json(L("07:48"), "assess", "1", *answers(RANSOMWARE))
        self.assertEqual((doc["severity"], doc["rule"], doc["update_interval_minutes"]),
                         ("SEV1", "ransomware-intrusion-or-leak", 30))
        self.assertEqual(sorted((d["name"], d["due_at"]) for d in doc["deadlines"]), [
            ("customer-sla", L("11:48")), ("gdpr-authority", L("07:48", 3)),
            ("nis2-early-warning", L("07:48", 1)), ("nis2-final-report", L("07:48", 30)),
            ("nis2-notification", L("07:48", 3))])
        self.assert_agree(L("07:49"), 1)

        # Inside, the facts; outside, none of them.
        frontline = self.notify(L("07:50"), 1, "frontline", "--to", "helpdesk@example.com",
                                "--internal-note", "LockBit 3.0 on fs01.corp.example; VLAN 20 "
                                "isolated")
        self.assertIn("LockBit 3.0 on fs01.corp.example", self.messages(frontline)[0].body)
        self.notify(L("07:52"), 1, "staff", "--to", "all-staff@example.com", "--note",
                    "Do not switch on a machine IT has disconnected")
        self.refused(L("08:00"), ["notify", "1", "--audience", "customers", "--recipients", csv,
                                  "--note", "LockBit encrypted fs01"], 2, "note")
        self.refused(L("08:00"), ["notify", "1", "--audience", "status-page", "--note",
                                  "fs01 was encrypted"], 2, "note")
        customers = self.notify(L("08:00"), 1, "customers", "--recipients", csv, "--workaround",
                                "Send documents by e-mail to support@example.com")
        page = self.notify(L("08:00"), 1, "status-page")
        self.repeat[(1, "customers")] = ("--template", "customer-update", "--recipients", csv)
        self.assertEqual(len(self.messages(customers)), 10)
        self.assert_nothing_internal([customers, page])
        self.assert_agree(L("08:01"), 1)

        # Updates every 30 minutes through the morning; after 10:00 everyone is rebuilding and
        # the promises lapse: ◆ `due` says so, audience by audience, from the promised minute.
        self.keep_promises(1, L("10:00", 0, 1))
        self.assertEqual(self.overdue_updates(L("10:20"), 1),
                         ([("frontline", L("10:20"))], 7))
        self.assert_agree(L("10:20"), 1)
        self.assert_agree(L("19:29"), 1)
        self.assertEqual(len(self.at_json(L("19:29"), "due")), 4)
        before_close = max(r[0] for r in self.notice_rows(1))
        rc, out, err = self.run_outage(
            "close", "1", "--resolution", "Systems rebuilt from offline backups",
            "--root-cause", "Phishing macro ran the LockBit loader on fs01", "--recurrence",
            "unlikely", "--action", "Block macros from the internet", "--action",
            "Move the backups to immutable storage", "--notify", env={"OUTAGE_NOW": L("19:30")})
        self.assertEqual(rc, 0, out + err)
        self.assertIn("outage: warning: incident 1 was closed with 4 deadlines not met; they go "
                      "on running and `outage due` reports them until recorded:\n", err)
        for name in ("nis2-early-warning", "gdpr-authority", "nis2-notification",
                     "nis2-final-report"):
            self.assertIn(f"      outage deadline 1 {name} --met [--at TIME]\n", err)
        after = [r[0] for r in self.notice_rows(1) if r[0] > before_close]
        self.assertEqual([r[1] for r in self.notice_rows(1) if r[0] > before_close],
                         ["frontline", "staff", "customers", "status-page"])
        self.assert_nothing_internal([n for n, a, _, _ in self.notice_rows(1)
                                      if a in ("customers", "status-page")])
        self.assert_not_ongoing(after)
        self.assert_agree(L("19:35"), 1)
        self.assertEqual(self.due_state(L("19:35")), ([], 0))

        # Day 2, 07:00: the NIS2 early warning went out at 06:30; recorded after the close,
        # without reopening. ◆ Its outcome is "met on time", whenever anyone looks.
        out = self.at(L("07:00", 1), "deadline", "1", "nis2-early-warning", "--met", "--at",
                      "06:30", "--note", "CSIRT portal, ref EW-2026-113")
        self.assertEqual(out, "Deadline nis2-early-warning of incident 1 met at "
                              f"{self.shown(L('06:30', 1))}, on time.\n")
        doc = self.assert_agree(L("07:00", 1), 1)
        self.assertEqual((doc["status"], doc["closed_at"]), ("closed", L("19:30")))
        kinds = [e["kind"] for e in doc["timeline"]]
        self.assertNotIn("reopened", kinds)
        self.assertEqual(kinds.count("closed"), 1)
        met = doc["timeline"][-1]
        self.assertEqual((met["kind"], met["deadline"], met["late"], met["met_at"], met["at"]),
                         ("deadline_met", "nis2-early-warning", False, L("06:30", 1),
                          L("07:00", 1)))
        self.at(L("16:00", 2), "deadline", "1", "nis2-notification", "--met")

        # Day 4 ◆ The GDPR notification is still not filed: every cron run fails until it is.
        out = self.at(L("06:00", 3), "due", "--fail-if-overdue")
        self.assertRegex(out, r"^Deadlines missed or due within 4h:\n +ID +DEADLINE +STATE +TITLE\n"
                              r" +1  gdpr-authority +due "
                              + re.escape(self.shown(L("07:48", 3))) + r" \(in 1h 48m\) +Notify "
                              r"the data-protection authority \(GDPR art. 33\)\n$")
        for hm in ("08:00", "09:00", "10:00"):
            rc, out, _ = self.run_outage("due", "--fail-if-overdue",
                                         env={"OUTAGE_NOW": L(hm, 3)})
            self.assertEqual(rc, 7, f"cron at {hm}")
            self.assertRegex(out, r"\n      1  gdpr-authority +MISSED \d+[hm].* ago +Notify the "
                                  r"data-protection authority")
            entries, code = self.due_state(L(hm, 3))
            self.assertEqual([(e["name"], e["outcome"], e["overdue"]) for e in entries],
                             [("gdpr-authority", "missed", True)])
            self.assertEqual(code, 7)
        self.assert_agree(L("10:00", 3), 1)
        out = self.at(L("10:30", 3), "deadline", "1", "gdpr-authority", "--met", "--note",
                      "DPA breach form, ref 2026-0413")
        self.assertEqual(out, "Deadline gdpr-authority of incident 1 met, 2h 42m late.\n")
        self.assertEqual(self.at(L("10:30", 3), "due", "--fail-if-overdue"), NOTHING)
        self.assert_agree(L("10:30", 3), 1)

        # ◆ The report on day 4 and forty days later: what was met reads the same.
        day4, day40 = L("11:00", 3), L("11:00", 40)
        rows4, rows40 = (deadline_rows(self.at(when, "report", "1")) for when in (day4, day40))
        for name in ("customer-sla", "nis2-early-warning", "nis2-notification",
                     "gdpr-authority"):
            self.assertEqual(rows4[name], rows40[name])
        self.assertEqual(rows4["nis2-early-warning"][4], "met on time")
        self.assertEqual(rows4["gdpr-authority"][4], "met late")
        self.assertEqual((rows4["nis2-final-report"][4], rows40["nis2-final-report"][4]),
                         ("running", "missed"))
        for when in (L("07:00", 1), day4, day40):
            outcomes = {d["name"]: d["outcome"]
                        for d in self.at_json(when, "report", "1")["deadlines"]}
            self.assertEqual(outcomes["nis2-early-warning"], "met on time")
            self.assertEqual(outcomes["customer-sla"], "met on time")
        self.assertEqual(self.due_state(day40)[1], 7)  # the final report was never filed
        self.assert_verify(day40)

        # ◆ Someone edits the severity or the root cause in the database file: verify names it.
        def tampered(sql):
            copy = os.path.join(self.tmp, "tampered.db")
            shutil.copyfile(self.db, copy)
            self.tamper(sql, path=copy)
            return self.run_outage("verify", env={"OUTAGE_DB": copy, "OUTAGE_NOW": day40})

        for what, sql, named in (
                ("the severity", "UPDATE incidents SET severity = 'SEV3'", r"severity"),
                ("the root cause", "UPDATE incidents SET root_cause = 'A cosmic ray'",
                 r"root[ _]cause"),
                ("the assessed severity",
                 "UPDATE events SET payload = replace(payload, '\"SEV1\"', '\"SEV3\"') "
                 "WHERE kind = 'assessed'", r"event \d+ \(incident 1, assessed"),
                ("the closing root cause",
                 "UPDATE events SET payload = replace(payload, 'Phishing', 'Cosmic') "
                 "WHERE kind = 'closed'", r"event \d+ \(incident 1, closed")):
            with self.subTest(edited=what):
                rc, out, err = tampered(sql)
                self.assertEqual(rc, 1, f"verify passed after an edit of {what}:\n{out}{err}")
                self.assertRegex(out + err, named)

    def test_spreading_without_nis2_escalated_reopened_and_filed_late(self):
        # Summer; no NIS2, no customers: only the GDPR clock. The malware is seen leaving the
        # network at 10:00 (SEV2 -> SEV1 brings every clock forward), the incident is closed,
        # reopened on day 2 (a fresh clock) and closed again; the DPA form is filed late and
        # recorded with the time it was filed.
        day = "2026-07-14"
        L = lambda hm, d=0, s=0: self.local(  # noqa: E731
            (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=d)).strftime("%Y-%m-%d"), hm, s)
        self.at(L("07:40"), "open", "--scenario", "malware", "--title", self.TITLE, "--service",
                "file shares")
        doc = self.at_json(L("07:48"), "assess", "1", *answers(SPREADING))
        self.assertEqual((doc["severity"], doc["rule"], doc["update_interval_minutes"]),
                         ("SEV2", "spreading-or-personal-data", 60))
        self.assertEqual([(d["name"], d["due_at"]) for d in doc["deadlines"]],
                         [("gdpr-authority", L("07:48", 3))])
        self.notify(L("07:50"), 1, "frontline", "--to", "helpdesk@example.com")
        self.notify(L("07:52"), 1, "staff", "--to", "all-staff@example.com")
        self.keep_promises(1, L("10:00"), check=True)
        self.assertEqual(self.clocks(1), {"frontline": L("10:50"), "staff": L("10:52")})
        doc = self.at_json(L("10:00"), "assess", "1",
                           *answers(SPREADING[:5] + ["data_leaking=yes"] + SPREADING[6:]))
        self.assertEqual((doc["severity"], doc["previous_severity"], doc["next_update_due"]),
                         ("SEV1", "SEV2", L("10:30")))
        self.assertEqual(self.clocks(1), {"frontline": L("10:30"), "staff": L("10:30")})
        # The GDPR clock started at the first assessment and does not start again.
        self.assertEqual([(d["name"], d["due_at"]) for d in doc["deadlines"]],
                         [("gdpr-authority", L("07:48", 3))])
        self.assert_agree(L("10:30"), 1)
        self.keep_promises(1, L("13:00"), check=True)
        self.at(L("13:00"), "close", "1", "--resolution", "Machines reimaged", err=None)
        self.assert_agree(L("13:01"), 1)

        # Day 2: it is back. Reopening starts the first-update clock afresh (SEV1: 30 min).
        doc = self.at_json(L("09:00", 1), "reopen", "1", "--note", "Beacon seen again")
        self.assertEqual((doc["status"], doc["next_update_due"]), ("open", L("09:30", 1)))
        self.assertEqual(self.clocks(1), {"": L("09:30", 1)})
        self.assertEqual(self.overdue_updates(L("09:29", 1, 59), 1), ([], 0))
        self.assertEqual(self.overdue_updates(L("09:30", 1), 1), ([("", L("09:30", 1))], 7))
        self.assertEqual(self.at(L("09:31", 1), "due"),
                         "Updates due (each audience was promised the time, or the assessment "
                         "asked for a first update):\n"
                         "     ID  SEVERITY  AUDIENCE          OVERDUE     OWNER         TITLE\n"
                         f"      1  SEV1      (first update)    1m          ann           "
                         f"{self.TITLE}\n")
        self.assert_agree(L("09:31", 1), 1)
        self.at(L("11:00", 1), "close", "1", "--resolution", "Second machine reimaged",
                err=None)
        self.assertEqual(self.due_state(L("11:00", 1)), ([], 0))

        # Day 4: missed; filed at 09:00 and recorded at 10:00 with that time: met late.
        self.assertEqual(self.due_state(L("09:00", 3))[1], 7)
        out = self.at(L("10:00", 3), "deadline", "1", "gdpr-authority", "--met", "--at",
                      f"{(datetime.strptime(day, '%Y-%m-%d') + timedelta(days=3)):%Y-%m-%d}T09:00")
        self.assertEqual(out, "Deadline gdpr-authority of incident 1 met at "
                              f"{self.shown(L('09:00', 3))}, 1h 12m late.\n")
        self.assertEqual(self.due_state(L("10:00", 3)), ([], 0))
        self.assert_agree(L("10:00", 3), 1)
        self.assert_report_stable(1, L("12:00", 4), L("12:00", 40))
        self.assertEqual(
            [(d["name"], d["outcome"], d["met_at"])
             for d in self.at_json(L("12:00", 40), "report", "1")["deadlines"]],
            [("gdpr-authority", "met late", L("09:00", 3))])
        self.assertEqual(self.at_json(L("12:00", 40), "report", "1")["reopens"], 1)
        self.assert_verify(L("12:00", 40))


# 3. Power cut at a branch office -------------------------------------------------------------

POWER = ["safety=no", "site=office", "scope=team", "customers=none", "impact=blocked",
         "realtime=yes", "backup_power=ups", "downtime=hours", "data_risk=no", "workaround=no",
         "cause=supplier"]
PHONES_BUSY = "Our phone lines are busy too; we answer e-mail as soon as we can."


class PowerCutTest(StoryTestCase):
    """Power loss, SEV2 (phones down: updates every 30 minutes), an evening: the phone message
    and the auto-reply go up in several languages, the promises lapse while everyone is busy
    (and `due` says so), an `--eta 01:00` typed at 23:30 means tomorrow and says so, the
    close after midnight switches everything back, and the status page shows it resolved."""

    def walk(self, day, phone_lang, auto_reply_langs, eta_at, close_at, other_etas=False):
        next_day = (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")
        L = lambda hm, s=0: self.local(day, hm, s)  # noqa: E731
        N = lambda hm, s=0: self.local(next_day, hm, s)  # noqa: E731

        # 18:10 Facilities reports it; the UPS lasts 40 minutes; the phones are down.
        self.at(L("18:10"), "open", "--scenario", "power-loss", "--title",
                "Power cut at the Utrecht branch", "--service", "phones", "--service",
                "Utrecht branch", user="facilities")
        doc = self.at_json(L("18:12"), "assess", "1", *answers(POWER))
        self.assertEqual((doc["severity"], doc["rule"], doc["update_interval_minutes"],
                          doc["deadlines"]),
                         ("SEV2", "site-stopped-or-servers-dark", 30, []))
        self.at(L("18:15"), "update", "1", "--note", "UPS lasts about 40 minutes")

        # 18:20 The phone menu message and the auto-reply, each reader in their language.
        replies = [self.notify(L("18:20"), 1, "auto-reply", "--template", "auto-reply",
                               "--channel", "file", "--lang", lang, "--workaround", PHONES_BUSY)
                   for lang in auto_reply_langs]
        phone = self.notify(L("18:20"), 1, "phone", "--template", "ivr-message", "--channel",
                            "file", "--lang", phone_lang)
        page = self.notify(L("18:20"), 1, "status-page")
        self.assertIn("18:50", said(self.messages(page)[0], "next_update"))
        for notice, lang in zip(replies + [phone], auto_reply_langs + [phone_lang]):
            (message,) = self.messages(notice)
            self.assertEqual(message.lang, lang)
            self.assertEqual(said(message, "workaround"), PHONES_BUSY)
            self.assertIn("18:50", said(message, "next_update"))
        self.assertEqual(self.clocks(1), {"auto-reply": L("18:50"), "phone": L("18:50"),
                                          "status-page": L("18:50")})
        self.assert_agree(L("18:21"), 1)

        # 18:50 The UPS is empty. Everyone is busy: the promises lapse, and `due` says so.
        self.at(L("18:50"), "update", "1", "--note", "UPS empty; servers shut down cleanly")
        self.assertEqual(self.overdue_updates(L("18:49", 59), 1), ([], 0))
        self.assertEqual(self.overdue_updates(L("18:50"), 1),
                         ([("auto-reply", L("18:50")), ("phone", L("18:50")),
                           ("status-page", L("18:50"))], 7))
        before = shift(eta_at, seconds=-60)
        out = self.at(before, "due")
        late = minutes_between(L("18:50"), before)
        self.assertIn(f"      1  SEV2      phone             {late // 60}h {late % 60}m ", out)
        self.assert_agree(before, 1)

        if other_etas:
            # An estimate later today is today's and says nothing; one already past is refused.
            doc = self.at_json(eta_at, "update", "1", "--eta", "23:45")
            self.assertEqual(doc["eta"], L("23:45"))
            self.refused(eta_at, ["update", "1", "--eta", f"{day}T20:00"], 2,
                         f"--eta {self.shown(L('20:00'))} has already passed (it is now "
                         f"{self.shown(eta_at)})")

        # ◆ 23:30 The operator types `--eta 01:00`: tomorrow 01:00, and it says so.
        tomorrow = f"outage: --eta 01:00 taken as tomorrow, {self.shown(N('01:00'))}\n"
        doc = self.at_json(eta_at, "update", "1", "--eta", "01:00", err=tomorrow)
        self.assertEqual(doc["eta"], N("01:00"))
        self.assertEqual(self.clocks(1)["phone"], L("18:50"), "an ETA alone tells nobody")
        page2 = self.notify(eta_at, 1, "status-page", "--eta", "01:00", err=tomorrow)
        # The same calls as at 18:20, later: the next update, with the new estimate.
        replies2 = [self.notify(eta_at, 1, "auto-reply", "--template", "auto-reply", "--channel",
                                "file", "--lang", lang, "--workaround", PHONES_BUSY)
                    for lang in auto_reply_langs]
        phone2 = self.notify(eta_at, 1, "phone", "--template", "ivr-message", "--channel",
                             "file", "--lang", phone_lang)
        promise = shift(eta_at, minutes=30)
        for notice in [page2, phone2] + replies2:
            (message,) = self.messages(notice)
            eta = said(message, "eta")
            self.assertIsNotNone(eta, message.body)
            self.assertRegex(eta, rf"\b0?{int(next_day[-2:])}\b.*\b01:00\b")
            self.assertIn(self.hm(promise), said(message, "next_update"))
        self.assertEqual(self.notice_fields(phone2)["eta"], self.shown(N("01:00")))
        self.assert_agree(shift(eta_at, minutes=1), 1)

        # 01:20 Power back; staged power-up (for the team: no clock moves).
        before = self.clocks(1)
        self.at(N("01:20"), "update", "1", "--status", "monitoring", "--note",
                "Power back; staged power-up")
        self.assertEqual(self.clocks(1), before)
        self.assert_agree(N("01:21"), 1)

        # Closed after midnight: what the incident put up is switched back.
        last = max(r[0] for r in self.notice_rows(1))
        for step in ("safety-check", "call-supplier", "brief-frontline", "check-ups",
                     "shut-down-cleanly", "send-people", "tell-customers", "staged-power-up",
                     "verify-restore"):
            self.at(N("01:50"), "step", "1", step, "--done")
        out = self.at(close_at, "close", "1", "--resolution", "Grid restored; staged power-up "
                      "done", "--root-cause", "Grid operator cable fault", "--notify")
        self.assertTrue(out.endswith(
            "\n\nReplacing what the incident put up (put each new text where the old one is "
            "live, or switch that off):\n"
            f"Notice {last + 1} to status-page: 1 sent, 0 failed, 0 pending.\n"
            f"Notice {last + 2} to auto-reply: 1 sent, 0 failed, 0 pending.\n"
            f"Notice {last + 3} to phone: 1 sent, 0 failed, 0 pending.\n"), out)
        switched = [last + 1, last + 2, last + 3]
        self.assert_not_ongoing(switched, workaround=PHONES_BUSY)
        with self.subTest("the phone message goes back in the language it was put up in"):
            self.assertEqual([m.lang for m in self.messages(last + 3)], [phone_lang])
        self.assertIn(self.hm(close_at), said(self.messages(last + 1)[0], "resolved_at"))
        doc = self.assert_agree(shift(close_at, minutes=5), 1)
        self.assertEqual((doc["status"], doc["next_update_due"]), ("closed", None))
        self.assertEqual(self.due_state(shift(close_at, minutes=5)), ([], 0))

        # The status page shows the incident as resolved, once.
        site = os.path.join(self.tmp, "status")
        out = self.at(shift(close_at, minutes=5), "status-page", "--out", site)
        self.assertEqual(out, f"Status page written to {site}: All Systems Operational; 0 open "
                              "incidents, 1 resolved in the last 7 days.\n")
        with open(os.path.join(site, "api", "v2", "incidents.json")) as f:
            incidents = json.load(f)["incidents"]
        self.assertEqual([(i["id"], i["status"], i["resolved_at"]) for i in incidents],
                         [("INC-1", "resolved", close_at)])
        with open(os.path.join(site, "api", "v2", "summary.json")) as f:
            summary = json.load(f)
        self.assertEqual((summary["incidents"], summary["status"]["indicator"]), ([], "none"))
        self.assert_verify(shift(close_at, minutes=10))

    def test_power_cut_at_a_branch_office(self):
        self.walk("2026-11-20", "nl", ["en", "nl", "es", "pl"], eta_at=self.local(
            "2026-11-20", "23:30"), close_at=self.local("2026-11-21", "02:05"))

    def test_on_the_night_summer_time_ends(self):
        # 24-25 October 2026: 23:30 CEST; 01:00 tomorrow is still CEST (the clocks go back at
        # 03:00). The phone line speaks Spanish, the auto-reply Polish and English; the log was
        # made with `outage init` before anything happened.
        day = "2026-10-24"
        out = self.at(self.local(day, "18:00"), "init")
        self.assertEqual(out.splitlines()[0], f"Created an empty incident log at {self.db}.")
        self.walk(day, "es", ["pl", "en"], eta_at=self.local(day, "23:30"),
                  close_at=self.local("2026-10-25", "01:55"), other_etas=True)

# 4. The flapping WAN link --------------------------------------------------------------------

WAN = ["where=one-site", "scope=team", "customers=none", "impact=blocked", "realtime=no",
       "downtime=hours", "attack=no", "workaround=yes", "cause=supplier"]
HOOK = ["--scenario", "network-outage", "--title", "WAN link to Rotterdam down",
        "--service", "Rotterdam office network", "--dedup-key", "zabbix:wan-rtm-01"]


class FlappingLinkTest(StoryTestCase):
    """Network outage, SEV3, at night: a monitor re-fires every 30 seconds for an hour and a
    half with the same key and there is one incident; the assessment's first-update clock is
    the only promise (an inquiry to the carrier promises nothing); the engineer closes it in
    the morning. Before anything, cron reads a log that is not there yet, then `outage init`."""

    def fire(self, start, seconds, every, opens=True):
        """The monitor fires from `start` every `every` seconds for `seconds`: each answer is
        incident 1, exit 0, and only the first one opened anything (with `opens`; else none)."""
        moments = [shift(start, seconds=s) for s in range(0, seconds, every)]
        for n, when in enumerate(moments):
            rc, out, err = self.run_outage("open", *HOOK, "--json",
                                           env={"OUTAGE_NOW": when, "OUTAGE_USER": "zabbix"})
            self.assertEqual((rc, err), (0, ""), f"fire {n} at {when}")
            doc = json.loads(out)
            self.assertEqual((doc["id"], doc["retriggered"], doc["status"]),
                             (1, n > 0 or not opens, "open"))
        return moments

    def test_the_flapping_wan_link(self):
        day = "2026-11-25"
        L = lambda hm, s=0: self.local(day, hm, s)  # noqa: E731

        # A cron job reads a log nobody has made yet: an error, and nothing is created.
        self.refused(L("01:00"), ["due", "--fail-if-overdue"], 3,
                     f"no incident log at {self.db}: create one with `outage init`")
        site = os.path.join(self.tmp, "status")
        self.refused(L("01:00"), ["status-page", "--out", site], 3, "outage init")
        self.assertFalse(os.path.exists(self.db))
        self.assertFalse(os.path.exists(site))
        doc = self.at_json(L("01:00"), "init")
        self.assertEqual(doc, {"path": self.db, "created": True, "up_to_date": True})
        self.assertEqual(self.at_json(L("01:01"), "init")["created"], False)
        self.assertEqual(self.at(L("01:05"), "due", "--fail-if-overdue"), NOTHING)
        self.assertEqual(self.at_json(L("01:05"), "list", "--status", "all"), [])
        self.assertIn("All Systems Operational", self.at(L("01:05"), "status-page", "--out",
                                                          site))

        # ◆ 02:00-03:30 The monitor re-fires every 30 seconds with the same key: one incident.
        moments = self.fire(L("02:00"), 90 * 60, 30)
        self.assertEqual(len(moments), 180)
        incidents = self.at_json(L("03:30"), "list", "--status", "all")
        self.assertEqual([(i["id"], i["dedup_key"], i["opened_at"]) for i in incidents],
                         [(1, "zabbix:wan-rtm-01", L("02:00"))])
        timeline = self.timeline(L("03:30"), 1)
        self.assertEqual([e["kind"] for e in timeline if e["kind"] != "retriggered"],
                         ["opened"])
        self.assertEqual(self.query("SELECT count(*) FROM incidents")[0][0], 1)

        # Nobody assessed it for a while (the first fires were at night): due says so.
        self.assertEqual(self.due_state(L("02:14", 59)), ([], 0))
        entries, code = self.due_state(L("02:15"))
        self.assertEqual(([(e["kind"], e["incident"], e["waiting_minutes"]) for e in entries],
                          code), ([("unassessed", 1, 15)], 7))
        # The engineer assessed it at 02:20, between the fires: SEV3, updates every 4 hours.
        doc = self.at_json(L("02:20"), "assess", "1", *answers(WAN))
        self.assertEqual((doc["severity"], doc["rule"], doc["proactive"],
                          doc["update_interval_minutes"], doc["next_update_due"]),
                         ("SEV3", "degraded", False, 240, L("06:20")))
        self.assertEqual([a["audience"] for a in doc["audiences"]],
                         ["frontline", "staff", "vendor"])
        # The carrier is asked; an inquiry promises nothing, so no clock moves.
        vendor = self.notify(L("02:25"), 1, "vendor", "--to", "noc@carrier.example",
                             "--supplier", "FiberNet", "--note",
                             "Our WAN line flaps every 30 seconds since 02:00")
        self.assertEqual(self.clocks(1), {"": L("06:20")})
        self.assertIn("Dear FiberNet support,", self.messages(vendor)[0].body)
        self.assert_agree(L("03:30"), 1)

        # 03:40 Recovery, reported by the monitor: a note for the team moves no clock.
        self.at(L("03:40"), "update", "1", "--status", "monitoring", "--note",
                "Recovery: link up since 03:40", user="zabbix")
        self.assertEqual(self.clocks(1), {"": L("06:20")})

        # The first update the assessment asked for was never sent: due from 06:20 on.
        self.assertEqual(self.overdue_updates(L("06:19", 59), 1), ([], 0))
        self.assertEqual(self.overdue_updates(L("06:20"), 1), ([("", L("06:20"))], 7))
        self.assertEqual(self.at(L("08:00"), "due"),
                         "Updates due (each audience was promised the time, or the assessment "
                         "asked for a first update):\n"
                         "     ID  SEVERITY  AUDIENCE          OVERDUE     OWNER         TITLE\n"
                         "      1  SEV3      (first update)    1h 40m      zabbix        "
                         "WAN link to Rotterdam down\n")
        self.assert_agree(L("08:00"), 1)

        # The engineer closes it in the morning.
        for step in self.at_json(L("08:30"), "steps", "1"):
            if not step["optional"]:
                self.at(L("08:30"), "step", "1", step["id"], "--done", user="ann")
        out = self.at(L("08:30"), "close", "1", "--resolution", "Carrier replaced a line card",
                      "--root-cause", "Faulty line card at the carrier", user="ann")
        # The carrier was asked about its side, not told about ours: no all-clear
        # (docs/decisions.md, "Close, all-clear and handover").
        self.assertTrue(out.endswith("\n\nNobody was told about this incident, so no all-clear "
                                     "is due.\n"), out)
        doc = self.assert_agree(L("08:31"), 1)
        self.assertEqual((doc["status"], doc["next_update_due"]), ("closed", None))
        self.assertEqual(self.at(L("08:31"), "due", "--fail-if-overdue"), NOTHING)
        report = self.at_json(L("09:00"), "report", "1")
        self.assertEqual((report["durations"]["to_assess_seconds"],
                          report["durations"]["to_resolve_seconds"]), (20 * 60, 390 * 60))
        self.assert_report_stable(1, L("09:00"), shift(L("09:00"), days=35))
        self.assert_verify(L("09:00"))

    def test_it_flaps_again_after_the_close(self):
        # Another night, every minute for half an hour; closed at 03:00. At 07:55 the engineer
        # reopens it (a fresh first-update clock, four hours on) and the monitor's next fire
        # joins it; closed again, the next fire opens a new incident, and reopening the first
        # one is then refused: one open incident per key.
        day = "2026-12-02"
        L = lambda hm, s=0: self.local(day, hm, s)  # noqa: E731
        self.at(L("01:00"), "init")
        self.fire(L("02:00"), 30 * 60, 60)
        self.at(L("02:10"), "assess", "1", *answers(WAN))
        self.at(L("03:00"), "close", "1", "--resolution", "Link stable", err=None)
        self.assert_agree(L("03:01"), 1)

        doc = self.at_json(L("07:55"), "reopen", "1", "--note", "Flapping again")
        self.assertEqual((doc["status"], doc["phase"], doc["next_update_due"]),
                         ("open", "investigating", L("11:55")))
        self.assertEqual(self.clocks(1), {"": L("11:55")})
        self.fire(L("08:00"), 120, 60, opens=False)
        self.assertEqual(self.timeline(L("08:01"), 1)[-1]["kind"], "retriggered")
        self.assertEqual(self.overdue_updates(L("11:54", 59), 1), ([], 0))
        self.assertEqual(self.overdue_updates(L("11:55"), 1), ([("", L("11:55"))], 7))
        self.assert_agree(L("11:55"), 1)
        self.at(L("12:00"), "close", "1", "--resolution", "Carrier fixed it", err=None)
        self.assertEqual(self.due_state(L("12:00")), ([], 0))

        doc = self.at_json(L("13:00"), "open", *HOOK, user="zabbix")
        self.assertEqual((doc["id"], doc["retriggered"]), (2, False))
        self.refused(L("13:01"), ["reopen", "1", "--note", "Same link"], 5, "dedup")
        self.assertEqual(self.at_json(L("13:02"), "report", "1")["reopens"], 1)
        self.assert_verify(L("13:02"))


# 5. The payment provider is down -------------------------------------------------------------

PAYMENTS = ["kind=payments", "scope=team", "customers=many", "impact=blocked", "realtime=yes",
            "supplier_status=acknowledged", "downtime=hours", "data_breach=no",
            "personal_data=no", "workaround=no"]
BREACH = PAYMENTS[:7] + ["data_breach=yes", "personal_data=yes", "workaround=no"]
SUPPLIER = "PayFast"
BANK_TRANSFER = "Pay by bank transfer; we keep your order for 24 hours."


class PaymentProviderTest(StoryTestCase):
    """Third-party outage, SEV1 at peak hour (payments are real-time: updates every 15
    minutes): the supplier is named inside and never outside; a bulk notice reaches every
    customer exactly once, meets the customer SLA, and is not sent twice by a command run
    twice; the estimate and the workaround given once are repeated in later updates; the same
    call later is the next numbered update."""

    def walk(self, day, languages, assessment, rule, deadlines):
        L = lambda hm, s=0, d=0: self.local(  # noqa: E731
            (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=d)).strftime("%Y-%m-%d"), hm, s)
        csv = contacts_csv(os.path.join(self.tmp, "shops.csv"), 50, languages, prefix="shop")

        # 12:00 Checkout fails; the supplier is named internally.
        self.at(L("12:00"), "open", "--scenario", "third-party-outage", "--title",
                f"{SUPPLIER} returns 502 for every card payment", "--service", "checkout")
        doc = self.at_json(L("12:02"), "assess", "1", *answers(assessment))
        self.assertEqual((doc["severity"], doc["rule"], doc["update_interval_minutes"]),
                         ("SEV1", rule, 15))
        self.assertEqual(sorted((d["name"], d["due_at"]) for d in doc["deadlines"]),
                         sorted((name, shift(L("12:02"), hours=h)) for name, h in deadlines))
        vendor = self.notify(L("12:03"), 1, "vendor", "--to", "support@payfast.example",
                             "--supplier", SUPPLIER, "--note",
                             "Every card payment fails with HTTP 502 since 12:00")
        self.assertIn(f"Dear {SUPPLIER} support,", self.messages(vendor)[0].body)
        self.assertEqual(self.clocks(1), {"": L("12:17")}, "an inquiry promises nothing")
        frontline = self.notify(L("12:04"), 1, "frontline", "--to", "helpdesk@example.com",
                                "--internal-note", f"{SUPPLIER} confirmed it; their ticket "
                                "PF-88121")
        self.assertIn(f"{SUPPLIER} confirmed it", self.messages(frontline)[0].body)

        # 12:05 ◆ The bulk notice: every customer receives it exactly once. Even a --supplier
        # given by mistake does not reach them.
        customers = self.notify(L("12:05"), 1, "customers", "--recipients", csv, "--workaround",
                                BANK_TRANSFER, "--supplier", SUPPLIER)
        self.notify(L("12:05"), 1, "status-page")
        received = {}
        for rcpts, _ in self.mailbox.snapshot():
            for rcpt in rcpts:
                received[rcpt] = received.get(rcpt, 0) + 1
        shops = [m.recipient for m in self.messages(customers)]
        self.assertEqual(len(shops), 100)
        self.assertEqual({shop: received.get(shop) for shop in shops},
                         {shop: 1 for shop in shops})
        # 12:06 The cron job's flush finds nothing to send, and the same command typed again
        # by accident is refused: still exactly once.
        self.assertEqual(self.at_json(L("12:06"), "outbox", "--flush"), [])
        self.assertEqual(self.at_json(L("12:06"), "outbox"), [])
        self.refused(L("12:06"), ["notify", "1", "--audience", "customers", "--recipients", csv,
                                  "--workaround", BANK_TRANSFER, "--supplier", SUPPLIER], 5,
                     [f"notice {customers}", "--again"])
        # customer-sla is met by that first delivered customer notice.
        sla = [d for d in self.at_json(L("12:06"), "report", "1")["deadlines"]
               if d["name"] == "customer-sla"][0]
        self.assertEqual((sla["met_at"], sla["note"], sla["outcome"]),
                         (L("12:05"), f"met by notice {customers} to customers", "met on time"))
        self.assert_agree(L("12:06"), 1)

        # 12:20 The first update, with an estimate; the workaround is repeated.
        self.keep_promises(1, L("12:20"))
        first_update = self.notify(L("12:20"), 1, "customers", "--template", "customer-update",
                                   "--recipients", csv, "--eta", "14:00")
        self.notify(L("12:20"), 1, "status-page")
        # 12:35 The same call, later: update 3 (the estimate and the workaround still said).
        self.repeat[(1, "customers")] = ("--template", "customer-update", "--recipients", csv)
        self.keep_promises(1, L("12:36"), check=True)
        second_update = max(r[0] for r in self.notice_rows(1) if r[1] == "customers")
        for notice, number in ((first_update, 2), (second_update, 3)):
            for message in self.messages(notice):
                self.assertEqual(said(message, "update_number"), str(number))
                self.assertIn("14:00", said(message, "eta"))
                self.assertEqual(said(message, "workaround"), BANK_TRANSFER)
        # Run again a minute later it is refused; with --again it is update 4.
        again = ["notify", "1", "--audience", "customers", "--template", "customer-update",
                 "--recipients", csv]
        self.refused(L("12:36"), again, 5, [f"notice {second_update}", "--again"])
        fourth = self.notify(L("12:36"), 1, "customers", *again[4:], "--again")
        self.assertEqual({said(m, "update_number") for m in self.messages(fourth)}, {"4"})
        self.assertEqual(self.clocks(1)["customers"], L("12:51"))
        self.assert_agree(L("12:37"), 1)

        # 13:00 Payments work again; closed and everyone told.
        self.keep_promises(1, L("13:00"))
        last = max(r[0] for r in self.notice_rows(1))
        rc, out, err = self.run_outage("close", "1", "--resolution",
                                       f"{SUPPLIER} fixed their gateway", "--notify",
                                       env={"OUTAGE_NOW": L("13:00")})
        self.assertEqual(rc, 0, out + err)
        after = [r for r in self.notice_rows(1) if r[0] > last]
        self.assertEqual([(r[1], r[2]) for r in after],
                         [("frontline", "frontline-briefing"),
                          ("customers", "customer-all-clear"),
                          ("status-page", "status-page-notice")])
        self.assertEqual(len(self.messages(after[1][0])), 100)
        self.assert_not_ongoing([r[0] for r in after], workaround=BANK_TRANSFER)

        # ◆ No customer and no reader of the status page ever read the supplier's name.
        for notice, audience, _, _ in self.notice_rows(1):
            if audience in ("customers", "status-page"):
                for message in self.messages(notice):
                    self.assertNotIn(SUPPLIER.lower(), (message.subject + message.body).lower())
        self.assert_agree(L("13:05"), 1)
        return L

    def test_the_payment_provider_is_down(self):
        L = self.walk("2026-12-04", ["en", "nl"], PAYMENTS,
                      "company-or-customers-stopped-or-breach", [("customer-sla", 4)])
        self.assertEqual(self.due_state(L("13:05")), ([], 0))
        self.assert_report_stable(1, L("14:00"), L("14:00", d=30))
        self.assert_verify(L("14:00"))

    def test_with_a_breach_at_the_provider(self):
        # The provider also reports a breach of card holders' data: personal data, so the
        # GDPR clock runs past the close; the DPO files on day 3 at 09:00 and it is recorded
        # in the afternoon, on the closed incident, on time. Shops read Polish and Spanish.
        L = self.walk("2026-12-04", ["pl", "es", "en"], BREACH,
                      "company-or-customers-stopped-or-breach",
                      [("customer-sla", 4), ("gdpr-authority", 72)])
        self.assertEqual(self.due_state(L("13:50", d=2))[1], 0)
        entries, code = self.due_state(L("12:02", d=3))
        self.assertEqual(([(e["name"], e["outcome"]) for e in entries], code),
                         ([("gdpr-authority", "running")], 0))
        entries, code = self.due_state(L("12:03", d=3))
        self.assertEqual(([(e["name"], e["outcome"]) for e in entries], code),
                         ([("gdpr-authority", "missed")], 7))
        out = self.at(L("15:00", d=3), "deadline", "1", "gdpr-authority", "--met", "--at",
                      "09:00")
        self.assertEqual(out, "Deadline gdpr-authority of incident 1 met at "
                              f"{self.shown(L('09:00', d=3))}, on time.\n")
        self.assertEqual(self.due_state(L("15:00", d=3)), ([], 0))
        self.assert_agree(L("15:00", d=3), 1)
        self.assertEqual(self.at_json(L("15:00", d=3), "show", "1")["status"], "closed")
        self.assert_report_stable(1, L("15:00", d=3), L("15:00", d=45))
        self.assert_verify(L("15:00", d=45))


if __name__ == "__main__":
    import unittest

    unittest.main()

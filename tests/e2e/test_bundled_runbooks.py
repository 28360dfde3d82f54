"""The bundled runbooks as an operator meets them: each assesses to every level it can give,
real-time services get updates more often, the front line hears first, customers get two
contacts per organisation, and the malware plan keeps details out of external messages."""

import os
from datetime import datetime, timedelta

from harness import NOW, SCENARIOS, OutageTestCase

NOW_AT = datetime.strptime(NOW, "%Y-%m-%dT%H:%M:%SZ")

# For each runbook: answers that describe a mild case (SEV4 by the default rule), and for each
# worse level the answers that change to reach it, with the rule that must decide it.
CASES = {
    "hardware-failure": {
        "calm": dict(component="workstation", scope="few", customers="none", impact="annoying",
                     realtime="no", redundancy="yes", downtime="short", data_risk="no",
                     workaround="yes", cause="ours"),
        "SEV3": ({"impact": "blocked"}, "some-blocked-or-customers-notice"),
        "SEV2": ({"realtime": "yes", "redundancy": "no"}, "team-stopped-or-realtime-down"),
        "SEV1": ({"data_risk": "yes", "redundancy": "no"}, "company-stopped-or-data-loss"),
    },
    "malware": {
        "calm": dict(kind="single", scope="few", customers="none", impact="annoying",
                     realtime="no", data_leaking="no", personal_data="no", nis2="no",
                     backups_ok="yes"),
        "SEV3": ({"scope": "team"}, "work-blocked"),
        "SEV2": ({"kind": "spreading"}, "spreading-or-personal-data"),
        "SEV1": ({"kind": "ransomware"}, "ransomware-intrusion-or-leak"),
    },
    "network-outage": {
        "calm": dict(where="part-of-site", scope="few", customers="none", impact="annoying",
                     realtime="no", downtime="short", attack="no", workaround="yes",
                     cause="ours"),
        "SEV3": ({"downtime": "long"}, "degraded"),
        "SEV2": ({"attack": "yes"}, "site-or-realtime-down"),
        "SEV1": ({"where": "our-services", "customers": "many"}, "company-or-customers-cut-off"),
    },
    "power-loss": {
        "calm": dict(safety="no", site="office", scope="few", customers="none",
                     impact="annoying", realtime="no", backup_power="generator",
                     downtime="short", data_risk="no", workaround="yes", cause="supplier"),
        "SEV3": ({"data_risk": "yes"}, "site-slowed"),
        "SEV2": ({"site": "server-room", "backup_power": "ups"}, "site-stopped-or-servers-dark"),
        "SEV1": ({"safety": "yes"}, "people-in-danger-or-company-stopped"),
    },
    "third-party-outage": {
        "calm": dict(kind="business-app", scope="few", customers="none", impact="annoying",
                     realtime="no", supplier_status="acknowledged", downtime="short",
                     data_breach="no", personal_data="no", workaround="yes"),
        "SEV3": ({"customers": "some"}, "degraded"),
        "SEV2": ({"data_breach": "yes"}, "team-stopped-or-realtime-down"),
        "SEV1": ({"personal_data": "yes"}, "company-or-customers-stopped-or-breach"),
    },
}

# severity.yaml's intervals, in minutes; every bundled runbook halves them (or better) for
# real-time services.
DEFAULT_INTERVAL = {"SEV1": 30, "SEV2": 60, "SEV3": 240, "SEV4": 1440}
ROLES = {"incident-owner", "it-responder", "communications", "frontline", "facilities"}
CUSTOMER_FACING = {"customers", "status-page"}


def answer_args(answers):
    args = []
    for key, value in answers.items():
        args += ["--answer", f"{key}={value}"]
    return args


class BundledRunbooksTest(OutageTestCase):
    use_fixture_runbooks = False

    def assess(self, scenario, answers):
        incident = self.open_incident(f"Test of {scenario}", scenario)
        return self.run_json("assess", str(incident), *answer_args(answers))

    def test_every_level_is_reachable_with_the_rule_that_decides_it(self):
        for scenario, case in CASES.items():
            with self.subTest(scenario=scenario, level="SEV4"):
                doc = self.assess(scenario, case["calm"])
                self.assertEqual((doc["severity"], doc["rule"]), ("SEV4", "default"))
                self.assertEqual(doc["update_interval_minutes"], DEFAULT_INTERVAL["SEV4"])
                self.assertFalse(doc["proactive"])
            for level in ("SEV3", "SEV2", "SEV1"):
                change, rule = case[level]
                with self.subTest(scenario=scenario, level=level):
                    doc = self.assess(scenario, {**case["calm"], **change})
                    self.assertEqual((doc["severity"], doc["rule"]), (level, rule))
                    self.assertEqual(doc["proactive"], level in ("SEV1", "SEV2"))
                    self.assertTrue(doc["steps"], "no steps apply")

    def test_realtime_services_get_more_frequent_updates(self):
        for scenario, case in CASES.items():
            change, _ = case["SEV1"]
            base = {**case["calm"], **change}
            with self.subTest(scenario=scenario):
                slow = self.assess(scenario, {**base, "realtime": "no"})
                fast = self.assess(scenario, {**base, "realtime": "yes"})
                self.assertEqual(slow["severity"], fast["severity"])
                self.assertLessEqual(fast["update_interval_minutes"] * 2,
                                     slow["update_interval_minutes"])
                due = NOW_AT + timedelta(minutes=fast["update_interval_minutes"])
                self.assertEqual(fast["next_update_due"], due.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def test_plans_tell_the_front_line_first_and_customers_twice(self):
        for scenario in SCENARIOS:
            runbook = self.run_json("runbook", "show", scenario)
            plan = runbook["communications"]
            with self.subTest(scenario=scenario):
                self.assertEqual(plan[0]["audience"], "frontline")
                self.assertIsNone(plan[0]["when"])
                customers = [e for e in plan if e["audience"] == "customers"]
                self.assertEqual(len(customers), 1)
                self.assertEqual(customers[0]["min_recipients"], 2)
                self.assertEqual(customers[0]["min_per_organisation"], 2)
                for entry in plan:
                    self.assertEqual(entry["customer_facing"], entry["audience"] in CUSTOMER_FACING)
                for step in runbook["steps"]:
                    self.assertIn(step["role"], ROLES, step["id"])
                roles = {step["role"] for step in runbook["steps"]}
                self.assertLessEqual(
                    {"incident-owner", "it-responder", "communications", "frontline"}, roles)
                self.assertTrue(runbook["recovery"] and runbook["prevention"])
                self.assertTrue(runbook["workarounds"])
                # Every question is one an operator can answer from the bundled case table.
                self.assertEqual({q["id"] for q in runbook["questions"]},
                                 set(CASES[scenario]["calm"]))

    def test_sev1_tells_the_front_line_before_customers_and_the_status_page(self):
        for scenario, case in CASES.items():
            change, _ = case["SEV1"]
            with self.subTest(scenario=scenario):
                doc = self.assess(scenario, {**case["calm"], **change})
                names = [a["audience"] for a in doc["audiences"]]
                self.assertEqual(names[0], "frontline")
                self.assertIn("customers", names)
                self.assertIn("status-page", names)

    def test_customers_need_two_contacts_per_organisation(self):
        case = CASES["network-outage"]
        incident = self.open_incident("Site offline", "network-outage", "--service", "portal")
        self.ok("assess", str(incident), *answer_args({**case["calm"], **case["SEV1"][0]}))
        csv = os.path.join(self.tmp, "customers.csv")
        with open(csv, "w") as f:
            f.write("email,name,organisation\n"
                    "ann@acme.example,Ann,Acme\nbob@acme.example,Bob,Acme\n"
                    "cy@globex.example,Cy,Globex\n")
        config = self.use_outbox_config()
        outbox = self.outbox
        notify = ["notify", str(incident), "--config", config, "--audience", "customers",
                  "--channel", "file"]
        before = self.snapshot_db()
        self.assert_fails(notify + ["--recipients", csv], 2, "'Globex' has 1")
        self.assertEqual(self.snapshot_db(), before)
        self.assert_fails(notify + ["--to", "ann@acme.example"], 2, "at least 2")
        self.assertEqual(self.snapshot_db(), before)
        self.assertFalse(os.path.exists(outbox) and os.listdir(outbox))
        with open(csv, "a") as f:
            f.write("di@globex.example,Di,Globex\n")
        self.assertIn("4 sent", self.ok(*notify, "--recipients", csv))
        self.assertEqual(len([f for f in os.listdir(outbox) if f.endswith(".eml")]), 4)

    def test_malware_keeps_details_out_of_external_messages(self):
        runbook = self.run_json("runbook", "show", "malware")
        audiences = {e["audience"]: e for e in runbook["communications"]}
        self.assertNotIn("vendor", audiences)
        for name in CUSTOMER_FACING:
            self.assertIn("note", audiences[name]["withhold"])
        case = CASES["malware"]
        incident = self.open_incident("Ransom note on the file server", "malware",
                                      "--service", "file shares")
        self.ok("assess", str(incident), *answer_args({**case["calm"], **case["SEV1"][0]}))
        before = self.snapshot_db()
        self.assert_fails(["notify", str(incident), "--audience", "customers", "--channel",
                           "stdout", "--to", "a@example.com", "--to", "b@example.com",
                           "--note", "LockBit encrypted the file server"], 2, "note")
        self.assertEqual(self.snapshot_db(), before)
        out = self.ok("notify", str(incident), "--audience", "customers", "--channel", "stdout",
                      "--to", "a@example.com", "--to", "b@example.com", "--eta", "4h")
        self.assertIn("file shares", out)
        self.assertNotIn("Ransom", out)
        self.assertNotIn("malware", out.lower())

    def test_malware_starts_the_legal_clocks_when_answers_make_them_apply(self):
        case = CASES["malware"]
        incident = self.open_incident("Odd logins", "malware")
        doc = self.run_json("assess", str(incident), *answer_args(case["calm"]))
        self.assertEqual(doc["deadlines"], [])
        later = {"OUTAGE_NOW": "2026-11-22T12:00:00Z"}
        doc = self.run_json("assess", str(incident), *answer_args(
            {**case["calm"], "personal_data": "yes", "nis2": "yes"}), env=later)
        due = {d["name"]: d["due_at"] for d in doc["deadlines"]}
        self.assertEqual(due, {
            "nis2-early-warning": "2026-11-23T12:00:00Z",
            "gdpr-authority": "2026-11-25T12:00:00Z",
            "nis2-notification": "2026-11-25T12:00:00Z",
            "nis2-final-report": "2026-12-22T12:00:00Z",
        })
        # A later answer cannot stop a clock that has started.
        doc = self.run_json("assess", str(incident), *answer_args(case["calm"]),
                            env={"OUTAGE_NOW": "2026-11-22T13:00:00Z"})
        self.assertEqual({d["name"] for d in doc["deadlines"]}, set(due))

    def test_third_party_gdpr_clock_and_supplier_inquiry(self):
        case = CASES["third-party-outage"]
        incident = self.open_incident("CRM down", "third-party-outage", "--service", "CRM")
        doc = self.run_json("assess", str(incident),
                            *answer_args({**case["calm"], **case["SEV1"][0]}))
        self.assertIn("gdpr-authority", {d["name"] for d in doc["deadlines"]})
        self.assertEqual([a["audience"] for a in doc["audiences"]][:2], ["frontline", "vendor"])
        out = self.ok("notify", str(incident), "--audience", "vendor", "--channel", "stdout",
                      "--to", "support@crm.example", "--supplier", "CRM Corp")
        self.assertIn("Dear CRM Corp support", out)
        self.assertIn("INC-1", out)

    def test_user_runbook_replaces_the_bundled_one_by_id(self):
        folder = os.path.join(self.tmp, "mine")
        os.mkdir(folder)
        with open(os.path.join(folder, "power-loss.yaml"), "w") as f:
            f.write("version: 1\nid: power-loss\ntitle: Our power plan\ndescription: x\n"
                    "questions:\n  - {id: dark, prompt: \"Dark?\", type: yes-no}\n"
                    "severity:\n  - {name: dark, level: SEV1, when: {question: dark, equals: yes}}\n"
                    "  - {name: default, level: SEV4}\n")
        listed = {r["id"]: r["title"] for r in
                  self.run_json("runbook", "list", env={"OUTAGE_RUNBOOKS": folder})}
        self.assertEqual(listed["power-loss"], "Our power plan")
        self.assertEqual(listed["malware"], "Malware or ransomware")
        self.assertEqual(sorted(listed), SCENARIOS)


if __name__ == "__main__":
    import unittest

    unittest.main()

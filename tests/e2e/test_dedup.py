"""`open --dedup-key`: a monitoring hook may call it on every alert; while an incident with the
key is open, nothing new is opened and the re-trigger is recorded on that incident."""

import unittest

from harness import NOW, USER, OutageTestCase

LATER = "2026-11-22T10:05:00Z"


class DedupTest(OutageTestCase):
    # Every writer these tests drive must leave the tables as its events say.
    verify_log_at_end = True

    def open_keyed(self, key="disk-array-7", title="Disk array degraded", *extra, env=None):
        return self.run_json("open", "--scenario", "hardware-failure", "--title", title,
                             "--dedup-key", key, *extra, env=env)

    def test_second_open_with_the_key_returns_the_same_incident(self):
        first = self.open_keyed()
        self.assertEqual((first["id"], first["retriggered"], first["dedup_key"]),
                         (1, False, "disk-array-7"))
        second = self.open_keyed("disk-array-7", "Disk array degraded again", "--note",
                                 "alert fired twice", env={"OUTAGE_NOW": LATER,
                                                          "OUTAGE_USER": "monitor"})
        self.assertIs(second["retriggered"], True)
        # The existing incident, unchanged: its own title, owner and open time.
        del first["retriggered"], second["retriggered"]
        self.assertEqual(second, first)
        self.assertEqual(self.run_json("list", "--status", "all"), [first])

        timeline = self.run_json("show", "1")["timeline"]
        self.assertEqual(
            timeline,
            [
                {"id": 1, "at": NOW, "kind": "opened", "actor": USER,
                 "title": "Disk array degraded", "scenario": "hardware-failure", "owner": USER,
                 "services": [], "dedup_key": "disk-array-7"},
                {"id": 2, "at": LATER, "kind": "retriggered", "actor": "monitor",
                 "dedup_key": "disk-array-7", "title": "Disk array degraded again",
                 "note": "alert fired twice"},
            ],
        )

    def test_retrigger_human_output_and_exit_code(self):
        self.ok("open", "--scenario", "hardware-failure", "--title", "t", "--dedup-key", "k1")
        for _ in range(3):
            code, out, err = self.run("open", "--scenario", "hardware-failure", "--title", "t",
                                      "--dedup-key", "k1")
            self.assertEqual(
                (code, out, err),
                (0, "Incident 1 is already open for dedup key k1; recorded the re-trigger.\n", ""),
            )
        kinds = [e["kind"] for e in self.run_json("show", "1")["timeline"]]
        self.assertEqual(kinds, ["opened", "retriggered", "retriggered", "retriggered"])
        self.assertIn("alert re-triggered (dedup key k1)", self.ok("show", "1"))
        self.assertEqual(self.query("SELECT count(*) FROM incidents"), [(1,)])

    def test_different_keys_and_no_key_open_new_incidents(self):
        self.assertEqual(self.open_keyed("a")["id"], 1)
        self.assertEqual(self.open_keyed("b")["id"], 2)
        self.assertEqual(self.open_keyed("a")["id"], 1)
        self.assertEqual(self.open_incident("no key"), 3)
        self.assertEqual(self.open_incident("no key"), 4)
        self.assertEqual([i["dedup_key"] for i in self.run_json("list")], ["a", "b", None, None])

    def test_key_matches_exactly(self):
        self.assertEqual(self.open_keyed("Disk-7")["id"], 1)
        self.assertEqual(self.open_keyed("disk-7")["id"], 2)
        self.assertEqual(self.open_keyed("disk-7 ")["id"], 3)

    def test_retrigger_of_another_scenario_still_goes_to_the_open_incident(self):
        self.open_keyed("k")
        doc = self.run_json("open", "--scenario", "network-outage", "--title", "other",
                            "--dedup-key", "k")
        self.assertEqual((doc["id"], doc["retriggered"], doc["scenario"]),
                         (1, True, "hardware-failure"))

    def test_after_close_the_key_opens_a_new_incident(self):
        self.open_keyed("k")
        self.ok("close", "1", "--resolution", "replaced the disk")
        doc = self.open_keyed("k", "Disk array degraded once more",
                              env={"OUTAGE_NOW": LATER})
        self.assertEqual((doc["id"], doc["retriggered"], doc["status"], doc["opened_at"]),
                         (2, False, "open", LATER))
        # The closed one got no re-trigger.
        kinds = [e["kind"] for e in self.run_json("show", "1")["timeline"]]
        self.assertEqual(kinds, ["opened", "closed"])
        # And the next alert goes to the new one.
        self.assertEqual((self.open_keyed("k")["id"], self.open_keyed("k")["retriggered"]),
                         (2, True))

    def test_reopen_refused_while_another_open_incident_has_the_key(self):
        self.open_keyed("k")
        self.ok("close", "1", "--resolution", "fixed")
        self.open_keyed("k")  # incident 2
        self.assert_fails(
            ["reopen", "1", "--note", "it is back"], 5,
            "incident 2 has the same dedup key 'k' and is open",
        )
        self.assertEqual(self.run_json("show", "1")["status"], "closed")
        # Once that one is closed, the first may be reopened, and then takes the alerts.
        self.ok("close", "2", "--resolution", "fixed too")
        doc = self.run_json("reopen", "1", "--note", "it is back")
        self.assertEqual((doc["status"], doc["dedup_key"]), ("open", "k"))
        self.assertEqual(self.open_keyed("k")["id"], 1)
        self.assert_fails(["reopen", "2", "--note", "and this one"], 5,
                          "incident 1 has the same dedup key 'k' and is open")

    def test_dedup_key_shows_in_human_output(self):
        self.open_keyed("disk-array-7")
        self.assertIn("\n  dedup key    disk-array-7\n", self.ok("show", "1"))

    def test_bad_retrigger_changes_nothing(self):
        self.open_keyed("k")
        self.assert_fails(["open", "--scenario", "hardware-failure", "--title", "a\nb",
                           "--dedup-key", "k"], 2, "--title")
        self.assert_fails(["open", "--scenario", "nope", "--title", "t", "--dedup-key", "k"], 3,
                          "unknown scenario 'nope'")
        self.assert_fails(["open", "--scenario", "hardware-failure", "--title", "t",
                           "--dedup-key", "k\x07"], 2, "--dedup-key")

    def test_chain_intact_after_retriggers(self):
        self.open_keyed("k")
        self.open_keyed("k")
        self.open_keyed("k")
        out = self.ok("verify")
        self.assertTrue(out.startswith("Timeline intact: 3 events, last hash "), out)


if __name__ == "__main__":
    unittest.main()

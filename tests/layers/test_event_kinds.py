"""scripts/check-event-kinds passes on the tree and fails on a kind spelled as a string."""

import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-event-kinds"


def run_check(root):
    return subprocess.run([sys.executable, str(CHECK), "--root", str(root)],
                          capture_output=True, text=True, check=False)


class EventKindCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tree = pathlib.Path(tempfile.mkdtemp(prefix="outage-kinds-"))
        for part in ("src", "include"):
            shutil.copytree(ROOT / part, cls.tree / part)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tree)

    def plant(self, relative, text):
        """Appends `text` to a file of the copy until the test ends; returns its first line."""
        path = self.tree / relative
        before = path.read_text(encoding="utf-8")
        self.addCleanup(path.write_text, before, encoding="utf-8")
        path.write_text(before + text, encoding="utf-8")
        return before.count("\n") + 1

    def test_the_tree_spells_no_kind_outside_the_model(self):
        result = run_check(ROOT)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.returncode, 0)

    def test_the_copy_passes_before_anything_is_planted(self):
        self.assertEqual(run_check(self.tree).returncode, 0)

    def test_comparing_a_kind_with_a_string_fails(self):
        for planted in ['bool a(const Event& e) { return e.kind == "closed"; }\n',
                        'bool b(const Event& e) { return "opened" != e.kind; }\n',
                        'bool c(EventKind kind) { return to_string(kind) == "step"; }\n']:
            with self.subTest(planted=planted):
                path = self.tree / "src/report/describe.cpp"
                before = path.read_text(encoding="utf-8")
                line = self.plant("src/report/describe.cpp", planted)
                result = run_check(self.tree)
                path.write_text(before, encoding="utf-8")
                self.assertEqual(result.returncode, 1)
                self.assertIn(f"src/report/describe.cpp:{line}: compares a kind with a string",
                              result.stdout)

    def test_an_append_event_given_a_kind_string_fails(self):
        line = self.plant("src/services/progress.cpp",
                          'void f(Store& s, const Stamp& t) {\n'
                          '    s.append_event(1, t,\n        "reopened", {{"note", "x"}});\n}\n')
        result = run_check(self.tree)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.strip(), f"src/services/progress.cpp:{line + 1}: "
                         "append_event given \"reopened\"; pass a payload of model/events.hpp")

    def test_giving_an_event_a_kind_string_fails(self):
        line = self.plant("include/outage/report/report.hpp",
                          'inline void g(Event& e) { e.kind = "notice"; }\n')
        result = run_check(self.tree)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"include/outage/report/report.hpp:{line}: gives a kind a string",
                      result.stdout)

    def test_kind_names_that_are_not_kinds_pass(self):
        # JSON keys, command names, comments and payload text that happen to match a kind.
        self.plant("src/report/stats.cpp",
                   '// event.kind == "closed" was the old way\n'
                   'nlohmann::json h() { return {{"closed", 1}, {"notice", 2}}; }\n'
                   'void i(Store& s, const Stamp& t) {\n'
                   '    s.append_event(1, t, events::Reopened{.note = "reopened"});\n}\n')
        result = run_check(self.tree)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.returncode, 0)

    def test_the_model_may_spell_kinds(self):
        self.plant("src/model/events.cpp", 'bool j(const Event& e) { return e.kind == "x"; }\n')
        self.assertEqual(run_check(self.tree).returncode, 0)


if __name__ == "__main__":
    unittest.main()

"""scripts/check-layers passes on the tree and fails on a planted wrong-way include."""

import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-layers"


def run_check(root):
    return subprocess.run([sys.executable, str(CHECK), "--root", str(root)],
                          capture_output=True, text=True, check=False)


class LayerCheck(unittest.TestCase):
    def setUp(self):
        self.tree = pathlib.Path(tempfile.mkdtemp(prefix="outage-layers-"))
        self.addCleanup(shutil.rmtree, self.tree)
        for part in ("src", "include", "docs"):
            shutil.copytree(ROOT / part, self.tree / part)

    def plant(self, relative, line):
        path = self.tree / relative
        path.write_text(line + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")

    def test_the_tree_keeps_its_layers(self):
        result = run_check(ROOT)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.returncode, 0)

    def test_the_copy_passes_before_anything_is_planted(self):
        self.assertEqual(run_check(self.tree).returncode, 0)

    def test_model_including_a_service_fails(self):
        self.plant("src/model/time.cpp", '#include "outage/services/lifecycle.hpp"')
        result = run_check(self.tree)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.strip(),
                         "src/model/time.cpp:1: model may not include "
                         "outage/services/lifecycle.hpp (model may use: nothing of ours)")

    def test_sideways_include_between_middle_modules_fails(self):
        self.plant("include/outage/render/render.hpp", '#include "outage/runbook/load.hpp"')
        result = run_check(self.tree)
        self.assertEqual(result.returncode, 1)
        self.assertIn("include/outage/render/render.hpp:1: render may not include "
                      "outage/runbook/load.hpp", result.stdout)

    def test_sqlite_outside_the_store_fails(self):
        self.plant("src/cli/app.cpp", "#include <SQLiteCpp/Exception.h>")
        result = run_check(self.tree)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.strip(), "src/cli/app.cpp:1: cli may not include "
                         "SQLiteCpp/Exception.h (only store may)")

    def test_a_module_missing_from_the_table_fails(self):
        (self.tree / "src" / "extra").mkdir()
        (self.tree / "src" / "extra" / "thing.cpp").write_text("int x;\n", encoding="utf-8")
        result = run_check(self.tree)
        self.assertEqual(result.returncode, 1)
        self.assertIn("module 'extra' is not in the layer table", result.stdout)


if __name__ == "__main__":
    unittest.main()

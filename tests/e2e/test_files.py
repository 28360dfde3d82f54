"""Files nobody else can touch (docs/security.md): what outage writes gets the mode it means
whatever the umask, through a temporary name no one can guess, into folders no one else may
write; what it reads (runbooks, templates, the config file, recipient lists) must be owned by
the user or root and writable by no one else, every folder above included."""

import os
import shutil
import stat
import subprocess

from harness import OutageTestCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

INVALID = 4
RUNTIME = 1
USAGE = 2


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


class WrittenFilesTest(OutageTestCase):
    """Everything outage writes: its mode, its name on the way, and the folder it goes to."""

    def setUp(self):
        super().setUp()
        self.incident = self.open_incident("Power cut at the Leeds office")

    def test_modes_are_set_whatever_the_umask(self):
        site = os.path.join(self.tmp, "site")
        self.ok("status-page", "--out", site, umask=0)
        for folder in ("", "api", "api/v2"):
            self.assertEqual(mode(os.path.join(site, folder)), 0o755, folder or "site")
        for name in ("index.html", "api/v2/summary.json", "api/v2/status.json",
                     "api/v2/incidents.json"):
            self.assertEqual(mode(os.path.join(site, name)), 0o644, name)
        report = os.path.join(self.tmp, "report.html")
        self.ok("report", str(self.incident), "--format", "html", "-o", report, umask=0)
        self.assertEqual(mode(report), 0o600)
        export = os.path.join(self.tmp, "export.json")
        self.ok("export", "-o", export, umask=0)
        self.assertEqual(mode(export), 0o600)
        page = os.path.join(self.tmp, "stats.html")
        self.ok("stats", "--html", page, umask=0)
        self.assertEqual(mode(page), 0o644)
        # The parsed-runbook cache: every folder it makes is owner-only.
        self.ok("runbook", "show", "power-loss", umask=0)
        cache = os.path.join(self.home, ".cache")
        for folder in (cache, os.path.join(cache, "outage"),
                       os.path.join(cache, "outage", "runbooks")):
            self.assertEqual(mode(folder), 0o700, folder)
        leftovers = [name for name in os.listdir(self.tmp) if name.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_a_symlink_planted_at_the_old_temporary_name_is_not_followed(self):
        # outage used to write `-o FILE` through ".FILE.tmp<pid>", opened without O_EXCL or
        # O_NOFOLLOW: someone who plants that symlink before the run (the pid is easy to
        # guess) makes outage write the report into a file of their choosing.
        victim = os.path.join(self.tmp, "victim")
        with open(victim, "w") as f:
            f.write("keep me\n")
        report = os.path.join(self.tmp, "report.md")

        def plant():
            # Runs in the child between fork and exec: the pid outage will have.
            os.symlink(victim, os.path.join(self.tmp, f".report.md.tmp{os.getpid()}"))

        proc = subprocess.run([self.bin, "report", str(self.incident), "-o", report],
                              env=self.env, cwd=self.tmp, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=30, preexec_fn=plant)
        self.assertEqual((proc.returncode, proc.stderr), (0, b""))
        with open(victim) as f:
            self.assertEqual(f.read(), "keep me\n")
        with open(report) as f:
            self.assertIn("Power cut at the Leeds office", f.read())
        planted = [name for name in os.listdir(self.tmp) if name.startswith(".report.md.tmp")]
        self.assertEqual(len(planted), 1)
        self.assertTrue(os.path.islink(os.path.join(self.tmp, planted[0])))

    def test_a_symlink_at_the_target_is_replaced_not_followed(self):
        victim = os.path.join(self.tmp, "victim")
        with open(victim, "w") as f:
            f.write("keep me\n")
        report = os.path.join(self.tmp, "report.md")
        os.symlink(victim, report)
        self.ok("report", str(self.incident), "-o", report)
        self.assertFalse(os.path.islink(report))
        self.assertEqual(mode(report), 0o600)
        with open(victim) as f:
            self.assertEqual(f.read(), "keep me\n")

    def test_output_folders_others_may_write_are_refused(self):
        shared = os.path.join(self.tmp, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o777)
        site = os.path.join(shared, "site")
        cases = [
            (["status-page", "--out", shared], shared, "the status page folder"),
            (["status-page", "--out", site], shared, "the status page folder"),
            (["report", str(self.incident), "-o", os.path.join(shared, "r.md")], shared,
             "the folder of --output"),
            (["export", "-o", os.path.join(shared, "e.json")], shared, "the folder of --output"),
            (["stats", "--html", os.path.join(shared, "s.html")], shared, "the folder of --html"),
        ]
        for args, folder, what in cases:
            with self.subTest(args=args):
                self.assert_fails(args, RUNTIME,
                                  [f"as {what}: the folder {folder}",
                                   "writable by its group and others (mode 0777)",
                                   f"chmod go-w {folder}"], stdout=None)
        self.assertEqual(os.listdir(shared), [])
        # A folder only its group may write is refused too, and so is a folder inside one.
        os.chmod(shared, 0o775)
        inner = os.path.join(shared, "inner")
        os.mkdir(inner, 0o755)
        self.assert_fails(["report", str(self.incident), "-o", os.path.join(inner, "r.md")],
                          RUNTIME, f"the folder {shared} above it is writable by its group",
                          stdout=None)
        self.assertEqual(os.listdir(inner), [])
        # A sticky folder such as /tmp is fine for a file of our own: no one else can
        # replace or remove it there. Not for a status page, where they could add files.
        os.chmod(shared, 0o1777)
        report = os.path.join(shared, "r.md")
        self.ok("report", str(self.incident), "-o", report)
        self.assertEqual(mode(report), 0o600)
        self.assert_fails(["status-page", "--out", shared], RUNTIME,
                          "writable by its group and others (mode 1777)", stdout=None)

    def test_a_status_page_subfolder_others_may_write_is_refused(self):
        # An earlier run under umask 0 left api/ writable by everyone.
        site = os.path.join(self.tmp, "site")
        os.makedirs(os.path.join(site, "api", "v2"))
        os.chmod(os.path.join(site, "api"), 0o777)
        api = os.path.join(site, "api")
        self.assert_fails(["status-page", "--out", site], RUNTIME,
                          f"the folder {api} above it is writable by its group and others",
                          stdout=None)
        self.assertEqual(os.listdir(os.path.join(site, "api", "v2")), [])

    def test_outage_trust_any_is_the_one_way_to_relax_the_check(self):
        shared = os.path.join(self.tmp, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o777)
        report = os.path.join(shared, "r.md")
        self.ok("report", str(self.incident), "-o", report, env={"OUTAGE_TRUST": "any"})
        self.assertEqual(mode(report), 0o600)
        self.assert_fails(["report", str(self.incident), "-o", report], USAGE,
                          "OUTAGE_TRUST is 'any' or unset, not 'yes'",
                          env={"OUTAGE_TRUST": "yes"})


class TrustedInputsTest(OutageTestCase):
    """Runbooks, templates, the config file and recipient lists, and every folder above
    them: owned by the user or root and writable by no one else, or refused (exit 4)."""

    def setUp(self):
        super().setUp()
        # mkdtemp makes the test's folder 0700; the cases below loosen what they test.
        self.runbooks = os.path.join(self.tmp, "team", "runbooks")
        os.makedirs(self.runbooks, 0o755)
        os.chmod(os.path.join(self.tmp, "team"), 0o755)
        for name in ("power-loss.yaml", "severity.yaml"):
            shutil.copy(os.path.join(ROOT, "runbooks", name), self.runbooks)
            os.chmod(os.path.join(self.runbooks, name), 0o644)
        self.env["OUTAGE_RUNBOOKS"] = self.runbooks

    def open_fails(self, message):
        self.assert_fails(["open", "--scenario", "power-loss", "--title", "t"], INVALID, message)

    def test_the_trusted_set_up_works(self):
        self.open_incident("t")

    def test_a_runbooks_folder_others_may_write_is_refused(self):
        os.chmod(self.runbooks, 0o777)
        file = os.path.join(self.runbooks, "power-loss.yaml")
        self.open_fails([f"{file}:1:1: the folder {self.runbooks} above it is writable by its "
                         "group and others (mode 0777), so someone else on this machine could "
                         f"change what outage does or says: chmod go-w {self.runbooks}"])

    def test_a_group_writable_runbook_or_parent_folder_is_refused(self):
        file = os.path.join(self.runbooks, "power-loss.yaml")
        os.chmod(file, 0o664)
        self.open_fails(f"{file}:1:1: the file is writable by its group (mode 0664)")
        os.chmod(file, 0o644)
        team = os.path.join(self.tmp, "team")
        os.chmod(team, 0o775)
        self.open_fails(f"the folder {team} above it is writable by its group (mode 0775)")

    def test_a_sticky_shared_folder_above_a_0755_folder_is_fine(self):
        team = os.path.join(self.tmp, "team")
        os.chmod(team, 0o1777)
        self.open_incident("t")
        # Not sticky: someone else could rename runbooks/ away and put theirs in its place.
        os.chmod(team, 0o777)
        self.open_fails(f"the folder {team} above it is writable by its group and others")

    def test_a_symlinked_runbooks_folder_is_checked_where_it_leads(self):
        link = os.path.join(self.tmp, "link")
        os.symlink(self.runbooks, link)
        self.env["OUTAGE_RUNBOOKS"] = link
        self.open_incident("t")
        os.chmod(self.runbooks, 0o777)
        self.open_fails(f"the folder {self.runbooks} above it is writable")

    def test_a_config_file_others_may_write_is_refused(self):
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write("organisation: Example Ltd\n")
        os.chmod(config, 0o666)
        self.env["OUTAGE_CONFIG"] = config
        self.open_incident("t")
        self.assert_fails(["status-page", "--out", os.path.join(self.tmp, "site")], INVALID,
                          f"{config}:1:1: the file is writable by its group and others (mode "
                          f"0666)")

    def test_a_template_others_may_write_is_refused(self):
        incident = self.open_incident("t")
        templates = os.path.join(self.tmp, "templates")
        os.mkdir(templates, 0o755)
        shutil.copy(os.path.join(ROOT, "templates", "staff-alert.en.mustache"), templates)
        os.chmod(templates, 0o775)
        self.assert_fails(["template", "render", str(incident), "--template", "staff-alert"],
                          INVALID, f"the folder {templates} above it is writable by its group",
                          env={"OUTAGE_TEMPLATES": templates})

    def test_a_recipient_list_in_a_folder_others_may_write_is_refused(self):
        incident = self.open_incident("t")
        shared = os.path.join(self.tmp, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o777)
        csv = os.path.join(shared, "staff.csv")
        with open(csv, "w") as f:
            f.write("email,name\nann@example.com,Ann\n")
        os.chmod(csv, 0o644)
        args = ["notify", str(incident), "--audience", "staff", "--channel", "stdout",
                "--recipients", csv]
        self.assert_fails(args, INVALID,
                          f"--recipients {csv}: the folder {shared} above it is writable by its "
                          "group and others (mode 0777)")
        os.chmod(shared, 0o755)
        code, out, err = self.run(*args)
        self.assertEqual(code, 0, err)
        self.assertIn("ann@example.com", out)

    def test_an_answers_file_others_may_write_is_refused(self):
        incident = self.open_incident("t")
        answers = os.path.join(self.tmp, "answers.yaml")
        with open(answers, "w") as f:
            f.write("site: office\n")
        os.chmod(answers, 0o646)
        self.assert_fails(["assess", str(incident), "--answers-file", answers], INVALID,
                          f"--answers-file: {answers}:1:1: the file is writable by others "
                          "(mode 0646)")

    def test_outage_trust_any_accepts_what_the_check_refuses(self):
        os.chmod(self.runbooks, 0o777)
        self.open_incident("t", env={"OUTAGE_TRUST": "any"})

    def test_the_bundled_runbooks_and_templates_pass_the_check(self):
        # The source tree of a clean checkout (umask 022) is trusted as it is.
        env = {"OUTAGE_RUNBOOKS": None, "OUTAGE_TEMPLATES": None}
        self.ok("runbook", "lint", env=env)
        self.ok("template", "lint", env=env)


if __name__ == "__main__":
    import unittest

    unittest.main()

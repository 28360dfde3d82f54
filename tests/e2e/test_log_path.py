"""The log's path (docs/errors.md#the-log--exit-1): anything but a file there (a FIFO, a
folder, a device) is refused at once, before SQLite opens it; a log on read-only media or in
a folder the user may not write serves every command that only reads it, and a command that
writes says why it cannot in one line."""

import os
import stat
import subprocess

from harness import OutageTestCase, file_digest

RUNTIME = 1
# A FIFO used to block `list` forever: a hang must fail the test, not stall the suite.
HANG = 20

READERS = [["list"], ["show", "1"], ["verify"], ["export"], ["report", "1"], ["due"],
           ["stats"]]


def as_nobody():
    """For a child process when the tests run as root, who may write anything: become an
    ordinary user, so permissions mean what they mean for operators."""
    def setup():
        os.setgid(65534)
        os.setuid(65534)
    return setup if os.geteuid() == 0 else None


class LogPathTest(OutageTestCase):
    def run_briefly(self, *args, db, user=None):
        proc = subprocess.run([self.bin, *args], env=dict(self.env, OUTAGE_DB=db), cwd=self.tmp,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=HANG,
                              preexec_fn=user)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()

    def assert_refused(self, path, what):
        for args in (["list"], ["show", "1"], ["verify"], ["init"],
                     ["open", "--scenario", "malware", "--title", "t"]):
            with self.subTest(args=args):
                code, out, err = self.run_briefly(*args, db=path)
                self.assertEqual((code, out), (RUNTIME, ""), err)
                self.assert_one_error_line(
                    err, f"incident log {path}: is {what}, not an incident log file")

    def test_a_fifo_is_refused_without_waiting_for_a_writer(self):
        fifo = os.path.join(self.tmp, "incidents.db")
        os.mkfifo(fifo, 0o600)
        self.assert_refused(fifo, "a FIFO (named pipe)")
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        self.assertEqual(os.listdir(self.tmp).count("incidents.db-wal"), 0)

    def test_a_folder_is_refused(self):
        folder = os.path.join(self.tmp, "a-folder")
        os.mkdir(folder)
        self.assert_refused(folder, "a directory")
        self.assertEqual(os.listdir(folder), [])

    def test_a_device_is_refused(self):
        self.assert_refused("/dev/null", "a device")
        self.assertFalse(os.path.exists("/dev/null-wal"))

    def test_a_log_on_read_only_media_serves_every_reader(self):
        self.open_incident("Power cut at the Leeds office")
        self.ok("update", "1", "--note", "Generator on its way")
        wanted = {tuple(args): self.ok(*args) for args in READERS}
        folder = os.path.dirname(self.db)
        # Readers leave an empty -wal and the -shm file behind; a copy of the log may hold
        # them or not. What a read-only mount gives an ordinary user: neither the files nor
        # their folder may be written.
        os.chmod(self.tmp, 0o755)
        for name in os.listdir(folder):
            os.chmod(os.path.join(folder, name), 0o444)
        os.chmod(folder, 0o555)
        self.addCleanup(os.chmod, folder, 0o700)
        digest = file_digest(self.db)
        for leftovers in (True, False):
            if not leftovers:
                os.chmod(folder, 0o700)
                self.assertEqual(os.path.getsize(self.db + "-wal"), 0)
                os.remove(self.db + "-wal")
                os.remove(self.db + "-shm")
                os.chmod(folder, 0o555)
            listing = sorted(os.listdir(folder))
            self.assertEqual(listing, ["incidents.db", "incidents.db-shm", "incidents.db-wal"]
                             if leftovers else ["incidents.db"])
            for args in READERS:
                with self.subTest(args=args, leftovers=leftovers):
                    code, out, err = self.run_briefly(*args, db=self.db, user=as_nobody())
                    self.assertEqual((code, err), (0, ""))
                    self.assertEqual(out, wanted[tuple(args)])
                    self.assertEqual(sorted(os.listdir(folder)), listing)
        # A command that writes says why it cannot, and leaves everything as it was.
        for args in (["open", "--scenario", "malware", "--title", "t"],
                     ["update", "1", "--note", "x"]):
            with self.subTest(args=args):
                code, out, err = self.run_briefly(*args, db=self.db, user=as_nobody())
                self.assertEqual((code, out), (RUNTIME, ""), err)
                self.assert_one_error_line(
                    err, f"incident log {self.db}: cannot write the file (Permission denied); "
                         "commands that only read it (list, show, verify, export, report, due, "
                         "stats) still work")
        self.assertEqual(os.listdir(folder), ["incidents.db"])
        self.assertEqual(file_digest(self.db), digest)

    def test_a_writable_log_in_a_folder_that_is_not_says_so(self):
        self.open_incident("t")
        folder = os.path.dirname(self.db)
        os.chmod(self.tmp, 0o755)
        os.chmod(folder, 0o555)
        self.addCleanup(os.chmod, folder, 0o700)
        if os.geteuid() == 0:
            os.chown(self.db, 65534, 65534)
        digest = file_digest(self.db)
        code, out, err = self.run_briefly("update", "1", "--note", "x", db=self.db,
                                          user=as_nobody())
        self.assertEqual((code, out), (RUNTIME, ""), err)
        self.assert_one_error_line(
            err, f"incident log {self.db}: cannot write its folder {folder} (Permission "
                 "denied), where SQLite keeps the log's -wal and -shm files while it writes")
        self.assertEqual(os.listdir(folder), ["incidents.db"])
        self.assertEqual(file_digest(self.db), digest)
        code, out, err = self.run_briefly("show", "1", db=self.db, user=as_nobody())
        self.assertEqual((code, err), (0, ""))


if __name__ == "__main__":
    import unittest

    unittest.main()

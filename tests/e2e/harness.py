"""Shared helpers for the end-to-end tests: run the built `outage` binary the way a user
does, on a fresh temporary database, with a fixed clock and a clean environment.

OUTAGE_BIN names the binary (CTest sets it; see tests/CMakeLists.txt).
"""

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import unittest

# The fixed clock every test starts from (a Sunday in winter: Amsterdam is UTC+1, CET).
NOW = "2026-11-22T10:00:00Z"
ZONE = "Europe/Amsterdam"
USER = "tester"

# The five scenario ids the product bundles.
SCENARIOS = ["hardware-failure", "malware", "network-outage", "power-loss", "third-party-outage"]

# Minimal valid runbooks with the bundled ids, so the lifecycle tests do not depend on what the
# bundled runbooks declare (deadlines they start on open would add events to every timeline).
# Answer `down=yes` to assess SEV2 (update interval 1h), anything else gives SEV4 (1d).
FIXTURE_RUNBOOK = """\
version: 1
id: {id}
title: Test {id}
description: A runbook for the end-to-end tests.
questions:
  - id: down
    prompt: Is it down?
    type: yes-no
severity:
  - name: down
    level: SEV2
    when: {{question: down, equals: yes}}
  - name: default
    level: SEV4
"""

FIXTURE_SEVERITY = """\
version: 1
levels:
  - id: SEV1
    name: Critical
    meaning: Nothing works.
    update-interval: 30m
    proactive: true
  - id: SEV2
    name: Major
    meaning: Most work stops.
    update-interval: 1h
    proactive: true
  - id: SEV3
    name: Minor
    meaning: Some work is slowed down.
    update-interval: 4h
    proactive: false
  - id: SEV4
    name: Low
    meaning: An annoyance.
    update-interval: 1d
    proactive: false
"""


def outage_bin():
    path = os.environ.get("OUTAGE_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build", "dev", "src", "outage")
    return os.path.abspath(path)


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reserve_port():
    """A TCP socket bound to a free port on 127.0.0.1 and not listening. The port stays taken
    for as long as the socket is open (unlike binding port 0, closing and binding again, where
    another process can take it in between), and a connection to it is refused until something
    listens on it: hand the socket to smtp_server(), or keep it as a port where nothing
    listens."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def smtp_server(handler, sock, **kwargs):
    """An aiosmtpd Controller (not started yet) for `handler` that serves on `sock`, a socket
    from reserve_port(), instead of binding a port of its own; its .port is the socket's port.
    `kwargs` go to Controller. The socket is the server's: stopping the server closes it."""
    from aiosmtpd.controller import Controller

    class SocketController(Controller):
        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=sock,
                                           ssl=self.ssl_context)

    return SocketController(handler, hostname="127.0.0.1", port=sock.getsockname()[1],
                            **kwargs)


def login_name():
    """The name outage falls back to without --as or OUTAGE_USER (getlogin, then passwd)."""
    try:
        name = os.getlogin()
        if name:
            return name
    except OSError:
        pass
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


class OutageTestCase(unittest.TestCase):
    """A fresh temporary directory, database path and environment for every test."""

    maxDiff = None
    # Set to False in a test class to run against the bundled runbooks only.
    use_fixture_runbooks = True
    # Set to True in a test class to run `outage verify` on each test's log when it ends: every
    # writer the test drove must leave the tables as its events say (docs/security.md).
    verify_log_at_end = False

    def setUp(self):
        self.bin = outage_bin()
        if not os.access(self.bin, os.X_OK):
            self.fail(f"OUTAGE_BIN {self.bin} is not an executable; build first")
        self.tmp = tempfile.mkdtemp(prefix="outage-e2e-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.db = os.path.join(self.tmp, "data", "incidents.db")
        self.runbooks = None
        if self.use_fixture_runbooks:
            self.runbooks = os.path.join(self.tmp, "runbooks")
            os.mkdir(self.runbooks)
            for scenario in SCENARIOS:
                with open(os.path.join(self.runbooks, scenario + ".yaml"), "w") as f:
                    f.write(FIXTURE_RUNBOOK.format(id=scenario))
            with open(os.path.join(self.runbooks, "severity.yaml"), "w") as f:
                f.write(FIXTURE_SEVERITY)
        self.env = self.base_env()
        if self.verify_log_at_end:
            self.addCleanup(self.assert_log_verifies)

    def base_env(self):
        """The environment every command runs with; nothing OUTAGE_* is inherited."""
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": self.home,
            "XDG_DATA_HOME": os.path.join(self.home, ".local", "share"),
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_CACHE_HOME": os.path.join(self.home, ".cache"),
            "XDG_STATE_HOME": os.path.join(self.home, ".local", "state"),
            "LANG": "C.UTF-8",
            "TZ": ZONE,
            "NO_COLOR": "1",
            "OUTAGE_DB": self.db,
            "OUTAGE_NOW": NOW,
            "OUTAGE_USER": USER,
        }
        if self.runbooks:
            env["OUTAGE_RUNBOOKS"] = self.runbooks
        return env

    def use_outbox_config(self, extra=""):
        """Writes a config file whose file channel writes to self.outbox (plus `extra` YAML)
        and makes every command use it; returns the config file's path."""
        self.outbox = os.path.join(self.tmp, "outbox")
        config = os.path.join(self.tmp, "config.yaml")
        with open(config, "w") as f:
            f.write(f"outbox: {self.outbox}\n{extra}")
        self.env["OUTAGE_CONFIG"] = config
        return config

    # Servers on 127.0.0.1 -------------------------------------------------------------------

    def serve_smtp(self, handler, **kwargs):
        """Starts an aiosmtpd server for `handler` on a port the OS chooses, stopped when the
        test ends; returns its port. `kwargs` go to Controller."""
        sock = reserve_port()
        self.addCleanup(sock.close)
        controller = smtp_server(handler, sock, **kwargs)
        controller.start()
        self.addCleanup(controller.stop)
        return controller.port

    def serve_http(self, handler_class):
        """Starts a threading HTTP server for `handler_class` (a BaseHTTPRequestHandler) on a
        port the OS chooses, stopped when the test ends; returns its base URL."""
        import http.server
        import threading

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.addCleanup(server.server_close)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}"

    # Running the binary ------------------------------------------------------------------

    def run_outage(self, *args, env=None, input=None, umask=None, unset=()):
        """Runs outage with `args`; `env` entries override the base environment (a value of
        None removes the variable, as do names in `unset`). Returns (code, stdout, stderr)."""
        full_env = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        for key in unset:
            full_env.pop(key, None)
        argv = [self.bin] + [a if isinstance(a, bytes) else str(a) for a in args]
        kwargs = {}
        if umask is not None:
            kwargs["umask"] = umask
        proc = subprocess.run(
            argv,
            env=full_env,
            input=input.encode() if isinstance(input, str) else input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            cwd=self.tmp,
            timeout=30,
            **kwargs,
        )
        return (
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )

    # `run("show", "1")` runs outage. unittest calls TestCase.run itself with nothing or a
    # result object; those calls go to unittest. (Use run_outage() to run outage with no
    # arguments at all.)
    def run(self, *args, **kwargs):
        if not args and set(kwargs) <= {"result"}:
            return super().run(**kwargs)
        if len(args) == 1 and not kwargs and isinstance(args[0], (unittest.TestResult, type(None))):
            return super().run(*args)
        return self.run_outage(*args, **kwargs)

    def ok(self, *args, **kwargs):
        """Runs a command that must succeed silently on stderr; returns stdout."""
        code, out, err = self.run_outage(*args, **kwargs)
        self.assertEqual(
            (code, err), (0, ""), f"outage {' '.join(map(str, args))} failed:\n{out}{err}"
        )
        return out

    def run_json(self, *args, **kwargs):
        """Runs a command with --json that must succeed; returns the parsed document."""
        out = self.ok(*args, "--json", **kwargs)
        try:
            return json.loads(out)
        except json.JSONDecodeError as e:
            self.fail(f"outage {' '.join(map(str, args))} --json printed no JSON ({e}):\n{out}")

    def open_incident(self, title="Power cut at the Leeds office", scenario="power-loss", *extra,
                      **kwargs):
        """Opens an incident and returns its id."""
        doc = self.run_json("open", "--scenario", scenario, "--title", title, *extra, **kwargs)
        self.assertIsInstance(doc["id"], int)
        return doc["id"]

    # The log -----------------------------------------------------------------------------

    def snapshot_db(self, path=None):
        """Every row of every table (and the schema version), read-only; None when the file
        does not exist. Never creates or changes the file."""
        path = path or self.db
        if not os.path.exists(path):
            return None
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            dump = {"user_version": conn.execute("PRAGMA user_version").fetchone()[0]}
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                dump[table] = conn.execute(f"SELECT * FROM {quoted} ORDER BY 1").fetchall()
            return dump
        finally:
            conn.close()

    def query(self, sql, params=(), path=None):
        """Runs a read-only query on the log and returns all rows."""
        conn = sqlite3.connect(f"file:{path or self.db}?mode=ro", uri=True)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def tamper(self, sql, params=(), path=None):
        """Changes the log behind outage's back, as someone with the sqlite3 shell would."""
        conn = sqlite3.connect(path or self.db)
        try:
            conn.execute(sql, params)
            conn.commit()
        finally:
            conn.close()

    # Assertions --------------------------------------------------------------------------

    def assert_log_verifies(self, path=None):
        """`outage verify` passes on the log (when there is one): the chain is whole and every
        table holds what the events give."""
        path = path or self.db
        if not os.path.exists(path):
            return
        code, out, err = self.run_outage("verify", "--json", env={"OUTAGE_DB": path})
        self.assertEqual((code, err), (0, ""), f"outage verify failed on the test's log:\n{out}{err}")
        self.assertTrue(json.loads(out)["ok"], out)

    def assert_one_error_line(self, err, substring=None):
        self.assertTrue(err.startswith("outage: "), f"stderr does not start with 'outage: ': {err!r}")
        self.assertTrue(err.endswith("\n"), f"stderr does not end with a newline: {err!r}")
        self.assertEqual(err.count("\n"), 1, f"stderr is not exactly one line: {err!r}")
        if substring is not None:
            self.assertIn(substring, err)

    def assert_fails(self, args, code, message, env=None, input=None, stdout="", db=None):
        """Runs a command that must fail with `code`, one `outage: ` line on stderr containing
        `message` (a string, or a list of strings that must all appear), `stdout` on stdout
        (None: anything) and the log exactly as it was. Returns stderr."""
        before = self.snapshot_db(db)
        rc, out, err = self.run_outage(*args, env=env, input=input)
        shown = " ".join(repr(a) if isinstance(a, bytes) else str(a) for a in args)
        self.assertEqual(rc, code, f"outage {shown}: exit {rc}, wanted {code}\n{out}{err}")
        for part in [message] if isinstance(message, str) else message:
            self.assert_one_error_line(err, part)
        if stdout is not None:
            self.assertEqual(out, stdout, f"outage {shown}: unexpected stdout")
        self.assertEqual(self.snapshot_db(db), before, f"outage {shown} changed the log")
        return err

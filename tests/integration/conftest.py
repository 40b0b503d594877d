"""Integration test harness: starts the real `sluice` binary on a free port
in a temporary directory and stops it by process id when the test is done.

TEST_SLUICE_BIN names the binary (scripts/run-integration sets it). A test
fails if the broker's log shows a sanitizer report or a crash."""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SLUICE_BIN = os.environ.get("TEST_SLUICE_BIN", os.path.join(ROOT, "build", "sluice"))
SANITIZED = os.environ.get("TEST_SANITIZED") == "1"


def free_port(avoid=()):
    """A port free now. Two picks made before either is bound can get the
    same port back from the kernel, so a caller passes the ones it holds."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in avoid:
            return port


class Broker:
    """One sluice process. Data lives in `data_dir` across restarts."""

    def __init__(self, data_dir, props=None, env=None):
        self.data_dir = str(data_dir)
        self.props = dict(props or {})
        self.extra_env = dict(env or {})
        self.port = None
        self.http_port = None   # the HTTP listener (metrics, API, console); None if turned off
        self.schema_port = None   # the schema registry's REST listener
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(self.data_dir), os.path.basename(self.data_dir) + ".log")
        self.ready_ms = None

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.port

    @property
    def http_url(self):
        return "http://127.0.0.1:%d" % self.http_port

    @property
    def schema_url(self):
        return "http://127.0.0.1:%d" % self.schema_port

    def start(self, timeout=20):
        """Starts the process and waits until it listens. Ports this call
        picks are picked again if another process took one between the
        pick and the bind (seen under load in CI)."""
        picked = {"port": self.port is None, "http_port": self.http_port is None,
                  "schema_port": self.schema_port is None}
        for attempt in range(3):
            try:
                return self._start_once(timeout)
            except RuntimeError as e:
                if "Address already in use" not in str(e) or not any(picked.values()) or attempt == 2:
                    raise
                for name, was_picked in picked.items():
                    if was_picked:
                        setattr(self, name, None)

    def _start_once(self, timeout):
        if self.port is None:
            self.port = free_port()
        args = [SLUICE_BIN, "serve",
                "--listeners=PLAINTEXT://127.0.0.1:%d" % self.port,
                "--log.dirs=%s" % self.data_dir]
        # Every broker gets its own HTTP port (the default 8080 may be taken),
        # unless the test sets http.listeners itself.
        if "http.listeners" not in self.props:
            if self.http_port is None:
                self.http_port = free_port(avoid={self.port})
            args.append("--http.listeners=http://127.0.0.1:%d" % self.http_port)
        # Likewise the schema registry (its default 8081 may be taken).
        if "schema.registry.listeners" not in self.props:
            if self.schema_port is None:
                self.schema_port = free_port(avoid={self.port, self.http_port})
            args.append("--schema.registry.listeners=http://127.0.0.1:%d" % self.schema_port)
        args += ["--%s=%s" % (k, v) for k, v in self.props.items()]
        env = dict(os.environ)
        env.update(self.extra_env)
        if SANITIZED:
            env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1:exitcode=23")
            env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=23")
        self.log = open(self.log_path, "a")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sluice exited with %s:\n%s" % (self.proc.returncode, self.read_log()[-3000:]))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    self.ready_ms = (time.monotonic() - t0) * 1000
                    return self
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("sluice did not start listening:\n" + self.read_log()[-3000:])

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops the broker by pid; returns its exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        self.log.close()
        return rc

    def restart(self, **kw):
        self.stop()
        return self.start(**kw)

    def read_log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def check_log_clean(self):
        text = self.read_log()
        bad = re.findall(r".*(?:Sanitizer|runtime error:|AddressSanitizer|LeakSanitizer|SEGV|Aborted).*", text)
        assert not bad, "broker log shows a crash or sanitizer report:\n" + "\n".join(bad[:20])


@pytest.fixture
def broker_factory(tmp_path):
    """Make brokers with properties; all are stopped (by pid) at the end."""
    made = []

    def make(props=None, name="data", env=None, start=True):
        b = Broker(tmp_path / name, props, env)
        made.append(b)
        return b.start() if start else b

    yield make
    for b in made:
        rc = b.stop()
        b.check_log_clean()
        # A clean SIGTERM shutdown must exit 0 (sanitizers make it non-zero).
        assert rc in (0, None, -9, 137), "broker exited with %s:\n%s" % (rc, b.read_log()[-3000:])


@pytest.fixture
def broker(broker_factory):
    """A broker with the embedded defaults (auto-create on, 1 partition)."""
    return broker_factory()


@pytest.fixture(scope="session")
def kafka_reference(tmp_path_factory):
    """One single-node Apache Kafka 4.4 (KRaft) for the whole session, for the
    tests that compare Sluice with it; stopped by pid at the end."""
    from kafka_reference import ReferenceKafka
    ref = ReferenceKafka(tmp_path_factory.mktemp("kafka-reference") / "state.json").start()
    yield ref
    ref.stop()

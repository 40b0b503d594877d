"""The container image: built by `make image`, run with its ports published
on other host ports, used through them with kcat, restarted on the same
volume, and stopped with SIGTERM."""
import json
import subprocess
import time
import urllib.request

import pytest

from conftest import consume_all, free_port, kcat_roundtrip, run


class Container:
    """One `podman run` of the image. The Kafka port is published on another
    host port (9092 -> kafka_port) and advertised as that, which is unreachable
    inside the container; `podman exec ... sluice` uses the image's INTERNAL
    loopback listener (SLUICE_BOOTSTRAP), which is not published."""

    def __init__(self, image, volume):
        self.image, self.volume = image, volume
        self.name = "sluice-test-%d" % free_port()
        self.kafka_port, self.http_port = free_port(), free_port()

    @property
    def bootstrap(self):
        return "127.0.0.1:%d" % self.kafka_port

    def http(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.http_port, path), timeout=5) as r:
            return r.status, r.read().decode()

    def start(self):
        """podman run, then waits for /health/ready; returns seconds to ready."""
        t0 = time.monotonic()
        run("podman", "run", "-d", "--name", self.name,
            "-p", "127.0.0.1:%d:9092" % self.kafka_port, "-p", "127.0.0.1:%d:8080" % self.http_port,
            "-v", "%s:/var/lib/sluice" % self.volume,
            "-e", "SLUICE_ADVERTISED_LISTENERS=PLAINTEXT://127.0.0.1:%d" % self.kafka_port,
            self.image)
        while time.monotonic() - t0 < 30:
            try:
                if self.http("/health/ready")[0] == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("not ready in 30 s:\n" + self.logs())

    def stop(self):
        """podman stop (SIGTERM, SIGKILL after 10 s); returns seconds taken and the exit code."""
        t0 = time.monotonic()
        run("podman", "stop", "-t", "10", self.name)
        took = time.monotonic() - t0
        code = int(run("podman", "inspect", "-f", "{{.State.ExitCode}}", self.name).strip())
        return took, code

    def logs(self):
        p = subprocess.run(["podman", "logs", self.name], capture_output=True, text=True)
        return p.stdout + p.stderr   # podman logs replays the broker's stderr on stderr

    def remove(self):
        subprocess.run(["podman", "rm", "-f", self.name], capture_output=True)


@pytest.fixture
def volume(podman):
    name = "sluice-test-%d" % free_port()
    run("podman", "volume", "create", name)
    yield name
    subprocess.run(["podman", "volume", "rm", "-f", name], capture_output=True)


def test_image_serves_restarts_on_its_volume_and_stops_on_sigterm(image, volume):
    first = Container(image, volume)
    try:
        ready_s = first.start()
        print("\npodman run to ready: %.2f s" % ready_s)
        assert kcat_roundtrip(first.bootstrap, "orders", ["a", "b", "c"]) == ["a", "b", "c"]
        # Metadata names the published port, so kcat reached the broker through it.
        meta = run("kcat", "-L", "-b", first.bootstrap, "-t", "orders")
        assert "127.0.0.1:%d" % first.kafka_port in meta
        status, body = first.http("/health/ready")
        assert status == 200
        status, metrics = first.http("/metrics")
        assert status == 200 and "sluice_" in metrics
        # The CLI is in the image, as `kubectl exec ... kafka-topics` would be,
        # and works though the advertised port is not the one inside.
        assert first.kafka_port != 9092
        run("podman", "exec", first.name, "sluice", "topic", "create", "payments", "--partitions", "2")
        assert {"orders", "payments"} <= set(run("podman", "exec", first.name, "sluice", "topic", "list").split())
        assert "2 partitions" in run("kcat", "-L", "-b", first.bootstrap, "-t", "payments")
        # The internal listener is not published: only 9092 and 8080 are.
        ports = run("podman", "port", first.name)
        assert "9093" not in ports and "9092/tcp" in ports, ports
        # The image's HEALTHCHECK agrees.
        run("podman", "healthcheck", "run", first.name)
        took, code = first.stop()
        print("stop (SIGTERM) took %.2f s, exit code %d" % (took, code))
        assert code == 0, first.logs()
        assert took < 10
        logs = first.logs()
        # The container's 1024 descriptors: the broker starts, and says the
        # limit is below max.connections.
        assert "nofile=1024 max_connections=10000" in logs
        assert 'msg="shutting down" signal=TERM' in logs and 'msg="stopped"' in logs
    finally:
        first.remove()

    second = Container(image, volume)
    try:
        second.start()
        # A clean shutdown left nothing to recover.
        assert "recovered_bytes=0" in second.logs()
        assert consume_all(second.bootstrap, "orders") == ["a", "b", "c"]
        # The topic made through the CLI survived too, seen from inside and out.
        assert "payments" in run("podman", "exec", second.name, "sluice", "topic", "list").split()
        assert "2 partitions" in run("kcat", "-L", "-b", second.bootstrap, "-t", "payments")
        took, code = second.stop()
        assert code == 0 and took < 10
    finally:
        second.remove()


def test_image_runs_as_non_root_with_the_volume(image):
    cfg = json.loads(run("podman", "image", "inspect", image))[0]["Config"]
    assert cfg["User"] == "sluice"
    assert "/var/lib/sluice" in cfg["Volumes"]
    assert set(cfg["ExposedPorts"]) == {"9092/tcp", "8080/tcp", "8081/tcp"}
    uid = run("podman", "run", "--rm", "--entrypoint", "id", image, "-u").strip()
    assert uid != "0"

"""Packaging tests: the image, the Debian package, the man pages and the
deployment files, checked against the binary the tree builds. podman runs as
root with scripts/podman.conf (runc, cgroupfs, ulimits under the hard ones)."""
import os
import shutil
import socket
import json
import subprocess
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SLUICE_BIN = os.environ.get("TEST_SLUICE_BIN", os.path.join(ROOT, "build", "sluice"))
os.environ.setdefault("CONTAINERS_CONF", os.path.join(ROOT, "scripts", "podman.conf"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kw):
    """Runs a command, failing the test with its output if it fails."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    p = subprocess.run(args, **kw)
    assert p.returncode == 0, "%s exited %d:\n%s\n%s" % (" ".join(args), p.returncode, p.stdout, p.stderr)
    return p.stdout


def kcat_roundtrip(bootstrap, topic, lines):
    """Produces `lines` with kcat and reads them back from the beginning."""
    run("kcat", "-P", "-b", bootstrap, "-t", topic, "-X", "acks=all", input="\n".join(lines) + "\n")
    return consume_all(bootstrap, topic)


def consume_all(bootstrap, topic):
    out = run("kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", timeout=60)
    return out.splitlines()


@pytest.fixture(scope="session")
def podman():
    if not shutil.which("podman"):
        pytest.fail("podman is not installed (scripts/install-deps packaging)")
    return "podman"


IMAGE = "localhost/sluice:latest"


@pytest.fixture(scope="session")
def image(podman):
    t0 = time.monotonic()
    run("make", "-C", ROOT, "image")
    print("\nimage built in %.0f s" % (time.monotonic() - t0))
    size = json.loads(run("podman", "image", "inspect", IMAGE))[0]["Size"]
    print("image size %.1f MB" % (size / 1e6))
    return IMAGE

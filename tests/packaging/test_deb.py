"""The Debian package: built by `make deb`, checked with lintian, installed
with apt in a bookworm chroot (the base scripts/make-base-image makes for the
image), where the broker is started directly, as systemd cannot run there:
it tells a notify socket it is ready, serves kcat, and keeps its data in the
unit's StateDirectory."""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import ROOT, free_port, kcat_roundtrip, run


@pytest.fixture(scope="module")
def deb():
    out = run("make", "-C", ROOT, "--no-print-directory", "-s", "deb").strip().splitlines()[-1]
    return os.path.join(ROOT, out)


@pytest.fixture(scope="module")
def chroot(deb, tmp_path_factory):
    """A bookworm chroot with the package installed by apt (which fetches its Depends)."""
    tar = run(os.path.join(ROOT, "scripts", "make-base-image"), "--tarball").strip()
    root = str(tmp_path_factory.mktemp("chroot"))
    run("tar", "-C", root, "-xf", tar)
    # The slim base tells dpkg to skip man pages; a plain host installs them.
    os.remove(os.path.join(root, "etc", "dpkg", "dpkg.cfg.d", "99mmdebstrap"))
    shutil.copy("/etc/resolv.conf", os.path.join(root, "etc", "resolv.conf"))
    shutil.copy(deb, os.path.join(root, "tmp", "sluice.deb"))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run("chroot", root, "apt-get", "update", "-qq", env=env, timeout=600)
    run("chroot", root, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "/tmp/sluice.deb",
        env=env, timeout=600)
    yield root
    subprocess.run(["rm", "-rf", "--one-file-system", root])


def test_lintian_finds_no_errors(deb):
    p = subprocess.run(["lintian", "-I", "--pedantic", deb], capture_output=True, text=True)
    tags = [line for line in p.stdout.splitlines() if line[:2] in ("E:", "W:", "I:", "P:")]
    print("\nlintian tags:\n" + "\n".join(tags))
    assert not [t for t in tags if t.startswith("E:")], p.stdout
    # The one warning left is inherent to a package not uploaded to Debian.
    assert [t for t in tags if t.startswith("W:")] == \
        ["W: sluice: initial-upload-closes-no-bugs [usr/share/doc/sluice/changelog.Debian.gz:1]"]


def test_package_installs_the_binary_unit_config_and_man_pages(chroot):
    for path in ["usr/bin/sluice", "lib/systemd/system/sluice.service", "etc/sluice/server.properties",
                 "usr/share/man/man1/sluice.1.gz", "usr/share/man/man1/sluice-serve.1.gz"]:
        assert os.path.exists(os.path.join(chroot, path)), path
    assert "/etc/sluice/server.properties" in run("chroot", chroot, "dpkg-query", "-W", "-f=${Conffiles}", "sluice")
    # systemd checks the installed unit (on the host: the chroot has no
    # systemd), with ExecStart pointing at the installed binary.
    unit_dir = os.path.join(chroot, "tmp", "unit-check")
    os.makedirs(unit_dir, exist_ok=True)
    with open(os.path.join(chroot, "lib/systemd/system/sluice.service")) as f:
        unit = f.read().replace("/usr/bin/sluice", os.path.join(chroot, "usr/bin/sluice"))
    with open(os.path.join(unit_dir, "sluice.service"), "w") as f:
        f.write(unit)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(unit_dir, "sluice.service")],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "sluice.service" not in p.stderr, p.stderr


def test_installed_broker_notifies_ready_serves_and_stops_cleanly(chroot):
    # What systemd would do: an abstract notify socket (chroot does not hide
    # it), the StateDirectory made, the default properties file.
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = "sluice-test-%d" % free_port()
    notify.bind("\0" + addr)
    notify.settimeout(30)
    os.makedirs(os.path.join(chroot, "var/lib/sluice"), exist_ok=True)
    kafka, http = free_port(), free_port()
    log = open(os.path.join(chroot, "sluice.log"), "w")
    proc = subprocess.Popen([shutil.which("chroot"), chroot, "/usr/bin/sluice", "serve", "/etc/sluice/server.properties",
                             "--listeners=PLAINTEXT://127.0.0.1:%d" % kafka,
                             "--http.listeners=http://127.0.0.1:%d" % http],
                            env={"NOTIFY_SOCKET": "@" + addr, "PATH": "/usr/bin:/bin"},
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        assert notify.recv(256) == b"READY=1"
        assert kcat_roundtrip("127.0.0.1:%d" % kafka, "deb-test", ["x", "y"]) == ["x", "y"]
        # log.dirs from the packaged server.properties.
        assert os.path.isdir(os.path.join(chroot, "var/lib/sluice/deb-test-0"))
        proc.send_signal(signal.SIGTERM)
        assert notify.recv(256) == b"STOPPING=1"
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        notify.close()


def test_make_install_honours_prefix_and_destdir(tmp_path):
    run("make", "-C", ROOT, "--no-print-directory", "-s", "install", "PREFIX=/opt/sluice", "DESTDIR=%s" % tmp_path)
    assert os.access(tmp_path / "opt/sluice/bin/sluice", os.X_OK)
    unit = (tmp_path / "opt/sluice/lib/systemd/system/sluice.service").read_text()
    assert "ExecStart=/opt/sluice/bin/sluice serve /etc/sluice/server.properties" in unit
    assert (tmp_path / "etc/sluice/server.properties").exists()
    assert (tmp_path / "opt/sluice/share/man/man1/sluice-serve.1").exists()

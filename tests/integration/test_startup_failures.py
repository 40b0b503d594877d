"""Every start-up failure is checked: with too few file descriptors each
step of start-up in turn (the event loop, the HTTP server, the schema
registry, the Kafka listener...) is the one that fails, and each failure
ends `sluice serve` with exit status 1 and a message saying what failed,
never a crash or a broker that runs half started."""
import os
import signal
import subprocess
import tempfile
import time

from conftest import SLUICE_BIN


def serve_with_fd_limit(nofile, data_dir):
    """Returns (exit status, output), or (None, output) once it is ready."""
    out_path = os.path.join(data_dir, "out.txt")
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(
            ["prlimit", "--nofile=%d:%d" % (nofile, nofile), SLUICE_BIN, "serve",
             "--listeners=PLAINTEXT://127.0.0.1:0", "--log.dirs=%s" % os.path.join(data_dir, "data"),
             "--http.listeners=http://127.0.0.1:0", "--schema.registry.listeners=http://127.0.0.1:0"],
            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        output = open(out_path, errors="replace").read()
        if proc.poll() is not None:
            return proc.returncode, output
        if 'msg="ready"' in output:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
            return None, output
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise AssertionError("neither ready nor stopped with nofile=%d:\n%s" % (nofile, output))


def test_each_start_up_failure_exits_1_naming_what_failed():
    messages = []
    for nofile in range(4, 200):
        with tempfile.TemporaryDirectory(prefix="sluice-startup-") as tmp:
            status, output = serve_with_fd_limit(nofile, tmp)
        if status is None:
            break
        assert status == 1, "nofile=%d: exit %d (a signal if negative)\n%s" % (nofile, status, output)
        lines = [l for l in output.splitlines() if l.startswith("sluice serve: ")]
        assert lines, "nofile=%d: no message\n%s" % (nofile, output)
        messages.append(lines[-1])
    else:
        raise AssertionError("never started, even with 199 descriptors")
    text = "\n".join(messages)
    # The calls that used to go unchecked, and the listeners after them.
    assert "cannot create the event loop: Too many open files" in text, text
    assert "cannot listen on PLAINTEXT://127.0.0.1:0: Too many open files" in text, text
    assert len(set(m.split(":")[1] for m in messages)) >= 4, text

"""`make demo`, the shop's one-command demo, as a user runs it: on the default
ports (the broker's 9092, 8080, 8081 and the shop's 8090-8095; the other
tests use ephemeral ones), data in a temporary SHOP_DEMO_DIR. Orders placed
by its traffic generator are shipped; SIGTERM to the demo stops every
process it started within 10 s and `make` exits 0."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

from conftest import ROOT, SLUICE_BIN

DEMO_PORTS = [9092, 8080, 8081, 8090, 8091, 8092, 8093, 8094, 8095]


def port_taken(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


def children(pid):
    """The pids pid started, from /proc (all its threads' children)."""
    out = []
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                out += [int(p) for p in f.read().split()]
    except FileNotFoundError:
        pass
    return out


def descendants(pid):
    found, todo = [], children(pid)
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children(p)
    return found


def argv(pid):
    try:
        with open("/proc/%d/cmdline" % pid) as f:
            return f.read().split("\0")
    except FileNotFoundError:
        return []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def shipped():
    try:
        with urllib.request.urlopen("http://127.0.0.1:8090/orders", timeout=2) as r:
            return json.loads(r.read())["states"].get("shipped", 0)
    except (OSError, ValueError):
        return 0


def test_make_demo_ships_orders_and_stops_on_sigterm(tmp_path):
    taken = [p for p in DEMO_PORTS if port_taken(p)]
    assert not taken, "make demo needs the default ports; already in use on this machine: %s" % taken
    env = dict(os.environ, SHOP_DEMO_DIR=str(tmp_path / "demo"))
    # The build the other tests run (build/ or build/asan), not another one.
    build = os.path.relpath(os.path.dirname(os.path.abspath(SLUICE_BIN)), ROOT)
    make = subprocess.Popen(["make", "-s", "-C", ROOT, "demo", "BUILD=" + build], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120   # `make` may build first
        while shipped() < 3:
            assert make.poll() is None, "make demo exited %s:\n%s" % (make.returncode, make.stdout.read())
            assert time.monotonic() < deadline, "no 3 orders shipped by the demo within 120 s"
            time.sleep(0.2)
        started = descendants(make.pid)   # now, not while it builds: pids get reused
        # The demo script (bash, under make's shell) started the broker, the
        # gateway, five services and the traffic generator.
        demo = [p for p in started if argv(p)[1:2] and argv(p)[1].endswith("examples/shop/demo")]
        assert len(demo) == 1, [argv(p) for p in started]
        assert len(children(demo[0])) == 8, children(demo[0])
        assert os.path.isdir(tmp_path / "demo" / "data")   # SHOP_DEMO_DIR is where its data went
        os.kill(demo[0], signal.SIGTERM)
        deadline = time.monotonic() + 10
        out, _ = make.communicate(timeout=10)
        assert make.returncode == 0, out
        assert "demo: stopping" in out
        while any(alive(p) for p in started):
            assert time.monotonic() < deadline, "still running 10 s after SIGTERM: %s" % \
                [p for p in started if alive(p)]
            time.sleep(0.1)
        print("demo stopped in %.1f s" % (10 - (deadline - time.monotonic())))
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()

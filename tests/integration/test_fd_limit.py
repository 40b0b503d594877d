"""Out of file descriptors (a container's 1024, here 64): the broker pauses
accepting instead of spinning on a listener it cannot accept from, and takes
the waiting connections once descriptors free up."""
import socket
import subprocess
import time


def cpu_ticks(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime


def test_broker_out_of_descriptors_pauses_accept_and_recovers(broker):
    subprocess.run(["prlimit", "--pid", str(broker.proc.pid), "--nofile=64:64"], check=True)
    held = [socket.create_connection(("127.0.0.1", broker.port), timeout=5) for _ in range(100)]
    try:
        time.sleep(0.5)
        before = cpu_ticks(broker.proc.pid)
        time.sleep(2)
        # Spinning on the listener would burn the two seconds (200 ticks).
        assert cpu_ticks(broker.proc.pid) - before < 50
        log = broker.read_log()
        assert "out of file descriptors, pausing accept" in log
        assert log.count("pausing accept") < 100
    finally:
        for s in held:
            s.close()
    # The descriptors are back: a client gets through again.
    time.sleep(0.5)
    out = subprocess.run(["kcat", "-P", "-b", broker.bootstrap, "-t", "fd-test"], input=b"x\n",
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    out = subprocess.run(["kcat", "-C", "-b", broker.bootstrap, "-t", "fd-test", "-e", "-q"],
                         capture_output=True, timeout=30)
    assert out.stdout == b"x\n"
    broker.check_log_clean()

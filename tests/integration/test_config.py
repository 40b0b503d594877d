"""Configuration and start-up, with real processes: Kafka's value forms,
the data directory lock, a tolerant environment, the effective
configuration in the log, and errors that name the limit they hit."""
import gzip
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import SLUICE_BIN, free_port
from kwire import (Conn, batch, call, i8, i16, i32, incremental_alter_configs_v0, metadata_v4, produce_one, produce_v3,
                   record, string)

NONE = 0
CORRUPT_CODES = (2, 87)   # CORRUPT_MESSAGE, INVALID_RECORD
MESSAGE_TOO_LARGE = 10
INVALID_PARTITIONS = 37


def _env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_")}
    env.update(extra or {})
    return env


def _serve_args(data_dir, port=None, http_port=None):
    return [SLUICE_BIN, "serve", "--listeners=PLAINTEXT://127.0.0.1:%d" % (port or free_port()),
            "--http.listeners=http://127.0.0.1:%d" % (http_port or free_port()),
            "--schema.registry.listeners=http://127.0.0.1:0", "--log.dirs=%s" % data_dir]


def _run(args, env=None, timeout=20):
    t0 = time.monotonic()
    p = subprocess.run(args, env=_env(env), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


def _wait_log(b, pattern, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, b.read_log()):
            return
        time.sleep(0.05)
    raise AssertionError("no log line matching %r in:\n%s" % (pattern, b.read_log()[-3000:]))


def _auto_create(b, topic):
    c = Conn(b.bootstrap)
    assert metadata_v4(c, [topic], True)[topic][0] == NONE
    return c


def _gzip_batch_with_wrong_count():
    """A gzip batch whose header (CRC right) claims 3 records; the data holds
    2. Only decompressing it (deep validation) shows that."""
    recs = record(0, b"a", b"1") + record(1, b"b", b"2")
    return batch([(b"a", b"1"), (b"b", b"2")], attributes=1, raw_records=gzip.compress(recs), count=3)


@pytest.mark.parametrize("value", ["TRUE", "True", " true "])
def test_deep_validation_on_in_any_case(broker_factory, value):
    """Kafka reads booleans in any case: TRUE turns deep validation on (it
    used to pass validation and leave it off)."""
    b = broker_factory(props={"sluice.validate.compressed.batches": value})
    c = _auto_create(b, "t")
    err, base = produce_one(c, "t", 0, _gzip_batch_with_wrong_count())
    assert err in CORRUPT_CODES and base == -1, (err, base)
    assert produce_one(c, "t", 0, batch([(b"k", b"good")])) == (NONE, 0)


def test_deep_validation_off_and_topic_override(broker_factory):
    """FALSE accepts the batch unread (the check above is the flag's doing);
    a topic override in another case turns it back on for that topic."""
    b = broker_factory(props={"sluice.validate.compressed.batches": "FALSE"})
    c = _auto_create(b, "loose")
    assert produce_one(c, "loose", 0, _gzip_batch_with_wrong_count()) == (NONE, 0)
    body = (i32(1) + string("strict") + i32(1) + i16(1) + i32(0) +
            i32(1) + string("sluice.validate.compressed.batches") + string("True") + i32(10000) + i8(0))
    r = call(c, 19, 1, body)
    assert r.i32() == 1 and r.string() == "strict" and r.i16() == NONE
    err, _ = produce_one(c, "strict", 0, _gzip_batch_with_wrong_count())
    assert err in CORRUPT_CODES


def test_second_broker_on_same_dir_exits_and_stale_lock_does_not_block(broker_factory, tmp_path):
    a = broker_factory()
    lock = os.path.join(a.data_dir, ".lock")
    assert open(lock).read().strip() == str(a.proc.pid)
    rc, out, took = _run(_serve_args(a.data_dir))
    assert rc == 1, "exit %s:\n%s" % (rc, out)
    assert took < 5, took
    assert a.data_dir in out and "pid %d" % a.proc.pid in out, out
    # The first broker is untouched.
    c = _auto_create(a, "t")
    assert produce_one(c, "t", 0, batch([(b"k", b"v")])) == (NONE, 0)
    c.close()
    # kill -9 leaves the lock file with a dead pid: a restart still starts.
    dead = a.proc.pid
    assert a.stop(sig=signal.SIGKILL) == -9
    assert open(lock).read().strip() == str(dead)
    a.start()
    assert open(lock).read().strip() == str(a.proc.pid)
    c = Conn(a.bootstrap)
    assert produce_one(c, "t", 0, batch([(b"k", b"v2")])) == (NONE, 1)


KUBERNETES_ENV = {
    "SLUICE_PORT": "tcp://10.96.0.10:9092",
    "SLUICE_SERVICE_HOST": "10.96.0.10",
    "SLUICE_SERVICE_PORT": "9092",
    "SLUICE_PORT_9092_TCP": "tcp://10.96.0.10:9092",
    "SLUICE_PORT_9092_TCP_ADDR": "10.96.0.10",
    "SLUICE_PORT_9092_TCP_PORT": "9092",
    "SLUICE_PORT_9092_TCP_PROTO": "tcp",
}


def test_kubernetes_service_variables_are_ignored(broker_factory):
    """A Service named sluice puts these into every pod: warned, not fatal;
    a real property from the environment still applies."""
    env = dict(KUBERNETES_ENV, SLUICE_NUM_PARTITIONS="3")
    b = broker_factory(env=env)
    for name in KUBERNETES_ENV:
        assert re.search(r"level=warn .*ignoring environment variable.* variable=%s(\s|$)" % name, b.read_log(),
                         re.M), name
    c = Conn(b.bootstrap)
    assert metadata_v4(c, ["auto"], True) == {"auto": (NONE, 3)}


def test_invalid_value_in_known_variable_still_stops(tmp_path):
    rc, out, _ = _run(_serve_args(tmp_path / "d"), env=dict(KUBERNETES_ENV, SLUICE_NUM_PARTITIONS="many"))
    assert rc == 2 and "SLUICE_NUM_PARTITIONS" in out and "num.partitions" in out, out


def test_unknown_property_suggests_nearest(tmp_path):
    rc, out, _ = _run(_serve_args(tmp_path / "d") + ["--num.partition=3"])
    assert rc == 2 and "unknown property 'num.partition'" in out and "did you mean num.partitions?" in out, out
    props = tmp_path / "broker.properties"
    props.write_text("log.retention.hour=5\n")
    rc, out, _ = _run(_serve_args(tmp_path / "d") + [str(props)])
    assert rc == 2 and "broker.properties:1:" in out and "did you mean log.retention.hours?" in out, out
    # A topic config given to the broker points at its broker synonym.
    rc, out, _ = _run(_serve_args(tmp_path / "d") + ["--retention.ms=5"])
    assert rc == 2 and "did you mean log.retention.ms?" in out, out
    rc, out, _ = _run(_serve_args(tmp_path / "d") + ["--completely.different=1"])
    assert rc == 2 and "did you mean" not in out, out


def test_effective_configuration_logged_once_with_sources(tmp_path):
    port = free_port()
    props = tmp_path / "broker.properties"
    props.write_text("num.partitions=3\nlog.retention.hours = 5\n")
    log_path = tmp_path / "broker.log"
    with open(log_path, "w") as log:
        p = subprocess.Popen(_serve_args(tmp_path / "d", port=port) + [str(props), "--auto.create.topics.enable=FALSE"],
                             env=_env({"SLUICE_LOG_RETENTION_BYTES": "1000000"}), stdout=log,
                             stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while "msg=\"ready\"" not in log_path.read_text():
                assert p.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.05)
        finally:
            p.send_signal(signal.SIGTERM)
            assert p.wait(timeout=30) == 0
    text = log_path.read_text()
    lines = [l for l in text.splitlines() if 'msg="property set"' in l]
    got = {re.search(r"name=(\S+)", l).group(1): l for l in lines}
    assert len(got) == len(lines), "a property was logged twice:\n" + "\n".join(lines)
    assert 'value="3" source=file' in got["num.partitions"]
    assert 'value="5" source=file' in got["log.retention.hours"]
    assert 'value="18000000" source=file' in got["log.retention.ms"]   # derived, as Kafka does
    assert 'value="1000000" source=environment' in got["log.retention.bytes"]
    assert 'value="FALSE" source=flag' in got["auto.create.topics.enable"]
    assert "source=flag" in got["listeners"] and "source=flag" in got["log.dirs"]
    # Properties at their defaults are not listed.
    for name in ("node.id", "message.max.bytes", "log.segment.bytes", "sluice.validate.compressed.batches"):
        assert name not in got, got[name]


def _produce_v8(conn, topic, blob):
    """Produce v8 of one batch to partition 0; returns (error_code, error_message)."""
    r = call(conn, 0, 8, produce_v3(topic, 0, blob))
    out = []

    def part():
        idx, err = r.i32(), r.i16()
        r.i64(), r.i64(), r.i64()
        r.array(lambda: (r.i32(), r.string()))
        out.append((err, r.string()))

    r.array(lambda: (r.string(), r.array(part)))
    return out[0]


def test_batch_over_limit_names_size_limit_and_property(broker_factory):
    b = broker_factory(props={"message.max.bytes": 2000})
    c = _auto_create(b, "t")
    big = batch([(b"k", b"x" * 3000)])
    err, msg = _produce_v8(c, "t", big)
    assert err == MESSAGE_TOO_LARGE
    assert "%d bytes" % len(big) in msg and "2000" in msg and "message.max.bytes" in msg, msg
    _wait_log(b, r"record batch too large.*topic=t size=%d limit=2000 property=message.max.bytes" % len(big))
    # A topic's own limit is named as the topic config.
    body = (i32(1) + string("small") + i32(1) + i16(1) + i32(0) +
            i32(1) + string("max.message.bytes") + string("1024") + i32(10000) + i8(0))
    r = call(c, 19, 1, body)
    assert r.i32() == 1 and r.string() == "small" and r.i16() == NONE
    err, msg = _produce_v8(c, "small", big)
    assert err == MESSAGE_TOO_LARGE and "1024" in msg and "max.message.bytes" in msg, msg
    assert "message.max.bytes" not in msg.replace("max.message.bytes", ""), msg


def test_request_over_socket_request_max_bytes_logged_with_property(broker_factory):
    b = broker_factory(props={"socket.request.max.bytes": 4096})
    c = Conn(b.bootstrap)
    c.send_raw(i32(5000) + b"\x00" * 16)
    _wait_log(b, r"request too large.*size=5000 max=4096 property=socket.request.max.bytes")


def test_partition_count_over_limit_names_count_and_limit(broker):
    c = Conn(broker.bootstrap)
    body = i32(1) + string("many") + i32(200000) + i16(1) + i32(0) + i32(0) + i32(10000) + i8(0)
    r = call(c, 19, 1, body)
    assert r.i32() == 1 and r.string() == "many"
    err, msg = r.i16(), r.string()
    # POLICY_VIOLATION, as Kafka answers (test_differential checks the code).
    assert err == 44 and "200000" in msg and "10000" in msg, msg



def test_dynamic_configs_survive_restart_and_are_logged(broker_factory):
    """A dynamic broker config, sent in Kafka's boolean form, is stored
    (broker-config.json), read back at the restart, and listed in the
    effective configuration as dynamic."""
    b = broker_factory()
    c = Conn(b.bootstrap)
    RES_BROKER, OP_SET = 4, 0
    err, msg = incremental_alter_configs_v0(c, RES_BROKER, "1", [
        ("sluice.validate.compressed.batches", OP_SET, "FALSE"), ("num.partitions", OP_SET, "4")])
    assert err == NONE, msg
    err, msg = incremental_alter_configs_v0(c, RES_BROKER, "1", [("num.partitions", OP_SET, "0")])
    assert err == 40 and "num.partitions" in msg, (err, msg)   # INVALID_CONFIG; the old value stays
    c.close()
    b.restart()
    _wait_log(b, r'msg="property set" name=num.partitions value="4" source=dynamic_broker')
    _wait_log(b, r'msg="property set" name=sluice.validate.compressed.batches value="FALSE" source=dynamic_broker')
    c = _auto_create(b, "t")
    assert metadata_v4(c, ["t"], False) == {"t": (NONE, 4)}
    assert produce_one(c, "t", 0, _gzip_batch_with_wrong_count()) == (NONE, 0)


def test_serve_help_fits_80_columns_grouped_without_test_properties():
    out = subprocess.run([SLUICE_BIN, "serve", "--help"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert max(len(l) for l in lines) <= 80, [l for l in lines if len(l) > 80]
    assert "sluice.test." not in out.stdout
    # Grouped by area, each property with its default.
    for title in ("Listeners and connections", "Storage and topics", "Retention and segments",
                  "Consumer groups and committed offsets", "Topic configs (CreateTopics, AlterConfigs)"):
        assert title in lines, title
    assert "  listeners (default PLAINTEXT://127.0.0.1:9092)" in lines
    assert "  message.max.bytes (default 1048588)" in lines
    assert "  retention.ms (from log.retention.ms)" in lines
    assert "Example:" in out.stdout

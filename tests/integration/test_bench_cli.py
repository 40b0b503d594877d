"""`sluice bench produce|consume|latency` against a test broker, with small
counts: the output format and that the counts match, so the load generator
cannot silently rot. (The benchmark itself is bench/compare, not a test.)"""
import json
import os
import re
import subprocess

from conftest import SLUICE_BIN


def bench(broker, *args, timeout=120):
    p = subprocess.run([SLUICE_BIN, "bench", *args, "-b", broker.bootstrap],
                       capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def test_produce_consume_latency_json(broker):
    out = bench(broker, "produce", "bt", "-n", "5000", "-s", "100", "-P", "3", "--json")
    r = json.loads(out)
    assert r["mode"] == "produce" and r["messages"] == 5000 and r["failed"] == 0
    assert r["bytes"] == 5000 * 100
    assert r["lat_count"] == 5000
    assert 0 < r["lat_p50_ms"] <= r["lat_p99_ms"] <= r["lat_p999_ms"] <= r["lat_max_ms"]
    assert r["msgs_per_s"] > 0 and r["mb_per_s"] > 0

    r = json.loads(bench(broker, "consume", "bt", "-n", "5000", "--json"))
    assert r["mode"] == "consume" and r["messages"] == 5000 and r["bytes"] == 500000

    r = json.loads(bench(broker, "latency", "bt", "-n", "200", "--acks", "1", "--json"))
    assert r["mode"] == "latency" and r["messages"] == 200 and r["lat_count"] == 200
    assert r["lat_p50_ms"] <= r["lat_max_ms"]

    # Everything produced so far is there: 5000 + 200 + the latency warm-up.
    r = json.loads(bench(broker, "consume", "bt", "--idle-ms", "1000", "--json"))
    assert r["messages"] == 5000 + 200 + 10


def test_text_output_keys_and_producers(broker):
    out = bench(broker, "produce", "bk", "-n", "3000", "-s", "64", "-P", "4", "--producers", "3",
                "--keys", "10", "-z", "lz4", "--acks", "1", "--linger-ms", "1")
    assert re.search(r"^produce bk: 3000 messages, \d+ bytes in [\d.]+ s$", out, re.M), out
    assert re.search(r"^  \d+ msgs/s  [\d.]+ MB/s$", out, re.M), out
    assert re.search(r"^  latency ms: p50 [\d.]+  p99 [\d.]+  p99\.9 [\d.]+  max [\d.]+  mean [\d.]+ "
                     r"\(3000 samples\)$", out, re.M), out
    out = bench(broker, "consume", "bk", "-n", "3000")
    assert re.search(r"^consume bk: 3000 messages, ", out, re.M), out
    out = bench(broker, "latency", "bk", "-n", "50", "--acks", "all")
    assert "(50 samples)" in out, out


def test_usage_errors():
    for args in (["bench"], ["bench", "nope", "t"], ["bench", "produce"],
                 ["bench", "produce", "t", "--size", "4"], ["bench", "produce", "t", "--acks", "2"]):
        p = subprocess.run([SLUICE_BIN, *args], capture_output=True, text=True, timeout=30)
        assert p.returncode == 2, (args, p.stdout, p.stderr)
    p = subprocess.run([SLUICE_BIN, "bench", "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "mock-cluster" in p.stdout


def test_mock_cluster_helper():
    p = subprocess.Popen([SLUICE_BIN, "bench", "mock-cluster", "--topic", "m", "--partitions", "2"],
                         stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        m = re.match(r"bootstrap=(\S+)", line)
        assert m, line

        class B:
            bootstrap = m.group(1)
        r = json.loads(bench(B, "produce", "m", "-n", "1000", "--json"))
        assert r["messages"] == 1000
    finally:
        p.terminate()
        assert p.wait(timeout=30) == 0


def test_acks_and_compression_reach_the_wire(broker_factory):
    """The load generator's --acks and -z are honoured: with every fsync
    held back 150 ms, acks=1 round trips stay well under it and acks=all
    ones cannot; lz4 batches are stored compressed."""
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "150"})
    r = json.loads(bench(b, "latency", "ack1", "-n", "20", "--acks", "1", "-P", "1", "--json"))
    assert r["lat_p50_ms"] < 100, r
    r = json.loads(bench(b, "latency", "ackall", "-n", "5", "--acks", "all", "-P", "1", "--json"))
    assert r["lat_p50_ms"] >= 140, r
    bench(b, "produce", "z", "-n", "2000", "-s", "200", "-z", "lz4", "--acks", "1", "-P", "1")
    with open(os.path.join(b.data_dir, "z-0", "0" * 20 + ".log"), "rb") as f:
        head = f.read(61)
    assert int.from_bytes(head[21:23], "big") & 7 == 3, "first batch's codec is not lz4"


def test_value_file_frames_every_record(broker, tmp_path):
    """--value-file sends the file's bytes as every value: here a record
    framed for the schema registry, through a topic that validates ids."""
    from confluent_kafka import Consumer
    from test_schema_registry import sr
    schema = json.dumps({"type": "record", "name": "E", "fields": [{"name": "s", "type": "string"}]})
    schema_id = sr(broker, "/subjects/framed-value/versions", "POST", {"schema": schema})[1]["id"]
    value = b"\0" + schema_id.to_bytes(4, "big") + b"\x0ahello"   # the string "hello"
    (tmp_path / "v.bin").write_bytes(value)
    subprocess.run([SLUICE_BIN, "topic", "create", "framed", "-b", broker.bootstrap,
                    "--config", "sluice.value.schema.validation=full"], check=True, capture_output=True)
    r = json.loads(bench(broker, "produce", "framed", "--value-file", str(tmp_path / "v.bin"), "-n", "300", "--json"))
    assert (r["messages"], r["failed"], r["bytes"]) == (300, 0, 300 * len(value))
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "framed", "auto.offset.reset": "earliest"})
    c.subscribe(["framed"])
    got = []
    while len(got) < 300:
        m = c.poll(10)
        assert m is not None, "only %d records came back" % len(got)
        if not m.error():
            got.append(m.value())
    c.close()
    assert set(got) == {value}
    p = subprocess.run([SLUICE_BIN, "bench", "consume", "framed", "--value-file", str(tmp_path / "v.bin"),
                        "-b", broker.bootstrap], capture_output=True, text=True)
    assert p.returncode == 2 and "--value-file applies to produce only" in p.stderr

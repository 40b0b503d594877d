"""Real client libraries against the real broker: confluent-kafka
(librdkafka), kafka-python, kcat and kafkajs.

Consumers here assign partitions themselves, so each test controls its
start offsets exactly; group consumers (kafkajs's among them) are tested
in test_groups.py."""
import glob
import json
import os
import queue
import subprocess
import threading
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, OFFSET_BEGINNING, OFFSET_END
from confluent_kafka import TIMESTAMP_CREATE_TIME
from confluent_kafka.admin import AdminClient, NewTopic

import kwire
from conftest import SANITIZED

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "js")
PY = "/usr/bin/python3"

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


# ---------------------------------------------------------------- helpers

def create_topic(bootstrap, name, partitions=1, config=None):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(name, partitions, 1, config=config or {})], operation_timeout=10)
    fs[name].result(timeout=15)


def consumer(bootstrap, **extra):
    # group.id is required by the Python binding; no group API is used
    # because every consumer here calls assign().
    conf = {"bootstrap.servers": bootstrap, "group.id": "unused-assign-only", "enable.auto.commit": False,
            "enable.auto.offset.store": False, "enable.partition.eof": True}
    conf.update(extra)
    return Consumer(conf)


def consume_all(bootstrap, topic, ends, start=OFFSET_BEGINNING, timeout=60, **extra):
    """Reads every partition p of topic from start up to ends[p].
    Returns a list of (partition, offset, key, value, headers, timestamp) in arrival order."""
    c = consumer(bootstrap, **extra)
    try:
        c.assign([TopicPartition(topic, p, start) for p in ends])
        out = []
        done = {p for p, end in ends.items() if end == 0}
        deadline = time.monotonic() + timeout
        while len(done) < len(ends):
            assert time.monotonic() < deadline, "timed out: read %d records, partitions done %s of %s" % (
                len(out), sorted(done), sorted(ends))
            for m in c.consume(num_messages=10000, timeout=0.5):
                err = m.error()
                if err:
                    if err.code() == KafkaError._PARTITION_EOF:
                        if m.offset() >= ends[m.partition()]:
                            done.add(m.partition())
                        continue
                    raise AssertionError("consumer error: %s" % err)
                out.append((m.partition(), m.offset(), m.key(), m.value(), m.headers(), m.timestamp()))
        return out
    finally:
        c.close()


def segment_batches(data_dir, topic, partition):
    """Every batch in the partition's segment files, in offset order:
    (base_offset, attributes, record_count, last_offset_delta)."""
    files = sorted(glob.glob(os.path.join(data_dir, "%s-%d" % (topic, partition), "*.log")))
    assert files, "no segment file for %s-%d in %s" % (topic, partition, data_dir)
    out = []
    for f in files:
        with open(f, "rb") as fh:
            out.extend(kwire.parse_batches(fh.read()))
    return out


def check_contiguous(batches, end):
    """Batches must cover offsets [first base, end) without gaps or overlap."""
    assert batches, "no batch on disk"
    nxt = batches[0][0]
    for base, _attrs, count, lod in batches:
        assert base == nxt, "batch at offset %d, expected %d" % (base, nxt)
        assert count == lod + 1, "batch at %d: count %d, last offset delta %d" % (base, count, lod)
        nxt = base + lod + 1
    assert nxt == end, "batches end at %d, log end is %d" % (nxt, end)


def run_node(script, *args, timeout=60):
    env = dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1")
    p = subprocess.run(["node", os.path.join(JS_DIR, script)] + [str(a) for a in args], cwd=JS_DIR,
                       capture_output=True, text=True, timeout=timeout, env=env)
    assert p.returncode == 0, "node %s failed (%d):\nstdout:\n%s\nstderr:\n%s" % (
        script, p.returncode, p.stdout[-3000:], p.stderr[-3000:])
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    assert lines, "node %s printed nothing; stderr:\n%s" % (script, p.stderr[-3000:])
    return json.loads(lines[-1])


# ------------------------------------------ 1. every codec, 100,000 records

N_RECORDS = 100_000


@pytest.mark.parametrize("codec", list(CODECS))
def test_codec_roundtrip_100k(broker, codec):
    topic = "codec-%s" % codec
    create_topic(broker.bootstrap, topic, partitions=3)
    delivered = {}
    errors = []

    def on_delivery(err, msg):
        if err:
            errors.append(err)
        else:
            delivered[msg.key()] = (msg.partition(), msg.offset(), msg.timestamp()[1])

    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5,
                  "compression.type": codec, "on_delivery": on_delivery})
    expected = []
    for i in range(N_RECORDS):
        key = b"key-%06d" % i
        # 50-100 bytes, repetitive enough that even a batch of one record
        # compresses (librdkafka sends a batch uncompressed otherwise)
        value = b"v%06d:" % i + (b"payload %d; " % (i % 97)) * (4 + i % 4)
        headers = [("seq", b"%d" % i), ("src", b"test_clients")]
        if i % 1000 == 0:
            headers.append(("empty", b""))
        expected.append((key, value, headers))
        while True:
            try:
                p.produce(topic, value=value, key=key, headers=headers)
                break
            except BufferError:
                p.poll(0.05)
        if i % 2000 == 0:
            p.poll(0)
    assert p.flush(60) == 0, "records still queued after flush"
    assert not errors, "delivery errors: %s" % errors[:5]
    assert len(delivered) == N_RECORDS

    # The expected log: per partition, offsets 0..n-1 in the order produced.
    by_tp = {}
    per_part_order = {0: [], 1: [], 2: []}
    for key, value, headers in expected:
        part, off, _ts = delivered[key]
        by_tp[(part, off)] = (key, value, headers)
        per_part_order[part].append(off)
    ends = {}
    for part, offs in per_part_order.items():
        assert offs == list(range(len(offs))), "partition %d: offsets not assigned in produce order" % part
        ends[part] = len(offs)
    assert all(ends[q] > 0 for q in ends), "keys did not spread over 3 partitions: %s" % ends

    def check(records):
        assert len(records) == N_RECORDS, "read %d records, expected %d" % (len(records), N_RECORDS)
        seen = set()
        last = {0: -1, 1: -1, 2: -1}
        for part, off, key, value, headers, ts in records:
            assert (part, off) not in seen, "duplicate record %d/%d" % (part, off)
            seen.add((part, off))
            assert off == last[part] + 1, "partition %d: offset %d after %d" % (part, off, last[part])
            last[part] = off
            ekey, evalue, eheaders = by_tp[(part, off)]
            assert key == ekey and value == evalue, "record %d/%d differs" % (part, off)
            assert headers == eheaders, "headers of %d/%d: %r != %r" % (part, off, headers, eheaders)
            assert ts == (TIMESTAMP_CREATE_TIME, delivered[key][2]), "timestamp of %d/%d: %r" % (part, off, ts)

    first = consume_all(broker.bootstrap, topic, ends)
    check(first)

    # On disk: every batch is stored as sent, with the producer's codec.
    for part in range(3):
        batches = segment_batches(broker.data_dir, topic, part)
        check_contiguous(batches, ends[part])
        bad = [(b[0], b[1], b[2]) for b in batches if b[1] & 7 != CODECS[codec]]
        assert not bad, "partition %d: %d of %d batches not stored with %s (base, attrs, count): %s" % (
            part, len(bad), len(batches), codec, bad[:5])
        if codec != "none":
            # linger.ms=5 at full speed makes batches of many records
            assert len(batches) < ends[part] / 10, "partition %d: %d batches for %d records" % (
                part, len(batches), ends[part])

    broker.restart()
    second = consume_all(broker.bootstrap, topic, ends)
    check(second)
    assert sorted(second) == sorted(first)


def test_null_header_values(broker):
    """Null header values and keys survive (read back with kafka-python:
    confluent-kafka 1.7's consumer mishandles None header values and
    crashes the interpreter, a client bug)."""
    topic = "null-headers"
    create_topic(broker.bootstrap, topic)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5, "compression.type": "gzip"})
    for i in range(200):
        p.produce(topic, key=None if i % 2 else b"k%d" % i, value=None if i % 3 == 0 else b"v%d" % i,
                  headers=[("n", None), ("e", b""), ("i", b"%d" % i)])
    assert p.flush(10) == 0
    from kafka import KafkaConsumer
    from kafka.structs import TopicPartition as KTP
    kc = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    try:
        tp = KTP(topic, 0)
        kc.assign([tp])
        kc.seek_to_beginning(tp)
        recs = []
        deadline = time.monotonic() + 15
        while len(recs) < 200 and time.monotonic() < deadline:
            recs += kc.poll(timeout_ms=500).get(tp, [])
    finally:
        kc.close()
    assert [r.offset for r in recs] == list(range(200))
    for i, r in enumerate(recs):
        assert r.key == (None if i % 2 else b"k%d" % i)
        assert r.value == (None if i % 3 == 0 else b"v%d" % i)
        assert r.headers == [("n", None), ("e", b""), ("i", b"%d" % i)]


# ------------------------------------------------- 2. the article example

ARTICLE_CONSUMER = """
import sys
from kafka import KafkaConsumer
for message in KafkaConsumer('my-topic', bootstrap_servers=sys.argv[1]):
    print(message.value.decode('utf-8'), flush=True)
"""


def test_article_example(broker):
    # kafka-topics --create --topic my-topic --partitions 1 --replication-factor 1
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic("my-topic", 1, 1)])["my-topic"].result(timeout=15)
    md = admin.list_topics(topic="my-topic", timeout=10)
    assert md.topics["my-topic"].error is None and len(md.topics["my-topic"].partitions) == 1

    from kafka import KafkaProducer
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap)
    before = producer.send("my-topic", b"sent before the consumer started").get(timeout=10)
    assert before.topic == "my-topic" and before.partition == 0 and before.offset == 0

    proc = subprocess.Popen([PY, "-u", "-c", ARTICLE_CONSUMER, broker.bootstrap], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()

    def reader():
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=reader, daemon=True).start()
    printed = []

    def wait_for(text, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                printed.append(lines.get(timeout=0.2))
            except queue.Empty:
                pass
            if text in printed:
                return True
            assert proc.poll() is None or not lines.empty(), "the consumer loop exited (%s):\n%s" % (
                proc.returncode, proc.stderr.read())
        return False

    try:
        # The consumer starts at the end of the topic: a record produced
        # before it has positioned itself is not printed, so send until
        # one is.
        time.sleep(2)
        got = False
        for _attempt in range(10):
            md = producer.send("my-topic", b"Hello, World!").get(timeout=10)
            assert md.offset >= 1
            if wait_for("Hello, World!", 3):
                got = True
                break
        assert got, "the consumer loop never printed Hello, World!; printed %r; stderr:\n%s" % (
            printed, proc.stderr.read() if proc.poll() is not None else "(running)")

        # kcat writes to the same topic; the loop prints that too.
        r = subprocess.run(["kcat", "-b", broker.bootstrap, "-t", "my-topic", "-P"], input=b"Hello from kcat\n",
                           capture_output=True, timeout=20)
        assert r.returncode == 0, r.stderr.decode()
        assert wait_for("Hello from kcat", 10), "kcat's record was not printed; printed %r" % printed
        assert "sent before the consumer started" not in printed, "the consumer did not start at the end"
        assert set(printed) <= {"Hello, World!", "Hello from kcat"}, printed
    finally:
        producer.close(timeout=5)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------- 3. auto.offset.reset below log start

def test_offset_reset_below_log_start(broker):
    topic = "reset-below-start"
    create_topic(broker.bootstrap, topic)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    for i in range(100):
        p.produce(topic, value=b"r%d" % i)
        if i % 10 == 9:
            p.flush(10)   # several batches, so the new log start is mid-log
    assert p.flush(10) == 0

    # Consume the first 30 records (from an explicit start offset).
    got = consume_all(broker.bootstrap, topic, {0: 30}, start=0)
    assert [r[3] for r in got[:30]] == [b"r%d" % i for i in range(30)]
    position = 30

    conn = kwire.Conn(broker.bootstrap)
    try:
        res = kwire.delete_records(conn, topic, {0: 60})
    finally:
        conn.close()
    assert res == {0: (0, 60)}, res
    c = consumer(broker.bootstrap)
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    c.close()
    assert (lo, hi) == (60, 100)

    # earliest: the next record is the first at the new log start.
    c = consumer(broker.bootstrap, **{"auto.offset.reset": "earliest"})
    try:
        c.assign([TopicPartition(topic, 0, position)])
        first = None
        deadline = time.monotonic() + 15
        while first is None and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                first = m
        assert first is not None, "no record after the reset to earliest"
        assert (first.offset(), first.value()) == (60, b"r60")
    finally:
        c.close()

    # kafka-python resets the same way.
    from kafka import KafkaConsumer
    from kafka.structs import TopicPartition as KTP
    kc = KafkaConsumer(bootstrap_servers=broker.bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        tp = KTP(topic, 0)
        kc.assign([tp])
        kc.seek(tp, position)
        recs = []
        deadline = time.monotonic() + 15
        while not recs and time.monotonic() < deadline:
            recs = kc.poll(timeout_ms=500).get(tp, [])
        assert recs and (recs[0].offset, recs[0].value) == (60, b"r60")
    finally:
        kc.close()

    # latest: only records produced after the reset arrive.
    c = consumer(broker.bootstrap, **{"auto.offset.reset": "latest"})
    try:
        c.assign([TopicPartition(topic, 0, position)])
        early = []
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                early.append(m.offset())
        assert early == [], "records before the new end arrived after a reset to latest: %s" % early
        p.produce(topic, value=b"after-reset")
        assert p.flush(10) == 0
        got = None
        deadline = time.monotonic() + 15
        while got is None and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got = m
        assert got is not None and (got.offset(), got.value()) == (100, b"after-reset")
    finally:
        c.close()


# ----------------------- 4. a batch larger than kafka-python's fetch limits

def test_kafka_python_reads_batch_larger_than_fetch_limit(broker):
    topic = "big-batch"
    create_topic(broker.bootstrap, topic, partitions=2)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 1000,
                  "batch.num.messages": 10000, "compression.type": "none"})
    # A first record (partition 1) makes the producer learn the leaders, so
    # that the 400 records below are not sent early in pieces.
    p.produce(topic, value=b"warmup", partition=1)
    assert p.flush(20) == 0
    values = [(b"%05d" % i) * 100 for i in range(400)]          # 400 x 500 B = 200 KB
    for v in values:
        p.produce(topic, value=v, partition=0)
    big = os.urandom(200 * 1024)                                 # one 200 KB record
    p.produce(topic, value=big, partition=1)
    p.produce(topic, value=b"after-big", partition=1)
    assert p.flush(20) == 0

    batches = segment_batches(broker.data_dir, topic, 0)
    assert len(batches) == 1 and batches[0][2] == 400, "expected one batch of 400 records: %s" % batches

    from kafka import KafkaConsumer
    from kafka.structs import TopicPartition as KTP
    kc = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False,
                       max_partition_fetch_bytes=16384, fetch_max_bytes=16384)
    try:
        tps = [KTP(topic, 0), KTP(topic, 1)]
        kc.assign(tps)
        kc.seek_to_beginning()
        got = {0: [], 1: []}
        deadline = time.monotonic() + 30
        while (len(got[0]) < 400 or len(got[1]) < 3) and time.monotonic() < deadline:
            for tp, recs in kc.poll(timeout_ms=500).items():
                got[tp.partition].extend(recs)
        assert [r.offset for r in got[0]] == list(range(400))
        assert [r.value for r in got[0]] == values
        assert [r.offset for r in got[1]] == [0, 1, 2]
        assert [r.value for r in got[1]] == [b"warmup", big, b"after-big"]
    finally:
        kc.close()


# ------------------------------------------------------ 5. long polling

def test_long_poll_wakes_on_produce(broker):
    topic = "long-poll"
    create_topic(broker.bootstrap, topic)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    p.produce(topic, value=b"warmup")
    assert p.flush(10) == 0

    c = consumer(broker.bootstrap, **{"fetch.wait.max.ms": 5000, "fetch.min.bytes": 1})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_END)])
        # Let it resolve the end offset and park a fetch at the broker.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            m = c.poll(0.1)
            assert m is None or m.error(), "unexpected record %r" % (m.value(),)
        latencies = []
        for i in range(3):
            t0 = time.monotonic()
            p.produce(topic, value=b"wake-%d" % i)
            p.poll(0)
            got = None
            while got is None and time.monotonic() - t0 < 10:
                m = c.poll(0.01)
                if m is not None and not m.error():
                    got = m
            latencies.append((time.monotonic() - t0) * 1000)
            assert got is not None and got.value() == b"wake-%d" % i
            time.sleep(0.5)   # let the next fetch park again
        assert max(latencies) < 1000, "produce-to-receive latencies (ms): %s" % latencies
    finally:
        c.close()
        p.flush(5)


def test_long_poll_raw_fetch_parks_and_wakes(broker):
    """A Fetch with max_wait 5000 is answered only when data arrives,
    and then at once; fetch min_bytes waits for enough bytes."""
    topic = "long-poll-raw"
    create_topic(broker.bootstrap, topic)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    conn = kwire.Conn(broker.bootstrap, timeout=15)
    try:
        # min_bytes=1, empty partition: the request parks.
        corr = kwire.fetch_v4_request(conn, topic, 0, 0, max_wait_ms=5000, min_bytes=1)
        conn.sock.settimeout(0.8)
        with pytest.raises(OSError):
            conn.response()    # nothing yet: still parked
        conn.sock.settimeout(15)
        t0 = time.monotonic()
        p.produce(topic, value=b"x" * 100)
        p.poll(0)
        got, body = conn.response()
        waited = (time.monotonic() - t0) * 1000
        assert got == corr
        (_t, _p, err, hw, recs), = kwire.parse_fetch_v4_response(body)
        assert err == 0 and hw == 1 and recs
        assert waited < 1000, "parked fetch answered %.0f ms after the produce" % waited
        assert p.flush(10) == 0

        # min_bytes=4000: one small record is not enough, max wait ends it.
        t0 = time.monotonic()
        corr = kwire.fetch_v4_request(conn, topic, 0, 1, max_wait_ms=1500, min_bytes=4000)
        p.produce(topic, value=b"y" * 100)
        assert p.flush(10) == 0
        got, body = conn.response()
        waited = (time.monotonic() - t0) * 1000
        (_t, _p, err, hw, recs), = kwire.parse_fetch_v4_response(body)
        assert got == corr and err == 0 and hw == 2 and recs
        assert 1300 <= waited < 3500, "min_bytes fetch answered after %.0f ms, expected ~1500" % waited

        # min_bytes=4000 with a longer wait: answered once 4000 bytes are there.
        t0 = time.monotonic()
        corr = kwire.fetch_v4_request(conn, topic, 0, 2, max_wait_ms=5000, min_bytes=4000)
        time.sleep(0.3)
        p.produce(topic, value=b"z" * 100)
        assert p.flush(10) == 0
        conn.sock.settimeout(0.5)
        with pytest.raises(OSError):
            conn.response()    # 100-odd bytes: still parked
        conn.sock.settimeout(15)
        t1 = time.monotonic()
        p.produce(topic, value=b"w" * 5000)
        p.poll(0)
        got, body = conn.response()
        (_t, _p, err, hw, recs), = kwire.parse_fetch_v4_response(body)
        assert got == corr and err == 0 and hw == 4 and len(recs) >= 4000
        assert (time.monotonic() - t1) * 1000 < 1000
        assert (time.monotonic() - t0) * 1000 < 4000
    finally:
        conn.close()
        p.flush(5)


def test_fetch_min_bytes_client(broker):
    """librdkafka with fetch.min.bytes far above one record gets it only
    after fetch.wait.max.ms."""
    topic = "min-bytes-client"
    create_topic(broker.bootstrap, topic)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    c = consumer(broker.bootstrap, **{"fetch.wait.max.ms": 1500, "fetch.min.bytes": 100000})
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        time.sleep(1)
        t0 = time.monotonic()
        p.produce(topic, value=b"small")
        assert p.flush(10) == 0
        got = None
        while got is None and time.monotonic() - t0 < 10:
            m = c.poll(0.02)
            if m is not None and not m.error():
                got = m
        waited = (time.monotonic() - t0) * 1000
        assert got is not None and got.value() == b"small"
        # The parked fetch ends at its max wait (1500 ms after it was sent,
        # which was up to 1500 ms before the produce).
        assert waited < 3500, "record arrived after %.0f ms" % waited
        # Many bytes at once are delivered without waiting for the timeout.
        time.sleep(0.2)
        t0 = time.monotonic()
        for i in range(30):
            p.produce(topic, value=os.urandom(5000))
        assert p.flush(10) == 0
        n = 0
        while n < 30 and time.monotonic() - t0 < 10:
            m = c.poll(0.02)
            if m is not None and not m.error():
                n += 1
        assert n == 30
    finally:
        c.close()


# ------------------------------------------------------- 6. ListOffsets

def test_list_offsets(broker):
    topic = "list-offsets"
    create_topic(broker.bootstrap, topic)
    base = int(time.time() * 1000) - 600_000
    # one record per batch; record 5 carries the largest timestamp
    stamps = [base + 1000 * i for i in range(10)]
    stamps[5] = base + 50_000
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 0})
    for i, ts in enumerate(stamps):
        p.produce(topic, value=b"t%d" % i, timestamp=ts)
        assert p.flush(10) == 0
    assert len(segment_batches(broker.data_dir, topic, 0)) == 10

    c = consumer(broker.bootstrap)
    try:
        tp = TopicPartition(topic, 0)
        assert c.get_watermark_offsets(tp, timeout=10, cached=False) == (0, 10)

        def for_time(ts):
            r, = c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=10)
            assert r.error is None
            return r.offset

        assert for_time(base - 1) == 0
        assert for_time(stamps[3]) == 3
        assert for_time(stamps[3] + 1) == 4
        assert for_time(stamps[6]) == 5             # record 5 (offset < 6) has a later timestamp
        assert for_time(stamps[9] + 1) == 5        # first offset with ts >= target: the max-ts record
        assert for_time(stamps[5] + 1) == -1       # nothing at or after: end (-1)
    finally:
        c.close()

    from kafka import KafkaConsumer
    from kafka.structs import TopicPartition as KTP
    kc = KafkaConsumer(bootstrap_servers=broker.bootstrap)
    try:
        ktp = KTP(topic, 0)
        assert kc.beginning_offsets([ktp]) == {ktp: 0}
        assert kc.end_offsets([ktp]) == {ktp: 10}
        r = kc.offsets_for_times({ktp: stamps[4]})[ktp]
        assert (r.offset, r.timestamp) == (4, stamps[4])
        # the earliest offset whose timestamp is >= the target: record 5's
        r = kc.offsets_for_times({ktp: stamps[7]})[ktp]
        assert (r.offset, r.timestamp) == (5, stamps[5])
        r = kc.offsets_for_times({ktp: stamps[9] + 1})[ktp]
        assert (r.offset, r.timestamp) == (5, stamps[5])
        assert kc.offsets_for_times({ktp: stamps[5] + 1})[ktp] is None
    finally:
        kc.close()

    conn = kwire.Conn(broker.bootstrap)
    try:
        err, ts, off, _epoch = kwire.list_offsets_v7(conn, topic, 0, -3)   # max timestamp
        assert (err, off, ts) == (0, 5, stamps[5])
        err, ts, off, _epoch = kwire.list_offsets_v7(conn, topic, 0, -2)
        assert (err, off) == (0, 0)
        err, ts, off, _epoch = kwire.list_offsets_v7(conn, topic, 0, -1)
        assert (err, off) == (0, 10)
        err, ts, off, _epoch = kwire.list_offsets_v7(conn, topic, 0, stamps[2])
        assert (err, off, ts) == (0, 2, stamps[2])
        err, *_ = kwire.list_offsets_v7(conn, topic, 1, -1)
        assert err == 3   # UNKNOWN_TOPIC_OR_PARTITION
    finally:
        conn.close()


# ------------------------------------------------------------ 7. kafkajs

def test_kafkajs_admin_and_producer(broker):
    topic, gz = "kafkajs-plain", "kafkajs-gzip"
    r = run_node("admin.js", broker.bootstrap, "create", topic, 3)
    assert r["created"] is True
    r = run_node("admin.js", broker.bootstrap, "create", topic, 3)
    assert r["created"] is False, "createTopics of an existing topic must resolve false"
    r = run_node("admin.js", broker.bootstrap, "create", gz, 1)
    assert r["created"] is True

    md = run_node("admin.js", broker.bootstrap, "metadata", topic)
    t, = md["topics"]
    assert t["name"] == topic
    assert sorted(x["partitionId"] for x in t["partitions"]) == [0, 1, 2]
    for part in t["partitions"]:
        assert part["leader"] == 1 and part["replicas"] == [1] and part["isr"] == [1]
    assert topic in md["listed"] and gz in md["listed"]
    assert md["cluster"]["brokers"][0]["nodeId"] == 1 and md["cluster"]["controller"] == 1

    sent = {}
    for name, compression in ((topic, "none"), (gz, "gzip")):
        res = run_node("producer.js", broker.bootstrap, name, 1000, compression)
        assert res["sent"] == 1000
        assert all(x["errorCode"] == 0 for x in res["results"])
        sent[name] = res

    offs = run_node("admin.js", broker.bootstrap, "offsets", topic)["offsets"]
    assert sum(int(o["high"]) for o in offs) == 1000 and all(int(o["low"]) == 0 for o in offs)
    assert len(offs) == 3 and all(int(o["high"]) > 0 for o in offs)

    for name, nparts in ((topic, 3), (gz, 1)):
        ends = {o["partition"]: int(o["high"])
                for o in run_node("admin.js", broker.bootstrap, "offsets", name)["offsets"]}
        assert len(ends) == nparts and sum(ends.values()) == 1000
        recs = consume_all(broker.bootstrap, name, ends)
        assert len(recs) == 1000
        seq_by_part = {}
        for part, off, key, value, headers, _ts in recs:
            i = int(key.decode().split("-")[1])
            assert value == ("kafkajs value %d " % i).encode() + b"x" * (i % 50)
            assert sorted(headers) == sorted([("seq", b"%d" % i), ("client", b"kafkajs")])
            seq_by_part.setdefault(part, []).append(i)
        assert sorted(i for s in seq_by_part.values() for i in s) == list(range(1000))
        for part, seqs in seq_by_part.items():
            assert seqs == sorted(seqs), "partition %d out of send order" % part
    codec = [b[1] & 7 for b in segment_batches(broker.data_dir, gz, 0)]
    assert codec and set(codec) == {1}, "kafkajs gzip batches stored with codecs %s" % set(codec)
    # The kafkajs group consumer is exercised in test_groups.py.


# --------------------------------------------------------------- 8. kcat

def test_kcat(broker):
    topic = "kcat-topic"
    create_topic(broker.bootstrap, topic)
    lines = ["k%d:value %d" % (i, i) for i in range(20)]
    r = subprocess.run(["kcat", "-b", broker.bootstrap, "-t", topic, "-P", "-K:"],
                       input=("\n".join(lines) + "\n").encode(), capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr.decode()

    r = subprocess.run(["kcat", "-b", broker.bootstrap, "-L"], capture_output=True, timeout=30, text=True)
    assert r.returncode == 0, r.stderr
    assert 'topic "%s" with 1 partitions:' % topic in r.stdout, r.stdout
    assert "partition 0, leader 1, replicas: 1, isrs: 1" in r.stdout, r.stdout
    assert "broker 1 at %s" % broker.bootstrap in r.stdout, r.stdout

    r = subprocess.run(["kcat", "-b", broker.bootstrap, "-t", topic, "-C", "-e", "-o", "beginning",
                        "-f", "%k=%s\n"], capture_output=True, timeout=30, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["k%d=value %d" % (i, i) for i in range(20)]


# ------------------------------------------------------------ 9. startup

def test_startup_time_and_idle_rss(broker_factory):
    b = broker_factory(name="startup")
    limit = 1000 if SANITIZED else 100
    # The first start also creates the data directory; measure a restart too.
    first = b.ready_ms
    b.restart()
    assert first < limit, "ready after %.1f ms on first start" % first
    assert b.ready_ms < limit, "ready after %.1f ms on restart" % b.ready_ms
    md = AdminClient({"bootstrap.servers": b.bootstrap}).list_topics(timeout=10)
    assert 1 in md.brokers
    if not SANITIZED:
        rss = b.rss_kb()
        assert rss < 20 * 1024, "idle RSS %d kB" % rss

"""Message formats v0 and v1 (before Kafka 0.11), as Kafka 3.x served them:
Produce v0-2 message sets are stored as v2 batches, Fetch v0-3 answer with
message sets down-converted to v0 (Fetch v0-1) or v1 (Fetch v2-3). Raw
requests at each version, kafka-python's legacy builder for the message
sets, and kafka-python itself pinned to the old protocol."""

import struct
import time
import zlib

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.record import MemoryRecords
from kafka.record.legacy_records import LegacyRecordBatchBuilder

from kwire import Conn, call, fetch_v4_request, i16, i32, i64, nbytes, parse_fetch_v4_response, string

NONE, CORRUPT_MESSAGE, INVALID_RECORD = 0, 2, 87
NOW = int(time.time() * 1000)
MESSAGES = [(b"k1", b"one"), (None, b"two"), (b"k3", None)]


def create_topic(broker, name):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        admin.create_topics([NewTopic(name, 1, 1)])
    finally:
        admin.close()


def message_set(magic, codec=0, messages=MESSAGES, ts=NOW):
    b = LegacyRecordBatchBuilder(magic, codec, 1 << 20)
    for i, (k, v) in enumerate(messages):
        b.append(i, ts + i if magic else None, k, v)
    return bytes(b.build())


def produce_legacy(conn, version, topic, blob):
    """Produce v0-2 of one message set to partition 0: (error, base offset)."""
    body = i16(-1) + i32(5000) + i32(1) + string(topic) + i32(1) + i32(0) + nbytes(blob)
    r = call(conn, 0, version, body)
    out = []

    def part():
        idx, err, base = r.i32(), r.i16(), r.i64()
        if version >= 2:
            r.i64()
        out.append((err, base))

    r.array(lambda: (r.string(), r.array(part)))
    if version >= 1:
        r.i32()
    r.exact()
    assert len(out) == 1
    return out[0]


def fetch_legacy(conn, version, topic, offset):
    """Fetch v0-3 of partition 0: (error, high watermark, records bytes)."""
    body = i32(-1) + i32(0) + i32(0) + (i32(1 << 20) if version >= 3 else b"") + i32(1) + string(topic) + \
        i32(1) + i32(0) + i64(offset) + i32(1 << 20)
    r = call(conn, 1, version, body)
    if version >= 1:
        r.i32()
    out = []

    def part():
        _idx, err, hw, recs = r.i32(), r.i16(), r.i64(), r.nbytes()
        out.append((err, hw, recs))

    r.array(lambda: (r.string(), r.array(part)))
    r.exact()
    return out[0]


def fetch_v4(conn, topic, offset):
    fetch_v4_request(conn, topic, 0, offset, 0, 0)
    (_t, _p, err, _hw, recs), = parse_fetch_v4_response(conn.response()[1])
    assert err == NONE
    return recs


def records_of(blob):
    """[(magic, offset, timestamp, key, value)] of every record, CRCs checked."""
    out, mr, pos = [], MemoryRecords(blob), 0
    while mr.has_next():
        b = mr.next_batch()
        assert b.validate_crc()
        magic = blob[pos + 16]   # in both formats
        pos += 12 + struct.unpack_from(">i", blob, pos + 8)[0]
        for rec in b:
            out.append((magic, rec.offset, rec.timestamp, rec.key, rec.value))
    assert pos == len(blob)
    return out


@pytest.mark.parametrize("version", [0, 1, 2])
@pytest.mark.parametrize("codec", [0, 1], ids=["none", "gzip"])
def test_produce_v0_2_stored_as_v2_and_fetched_at_every_version(broker, version, codec):
    topic = "legacy-p%d-c%d" % (version, codec)
    create_topic(broker, topic)
    c = Conn(broker.bootstrap)
    magic = 1 if version == 2 else 0
    assert produce_legacy(c, version, topic, message_set(magic, codec)) == (NONE, 0)
    assert produce_legacy(c, version, topic, message_set(magic, codec)) == (NONE, 3)
    ts = [NOW, NOW + 1, NOW + 2] if magic else [-1, -1, -1]
    want = [(k, v) for k, v in MESSAGES] * 2

    # Stored as v2 batches, one per message set, in the wrapper's codec.
    stored = records_of(fetch_v4(c, topic, 0))
    assert [(k, v) for _m, _o, _t, k, v in stored] == want
    assert [m for m, *_ in stored] == [2] * 6
    assert [o for _m, o, *_ in stored] == list(range(6))
    assert [t for _m, _o, t, *_ in stored] == ts * 2

    # Down-converted: v0 for Fetch v0-1, v1 (with timestamps) for v2-3.
    for fv in (0, 1, 2, 3):
        err, hw, blob = fetch_legacy(c, fv, topic, 0)
        assert (err, hw) == (NONE, 6)
        got = records_of(blob)
        fmagic = 1 if fv >= 2 else 0
        assert [(m, o, k, v) for m, o, _t, k, v in got] == [(fmagic, o, k, v) for o, (k, v) in enumerate(want)]
        if fmagic:
            assert [t for _m, _o, t, *_ in got] == ts * 2
    c.close()


def test_log_append_time_wrapper_sets_inner_timestamps(broker):
    """A v1 compressed wrapper with LogAppendTime gives its time to every inner message."""
    create_topic(broker, "legacy-lat")
    inner = message_set(1, 0)
    value = zlib.compress(inner)
    wrapper_ts = NOW - 5000
    body = struct.pack(">bbq", 1, 1 | 0x08, wrapper_ts) + nbytes(None) + nbytes(value)
    msg = struct.pack(">I", zlib.crc32(body)) + body
    c = Conn(broker.bootstrap)
    assert produce_legacy(c, 2, "legacy-lat", i64(2) + i32(len(msg)) + msg) == (NONE, 0)
    assert [r[2] for r in records_of(fetch_v4(c, "legacy-lat", 0))] == [wrapper_ts] * 3
    c.close()


def _bad_crc(blob):
    b = bytearray(blob)
    b[-1] ^= 0xFF
    return bytes(b)


def _nested(blob):
    """A gzip wrapper around a gzip wrapper."""
    body = struct.pack(">bb", 0, 1) + nbytes(None) + nbytes(zlib.compress(blob))
    msg = struct.pack(">I", zlib.crc32(body)) + body
    return i64(0) + i32(len(msg)) + msg


def _garbage_gzip():
    body = struct.pack(">bb", 0, 1) + nbytes(None) + nbytes(b"\x1f\x8b not gzip at all")
    msg = struct.pack(">I", zlib.crc32(body)) + body
    return i64(0) + i32(len(msg)) + msg


@pytest.mark.parametrize("blob,errors", [
    (_bad_crc(message_set(1)), (CORRUPT_MESSAGE,)),
    (message_set(1)[:-3], (CORRUPT_MESSAGE,)),
    (message_set(0) + b"\x00\x00", (CORRUPT_MESSAGE,)),
    (_nested(message_set(0, 1)), (INVALID_RECORD,)),
    (_garbage_gzip(), (CORRUPT_MESSAGE,)),
    (b"\x00" * 11, (CORRUPT_MESSAGE,)),
], ids=["bad_crc", "cut_short", "trailing_bytes", "nested_compression", "garbage_gzip", "tiny"])
def test_corrupt_message_sets_refused(broker, blob, errors):
    create_topic(broker, "legacy-bad")
    c = Conn(broker.bootstrap)
    err, base = produce_legacy(c, 1, "legacy-bad", blob)
    assert err in errors and base == -1, (err, base)
    assert produce_legacy(c, 1, "legacy-bad", message_set(0)) == (NONE, 0)   # nothing was stored before it
    c.close()


@pytest.mark.parametrize("api_version,magic", [((0, 10), 1), ((0, 9), 0)])
def test_kafka_python_on_the_old_protocol(broker, api_version, magic):
    """kafka-python pinned to 0.9/0.10 sends Produce v1/v2 (message formats v0/v1) and fetches at v1/v2."""
    topic = "legacy-kp-%d" % magic
    create_topic(broker, topic)
    p = KafkaProducer(bootstrap_servers=broker.bootstrap, api_version=api_version, compression_type="gzip",
                      linger_ms=5)
    for i in range(20):
        p.send(topic, key=b"k%d" % i, value=b"v%d" % i)
    p.flush()
    p.close()
    cons = KafkaConsumer(bootstrap_servers=broker.bootstrap, api_version=api_version, consumer_timeout_ms=5000,
                         enable_auto_commit=False)
    cons.assign([TopicPartition(topic, 0)])
    cons.seek_to_beginning()
    got = [(m.offset, m.key, m.value) for m in cons]
    cons.close()
    assert got == [(i, b"k%d" % i, b"v%d" % i) for i in range(20)]

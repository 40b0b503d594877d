"""Bad input: malformed frames and requests, corrupt record batches,
invalid names, abusive clients and bad configuration.

Every case checks three things: a clear error (the Kafka error code a
Kafka broker gives, or the connection closed with a log line saying why),
nothing lost (what was produced before is still readable, and nothing
else is), and the broker still serving (a fresh connection gets
ApiVersions, the process is alive, and its log has no sanitizer report)."""
import os
import random
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.request

import pytest

from conftest import SANITIZED, SLUICE_BIN, free_port
from kwire import (Conn, Reader, batch, crc32c, i8, i16, i32, i64, metadata_v1, metadata_v4, nbytes, parse_metadata,
                   parse_produce_v3_response, produce_v3, record, string, uvarint, compact_string)

# Kafka error codes
NONE = 0
CORRUPT_MESSAGE = 2
UNKNOWN_TOPIC_OR_PARTITION = 3
MESSAGE_TOO_LARGE = 10
INVALID_TOPIC_EXCEPTION = 17
UNSUPPORTED_VERSION = 35
UNSUPPORTED_COMPRESSION_TYPE = 76
INVALID_RECORD = 87
# What Kafka answers for a batch whose bytes do not add up: CORRUPT_MESSAGE
# when a check on the batch as a whole fails (CRC, size, decompression),
# INVALID_RECORD when its records contradict its header (LogValidator).
CORRUPT_CODES = (CORRUPT_MESSAGE, INVALID_RECORD)

# Ranges this broker serves (Kafka's full valid range for each).
EXPECTED_RANGES = {
    0: (0, 11),    # Produce
    1: (0, 17),    # Fetch
    2: (0, 10),    # ListOffsets
    3: (0, 12),    # Metadata
    18: (0, 4),    # ApiVersions
    19: (0, 7),    # CreateTopics
    20: (0, 6),    # DeleteTopics
    21: (0, 2),    # DeleteRecords
    32: (0, 4),    # DescribeConfigs
    33: (0, 2),    # AlterConfigs
    35: (0, 4),    # DescribeLogDirs
    37: (0, 3),    # CreatePartitions
    44: (0, 1),    # IncrementalAlterConfigs
    60: (0, 1),    # DescribeCluster
}
KAFKA_API_KEYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                              "kafka-protocol", "api-keys.tsv")


# ---------------------------------------------------------------- wire helpers

# Reads a response body; exact() checks that every byte was used.
R = Reader


def call(conn, key, version, body, flexible_req=False, flexible_resp=False):
    corr = conn.request(key, version, body, flexible=flexible_req)
    got, data = conn.response(flexible=flexible_resp)
    assert got == corr, "correlation id %d, expected %d" % (got, corr)
    return R(data)


def api_versions(conn, version):
    """Returns (error_code, {key: (min, max)}) and checks the v0 response header
    and the exact layout of the version's body."""
    flexible = version >= 3
    body = compact_string("kwire") + compact_string("1.0") + uvarint(0) if flexible else b""
    # ApiVersions responses always use response header v0: no tagged fields after the correlation id.
    r = call(conn, 18, version, body, flexible_req=flexible, flexible_resp=False)
    err = r.i16()
    apis = {}

    def one():
        k, lo, hi = r.i16(), r.i16(), r.i16()
        if flexible:
            r.skip_tags()
        assert k not in apis, "api key %d listed twice" % k
        apis[k] = (lo, hi)

    (r.compact_array if flexible else r.array)(one)
    if version >= 1:
        r.i32()
    if flexible:
        r.skip_tags()
    r.exact()
    return err, apis


def create_topics(conn, topics, validate_only=False):
    """CreateTopics v2; topics [(name, partitions, {config: value})]. Returns {name: (error, message)}."""
    body = i32(len(topics))
    for name, parts, cfg in topics:
        body += string(name) + i32(parts) + i16(1) + i32(0) + i32(len(cfg))
        body += b"".join(string(k) + string(v) for k, v in cfg.items())
    body += i32(10000) + i8(1 if validate_only else 0)
    r = call(conn, 19, 2, body)
    r.i32()
    out = {}

    def top():
        name, err, msg = r.string(), r.i16(), r.string()
        out[name] = (err, msg)

    r.array(top)
    r.exact()
    return out


def produce(conn, topic, partition, blob, acks=-1):
    """Produce v3 of one records blob; returns (error_code, base_offset)."""
    corr = conn.request(0, 3, produce_v3(topic, partition, blob, acks=acks))
    got, body = conn.response()
    assert got == corr
    res = parse_produce_v3_response(body)
    assert len(res) == 1 and res[0][:2] == (topic, partition), res
    return res[0][2], res[0][3]


def list_offset(conn, topic, partition, ts=-1):
    """ListOffsets v1; returns (error, offset)."""
    body = i32(-1) + i32(1) + string(topic) + i32(1) + i32(partition) + i64(ts)
    r = call(conn, 2, 1, body)
    out = []

    def part():
        idx, err, _ts, off = r.i32(), r.i16(), r.i64(), r.i64()
        out.append((idx, err, off))

    r.array(lambda: (r.string(), r.array(part)))
    r.exact()
    assert len(out) == 1 and out[0][0] == partition
    return out[0][1], out[0][2]


def fetch_v4(conn, topic, partition, offset, max_bytes=1 << 20):
    """Returns (error, high_watermark, records bytes)."""
    body = (i32(-1) + i32(0) + i32(0) + i32(max_bytes) + i8(0) + i32(1) + string(topic) + i32(1) +
            i32(partition) + i64(offset) + i32(max_bytes))
    r = call(conn, 1, 4, body)
    r.i32()
    out = []

    def part():
        idx, err, hw, _lso = r.i32(), r.i16(), r.i64(), r.i64()
        r.array(lambda: (r.i64(), r.i64()))
        out.append((idx, err, hw, r.nbytes() or b""))

    r.array(lambda: (r.string(), r.array(part)))
    r.exact()
    assert len(out) == 1
    return out[0][1:]


def _varint(d, p):
    v = shift = 0
    while True:
        b = d[p]
        p += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return (v >> 1) ^ -(v & 1), p
        shift += 7


def decode_records(blob):
    """[(offset, key, value)] of every whole uncompressed batch in blob."""
    out = []
    pos = 0
    while pos + 61 <= len(blob):
        base, length = struct.unpack_from(">qi", blob, pos)
        end = pos + 12 + length
        if end > len(blob):
            break
        attrs, = struct.unpack_from(">h", blob, pos + 21)
        assert attrs & 7 == 0, "compressed batch in a test that produced none"
        crc, = struct.unpack_from(">I", blob, pos + 17)
        assert crc32c(blob[pos + 21:end]) == crc, "stored batch at offset %d has a bad CRC" % base
        count, = struct.unpack_from(">i", blob, pos + 57)
        p = pos + 61
        for _ in range(count):
            ln, p = _varint(blob, p)
            rec_end = p + ln
            p += 1
            _, p = _varint(blob, p)
            od, p = _varint(blob, p)
            kl, p = _varint(blob, p)
            key = None if kl < 0 else bytes(blob[p:p + kl])
            p += max(kl, 0)
            vl, p = _varint(blob, p)
            val = None if vl < 0 else bytes(blob[p:p + vl])
            out.append((base + od, key, val))
            p = rec_end
        assert p == end, "records do not fill the stored batch"
        pos = end
    return out


def read_all(bootstrap, topic, partition=0):
    """Every record up to the high watermark: (hw, [(offset, key, value)])."""
    c = Conn(bootstrap)
    try:
        out = []
        offset = 0
        while True:
            err, hw, blob = fetch_v4(c, topic, partition, offset)
            assert err == NONE, "fetch error %d" % err
            recs = [r for r in decode_records(blob) if r[0] >= offset]
            out += recs
            if not recs:
                return hw, out
            offset = recs[-1][0] + 1
            if offset >= hw:
                return hw, out
    finally:
        c.close()


def wait_log(b, pattern, timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, b.read_log())
        if m:
            return m.group(0)
        if time.monotonic() > deadline:
            raise AssertionError("no log line matching %r:\n%s" % (pattern, b.read_log()[-2000:]))
        time.sleep(0.05)


def assert_serving(b):
    """The process is alive and a fresh connection is answered."""
    assert b.proc.poll() is None, "broker exited with %s" % b.proc.returncode
    c = Conn(b.bootstrap)
    try:
        err, apis = api_versions(c, 2)
        assert err == NONE and 18 in apis
    finally:
        c.close()


def good_record_topic(b, topic="t", partitions=1, configs=None):
    """Creates topic and produces one good record to partition 0; returns the record's value."""
    c = Conn(b.bootstrap)
    try:
        res = create_topics(c, [(topic, partitions, configs or {})])
        assert res[topic][0] == NONE, res
        err, base = produce(c, topic, 0, batch([(b"k", b"good")]))
        assert (err, base) == (NONE, 0)
    finally:
        c.close()
    return b"good"


def assert_only_good(b, topic="t"):
    hw, recs = read_all(b.bootstrap, topic)
    assert hw == 1 and recs == [(0, b"k", b"good")], (hw, recs)
    c = Conn(b.bootstrap)
    try:
        assert list_offset(c, topic, 0) == (NONE, 1)
    finally:
        c.close()


def send_frame(conn, payload):
    conn.send_raw(i32(len(payload)) + payload)


def header(key, version, corr=1, client_id="kwire"):
    return i16(key) + i16(version) + i32(corr) + string(client_id)


# ---------------------------------------------------------------- framing

def test_truncated_frame_then_close(broker):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    c.send_raw(i32(100) + b"\x00\x12\x00\x00" + b"x" * 10)   # 14 of 100 bytes
    time.sleep(0.1)
    c.close()
    # A partial frame that stays open must not hold up anyone else.
    stuck = Conn(broker.bootstrap)
    stuck.send_raw(i32(1000) + header(18, 0))
    assert_serving(broker)
    stuck.close()
    assert_only_good(broker)
    broker.check_log_clean()


@pytest.mark.parametrize("size", [-1, -2147483648])
def test_negative_frame_size(broker, size):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    c.send_raw(i32(size) + header(18, 0))
    assert c.is_closed(), "negative size did not close the connection"
    wait_log(broker, r"request too large, closing connection.*size=%d" % size)
    assert_serving(broker)
    assert_only_good(broker)


def test_frame_above_socket_request_max_bytes(broker_factory):
    limit = 1048576
    b = broker_factory(props={"socket.request.max.bytes": limit})
    good_record_topic(b)
    # Exactly the limit is allowed (Kafka refuses only size > max): a
    # produce padded to a frame of exactly `limit` bytes is served.
    c = Conn(b.bootstrap)
    hdr = header(0, 3, corr=7)
    fixed = len(hdr) + len(produce_v3("t", 0, batch([(b"k", b"")])))
    pad = limit - fixed
    blob = batch([(b"k", b"x" * pad)])
    extra = len(hdr) + len(produce_v3("t", 0, blob)) - limit   # varint lengths grew
    value = b"x" * (pad - extra)
    blob = batch([(b"k", value)])
    payload = hdr + produce_v3("t", 0, blob)
    assert len(payload) == limit
    send_frame(c, payload)
    got, body = c.response()
    assert got == 7
    assert parse_produce_v3_response(body)[0][2:] == (NONE, 1)
    # One byte more closes the connection before the body is read.
    c.send_raw(i32(limit + 1) + hdr)
    assert c.is_closed()
    wait_log(b, r"request too large.*size=%d max=%d" % (limit + 1, limit))
    # A 2 MB size prefix, with no body to follow: closed at once, nothing allocated.
    rss0 = b.rss_kb()
    c = Conn(b.bootstrap)
    c.send_raw(i32(2 * 1024 * 1024) + hdr + b"y" * 1000)
    assert c.is_closed(timeout=3)
    wait_log(b, r"request too large.*size=%d max=%d" % (2 * 1024 * 1024, limit))
    assert b.rss_kb() - rss0 < 16 * 1024
    assert_serving(b)
    hw, recs = read_all(b.bootstrap, "t")
    assert hw == 2 and recs[0] == (0, b"k", b"good") and recs[1] == (1, b"k", value)


@pytest.mark.parametrize("payload", [b"", b"\x00", b"\x00\x12\x00", b"\x00\x12\x00\x00\x00\x00",
                                     # Metadata v9 (flexible): header tagged fields claim 3 fields, none follow
                                     b"\x00\x03\x00\x09\x00\x00\x00\x01\x00\x01k\x03",
                                     # ... and a tag whose size runs past the frame
                                     b"\x00\x03\x00\x09\x00\x00\x00\x01\x00\x01k\x01\x00\x7f",
                                     # client id length 50, 3 bytes follow
                                     b"\x00\x12\x00\x00\x00\x00\x00\x01\x00\x32abc",
                                     # client id length -2
                                     b"\x00\x12\x00\x00\x00\x00\x00\x01\xff\xfe"],
                         ids=["empty", "1byte", "3bytes", "6bytes", "header_tags_missing", "header_tag_overrun",
                              "client_id_overrun", "client_id_len_-2"])
def test_garbage_header(broker, payload):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    send_frame(c, payload)
    assert c.is_closed(), "a malformed header did not close the connection"
    wait_log(broker, r"malformed request header")
    assert_serving(broker)
    assert_only_good(broker)


# ---------------------------------------------------------------- api keys and versions

@pytest.mark.parametrize("key,version", [(9999, 0), (100, 0), (-1, 0), (88, 0), (3, 99), (3, -1), (0, 12),
                                         (1, 18)],
                         ids=["key9999", "key100", "key-1", "key88", "metadata_v99", "metadata_v-1",
                              "produce_v12", "fetch_v18"])
def test_unknown_api_or_version_closes(broker, key, version):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    c.request(key, version, b"\x00" * 16)
    assert c.is_closed(), "api %d v%d did not close the connection" % (key, version)
    wait_log(broker, r"unsupported API or version, closing connection.*api_key=%d api_version=%d" % (key, version))
    assert_serving(broker)
    assert_only_good(broker)


def test_api_versions_unsupported_version(broker):
    c = Conn(broker.bootstrap)
    for v in (5, 99, 32767):
        # The client's header may be v2 (with tags) for an unknown new version.
        corr = c.request(18, v, compact_string("kwire") + compact_string("1.0") + uvarint(0), flexible=True)
        got, data = c.response(flexible=False)
        assert got == corr
        r = R(data)
        assert r.i16() == UNSUPPORTED_VERSION
        apis = {}
        r.array(lambda: apis.__setitem__(r.i16(), (r.i16(), r.i16())))
        r.exact()   # v0 format: no throttle time, no tags
        assert apis.get(18) == (0, 4), apis
        assert apis.get(3) == (0, 12), apis
    # The connection stays usable: retry at a supported version.
    err, apis = api_versions(c, 3)
    assert err == NONE


def _kafka_valid_ranges():
    out = {}
    with open(KAFKA_API_KEYS) as f:
        next(f)
        for line in f:
            key, _name, valid = line.split("\t")[:3]
            lo, hi = valid.split("-") if "-" in valid else (valid, valid)
            out[int(key)] = (int(lo), int(hi))
    return out


def test_api_versions_all_versions(broker):
    c = Conn(broker.bootstrap)
    lists = {}
    for v in range(5):
        err, apis = api_versions(c, v)
        assert err == NONE, "ApiVersions v%d error %d" % (v, err)
        lists[v] = apis
    for v in range(1, 5):
        assert lists[v] == lists[0], "ApiVersions v%d lists other APIs than v0" % v
    apis = lists[0]
    for k, rng in EXPECTED_RANGES.items():
        assert apis.get(k) == rng, "api %d advertised %s, expected %s" % (k, apis.get(k), rng)
    if os.path.exists(KAFKA_API_KEYS):
        kafka = _kafka_valid_ranges()
        for k, (lo, hi) in apis.items():
            assert k in kafka and kafka[k][0] <= lo <= hi <= kafka[k][1], "api %d range %d-%d" % (k, lo, hi)
    # Everything advertised is served: one version above the range closes.
    for k, (lo, hi) in sorted(apis.items()):
        if k == 18:
            continue
        c2 = Conn(broker.bootstrap)
        c2.request(k, hi + 1, b"")
        assert c2.is_closed(), "api %d v%d (above the advertised range) was accepted" % (k, hi + 1)
        c2.close()
    # Invalid client software name (KIP-511) -> INVALID_REQUEST (42), still the list.
    body = compact_string("bad name!") + compact_string("1.0") + uvarint(0)
    r = call(c, 18, 3, body, flexible_req=True)
    assert r.i16() == 42
    assert_serving(broker)


# ---------------------------------------------------------------- wrong counts

@pytest.mark.parametrize("key,version,body", [
    (3, 1, i32(1000000) + b"\x00\x01"),
    (3, 1, i32(0x7FFFFFFF)),
    (3, 9, uvarint(0xFFFFFFF) + b"\x00"),
    (0, 3, string(None) + i16(-1) + i32(5000) + i32(1) + string("t") + i32(50000000) + i32(0)),
    (0, 3, string(None) + i16(-1) + i32(5000) + i32(1) + string("t") + i32(1) + i32(0) + i32(0x7FFFFFF0) + b"ab"),
    (19, 2, i32(1) + string("x") + i32(1) + i16(1) + i32(-5) + i32(0) + i32(1000) + i8(0)),
    (3, 9, uvarint(2) + uvarint(0xFFFFFFF) + b"ab"),
    (3, 9, uvarint(2) + b"\xff\xff\xff\xff\xff\xff\x01"),
    (3, 9, uvarint(2) + compact_string("t") + uvarint(5)),
], ids=["metadata_1M_topics", "metadata_2G_topics", "metadata_v9_compact_huge", "produce_50M_partitions",
        "produce_records_2GB", "create_topics_negative_count", "metadata_v9_name_overrun",
        "metadata_v9_varint_too_long", "metadata_v9_tags_missing"])
def test_wrong_counts_close_without_allocating(broker, key, version, body):
    good_record_topic(broker)
    rss0 = broker.rss_kb()
    c = Conn(broker.bootstrap)
    c.request(key, version, body, flexible=version >= 9 and key == 3)
    assert c.is_closed(), "an impossible count did not close the connection"
    wait_log(broker, r"malformed request, closing connection.*api_key=%d" % key)
    assert broker.rss_kb() - rss0 < 16 * 1024, "an impossible count made the broker allocate"
    assert_serving(broker)
    assert_only_good(broker)


# ---------------------------------------------------------------- corrupt record batches

def _flip(blob, pos):
    b = bytearray(blob)
    b[pos] ^= 0xFF
    return bytes(b)


def _with_crc(blob):
    """Recomputes the CRC after editing bytes it covers."""
    b = bytearray(blob)
    struct.pack_into(">I", b, 17, crc32c(bytes(b[21:])))
    return bytes(b)


def _legacy_message_set(value=b"v" * 40):
    """One magic 1 message (offset, size, crc, magic, attributes, timestamp, key, value)."""
    body = i8(1) + i8(0) + i64(int(time.time() * 1000)) + nbytes(b"k") + nbytes(value)
    import zlib
    msg = struct.pack(">I", zlib.crc32(body)) + body
    return i64(0) + i32(len(msg)) + msg


def _batch_with_codec(codec, payload, count=1):
    """A batch whose attributes name codec and whose records block is payload (CRC right)."""
    ts = int(time.time() * 1000)
    after = (i16(codec) + i32(count - 1) + i64(ts) + i64(ts) + i64(-1) + i16(-1) + i32(-1) + i32(count) + payload)
    tail = i32(0) + i8(2) + struct.pack(">I", crc32c(after)) + after
    return i64(0) + i32(len(tail)) + tail


def _corrupt_cases():
    good2 = [(b"a", b"1"), (b"b", b"2")]
    recs = record(0, b"a", b"1") + record(1, b"b", b"2")
    # record length one too big: the first record claims a byte of the next
    bad_len = bytearray(recs)
    bad_len[0] += 2          # zig-zag: +1 in length
    import gzip
    return [
        ("bad_crc", _flip(batch(good2), 70), (CORRUPT_MESSAGE,)),
        ("crc_field_flipped", _flip(batch(good2), 18), (CORRUPT_MESSAGE,)),
        ("count_3_records_2", batch(good2, count=3, last_offset_delta=2), CORRUPT_CODES),
        ("count_1_records_2", batch(good2, count=1, last_offset_delta=0), CORRUPT_CODES),
        ("last_offset_delta_wrong", batch(good2, last_offset_delta=5), CORRUPT_CODES),
        ("count_0", batch([], count=0, last_offset_delta=-1, raw_records=b""), CORRUPT_CODES),
        ("record_length_wrong", batch(good2, raw_records=bytes(bad_len)), CORRUPT_CODES),
        ("offset_delta_wrong", batch(good2, raw_records=record(0, b"a", b"1") + record(5, b"b", b"2")),
         CORRUPT_CODES),
        ("trailing_garbage_in_batch", batch(good2, raw_records=recs + b"\x00\x01\x02"), CORRUPT_CODES),
        ("batch_length_too_big", _with_length(batch(good2), +10), (INVALID_RECORD,)),   # as cut short
        ("batch_length_too_small", _with_length(batch(good2), -3), CORRUPT_CODES),
        ("batch_length_negative", _with_length(batch(good2), None), (CORRUPT_MESSAGE,)),
        ("truncated_header", batch(good2)[:40], (INVALID_RECORD,)),   # Kafka: no batch at all in it
        ("empty_records", b"", CORRUPT_CODES),
        # Kafka: "Produce requests with version 3 are only allowed to contain
        # record batches with magic version 2" (InvalidRecordException).
        ("magic_1", _legacy_message_set(), (INVALID_RECORD,)),
        ("magic_0", _set_magic(_legacy_message_set(), 0), (INVALID_RECORD,)),
        # ... and an unknown magic is "Invalid magic found in record" (CorruptRecordException).
        ("magic_3", _set_magic(batch(good2), 3), (CORRUPT_MESSAGE,)),
        ("magic_-1", _set_magic(batch(good2), 0xFF), (CORRUPT_MESSAGE,)),
        ("gzip_not_gzip", _batch_with_codec(1, recs), (CORRUPT_MESSAGE,)),
        ("gzip_truncated", _batch_with_codec(1, gzip.compress(recs)[:-12]), CORRUPT_CODES),
        ("gzip_fewer_records", _batch_with_codec(1, gzip.compress(recs), count=3), CORRUPT_CODES),
        ("snappy_not_snappy", _batch_with_codec(2, b"\xff" * 30), (CORRUPT_MESSAGE,)),
        ("lz4_not_lz4", _batch_with_codec(3, recs), (CORRUPT_MESSAGE,)),
        ("zstd_not_zstd", _batch_with_codec(4, recs), (CORRUPT_MESSAGE,)),
        ("codec_5", _batch_with_codec(5, recs), (UNSUPPORTED_COMPRESSION_TYPE, CORRUPT_MESSAGE)),
        ("codec_7", _batch_with_codec(7, recs), (UNSUPPORTED_COMPRESSION_TYPE, CORRUPT_MESSAGE)),
        ("second_batch_corrupt", batch(good2) + _flip(batch(good2), 70), (CORRUPT_MESSAGE,)),
        ("trailing_garbage_after_batch", batch(good2) + b"\x00" * 20, CORRUPT_CODES),
    ]


def _with_length(blob, delta):
    b = bytearray(blob)
    n, = struct.unpack_from(">i", b, 8)
    struct.pack_into(">i", b, 8, -100 if delta is None else n + delta)
    return bytes(b)


def _set_magic(blob, magic):
    b = bytearray(blob)
    b[16] = magic
    return bytes(b)


def test_corrupt_batches_rejected(broker):
    """Each bad batch gets its error, and the partition still holds only
    the one good record produced before (high watermark 1)."""
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    wrong = []
    for name, blob, codes in _corrupt_cases():
        try:
            err, base = produce(c, "t", 0, blob)
        except (ConnectionError, OSError) as e:
            wrong.append("%s: connection dropped (%s)" % (name, e))
            c = Conn(broker.bootstrap)
            continue
        if err not in codes or base != -1:
            wrong.append("%s: error %d base %d, expected one of %s" % (name, err, base, codes))
    assert not wrong, "\n".join(wrong)
    assert_only_good(broker)
    # A good batch afterwards lands right after the good record.
    assert produce(c, "t", 0, batch([(b"k", b"after")])) == (NONE, 1)
    hw, recs = read_all(broker.bootstrap, "t")
    assert recs == [(0, b"k", b"good"), (1, b"k", b"after")]
    assert_serving(broker)


def test_corrupt_batch_in_one_partition_only(broker):
    """Errors are per partition: a bad batch for one partition does not stop
    the good batch for another in the same request."""
    good_record_topic(broker, partitions=2)
    c = Conn(broker.bootstrap)
    body = (string(None) + i16(-1) + i32(5000) + i32(1) + string("t") + i32(2) +
            i32(0) + nbytes(_flip(batch([(b"k", b"bad")]), 70)) + i32(1) + nbytes(batch([(b"k", b"p1")])))
    r = call(c, 0, 3, body)
    res = parse_produce_v3_response(r.data)
    assert sorted(res) == [("t", 0, CORRUPT_MESSAGE, -1), ("t", 1, NONE, 0)], res
    assert_only_good(broker)
    assert read_all(broker.bootstrap, "t", 1)[1] == [(0, b"k", b"p1")]


def test_batch_larger_than_max_message_bytes(broker):
    good_record_topic(broker, configs={"max.message.bytes": "1024"})
    c = Conn(broker.bootstrap)
    big = batch([(b"k", b"x" * 1100)])
    assert len(big) > 1024
    assert produce(c, "t", 0, big) == (MESSAGE_TOO_LARGE, -1)
    edge = next(batch([(b"k", b"x" * n)]) for n in range(900, 1024) if len(batch([(b"k", b"x" * n)])) == 1024)
    over = next(batch([(b"k", b"x" * n)]) for n in range(900, 1024) if len(batch([(b"k", b"x" * n)])) == 1025)
    assert produce(c, "t", 0, over) == (MESSAGE_TOO_LARGE, -1)
    hw, recs = read_all(broker.bootstrap, "t")
    assert recs == [(0, b"k", b"good")]
    # Exactly max.message.bytes is accepted (Kafka refuses size > max).
    assert produce(c, "t", 0, edge) == (NONE, 1)
    # The broker default (message.max.bytes) still applies to other topics.
    assert create_topics(c, [("u", 1, {})])["u"][0] == NONE
    assert produce(c, "u", 0, big) == (NONE, 0)
    assert_serving(broker)


def test_invalid_acks(broker):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    for acks in (2, -2, 100):
        assert produce(c, "t", 0, batch([(b"k", b"v")]), acks=acks) == (21, -1), acks   # INVALID_REQUIRED_ACKS
    assert_only_good(broker)


def test_fetch_out_of_range_and_unknown(broker):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    for off in (2, 1000, -1, -(1 << 62)):
        err, hw, blob = fetch_v4(c, "t", 0, off)
        assert (err, blob) == (1, b""), (off, err)   # OFFSET_OUT_OF_RANGE
    err, _hw, blob = fetch_v4(c, "t", 0, 1)          # the high watermark itself: empty, no error
    assert (err, blob) == (NONE, b"")
    assert fetch_v4(c, "nope", 0, 0)[0] == UNKNOWN_TOPIC_OR_PARTITION
    assert fetch_v4(c, "t", 5, 0)[0] == UNKNOWN_TOPIC_OR_PARTITION
    assert list_offset(c, "nope", 0) == (UNKNOWN_TOPIC_OR_PARTITION, -1)
    assert_serving(broker)
    assert_only_good(broker)


# ---------------------------------------------------------------- topics

def test_produce_to_missing_topic(broker_factory):
    b = broker_factory(props={"auto.create.topics.enable": "false"})
    good_record_topic(b)
    c = Conn(b.bootstrap)
    assert produce(c, "missing", 0, batch([(b"k", b"v")])) == (UNKNOWN_TOPIC_OR_PARTITION, -1)
    assert produce(c, "t", 1, batch([(b"k", b"v")])) == (UNKNOWN_TOPIC_OR_PARTITION, -1)
    assert produce(c, "t", -1, batch([(b"k", b"v")])) == (UNKNOWN_TOPIC_OR_PARTITION, -1)
    # Metadata neither creates it nor lists it.
    assert metadata_v1(c, ["missing"]) == {"missing": (UNKNOWN_TOPIC_OR_PARTITION, 0)}
    assert metadata_v4(c, ["missing"], True) == {"missing": (UNKNOWN_TOPIC_OR_PARTITION, 0)}
    assert set(metadata_v1(c, None)) == {"t"}
    assert not os.path.exists(os.path.join(b.data_dir, "missing-0"))
    assert_only_good(b)
    assert_serving(b)


BAD_NAMES = ["bad name", "..", ".", "a" * 250, "tab\tname", "slash/name", "naïve", ""]


def test_invalid_topic_names(broker):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    for name in BAD_NAMES:
        if name:   # an empty name in Metadata is not a request to create
            res = metadata_v1(c, [name])
            assert res == {name: (INVALID_TOPIC_EXCEPTION, 0)}, (name, res)
        res = create_topics(c, [(name, 1, {})])
        assert res[name][0] == INVALID_TOPIC_EXCEPTION, (name, res)
        assert res[name][1], "no error message for %r" % name
        res = create_topics(c, [(name, 1, {})], validate_only=True)
        assert res[name][0] == INVALID_TOPIC_EXCEPTION, (name, res)
    # 249 characters is the longest valid name.
    assert create_topics(c, [("b" * 249, 1, {})])["b" * 249][0] == NONE
    listed = set(metadata_v1(c, None))
    assert listed == {"t", "b" * 249}, listed
    dirs = sorted(os.listdir(broker.data_dir))
    assert not [d for d in dirs if d.startswith(("bad", "..-", "a" * 200, "tab", "slash", "na"))], dirs
    assert_only_good(broker)
    assert_serving(broker)


# ---------------------------------------------------------------- acks=0

def test_acks0_error_closes_connection(broker):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    # A good acks=0 produce gets no response: the next response on the
    # connection is the ApiVersions that follows it.
    c.request(0, 3, produce_v3("t", 0, batch([(b"k", b"silent")]), acks=0))
    corr = c.request(18, 0, b"")
    got, _ = c.response()
    assert got == corr
    # A failing acks=0 produce closes the connection (Kafka's way to tell
    # a client that does not read responses).
    c.request(0, 3, produce_v3("t", 0, _flip(batch([(b"k", b"bad")]), 70), acks=0))
    assert c.is_closed(), "acks=0 produce error did not close the connection"
    c = Conn(broker.bootstrap)
    c.request(0, 3, produce_v3("missing", 0, batch([(b"k", b"v")]), acks=0))
    assert c.is_closed()
    assert_serving(broker)
    deadline = time.monotonic() + 5
    while True:
        hw, recs = read_all(broker.bootstrap, "t")
        if hw >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert recs == [(0, b"k", b"good"), (1, b"k", b"silent")], recs


# ---------------------------------------------------------------- pipelining and backpressure

def test_pipelining_keeps_order(broker):
    good_record_topic(broker)
    c = Conn(broker.bootstrap)
    frames = []
    kinds = []
    corr = 100
    for i in range(50):
        corr += 1
        kind = ("apiv", "meta", "prod_all", "prod_1", "list")[i % 5]
        if kind == "apiv":
            p = header(18, 2, corr)
        elif kind == "meta":
            p = header(3, 1, corr) + i32(1) + string("t")
        elif kind == "prod_all":
            p = header(0, 3, corr) + produce_v3("t", 0, batch([(b"k", b"p%d" % i)]), acks=-1)
        elif kind == "prod_1":
            p = header(0, 3, corr) + produce_v3("t", 0, batch([(b"k", b"p%d" % i)]), acks=1)
        else:
            p = header(2, 1, corr) + i32(-1) + i32(1) + string("t") + i32(1) + i32(0) + i64(-2)
        frames.append(i32(len(p)) + p)
        kinds.append((corr, kind))
    c.send_raw(b"".join(frames))
    next_offset = 1
    for corr, kind in kinds:
        got, body = c.response()
        assert got == corr, "response %d arrived where %d was expected" % (got, corr)
        if kind.startswith("prod"):
            res = parse_produce_v3_response(body)
            assert res == [("t", 0, NONE, next_offset)], res
            next_offset += 1
        elif kind == "meta":
            assert parse_metadata(R(body), 1) == {"t": (NONE, 1)}
    # The last produces were acks=1: visible once the flusher has synced them.
    deadline = time.monotonic() + 5
    while True:
        hw, recs = read_all(broker.bootstrap, "t")
        if hw >= 21 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert hw == 21 and [r[0] for r in recs] == list(range(21))
    assert_serving(broker)


def test_pipelined_large_frames_arrive_intact(broker):
    """Large frames are handed over in the read buffer itself, the rest of
    the buffer moving to a spare one. Frames of many sizes around that
    threshold, pipelined and sent in odd-sized pieces, must all arrive
    whole, in order, with nothing of a neighbour in them."""
    good_record_topic(broker)
    c = Conn(broker.bootstrap, timeout=30)
    sizes = [10, 40_000, 33_000, 5, 200_000, 31_000, 1_000_000, 70_000, 1, 300_000, 65_536, 2]
    values = [bytes([(i * 37 + j) % 251 for j in range(256)]) * (n // 256) + bytes(n % 256) for i, n in enumerate(sizes)]
    frames = []
    for i, v in enumerate(values):
        p = header(0, 3, 500 + i) + produce_v3("t", 0, batch([(b"k%d" % i, v)]), acks=-1)
        frames.append(i32(len(p)) + p)
    data = b"".join(frames)
    # The first half in one write, the rest in pieces that split frames
    # and size prefixes alike.
    half = len(data) // 2
    c.send_raw(data[:half])
    pos, step = half, 7001
    while pos < len(data):
        c.send_raw(data[pos:pos + step])
        pos += step
        step = step * 3 % 90_001 + 3
        time.sleep(0.001)
    for i in range(len(values)):
        got, body = c.response()
        assert got == 500 + i
        assert parse_produce_v3_response(body) == [("t", 0, NONE, i + 1)]
    hw, recs = read_all(broker.bootstrap, "t")
    assert hw == len(values) + 1
    assert [r[2] for r in recs[1:]] == values
    assert_serving(broker)


@pytest.mark.parametrize("acks", [-1, 1])
def test_produce_answers_survive_the_frame_going_back_early(broker_factory, acks):
    """A Produce gives its frame back to the connection once appended
    (acks=all: not once fsynced; acks=1: before its answer is sent), so
    the frame's memory is reused for the next frames while the answer
    waits. With a slow fsync, ten large two-topic requests are in flight
    at once: every answer must still name its own topics and offsets,
    and every record must read back whole."""
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "300" if acks == -1 else "0"})
    n = 10
    # Names differ in length from request to request, so a reused frame
    # would not hold the same name at the same place.
    pairs = [("w%d-%s" % (i, "x" * (i * 3)), "v%d" % i) for i in range(n)]
    c = Conn(b.bootstrap, timeout=30)
    res = create_topics(c, [(t, 1, {}) for pair in pairs for t in pair])
    assert all(e == NONE for e, _ in res.values()), res
    values = {}
    frames = []
    for i, pair in enumerate(pairs):
        body = string(None) + i16(acks) + i32(10000) + i32(2)
        for j, t in enumerate(pair):
            v = bytes([(i * 31 + j * 7 + k) % 251 for k in range(256)]) * (600 + 150 * i)
            values[t] = v
            body += string(t) + i32(1) + i32(0) + nbytes(batch([(b"k", v)]))
        p = header(0, 3, 900 + i) + body
        frames.append(i32(len(p)) + p)
    start = time.monotonic()
    c.send_raw(b"".join(frames))
    for i, pair in enumerate(pairs):
        got, body = c.response()
        assert got == 900 + i
        assert parse_produce_v3_response(body) == [(pair[0], 0, NONE, 0), (pair[1], 0, NONE, 0)]
    if acks == -1:
        # The answers did wait for the (slow) fsync.
        assert time.monotonic() - start >= 0.25
    c.close()
    deadline = time.monotonic() + 10
    for t, v in values.items():
        hw, recs = read_all(b.bootstrap, t)
        while hw == 0 and time.monotonic() < deadline:   # acks=1: the fsync may still run
            time.sleep(0.05)
            hw, recs = read_all(b.bootstrap, t)
        assert hw == 1 and recs == [(0, b"k", v)], t
    assert_serving(b)


def produced_records(b):
    with urllib.request.urlopen(b.http_url + "/metrics", timeout=5) as r:
        m = re.search(r"^sluice_produced_records_total (\d+)", r.read().decode(), re.M)
    return int(m.group(1))


@pytest.mark.skipif(SANITIZED, reason="ASan keeps freed memory in quarantine")
def test_produce_waiting_for_fsync_holds_no_frames(broker_factory):
    """Thirty 1 MB acks=all requests wait for a slow fsync at once. Each
    gave its frame back once appended, so the broker's memory grows by a
    few spare read buffers, not by 30 MB of frames."""
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "1500"})
    c = Conn(b.bootstrap, timeout=30)
    assert create_topics(c, [("held", 1, {})])["held"][0] == NONE
    value = bytes(range(256)) * 4000          # 1,024,000 bytes
    blob = batch([(b"k", value)])
    frames = []
    for i in range(30):
        p = header(0, 3, 700 + i) + produce_v3("held", 0, blob, acks=-1, timeout_ms=30000)
        frames.append(i32(len(p)) + p)
    # Warm up: one such request, answered, so the allocator and the first
    # spare buffers exist before the baseline.
    c.send_raw(frames[0])
    got, body = c.response()
    assert parse_produce_v3_response(body) == [("held", 0, NONE, 0)]
    before = b.rss_kb()
    c.send_raw(b"".join(frames[1:]))
    # Measured once all 29 are appended, while none is fsynced yet.
    deadline = time.monotonic() + 10
    while produced_records(b) < 30:
        assert time.monotonic() < deadline, "the 29 requests were not appended"
        time.sleep(0.02)
    grown_mb = (b.rss_kb() - before) / 1024
    for i in range(1, 30):
        got, body = c.response()
        assert got == 700 + i
        assert parse_produce_v3_response(body) == [("held", 0, NONE, i)]
    assert grown_mb < 12, "RSS grew by %.1f MB while 29 requests waited" % grown_mb


def test_random_pipelined_produce_frames(broker_factory):
    """150 Produce requests of random sizes (small, around the 32 KB
    hand-over threshold, up to 1 MB), acks=1 and acks=all mixed, sent back
    to back in pieces of random length (1 byte to 2 MB) while fsyncs are
    slow: read buffers are handed over, reused, swapped for a spare that
    fits and given back early, in every order. Every answer comes in
    order with its own offset, and every record reads back whole."""
    rnd = random.Random(7)
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "30"})
    c = Conn(b.bootstrap, timeout=60)
    assert create_topics(c, [("s", 1, {})])["s"][0] == NONE
    values, frames = [], []
    for i in range(150):
        n = rnd.choice([rnd.randint(1, 200), rnd.randint(20_000, 70_000), rnd.randint(100_000, 1_000_000)])
        v = (bytes([(i * 13 + j) % 251 for j in range(997)]) * (n // 997 + 1))[:n]
        p = header(0, 3, 1000 + i) + produce_v3("s", 0, batch([(b"k", v)]), acks=rnd.choice([-1, 1]),
                                                 timeout_ms=30000)
        frames.append(i32(len(p)) + p)
        values.append(v)
    data = b"".join(frames)
    pos = 0
    while pos < len(data):
        step = rnd.choice([1, 3, 4, 5, 100, 4096, 65536, 300_000, 2_000_000])
        c.send_raw(data[pos:pos + step])
        pos += step
        if rnd.random() < 0.05:
            time.sleep(0.002)
    for i in range(len(values)):
        got, body = c.response()
        assert got == 1000 + i
        assert parse_produce_v3_response(body) == [("s", 0, NONE, i)]
    c.close()
    deadline = time.monotonic() + 10
    hw, recs = read_all(b.bootstrap, "s")
    while hw < len(values) and time.monotonic() < deadline:   # acks=1 answers come before the fsync
        time.sleep(0.05)
        hw, recs = read_all(b.bootstrap, "s")
    assert hw == len(values)
    assert [r[2] for r in recs] == values
    assert_serving(b)


def test_backpressure_client_that_never_reads(broker_factory):
    """A client pipelines 2,000 large Metadata requests and does not read.
    The broker stops reading it (queued.max.requests) instead of buffering
    every response, serves others meanwhile, and the client gets every
    response in order once it reads."""
    broker = broker_factory()
    c0 = Conn(broker.bootstrap)
    assert create_topics(c0, [("bp", 100, {})])["bp"][0] == NONE
    c0.close()
    n = 2000
    body = i32(20) + string("bp") * 20     # ~52 KB response each, ~104 MB in all
    hog = Conn(broker.bootstrap, timeout=60)
    frames = []
    for i in range(n):
        p = header(3, 1, 1000 + i) + body
        frames.append(i32(len(p)) + p)
    data = b"".join(frames)
    sent = threading.Event()
    err = []

    def sender():
        try:
            hog.sock.sendall(data)
        except OSError as e:
            err.append(e)
        sent.set()

    rss0 = broker.rss_kb()
    t = threading.Thread(target=sender, daemon=True)
    t.start()
    time.sleep(1.0)
    peak = 0
    for _ in range(10):
        peak = max(peak, broker.rss_kb())
        time.sleep(0.1)
    # Others are served while the hog is stalled.
    t0 = time.monotonic()
    assert_serving(broker)
    c2 = Conn(broker.bootstrap)
    assert metadata_v1(c2, ["bp"]) == {"bp": (NONE, 100)}
    c2.close()
    assert time.monotonic() - t0 < 2.0, "other clients waited behind the hog"
    # Bounded by queued.max.requests (64 requests, each with ~0.3 MB of
    # decoded metadata and response): ~25 MB; ~70 MB with ASan's redzones
    # and quarantine. Buffering all 2,000 responses costs over 600 MB.
    growth_mb = (peak - rss0) / 1024
    limit_mb = 150 if SANITIZED else 50
    assert growth_mb < limit_mb, "RSS grew by %.0f MB while a client did not read" % growth_mb
    if not SANITIZED:
        assert peak < 100 * 1024, "RSS %d kB" % peak
    # Now read everything, in order.
    for i in range(n):
        got, resp = hog.response()
        assert got == 1000 + i, "response %d arrived where %d was expected" % (got, 1000 + i)
        if i in (0, n - 1):
            res = parse_metadata(R(resp), 1)
            assert res == {"bp": (NONE, 100)}
    assert sent.wait(10) and not err
    assert_serving(broker)


def test_client_disconnects_with_requests_in_flight(broker):
    """Clients that vanish with parked requests (acks=all produces waiting
    for the flusher, long-poll fetches) and unsent responses."""
    good_record_topic(broker)
    for round_ in range(10):
        c = Conn(broker.bootstrap)
        frames = []
        for i in range(20):
            p = header(0, 3, i) + produce_v3("t", 0, batch([(b"k", b"gone-%d-%d" % (round_, i))]), acks=-1)
            frames.append(i32(len(p)) + p)
        # A fetch that parks: wants 1 MB, waits up to 5 s.
        body = (i32(-1) + i32(5000) + i32(1 << 20) + i32(1 << 20) + i8(0) + i32(1) + string("t") + i32(1) +
                i32(0) + i64(0) + i32(1 << 20))
        p = header(1, 4, 99) + body
        frames.append(i32(len(p)) + p)
        frames.append(i32(len(header(3, 1, 100)) + 4) + header(3, 1, 100) + i32(-1))
        c.send_raw(b"".join(frames))
        if round_ % 2:
            time.sleep(0.01 * round_)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # RST
        c.close()
    assert_serving(broker)
    # Whatever was accepted is there, in order, with no gaps, and the
    # partition takes new records right after it.
    c = Conn(broker.bootstrap)
    err, base = produce(c, "t", 0, batch([(b"k", b"last")]))
    assert err == NONE
    hw, recs = read_all(broker.bootstrap, "t")
    assert [r[0] for r in recs] == list(range(hw)) and hw == base + 1
    assert recs[0] == (0, b"k", b"good") and recs[-1] == (base, b"k", b"last")
    broker.check_log_clean()


def test_idle_connections_closed(broker_factory):
    b = broker_factory(props={"connections.max.idle.ms": 1000})
    idle = Conn(b.bootstrap)
    busy = Conn(b.bootstrap)
    t0 = time.monotonic()
    closed_at = None
    while time.monotonic() - t0 < 4:
        err, _ = api_versions(busy, 0)      # active every 250 ms
        assert err == NONE
        if closed_at is None:
            idle.sock.settimeout(0.25)
            try:
                if idle.sock.recv(1) == b"":
                    closed_at = time.monotonic() - t0
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed_at = time.monotonic() - t0
        else:
            time.sleep(0.25)
    assert closed_at is not None, "idle connection still open after 4 s"
    assert 0.9 <= closed_at <= 3.0, "idle connection closed after %.2f s" % closed_at
    # The busy one, never idle for 1 s, is still open.
    assert api_versions(busy, 0)[0] == NONE
    assert_serving(b)


# ---------------------------------------------------------------- startup errors and configuration

def _sluice_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLUICE_")}
    env["SLUICE_HTTP_LISTENERS"] = "http://127.0.0.1:0"   # not the default 8080, which may be taken
    env["SLUICE_SCHEMA_REGISTRY_LISTENERS"] = "http://127.0.0.1:0"   # nor 8081 (make demo's test holds it)
    if SANITIZED:
        env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1:exitcode=23")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=23")
    env.update(extra or {})
    return env


def _run_sluice(args, tmp_path, env=None, timeout=20):
    port = free_port()
    base = [SLUICE_BIN, "serve", "--listeners=PLAINTEXT://127.0.0.1:%d" % port, "--log.dirs=%s" % (tmp_path / "d")]
    p = subprocess.run(base + args, env=_sluice_env(env), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.parametrize("arg,name", [
    ("--no.such.thing=1", "no.such.thing"),
    ("--num.partitions=abc", "num.partitions"),
    ("--num.partitions=0", "num.partitions"),
    ("--listeners=FOO://x:1", "listeners"),
    ("--socket.request.max.bytes=-5", "socket.request.max.bytes"),
    ("--auto.create.topics.enable=maybe", "auto.create.topics.enable"),
])
def test_startup_rejects_bad_property(tmp_path, arg, name):
    rc, out = _run_sluice([arg], tmp_path)
    assert rc == 2, "exit %s for %s:\n%s" % (rc, arg, out)
    assert name in out, "the message does not name %s:\n%s" % (name, out)
    assert not re.search(r"Sanitizer|runtime error", out), out


def test_startup_rejects_bad_env_and_file(tmp_path):
    rc, out = _run_sluice([], tmp_path, env={"SLUICE_NUM_PARTITIONS": "abc"})
    assert rc == 2 and "num.partitions" in out and "SLUICE_NUM_PARTITIONS" in out, out
    props = tmp_path / "bad.properties"
    props.write_text("# comment\nno.such.thing=1\n")
    rc, out = _run_sluice([str(props)], tmp_path)
    assert rc == 2 and "no.such.thing" in out, out
    rc, out = _run_sluice([str(tmp_path / "missing.properties")], tmp_path)
    assert rc == 2 and "missing.properties" in out, out


def test_startup_port_in_use(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    try:
        p = subprocess.run([SLUICE_BIN, "serve", "--listeners=PLAINTEXT://127.0.0.1:%d" % port,
                            "--log.dirs=%s" % (tmp_path / "d")], env=_sluice_env(), capture_output=True,
                           text=True, timeout=20)
    finally:
        s.close()
    out = p.stdout + p.stderr
    assert p.returncode not in (0, None) and p.returncode > 0, "exit %s:\n%s" % (p.returncode, out)
    assert "port %d is in use" % port in out and "set listeners" in out, out
    assert not re.search(r"Sanitizer|runtime error", out), out


class _Proc:
    """A broker started with a properties file (which the harness cannot pass)."""

    def __init__(self, tmp_path, name, file_text, env=None, args=()):
        self.port = free_port()
        props = tmp_path / ("%s.properties" % name)
        props.write_text(file_text % {"dir": tmp_path / name})
        self.log_path = tmp_path / ("%s.log" % name)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([SLUICE_BIN, "serve", str(props), "--listeners=PLAINTEXT://127.0.0.1:%d" % self.port]
                                     + list(args), env=_sluice_env(env), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            assert self.proc.poll() is None, "exited %s: %s" % (self.proc.returncode, self.log_path.read_text())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "did not start: " + self.log_path.read_text()
                time.sleep(0.01)
        self.bootstrap = "127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self.log.close()
        text = self.log_path.read_text()
        assert rc == 0, "exit %s:\n%s" % (rc, text[-2000:])
        assert not re.search(r"Sanitizer|runtime error", text), text


def test_config_precedence_file_env_cli(tmp_path):
    """File < SLUICE_* environment < command line, seen through num.partitions
    of an auto-created topic."""
    text = "log.dirs=%(dir)s\nnum.partitions = 2\nauto.create.topics.enable: true\n"
    cases = [("file", {}, [], 2),
             ("env", {"SLUICE_NUM_PARTITIONS": "3"}, [], 3),
             ("cli", {"SLUICE_NUM_PARTITIONS": "3"}, ["--num.partitions=4"], 4)]
    for name, env, args, want in cases:
        p = _Proc(tmp_path, name, text, env, args)
        try:
            c = Conn(p.bootstrap)
            assert metadata_v1(c, ["auto"]) == {"auto": (NONE, want)}, name
            c.close()
        finally:
            p.stop()

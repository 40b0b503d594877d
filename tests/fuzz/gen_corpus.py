#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Seeds are small valid inputs the fuzzers mutate from: request frames for
every API the broker serves, record batches in every codec, and segment
files. Run from the repository root: python3 tests/fuzz/gen_corpus.py
(it replaces the seed files it writes; scripts/run-fuzz never modifies them)."""
import ctypes
import ctypes.util
import gzip
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from kwire import (batch, compact_bytes, compact_string, crc32c, i8, i16, i32, i64, nbytes, produce_v3,  # noqa: E402
                   record, string, uvarint)

TS = 1700000000000


def lib(name):
    path = ctypes.util.find_library(name)
    return ctypes.CDLL(path) if path else None


_snappy, _lz4, _zstd = lib("snappy"), lib("lz4"), lib("zstd")


def snappy_raw(data):
    out_len = ctypes.c_size_t(32 + len(data) + len(data) // 6)
    out = ctypes.create_string_buffer(out_len.value)
    assert _snappy.snappy_compress(data, ctypes.c_size_t(len(data)), out, ctypes.byref(out_len)) == 0
    return out.raw[:out_len.value]


def snappy_xerial(data):
    block = snappy_raw(data)
    return b"\x82SNAPPY\x00" + i32(1) + i32(1) + i32(len(block)) + block


def lz4_frame(data):
    _lz4.LZ4F_compressFrameBound.restype = ctypes.c_size_t
    _lz4.LZ4F_compressFrame.restype = ctypes.c_size_t
    cap = _lz4.LZ4F_compressFrameBound(ctypes.c_size_t(len(data)), None)
    out = ctypes.create_string_buffer(cap)
    n = _lz4.LZ4F_compressFrame(out, ctypes.c_size_t(cap), data, ctypes.c_size_t(len(data)), None)
    return out.raw[:n]


def zstd(data):
    _zstd.ZSTD_compressBound.restype = ctypes.c_size_t
    _zstd.ZSTD_compress.restype = ctypes.c_size_t
    cap = _zstd.ZSTD_compressBound(ctypes.c_size_t(len(data)))
    out = ctypes.create_string_buffer(cap)
    n = _zstd.ZSTD_compress(out, ctypes.c_size_t(cap), data, ctypes.c_size_t(len(data)), 3)
    return out.raw[:n]


def records(n=3, headers=True):
    return b"".join(record(i, b"k%d" % i, b"value-%d" % i, [(b"h", b"v")] if headers and i == 1 else ())
                    for i in range(n))


def compressed_batch(codec, payload, count, base_offset=0):
    after = (i16(codec) + i32(count - 1) + i64(TS) + i64(TS + count) + i64(-1) + i16(-1) + i32(-1) + i32(count) +
             payload)
    tail = i32(0) + i8(2) + struct.pack(">I", crc32c(after)) + after
    return i64(base_offset) + i32(len(tail)) + tail


def with_base(b, base):
    return i64(base) + b[8:]


def all_batches():
    recs = records()
    return {
        "none": batch([(b"k", b"v"), (None, b"null-key"), (b"k3", None, [(b"h", b"hv")])], base_ts=TS),
        "gzip": compressed_batch(1, gzip.compress(recs, mtime=0), 3),
        "snappy-raw": compressed_batch(2, snappy_raw(recs), 3),
        "snappy-xerial": compressed_batch(2, snappy_xerial(recs), 3),
        "lz4": compressed_batch(3, lz4_frame(recs), 3),
        "zstd": compressed_batch(4, zstd(recs), 3),
    }


def header(key, version, flexible, corr=7):
    h = i16(key) + i16(version) + i32(corr) + string("fuzz")
    return h + (uvarint(0) if flexible else b"")


def requests(batches):
    """(name, key, version, flexible, body) of requests for the served APIs."""
    b0 = batches["none"]
    uuid = bytes(range(16))
    out = [
        ("apiversions-v0", 18, 0, False, b""),
        ("apiversions-v3", 18, 3, True, compact_string("fuzz") + compact_string("1.0") + uvarint(0)),
        ("metadata-v1", 3, 1, False, i32(1) + string("t")),
        ("metadata-v4", 3, 4, False, i32(2) + string("t") + string("u") + i8(1)),
        ("metadata-v9", 3, 9, True, uvarint(2) + compact_string("t") + uvarint(0) + i8(1) + i8(0) + i8(0) + uvarint(0)),
        ("metadata-v12", 3, 12, True, uvarint(2) + uuid + compact_string("t") + uvarint(0) + i8(1) + i8(0) + uvarint(0)),
        ("fetch-v4", 1, 4, False, i32(-1) + i32(500) + i32(1) + i32(1 << 20) + i8(0) + i32(1) + string("t") + i32(1) +
         i32(0) + i64(0) + i32(1 << 20)),
        ("fetch-v12", 1, 12, True, i32(-1) + i32(500) + i32(1) + i32(1 << 20) + i8(0) + i32(0) + i32(-1) + uvarint(2) +
         compact_string("t") + uvarint(2) + i32(0) + i32(-1) + i64(0) + i32(-1) + i64(-1) + i32(1 << 20) + uvarint(0) +
         uvarint(0) + uvarint(1) + compact_string("") + uvarint(0)),
        ("fetch-v13", 1, 13, True, i32(-1) + i32(500) + i32(1) + i32(1 << 20) + i8(0) + i32(0) + i32(-1) + uvarint(2) +
         uuid + uvarint(2) + i32(0) + i32(-1) + i64(0) + i32(-1) + i64(-1) + i32(1 << 20) + uvarint(0) + uvarint(0) +
         uvarint(1) + compact_string("") + uvarint(0)),
        ("listoffsets-v1", 2, 1, False, i32(-1) + i32(1) + string("t") + i32(1) + i32(0) + i64(-1)),
        ("listoffsets-v7", 2, 7, True, i32(-1) + i8(0) + uvarint(2) + compact_string("t") + uvarint(2) + i32(0) +
         i32(-1) + i64(-3) + uvarint(0) + uvarint(0) + uvarint(0)),
        ("createtopics-v2", 19, 2, False, i32(1) + string("t") + i32(3) + i16(1) + i32(0) + i32(1) +
         string("retention.ms") + string("1000") + i32(5000) + i8(0)),
        ("createtopics-v5", 19, 5, True, uvarint(2) + compact_string("t") + i32(-1) + i16(-1) + uvarint(1) + uvarint(2) +
         compact_string("max.message.bytes") + compact_string("1024") + uvarint(0) + uvarint(0) + i32(5000) + i8(1) +
         uvarint(0)),
        ("deletetopics-v1", 20, 1, False, i32(1) + string("t") + i32(5000)),
        ("deleterecords-v1", 21, 1, False, i32(1) + string("t") + i32(1) + i32(0) + i64(5) + i32(5000)),
        ("describeconfigs-v1", 32, 1, False, i32(1) + i8(2) + string("t") + i32(-1) + i8(1)),
        ("alterconfigs-v1", 33, 1, False, i32(1) + i8(2) + string("t") + i32(1) + string("retention.ms") +
         string("5") + i8(0)),
        ("incalterconfigs-v1", 44, 1, True, uvarint(2) + i8(4) + compact_string("1") + uvarint(2) +
         compact_string("log.retention.ms") + i8(0) + compact_string("60000") + uvarint(0) + uvarint(0) + i8(0) +
         uvarint(0)),
        ("createpartitions-v1", 37, 1, False, i32(1) + string("t") + i32(4) + i32(-1) + i32(5000) + i8(0)),
        ("describecluster-v0", 60, 0, True, i8(0) + uvarint(0)),
        ("describelogdirs-v1", 35, 1, False, i32(-1)),
        ("produce-v3", 0, 3, False, produce_v3("t", 0, b0)),
        ("produce-v9", 0, 9, True, compact_string(None) + i16(-1) + i32(5000) + uvarint(2) + compact_string("t") +
         uvarint(2) + i32(0) + compact_bytes(b0) + uvarint(0) + uvarint(0) + uvarint(0)),
    ]
    for name, blob in batches.items():
        if name != "none":
            out.append(("produce-v8-" + name, 0, 8, False, produce_v3("t", 1, blob)))
    return out


def session(*frames):
    """A connection's bytes, as fuzz_broker reads them: each request frame after its size."""
    return b"".join(i32(len(f)) + f for f in frames)


def group_requests():
    """(name, key, version, flexible, body) of a consumer's group calls, in order."""
    meta = b"\x00\x00\x00\x00\x00\x01" + string("t") + nbytes(b"")
    return [
        ("findcoordinator-v2", 10, 2, False, string("g") + i8(0)),
        ("joingroup-v3", 11, 3, False, string("g") + i32(10000) + i32(10000) + string("") + string("consumer") +
         i32(1) + string("range") + nbytes(meta)),
        ("syncgroup-v3", 14, 3, False, string("g") + i32(1) + string("m") + string(None) + i32(0)),
        ("heartbeat-v3", 12, 3, False, string("g") + i32(1) + string("m") + string(None)),
        ("offsetcommit-v2", 8, 2, False, string("g") + i32(-1) + string("") + i64(-1) + i32(1) + string("t") +
         i32(1) + i32(0) + i64(1) + string("")),
        ("offsetfetch-v1", 9, 1, False, string("g") + i32(1) + string("t") + i32(1) + i32(0)),
        ("listgroups-v0", 16, 0, False, b""),
        ("describegroups-v1", 15, 1, False, i32(1) + string("g")),
        ("leavegroup-v1", 13, 1, False, string("g") + string("m")),
        ("offsetdelete-v0", 47, 0, False, string("g") + i32(1) + string("t") + i32(1) + i32(0)),
        ("deletegroups-v1", 42, 1, False, i32(1) + string("g")),
        ("initproducerid-v1", 22, 1, False, string(None) + i32(60000)),
    ]


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    batches = all_batches()
    for name, key, version, flexible, body in requests(batches):
        # frame mode: flags byte (even), then header and body
        write("fuzz_request", "frame-" + name, b"\x00" + header(key, version, flexible) + body)
        # direct mode: flags byte (odd), key, version + 1, then the body
        write("fuzz_request", "direct-" + name, bytes([1, key, version + 1]) + body)
    # fuzz_broker: each request alone, then sessions that build state
    # (a topic with records, a group with a member and offsets) first.
    reqs = requests(batches) + group_requests()
    frame = {name: header(key, version, flexible, corr) + body
             for corr, (name, key, version, flexible, body) in enumerate(reqs)}
    for name in frame:
        write("fuzz_broker", "one-" + name, session(frame[name]))
    write("fuzz_broker", "session-produce-fetch",
          session(*(frame[n] for n in ("apiversions-v3", "createtopics-v2", "metadata-v4", "produce-v3", "produce-v9",
                                       "produce-v8-gzip", "fetch-v4", "fetch-v12", "listoffsets-v7", "deleterecords-v1",
                                       "fetch-v4"))))
    write("fuzz_broker", "session-admin",
          session(*(frame[n] for n in ("createtopics-v5", "describeconfigs-v1", "alterconfigs-v1", "incalterconfigs-v1",
                                       "createpartitions-v1", "describelogdirs-v1", "describecluster-v0",
                                       "deletetopics-v1", "metadata-v12"))))
    write("fuzz_broker", "session-group",
          session(*(frame[n] for n in ("createtopics-v2", "produce-v3", "findcoordinator-v2", "joingroup-v3",
                                       "offsetcommit-v2", "offsetfetch-v1", "listgroups-v0", "describegroups-v1",
                                       "heartbeat-v3", "syncgroup-v3", "leavegroup-v1", "offsetdelete-v0",
                                       "deletegroups-v1", "initproducerid-v1"))))
    for name, blob in batches.items():
        # direct mode with a key that has no codec: the bytes are all batches
        write("fuzz_request", "batch-" + name, bytes([1, 88, 1]) + blob + with_base(blob, 3))

    # fuzz_http: requests separated by NUL bytes, each "METHOD /path?query\n" and its body.
    http = {
        "cluster": ["GET /api/cluster"],
        "metrics": ["GET /metrics"],
        "history": ["GET /api/history"],
        "groups": ["GET /api/groups", "GET /api/groups/g"],
        "topic-life": ['POST /api/topics\n{"name": "t", "partitions": 2, "configs": {"retention.ms": "60000"}}',
                       "GET /api/topics", "GET /api/topics/t", "DELETE /api/topics/t", "GET /api/topics/t"],
        "messages": ['POST /api/topics\n{"name": "t", "partitions": 1}',
                     'POST /api/topics/t/messages\n{"key": "k", "value": {"amount": 42}, '
                     '"headers": {"source": "console"}, "partition": 0}',
                     'POST /api/topics/t/messages\n{"value": "plain text"}',
                     "GET /api/topics/t/messages?partition=0&offset=0&limit=10",
                     "GET /api/topics/t/messages?partition=0&q=amount&max_records=100&max_bytes=4096",
                     "GET /api/topics/t/messages?partition=0&timestamp=1700000000000&before=5",
                     "GET /metrics"],
        "bad": ["PUT /api/topics", 'POST /api/topics\n{"name": ', "GET /api/topics/none/messages", "GET /nowhere"],
    }
    for name, reqs in http.items():
        write("fuzz_http", name, b"\0".join(r.encode() for r in reqs))

    seg = b""
    off = 0
    for name in ("none", "gzip", "snappy-xerial", "lz4", "zstd", "none", "snappy-raw"):
        b = with_base(batches[name], off)
        seg += b
        off += struct.unpack_from(">i", b, 23)[0] + 1
    write("fuzz_recovery", "segment-all-codecs", b"\x00" + seg)
    write("fuzz_recovery", "segment-fix-crc-offsets", b"\x03" + seg)
    write("fuzz_recovery", "segment-split", b"\x07" + seg)
    write("fuzz_recovery", "segment-small-rolls", b"\x33" + seg)
    write("fuzz_recovery", "segment-torn-tail", b"\x00" + seg[:-17])
    write("fuzz_recovery", "segment-garbage-tail", b"\x00" + seg + hashlib.sha256(b"x").digest())
    write("fuzz_recovery", "segment-checkpoint", b"\x0b" + seg + b"\x03")
    write("fuzz_recovery", "segment-checkpoint-clean", b"\x0b" + seg + b"\x10")
    write("fuzz_recovery", "segment-log-append-time", b"\x40" + batches["none"])
    write("fuzz_recovery", "segment-empty", b"\x00")

    # fuzz_protobuf: an even first byte, a schema's text; odd, a record
    # value after the schema id, checked against the target's shop.Order.
    write("fuzz_protobuf", "schema_proto3", b"\x00" + b"""syntax = "proto3";
package p;
message M { int32 a = 1; oneof o { string s = 2; M m = 3; } map<string, M> mm = 4; enum E { Z = 0; } E e = 5; }
""")
    write("fuzz_protobuf", "schema_proto2", b"\x00" + b"""syntax = "proto2";
message R { required int32 a = 1; optional group G = 2 { optional int32 x = 3; } repeated string s = 4; \
extensions 100 to 200; }
extend R { optional int32 ext = 100; }
""")
    # indexes [0] as the single 0; Order{id 7, item "tea", line{qty 2}, tags{a: 1}, card "visa"}
    write("fuzz_protobuf", "order", b"\x01\x00\x08\x07\x12\x03tea\x1a\x02\x08\x02\x22\x05\x0a\x01a\x10\x01\x32\x04visa")
    write("fuzz_protobuf", "refund", b"\x01\x02\x02\x0a\x04late")   # indexes [1]: Refund{reason "late"}
    write("fuzz_protobuf", "line", b"\x01\x04\x00\x00\x08\x03\x12\x02\x08\x01")   # [0, 0]: Order.Line


if __name__ == "__main__":
    main()

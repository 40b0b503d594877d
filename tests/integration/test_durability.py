"""Durability: simulated power loss, kill -9, clean restarts, group
commit, a full disk and damaged segment files.

The rule checked throughout: every record whose produce was acknowledged
(acks=all) is readable after a restart at the partition and offset the
acknowledgement named, with its value; no offset is handed out twice;
and new records continue from the end of the recovered log."""
import os
import random
import re
import signal
import struct
import threading
import time

import pytest
from confluent_kafka import Producer

from kwire import Conn, batch, i32, i64, parse_batches, produce_v3
from test_bad_input import (NONE, assert_serving, create_topics, decode_records, fetch_v4, list_offset, produce,
                            read_all, wait_log)

KAFKA_STORAGE_ERROR = 56
SEGMENT0 = "00000000000000000000.log"


# ---------------------------------------------------------------- helpers

def make_topic(b, name, partitions=1, configs=None):
    c = Conn(b.bootstrap)
    try:
        res = create_topics(c, [(name, partitions, configs or {})])
        assert res[name][0] == NONE, res
    finally:
        c.close()


def all_records(b, topic, partitions):
    """{partition: (hw, [(offset, key, value)])}, every offset checked."""
    out = {}
    for p in range(partitions):
        hw, recs = read_all(b.bootstrap, topic, p)
        offsets = [r[0] for r in recs]
        assert offsets == list(range(hw)), "partition %d: offsets are not 0..%d without gaps or repeats" % (p, hw - 1)
        out[p] = (hw, recs)
    return out


class BackgroundProducer:
    """confluent-kafka (librdkafka) producer, acks=all, in a thread, at
    about `rate` records a second. Records every delivery report by
    (partition, offset); record i has the value b"v%09d-" % i + padding."""

    def __init__(self, bootstrap, topic, partitions, total, rate=40000, value_size=100):
        self.topic, self.partitions, self.total, self.rate = topic, partitions, total, rate
        self.acked = {}            # (partition, offset) -> value
        self.dups = []             # offsets acknowledged twice
        self.failed = 0
        self.sent = 0
        self.pad = b"x" * max(0, value_size - 11)
        self.stop = threading.Event()
        self.finished = threading.Event()
        self.lock = threading.Lock()
        self.p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                           "message.timeout.ms": 60000, "retry.backoff.ms": 50,
                           "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200,
                           "queue.buffering.max.messages": 20000})
        self.t = threading.Thread(target=self._run, daemon=True)

    def value(self, i):
        return b"v%09d-" % i + self.pad

    def _dr(self, err, msg):
        with self.lock:
            if err is not None:
                self.failed += 1
                return
            key = (msg.partition(), msg.offset())
            if key in self.acked:
                self.dups.append(key)
            self.acked[key] = msg.value()

    def _produce(self, i):
        while not self.stop.is_set():
            try:
                self.p.produce(self.topic, self.value(i), key=b"%d" % i, partition=i % self.partitions,
                               on_delivery=self._dr)
                self.sent += 1
                return
            except BufferError:
                self.p.poll(0.005)

    def _run(self):
        t0 = time.monotonic()
        for i in range(1, self.total):
            if self.stop.is_set():
                break
            self._produce(i)
            self.p.poll(0)
            if i % 500 == 0:
                ahead = i / self.rate - (time.monotonic() - t0)
                if ahead > 0:
                    self.p.poll(ahead)
        self.finished.set()

    def start(self):
        # librdkafka may take a second to learn a new topic's partitions:
        # one record delivered first, so the clock starts with data flowing.
        self._produce(0)
        self.flush(20)
        assert len(self.acked) == 1, "the first record was not acknowledged"
        self.t.start()
        return self

    def halt(self):
        self.stop.set()
        self.t.join(30)

    def flush(self, timeout=60):
        left = self.p.flush(timeout)
        assert left == 0, "%d messages still undelivered" % left


class FetchWatcher:
    """Reads the partitions over and over (raw Fetch) and remembers every
    record a consumer was shown, until the broker goes away."""

    def __init__(self, bootstrap, topic, partitions):
        self.bootstrap, self.topic, self.partitions = bootstrap, topic, partitions
        self.seen = {}
        self.stop = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            c = Conn(self.bootstrap, timeout=5)
            nxt = {p: 0 for p in range(self.partitions)}
            while not self.stop.is_set():
                for p in range(self.partitions):
                    err, hw, blob = fetch_v4(c, self.topic, p, nxt[p])
                    for off, _k, v in decode_records(blob):
                        if off >= nxt[p]:
                            self.seen[(p, off)] = v
                            nxt[p] = off + 1
                time.sleep(0.01)
        except (OSError, ConnectionError, struct.error, AssertionError):
            pass    # the broker died under us: that is the point

    def start(self):
        self.t.start()
        return self


def check_acked_present(acked, recs):
    """Every acknowledged (partition, offset) holds the acknowledged value."""
    stored = {(p, off): v for p, (hw, rs) in recs.items() for off, _k, v in rs}
    missing = [(k, v[:11]) for k, v in acked.items() if k not in stored]
    wrong = [(k, v[:11], stored[k][:11]) for k, v in acked.items() if k in stored and stored[k] != v]
    assert not missing, "%d acknowledged records lost, e.g. %s" % (len(missing), sorted(missing)[:5])
    assert not wrong, "%d acknowledged offsets hold other values, e.g. %s" % (len(wrong), sorted(wrong)[:5])


def check_continues_from_end(b, topic, recs):
    """A new produce on each partition lands exactly at the recovered end."""
    c = Conn(b.bootstrap)
    try:
        for p, (hw, _rs) in recs.items():
            assert list_offset(c, topic, p) == (NONE, hw)
            assert produce(c, topic, p, batch([(b"new", b"after-restart")])) == (NONE, hw), "partition %d" % p
    finally:
        c.close()


def crash_and_restart(b, how, restart_props=None):
    """Ends the broker the given way, waits for it, checks its exit code and starts it again."""
    pid = b.proc.pid
    if how == "crash-sim":
        os.kill(pid, signal.SIGUSR2)
        want = 137
    else:
        os.kill(pid, signal.SIGKILL)
        want = -9
    b.proc.wait(timeout=30)
    rc = b.stop()
    assert rc == want, "broker exit %s, expected %s:\n%s" % (rc, want, b.read_log()[-2000:])
    if restart_props is not None:
        b.props = restart_props
    b.start()


# ---------------------------------------------------------------- crash simulation and kill -9

@pytest.mark.parametrize("how,crash_after,keep_sim,segment_bytes", [
    ("crash-sim", 0.5, True, None),
    ("crash-sim", 1.0, False, None),
    ("crash-sim", 1.7, True, None),
    ("crash-sim", 1.2, False, 65536),
    ("kill-9", 1.0, False, None),
], ids=["sim-0.5s", "sim-1.0s", "sim-1.7s-sim-again", "sim-1.2s-rolling", "kill9-1.0s"])
def test_crash_mid_produce(broker_factory, how, crash_after, keep_sim, segment_bytes):
    props = {"sluice.test.crash.simulation": "true"} if how == "crash-sim" else {}
    if segment_bytes:
        props["log.segment.bytes"] = segment_bytes   # segments roll all through the run
    b = broker_factory(props=props)
    # Many partitions: a flusher round syncs one file after another, so
    # there is always data written but not yet synced when the crash comes.
    parts = 24
    make_topic(b, "d", parts)
    prod = BackgroundProducer(b.bootstrap, "d", parts, total=200000).start()
    watch = FetchWatcher(b.bootstrap, "d", parts).start()
    time.sleep(crash_after)
    with prod.lock:
        acked_before = len(prod.acked)
    assert not prod.finished.is_set(), "the producer finished before the crash: make it produce more"
    assert acked_before > 100, "only %d records acknowledged in %.1f s" % (acked_before, crash_after)
    crash_and_restart(b, how, restart_props=props if keep_sim else
                      {k: v for k, v in props.items() if k != "sluice.test.crash.simulation"})
    prod.halt()
    watch.stop.set()
    # Messages in flight at the crash are retried against the restarted
    # broker; their acknowledgements count like the others.
    prod.flush()
    assert not prod.dups, "offsets acknowledged twice: %s" % prod.dups[:10]
    assert len(prod.acked) + prod.failed == prod.sent
    recs = all_records(b, "d", parts)
    check_acked_present(prod.acked, recs)
    # What a consumer was shown before the crash was durable.
    stored = {(p, off): v for p, (hw, rs) in recs.items() for off, _k, v in rs}
    shown_lost = [k for k, v in watch.seen.items() if stored.get(k) != v]
    assert not shown_lost, "records shown to a consumer were lost: %s" % shown_lost[:5]
    check_continues_from_end(b, "d", recs)
    assert_serving(b)


def test_crash_right_after_create(broker_factory):
    """A topic created and written to just before the crash: the topic, its
    partitions and the acknowledged record all survive."""
    props = {"sluice.test.crash.simulation": "true"}
    b = broker_factory(props=props)
    make_topic(b, "fresh", 3)
    c = Conn(b.bootstrap)
    assert produce(c, "fresh", 1, batch([(b"k", b"first")])) == (NONE, 0)
    c.close()
    crash_and_restart(b, "crash-sim", restart_props=props)
    c = Conn(b.bootstrap)
    res = create_topics(c, [("fresh", 3, {})])
    assert res["fresh"][0] == 36, res     # TOPIC_ALREADY_EXISTS
    recs = all_records(b, "fresh", 3)
    assert recs[1] == (1, [(0, b"k", b"first")]) and recs[0][0] == 0 and recs[2][0] == 0, recs
    check_continues_from_end(b, "fresh", recs)
    c.close()


# ---------------------------------------------------------------- clean shutdown and group commit

def test_clean_shutdown_restart_reads_nothing(broker_factory):
    b = broker_factory(props={"log.segment.bytes": 50000})   # several segments per partition
    make_topic(b, "c", 2)
    conn = Conn(b.bootstrap)
    for i in range(400):
        assert produce(conn, "c", i % 2, batch([(b"k", b"c%04d-" % i + b"y" * 900)]))[0] == NONE
    conn.close()
    before = all_records(b, "c", 2)
    assert b.stop() == 0
    # A clean close leaves an index per segment and a checkpoint (plog.h).
    for p in (0, 1):
        files = os.listdir(os.path.join(b.data_dir, "c-%d" % p))
        logs = [f for f in files if f.endswith(".log")]
        assert len(logs) > 1 and "checkpoint" in files, files
        for f in logs:
            assert f[:-4] + ".index" in files and f[:-4] + ".timeindex" in files, files
    start = len(b.read_log())
    b.start()
    log = b.read_log()[start:]
    assert not re.search(r"truncat|rebuilding|removing segment", log), log
    # Nothing was scanned: the "ready" line reports what recovery read.
    m = re.search(r"recovered_bytes=(\d+)", log)
    assert m and int(m.group(1)) == 0, log
    assert all_records(b, "c", 2) == before
    check_continues_from_end(b, "c", before)


def test_group_commit_shares_fsyncs(broker_factory):
    b = broker_factory()
    make_topic(b, "g", 1)
    n_threads, per_thread = 8, 60
    acked = []
    errors = []
    lock = threading.Lock()
    go = threading.Barrier(n_threads)

    def worker(w):
        try:
            c = Conn(b.bootstrap)
            go.wait()
            for i in range(per_thread):
                v = b"w%d-%d" % (w, i)
                err, base = produce(c, "g", 0, batch([(b"k", v)]), acks=-1)
                with lock:
                    if err == NONE:
                        acked.append((base, v))
                    else:
                        errors.append(err)
            c.close()
        except Exception as e:   # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:5]
    assert len(acked) == n_threads * per_thread
    recs = all_records(b, "g", 1)
    assert sorted(acked) == [(off, v) for off, _k, v in recs[0][1]]
    assert b.stop() == 0
    m = re.search(r"stopped.*fsyncs=(\d+) fsync_rounds=(\d+)", b.read_log())
    assert m, "no 'stopped ... fsyncs=N fsync_rounds=M' line:\n" + b.read_log()[-2000:]
    fsyncs, rounds = int(m.group(1)), int(m.group(2))
    assert 0 < fsyncs < len(acked), "%d fsyncs for %d acknowledged produce requests" % (fsyncs, len(acked))
    assert rounds > 0
    b.start()
    assert all_records(b, "g", 1) == recs


# ---------------------------------------------------------------- disk full

def test_disk_full(broker_factory, tmp_path):
    full = tmp_path / "full"
    b = broker_factory(props={"sluice.test.disk.full.file": str(full)})
    make_topic(b, "f", 2)
    c = Conn(b.bootstrap)
    acked = {0: [], 1: []}
    for i in range(10):
        err, base = produce(c, "f", i % 2, batch([(b"k", b"before-%d" % i)]))
        assert err == NONE
        acked[i % 2].append((base, b"before-%d" % i))
    full.write_text("")
    time.sleep(0.2)     # the broker looks at the trigger file at most every 50 ms
    for i in range(20):
        for acks in (-1, 1):
            err, base = produce(c, "f", i % 2, batch([(b"k", b"during-%d" % i)] * (1 + i % 3)), acks=acks)
            assert (err, base) == (KAFKA_STORAGE_ERROR, -1), "produce while the disk is full: %s" % ((err, base),)
    # Reads go on: Fetch and ListOffsets return what was there.
    for p in (0, 1):
        hw, recs = read_all(b.bootstrap, "f", p)
        assert [(o, v) for o, _k, v in recs] == acked[p] and hw == len(acked[p])
        assert list_offset(c, "f", p) == (NONE, len(acked[p]))
        assert list_offset(c, "f", p, ts=-2) == (NONE, 0)
    # acks=0 errors close the connection.
    c.request(0, 3, produce_v3("f", 0, batch([(b"k", b"during-acks0")]), acks=0))
    assert c.is_closed(), "acks=0 produce on a full disk did not close the connection"
    assert_serving(b)
    # Space comes back: writes go on from where the log ended.
    full.unlink()
    time.sleep(0.2)
    c = Conn(b.bootstrap)
    for i in range(10):
        p = i % 2
        err, base = produce(c, "f", p, batch([(b"k", b"after-%d" % i)]))
        assert (err, base) == (NONE, len(acked[p])), (i, err, base)
        acked[p].append((base, b"after-%d" % i))
    recs = all_records(b, "f", 2)
    for p in (0, 1):
        assert [(o, v) for o, _k, v in recs[p][1]] == acked[p], "partition %d holds more or less than was acknowledged" % p
    # Nothing partial on disk either: a restart recovers exactly the same.
    assert b.stop() == 0
    start = len(b.read_log())
    b.start()
    assert "truncat" not in b.read_log()[start:]
    assert all_records(b, "f", 2) == recs
    check_continues_from_end(b, "f", recs)


def test_disk_full_at_shutdown(broker_factory, tmp_path):
    """A clean shutdown that cannot write its index files and checkpoint:
    the next start recovers by reading the log, and loses nothing."""
    full = tmp_path / "full"
    b = broker_factory(props={"sluice.test.disk.full.file": str(full), "log.segment.bytes": 4096})
    make_topic(b, "h", 1)
    c = Conn(b.bootstrap)
    for i in range(40):
        assert produce(c, "h", 0, batch([(b"k", b"h%02d-" % i + b"z" * 200)]))[0] == NONE
    c.close()
    before = all_records(b, "h", 1)
    full.write_text("")
    time.sleep(0.2)
    assert b.stop() == 0
    full.unlink()
    b.start()
    assert all_records(b, "h", 1) == before
    check_continues_from_end(b, "h", before)


def test_disk_full_create_topic(broker_factory, tmp_path):
    """Topic creation while the disk is full fails cleanly and leaves no half topic."""
    full = tmp_path / "full"
    b = broker_factory(props={"sluice.test.disk.full.file": str(full)})
    full.write_text("")
    time.sleep(0.2)
    c = Conn(b.bootstrap)
    res = create_topics(c, [("x", 2, {})])
    assert res["x"][0] == KAFKA_STORAGE_ERROR, res
    full.unlink()
    time.sleep(0.2)
    res = create_topics(c, [("x", 2, {})])
    assert res["x"][0] == NONE, res
    assert produce(c, "x", 1, batch([(b"k", b"v")])) == (NONE, 0)
    assert b.stop() == 0
    b.start()
    assert read_all(b.bootstrap, "x", 1)[1] == [(0, b"k", b"v")]


# ---------------------------------------------------------------- damaged segment files

def _segment_batches(path):
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    out = []
    for base, _attrs, count, lod in parse_batches(data):
        length, = struct.unpack_from(">i", data, pos + 8)
        out.append((pos, 12 + length, base, lod))
        pos += 12 + length
    assert pos == len(data), "segment has %d bytes that are not whole batches" % (len(data) - pos)
    return out


@pytest.mark.parametrize("stop_sig,damage", [
    (signal.SIGTERM, "garbage"),
    (signal.SIGTERM, "garbage-header"),
    (signal.SIGTERM, "half-last-batch"),
    (signal.SIGKILL, "garbage"),
    (signal.SIGKILL, "half-last-batch"),
    (signal.SIGKILL, "flip-last-batch"),
], ids=["term-garbage", "term-garbage-header", "term-half", "kill-garbage", "kill-half", "kill-flip"])
def test_damaged_segment_on_start(broker_factory, stop_sig, damage):
    b = broker_factory()
    make_topic(b, "s", 1)
    c = Conn(b.bootstrap)
    n = 20
    for i in range(n):
        recs = [(b"k", b"s%02d-%d" % (i, j)) for j in range(1 + i % 3)]
        assert produce(c, "s", 0, batch(recs))[0] == NONE
    c.close()
    hw, before = read_all(b.bootstrap, "s")
    b.stop(stop_sig)
    path = os.path.join(b.data_dir, "s-0", SEGMENT0)
    batches = _segment_batches(path)
    assert len(batches) == n
    last_pos, last_size, last_base, _ = batches[-1]
    if damage == "garbage":
        with open(path, "ab") as f:
            f.write(random.Random(7).randbytes(333))
        keep = hw
    elif damage == "garbage-header":
        # A plausible header (next offset, a length) whose body is missing.
        with open(path, "ab") as f:
            f.write(i64(hw) + i32(5000) + b"\x00" * 49)
        keep = hw
    elif damage == "half-last-batch":
        os.truncate(path, last_pos + last_size // 2)
        keep = last_base
    else:   # a flipped byte inside the last batch: its CRC no longer matches
        with open(path, "r+b") as f:
            f.seek(last_pos + last_size - 3)
            byte = f.read(1)
            f.seek(last_pos + last_size - 3)
            f.write(bytes([byte[0] ^ 0x5A]))
        keep = last_base
    start = len(b.read_log())
    b.start()
    line = wait_log(b, r".*truncat.*%s.*" % re.escape(os.path.join("s-0", SEGMENT0)))
    assert line in b.read_log()[start:]
    hw2, after = read_all(b.bootstrap, "s")
    assert hw2 == keep and after == [r for r in before if r[0] < keep], (hw2, keep)
    with open(path, "rb") as f:
        assert len(f.read()) == (last_pos if keep == last_base else last_pos + last_size)
    c = Conn(b.bootstrap)
    assert produce(c, "s", 0, batch([(b"k", b"new")])) == (NONE, keep)
    c.close()
    # And the repaired log restarts cleanly.
    b.stop()
    start = len(b.read_log())
    b.start()
    assert "truncat" not in b.read_log()[start:]
    hw3, again = read_all(b.bootstrap, "s")
    assert hw3 == keep + 1 and again[-1] == (keep, b"k", b"new") and again[:-1] == after


def test_missing_segments(broker_factory):
    """Segment files removed from a partition (an operator's mistake, a bad
    restore): the broker starts and serves what is left. A fetch at an
    offset in a missing range goes on to the next segment, or answers
    empty when nothing follows yet, as Kafka's does; it must not fail
    with OFFSET_OUT_OF_RANGE, which makes consumers reset their offsets."""
    b = broker_factory(props={"log.segment.bytes": 2048, "log.roll.ms": 300,
                              "log.retention.check.interval.ms": 100})
    make_topic(b, "m", 1)
    c = Conn(b.bootstrap)
    for i in range(20):
        assert produce(c, "m", 0, batch([(b"k", b"m%02d-" % i + b"q" * 300)]))[0] == NONE
    c.close()
    hw, before = read_all(b.bootstrap, "m")
    pdir = os.path.join(b.data_dir, "m-0")

    def bases():
        return sorted(int(f[:-4]) for f in os.listdir(pdir) if f.endswith(".log"))

    deadline = time.monotonic() + 10
    while bases()[-1] != hw:      # segment.ms rolls the last segment: the active one is empty
        assert time.monotonic() < deadline, bases()
        time.sleep(0.1)
    assert b.stop() == 0
    segs = bases()
    assert len(segs) >= 5 and segs[-1] == hw, segs
    gaps = [(segs[1], segs[2]), (segs[-2], segs[-1])]    # a middle one, and the one before the active
    for lo, _hi in gaps:
        for ext in ("log", "index", "timeindex"):
            path = os.path.join(pdir, "%020d.%s" % (lo, ext))
            if os.path.exists(path):
                os.unlink(path)
    b.start()
    c = Conn(b.bootstrap)
    kept = [r for r in before if not any(lo <= r[0] < hi for lo, hi in gaps)]

    def fetch_first(off):
        err, _hw, blob = fetch_v4(c, "m", 0, off)
        assert err == NONE, "fetch at %d (in a missing segment %s) failed with error %d" % (off, gaps, err)
        got = decode_records(blob)
        return got[0][0] if got else None

    for off in range(gaps[0][0], gaps[0][1]):
        assert fetch_first(off) == gaps[0][1]
    for off in range(gaps[1][0], gaps[1][1]):
        assert fetch_first(off) is None
    hw2, after = read_all(b.bootstrap, "m")
    assert hw2 == hw and after == kept
    assert produce(c, "m", 0, batch([(b"k", b"new")])) == (NONE, hw)
    for off in range(gaps[1][0], gaps[1][1]):
        assert fetch_first(off) == hw, off
    c.close()

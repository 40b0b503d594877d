"""Idempotent producers: InitProducerId, sequence checks on Produce,
duplicates answered with their original offsets (also across restarts),
and a real idempotent producer whose connections keep being dropped
right after its batches were appended."""
import os
import re
import signal
import time

import pytest
from confluent_kafka import KafkaException, Producer

import kwire
from test_clients import consume_all, create_topic, segment_batches

ERR_OUT_OF_ORDER = 45
ERR_INVALID_EPOCH = 47
ERR_TXN_AUTH = 53


def log_end(bootstrap, topic, partition=0):
    c = kwire.Conn(bootstrap)
    try:
        err, _ts, off, _ep = kwire.list_offsets_v7(c, topic, partition, -1)
        assert err == 0
        return off
    finally:
        c.close()


def shutdown_duplicates(broker):
    """Stops the broker and returns N of the 'stopped ... duplicates=N' line."""
    assert broker.stop() == 0
    found = re.findall(r"stopped.*duplicates=(\d+)", broker.read_log())
    assert found, "no stopped line with duplicates=:\n" + broker.read_log()[-2000:]
    return int(found[-1])


def values(seq, n, tag=b"v"):
    return [b"%s-%d" % (tag, seq + i) for i in range(n)]


# ---------------------------------------------------------------- InitProducerId

def test_init_producer_id_all_versions_and_never_reused(broker):
    c = kwire.Conn(broker.bootstrap)
    seen = []
    for v in range(6):
        err, pid, epoch = kwire.init_producer_id(c, version=v)
        assert (err, epoch) == (0, 0), "v%d" % v
        assert pid >= 0 and pid not in seen
        seen.append(pid)
    assert seen == sorted(seen)
    for v in range(6):
        err, pid, epoch = kwire.init_producer_id(c, version=v, transactional_id="txn-%d" % v)
        assert (err, pid, epoch) == (ERR_TXN_AUTH, -1, -1), "v%d" % v
    assert kwire.init_producer_id(c, transactional_id="")[0] == 42   # INVALID_REQUEST, as Kafka
    c.close()
    # The high-water mark is persisted before use: a restart (even kill -9) never reuses an id.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        broker.stop(sig=sig)
        broker.start()
        c = kwire.Conn(broker.bootstrap)
        err, pid, _ = kwire.init_producer_id(c, version=4)
        c.close()
        assert err == 0 and pid > max(seen)
        seen.append(pid)
    with open(os.path.join(broker.data_dir, "producer-ids")) as f:
        assert "next.producer.id.block=" in f.read()


def test_init_producer_id_epoch_bump(broker):
    """KIP-360: v3+ with the current id and epoch bumps the epoch; the
    partition then wants the new epoch from sequence 0 and fences the old."""
    create_topic(broker.bootstrap, "bump")
    c = kwire.Conn(broker.bootstrap)
    err, pid, epoch = kwire.init_producer_id(c, version=3)
    assert (err, epoch) == (0, 0)
    assert kwire.produce_one(c, "bump", 0, kwire.idempotent_batch(pid, 0, 0, values(0, 3))) == (0, 0)
    assert kwire.init_producer_id(c, version=4, producer_id=pid, producer_epoch=0) == (0, pid, 1)
    assert kwire.init_producer_id(c, version=5, producer_id=pid, producer_epoch=1) == (0, pid, 2)
    # An older epoch, or an id this broker never gave out: INVALID_PRODUCER_EPOCH.
    assert kwire.init_producer_id(c, version=3, producer_id=pid, producer_epoch=0)[0] == ERR_INVALID_EPOCH
    assert kwire.init_producer_id(c, version=3, producer_id=pid + 100000, producer_epoch=0)[0] == ERR_INVALID_EPOCH
    # The new epoch must start at 0; then the old epoch is fenced.
    assert kwire.produce_one(c, "bump", 0, kwire.idempotent_batch(pid, 2, 3, values(3, 1)))[0] == ERR_OUT_OF_ORDER
    assert kwire.produce_one(c, "bump", 0, kwire.idempotent_batch(pid, 2, 0, values(3, 2))) == (0, 3)
    assert kwire.produce_one(c, "bump", 0, kwire.idempotent_batch(pid, 0, 3, values(5, 1)))[0] == ERR_INVALID_EPOCH
    c.close()
    assert log_end(broker.bootstrap, "bump") == 5
    # After a restart the id and its epoch are known from the partitions' state.
    broker.restart()
    c = kwire.Conn(broker.bootstrap)
    assert kwire.init_producer_id(c, version=3, producer_id=pid, producer_epoch=1)[0] == ERR_INVALID_EPOCH
    assert kwire.init_producer_id(c, version=3, producer_id=pid, producer_epoch=2) == (0, pid, 3)
    assert kwire.produce_one(c, "bump", 0, kwire.idempotent_batch(pid, 3, 0, values(5, 1))) == (0, 5)
    assert kwire.produce_one(c, "bump", 0, kwire.idempotent_batch(pid, 2, 2, values(6, 1)))[0] == ERR_INVALID_EPOCH
    c.close()
    # Even without its producer-ids file the broker never gives out an id the logs hold.
    broker.stop()
    os.unlink(os.path.join(broker.data_dir, "producer-ids"))
    broker.start()
    c = kwire.Conn(broker.bootstrap)
    err, pid2, _ = kwire.init_producer_id(c)
    assert err == 0 and pid2 > pid
    c.close()


# ---------------------------------------------------------------- sequence checks

def test_raw_sequence_checks(broker):
    t = "seqs"
    create_topic(broker.bootstrap, t)
    c = kwire.Conn(broker.bootstrap)
    err, pid, epoch = kwire.init_producer_id(c)
    assert err == 0
    # A new producer starts at sequence 0.
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 1, values(1, 1)))[0] == ERR_OUT_OF_ORDER
    offsets = []
    for i in range(6):   # sequences 0-1, 2-3, ... 10-11
        err, off = kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 2 * i, values(2 * i, 2)))
        assert err == 0
        offsets.append(off)
    assert offsets == [0, 2, 4, 6, 8, 10]
    # Duplicates of each of the last five: their original offsets, nothing appended.
    for i in range(1, 6):
        for acks in (-1, 1):
            got = kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 2 * i, values(2 * i, 2)), acks=acks)
            assert got == (0, offsets[i]), "batch %d" % i
    # The sixth back is out of the window: OUT_OF_ORDER_SEQUENCE_NUMBER, as Kafka.
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 0, values(0, 2)))[0] == ERR_OUT_OF_ORDER
    # A gap, an overlap that is no duplicate.
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 13, values(13, 1)))[0] == ERR_OUT_OF_ORDER
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 11, values(11, 2)))[0] == ERR_OUT_OF_ORDER
    # A newer epoch (the producer bumped it itself) starts at 0; the old one is then stale.
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch + 1, 0, values(12, 1))) == (0, 12)
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 12, values(12, 1)))[0] == ERR_INVALID_EPOCH
    # Non-idempotent batches are unaffected.
    assert kwire.produce_one(c, t, 0, kwire.batch([(None, b"plain")]))[0] == 0
    c.close()
    assert log_end(broker.bootstrap, t) == 14
    assert [b[0] for b in segment_batches(broker.data_dir, t, 0)] == [0, 2, 4, 6, 8, 10, 12, 13]
    assert shutdown_duplicates(broker) == 10


def test_several_batches_in_one_partition_request(broker):
    """One partition's records holding several batches are one append:
    same producer and epoch, in sequence; a retry of it is a duplicate."""
    t = "multi"
    create_topic(broker.bootstrap, t)
    c = kwire.Conn(broker.bootstrap)
    err, pid, epoch = kwire.init_producer_id(c)
    two = kwire.idempotent_batch(pid, epoch, 0, values(0, 3)) + kwire.idempotent_batch(pid, epoch, 3, values(3, 2))
    assert kwire.produce_one(c, t, 0, two) == (0, 0)
    assert kwire.produce_one(c, t, 0, two) == (0, 0)
    gap = kwire.idempotent_batch(pid, epoch, 5, values(5, 1)) + kwire.idempotent_batch(pid, epoch, 7, values(7, 1))
    assert kwire.produce_one(c, t, 0, gap)[0] == ERR_OUT_OF_ORDER
    mixed = kwire.idempotent_batch(pid, epoch, 5, values(5, 1)) + kwire.batch([(None, b"plain")])
    assert kwire.produce_one(c, t, 0, mixed)[0] == 87   # INVALID_RECORD
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 5, values(5, 1))) == (0, 5)
    c.close()
    assert log_end(broker.bootstrap, t) == 6


# ---------------------------------------------------------------- restarts

@pytest.mark.parametrize("sig", ["term", "kill9", "term_then_kill9"])
def test_duplicate_recognised_after_restart(broker, sig):
    """A batch appended, the broker restarted before the producer saw the
    answer: the retry gets the original offset and nothing is appended."""
    t = "restart"
    create_topic(broker.bootstrap, t)
    c = kwire.Conn(broker.bootstrap)
    err, pid, epoch = kwire.init_producer_id(c)
    first = kwire.idempotent_batch(pid, epoch, 0, values(0, 4))
    assert kwire.produce_one(c, t, 0, first) == (0, 0)
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 4, values(4, 4))) == (0, 4)
    c.close()
    seq, end = 8, 8
    if sig == "term_then_kill9":
        # Clean stop writes a snapshot; then more appends; kill -9 needs snapshot + log after it.
        broker.stop()
        broker.start()
        c = kwire.Conn(broker.bootstrap)
        assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, 8, values(8, 4))) == (0, 8)
        c.close()
        seq, end = 12, 12
    broker.stop(sig=signal.SIGKILL if sig != "term" else signal.SIGTERM)
    broker.start()
    c = kwire.Conn(broker.bootstrap)
    assert kwire.produce_one(c, t, 0, first) == (0, 0)
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, seq - 4, values(seq - 4, 4))) == (0, seq - 4)
    # And the producer carries on in sequence (a gap is still refused).
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, seq + 1, values(seq, 1)))[0] == ERR_OUT_OF_ORDER
    assert kwire.produce_one(c, t, 0, kwire.idempotent_batch(pid, epoch, seq, values(seq, 1))) == (0, end)
    # A new id after the restart is still a fresh one.
    err, pid2, _ = kwire.init_producer_id(c)
    assert err == 0 and pid2 > pid
    c.close()
    assert log_end(broker.bootstrap, t) == end + 1
    assert shutdown_duplicates(broker) == 2
    assert os.path.exists(os.path.join(broker.data_dir, "restart-0", "producer-state"))


def test_snapshot_at_roll_bounds_recovery(broker):
    """Each roll snapshots the producer state, so after kill -9 recovery
    reads only the batch headers after the last roll."""
    t = "rolls"
    create_topic(broker.bootstrap, t, config={"segment.bytes": "2000"})
    c = kwire.Conn(broker.bootstrap)
    err, pid, epoch = kwire.init_producer_id(c)
    blobs = [kwire.idempotent_batch(pid, epoch, 5 * i, values(5 * i, 5, b"x" * 100)) for i in range(30)]
    for i, blob in enumerate(blobs):
        assert kwire.produce_one(c, t, 0, blob) == (0, 5 * i)
    c.close()
    assert len(segment_batches(broker.data_dir, t, 0)) == 30
    broker.stop(sig=signal.SIGKILL)
    log_before = len(broker.read_log())
    broker.start()
    loaded = re.findall(r"producer state loaded.*rolls-0.*", broker.read_log()[log_before:])
    assert loaded, broker.read_log()[log_before:]
    m = re.search(r"snapshot=(\w+) from_offset=(\d+) batches_scanned=(\d+)", loaded[0])
    assert m.group(1) == "yes" and int(m.group(2)) > 0 and int(m.group(3)) < 10, loaded[0]
    c = kwire.Conn(broker.bootstrap)
    for i in range(25, 30):
        assert kwire.produce_one(c, t, 0, blobs[i]) == (0, 5 * i)
    assert kwire.produce_one(c, t, 0, blobs[24])[0] == ERR_OUT_OF_ORDER
    c.close()
    assert log_end(broker.bootstrap, t) == 150


def test_producer_state_expires(broker_factory):
    b = broker_factory({"producer.id.expiration.ms": "1500"})
    create_topic(b.bootstrap, "exp")
    c = kwire.Conn(b.bootstrap)
    err, pid, epoch = kwire.init_producer_id(c)
    blob = kwire.idempotent_batch(pid, epoch, 0, values(0, 1))
    assert kwire.produce_one(c, "exp", 0, blob) == (0, 0)
    assert kwire.produce_one(c, "exp", 0, blob) == (0, 0)
    time.sleep(2)
    # Forgotten: a new producer again, which must start at 0 (so the old retry is appended anew).
    assert kwire.produce_one(c, "exp", 0, kwire.idempotent_batch(pid, epoch, 1, values(1, 1)))[0] == ERR_OUT_OF_ORDER
    assert kwire.produce_one(c, "exp", 0, blob) == (0, 1)
    c.close()


# ---------------------------------------------------------------- real clients

def test_idempotent_producer_exactly_once_with_dropped_connections(broker_factory):
    n, parts = 50000, 3
    b = broker_factory({"sluice.test.drop.after.append": "7"})
    topic = "idem"
    create_topic(b.bootstrap, topic, parts)
    p, errors, on_delivery = idempotent_producer(b.bootstrap, linger_ms=2, batch=200)
    t0 = time.monotonic()
    for i in range(n):
        produce_numbered(p, topic, i, parts, on_delivery, key=b"%d" % (i % 97))
        p.poll(0)
    assert p.flush(150) == 0
    elapsed = time.monotonic() - t0
    del p
    assert not errors, errors[:5]
    check_exactly_once_in_order(b, topic, n, parts)
    dups = shutdown_duplicates(b)
    print("produced %d records in %.1fs, duplicates=%d" % (n, elapsed, dups))
    assert dups > 0


def idempotent_producer(bootstrap, linger_ms, batch):
    """An idempotent producer that retries quickly through dropped
    connections and restarts. Returns it, the list its delivery errors go
    into, and the delivery callback that fills that list."""
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                  "linger.ms": linger_ms, "batch.num.messages": batch, "message.timeout.ms": 120000,
                  "reconnect.backoff.ms": 10, "reconnect.backoff.max.ms": 200, "retry.backoff.ms": 20,
                  "log.connection.close": False})
    errors = []

    def on_delivery(err, msg):
        if err:
            errors.append(err)

    return p, errors, on_delivery


def produce_numbered(p, topic, i, parts, on_delivery, key=None):
    """Queues record i (value "i") for partition i % parts, waiting while the local queue is full."""
    while True:
        try:
            p.produce(topic, key=key, value=b"%d" % i, partition=i % parts, on_delivery=on_delivery)
            return
        except BufferError:
            p.poll(0.05)


def check_exactly_once_in_order(b, topic, n, parts):
    """Record i (value "i") went to partition i % parts: each partition holds its share once, in order."""
    ends = {i: log_end(b.bootstrap, topic, i) for i in range(parts)}
    recs = consume_all(b.bootstrap, topic, ends, timeout=120)
    per = {i: [] for i in range(parts)}
    for part, _off, _k, v, _h, _ts in recs:
        per[part].append(int(v))
    for i in range(parts):
        assert per[i] == list(range(i, n, parts)), "partition %d: %d records, first wrong at %s" % (
            i, len(per[i]), next((k for k, (x, y) in enumerate(zip(per[i], range(i, n, parts))) if x != y), None))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill9"])
def test_idempotent_producer_across_broker_restart(broker_factory, sig):
    """The broker restarts under a producing idempotent client: batches in
    flight are retried against the recovered producer state."""
    n, parts = 20000, 2
    b = broker_factory()
    topic = "idem-restart"
    create_topic(b.bootstrap, topic, parts)
    p, errors, on_delivery = idempotent_producer(b.bootstrap, linger_ms=1, batch=100)
    for i in range(n):
        if i == n // 2:
            b.stop(sig=sig)
            b.start()
        produce_numbered(p, topic, i, parts, on_delivery)
        p.poll(0)
    assert p.flush(150) == 0
    del p
    assert not errors, errors[:5]
    check_exactly_once_in_order(b, topic, n, parts)


def test_transactional_producer_fails_fast(broker):
    p = Producer({"bootstrap.servers": broker.bootstrap, "transactional.id": "x"})
    t0 = time.monotonic()
    with pytest.raises(KafkaException) as ei:
        p.init_transactions(30)
    took = time.monotonic() - t0
    text = str(ei.value).lower()
    assert took < 10, "init_transactions took %.1fs" % took
    assert "authoriz" in text or "not supported" in text, text

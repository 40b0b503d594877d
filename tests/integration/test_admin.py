"""Admin APIs with real clients (confluent-kafka's AdminClient mostly,
kafka-python's KafkaAdminClient, raw requests where neither client has
the API), auto-creation, retention and LogAppendTime."""
import glob
import os
import time

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka import TIMESTAMP_LOG_APPEND_TIME
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions, NewTopic

import kwire

RES_TOPIC, RES_BROKER = 2, 4

# Kafka error codes
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_TOPIC_EXCEPTION = 17
TOPIC_ALREADY_EXISTS = 36
INVALID_PARTITIONS = 37
INVALID_REPLICATION_FACTOR = 38
INVALID_CONFIG = 40


# ---------------------------------------------------------------- helpers

def admin(b):
    """One AdminClient per broker, kept alive: a client that is garbage
    collected fails its pending futures with _DESTROY."""
    a = getattr(b, "_test_admin", None)
    if a is None:
        a = b._test_admin = AdminClient({"bootstrap.servers": b.bootstrap})
    return a


def create(b, name, partitions=1, rf=1, config=None, validate_only=False):
    """Creates one topic; returns None or the KafkaError."""
    fs = admin(b).create_topics([NewTopic(name, partitions, rf, config=config or {})],
                                validate_only=validate_only, operation_timeout=10)
    try:
        fs[name].result(timeout=15)
        return None
    except KafkaException as e:
        return e.args[0]


def topic_names(b):
    return set(admin(b).list_topics(timeout=10).topics)


def describe_topic(b, name):
    res = ConfigResource("topic", name)
    return admin(b).describe_configs([res])[res].result(timeout=15)


def describe_broker(b, node="1"):
    res = ConfigResource("broker", node)
    return admin(b).describe_configs([res])[res].result(timeout=15)


def source(entry):
    s = entry.source
    return s if isinstance(s, ConfigSource) else ConfigSource(s)


def partition_dirs(b, topic):
    return sorted(glob.glob(os.path.join(b.data_dir, "%s-*" % glob.escape(topic))))


def watermarks(b, topic, partition=0):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused-assign-only"})
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=10, cached=False)
    finally:
        c.close()


def produce(b, topic, values, partition=None, timestamps=None, one_batch_each=False, **conf):
    """Produces values (acks=all); returns the delivered messages' (partition, offset, timestamp)."""
    out, errors = [], []

    def cb(err, msg):
        if err:
            errors.append(err)
        else:
            out.append((msg.partition(), msg.offset(), msg.timestamp()))

    cfg = {"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 0}
    cfg.update(conf)
    p = Producer(cfg)
    for i, v in enumerate(values):
        kw = {"value": v, "on_delivery": cb}
        if partition is not None:
            kw["partition"] = partition
        if timestamps:
            kw["timestamp"] = timestamps[i]
        p.produce(topic, **kw)
        if one_batch_each:
            p.flush(10)
    assert p.flush(15) == 0
    assert not errors, errors
    return out


def read_all(b, topic, partition, start, end, timeout=15):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "unused-assign-only",
                  "enable.auto.commit": False, "enable.partition.eof": True})
    try:
        c.assign([TopicPartition(topic, partition, start)])
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF and m.offset() >= end:
                    return out
                if m.error().code() != KafkaError._PARTITION_EOF:
                    raise AssertionError(str(m.error()))
                continue
            out.append(m)
        raise AssertionError("timed out reading %s-%d: got %d records" % (topic, partition, len(out)))
    finally:
        c.close()


def raw(b):
    return kwire.Conn(b.bootstrap)


# ------------------------------------------------------------ CreateTopics

def test_create_topic_with_configs(broker):
    cfg = {"retention.ms": "3600000", "segment.bytes": "1048576", "cleanup.policy": "delete"}
    assert create(broker, "with-configs", 2, config=cfg) is None
    md = admin(broker).list_topics(topic="with-configs", timeout=10).topics["with-configs"]
    assert md.error is None and sorted(md.partitions) == [0, 1]
    assert len(partition_dirs(broker, "with-configs")) == 2
    entries = describe_topic(broker, "with-configs")
    for k, v in cfg.items():
        assert entries[k].value == v
        assert source(entries[k]) == ConfigSource.DYNAMIC_TOPIC_CONFIG, (k, entries[k].source)
    assert entries["retention.bytes"].value == "-1"
    assert source(entries["retention.bytes"]) == ConfigSource.DEFAULT_CONFIG


def test_create_validate_only(broker):
    assert create(broker, "validate-only", 3, validate_only=True) is None
    assert "validate-only" not in topic_names(broker)
    assert partition_dirs(broker, "validate-only") == []
    # validation errors are still reported
    err = create(broker, "validate-only-bad", 1, rf=3, validate_only=True)
    assert err is not None and err.code() == INVALID_REPLICATION_FACTOR


def test_create_duplicate(broker):
    assert create(broker, "dup-topic") is None
    err = create(broker, "dup-topic", 3)
    assert err is not None and err.code() == TOPIC_ALREADY_EXISTS, err
    md = admin(broker).list_topics(topic="dup-topic", timeout=10).topics["dup-topic"]
    assert len(md.partitions) == 1


@pytest.mark.parametrize("name", ["bad name!", "..", ".", "x" * 250, "slash/name"])
def test_create_invalid_names(broker, name):
    err = create(broker, name)
    assert err is not None and err.code() == INVALID_TOPIC_EXCEPTION, err
    assert name not in topic_names(broker)
    assert not [d for d in os.listdir(broker.data_dir) if d.startswith(name[:20] + "-")]


def test_create_longest_valid_name(broker):
    name = "y" * 249
    assert create(broker, name) is None
    assert name in topic_names(broker)


def test_create_replication_factor_3(broker):
    err = create(broker, "rf-three", 1, rf=3)
    assert err is not None and err.code() == INVALID_REPLICATION_FACTOR, err
    assert "rf-three" not in topic_names(broker)


@pytest.mark.parametrize("cfg", [{"cleanup.policy": "compact"}, {"cleanup.policy": "delete,compact"},
                                 {"no.such.config": "1"}, {"retention.ms": "soon"},
                                 {"message.timestamp.type": "Whenever"}])
def test_create_invalid_config(broker, cfg):
    err = create(broker, "bad-config", 1, config=cfg)
    assert err is not None and err.code() == INVALID_CONFIG, err
    assert "bad-config" not in topic_names(broker)
    assert partition_dirs(broker, "bad-config") == []


# ---------------------------------------------------------------- Metadata

def test_list_topics_leader_replicas_isr(broker):
    assert create(broker, "md-topic", 3) is None
    md = admin(broker).list_topics(timeout=10)
    assert set(md.brokers) == {1}
    assert "%s:%d" % (md.brokers[1].host, md.brokers[1].port) == broker.bootstrap
    assert md.controller_id == 1
    assert md.cluster_id
    t = md.topics["md-topic"]
    assert sorted(t.partitions) == [0, 1, 2]
    for p in t.partitions.values():
        assert p.error is None
        assert (p.leader, p.replicas, p.isrs) == (1, [1], [1])

    from kafka import KafkaAdminClient
    ka = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        d, = ka.describe_topics(["md-topic"])
        assert d["error_code"] == 0 and d["topic"] == "md-topic" and d["is_internal"] is False
        assert sorted(p["partition"] for p in d["partitions"]) == [0, 1, 2]
        for p in d["partitions"]:
            assert (p["leader"], p["replicas"], p["isr"]) == (1, [1], [1])
    finally:
        ka.close()


def test_topic_ids(broker):
    assert create(broker, "ids-a", 2) is None and create(broker, "ids-b", 1) is None
    c = raw(broker)
    try:
        md = kwire.metadata_v12(c)
        assert md["ids-a"][0] == 0 and md["ids-a"][2] == 2 and md["ids-b"][2] == 1
        ida, idb = md["ids-a"][1], md["ids-b"][1]
        assert ida != b"\0" * 16 and idb != b"\0" * 16 and ida != idb
        assert kwire.metadata_v12(c, ["ids-a"]) == {"ids-a": md["ids-a"]}
    finally:
        c.close()
    broker.restart()
    c = raw(broker)
    try:
        assert kwire.metadata_v12(c, ["ids-a", "ids-b"]) == {"ids-a": md["ids-a"], "ids-b": md["ids-b"]}
    finally:
        c.close()
    admin(broker).delete_topics(["ids-a"], operation_timeout=10)["ids-a"].result(timeout=15)
    assert create(broker, "ids-a", 2) is None
    c = raw(broker)
    try:
        again = kwire.metadata_v12(c, ["ids-a"])["ids-a"]
    finally:
        c.close()
    assert again[0] == 0 and again[1] not in (ida, b"\0" * 16), "a re-created topic needs a new id"


# ------------------------------------------------------------ DeleteTopics

def test_delete_topics(broker):
    assert create(broker, "to-delete", 2) is None
    produce(broker, "to-delete", [b"a", b"b", b"c"], partition=1)
    assert len(partition_dirs(broker, "to-delete")) == 2
    fs = admin(broker).delete_topics(["to-delete"], operation_timeout=10)
    fs["to-delete"].result(timeout=15)
    assert "to-delete" not in topic_names(broker)
    assert partition_dirs(broker, "to-delete") == []
    # deleting again: unknown topic
    fs = admin(broker).delete_topics(["to-delete"], operation_timeout=10)
    with pytest.raises(KafkaException) as e:
        fs["to-delete"].result(timeout=15)
    assert e.value.args[0].code() == UNKNOWN_TOPIC_OR_PARTITION
    # a topic of the same name starts empty; the deletion survives a restart
    assert create(broker, "to-delete", 2) is None
    assert watermarks(broker, "to-delete", 1) == (0, 0)
    broker.restart()
    assert watermarks(broker, "to-delete", 1) == (0, 0)
    admin(broker).delete_topics(["to-delete"], operation_timeout=10)["to-delete"].result(timeout=15)
    broker.restart()
    assert "to-delete" not in topic_names(broker)
    assert partition_dirs(broker, "to-delete") == []


# -------------------------------------------------------- CreatePartitions

def test_create_partitions(broker):
    assert create(broker, "grow", 1) is None
    admin(broker).create_partitions([NewPartitions("grow", 4)], operation_timeout=10)["grow"].result(timeout=15)
    md = admin(broker).list_topics(topic="grow", timeout=10).topics["grow"]
    assert sorted(md.partitions) == [0, 1, 2, 3]
    assert len(partition_dirs(broker, "grow")) == 4
    (part, off, _ts), = produce(broker, "grow", [b"to p3"], partition=3)
    assert (part, off) == (3, 0)
    assert [m.value() for m in read_all(broker, "grow", 3, 0, 1)] == [b"to p3"]

    for count in (2, 4):
        fs = admin(broker).create_partitions([NewPartitions("grow", count)], operation_timeout=10)
        with pytest.raises(KafkaException) as e:
            fs["grow"].result(timeout=15)
        assert e.value.args[0].code() == INVALID_PARTITIONS, (count, e.value)
    fs = admin(broker).create_partitions([NewPartitions("no-such-topic", 4)], operation_timeout=10)
    with pytest.raises(KafkaException) as e:
        fs["no-such-topic"].result(timeout=15)
    assert e.value.args[0].code() == UNKNOWN_TOPIC_OR_PARTITION
    broker.restart()
    assert sorted(admin(broker).list_topics(topic="grow", timeout=10).topics["grow"].partitions) == [0, 1, 2, 3]


# --------------------------------------------------------- DescribeConfigs

def test_describe_configs_topic_sources(broker_factory):
    b = broker_factory({"log.retention.bytes": "123456789"})
    assert create(b, "described", 1, config={"retention.ms": "7200000"}) is None
    e = describe_topic(b, "described")
    assert (e["retention.ms"].value, source(e["retention.ms"])) == ("7200000", ConfigSource.DYNAMIC_TOPIC_CONFIG)
    assert e["retention.ms"].is_default is False
    # set on the broker's command line: a static broker config
    assert (e["retention.bytes"].value, source(e["retention.bytes"])) == \
        ("123456789", ConfigSource.STATIC_BROKER_CONFIG)
    # Kafka's defaults
    defaults = {"segment.bytes": "1073741824", "cleanup.policy": "delete", "message.timestamp.type": "CreateTime",
                "max.message.bytes": "1048588"}
    for k, v in defaults.items():
        assert (e[k].value, source(e[k])) == (v, ConfigSource.DEFAULT_CONFIG), (k, e[k].value, e[k].source)
        assert e[k].is_default is True
    err = ConfigResource("topic", "no-such-topic")
    with pytest.raises(KafkaException) as exc:
        admin(b).describe_configs([err])[err].result(timeout=15)
    assert exc.value.args[0].code() == UNKNOWN_TOPIC_OR_PARTITION


def test_describe_configs_broker(broker_factory):
    b = broker_factory({"num.partitions": "3"})
    e = describe_broker(b, "1")
    assert (e["num.partitions"].value, source(e["num.partitions"])) == ("3", ConfigSource.STATIC_BROKER_CONFIG)
    assert (e["log.retention.hours"].value, source(e["log.retention.hours"])) == ("168", ConfigSource.DEFAULT_CONFIG)
    assert (e["auto.create.topics.enable"].value, source(e["auto.create.topics.enable"])) == \
        ("true", ConfigSource.DEFAULT_CONFIG)
    assert e["node.id"].value == "1" and e["node.id"].is_read_only
    assert not e["num.partitions"].is_read_only
    assert "log.dirs" in e and os.path.samefile(e["log.dirs"].value, b.data_dir)


# ------------------------------------------------------------ AlterConfigs

def test_alter_configs_replaces_the_set(broker):
    assert create(broker, "altered", 1, config={"retention.ms": "3600000", "segment.bytes": "2097152"}) is None
    res = ConfigResource("topic", "altered", set_config={"retention.bytes": "5000000"})
    admin(broker).alter_configs([res])[res].result(timeout=15)
    e = describe_topic(broker, "altered")
    assert (e["retention.bytes"].value, source(e["retention.bytes"])) == ("5000000", ConfigSource.DYNAMIC_TOPIC_CONFIG)
    # not in the new set: back to the defaults
    assert (e["retention.ms"].value, source(e["retention.ms"])) == ("604800000", ConfigSource.DEFAULT_CONFIG)
    assert (e["segment.bytes"].value, source(e["segment.bytes"])) == ("1073741824", ConfigSource.DEFAULT_CONFIG)

    bad = ConfigResource("topic", "altered", set_config={"cleanup.policy": "compact"})
    with pytest.raises(KafkaException) as exc:
        admin(broker).alter_configs([bad])[bad].result(timeout=15)
    assert exc.value.args[0].code() == INVALID_CONFIG
    e = describe_topic(broker, "altered")
    assert e["retention.bytes"].value == "5000000" and e["cleanup.policy"].value == "delete"

    missing = ConfigResource("topic", "no-such-topic", set_config={"retention.ms": "1"})
    with pytest.raises(KafkaException) as exc:
        admin(broker).alter_configs([missing])[missing].result(timeout=15)
    assert exc.value.args[0].code() == UNKNOWN_TOPIC_OR_PARTITION


def test_incremental_alter_configs(broker):
    assert create(broker, "incr", 1, config={"segment.bytes": "2097152", "retention.bytes": "9000000"}) is None
    c = raw(broker)
    try:
        ok = kwire.incremental_alter_configs_v0(c, RES_TOPIC, "incr", [
            ("retention.ms", kwire.OP_SET, "1800000"),
            ("segment.bytes", kwire.OP_DELETE, None),
            ("cleanup.policy", kwire.OP_APPEND, "delete"),
        ])
        assert ok[0] == 0, ok
        e = describe_topic(broker, "incr")
        assert (e["retention.ms"].value, source(e["retention.ms"])) == ("1800000", ConfigSource.DYNAMIC_TOPIC_CONFIG)
        assert (e["segment.bytes"].value, source(e["segment.bytes"])) == ("1073741824", ConfigSource.DEFAULT_CONFIG)
        assert (e["retention.bytes"].value, source(e["retention.bytes"])) == \
            ("9000000", ConfigSource.DYNAMIC_TOPIC_CONFIG), "an untouched override must stay"
        assert (e["cleanup.policy"].value, source(e["cleanup.policy"])) == ("delete", ConfigSource.DYNAMIC_TOPIC_CONFIG)

        # APPEND compact makes "delete,compact": not supported, nothing changes
        err, msg = kwire.incremental_alter_configs_v0(c, RES_TOPIC, "incr", [
            ("retention.ms", kwire.OP_SET, "1"),
            ("cleanup.policy", kwire.OP_APPEND, "compact")])
        assert err == INVALID_CONFIG, (err, msg)
        # SUBTRACT/APPEND only apply to lists
        err, msg = kwire.incremental_alter_configs_v0(c, RES_TOPIC, "incr", [("retention.ms", kwire.OP_APPEND, "5")])
        assert err == INVALID_CONFIG, (err, msg)
        err, msg = kwire.incremental_alter_configs_v0(c, RES_TOPIC, "incr", [("bogus.name", kwire.OP_SET, "5")])
        assert err == INVALID_CONFIG, (err, msg)
        # validate_only changes nothing
        err, msg = kwire.incremental_alter_configs_v0(c, RES_TOPIC, "incr", [("retention.ms", kwire.OP_SET, "42")],
                                                      validate_only=True)
        assert err == 0, msg
        err, msg = kwire.incremental_alter_configs_v0(c, RES_TOPIC, "no-such-topic",
                                                      [("retention.ms", kwire.OP_SET, "42")])
        assert err == UNKNOWN_TOPIC_OR_PARTITION
        e = describe_topic(broker, "incr")
        assert e["retention.ms"].value == "1800000" and e["cleanup.policy"].value == "delete"

        # broker resources: "" is the cluster-wide default, "1" this broker
        err, msg = kwire.incremental_alter_configs_v0(c, RES_BROKER, "", [("log.retention.ms", kwire.OP_SET, "86400000")])
        assert err == 0, msg
        err, msg = kwire.incremental_alter_configs_v0(c, RES_BROKER, "1", [("log.retention.bytes", kwire.OP_SET, "5555555")])
        assert err == 0, msg
    finally:
        c.close()
    # topics without an override follow the broker's dynamic values
    e = describe_topic(broker, "incr")
    assert e["retention.ms"].value == "1800000"
    assert create(broker, "incr-defaults", 1) is None
    e = describe_topic(broker, "incr-defaults")
    assert e["retention.ms"].value == "86400000" and e["retention.bytes"].value == "5555555"
    assert source(e["retention.ms"]) == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
    e = describe_broker(broker)
    assert (e["log.retention.ms"].value, source(e["log.retention.ms"])) == \
        ("86400000", ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    # Kafka: a config set on resource "1" is DYNAMIC_BROKER_CONFIG (per broker)
    assert (e["log.retention.bytes"].value, source(e["log.retention.bytes"])) == \
        ("5555555", ConfigSource.DYNAMIC_BROKER_CONFIG)


def test_configs_persist_across_restart(broker):
    assert create(broker, "persisted", 1, config={"retention.ms": "3600000"}) is None
    res = ConfigResource("topic", "persisted", set_config={"retention.bytes": "777777", "segment.bytes": "3000000"})
    admin(broker).alter_configs([res])[res].result(timeout=15)
    c = raw(broker)
    try:
        assert kwire.incremental_alter_configs_v0(c, RES_BROKER, "1", [("num.partitions", kwire.OP_SET, "4")])[0] == 0
    finally:
        c.close()
    before = {k: (v.value, source(v)) for k, v in describe_topic(broker, "persisted").items()}
    broker_before = {k: (v.value, source(v)) for k, v in describe_broker(broker).items()}
    assert broker_before["num.partitions"][0] == "4"
    broker.restart()
    assert {k: (v.value, source(v)) for k, v in describe_broker(broker).items()} == broker_before
    after = {k: (v.value, source(v)) for k, v in describe_topic(broker, "persisted").items()}
    assert after == before
    assert after["retention.bytes"] == ("777777", ConfigSource.DYNAMIC_TOPIC_CONFIG)
    assert after["retention.ms"] == ("604800000", ConfigSource.DEFAULT_CONFIG)
    # and it is used: an auto-created topic gets 4 partitions
    produce(broker, "auto-after-restart", [b"x"])
    assert len(admin(broker).list_topics(topic="auto-after-restart", timeout=10).topics["auto-after-restart"]
               .partitions) == 4


# ------------------------------------------------ DescribeCluster, LogDirs

def test_describe_cluster_id_stable(broker):
    from kafka import KafkaAdminClient
    ka = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
    try:
        d = ka.describe_cluster()
    finally:
        ka.close()
    assert d["controller_id"] == 1 and d["cluster_id"]
    assert [(x["node_id"], x["host"], x["port"]) for x in d["brokers"]] == [(1, "127.0.0.1", broker.port)]
    c = raw(broker)
    try:
        r = kwire.describe_cluster_v0(c)
    finally:
        c.close()
    assert r["error_code"] == 0 and r["cluster_id"] == d["cluster_id"] and r["controller_id"] == 1
    assert [(x["broker_id"], x["host"], x["port"]) for x in r["brokers"]] == [(1, "127.0.0.1", broker.port)]
    assert admin(broker).list_topics(timeout=10).cluster_id == d["cluster_id"]
    broker.restart()
    c = raw(broker)
    try:
        assert kwire.describe_cluster_v0(c)["cluster_id"] == d["cluster_id"]
    finally:
        c.close()
    assert admin(broker).list_topics(timeout=10).cluster_id == d["cluster_id"]


def test_describe_log_dirs(broker):
    assert create(broker, "sized", 2) is None
    produce(broker, "sized", [b"v" * 100] * 50, partition=0)
    c = raw(broker)
    try:
        (err, log_dir, sizes), = kwire.describe_log_dirs_v1(c)
        (err2, _d, only), = kwire.describe_log_dirs_v1(c, {"sized": [0]})
    finally:
        c.close()
    assert err == 0 and err2 == 0
    assert os.path.isabs(log_dir) and os.path.samefile(log_dir, broker.data_dir)
    assert sizes["sized"][0] > 50 * 100
    assert sizes["sized"][1] == 0
    on_disk = sum(os.path.getsize(f) for f in glob.glob(os.path.join(broker.data_dir, "sized-0", "*.log")))
    assert sizes["sized"][0] == on_disk
    assert only == {"sized": {0: sizes["sized"][0]}}


# --------------------------------------------------------- auto-creation

def test_auto_create_uses_num_partitions(broker_factory):
    b = broker_factory({"num.partitions": "3"})
    (part, off, _ts), = produce(b, "auto-made", [b"hello"])
    assert off == 0
    md = admin(b).list_topics(topic="auto-made", timeout=10).topics["auto-made"]
    assert md.error is None and sorted(md.partitions) == [0, 1, 2]
    assert len(partition_dirs(b, "auto-made")) == 3
    e = describe_topic(b, "auto-made")
    assert all(source(v) != ConfigSource.DYNAMIC_TOPIC_CONFIG for v in e.values())


def test_auto_create_disabled(broker_factory):
    b = broker_factory({"auto.create.topics.enable": "false"})
    errors = []
    p = Producer({"bootstrap.servers": b.bootstrap, "topic.metadata.propagation.max.ms": 1000,
                  "message.timeout.ms": 8000})
    p.produce("not-there", value=b"x", on_delivery=lambda err, msg: errors.append(err))
    p.flush(15)
    assert len(errors) == 1 and errors[0] is not None
    assert errors[0].code() in (KafkaError._UNKNOWN_TOPIC, KafkaError.UNKNOWN_TOPIC_OR_PART), errors[0]
    c = raw(b)
    try:
        blob = kwire.batch([(None, b"raw")])
        c.request(0, 3, kwire.produce_v3("not-there", 0, blob))
        _corr, body = c.response()
        assert kwire.parse_produce_v3_response(body) == [("not-there", 0, UNKNOWN_TOPIC_OR_PARTITION, -1)]
        assert kwire.metadata_v4(c, ["not-there"], True) == {"not-there": (UNKNOWN_TOPIC_OR_PARTITION, 0)}
    finally:
        c.close()
    assert "not-there" not in topic_names(b)
    assert partition_dirs(b, "not-there") == []
    # explicit creation still works
    assert create(b, "made-by-hand") is None


def test_metadata_without_auto_create(broker):
    c = raw(broker)
    try:
        assert kwire.metadata_v4(c, ["no-auto"], False) == {"no-auto": (UNKNOWN_TOPIC_OR_PARTITION, 0)}
        assert "no-auto" not in topic_names(broker)
        # a consumer's metadata request (allow.auto.create.topics=false) creates nothing
        cons = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "unused-assign-only"})
        try:
            md = cons.list_topics(topic="no-auto-consumer", timeout=10)
            assert md.topics["no-auto-consumer"].error is not None
        finally:
            cons.close()
        assert not {"no-auto", "no-auto-consumer"} & topic_names(broker)
        assert partition_dirs(broker, "no-auto") == []
        # allowed: created with the default partition count
        assert kwire.metadata_v4(c, ["no-auto"], True) == {"no-auto": (0, 1)}
        assert kwire.metadata_v4(c, ["bad name!"], True) == {"bad name!": (INVALID_TOPIC_EXCEPTION, 0)}
    finally:
        c.close()
    assert "no-auto" in topic_names(broker)


# ---------------------------------------------------------------- retention

def wait_log_start(b, topic, want, timeout=10):
    deadline = time.monotonic() + timeout
    lo = None
    while time.monotonic() < deadline:
        lo, _hi = watermarks(b, topic)
        if lo >= want:
            return lo
        time.sleep(0.2)
    raise AssertionError("log start of %s is %s, waited for %d" % (topic, lo, want))


def test_retention_ms_deletes_old_segments(broker_factory):
    b = broker_factory({"log.retention.check.interval.ms": "200"})
    assert create(b, "ret-ms", 1, config={"retention.ms": "60000", "segment.bytes": "100"}) is None
    old = int(time.time() * 1000) - 3_600_000
    # 20 records an hour old, then 5 new ones; one batch (> 50 bytes) per segment
    produce(b, "ret-ms", [b"old-%02d" % i + b"." * 40 for i in range(20)], timestamps=[old + i for i in range(20)],
            one_batch_each=True)
    now = int(time.time() * 1000)
    produce(b, "ret-ms", [b"new-%02d" % i + b"." * 40 for i in range(5)], timestamps=[now + i for i in range(5)],
            one_batch_each=True)
    assert wait_log_start(b, "ret-ms", 20) == 20
    time.sleep(0.6)   # a few more checks must not delete the recent segments
    assert watermarks(b, "ret-ms") == (20, 25)
    logs = glob.glob(os.path.join(b.data_dir, "ret-ms-0", "*.log"))
    assert 1 <= len(logs) <= 5, logs
    assert [m.value()[:6] for m in read_all(b, "ret-ms", 0, 20, 25)] == [b"new-%02d" % i for i in range(5)]
    b.restart()
    assert watermarks(b, "ret-ms") == (20, 25)


def test_retention_bytes(broker_factory):
    b = broker_factory({"log.retention.check.interval.ms": "200"})
    assert create(b, "ret-bytes", 1, config={"retention.bytes": "1000", "segment.bytes": "300"}) is None
    produce(b, "ret-bytes", [b"rec-%02d" % i + b"." * 50 for i in range(30)], one_batch_each=True)
    lo = wait_log_start(b, "ret-bytes", 1)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        c = raw(b)
        try:
            (_e, _d, sizes), = kwire.describe_log_dirs_v1(c, {"ret-bytes": [0]})
        finally:
            c.close()
        size = sizes["ret-bytes"][0]
        if size < 1000 + 300:
            break
        time.sleep(0.2)
    segs = sorted(glob.glob(os.path.join(b.data_dir, "ret-bytes-0", "*.log")))
    seg_sizes = [os.path.getsize(f) for f in segs]
    assert sum(seg_sizes) == size
    # Kafka deletes the oldest segments while what remains is still >= retention.bytes
    assert size >= 1000, "deleted too much: %d bytes left" % size
    assert size - seg_sizes[0] < 1000, "kept too much: %s" % seg_sizes
    lo, hi = watermarks(b, "ret-bytes")
    assert 0 < lo < 30 and hi == 30
    assert [m.offset() for m in read_all(b, "ret-bytes", 0, lo, 30)] == list(range(lo, 30))


# ------------------------------------------------------------ LogAppendTime

def test_log_append_time(broker):
    assert create(broker, "lat", 1, config={"message.timestamp.type": "LogAppendTime"}) is None
    t0 = int(time.time() * 1000)
    delivered = produce(broker, "lat", [b"a", b"b"], timestamps=[1_000_000_000_000, 1_000_000_000_001])
    t1 = int(time.time() * 1000)
    for _p, _off, (ts_type, ts) in delivered:
        assert ts_type == TIMESTAMP_LOG_APPEND_TIME and t0 - 5 <= ts <= t1 + 5, (ts_type, ts, t0, t1)
    msgs = read_all(broker, "lat", 0, 0, 2)
    assert [m.timestamp() for m in msgs] == [(ts_type, ts) for _p, _o, (ts_type, ts) in delivered]
    for _base, attrs, _count, _lod in kwire.parse_batches(
            open(glob.glob(os.path.join(broker.data_dir, "lat-0", "*.log"))[0], "rb").read()):
        assert attrs & 0x08, "batch not marked LogAppendTime on disk: attrs %#x" % attrs

    from kafka import KafkaConsumer
    from kafka.structs import TopicPartition as KTP
    kc = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    try:
        tp = KTP("lat", 0)
        kc.assign([tp])
        kc.seek_to_beginning(tp)
        recs = []
        deadline = time.monotonic() + 10
        while len(recs) < 2 and time.monotonic() < deadline:
            recs += kc.poll(timeout_ms=500).get(tp, [])
        assert [(r.timestamp_type, r.timestamp) for r in recs] == [(1, ts) for _p, _o, (_t, ts) in delivered]
    finally:
        kc.close()
    # a CreateTime topic keeps the producer's timestamps
    assert create(broker, "ct", 1) is None
    (_p, _o, (ts_type, ts)), = produce(broker, "ct", [b"c"], timestamps=[1_000_000_000_000])
    assert (ts_type, ts) == (1, 1_000_000_000_000)
    assert read_all(broker, "ct", 0, 0, 1)[0].timestamp() == (1, 1_000_000_000_000)

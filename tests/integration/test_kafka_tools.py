"""Apache Kafka 4.4's own command-line tools against Sluice, run from the
jars scripts/kafka-reference fetches (scripts/kafka-tool NAME ...). Each
tool is checked by what it prints and by what it changed, read back with
another client (confluent-kafka or a raw request). Every tool run starts a
JVM (1-2 s of CPU), so each test uses a few."""
import json
import re

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource

import kwire
from kafka_reference import kafka_tool

SEED_CREATE = ["--create", "--replication-factor", "1", "--partitions", "1"]


def tool(b, name, *args, input=None):
    """Runs a tool against broker b (--bootstrap-server added); returns stdout."""
    r = kafka_tool(name, "--bootstrap-server", b.bootstrap, *args, input=input)
    assert r.returncode == 0, "%s %s failed (%d):\n%s\n%s" % (name, " ".join(args), r.returncode, r.stdout,
                                                             r.stderr[-3000:])
    return r.stdout


def topic_names(b):
    return set(AdminClient({"bootstrap.servers": b.bootstrap}).list_topics(timeout=10).topics)


def partition_count(b, topic):
    md = AdminClient({"bootstrap.servers": b.bootstrap}).list_topics(topic=topic, timeout=10)
    return len(md.topics[topic].partitions)


def produce(b, topic, values, partition=0):
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for v in values:
        p.produce(topic, v, partition=partition)
    assert p.flush(15) == 0


def committed(b, group, topic, partition=0):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group})
    try:
        return c.committed([TopicPartition(topic, partition)], timeout=10)[0].offset
    finally:
        c.close()


def test_seed_create_command_fails_as_on_kafka_and_topic_option_works(broker, kafka_reference):
    """The seed's exact `kafka-topics --create ... my-topic` names the topic
    without --topic; Kafka 4.4's TopicCommand has no positional topic, so it
    refuses the command before sending anything, against Kafka as against
    Sluice. With --topic it creates the topic on both."""
    for target in (broker.bootstrap, kafka_reference.bootstrap):
        r = kafka_tool("kafka-topics", "--create", "--bootstrap-server", target, "--replication-factor", "1",
                       "--partitions", "1", "my-topic")
        assert r.returncode == 1, r.stdout + r.stderr
        assert r.stderr.startswith('Missing required argument "[topic]"'), r.stderr[:300]
    assert "my-topic" not in topic_names(broker)

    out = tool(broker, "kafka-topics", *SEED_CREATE, "--topic", "my-topic")
    assert out.strip() == "Created topic my-topic."
    assert partition_count(broker, "my-topic") == 1
    assert tool(broker, "kafka-topics", "--list").split() == ["my-topic"]


def test_topics_describe_alter_delete(broker):
    tool(broker, "kafka-topics", *SEED_CREATE, "--topic", "orders")
    tool(broker, "kafka-topics", "--alter", "--topic", "orders", "--partitions", "3")
    assert partition_count(broker, "orders") == 3

    out = tool(broker, "kafka-topics", "--describe", "--topic", "orders")
    head, *rows = out.strip().splitlines()
    assert re.match(r"Topic: orders\tTopicId: \S{22}\tPartitionCount: 3\tReplicationFactor: 1\t", head), head
    # Elr lists (empty) come from DescribeTopicPartitions, as with Kafka;
    # the tool's fallback to Metadata would print "Elr: N/A".
    assert [re.match(r"\tTopic: orders\tPartition: (\d)\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: ?$",
                     r).group(1) for r in rows] == ["0", "1", "2"], rows

    tool(broker, "kafka-topics", "--delete", "--topic", "orders")
    assert "orders" not in topic_names(broker)
    assert tool(broker, "kafka-topics", "--list").strip() == ""


def test_configs_topic_and_broker(broker):
    tool(broker, "kafka-topics", *SEED_CREATE, "--topic", "cfg")
    out = tool(broker, "kafka-configs", "--entity-type", "topics", "--entity-name", "cfg", "--alter",
               "--add-config", "retention.ms=3600000,max.message.bytes=200000")
    assert out.strip() == "Completed updating config for topic cfg."
    out = tool(broker, "kafka-configs", "--entity-type", "topics", "--entity-name", "cfg", "--describe")
    assert "  retention.ms=3600000 sensitive=false" in out and "  max.message.bytes=200000 sensitive=false" in out

    tool(broker, "kafka-configs", "--entity-type", "topics", "--entity-name", "cfg", "--alter",
         "--delete-config", "max.message.bytes")
    res = ConfigResource(ConfigResource.Type.TOPIC, "cfg")
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    configs = admin.describe_configs([res])[res].result(timeout=10)
    assert configs["retention.ms"].value == "3600000"
    assert configs["max.message.bytes"].value == "1048588" and configs["max.message.bytes"].is_default

    out = tool(broker, "kafka-configs", "--entity-type", "brokers", "--entity-name", "1", "--alter",
               "--add-config", "log.retention.ms=7200000")
    assert out.strip() == "Completed updating config for broker 1."
    out = tool(broker, "kafka-configs", "--entity-type", "brokers", "--entity-name", "1", "--describe")
    assert out.splitlines()[0] == "Dynamic configs for broker 1 are:"
    assert "  log.retention.ms=7200000 sensitive=false" in out
    res = ConfigResource(ConfigResource.Type.BROKER, "1")
    assert admin.describe_configs([res])[res].result(timeout=10)["log.retention.ms"].value == "7200000"


def test_console_producer_and_consumer_with_keys_and_headers(broker):
    lines = "h1:a,h2:b\tk1:v1\nsrc:cli\tk2:v2\nempty:\tk3:v3\n"
    tool(broker, "kafka-console-producer", "--topic", "console", "--reader-property", "parse.key=true",
         "--reader-property", "key.separator=:", "--reader-property", "parse.headers=true", input=lines)

    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "check", "auto.offset.reset": "earliest"})
    c.assign([TopicPartition("console", 0, 0)])
    got = []
    while len(got) < 3:
        m = c.poll(10)
        assert m is not None and not m.error(), m and m.error()
        got.append((m.key(), m.value(), m.headers()))
    c.close()
    assert got == [(b"k1", b"v1", [("h1", b"a"), ("h2", b"b")]), (b"k2", b"v2", [("src", b"cli")]),
                   (b"k3", b"v3", [("empty", b"")])]

    out = tool(broker, "kafka-console-consumer", "--topic", "console", "--from-beginning", "--max-messages", "3",
               "--formatter-property", "print.key=true", "--formatter-property", "print.headers=true",
               "--formatter-property", "print.offset=true")
    assert out.splitlines() == ["Offset:0\th1:a,h2:b\tk1\tv1", "Offset:1\tsrc:cli\tk2\tv2",
                                "Offset:2\tempty:\tk3\tv3"]


def test_consumer_groups_list_describe_reset_delete(broker):
    produce(broker, "grp", [b"r%d" % i for i in range(5)])
    out = tool(broker, "kafka-console-consumer", "--topic", "grp", "--group", "app", "--from-beginning",
               "--max-messages", "5")
    assert out.split() == ["r0", "r1", "r2", "r3", "r4"]
    assert committed(broker, "app", "grp") == 5
    produce(broker, "grp", [b"late1", b"late2"])

    assert "app" in tool(broker, "kafka-consumer-groups", "--list").split()
    out = tool(broker, "kafka-consumer-groups", "--describe", "--group", "app")
    rows = [line.split() for line in out.splitlines() if line.startswith("app ")]
    assert [r[:6] for r in rows] == [["app", "grp", "0", "5", "7", "2"]], out

    out = tool(broker, "kafka-consumer-groups", "--group", "app", "--reset-offsets", "--to-earliest",
               "--topic", "grp", "--execute")
    assert [line.split() for line in out.splitlines() if line.startswith("app ")] == [["app", "grp", "0", "0"]]
    assert committed(broker, "app", "grp") == 0

    out = tool(broker, "kafka-consumer-groups", "--group", "app", "--delete-offsets", "--topic", "grp")
    assert re.search(r"^grp\s+0\s+Successful", out, re.M), out
    assert committed(broker, "app", "grp") < 0   # no committed offset left

    out = tool(broker, "kafka-consumer-groups", "--group", "app", "--delete")
    assert "Deletion of requested consumer groups ('app') was successful." in out
    assert "app" not in tool(broker, "kafka-consumer-groups", "--list").split()


def test_get_offsets_delete_records_and_log_dirs(broker, tmp_path):
    produce(broker, "offs", [b"x" * 100] * 10)
    assert tool(broker, "kafka-get-offsets", "--topic", "offs").split() == ["offs:0:10"]

    spec = tmp_path / "delete.json"
    spec.write_text(json.dumps({"partitions": [{"topic": "offs", "partition": 0, "offset": 4}], "version": 1}))
    out = tool(broker, "kafka-delete-records", "--offset-json-file", str(spec))
    assert "partition: offs-0\tlow_watermark: 4" in out, out
    assert tool(broker, "kafka-get-offsets", "--topic", "offs", "--time", "-2").split() == ["offs:0:4"]
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "wm"})
    assert c.get_watermark_offsets(TopicPartition("offs", 0), timeout=10) == (4, 10)
    c.close()

    out = tool(broker, "kafka-log-dirs", "--describe", "--topic-list", "offs")
    report = json.loads(out.strip().splitlines()[-1])
    [b] = report["brokers"]
    [d] = b["logDirs"]
    assert b["broker"] == 1 and d["error"] is None and d["logDir"] == broker.data_dir
    [p] = d["partitions"]
    assert p["partition"] == "offs-0" and p["size"] > 10 * 100 and p["offsetLag"] == 0


def api_versions(b):
    """{api_key: (min, max)} from a raw ApiVersions v0 request."""
    conn = kwire.Conn(b.bootstrap)
    try:
        conn.request(18, 0, b"")
        _corr, body = conn.response()
        r = kwire.Reader(body)
        assert r.i16() == 0
        return dict((k, (lo, hi)) for k, lo, hi in r.array(lambda: (r.i16(), r.i16(), r.i16())))
    finally:
        conn.close()


def test_broker_api_versions_lists_what_the_broker_advertises(broker):
    out = tool(broker, "kafka-broker-api-versions")
    assert out.splitlines()[0] == "%s (id: 1 rack: null isFenced: false) -> (" % broker.bootstrap
    listed, unsupported = {}, set()
    for m in re.finditer(r"^\t(\w+)\((\d+)\): (?:(\d+)(?: to (\d+))? \[usable: \d+\]|(UNSUPPORTED))", out, re.M):
        if m.group(5):
            unsupported.add(int(m.group(2)))
        else:
            listed[int(m.group(2))] = (int(m.group(3)), int(m.group(4) or m.group(3)))
    advertised = api_versions(broker)
    assert listed == advertised
    assert unsupported and not unsupported & set(advertised)
    assert len(listed) >= 20


def test_producer_and_consumer_perf_tests(broker):
    r = kafka_tool("kafka-producer-perf-test", "--topic", "perf", "--num-records", "20000", "--record-size", "100",
                   "--throughput", "-1", "--producer-props", "bootstrap.servers=" + broker.bootstrap, "acks=all")
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    out = r.stdout
    assert re.search(r"^20000 records sent, [\d.]+ records/sec", out, re.M), out
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "wm"})
    assert c.get_watermark_offsets(TopicPartition("perf", 0), timeout=10) == (0, 20000)
    c.close()

    out = tool(broker, "kafka-consumer-perf-test", "--topic", "perf", "--num-records", "20000", "--timeout", "30000")
    header, row = out.strip().splitlines()[-2:]
    fields = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in row.split(",")]))
    assert fields["data.consumed.in.nMsg"] == "20000"
    assert abs(float(fields["data.consumed.in.MB"]) - 20000 * 100 / 1024 / 1024) < 0.01

"""The sluice client subcommands against a real broker: tests/cli/test_cli.sh
end to end, then the points of issue 14, each checked through an
independent client (confluent-kafka) where there is state to look at:
failing fast without a broker, reset-offsets planning and executing,
topic alter and configs, consume's output forms and its timeout."""
import json
import os
import re
import socket
import subprocess
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic

from conftest import ROOT, SLUICE_BIN, free_port
from test_groups import committed_offsets as committed, create_topic



def test_cli_script(broker):
    env = dict(os.environ, SLUICE_BOOTSTRAP=broker.bootstrap, SLUICE=SLUICE_BIN)
    p = subprocess.run(["bash", os.path.join(ROOT, "tests", "cli", "test_cli.sh")], env=env,
                       capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    m = re.search(r"^(\d+) passed, (\d+) failed$", out, re.M)
    assert m, "no summary line:\n" + out[-3000:]
    assert p.returncode == 0 and m.group(2) == "0", out[-5000:]
    assert int(m.group(1)) >= 60, "too few CLI checks ran:\n" + out[-3000:]


# ---------------------------------------------------------------- helpers

def sluice(*args, stdin="", env=None, timeout=60):
    """Runs the CLI; returns (exit status, stdout, stderr, seconds taken)."""
    full_env = dict(os.environ)
    full_env.pop("SLUICE_BOOTSTRAP", None)
    full_env.update(env or {})
    t0 = time.monotonic()
    p = subprocess.run([SLUICE_BIN, *args], input=stdin, capture_output=True, text=True,
                       env=full_env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def topic_names(bootstrap):
    return set(AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics)


def commit(bootstrap, group, topic, offsets):
    """Commits offsets for a group without joining it (generation -1)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        c.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=False)
    finally:
        c.close()


def plan_rows(out):
    """The reset-offsets table as (group, topic, partition, current, new).
    Its first four columns are those of Kafka 4.4's kafka-consumer-groups,
    in its layout: GROUP and TOPIC padded to 15 (or the longest), PARTITION
    to 10; the current offset comes last."""
    lines = out.splitlines()
    assert re.fullmatch(r"GROUP {11}TOPIC {11}PARTITION  NEW-OFFSET {6}CURRENT-OFFSET", lines[0]), out
    rows = [line.split() for line in lines[1:]]
    return [(g, t, p, cur, new) for g, t, p, new, cur in rows]


# ---------------------------------------------------------------- no broker

def assert_names_the_way_out(err, address):
    assert address in err, err
    assert "--bootstrap-server" in err and "SLUICE_BOOTSTRAP" in err, err
    assert "Local: Broker transport failure" not in err, err


def test_no_broker_listening_fails_within_5_s_naming_the_address():
    port = free_port()
    address = "127.0.0.1:%d" % port
    commands = [
        ("topic", "list"),
        ("topic", "create", "x"),
        ("group", "list"),
        ("group", "describe", "g"),
        ("group", "reset-offsets", "g", "--topic", "t", "--to-earliest"),
        ("consume", "t"),
        ("consume", "t", "-g", "g"),
        ("produce", "t"),
        ("bench", "produce", "t", "-n", "10"),
    ]
    for cmd in commands:
        rc, out, err, took = sluice(*cmd, "--bootstrap-server", address, stdin="a\n")
        assert rc == 1, (cmd, rc, err)
        assert took < 5, (cmd, took)
        assert_names_the_way_out(err, address)
        assert "from --bootstrap-server" in err, err
    rc, _, err, took = sluice("topic", "list", env={"SLUICE_BOOTSTRAP": address})
    assert rc == 1 and took < 5 and "from SLUICE_BOOTSTRAP" in err, err
    assert_names_the_way_out(err, address)


def test_a_broker_that_never_answers_fails_in_5_s_or_the_given_timeout():
    """A socket that accepts connections (the kernel's backlog) but never
    answers: no connection error ends the wait, only the timeout."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        address = "127.0.0.1:%d" % silent.getsockname()[1]
        rc, _, err, took = sluice("topic", "list", "-b", address)
        assert rc == 1 and 3 <= took < 5, (took, err)
        assert "no broker answered at " + address in err, err
        assert_names_the_way_out(err, address)
        rc, _, err, took = sluice("group", "list", "-b", address, "--timeout-ms", "1000")
        assert rc == 1 and 0.9 <= took < 2.5, (took, err)
        assert "within 1000 ms" in err, err
        rc, _, err, took = sluice("topic", "list", "-b", address, "-t", "6000")
        assert rc == 1 and 5.9 <= took < 8, (took, err)


def test_produce_to_a_missing_topic_fails_at_once_without_auto_create(broker_factory):
    broker = broker_factory(props={"auto.create.topics.enable": "false"})
    rc, out, err, took = sluice("produce", "no-such-topic", "-b", broker.bootstrap, stdin="a\nb\n")
    assert rc == 1 and took < 3, (rc, took, err)
    assert "'no-such-topic' does not exist" in err and "auto.create.topics.enable" in err, err
    assert "no-such-topic" not in topic_names(broker.bootstrap)


def test_produce_creates_the_topic_where_the_broker_auto_creates(broker):
    rc, _, err, _ = sluice("produce", "made-on-use", "-b", broker.bootstrap, stdin="a\n")
    assert rc == 0, err
    rc, out, err, _ = sluice("consume", "made-on-use", "-b", broker.bootstrap, "-t", "1000")
    assert rc == 0 and out == "a\n", (out, err)
    # Reading is not using: consume and the admin commands create nothing.
    for cmd in (["consume", "ghost", "-t", "1000"], ["consume", "ghost", "-g", "g", "-t", "1000"],
                ["topic", "describe", "ghost"], ["topic", "configs", "ghost"],
                ["topic", "alter", "ghost", "-P", "2"]):
        rc, _, err, _ = sluice(*cmd, "-b", broker.bootstrap)
        assert rc == 1 and "ghost" in err, (cmd, err)
    assert "ghost" not in topic_names(broker.bootstrap)


# ---------------------------------------------------------------- reset-offsets

HOUR_MS = 3600 * 1000


def reset_setup(broker, topic="orders"):
    """Three partitions of ten records stamped 10 h ago + i s; group
    'app' has committed offset 8 on each."""
    bs = broker.bootstrap
    create_topic(bs, topic, 3)
    base = int(time.time() * 1000) - 10 * HOUR_MS
    p = Producer({"bootstrap.servers": bs, "linger.ms": 5})
    for part in range(3):
        for i in range(10):
            p.produce(topic, value=b"v%d" % i, partition=part, timestamp=base + i * 1000)
    assert p.flush(30) == 0
    commit(bs, "app", topic, {0: 8, 1: 8, 2: 8})
    assert committed(bs, "app", topic, 3) == {0: 8, 1: 8, 2: 8}
    return bs, base


def test_reset_offsets_prints_the_plan_unless_execute(broker):
    bs, _ = reset_setup(broker)
    for extra in ([], ["--dry-run"]):
        rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--to-earliest",
                                 "-b", bs, *extra)
        assert rc == 0, err
        assert plan_rows(out) == [("app", "orders", str(p), "8", "0") for p in range(3)], out
        assert "not changed" in err and "--execute" in err, err
        assert committed(bs, "app", "orders", 3) == {0: 8, 1: 8, 2: 8}

    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders:0,2", "--to-earliest",
                             "--execute", "-b", bs)
    assert rc == 0, err
    assert plan_rows(out) == [("app", "orders", "0", "8", "0"), ("app", "orders", "2", "8", "0")], out
    assert committed(bs, "app", "orders", 3) == {0: 0, 1: 8, 2: 0}

    # --shift-by is kept within the log: 8 + 3 is past the end (10).
    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--all-topics", "--shift-by", "3",
                             "--execute", "-b", bs)
    assert rc == 0, err
    assert plan_rows(out) == [("app", "orders", "0", "0", "3"), ("app", "orders", "1", "8", "10"),
                              ("app", "orders", "2", "0", "3")], out
    assert committed(bs, "app", "orders", 3) == {0: 3, 1: 10, 2: 3}

    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--all-topics", "--shift-by", "-5", "-b", bs)
    assert rc == 0 and [r[4] for r in plan_rows(out)] == ["0", "5", "0"], out

    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--to-current", "-b", bs)
    assert rc == 0 and [(r[3], r[4]) for r in plan_rows(out)] == [("3", "3"), ("10", "10"), ("3", "3")], out

    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders:1", "--to-offset", "6",
                             "--execute", "-b", bs)
    assert rc == 0, err
    assert committed(bs, "app", "orders", 3) == {0: 3, 1: 6, 2: 3}

    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--to-latest",
                             "--execute", "--dry-run", "-b", bs)
    assert rc == 2, err

    # A topic name longer than 15 widens its column, as in Kafka's table.
    long_topic = "a-rather-long-topic-name"
    create_topic(bs, long_topic, 1)
    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", long_topic, "--to-earliest", "-b", bs)
    assert rc == 0 and out.splitlines()[1] == "app%s %s 0          0               -" % (" " * 12, long_topic), out


def test_reset_offsets_by_time(broker):
    bs, base = reset_setup(broker)
    # The first record at or after base + 4.5 s is number 5, in every partition.
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((base + 4500) // 1000)) + \
        ".%03dZ" % ((base + 4500) % 1000)
    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--to-datetime", when,
                             "-b", bs)
    assert rc == 0 and [r[4] for r in plan_rows(out)] == ["5", "5", "5"], (when, out, err)
    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--to-datetime",
                             str(base + 4500), "-b", bs)
    assert rc == 0 and [r[4] for r in plan_rows(out)] == ["5", "5", "5"], (out, err)
    # Every record is about 10 hours old.
    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--by-duration", "PT1H",
                             "-b", bs)
    assert rc == 0 and [r[4] for r in plan_rows(out)] == ["10", "10", "10"], (out, err)
    rc, out, err, _ = sluice("group", "reset-offsets", "app", "--all-topics", "--by-duration", "P1DT2H",
                             "--execute", "-b", bs)
    assert rc == 0 and [r[4] for r in plan_rows(out)] == ["0", "0", "0"], (out, err)
    assert committed(bs, "app", "orders", 3) == {0: 0, 1: 0, 2: 0}
    rc, _, err, _ = sluice("group", "reset-offsets", "app", "--all-topics", "--by-duration", "1h", "-b", bs)
    assert rc == 2 and "ISO-8601" in err, err


KAFKA_TOOL = os.environ.get("KAFKA_TOOL", os.path.join(ROOT, "scripts", "kafka-tool"))


@pytest.mark.skipif(not os.path.exists(KAFKA_TOOL), reason="no scripts/kafka-tool (Apache Kafka's CLI tools)")
def test_reset_plans_match_kafka_consumer_groups(broker):
    """The same plans as Kafka's own kafka-consumer-groups computes for the
    same group on the same broker."""
    bs, base = reset_setup(broker)
    commit(bs, "app", "orders", {0: 8, 1: 2, 2: 5})
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((base + 4500) // 1000)) + ".500Z"
    cases = [["--topic", "orders", "--to-earliest"],
             ["--all-topics", "--shift-by", "-3"],
             ["--topic", "orders:0,2", "--to-offset", "4"],
             ["--topic", "orders", "--to-datetime", when],
             ["--all-topics", "--by-duration", "P1D"]]
    for case in cases:
        rc, out, err, _ = sluice("group", "reset-offsets", "app", *case, "-b", bs)
        assert rc == 0, (case, err)
        ours = sorted((g, t, p, new) for g, t, p, _, new in plan_rows(out))
        k = subprocess.run([KAFKA_TOOL, "kafka-consumer-groups", "--bootstrap-server", bs, "--group", "app",
                            "--reset-offsets", "--dry-run", *case], capture_output=True, text=True, timeout=120)
        theirs = sorted(tuple(line.split()) for line in k.stdout.splitlines() if line.startswith("app "))
        assert k.returncode == 0 and theirs == ours, (case, ours, k.stdout, k.stderr[-2000:])


def test_reset_offsets_never_creates_a_topic(broker):
    """The broker creates topics on use (the default); a misspelled --topic
    must still only be reported, in a plan and in an execution."""
    bs, _ = reset_setup(broker)
    for extra in (["--dry-run"], ["--execute"], []):
        rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "ordres", "--to-earliest",
                                 "-b", bs, *extra)
        assert rc == 1 and "topic 'ordres' does not exist" in err, (extra, err)
        assert out == ""
    rc, _, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders:7", "--to-earliest", "-b", bs)
    assert rc == 1 and "no partition 7" in err, err
    assert "ordres" not in topic_names(bs)
    assert committed(bs, "app", "orders", 3) == {0: 8, 1: 8, 2: 8}


def test_reset_offsets_refuses_a_group_with_members(broker_factory):
    broker = broker_factory(props={"group.initial.rebalance.delay.ms": "0"})
    bs, _ = reset_setup(broker)
    c = Consumer({"bootstrap.servers": bs, "group.id": "app", "enable.auto.commit": False})
    try:
        c.subscribe(["orders"])
        deadline = time.monotonic() + 20
        while not c.assignment() and time.monotonic() < deadline:
            c.poll(0.2)
        assert c.assignment()
        rc, out, err, _ = sluice("group", "reset-offsets", "app", "--topic", "orders", "--to-earliest",
                                 "--execute", "-b", bs)
        assert rc == 1 and "Stable" in err and "1 active member" in err, err
    finally:
        c.close()
    assert committed(bs, "app", "orders", 3) == {0: 8, 1: 8, 2: 8}


def test_describe_of_an_unknown_group(broker):
    rc, out, err, _ = sluice("group", "describe", "nobody", "-b", broker.bootstrap)
    assert rc == 1 and "group 'nobody' does not exist" in err, (out, err)


# ---------------------------------------------------------------- topics

def test_topic_alter_adds_partitions(broker):
    bs = broker.bootstrap
    rc, _, err, _ = sluice("topic", "create", "grow", "-P", "2", "-b", bs)
    assert rc == 0, err
    rc, out, err, _ = sluice("topic", "alter", "grow", "--partitions", "5", "-b", bs)
    assert rc == 0 and "altered topic grow: 5 partitions" in out, err
    md = AdminClient({"bootstrap.servers": bs}).list_topics("grow", timeout=10)
    assert sorted(md.topics["grow"].partitions) == [0, 1, 2, 3, 4]
    p = Producer({"bootstrap.servers": bs})
    p.produce("grow", value=b"in-4", partition=4)
    assert p.flush(10) == 0
    rc, _, err, _ = sluice("topic", "alter", "grow", "--partitions", "3", "-b", bs)
    assert rc == 1 and "5 partitions" in err, err
    rc, _, err, _ = sluice("topic", "alter", "grow", "-b", bs)
    assert rc == 2 and "--partitions" in err, err
    rc, _, err, _ = sluice("topic", "alter", "nope", "--partitions", "3", "-b", bs)
    assert rc == 1 and "nope" in err, err
    assert "nope" not in topic_names(bs)


def test_topic_configs_show_each_source_and_synonyms(broker):
    bs = broker.bootstrap
    rc, _, err, _ = sluice("topic", "create", "conf", "--config", "retention.ms=3600000", "-b", bs)
    assert rc == 0, err
    rc, out, err, _ = sluice("topic", "configs", "conf", "--json", "-b", bs)
    assert rc == 0, err
    mine = {e["name"]: e for e in json.loads(out)["configs"]}
    # The same entries and sources as confluent-kafka's DescribeConfigs.
    res = ConfigResource(ConfigResource.Type.TOPIC, "conf")
    admin = AdminClient({"bootstrap.servers": bs})
    theirs = admin.describe_configs([res])[res].result(timeout=10)
    assert set(mine) == set(theirs)
    for name, entry in theirs.items():
        assert mine[name]["source"] == ConfigSource(entry.source).name, name
    assert mine["retention.ms"]["source"] == "DYNAMIC_TOPIC_CONFIG"
    assert [(s["name"], s["source"]) for s in mine["retention.ms"]["synonyms"]][:2] == \
        [("retention.ms", "DYNAMIC_TOPIC_CONFIG"), ("log.retention.ms", "DEFAULT_CONFIG")]
    assert mine["segment.bytes"]["source"] == "DEFAULT_CONFIG"
    rc, out, err, _ = sluice("topic", "configs", "conf", "-b", bs)
    assert rc == 0, err
    assert re.search(r"^  retention\.ms=3600000 \(DYNAMIC_TOPIC_CONFIG\) synonyms=\{DYNAMIC_TOPIC_CONFIG:"
                     r"retention\.ms=3600000, DEFAULT_CONFIG:log\.retention\.ms=\d+\}$", out, re.M), out
    rc, _, err, _ = sluice("topic", "configs", "gone", "-b", bs)
    assert rc == 1 and "gone" in err
    assert "gone" not in topic_names(bs)


# ---------------------------------------------------------------- consume

def test_consume_output_forms(broker):
    bs = broker.bootstrap
    create_topic(bs, "forms", 2)
    ts = int(time.time() * 1000)  # an old one would fall to retention
    p = Producer({"bootstrap.servers": bs})
    p.produce("forms", key=b"k1", value=b"plain value", partition=1, timestamp=ts, headers=[("h", b"x")])
    p.produce("forms", value=b"tab\there \\ as is", partition=1, timestamp=ts + 1)
    assert p.flush(10) == 0

    def consume(*args):
        rc, out, err, _ = sluice("consume", "forms", "-b", bs, "-t", "1500", *args)
        assert rc == 0, err
        return out

    assert consume() == "plain value\ntab\there \\ as is\n"
    assert consume("--print-key") == "key=k1 value=plain value\nvalue=tab\\there \\\\ as is\n"
    assert consume("--print-partition", "--print-offset", "--print-timestamp", "--print-headers") == \
        "partition=1 offset=0 timestamp=%d headers=h:x value=plain value\n" \
        "partition=1 offset=1 timestamp=%d value=tab\\there \\\\ as is\n" % (ts, ts + 1)
    assert consume("-f", "text").splitlines()[0] == \
        "partition=1 offset=0 timestamp=%d key=k1 headers=h:x value=plain value" % ts
    first = json.loads(consume("--format", "json").splitlines()[0])
    assert first["key"] == "k1" and first["value"] == "plain value" and first["offset"] == 0
    assert first["headers"] == [{"key": "h", "value": "x"}]
    for bad in (["-f", "json", "--print-key"], ["-f", "value", "--print-offset"], ["-f", "xml"]):
        assert sluice("consume", "forms", "-b", bs, *bad)[0] == 2, bad


@pytest.mark.skipif(not os.path.exists(KAFKA_TOOL), reason="no scripts/kafka-tool (Apache Kafka's CLI tools)")
def test_consume_prints_what_kafka_console_consumer_prints(broker):
    bs = broker.bootstrap
    create_topic(bs, "same", 1)
    values = [b"plain", b"tab\there \\ back", "utf-8 \u00e9".encode(), b"", b"{\"json\": 1}"]
    p = Producer({"bootstrap.servers": bs})
    for v in values:
        p.produce("same", key=b"k", value=v)
    p.produce("same", value=None)
    assert p.flush(10) == 0
    rc, ours, err, _ = sluice("consume", "same", "-b", bs, "-t", "1500")
    assert rc == 0, err
    k = subprocess.run([KAFKA_TOOL, "kafka-console-consumer", "--bootstrap-server", bs, "--topic", "same",
                        "--from-beginning", "--max-messages", str(len(values) + 1)],
                       capture_output=True, text=True, timeout=120)
    assert k.returncode == 0 and ours == k.stdout, (ours, k.stdout, k.stderr[-2000:])


def test_consume_timeout_counts_from_the_assignment(broker_factory):
    """The first join of a group waits group.initial.rebalance.delay.ms
    (3 s here); a 2 s --timeout-ms must not run out during it."""
    broker = broker_factory(props={"group.initial.rebalance.delay.ms": "3000"})
    bs = broker.bootstrap
    create_topic(bs, "late", 2)
    p = Producer({"bootstrap.servers": bs})
    for i in range(6):
        p.produce("late", value=b"r%d" % i, partition=i % 2)
    assert p.flush(10) == 0
    rc, out, err, took = sluice("consume", "late", "-g", "app", "-t", "2000", "-b", bs)
    assert rc == 0, err
    assert sorted(out.split()) == ["r%d" % i for i in range(6)], out
    assert took >= 3 + 2 - 0.5, took
    assert committed(bs, "app", "late", 2) == {0: 3, 1: 3}


# ---------------------------------------------------------------- help

def test_help_is_consistent_and_has_examples():
    meaning = {}
    for cmd in ("topic", "group", "produce", "consume", "bench"):
        rc, out, _, _ = sluice(cmd, "--help")
        examples = out.split("\nExamples:\n")
        assert rc == 0 and len(examples) == 2 and "sluice " + cmd in examples[1], cmd
        for letter, long_name in re.findall(r"^\s+-(\w), --([\w-]+)", out, re.M):
            meaning.setdefault(letter, set()).add(long_name)
    assert {k: v for k, v in meaning.items() if len(v) > 1} == {}
    assert meaning["b"] == {"bootstrap-server"} and meaning["t"] == {"timeout-ms"}
    assert meaning["c"] == {"count"} and meaning["p"] == {"partition"}

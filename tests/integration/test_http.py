"""The HTTP side: /metrics parsed with Prometheus' own text parser
(python3-prometheus-client), the health probes during recovery and after,
the HTTP listener's start-up errors, and the JSON admin API."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from prometheus_client.parser import text_string_to_metric_families

import kwire
from conftest import SANITIZED, SLUICE_BIN, free_port
from kwire import i8, i16, i32, string, compact_string, uvarint

SLOW = 3 if SANITIZED else 1


# ---------------------------------------------------------------- helpers

def http(b, path, method="GET", body=None, headers=None, timeout=10):
    """Returns (status, headers, body bytes); never raises on an HTTP error."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(b.http_url + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def api(b, path, method="GET", body=None, expect=200):
    headers = {"Content-Type": "application/json"} if method != "GET" else {}
    status, _, data = http(b, path, method, body, headers)
    assert status == expect, "%s %s -> %d %s" % (method, path, status, data[:500])
    return json.loads(data) if data else None


def scrape(b):
    """{(name, frozenset(labels)): value} from a real Prometheus parser."""
    status, headers, body = http(b, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    out = {}
    for fam in text_string_to_metric_families(body.decode()):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def metric(m, name, **labels):
    return m.get((name, frozenset((k, str(v)) for k, v in labels.items())))


def create_topic(b, name, partitions):
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)], operation_timeout=10)[name].result(timeout=15)


def produce(b, topic, n, partition=None, prefix="m"):
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 2})
    for i in range(n):
        if partition is None:
            p.produce(topic, key=b"k%d" % i, value=b"%s-%d" % (prefix.encode(), i))
        else:
            p.produce(topic, key=b"k%d" % i, value=b"%s-%d" % (prefix.encode(), i), partition=partition)
    assert p.flush(30) == 0


def consume_and_commit(b, topic, group, n, timeout=30):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "session.timeout.ms": 6000})
    c.subscribe([topic])
    got = 0
    deadline = time.monotonic() + timeout * SLOW
    while got < n and time.monotonic() < deadline:
        msg = c.poll(0.5)
        if msg is None or msg.error():
            continue
        got += 1
    assert got == n, "consumed %d of %d" % (got, n)
    c.commit(asynchronous=False)
    c.close()


# ---------------------------------------------------------------- metrics

def test_metrics_parse_and_move_with_traffic(broker):
    # The harness's start-up probe connects and closes at once; the broker
    # may see that close only after the first scrape, so wait for it.
    deadline = time.monotonic() + 5
    m0 = scrape(broker)
    while metric(m0, "sluice_connections") != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        m0 = scrape(broker)
    assert metric(m0, "kafka_brokers") == 1
    assert metric(m0, "sluice_connections") == 0
    create_topic(broker, "metered", 3)
    produce(broker, "metered", 300)
    m1 = scrape(broker)
    assert metric(m1, "kafka_topic_partitions", topic="metered") == 3
    ends = [metric(m1, "kafka_topic_partition_current_offset", topic="metered", partition=p) for p in range(3)]
    assert sum(ends) == 300
    assert all(metric(m1, "kafka_topic_partition_oldest_offset", topic="metered", partition=p) == 0 for p in range(3))
    assert all(metric(m1, "sluice_topic_partition_segments", topic="metered", partition=p) == 1 for p in range(3))
    assert sum(metric(m1, "sluice_topic_partition_size_bytes", topic="metered", partition=p) for p in range(3)) > 300
    assert metric(m1, "sluice_produced_records_total") == 300
    assert metric(m1, "sluice_requests_total", api="Produce") >= 1
    assert metric(m1, "sluice_request_duration_seconds_count", api="Produce") >= 1
    assert metric(m1, "sluice_request_duration_seconds_bucket", api="Produce", le="+Inf") == \
        metric(m1, "sluice_request_duration_seconds_count", api="Produce")
    assert metric(m1, "sluice_network_bytes_in_total") > metric(m0, "sluice_network_bytes_in_total")
    assert metric(m1, "sluice_fsync_total") >= 1
    assert metric(m1, "sluice_fsync_duration_seconds_count") == metric(m1, "sluice_fsync_total")
    assert metric(m1, "sluice_disk_used_bytes") > 0 and metric(m1, "sluice_disk_free_bytes") > 0
    assert metric(m1, "process_resident_memory_bytes") > 1 << 20

    consume_and_commit(broker, "metered", "readers", 300)
    m2 = scrape(broker)
    assert metric(m2, "sluice_fetched_records_total") >= 300
    assert metric(m2, "sluice_fetched_bytes_total") >= metric(m1, "sluice_produced_bytes_total")
    assert metric(m2, "sluice_network_bytes_out_total") > metric(m1, "sluice_network_bytes_out_total")
    assert metric(m2, "kafka_consumergroup_lag_sum", consumergroup="readers", topic="metered") == 0
    assert sum(metric(m2, "kafka_consumergroup_current_offset", consumergroup="readers", topic="metered",
                      partition=p) for p in range(3)) == 300
    assert metric(m2, "kafka_consumergroup_members", consumergroup="readers") == 0
    assert metric(m2, "sluice_consumergroup_state", consumergroup="readers", state="Empty") == 1
    # A response carrying an error code is counted per API: creating a
    # topic that exists answers TOPIC_ALREADY_EXISTS.
    before = metric(m2, "sluice_request_errors_total", api="CreateTopics")
    with pytest.raises(Exception):
        create_topic(broker, "metered", 3)
    m3 = scrape(broker)
    assert metric(m3, "sluice_request_errors_total", api="CreateTopics") == before + 1
    assert metric(m3, "sluice_requests_total", api="CreateTopics") == 2


def test_every_api_counts_its_errors(broker):
    """Each API that can answer an error code counts the responses that
    carry one, wherever in the response the code sits (whole response,
    per topic, per partition, per group or per member). Raw requests, so
    that each API is called exactly once with an error and once without."""
    create_topic(broker, "exists", 1)
    c = kwire.Conn(broker.bootstrap)
    # A group with committed offsets and no members, for DeleteGroups/LeaveGroup.
    assert kwire.offset_commit_v2(c, "idle", "exists", {0: 0}) == {0: 0}

    def describe_configs(name):        # v0: [type, name, null keys]
        r = kwire.call(c, 32, 0, i32(1) + i8(2) + string(name) + i32(-1))
        r.i32()
        assert r.i32() == 1
        return r.i16()

    def alter_configs(name):           # v0: [type, name, [(name, value)]], validate_only
        r = kwire.call(c, 33, 0, i32(1) + i8(2) + string(name) + i32(1) + string("retention.ms") +
                       string("60000") + i8(1))
        r.i32()
        assert r.i32() == 1
        return r.i16()

    def create_partitions(name, count):  # v0: [name, count, null assignments], timeout, validate_only
        r = kwire.call(c, 37, 0, i32(1) + string(name) + i32(count) + i32(-1) + i32(5000) + i8(1))
        r.i32()
        assert r.i32() == 1
        r.string()
        return r.i16()

    def describe_cluster(endpoint_type):  # v1 (flexible)
        r = kwire.call(c, 60, 1, i8(0) + i8(endpoint_type) + uvarint(0), flexible=True)
        r.i32()
        return r.i16()

    def leave_group(group, member):    # v3: per-member errors, the top-level one stays 0
        r = kwire.call(c, 13, 3, string(group) + i32(1) + string(member) + string(None))
        r.i32()
        top = r.i16()
        members = r.array(lambda: (r.string(), r.string(), r.i16()))
        return top, [m[2] for m in members]

    def fetch_session(session_id):     # v7 with no topics: only the session is checked
        r = kwire.call(c, 1, 7, i32(-1) + i32(0) + i32(1) + i32(1 << 20) + i8(0) + i32(session_id) + i32(-1) +
                       i32(0) + i32(0))
        r.i32()
        return r.i16()

    def api_versions(software):        # v3: a request header v2, a response header v0
        corr = c.request(18, 3, compact_string(software) + compact_string("1.0") + uvarint(0), flexible=True)
        got, body = c.response(flexible=False)
        assert got == corr
        return kwire.Reader(body).i16()

    # api -> (a call answered with an error, the error code, a call answered without one)
    calls = {
        "Metadata": (lambda: kwire.metadata_v4(c, ["missing"], False)["missing"][0], 3,
                     lambda: kwire.metadata_v4(c, ["exists"], False)["exists"][0]),
        "DescribeConfigs": (lambda: describe_configs("missing"), 3, lambda: describe_configs("exists")),
        "AlterConfigs": (lambda: alter_configs("missing"), 3, lambda: alter_configs("exists")),
        "IncrementalAlterConfigs": (
            lambda: kwire.incremental_alter_configs_v0(c, 2, "exists", [("no.such.config", 0, "1")], True)[0], 40,
            lambda: kwire.incremental_alter_configs_v0(c, 2, "exists", [("retention.ms", 0, "1000")], True)[0]),
        "CreatePartitions": (lambda: create_partitions("missing", 2), 3, lambda: create_partitions("exists", 2)),
        "DeleteRecords": (lambda: kwire.delete_records(c, "missing", {0: 0})[0][0], 3,
                          lambda: kwire.delete_records(c, "exists", {0: 0})[0][0]),
        "DescribeCluster": (lambda: describe_cluster(2), 114, lambda: describe_cluster(1)),
        "DescribeGroups": (lambda: kwire.describe_groups_v5(c, [""])[""]["error"], 24,
                           lambda: kwire.describe_groups_v5(c, ["idle"])["idle"]["error"]),
        "OffsetFetch": (lambda: kwire.offset_fetch_v8(c, {"": None})[""][1], 24,
                        lambda: kwire.offset_fetch_v8(c, {"idle": None})["idle"][1]),
        "FindCoordinator": (lambda: kwire.find_coordinator_v2(c, "tx", key_type=1)[0], 53,
                            lambda: kwire.find_coordinator_v2(c, "idle")[0]),
        "LeaveGroup": (lambda: leave_group("idle", "nobody"), (0, [25]), None),
        "Fetch": (lambda: fetch_session(12345), 70, lambda: fetch_session(0)),
        "ApiVersions": (lambda: api_versions("bad name!"), 42, lambda: api_versions("kwire")),
        # Last: it deletes the group the calls above use.
        "DeleteGroups": (lambda: kwire.delete_groups(c, ["missing"])["missing"], 69,
                         lambda: kwire.delete_groups(c, ["idle"])["idle"]),
    }
    for api_name, (bad, code, good) in calls.items():
        m0 = scrape(broker)
        errors0 = metric(m0, "sluice_request_errors_total", api=api_name) or 0
        requests0 = metric(m0, "sluice_requests_total", api=api_name) or 0
        if good:
            assert good() == 0, api_name
        assert bad() == code, api_name
        m1 = scrape(broker)
        want = 2 if good else 1
        assert metric(m1, "sluice_requests_total", api=api_name) == requests0 + want, api_name
        assert metric(m1, "sluice_request_errors_total", api=api_name) == errors0 + 1, \
            "%s: an error answer was not counted" % api_name
    c.close()


def test_lag_grows_by_exactly_the_records_produced_since(broker):
    create_topic(broker, "lagged", 2)
    produce(broker, "lagged", 50)
    consume_and_commit(broker, "lagged", "slowpoke", 50)
    m = scrape(broker)
    assert metric(m, "kafka_consumergroup_lag_sum", consumergroup="slowpoke", topic="lagged") == 0
    # The group stops consuming; 37 more records go to partition 0, 21 to 1.
    produce(broker, "lagged", 37, partition=0)
    produce(broker, "lagged", 21, partition=1)
    m = scrape(broker)
    assert metric(m, "kafka_consumergroup_lag", consumergroup="slowpoke", topic="lagged", partition=0) == 37
    assert metric(m, "kafka_consumergroup_lag", consumergroup="slowpoke", topic="lagged", partition=1) == 21
    assert metric(m, "kafka_consumergroup_lag_sum", consumergroup="slowpoke", topic="lagged") == 58


def test_scrape_with_hundreds_of_partitions_is_fast(broker):
    create_topic(broker, "wide", 400)
    scrape(broker)
    t0 = time.monotonic()
    for _ in range(5):
        m = scrape(broker)
    per = (time.monotonic() - t0) / 5
    assert metric(m, "kafka_topic_partitions", topic="wide") == 400
    assert per < 0.25 * SLOW, "a scrape took %.1f ms" % (per * 1000)


# ---------------------------------------------------------------- health and start-up

def test_health_during_recovery_and_after(broker_factory):
    b = broker_factory(props={"sluice.test.startup.delay.ms": str(1500 * SLOW)}, start=False)
    t = threading.Thread(target=b.start)
    t.start()
    try:
        deadline = time.monotonic() + 10 * SLOW
        live = None
        while time.monotonic() < deadline:
            if b.http_port:
                try:
                    live = http(b, "/health/live", timeout=1)[0]
                    break
                except OSError:
                    pass
            time.sleep(0.02)
        assert live == 200
        assert http(b, "/health/ready")[0] == 503
        assert http(b, "/metrics")[0] == 503
    finally:
        t.join()
    assert http(b, "/health/live")[0] == 200
    assert http(b, "/health/ready")[0] == 200
    assert http(b, "/metrics")[0] == 200


def test_http_port_in_use_is_a_clear_startup_error(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    with socket.socket() as k:
        k.bind(("127.0.0.1", 0))
        kport = k.getsockname()[1]
    try:
        p = subprocess.run([SLUICE_BIN, "serve", "--listeners=PLAINTEXT://127.0.0.1:%d" % kport,
                            "--http.listeners=http://127.0.0.1:%d" % port, "--log.dirs=%s" % (tmp_path / "d")],
                           capture_output=True, text=True, timeout=20)
    finally:
        s.close()
    out = p.stdout + p.stderr
    assert p.returncode > 0, out
    assert "http.listeners" in out and str(port) in out and "in use" in out, out
    assert not re.search(r"Sanitizer|runtime error", out), out


def test_http_listener_can_be_turned_off(broker_factory):
    b = broker_factory(props={"http.listeners": ""})
    produce(b, "quiet", 1)
    assert "sub=http" not in b.read_log()


def test_bad_http_listeners_value_is_refused(tmp_path):
    p = subprocess.run([SLUICE_BIN, "serve", "--http.listeners=ftp://x:1", "--log.dirs=%s" % (tmp_path / "d")],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "http.listeners" in p.stdout + p.stderr


# ---------------------------------------------------------------- the JSON admin API

def test_api_topics_messages_and_groups(broker):
    t = api(broker, "/api/topics", "POST", {"name": "browse", "partitions": 2,
                                            "configs": {"retention.ms": "3600000"}}, expect=201)
    assert t["name"] == "browse" and t["partitions"] == 2
    api(broker, "/api/topics", "POST", {"name": "browse", "partitions": 1}, expect=409)
    api(broker, "/api/topics", "POST", {"name": "bad/name"}, expect=400)
    detail = api(broker, "/api/topics/browse")
    assert [p["partition"] for p in detail["partition_list"]] == [0, 1]
    cfg = {c["name"]: c for c in detail["configs"]}
    assert cfg["retention.ms"]["value"] == "3600000" and not cfg["retention.ms"]["is_default"]
    assert cfg["segment.bytes"]["is_default"]

    # Real clients produce (compressed, with headers); the API decodes.
    p = Producer({"bootstrap.servers": broker.bootstrap, "compression.type": "zstd", "linger.ms": 5})
    p.produce("browse", key=b"j", value=b'{"order": 7, "items": [1, 2]}', partition=0, headers=[("src", b"test")])
    p.produce("browse", key=b"t", value=b"plain text", partition=0)
    p.produce("browse", key=None, value=bytes([0, 1, 2, 255]), partition=0)
    assert p.flush(15) == 0
    made = api(broker, "/api/topics/browse/messages", "POST",
               {"partition": 1, "key": "cli", "value": {"hello": "console"}, "headers": {"from": "api"}}, expect=201)
    assert made["partition"] == 1 and made["offset"] == 0
    # Answered once fsynced, so already below the high watermark: visible.
    assert api(broker, "/api/topics/browse/messages?partition=1&offset=0")["messages"]

    got = api(broker, "/api/topics/browse/messages?partition=0&offset=0")
    msgs = got["messages"]
    assert [m["offset"] for m in msgs] == [0, 1, 2]
    assert msgs[0]["value_format"] == "json" and msgs[0]["value"] == {"order": 7, "items": [1, 2]}
    assert msgs[0]["headers"] == [{"key": "src", "key_format": "text", "value": "test", "value_format": "text"}]
    assert msgs[1]["value_format"] == "text" and msgs[1]["value"] == "plain text"
    assert msgs[2]["value_format"] == "hex" and msgs[2]["value"] == "000102ff" and msgs[2]["key"] is None
    assert got["high_watermark"] == 3
    # From an offset, with a filter, by timestamp.
    assert [m["offset"] for m in api(broker, "/api/topics/browse/messages?partition=0&offset=1")["messages"]] == [1, 2]
    assert [m["offset"] for m in api(broker, "/api/topics/browse/messages?partition=0&offset=0&q=plain")["messages"]] == [1]
    ts = msgs[1]["timestamp"]
    by_ts = api(broker, "/api/topics/browse/messages?partition=0&timestamp=%d" % ts)["messages"]
    assert by_ts and by_ts[0]["timestamp"] >= ts
    one = api(broker, "/api/topics/browse/messages?partition=1&offset=0")["messages"]
    assert one[0]["value"] == {"hello": "console"} and one[0]["key"] == "cli"

    # The test message is a real record: a Kafka client reads it.
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "g-api", "auto.offset.reset": "earliest"})
    c.assign([TopicPartition("browse", 1, 0)])
    m = None
    deadline = time.monotonic() + 15 * SLOW
    while m is None and time.monotonic() < deadline:
        m = c.poll(0.5)
    assert m is not None and not m.error() and m.value() == b'{"hello":"console"}'
    assert m.headers() == [("from", b"api")]
    c.commit(message=m, asynchronous=False)
    c.close()
    groups = api(broker, "/api/groups")
    g = [x for x in groups if x["group_id"] == "g-api"][0]
    assert g["lag"] == 0
    api(broker, "/api/topics/browse/messages", "POST", {"partition": 1, "value": "more"}, expect=201)
    # Answered once fsynced (as acks=all): the high watermark, and the lag, have moved.
    g = api(broker, "/api/groups/g-api")
    assert g["lag"] == 1 and g["offsets"] == [{"topic": "browse", "partition": 1, "offset": 1,
                                               "high_watermark": 2, "lag": 1}]

    cluster = api(broker, "/api/cluster")
    assert cluster["topics"] == 1 and cluster["partitions"] == 2 and cluster["records_in"] == 5

    api(broker, "/api/topics/browse", "DELETE", expect=200)
    api(broker, "/api/topics/browse", expect=404)


def test_api_answers_json_for_names_that_are_not_utf8(broker):
    """Group ids and paths are any bytes: the answer escapes them, rather
    than coming back empty or leaving the group out (fuzz_http found the
    empty 404 body)."""
    create_topic(broker, "bytes", 1)
    c = kwire.Conn(broker.bootstrap)
    assert kwire.offset_commit_v2(c, b"g-\xff", "bytes", {0: 0}) == {0: 0}
    groups = api(broker, "/api/groups")
    assert "g-\\xff" in [g["group_id"] for g in groups]
    status, _, body = http(broker, "/api/topics/%C8%3E")
    assert status == 404 and json.loads(body) == {"error": "no topic \\xc8>"}


def test_api_test_message_is_answered_once_durable(broker_factory):
    """POST .../messages answers only after the record is fsynced, as
    Produce acks=all does. The flusher is slowed down (each round of
    fsyncs waits DELAY first): the answer must take that long, the fsync
    counter must have moved by then, and a simulated crash right after
    the answer (every write not covered by an fsync is thrown away) must
    keep the record."""
    delay = 0.8
    props = {"sluice.test.crash.simulation": "true", "sluice.test.fsync.delay.ms": str(int(delay * 1000))}
    b = broker_factory(props=props)
    api(b, "/api/topics", "POST", {"name": "durable", "partitions": 2}, expect=201)
    fsyncs = metric(scrape(b), "sluice_fsync_total")
    t0 = time.monotonic()
    made = api(b, "/api/topics/durable/messages", "POST", {"partition": 1, "key": "k", "value": "kept"}, expect=201)
    took = time.monotonic() - t0
    assert made == {"topic": "durable", "partition": 1, "offset": 0}
    assert took >= delay * 0.9, "answered after %.3f s, before the fsync (%.1f s later)" % (took, delay)
    assert metric(scrape(b), "sluice_fsync_total") > fsyncs
    # Crash (SIGUSR2: unsynced writes dropped, exit 137) and start again.
    os.kill(b.proc.pid, signal.SIGUSR2)
    b.proc.wait(timeout=30)
    assert b.stop() == 137
    b.start()
    got = api(b, "/api/topics/durable/messages?partition=1&offset=0")
    assert got["high_watermark"] == 1
    assert [(m["offset"], m["key"], m["value"]) for m in got["messages"]] == [(0, "k", "kept")]


def test_api_test_message_waiting_for_its_fsync_at_shutdown(broker_factory):
    """A clean shutdown while a test message waits for its fsync: the
    flusher's last round makes it durable, the answer still goes out
    before the HTTP server closes, and no thread is left waiting."""
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "1500"})
    api(b, "/api/topics", "POST", {"name": "late", "partitions": 1}, expect=201)
    result = {}

    def post():
        result["status"] = http(b, "/api/topics/late/messages", "POST", {"value": "v"},
                                headers={"Content-Type": "application/json"}, timeout=30)[0]

    t = threading.Thread(target=post)
    t.start()
    time.sleep(0.3)                    # the message is written and waits for the flusher
    assert b.stop(timeout=30) == 0
    t.join(timeout=30)
    assert not t.is_alive()
    assert result.get("status") == 201, result
    b.start()
    got = api(b, "/api/topics/late/messages?partition=0&offset=0")
    assert [m["value"] for m in got["messages"]] == ["v"]


def test_api_test_message_whose_topic_is_deleted_before_its_fsync(broker_factory):
    """The topic goes while a test message waits for its fsync: the wait
    ends with 404 (not 201: the record was never durable), and the broker
    goes on (the flusher lets go of the deleted partition)."""
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "1000"})
    api(b, "/api/topics", "POST", {"name": "doomed", "partitions": 1}, expect=201)
    result = {}

    def post():
        result["status"], _, result["body"] = http(b, "/api/topics/doomed/messages", "POST", {"value": "v"},
                                                   headers={"Content-Type": "application/json"}, timeout=30)

    t = threading.Thread(target=post)
    t.start()
    time.sleep(0.3)
    api(b, "/api/topics/doomed", "DELETE", expect=200)
    t.join(timeout=30)
    assert result.get("status") == 404 and b"deleted" in result["body"], result
    api(b, "/api/topics", "POST", {"name": "doomed", "partitions": 1}, expect=201)
    made = api(b, "/api/topics/doomed/messages", "POST", {"value": "again"}, expect=201)
    assert made["offset"] == 0


def test_answers_that_wait_do_not_hold_the_http_threads(broker_factory):
    """More test messages wait for a slow fsync (3 s) than libmicrohttpd
    has threads (2): their connections are suspended, not their threads,
    so the liveness probe and /metrics still answer at once, and every
    message is answered 201 once synced."""
    delay = 3.0
    b = broker_factory(props={"sluice.test.fsync.delay.ms": str(int(delay * 1000))})
    api(b, "/api/topics", "POST", {"name": "slowdisk", "partitions": 1}, expect=201)
    posts = {}

    def post(i):
        t = time.monotonic()
        status = http(b, "/api/topics/slowdisk/messages", "POST", {"value": "v%d" % i},
                      headers={"Content-Type": "application/json"}, timeout=60)[0]
        posts[i] = (status, time.monotonic() - t, time.monotonic())

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)                    # written, each waits for the flusher's round
    for path in ("/health/live", "/metrics"):
        t = time.monotonic()
        status = http(b, path, timeout=30)[0]
        took = time.monotonic() - t
        assert status == 200 and took < 1.0 * SLOW, "%s -> %d after %.2f s" % (path, status, took)
    probed = time.monotonic()
    for t in threads:
        t.join(timeout=60)
    assert sorted(posts) == [0, 1, 2, 3]
    assert [p[0] for p in posts.values()] == [201] * 4, posts
    assert all(p[1] >= delay * 0.9 for p in posts.values()), posts
    assert all(p[2] > probed for p in posts.values()), "the probes answered after a message: %s" % posts
    got = api(b, "/api/topics/slowdisk/messages?partition=0&offset=0")
    assert sorted(m["value"] for m in got["messages"]) == ["v0", "v1", "v2", "v3"]


def test_every_request_waiting_at_shutdown_gets_an_answer(broker_factory):
    """SIGTERM while test messages wait for a slow fsync (1.5 s): the
    flusher's last round answers them 201, a /metrics request that comes
    meanwhile (the loop is busy shutting down) is answered 503, and the
    HTTP server stops with no connection left suspended (exit 0)."""
    b = broker_factory(props={"sluice.test.fsync.delay.ms": "1500"})
    api(b, "/api/topics", "POST", {"name": "closing", "partitions": 1}, expect=201)
    posts = {}

    def post(i):
        posts[i] = http(b, "/api/topics/closing/messages", "POST", {"value": "v%d" % i},
                        headers={"Content-Type": "application/json"}, timeout=60)[0]

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)                    # written, each waits for the flusher's round
    b.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)                    # the loop waits for the flusher's last round
    status, _, body = http(b, "/metrics", timeout=60)
    for t in threads:
        t.join(timeout=60)
    assert b.stop(timeout=60) == 0
    assert status == 503 and b"shutting down" in body, (status, body)
    assert posts == {i: 201 for i in range(4)}, posts


def test_api_changes_need_json_and_same_origin(broker):
    """No other page a user opens may change anything: a form post (not
    JSON) or a foreign Origin is refused with 403."""
    api(broker, "/api/topics", "POST", {"name": "guarded"}, expect=201)
    host = "127.0.0.1:%d" % broker.http_port
    cases = [
        ({"Content-Type": "application/x-www-form-urlencoded"}, 403),
        ({"Content-Type": "text/plain"}, 403),
        ({"Content-Type": "application/json", "Origin": "http://evil.example"}, 403),
        ({"Content-Type": "application/json", "Origin": "http://127.0.0.1:1"}, 403),
        ({"Content-Type": "application/json", "Host": "evil.example:%d" % broker.http_port}, 403),
    ]
    for headers, want in cases:
        status, _, body = http(broker, "/api/topics/guarded", "DELETE", headers=headers)
        assert status == want, (headers, status, body)
        status, _, body = http(broker, "/api/topics", "POST", {"name": "evil"}, headers=headers)
        assert status == want, (headers, status, body)
    assert [t["name"] for t in api(broker, "/api/topics")] == ["guarded"]
    status, _, _ = http(broker, "/api/topics/guarded", "DELETE",
                        headers={"Content-Type": "application/json", "Origin": "http://" + host})
    assert status == 200


def raw_http(b, request):
    """Sends request bytes as they are (HTTP/1.0, any Host or none); returns the status."""
    with socket.create_connection(("127.0.0.1", b.http_port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


def test_api_reads_need_the_host_of_this_listener(broker):
    """DNS rebinding: a page on evil.example rebinds its name to 127.0.0.1
    and reads the API from its own origin; the browser then sends
    Host: evil.example:PORT. Every /api/ call needs a Host naming this
    listener; /metrics and the health probes answer any Host."""
    create_topic(broker, "secret", 1)
    port = broker.http_port
    for path in ["/api/topics", "/api/topics/secret", "/api/topics/secret/messages?partition=0",
                 "/api/cluster", "/api/groups", "/api/history"]:
        status, _, body = http(broker, path, headers={"Host": "evil.example:%d" % port})
        assert status == 403, (path, status, body)
        assert b"secret" not in body
    for host in ["127.0.0.1:%d" % port, "localhost:%d" % port, "LOCALHOST:%d" % port, "[::1]:%d" % port]:
        status, _, body = http(broker, "/api/topics", headers={"Host": host})
        assert status == 200 and b"secret" in body, (host, status)
    for host in ["127.0.0.1", "127.0.0.1:%d" % (port + 1 if port < 65535 else 1), "localhost:x", "evil.example",
                 "127.0.0.1.evil.example:%d" % port, ":%d" % port]:
        status, _, _ = http(broker, "/api/topics", headers={"Host": host})
        assert status == 403, (host, status)
    # HTTP/1.0 without any Host.
    assert raw_http(broker, b"GET /api/topics HTTP/1.0\r\n\r\n") == 403
    assert raw_http(broker, b"GET /api/topics HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n" % port) == 200
    # Scrapers and probes name the host they were pointed at.
    for path in ["/metrics", "/health/live", "/health/ready"]:
        status, _, _ = http(broker, path, headers={"Host": "sluice-0.sluice.svc.cluster.local:%d" % port})
        assert status == 200, path
    assert raw_http(broker, b"GET /metrics HTTP/1.0\r\n\r\n") == 200
    # A change with a rebound Host is refused even with a JSON body.
    status, _, _ = http(broker, "/api/topics/secret", "DELETE",
                        headers={"Content-Type": "application/json", "Host": "evil.example:%d" % port})
    assert status == 403
    assert [t["name"] for t in api(broker, "/api/topics")] == ["secret"]


def test_console_assets_are_served(broker):
    status, headers, body = http(broker, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<script" in body and b"http://" not in body.replace(b"http://www.w3.org", b"")
    for m in re.findall(rb'(?:src|href)="([^"]+)"', body):
        if m.startswith(b"data:"):
            continue
        assert not m.startswith(b"http"), "the console must not fetch from the internet: %r" % m
        s, _, _ = http(broker, "/" + m.decode().lstrip("/"))
        assert s == 200, m


# ---------------------------------------------------------------- logs

def test_slow_request_log_is_structured_and_info_is_quiet(broker_factory):
    # At info level, traffic writes no per-request line.
    quiet = broker_factory(name="quiet")
    before = len(quiet.read_log().splitlines())
    create_topic(quiet, "hush", 1)
    produce(quiet, "hush", 200)
    consume_and_commit(quiet, "hush", "hushers", 200)
    lines = quiet.read_log().splitlines()[before:]
    assert all("sub=topic" in l or "sub=group" in l for l in lines), lines
    # sluice.slow.request.ms=0 logs every request as slow: one JSON object
    # per line with the fields that matter.
    loud = broker_factory(name="loud", props={"sluice.slow.request.ms": "0", "log.format": "json"})
    p = Producer({"bootstrap.servers": loud.bootstrap, "client.id": "slow-client"})
    p.produce("noisy", value=b"x")
    assert p.flush(15) == 0
    # The line is written after the answer is sent: wait for it.
    deadline = time.monotonic() + 15
    while True:
        events = [json.loads(l) for l in loud.read_log().splitlines() if l.startswith("{")]
        slow = [e for e in events if e.get("msg") == "slow request" and e.get("api") == "Produce"]
        if slow or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert slow, events[-5:]
    e = slow[0]
    assert e["level"] == "warn" and e["sub"] == "net" and e["client_id"] == "slow-client" and "time" in e
    assert "ms" in e and "error" in e
    m = scrape(loud)
    assert metric(m, "sluice_slow_requests_total") >= 1


def wildcard_broker(broker_factory, **props):
    """A broker whose HTTP listener binds every interface."""
    port = free_port()
    b = broker_factory(props=dict(props, **{"http.listeners": "http://0.0.0.0:%d" % port}), start=False)
    b.http_port = port
    return b.start()


def warnings_naming(b, text):
    return [line for line in b.read_log().splitlines() if "level=warn" in line and text in line]


def test_api_changes_on_a_wildcard_listener(broker_factory):
    """Bound to every interface with http.admin.enabled=true: an IP address
    of the right port may change things, a name (DNS rebinding) may not;
    the broker warns once that changes are open."""
    b = wildcard_broker(broker_factory, **{"http.admin.enabled": "true"})
    port = b.http_port
    assert len(warnings_naming(b, "http.admin.enabled=true")) == 1, b.read_log()
    json_headers = {"Content-Type": "application/json"}
    status, _, _ = http(b, "/api/topics", "POST", {"name": "w1"},
                        headers=dict(json_headers, Origin="http://rebound.example:%d" % port))
    assert status == 403
    status, _, _ = http(b, "/api/topics", "POST", {"name": "w1"},
                        headers=dict(json_headers, Origin="http://127.0.0.2:%d" % port))
    assert status == 201
    status, _, _ = http(b, "/api/topics", "POST", {"name": "w2"},
                        headers=dict(json_headers, Origin="http://127.0.0.2:%d" % (port + 1 if port < 65535 else 1)))
    assert status == 403
    # Reads too: an address of this machine may, a name other than localhost may not.
    assert http(b, "/api/topics", headers={"Host": "127.0.0.2:%d" % port})[0] == 200
    assert http(b, "/api/topics", headers={"Host": "rebound.example:%d" % port})[0] == 403


def test_api_history_keeps_the_last_minutes(broker):
    create_topic(broker, "hist", 1)
    produce(broker, "hist", 20)
    consume_and_commit(broker, "hist", "hist-readers", 20)
    produce(broker, "hist", 15)
    deadline = time.monotonic() + 15 * SLOW
    h = []
    while time.monotonic() < deadline:
        h = api(broker, "/api/history")
        if len(h) >= 2 and h[-1]["lag"].get("hist-readers") == 15:
            break
        time.sleep(0.5)
    assert len(h) >= 2, h
    assert h[-1]["records_in"] == 35 and h[-1]["lag"]["hist-readers"] == 15
    assert all(a["t"] < b["t"] and a["records_in"] <= b["records_in"] for a, b in zip(h, h[1:]))


JSON = {"Content-Type": "application/json"}


def test_api_changes_refused_beyond_loopback_by_default(broker_factory):
    """Bound beyond loopback with http.admin.enabled at its default (auto):
    every changing call is 403 naming the property, nothing changes, reads
    stay open, the broker warns once at start."""
    b = wildcard_broker(broker_factory)
    create_topic(b, "kept", 1)
    produce(b, "kept", 3)
    refused = [("/api/topics", "POST", {"name": "made"}),
               ("/api/topics/kept", "DELETE", None),
               ("/api/topics/kept/messages", "POST", {"partition": 0, "value": "x"})]
    for path, method, body in refused:
        status, _, data = http(b, path, method, body, headers=JSON)
        assert status == 403, (path, method, status, data)
        assert "http.admin.enabled=true" in json.loads(data)["error"], data
    topics = [t["name"] for t in api(b, "/api/topics")]
    assert "kept" in topics and "made" not in topics
    assert api(b, "/api/topics/kept")["partition_list"][0]["high_watermark"] == 3
    assert http(b, "/metrics")[0] == 200
    assert http(b, "/health/ready")[0] == 200 and http(b, "/health/live")[0] == 200
    assert len(api(b, "/api/topics/kept/messages?partition=0&offset=0")["messages"]) == 3
    admin = api(b, "/api/cluster")["admin"]
    assert admin["enabled"] is False and "http.admin.enabled=true" in admin["reason"]
    warned = warnings_naming(b, "http.admin.enabled=true")
    assert len(warned) == 1 and "0.0.0.0:%d" % b.http_port in warned[0], b.read_log()


def test_api_changes_on_loopback_by_default_and_switchable(broker_factory):
    """On loopback the default allows changes (no warning); false turns
    them off there too; a value other than true, false or auto stops the start."""
    b = broker_factory(name="open")
    assert api(b, "/api/cluster")["admin"] == {"enabled": True, "reason": None}
    api(b, "/api/topics", "POST", {"name": "made"}, expect=201)
    assert not warnings_naming(b, "http.admin.enabled"), b.read_log()
    closed = broker_factory(name="closed", props={"http.admin.enabled": "false"})
    status, _, data = http(closed, "/api/topics", "POST", {"name": "made"}, headers=JSON)
    assert status == 403 and "http.admin.enabled" in json.loads(data)["error"], data
    assert api(closed, "/api/cluster")["admin"]["enabled"] is False
    p = subprocess.run([SLUICE_BIN, "serve", "--http.admin.enabled=yes", "--log.dirs=%s" % (b.data_dir + "-bad")],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "http.admin.enabled" in p.stdout + p.stderr and "auto" in p.stdout + p.stderr


# ---------------------------------------------------------------- slow clients

def hold_half_requests(port, n, sources):
    """n connections, from the given loopback addresses in turn, each
    having sent half a request; returns the sockets (the caller closes)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1024), hard))
    held = []
    for i in range(n):
        s = socket.socket()
        s.bind((sources[i % len(sources)], 0))
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        held.append(s)
    time.sleep(0.5)   # connected, or refused at the listener's limits (that is the point)
    for s in held:
        try:
            s.send(b"GET /api/topics HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % port)
        except OSError:
            pass
    return held


def health_latencies_ms(b, n=20):
    """Each on a fresh connection from 127.0.0.1, as a probe makes it."""
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        status, _, _ = http(b, "/health/ready", timeout=5)
        out.append((time.monotonic() - t0) * 1000)
        assert status == 200
    return out


def still_open(sock):
    """The server has neither closed it nor answered."""
    sock.setblocking(False)
    try:
        sock.recv(1)   # EOF or an answer
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False


@pytest.mark.parametrize("sources", [["127.0.0.2"], ["127.0.0.%d" % i for i in range(2, 12)]],
                         ids=["one-address", "ten-addresses"])
def test_health_answers_while_slow_clients_hold_connections(broker, sources):
    """1,000 connections that send half a request and wait: the listener
    limits them per address and times them out, and /health/ready still
    answers a probe from another address within 100 ms."""
    held = hold_half_requests(broker.http_port, 1000, sources)
    try:
        accepted = sum(still_open(s) for s in held)
        lat = health_latencies_ms(broker)
        print("\n%s: %d of 1000 half-sent requests held open; /health/ready max %.1f ms, median %.1f ms"
              % ("+".join(sources[:1] + (["..."] if len(sources) > 1 else [])), accepted, max(lat),
                 sorted(lat)[len(lat) // 2]))
        assert max(lat) < 100 * SLOW, lat
        assert 0 < accepted <= 64 * len(sources), accepted   # 64 connections per client address
        # The API still answers a client of another address.
        assert http(broker, "/api/topics")[0] == 200
        # A request gets a few seconds to arrive whole, then its connection is closed.
        time.sleep(7 * SLOW)
        left = sum(still_open(s) for s in held)
        assert left == 0, "%d half-sent requests still open after 7 s" % left
    finally:
        for s in held:
            s.close()


def test_a_request_that_trickles_in_is_cut_off_and_keep_alive_is_not(broker):
    """A client that sends a header line every second never looks idle,
    but its request must arrive whole within 10 s of its connection's
    start; a keep-alive connection making whole requests stays open."""
    import http.client
    trickle = socket.create_connection(("127.0.0.1", broker.http_port))
    trickle.sendall(b"GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    t0 = time.monotonic()
    keep = http.client.HTTPConnection("127.0.0.1", broker.http_port, timeout=5)
    closed_after, keep_sock = None, None
    for _ in range(15):
        time.sleep(1)
        keep.request("GET", "/health/ready")
        assert keep.getresponse().read() == b'{"status":"ready"}'
        keep_sock = keep_sock or keep.sock
        if not still_open(trickle):
            closed_after = time.monotonic() - t0
            break
        trickle.setblocking(True)
        try:
            trickle.sendall(b"X-Slow: 1\r\n")
        except OSError:
            closed_after = time.monotonic() - t0
            break
    print("\ntrickling request cut off after %.1f s" % closed_after if closed_after else "\nnot cut off")
    assert closed_after is not None and 9.5 <= closed_after <= 12.5, closed_after
    # The keep-alive connection made 10+ whole requests over more than 10 s on one socket.
    keep.request("GET", "/health/live")
    assert keep.getresponse().status == 200 and keep.sock is keep_sock
    keep.close()
    trickle.close()


# ---------------------------------------------------------------- searching messages

def search(b, topic, **args):
    query = "&".join("%s=%s" % kv for kv in args.items())
    r = api(b, "/api/topics/%s/messages?partition=0&%s" % (topic, query))
    s = r["searched"]
    offsets = [m["offset"] for m in r["messages"]]
    assert offsets == sorted(offsets) and all(s["from"] <= o < s["to"] for o in offsets), (s, offsets)
    assert s["records"] == s["to"] - s["from"], s   # offsets are dense: every one was looked at
    return r, offsets


def test_api_search_is_bounded_and_says_what_it_searched(broker):
    """The Contains search scans the partition on the broker, newest first,
    within a budget of records and bytes, and says which offsets it
    searched so the caller can search further back (or on)."""
    create_topic(broker, "hay", 1)
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 5})
    values = [(b"needle-%d" % i) if i % 1000 == 7 else b"straw-%d" % i for i in range(5000)]
    for v in values:
        p.produce("hay", value=v, partition=0)
    assert p.flush(30) == 0
    # The whole partition by default: every needle, not only the newest 50 records'.
    r, offsets = search(broker, "hay", q="needle")
    assert offsets == [7, 1007, 2007, 3007, 4007]
    assert r["searched"]["from"] == 0 and r["searched"]["to"] == 5000 and r["earlier"] is None
    assert r["searched"]["bytes"] == sum(map(len, values))   # the keys, values and headers looked at
    # A budget of records: the newest 1,500, then further back from where it stopped.
    seen, before, steps = [], 5000, []
    while before is not None:
        r, offsets = search(broker, "hay", q="needle", max_records=1500, before=before)
        assert r["searched"]["to"] == before and r["searched"]["records"] <= 1500
        steps.append((r["searched"]["from"], r["searched"]["to"]))
        seen = offsets + seen
        before = r["earlier"]
    assert steps == [(3500, 5000), (2000, 3500), (500, 2000), (0, 500)]
    assert seen == [7, 1007, 2007, 3007, 4007]
    # A limit of matches: the newest two, the search stops at the older of them.
    r, offsets = search(broker, "hay", q="needle", limit=2)
    assert offsets == [3007, 4007] and r["searched"]["from"] == 3007 and r["earlier"] == 3007
    assert r["searched"]["bytes"] == sum(map(len, values[3007:]))
    r, offsets = search(broker, "hay", q="needle", limit=2, before=3007)
    assert offsets == [1007, 2007] and r["searched"] == dict(r["searched"], **{"from": 1007, "to": 3007})
    # A budget of bytes: one step back, then it stops.
    r, offsets = search(broker, "hay", q="needle", max_bytes=1)
    assert 0 < r["searched"]["records"] <= 256 and r["searched"]["to"] == 5000 and r["earlier"] is not None
    # Forward from an offset: the first matches, and where to go on.
    r, offsets = search(broker, "hay", q="needle", offset=0, limit=2)
    assert offsets == [7, 1007] and r["searched"]["from"] == 0 and r["next_offset"] == 1008 == r["searched"]["to"]
    r, offsets = search(broker, "hay", q="needle", offset=1008, max_records=500)
    assert offsets == [] and r["searched"] == dict(r["searched"], **{"from": 1008, "to": 1508, "records": 500})
    # Browsing without a search: the newest page, then the one before it.
    r, offsets = search(broker, "hay")
    assert offsets == list(range(4950, 5000)) and r["earlier"] == 4950
    r, offsets = search(broker, "hay", before=4950, limit=10)
    assert offsets == list(range(4940, 4950))
    # Bounds the request cannot exceed, and bad input answered, not crashed on.
    r, offsets = search(broker, "hay", q="needle", max_records=10 ** 12, max_bytes=-5)
    assert r["searched"]["records"] >= 1
    assert http(broker, "/api/topics/hay/messages?partition=0&q=needle&before=-7")[0] == 200
    assert http(broker, "/api/topics/hay/messages?partition=0&offset=999999")[0] == 200

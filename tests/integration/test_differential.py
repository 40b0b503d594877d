"""Differential tests: the same requests, encoded from Kafka's message
definitions (kschema.py), go to the reference Apache Kafka 4.4 and to
Sluice at the lowest, a middle and the highest version both support, and
the responses are compared field by field.

Two kinds of difference are accepted:
- ALLOWED_FIELDS: values that differ between any two clusters (ids, ports,
  throttle times, wording of messages when the error code matches);
- KNOWN_DIFFERENCES: differences this suite found, each with what it is.
  An entry that no longer occurs fails its test too, so the list stays true.
Anything else fails with the path, Kafka's value and Sluice's value."""

import time

import pytest

import kschema
import kwire
from conftest import Broker

ALLOWED_FIELDS = {
    "ThrottleTimeMs": "throttle times",
    "ClusterId": "each cluster has its own id",
    "Port": "each broker listens on its own port",
    "TopicId": "topic ids are random per cluster",
    "ErrorMessage": "wording, where the error code matches",
    "LogAppendTimeMs": "a time",
    "ProducerId": "producer ids are allocated per cluster",
}

# (case, path) -> what the difference is. Paths name fields as Kafka's
# definitions do; list items are matched by name or index.
KNOWN_DIFFERENCES = {
    # Version ranges. Sluice's highest versions are those of the message
    # definitions it is generated from (older than Kafka 4.4's); clients
    # negotiate down. Its lowest are older than Kafka 4's, which dropped
    # versions (KIP-896) that Sluice still answers.
    ("api-ranges", "Produce"): "kafka 0-13, sluice 0-11",
    ("api-ranges", "Fetch"): "kafka 4-18, sluice 0-17",
    ("api-ranges", "ListOffsets"): "kafka 1-11, sluice 0-10",
    ("api-ranges", "Metadata"): "kafka 0-13, sluice 0-12",
    ("api-ranges", "OffsetCommit"): "kafka 2-10, sluice 0-9",
    ("api-ranges", "OffsetFetch"): "kafka 1-10, sluice 0-9",
    ("api-ranges", "DescribeGroups"): "kafka 0-6, sluice 0-5",
    ("api-ranges", "ApiVersions"): "kafka 0-5, sluice 0-4",
    ("api-ranges", "CreateTopics"): "kafka 2-7, sluice 0-7",
    ("api-ranges", "DeleteTopics"): "kafka 1-6, sluice 0-6",
    ("api-ranges", "DescribeConfigs"): "kafka 1-4, sluice 0-4",
    ("api-ranges", "DescribeLogDirs"): "kafka 1-5, sluice 0-4",
    ("api-ranges", "DeleteGroups"): "kafka 0-3, sluice 0-2",
    ("api-ranges", "DescribeCluster"): "kafka 0-2, sluice 0-1",
    # Sluice has no feature flags (KRaft's metadata.version and friends).
    ("api-versions", "SupportedFeatures"): "kafka lists its features, sluice none",
    ("api-versions", "FinalizedFeatures"): "kafka lists its finalized features, sluice none",
    ("api-versions", "FinalizedFeaturesEpoch"): "absent from Sluice's response (a tagged field)",
    # CreateTopics (validateOnly).
    ("create-compact", "Topics[c-compact].ErrorCode"): "Sluice refuses cleanup.policy=compact (INVALID_CONFIG) until "
                                                      "it compacts; Kafka accepts it",
    ("create-compact", "Topics[c-compact].NumPartitions"): "-1 with Sluice's error, as Kafka does on errors",
    ("create-compact", "Topics[c-compact].ReplicationFactor"): "-1 with Sluice's error",
    ("create-compact", "Topics[c-compact].Configs[*]"): "no configs with Sluice's error",
    ("create-valid", "Topics[c-valid].Configs[*]"): "v5+ lists the new topic's configs: Kafka 27 that Sluice does not "
                                                    "have (remote storage, compaction, flush, throttles, ...), Sluice "
                                                    "its own sluice.validate.compressed.batches",
    ("create-valid", "Topics[c-valid].Configs[min.insync.replicas].ConfigSource"):
        "Kafka 4 KRaft sets min.insync.replicas as a cluster default at format time (DYNAMIC_DEFAULT_BROKER_CONFIG, 3); "
        "Sluice reports DEFAULT_CONFIG (5)",
    # Produce v0: both advertise it; Kafka 4 closes the connection, Sluice
    # converts v0/v1 message sets as Kafka 3.x did (test_legacy_formats.py)
    # and finds this v2 batch no message set.
    ("produce-v0", "<closed>"): "Kafka closes the connection",
    ("produce-v0", "Responses"): "Sluice answers CORRUPT_MESSAGE (2): a v2 batch is no v0/v1 message set",
    # Groups (classic protocol) with members or groups that do not exist.
    # Admin.
}

# One record timestamp for both brokers, so both store identical batches; an
# hour old, well inside the default retention.
BASE_TS = (int(time.time()) - 3600) * 1000
VALUES = [b"one", b"two", b"three"]


# ---------------------------------------------------------------- fixtures

class Target:
    """One broker under comparison, with what requests need from it (topic ids)."""

    def __init__(self, name, bootstrap):
        self.name, self.bootstrap = name, bootstrap
        self.conn = None
        self.versions = {k["ApiKey"]: (k["MinVersion"], k["MaxVersion"])
                         for k in self.call("ApiVersions", 0, {})["ApiKeys"]}
        self.topic_ids = {}

    def call(self, api, version, request):
        """The decoded response, or {"<closed>": True} when the broker
        closes the connection instead of answering (a new one is opened
        for the next request)."""
        if self.conn is None:
            self.conn = kwire.Conn(self.bootstrap)
        try:
            return kschema.call(self.conn, api, version, request)
        except (ConnectionError, BrokenPipeError):
            self.close()
            return {"<closed>": True}

    def close(self):
        if self.conn:
            self.conn.close()
        self.conn = None

    def refresh_topic_ids(self, topics, wait_s=30):
        """The topics' ids from Metadata. Kafka creates topics
        asynchronously: until its metadata has caught up it may list a new
        topic with an error or the zero id, so ask again until every one
        has an id."""
        deadline = time.monotonic() + wait_s
        while True:
            md = self.call("Metadata", 12, {"Topics": [{"Name": t} for t in topics],
                                            "AllowAutoTopicCreation": False})
            self.topic_ids = {t["Name"]: t["TopicId"] for t in md["Topics"]}
            settled = all(t["ErrorCode"] == 0 and t["TopicId"] != ZERO_UUID for t in md["Topics"])
            if settled or time.monotonic() > deadline:
                return md
            time.sleep(0.2)


ZERO_UUID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def targets(kafka_reference, tmp_path_factory):
    sluice = Broker(tmp_path_factory.mktemp("differential") / "data").start()
    pair = [Target("kafka", kafka_reference.bootstrap), Target("sluice", sluice.bootstrap)]
    for t in pair:
        setup_topics(t)
    yield pair
    for t in pair:
        t.close()
    sluice.stop()
    sluice.check_log_clean()


def setup_topics(t):
    """The same topics and records on both brokers."""
    r = t.call("CreateTopics", 5, {"Topics": [
        {"Name": "diff-2p", "NumPartitions": 2, "ReplicationFactor": 1},
        {"Name": "diff-small", "NumPartitions": 1, "ReplicationFactor": 1,
         "Configs": [{"Name": "max.message.bytes", "Value": "1000"}]},
        {"Name": "diff-maxts", "NumPartitions": 1, "ReplicationFactor": 1}], "timeoutMs": 30000})
    assert [x["ErrorCode"] for x in r["Topics"]] == [0, 0, 0], r
    t.refresh_topic_ids(["diff-2p", "diff-small", "diff-maxts"])
    # Kafka creates topics asynchronously: until its broker has caught up,
    # Produce answers NOT_LEADER_OR_FOLLOWER.
    blob = kwire.batch([(None, v) for v in VALUES], base_ts=BASE_TS)
    deadline = time.monotonic() + 30
    while True:
        r = t.call("Produce", 9, produce_request("diff-2p", 0, blob))
        err = r["Responses"][0]["PartitionResponses"][0]["ErrorCode"]
        if err == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert err == 0, r


# ---------------------------------------------------------------- comparison

def keyed(items):
    """List items matched by their name or index where they have one."""
    for key in ("Name", "PartitionIndex", "Index", "ApiKey", "Topic"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return {i[key]: i for i in items}
    return dict(enumerate(items))


def differences(kafka, sluice, path="", ignore=()):
    """[(path, kafka's value, sluice's value)] outside ALLOWED_FIELDS and
    the field names in ignore."""
    if isinstance(kafka, dict) and isinstance(sluice, dict):
        out = []
        for k in sorted(set(kafka) | set(sluice), key=str):
            if k in ALLOWED_FIELDS or k in ignore:
                continue
            out += differences(kafka.get(k, "<absent>"), sluice.get(k, "<absent>"),
                               "%s.%s" % (path, k) if path else k, ignore)
        return out
    if isinstance(kafka, list) and isinstance(sluice, list):
        a, b = keyed(kafka), keyed(sluice)
        if len(a) != len(kafka) or len(b) != len(sluice):
            return [(path, kafka, sluice)] if kafka != sluice else []
        out = []
        if set(a) != set(b):   # one difference for the items only one side has
            out.append((path + "[*]", sorted(set(a) - set(b), key=str), sorted(set(b) - set(a), key=str)))
        return out + [d for k in a if k in b for d in differences(a[k], b[k], "%s[%s]" % (path, k), ignore)]
    return [] if kafka == sluice else [(path, kafka, sluice)]


def common_versions(targets, api):
    """Lowest, middle and highest version both brokers and the definitions support."""
    key = kschema.API_KEYS[api]
    los, his = zip(*(t.versions[key] for t in targets))
    lo, hi = max(los), min(min(his), kschema.Message(api, "request").hi)
    assert lo <= hi, "no common version of %s" % api
    return sorted({lo, (lo + hi) // 2, hi})


# A coordinator that is still loading (Kafka's transaction and group
# coordinators load their partitions on first use) answers these; clients
# retry them, so the comparison waits for the settled answer too.
LOADING = {14, 15}   # COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE


def settled_call(target, api, v, build, wait_s=30):
    deadline = time.monotonic() + wait_s
    while True:
        resp = target.call(api, v, build(target, v))
        if not (isinstance(resp, dict) and resp.get("ErrorCode") in LOADING) or time.monotonic() > deadline:
            return resp
        time.sleep(0.5)


def compare(targets, case, api, build, versions=None, ignore=()):
    """Sends build(target, version) to both at each version; asserts the
    responses match but for the allowed and the known differences."""
    unexplained, seen = [], set()
    for v in versions or common_versions(targets, api):
        kafka, sluice = (settled_call(t, api, v, build) for t in targets)
        for path, kv, sv in differences(kafka, sluice, ignore=ignore):
            if (case, path) in KNOWN_DIFFERENCES:
                seen.add(path)
            else:
                unexplained.append("%s v%d %s: kafka %r, sluice %r" % (api, v, path, kv, sv))
    stale = [p for (c, p) in KNOWN_DIFFERENCES if c == case and p not in seen]
    assert not unexplained, "%s: responses differ:\n  %s" % (case, "\n  ".join(unexplained))
    assert not stale, "%s: listed differences no longer occur (remove them): %s" % (case, stale)


# ---------------------------------------------------------------- requests

def produce_request(topic, partition, blob, acks=-1):
    return {"Acks": acks, "TimeoutMs": 5000,
            "TopicData": [{"Name": topic, "PartitionData": [{"Index": partition, "Records": blob}]}]}


def fetch_request(t, v, topic, partition, offset):
    name = {"TopicId": t.topic_ids.get(topic, "00000000-0000-0000-0000-000000000001")} if v >= 13 else {"Topic": topic}
    return {"MaxWaitMs": 0, "MinBytes": 0, "MaxBytes": 1 << 20, "SessionEpoch": -1,
            "Topics": [dict(name, Partitions=[{"Partition": partition, "FetchOffset": offset,
                                                "PartitionMaxBytes": 1 << 20}])]}


def list_offsets_request(topic, partition, timestamp):
    return {"ReplicaId": -1, "Topics": [{"Name": topic, "Partitions": [{"PartitionIndex": partition,
                                                                        "Timestamp": timestamp}]}]}


def create_topics_request(name, partitions=1, rf=1, configs=()):
    return {"Topics": [{"Name": name, "NumPartitions": partitions, "ReplicationFactor": rf,
                        "Configs": [{"Name": k, "Value": v} for k, v in configs]}],
            "timeoutMs": 10000, "validateOnly": True}


# ---------------------------------------------------------------- tests

def test_api_versions(targets):
    """The version ranges (ApiKeys) are compared API by API below."""
    def build(t, v):
        return {"ClientSoftwareName": "kschema", "ClientSoftwareVersion": "1"}
    compare(targets, "api-versions", "ApiVersions", build, ignore=("ApiKeys",))


def test_api_ranges_sluice_advertises_are_kafkas(targets):
    """Every API Sluice advertises, Kafka 4.4 supports at the same versions,
    but for the ranges listed in KNOWN_DIFFERENCES."""
    kafka, sluice = targets
    found = {}
    for key, (lo, hi) in sorted(sluice.versions.items()):
        theirs = kafka.versions.get(key)
        if theirs != (lo, hi):
            found[("api-ranges", kschema.API_NAMES.get(key, str(key)))] = (theirs, (lo, hi))
    known = {k for k in KNOWN_DIFFERENCES if k[0] == "api-ranges"}
    assert set(found) == known, "ranges that differ (kafka, sluice): %r" % found


@pytest.mark.parametrize("topics", [["diff-2p"], ["no-such-topic"], ["bad name!"]], ids=["known", "unknown", "invalid"])
def test_metadata(targets, topics):
    def build(t, v):
        req = {"Topics": [{"Name": n} for n in topics], "AllowAutoTopicCreation": False}
        return req
    # Versions below 4 would auto-create an unknown topic.
    versions = [v for v in common_versions(targets, "Metadata") if v >= 4] or [4]
    compare(targets, "metadata-" + topics[0], "Metadata", build, versions)


CREATE_ERRORS = {
    "empty-name": dict(name=""),
    "dot-name": dict(name="."),
    "slash-name": dict(name="a/b"),
    "long-name": dict(name="x" * 250),
    "existing": dict(name="diff-2p"),
    "zero-partitions": dict(name="c-zero", partitions=0),
    "too-many-partitions": dict(name="c-many", partitions=1_000_000),
    "replication-3": dict(name="c-rf3", rf=3),
    "invalid-config-value": dict(name="c-badval", configs=[("retention.ms", "abc")]),
    "unknown-config": dict(name="c-unknown", configs=[("no.such.config", "1")]),
    "compact": dict(name="c-compact", configs=[("cleanup.policy", "compact")]),
    "valid": dict(name="c-valid", partitions=3, configs=[("retention.ms", "3600000")]),
}


@pytest.mark.parametrize("case", sorted(CREATE_ERRORS))
def test_create_topics(targets, case):
    compare(targets, "create-" + case, "CreateTopics",
            lambda t, v: create_topics_request(**CREATE_ERRORS[case]))


def corrupt(blob):
    b = bytearray(blob)
    b[-1] ^= 0xFF   # last record byte: the CRC no longer matches
    return bytes(b)


PRODUCE_CASES = {
    "unknown-topic": ("no-such-topic", 0, kwire.batch([(None, b"x")], base_ts=BASE_TS)),
    "unknown-partition": ("diff-2p", 7, kwire.batch([(None, b"x")], base_ts=BASE_TS)),
    "too-large": ("diff-small", 0, kwire.batch([(None, b"x" * 2000)], base_ts=BASE_TS)),
    "corrupt-crc": ("diff-2p", 1, corrupt(kwire.batch([(None, b"x")], base_ts=BASE_TS))),
    "truncated": ("diff-2p", 1, kwire.batch([(None, b"x")], base_ts=BASE_TS)[:-3]),
    "truncated-header": ("diff-2p", 1, kwire.batch([(None, b"x")], base_ts=BASE_TS)[:40]),
    "tiny": ("diff-2p", 1, b"\x00" * 10),
}


@pytest.mark.parametrize("case", sorted(PRODUCE_CASES))
def test_produce_errors(targets, case):
    """From v3, the lowest Kafka 4 answers (v0 is compared below)."""
    topic, partition, blob = PRODUCE_CASES[case]
    versions = sorted({3} | {v for v in common_versions(targets, "Produce") if v >= 3})
    compare(targets, "produce-" + case, "Produce", lambda t, v: produce_request(topic, partition, blob), versions)


def test_produce_v0(targets):
    blob = kwire.batch([(None, b"x")], base_ts=BASE_TS)
    compare(targets, "produce-v0", "Produce", lambda t, v: produce_request("diff-2p", 1, blob), versions=[0])


FETCH_CASES = {
    "records": ("diff-2p", 0, 0),
    "middle": ("diff-2p", 0, 1),
    "at-end": ("diff-2p", 0, 3),
    "out-of-range": ("diff-2p", 0, 100),
    "unknown-partition": ("diff-2p", 7, 0),
    "unknown-topic": ("no-such-topic", 0, 0),
}


@pytest.mark.parametrize("case", sorted(FETCH_CASES))
def test_fetch(targets, case):
    topic, partition, offset = FETCH_CASES[case]
    compare(targets, "fetch-" + case, "Fetch", lambda t, v: fetch_request(t, v, topic, partition, offset))


LIST_OFFSETS_CASES = {
    "latest": ("diff-2p", 0, -1),
    "earliest": ("diff-2p", 0, -2),
    "max-timestamp": ("diff-2p", 0, -3),
    "by-time-before": ("diff-2p", 0, BASE_TS - 1),
    "by-time-after": ("diff-2p", 0, BASE_TS + 1),
    "empty-partition": ("diff-2p", 1, -1),
    "unknown-partition": ("diff-2p", 7, -1),
    "unknown-topic": ("no-such-topic", 0, -1),
}


@pytest.mark.parametrize("case", sorted(LIST_OFFSETS_CASES))
def test_list_offsets(targets, case):
    topic, partition, ts = LIST_OFFSETS_CASES[case]
    versions = common_versions(targets, "ListOffsets")
    if ts == -3:   # max timestamp exists from v7
        versions = [v for v in versions if v >= 7]
    compare(targets, "list-offsets-" + case, "ListOffsets", lambda t, v: list_offsets_request(topic, partition, ts),
            versions)


# A batch whose header says MaxTimestamp -1 while its records carry
# timestamps 0, 10 and 20 ms after the base (sarama 1.22 writes such batches).
NO_MAX_TS_BATCH = kwire.batch([(None, b"a"), (None, b"b"), (None, b"c")], base_ts=BASE_TS, max_ts=-1,
                              raw_records=b"".join(kwire.record(i, None, v, ts_delta=10 * i)
                                                   for i, v in enumerate([b"a", b"b", b"c"])))


def test_batch_without_max_timestamp(targets):
    """Kafka computes the batch's max timestamp from its records on append;
    ListOffsets by time and Fetch show whether the stored batch has it."""
    compare(targets, "no-max-ts-produce", "Produce",
            lambda t, v: produce_request("diff-maxts", 0, NO_MAX_TS_BATCH), versions=[9])
    for label, ts in (("inside", BASE_TS + 15), ("max", -3)):
        compare(targets, "no-max-ts-list-offsets-" + label, "ListOffsets",
                lambda t, v: list_offsets_request("diff-maxts", 0, ts), versions=[7])
    compare(targets, "no-max-ts-fetch", "Fetch", lambda t, v: fetch_request(t, v, "diff-maxts", 0, 0), versions=[11])


# ---------------------------------------------------------------- groups

def wait_for_coordinator(t):
    """Kafka creates __consumer_offsets on the first FindCoordinator and
    loads it before group requests are answered; Sluice answers at once."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fc = t.call("FindCoordinator", 3, {"Key": "diff-probe", "KeyType": 0})
        of = t.call("OffsetFetch", 7, {"GroupId": "diff-probe", "Topics": None})
        if fc["ErrorCode"] == 0 and of["ErrorCode"] == 0:
            return
        time.sleep(0.2)
    raise AssertionError("no group coordinator at %s" % t.bootstrap)


@pytest.fixture(scope="module")
def group_targets(targets):
    for t in targets:
        wait_for_coordinator(t)
    return targets


GROUP_CASES = {
    "join-unknown-member": ("JoinGroup", lambda t, v: {
        "GroupId": "diff-g1", "SessionTimeoutMs": 10000, "RebalanceTimeoutMs": 10000, "MemberId": "ghost",
        "ProtocolType": "consumer", "Protocols": [{"Name": "range", "Metadata": b""}]}),
    "heartbeat-unknown-group": ("Heartbeat", lambda t, v: {"GroupId": "diff-g2", "GenerationId": 1,
                                                           "MemberId": "ghost"}),
    "sync-unknown-member": ("SyncGroup", lambda t, v: {"GroupId": "diff-g3", "GenerationId": 1, "MemberId": "ghost",
                                                       "ProtocolType": "consumer", "ProtocolName": "range",
                                                       "Assignments": []}),
    "leave-unknown-member": ("LeaveGroup", lambda t, v: {"GroupId": "diff-g4", "MemberId": "ghost",
                                                         "Members": [{"MemberId": "ghost"}]}),
    "commit-stale-generation": ("OffsetCommit", lambda t, v: {
        "GroupId": "diff-g5", "GenerationIdOrMemberEpoch": 7, "MemberId": "ghost",
        "Topics": [{"Name": "diff-2p", "Partitions": [{"PartitionIndex": 0, "CommittedOffset": 1}]}]}),
    "find-coordinator": ("FindCoordinator", lambda t, v: {"Key": "diff-g6", "KeyType": 0,
                                                          "CoordinatorKeys": ["diff-g6"]}),
    "fetch-offsets-unknown-group": ("OffsetFetch", lambda t, v: {
        "GroupId": "diff-g7", "Topics": [{"Name": "diff-2p", "PartitionIndexes": [0]}],
        "Groups": [{"GroupId": "diff-g7", "Topics": [{"Name": "diff-2p", "PartitionIndexes": [0]}]}]}),
    "describe-unknown-group": ("DescribeGroups", lambda t, v: {"Groups": ["diff-g8"]}),
    "delete-unknown-group": ("DeleteGroups", lambda t, v: {"GroupsNames": ["diff-g9"]}),
    "offset-delete-unknown-group": ("OffsetDelete", lambda t, v: {
        "GroupId": "diff-g10", "Topics": [{"Name": "diff-2p", "Partitions": [{"PartitionIndex": 0}]}]}),
    "list-groups": ("ListGroups", lambda t, v: {"StatesFilter": [], "TypesFilter": []}),
}


@pytest.mark.parametrize("case", sorted(GROUP_CASES))
def test_group_errors(group_targets, case):
    api, build = GROUP_CASES[case]
    compare(group_targets, "group-" + case, api, build)


# ---------------------------------------------------------------- idempotent producers

def idempotence_steps(t):
    """One producer's life on target t, each step's response in order:
    a first batch, its duplicate, a gap in sequence, a new epoch, then the
    old epoch again. Run at one Produce version (idempotence needs v3+)."""
    deadline = time.monotonic() + 30
    while True:   # Kafka's coordinator may still be loading (COORDINATOR_LOAD_IN_PROGRESS)
        init = t.call("InitProducerId", 2, {"TransactionalId": None, "TransactionTimeoutMs": 60000})
        if init["ErrorCode"] != 14 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert init["ErrorCode"] == 0, init
    pid, epoch = init["ProducerId"], init["ProducerEpoch"]
    steps = [("first", epoch, 0), ("duplicate", epoch, 0), ("out-of-order", epoch, 5), ("next", epoch, 1),
             ("new-epoch", epoch + 1, 0), ("stale-epoch", epoch, 2)]
    out = {"InitProducerId": {k: v for k, v in init.items() if k != "ProducerId"}}
    for label, e, seq in steps:
        blob = kwire.batch([(None, b"idem-%s" % label.encode())], base_ts=BASE_TS, producer_id=pid,
                           producer_epoch=e, base_sequence=seq)
        out[label] = t.call("Produce", 9, produce_request("diff-idem", 0, blob))
    return out


def test_idempotent_producer_sequences_and_epochs(targets):
    for t in targets:
        r = t.call("CreateTopics", 5, {"Topics": [{"Name": "diff-idem", "NumPartitions": 1, "ReplicationFactor": 1}],
                                       "timeoutMs": 30000})
        assert r["Topics"][0]["ErrorCode"] == 0, r
    deadline = time.monotonic() + 30
    while True:   # Kafka's new topic may not have its leader yet
        probe = targets[0].call("ListOffsets", 7, list_offsets_request("diff-idem", 0, -1))
        if probe["Topics"][0]["Partitions"][0]["ErrorCode"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    kafka, sluice = (idempotence_steps(t) for t in targets)
    found = differences(kafka, sluice)
    known = {p for (c, p) in KNOWN_DIFFERENCES if c == "idempotence"}
    unexplained = [d for d in found if d[0] not in known]
    assert not unexplained, "idempotent producer responses differ:\n  %s" % "\n  ".join(map(repr, unexplained))
    assert {d[0] for d in found} == known, "listed differences no longer occur: %s" % (known - {d[0] for d in found})


# ---------------------------------------------------------------- admin errors

ADMIN_CASES = {
    "describe-configs-unknown-topic": ("DescribeConfigs", lambda t, v: {
        "Resources": [{"ResourceType": 2, "ResourceName": "no-such-topic", "ConfigurationKeys": None}]}),
    "describe-configs-other-broker": ("DescribeConfigs", lambda t, v: {
        "Resources": [{"ResourceType": 4, "ResourceName": "2", "ConfigurationKeys": None}]}),
    "alter-configs-unknown-name": ("IncrementalAlterConfigs", lambda t, v: {
        "Resources": [{"ResourceType": 2, "ResourceName": "diff-2p",
                       "Configs": [{"Name": "no.such.config", "ConfigOperation": 0, "Value": "1"}]}],
        "ValidateOnly": True}),
    "alter-configs-invalid-value": ("IncrementalAlterConfigs", lambda t, v: {
        "Resources": [{"ResourceType": 2, "ResourceName": "diff-2p",
                       "Configs": [{"Name": "retention.ms", "ConfigOperation": 0, "Value": "soon"}]}],
        "ValidateOnly": True}),
    "alter-configs-unknown-topic": ("IncrementalAlterConfigs", lambda t, v: {
        "Resources": [{"ResourceType": 2, "ResourceName": "no-such-topic",
                       "Configs": [{"Name": "retention.ms", "ConfigOperation": 0, "Value": "1000"}]}],
        "ValidateOnly": True}),
    "delete-unknown-topic": ("DeleteTopics", lambda t, v: {
        "Topics": [{"Name": "no-such-topic"}], "TopicNames": ["no-such-topic"], "TimeoutMs": 10000}),
    "create-partitions-fewer": ("CreatePartitions", lambda t, v: {
        "Topics": [{"Name": "diff-2p", "Count": 1, "Assignments": None}], "TimeoutMs": 10000, "ValidateOnly": True}),
    "create-partitions-unknown-topic": ("CreatePartitions", lambda t, v: {
        "Topics": [{"Name": "no-such-topic", "Count": 3, "Assignments": None}], "TimeoutMs": 10000,
        "ValidateOnly": True}),
    "delete-records-beyond-end": ("DeleteRecords", lambda t, v: {
        "Topics": [{"Name": "diff-2p", "Partitions": [{"PartitionIndex": 0, "Offset": 100}]}], "TimeoutMs": 10000}),
    "delete-records-unknown-partition": ("DeleteRecords", lambda t, v: {
        "Topics": [{"Name": "diff-2p", "Partitions": [{"PartitionIndex": 7, "Offset": 0}]}], "TimeoutMs": 10000}),
    "alter-configs-invalid-value": ("AlterConfigs", lambda t, v: {
        "Resources": [{"ResourceType": 2, "ResourceName": "diff-2p",
                       "Configs": [{"Name": "retention.ms", "Value": "soon"}]}], "ValidateOnly": True}),
    "describe-cluster": ("DescribeCluster", lambda t, v: {"EndpointType": 1}),
    "init-producer-id": ("InitProducerId", lambda t, v: {"TransactionalId": None, "TransactionTimeoutMs": 60000,
                                                         "ProducerId": -1, "ProducerEpoch": -1}),
    "describe-log-dirs": ("DescribeLogDirs", lambda t, v: {"Topics": [{"Topic": "diff-2p", "Partitions": [0, 1]}]}),
    # What kafka-topics --describe asks first; names in any order, paged.
    "describe-topic-partitions": ("DescribeTopicPartitions", lambda t, v: {
        "Topics": [{"Name": "no-such-topic"}, {"Name": "diff-2p"}], "ResponsePartitionLimit": 2000, "Cursor": None}),
    "describe-topic-partitions-page": ("DescribeTopicPartitions", lambda t, v: {
        "Topics": [{"Name": "diff-2p"}, {"Name": "diff-small"}], "ResponsePartitionLimit": 1, "Cursor": None}),
    "describe-topic-partitions-cursor": ("DescribeTopicPartitions", lambda t, v: {
        "Topics": [{"Name": "diff-2p"}, {"Name": "diff-small"}], "ResponsePartitionLimit": 1,
        "Cursor": {"TopicName": "diff-2p", "PartitionIndex": 1}}),
}

# Fields of one case that differ by nature (where each broker keeps its data).
ADMIN_IGNORED = {"describe-log-dirs": ("LogDir", "TotalBytes", "UsableBytes")}


@pytest.mark.parametrize("case", sorted(ADMIN_CASES))
def test_admin_errors(targets, case):
    api, build = ADMIN_CASES[case]
    ignored = ADMIN_IGNORED.get(case, ())
    compare(targets, "admin-" + case, api, build, ignore=ignored)


# ---------------------------------------------------------------- the comparison itself

def test_differences_finds_what_differs():
    kafka = {"ThrottleTimeMs": 5, "Topics": [{"Name": "a", "ErrorCode": 0, "Partitions": [{"PartitionIndex": 0,
                                                                                          "Offset": 3}]},
                                             {"Name": "b", "ErrorCode": 0, "Partitions": []}]}
    sluice = {"ThrottleTimeMs": 0, "Topics": [{"Name": "a", "ErrorCode": 3, "Partitions": [{"PartitionIndex": 0,
                                                                                           "Offset": 4}]},
                                              {"Name": "c", "ErrorCode": 0, "Partitions": []}]}
    assert differences(kafka, sluice) == [("Topics[*]", ["b"], ["c"]), ("Topics[a].ErrorCode", 0, 3),
                                          ("Topics[a].Partitions[0].Offset", 3, 4)]
    assert differences(kafka, sluice, ignore=("ErrorCode", "Offset")) == [("Topics[*]", ["b"], ["c"])]


def test_kschema_round_trips_a_flexible_request_with_tagged_fields():
    fetch = kschema.Message("Fetch", "request")
    req = {"ClusterId": None, "ReplicaState": {"ReplicaId": 3, "ReplicaEpoch": 9}, "MaxWaitMs": 500, "MinBytes": 1,
           "MaxBytes": 1000, "IsolationLevel": 1, "SessionId": 0, "SessionEpoch": -1,
           "Topics": [{"TopicId": "00000000-0000-0000-0000-00000000000a",
                       "Partitions": [{"Partition": 2, "CurrentLeaderEpoch": -1, "FetchOffset": 7,
                                       "LastFetchedEpoch": -1, "LogStartOffset": -1, "PartitionMaxBytes": 100}]}],
           "ForgottenTopicsData": [], "RackId": "r1"}
    assert fetch.decode(fetch.encode(req, 17), 17) == req


def test_every_api_sluice_advertises_is_compared(targets):
    compared = {"ApiVersions", "Metadata", "CreateTopics", "Produce", "Fetch", "ListOffsets"}
    compared |= {api for api, _build in list(GROUP_CASES.values()) + list(ADMIN_CASES.values())}
    advertised = {kschema.API_NAMES[k] for k in targets[1].versions}
    assert advertised - compared == set()

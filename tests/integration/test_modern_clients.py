"""Today's Kafka clients, pinned (tests/clients/README.md), each run through
the same scenarios against Sluice and against the reference Apache Kafka 4.4
in the same test: keyed records with headers in every codec the client
supports, a 3-member group walk, and its admin API. Each driver prints a JSON
summary of what it observed; both summaries must equal what was sent (or
done), hence each other. Drivers and their pins are built by
tests/clients/build (fetched by scripts/install-deps test)."""
import json
import os
import subprocess
import time
import warnings

import pytest
from confluent_kafka.admin import AdminClient, NewTopic

import kwire
from kafka_reference import ROOT

CLIENTS_DIR = os.path.join(ROOT, "tests", "clients")
BUILD = os.path.join(ROOT, "build", "clients")
RECORDS_PER_CODEC = 5
GROUP_RECORDS = [("g-%d-%02d" % (phase, i)) for phase in range(3) for i in range(10)]

# client -> (command line before BOOTSTRAP SCENARIO PREFIX, the codecs it supports)
ALL_CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
CLIENTS = {
    "aiokafka": ([os.path.join(BUILD, "venv", "bin", "python"),
                  os.path.join(CLIENTS_DIR, "python", "aiokafka_driver.py")], ALL_CODECS),
    "confluent-kafka": ([os.path.join(BUILD, "venv", "bin", "python"),
                         os.path.join(CLIENTS_DIR, "python", "confluent_driver.py")], ALL_CODECS),
    "franz-go": ([os.path.join(BUILD, "go-driver"), "franz-go"], ALL_CODECS),
    "sarama": ([os.path.join(BUILD, "go-driver"), "sarama"], ALL_CODECS),
    "java": ([os.path.join(CLIENTS_DIR, "java", "run")], ALL_CODECS),
    "kafkajs": (["node", os.path.join(CLIENTS_DIR, "kafkajs", "driver.js")], ["none", "gzip"]),
    "kafka-go": ([os.path.join(BUILD, "go-driver"), "kafka-go"], ALL_CODECS),
    "kafka-python": ([os.path.join(BUILD, "venv", "bin", "python"),
                      os.path.join(CLIENTS_DIR, "python", "kafka_python_driver.py")], ALL_CODECS),
}


@pytest.fixture(scope="module")
def drivers():
    """Builds every driver once (offline: install-deps fetched the pins)."""
    r = subprocess.run([os.path.join(CLIENTS_DIR, "build")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, "tests/clients/build failed:\n" + r.stdout[-2000:] + r.stderr[-3000:]


def create_topics(bootstrap, prefix, codecs):
    """The topics a scenario reads and writes; the admin scenario makes its own."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = [NewTopic("%s-codec-%s" % (prefix, c), 1, 1) for c in codecs] + [NewTopic(prefix + "-group", 3, 1)]
    for f in admin.create_topics(topics).values():
        f.result(timeout=30)


def run_driver(client, scenario, bootstrap, prefix):
    command, codecs = CLIENTS[client]
    create_topics(bootstrap, prefix, codecs)
    started = time.monotonic()
    r = subprocess.run(command + [bootstrap, scenario, prefix], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, "%s %s against %s failed (%d) after %.1fs:\n%s\n%s" % (
        client, scenario, bootstrap, r.returncode, time.monotonic() - started, r.stdout[-2000:], r.stderr[-4000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def stored_codecs(bootstrap, prefix, codecs):
    """The codecs of the batches the broker stored for each codec's topic (the
    attributes' low bits, read with a raw Fetch v4), so a client that quietly
    sent something else is caught."""
    names = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
    conn = kwire.Conn(bootstrap)
    try:
        out = {}
        for codec in codecs:
            kwire.fetch_v4_request(conn, "%s-codec-%s" % (prefix, codec), 0, 0, 100, 1)
            [(_t, _p, err, _hw, records)] = kwire.parse_fetch_v4_response(conn.response()[1])
            assert err == 0, "Fetch of %s: error %d" % (codec, err)
            out[codec] = sorted({names[attrs & 7] for _b, attrs, _c, _l in kwire.parse_batches(records)})
        return out
    finally:
        conn.close()


def run_on_reference(client, scenario, bootstrap, prefix):
    """The oracle's run, tried twice: once in CI kafka-python's group walk
    waited 60 s for the reference Kafka's group to settle (not reproduced
    in 8 loaded runs). A client's trouble with the reference is not what
    this test checks, so a second attempt on fresh topics is allowed there;
    Sluice gets one attempt. Returns (summary, prefix used)."""
    try:
        return run_driver(client, scenario, bootstrap, prefix), prefix
    except AssertionError as first:
        warnings.warn("reference Kafka run retried after: %s" % str(first)[:3000])
        return run_driver(client, scenario, bootstrap, prefix + "-again"), prefix + "-again"


def expected(client, scenario, prefix):
    codecs = CLIENTS[client][1]
    if scenario == "codecs":
        return {"codecs": {c: [{"key": "key-%d" % i, "value": "value-%d-%s" % (i, c),
                                "headers": [["index", str(i)], ["codec", c], ["dup", "a"], ["dup", "b"]]}
                               for i in range(RECORDS_PER_CODEC)] for c in codecs},
                "stored": {c: [c] for c in codecs}}
    if scenario == "group":
        # Two members share 3 partitions, then three, then two after the first leaves;
        # every record is counted once, after its commit succeeded.
        return {"group": {"assignment_sizes": [[1, 2], [1, 1, 1], [1, 2]], "consumed": GROUP_RECORDS}}
    return {"admin": {"topic": prefix + "-admin", "partitions": 2, "retention.ms": "3600000", "deleted": True}}


@pytest.mark.parametrize("scenario", ["codecs", "group", "admin"])
@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_client_against_sluice_and_kafka(client, scenario, drivers, broker, kafka_reference):
    prefix = "%s-%s" % (client, scenario)
    on_kafka, kafka_prefix = run_on_reference(client, scenario, kafka_reference.bootstrap, prefix)
    on_sluice = run_driver(client, scenario, broker.bootstrap, prefix)
    if scenario == "codecs":
        on_kafka["stored"] = stored_codecs(kafka_reference.bootstrap, kafka_prefix, CLIENTS[client][1])
        on_sluice["stored"] = stored_codecs(broker.bootstrap, prefix, CLIENTS[client][1])
    assert on_kafka == expected(client, scenario, kafka_prefix)
    assert on_sluice == expected(client, scenario, prefix)
    if scenario == "admin":   # the topic's name is the one difference a retry makes
        on_kafka["admin"]["topic"] = on_sluice["admin"]["topic"]
    assert on_sluice == on_kafka

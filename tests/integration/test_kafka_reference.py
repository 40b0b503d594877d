"""scripts/kafka-reference itself: a 3-node KRaft cluster on loopback (the
cluster tests use it to show that applications move from Sluice to Kafka by
changing bootstrap.servers alone), and a clean stop by pid."""
import json
import os
import time

from confluent_kafka.admin import AdminClient, NewTopic

from kafka_reference import ReferenceKafka


def test_three_node_cluster_starts_replicates_and_stops(tmp_path):
    ref = ReferenceKafka(tmp_path / "state.json", nodes=3).start()
    with open(ref.state_file) as f:
        state = json.load(f)
    try:
        assert len(ref.bootstrap.split(",")) == 3
        admin = AdminClient({"bootstrap.servers": ref.bootstrap})
        assert sorted(admin.list_topics(timeout=30).brokers) == [1, 2, 3]
        admin.create_topics([NewTopic("replicated", 2, 3)])["replicated"].result(timeout=60)
        # A new topic's replicas join the ISR as they catch up: wait for it
        # (seconds on a loaded 2-core machine).
        deadline = time.monotonic() + 60
        while True:
            md = admin.list_topics(topic="replicated", timeout=30).topics["replicated"]
            full = sorted(md.partitions) == [0, 1] and all(
                sorted(p.replicas) == [1, 2, 3] and sorted(p.isrs) == [1, 2, 3] for p in md.partitions.values())
            if full or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert sorted(md.partitions) == [0, 1]
        for p in md.partitions.values():
            assert sorted(p.replicas) == [1, 2, 3] and sorted(p.isrs) == [1, 2, 3]
    finally:
        ref.stop()
    for node in state["nodes"]:
        assert not os.path.exists("/proc/%d" % node["pid"]) or \
            open("/proc/%d/stat" % node["pid"]).read().rsplit(")", 1)[1].split()[0] == "Z"
    assert not os.path.exists(state["dir"]) and not os.path.exists(ref.state_file)

"""confluent-kafka 2.16 (PyPI, its bundled librdkafka) through the scenarios
in tests/clients/README.md. Usage: confluent_driver.py BOOTSTRAP SCENARIO PREFIX"""
import functools
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicCollection, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic)

import scenario

def produce(bootstrap, topic, records, codec="none", partition_of=lambda i: 0):
    p = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 5})
    errors = []
    for i, (key, value, headers) in enumerate(records):
        p.produce(topic, value=value, key=key, headers=headers, partition=partition_of(i),
                  on_delivery=lambda err, msg: err and errors.append(str(err)))
    assert p.flush(30) == 0 and not errors, errors


def codecs(bootstrap, prefix):
    def read_back(topic):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": prefix + "-reader", "enable.auto.commit": False})
        c.assign([TopicPartition(topic, 0, 0)])
        got = []
        scenario.wait_until(lambda: got.extend(m for m in [c.poll(0.2)] if m and not m.error()) or
                            len(got) >= scenario.RECORDS_PER_CODEC, topic)
        c.close()
        return [scenario.observed(m.key(), m.value(), m.headers()) for m in got]

    return scenario.codec_walk(prefix, functools.partial(produce, bootstrap), read_back)


def group(bootstrap, prefix):
    topic = prefix + "-group"

    def make_member(n, counted):
        def loop(member):
            c = Consumer({"bootstrap.servers": bootstrap, "group.id": prefix + "-g", "enable.auto.commit": False,
                          "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                          "heartbeat.interval.ms": 500, "client.id": "member-%d" % n})

            def on_assign(consumer, parts):
                member.assigned = {tp.partition for tp in parts}

            def on_revoke(consumer, parts):
                member.assigned = set()
            c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
            while not member.stopping.is_set():
                m = c.poll(0.1)
                if m is None or m.error():
                    continue
                try:
                    c.commit(message=m, asynchronous=False)
                    counted(m.value().decode())
                except KafkaException:
                    # Not committed: read it again if the partition is still ours.
                    try:
                        c.seek(TopicPartition(topic, m.partition(), m.offset()))
                    except KafkaException:
                        pass
            c.close()
        return scenario.MemberThread(loop)

    return scenario.GroupWalk(make_member, functools.partial(produce, bootstrap, topic)).run()


def admin(bootstrap, prefix):
    a = AdminClient({"bootstrap.servers": bootstrap})
    topic = prefix + "-admin"
    a.create_topics([NewTopic(topic, 2, 1)])[topic].result(timeout=30)
    described = scenario.retry(lambda: a.describe_topics(TopicCollection([topic]))[topic].result(timeout=30),
                               "the new topic's metadata")
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic, incremental_configs=[
        ConfigEntry("retention.ms", "3600000", incremental_operation=AlterConfigOpType.SET)])
    a.incremental_alter_configs([resource])[resource].result(timeout=30)
    retention = scenario.read_until(lambda: list(a.describe_configs([ConfigResource(
        ConfigResource.Type.TOPIC, topic)]).values())[0].result(timeout=30)["retention.ms"].value, "3600000")
    a.delete_topics([topic])[topic].result(timeout=30)
    scenario.wait_until(lambda: topic not in a.list_topics(timeout=10).topics, "the deleted topic to go")
    return {"admin": {"topic": described.name, "partitions": len(described.partitions),
                      "retention.ms": retention, "deleted": True}}


if __name__ == "__main__":
    bootstrap, name, prefix = sys.argv[1:4]
    scenario.emit({"codecs": codecs, "group": group, "admin": admin}[name](bootstrap, prefix))

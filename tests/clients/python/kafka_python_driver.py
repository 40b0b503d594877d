"""kafka-python 3.0 through the scenarios in tests/clients/README.md.
Usage: kafka_python_driver.py BOOTSTRAP SCENARIO PREFIX"""
import functools
import sys

from kafka import ConsumerRebalanceListener, KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

import scenario

def produce(bootstrap, topic, records, codec="none", partition_of=lambda i: 0):
    p = KafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec,
                      linger_ms=5)
    futures = [p.send(topic, value=value.encode(), key=key and key.encode(),
                      headers=[(k, v.encode()) for k, v in headers or []], partition=partition_of(i))
               for i, (key, value, headers) in enumerate(records)]
    for f in futures:
        f.get(timeout=30)
    p.close()


def codecs(bootstrap, prefix):
    def read_back(topic):
        c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        c.assign([TopicPartition(topic, 0)])
        c.seek_to_beginning()
        got = []
        scenario.wait_until(lambda: got.extend(r for rs in c.poll(200).values() for r in rs) or
                            len(got) >= scenario.RECORDS_PER_CODEC, topic)
        c.close()
        return [scenario.observed(r.key, r.value, r.headers) for r in got]

    return scenario.codec_walk(prefix, functools.partial(produce, bootstrap), read_back)


class Tracker(scenario.AssignmentTracker, ConsumerRebalanceListener):
    pass


def group(bootstrap, prefix):
    topic = prefix + "-group"

    def make_member(n, counted):
        def loop(member):
            c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=prefix + "-g", enable_auto_commit=False,
                              auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500,
                              client_id="member-%d" % n, max_poll_records=1)
            c.subscribe([topic], listener=Tracker(member))
            while not member.stopping.is_set():
                for tp, records in c.poll(100).items():
                    for r in records:
                        try:
                            c.commit({tp: OffsetAndMetadata(r.offset + 1, "", -1)})
                            counted(r.value.decode())
                        except KafkaError:
                            # Not committed: read it again if the partition is still ours.
                            if tp in c.assignment():
                                c.seek(tp, r.offset)
                            break
            c.close()
        return scenario.MemberThread(loop)

    return scenario.GroupWalk(make_member, functools.partial(produce, bootstrap, topic)).run()


def describe_one(a, topic):
    described = a.describe_topics([topic])[0]
    assert described["error_code"] == 0, described
    return described


def admin(bootstrap, prefix):
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    topic = prefix + "-admin"
    a.create_topics([NewTopic(topic, 2, 1)])
    described = scenario.retry(lambda: describe_one(a, topic), "the new topic's metadata")
    a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "3600000"})])
    # Only modified configs are listed: none until the change is applied.
    retention = scenario.read_until(lambda: a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
                                    ["topic"][topic].get("retention.ms", {}).get("value"), "3600000")
    a.delete_topics([topic])
    scenario.wait_until(lambda: topic not in a.list_topics(), "the deleted topic to go")
    a.close()
    return {"admin": {"topic": described["name"], "partitions": len(described["partitions"]),
                      "retention.ms": retention,
                      "deleted": True}}


if __name__ == "__main__":
    bootstrap, name, prefix = sys.argv[1:4]
    scenario.emit({"codecs": codecs, "group": group, "admin": admin}[name](bootstrap, prefix))

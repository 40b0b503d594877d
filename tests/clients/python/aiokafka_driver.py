"""aiokafka 0.14 through the scenarios in tests/clients/README.md; each group
member runs its own event loop on its own thread so scenario.GroupWalk drives
it like the threaded clients. Usage: aiokafka_driver.py BOOTSTRAP SCENARIO PREFIX"""
import asyncio
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

import scenario

async def produce(bootstrap, topic, records, codec="none", partition_of=lambda i: 0):
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, compression_type=None if codec == "none" else codec,
                         linger_ms=5)
    await p.start()
    try:
        futures = [await p.send(topic, value=value.encode(), key=key and key.encode(),
                                headers=[(k, v.encode()) for k, v in headers or []], partition=partition_of(i))
                   for i, (key, value, headers) in enumerate(records)]
        await asyncio.gather(*futures)
    finally:
        await p.stop()


async def codecs(bootstrap, prefix):
    out = {}
    for codec in scenario.CODECS:
        topic = "%s-codec-%s" % (prefix, codec)
        await produce(bootstrap, topic, [scenario.codec_record(codec, i)
                                         for i in range(scenario.RECORDS_PER_CODEC)], codec)
        c = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await c.start()
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        await c.seek_to_beginning(tp)
        got = []
        while len(got) < scenario.RECORDS_PER_CODEC:
            for records in (await c.getmany(timeout_ms=scenario.DEADLINE_SECONDS * 1000)).values():
                got.extend(records)
        await c.stop()
        out[codec] = [scenario.observed(r.key, r.value, r.headers) for r in got]
    return {"codecs": out}


class Tracker(scenario.AssignmentTracker, ConsumerRebalanceListener):
    pass


async def member_loop(bootstrap, prefix, n, counted, member):
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=prefix + "-g", enable_auto_commit=False,
                         auto_offset_reset="earliest", session_timeout_ms=6000, heartbeat_interval_ms=500,
                         client_id="member-%d" % n, max_poll_records=1)
    c.subscribe([prefix + "-group"], listener=Tracker(member))
    await c.start()
    while not member.stopping.is_set():
        for tp, records in (await c.getmany(timeout_ms=100)).items():
            for r in records:
                try:
                    await c.commit({tp: r.offset + 1})
                    counted(r.value.decode())
                except KafkaError:
                    # Not committed: read it again if the partition is still ours.
                    if tp in c.assignment():
                        c.seek(tp, r.offset)
                    break
    await c.stop()


def group(bootstrap, prefix):
    def make_member(n, counted):
        return scenario.MemberThread(lambda member: asyncio.run(member_loop(bootstrap, prefix, n, counted, member)))

    return scenario.GroupWalk(make_member, lambda records, partition_of: asyncio.run(produce(
        bootstrap, prefix + "-group", records, partition_of=partition_of))).run()


def no_errors(response, what):
    obj = response.to_object()
    codes = [v for k, v in _walk(obj) if k == "error_code" and v]
    assert not codes, "%s: %r" % (what, obj)
    return obj


def _walk(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


async def admin(bootstrap, prefix):
    a = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await a.start()
    topic = prefix + "-admin"
    no_errors(await a.create_topics([NewTopic(topic, 2, 1)]), "create")
    for _attempt in range(scenario.DEADLINE_SECONDS * 10):   # Kafka's metadata lags the creation a moment
        described = (await a.describe_topics([topic]))[0]
        if described["error_code"] == 0:
            break
        await asyncio.sleep(0.1)
    for r in await a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                                   {"retention.ms": "3600000"})]):
        no_errors(r, "alter configs")
    async def described_retention():
        configs = no_errors((await a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)]))[0],
                            "describe configs")
        return [e["config_value"] for e in configs["resources"][0]["config_entries"]
                if e["config_names"] == "retention.ms"]
    # Kafka applies the change through its metadata log: a describe right after may show the old value.
    for _attempt in range(scenario.DEADLINE_SECONDS * 10):
        retention = await described_retention()
        if retention == ["3600000"]:
            break
        await asyncio.sleep(0.1)
    no_errors(await a.delete_topics([topic]), "delete")
    while topic in await a.list_topics():
        await asyncio.sleep(0.1)
    await a.close()
    return {"admin": {"topic": described["topic"], "partitions": len(described["partitions"]),
                      "retention.ms": retention[0], "deleted": True}}


if __name__ == "__main__":
    bootstrap, name, prefix = sys.argv[1:4]
    run = {"codecs": codecs, "group": group, "admin": admin}[name]
    result = run(bootstrap, prefix)
    scenario.emit(asyncio.run(result) if asyncio.iscoroutine(result) else result)

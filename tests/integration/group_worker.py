"""One consumer-group member for test_groups.py, run as a subprocess so a
test can SIGKILL it. Usage: group_worker.py CLIENT BOOTSTRAP TOPIC GROUP [JSON-CONFIG]
CLIENT is confluent or kafkapython. Prints one JSON event per line:
  {"ev": "assign"|"revoke", "parts": [..]}       rebalance callbacks
  {"ev": "msg", "p": P, "o": O, "v": "..."}       before the commit
  {"ev": "committed", "p": P, "o": O}             after the commit returned
SIGTERM closes the consumer cleanly (it leaves the group)."""
import json
import signal
import sys

client, bootstrap, topic, group = sys.argv[1:5]
extra = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def emit(**ev):
    sys.stdout.write(json.dumps(ev) + "\n")
    sys.stdout.flush()


def run_confluent():
    from confluent_kafka import Consumer, TopicPartition
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
            "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
            "topic.metadata.refresh.interval.ms": 2000}
    conf.update(extra)
    c = Consumer(conf)
    cooperative = conf.get("partition.assignment.strategy") == "cooperative-sticky"

    def on_assign(cons, parts):
        emit(ev="assign", parts=sorted(p.partition for p in parts))
        if cooperative:
            cons.incremental_assign(parts)

    def on_revoke(cons, parts):
        emit(ev="revoke", parts=sorted(p.partition for p in parts))
        if cooperative:
            cons.incremental_unassign(parts)

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    emit(ev="started")
    while not stop:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        emit(ev="msg", p=m.partition(), o=m.offset(), v=m.value().decode())
        try:
            c.commit(offsets=[TopicPartition(topic, m.partition(), m.offset() + 1)], asynchronous=False)
            emit(ev="committed", p=m.partition(), o=m.offset())
        except Exception as e:  # a rebalance may refuse the commit: it is redelivered
            emit(ev="commit_failed", p=m.partition(), o=m.offset(), err=str(e))
    c.close()
    emit(ev="closed")


def run_kafkapython():
    from kafka import KafkaConsumer, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.structs import OffsetAndMetadata

    class Listener(ConsumerRebalanceListener):
        def on_partitions_assigned(self, assigned):
            emit(ev="assign", parts=sorted(p.partition for p in assigned))

        def on_partitions_revoked(self, revoked):
            emit(ev="revoke", parts=sorted(p.partition for p in revoked))

    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500,
                      metadata_max_age_ms=2000, **extra)
    c.subscribe([topic], listener=Listener())
    emit(ev="started")
    while not stop:
        batch = c.poll(timeout_ms=200)
        for tp, msgs in batch.items():
            for m in msgs:
                emit(ev="msg", p=m.partition, o=m.offset, v=m.value.decode())
                try:
                    c.commit({TopicPartition(topic, m.partition): OffsetAndMetadata(m.offset + 1, None)})
                    emit(ev="committed", p=m.partition, o=m.offset)
                except Exception as e:
                    emit(ev="commit_failed", p=m.partition, o=m.offset, err=str(e))
    c.close()
    emit(ev="closed")


if client == "confluent":
    run_confluent()
else:
    run_kafkapython()

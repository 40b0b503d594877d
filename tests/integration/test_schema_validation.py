"""Schema id validation at produce (confluent.value.schema.validation and
friends): records without a registered schema id are refused with
INVALID_RECORD, the whole batch with them and nothing appended, while
framed records with a registered id go through."""
import json
import re
import time
import urllib.request

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import kwire
from kwire import i16, i32, nbytes, string

CT = "application/vnd.schemaregistry.v1+json"
ORDER = json.dumps({"type": "record", "name": "Order", "namespace": "shop",
                    "fields": [{"name": "id", "type": "long"}]})


def register(b, subject, schema, schema_type="AVRO"):
    req = urllib.request.Request(b.schema_url + "/subjects/%s/versions" % subject, method="POST",
                                 data=json.dumps({"schema": schema, "schemaType": schema_type}).encode(),
                                 headers={"Content-Type": CT})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["id"]


def create(b, topic, **configs):
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    fs = admin.create_topics([NewTopic(topic, 1, 1, config={k.replace("_", "."): v for k, v in configs.items()})])
    fs[topic].result(10)


def framed(schema_id, payload=b"\x02"):
    return b"\x00" + schema_id.to_bytes(4, "big") + payload


def produce(b, topic, records):
    """Produces (key, value) pairs in one batch; returns the delivery errors."""
    errors = []
    p = Producer({"bootstrap.servers": b.bootstrap, "linger.ms": 50, "retries": 0})
    for k, v in records:
        p.produce(topic, key=k, value=v, on_delivery=lambda err, msg: errors.append(err))
    assert p.flush(20) == 0
    return errors


def produce_v8(b, topic, values):
    """One batch of values by Produce v8, which answers with an error
    message; returns (error_code, error_message)."""
    blob = kwire.batch([(None, v) for v in values])
    body = (string(None) + i16(-1) + i32(5000) + i32(1) + string(topic) + i32(1) + i32(0) + nbytes(blob))
    conn = kwire.Conn(b.bootstrap)
    try:
        r = kwire.call(conn, 0, 8, body)
    finally:
        conn.close()
    out = []

    def partition():
        r.i32()
        code = r.i16()
        r.i64(), r.i64(), r.i64()
        r.array(lambda: (r.i32(), r.string()))
        out.append((code, r.string()))

    r.array(lambda: (r.string(), r.array(partition)))
    return out[0]


def end_offset(b, topic):
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "end"})
    _, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)
    c.close()
    return high


def test_value_validation(broker):
    create(broker, "orders", confluent_value_schema_validation="true")
    good = register(broker, "orders-value", ORDER)
    other = register(broker, "elsewhere-value", "\"string\"")

    # A producer without the serializer: refused, and nothing appended.
    errors = produce(broker, "orders", [(None, b'{"id": 1}')])
    assert errors[0] is not None and errors[0].code() == KafkaError.INVALID_RECORD
    assert end_offset(broker, "orders") == 0
    # The error message names the record and the reason.
    code, message = produce_v8(broker, "orders", [framed(good), b'{"id": 1}'])
    assert code == KafkaError.INVALID_RECORD
    assert message == "record 1: the value does not start with the magic byte 0 and a schema id", message
    code, message = produce_v8(broker, "orders", [framed(other)])
    assert message == "record 0: the value's schema id %d is not registered under subject orders-value" % other
    # An id registered, but not under this topic's subject.
    errors = produce(broker, "orders", [(None, framed(other))])
    assert errors[0].code() == KafkaError.INVALID_RECORD
    errors = produce(broker, "orders", [(None, framed(9999))])
    assert errors[0].code() == KafkaError.INVALID_RECORD
    # One bad record in a batch refuses the whole batch (the good one above too).
    assert produce_v8(broker, "orders", [framed(good), b"plain", framed(good)])[0] == KafkaError.INVALID_RECORD
    assert end_offset(broker, "orders") == 0
    # Framed with a registered id, and tombstones: accepted.
    assert produce(broker, "orders", [(b"k", framed(good)), (b"k", None)]) == [None, None]
    assert end_offset(broker, "orders") == 2
    # Keys are not checked unless asked.
    assert produce(broker, "orders", [(b"any key", framed(good))]) == [None]

    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "reader", "auto.offset.reset": "earliest"})
    c.subscribe(["orders"])
    seen, deadline = [], time.monotonic() + 20
    while len(seen) < 3 and time.monotonic() < deadline:
        m = c.poll(1.0)
        if m is not None and not m.error():
            seen.append(m.value())
    c.close()
    assert seen == [framed(good), None, framed(good)]

    # A topic without validation takes anything.
    assert produce(broker, "free", [(None, b"plain")]) == [None]

    # Refusals are counted per topic, side and reason, and logged (at most once a second).
    with urllib.request.urlopen(broker.http_url + "/metrics", timeout=10) as r:
        metrics = r.read().decode()
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(
        r'sluice_schema_refusals_total\{topic="orders",side="value",reason="(\w+)"\} (\d+)', metrics)}
    # plain producer, v8 message check, v8 batch: no id; other subject, v8, unknown id: unregistered
    assert counts == {"no_schema_id": 3, "unregistered_id": 3}, counts
    assert "records refused" in broker.read_log()


def test_key_validation_and_record_name_strategies(broker):
    create(broker, "keyed", confluent_key_schema_validation="true")
    key_id = register(broker, "keyed-key", "\"long\"")
    assert produce(broker, "keyed", [(framed(key_id), b"plain value")]) == [None]
    errors = produce(broker, "keyed", [(b"plain key", b"v")])
    assert errors[0].code() == KafkaError.INVALID_RECORD

    create(broker, "by-record", confluent_value_schema_validation="true",
           confluent_value_subject_name_strategy="io.confluent.kafka.serializers.subject.RecordNameStrategy")
    create(broker, "by-topic-record", confluent_value_schema_validation="true",
           confluent_value_subject_name_strategy="TopicRecordNameStrategy")
    record_id = register(broker, "shop.Order", ORDER)
    assert produce(broker, "by-record", [(None, framed(record_id))]) == [None]
    code, message = produce_v8(broker, "by-topic-record", [framed(record_id)])
    assert code == KafkaError.INVALID_RECORD and "subject by-topic-record-shop.Order" in message, message
    assert register(broker, "by-topic-record-shop.Order", ORDER) == record_id
    assert produce(broker, "by-topic-record", [(None, framed(record_id))]) == [None]


def test_full_validation_decodes_payloads(broker):
    create(broker, "strict", sluice_value_schema_validation="full")
    order = register(broker, "strict-value", ORDER)
    # Order {id: long}: 0x02 is id 1 in Avro's binary encoding.
    assert produce(broker, "strict", [(None, framed(order, b"\x02"))]) == [None]
    code, message = produce_v8(broker, "strict", [framed(order, b"\x02"), framed(order, b"\x02\x02")])
    assert code == KafkaError.INVALID_RECORD
    assert message == "record 1: the value does not match schema id %d: 1 bytes left after the value" % order
    code, message = produce_v8(broker, "strict", [framed(order, b"\xff")])
    assert code == KafkaError.INVALID_RECORD and "does not match" in message
    # Full validation checks ids as well.
    code, message = produce_v8(broker, "strict", [b"plain"])
    assert code == KafkaError.INVALID_RECORD and "magic byte" in message
    assert end_offset(broker, "strict") == 1
    with urllib.request.urlopen(broker.http_url + "/metrics", timeout=10) as r:
        assert 'sluice_schema_refusals_total{topic="strict",side="value",reason="payload_mismatch"} 2' in r.read().decode()
    # id mode is Confluent's check under Sluice's name: a bad payload passes it.
    create(broker, "ids-only", sluice_value_schema_validation="id")
    register(broker, "ids-only-value", ORDER)
    assert produce_v8(broker, "ids-only", [framed(order, b"\xff")])[0] == 0
    assert produce_v8(broker, "ids-only", [b"plain"])[0] == KafkaError.INVALID_RECORD


def test_bad_validation_settings_are_refused(broker):
    import pytest
    from confluent_kafka import KafkaException
    for name, value in (("sluice.value.schema.validation", "maybe"),
                        ("confluent.value.subject.name.strategy", "SubjectOfTheDayStrategy")):
        with pytest.raises(KafkaException) as e:
            create(broker, "refused", **{name.replace(".", "_"): value})
        assert e.value.args[0].code() == KafkaError.INVALID_CONFIG, e.value

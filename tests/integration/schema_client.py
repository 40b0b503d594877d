"""Confluent's own serializers against Sluice, for test_schema_clients.py.
Runs in the virtual environment of requirements-schema.txt (confluent-kafka
2.16 from PyPI; Debian's is older). Usage:
  schema_client.py SCENARIO BOOTSTRAP REGISTRY_URL TOPIC
Prints one JSON object: what was produced, consumed and answered."""
import json
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

scenario, bootstrap, url, topic = sys.argv[1:5]

ORDER_V1 = json.dumps({"type": "record", "name": "Order", "namespace": "shop", "fields": [
    {"name": "id", "type": "long"},
    {"name": "item", "type": "string"}]})
# Adds a field with a default: BACKWARD compatible with v1.
ORDER_V2 = json.dumps({"type": "record", "name": "Order", "namespace": "shop", "fields": [
    {"name": "id", "type": "long"},
    {"name": "item", "type": "string"},
    {"name": "quantity", "type": "int", "default": 1}]})
# Adds a field without a default: v2 data cannot be read with it.
ORDER_BAD = json.dumps({"type": "record", "name": "Order", "namespace": "shop", "fields": [
    {"name": "id", "type": "long"},
    {"name": "item", "type": "string"},
    {"name": "price", "type": "double"}]})

# A type defined in a subject of its own and used by reference.
ADDRESS = json.dumps({"type": "record", "name": "Address", "namespace": "shop", "fields": [
    {"name": "city", "type": "string"}]})
CUSTOMER = json.dumps({"type": "record", "name": "Customer", "namespace": "shop", "fields": [
    {"name": "name", "type": "string"},
    {"name": "home", "type": "Address"},
    {"name": "work", "type": ["null", "shop.Address"], "default": None}]})
# Adds a field with a default: BACKWARD compatible with CUSTOMER.
CUSTOMER_V2 = json.dumps({"type": "record", "name": "Customer", "namespace": "shop", "fields": [
    {"name": "name", "type": "string"},
    {"name": "home", "type": "Address"},
    {"name": "work", "type": ["null", "shop.Address"], "default": None},
    {"name": "vip", "type": "boolean", "default": False}]})

client = SchemaRegistryClient({"url": url})
subject = topic + "-value"


def produce(serializer, orders):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for o in orders:
        p.produce(topic, value=serializer(o, SerializationContext(topic, MessageField.VALUE)))
    assert p.flush(30) == 0
    return [dict(o) for o in orders]


def consume(count):
    deser = AvroDeserializer(client)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "schema-" + topic,
                  "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    out, raw_ids = [], []
    tries = 0
    while len(out) < count and tries < 60:
        tries += 1
        m = c.poll(1.0)
        if m is None or m.error():
            continue
        raw = m.value()
        raw_ids.append(int.from_bytes(raw[1:5], "big") if raw[0] == 0 else None)
        out.append(deser(raw, SerializationContext(topic, MessageField.VALUE)))
    c.close()
    return out, raw_ids


def error_of(call):
    try:
        call()
    except SchemaRegistryError as e:
        return {"http": e.http_status_code, "code": e.error_code}
    return None


result = {}
if scenario == "auto":
    # The serializer registers the schema itself (auto.register.schemas).
    ser = AvroSerializer(client, ORDER_V1)
    result["produced"] = produce(ser, [{"id": 1, "item": "tea"}, {"id": 2, "item": "cake"}])
    ser2 = AvroSerializer(client, ORDER_V2)
    result["produced"] += produce(ser2, [{"id": 3, "item": "jam", "quantity": 4}])
    result["consumed"], result["ids"] = consume(3)
    result["versions"] = client.get_versions(subject)
    latest = client.get_latest_version(subject)
    result["latest"] = {"version": latest.version, "id": latest.schema_id}
elif scenario == "latest":
    # Schemas registered up front; the serializer only looks the latest up.
    v1 = client.register_schema(subject, Schema(ORDER_V1, "AVRO"))
    v2 = client.register_schema(subject, Schema(ORDER_V2, "AVRO"))
    result["registered"] = [v1, v2]
    ser = AvroSerializer(client, ORDER_V1, conf={"auto.register.schemas": False, "use.latest.version": True})
    result["produced"] = produce(ser, [{"id": 10, "item": "bread", "quantity": 2}])
    result["consumed"], result["ids"] = consume(1)
    result["versions"] = client.get_versions(subject)
    # Without auto-registration, an unregistered schema is refused by the
    # registry (the serializer looks it up: 40403), nothing is produced.
    strict = AvroSerializer(client, ORDER_BAD, conf={"auto.register.schemas": False})
    try:
        strict({"id": 1, "item": "x", "price": 1.0}, SerializationContext(topic, MessageField.VALUE))
        result["strict"] = None
    except Exception as e:   # SerializationError wrapping the registry's error
        result["strict"] = str(e)
elif scenario == "errors":
    client.register_schema(subject, Schema(ORDER_V2, "AVRO"))
    result["incompatible"] = error_of(lambda: client.register_schema(subject, Schema(ORDER_BAD, "AVRO")))
    result["unknown_subject"] = error_of(lambda: client.get_latest_version("no-such-subject"))
    result["unknown_version"] = error_of(lambda: client.get_version(subject, 42))
    result["unknown_id"] = error_of(lambda: client.get_schema(4242))
    result["invalid"] = error_of(lambda: client.register_schema(subject, Schema("{\"type\": \"nope\"}", "AVRO")))
    result["compatible_check"] = client.test_compatibility(subject, Schema(ORDER_BAD, "AVRO"))
    client.set_compatibility(subject, "NONE")
    result["level"] = client.get_compatibility(subject)
    result["after_none"] = client.register_schema(subject, Schema(ORDER_BAD, "AVRO"))
elif scenario == "references":
    address_subject = topic + "-address"
    result["address_id"] = client.register_schema(address_subject, Schema(ADDRESS, "AVRO"))
    refs = [SchemaReference("shop.Address", address_subject, 1)]
    customer = Schema(CUSTOMER, "AVRO", references=refs)
    result["customer_id"] = client.register_schema(subject, customer)
    # The serializer (auto-registration on) finds the same schema, references
    # and all; the deserializer fetches the referenced subject to read.
    ser = AvroSerializer(client, customer)
    result["produced"] = produce(ser, [{"name": "ann", "home": {"city": "Oslo"}, "work": None},
                                       {"name": "bo", "home": {"city": "Rome"}, "work": {"city": "Bari"}}])
    result["consumed"], result["ids"] = consume(2)
    found = client.lookup_schema(subject, customer)
    result["lookup"] = {"id": found.schema_id, "version": found.version,
                        "references": [[r.name, r.subject, r.version] for r in found.schema.references]}
    result["by_id"] = [[r.name, r.subject, r.version] for r in client.get_schema(result["customer_id"]).references]
    result["referenced_by"] = client.get_referenced_by(address_subject, 1)
    result["compatible_v2"] = client.test_compatibility(subject, Schema(CUSTOMER_V2, "AVRO", references=refs))
    result["delete_referenced"] = error_of(lambda: client.delete_version(address_subject, 1))
    result["missing_reference"] = error_of(lambda: client.register_schema(
        topic + "-other", Schema(CUSTOMER, "AVRO", references=[SchemaReference("shop.Address", "no-such", 1)])))
print(json.dumps(result))

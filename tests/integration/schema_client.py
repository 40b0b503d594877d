"""Confluent's own serializers against Sluice, for test_schema_clients.py
(Avro) and test_schema_protobuf.py (scenarios proto-*, which take a
directory of FileDescriptorSets protoc made of the test's .proto files,
one a version of shop.Order or, for proto-refs*, of shop.Customer, which
imports shop/address.proto, which imports shop/geo.proto). Runs in the
virtual environment of requirements-schema.txt (confluent-kafka 2.16 from
PyPI; Debian's is older). Usage:
  schema_client.py SCENARIO BOOTSTRAP REGISTRY_URL TOPIC [DESCRIPTOR_SETS_DIR]
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
    return list(orders)


def consume(count, deser=None):
    deser = deser or AvroDeserializer(client)
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


def proto_order(version, name="shop.Order"):
    """A message's class from protoc's FileDescriptorSet VERSION.pb."""
    from google.protobuf import descriptor_pb2, descriptor_pool
    from google.protobuf.message_factory import GetMessageClass
    files = descriptor_pb2.FileDescriptorSet()
    with open("%s/%s.pb" % (sys.argv[5], version), "rb") as f:
        files.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in files.file:
        pool.Add(fd)
    return GetMessageClass(pool.FindMessageTypeByName(name))


def proto_customers(cls, rows):
    from google.protobuf.message_factory import GetMessageClass
    address = GetMessageClass(cls.DESCRIPTOR.fields_by_name["home"].message_type)
    point = GetMessageClass(address.DESCRIPTOR.fields_by_name["at"].message_type)
    return [cls(name=name, home=address(city=city, zip=zip_code, at=point(lat=lat)), others=[address(city="Bari")])
            for name, city, zip_code, lat in rows]


def proto_orders(cls, rows):
    return [cls(id=i, item=item, tags={"n": i}) for i, item in rows]


def proto_dicts(messages):
    from google.protobuf.json_format import MessageToDict
    return [MessageToDict(m) for m in messages]


result = {}
if scenario.startswith("proto-"):
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
if scenario in ("proto-auto", "proto-latest"):
    order_v1, order_v2, order_bad = proto_order("v1"), proto_order("v2"), proto_order("bad")
if scenario == "proto-refs":
    # The serializer registers the import (shop/address.proto) as a
    # subject of its own, named by the reference subject name strategy,
    # and Customer with a reference to it; the deserializer fetches both.
    from confluent_kafka.schema_registry.common.protobuf import _schema_to_str
    customer_v1, customer_v2 = proto_order("v1", "shop.Customer"), proto_order("v2", "shop.Customer")
    produced = proto_customers(customer_v1, [("ann", "Oslo", 150, 59.9), ("bo", "Rome", 100, 41.9)])
    produce(ProtobufSerializer(customer_v1, client), produced)
    produced2 = proto_customers(customer_v2, [("cy", "Pisa", 561, 43.7)])
    produced2[0].vip = True
    produce(ProtobufSerializer(customer_v2, client), produced2)
    result["produced"] = proto_dicts(produced + produced2)
    consumed, result["ids"] = consume(3, ProtobufDeserializer(customer_v2, {}, client))
    result["consumed"] = proto_dicts(consumed)
    result["subjects"] = client.get_subjects()
    result["versions"] = client.get_versions(subject)
    latest = client.get_latest_version(subject)
    refs = latest.schema.references
    result["references"] = [[r.name, r.subject, r.version] for r in refs]
    address = client.get_latest_version("shop/address.proto").schema.references
    result["address_references"] = [[r.name, r.subject, r.version] for r in address]
    # The serializer's own text of v1 with the same reference finds v1.
    found = client.lookup_schema(subject, Schema(_schema_to_str(customer_v1.DESCRIPTOR.file), "PROTOBUF", refs))
    result["lookup"] = {"id": found.schema_id, "version": found.version}
    bad = Schema(_schema_to_str(proto_order("bad", "shop.Customer").DESCRIPTOR.file), "PROTOBUF", refs)
    result["bad_compatible"] = client.test_compatibility(subject, bad)
    result["bad_register"] = error_of(lambda: client.register_schema(subject, bad))
elif scenario == "proto-refs-latest":
    # Customer and its import registered up front (by the test); the
    # serializer writes with the latest version, nothing registered.
    customer = proto_order("moved", "shop.Customer")
    produced = proto_customers(customer, [("di", "Lund", 22100, 55.7)])
    produced[0].home.street = "Stora Torget"
    conf = {"auto.register.schemas": False, "use.latest.version": True}
    produce(ProtobufSerializer(customer, client, conf), produced)
    result["produced"] = proto_dicts(produced)
    consumed, result["ids"] = consume(1, ProtobufDeserializer(customer, {"use.latest.version": True}, client))
    result["consumed"] = proto_dicts(consumed)
    result["subjects"] = client.get_subjects()
elif scenario == "proto-auto":
    # The serializer registers the schema (a base64 FileDescriptorProto)
    # itself; the deserializer reads it back with ?format=serialized.
    ser = ProtobufSerializer(order_v1, client)
    produced = proto_orders(order_v1, [(1, "tea"), (2, "cake")])
    produce(ser, produced)
    ser2 = ProtobufSerializer(order_v2, client)
    produced2 = [order_v2(id=3, item="jam", quantity=4)]
    produce(ser2, produced2)
    result["produced"] = proto_dicts(produced + produced2)
    consumed, result["ids"] = consume(3, ProtobufDeserializer(order_v2, {}, client))
    result["consumed"] = proto_dicts(consumed)
    result["versions"] = client.get_versions(subject)
    # An incompatible change (field 2 from string to int64) is refused.
    bad = ProtobufSerializer(order_bad, client)
    try:
        bad(order_bad(id=1, item=2), SerializationContext(topic, MessageField.VALUE))
        result["incompatible"] = None
    except Exception as e:   # SerializationError wrapping the registry's error
        result["incompatible"] = str(e)
elif scenario == "proto-latest":
    # The subject's latest version is written with; nothing is registered.
    ser = ProtobufSerializer(order_v2, client, {"auto.register.schemas": False, "use.latest.version": True})
    produced = [order_v2(id=10, item="bread", quantity=2)]
    produce(ser, produced)
    result["produced"] = proto_dicts(produced)
    consumed, result["ids"] = consume(1, ProtobufDeserializer(order_v2, {"use.latest.version": True}, client))
    result["consumed"] = proto_dicts(consumed)
    result["versions"] = client.get_versions(subject)
elif scenario == "auto":
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

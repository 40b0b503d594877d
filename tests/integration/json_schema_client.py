"""Confluent's JSON Schema serializers against Sluice, for
test_schema_json.py. Runs in the virtual environment of
requirements-schema.txt (confluent-kafka 2.16 and jsonschema from PyPI).
Usage:
  json_schema_client.py SCENARIO BOOTSTRAP REGISTRY_URL TOPIC
  json_schema_client.py verdicts CORPUS
Prints one JSON object: what was produced, consumed and answered (or, for
verdicts, python's jsonschema verdict on each corpus instance and the
cases where it disagrees with the corpus)."""
import json
import sys

import jsonschema
from jsonschema.validators import validator_for


def verdicts(path):
    """Each corpus instance through python's jsonschema (draft-07 when a
    schema names no draft, as Sluice and Confluent take it)."""
    corpus = json.load(open(path))
    disagree, checked, verdicts_by_group = [], 0, []
    for group in corpus["validation"]:
        cls = validator_for(group["schema"], default=jsonschema.Draft7Validator)
        cls.check_schema(group["schema"])
        v = cls(group["schema"])
        verdicts_by_group.append([v.is_valid(t["data"]) for t in group["tests"]])
        for t, got in zip(group["tests"], verdicts_by_group[-1]):
            checked += 1
            if got != t["valid"]:
                disagree.append([group["description"], t["description"]])
    for s in corpus["invalid_schemas"]:
        cls = validator_for(s["schema"], default=jsonschema.Draft7Validator) if isinstance(s["schema"], dict) \
            else jsonschema.Draft7Validator
        try:
            cls.check_schema(s["schema"])
            disagree.append([s["description"], "accepted"])
        except jsonschema.SchemaError:
            checked += 1
    return {"checked": checked, "disagree": disagree, "verdicts": verdicts_by_group}


if sys.argv[1] == "verdicts":
    print(json.dumps(verdicts(sys.argv[2])))
    sys.exit(0)

from confluent_kafka import Consumer, Producer  # noqa: E402
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.error import SchemaRegistryError  # noqa: E402
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

scenario, bootstrap, url, topic = sys.argv[1:5]

# A closed content model, as Confluent advises for evolving JSON schemas:
# adding an optional property to it is BACKWARD compatible.
ORDER_V1 = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Order", "type": "object",
                       "properties": {"id": {"type": "integer"}, "item": {"type": "string"}},
                       "required": ["id", "item"], "additionalProperties": False})
ORDER_V2 = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Order", "type": "object",
                       "properties": {"id": {"type": "integer"}, "item": {"type": "string"},
                                      "quantity": {"type": "integer", "minimum": 1}},
                       "required": ["id", "item"], "additionalProperties": False})
# id becomes a string: data written with v2 is not valid under it.
ORDER_BAD = json.dumps({"type": "object", "properties": {"id": {"type": "string"}, "item": {"type": "string"}},
                        "required": ["id", "item"], "additionalProperties": False})

# An Order whose ship_to is an Address from a subject of its own, by the
# reference's name (for JSON Schema the name is the $ref's URL).
ADDRESS = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Address", "type": "object",
                      "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
                      "required": ["city"], "additionalProperties": False})
ORDER_REF = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Order", "type": "object",
                        "properties": {"id": {"type": "integer"}, "ship_to": {"$ref": "address.json"}},
                        "required": ["id", "ship_to"], "additionalProperties": False})
ADDRESS_REF = [SchemaReference("address.json", "address", 1)]

client = SchemaRegistryClient({"url": url})
subject = topic + "-value"
ctx = SerializationContext(topic, MessageField.VALUE)


def produce(serializer, orders):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for o in orders:
        p.produce(topic, value=serializer(o, ctx))
    assert p.flush(30) == 0
    return orders


def consume(count):
    deser = JSONDeserializer(None, schema_registry_client=client)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "json-" + topic, "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    out, ids = [], []
    tries = 0
    while len(out) < count and tries < 60:
        tries += 1
        m = c.poll(1.0)
        if m is None or m.error():
            continue
        ids.append(int.from_bytes(m.value()[1:5], "big") if m.value()[0] == 0 else None)
        out.append(deser(m.value(), ctx))
    c.close()
    return out, ids


def error_of(call):
    try:
        call()
    except SchemaRegistryError as e:
        return {"http": e.http_status_code, "code": e.error_code, "message": e.error_message}
    return None


result = {}
if scenario == "auto":
    result["produced"] = produce(JSONSerializer(ORDER_V1, client), [{"id": 1, "item": "tea"}, {"id": 2, "item": "jam"}])
    result["produced"] += produce(JSONSerializer(ORDER_V2, client), [{"id": 3, "item": "cake", "quantity": 2}])
    result["consumed"], result["ids"] = consume(3)
    result["versions"] = client.get_versions(subject)
    result["type"] = client.get_latest_version(subject).schema.schema_type
elif scenario == "latest":
    result["registered"] = [client.register_schema(subject, Schema(s, "JSON")) for s in (ORDER_V1, ORDER_V2)]
    ser = JSONSerializer(ORDER_V1, client, conf={"auto.register.schemas": False, "use.latest.version": True})
    result["produced"] = produce(ser, [{"id": 7, "item": "pie", "quantity": 1}])
    result["consumed"], result["ids"] = consume(1)
    # Neither registering nor using the latest: the schema must be found as it is.
    strict = JSONSerializer(ORDER_BAD, client, conf={"auto.register.schemas": False})
    result["strict"] = error_of(lambda: strict({"id": "x", "item": "y"}, ctx))
elif scenario == "errors":
    client.register_schema(subject, Schema(ORDER_V1, "JSON"))
    result["incompatible"] = error_of(lambda: client.register_schema(subject, Schema(ORDER_BAD, "JSON")))
    result["compatible_check"] = client.test_compatibility(subject, Schema(ORDER_BAD, "JSON"))
    result["unknown_subject"] = error_of(lambda: client.get_latest_version("no-such-subject"))
    result["invalid"] = error_of(lambda: client.register_schema(subject, Schema('{"type": "text"}', "JSON")))
elif scenario == "refs":
    result["address_id"] = client.register_schema("address", Schema(ADDRESS, "JSON"))
    order = Schema(ORDER_REF, "JSON", references=ADDRESS_REF)
    result["order_id"] = client.register_schema(subject, order)
    found = client.lookup_schema(subject, order)
    result["lookup"] = {"id": found.schema_id, "version": found.version,
                        "references": [[r.name, r.subject, r.version] for r in found.schema.references]}
    result["by_id"] = [[r.name, r.subject, r.version] for r in client.get_schema(result["order_id"]).references]
    # The serializer writes with the latest Order (resolving address.json
    # through the registry to validate); the deserializer reads it back.
    ser = JSONSerializer(ORDER_REF, client, conf={"auto.register.schemas": False, "use.latest.version": True})
    result["produced"] = produce(ser, [{"id": 1, "ship_to": {"city": "Oslo", "street": "Storgata 1"}},
                                       {"id": 2, "ship_to": {"city": "Rome"}}])
    result["consumed"], result["ids"] = consume(2)
    result["referenced_by"] = client.get_referenced_by("address", 1)
    result["delete_referenced"] = error_of(lambda: client.delete_version("address", 1))
print(json.dumps(result))

"""Protobuf in Sluice's schema registry: Confluent's ProtobufSerializer and
ProtobufDeserializer (confluent-kafka 2.16 with the protobuf package, in
the virtual environment of requirements-schema.txt) with auto-registration
and use.latest.version, Confluent's 409 for an incompatible change, and
full validation at produce refusing a well-framed record that is not the
message. The message classes come from .proto files compiled by Debian's
protoc into FileDescriptorSets at test time."""
import json
import signal
import subprocess
import urllib.error
import urllib.request

from confluent_kafka import KafkaError

from test_schema_clients import run, venv_python  # noqa: F401 (a fixture)
from test_schema_validation import CT, create, end_offset, framed, produce_v8

ORDER = """syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";

// One order of the shop.
message Order {
  int64 id = 1;
  string item = 2;
  google.protobuf.Timestamp placed = 3;
  map<string, int32> tags = 4;%s
}
"""
VERSIONS = {
    "v1": ORDER % "",
    # A field added: BACKWARD compatible (Confluent's FIELD_ADDED).
    "v2": ORDER % "\n  int32 quantity = 5;",
    # Field 2 from string to int64: FIELD_SCALAR_KIND_CHANGED, incompatible.
    "bad": (ORDER % "").replace("string item = 2;", "int64 item = 2;"),
}


def descriptor_sets(tmp_path):
    for version, text in VERSIONS.items():
        src = tmp_path / version / "order.proto"
        src.parent.mkdir()
        src.write_text(text)
        subprocess.run(["protoc", "-I", str(src.parent), "--include_imports",
                        "--descriptor_set_out=%s" % (tmp_path / (version + ".pb")), "order.proto"], check=True)
    return str(tmp_path)


def request(b, method, path, body=None):
    req = urllib.request.Request(b.schema_url + path, method=method, headers={"Content-Type": CT},
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_serializer_auto_registration_and_full_validation(venv_python, broker, tmp_path):  # noqa: F811
    create(broker, "orders", sluice_value_schema_validation="full")
    r = run(venv_python, broker, "proto-auto", "orders", descriptor_sets(tmp_path))
    assert r["consumed"] == r["produced"]
    assert r["produced"][2] == {"id": "3", "item": "jam", "quantity": 4}
    assert r["ids"] == [1, 1, 2]
    assert r["versions"] == [1, 2]
    assert "409" in r["incompatible"] and "FIELD_SCALAR_KIND_CHANGED" in r["incompatible"]
    # The .proto text of v1 finds what the serializer registered as a
    # base64 FileDescriptorProto: one schema, one id.
    status, found = request(broker, "POST", "/subjects/orders-value",
                            {"schemaType": "PROTOBUF", "schema": VERSIONS["v1"]})
    assert (status, found["id"], found["version"]) == (200, 1, 1)
    assert "message Order" in found["schema"] and found["schemaType"] == "PROTOBUF"
    # Confluent's body for an incompatible schema, by the REST API too.
    status, body = request(broker, "POST", "/subjects/orders-value/versions",
                           {"schemaType": "PROTOBUF", "schema": VERSIONS["bad"]})
    assert status == 409 and body["error_code"] == 409
    assert body["message"].startswith("Schema being registered is incompatible with an earlier schema")
    status, body = request(broker, "POST", "/subjects/orders-value/versions",
                           {"schemaType": "PROTOBUF", "schema": "message {"})
    assert status == 422 and body["error_code"] == 42201 and "line 1" in body["message"]
    # Full validation: a well-framed record whose bytes are not an Order
    # (field 1 as a string where Order has an int64) is refused, alone or
    # in a batch with a good one, and nothing is appended.
    end = end_offset(broker, "orders")
    good, wrong_wire_type = framed(2, b"\x00\x08\x07"), framed(2, b"\x00\x0a\x03tea")
    assert produce_v8(broker, "orders", [good])[0] == 0
    code, message = produce_v8(broker, "orders", [good, wrong_wire_type])
    assert code == KafkaError.INVALID_RECORD
    assert message == ("record 1: the value does not match schema id 2: field shop.Order.id has the wrong wire type")
    code, message = produce_v8(broker, "orders", [framed(2, b"\x02\x0e")])   # message index 7: there is one
    assert code == KafkaError.INVALID_RECORD and "message indexes" in message
    assert end_offset(broker, "orders") == end + 1


def test_serializer_with_latest_version(venv_python, broker, tmp_path):  # noqa: F811
    for version in ("v1", "v2"):
        status, body = request(broker, "POST", "/subjects/payments-value/versions",
                               {"schemaType": "PROTOBUF", "schema": VERSIONS[version]})
        assert status == 200
    r = run(venv_python, broker, "proto-latest", "payments", descriptor_sets(tmp_path))
    assert r["consumed"] == r["produced"] == [{"id": "10", "item": "bread", "quantity": 2}]
    assert r["ids"] == [2]
    assert r["versions"] == [1, 2]
    # What the deserializer reads: the base64 FileDescriptorProto.
    status, body = request(broker, "GET", "/schemas/ids/2?format=serialized")
    assert status == 200 and " " not in body["schema"] and body["schemaType"] == "PROTOBUF"
    status, latest = request(broker, "GET", "/subjects/payments-value/versions/latest")
    assert "int32 quantity = 5;" in latest["schema"]
    # Registrations were answered after their fsync: a kill -9 loses none,
    # and the replayed _schemas give the same texts and ids back.
    broker.stop(sig=signal.SIGKILL)
    broker.start()
    assert request(broker, "GET", "/subjects/payments-value/versions/latest") == (200, latest)
    assert request(broker, "GET", "/schemas/ids/2?format=serialized") == (200, body)

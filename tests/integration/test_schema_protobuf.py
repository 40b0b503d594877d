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


# A message that imports another .proto file, which imports a third:
# Confluent's serializers register each as a subject of its own (named by
# its import path), referenced by the file that imports it.
GEO = """syntax = "proto3";
package shop.geo;

message Point {
  double lat = 1;
  double lon = 2;
}
"""
ADDRESS = """syntax = "proto3";
package shop;
import "shop/geo.proto";

message Address {
  string city = 1;
  int32 zip = 2;
  geo.Point at = 4;%s
}
"""
CUSTOMER = """syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "shop/address.proto";

message Customer {
  string name = 1;
  Address home = 2;
  repeated Address others = 3;
  google.protobuf.Timestamp since = 4;%s
}
"""
STREET = "\n  string street = 3;"
CUSTOMER_VERSIONS = {
    "v1": (ADDRESS % "", CUSTOMER % ""),
    # A field added to Customer: BACKWARD compatible.
    "v2": (ADDRESS % "", CUSTOMER % "\n  bool vip = 5;"),
    # Field 2 from Address to string: FIELD_KIND_CHANGED, incompatible.
    "bad": (ADDRESS % "", (CUSTOMER % "").replace("Address home = 2;", "string home = 2;")),
    # Address gains a field (a new version of the referenced subject).
    "moved": (ADDRESS % STREET, CUSTOMER % "\n  bool vip = 5;"),
}


def compile_sets(tmp_path, versions):
    """protoc's FileDescriptorSet (imports included) of each version's
    files, as VERSION.pb; the last file of a version is the main one."""
    for version, files in versions.items():
        root = tmp_path / version
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        subprocess.run(["protoc", "-I", str(root), "--include_imports",
                        "--descriptor_set_out=%s" % (tmp_path / (version + ".pb")), list(files)[-1]], check=True)
    return str(tmp_path)


def descriptor_sets(tmp_path):
    return compile_sets(tmp_path, {version: {"order.proto": text} for version, text in VERSIONS.items()})


def customer_sets(tmp_path):
    return compile_sets(tmp_path, {version: {"shop/geo.proto": GEO, "shop/address.proto": address,
                                             "shop/customer.proto": customer}
                                   for version, (address, customer) in CUSTOMER_VERSIONS.items()})


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


def test_serializer_registers_imports_as_references(venv_python, broker, tmp_path):  # noqa: F811
    create(broker, "customers", sluice_value_schema_validation="full")
    r = run(venv_python, broker, "proto-refs", "customers", customer_sets(tmp_path))
    # Fully validated at produce (Customer's fields of the imported type
    # decoded), then read back by the deserializer with the import.
    assert r["consumed"] == r["produced"]
    assert r["produced"][2]["home"] == {"city": "Pisa", "zip": 561, "at": {"lat": 43.7}} and r["produced"][2]["vip"]
    # Each import is its own subject (named by its path: a subject with a
    # slash); both Customer versions reference version 1 of the address
    # file, which references the geo file.
    assert r["subjects"] == ["customers-value", "shop/address.proto", "shop/geo.proto"]
    assert r["address_references"] == [["shop/geo.proto", "shop/geo.proto", 1]]
    assert r["ids"] == [3, 3, 4]
    assert r["versions"] == [1, 2]
    assert r["references"] == [["shop/address.proto", "shop/address.proto", 1]]
    assert r["lookup"] == {"id": 3, "version": 1}
    assert r["bad_compatible"] is False
    assert r["bad_register"] == {"http": 409, "code": 409}
    refs = [{"name": "shop/address.proto", "subject": "shop/address.proto", "version": 1}]
    # The .proto text with the same reference is the same schema.
    status, found = request(broker, "POST", "/subjects/customers-value",
                            {"schemaType": "PROTOBUF", "schema": CUSTOMER % "", "references": refs})
    assert (status, found["id"], found["version"], found["references"]) == (200, 3, 1, refs)
    # Without the reference, its import is not found.
    status, body = request(broker, "POST", "/subjects/customers-value/versions",
                           {"schemaType": "PROTOBUF", "schema": CUSTOMER % ""})
    assert status == 422 and "shop/address.proto" in body["message"]
    status, body = request(broker, "POST", "/compatibility/subjects/customers-value/versions/latest?verbose=true",
                           {"schemaType": "PROTOBUF", "schema": CUSTOMER_VERSIONS["bad"][1], "references": refs})
    assert status == 200 and body["is_compatible"] is False and "FIELD_KIND_CHANGED" in body["messages"][0]
    # Full validation decodes the imported type: home (field 2) whose
    # city (Address's field 1) is a varint is refused, nothing appended.
    end = end_offset(broker, "customers")
    good, bad_city = framed(4, b"\x00\x12\x06\x0a\x04Oslo"), framed(4, b"\x00\x12\x02\x08\x05")
    # ... and the type that one imports: home.at (Point) whose lat is a
    # varint, not a double.
    bad_lat = framed(4, b"\x00\x12\x04\x22\x02\x08\x01")
    assert produce_v8(broker, "customers", [good])[0] == 0
    code, message = produce_v8(broker, "customers", [good, bad_city])
    assert code == KafkaError.INVALID_RECORD
    assert message == "record 1: the value does not match schema id 4: field shop.Address.city has the wrong wire type"
    code, message = produce_v8(broker, "customers", [bad_lat])
    assert code == KafkaError.INVALID_RECORD and "field shop.geo.Point.lat has the wrong wire type" in message
    assert end_offset(broker, "customers") == end + 1


def test_latest_version_with_a_moved_reference(venv_python, broker, tmp_path):  # noqa: F811
    create(broker, "members", sluice_value_schema_validation="full")
    geo = [{"name": "shop/geo.proto", "subject": "shop/geo.proto", "version": 1}]
    assert request(broker, "POST", "/subjects/shop%2Fgeo.proto/versions",
                   {"schemaType": "PROTOBUF", "schema": GEO}) == (200, {"id": 1})
    address = "/subjects/shop%2Faddress.proto/versions"
    assert request(broker, "POST", address,
                   {"schemaType": "PROTOBUF", "schema": ADDRESS % "", "references": geo}) == (200, {"id": 2})
    refs = [{"name": "shop/address.proto", "subject": "shop/address.proto", "version": 1}]
    customer = {"schemaType": "PROTOBUF", "schema": CUSTOMER % "", "references": refs}
    assert request(broker, "POST", "/subjects/members-value/versions", customer) == (200, {"id": 3})
    # Address gains a field: its version 2; Customer moves to it (and
    # gains a field): compatible, version 2 of members-value.
    assert request(broker, "POST", address,
                   {"schemaType": "PROTOBUF", "schema": ADDRESS % STREET, "references": geo}) == (200, {"id": 4})
    moved = {"schemaType": "PROTOBUF", "schema": CUSTOMER_VERSIONS["moved"][1],
             "references": [dict(refs[0], version=2)]}
    assert request(broker, "POST", "/subjects/members-value/versions", moved) == (200, {"id": 5})
    r = run(venv_python, broker, "proto-refs-latest", "members", customer_sets(tmp_path))
    assert r["consumed"] == r["produced"]
    assert r["produced"][0]["home"]["street"] == "Stora Torget"
    assert r["ids"] == [5]
    assert r["subjects"] == ["members-value", "shop/address.proto", "shop/geo.proto"]
    # The deserializer's view: Customer's FileDescriptorProto importing
    # the address file, which it fetches by the reference.
    status, body = request(broker, "GET", "/schemas/ids/5?format=serialized")
    assert status == 200 and " " not in body["schema"]
    assert body["references"] == [dict(refs[0], version=2)]
    status, body = request(broker, "GET", "/subjects/shop%2Faddress.proto/versions/2?format=serialized")
    assert status == 200 and " " not in body["schema"] and body["subject"] == "shop/address.proto"
    assert body["references"] == geo

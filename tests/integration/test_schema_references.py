"""Schema references (Confluent's): a Customer schema whose Address type is
defined in a subject of its own. confluent-kafka 2.16's SchemaRegistryClient
registers it with references, AvroSerializer/AvroDeserializer round-trip
records through a topic that fully validates them, and the REST API
answers references, referencedby, and Confluent's refusals (42201 for a
missing reference, 42206 for deleting what is referenced); all of it
survives kill -9."""
import json
import signal

from confluent_kafka import KafkaError

from test_schema_clients import run, venv_python  # noqa: F401 (a fixture)
from test_schema_registry import schemas_records, sr
from test_schema_validation import create, framed, produce

ADDRESS = json.dumps({"type": "record", "name": "Address", "namespace": "shop",
                      "fields": [{"name": "city", "type": "string"}]})
# Adds a field without a default: cannot read ADDRESS's data.
ADDRESS_ZIP = json.dumps({"type": "record", "name": "Address", "namespace": "shop",
                          "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": "string"}]})
ORDER = json.dumps({"type": "record", "name": "Order", "namespace": "shop",
                    "fields": [{"name": "id", "type": "long"}, {"name": "ship_to", "type": "shop.Address"}]})


def ref(subject, version=1):
    return {"name": "shop.Address", "subject": subject, "version": version}


def register(b, subject, schema, refs=None):
    body = {"schema": schema}
    if refs is not None:
        body["references"] = refs
    return sr(b, "/subjects/%s/versions" % subject, "POST", body)[:2]


def test_client_round_trip_with_references(venv_python, broker):  # noqa: F811
    create(broker, "customers", **{"sluice.value.schema.validation": "full"})
    r = run(venv_python, broker, "references", "customers")
    assert (r["address_id"], r["customer_id"]) == (1, 2)
    assert r["consumed"] == r["produced"]
    assert r["ids"] == [2, 2]
    assert r["lookup"] == {"id": 2, "version": 1, "references": [["shop.Address", "customers-address", 1]]}
    assert r["by_id"] == [["shop.Address", "customers-address", 1]]
    assert r["referenced_by"] == [2]
    assert r["compatible_v2"] is True
    assert r["delete_referenced"] == {"http": 422, "code": 42206}
    assert r["missing_reference"] == {"http": 422, "code": 42201}
    # Full validation reads Customer with the Address it references: a
    # well-framed record that is not a Customer is refused.
    errors = produce(broker, "customers", [(None, framed(2, b"\x06ann"))])
    assert [e.code() if e else None for e in errors] == [KafkaError.INVALID_RECORD]


def test_rest_answers_and_refusals(broker):
    assert register(broker, "address", ADDRESS) == (200, {"id": 1})
    # Without the reference, shop.Address is unknown to the schema.
    status, body = register(broker, "orders-value", ORDER)
    assert (status, body["error_code"]) == (422, 42201)
    status, body = register(broker, "orders-value", ORDER, [ref("nowhere", 3)])
    assert (status, body["error_code"]) == (422, 42201)
    assert 'No schema reference found for subject "nowhere" and version 3' in body["message"]
    # "latest" (-1) is pinned to the version it is when registered.
    assert register(broker, "orders-value", ORDER, [ref("address", -1)]) == (200, {"id": 2})
    assert register(broker, "orders-value", ORDER, [ref("address", 1)]) == (200, {"id": 2})
    status, body, _ = sr(broker, "/subjects/orders-value/versions/1")
    assert body == {"subject": "orders-value", "version": 1, "id": 2, "schema": body["schema"],
                    "references": [ref("address")]}
    assert sr(broker, "/schemas/ids/2")[1]["references"] == [ref("address")]
    # No references, no "references" key, as Confluent answers.
    assert "references" not in sr(broker, "/subjects/address/versions/1")[1]
    assert "references" not in sr(broker, "/schemas/ids/1")[1]
    # Looking it up needs the same references.
    assert sr(broker, "/subjects/orders-value", "POST", {"schema": ORDER, "references": [ref("address")]})[1]["id"] == 2
    assert sr(broker, "/subjects/orders-value/versions/1/referencedby")[:2] == (200, [])
    assert sr(broker, "/subjects/address/versions/1/referencedby")[:2] == (200, [2])
    assert sr(broker, "/subjects/address/versions/latest/referencedby")[:2] == (200, [2])

    # Compatibility judges each side with its own references: an Order
    # whose Address needs a zip cannot read orders written before.
    assert sr(broker, "/config/address", "PUT", {"compatibility": "NONE"})[0] == 200
    assert register(broker, "address", ADDRESS_ZIP) == (200, {"id": 3})
    status, body, _ = sr(broker, "/compatibility/subjects/orders-value/versions/latest?verbose=true", "POST",
                         {"schema": ORDER, "references": [ref("address", 2)]})
    assert status == 200 and body["is_compatible"] is False and "zip" in body["messages"][0]
    status, body = register(broker, "orders-value", ORDER, [ref("address", 2)])
    assert (status, body["error_code"]) == (409, 409)

    # Deleting a referenced version is refused with Confluent's words.
    status, body, _ = sr(broker, "/subjects/address/versions/1", "DELETE")
    assert (status, body) == (422, {"error_code": 42206, "message": "One or more references exist to the schema "
                                    "{magic=1,keytype=SCHEMA,subject=address,version=1}."})
    assert sr(broker, "/subjects/address", "DELETE")[1]["error_code"] == 42206
    # Once the referrer is soft-deleted, a soft delete may go; a permanent
    # one waits until the referrer is gone for good.
    assert sr(broker, "/subjects/orders-value/versions/1", "DELETE")[:2] == (200, 1)
    assert sr(broker, "/subjects/address/versions/1/referencedby")[:2] == (200, [])
    assert sr(broker, "/subjects/address/versions/1/referencedby?deleted=true")[:2] == (200, [2])
    assert sr(broker, "/subjects/address/versions/1", "DELETE")[:2] == (200, 1)
    assert sr(broker, "/subjects/address/versions/1?permanent=true", "DELETE")[1]["error_code"] == 42206
    assert sr(broker, "/subjects/orders-value/versions/1?permanent=true", "DELETE")[:2] == (200, 1)
    assert sr(broker, "/subjects/address/versions/1?permanent=true", "DELETE")[:2] == (200, 1)

    # A malformed reference is an invalid schema, not a crash.
    for bad in ([{"name": "x"}], [{"name": 1, "subject": "address", "version": 1}], "address", [None]):
        status, body = register(broker, "orders-value", ORDER, bad)
        assert (status, body["error_code"]) == (422, 42201)


def test_references_survive_kill_9(broker):
    assert register(broker, "address", ADDRESS) == (200, {"id": 1})
    assert register(broker, "orders-value", ORDER, [ref("address")]) == (200, {"id": 2})

    # Answered after its fsync: a kill -9 loses none of it.
    broker.stop(sig=signal.SIGKILL)
    broker.start()
    assert sr(broker, "/subjects/orders-value/versions/1")[1]["references"] == [ref("address")]
    assert sr(broker, "/subjects/address/versions/1/referencedby")[:2] == (200, [2])
    assert sr(broker, "/subjects/orders-value", "POST", {"schema": ORDER, "references": [ref("address")]})[1]["id"] == 2
    assert sr(broker, "/subjects/address/versions/1", "DELETE")[1]["error_code"] == 42206
    # Registering it again after the restart is the same schema.
    assert register(broker, "orders-value", ORDER, [ref("address")]) == (200, {"id": 2})
    # The record holds them as Confluent's SchemaValue does.
    records = schemas_records(broker, 2)
    assert records[1][0] == {"keytype": "SCHEMA", "subject": "orders-value", "version": 1, "magic": 1}
    assert records[1][1]["references"] == [ref("address")]
    assert "references" not in records[0][1]

"""JSON Schema in Sluice's registry: confluent-kafka 2.16's JSONSerializer
and JSONDeserializer with SchemaRegistryClient (auto-registration, and
auto.register.schemas False with use.latest.version True), Confluent's
409 for an incompatible JSON schema, full validation of JSON payloads at
produce, and the validator's corpus checked against python's jsonschema."""
import json
import os
import signal
import urllib.error
import urllib.request

from test_schema_clients import ROOT, registry_get, run, venv_python  # noqa: F401 (venv_python is a fixture)
from test_schema_validation import CT, create, end_offset, framed, produce_v8, register

CLIENT = os.path.join(ROOT, "tests", "integration", "json_schema_client.py")
CORPUS = os.path.join(ROOT, "tests", "unit", "json_schema_corpus.json")
INVALID_RECORD = 87

ORDER = json.dumps({"type": "object", "properties": {"id": {"type": "integer"}, "item": {"type": "string"}},
                    "required": ["id", "item"], "additionalProperties": False})


def test_auto_registration(venv_python, broker):  # noqa: F811
    create(broker, "orders", sluice_value_schema_validation="full")
    r = run(venv_python, broker, "auto", "orders", client=CLIENT)
    assert r["consumed"] == r["produced"]
    assert r["ids"] == [1, 1, 2]
    assert r["versions"] == [1, 2]
    assert r["type"] == "JSON"
    assert registry_get(broker, "/subjects/orders-value/versions/2")["schemaType"] == "JSON"
    assert "JSON" in registry_get(broker, "/schemas/types")


def test_latest_version_without_auto_registration(venv_python, broker):  # noqa: F811
    r = run(venv_python, broker, "latest", "payments", client=CLIENT)
    assert r["registered"] == [1, 2]
    assert r["ids"] == [2]
    assert r["consumed"] == r["produced"]
    assert r["strict"]["code"] == 40403


def test_incompatible_schema_refused(venv_python, broker):  # noqa: F811
    r = run(venv_python, broker, "errors", "audit", client=CLIENT)
    assert r["incompatible"]["http"] == 409 and r["incompatible"]["code"] == 409
    assert "TYPE_CHANGED" in r["incompatible"]["message"]
    assert r["compatible_check"] is False
    assert r["unknown_subject"]["code"] == 40401
    assert r["invalid"] == {"http": 422, "code": 42201, "message": r["invalid"]["message"]}
    # Confluent's error body, as any HTTP client sees it.
    body = json.dumps({"schemaType": "JSON", "schema": json.dumps({"type": "object", "properties": {
        "id": {"type": "string"}, "item": {"type": "string"}}, "required": ["id"], "additionalProperties": False})})
    req = urllib.request.Request(broker.schema_url + "/subjects/audit-value/versions", method="POST",
                                 data=body.encode(), headers={"Content-Type": CT})
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("an incompatible schema was registered")
    except urllib.error.HTTPError as e:
        assert e.code == 409
        err = json.loads(e.read())
        assert err["error_code"] == 409 and err["message"].startswith("Schema being registered is incompatible")


def test_full_validation_of_json_payloads(broker):
    create(broker, "shipments", sluice_value_schema_validation="full")
    sid = register(broker, "shipments-value", ORDER, "JSON")
    good = framed(sid, b'{"id": 1, "item": "tea"}')
    assert produce_v8(broker, "shipments", [good])[0] == 0
    before = end_offset(broker, "shipments")
    # Well framed, registered id, but item is missing: the batch is refused whole.
    code, message = produce_v8(broker, "shipments", [good, framed(sid, b'{"id": 2}')])
    assert code == INVALID_RECORD
    assert "record 1" in message and "item" in message
    assert end_offset(broker, "shipments") == before
    for bad in (b'{"id": "2", "item": "x"}', b'{"id": 2, "item": "x", "extra": 1}', b'{"id": 2', b'[1]'):
        assert produce_v8(broker, "shipments", [framed(sid, bad)])[0] == INVALID_RECORD, bad
    assert end_offset(broker, "shipments") == before
    assert produce_v8(broker, "shipments", [good, framed(sid, b'{"item": "x", "id": 3}')])[0] == 0
    assert end_offset(broker, "shipments") == before + 2

    # The registration was fsynced before its answer: after kill -9 the
    # schema is back, as JSON, and still validates.
    schema = registry_get(broker, "/schemas/ids/%d" % sid)
    broker.stop(sig=signal.SIGKILL)
    broker.start()
    assert registry_get(broker, "/schemas/ids/%d" % sid) == schema and schema["schemaType"] == "JSON"
    assert produce_v8(broker, "shipments", [framed(sid, b'{"id": 4}')])[0] == INVALID_RECORD
    assert produce_v8(broker, "shipments", [framed(sid, b'{"id": 4, "item": "y"}')])[0] == 0


def test_validator_agrees_with_python_jsonschema(venv_python, broker):  # noqa: F811
    """Each corpus schema registered on its own full-validation topic, each
    instance produced to it: Sluice accepts exactly what python's
    jsonschema says is valid (and both give the corpus's verdicts, which
    the unit test test_schema_json holds Sluice's validator to)."""
    import subprocess
    out = subprocess.run([venv_python, CLIENT, "verdicts", CORPUS], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    python = json.loads(out.stdout)
    assert python["checked"] >= 150
    assert python["disagree"] == []
    groups = json.load(open(CORPUS))["validation"]
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    topics = ["corpus-%d" % i for i in range(len(groups))]
    for f in admin.create_topics([NewTopic(t, 1, 1, config={"sluice.value.schema.validation": "full"})
                                  for t in topics]).values():
        f.result(10)
    disagree = []
    for topic, group, verdicts in zip(topics, groups, python["verdicts"]):
        sid = register(broker, topic + "-value", json.dumps(group["schema"]), "JSON")
        for t, python_valid in zip(group["tests"], verdicts):
            code, message = produce_v8(broker, topic, [framed(sid, json.dumps(t["data"]).encode())])
            assert code in (0, INVALID_RECORD), (code, message)
            if (code == 0) != python_valid:
                disagree.append((group["description"], t["description"], message))
    assert disagree == []


def rest(broker, method, path, body=None):
    """(HTTP status, JSON answer) of one registry call, errors included."""
    req = urllib.request.Request(broker.schema_url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": CT})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


ADDRESS_REF = [{"name": "address.json", "subject": "address", "version": 1}]


def test_references(venv_python, broker):  # noqa: F811
    """An Order whose ship_to $refs an Address registered under a subject
    of its own, by Confluent's client and serializers and by REST; it all
    holds after kill -9."""
    create(broker, "orders", sluice_value_schema_validation="full")
    r = run(venv_python, broker, "refs", "orders", client=CLIENT)
    order_id = r["order_id"]
    assert r["address_id"] != order_id
    assert r["lookup"] == {"id": order_id, "version": 1, "references": [["address.json", "address", 1]]}
    assert r["by_id"] == [["address.json", "address", 1]]
    assert r["consumed"] == r["produced"] and r["ids"] == [order_id, order_id]
    assert r["referenced_by"] == [order_id]
    assert r["delete_referenced"]["code"] == 42206

    order = registry_get(broker, "/schemas/ids/%d" % order_id)
    assert order["references"] == ADDRESS_REF and order["schemaType"] == "JSON"
    # The same text and references by REST: the same id, registered or looked up.
    same = {"schemaType": "JSON", "schema": order["schema"], "references": ADDRESS_REF}
    assert rest(broker, "POST", "/subjects/orders-value/versions", same) == (200, {"id": order_id})
    status, found = rest(broker, "POST", "/subjects/orders-value", same)
    assert status == 200 and (found["id"], found["version"]) == (order_id, 1)
    # Without the reference the $ref points at nothing.
    status, err = rest(broker, "POST", "/subjects/other-value/versions",
                       {"schemaType": "JSON", "schema": order["schema"]})
    assert status == 422 and err["error_code"] == 42201 and "address.json" in err["message"]

    # address v2 makes city an integer (its subject's level set to NONE to
    # let it in); Order moved onto it cannot read the orders written so far.
    assert rest(broker, "PUT", "/config/address", {"compatibility": "NONE"})[0] == 200
    address_v2 = json.loads(registry_get(broker, "/subjects/address/versions/1")["schema"])
    address_v2["properties"]["city"] = {"type": "integer"}
    status, _ = rest(broker, "POST", "/subjects/address/versions",
                     {"schemaType": "JSON", "schema": json.dumps(address_v2)})
    assert status == 200
    moved = {"schemaType": "JSON", "schema": order["schema"],
             "references": [{"name": "address.json", "subject": "address", "version": 2}]}

    def check_refused():
        status, answer = rest(broker, "POST", "/compatibility/subjects/orders-value/versions/latest?verbose=true",
                              moved)
        assert status == 200 and answer["is_compatible"] is False, answer
        assert any("TYPE_CHANGED" in m and "city" in m for m in answer["messages"]), answer
        status, err = rest(broker, "POST", "/subjects/orders-value/versions", moved)
        assert status == 409 and err["error_code"] == 409, err

    check_refused()

    def check_validation():
        before = end_offset(broker, "orders")
        for bad in (b'{"id": 3, "ship_to": {"city": 7}}', b'{"id": 3, "ship_to": {"street": "x"}}',
                    b'{"id": 3, "ship_to": {"city": "Pisa", "zip": 1}}'):
            code, message = produce_v8(broker, "orders", [framed(order_id, bad)])
            assert code == INVALID_RECORD and "ship_to" in message, (bad, message)
        assert end_offset(broker, "orders") == before
        assert produce_v8(broker, "orders", [framed(order_id, b'{"id": 3, "ship_to": {"city": "Pisa"}}')])[0] == 0
        assert end_offset(broker, "orders") == before + 1

    def check_references():
        assert registry_get(broker, "/subjects/address/versions/1/referencedby") == [order_id]
        assert registry_get(broker, "/schemas/ids/%d" % order_id) == order
        assert rest(broker, "POST", "/subjects/orders-value", same)[1]["id"] == order_id
        status, err = rest(broker, "DELETE", "/subjects/address/versions/1")
        assert status == 422 and err["error_code"] == 42206, err

    check_validation()
    check_references()
    broker.stop(sig=signal.SIGKILL)
    broker.start()
    check_references()
    check_refused()
    check_validation()

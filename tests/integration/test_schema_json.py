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

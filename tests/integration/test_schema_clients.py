"""Confluent's SchemaRegistryClient with AvroSerializer/AvroDeserializer
(confluent-kafka 2.16 from PyPI, in the virtual environment of
requirements-schema.txt) producing to and consuming from Sluice, with
Sluice's registry behind them: auto-registration, auto.register.schemas
False with use.latest.version True, and Confluent's error codes."""
import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, "build", "schema-venv")
CLIENT = os.path.join(ROOT, "tests", "integration", "schema_client.py")


@pytest.fixture(scope="module")
def venv_python():
    # scripts/install-deps test makes it; this keeps a fresh checkout working.
    subprocess.run([os.path.join(ROOT, "scripts", "schema-venv"), VENV], cwd=ROOT, check=True, timeout=600)
    return os.path.join(VENV, "bin", "python")


def run(venv_python, broker, scenario, topic, *args, client=CLIENT):
    out = subprocess.run([venv_python, client, scenario, broker.bootstrap, broker.schema_url, topic, *args],
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def registry_get(broker, path):
    import urllib.request
    with urllib.request.urlopen(broker.schema_url + path, timeout=10) as r:
        return json.loads(r.read())


def test_auto_registration(venv_python, broker):
    # The topic decodes every value against its schema: the serializer's records pass.
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic("orders", 1, 1, config={"sluice.value.schema.validation": "full"})])["orders"].result(10)
    r = run(venv_python, broker, "auto", "orders")
    assert r["consumed"] == r["produced"]
    # Each record starts with the magic byte and the id its schema got.
    assert r["ids"] == [1, 1, 2]
    assert r["versions"] == [1, 2]
    assert r["latest"] == {"version": 2, "id": 2}
    assert registry_get(broker, "/subjects") == ["orders-value"]
    assert json.loads(registry_get(broker, "/schemas/ids/2")["schema"])["fields"][2]["name"] == "quantity"


def test_latest_version_without_auto_registration(venv_python, broker):
    r = run(venv_python, broker, "latest", "payments")
    assert r["registered"] == [1, 2]
    assert r["consumed"] == r["produced"]
    # use.latest.version: written with the subject's latest schema, id 2.
    assert r["ids"] == [2]
    assert r["versions"] == [1, 2]
    assert "40403" in r["strict"]
    assert registry_get(broker, "/subjects/payments-value/versions") == [1, 2]


def test_error_codes(venv_python, broker):
    r = run(venv_python, broker, "errors", "audit")
    assert r["incompatible"] == {"http": 409, "code": 409}
    assert r["unknown_subject"] == {"http": 404, "code": 40401}
    assert r["unknown_version"] == {"http": 404, "code": 40402}
    assert r["unknown_id"] == {"http": 404, "code": 40403}
    assert r["invalid"] == {"http": 422, "code": 42201}
    assert r["compatible_check"] is False
    assert r["level"] == "NONE"
    assert r["after_none"] == 2

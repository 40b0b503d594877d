"""Confluent's JavaScript schema registry client, @confluentinc/schemaregistry
(npm, pinned in js-schemaregistry/package.json and its lock file, installed
by scripts/install-deps test), against Sluice's registry: register and fetch,
AvroSerializer's bytes through a topic that validates ids and back through
AvroDeserializer, and Confluent's error codes as the client reports them."""
import json
import os
import subprocess

from confluent_kafka.admin import AdminClient, NewTopic

from test_schema_registry import sr

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(HERE, "js-schemaregistry")


def test_confluent_js_client(broker):
    assert os.path.isdir(os.path.join(PKG, "node_modules", "@confluentinc", "schemaregistry")), \
        "@confluentinc/schemaregistry is missing: scripts/install-deps test installs it"
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic("orders", 1, 1, config={"confluent.value.schema.validation": "true"})])[
        "orders"].result(timeout=15)
    p = subprocess.run(["node", os.path.join(PKG, "registry_client.js"), broker.schema_url, broker.bootstrap, "orders"],
                       capture_output=True, text=True, timeout=120, cwd=PKG)
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])

    assert (r["id1"], r["id2"], r["id1_again"]) == (1, 2, 1)
    assert r["fetched"]["fields"][1]["name"] == "note"
    assert r["latest"] == {"id": 2, "version": 2, "subject": "orders-value"}
    assert r["version1"] == 1 and r["versions"] == [1, 2] and r["subjects"] == ["orders-value"]
    assert r["compatible"] is True and r["incompatible_check"] is False

    assert (r["incompatible"]["status"], r["incompatible"]["error_code"]) == (409, 409), r["incompatible"]
    assert (r["unknown_subject"]["status"], r["unknown_subject"]["error_code"]) == (404, 40401), r["unknown_subject"]
    assert (r["unknown_version"]["status"], r["unknown_version"]["error_code"]) == (404, 40402)
    assert (r["unknown_id"]["status"], r["unknown_id"]["error_code"]) == (404, 40403)
    assert (r["invalid"]["status"], r["invalid"]["error_code"]) == (422, 42201)
    # Nothing the failed calls sent was registered.
    assert sr(broker, "/subjects/orders-value/versions")[1] == [1, 2]

    # The serializer framed the record with the latest id; the topic took it and
    # refused the plain one; the deserializer read it back.
    assert (r["magic"], r["wire_id"]) == (0, 2)
    assert r["plain_refused"] and "INVALID_RECORD" in r["plain_refused"], r["plain_refused"]
    assert r["consumed"] == {"id": 42, "note": "hello"}

"""The schema registry's REST API (Confluent's), over HTTP against the
real broker: registration and ids, lookups, versions, deletes, config,
mode, compatibility checks, and Confluent's error bodies."""
import json
import signal
import time
import urllib.error
import urllib.request

import pytest
from confluent_kafka import Consumer

CT = "application/vnd.schemaregistry.v1+json"


def sr(b, path, method="GET", body=None):
    """(status, parsed JSON body, content type); never raises on an HTTP error."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(b.schema_url + path, data=data, method=method,
                                 headers={"Content-Type": CT} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw, status, ctype = r.read(), r.status, r.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        raw, status, ctype = e.read(), e.code, e.headers.get("Content-Type")
    try:
        return status, json.loads(raw), ctype
    except ValueError:
        return status, raw.decode(), ctype


def record(*fields):
    return json.dumps({"type": "record", "name": "User", "namespace": "shop",
                       "fields": [dict(f) for f in fields]})


def schemas_records(b, count):
    """The first `count` records of `_schemas` as (key, value) JSON (value
    None for a tombstone), or fewer if they do not come within 20 s."""
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "read-schemas",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe(["_schemas"])
    records = []
    deadline = time.monotonic() + 20
    while len(records) < count and time.monotonic() < deadline:
        m = c.poll(1.0)
        if m is not None and not m.error():
            records.append((json.loads(m.key()), None if m.value() is None else json.loads(m.value())))
    c.close()
    return records


ID = {"name": "id", "type": "long"}
EMAIL_DEFAULT = {"name": "email", "type": "string", "default": ""}
AGE_REQUIRED = {"name": "age", "type": "int"}


def test_register_versions_and_ids(broker):
    assert sr(broker, "/subjects")[:2] == (200, [])
    status, body, ctype = sr(broker, "/subjects/users-value/versions", "POST", {"schema": record(ID)})
    assert (status, body, ctype) == (200, {"id": 1}, CT)
    # The same schema, differently spaced and ordered: the same id, no new version.
    same = json.dumps({"fields": [{"type": {"type": "long"}, "name": "id"}], "namespace": "shop",
                       "name": "User", "type": "record"}, indent=2)
    assert sr(broker, "/subjects/users-value/versions", "POST", {"schema": same})[:2] == (200, {"id": 1})
    assert sr(broker, "/subjects/users-value/versions", "POST",
              {"schema": record(ID, EMAIL_DEFAULT), "schemaType": "AVRO"})[:2] == (200, {"id": 2})
    # Another subject registering version 1's schema shares its global id.
    assert sr(broker, "/subjects/audit-value/versions", "POST", {"schema": record(ID)})[:2] == (200, {"id": 1})

    assert sr(broker, "/subjects")[:2] == (200, ["audit-value", "users-value"])
    assert sr(broker, "/subjects/users-value/versions")[:2] == (200, [1, 2])
    status, latest, _ = sr(broker, "/subjects/users-value/versions/latest")
    assert status == 200
    assert (latest["subject"], latest["version"], latest["id"]) == ("users-value", 2, 2)
    assert json.loads(latest["schema"])["fields"][1]["name"] == "email"
    assert sr(broker, "/subjects/users-value/versions/1")[1]["id"] == 1
    status, raw, _ = sr(broker, "/subjects/users-value/versions/1/schema")
    assert status == 200 and raw["name"] == "User"
    assert sr(broker, "/subjects/users-value/versions/1/referencedby")[:2] == (200, [])

    assert json.loads(sr(broker, "/schemas/ids/2")[1]["schema"])["fields"][1]["name"] == "email"
    assert sr(broker, "/schemas/ids/1/subjects")[:2] == (200, ["audit-value", "users-value"])
    assert sr(broker, "/schemas/ids/1/versions")[:2] == (200, [{"subject": "audit-value", "version": 1},
                                                             {"subject": "users-value", "version": 1}])
    assert sr(broker, "/schemas/ids/1/schema")[1]["name"] == "User"
    status, types, _ = sr(broker, "/schemas/types")
    assert status == 200 and {"AVRO", "JSON", "PROTOBUF"} <= set(types)

    # Looking a schema up under a subject.
    status, found, _ = sr(broker, "/subjects/users-value", "POST", {"schema": record(ID, EMAIL_DEFAULT)})
    assert status == 200 and (found["version"], found["id"]) == (2, 2)


def test_errors_are_confluents(broker):
    assert sr(broker, "/subjects/users-value/versions", "POST", {"schema": record(ID)})[0] == 200

    def error(path, method="GET", body=None):
        status, body, ctype = sr(broker, path, method, body)
        assert ctype == CT
        assert set(body) == {"error_code", "message"}, body
        return status, body["error_code"]

    assert error("/subjects/nobody/versions") == (404, 40401)
    assert error("/subjects/nobody/versions/1") == (404, 40401)
    assert error("/subjects/users-value/versions/9") == (404, 40402)
    assert error("/subjects/users-value/versions/zero") == (422, 42202)
    assert error("/schemas/ids/99") == (404, 40403)
    assert error("/subjects/users-value", "POST", {"schema": record(AGE_REQUIRED)}) == (404, 40403)
    assert error("/subjects/users-value/versions", "POST", {"schema": "{\"type\": \"recrod\"}"}) == (422, 42201)
    assert error("/subjects/users-value/versions", "POST", {"schema": "not json"}) == (422, 42201)
    # BACKWARD (the default): a new field without a default cannot read old data.
    assert error("/subjects/users-value/versions", "POST", {"schema": record(ID, AGE_REQUIRED)}) == (409, 409)
    assert error("/config", "PUT", {"compatibility": "SIDEWAYS"}) == (422, 42203)
    assert error("/mode", "PUT", {"mode": "WRITEONLY"}) == (422, 42204)
    assert error("/config/users-value") == (404, 40408)
    assert error("/mode/users-value") == (404, 40409)
    assert error("/no/such/path") == (404, 404)
    # Client bytes that are not JSON do not hurt the broker.
    req = urllib.request.Request(broker.schema_url + "/subjects/x/versions", data=b"\x00\xff{",
                                 method="POST", headers={"Content-Type": CT})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    assert sr(broker, "/subjects")[:2] == (200, ["users-value"])


def test_soft_and_permanent_deletes(broker):
    for schema in (record(ID), record(ID, EMAIL_DEFAULT)):
        assert sr(broker, "/subjects/s/versions", "POST", {"schema": schema})[0] == 200
    # A permanent delete needs a soft delete first.
    assert sr(broker, "/subjects/s/versions/2?permanent=true", "DELETE")[1]["error_code"] == 40407
    assert sr(broker, "/subjects/s/versions/latest", "DELETE")[:2] == (200, 2)
    assert sr(broker, "/subjects/s/versions/2", "DELETE")[1]["error_code"] == 40406
    assert sr(broker, "/subjects/s/versions")[:2] == (200, [1])
    assert sr(broker, "/subjects/s/versions?deleted=true")[:2] == (200, [1, 2])
    assert sr(broker, "/subjects/s/versions/2?deleted=true")[1]["id"] == 2
    # Soft-deleted versions still serve their schema by id.
    assert sr(broker, "/schemas/ids/2")[0] == 200
    # Version numbers go on after a soft-deleted one; the schema keeps its id.
    assert sr(broker, "/subjects/s/versions", "POST", {"schema": record(ID, EMAIL_DEFAULT)})[:2] == (200, {"id": 2})
    assert sr(broker, "/subjects/s/versions")[:2] == (200, [1, 3])

    assert sr(broker, "/subjects/s?permanent=true", "DELETE")[1]["error_code"] == 40405
    assert sr(broker, "/subjects/s", "DELETE")[:2] == (200, [1, 3])
    assert sr(broker, "/subjects/s", "DELETE")[1]["error_code"] == 40404
    assert sr(broker, "/subjects")[:2] == (200, [])
    assert sr(broker, "/subjects?deleted=true")[:2] == (200, ["s"])
    assert sr(broker, "/subjects/s?permanent=true", "DELETE")[:2] == (200, [1, 2, 3])
    assert sr(broker, "/subjects?deleted=true")[:2] == (200, [])
    assert sr(broker, "/schemas/ids/1")[1]["error_code"] == 40403
    # Ids are never reused: a new schema gets a new id, an old one its old id.
    assert sr(broker, "/subjects/s/versions", "POST", {"schema": record(ID, AGE_REQUIRED)})[:2] == (200, {"id": 3})
    assert sr(broker, "/subjects/t/versions", "POST", {"schema": record(ID)})[:2] == (200, {"id": 1})


def test_config_mode_and_compatibility(broker):
    assert sr(broker, "/config")[:2] == (200, {"compatibilityLevel": "BACKWARD"})
    assert sr(broker, "/subjects/s/versions", "POST", {"schema": record(ID)})[0] == 200
    check = "/compatibility/subjects/s/versions/latest?verbose=true"
    status, verdict, _ = sr(broker, check, "POST", {"schema": record(ID, AGE_REQUIRED)})
    assert status == 200 and verdict["is_compatible"] is False
    assert any("age" in m for m in verdict["messages"])
    assert sr(broker, "/compatibility/subjects/s/versions", "POST",
              {"schema": record(ID, EMAIL_DEFAULT)})[:2] == (200, {"is_compatible": True})

    # FORWARD on the subject: removing a field without default breaks old readers,
    # adding one does not.
    assert sr(broker, "/config/s", "PUT", {"compatibility": "FORWARD"})[:2] == (200, {"compatibility": "FORWARD"})
    assert sr(broker, "/config/s")[:2] == (200, {"compatibilityLevel": "FORWARD"})
    assert sr(broker, "/config/other?defaultToGlobal=true")[:2] == (200, {"compatibilityLevel": "BACKWARD"})
    assert sr(broker, check, "POST", {"schema": record(ID, AGE_REQUIRED)})[1]["is_compatible"] is True
    assert sr(broker, check, "POST", {"schema": record(EMAIL_DEFAULT)})[1]["is_compatible"] is False
    assert sr(broker, "/config/s", "DELETE")[:2] == (200, {"compatibilityLevel": "FORWARD"})
    assert sr(broker, "/config/s")[1]["error_code"] == 40408
    assert sr(broker, "/config", "PUT", {"compatibility": "NONE"})[0] == 200
    assert sr(broker, "/subjects/s/versions", "POST", {"schema": "\"string\""})[:2] == (200, {"id": 2})

    # READONLY refuses changes; IMPORT keeps given ids and needs force where ids exist.
    assert sr(broker, "/mode")[:2] == (200, {"mode": "READWRITE"})
    assert sr(broker, "/mode/s", "PUT", {"mode": "READONLY"})[:2] == (200, {"mode": "READONLY"})
    assert sr(broker, "/subjects/s/versions", "POST", {"schema": "\"int\""})[1]["error_code"] == 42205
    assert sr(broker, "/subjects/s", "DELETE")[1]["error_code"] == 42205
    assert sr(broker, "/mode/s", "DELETE")[:2] == (200, {"mode": "READONLY"})
    assert sr(broker, "/mode", "PUT", {"mode": "IMPORT"})[1]["error_code"] == 42205
    assert sr(broker, "/mode/imported", "PUT", {"mode": "IMPORT"})[0] == 200
    assert sr(broker, "/subjects/imported/versions", "POST",
              {"schema": "\"bytes\"", "id": 100, "version": 5})[:2] == (200, {"id": 100})
    assert sr(broker, "/subjects/imported/versions/5")[1]["id"] == 100
    assert sr(broker, "/mode/imported", "PUT", {"mode": "READWRITE"})[0] == 200
    assert sr(broker, "/subjects/t/versions", "POST", {"schema": "\"double\""})[:2] == (200, {"id": 101})


def test_survives_kill_9_and_topic_holds_confluents_records(broker):
    assert sr(broker, "/subjects/users-value/versions", "POST", {"schema": record(ID)})[:2] == (200, {"id": 1})
    assert sr(broker, "/subjects/users-value/versions", "POST",
              {"schema": record(ID, EMAIL_DEFAULT)})[:2] == (200, {"id": 2})
    assert sr(broker, "/subjects/gone-value/versions", "POST", {"schema": "\"string\""})[:2] == (200, {"id": 3})
    assert sr(broker, "/subjects/gone-value", "DELETE")[0] == 200
    assert sr(broker, "/subjects/gone-value?permanent=true", "DELETE")[0] == 200
    assert sr(broker, "/subjects/users-value/versions/1", "DELETE")[0] == 200
    assert sr(broker, "/config/users-value", "PUT", {"compatibility": "FULL"})[0] == 200
    assert sr(broker, "/mode/frozen", "PUT", {"mode": "READONLY"})[0] == 200

    # Every answer above came after its fsync: a kill -9 loses none of it.
    broker.stop(sig=signal.SIGKILL)
    broker.start()
    assert sr(broker, "/subjects")[:2] == (200, ["users-value"])
    assert sr(broker, "/subjects/users-value/versions")[:2] == (200, [2])
    assert sr(broker, "/subjects/users-value/versions?deleted=true")[:2] == (200, [1, 2])
    assert sr(broker, "/subjects/gone-value/versions?deleted=true")[1]["error_code"] == 40401
    assert sr(broker, "/config/users-value")[:2] == (200, {"compatibilityLevel": "FULL"})
    assert sr(broker, "/mode/frozen")[:2] == (200, {"mode": "READONLY"})
    # Ids go on past every id given before the crash, including deleted ones.
    assert sr(broker, "/subjects/new-value/versions", "POST", {"schema": "\"int\""})[:2] == (200, {"id": 4})

    records = schemas_records(broker, 9)
    assert len(records) == 9, records
    key, value = records[0]
    assert key == {"keytype": "SCHEMA", "subject": "users-value", "version": 1, "magic": 1}
    assert value["subject"] == "users-value" and value["version"] == 1 and value["id"] == 1
    assert value["deleted"] is False and json.loads(value["schema"])["name"] == "User"
    # The permanent delete of gone-value's version 1 is a tombstone of its key.
    assert ({"keytype": "SCHEMA", "subject": "gone-value", "version": 1, "magic": 1}, None) in records
    soft = [v for k, v in records if k.get("subject") == "users-value" and v and v.get("version") == 1]
    assert soft[-1]["deleted"] is True
    assert ({"keytype": "CONFIG", "subject": "users-value", "magic": 0},
            {"compatibilityLevel": "FULL"}) in records
    assert ({"keytype": "MODE", "subject": "frozen", "magic": 0}, {"mode": "READONLY"}) in records


def test_hostile_requests_do_not_hurt(broker):
    import random
    rnd = random.Random(15)
    deep = "[" * 3000 + "]" * 3000
    nested_schema = '{"type":"array","items":' * 1500 + '"int"' + "}" * 1500
    recursive = json.dumps({"type": "record", "name": "N", "fields": [
        {"name": "next", "type": ["null", "N"]}, {"name": "kids", "type": {"type": "array", "items": "N"}}]})
    bodies = [deep, '{"schema": ' + json.dumps(deep) + "}", '{"schema": ' + json.dumps(nested_schema) + "}",
              '{"schema": 42}', '{"schema": null}', '{"schema": "\\u0000"}', "[]", '"x"', "{",
              '{"schema": "\\"int\\"", "id": "x", "version": -5, "schemaType": 7}',
              '{"schema": "\\"int\\"", "references": [{"name": "a"}]}',
              '{"schema": ' + json.dumps(recursive) + "}"]
    bodies += [bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300))) for _ in range(30)]
    paths = ["/subjects/s/versions", "/subjects/s", "/compatibility/subjects/s/versions",
             "/compatibility/subjects/s/versions/latest", "/config", "/config/s", "/mode/s",
             "/subjects/%00/versions", "/subjects/" + "x" * 5000 + "/versions"]
    for path in paths:
        for body in bodies:
            data = body if isinstance(body, bytes) else body.encode()
            for method in ("POST", "PUT"):
                req = urllib.request.Request(broker.schema_url + path, data=data, method=method,
                                             headers={"Content-Type": CT})
                try:
                    urllib.request.urlopen(req, timeout=10).read()
                except urllib.error.HTTPError as e:
                    assert e.code < 500, (path, body[:80], e.code)
    # Recursive schemas register, and evolve by the rules.
    status, body, _ = sr(broker, "/subjects/tree/versions", "POST", {"schema": recursive})
    assert status == 200
    assert sr(broker, "/compatibility/subjects/tree/versions/latest", "POST",
              {"schema": recursive})[1] == {"is_compatible": True}
    assert sr(broker, "/subjects")[0] == 200


def test_changes_need_a_registry_content_type(broker):
    # A page on another site may POST text/plain without asking (CORS):
    # the registry refuses it, so such a page cannot register schemas.
    for ctype in ("text/plain", "application/x-www-form-urlencoded", None):
        req = urllib.request.Request(broker.schema_url + "/subjects/s/versions", method="POST",
                                     data=json.dumps({"schema": "\"int\""}).encode(),
                                     headers={"Content-Type": ctype} if ctype else {})
        if ctype is None:
            req.remove_header("Content-type")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        assert e.value.code == 415
    assert sr(broker, "/subjects")[:2] == (200, [])
    for ctype in ("application/json", "application/vnd.schemaregistry+json"):
        req = urllib.request.Request(broker.schema_url + "/subjects/s/versions", method="POST",
                                     data=json.dumps({"schema": "\"int\""}).encode(), headers={"Content-Type": ctype})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert json.loads(r.read()) == {"id": 1}


def test_foreign_records_in_schemas_topic(broker):
    from confluent_kafka import Producer
    assert sr(broker, "/subjects/s/versions", "POST", {"schema": record(ID)})[:2] == (200, {"id": 1})
    p = Producer({"bootstrap.servers": broker.bootstrap})
    junk = [(b"\xff\x00", b"garbage"), (None, b"{}"), (b"{}", None), (b"[1,2]", b"[3]"),
            (b'{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}', b'{"id":"x","schema":7}'),
            # id 1 already holds another schema: refused, not applied
            (b'{"keytype":"SCHEMA","subject":"t","version":1,"magic":1}',
             b'{"subject":"t","version":1,"id":1,"schema":"\\"int\\"","deleted":false}'),
            (b'{"keytype":"CONFIG","subject":7,"magic":0}', b'{"compatibilityLevel":"NONE"}'),
            (b'{"keytype":"NOOP","magic":0}', b"{}"),
            # what a Confluent registry writing to the same topic would add
            (b'{"keytype":"SCHEMA","subject":"u","version":1,"magic":1}',
             b'{"subject":"u","version":1,"id":9,"schema":"{\\"type\\": \\"string\\"}","deleted":false}')]
    for k, v in junk:
        p.produce("_schemas", key=k, value=v)
    assert p.flush(10) == 0
    broker.restart()
    assert sr(broker, "/subjects")[:2] == (200, ["s", "u"])
    assert sr(broker, "/subjects/s/versions/1")[1]["id"] == 1
    assert sr(broker, "/subjects/u/versions/1")[1]["id"] == 9
    assert json.loads(sr(broker, "/schemas/ids/1")[1]["schema"])["name"] == "User"
    # The next id goes past the highest id the topic holds.
    assert sr(broker, "/subjects/v/versions", "POST", {"schema": "\"bytes\""})[:2] == (200, {"id": 10})
    assert sr(broker, "/config")[:2] == (200, {"compatibilityLevel": "BACKWARD"})
    assert "skipped=8" in broker.read_log()


def test_listener_off_and_port_in_use(broker_factory, tmp_path):
    import socket
    import subprocess
    from conftest import SLUICE_BIN, free_port
    off = broker_factory(props={"schema.registry.listeners": ""}, name="off")
    assert "sub=schema" not in off.read_log()
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        p = subprocess.run([SLUICE_BIN, "serve", "--listeners=PLAINTEXT://127.0.0.1:%d" % free_port(avoid={port}),
                            "--http.listeners=", "--schema.registry.listeners=http://127.0.0.1:%d" % port,
                            "--log.dirs=%s" % (tmp_path / "held")], capture_output=True, text=True, timeout=20)
    out = p.stdout + p.stderr
    assert p.returncode > 0 and "schema.registry.listeners" in out and str(port) in out, out
    p = subprocess.run([SLUICE_BIN, "serve", "--schema.registry.listeners=ftp://x:1",
                        "--log.dirs=%s" % (tmp_path / "bad")], capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "schema.registry.listeners" in p.stdout + p.stderr

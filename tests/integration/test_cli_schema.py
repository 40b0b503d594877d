"""`sluice schema list|get|register|check|delete` against the broker's own
schema registry, each result checked through the registry's REST API
directly (test_schema_registry.sr), not through the CLI."""
import json
import socket
import time

import pytest

from test_cli import sluice
from test_schema_registry import sr

ID = {"name": "id", "type": "long"}
EMAIL_DEFAULT = {"name": "email", "type": "string", "default": ""}
AGE_REQUIRED = {"name": "age", "type": "int"}


def user(*fields):
    return {"type": "record", "name": "User", "namespace": "shop", "fields": list(fields)}


def schema(b, *args, stdin="", env=None):
    """Runs `sluice schema ARGS --registry <the broker's registry>`."""
    return sluice("schema", *args, "--registry", b.schema_url, stdin=stdin, env=env)


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(path)


def test_register_list_get(broker, tmp_path):
    v1 = write(tmp_path, "v1.avsc", user(ID))
    rc, out, err, _ = schema(broker, "register", "users-value", "--file", v1)
    assert (rc, out, err) == (0, "1\n", "")
    status, got, _ = sr(broker, "/subjects/users-value/versions/1")
    assert status == 200 and got["id"] == 1 and json.loads(got["schema"]) == user(ID)

    # From stdin, with the registry named by the environment instead.
    rc, out, err, _ = sluice("schema", "register", "users-value", stdin=json.dumps(user(ID, EMAIL_DEFAULT)),
                             env={"SLUICE_SCHEMA_REGISTRY": broker.schema_url})
    assert (rc, out) == (0, "2\n"), err
    # The same schema again, under another subject: its existing id.
    assert schema(broker, "register", "audit-value", "-f", v1)[:2] == (0, "1\n")
    assert sr(broker, "/subjects")[1] == ["audit-value", "users-value"]

    assert schema(broker, "list")[:2] == (0, "audit-value\nusers-value\n")
    assert schema(broker, "list", "users-value")[:2] == (0, "1\n2\n")

    # get prints the schema pretty-printed: indented JSON of the same document.
    rc, out, err, _ = schema(broker, "get", "users-value")
    assert rc == 0 and json.loads(out) == user(ID, EMAIL_DEFAULT), err
    assert out.count("\n") > 5 and '\n  "fields": [' in out
    rc, out, _, _ = schema(broker, "get", "users-value", "1")
    assert rc == 0 and json.loads(out) == user(ID)
    rc, out, _, _ = schema(broker, "get", "--id", "2")
    assert rc == 0 and json.loads(out) == user(ID, EMAIL_DEFAULT)
    rc, out, err, _ = schema(broker, "get", "users-value", "latest", "-v")
    assert rc == 0 and err == "subject users-value version 2 id 2 type AVRO\n"


def test_check_compatibility(broker, tmp_path):
    assert schema(broker, "register", "users-value", "-f", write(tmp_path, "v1.avsc", user(ID)))[0] == 0
    compatible = write(tmp_path, "ok.avsc", user(ID, EMAIL_DEFAULT))
    incompatible = write(tmp_path, "bad.avsc", user(ID, AGE_REQUIRED))

    assert schema(broker, "check", "users-value", "-f", compatible)[:3] == (0, "compatible\n", "")
    assert schema(broker, "check", "users-value", "1", "-f", compatible)[:2] == (0, "compatible\n")
    rc, out, err, _ = schema(broker, "check", "users-value", "-f", incompatible)
    lines = out.splitlines()
    assert rc == 1 and lines[0] == "incompatible" and err == ""
    # The registry's reasons (verbose=true), the same as it gives over REST.
    status, verdict, _ = sr(broker, "/compatibility/subjects/users-value/versions?verbose=true", "POST",
                            {"schema": json.dumps(user(ID, AGE_REQUIRED))})
    assert status == 200 and verdict["is_compatible"] is False and verdict["messages"]
    assert [line.strip() for line in lines[1:]] == verdict["messages"]
    assert "age" in out
    # Nothing was registered by checking.
    assert sr(broker, "/subjects/users-value/versions")[1] == [1]


def test_errors_carry_confluents_codes(broker, tmp_path):
    v1 = write(tmp_path, "v1.avsc", user(ID))
    assert schema(broker, "register", "users-value", "-f", v1)[0] == 0

    def fails(code, *args):
        rc, out, err, _ = schema(broker, *args)
        assert rc == 1 and out == "", (args, out, err)
        assert err.startswith("sluice schema %s: error %d: " % (args[0], code)), err
        return err

    assert "nobody" in fails(40401, "get", "nobody")
    fails(40401, "list", "nobody")
    fails(40402, "get", "users-value", "7")
    fails(40403, "get", "--id", "99")
    fails(42201, "register", "users-value", "-f", write(tmp_path, "junk.avsc", '{"type": "record"'))
    fails(409, "register", "users-value", "-f", write(tmp_path, "bad.avsc", user(ID, AGE_REQUIRED)))
    fails(40401, "check", "nobody", "latest", "-f", v1)
    fails(40401, "delete", "nobody")
    assert sr(broker, "/subjects/users-value/versions")[1] == [1]

    # Usage errors: exit 2, nothing sent.
    for args in (["register", "users-value", "-f", v1, "--type", "XML"],
                 ["register", "users-value", "-f", v1, "--reference", "no-version"],
                 ["get", "users-value", "--id", "1"], ["get", "users-value", "zero"],
                 ["list", "--permanent"], ["delete"], ["frobnicate"], []):
        rc, out, err, _ = schema(broker, *args)
        assert rc == 2 and "see 'sluice schema" in err, (args, err)
    rc, _, err, _ = schema(broker, "register", "users-value", "-f", str(tmp_path / "missing.avsc"))
    assert rc == 1 and "missing.avsc" in err


def test_delete_soft_and_permanent(broker, tmp_path):
    assert schema(broker, "register", "users-value", "-f", write(tmp_path, "1.avsc", user(ID)))[0] == 0
    assert schema(broker, "register", "users-value", "-f",
                  write(tmp_path, "2.avsc", user(ID, EMAIL_DEFAULT)))[0] == 0
    assert schema(broker, "register", "other-value", "-f", write(tmp_path, "o.avsc", user(ID)))[0] == 0

    assert schema(broker, "delete", "users-value", "1")[:2] == (0, "1\n")
    assert sr(broker, "/subjects/users-value/versions")[1] == [2]
    assert schema(broker, "list", "users-value")[:2] == (0, "2\n")
    assert schema(broker, "list", "users-value", "--deleted")[:2] == (0, "1\n2\n")

    # Soft-deleting the subject, then deleting it for good in one more call.
    assert schema(broker, "delete", "other-value")[:2] == (0, "1\n")
    assert schema(broker, "list")[1] == "users-value\n"
    assert schema(broker, "list", "--deleted")[1] == "other-value\nusers-value\n"
    assert schema(broker, "delete", "other-value", "--permanent")[:2] == (0, "1\n")
    assert sr(broker, "/subjects?deleted=true")[1] == ["users-value"]

    # --permanent on a live subject soft-deletes it first, as the registry requires.
    rc, out, err, _ = schema(broker, "delete", "users-value", "--permanent")
    assert (rc, out) == (0, "1\n2\n"), err
    assert sr(broker, "/subjects?deleted=true")[1] == []
    assert sr(broker, "/subjects/users-value/versions?deleted=true")[1]["error_code"] == 40401


def test_references_are_sent(broker, tmp_path):
    address = {"type": "record", "name": "Address", "namespace": "shop",
               "fields": [{"name": "city", "type": "string"}]}
    assert schema(broker, "register", "address-value", "-f", write(tmp_path, "a.avsc", address))[:2] == (0, "1\n")
    customer = {"type": "record", "name": "Customer", "namespace": "shop",
                "fields": [{"name": "home", "type": "shop.Address"}]}
    rc, out, err, _ = schema(broker, "register", "customers-value", "-f", write(tmp_path, "c.avsc", customer),
                             "--reference", "shop.Address=address-value:1")
    assert (rc, out) == (0, "2\n"), err
    got = sr(broker, "/subjects/customers-value/versions/1")[1]
    assert got["references"] == [{"name": "shop.Address", "subject": "address-value", "version": 1}]


def test_no_registry_fails_fast_naming_the_url(broker):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # closed again: nothing listens there
    url = "http://127.0.0.1:%d" % port
    rc, out, err, took = sluice("schema", "list", "--registry", url)
    assert rc == 1 and out == "" and took < 4
    assert "cannot reach the schema registry at %s (from --registry)" % url in err
    rc, _, err, _ = sluice("schema", "list", env={"SLUICE_SCHEMA_REGISTRY": url})
    assert rc == 1 and "at %s (from SLUICE_SCHEMA_REGISTRY)" % url in err

    # A listener that accepts and never answers: the request's timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = "http://127.0.0.1:%d" % silent.getsockname()[1]
        t0 = time.monotonic()
        rc, _, err, _ = sluice("schema", "get", "users-value", "-r", url, "--timeout-ms", "300")
        assert rc == 1 and time.monotonic() - t0 < 3 and url in err and "timed out" in err.lower()


"""The console's schema registry pages: /api/schemas read on the broker's
loop (also with the registry's REST listener off), and the pages in a real
browser (Debian's chromium via playwright-core): subjects, compatibility
levels, which topic validates against which subject, versions and a line
diff between two versions."""
import json
import os
import subprocess
import urllib.request

from confluent_kafka.admin import AdminClient, NewTopic

from conftest import SANITIZED
from test_console import png_ink
from test_schema_registry import sr

HERE = os.path.dirname(os.path.abspath(__file__))
SLOW = 3 if SANITIZED else 1


def api(b, path):
    with urllib.request.urlopen(b.http_url + "/api" + path, timeout=10) as r:
        return json.loads(r.read())


def order(*extra):
    fields = [{"name": "id", "type": "long"}] + [{"name": n, "type": "string", "default": ""} for n in extra]
    return json.dumps({"type": "record", "name": "Order", "namespace": "shop", "fields": fields})


def pretty(text):
    return json.dumps(json.loads(text), indent=2)


def setup_registry(b):
    """orders-value with three versions, payments-value with its own level,
    and topics validating by id, by payload, by record name, and against a
    subject nobody registered."""
    for i, extra in enumerate([(), ("note",), ("note", "channel")]):
        assert sr(b, "/subjects/orders-value/versions", "POST", {"schema": order(*extra)})[:2] == (200, {"id": i + 1})
    assert sr(b, "/subjects/payments-value/versions", "POST", {"schema": order()})[0] == 200
    assert sr(b, "/config/payments-value", "PUT", {"compatibility": "FULL"})[0] == 200
    assert sr(b, "/config", "PUT", {"compatibility": "FORWARD"})[0] == 200
    topics = [NewTopic("orders", 1, 1, config={"confluent.value.schema.validation": "true"}),
              NewTopic("payments", 1, 1, config={"sluice.value.schema.validation": "full",
                                                 "confluent.key.schema.validation": "true",
                                                 "confluent.key.subject.name.strategy": "RecordNameStrategy"}),
              NewTopic("ghost", 1, 1, config={"confluent.value.schema.validation": "true"}),
              NewTopic("plain", 1, 1)]
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    for f in admin.create_topics(topics).values():
        f.result(timeout=15)


def test_schemas_api(broker_factory):
    b = broker_factory()
    setup_registry(b)
    r = api(b, "/schemas")
    assert (r["compatibility"], r["mode"], r["registry_port"]) == ("FORWARD", "READWRITE", b.schema_port)
    subjects = {s["subject"]: s for s in r["subjects"]}
    assert subjects["orders-value"]["versions"] == [1, 2, 3]
    assert subjects["orders-value"]["latest"] == {"version": 3, "id": 3, "type": "AVRO"}
    assert subjects["orders-value"]["compatibility"] == {"level": "FORWARD", "own": False}
    assert subjects["payments-value"]["compatibility"] == {"level": "FULL", "own": True}
    topics = {t["topic"]: t for t in r["topics"]}
    assert set(topics) == {"orders", "payments", "ghost"}
    assert topics["orders"]["key"] is None
    assert topics["orders"]["value"] == {"check": "id", "strategy": "TopicNameStrategy", "subject": "orders-value",
                                         "registered": True}
    assert topics["payments"]["value"]["check"] == "full"
    assert topics["payments"]["key"] == {"check": "id", "strategy": "RecordNameStrategy",
                                         "subject_pattern": "<record full name>"}
    assert topics["ghost"]["value"]["registered"] is False

    d = api(b, "/schemas/subjects/orders-value")
    assert [(v["version"], v["id"], v["deleted"]) for v in d["versions"]] == [(1, 1, False), (2, 2, False), (3, 3, False)]
    assert json.loads(d["versions"][2]["schema"]) == json.loads(order("note", "channel"))
    # A soft-deleted version stays listed, marked.
    assert sr(b, "/subjects/orders-value/versions/1", "DELETE")[0] == 200
    assert api(b, "/schemas/subjects/orders-value")["versions"][0]["deleted"] is True
    assert [s for s in api(b, "/schemas")["subjects"] if s["subject"] == "orders-value"][0]["deleted_versions"] == [1]
    try:
        api(b, "/schemas/subjects/nobody")
        assert False, "an unknown subject must be 404"
    except urllib.error.HTTPError as e:
        assert e.code == 404 and json.loads(e.read()) == {"error": "no subject nobody"}

    # With the REST listener off the registry still runs, and the console still reads it.
    b.stop()
    b.props["schema.registry.listeners"] = ""
    b.start()
    r = api(b, "/schemas")
    assert r["registry_port"] is None and {s["subject"] for s in r["subjects"]} == {"orders-value", "payments-value"}


def test_schema_pages_in_a_real_browser(broker_factory, tmp_path):
    assert os.path.isdir(os.path.join(HERE, "js", "node_modules", "playwright-core")), \
        "playwright-core is missing: scripts/install-deps test installs it"
    b = broker_factory()
    setup_registry(b)
    shots = tmp_path / "shots"
    shots.mkdir()
    p = subprocess.run(["node", os.path.join(HERE, "js", "console_schemas.js"), b.http_url, str(shots), "orders-value"],
                       capture_output=True, text=True, timeout=120 * SLOW, cwd=os.path.join(HERE, "js"))
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["ok"] and not r["errors"], r["errors"]
    assert r["nav_active"] == "schemas" and r["global_compat"] == "FORWARD"

    subjects = {row[0]: row for row in r["subjects"]}
    assert set(subjects) == {"orders-value", "payments-value"}
    assert subjects["orders-value"][1:5] == ["3", "3", "3", "AVRO"]
    assert subjects["orders-value"][5] == "FORWARD (global)" and subjects["orders-value"][6] == "orders (value)"
    assert subjects["payments-value"][5] == "FULL (set on the subject)"
    assert subjects["payments-value"][6] == "payments (value)"
    validation = {(row[0], row[1]): row[2:] for row in r["validation"]}
    assert validation == {
        ("orders", "value"): ["id", "TopicNameStrategy", "orders-value"],
        ("payments", "key"): ["id", "RecordNameStrategy", "<record full name>"],
        ("payments", "value"): ["full", "TopicNameStrategy", "payments-value"],
        ("ghost", "value"): ["id", "TopicNameStrategy", "ghost-value not registered: every record is refused"],
    }

    assert [row[:3] for row in r["versions"]] == [["1", "1", "AVRO"], ["2", "2", "AVRO"], ["3", "3", "AVRO"]]
    assert r["subject_compat"] == "FORWARD (global)"
    # The diff is of the pretty-printed schemas, as the registry holds them:
    # by default the latest against the one before, then 1 against 3.
    versions = {v["version"]: pretty(v["schema"]).split("\n")
                for v in api(b, "/schemas/subjects/orders-value")["versions"]}
    for diff, old, new in ((r["default_diff"], 2, 3), (r["diff"], 1, 3)):
        ops = [(cls, text[:2], text[2:]) for cls, text in diff["lines"]]
        assert all((cls, mark) in {("dsame", "  "), ("ddel", "- "), ("dadd", "+ ")} for cls, mark, _ in ops), ops
        # Both versions read back from the diff: it loses nothing and invents nothing.
        assert [t for c, _, t in ops if c != "dadd"] == versions[old]
        assert [t for c, _, t in ops if c != "ddel"] == versions[new]
        added = [t for c, _, t in ops if c == "dadd"]
        assert any('"channel"' in t for t in added) and not any(c == "ddel" and '"id"' in t for c, _, t in ops)
        assert "changed from version %d to 3" % old in diff["summary"]
    assert any('"note"' in t for c, t in r["diff"]["lines"] if c == "dadd")
    assert not any('"note"' in t for c, t in r["default_diff"]["lines"] if c == "dadd")
    assert json.loads(r["schema_text"]) == json.loads(order("note", "channel"))

    assert all(u.startswith(b.http_url) for u in r["requests"]), r["requests"]
    for f in r["screenshots"]:
        ink, colors = png_ink(f)
        assert ink > 0.02 and colors > 8, "%s looks blank (ink %.3f, %d colours)" % (f, ink, colors)

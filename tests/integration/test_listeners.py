"""Several named listeners (listeners, advertised.listeners,
listener.security.protocol.map): each request is answered with the
advertised address of the listener it arrived on, as Kafka does, so an
internal loopback listener works where the public one's advertised
address is unreachable (a container whose port is published elsewhere)."""
import os
import subprocess

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from conftest import SLUICE_BIN, free_port
from kwire import Conn, call, describe_cluster_v0, string


def two_listener_broker(broker_factory, public_advertised):
    """PLAINTEXT on one port advertised as public_advertised, INTERNAL on
    another advertised as its bind address."""
    public = free_port()
    internal = free_port(avoid={public})
    b = broker_factory({
        "listeners": "PLAINTEXT://127.0.0.1:%d,INTERNAL://127.0.0.1:%d" % (public, internal),
        "advertised.listeners": "PLAINTEXT://%s" % public_advertised(public),
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
    }, start=False)
    b.port = public
    b.start()
    return b, public, internal


def find_coordinator_v0(bootstrap, group):
    c = Conn(bootstrap)
    r = call(c, 10, 0, string(group))
    out = (r.i16(), r.i32(), r.string(), r.i32())
    c.close()
    return out


def describe_cluster(bootstrap):
    c = Conn(bootstrap)
    out = describe_cluster_v0(c)
    c.close()
    return out


def test_each_listener_answers_with_its_own_advertised_address(broker_factory):
    b, public, internal = two_listener_broker(broker_factory, lambda port: "localhost:%d" % port)
    for bootstrap, host, port in (("127.0.0.1:%d" % public, "localhost", public),
                                  ("127.0.0.1:%d" % internal, "127.0.0.1", internal)):
        md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10)
        assert [(x.host, x.port) for x in md.brokers.values()] == [(host, port)], bootstrap
        assert find_coordinator_v0(bootstrap, "g") == (0, 1, host, port)
        cluster = describe_cluster(bootstrap)
        assert cluster["error_code"] == 0
        assert [(x["host"], x["port"]) for x in cluster["brokers"]] == [(host, port)]


def test_internal_listener_works_when_public_address_is_unreachable(broker_factory):
    """The container case: the public listener advertises a port nothing
    listens on here; clients and the CLI on the internal one still work."""
    unreachable = free_port()
    b, public, internal = two_listener_broker(broker_factory, lambda port: "127.0.0.1:%d" % unreachable)
    bootstrap = "127.0.0.1:%d" % internal
    env = dict(os.environ, SLUICE_BOOTSTRAP=bootstrap)
    out = subprocess.run([SLUICE_BIN, "topic", "create", "inside", "--partitions", "2"], env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    p = Producer({"bootstrap.servers": bootstrap})
    for i in range(5):
        p.produce("inside", value=b"m%d" % i, partition=i % 2)
    assert p.flush(15) == 0
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "g-inside", "auto.offset.reset": "earliest"})
    c.subscribe(["inside"])
    got = set()
    for _ in range(60):
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.add(m.value())
        if len(got) == 5:
            break
    c.close()
    assert got == {b"m%d" % i for i in range(5)}
    # The public listener still tells its clients the published address.
    md = AdminClient({"bootstrap.servers": "127.0.0.1:%d" % public}).list_topics(timeout=10)
    assert [(x.host, x.port) for x in md.brokers.values()] == [("127.0.0.1", unreachable)]


def _serve(tmp_path, props):
    args = [SLUICE_BIN, "serve", "--log.dirs=%s" % (tmp_path / "d"), "--http.listeners=",
            "--schema.registry.listeners="] + ["--%s=%s" % kv for kv in props.items()]
    p = subprocess.run(args, capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.parametrize("props,names", [
    ({"listeners": "PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0"}, ["listeners", "PLAINTEXT", "twice"]),
    ({"listeners": "PLAINTEXT://127.0.0.1:19092,INTERNAL://127.0.0.1:19092",
      "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT"}, ["listeners", "port 19092"]),
    ({"listeners": "PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0"},
     ["listener.security.protocol.map", "INTERNAL"]),
    ({"listeners": "PLAINTEXT://127.0.0.1:0", "advertised.listeners": "EXTERNAL://h:1"},
     ["advertised.listeners", "EXTERNAL"]),
    ({"listeners": "PLAINTEXT://127.0.0.1:0", "advertised.listeners": "PLAINTEXT://0.0.0.0:9092"},
     ["advertised.listeners", "0.0.0.0"]),
    ({"listeners": "SSL://127.0.0.1:0"}, ["listener.security.protocol.map", "SSL", "not built yet"]),
    ({"listeners": "CLIENT://127.0.0.1:0", "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT"},
     ["listener.security.protocol.map", "SASL_PLAINTEXT", "not built yet"]),
    ({"listener.security.protocol.map": "PLAINTEXT:TLS"}, ["listener.security.protocol.map", "TLS"]),
])
def test_invalid_listener_combinations_refused_naming_the_property(tmp_path, props, names):
    rc, out = _serve(tmp_path, props)
    assert rc == 2, out
    for n in names:
        assert n in out, out

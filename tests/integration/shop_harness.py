"""The reference shop (examples/shop) around a broker, for the fault tests:
starts the gateway and the services (build/shop/shop-*, beside the broker
binary under test) on free ports, places orders through the orders API and
waits for states, never for time. Every process is stopped by its pid."""
import json
import os
import signal
import struct
import subprocess
import time
import urllib.error
import urllib.request

from confluent_kafka import Consumer

from conftest import SLUICE_BIN, free_port

SHOP_BIN = os.path.join(os.path.dirname(SLUICE_BIN), "shop")
SERVICES = ("orders", "payments", "inventory", "shipping", "notifications")
OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def http(method, url, body=None, timeout=30):
    """(status, parsed JSON or text) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def wait_for(what, check, timeout=60, every=0.2):
    """Polls check() until it returns a true value; fails naming `what`
    and the last value seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError("timed out waiting for %s; last: %r" % (what, last))


class Shop:
    """The gateway and the services of one test."""

    def __init__(self, tmp_path, bootstrap, registry_url, env=None):
        missing = [s for s in SERVICES + ("gateway",) if not os.path.exists(os.path.join(SHOP_BIN, "shop-" + s))]
        assert not missing, "the shop is not built (make shop): missing %s in %s" % (missing, SHOP_BIN)
        self.dir = str(tmp_path)
        self.procs = {}      # name -> Popen
        self.ports = {}      # service -> HTTP port
        self.env = dict(os.environ)
        self.env.update({
            "SHOP_BOOTSTRAP": bootstrap, "SHOP_REGISTRY": registry_url,
            "SHOP_DATA_DIR": os.path.join(self.dir, "shop-state"),
            "SHOP_HANDLER_TIMEOUT_MS": "1000", "SHOP_RETRY_DELAY_MS": "500",
            "SHOP_RETRY_MAX_DELAY_MS": "2000", "SHOP_RETRY_ATTEMPTS": "12",
        })
        self.env.update(env or {})
        self.ports["gateway"] = free_port()
        self.env["SHOP_GATEWAY"] = "http://127.0.0.1:%d" % self.ports["gateway"]

    def url(self, name):
        return "http://127.0.0.1:%d" % self.ports[name]

    def start(self, name, instance=""):
        """Starts a service (or the gateway); waits for its HTTP listener."""
        key = name + instance
        port = free_port(avoid=set(self.ports.values()))
        self.ports.setdefault(name, port)
        if instance:
            self.ports[key] = port
        env = dict(self.env, SHOP_HTTP_PORT=str(self.ports[key]))
        log = open(os.path.join(self.dir, key + ".log"), "a")
        self.procs[key] = subprocess.Popen([os.path.join(SHOP_BIN, "shop-" + name)], env=env,
                                           stdout=log, stderr=subprocess.STDOUT)
        wait_for(key + " listening", lambda: self._answers(key), timeout=60)
        return self.procs[key]

    def _answers(self, key):
        assert self.procs[key].poll() is None, "%s exited:\n%s" % (key, self.log(key)[-2000:])
        try:
            return http("GET", "http://127.0.0.1:%d/metrics" % self.ports[key], timeout=2)[0] == 200
        except OSError:
            return False

    def start_all(self):
        self.start("gateway")
        for s in SERVICES:
            self.start(s)
        return self

    def log(self, key):
        with open(os.path.join(self.dir, key + ".log"), errors="replace") as f:
            return f.read()

    def stop(self, key, sig=signal.SIGTERM, timeout=30):
        p = self.procs.pop(key, None)
        if p and p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return p.returncode if p else None

    def stop_all(self):
        """SIGTERM to each (a clean shutdown must exit 0); returns {key: rc}."""
        return {k: self.stop(k) for k in list(self.procs)}

    # ---- the shop's APIs ----

    def place(self, card=OK_CARD, item="mug"):
        """(status, order id or None)."""
        status, body = http("POST", self.url("orders") + "/orders", {
            "customer": "c", "item": item, "quantity": 1, "amount_cents": 700, "card": card})
        return status, body.get("id") if isinstance(body, dict) else None

    def order(self, oid):
        status, body = http("GET", self.url("orders") + "/orders/" + oid)
        return body if status == 200 else None

    def summary(self):
        return http("GET", self.url("orders") + "/orders")[1]

    def gateway(self, mode, slow_ms=None):
        body = {"mode": mode}
        if slow_ms is not None:
            body["slow_ms"] = slow_ms
        assert http("POST", self.url("gateway") + "/control", body)[0] == 200

    def ledger(self):
        return http("GET", self.url("gateway") + "/ledger")[1]

    def metric(self, key, name, labels=""):
        """One sample's value from a service's /metrics (0 if absent)."""
        text = http("GET", self.url(key) + "/metrics")[1]
        want = name + ("{%s}" % labels if labels else "")
        for line in text.splitlines():
            if line.startswith(want + " "):
                return float(line.split()[-1])
        return 0.0

    def wait_final(self, ids, state, timeout=90):
        """Until every order in ids is in state; returns their views."""
        def done():
            views = [self.order(i) for i in ids]
            return views if all(v and v["state"] == state for v in views) else None
        return wait_for("%d orders %s" % (len(ids), state), done, timeout=timeout, every=0.5)


def avro_long(n):
    """Avro's zigzag varint."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = z & 0x7F
        z >>= 7
        if z:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def avro_string(s):
    b = s.encode()
    return avro_long(len(b)) + b


def confluent_frame(schema_id, body):
    return b"\x00" + struct.pack(">i", schema_id) + body


def schema_id(registry_url, subject):
    status, body = http("GET", "%s/subjects/%s/versions/latest" % (registry_url, subject))
    assert status == 200, body
    return body["id"]


def steady_latency(shop, n=40, gap=0.1):
    """Places n orders, gap seconds apart, on a healthy shop; the end-to-end
    latency (placed -> shipped, ms) of those orders: (p50, p99). One order
    goes through first, so that every group has joined."""
    shop.wait_final([shop.place()[1]], "shipped")
    ids = []
    for _ in range(n):
        status, oid = shop.place()
        assert status == 201
        ids.append(oid)
        time.sleep(gap)   # the traffic's pace, not a wait for state
    lat = sorted(v["latency_ms"] for v in shop.wait_final(ids, "shipped"))
    rank = lambda p: lat[max(0, -(-len(lat) * p // 100) - 1)]   # nearest rank
    return rank(50), rank(99)


def read_all(bootstrap, topic, count, timeout=30):
    """The first `count` records of topic (confluent-kafka messages)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "test-reader-" + topic,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    got = []
    try:
        wait_for("%d records in %s" % (count, topic),
                 lambda: got.extend(m for m in [c.poll(0.5)] if m is not None and not m.error()) or len(got) >= count,
                 timeout=timeout, every=0)
    finally:
        c.close()
    return got

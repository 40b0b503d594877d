"""The web console in a real browser: Debian's chromium, headless, driven
by playwright-core (js/console.js) against a broker with live traffic: a
producer, a consumer group that keeps up and one that stopped. Every page
is clicked through; the screenshots must not be blank and the page must
fetch nothing from outside the broker."""
import json
import os
import re
import subprocess
import threading
import time
import zlib

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import SANITIZED, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
SLOW = 3 if SANITIZED else 1
CHROMIUM = "/usr/bin/chromium"


def png_ink(path):
    """Fraction of non-white pixels of an 8-bit RGB(A) PNG (no filters
    other than the standard five; enough for screenshots)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            assert body[8] == 8
            ctype = body[9]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    ink = 0
    colors = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:
            for x in range(0, width, 4):
                px = bytes(line[x * bpp:x * bpp + 3])
                colors.add(px)
                if min(px) < 235:
                    ink += 1
        prev = line
    return ink / ((height // 4) * (width // 4)), len(colors)


class Traffic:
    """A producer and a consumer group that keeps up, in threads."""

    def __init__(self, bootstrap, topic):
        self.stop = threading.Event()
        self.bootstrap, self.topic = bootstrap, topic
        self.threads = [threading.Thread(target=self.produce), threading.Thread(target=self.consume)]
        for t in self.threads:
            t.start()

    def produce(self):
        p = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5})
        i = 0
        while not self.stop.is_set():
            for _ in range(20):
                value = {"order": i, "amount": i % 97} if i % 50 else "needle %d" % i
                p.produce(self.topic, key=b"k%d" % (i % 10), value=json.dumps(value).encode()
                          if isinstance(value, dict) else value.encode(), headers=[("source", b"test")])
                i += 1
            p.poll(0)
            time.sleep(0.05)
        p.flush(10)

    def consume(self):
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "billing", "auto.offset.reset": "earliest",
                      "enable.auto.commit": True, "auto.commit.interval.ms": 500})
        c.subscribe([self.topic])
        while not self.stop.is_set():
            c.poll(0.2)
        c.close()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


def test_console_in_a_real_browser(broker_factory, tmp_path):
    assert os.path.exists(CHROMIUM), "chromium is missing: scripts/install-deps test installs it"
    assert os.path.isdir(os.path.join(HERE, "js", "node_modules", "playwright-core")), \
        "playwright-core is missing: scripts/install-deps test installs it"
    b = broker_factory(props={"group.initial.rebalance.delay.ms": "100"})
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    admin.create_topics([NewTopic("clicks", 3, 1)], operation_timeout=10)["clicks"].result(timeout=15)
    # A group that read a little and stopped: its lag grows with the traffic.
    p = Producer({"bootstrap.servers": b.bootstrap})
    for i in range(30):
        p.produce("clicks", value=b'{"warmup": %d}' % i)
    p.flush(10)
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": "reports-stalled", "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    c.subscribe(["clicks"])
    got = 0
    deadline = time.monotonic() + 20 * SLOW
    while got < 5 and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got += 1
    c.commit(asynchronous=False)
    c.close()

    traffic = Traffic(b.bootstrap, "clicks")
    shots = tmp_path / "shots"
    shots.mkdir()
    try:
        p = subprocess.run(["node", os.path.join(HERE, "js", "console.js"), b.http_url, str(shots), "clicks",
                            "reports-stalled"], capture_output=True, text=True, timeout=180 * SLOW,
                           cwd=os.path.join(HERE, "js"))
    finally:
        traffic.close()
    assert p.returncode == 0, p.stdout + p.stderr
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["ok"], r["errors"]
    assert not r["errors"], r["errors"]
    assert r["pages"] == ["overview", "topics", "topic", "messages", "groups", "group"]
    assert "Events are flowing" in r["headline"] and "reports-stalled" in r["headline"], r["headline"]
    assert all(ink > 200 for ink in r["chart_ink"]), r["chart_ink"]
    assert "clicks" in r["topics"] and "made-in-browser" not in r["topics_after_delete"]
    assert r["partitions"] >= 4
    assert r["messages"] >= 20
    assert r["filtered"] and all("needle" in v for v in r["filtered"]), r["filtered"]
    # The search ran on the broker, newest first, said what it searched, and went further back.
    newest, back = r["search_newest"], r["search_back"]
    assert re.search(r"Searched offsets [\d,]+–[\d,]+ of partition 0, [\d,]+ records", newest["summary"]), newest
    assert len(newest["offsets"]) == 2 and all("needle" in v for v in newest["values"]), newest
    assert back["offsets"] and all("needle" in v for v in back["values"]), back
    assert max(back["offsets"]) < min(newest["offsets"]), (newest, back)
    assert back["summary"] != newest["summary"]
    assert "billing" in r["groups"] and "reports-stalled" in r["groups"]
    assert len(r["group_lags"]) >= 1 and sum(int(x.replace("k", "000").replace(".", "")) for x in r["group_lags"]) > 0
    # Nothing fetched from outside the broker.
    assert all(u.startswith(b.http_url) for u in r["requests"]), [u for u in r["requests"] if not u.startswith(b.http_url)]
    assert len(r["screenshots"]) == 6
    for f in r["screenshots"]:
        ink, colors = png_ink(f)
        assert ink > 0.02 and colors > 8, "%s looks blank (ink %.3f, %d colours)" % (f, ink, colors)
    if os.environ.get("CONSOLE_SCREENSHOT_DIR"):
        import shutil
        for f in r["screenshots"]:
            shutil.copy(f, os.environ["CONSOLE_SCREENSHOT_DIR"])


def test_console_is_read_only_beyond_loopback(broker_factory):
    """On a listener beyond loopback (http.admin.enabled=auto) the console
    offers no create, delete or produce control and says why."""
    port = free_port()
    b = broker_factory(props={"http.listeners": "http://0.0.0.0:%d" % port}, start=False)
    b.http_port = port
    b.start()
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    admin.create_topics([NewTopic("seen", 1, 1)])["seen"].result(timeout=15)
    p = Producer({"bootstrap.servers": b.bootstrap})
    p.produce("seen", value=b"x")
    p.flush(10)
    out = subprocess.run(["node", os.path.join(HERE, "js", "console_readonly.js"), b.http_url, "seen"],
                         capture_output=True, text=True, timeout=120 * SLOW, cwd=os.path.join(HERE, "js"))
    assert out.returncode == 0, out.stdout + out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["ok"] and not r["errors"], r["errors"]
    assert r["controls"] == {"topics": 0, "topic": 0, "messages": 0}, r["controls"]
    for page, note in r["notes"].items():
        assert note and "read-only" in note and "http.admin.enabled=true" in note, (page, note)

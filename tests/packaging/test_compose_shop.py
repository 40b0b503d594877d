"""deploy/compose.yaml with the reference shop: `podman-compose up -d` as the
README says (host ports moved to free ones), orders placed through the
published orders API are shipped, the shipping group's committed offsets in
Sluice account for them, a client on the compose network reaches the broker
as sluice:9092, and `down` plus the test's cleanup leave no
container, network or volume behind."""
import json
import os
import re
import subprocess
import time
import urllib.request

from conftest import ROOT, free_port, run

COMPOSE = os.path.join(ROOT, "deploy", "compose.yaml")
SERVICES = ["sluice", "gateway", "orders", "payments", "inventory", "shipping", "notifications", "traffic"]
SHOP_IMAGE = "localhost/sluice-shop:latest"


def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read())


def wait_for(what, check, seconds):
    """check() until it returns a true value; fails naming `what`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            got = check()
            if got:
                return got
        except OSError:
            pass
        assert time.monotonic() < deadline, "%s not within %d s" % (what, seconds)
        time.sleep(0.2)


def committed_total(project, group, topic):
    """Sum of the group's committed offsets on topic, from the CLI in the
    broker's container (its INTERNAL listener)."""
    out = run("podman", "exec", "%s_sluice_1" % project, "sluice", "group", "describe", group)
    return sum(int(m.group(1)) for m in re.finditer(r"^%s\s+\d+\s+(\d+)\s" % re.escape(topic), out, re.M))


def project_leftovers(project):
    label = "label=io.podman.compose.project=%s" % project
    return (run("podman", "ps", "-aq", "--filter", label).split()
            + [v for v in run("podman", "volume", "ls", "-q").split() if v.startswith(project + "_")]
            + [n for n in run("podman", "network", "ls", "--format", "{{.Name}}").split() if n.startswith(project + "_")])


def test_compose_file_is_valid_for_docker_compose():
    """docker compose's own loader (compose-go, with the compose-spec
    schema) takes the file: no podman-only syntax. The services wait for the
    broker's health and name their binaries."""
    run("make", "-C", ROOT, "--no-print-directory", "-s", "packaging-tools", timeout=1800)
    spec = json.loads(run(os.path.join(ROOT, "build", "tools", "composecheck"), COMPOSE))
    assert sorted(spec) == sorted(SERVICES)
    assert spec["sluice"]["image"] == "sluice:latest"
    for name in SERVICES[1:]:
        assert spec[name]["image"] == "sluice-shop:latest"
        assert spec[name]["depends_on"] == {"sluice": "service_healthy"}
        assert spec[name]["command"] == ["shop-" + name]


def test_compose_runs_the_shop_through_sluice(image):
    assert "User" in json.loads(run("podman", "image", "inspect", SHOP_IMAGE))[0]["Config"]
    assert run("podman", "run", "--rm", "--entrypoint", "id", SHOP_IMAGE, "-u").strip() != "0"

    project = "shoptest%d" % free_port()
    orders_port, http_port = free_port(), free_port()
    env = dict(os.environ, SLUICE_KAFKA_PORT=str(free_port()), SLUICE_HTTP_PORT=str(http_port),
               SHOP_ORDERS_PORT=str(orders_port), SHOP_RATE="1")
    cmd = ["podman-compose", "-f", COMPOSE, "-p", project]
    orders = "http://127.0.0.1:%d" % orders_port
    try:
        run(*cmd, "up", "-d", env=env, timeout=180)
        running = run("podman", "ps", "--filter", "label=io.podman.compose.project=%s" % project,
                      "--format", "{{.Names}}").split()
        assert sorted(running) == sorted("%s_%s_1" % (project, s) for s in SERVICES)

        # The orders API answers once it has reached the broker (registered
        # its schemas, created its topics): 201 means the event is acknowledged.
        def place():
            status, body = http("POST", orders + "/orders", {
                "customer": "compose", "item": "teapot", "quantity": 1,
                "amount_cents": 1200, "card": "4242424242424242"})
            return status == 201 and body["id"]
        ids = [wait_for("the orders API taking an order", place, 90) for _ in range(5)]

        def all_shipped():
            return all(http("GET", "%s/orders/%s" % (orders, i))[1]["state"] == "shipped" for i in ids)
        wait_for("the 5 orders shipped", all_shipped, 90)

        # Through Sluice: the shipping group committed past at least our
        # five shipment requests (the traffic generator adds its own).
        wait_for("the shipping group's commits", lambda: committed_total(project, "shipping", "shipping") >= 5, 30)
        summary = http("GET", orders + "/orders")[1]
        assert summary["states"].get("shipped", 0) >= 5
        # The console is published too.
        with urllib.request.urlopen("http://127.0.0.1:%d/health/ready" % http_port, timeout=5) as r:
            assert r.status == 200
        # A client on the compose network reaches the broker by the name it
        # advertises; without -b the CLI uses the image's loopback INTERNAL listener.
        broker = "%s_sluice_1" % project
        out = run("podman", "exec", broker, "sh", "-c",
                  "printf 'a\\nb\\n' | sluice produce beside -b sluice:9092 && "
                  "sluice consume beside -b sluice:9092 --from beginning --timeout-ms 3000")
        assert sorted(out.split()) == ["a", "b"]   # consume prints the values, one a line
        assert "beside" in run("podman", "exec", broker, "sluice", "topic", "list").split()
    finally:
        subprocess.run(cmd + ["down", "-v"], env=env, capture_output=True, timeout=180)
        # podman-compose 1.0 leaves the network; the test removes what is left.
        for net in [n for n in run("podman", "network", "ls", "--format", "{{.Name}}").split()
                    if n.startswith(project + "_")]:
            subprocess.run(["podman", "network", "rm", "-f", net], capture_output=True)
    assert project_leftovers(project) == []

"""The Kubernetes manifests and the Helm chart, checked statically (no
cluster runs here): helm lint and helm template with the default values and
with every option on, every rendered object decoded strictly against the
Kubernetes API types (k8scheck), and the probes, ports and environment
compared with what the binary serves and reads. The compose file:
test_compose_shop.py."""
import json
import os
import re
import subprocess
import time
import urllib.request

import pytest
import yaml

from conftest import ROOT, SLUICE_BIN, free_port, run

HERE = os.path.dirname(os.path.abspath(__file__))
CHART = os.path.join(ROOT, "deploy", "helm", "sluice")
MANIFESTS = os.path.join(ROOT, "deploy", "kubernetes")
ALL_OPTIONS = os.path.join(HERE, "all-options.yaml")


@pytest.fixture(scope="module")
def tools():
    run("make", "-C", ROOT, "--no-print-directory", "-s", "packaging-tools", timeout=1800)
    return {t: os.path.join(ROOT, "build", "tools", t) for t in ("helm", "k8scheck")}


def k8scheck(tools, path):
    p = subprocess.run([tools["k8scheck"], path], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def helm_render(tools, tmp_path, *values):
    out = run(tools["helm"], "template", "sluice", CHART, *values)
    path = tmp_path / "rendered.yaml"
    path.write_text(out)
    return path


def image_env():
    """The ENV the Dockerfile sets (the containers start with it)."""
    text = open(os.path.join(ROOT, "Dockerfile")).read().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(kv.split("=", 1) for kv in line[4:].split())
    return env


def serve_properties():
    """The property names `sluice serve --help` lists."""
    text = run(SLUICE_BIN, "serve", "--help")
    return set(re.findall(r"^  ([a-z][a-z0-9.]+)(?: \(default|$)", text, re.M))


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def listener_endpoints(listeners):
    """{NAME: (host, port)} of a listeners value."""
    out = {}
    for item in listeners.split(","):
        name, rest = item.strip().split("://", 1)
        host, port = rest.rsplit(":", 1)
        out[name.upper()] = (host, int(port))
    return out


def check_container_against_binary(c, configmaps, tmp_path):
    env = dict(image_env(), **c["env"])
    props = serve_properties()
    assert {"listeners", "http.listeners", "log.dirs", "advertised.listeners"} <= props
    for name in env:
        if name.startswith("SLUICE_") and name != "SLUICE_BOOTSTRAP":   # the CLI's
            assert name[7:].lower().replace("_", ".") in props, "%s is no broker property" % name
    listeners = listener_endpoints(env["SLUICE_LISTENERS"])
    kafka, http = listeners["PLAINTEXT"][1], port_of(env["SLUICE_HTTP_LISTENERS"])
    assert c["ports"]["kafka"] == kafka and c["ports"]["http"] == http
    # `kubectl exec ... sluice` reaches the loopback INTERNAL listener, which
    # no containerPort exposes.
    assert env["SLUICE_BOOTSTRAP"] == "%s:%d" % listeners["INTERNAL"] and listeners["INTERNAL"][0] == "127.0.0.1"
    assert listeners["INTERNAL"][1] not in c["ports"].values()
    assert set(env["SLUICE_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")) == \
        {"PLAINTEXT:PLAINTEXT", "INTERNAL:PLAINTEXT"}
    assert port_of(env["SLUICE_ADVERTISED_LISTENERS"]) == kafka
    assert {p["kind"] for p in c["probes"]} >= {"liveness", "readiness"}
    for p in c["probes"]:
        assert p["port"] == http, p
    assert {p["path"] for p in c["probes"] if p["kind"] == "readiness"} == {"/health/ready"}
    assert {p["path"] for p in c["probes"] if p["kind"] == "liveness"} == {"/health/live"}

    # Run the binary as the pod would: the ConfigMap's properties file and
    # the pod's SLUICE_* environment (on free local ports), then ask it for
    # the probes' paths.
    assert c["args"][0] == "serve"
    mounted = [v for k, v in configmaps.items() if k.endswith("/" + os.path.basename(c["args"][1]))]
    assert len(mounted) == 1
    props_file = tmp_path / "server.properties"
    props_file.write_text(mounted[0])
    http_port = free_port()
    local = {}   # the pod's listeners, by name, on free local ports
    while len(set(local.values()) | {http_port}) != len(listeners) + 1:
        local = {name: free_port() for name in listeners}
    run_env = {k: v.replace("$(POD_NAME)", "sluice-0").replace("$(POD_NAMESPACE)", "default")
               for k, v in env.items() if k.startswith("SLUICE_")}
    run_env.update(PATH=os.environ["PATH"])
    proc = subprocess.Popen([SLUICE_BIN, "serve", str(props_file),
                             "--listeners=" + ",".join("%s://127.0.0.1:%d" % kv for kv in local.items()),
                             "--http.listeners=http://127.0.0.1:%d" % http_port,
                             "--log.dirs=%s" % (tmp_path / "data")],
                            env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for p in c["probes"]:
            deadline = time.monotonic() + 20
            while True:
                assert proc.poll() is None, proc.stdout.read()
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (http_port, p["path"]), timeout=2) as r:
                        assert r.status == 200
                        break
                except OSError:
                    assert time.monotonic() < deadline, "%s never answered 200" % p["path"]
                    time.sleep(0.1)
        # The CLI as `kubectl exec` runs it, through the INTERNAL listener.
        run(SLUICE_BIN, "topic", "create", "from-inside", env=dict(run_env, SLUICE_BOOTSTRAP="127.0.0.1:%d" %
                                                                  local["INTERNAL"]))
        assert proc.poll() is None, proc.stdout.read()
    finally:
        proc.terminate()
        code = proc.wait(timeout=10)
    assert code == 0, proc.stdout.read()


def test_manifests_are_the_rendered_chart_and_match_the_binary(tools, tmp_path):
    kustomization = yaml.safe_load(open(os.path.join(MANIFESTS, "kustomization.yaml")))
    assert kustomization["resources"] == ["sluice.yaml"]
    assert sorted(os.listdir(MANIFESTS)) == ["kustomization.yaml", "sluice.yaml"]
    manifest = os.path.join(MANIFESTS, "sluice.yaml")
    rendered = run(tools["helm"], "template", "sluice", CHART)
    assert open(manifest).read().split("\n", 1)[1] == rendered, "run `make manifests`"
    s = k8scheck(tools, manifest)
    assert sorted(s["objects"]) == ["ConfigMap/sluice", "PodDisruptionBudget/sluice", "Service/sluice",
                                    "Service/sluice-headless", "StatefulSet/sluice"]
    (c,) = s["containers"]
    # Each pod advertises its own DNS name through the headless Service.
    assert c["env"]["SLUICE_ADVERTISED_LISTENERS"] == \
        "PLAINTEXT://$(POD_NAME).sluice-headless.$(POD_NAMESPACE).svc.cluster.local:9092"
    check_container_against_binary(c, s["configmaps"], tmp_path)


@pytest.mark.parametrize("values", [[], ["-f", ALL_OPTIONS]], ids=["defaults", "all-options"])
def test_chart_lints_renders_strictly_and_matches_the_binary(tools, tmp_path, values):
    run(tools["helm"], "lint", "--strict", CHART, *values)
    s = k8scheck(tools, str(helm_render(tools, tmp_path, *values)))
    kinds = {o.split("/")[0] for o in s["objects"]}
    assert {"ConfigMap", "Service", "StatefulSet", "PodDisruptionBudget"} <= kinds
    assert ("ServiceMonitor" in kinds) == bool(values)
    (c,) = s["containers"]
    assert ("schema-registry" in c["ports"]) == bool(values)
    check_container_against_binary(c, s["configmaps"], tmp_path)


def test_k8scheck_refuses_an_unknown_field(tools, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(os.path.join(MANIFESTS, "sluice.yaml")).read()
                   .replace("periodSeconds: 5", "periodSecondz: 5"))
    p = subprocess.run([tools["k8scheck"], str(bad)], capture_output=True, text=True)
    assert p.returncode == 1 and 'unknown field "periodSecondz"' in p.stderr

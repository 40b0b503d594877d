"""Apache Kafka 4.4 beside Sluice: the reference broker started by
scripts/kafka-reference and Kafka's own command-line tools run through
scripts/kafka-tool, both from the jars fetched from Maven Central."""
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REFERENCE = os.path.join(ROOT, "scripts", "kafka-reference")
KAFKA_TOOL = os.path.join(ROOT, "scripts", "kafka-tool")


class ReferenceKafka:
    """A reference Kafka (1 or 3 nodes); its pids are in the state file."""

    def __init__(self, state_file, nodes=1):
        self.state_file = str(state_file)
        self.nodes = nodes
        self.bootstrap = None

    def start(self):
        r = subprocess.run([REFERENCE, "start", "--nodes", str(self.nodes), "--state", self.state_file],
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, "the reference Kafka did not start:\n" + r.stderr[-3000:]
        self.bootstrap = r.stdout.strip()
        return self

    def pids(self):
        with open(self.state_file) as f:
            return [n["pid"] for n in json.load(f)["nodes"]]

    def stop(self):
        subprocess.run([REFERENCE, "stop", "--state", self.state_file], check=True, timeout=90)


def kafka_tool(name, *args, input=None, timeout=120):
    """Runs one of Kafka's tools; returns the CompletedProcess (text)."""
    return subprocess.run([KAFKA_TOOL, name] + [str(a) for a in args], input=input, capture_output=True,
                          text=True, timeout=timeout)

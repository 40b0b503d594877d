"""The README's client examples, run as written against a real broker (only
the address is changed), so that what a new user copies works."""
import os
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "..", "..", "README.md")
PY = "/usr/bin/python3"


def python_blocks():
    with open(README) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def test_readme_has_python_examples():
    assert len(python_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_readme_python_example(broker, index):
    code = python_blocks()[index].replace("127.0.0.1:9092", broker.bootstrap)
    r = subprocess.run([PY, "-c", code], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    # Each example produces order-1 with its amount and prints what it reads back.
    assert b"order-1" in r.stdout and b'{"amount": 42}' in r.stdout, r.stdout

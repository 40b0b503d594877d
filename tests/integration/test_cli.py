"""The sluice client subcommands (topic, produce, consume) end to end
against a real broker: runs tests/cli/test_cli.sh and requires it to
report no failure."""
import os
import re
import subprocess

from conftest import ROOT, SLUICE_BIN


def test_cli_script(broker):
    env = dict(os.environ, SLUICE_BOOTSTRAP=broker.bootstrap, SLUICE=SLUICE_BIN)
    p = subprocess.run(["bash", os.path.join(ROOT, "tests", "cli", "test_cli.sh")], env=env,
                       capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    m = re.search(r"^(\d+) passed, (\d+) failed$", out, re.M)
    assert m, "no summary line:\n" + out[-3000:]
    assert p.returncode == 0 and m.group(2) == "0", out[-5000:]
    assert int(m.group(1)) >= 60, "too few CLI checks ran:\n" + out[-3000:]

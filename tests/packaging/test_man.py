"""`make man`: a page for sluice and for each command `sluice --help` lists,
carrying the same text as that command's --help."""
import os
import re
import subprocess

from conftest import ROOT, SLUICE_BIN, run


def rendered(page):
    out = subprocess.run(["man", "-l", page], capture_output=True, text=True,
                         env=dict(os.environ, MANWIDTH="2000")).stdout
    return " ".join(out.split())


def test_every_command_has_a_page_with_its_help_text():
    run("make", "-C", ROOT, "--no-print-directory", "-s", "man")
    man_dir = os.path.join(ROOT, "build", "man")
    top = run(SLUICE_BIN, "--help")
    commands = re.findall(r"^  ([a-z]+)", top.split("commands:")[1], re.M)
    assert {"serve", "topic", "consume"} <= set(commands)
    for cmd in [None] + [c for c in commands if c != "version"]:
        page = os.path.join(man_dir, "sluice.1" if cmd is None else "sluice-%s.1" % cmd)
        text = rendered(page)
        assert ("SLUICE(1)" if cmd is None else "SLUICE-%s(1)" % cmd.upper()) in text
        help_text = run(SLUICE_BIN, *([cmd] if cmd else []), "--help")
        # Every option and property the help names is on the page.
        for word in set(re.findall(r"(?<![\w.-])(--[a-z][a-z-]+|[a-z]+\.[a-z.]+[a-z])", help_text)):
            assert word in text, "%s: %s missing" % (page, word)

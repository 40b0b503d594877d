#!/usr/bin/env python3
"""The layering check: every #include "folder/file.h" in src/ must be
allowed by the rule table in ARCHITECTURE.md (the fenced block that starts
with "layers:"), and the folders' include graph must have no cycle.

Usage: tools/check_layers.py [ROOT]. Prints each violation with the file
and line, then one "N passed, N failed" line; exits 1 on any violation."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"')


def read_rules():
    """{folder: set of folders it may include}, from ARCHITECTURE.md."""
    with open(os.path.join(ROOT, "ARCHITECTURE.md")) as f:
        text = f.read()
    m = re.search(r"```\nlayers:\n(.*?)```", text, re.S)
    if not m:
        sys.exit("ARCHITECTURE.md has no ```layers: block")
    rules = {}
    for line in m.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        folder, _, allowed = line.partition(":")
        rules[folder.strip()] = set(allowed.split())
    return rules


def folder_of(path):
    rel = os.path.relpath(path, os.path.join(ROOT, "src"))
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else "main"


def includes():
    """(file, line number, from folder, to folder) for every include of another folder."""
    for dirpath, _, files in os.walk(os.path.join(ROOT, "src")):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            src = folder_of(path)
            with open(path, errors="replace") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m and m.group(1) != src:
                        yield os.path.relpath(path, ROOT), n, src, m.group(1)


def find_cycle(graph):
    """A cycle in {node: set(nodes)} as a list, or None."""
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if not state.get(nxt):
                found = visit(nxt, stack)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if not state.get(node):
            found = visit(node, [])
            if found:
                return found
    return None


def main():
    rules = read_rules()
    bad = []
    graph = {}
    checked = 0
    for path, n, src, dst in includes():
        checked += 1
        graph.setdefault(src, set()).add(dst)
        if src not in rules:
            bad.append("%s:%d: folder %s has no rule in ARCHITECTURE.md" % (path, n, src))
        elif dst not in rules[src]:
            bad.append("%s:%d: %s may not include %s/ (ARCHITECTURE.md allows: %s)"
                       % (path, n, src, dst, " ".join(sorted(rules[src])) or "nothing"))
    cycle = find_cycle(graph)
    if cycle:
        bad.append("cycle between folders: " + " -> ".join(cycle))
    for b in bad:
        print(b)
    forbidden = len(bad) - (1 if cycle else 0)
    print("layers: %d passed, %d failed" % (checked - forbidden, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Records libvirt 9.0's test driver's run state of the domain `d` of each node file in
tests/fixtures/qemu_namespace/nodes/ (its test: namespace declared on the domain, on the node,
or not at all) into tests/fixtures/qemu_namespace/nodes.json, replayed by
tests/drivers/simulator/test_namespace_test.ts.

Usage (python3-libvirt 9.0, e.g. after ../shared/oracle/install.sh):
  /usr/bin/python3 tests/tools/qemu_namespace/record_nodes.py
"""
import json
import os

import libvirt

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "qemu_namespace")
states = {}
for name in sorted(os.listdir(os.path.join(root, "nodes"))):
    conn = libvirt.open("test://" + os.path.realpath(os.path.join(root, "nodes", name)))
    states[name] = conn.lookupByName("d").state()
    conn.close()
with open(os.path.join(root, "nodes.json"), "w") as f:
    json.dump(states, f, indent=2)
    f.write("\n")

# Their rows in SOURCES.tsv (the size is in characters).
sources = os.path.join(root, "..", "SOURCES.tsv")
with open(sources) as f:
    rows = [r for r in f.read().splitlines() if not r.startswith("qemu_namespace/node")]


def size(rel):
    with open(os.path.join(root, "..", rel), encoding="utf-8") as f:
        return len(f.read())


for name in states:
    rel = "qemu_namespace/nodes/" + name
    rows.append("\t".join([rel, "-", "edgevirt: a test driver node file (test: namespace declared or not)", "-", str(size(rel))]))
rel = "qemu_namespace/nodes.json"
rows.append("\t".join([rel, "-", "libvirt 9.0.0 output: python3-libvirt test driver domain state, tests/tools/qemu_namespace/record_nodes.py", "-", str(size(rel))]))
with open(sources, "w") as f:
    f.write("\n".join(rows) + "\n")
print("record:", states)

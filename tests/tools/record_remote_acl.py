#!/usr/bin/python3
"""Extracts libvirt 9.0's ACL annotations (@acl, per remote procedure) from
src/remote/remote_protocol.x into tests/fixtures/libvirt/remote_acl.json, as
{procedure name in camelCase: ["object:permission[:FLAG]", ...]}, the reference the access test
checks the contract's declarations against.

    python3 tests/tools/record_remote_acl.py LIBVIRT_SRC   # e.g. ../shared/oracle/libvirt-source.sh's output
"""
import json, re, sys

src = sys.argv[1]
text = open(f"{src}/src/remote/remote_protocol.x").read()
out = {}
for m in re.finditer(r"/\*\*(.*?)\*/\s*REMOTE_PROC_(\w+)\s*=", text, re.S):
    acls = [a.strip() for a in re.findall(r"@acl:\s*(\S+)", m.group(1))]
    words = m.group(2).lower().split("_")
    name = words[0] + "".join(w.capitalize() for w in words[1:])
    out[name] = acls
json.dump(out, open("tests/fixtures/libvirt/remote_acl.json", "w"), indent=1, sort_keys=True)
print(len(out), "procedures")

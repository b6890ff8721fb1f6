#!/usr/bin/env python3
"""Regenerates util/keycodes.json from libvirt 9.0's key code database, as libvirt's build
makes its virkeycodetable_*.h / virkeynametable_*.h headers (each code table whole) (keymap-gen code-table and
name-table over src/keycodemapdb/data/keymaps.csv, indexed by Linux key code).

Usage: python3 tests/tools/gen_keycodes.py /work/libvirt-src/libvirt-9.0.0 > util/keycodes.json
then deno fmt util/keycodes.json.
"""
import json
import re
import subprocess
import sys

src = sys.argv[1] + "/src/keycodemapdb"


def table(kind, name):
    out = subprocess.run(
        ["python3", f"{src}/tools/keymap-gen", kind, "--lang", "stdc", "--varname", "T",
         f"{src}/data/keymaps.csv", name],
        check=True, capture_output=True, text=True).stdout
    size = int(re.search(r"T\[(\d+)\]", out).group(1))
    entries = {}
    for m in re.finditer(r'\[0x([0-9a-f]+)\] = (?:0x([0-9a-f]+)|"(.*)"),', out):
        entries[int(m.group(1), 16)] = int(m.group(2), 16) if m.group(2) else m.group(3)
    return entries, size


names = {}
for csv_name, key in [("linux", "linux"), ("osx", "os_x"), ("win32", "win32")]:
    nm, _ = table("name-table", csv_name)
    codes, _ = table("code-table", csv_name)
    first = {}
    for i in sorted(nm):
        first.setdefault(nm[i], codes.get(i, 0))
    names[key] = first

codes = {}
for csv_name, key in [("linux", "linux"), ("atset1", "atset1"), ("atset2", "atset2"),
                      ("atset3", "atset3"), ("osx", "os_x"), ("xtkbd", "xt_kbd"),
                      ("usb", "usb"), ("win32", "win32"), ("qnum", "qnum")]:
    entries, size = table("code-table", csv_name)
    # The whole C array, zero-filled where the csv has no code: virKeycodeValueTranslate finds
    # a code's row (its index, the Linux code) in one set and answers the other set's entry.
    codes[key] = [entries.get(i, 0) for i in range(size)]

print(json.dumps({"names": names, "codes": codes}, separators=(",", ":")))

#!/usr/bin/python3
"""Records real virsh 9.0's `screenshot` on test:///default for tests/evsh/screenshot_test.ts.

Each case runs `virsh [-r] -c test:///default LINE` in a fresh scratch directory that holds one
file, `existing.bin` (100000 bytes of 'x'), so that overwriting an existing file is seen. Stored
per case in tests/evsh/screenshot/recorded.json: the argv after `virsh`, stdout, stderr, the exit
status and every file of the scratch directory afterwards with its size and SHA-256. Screenshot
names made from the clock (`test-YYYY-MM-DD-HH:MM:SS.png`) are stored with `<date>` in place of
the time, in the output and in the file list.

Usage (needs the oracle's virsh): /usr/bin/python3 tests/tools/record_virsh_screenshot.py
"""
import hashlib
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "evsh", "screenshot", "recorded.json")
DATE = re.compile(r"\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d")

CASES = [
    ["screenshot test"],
    ["screenshot test shot.png"],
    ["screenshot --domain test --file shot.png --screen 3"],
    ["screenshot 1 --file existing.bin"],
    ["screenshot 6695eb01-f6a4-8304-79aa-97f2502e193f noext"],
    ["destroy test; screenshot test --file off.png"],
    ["screenshot nosuch --file never.png"],
    ["screenshot test --file missing-dir/x.png"],
    ["screenshot test --screen -1"],
    ["screenshot test --file ''"],
    ["-r", "screenshot test --file ro.png"],
    ["-q", "screenshot test --file quiet.png"],
]


def files_of(d):
    out = {}
    for name in sorted(os.listdir(d)):
        data = open(os.path.join(d, name), "rb").read()
        out[DATE.sub("<date>", name)] = {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    return out


def main():
    records = []
    for argv in CASES:
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "existing.bin"), "wb") as f:
                f.write(b"x" * 100000)
            opts, line = argv[:-1], argv[-1]
            p = subprocess.run(
                ["virsh", *opts, "-c", "test:///default", line],
                cwd=d, capture_output=True, stdin=subprocess.DEVNULL, timeout=30,
            )
            records.append({
                "argv": argv,
                "stdout": DATE.sub("<date>", p.stdout.decode()),
                "stderr": DATE.sub("<date>", p.stderr.decode()),
                "status": p.returncode,
                "files": files_of(d),
            })
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(json.dumps(records, indent=2) + "\n")
    print("record_virsh_screenshot:", os.path.relpath(OUT, ROOT))


main()

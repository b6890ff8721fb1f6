#!/bin/bash
# Records tests/evsh/golden_qemu/tunables.json: virsh 9.0's migration tuning commands
# (migrate-setspeed, migrate-getspeed, migrate-setmaxdowntime, migrate-getmaxdowntime,
# migrate-compcache, migrate-postcopy, domjobabort --postcopy) on libvirt's QEMU driver (a
# private session libvirtd from the oracle's daemon.sh, QEMU 7.2 under TCG), each command one
# `virsh -c URI 'CMDLINE'` run against the running domain q4, as
#   [{"cmd": CMDLINE, "stdout": ..., "stderr": ..., "status": N}, ...]
# tests/evsh/qemu_tunables_test.ts replays them through evsh on edgevirt's QEMU driver.
# usage: tests/tools/record_virsh_qemu_tunables.sh [ORACLE_DIR]   (default ../shared/oracle)
set -euo pipefail
cd "$(dirname "$0")/../.."
O=$(cd "${1:-../shared/oracle}" && pwd)
export TMPDIR=${TMPDIR:-/tmp}
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true' EXIT
eval "$(bash "$O/daemon.sh" start)"
XML=tests/evsh/fixtures/qemu-q4.xml
virsh -q -c "$URI_QEMU" define "$XML" >/dev/null
virsh -q -c "$URI_QEMU" start q4 >/dev/null
/usr/bin/python3 - "$URI_QEMU" tests/evsh/golden_qemu/tunables.json <<'PY'
import json, subprocess, sys
uri, out = sys.argv[1], sys.argv[2]
cmds = """migrate-getspeed q4
migrate-setspeed q4 100
migrate-getspeed q4
migrate-getspeed q4 --postcopy
migrate-setspeed q4 --bandwidth 20 --postcopy
migrate-getspeed q4 --postcopy
migrate-setspeed q4 8796093022208
migrate-setmaxdowntime q4 400
migrate-setmaxdowntime q4 0
migrate-getmaxdowntime q4
migrate-compcache q4
migrate-compcache q4 --size 134217728
migrate-compcache q4 --size 1000
migrate-postcopy q4
domjobabort q4
domjobabort q4 --postcopy""".split("\n")
cases = []
for cmd in cmds:
    p = subprocess.run(["virsh", "-c", uri, cmd], capture_output=True, text=True)
    cases.append({"cmd": cmd, "stdout": p.stdout, "stderr": p.stderr, "status": p.returncode})
open(out, "w").write(json.dumps(cases, indent=2, ensure_ascii=False) + "\n")
PY
virsh -q -c "$URI_QEMU" destroy q4 >/dev/null
virsh -q -c "$URI_QEMU" undefine q4 >/dev/null

#!/bin/bash
# Records tests/evsh/golden_qemu/api.json: virsh 9.0's detach-device-alias, get-user-sshkeys,
# set-user-sshkeys and domdirtyrate-calc on libvirt's QEMU driver (a private session libvirtd
# from the oracle's daemon.sh, QEMU 7.2 under TCG; no guest OS, so no agent connects and no
# unplug is acknowledged), each command one `virsh -c URI 'CMDLINE'` run against the running
# domain qa of tests/evsh/fixtures/qemu-api.xml (the 60 s measurement is still running when the
# next one is asked, whatever the machine's load), as
#   [{"cmd": CMDLINE, "stdout": ..., "stderr": ..., "status": N}, ...]
# tests/evsh/qemu_api_test.ts replays them through evsh on edgevirt's QEMU driver.
# usage: tests/tools/record_virsh_qemu_api.sh [ORACLE_DIR]   (default ../shared/oracle)
set -euo pipefail
cd "$(dirname "$0")/../.."
O=$(cd "${1:-../shared/oracle}" && pwd)
export TMPDIR=${TMPDIR:-/tmp}
IMG=$(mktemp -d "$TMPDIR/virsh-qemu-api.XXXXXX")
chmod 755 "$IMG"
truncate -s 1M "$IMG/data.img"
chmod 666 "$IMG/data.img"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$IMG"' EXIT
eval "$(bash "$O/daemon.sh" start)"
sed "s|@DIR@|$IMG|" tests/evsh/fixtures/qemu-api.xml >"$IMG/qa.xml"
virsh -q -c "$URI_QEMU" define "$IMG/qa.xml" >/dev/null
virsh -q -c "$URI_QEMU" start qa >/dev/null
/usr/bin/python3 - "$URI_QEMU" tests/evsh/golden_qemu/api.json <<'PY'
import json, subprocess, sys
uri, out = sys.argv[1], sys.argv[2]
cmds = """detach-device-alias qa nope
detach-device-alias qa ua-data --current --live
detach-device-alias qa ua-data --config
detach-device-alias qa ua-data --live
get-user-sshkeys qa root
set-user-sshkeys qa root --remove
set-user-sshkeys qa root
set-user-sshkeys qa root --reset
domdirtyrate-calc qa --seconds 0
domdirtyrate-calc qa --seconds 1 --mode psychic
domdirtyrate-calc qa --seconds 1 --mode dirty-ring
domdirtyrate-calc qa --seconds 60 --mode page-sampling
domdirtyrate-calc qa""".split("\n")
cases = []
for cmd in cmds:
    p = subprocess.run(["virsh", "-c", uri, cmd], capture_output=True, text=True)
    cases.append({"cmd": cmd, "stdout": p.stdout, "stderr": p.stderr, "status": p.returncode})
open(out, "w").write(json.dumps(cases, indent=2, ensure_ascii=False) + "\n")
PY
virsh -q -c "$URI_QEMU" destroy qa >/dev/null
virsh -q -c "$URI_QEMU" undefine qa >/dev/null

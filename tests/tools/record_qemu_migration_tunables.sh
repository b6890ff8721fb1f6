#!/bin/bash
# Records tests/fixtures/oracle/scenarios/qemu-migration-tunables.out.jsonl: the scenario run by
# the oracle's scenario.py (through tests/tools/scenario_ext.py, for its "args") on libvirt 9.0's
# QEMU driver (a private session libvirtd from daemon.sh, QEMU 7.2 under TCG).
# usage: tests/tools/record_qemu_migration_tunables.sh [ORACLE_DIR]   (default ../shared/oracle)
set -euo pipefail
O=$(cd "${1:-$(dirname "$0")/../../../shared/oracle}" && pwd)
T=$(cd "$(dirname "$0")" && pwd)
S=$(cd "$T/../fixtures/oracle/scenarios" && pwd)
export TMPDIR=${TMPDIR:-/tmp}
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true' EXIT
eval "$(bash "$O/daemon.sh" start)"
SCENARIO_PY="$O/scenario.py" /usr/bin/python3 "$T/scenario_ext.py" --uri "$URI_QEMU" \
  --settle-ms 200 "$S/qemu-migration-tunables.json" >"$S/qemu-migration-tunables.out.jsonl"

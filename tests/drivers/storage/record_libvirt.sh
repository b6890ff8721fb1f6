#!/bin/sh
# Re-records fixtures/libvirt_session.jsonl (fixtures/scenario.json) and fixtures/libvirt_sparse.jsonl
# (record_sparse.py) against a private session libvirtd (the oracle's daemon.sh).
# Usage: tests/drivers/storage/record_libvirt.sh ORACLE_DIR
set -eu
O=${1:?usage: record_libvirt.sh ORACLE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
eval "$(bash "$O/daemon.sh" start)"
POOLDIR=$(mktemp -d)
chmod 777 "$POOLDIR"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null; rm -rf "$POOLDIR"' EXIT
/usr/bin/python3 "$HERE/record_libvirt.py" "$URI_QEMU" "$POOLDIR/pool" "$HERE/fixtures/scenario.json" \
  > "$HERE/fixtures/libvirt_session.jsonl"
mkdir -m 777 "$POOLDIR/sparse"
/usr/bin/python3 "$HERE/record_sparse.py" "$URI_QEMU" "$POOLDIR/sparse" > "$HERE/fixtures/libvirt_sparse.jsonl"

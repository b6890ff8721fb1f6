#!/bin/sh
# Re-records fixtures/libvirt_sparse.jsonl: record_sparse.py against a private session libvirtd
# (the oracle's daemon.sh). Usage: tests/drivers/storage/record_sparse.sh ORACLE_DIR
set -eu
O=${1:?usage: record_sparse.sh ORACLE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
eval "$(bash "$O/daemon.sh" start)"
WORK=$(mktemp -d)
chmod 777 "$WORK"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null; rm -rf "$WORK"' EXIT
/usr/bin/python3 "$HERE/record_sparse.py" "$URI_QEMU" "$WORK" > "$HERE/fixtures/libvirt_sparse.jsonl"

#!/bin/sh
# Re-records fixtures/pool_capabilities.xml: virConnectGetStoragePoolCapabilities of a private
# session libvirtd (the oracle's daemon.sh), whose storage driver has the backends libvirt 9.0
# was built with here.
# Usage: tests/drivers/storage/record_pool_capabilities.sh ORACLE_DIR
set -eu
O=${1:?usage: record_pool_capabilities.sh ORACLE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
eval "$(bash "$O/daemon.sh" start)"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null' EXIT
/usr/bin/python3 -c 'import sys, libvirt
sys.stdout.write(libvirt.open(sys.argv[1]).getStoragePoolCapabilities(0))' "$URI_QEMU" \
  > "$HERE/fixtures/pool_capabilities.xml"

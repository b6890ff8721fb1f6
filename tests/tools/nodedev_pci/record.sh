#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the node-device PCI calls (detach, reattach, reset) of its
# test driver and of its QEMU driver (only the refusals that touch no device: see record.py)
# into tests/fixtures/nodedev/pci_calls.json, through a private libvirtd of the oracle
# (test+unix:///default, qemu+unix:///session). Needs: bash ../shared/oracle/install.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
ORACLE=${ORACLE:-../shared/oracle}
eval "$(bash "$ORACLE/daemon.sh" start)"
trap 'bash "$ORACLE/daemon.sh" stop "$DIR" >/dev/null' EXIT
URI_TEST="$URI_TEST" URI_QEMU="$URI_QEMU" /usr/bin/python3 tests/tools/nodedev_pci/record.py \
  >tests/fixtures/nodedev/pci_calls.json

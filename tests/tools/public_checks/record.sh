#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the argument-check cases the contract gives
# (tests/tools/public_checks/cases.ts) into tests/gateway/golden/public_checks.json: python-libvirt
# through a private libvirtd (test+unix:///default), so the public API's checks, the remote driver's
# limits and the daemon's are all libvirt's own. Needs the oracle: bash ../shared/oracle/install.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
ORACLE=${ORACLE:-../shared/oracle}
eval "$(bash "$ORACLE/daemon.sh" start)"
trap 'bash "$ORACLE/daemon.sh" stop "$DIR" >/dev/null' EXIT
npx -y deno@2.9.6 run tests/tools/public_checks/cases.ts |
  RECORD_URI="$URI_TEST" /usr/bin/python3 tests/tools/public_checks/record.py \
    >tests/gateway/golden/public_checks.json

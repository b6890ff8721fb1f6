#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the argument-check cases the contract gives
# (tests/tools/public_checks/cases.ts) into tests/gateway/golden/public_checks.json, through
# python-libvirt on test:///default. Needs the oracle's packages: bash ../shared/oracle/install.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
npx -y deno@2.9.6 run tests/tools/public_checks/cases.ts |
  /usr/bin/python3 tests/tools/public_checks/record.py >tests/gateway/golden/public_checks.json

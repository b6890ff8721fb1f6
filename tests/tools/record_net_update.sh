#!/usr/bin/env bash
# Regenerates the networkUpdate scenarios (tests/tools/gen_net_update_scenarios.ts) and records
# their goldens from real libvirt 9.0's test:///default with record_goldens.sh (python3-libvirt
# through the oracle's scenario.py); tests/conformance/conformance_test.ts replays them against
# the simulator. Re-runnable from anywhere:
#   bash tests/tools/record_net_update.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export DENO_TLS_CA_STORE=system
(cd "$root" && npx -y deno@2.9.6 run -A tests/tools/gen_net_update_scenarios.ts)
names=()
for f in "$root"/tests/conformance/scenarios/net-update-*.json; do
  names+=("$(basename "$f" .json)")
done
bash "$here/record_goldens.sh" "${names[@]}"

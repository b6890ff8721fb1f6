#!/bin/bash
# Records libvirt 9.0's refusals of peer-to-peer migrations (virDomainMigrateToURI3 with
# VIR_MIGRATE_PEER2PEER, qemuMigrationSrcPerformPeer2Peer) for
# tests/drivers/qemu/migration_p2p_test.ts: python3-libvirt against a private
# qemu:///session libvirtd (the oracle's daemon.sh, run as `nobody`, so TCG) migrating a running
# domain to a destination URI nothing listens on, and to one whose driver has no peer-to-peer
# migration (test:///default); and the public API's own refusals.
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_qemu_p2p_refusals.sh [ORACLE]
# Writes tests/fixtures/qemu_migration/p2p_refusals.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/fixtures/qemu_migration
mkdir -p "$OUT"
eval "$(bash "$O/daemon.sh" start)"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true' EXIT
/usr/bin/python3 - "$URI_QEMU" >"$OUT/p2p_refusals.json.tmp" <<'PY'
import json, sys
import libvirt

uri = sys.argv[1]
libvirt.registerErrorHandler(lambda *_: None, None)
V = libvirt
XML = """<domain type='qemu'><name>p2p</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='none'/>
</devices></domain>"""
conn = libvirt.open(uri)
dom = conn.createXML(XML, 0)
P2P = V.VIR_MIGRATE_PEER2PEER | V.VIR_MIGRATE_LIVE
cases = []
for name, dconnuri, params, flags in [
    # Nothing listens on port 1 of the loopback.
    ("unreachable", "qemu+tcp://127.0.0.1:1/session", {}, P2P),
    ("no-p2p-driver", "test:///default", {}, P2P),
    ("tunnelled-uri", "qemu+tcp://127.0.0.1:1/session", {"migrate_uri": "tcp:127.0.0.1"},
     P2P | V.VIR_MIGRATE_TUNNELLED),
    ("tunnelled-listen", "qemu+tcp://127.0.0.1:1/session", {"listen_address": "127.0.0.1"},
     P2P | V.VIR_MIGRATE_TUNNELLED),
    ("no-dconnuri", None, {}, P2P),
    ("tunnelled-parallel", "qemu+tcp://127.0.0.1:1/session", {},
     P2P | V.VIR_MIGRATE_TUNNELLED | V.VIR_MIGRATE_PARALLEL),
]:
    out = {"name": name, "dconnuri": dconnuri, "params": params, "flags": flags}
    try:
        dom.migrateToURI3(dconnuri, params, flags)
        out["ok"] = True
    except libvirt.libvirtError as e:
        out["error"] = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                        "message": e.get_error_message()}
    out["state"] = dom.state()
    cases.append(out)
dom.destroy()
print(json.dumps({"recorded": "libvirt 9.0.0, qemu:///session", "cases": cases}, indent=1))
PY
mv "$OUT/p2p_refusals.json.tmp" "$OUT/p2p_refusals.json"

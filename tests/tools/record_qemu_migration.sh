#!/bin/bash
# Records libvirt 9.0's refusals of managed migrations (virDomainMigrate3 and the QEMU driver's
# Begin and Prepare checks) for tests/drivers/qemu/migration_test.ts: python3-libvirt against a
# private qemu:///session libvirtd (the oracle's daemon.sh, run as `nobody`, so TCG), migrating
# a running domain to a second connection of the same daemon. Every case is refused before the
# destination's same-host check, so one daemon is enough.
#
# Usage (from anywhere; root, the oracle installed): bash tests/tools/record_qemu_migration.sh [ORACLE]
# Writes tests/fixtures/qemu_migration/refusals.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/fixtures/qemu_migration
mkdir -p "$OUT"
eval "$(bash "$O/daemon.sh" start)"
GUEST=$(mktemp -d)
chmod 755 "$GUEST"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$GUEST"' EXIT
truncate -s 1M "$GUEST/disk.img"
chmod 666 "$GUEST/disk.img"
/usr/bin/python3 - "$URI_QEMU" "$GUEST" >"$OUT/refusals.json" <<'PY'
import json, sys
import libvirt

uri, guest = sys.argv[1], sys.argv[2]
libvirt.registerErrorHandler(lambda *_: None, None)
V = libvirt
XML = """<domain type='qemu'><name>%s</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s/disk.img'/>
<target dev='hda' bus='ide'/></disk><memballoon model='none'/></devices></domain>"""
conn = libvirt.open(uri)
dconn = libvirt.open(uri)
running = conn.createXML(XML % ("running", guest), 0)
inactive = conn.defineXML(XML % ("inactive", guest))
LIVE = V.VIR_MIGRATE_LIVE | V.VIR_MIGRATE_UNSAFE
LOOP = {"migrate_uri": "tcp:127.0.0.1", "listen_address": "127.0.0.1"}
# name, domain, params, flags (numbers, as the replay passes them)
CASES = [
    ("p2p", "running", LOOP, V.VIR_MIGRATE_PEER2PEER),
    ("tunnelled", "running", LOOP, V.VIR_MIGRATE_TUNNELLED),
    ("storage-exclusive", "running", LOOP,
     V.VIR_MIGRATE_NON_SHARED_DISK | V.VIR_MIGRATE_NON_SHARED_INC),
    ("offline-not-persistent", "running", LOOP, V.VIR_MIGRATE_OFFLINE),
    ("offline-non-shared", "running", LOOP,
     V.VIR_MIGRATE_OFFLINE | V.VIR_MIGRATE_PERSIST_DEST | V.VIR_MIGRATE_NON_SHARED_DISK),
    ("postcopy-not-live", "running", LOOP, V.VIR_MIGRATE_POSTCOPY | V.VIR_MIGRATE_UNSAFE),
    ("unknown-param", "running", dict(LOOP, wibble="x"), LIVE),
    ("unsafe-local-disk", "running", LOOP, V.VIR_MIGRATE_LIVE),
    ("inactive", "inactive", LOOP, LIVE),
    ("bad-scheme", "running", {"migrate_uri": "udp:127.0.0.1:49999"}, LIVE),
    # migrate_disks is a list here; the replay passes it comma-separated, as edgevirt takes it.
    ("migrate-disks-unknown", "running", dict(LOOP, migrate_disks=["hdz"]),
     LIVE | V.VIR_MIGRATE_NON_SHARED_DISK),
    ("migrate-disks-leave-local-disk", "running", dict(LOOP, migrate_disks=["hdz"]),
     V.VIR_MIGRATE_LIVE | V.VIR_MIGRATE_NON_SHARED_DISK),
]
out = []
for name, dom, params, flags in CASES:
    d = running if dom == "running" else inactive
    try:
        d.migrate3(dconn, params, flags)
        error = None
    except libvirt.libvirtError as e:
        error = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                 "message": e.get_error_message()}
    out.append({"name": name, "domain": dom, "params": params, "flags": flags, "error": error})
running.destroy()
inactive.undefine()
print(json.dumps({"recorded": "libvirt 9.0.0, qemu:///session, " + conn.getURI().split("?")[0],
                  "cases": out}, indent=1))
PY

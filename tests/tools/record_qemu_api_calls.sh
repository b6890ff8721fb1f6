#!/bin/bash
# Records libvirt 9.0's QEMU driver answers to the calls tests/drivers/qemu/api_calls_recorded_test.ts
# replays: virDomainDetachDeviceAlias, virDomainSaveParams / virDomainRestoreParams,
# virDomainAuthorizedSSHKeysGet/Set and virDomainStartDirtyRateCalc, each refusal with its code,
# domain and message, and what the accepted calls leave (the device still in the live XML after
# an alias detach no guest acknowledged, the dirtyrate stats group once measured).
# python3-libvirt against a private qemu:///session libvirtd (the oracle's daemon.sh, run as
# `nobody`, so TCG).
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_qemu_api_calls.sh [ORACLE]
# Writes tests/fixtures/qemu_api/calls.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/fixtures/qemu_api
mkdir -p "$OUT"
IMG=$(mktemp -d "${TMPDIR:-/tmp}/qemu-api-img.XXXXXX")
chmod 755 "$IMG"
truncate -s 1M "$IMG/data.img"
chmod 666 "$IMG/data.img"
eval "$(bash "$O/daemon.sh" start)"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$IMG"' EXIT
/usr/bin/python3 - "$URI_QEMU" "$IMG" >"$OUT/calls.json.tmp" <<'PY'
import json, sys, time
import libvirt

uri, img = sys.argv[1], sys.argv[2]
libvirt.registerErrorHandler(lambda *_: None, None)
V = libvirt
# The replay's domain has the same devices: a virtio disk with a user alias, no agent channel;
# ACPI, without which QEMU's pci.0 takes no unplug.
XML = f"""<domain type='qemu'><name>api</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{img}/data.img'/>
<target dev='vdb' bus='virtio'/><alias name='ua-data'/></disk>
<memballoon model='none'/></devices></domain>"""
conn = libvirt.open(uri)
dom = conn.defineXML(XML)
cases = []


def call(name, fn):
    out = {"name": name}
    try:
        r = fn()
        out["ok"] = True
        if r is not None and not isinstance(r, int):
            out["result"] = r
    except libvirt.libvirtError as e:
        out["error"] = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                        "message": e.get_error_message()}
    cases.append(out)


# Shut off first: what needs a running domain.
call("dirtyrate-inactive", lambda: dom.startDirtyRateCalc(1, 0))
call("sshkeys-get-inactive", lambda: dom.authorizedSSHKeysGet("root", 0))
dom.create()
call("alias-missing", lambda: dom.detachDeviceAlias("nope", V.VIR_DOMAIN_AFFECT_LIVE))
call("alias-flags", lambda: dom.detachDeviceAlias("ua-data", 8))
call("restore-no-file", lambda: conn.restoreParams({}, 0))
call("restore-dxml-only", lambda: conn.restoreParams({V.VIR_DOMAIN_SAVE_PARAM_DXML: XML}, 0))
call("save-flags", lambda: dom.saveParams({V.VIR_DOMAIN_SAVE_PARAM_FILE: img + "/x"}, 0x100))
call("sshkeys-get-flags", lambda: dom.authorizedSSHKeysGet("root", 1))
call("sshkeys-set-flags", lambda: dom.authorizedSSHKeysSet("root", ["k"], 4))
call("sshkeys-get-no-agent", lambda: dom.authorizedSSHKeysGet("root", 0))
call("dirtyrate-seconds-0", lambda: dom.startDirtyRateCalc(0, 0))
call("dirtyrate-seconds-61", lambda: dom.startDirtyRateCalc(61, 0))
call("dirtyrate-flags", lambda: dom.startDirtyRateCalc(1, 4))
call("dirtyrate-ring", lambda: dom.startDirtyRateCalc(1, V.VIR_DOMAIN_DIRTYRATE_MODE_DIRTY_RING))
call("dirtyrate-sampling", lambda: dom.startDirtyRateCalc(1, 0))
# The measurement takes its calc-time: the group once measured.
for _ in range(100):
    stats = conn.domainListGetStats([dom], V.VIR_DOMAIN_STATS_DIRTYRATE, 0)[0][1]
    if stats.get("dirtyrate.calc_status") == V.VIR_DOMAIN_DIRTYRATE_MEASURED:
        break
    time.sleep(0.1)
cases.append({"name": "dirtyrate-measured-fields", "result": list(stats)})
# No guest acknowledges the unplug: the request succeeds, the disk stays.
call("alias-live", lambda: dom.detachDeviceAlias("ua-data", V.VIR_DOMAIN_AFFECT_LIVE))
cases.append({"name": "alias-live-still-there",
              "result": "ua-data" in dom.XMLDesc(0)})
call("alias-config", lambda: dom.detachDeviceAlias("ua-data", V.VIR_DOMAIN_AFFECT_CONFIG))
cases.append({"name": "alias-config-gone",
              "result": "ua-data" not in dom.XMLDesc(V.VIR_DOMAIN_XML_INACTIVE)})
dom.destroy()
dom.undefine()
print(json.dumps({"recorded": "libvirt 9.0.0, qemu:///session", "cases": cases}, indent=1))
PY
mv "$OUT/calls.json.tmp" "$OUT/calls.json"

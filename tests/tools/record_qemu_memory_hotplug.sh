#!/bin/bash
# Records what libvirt 9.0's QEMU driver does for memory-device hotplug, for
# tests/drivers/qemu/memory_device_hotplug_test.ts: a private qemu:///session libvirtd (the
# oracle's daemon.sh, TCG) starts a q35 guest (no OS) with a DIMM and a virtio-mem, then each
# step runs through python3-libvirt: a DIMM attached live, the virtio-mem's requested size
# updated, the DIMM detached (the guest never acknowledges the unplug), a virtio-mem attached
# and detached, a DIMM attached to the persistent definition, and the refusals. For each step: the QMP requests QEMU handled
# (QEMU's `handle_qmp_command` trace, asked for by <qemu:commandline>; queries left out but
# qom-set kept), the error (code, domain, message) or the live/inactive XML, and the domain
# events (DEVICE_ADDED, DEVICE_REMOVED, MEMORY_DEVICE_SIZE_CHANGE).
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_qemu_memory_hotplug.sh [ORACLE]
# Writes tests/drivers/qemu/fixtures/memory_hotplug_qmp.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/drivers/qemu/fixtures/memory_hotplug_qmp.json
eval "$(bash "$O/daemon.sh" start)"
GUEST=$(mktemp -d)
chmod 777 "$GUEST"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$GUEST"' EXIT
/usr/bin/python3 - "$URI_QEMU" "$GUEST" >"$OUT" <<'PY'
import json, re, sys, time
import libvirt

sys.path.insert(0, "tests/tools")
from qmp_trace import start_event_loop, traced_requests  # noqa: E402

uri, guest = sys.argv[1:3]
V = libvirt
start_event_loop()

TRACE = guest + "/qmp.log"
XML = """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
<name>memhp</name><uuid>5a7e0000-0000-4000-8000-00000000d1a0</uuid>
<maxMemory slots='4' unit='MiB'>1024</maxMemory><memory unit='MiB'>384</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='q35'>hvm</type></os><features><acpi/></features>
<cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/></numa></cpu><devices>
<memory model='dimm'><target><size unit='MiB'>64</size><node>0</node></target></memory>
<memory model='virtio-mem'><target><size unit='MiB'>256</size><node>0</node>
<block unit='MiB'>2</block><requested unit='MiB'>0</requested></target></memory>
<memballoon model='none'/></devices>
<qemu:commandline><qemu:arg value='-trace'/>
<qemu:arg value='enable=handle_qmp_command,file=%s'/></qemu:commandline></domain>""" % TRACE

DIMM = ("<memory model='dimm'><target><size unit='MiB'>32</size><node>0</node></target>"
        "</memory>")
VIRTIO_MEM = ("<memory model='virtio-mem'><target><size unit='MiB'>128</size><node>0</node>"
              "<block unit='MiB'>2</block><requested unit='MiB'>0</requested></target></memory>")


def requests():
    """The QMP requests QEMU traced so far, in order, without its queries."""
    return traced_requests(TRACE, lambda execute: not re.match(r"query-|qom-get|qom-list", execute))


conn = libvirt.open(uri)
events = []
conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                            lambda _c, _d, alias, _o: events.append(["device-added", alias]),
                            None)
conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                            lambda _c, _d, alias, _o: events.append(["device-removed", alias]),
                            None)
conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
                            lambda _c, _d, alias, size, _o:
                            events.append(["memory-device-size-change", alias, size]), None)
dom = conn.defineXML(XML)
dom.create()
time.sleep(0.5)  # the trace holds the start's commands
steps = []


def step(name, call, xml_flags=0):
    before = len(requests())
    del events[:]
    out = {"step": name}
    try:
        call()
    except libvirt.libvirtError as e:
        out["error"] = [e.get_error_code(), e.get_error_domain(), e.get_error_message()]
    time.sleep(0.5)  # the trace is written, the events delivered
    out["qmp"] = requests()[before:]
    out["events"] = list(events)
    out["xml"] = re.sub(r"\n\s*<qemu:commandline>.*</qemu:commandline>", "",
                        dom.XMLDesc(xml_flags), flags=re.S)
    steps.append(out)


live = V.VIR_DOMAIN_AFFECT_LIVE
config = V.VIR_DOMAIN_AFFECT_CONFIG
steps.append({"step": "start", "xml": re.sub(r"\n\s*<qemu:commandline>.*</qemu:commandline>",
                                              "", dom.XMLDesc(0), flags=re.S)})
step("attach-dimm-live", lambda: dom.attachDeviceFlags(DIMM, live))
step("update-virtio-mem-requested", lambda: dom.updateDeviceFlags(
    re.search(r"<memory model='virtio-mem'>.*?</memory>", dom.XMLDesc(0), re.S).group(0)
    .replace("<requested unit='KiB'>0</requested>", "<requested unit='KiB'>65536</requested>"),
    live))
step("update-dimm-refused", lambda: dom.updateDeviceFlags(
    re.search(r"<memory model='dimm'>.*?</memory>", dom.XMLDesc(0), re.S).group(0), live))
step("attach-node-refused", lambda: dom.attachDeviceFlags(DIMM.replace(
    "<node>0</node>", "<node>3</node>"), live))
step("attach-space-refused", lambda: dom.attachDeviceFlags(DIMM.replace(
    "<size unit='MiB'>32</size>", "<size unit='MiB'>2048</size>"), live))
step("detach-dimm-live", lambda: dom.detachDeviceFlags(
    re.search(r"<memory model='dimm'>(?:(?!</memory>).)*dimm1.*?</memory>", dom.XMLDesc(0),
              re.S).group(0), live))
step("attach-virtio-mem-live", lambda: dom.attachDeviceFlags(VIRTIO_MEM, live))
step("detach-virtio-mem-live", lambda: dom.detachDeviceFlags(
    re.search(r"<memory model='virtio-mem'>(?:(?!</memory>).)*virtiomem1.*?</memory>",
              dom.XMLDesc(0), re.S).group(0), live))
step("attach-dimm-config", lambda: dom.attachDeviceFlags(DIMM, config),
     V.VIR_DOMAIN_XML_INACTIVE)
step("attach-config-slots-refused", lambda: [dom.attachDeviceFlags(DIMM, config)
                                             for _ in range(2)], V.VIR_DOMAIN_XML_INACTIVE)
step("detach-dimm-config", lambda: dom.detachDeviceFlags(DIMM, config),
     V.VIR_DOMAIN_XML_INACTIVE)
step("detach-missing-config", lambda: dom.detachDeviceFlags(DIMM.replace(
    "<size unit='MiB'>32</size>", "<size unit='MiB'>16</size>"), config),
     V.VIR_DOMAIN_XML_INACTIVE)
dom.destroy()
dom.undefine()
conn.close()
print(json.dumps(steps, indent=1))
PY
echo "record_qemu_memory_hotplug: $OUT" >&2

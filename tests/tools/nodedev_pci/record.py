#!/usr/bin/python3
"""Records libvirt 9.0's answers to virNodeDeviceDettach/DetachFlags/ReAttach/Reset through
python-libvirt, as JSON on stdout: {"test": [...], "qemu": [...]}, each call with its error
(code, domain, message) or "ok". $URI_TEST is a private libvirtd's test:///default, $URI_QEMU
its qemu:///session (record.sh starts both).

Only calls that libvirt refuses before it touches a device are made on the QEMU driver: flags,
driver names, a device that is not PCI ('computer') or not there, and a detach that fails on
VFIO support because this host has no IOMMU (checked first: with one, the detach is skipped,
since it would really unbind a host device)."""
import json, os, sys
import libvirt

def answer(fn):
    try:
        fn()
        return "ok"
    except libvirt.libvirtError as e:
        return {"code": e.get_error_code(), "domain": e.get_error_domain(),
                "message": e.get_error_message()}

def calls(conn, name, detach_pci):
    out = []
    def add(call, fn):
        out.append({"device": name, "call": call, "answer": answer(fn)})
    try:
        dev = conn.nodeDeviceLookupByName(name)
    except libvirt.libvirtError as e:
        out.append({"device": name, "call": "lookup", "answer": answer(lambda: (_ for _ in ()).throw(e))})
        return out
    add("detachFlags(vfio, 1)", lambda: dev.detachFlags("vfio", 1))
    add("detachFlags(xen, 0)", lambda: dev.detachFlags("xen", 0))
    add("detachFlags(kvm, 0)", lambda: dev.detachFlags("kvm", 0))
    if detach_pci:
        add("dettach", dev.dettach)
        add("detachFlags(null, 0)", lambda: dev.detachFlags(None, 0))
        add("detachFlags(vfio, 0)", lambda: dev.detachFlags("vfio", 0))
    if not name.startswith("pci_") or conn.getType() == "Test":
        add("reAttach", dev.reAttach)
        add("reset", dev.reset)
    return out

def main():
    libvirt.registerErrorHandler(lambda *_: None, None)
    iommu = os.listdir("/sys/kernel/iommu_groups") if os.path.isdir("/sys/kernel/iommu_groups") else []
    test = libvirt.open(os.environ["URI_TEST"])
    qemu = libvirt.open(os.environ["URI_QEMU"])
    pci = sorted(qemu.listDevices("pci", 0))[:1]
    result = {
        "test": [c for n in ["computer", "nosuch"] for c in calls(test, n, True)],
        "qemu": [c for n in ["computer", "nosuch"] + pci for c in calls(qemu, n, not iommu)],
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")

main()

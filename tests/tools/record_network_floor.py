#!/usr/bin/python3
"""Runs the steps of tests/drivers/network/fixtures/floor_cases/steps.json on qemu:///system (a
root libvirtd 9.0 that record_network_libvirt.sh --floor started in its network namespace) and
writes what libvirt answered to fixtures/libvirt_floor/steps.expected.json: per step its name,
the `tc` commands libvirt ran (from its debug log, argv 2), its error (code, domain, message) if
any, the port's UUID and the XML sent to make it, the head of the network's status file (`<class_id bitmap=…/>` and `<floor sum=…/>`), the XML
of the port the step made or changed, and what `tc class show` / `tc filter show` print for the
bridge afterwards. A port's UUID is fixed by its label; the networks are transient (net-create).

This kernel has no sfq qdisc: libvirt's `tc` (found in its PATH, see the shell script) stands in
pfifo for it, unless a step says "realSfq", when the flag file argv 4 exists and the kernel's own
refusal is what libvirt meets. libvirt's commands in the log are its own either way."""
import ctypes
import json
import os
import re
import subprocess
import sys
import time

import libvirt

cases, log, ns, real_sfq = sys.argv[1:5]
steps = json.load(open(f"{cases}/steps.json"))
restart_cmd = os.environ["RECORD_RESTART"]


def tc_commands():
    out = []
    for line in open(log, errors="replace"):
        m = re.search(r"About to run (?:LC_ALL=C )?((?:\S*/)?tc .*)$", line)
        if m:
            out.append(m.group(1).split()[1:])
    return out


def status_head(name):
    try:
        text = open(f"/run/libvirt/network/{name}.xml").read()
    except FileNotFoundError:
        return None
    return re.findall(r"<class_id [^>]*/>|<floor [^>]*/>", text)


def show(bridge, what):
    r = subprocess.run(["ip", "netns", "exec", ns, "tc", what, "show", "dev", bridge],
                       capture_output=True, text=True)
    return r.stdout


def connect():
    for _ in range(100):
        try:
            return libvirt.open("qemu:///system")
        except libvirt.libvirtError:
            time.sleep(0.2)
    raise SystemExit("record_network_floor.py: libvirtd did not come back")


class TypedParam(ctypes.Structure):
    _fields_ = [("field", ctypes.c_char * 80), ("type", ctypes.c_int),
                ("value", ctypes.c_ulonglong)]


def set_parameters(port, params):
    """virNetworkPortSetParameters called directly: python-libvirt 9.0's setParameters asks the
    port's current parameters for their types first and refuses ("Port has no settable
    attributes") when it has none, or when they do not list what is set."""
    lib = ctypes.CDLL("libvirt.so.0")
    capsule = ctypes.py_object(port._o)
    api = ctypes.pythonapi
    api.PyCapsule_GetName.restype = ctypes.c_char_p
    api.PyCapsule_GetName.argtypes = [ctypes.py_object]
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    ptr = api.PyCapsule_GetPointer(capsule, api.PyCapsule_GetName(capsule))
    arr = (TypedParam * len(params))()
    for i, (k, v) in enumerate(params.items()):
        arr[i].field = k.encode()
        arr[i].type = 2  # VIR_TYPED_PARAM_UINT
        arr[i].value = v
    fn = lib.virNetworkPortSetParameters
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_uint]
    if fn(ptr, arr, len(params), 0) < 0:
        raise libvirt.libvirtError("virNetworkPortSetParameters() failed")


labels = {}


def uuid_of(label):
    labels.setdefault(label, len(labels) + 1)
    return f"5d744f21-ba4a-4d6e-bdb2-{labels[label]:012d}"


conn = connect()
bridges = {}
out = []
for step in steps:
    name = step["network"]
    seen = len(tc_commands())
    entry = {"name": step["name"]}
    if step.get("realSfq"):
        open(real_sfq, "w").close()
    try:
        op = step["op"]
        if op == "start":
            xml = open(f"{cases}/{name}.xml").read()
            bridges[name] = re.search(r"<bridge name='([^']+)'", xml).group(1)
            conn.networkCreateXML(xml)
        elif op == "destroy":
            conn.networkLookupByName(name).destroy()
        elif op == "restart":
            conn.close()
            subprocess.run(["bash", "-c", restart_cmd], check=True)
            conn = connect()
        else:
            net = conn.networkLookupByName(name)
            uuid = entry["uuid"] = uuid_of(step["port"])
            if op == "create":
                bw = f"<bandwidth>{step['bandwidth']}</bandwidth>" if "bandwidth" in step else ""
                xml = (f"<networkport><uuid>{uuid}</uuid><owner><name>vm-{step['port']}</name>"
                       f"<uuid>d54df46f-1ab5-4a22-8618-{labels[step['port']]:012d}</uuid></owner>"
                       f"<mac address='{step['mac']}'/>{bw}</networkport>")
                entry["xml"] = xml
                entry["port"] = net.portCreateXML(xml).XMLDesc()
            elif op == "set":
                port = net.portLookupByUUIDString(uuid)
                set_parameters(port, step["params"])
                entry["port"] = port.XMLDesc()
            elif op == "delete":
                net.portLookupByUUIDString(uuid).delete()
    except libvirt.libvirtError as e:
        entry.update(code=e.get_error_code(), domain=e.get_error_domain(),
                     message=e.get_error_message())
    finally:
        if os.path.exists(real_sfq):
            os.remove(real_sfq)
    entry["tc"] = tc_commands()[seen:]
    entry["status"] = status_head(name)
    entry["class"] = show(bridges[name], "class")
    entry["filter"] = show(bridges[name], "filter")
    out.append(entry)

os.makedirs(f"{cases}/../libvirt_floor", exist_ok=True)
with open(f"{cases}/../libvirt_floor/steps.expected.json", "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print(f"record_network_floor.py: {len(out)} steps")

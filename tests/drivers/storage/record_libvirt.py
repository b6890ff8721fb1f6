#!/usr/bin/python3
"""Runs fixtures/scenario.json against a libvirt connection (a private session libvirtd's
storage and secret drivers) and prints one JSON line per step: the result or the error.
Results go through the same masking as the replay test (storage_oracle_test.ts)."""
import base64, json, sys
import libvirt

uri, pool_dir, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
conn = libvirt.open(uri)
libvirt.registerErrorHandler(lambda *_: None, None)

def pool(name): return conn.storagePoolLookupByName(name)
def vol(p, name): return pool(p).storageVolLookupByName(name)
def sec(uuid): return conn.secretLookupByUUIDString(uuid)

def run(step):
    op, *a = step
    a = [x.replace("$POOL", pool_dir) if isinstance(x, str) else x for x in a]
    if op == "poolDefine": conn.storagePoolDefineXML(a[1], 0); return None
    if op == "poolBuild": return pool(a[0]).build(0)
    if op == "poolCreate": return pool(a[0]).create(0)
    if op == "poolInfo": return pool(a[0]).info()
    if op == "poolRefresh": return pool(a[0]).refresh(0)
    if op == "poolListVolumes": return sorted(pool(a[0]).listVolumes())
    if op == "poolUndefine": return pool(a[0]).undefine()
    if op == "poolAutostart": return pool(a[0]).setAutostart(a[1])
    if op == "poolGetAutostart": return pool(a[0]).autostart()
    if op == "poolDestroy": return pool(a[0]).destroy()
    if op == "poolDelete": return pool(a[0]).delete(0)
    if op == "poolLookup": pool(a[0]); return None
    if op == "poolXML": return pool(a[0]).XMLDesc(0)
    if op == "poolBuildFlags": return pool(a[0]).build(a[1])
    if op == "poolCreateXML": return conn.storagePoolCreateXML(a[0], a[1]).name()
    if op == "poolIsPersistent": return pool(a[0]).isPersistent()
    if op == "volCreate": return pool(a[0]).createXML(a[1], 0).name()
    if op == "volCreateFrom": return pool(a[0]).createXMLFrom(a[1], vol(a[0], a[2]), 0).name()
    if op == "volInfo": return vol(a[0], a[1]).info()
    if op == "volXML": return vol(a[0], a[1]).XMLDesc(0)
    if op == "volResize": return vol(a[0], a[1]).resize(a[2], a[3])
    if op == "volWipe": return vol(a[0], a[1]).wipe(0)
    if op == "volDelete": return vol(a[0], a[1]).delete(0)
    if op == "volLookup": return vol(a[0], a[1]).key()
    if op == "volLookupPath": return conn.storageVolLookupByPath(a[0]).name()
    if op == "volLookupKey": return conn.storageVolLookupByKey(a[0]).name()
    if op == "volInfoPhysical": return vol(a[0], a[1]).infoFlags(1)
    if op == "volWipePattern": return vol(a[0], a[1]).wipePattern(a[2], 0)
    if op == "volUpload":
        st = conn.newStream(0)
        vol(a[0], a[1]).upload(st, a[2], a[3], a[4])
        data = base64.b64decode(a[5])
        try:
            while data:
                data = data[st.send(data):]
            st.finish()
        except libvirt.libvirtError:
            st.abort()
            raise
        return 0
    if op == "volDownload":
        st = conn.newStream(0)
        vol(a[0], a[1]).download(st, a[2], a[3], a[4])
        out = b""
        try:
            while True:
                chunk = st.recv(65536)
                if not chunk:
                    break
                out += chunk
            st.finish()
        except libvirt.libvirtError:
            st.abort()
            raise
        return base64.b64encode(out).decode()
    if op == "secretDefine": return conn.secretDefineXML(a[0], 0).UUIDString()
    if op == "secretSetValue": return sec(a[0]).setValue(base64.b64decode(a[1]), 0)
    if op == "secretGetValue": return base64.b64encode(sec(a[0]).value(0)).decode()
    if op == "secretXML": return sec(a[0]).XMLDesc(0)
    if op == "secretList": return sorted(conn.listSecrets())
    if op == "secretListAll": return sorted(x.UUIDString() for x in conn.listAllSecrets(a[0]))
    if op == "secretLookupUsage": return conn.secretLookupByUsage(a[0], a[1]).UUIDString()
    if op == "secretUndefine": return sec(a[0]).undefine()
    raise ValueError(op)

for step in json.load(open(scenario)):
    try:
        out = {"result": run(step)}
    except libvirt.libvirtError as e:
        out = {"error": [e.get_error_code(), e.get_error_domain(), e.get_error_message()]}
    print(json.dumps({"step": step[0], **out}).replace(pool_dir, "$POOL"))

#!/usr/bin/python3
"""Runs the argument-check cases (JSON from cases.ts on stdin) through python-libvirt 9.0 against
$RECORD_URI (record.sh gives a private libvirtd's test+unix:///default, so that the remote
driver's and the daemon's checks are recorded too), one fresh default state per case, and prints each case with libvirt's answer:
{"error": {code, domain, message}}, {"ok": true} (libvirt ran the call: the check is not
libvirt's), or {"skipped": why} (python-libvirt cannot express the call)."""
import gc, inspect, json, os, re, sys
import libvirt

def api_map():
    m = {}
    for cls in (libvirt.virConnect, libvirt.virDomain, libvirt.virNetwork, libvirt.virStoragePool,
                libvirt.virStorageVol, libvirt.virNodeDevice, libvirt.virInterface, libvirt.virSecret,
                libvirt.virDomainSnapshot, libvirt.virDomainCheckpoint, libvirt.virNWFilter,
                libvirt.virNWFilterBinding):
        for name, fn in inspect.getmembers(cls, inspect.isfunction):
            try:
                src = inspect.getsource(fn)
            except (OSError, TypeError):
                continue
            for c in re.findall(r"libvirtmod\.(vir\w+)\(", src):
                m.setdefault(c, (cls.__name__, name, list(inspect.signature(fn).parameters)[1:]))
    return m

API = api_map()
URI = os.environ.get("RECORD_URI", "test:///default")
REF_KINDS = {"dom", "net", "netport", "pool", "vol", "dev", "iface", "secret", "nwfilter", "nwbinding"}

def obj(conn, kind, ref):
    if kind == "dom": return conn.lookupByName(ref["name"])
    if kind == "net": return conn.networkLookupByName(ref["name"])
    if kind == "netport": return conn.networkLookupByName(ref["network"]).portLookupByUUIDString(ref["uuid"])
    if kind == "pool": return conn.storagePoolLookupByName(ref["name"])
    if kind == "vol": return conn.storagePoolLookupByName(ref["pool"]).storageVolLookupByName(ref["name"])
    if kind == "dev": return conn.nodeDeviceLookupByName(ref["name"])
    if kind == "iface": return conn.interfaceLookupByName(ref["name"])
    if kind == "secret": return conn.secretLookupByUUIDString(ref["uuid"])
    if kind == "nwfilter": return conn.nwfilterLookupByName(ref["name"])
    if kind == "nwbinding": return conn.nwfilterBindingLookupByPortDev(ref["portdev"])
    raise ValueError(kind)

def setup(conn, method):
    """Objects the cases name: snapshot or checkpoint s1 of test (libvirt refuses both at once)
    and volume checks.img in default-pool."""
    dom = conn.lookupByName("test")
    if "Checkpoint" in method:
        dom.checkpointCreateXML("<domaincheckpoint><name>s1</name></domaincheckpoint>", 0)
    else:
        dom.snapshotCreateXML("<domainsnapshot><name>s1</name></domainsnapshot>", 0)
    pool = conn.storagePoolLookupByName("default-pool")
    pool.createXML("<volume><name>checks.img</name><capacity>1048576</capacity></volume>", 0)

def adapt(params, rest, kinds):
    """python-libvirt's own spelling of a few calls: explicit key counts, a time dict, and the
    pre-flags signature of calls that later grew a flags argument."""
    if "nkeycodes" in params and len(rest) == len(params) - 1:
        i = params.index("nkeycodes")
        keys = rest[i - 1]
        return rest[:i] + [len(keys) if keys is not None else 0] + rest[i:], kinds[:i] + ["int"] + kinds[i:]
    for name in ("st", "stream"):
        # The stream a stream call binds: made on the call's connection (see run()).
        if name in params and len(rest) == len(params) - 1:
            i = params.index(name)
            return rest[:i] + [None] + rest[i:], kinds[:i] + ["stream"] + kinds[i:]
    if params == ["time", "flags"] and len(rest) == 3:
        return [{"seconds": rest[0], "nseconds": rest[1]}, rest[2]], ["params", "uint"]
    if "flags" not in params and len(rest) == len(params) + 1 and rest[-1] == 0:
        return rest[:-1], kinds[:-1]
    return rest, kinds

def run(case):
    method = case["method"]
    api = case["api"]
    if api not in API:
        return {"skipped": "no python-libvirt method for " + api}
    cls, meth, params = API[api]
    args, kinds = case["args"], case["kinds"]
    if case["breaks"] == "positive maplen":
        return {"skipped": "python-libvirt sizes CPU maps from the host: maplen cannot be zero"}
    rw = libvirt.open(URI)
    try:
        setup(rw, method)
        conn = libvirt.openReadOnly(URI) if case["readonly"] else rw
        try:
            if cls == "virConnect":
                self, rest, rkinds = conn, args, kinds
            elif cls in ("virDomainSnapshot", "virDomainCheckpoint"):
                dom = obj(conn, "dom", args[0])
                look = dom.snapshotLookupByName if cls == "virDomainSnapshot" else dom.checkpointLookupByName
                self, rest, rkinds = look(args[1], 0), args[2:], kinds[2:]
            else:
                self, rest, rkinds = obj(conn, kinds[0], args[0]), args[1:], kinds[1:]
            rest, rkinds = adapt(params, rest, rkinds)
            if len(rest) != len(params):
                return {"skipped": "python %s.%s takes %s" % (cls, meth, params)}
            py = []
            streams = []
            for p, k, v in zip(params, rkinds, rest):
                if p == "snap":
                    py.append(self.snapshotLookupByName(v, 0))
                elif k == "stream":
                    streams.append(conn.newStream(0))
                    py.append(streams[-1])
                elif k in REF_KINDS:
                    py.append(obj(conn, k, v))
                elif k == "bool[]":
                    py.append(None if v is None else tuple(v))
                else:
                    py.append(v)
            libvirt.virResetLastError()
            try:
                getattr(self, meth)(*py)
            except libvirt.libvirtError as e:
                if e.get_error_code() is None:
                    return {"skipped": "python-libvirt raised without libvirt's error: %s" % e}
                # Typed-parameter setters read the current values first; an error naming another
                # API or driver function comes from that read, python-libvirt's, not this call's.
                msg = e.get_error_message() or ""
                fn = re.search(r"in function (\w+)", msg)
                other = [a for a in re.findall(r"\bvir[A-Z]\w+", msg) if a != api]
                if other or (fn and fn.group(1).lower() != ("test" + method).lower()):
                    return {"skipped": "python-libvirt's own call failed first: %s" % e}
                return {"error": {"code": e.get_error_code(), "domain": e.get_error_domain(),
                                  "message": e.get_error_message()}}
            except (TypeError, ValueError, OverflowError, LookupError, SystemError) as e:
                return {"skipped": "python-libvirt refuses the arguments: %s" % e}
            finally:
                for st in streams:
                    try:
                        st.abort()
                    except libvirt.libvirtError:
                        pass
                del py[:], streams[:]
            # Some python-libvirt overrides return None on failure instead of raising.
            err = libvirt.virGetLastError()
            if err is not None:
                return {"error": {"code": err[0], "domain": err[1], "message": err[2]}}
            return {"ok": True}
        finally:
            # Streams hold their connection: they must be gone before it closes, or
            # test:///default's state (shared while any connection lives) reaches the next case.
            gc.collect()
            if conn is not rw:
                conn.close()
    finally:
        rw.close()

libvirt.registerErrorHandler(lambda *a: None, None)
out = []
for case in json.load(sys.stdin):
    try:
        answer = run(case)
    except libvirt.libvirtError as e:
        answer = {"skipped": "setting the case up failed: %s" % e.get_error_message()}
    del case["kinds"], case["api"]
    out.append({**case, **answer})
json.dump(out, sys.stdout, indent=1)
print()

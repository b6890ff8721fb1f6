#!/usr/bin/python3
"""Sparse volume streams against a libvirt connection (a private session libvirtd's storage
driver): what a sparse upload leaves in the volume (size, allocation, the bytes of a hole over
old data) and the data/hole sections a sparse download gives, plus the client's refusals. One
JSON line per case; replayed by sparse_stream_test.ts. Usage: record_sparse.py URI POOL_DIR"""
import libvirt, os, sys, json
uri, d = sys.argv[1], sys.argv[2]
c = libvirt.open(uri)
libvirt.registerErrorHandler(lambda *_: None, None)
p = c.storagePoolCreateXML(f"<pool type='dir'><name>sp</name><target><path>{d}/pool</path></target></pool>", libvirt.VIR_STORAGE_POOL_CREATE_WITH_BUILD)
def vol(name, alloc):
    return p.createXML(f"<volume><name>{name}</name><capacity>{8<<20}</capacity><allocation>{alloc}</allocation><target><format type='raw'/></target></volume>", 0)
def up(v, pieces, off=0, ln=0):
    st = c.newStream(0)
    v.upload(st, off, ln, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
    for kind, n, b in pieces:
        if kind == "d": st.send(bytes([b]) * n)
        else: st.sendHole(n)
    st.finish()
def down(v, off=0, ln=0):
    st = c.newStream(0)
    v.download(st, off, ln, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
    out = []
    def h(s, data, o):
        if out and out[-1][0] == "data": out[-1][1] += len(data)
        else: out.append(["data", len(data)])
        return len(data)
    def hh(s, n, o): out.append(["hole", n]); return 0
    st.sparseRecvAll(h, hh, None)
    st.finish()
    return out
def stat(v):
    path = v.path(); s = os.stat(path)
    data = open(path, 'rb').read()
    return {"size": s.st_size, "alloc": s.st_blocks*512, "info": v.info(), "head": sorted(set(data[4096:8192]))}
# a: empty sparse volume, layout
a = vol("a.img", 0)
up(a, [("d", 65536, 1), ("h", 1<<20, 0), ("d", 4096, 2), ("h", (8<<20) - (1<<20) - 69632, 0)])
print(json.dumps({"case": "a", **stat(a), "down": down(a), "part": down(a, 32768, 65536)}))
# b: volume full of 0x07, upload data 4K + hole 4K + data 4K
b = vol("b.img", 0)
st = c.newStream(0); b.upload(st, 0, 0, 0); st.send(bytes([7]) * (8<<20)); st.finish()
up(b, [("d", 4096, 1), ("h", 4096, 0), ("d", 4096, 2)])
print(json.dumps({"case": "b", **stat(b), "down": down(b)}))
# c: preallocated volume
cc = vol("c.img", 8<<20)
print(json.dumps({"case": "c0", **stat(cc)}))
up(cc, [("d", 4096, 1), ("h", (8<<20) - 4096, 0)])
print(json.dumps({"case": "c", **stat(cc), "down": down(cc)}))
# errors
for what in ["sendHole-plain", "recvHole-plain", "sendHole-zero"]:
    try:
        st = c.newStream(0)
        if what == "sendHole-plain":
            a.upload(st, 0, 0, 0); st.sendHole(4096); st.finish()
        elif what == "recvHole-plain":
            a.download(st, 0, 0, 0); st.recvHole(0)
        else:
            a.upload(st, 0, 0, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM); st.sendHole(0); st.finish()
        print(json.dumps({"case": what, "ok": True}))
    except libvirt.libvirtError as e:
        print(json.dumps({"case": what, "error": [e.get_error_code(), e.get_error_domain(), e.get_error_message()]}))
        try: st.abort()
        except Exception: pass
for v in p.listAllVolumes(): v.delete(0)
p.destroy()

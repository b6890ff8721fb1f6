#!/usr/bin/python3
"""libvirt 9.0's answer to node device, snapshot, checkpoint and CPU documents, which the
oracle's canon.sh cannot define: one JSON line per file, in canon.sh --json's shape
({"file", "kind", "ok", "xml", "error"}).

Each document gets a fresh test:///default (one connection per document, so nothing carries
over): a node device is created with nodeDeviceCreateXML and read back with XMLDesc, a snapshot
or checkpoint is created on the running domain 'test' and read back with getXMLDesc. The
creation time is the clock's, so it is printed as 0 (the replay masks it the same way).
A CPU is compared with the host's by compareCPU on the QEMU driver at $ORACLE_QEMU_URI (the
test driver has none); its "xml" is the comparison's result, which depends on the host.

Usage: record_other.py [--validate] FILE...   (the kind comes from the file's folder: nodedev/,
snapshot/, checkpoint/, cpu/; --validate creates node devices and snapshots with their VALIDATE
flag, VIR_NODE_DEVICE_CREATE_XML_VALIDATE and VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE, and compares
CPUs with VIR_CONNECT_COMPARE_CPU_VALIDATE_XML: checkpoints are always checked against their
schema)
"""
import json, os, re, sys

sys.path.insert(0, '/usr/lib/python3/dist-packages')
import libvirt

libvirt.registerErrorHandler(lambda ctx, err: None, None)
ERR = {getattr(libvirt, n): n for n in dir(libvirt)
       if n.startswith('VIR_ERR_') and n not in ('VIR_ERR_NONE', 'VIR_ERR_WARNING', 'VIR_ERR_ERROR')}
FROM = {getattr(libvirt, n): n for n in dir(libvirt) if n.startswith('VIR_FROM_')}
TIME = re.compile(r'<creationTime>[0-9]+</creationTime>')


def answer(kind, xml, validate):
    if kind == 'cpu':
        conn = libvirt.open(os.environ['ORACLE_QEMU_URI'])
        try:
            flags = libvirt.VIR_CONNECT_COMPARE_CPU_VALIDATE_XML if validate else 0
            return str(conn.compareCPU(xml, flags))
        finally:
            conn.close()
    conn = libvirt.open('test:///default')
    try:
        if kind == 'nodedev':
            flags = libvirt.VIR_NODE_DEVICE_CREATE_XML_VALIDATE if validate else 0
            dev = conn.nodeDeviceCreateXML(xml, flags)
            out = dev.XMLDesc(0)
            dev.destroy()
            return out
        dom = conn.lookupByName('test')
        if kind == 'snapshot':
            flags = libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE if validate else 0
            return dom.snapshotCreateXML(xml, flags).getXMLDesc(0)
        return dom.checkpointCreateXML(xml, 0).getXMLDesc(0)
    finally:
        conn.close()


def main(args):
    validate = args[:1] == ['--validate']
    for f in args[1:] if validate else args:
        kind = os.path.basename(os.path.dirname(f))
        with open(f) as fh:
            xml = fh.read()
        row = {'file': f, 'kind': kind, 'ok': True, 'xml': None, 'error': None}
        try:
            row['xml'] = TIME.sub('<creationTime>0</creationTime>', answer(kind, xml, validate))
        except libvirt.libvirtError as e:
            row['ok'] = False
            row['error'] = {'code': e.get_error_code(), 'code_name': ERR.get(e.get_error_code()),
                            'domain': e.get_error_domain(),
                            'domain_name': FROM.get(e.get_error_domain()),
                            'message': e.get_error_message()}
        print(json.dumps(row))


if __name__ == '__main__':
    main(sys.argv[1:])

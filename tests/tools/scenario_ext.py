#!/usr/bin/python3
"""scenario_ext.py: scenario.py (the oracle's differential API runner) plus object selectors
for networks, storage pools, storage volumes, interfaces and node devices.

Usage and output are scenario.py's (see `scenario.py --help`); a scenario without the selectors
below prints exactly what scenario.py prints, because every such op goes to scenario.py's own
Runner.step. This file imports scenario.py by path (SCENARIO_PY, which
tests/tools/record_goldens.sh sets to the oracle's) and only adds:

  selectors  "net": NAME    networkLookupByName
             "pool": NAME   storagePoolLookupByName
             "vol": [POOL, NAME]   storagePoolLookupByName(POOL).storageVolLookupByName(NAME)
             "iface": NAME  interfaceLookupByName
             "dev": NAME    nodeDeviceLookupByName
             "snap": [DOMAIN, NAME]  lookupByName(DOMAIN).snapshotLookupByName(NAME)
             "chk": [DOMAIN, NAME]   lookupByName(DOMAIN).checkpointLookupByName(NAME)
             An op with one of them runs the method of that object (virNetwork.create, ...);
             the first present, in the order above, wins.
  arguments  by key as in OBJ_SIG below ("flags" defaults to 0), or "args": [...].
  tuples     "tuples": [INDEX, ...] passes those entries of "args" as Python tuples (a CPU map
             must be one), for any op; the key is not echoed.
  extra ops  "revertToSnapshot" on a "snap" selector: virDomain.revertToSnapshot(SNAPSHOT, flags)
             of the snapshot's domain (python-libvirt has it on virDomain only);
             "createXMLFrom" on a "pool" selector: its clone volume argument as [POOL, NAME].
  results    virInterface -> {"interface": name}, virNodeDevice -> {"nodedev": name},
             virStorageVol -> {"volume": name}, virDomainSnapshot -> {"snapshot": name},
             virDomainCheckpoint -> {"checkpoint": name}, in every op (connection-level ones
             too).
  output     {"i", "op", [domain selectors], [object selectors], ["phase"], "ok",
              "result" | "error", "events", "obj": OBJ, "domains"}
             OBJ = {"exists": false, "lookup_error": CODE} or {"exists": true, ...} with the
             fields of OBJ_FIELDS for that kind, each null when its query fails.
"""
import importlib.util
import os
import sys

SCENARIO_PY = os.environ.get('SCENARIO_PY')
if not SCENARIO_PY:
    sys.exit("scenario_ext.py: set SCENARIO_PY to the oracle's scenario.py (record_goldens.sh does)")

_spec = importlib.util.spec_from_file_location('scenario', SCENARIO_PY)
sc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sc)

OBJ_SELECTORS = ('net', 'pool', 'vol', 'iface', 'dev', 'snap', 'chk')

# kind -> method -> ordered argument keys (python-libvirt positional order); "flags" defaults to 0
OBJ_SIG = {
    'net': {'XMLDesc': ['flags'], 'setAutostart': ['autostart'],
            'update': ['command', 'section', 'parentIndex', 'xml', 'flags']},
    'pool': {'XMLDesc': ['flags'], 'setAutostart': ['autostart'], 'create': ['flags'],
             'build': ['flags'], 'delete': ['flags'], 'refresh': ['flags'],
             'listAllVolumes': ['flags'], 'storageVolLookupByName': ['vol_name'],
             'createXML': ['xml', 'flags']},
    'vol': {'XMLDesc': ['flags'], 'delete': ['flags'], 'wipe': ['flags'],
            'resize': ['capacity', 'flags'], 'infoFlags': ['flags']},
    'iface': {'XMLDesc': ['flags'], 'create': ['flags'], 'destroy': ['flags']},
    'dev': {'XMLDesc': ['flags'], 'create': ['flags'], 'undefine': ['flags'],
            'setAutostart': ['autostart']},
    'snap': {'getXMLDesc': ['flags'], 'getParent': ['flags'], 'numChildren': ['flags'],
             'listChildrenNames': ['flags'], 'listAllChildren': ['flags'], 'isCurrent': ['flags'],
             'hasMetadata': ['flags'], 'delete': ['flags'], 'revertToSnapshot': ['flags']},
    'chk': {'getXMLDesc': ['flags'], 'getParent': ['flags'], 'listAllChildren': ['flags'],
            'delete': ['flags']},
}

# kind -> method -> call on the looked-up object, for ops python-libvirt has elsewhere
OBJ_EXTRA = {
    'snap': {'revertToSnapshot': lambda snap, flags: snap.getDomain().revertToSnapshot(snap, flags)},
    # the clone volume given as [POOL, NAME]
    'pool': {'createXMLFrom': lambda pool, xml, clone, flags=0: pool.createXMLFrom(
        xml, pool.connect().storagePoolLookupByName(clone[0]).storageVolLookupByName(clone[1]),
        flags)},
}

# kind -> (output key, method, conversion) queried for OBJ after every object op
OBJ_FIELDS = {
    'net': [('name', 'name', None), ('uuid', 'UUIDString', None), ('active', 'isActive', bool),
            ('persistent', 'isPersistent', bool), ('autostart', 'autostart', bool)],
    'pool': [('name', 'name', None), ('uuid', 'UUIDString', None), ('active', 'isActive', bool),
             ('persistent', 'isPersistent', bool), ('autostart', 'autostart', bool),
             ('info', 'info', None), ('volumes', 'listVolumes', sorted)],
    'vol': [('name', 'name', None), ('key', 'key', None), ('path', 'path', None),
            ('info', 'info', None)],
    'iface': [('name', 'name', None), ('mac', 'MACString', None), ('active', 'isActive', bool)],
    'dev': [('name', 'name', None), ('parent', 'parent', None), ('caps', 'listCaps', None)],
    'snap': [('name', 'getName', None), ('current', 'isCurrent', bool),
             ('parent', 'getParent', None), ('children', 'numChildren', None)],
    'chk': [('name', 'getName', None), ('parent', 'getParent', None),
            ('children', 'listAllChildren', len)],
}

_plain_jsonable = sc.jsonable


def ext_jsonable(x):
    lv = sc.libvirt
    if isinstance(x, lv.virInterface):
        return {'interface': x.name()}
    if isinstance(x, lv.virNodeDevice):
        return {'nodedev': x.name()}
    if isinstance(x, lv.virStorageVol):
        return {'volume': x.name()}
    if isinstance(x, lv.virDomainSnapshot):
        return {'snapshot': x.getName()}
    if isinstance(x, lv.virDomainCheckpoint):
        return {'checkpoint': x.getName()}
    if isinstance(x, (list, tuple)):
        return [ext_jsonable(i) for i in x]
    if isinstance(x, dict):
        return {str(k): ext_jsonable(v) for k, v in x.items()}
    return _plain_jsonable(x)


class ExtRunner(sc.Runner):
    def obj_class(self, kind):
        lv = sc.libvirt
        return {'net': lv.virNetwork, 'pool': lv.virStoragePool, 'vol': lv.virStorageVol,
                'iface': lv.virInterface, 'dev': lv.virNodeDevice,
                'snap': lv.virDomainSnapshot, 'chk': lv.virDomainCheckpoint}[kind]

    def obj_lookup(self, kind, sel):
        c = self.conn
        if kind == 'net':
            return c.networkLookupByName(sel)
        if kind == 'pool':
            return c.storagePoolLookupByName(sel)
        if kind == 'vol':
            return c.storagePoolLookupByName(sel[0]).storageVolLookupByName(sel[1])
        if kind == 'iface':
            return c.interfaceLookupByName(sel)
        if kind == 'snap':
            return c.lookupByName(sel[0]).snapshotLookupByName(sel[1])
        if kind == 'chk':
            return c.lookupByName(sel[0]).checkpointLookupByName(sel[1])
        return c.nodeDeviceLookupByName(sel)

    def obj_state(self, kind, sel):
        lv = sc.libvirt
        try:
            o = self.obj_lookup(kind, sel)
        except lv.libvirtError as e:
            return {'exists': False, 'lookup_error': e.get_error_code()}
        s = {'exists': True}
        for key, meth, conv in OBJ_FIELDS[kind]:
            try:
                v = getattr(o, meth)()
                s[key] = ext_jsonable(conv(v) if conv else v)
            except lv.libvirtError:
                s[key] = None
        return s

    def build_args(self, kind, name, op):
        if 'args' in op:
            args = list(op['args'])
            if 'flags' in op:
                args.append(sc.resolve_flags(op['flags'], name))
            return args
        args = []
        for k in OBJ_SIG[kind].get(name, []):
            if k == 'flags':
                args.append(sc.resolve_flags(op.get('flags'), name))
            elif k in op:
                args.append(op[k])
            else:
                raise ValueError(f'op {name}: missing argument {k!r}')
        return args

    def step(self, i, op):
        if 'tuples' in op and 'args' in op:
            args = [tuple(a) if j in op['tuples'] else a for j, a in enumerate(op['args'])]
            op = {**op, 'args': args}
        name = op.get('op')
        kind = next((k for k in OBJ_SELECTORS if k in op), None)
        if kind is None or name in ('comment', 'sleep', 'reopen'):
            return super().step(i, op)
        lv = sc.libvirt
        rec = {'i': i, 'op': name}
        for k in sc.DOMAIN_SELECTORS + OBJ_SELECTORS:
            if k in op:
                rec[k] = op[k]
        cls = self.obj_class(kind)
        extra = OBJ_EXTRA.get(kind, {}).get(name)
        if extra is None and not hasattr(cls, name):
            rec['ok'] = False
            rec['error'] = {'code': None,
                            'message': f'scenario error: {cls.__name__} has no method {name!r}'}
            return rec
        try:
            args = self.build_args(kind, name, op)
        except ValueError as e:
            rec['ok'] = False
            rec['error'] = {'code': None, 'message': 'scenario error: ' + str(e)}
            return rec
        try:
            rec['phase'] = 'lookup'
            obj = self.obj_lookup(kind, op[kind])
            rec['phase'] = 'call'
            res = extra(obj, *args) if extra else getattr(obj, name)(*args)
            rec.pop('phase', None)
            rec['ok'] = True
            rec['result'] = ext_jsonable(res)
        except lv.libvirtError as e:
            rec['ok'] = False
            rec['error'] = sc.err_dict(e)
        except (TypeError, AttributeError) as e:
            rec['ok'] = False
            rec['error'] = {'code': None, 'message': f'scenario error: {type(e).__name__}: {e}'}
        rec['events'] = self.pump()
        rec['obj'] = self.obj_state(kind, op[kind])
        rec['domains'] = self.all_domains()
        return rec


sc.jsonable = ext_jsonable
sc.Runner = ExtRunner

if __name__ == '__main__':
    sys.exit(sc.main())

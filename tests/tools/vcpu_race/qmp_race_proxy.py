#!/usr/bin/python3
"""A QEMU "emulator" for libvirt that puts a QMP proxy between libvirtd and a real QEMU 7.2, so
libvirt 9.0 sees the vCPU unplug races edgevirt's fake QEMU plays (recording only, never in tests).

Run as `qmp_race_proxy.py CTL_DIR QEMU ARGS...` (a generated wrapper script is the domain's
<emulator>). Without libvirt's `-chardev socket,id=charmonitor,fd=N,...` (capability probes) it
execs QEMU unchanged. Otherwise QEMU gets its monitor on a path socket; this process stays the pid
libvirt watches, accepts libvirt on fd N and forwards both ways, except:

- `device_del` of a vCPU is never sent to QEMU (TCG without a guest refuses it, and a real unplug
  never reports DEVICE_DELETED for the CPU): the armed policy answers it instead;
- a "removed" vCPU (alias in `hidden`) disappears from query-cpus-fast and loses its qom-path in
  query-hotpluggable-cpus, as after a real unplug;
- a vCPU alias listed in `notid` loses its thread-id in query-cpus-fast;
- `device_add` of a hidden vCPU is answered here: it reappears, listed last by query-cpus-fast
  (QEMU lists vCPUs in creation order), with the thread it kept.

Policies for the next device_dels ({"policy": [...]} on CTL_DIR/ctl.sock, one JSON object per
line, answered "ok"; once used up, `ack`):
  ack            reply {}, then 20 ms later the CPU goes and DEVICE_DELETED comes
  before         the CPU goes, DEVICE_DELETED, then the reply {}
  hold           reply {}; the unplug waits for {"release": alias}
  notfound       reply DeviceNotFound, no event
  generic        reply GenericError, no event
  reject         reply {}, then DEVICE_UNPLUG_GUEST_ERROR
  reject-generic DEVICE_UNPLUG_GUEST_ERROR, then GenericError
  notfound-event the CPU goes, DEVICE_DELETED, then DeviceNotFound
  generic-event  the CPU goes, DEVICE_DELETED, then GenericError
  forge          DEVICE_DELETED, reply {}, but QEMU keeps the CPU (thread still reported)
Other control lines: {"release": alias} (the CPU goes, DEVICE_DELETED), {"forge": alias}
(DEVICE_DELETED only), {"notid": alias} (hide the thread id of a later-plugged vCPU),
{"held": alias} (answered yes or no).
"""
import json, os, signal, socket, subprocess, sys, threading, time

ctl_dir, qemu = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
mon = next((i for i, a in enumerate(args) if a.startswith('socket,id=charmonitor,fd=')), None)
if mon is None:
    os.execv(qemu, [qemu] + args)

listen_fd = int(args[mon].split('fd=')[1].split(',')[0])
real = os.path.join(ctl_dir, f'real-{os.getpid()}.sock')
args[mon] = f'socket,id=charmonitor,path={real},server=on,wait=off'
keep = []
for name in os.listdir('/proc/self/fd'):
    f = int(name)
    if f > 2 and f != listen_fd:
        try:
            os.fstat(f)
            keep.append(f)
        except OSError:
            pass
child = subprocess.Popen([qemu] + args, pass_fds=keep)
os.set_inheritable(listen_fd, False)


def die(*_):
    child.kill()
    os._exit(0)


signal.signal(signal.SIGTERM, die)
signal.signal(signal.SIGINT, die)
threading.Thread(target=lambda: (child.wait(), os._exit(0)), daemon=True).start()

for _ in range(500):
    try:
        q = socket.socket(socket.AF_UNIX)
        q.connect(real)
        break
    except OSError:
        time.sleep(0.01)
else:
    die()
lsock = socket.socket(fileno=listen_fd)
lv, _ = lsock.accept()

lock = threading.Lock()
state = {'policy': [], 'hidden': set(), 'notid': set(), 'held': set(), 'readded': []}


def to_libvirt(obj):
    with lock:
        lv.sendall(json.dumps(obj).encode() + b'\r\n')


def stamp():
    now = time.time()
    return {'seconds': int(now), 'microseconds': int(now % 1 * 1e6)}


def event(alias):
    to_libvirt({'event': 'DEVICE_DELETED',
                'data': {'device': alias, 'path': f'/machine/peripheral/{alias}'},
                'timestamp': stamp()})


def gone(alias):
    state['hidden'].add(alias)
    event(alias)


def answer(cmd):
    """The reply to a vCPU device_del under the armed policy (events may go first)."""
    alias, rid = cmd['arguments']['id'], cmd.get('id')
    policy = state['policy'].pop(0) if state['policy'] else 'ack'
    ok = {'return': {}, 'id': rid}
    err = lambda cls, desc: {'error': {'class': cls, 'desc': desc}, 'id': rid}
    if policy == 'ack':
        threading.Timer(0.02, gone, [alias]).start()
        return ok
    if policy == 'hold':
        state['held'].add(alias)
        return ok
    if policy == 'notfound':
        return err('DeviceNotFound', f"Device '{alias}' not found")
    if policy == 'generic':
        return err('GenericError', 'proxy: device_del failed')
    if policy in ('reject', 'reject-generic'):
        refusal = lambda: to_libvirt({'event': 'DEVICE_UNPLUG_GUEST_ERROR', 'data': {
            'device': alias, 'path': f'/machine/peripheral/{alias}'}, 'timestamp': stamp()})
        if policy == 'reject':
            threading.Timer(0.02, refusal).start()
            return ok
        refusal()
        return err('GenericError', 'proxy: device_del failed')
    if policy == 'forge':
        event(alias)
        return ok
    gone(alias)
    if policy == 'before':
        return ok
    if policy == 'notfound-event':
        return err('DeviceNotFound', f"Device '{alias}' not found")
    return err('GenericError', 'proxy: device_del failed')


def hidden(path):
    return any(path and path.startswith(f'/machine/peripheral/{a}') for a in state['hidden'])


def rewrite(name, reply):
    ret = reply.get('return')
    if name == 'query-cpus-fast' and isinstance(ret, list):
        ret[:] = [c for c in ret if not hidden(c.get('qom-path'))]
        # QEMU lists vCPUs in creation order: a re-plugged one comes last.
        last = lambda a: [c for c in ret if c.get('qom-path', '').startswith(f'/machine/peripheral/{a}')]
        for a in state['readded']:
            for c in last(a):
                ret.remove(c)
                ret.append(c)
        for c in ret:
            if any(c.get('qom-path', '').startswith(f'/machine/peripheral/{a}') for a in state['notid']):
                c.pop('thread-id', None)
    if name == 'query-hotpluggable-cpus' and isinstance(ret, list):
        for c in ret:
            if hidden(c.get('qom-path')):
                del c['qom-path']
    return reply


pending = []  # names of forwarded commands, in order (QMP answers in order)


def lines(sock):
    buf = b''
    while True:
        data = sock.recv(65536)
        if not data:
            return
        buf += data
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            if line.strip():
                yield line


def from_qemu():
    for line in lines(q):
        msg = json.loads(line)
        if 'return' in msg or 'error' in msg:
            name = pending.pop(0) if pending else None
            msg = rewrite(name, msg)
        if msg.get('event') == 'DEVICE_DELETED' and hidden(msg.get('data', {}).get('path')):
            continue
        to_libvirt(msg)
    die()


def from_libvirt():
    for line in lines(lv):
        cmd = json.loads(line)
        name = cmd.get('execute')
        if name == 'device_del' and str(cmd.get('arguments', {}).get('id', '')).startswith('vcpu'):
            to_libvirt(answer(cmd))
            continue
        alias = cmd.get('arguments', {}).get('id')
        if name == 'device_add' and alias in state['hidden']:
            # QEMU still has the CPU the proxy hid: it comes back, as a new plug would.
            state['hidden'].discard(alias)
            state['readded'].append(alias)
            to_libvirt({'return': {}, 'id': cmd.get('id')})
            continue
        pending.append(name)
        q.sendall(line + b'\r\n')
    die()


def control():
    path = os.path.join(ctl_dir, 'ctl.sock')
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    os.chmod(path, 0o777)
    srv.listen(4)
    while True:
        c, _ = srv.accept()
        for line in lines(c):
            req = json.loads(line)
            if 'policy' in req:
                state['policy'] = list(req['policy'])
            if 'release' in req:
                state['held'].discard(req['release'])
                gone(req['release'])
            if 'forge' in req:
                event(req['forge'])
            if 'notid' in req:
                state['notid'].add(req['notid'])
            if 'held' in req:
                c.sendall(b'yes\n' if req['held'] in state['held'] else b'no\n')
                continue
            c.sendall(b'ok\n')
        c.close()


threading.Thread(target=control, daemon=True).start()
threading.Thread(target=from_qemu, daemon=True).start()
from_libvirt()

#!/usr/bin/python3
"""Records libvirt 9.0's answers to the vCPU hot(un)plug races of
tests/fixtures/vcpu_races/cases.json, for hotplug_replay_test.ts to replay against edgevirt.

  /usr/bin/python3 tests/tools/vcpu_race/record_vcpu_races.py > tests/fixtures/vcpu_races/libvirt-9.0.json

Starts a private session libvirtd (../shared/oracle/daemon.sh, as user nobody when run as root),
and for each case creates a transient TCG domain (q35, 4 sockets, 1 vCPU) whose <emulator> is
qmp_race_proxy.py in front of the real QEMU, plugs vCPUs 1-3 (unless the case starts at 1), runs
the steps and records each call's error (code, domain, message) or null, and each `xml` step's
live <vcpus> as [enabled, order] per vCPU. Step vocabulary: see hotplug_replay_test.ts.
Takes about a minute (libvirt waits 5 s for each held unplug).
"""
import json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, '/usr/lib/python3/dist-packages')
import libvirt

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.realpath(os.path.join(HERE, '..', '..', '..'))
ORACLE = os.path.realpath(os.path.join(ROOT, '..', 'shared', 'oracle'))
CASES = os.path.join(ROOT, 'tests', 'fixtures', 'vcpu_races', 'cases.json')
QEMU = '/usr/bin/qemu-system-x86_64'
libvirt.registerErrorHandler(lambda c, e: None, None)

XML = """<domain type='qemu'>
  <name>vcpurace</name>
  <memory unit='MiB'>128</memory>
  <vcpu placement='static' current='1'>4</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/><apic/></features>
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model>
    <topology sockets='4' dies='1' cores='1' threads='1'/></cpu>
  <devices>
    <emulator>{emulator}</emulator>
    <memballoon model='none'/>
  </devices>
</domain>"""


def ctl(ctl_dir, req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(ctl_dir, 'ctl.sock'))
    s.sendall(json.dumps(req).encode() + b'\n')
    answer = s.makefile().readline().strip()
    s.close()
    return answer


def vcpus(dom):
    xml = dom.XMLDesc(0)
    out = []
    for m in re.finditer(r"<vcpu id='(\d+)' enabled='(yes|no)'[^>]*?(?: order='(\d+)')?/>", xml):
        out.append([m.group(2) == 'yes', int(m.group(3) or 0)])
    return out


def call(dom, step):
    try:
        if 'setVcpu' in step:
            dom.setVcpu(str(step['setVcpu']), step['state'], libvirt.VIR_DOMAIN_AFFECT_LIVE)
        else:
            dom.setVcpusFlags(step['setVcpus'], libvirt.VIR_DOMAIN_AFFECT_LIVE)
        return None
    except libvirt.libvirtError as e:
        return [e.get_error_code(), e.get_error_domain(), e.get_error_message()]


def run_case(conn, emulator, ctl_dir, case):
    dom = conn.createXML(XML.format(emulator=emulator), 0)
    for _ in range(300):
        if os.path.exists(os.path.join(ctl_dir, 'ctl.sock')):
            break
        time.sleep(0.01)
    if case.get('start', 4) == 4:
        dom.setVcpusFlags(4, libvirt.VIR_DOMAIN_AFFECT_LIVE)
    out, background = [], None
    try:
        for step in case['steps']:
            if 'setVcpu' in step or 'setVcpus' in step:
                out.append({'call': call(dom, step)})
            elif 'background' in step:
                box = {}
                background = (threading.Thread(target=lambda: box.update(r=call(dom, step['background']))), box)
                background[0].start()
            elif 'join' in step:
                background[0].join()
                out.append({'call': background[1]['r']})
            elif 'waitHeld' in step:
                while ctl(ctl_dir, {'held': step['waitHeld']}) != 'yes':
                    time.sleep(0.01)
            elif 'settle' in step:
                time.sleep(0.5)
            elif 'xml' in step:
                out.append({'vcpus': vcpus(dom)})
            else:
                ctl(ctl_dir, step)
    finally:
        dom.destroy()
        os.unlink(os.path.join(ctl_dir, 'ctl.sock'))
    return out


def main():
    p = subprocess.run(['bash', os.path.join(ORACLE, 'daemon.sh'), 'start'], capture_output=True, text=True)
    env = dict(l.split('=', 1) for l in p.stdout.split() if '=' in l)
    if p.returncode != 0 or 'URI_QEMU' not in env:
        sys.exit('record_vcpu_races: daemon.sh start failed: ' + p.stderr.strip())
    ctl_dir = tempfile.mkdtemp(prefix='vcpurace.', dir=os.environ.get('TMPDIR') or '/tmp')
    try:
        os.chmod(ctl_dir, 0o777)
        proxy = os.path.join(ctl_dir, 'qmp_race_proxy.py')
        shutil.copy(os.path.join(HERE, 'qmp_race_proxy.py'), proxy)
        emulator = os.path.join(ctl_dir, 'qemu-race')
        with open(emulator, 'w') as f:
            f.write(f'#!/bin/sh\nexec /usr/bin/python3 {proxy} {ctl_dir} {QEMU} "$@"\n')
        os.chmod(proxy, 0o755)
        os.chmod(emulator, 0o755)
        conn = libvirt.open(env['URI_QEMU'].strip("'"))
        result = {'source': 'libvirt 9.0.0 (Debian 9.0.0-4+deb12u2), QEMU 7.2 TCG behind '
                            'tests/tools/vcpu_race/qmp_race_proxy.py; recorded by record_vcpu_races.py',
                  'cases': {}}
        with open(CASES) as f:
            cases = json.load(f)
        for case in cases:
            result['cases'][case['name']] = run_case(conn, emulator, ctl_dir, case)
            print(f"{case['name']}: {json.dumps(result['cases'][case['name']])}", file=sys.stderr)
        conn.close()
        json.dump(result, sys.stdout, indent=1)
        print()
    finally:
        subprocess.run(['bash', os.path.join(ORACLE, 'daemon.sh'), 'stop', env['DIR']], capture_output=True)
        shutil.rmtree(ctl_dir, ignore_errors=True)


main()

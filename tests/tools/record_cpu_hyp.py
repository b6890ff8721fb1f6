#!/usr/bin/python3
"""Records libvirt 9.0's hypervisor CPU answers on qemu:///session, with the QMP answers QEMU
7.2 gave for them, into tests/drivers/qemu/fixtures/cpu_hyp/, for cpu_hyp_replay_test.ts:

- qmp.json: QEMU's replies to the capability probe's CPU commands (query-version,
  query-machines, query-kvm, query-cpu-definitions and the static expansions of `host` and
  `max`, migratable and not), as host_caps_cache.ts sends them, asked with accel=tcg: the
  daemon runs as nobody, without /dev/kvm, so libvirt's answers are TCG's;
- domcaps.xml: `domcapabilities --virttype qemu` (its host-model and custom CPU modes);
- compare.json / baseline.json: compareHypervisorCPU / baselineHypervisorCPU on CPU
  definitions from record_cpu_map.py's generators (random models, features, policies, bad
  XML) and on bad emulator/arch/machine/virttype arguments.

- virsh.json: virsh's `hypervisor-cpu-compare` / `hypervisor-cpu-baseline` transcripts
  (stdout, stderr, exit status) on the cpu*.xml files here and domcaps.xml, run from the
  project's root;
- cpu_mode_start.json: TCG domains with `<cpu mode='host-model'/>`, `'maximum'` and
  `'host-passthrough'` started by libvirt: the domain XML, the live and inactive `<cpu>` and
  QEMU's `-cpu` argument, or libvirt's error;
- test_driver.json: test:///default's answers (libvirt 9.0's test driver has neither call),
  read-write and read-only.

The daemon is the oracle's private libvirtd (daemon.sh, run as nobody: TCG, no KVM).

    /usr/bin/python3 tests/tools/record_cpu_hyp.py [ORACLE] [--seed N] [--count N]

The fixtures were recorded with `--count 300` (seed 9, record_cpu_map.py's default); a re-run
with the same arguments on the same QEMU and libvirt gives the same files.
"""
import json, os, random, re, subprocess

import libvirt

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "record_cpu_map.py")
# The generators of record_cpu_map.py, without running its recording.
ns = {"__file__": GEN, "__name__": "record_cpu_map"}
exec(compile(open(GEN).read().rsplit("\nmain()", 1)[0], GEN, "exec"), ns)
ROOT, oracle, seed, count = ns["ROOT"], ns["oracle"], ns["seed"], ns["count"]
call, host_cpu, guest_cpu = ns["call"], ns["host_cpu"], ns["guest_cpu"]
OUT = os.path.join(ROOT, "tests", "drivers", "qemu", "fixtures", "cpu_hyp")
QEMU = "/usr/bin/qemu-system-x86_64"

# Selections (emulator, arch, machine, virttype) besides the default, each answered by libvirt.
SELECTIONS = [
    [None, None, None, "qemu"], [QEMU, "x86_64", "pc", "qemu"], [None, "x86_64", "q35", None],
    [None, None, None, "kvm"], [None, None, None, "bogus"], [None, "vax", None, None],
    [None, "aarch64", None, None], [None, None, "pc-9.9", None], ["/nonexistent/qemu", None, None, None],
    [QEMU, "i686", None, "qemu"],
]


HOST_MODEL_DOMAIN = """<domain type='qemu'>
  <name>hm</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <cpu mode='host-model'/>
  <devices><memballoon model='none'/></devices>
</domain>
"""


def expansion(model, migratable):
    m = {"name": model} if migratable else {"name": model, "props": {"migratable": False}}
    return {"execute": "query-cpu-model-expansion", "arguments": {"type": "static", "model": m}}


COMMANDS = [{"execute": c} for c in
            ["query-version", "query-machines", "query-kvm", "query-cpu-definitions"]]
COMMANDS += [expansion(m, mig) for m in ("host", "max") for mig in (True, False)]


def qmp():
    """QEMU's reply to each of COMMANDS (no machine, TCG, as the driver probes)."""
    lines = [json.dumps(c) for c in [{"execute": "qmp_capabilities"}] + COMMANDS + [{"execute": "quit"}]]
    out = subprocess.run([QEMU, "-S", "-no-user-config", "-nodefaults", "-display", "none",
                          "-machine", "none,accel=tcg", "-qmp", "stdio"],
                         input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=60).stdout
    replies = [r for r in map(json.loads, out.splitlines())
               if "return" in r or "error" in r][1:len(COMMANDS) + 1]
    return [{"command": c, "reply": r} for c, r in zip(COMMANDS, replies)]


def main():
    rnd = random.Random(seed)
    os.makedirs(OUT, exist_ok=True)
    json.dump(qmp(), open(os.path.join(OUT, "qmp.json"), "w"), indent=1)
    test = []
    for ro in (False, True):
        conn = (libvirt.openReadOnly if ro else libvirt.open)("test:///default")
        test += [{"readonly": ro, "call": "compare", "args": [None] * 4 + ["<cpu/>", 0]},
                 {"readonly": ro, "call": "baseline", "args": [None] * 4 + [["<cpu/>"], 0]}]
        for c in test[-2:]:
            fn = conn.compareHypervisorCPU if c["call"] == "compare" else conn.baselineHypervisorCPU
            c.update(call(fn, *c["args"]))
    json.dump(test, open(os.path.join(OUT, "test_driver.json"), "w"), indent=1)
    env = subprocess.run(["bash", os.path.join(oracle, "daemon.sh"), "start"], check=True,
                         capture_output=True, text=True).stdout
    vars_ = dict(line.split("=", 1) for line in env.split() if "=" in line)
    try:
        conn = libvirt.open(vars_["URI_QEMU"].strip("'\""))
        open(os.path.join(OUT, "domcaps.xml"), "w").write(
            conn.getDomainCapabilities(None, None, None, "qemu", 0))
        uri = vars_["URI_QEMU"].strip("'\"")
        rel = os.path.relpath(OUT, ROOT)
        lines = [f"hypervisor-cpu-compare {rel}/cpu-qemu64.xml",
                 f"hypervisor-cpu-compare {rel}/cpu-epyc.xml",
                 f"hypervisor-cpu-compare --error {rel}/cpu-epyc.xml",
                 f"hypervisor-cpu-compare {rel}/domcaps.xml --virttype qemu",
                 f"hypervisor-cpu-compare {rel}/cpu-qemu64.xml --virttype kvm",
                 f"hypervisor-cpu-compare {rel}/cpu-qemu64.xml --arch aarch64",
                 "hypervisor-cpu-baseline --model Penryn",
                 "hypervisor-cpu-baseline --model Penryn --features",
                 f"hypervisor-cpu-baseline --file {rel}/cpus-intel.xml",
                 f"hypervisor-cpu-baseline --file {rel}/domcaps.xml --migratable",
                 "hypervisor-cpu-baseline --model NoSuchModel",
                 "hypervisor-cpu-baseline --model Penryn --machine pc-9.9"]
        transcripts = []
        for line in lines:
            r = subprocess.run(["virsh", "-c", uri] + line.split(), cwd=ROOT, capture_output=True,
                               text=True)
            transcripts.append({"cmd": line, "stdout": r.stdout, "stderr": r.stderr,
                                "status": r.returncode})
        json.dump(transcripts, open(os.path.join(OUT, "virsh.json"), "w"), indent=1)
        starts = []
        for mode in ("host-model", "maximum", "host-passthrough"):
            xml = HOST_MODEL_DOMAIN.replace("host-model", mode)
            case = {"mode": mode, "xml": xml}
            try:
                dom = conn.defineXML(xml)
            except libvirt.libvirtError as e:
                case["error"] = call(lambda: (_ for _ in ()).throw(e))["error"]
                starts.append(case)
                continue
            try:
                case.update(call(dom.create))
                if "error" not in case:
                    live = dom.XMLDesc(0)
                    inactive = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
                    cmdline = next(open(f"/proc/{p}/cmdline").read().split("\0")
                                   for p in os.listdir("/proc") if p.isdigit()
                                   and "guest=hm," in open(f"/proc/{p}/cmdline").read())
                    cut = lambda x: re.search(r"<cpu.*?(/>|</cpu>)", x, re.S).group(0)
                    case.update({"liveCpu": cut(live), "inactiveCpu": cut(inactive),
                                 "cpuArg": cmdline[cmdline.index("-cpu") + 1]})
                    dom.destroy()
            finally:
                dom.undefine()
            starts.append(case)
        json.dump(starts, open(os.path.join(OUT, "cpu_mode_start.json"), "w"), indent=1)
        ccases = [{"sel": s, "xml": "<cpu><model>qemu64</model></cpu>", "flags": 0} for s in SELECTIONS]
        ccases += [{"sel": [None] * 4, "xml": x, "flags": f}
                   for x in ["<cpu", "<domain/>", "<cpu/>"] + ns["ODD_COMPARE"] for f in (0, 1)]
        ccases += [{"sel": [None] * 4, "xml": guest_cpu(rnd), "flags": rnd.choice([0, 0, 0, 1, 1, 4])}
                   for _ in range(count)]
        for c in ccases:
            c.update(call(conn.compareHypervisorCPU, *c["sel"], c["xml"], c["flags"]))
        json.dump(ccases, open(os.path.join(OUT, "compare.json"), "w"), indent=1)
        print("compare:", len(ccases), "cases,", sum("error" in c for c in ccases), "errors")
        bcases = [{"sel": s, "xmls": ["<cpu><model>Penryn</model></cpu>"], "flags": 0} for s in SELECTIONS]
        bcases += [{"sel": [None] * 4, "xmls": x, "flags": 0} for x in ns["BAD_BASELINE"]]
        bcases += [{"sel": [None] * 4,
                    "xmls": [(host_cpu if rnd.random() < 0.3 else guest_cpu)(rnd)
                             for _ in range(rnd.choice([1, 1, 2, 3]))],
                    "flags": rnd.choice([0, 0, 1, 2, 3, 4])} for _ in range(count // 2)]
        for c in bcases:
            c.update(call(conn.baselineHypervisorCPU, *c["sel"], c["xmls"], c["flags"]))
        json.dump(bcases, open(os.path.join(OUT, "baseline.json"), "w"), indent=1)
        print("baseline:", len(bcases), "cases,", sum("error" in c for c in bcases), "errors")
    finally:
        subprocess.run(["bash", os.path.join(oracle, "daemon.sh"), "stop", vars_["DIR"].strip("'\"")],
                       capture_output=True)


main()

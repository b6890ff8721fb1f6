#!/usr/bin/python3
"""Records libvirt 9.0's answers about CPU definitions generated from the project's CPU map
(conf/cpu/cpu_map.json) into tests/conf/cpu/fixtures/, for tests/conf/cpu/cpu_map_test.ts:

- baseline.json: test:///default `baselineCPU` (testConnectBaselineCPU) on 1-4 host CPUs with
  random models, vendors, feature lists, archs and flags, plus deliberate bad input;
- qemu_baseline.json: the QEMU driver's `baselineCPU` (MIGRATABLE allowed, osxsave & co.
  filtered) on the same kind of input;
- compare.json: the QEMU driver's `compareCPU` against THIS machine's host CPU on random guest
  and host CPU definitions (modes, match, feature policies, vendors, bad XML), flags 0/1;
- host.json: this machine's host CPU as libvirt's capabilities show it, with the CPUID leaves
  the CPU map refers to (read from /dev/cpu/0/cpuid, as libvirt's cpuidSet reads the CPU) and
  /proc/cpuinfo's flags, so a test can replay the decode without reading the live host.

The QEMU driver is a private qemu:///session libvirtd (the oracle's daemon.sh, run as nobody):
its host CPU is the same as qemu:///system's (both come from virCPUGetHost).

    /usr/bin/python3 tests/tools/record_cpu_map.py [ORACLE] [--seed N] [--count N]
"""
import json, os, random, re, struct, subprocess, sys

import libvirt

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "conf", "cpu", "fixtures")
args = sys.argv[1:]
oracle = args[0] if args and not args[0].startswith("--") else os.path.join(ROOT, "..", "shared", "oracle")
seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 9
count = int(args[args.index("--count") + 1]) if "--count" in args else 500

MAP = json.load(open(os.path.join(ROOT, "conf", "cpu", "cpu_map.json")))["x86"]
FEATURES = [f["name"] for f in MAP["features"]]
MODELS = [m["name"] for m in MAP["models"]]
VENDORS = [v["name"] for v in MAP["vendors"]]
VENDOR_OF = {}
for m in MAP["models"]:
    VENDOR_OF[m["name"]] = m.get("vendor") or VENDOR_OF.get(m.get("ancestor"))
POLICIES = ["force", "require", "optional", "disable", "forbid"]

libvirt.registerErrorHandler(lambda *_: None, None)


def call(fn, *a):
    try:
        return {"result": fn(*a)}
    except libvirt.libvirtError as e:
        return {"error": {"code": e.get_error_code(), "domain": e.get_error_domain(),
                          "message": e.get_error_message()}}


def host_cpu(rnd):
    """A host-type <cpu> (what baselineCPU parses), sometimes deliberately wrong."""
    arch = rnd.choices(["x86_64", "i686", "ppc64", "s390x", "nonsense", None], [80, 6, 3, 2, 2, 2])[0]
    model = rnd.choices([rnd.choice(MODELS), "NoSuchModel", None], [94, 3, 3])[0]
    parts = []
    if arch is not None:
        parts.append(f"<arch>{arch}</arch>")
    if model is not None:
        parts.append(f"<model>{model}</model>")
    if rnd.random() < 0.4:
        own = VENDOR_OF.get(model)
        vendor = own if own and rnd.random() < 0.8 else rnd.choice(VENDORS + ["Cyrix"])
        parts.append(f"<vendor>{vendor}</vendor>")
    feats = rnd.sample(FEATURES, rnd.choice([0, 0, 1, 2, 3, 5, 8]))
    if rnd.random() < 0.03:
        feats.append("no-such-feature")
    if feats and rnd.random() < 0.02:
        feats.append(feats[0])
    for f in feats:
        pol = f" policy='{rnd.choice(POLICIES)}'" if rnd.random() < 0.2 else ""
        parts.append(f"<feature{pol} name='{f}'/>")
    return "<cpu>" + "".join(parts) + "</cpu>"


def near_host_cpu(rnd, host_model, host_features):
    """A guest CPU made from the host CPU: its model and features, some of them changed."""
    match = rnd.choice(["exact", "minimum", "strict"])
    parts = [f"<model>{host_model}</model>"]
    drop, change = rnd.choice([0, 0, 0.05]), rnd.choice([0, 0.05, 0.15])
    for f in host_features:
        if rnd.random() < drop:
            continue
        pol = rnd.choice(POLICIES) if rnd.random() < change else "require"
        parts.append(f"<feature policy='{pol}' name='{f}'/>")
    if rnd.random() < 0.3:
        parts.append(f"<feature policy='{rnd.choice(POLICIES)}' name='{rnd.choice(FEATURES)}'/>")
    return f"<cpu match='{match}'>" + "".join(parts) + "</cpu>"


def guest_cpu(rnd):
    """A <cpu> for compareCPU: mostly guest CPUs, some host-type ones, some wrong."""
    attrs = []
    host = rnd.random() < 0.1
    if host:
        return host_cpu(rnd)
    if rnd.random() < 0.15:
        attrs.append(f"mode='{rnd.choice(['custom', 'host-model', 'host-passthrough', 'bogus'])}'")
    if rnd.random() < 0.6:
        attrs.append(f"match='{rnd.choice(['exact', 'minimum', 'strict', 'strict', 'exact', 'minimum', 'loose'])}'")
    parts = []
    model = rnd.choices([rnd.choice(MODELS), "NoSuchModel", None], [92, 3, 5])[0]
    if model:
        fb = f" fallback='{rnd.choice(['allow', 'forbid'])}'" if rnd.random() < 0.2 else ""
        parts.append(f"<model{fb}>{model}</model>")
    if rnd.random() < 0.25:
        parts.append(f"<vendor>{rnd.choice(VENDORS)}</vendor>")
    for f in rnd.sample(FEATURES, rnd.choice([0, 1, 2, 3, 5, 8])):
        pol = rnd.choices(POLICIES + ["sometimes"], [10, 30, 10, 25, 20, 1])[0]
        parts.append(f"<feature policy='{pol}' name='{f}'/>")
    return f"<cpu{''.join(' ' + a for a in attrs)}>" + "".join(parts) + "</cpu>"


BAD_BASELINE = [
    [], ["<cpu"], ["<domain/>"], ["<cpu><model>Haswell</model></cpu>"],
    ["<cpu mode='custom'><arch>x86_64</arch><model>Haswell</model></cpu>"],
    ["<cpu><arch>x86_64</arch><model>Haswell</model></cpu>", "<cpu><arch>x86_64</arch></cpu>"],
    ["<cpu><arch>x86_64</arch><model>Haswell</model><vendor>AMD</vendor></cpu>",
     "<cpu><arch>x86_64</arch><model>EPYC</model><vendor>Intel</vendor></cpu>"],
    ["<cpu><arch>x86_64</arch><model>486</model></cpu>",
     "<cpu><arch>x86_64</arch><model>EPYC</model><feature name='fpu'/></cpu>"],
    ["<cpu><arch>x86_64</arch><vendor>Intel</vendor></cpu>"],
    ["<cpu><arch>x86_64</arch><model>Haswell</model><feature name=''/></cpu>"],
]


# Every check of virCPUDefParseXML, each reached by one document (compareCPU parses with
# VIR_CPU_TYPE_AUTO: host CPUs have <arch>).
ODD_COMPARE = [
    "<cpu match='exact'><arch>x86_64</arch><model>kvm64</model></cpu>",
    "<cpu mode='host-model'><arch>x86_64</arch><model>kvm64</model></cpu>",
    "<cpu mode='host-passthrough' migratable='on'/>",
    "<cpu mode='maximum' migratable='off'/>",
    "<cpu migratable='on'><model>kvm64</model></cpu>",
    "<cpu mode='host-passthrough' migratable='maybe'/>",
    "<cpu check='partial'><model>kvm64</model></cpu>",
    "<cpu check='sometimes'><model>kvm64</model></cpu>",
    "<cpu check='default'><model>kvm64</model></cpu>",
    "<cpu><arch></arch><model>kvm64</model></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><microcode version='x'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><microcode version='12'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><signature family='0' model='1' stepping='1'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><signature family='25' stepping='1'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><signature family='25' model='-1' stepping='1'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><counter name='tsc' frequency='1000' scaling='yes'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><counter name='tsc'/></cpu>",
    "<cpu><arch>x86_64</arch><model>kvm64</model><counter name='tsc' frequency='1' scaling='perhaps'/></cpu>",
    "<cpu><model>kvm64</model><topology sockets='1' cores='2' threads='1'/></cpu>",
    "<cpu><model>kvm64</model><topology sockets='0' cores='2' threads='1'/></cpu>",
    "<cpu><model>kvm64</model><topology sockets='1' dies='0' cores='2' threads='1'/></cpu>",
    "<cpu><model>kvm64</model><topology sockets='1' cores='2'/></cpu>",
    "<cpu><model>kvm64</model><topology sockets='x' cores='2' threads='1'/></cpu>",
    "<cpu><model fallback='never'>kvm64</model></cpu>",
    "<cpu><model vendor_id='GenuineIntel'>kvm64</model></cpu>",
    "<cpu><model vendor_id='Short'>kvm64</model></cpu>",
    "<cpu><model vendor_id='Genuine,ntel'>kvm64</model></cpu>",
    "<cpu mode='host-passthrough'><model fallback='never'>kvm64</model></cpu>",
    "<cpu><vendor>AMD</vendor></cpu>",
    "<cpu><model></model><feature name='sse'/></cpu>",
    "<cpu mode='host-model'><feature name='sse'/></cpu>",
    "<cpu><model>kvm64</model><feature policy='require'/></cpu>",
    "<cpu><model>kvm64</model><feature name='sse'/><feature name='sse'/></cpu>",
    "<cpu><model>kvm64</model><feature name='sse'/></cpu>",
    "<cpu><model>kvm64</model><cache mode='passthrough'/></cpu>",
    "<cpu><model>kvm64</model><cache level='2' mode='emulate'/></cpu>",
    "<cpu><model>kvm64</model><cache level='4' mode='emulate'/></cpu>",
    "<cpu><model>kvm64</model><cache level='-1' mode='emulate'/></cpu>",
    "<cpu><model>kvm64</model><cache level='1'/></cpu>",
    "<cpu><model>kvm64</model><cache mode='emulate'/><cache mode='disable'/></cpu>",
    "<cpu><model>kvm64</model><maxphysaddr mode='emulate' bits='39'/></cpu>",
    "<cpu><model>kvm64</model><maxphysaddr mode='passthrough'/></cpu>",
    "<cpu><model>kvm64</model><maxphysaddr mode='other'/></cpu>",
    "<cpu><model>kvm64</model><maxphysaddr mode='emulate' bits='x'/></cpu>",
    "<cpu><arch>armv7l</arch><model>cortex-a53</model></cpu>",
    "<cpu><arch>ppc64</arch><model>POWER8</model></cpu>",
    "<cpu match='strict'><model>kvm64</model><vendor>AMD</vendor></cpu>",
    "<cpu><model>kvm64</model><vendor>Intel</vendor></cpu>",
]


def cpuid_leaves():
    """The CPUID leaves libvirt's cpuidSet reads that the CPU map refers to (and leaf 0/1)."""
    wanted = {(0, 0), (1, 0)}
    for f in MAP["features"]:
        for d in f["data"]:
            if d[0] == "cpuid":
                wanted.add((d[1], d[2]))
    fd = os.open("/dev/cpu/0/cpuid", os.O_RDONLY)
    try:
        read = lambda leaf, sub: list(struct.unpack("<4I", os.pread(fd, 16, (sub << 32) | leaf)))
        top = {base: read(base, 0)[0] for base in (0, 0x80000000)}
        out = []
        for leaf, sub in sorted(wanted):
            base = leaf & 0x80000000
            if base in top and leaf <= top[base]:
                out.append([leaf, sub] + read(leaf, sub))
        return out
    finally:
        os.close(fd)


def main():
    rnd = random.Random(seed)
    os.makedirs(OUT, exist_ok=True)
    test = libvirt.open("test:///default")
    cases = [{"xmls": x, "flags": 0} for x in BAD_BASELINE]
    cases += [{"xmls": [host_cpu(rnd) for _ in range(rnd.choice([1, 1, 2, 2, 3, 4]))],
               "flags": rnd.choice([0, 0, 0, 1, 1, 1, 2, 3])} for _ in range(count)]
    for c in cases:
        c.update(call(test.baselineCPU, c["xmls"], c["flags"]))
    json.dump(cases, open(os.path.join(OUT, "baseline.json"), "w"), indent=1)
    print("baseline:", len(cases), "cases,", sum("error" in c for c in cases), "errors")

    env = subprocess.run(["bash", os.path.join(oracle, "daemon.sh"), "start"], check=True,
                         capture_output=True, text=True).stdout
    vars_ = dict(line.split("=", 1) for line in env.split() if "=" in line)
    try:
        qemu = libvirt.open(vars_["URI_QEMU"].strip("'\""))
        # The first call probes the host CPU, which leaves a stale error behind where the daemon
        # user cannot open /dev/kvm (an environment artifact, not part of what is compared).
        call(qemu.compareCPU, "<cpu><model>qemu64</model></cpu>", 0)
        qcases = [{"xmls": [host_cpu(rnd) for _ in range(rnd.choice([1, 2, 3]))],
                   "flags": rnd.choice([0, 0, 1, 1, 2, 3, 4])} for _ in range(count // 2)]
        for c in qcases:
            c.update(call(qemu.baselineCPU, c["xmls"], c["flags"]))
        json.dump(qcases, open(os.path.join(OUT, "qemu_baseline.json"), "w"), indent=1)
        print("qemu baseline:", len(qcases), "cases,", sum("error" in c for c in qcases), "errors")
        caps = qemu.getCapabilities()
        start = caps.index("<cpu>")
        host_xml = caps[start:caps.index("</cpu>", start) + len("</cpu>")]
        host_model = re.search(r"<model>([^<]+)</model>", host_xml).group(1)
        host_features = re.findall(r"<feature name='([^']+)'/>", host_xml)
        ccases = [{"xml": x, "flags": f} for x in ["<cpu", "<domain/>", "<cpu/>"] + ODD_COMPARE
                  for f in (0, 1)]
        ccases += [{"xml": near_host_cpu(rnd, host_model, host_features) if rnd.random() < 0.4
                    else guest_cpu(rnd), "flags": rnd.choice([0, 0, 0, 1, 1, 4])}
                   for _ in range(count)]
        for c in ccases:
            c.update(call(qemu.compareCPU, c["xml"], c["flags"]))
        json.dump(ccases, open(os.path.join(OUT, "compare.json"), "w"), indent=1)
        print("compare:", len(ccases), "cases,", sum("error" in c for c in ccases), "errors")
        flags = next(l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags"))
        json.dump({"capabilitiesCpu": host_xml, "cpuid": cpuid_leaves(), "cpuinfoFlags": flags},
                  open(os.path.join(OUT, "host.json"), "w"), indent=1)
        print("host CPU recorded")
    finally:
        subprocess.run(["bash", os.path.join(oracle, "daemon.sh"), "stop", vars_["DIR"].strip("'\"")],
                       capture_output=True)


main()

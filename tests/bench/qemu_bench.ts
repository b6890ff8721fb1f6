// Times domain start (define → running, QMP ready) and live hotplug of 3 vCPUs, for the
// edgevirt QEMU driver and for libvirt 9.0's QEMU driver (private libvirtd from the oracle,
// qemu+unix:///session through python3-libvirt), in one run.
//   deno run -A tests/bench/qemu_bench.ts [runs]
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { SHARED, withOracleDaemon } from "./oracle_daemon.ts";
import { hotplugDomainXML, median } from "./hotplug_domain.ts";

const RUNS = Number(Deno.args[0] ?? 5);
const xml = (name: string) => hotplugDomainXML(name, 128);

async function edgevirt(): Promise<{ start: number[]; hotplug: number[] }> {
  const dir = await Deno.makeTempDir({ prefix: "ev-bench-" });
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
  }) as DriverConnection;
  const start: number[] = [];
  const hotplug: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const dom = await conn.domainDefineXMLFlags!(xml(`evb${i}`), 0);
    const run = await conn.domainCreateWithFlags!(dom, 0);
    start.push(performance.now() - t);
    t = performance.now();
    await conn.domainSetVcpusFlags!(run, 4, 1);
    hotplug.push(performance.now() - t);
    await conn.domainDestroyFlags!(run, 0);
    await conn.domainUndefineFlags!(run, 0);
  }
  await conn.connectClose();
  await Deno.remove(dir, { recursive: true });
  return { start, hotplug };
}

const PY = `
import json, sys, time, libvirt
uri, runs, xml = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = libvirt.open(uri)
out = {"start": [], "hotplug": []}
for i in range(runs):
    t = time.perf_counter()
    d = c.defineXML(xml.replace("NAME", "lvb%d" % i))
    d.create()
    out["start"].append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    d.setVcpusFlags(4, libvirt.VIR_DOMAIN_AFFECT_LIVE)
    out["hotplug"].append((time.perf_counter() - t) * 1000)
    d.destroy()
    d.undefine()
print(json.dumps(out))
`;

function libvirtd(): Promise<{ start: number[]; hotplug: number[] }> {
  return withOracleDaemon(`${SHARED}/oracle`, async (daemon) => {
    const run = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", PY, daemon.URI_QEMU, String(RUNS), xml("NAME")],
    }).output();
    if (!run.success) throw new Error(new TextDecoder().decode(run.stderr));
    return JSON.parse(new TextDecoder().decode(run.stdout));
  });
}

const ev = await edgevirt();
const lv = await libvirtd();
const row = (name: string, a: number[], b: number[], goal: number) => {
  const ratio = median(a) / median(b);
  console.log(
    `${name.padEnd(18)} edgevirt ${median(a).toFixed(1).padStart(7)} ms   libvirt ${
      median(b).toFixed(1).padStart(7)
    } ms   ratio ${ratio.toFixed(2)} (goal ≤ ${goal}) ${ratio <= goal ? "met" : "NOT met"}`,
  );
};
console.log(`medians of ${RUNS} runs (TCG, q35, 128 MiB, 1→4 vCPUs)`);
row("start", ev.start, lv.start, 0.33);
row("hotplug 3 vCPUs", ev.hotplug, lv.hotplug, 0.7);
console.log(JSON.stringify({ edgevirt: ev, libvirt: lv }));

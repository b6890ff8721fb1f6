/**
 * Save and restore of a running domain (real QEMU 7.2, TCG) on this checkout's QEMU driver and on
 * another checkout's (`--baseline DIR`, e.g. `git archive COMMIT` unpacked, `node_modules` linked
 * in), both imported into one process, a domain each, rounds alternating after a warm-up. The
 * order of the two flips every round: whichever goes second meets the other's freshly restored,
 * booting guest.
 *
 * `deno run -A tests/bench/qemu_save_ab.ts --baseline DIR [ROUNDS]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import type { ConnectDriver, DriverConnection } from "../../util/driver.ts";
import { median } from "./hotplug_domain.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { baseline: { type: "string" } },
  allowPositionals: true,
});
if (!values.baseline) throw new Error("usage: qemu_save_ab.ts --baseline DIR [ROUNDS]");
const rounds = Number(positionals[0] ?? 20);
const baseline: ConnectDriver =
  (await import(`${Deno.realPathSync(values.baseline)}/drivers/qemu/mod.ts`)).qemuConnectDriver;

/** A running domain on `driver`, and one timed save + restore of it. */
async function side(driver: ConnectDriver, name: string) {
  const work = await Deno.makeTempDir({ prefix: `evab-${name}-` });
  await new Deno.Command("qemu-img", {
    args: ["create", "-q", "-f", "qcow2", `${work}/vda.qcow2`, "16M"],
  }).output();
  const xml = `<domain type='qemu'><name>ab-${name}</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${work}/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;
  const conn = await driver.open(
    new URL("qemu:///session"),
    {
      stateDir: `${work}/state`,
      log: () => {},
    } as Parameters<ConnectDriver["open"]>[1],
  ) as DriverConnection;
  const dom = await conn.domainCreateWithFlags!(await conn.domainDefineXMLFlags!(xml, 0), 0);
  const times = { save: [] as number[], restore: [] as number[] };
  const round = async () => {
    let t = performance.now();
    await conn.domainSaveFlags!(dom, `${work}/ab.save`, null, 0);
    times.save.push(performance.now() - t);
    t = performance.now();
    await conn.domainRestoreFlags!(`${work}/ab.save`, null, 0);
    times.restore.push(performance.now() - t);
    await Deno.remove(`${work}/ab.save`);
  };
  const close = async () => {
    await conn.domainDestroyFlags!(dom, 0).catch(() => {});
    await conn.connectClose();
    await Deno.remove(work, { recursive: true });
  };
  return { times, round, close };
}

const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const base = await side(baseline, "baseline");
const mine = await side(qemuConnectDriver, "checkout");
try {
  await base.round();
  await mine.round();
  // The warm-up rounds (first runs of each driver's code paths) are not counted.
  for (const s of [base, mine]) {
    s.times.save.length = 0;
    s.times.restore.length = 0;
  }
  const before = load();
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 ? [base, mine] : [mine, base];
    for (const s of order) await s.round();
  }
  console.log(`${rounds} rounds each, load ${before} → ${load()}`);
  for (const step of ["save", "restore"] as const) {
    console.log(
      `${step.padEnd(8)} baseline ${median(base.times[step]).toFixed(1).padStart(7)} ms   ` +
        `this checkout ${median(mine.times[step]).toFixed(1).padStart(7)} ms`,
    );
  }
} finally {
  await base.close();
  await mine.close();
}

/**
 * The process the fault-injection test kills: it opens the QEMU driver on a state directory
 * (real QEMU, TCG) and runs random mutating calls until it is SIGKILLed. Each call is journaled
 * (`begin`, then `end … ok|err`) with a synchronous append, so the test knows which calls were
 * acknowledged and which were in flight when the kill came.
 *
 * Usage: `deno run -A fault_child.ts STATE_DIR SEED` (random calls until killed), or
 * `deno run -A fault_child.ts STATE_DIR start` (defines d0, starts it once, then idles).
 */
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";

/** The domains the calls pick from: four persistent candidates and one transient. */
export const FAULT_NAMES = ["d0", "d1", "d2", "d3", "t0"] as const;

/** The XML of fault domain `name` (uuid from its index, memory varied by redefines). */
export function faultXml(name: string, memoryMiB = 64): string {
  const n = FAULT_NAMES.indexOf(name as typeof FAULT_NAMES[number]);
  return `<domain type='qemu'><name>${name}</name>
<uuid>fa017000-0000-4000-8000-00000000000${n}</uuid>
<memory unit='MiB'>${memoryMiB}</memory><vcpu placement='static'>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><memballoon model='none'/></devices></domain>`;
}

/** Issue 14 #7's reproduction: one start of d0, for a kill at a chosen instant of it. */
async function startOnce(conn: DriverConnection): Promise<void> {
  const dom = await conn.domainDefineXMLFlags!(faultXml("d0"), 0);
  console.log("begin start d0");
  await conn.domainCreateWithFlags!(dom, 0);
  console.log("end start d0 ok");
  await new Promise(() => {});
}

async function main(dir: string, seed: string) {
  let x = Number(seed) >>> 0 || 1;
  const rand = (n: number) => {
    // xorshift32: the run is reproducible from its seed.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    log: () => {},
  }) as DriverConnection;
  if (seed === "start") return await startOnce(conn);
  const journal = `${dir}/journal`;
  const note = (line: string) => Deno.writeTextFileSync(journal, `${line}\n`, { append: true });
  const ref = (name: string): Promise<DomainRef> => conn.domainLookupByName!(name);
  const ops: Record<string, (name: string) => Promise<unknown>> = {
    define: (n) => conn.domainDefineXMLFlags!(faultXml(n, 64 + 32 * rand(3)), 0),
    undefine: async (n) => conn.domainUndefineFlags!(await ref(n), 0),
    start: async (n) => conn.domainCreateWithFlags!(await ref(n), 0),
    create: (n) => conn.domainCreateXML!(faultXml(n), 0),
    destroy: async (n) => conn.domainDestroyFlags!(await ref(n), 0),
    autostart: async (n) => conn.domainSetAutostart!(await ref(n), rand(2) === 1),
    suspend: async (n) => conn.domainSuspend!(await ref(n)),
    resume: async (n) => conn.domainResume!(await ref(n)),
  };
  const kinds = Object.keys(ops);
  console.log("ready");
  for (let i = 0;; i++) {
    const kind = kinds[rand(kinds.length)];
    const name = kind === "create" ? "t0" : FAULT_NAMES[rand(kind === "destroy" ? 5 : 4)];
    note(`begin ${kind} ${name}`);
    console.log(`begin ${kind} ${name}`);
    const ok = await ops[kind](name).then(() => "ok", () => "err");
    note(`end ${kind} ${name} ${ok}`);
  }
}

if (import.meta.main) await main(Deno.args[0], Deno.args[1]);

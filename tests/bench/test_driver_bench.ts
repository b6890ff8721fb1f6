/**
 * Test driver object-list cost at scale: with N domains defined (default 10,000), the mean time
 * of defineXML (one more domain, then undefined again), lookupByName / lookupByUUID / lookupByID
 * and listAllDomains, through the public client on `test:///default`. libvirt keeps these in
 * hash tables (virDomainObjList), so define and lookups must not grow with N.
 *
 * ```sh
 * deno run -A tests/bench/test_driver_bench.ts [--n 10000] [--rounds 2000]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { connect } from "../../host.ts";
import type { Domain } from "../../client/domain.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "10000" }, rounds: { type: "string", default: "2000" } },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);

const xml = (i: number) =>
  `<domain type='test'><name>bench-${i}</name><memory>65536</memory><vcpu>1</vcpu>` +
  `<os><type>hvm</type></os></domain>`;

/** Mean µs per call of `fn` over `n` calls, after a short warm-up. */
async function mean(fn: (i: number) => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(50, n); i++) await fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return ((performance.now() - t0) * 1000) / n;
}

const conn = await connect("test:///default");
const t0 = performance.now();
const doms: Domain[] = [];
for (let i = 0; i < N; i++) doms.push(await conn.defineXML(xml(i)));
const fillMs = performance.now() - t0;
for (let i = 0; i < N; i += 2) await doms[i].create();
const pick = (i: number) => doms[(i * 7919) % N];
const active = doms.filter((_, i) => i % 2 === 0);

const rows: [string, number][] = [
  [`define ${N} domains (total ms)`, fillMs],
  [
    "defineXML + undefine (µs)",
    await mean(async (i) => {
      const d = await conn.defineXML(xml(N + i));
      await d.undefine();
    }, ROUNDS),
  ],
  ["lookupByName (µs)", await mean((i) => conn.lookupDomainByName(pick(i).name), ROUNDS)],
  ["lookupByUUIDString (µs)", await mean((i) => conn.lookupDomainByUUID(pick(i).uuid), ROUNDS)],
  [
    "lookupByID (µs)",
    await mean((i) => conn.lookupDomainByID(active[(i * 7919) % active.length].id), ROUNDS),
  ],
  ["listAllDomains (µs)", await mean(() => conn.listAllDomains(), 50)],
];
for (const [label, v] of rows) console.log(`${label.padEnd(32)} ${v.toFixed(1)}`);
await conn.close();

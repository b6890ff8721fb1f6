/**
 * Replays a recording through edgevirt's canonicaliser (`tests/tools/canon.ts`) and compares
 * each answer with libvirt's: the XML byte for byte, or the error's code, domain and message.
 * Run as a script, it prints the differences grouped by their first differing line:
 *
 * @example
 * ```sh
 * deno run -A tests/tools/xmlgen/compare.ts tests/fixtures/xmlgen/recorded.jsonl.gz [--show N]
 * ```
 * @module
 */
import { Canon, type CanonOptions, type CanonResult } from "../canon.ts";
import type { Kind } from "./kinds.ts";
import { readRecording, type Recorded } from "./recording.ts";

/** How one recorded document compares. */
export interface Outcome {
  id: string;
  kind: Kind;
  mutation: string | null;
  same: boolean;
  /** The first difference, one line (empty when the answers are the same). */
  first: string;
  /** A short grouping key of the first difference. */
  cause: string;
}

/** The cause of documents libvirt 9.0 crashes on: no answer to compare with. */
export const CRASH = "libvirt crashed";

/** Kinds canon.sh cannot define: the recording forces them (record_other.py). */
const FORCED = new Set<Kind>(["nodedev", "snapshot", "checkpoint"]);

function firstLineDiff(want: string, got: string): [string, string] {
  const a = want.split("\n");
  const b = got.split("\n");
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const w = a[i] ?? "<end>";
  const g = b[i] ?? "<end>";
  const tag = (s: string) => s.trim().match(/^<\/?[^ >/]+/)?.[0] ?? s.trim().slice(0, 30);
  return [`line ${i + 1}: libvirt ${w.trim()} | edgevirt ${g.trim()}`, `${tag(w)} vs ${tag(g)}`];
}

const GENID = /<genid>([0-9a-f-]{36})<\/genid>/;

/** A generated `<genid>` (absent from the input) is random: masked like --stable masks UUIDs. */
function maskGenid(input: string, xml: string): string {
  const m = xml.match(GENID);
  if (!m || input.toLowerCase().includes(m[1])) return xml;
  return xml.replace(GENID, "<genid>00000000-0000-0000-0000-000000000000</genid>");
}

const PORT_ID = /\b(instanceid|interfaceid)='([0-9a-f-]{36})'/g;

/**
 * A virtual port's instance or interface id that libvirt generated (absent from the input) is
 * random: masked as a generated `<genid>` is.
 */
function maskPortIds(input: string, xml: string): string {
  const low = input.toLowerCase();
  return xml.replace(PORT_ID, (all, name, id) => low.includes(id) ? all : `${name}='0'`);
}

const TIME_NAME = /^ {2}<name>([0-9]+)<\/name>$/m;

/**
 * A snapshot or checkpoint given no name is named after its creation time (in seconds), which
 * differs between the recording and the replay: masked wherever it appears, as the creation
 * time itself is.
 */
function maskTimeName(row: Recorded, xml: string): string {
  // An empty <name/> is no name (virXPathString).
  if (!FORCED.has(row.kind) || /^ {2}<name>[^<]/m.test(row.input)) return xml;
  const m = xml.match(TIME_NAME);
  return m ? xml.replaceAll(m[1], "0") : xml;
}

/** Compares libvirt's recorded answer with edgevirt's. */
export function compareOne(row: Recorded, got: CanonResult): Outcome {
  const base = { id: row.id, kind: row.kind, mutation: row.mutation };
  if (row.crash) {
    const first = `libvirt crashed (exit status ${row.crash}); edgevirt ${
      got.ok ? "accepts" : got.error!.message
    }`;
    return { ...base, same: false, first, cause: CRASH };
  }
  if (row.ok && got.ok) {
    const mask = (xml: string) =>
      maskTimeName(row, maskPortIds(row.input, maskGenid(row.input, xml)));
    const want = mask(row.xml!);
    const have = mask(got.xml!);
    if (want === have) return { ...base, same: true, first: "", cause: "" };
    const [first, cause] = firstLineDiff(want, have);
    return { ...base, same: false, first, cause: `xml: ${cause}` };
  }
  if (row.ok) {
    const m = got.error!.message;
    return { ...base, same: false, first: `edgevirt rejects: ${m}`, cause: `rejects: ${m}` };
  }
  const e = row.error!;
  const want = `${e.code}/${e.domain} ${e.message}`;
  if (!got.ok) {
    const g = got.error!;
    const have = `${g.code}/${g.domain} ${g.message}`;
    if (have === want) return { ...base, same: true, first: "", cause: "" };
    return {
      ...base,
      same: false,
      first: `libvirt ${want} | edgevirt ${have}`,
      cause: `error: ${want}`,
    };
  }
  return {
    ...base,
    same: false,
    first: `edgevirt accepts; libvirt ${want}`,
    cause: `accepts: ${want}`,
  };
}

/**
 * Replays every row (in the recording's order) and compares; `validate` replays a recording
 * made with the kinds' VALIDATE flags, `driver` one made on that driver (canon.sh `--driver`).
 */
export async function replay(
  rows: Recorded[],
  validate = false,
  driver: CanonOptions["driver"] = "test",
): Promise<Outcome[]> {
  const generic = await Canon.open({ stable: true, validate, driver });
  const forced = new Map<Kind, Canon>();
  const out: Outcome[] = [];
  try {
    for (const row of rows) {
      let canon = generic;
      if (FORCED.has(row.kind)) {
        // record_other.py keeps generated UUIDs: these documents live on test:///default.
        canon = forced.get(row.kind) ?? await Canon.open({ kind: row.kind, validate });
        forced.set(row.kind, canon);
      }
      out.push(compareOne(row, await canon.run(row.input)));
    }
  } finally {
    await generic.close();
    for (const c of forced.values()) await c.close();
  }
  return out;
}

/** Per kind: identical answers, documents with an answer, documents libvirt crashed on. */
export interface Tally {
  same: number;
  total: number;
  crashed: number;
}

/** Identical and total counts per kind (documents libvirt crashed on are counted apart). */
export function tally(outcomes: Outcome[]): Map<Kind, Tally> {
  const t = new Map<Kind, Tally>();
  for (const o of outcomes) {
    const e = t.get(o.kind) ?? { same: 0, total: 0, crashed: 0 };
    if (o.cause === CRASH) e.crashed++;
    else e.total++;
    if (o.same) e.same++;
    t.set(o.kind, e);
  }
  return t;
}

/**
 * Prints the identical share per kind and the differences grouped by their first differing
 * line, biggest group first, with up to `show` examples each (`label` names an example's id).
 */
export function printReport(
  outcomes: Outcome[],
  show: number,
  label: (o: Outcome) => string = (o) => o.id,
): void {
  let all = 0;
  let answered = 0;
  for (const [kind, { same, total, crashed }] of tally(outcomes)) {
    const c = crashed ? ` + ${crashed} libvirt crashed on` : "";
    console.log(`${kind}: ${same}/${total} (${(100 * same / total).toFixed(1)} %)${c}`);
    all += same;
    answered += total;
  }
  console.log(`all: ${all}/${answered} (${(100 * all / answered).toFixed(2)} %)`);
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes.filter((x) => !x.same)) {
    groups.set(o.cause, [...(groups.get(o.cause) ?? []), o]);
  }
  for (const [cause, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`\n${list.length} ${cause}`);
    for (const o of list.slice(0, show)) console.log(`  ${label(o)}: ${o.first.slice(0, 300)}`);
  }
}

async function main(args: string[]): Promise<void> {
  const show = args.includes("--show") ? Number(args[args.indexOf("--show") + 1]) : 3;
  printReport(await replay(await readRecording(args[0])), show);
}

if (import.meta.main) await main(Deno.args);

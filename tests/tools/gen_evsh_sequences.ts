/**
 * Seeded generator of virsh command lines for the differential test against real virsh: each
 * line is a short sequence of commands drawn from virsh 9.0's option tables, with valid and
 * invalid options and values and objects that exist on test:///default and that do not.
 * `tests/tools/record_virsh.sh generated` records virsh's answers; `tests/evsh/generated_test.ts`
 * replays them through evsh.
 *
 * Usage: deno run tests/tools/gen_evsh_sequences.ts [SEED] [COUNT]   (one line per sequence)
 *
 * @example
 * ```ts
 * import { generateSequences } from "./gen_evsh_sequences.ts";
 * generateSequences(1, 3).length; // 3
 * ```
 * @module
 */
import { type CmdSpec, GROUPS, hasFlag, type OptSpec } from "../../tools/evsh/virsh_defs.ts";

const FX = "tests/evsh/fixtures";
/** Where save/dump/screenshot commands write; the recorder and the test clear it. */
export const GENERATED_SAVE = "/tmp/evsh-generated.out";

/**
 * Commands left out of the generated set, with why: they depend on the process's directory or
 * open other connections.
 */
export const EXCLUDED: Readonly<Record<string, string>> = {
  cd: "depends on the process's working directory",
  pwd: "depends on the process's working directory",
  connect: "opens other connections",
};

/**
 * The editor the recorder and the replay give the `*-edit` commands (`$EDITOR`, relative to
 * the scratch directory holding the fixtures).
 */
export const GENERATED_EDITOR = `${FX}/editor.sh`;

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALUES: Record<string, string[]> = {
  // "" in each object list: virsh refuses an empty name before any lookup
  domain: [
    "test",
    "test",
    "1",
    "6695eb01-f6a4-8304-79aa-97f2502e193f",
    "nosuch",
    "vm1",
    "vmvols",
    "",
  ],
  network: ["default", "default", "nosuch", "net1", ""],
  pool: ["default-pool", "default-pool", "nosuch", "pool1", ""],
  vol: ["vol1.img", "nosuch.img", "/default-pool/vol1.img", "vol2.img"],
  interface: ["eth1", "eth1", "nosuch", "aa:bb:cc:dd:ee:ff", ""],
  device: ["computer", "nosuch", ""],
  snapshot: ["snap1", "nosuch", ""],
  checkpoint: ["ck1", "nosuch", ""],
  secret: ["0b4e7c1e-9d0a-4c4e-8f0b-3c9b3f6b1a11", "nosuch"],
  nwfilter: ["nosuch", "clean-traffic"],
  file: [
    `${FX}/vm1.xml`,
    `${FX}/net1.xml`,
    `${FX}/pool1.xml`,
    `${FX}/vol1.xml`,
    `${FX}/vm-vols.xml`,
    `${FX}/bad.xml`,
    `${FX}/nosuchfile.xml`,
  ],
  int: ["0", "1", "2", "1024", "-1", "abc", "99999999999"],
  size: ["1024", "1M", "1G", "10x", "0", "-5"],
  target: ["vda", "hda", "nosuch"],
  event: ["lifecycle", "nosuch", "lifecycle"],
  timeout: ["1", "0", "abc", "1"],
  string: ["x", "", "yes", "test"],
  // Options whose values are words of a set: mostly a known word, so commands get past it.
  type: ["network", "bridge", "dir", "file", "disk", "logical", "x"],
  format: ["raw", "qcow2", "x"],
  "source-format": ["raw", "qcow2", "x"],
  "backing-vol-format": ["raw", "qcow2", "x"],
  mode: ["readonly", "shareable", "x"],
  cache: ["none", "writeback", "x"],
  io: ["native", "threads", "x"],
  model: ["virtio", "e1000", "x"],
  targetbus: ["virtio", "ide", "x"],
  source: ["default", "/default-pool/vol1.img", "nosuch", ""],
  machine: ["pc", "x"],
  nodeset: ["0", "0-1", "x"],
  storage: ["vda", "vda,vdb", "/default-pool/vol1.img", "nosuch", ""],
};

const COMPLETER_VALUES: Record<string, string> = {
  virshDomainNameCompleter: "domain",
  virshDomainUUIDCompleter: "domain",
  virshNetworkNameCompleter: "network",
  virshNetworkUUIDCompleter: "network",
  virshStoragePoolNameCompleter: "pool",
  virshStorageVolNameCompleter: "vol",
  virshStorageVolKeyCompleter: "vol",
  virshInterfaceNameCompleter: "interface",
  virshInterfaceMacCompleter: "interface",
  virshNodeDeviceNameCompleter: "device",
  virshSnapshotNameCompleter: "snapshot",
  virshCheckpointNameCompleter: "checkpoint",
  virshSecretUUIDCompleter: "secret",
  virshNWFilterNameCompleter: "nwfilter",
  virshCompletePathLocalExisting: "file",
  virshDomainDiskTargetCompleter: "target",
};

/** Setups that create the objects the other values name. */
const SETUPS = [
  `define ${FX}/vm1.xml`,
  `net-define ${FX}/net1.xml`,
  `pool-define ${FX}/pool1.xml`,
  `vol-create default-pool ${FX}/vol1.xml`,
  // a shut-off domain whose disks are volumes of default-pool (undefine --storage, vol-*)
  `define ${FX}/vm-vols.xml; vol-create default-pool ${FX}/vol1.xml; ` +
  `vol-create default-pool ${FX}/vol2.xml`,
  "snapshot-create-as test snap1",
  "destroy test",
  "suspend test",
];

/** A word as virsh's lexer reads it back: quoted when it has blanks or is empty. */
function quote(s: string): string {
  return s === "" || /[\s;'"#\\]/.test(s) ? `'${s}'` : s;
}

function valueFor(o: OptSpec, pick: <T>(a: readonly T[]) => T): string {
  const byCompleter = o.completer && COMPLETER_VALUES[o.completer];
  if (byCompleter) return pick(VALUES[byCompleter]);
  if (o.name in VALUES) return pick(VALUES[o.name]);
  if (o.name === "save" || o.name === "to" || o.name === "corefilepath") return GENERATED_SAVE;
  if (/size|mem|capacity|allocation|bandwidth/.test(o.name)) return pick(VALUES.size);
  if (o.type === "int") return pick(VALUES.int);
  return pick(VALUES.string);
}

/** One command with options drawn from its table. */
function command(c: CmdSpec, r: () => number, pick: <T>(a: readonly T[]) => T): string {
  const words = [c.name];
  const opts = (c.options ?? []).filter((o) => o.type !== "alias");
  for (const o of opts) {
    const required = hasFlag(o, "req");
    if (required && r() < 0.04) continue; // a missing required option
    if (!required && r() > (o.type === "bool" ? 0.2 : 0.15)) continue;
    if (o.type === "bool") words.push(`--${o.name}`);
    else {
      const v = quote(valueFor(o, pick));
      const positional = required && !hasFlag(o, "req_opt") && r() < 0.7;
      words.push(...(positional ? [v] : r() < 0.1 ? [`--${o.name}=${v}`] : [`--${o.name}`, v]));
    }
  }
  // The event commands wait until an event or Ctrl-C: they always get a timeout.
  const timeout = opts.find((o) => o.name === "timeout");
  if (c.name.endsWith("event") && timeout && !words.some((w) => w.startsWith("--timeout"))) {
    words.push("--timeout", "1");
  }
  const roll = r();
  if (roll < 0.03) words.push("--bogus");
  else if (roll < 0.05) words.push("extra");
  else if (roll < 0.06 && opts.some((o) => o.type !== "bool")) {
    words.push(`--${pick(opts.filter((o) => o.type !== "bool")).name}`);
  }
  return words.join(" ");
}

/**
 * `count` command lines from seed `seed`.
 */
export function generateSequences(seed: number, count: number): string[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const commands = GROUPS.flatMap((g) => g.commands).filter((c) =>
    !c.alias && !(c.name in EXCLUDED)
  );
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    if (r() < 0.3) parts.push(pick(SETUPS));
    const n = 1 + Math.floor(r() * 3);
    for (let j = 0; j < n; j++) parts.push(command(pick(commands), r, pick));
    lines.push(parts.join("; "));
  }
  return lines;
}

if (import.meta.main) {
  const seed = Number(Deno.args[0] ?? 12);
  const count = Number(Deno.args[1] ?? 1000);
  console.log(generateSequences(seed, count).join("\n"));
}

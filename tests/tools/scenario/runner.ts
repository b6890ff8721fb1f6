/**
 * The scenario runner: a port of the oracle's scenario.py (and tests/tools/scenario_ext.py)
 * onto edgevirt's public API. {@link runScenario} prints, line by line, what the Python runner
 * prints for the same scenario against real libvirt.
 * @module
 */
import { connect } from "../../../host.ts";
import {
  type Connection,
  type ConnectionEvent,
  Domain,
  DomainCheckpoint,
  DomainSnapshot,
  Interface,
  Network,
  NodeDevice,
  StoragePool,
  StorageVolume,
  VIR,
  VirError,
} from "../../../mod.ts";
import { createMasker } from "./masker.ts";
import {
  errCodeName,
  errDomainName,
  eventNames,
  FlagError,
  pyRepr,
  reasonName,
  resolveFlags,
  stateName,
} from "./names.ts";
import { HANDLERS, PyErrorUnset, RunnerLimit } from "./ops.ts";
import { pyArgumentError, PyTuple } from "./py_args.ts";
import { pyDumps, PyFloat, pyLoads, type PyValue } from "./py_json.ts";
import { type PyMethod, PYTHON_API } from "./python_api.ts";

/** Options of a run, as scenario.py's command line gives them. */
export interface ScenarioOptions {
  uri?: string;
  /** A wait after each op before its events are collected (none needed through the gateway). */
  settleMs?: number;
  /**
   * Macrotask turns given to events after each op, before they are collected: 2 by default, as
   * scenario.py's two timer runs; 0 collects only the events delivered before the op returned.
   */
  eventTurns?: number;
  noMask?: boolean;
  raw?: boolean;
}

/**
 * What went wrong before any op ran (scenario.py's exit status 2 cases): an invalid scenario
 * (`kind` "scenario") or a connection that cannot be opened (`kind` "open").
 */
export class ScenarioSetupError extends Error {
  constructor(message: string, readonly kind: "scenario" | "open" = "scenario") {
    super(message);
  }
}

type Rec = Record<string, unknown>;
type Op = Map<string, PyValue>;

const DOMAIN_SELECTORS = ["name", "uuid", "id"] as const;
const OBJ_SELECTORS = ["net", "pool", "vol", "iface", "dev", "snap", "chk"] as const;
type ObjKind = typeof OBJ_SELECTORS[number];
const OBJ_CLASS: Record<ObjKind, string> = {
  net: "virNetwork",
  pool: "virStoragePool",
  vol: "virStorageVol",
  iface: "virInterface",
  dev: "virNodeDevice",
  snap: "virDomainSnapshot",
  chk: "virDomainCheckpoint",
};

// scenario.py's SIG: positional argument keys per method, for ops without "args"
const SIG: Record<string, string[]> = {
  defineXML: ["xml"],
  defineXMLFlags: ["xml", "flags"],
  createXML: ["xml", "flags"],
  lookupByName: ["name"],
  lookupByUUIDString: ["uuid"],
  lookupByID: ["id"],
  listAllDomains: ["flags"],
  getMaxVcpus: ["type"],
  networkDefineXML: ["xml"],
  networkCreateXML: ["xml"],
  networkLookupByName: ["name"],
  listAllNetworks: ["flags"],
  storagePoolLookupByName: ["name"],
  listAllStoragePools: ["flags"],
  restore: ["path"],
  restoreFlags: ["path", "dxml", "flags"],
  createWithFlags: ["flags"],
  destroyFlags: ["flags"],
  shutdownFlags: ["flags"],
  reboot: ["flags"],
  reset: ["flags"],
  undefineFlags: ["flags"],
  setVcpus: ["n"],
  setVcpusFlags: ["n", "flags"],
  vcpusFlags: ["flags"],
  setVcpu: ["vcpumap", "state", "flags"],
  setMemory: ["memory"],
  setMemoryFlags: ["memory", "flags"],
  setMaxMemory: ["memory"],
  XMLDesc: ["flags"],
  state: ["flags"],
  setAutostart: ["autostart"],
  managedSave: ["flags"],
  managedSaveRemove: ["flags"],
  hasManagedSaveImage: ["flags"],
  save: ["path"],
  rename: ["new_name", "flags"],
  getCPUStats: ["total", "flags"],
};

// scenario_ext.py's OBJ_SIG
const OBJ_SIG: Record<ObjKind, Record<string, string[]>> = {
  net: {
    XMLDesc: ["flags"],
    setAutostart: ["autostart"],
    update: ["command", "section", "parentIndex", "xml", "flags"],
  },
  pool: {
    XMLDesc: ["flags"],
    setAutostart: ["autostart"],
    create: ["flags"],
    build: ["flags"],
    delete: ["flags"],
    refresh: ["flags"],
    listAllVolumes: ["flags"],
    storageVolLookupByName: ["vol_name"],
    createXML: ["xml", "flags"],
  },
  vol: {
    XMLDesc: ["flags"],
    delete: ["flags"],
    wipe: ["flags"],
    resize: ["capacity", "flags"],
    infoFlags: ["flags"],
  },
  iface: { XMLDesc: ["flags"], create: ["flags"], destroy: ["flags"] },
  dev: {
    XMLDesc: ["flags"],
    create: ["flags"],
    undefine: ["flags"],
    setAutostart: ["autostart"],
  },
  snap: {
    getXMLDesc: ["flags"],
    getParent: ["flags"],
    numChildren: ["flags"],
    listChildrenNames: ["flags"],
    listAllChildren: ["flags"],
    isCurrent: ["flags"],
    hasMetadata: ["flags"],
    delete: ["flags"],
    revertToSnapshot: ["flags"],
  },
  chk: {
    getXMLDesc: ["flags"],
    getParent: ["flags"],
    listAllChildren: ["flags"],
    delete: ["flags"],
  },
};

// scenario_ext.py's OBJ_EXTRA: snapshot ops python-libvirt has on virDomain, taking the snapshot
const SNAP_EXTRA = new Set(["revertToSnapshot"]);

// scenario_ext.py's OBJ_FIELDS: (output key, python method, conversion)
type Conv = "bool" | "sorted" | "len" | null;
const OBJ_FIELDS: Record<ObjKind, [string, string, Conv][]> = {
  net: [
    ["name", "name", null],
    ["uuid", "UUIDString", null],
    ["active", "isActive", "bool"],
    ["persistent", "isPersistent", "bool"],
    ["autostart", "autostart", "bool"],
  ],
  pool: [
    ["name", "name", null],
    ["uuid", "UUIDString", null],
    ["active", "isActive", "bool"],
    ["persistent", "isPersistent", "bool"],
    ["autostart", "autostart", "bool"],
    ["info", "info", null],
    ["volumes", "listVolumes", "sorted"],
  ],
  vol: [["name", "name", null], ["key", "key", null], ["path", "path", null], [
    "info",
    "info",
    null,
  ]],
  iface: [["name", "name", null], ["mac", "MACString", null], ["active", "isActive", "bool"]],
  dev: [["name", "name", null], ["parent", "parent", null], ["caps", "listCaps", null]],
  snap: [
    ["name", "getName", null],
    ["current", "isCurrent", "bool"],
    ["parent", "getParent", null],
    ["children", "numChildren", null],
  ],
  chk: [["name", "getName", null], ["parent", "getParent", null], [
    "children",
    "listAllChildren",
    "len",
  ]],
};

const VCPU_QUERIES: [string, number][] = [
  ["config_max", VIR.DOMAIN_AFFECT_CONFIG | VIR.DOMAIN_VCPU_MAXIMUM],
  ["config_cur", VIR.DOMAIN_AFFECT_CONFIG],
  ["live_max", VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_VCPU_MAXIMUM],
  ["live_cur", VIR.DOMAIN_AFFECT_LIVE],
];

/** A harness error (Python's TypeError/AttributeError/ValueError text in scenario.py). */
class HarnessError extends Error {}

/** Python's list comparison on the values scenario.py sorts (str, int, nested lists). */
export function pyCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i]);
      if (c) return c;
    }
    return a.length - b.length;
  }
  if (typeof a === "string" && typeof b === "string") {
    // code point order, as Python compares str (not UTF-16 units)
    const x = [...a].map((c) => c.codePointAt(0)!);
    const y = [...b].map((c) => c.codePointAt(0)!);
    return pyCompare(x, y);
  }
  return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
}

/** scenario.py's jsonable (with scenario_ext.py's additions) for edgevirt results. */
function jsonable(x: unknown): unknown {
  if (x instanceof Domain) return { domain: x.name };
  if (x instanceof Network) return { network: x.name };
  if (x instanceof StoragePool) return { pool: x.name };
  if (x instanceof Interface) return { interface: x.name };
  if (x instanceof NodeDevice) return { nodedev: x.name };
  if (x instanceof StorageVolume) return { volume: x.name };
  if (x instanceof DomainSnapshot) return { snapshot: x.name };
  if (x instanceof DomainCheckpoint) return { checkpoint: x.name };
  if (Array.isArray(x)) return x.map(jsonable);
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [String(k), jsonable(v)]));
  if (x && typeof x === "object" && !(x instanceof PyFloat)) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, jsonable(v)]));
  }
  return x;
}

/** Scenario values as call arguments: PyFloat/bigint become numbers, Maps objects. */
function plain(v: PyValue): unknown {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  return v;
}

function errDict(e: VirError): Rec {
  return {
    code: e.code,
    code_name: errCodeName(e.code),
    domain: e.domain,
    domain_name: errDomainName(e.domain),
    message: e.message,
  };
}

/** Python 3.11's TypeError text for a call with the wrong number of positional arguments. */
function arityError(cls: string, name: string, m: PyMethod, given: number): string | null {
  const q = `${cls}.${name}()`;
  if (given < m.required) {
    const missing = m.params.slice(given, m.required).map((p) => `'${p}'`);
    const list = missing.length === 1
      ? missing[0]
      : missing.length === 2
      ? missing.join(" and ")
      : `${missing.slice(0, -1).join(", ")}, and ${missing.at(-1)}`;
    const s = missing.length === 1 ? "" : "s";
    return `${q} missing ${missing.length} required positional argument${s}: ${list}`;
  }
  if (given > m.params.length) {
    const max = m.params.length + 1;
    const takes = m.required === m.params.length
      ? `${max} positional argument${max === 1 ? "" : "s"}`
      : `from ${m.required + 1} to ${max} positional arguments`;
    return `${q} takes ${takes} but ${given + 1} ${given + 1 === 1 ? "was" : "were"} given`;
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Runner {
  conn!: Connection;
  #events: [string, string, string][] = [];
  #cb = 0;

  constructor(
    readonly uri: string,
    readonly raw: boolean,
    readonly settle: number,
    readonly turns: number,
  ) {}

  async open(): Promise<void> {
    this.conn = await connect(this.uri);
    this.#cb = this.conn.domainEventRegisterAny(
      null,
      VIR.DOMAIN_EVENT_ID_LIFECYCLE,
      (ev: ConnectionEvent) => {
        const d = ev.data as { event: number; detail: number };
        this.#events.push([(ev.object as Domain).name, ...eventNames(d.event, d.detail)]);
      },
    );
  }

  async close(): Promise<void> {
    try {
      this.conn.eventDeregisterAny(this.#cb);
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
    }
    await this.conn.close();
  }

  /** Lets queued events reach the callback: macrotask turns, like scenario.py's two timers. */
  async pump(): Promise<unknown[]> {
    if (this.settle) await sleep(this.settle);
    for (let i = 0; i < this.turns; i++) await sleep(0);
    const ev = this.#events;
    this.#events = [];
    return ev;
  }

  lookup(op: Op): Promise<Domain> {
    if (op.has("name")) return this.conn.lookupDomainByName(op.get("name") as string);
    if (op.has("uuid")) return this.conn.lookupDomainByUUID(op.get("uuid") as string);
    return this.conn.lookupDomainByID(Number(plain(op.get("id")!)));
  }

  async domState(op: Op): Promise<Rec> {
    let d: Domain;
    try {
      d = await this.lookup(op);
    } catch (e) {
      if (e instanceof VirError) return { exists: false, lookup_error: e.code };
      throw e;
    }
    const s: Rec = { exists: true, name: d.name, uuid: d.uuid, id: d.id };
    try {
      const [st, rs] = await d.getState();
      s.state = stateName(st);
      s.reason = reasonName(st, rs);
      const inf = await d.getInfo();
      s.info = {
        state: inf.state,
        maxMem: inf.maxMem,
        memory: inf.memory,
        nrVirtCpu: inf.nrVirtCpu,
        cpuTime: this.raw ? inf.cpuTime : null,
      };
      s.active = Boolean(await d.isActive());
      s.persistent = Boolean(await d.isPersistent());
      s.autostart = Boolean(await d.getAutostart());
      s.managedSave = await orNull(async () => Boolean(await d.hasManagedSaveImage()));
      const v: Rec = {};
      for (const [key, fl] of VCPU_QUERIES) v[key] = await orNull(() => d.getVcpusFlags(fl));
      s.vcpus = v;
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      s.query_error = errDict(e);
    }
    return s;
  }

  async allDomains(): Promise<unknown[]> {
    const out: unknown[][] = [];
    for (const d of await this.conn.listAllDomains(0)) {
      const [st] = await d.getState();
      out.push([d.name, d.id, stateName(st)]);
    }
    return out.sort(pyCompare);
  }

  /** The positional arguments, scenario.py's way (HarnessError = its ValueError). */
  buildArgs(op: Op, name: string, keys: string[], defaults: boolean): unknown[] {
    if (op.has("args")) {
      const tuples = ((op.get("tuples") ?? []) as PyValue[]).map(plain);
      const args = [...(op.get("args") as PyValue[])].map((a, i) =>
        tuples.includes(i) ? PyTuple.from(plain(a) as unknown[]) : plain(a)
      );
      if (op.has("flags")) args.push(flagsOf(op.get("flags")));
      return args;
    }
    return keys.map((k) => {
      if (k === "flags") return flagsOf(op.get("flags"));
      if (op.has(k)) return plain(op.get(k)!);
      if (defaults && k === "total") return true;
      throw new HarnessError(`op ${name}: missing argument ${pyRepr(k)}`);
    });
  }

  /** Runs one mapped python method; harness problems become HarnessError. */
  async call(cls: string, self: unknown, name: string, args: unknown[]): Promise<unknown> {
    const m = hasMethod(cls, name) ? PYTHON_API[cls][name] : undefined;
    if (!m) {
      throw new HarnessError(`AttributeError: '${cls}' object has no attribute '${name}'`);
    }
    const arity = arityError(cls, name, m, args.length);
    if (arity) throw new HarnessError(`TypeError: ${arity}`);
    const conversion = pyArgumentError(cls, name, args);
    if (conversion) throw new HarnessError(`TypeError: ${conversion}`);
    const h = Object.hasOwn(HANDLERS[cls], name) ? HANDLERS[cls][name] : undefined;
    if (!h) throw new RunnerLimit(`${cls}.${name}`);
    return await h(self, args, this.conn);
  }

  async step(i: number, op: Op): Promise<Rec> {
    const name = op.get("op") as string;
    const kind = OBJ_SELECTORS.find((k) => op.has(k));
    if (kind && !["comment", "sleep", "reopen"].includes(name)) return this.objStep(i, op, kind);
    const rec: Rec = { i, op: name };
    for (const k of DOMAIN_SELECTORS) if (op.has(k)) rec[k] = op.get(k);
    const hasSel = DOMAIN_SELECTORS.some((k) => op.has(k));
    if (name === "comment") {
      rec.text = op.get("text") ?? null;
      return rec;
    }
    if (name === "sleep") {
      await sleep(Number(plain(op.get("ms") ?? 0)));
      rec.ok = true;
      return rec;
    }
    if (name === "reopen") {
      await this.close();
      await this.open();
      rec.ok = true;
      rec.domains = await this.allDomains();
      return rec;
    }
    let target = op.get("target") ?? null;
    if (target === null) {
      const isDom = hasMethod("virDomain", name) && hasSel;
      target = ["lookupByName", "lookupByUUIDString", "lookupByID"].includes(name) || !isDom
        ? (hasMethod("virConnect", name) ? "conn" : "domain")
        : "domain";
    }
    if (target === "domain" && !hasSel) {
      rec.ok = false;
      rec.error = {
        code: null,
        message: "scenario error: " +
          (hasMethod("virDomain", name)
            ? `op ${name} needs "name", "uuid" or "id"`
            : `unknown method ${pyRepr(name)}`),
      };
      return rec;
    }
    let args: unknown[];
    try {
      args = this.buildArgs(op, name, SIG[name] ?? [], true);
    } catch (e) {
      return harnessFailure(rec, e);
    }
    try {
      let cls = "virConnect";
      let self: unknown = this.conn;
      if (target === "domain") {
        rec.phase = "lookup";
        self = await this.lookup(op);
        rec.phase = "call";
        cls = "virDomain";
      }
      let res = await this.call(cls, self, name, args);
      delete rec.phase;
      rec.ok = true;
      if (name === "info" && !this.raw && Array.isArray(res) && res.length === 5) {
        res = [...res.slice(0, 4), null];
      }
      if (name === "vcpus" && !this.raw && Array.isArray(res) && res.length) {
        res = [(res[0] as unknown[][]).map((v) => [v[0], v[1], null, v[3]]), res[1]];
      }
      rec.result = jsonable(res);
    } catch (e) {
      opFailure(rec, e);
    }
    rec.events = await this.pump();
    const result = rec.result as Rec | undefined;
    const resultDomain = result !== null && typeof result === "object" && !Array.isArray(result) &&
      "domain" in result;
    if (hasSel || resultDomain) {
      rec.dom = await this.domState(hasSel ? op : new Map([["name", result!.domain as string]]));
    }
    rec.domains = await this.allDomains();
    return rec;
  }

  async objLookup(kind: ObjKind, sel: PyValue): Promise<unknown> {
    const c = this.conn;
    if (kind === "net") return c.lookupNetworkByName(sel as string);
    if (kind === "pool") return c.lookupStoragePoolByName(sel as string);
    if (kind === "vol") {
      if (!Array.isArray(sel)) throw new HarnessError("TypeError: 'vol' needs [POOL, NAME]");
      const pool = await c.lookupStoragePoolByName(sel[0] as string);
      return pool.lookupVolumeByName(sel[1] as string);
    }
    if (kind === "iface") return c.lookupInterfaceByName(sel as string);
    if (kind === "snap" || kind === "chk") {
      if (!Array.isArray(sel)) throw new HarnessError(`TypeError: '${kind}' needs [DOMAIN, NAME]`);
      const dom = await c.lookupDomainByName(sel[0] as string);
      return kind === "snap"
        ? dom.snapshotLookupByName(sel[1] as string)
        : dom.checkpointLookupByName(sel[1] as string);
    }
    return c.lookupNodeDeviceByName(sel as string);
  }

  async objState(kind: ObjKind, sel: PyValue): Promise<Rec> {
    let o: unknown;
    try {
      o = await this.objLookup(kind, sel);
    } catch (e) {
      if (e instanceof VirError) return { exists: false, lookup_error: e.code };
      throw e;
    }
    const s: Rec = { exists: true };
    for (const [key, meth, conv] of OBJ_FIELDS[kind]) {
      s[key] = await orNull(async () => {
        const v = await HANDLERS[OBJ_CLASS[kind]][meth](o, [], this.conn);
        if (conv === "bool") return Boolean(v);
        if (conv === "len") return (v as unknown[]).length;
        return jsonable(conv === "sorted" ? [...(v as string[])].sort(pyCompare) : v);
      });
    }
    return s;
  }

  async objStep(i: number, op: Op, kind: ObjKind): Promise<Rec> {
    const name = op.get("op") as string;
    const rec: Rec = { i, op: name };
    for (const k of [...DOMAIN_SELECTORS, ...OBJ_SELECTORS]) if (op.has(k)) rec[k] = op.get(k);
    const extra = kind === "snap" && SNAP_EXTRA.has(name);
    const cls = OBJ_CLASS[kind];
    if (!extra && !hasMethod(cls, name)) {
      rec.ok = false;
      rec.error = { code: null, message: `scenario error: ${cls} has no method ${pyRepr(name)}` };
      return rec;
    }
    let args: unknown[];
    try {
      args = this.buildArgs(op, name, OBJ_SIG[kind][name] ?? [], false);
    } catch (e) {
      return harnessFailure(rec, e);
    }
    try {
      rec.phase = "lookup";
      const obj = await this.objLookup(kind, op.get(kind)!);
      rec.phase = "call";
      const sel = op.get(kind) as PyValue[];
      const res = extra
        ? await this.call(
          "virDomain",
          await this.conn.lookupDomainByName(sel[0] as string),
          name,
          [obj, ...args],
        )
        : await this.call(cls, obj, name, args);
      delete rec.phase;
      rec.ok = true;
      rec.result = jsonable(res);
    } catch (e) {
      opFailure(rec, e);
    }
    rec.events = await this.pump();
    rec.obj = await this.objState(kind, op.get(kind)!);
    rec.domains = await this.allDomains();
    return rec;
  }
}

/** Python's hasattr() on a python-libvirt class. */
function hasMethod(cls: string, name: string): boolean {
  return Object.hasOwn(PYTHON_API[cls], name);
}

function flagsOf(v: PyValue | undefined): number {
  try {
    return resolveFlags(plain(v ?? null));
  } catch (e) {
    if (e instanceof FlagError) throw new HarnessError(e.message);
    throw e;
  }
}

function harnessError(e: Error): Rec {
  return { code: null, message: "scenario error: " + e.message };
}

/** An op that failed as the scenario may expect (libvirt, harness or runner limit) goes into `rec`. */
function opFailure(rec: Rec, e: unknown): void {
  if (e instanceof PyErrorUnset) {
    rec.ok = false;
    rec.error = { code: null, code_name: null, domain: null, domain_name: null, message: null };
    return;
  }
  if (!(e instanceof HarnessError || e instanceof VirError || e instanceof RunnerLimit)) throw e;
  rec.ok = false;
  rec.error = e instanceof VirError ? errDict(e) : harnessError(e);
}

function harnessFailure(rec: Rec, e: unknown): Rec {
  if (!(e instanceof HarnessError)) throw e;
  rec.ok = false;
  rec.error = harnessError(e);
  return rec;
}

async function orNull<T>(f: () => Promise<T>): Promise<T | null> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof VirError) return null;
    throw e;
  }
}

/** Parses and checks a scenario text like scenario.py (a JSON array of objects with "op"). */
export function parseScenario(text: string): Op[] {
  let ops: PyValue;
  try {
    ops = pyLoads(text);
  } catch (e) {
    throw new ScenarioSetupError((e as Error).message);
  }
  if (
    !Array.isArray(ops) ||
    !ops.every((o) => o instanceof Map && typeof o.get("op") === "string")
  ) {
    throw new ScenarioSetupError('expected a JSON array of objects with an "op" string');
  }
  return ops as Op[];
}

/**
 * Runs a scenario (its JSON text) and hands every output line to `emit`, exactly as
 * scenario.py prints them. Throws {@link ScenarioSetupError} for an invalid scenario or a URI
 * that cannot be opened.
 *
 * @example
 * ```ts
 * import { runScenario } from "./runner.ts";
 * const lines: string[] = [];
 * await runScenario('[{"op": "numOfDomains"}]', { uri: "test:///default" }, (l) => lines.push(l));
 * ```
 */
export async function runScenario(
  text: string,
  options: ScenarioOptions,
  emit: (line: string) => void,
): Promise<void> {
  const ops = parseScenario(text);
  const uri = options.uri ?? "test:///default";
  const r = new Runner(uri, Boolean(options.raw), options.settleMs ?? 0, options.eventTurns ?? 2);
  try {
    await r.open();
  } catch (e) {
    if (e instanceof VirError) throw new ScenarioSetupError(e.message, "open");
    throw e;
  }
  const mask = options.noMask ? (s: string) => s : createMasker(text);
  try {
    emit(mask(pyDumps({
      i: -1,
      op: "(open)",
      uri,
      libvirt: await r.conn.getLibVersion(),
      driver: r.conn.getType(),
      domains: await r.allDomains(),
    })));
    for (const [i, op] of ops.entries()) emit(mask(pyDumps(await r.step(i, op))));
  } finally {
    await r.close();
  }
}

/** {@link runScenario} collecting the lines. */
export async function scenarioLines(text: string, options: ScenarioOptions): Promise<string[]> {
  const lines: string[] = [];
  await runScenario(text, options, (l) => lines.push(l));
  return lines;
}

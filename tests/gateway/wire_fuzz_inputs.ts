/**
 * Seeded hostile inputs for the gateway's wire (issue 14): raw HTTP call bodies, HTTP session
 * calls, REST requests, stream-route requests and RPC WebSocket frames, each from one of the
 * five kinds of caller. Call arguments start from the contract's declarations (`util/contract/`)
 * with plausible values of each kind, then are mutated: wrong types, huge, negative and
 * fractional numbers, `NaN`/`Infinity` literals, deep nesting, huge arrays and strings, bad
 * UTF-8, missing and extra arguments, unknown and prototype-chain method names.
 * `tests/gateway/wire_fuzz_test.ts` runs a small slice in-process; `tests/bench/wire_fuzz.ts`
 * the full run against a gateway process.
 *
 * @module
 */
import { CONTRACT, FAMILIES, type FamilyName } from "../../util/contract/mod.ts";
import { REF_SHAPES } from "../../util/contract/kinds.ts";
import type { Arg, ArgKind, CallDecl, RefKind } from "../../util/contract/declare.ts";
import { type Resource, RESOURCES } from "../../gateway/rest.ts";

/** Who sends an input: no token, a wrong one, read-only, full on `web-*` domains only, full. */
export type Role = "none" | "bad" | "readOnly" | "restricted" | "full";

/** One HTTP request; `{session}` and `{stream}` in `path` stand for the caller's latest ones. */
export interface HttpInput {
  via: "call" | "session" | "rest" | "stream";
  role: Role;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** What was mutated, for the report of a finding. */
  label: string;
}

/** Frames sent on one RPC WebSocket after the caller's `auth` (none for `none`) and `open`. */
export interface WsInput {
  via: "ws";
  role: Role;
  frames: (string | Uint8Array<ArrayBuffer>)[];
  label: string;
}

/** One fuzz input. */
export type FuzzInput = HttpInput | WsInput;

/** Real objects of the served driver by kind, so that some mutated calls get to the driver. */
export type KnownRefs = Partial<Record<RefKind, unknown[]>>;

/** A small seeded PRNG (mulberry32): the same seed gives the same inputs. */
export function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rand = ReturnType<typeof prng>;

const METHODS = Object.keys(CONTRACT).sort();
/** A call's declaration; none for a name that is not a call (`__proto__` included). */
const declOf = (name: string): CallDecl | undefined =>
  Object.hasOwn(CONTRACT, name) ? (CONTRACT as Record<string, CallDecl>)[name] : undefined;
const ROLES: readonly Role[] = ["none", "bad", "readOnly", "restricted", "full"];
/** The URIs the fuzzer attacks and the route prefix of each (`/v1/test/default`). */
export const FUZZ_URIS = ["test:///default", "qemu:///session"] as const;
/** A URI the fuzzer attacks. */
export type FuzzUri = typeof FUZZ_URIS[number];
/** The gateway's routes of a served URI: `test:///default` → `/v1/test/default`. */
export function basePath(uri: FuzzUri): string {
  const u = new URL(uri);
  return `/v1/${u.protocol.slice(0, -1)}${u.pathname}`;
}

/** Numbers at and beyond the edges of XDR's int, unsigned int and hyper. */
const EDGE_NUMBERS = [
  -1,
  -0,
  0.5,
  1.5,
  -(2 ** 31) - 1,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 53,
  -(2 ** 53),
  1e308,
  -1e308,
  5e-324,
  4294967296,
  Number.MAX_SAFE_INTEGER,
];
/** Spellings JSON.stringify cannot produce, spliced into the body's text. */
const RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "0x10", "01", "1_000"];

/** A domain document the fuzzed URI's driver accepts, named `name`. */
export function domainDocument(uri: FuzzUri, name: string): string {
  return uri === "test:///default"
    ? `<domain type='test'><name>${name}</name><memory>1024</memory><os><type>hvm</type></os></domain>`
    : `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>` +
      `<os><type arch='x86_64' machine='q35'>hvm</type></os>` +
      `<devices><memballoon model='none'/></devices></domain>`;
}

/** Domains each driver accepts, named for the restricted caller (`web-*`) and not. */
const DOMAIN_XML: Record<FuzzUri, string[]> = {
  "test:///default": ["fz", "web-fz"].map((n) => domainDocument("test:///default", n)),
  "qemu:///session": ["fz", "web-fz"].map((n) => domainDocument("qemu:///session", n)),
};
/** Documents of the other kinds, well-formed and hostile. */
export const OTHER_XML: readonly string[] = [
  "<network><name>fznet</name></network>",
  "<pool type='dir'><name>fzpool</name><target><path>/nonexistent-fz</path></target></pool>",
  "<volume><name>fz.img</name><capacity>1024</capacity></volume>",
  "<secret ephemeral='no' private='no'><usage type='volume'><volume>/x</volume></usage></secret>",
  "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>",
  "<!DOCTYPE l [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;'>]><x>&c;</x>",
  "<domain",
  "",
];

/**
 * The documents of the host target (`wire_fuzz_host.ts`) for other kinds than domains: what its
 * drivers act on for real, each held in — a NAT network (its bridge, dnsmasq and rules in the
 * target's network namespace), an isolated one, a pool under the `scratch` directory, a volume,
 * a secret, a node device, an interface — and the hostile ones of {@link OTHER_XML}.
 */
export function hostXml(scratch: string): readonly string[] {
  return [
    "<network><name>fznet</name><forward mode='nat'/>" +
    "<ip address='192.168.150.1' netmask='255.255.255.0'>" +
    "<dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp></ip></network>",
    "<network><name>fziso</name><bridge name='fzbr0'/></network>",
    `<pool type='dir'><name>fzpool</name><target><path>${scratch}/pool</path></target></pool>`,
    "<volume><name>fz.img</name><capacity unit='KiB'>64</capacity></volume>",
    "<secret ephemeral='no' private='no'><usage type='volume'><volume>/x</volume></usage></secret>",
    "<device><name>fzdev</name><parent>computer</parent>" +
    "<capability type='mdev'><type id='nvidia-11'/></capability></device>",
    "<interface type='ethernet' name='fzeth0'><start mode='none'/></interface>",
    ...OTHER_XML.filter((x) => !/^<(network|pool|volume|secret)\b/.test(x)),
  ];
}

const STRINGS = [
  "test",
  "web-x",
  "default",
  "",
  "\u0000",
  "../../etc/passwd",
  "%s%n%x",
  "\ud800",
  "é\u202e",
  "__proto__",
  "a".repeat(300),
];

/**
 * What inputs are made for: the served URI's routes, its objects and documents, and the calls,
 * REST resources and stream calls attacked (all, or one family's).
 */
interface Scope {
  uri: FuzzUri;
  base: string;
  refs: KnownRefs;
  xml: readonly string[];
  methods: readonly string[];
  resources: readonly Resource[];
  streamCalls: readonly string[];
}

/** A plausible value of a kind: a real object, a small number, a string from the lists. */
function plausible(kind: ArgKind, rnd: Rand, { refs, xml }: Scope): unknown {
  if (kind in refs && refs[kind as RefKind]!.length && rnd.chance(0.8)) {
    return structuredClone(rnd.pick(refs[kind as RefKind]!));
  }
  switch (kind) {
    case "int":
    case "uint":
    case "long":
    case "ulong":
      return rnd.chance(0.7) ? rnd.int(4) : rnd.int(2 ** 31);
    case "str":
      return rnd.chance(0.5) ? rnd.pick(xml) : rnd.pick(STRINGS);
    case "str?":
      return rnd.chance(0.2) ? null : rnd.pick(STRINGS);
    case "bool":
      return rnd.chance(0.5);
    case "uuid":
      return rnd.pick(["6695eb01-f6a4-8304-79aa-97f2502e193f", crypto.randomUUID()]);
    case "str[]":
      return [rnd.pick(xml)];
    case "num[]":
      return [rnd.int(4096)];
    case "bool[]":
      return [true, false];
    case "params":
      return rnd.chance(0.5) ? {} : { [rnd.pick(["weight", "vcpus", "x"])]: rnd.int(1000) };
    default: {
      // A reference of the right shape to an object that does not exist.
      const fields = Object.entries(REF_SHAPES[kind].fields);
      return Object.fromEntries(fields.map(([k, t]) => [k, t === "number" ? -1 : "fz-none"]));
    }
  }
}

function deep(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** One value replacing a well-typed one. */
function mutant(v: unknown, rnd: Rand): unknown {
  switch (rnd.int(12)) {
    case 0:
      return rnd.pick(EDGE_NUMBERS);
    case 1:
      return rnd.pick(["1", "", "true", "{}", null, true, false, {}, []]);
    case 2:
      return deep(rnd.pick([10, 1000]), v);
    case 3:
      return Array.from({ length: rnd.pick([1025, 70000]) }, () => rnd.int(2));
    case 4:
      return "x".repeat(rnd.pick([65537, 1 << 20]));
    case 5:
      // A reference with one field of the wrong type, or one too many.
      return typeof v === "object" && v !== null && !Array.isArray(v)
        ? { ...v, [rnd.pick(Object.keys(v).concat("extra"))]: rnd.pick([1, "1", null, {}]) }
        : { name: v };
    case 6:
      return Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`p${i}`, i]));
    case 7:
      // Own `__proto__` and `constructor` keys, as JSON.parse makes them.
      return JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}');
    case 8:
      return [v, v];
    case 9:
      return rnd.pick(STRINGS);
    case 10:
      return -rnd.int(2 ** 31) - 1;
    default:
      return rnd.int(2 ** 32) * (rnd.chance(0.5) ? 1 : 2 ** 20);
  }
}

/** Arguments for a call: plausible, then mutated (or sometimes left as they are). */
function callArgs(decl: CallDecl, rnd: Rand, scope: Scope): { args: unknown[]; how: string } {
  const args = decl.args.map((arg: Arg) => plausible(arg.kind, rnd, scope));
  const roll = rnd.int(10);
  if (roll < 2) return { args, how: "plausible" };
  if (roll === 2) return { args: args.concat(rnd.pick([0, "x", null])), how: "extra argument" };
  if (roll === 3 && args.length) return { args: args.slice(0, -1), how: "missing argument" };
  const i = rnd.int(Math.max(args.length, 1));
  args[i] = mutant(args[i], rnd);
  return { args, how: `argument ${i + 1} mutated` };
}

/** The body's text, sometimes with a raw number literal spliced in or bytes that are not UTF-8. */
function bodyOf(
  value: unknown,
  rnd: Rand,
): { body: string | Uint8Array<ArrayBuffer>; how: string } {
  const text = JSON.stringify(value) ?? "null";
  const roll = rnd.int(20);
  if (roll === 0) {
    const raw = rnd.pick(RAW_NUMBERS);
    return { body: text.replace(/-?\d+(\.\d+)?/, raw), how: `literal ${raw}` };
  }
  if (roll === 1) {
    const bytes = new TextEncoder().encode(text);
    const bad = new Uint8Array(bytes.length + 3);
    bad.set(bytes.subarray(0, 2));
    bad.set([0xff, 0xc0, 0x80], 2);
    bad.set(bytes.subarray(2), 5);
    return { body: bad, how: "bad UTF-8" };
  }
  if (roll === 2) return { body: text.slice(0, Math.floor(text.length / 2)), how: "cut JSON" };
  if (roll === 3) return { body: "[".repeat(100000), how: "100000 open brackets" };
  return { body: text, how: "" };
}

function methodName(rnd: Rand, scope: Scope): { name: string; how: string } {
  if (rnd.chance(0.93)) return { name: rnd.pick(scope.methods), how: "" };
  const name = rnd.pick([
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "connectClose",
    "domainFrobnicate",
    "%2e%2e",
    "a".repeat(5000),
  ]);
  return { name, how: "unknown method" };
}

function headersFor(role: Role, rnd: Rand, tokens: Record<Role, string>): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": rnd.chance(0.85) ? "application/json" : rnd.pick([
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/xml",
    ]),
  };
  if (role !== "none") h.authorization = `Bearer ${tokens[role]}`;
  return h;
}

function callInput(rnd: Rand, role: Role, tokens: Record<Role, string>, scope: Scope) {
  const { name, how: nameHow } = methodName(rnd, scope);
  const decl = declOf(name);
  const { args, how } = decl ? callArgs(decl, rnd, scope) : { args: [], how: "" };
  const { body, how: bodyHow } = bodyOf(rnd.chance(0.03) ? { args } : args, rnd);
  const session = rnd.chance(0.3);
  return {
    via: session ? "session" : "call",
    role,
    method: "POST",
    path: `${session ? "/v1/sessions/{session}" : scope.base}/call/${encodeURIComponent(name)}`,
    headers: headersFor(role, rnd, tokens),
    body,
    label: `${name}: ${[nameHow, how, bodyHow].filter(Boolean).join(", ")}`,
  } satisfies HttpInput;
}

const REST_NAMES = ["test", "web-x", "default", "default-pool", "fz", "..", "%00", "a%2Fb", "é"];

function restInput(rnd: Rand, role: Role, tokens: Record<Role, string>, scope: Scope): HttpInput {
  const r = rnd.pick(scope.resources);
  const name = rnd.pick(REST_NAMES);
  const actions = Object.keys(r.actions).concat("frobnicate", "__proto__", "constructor");
  const shapes: [string, string][] = [
    ["GET", `/${r.segment}`],
    ["POST", `/${r.segment}`],
    ["GET", `/${r.segment}/${name}`],
    ["PUT", `/${r.segment}/${name}`],
    ["DELETE", `/${r.segment}/${name}`],
    ["POST", `/${r.segment}/${name}/${rnd.pick(actions)}`],
    ["GET", `/pools/${name}/volumes`],
    ["POST", `/pools/${name}/volumes`],
    ["GET", `/pools/${name}/volumes/${rnd.pick(REST_NAMES)}`],
    ["DELETE", `/pools/${name}/volumes/${rnd.pick(REST_NAMES)}`],
    ["GET", `/node`],
  ];
  const [method, path] = rnd.pick(shapes);
  const query = rnd.pick([
    "",
    "?flags=1",
    `?flags=${rnd.pick(["-1", "4294967296", "1.5", "NaN", "x", "1e999"])}`,
    "?transient=1",
    "?flags=1&flags=2",
    `?${rnd.pick(["managed_save", "snapshots_metadata", "nvram", "force", "zz"])}=1`,
  ]);
  const headers = headersFor(role, rnd, tokens);
  if (rnd.chance(0.3)) {
    headers.accept = rnd.pick(["application/xml", "application/json", "text/html", "*/*"]);
  }
  if (rnd.chance(0.2)) headers["if-match"] = rnd.pick(['"x"', "*", 'W/"1"']);
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  let how = "";
  if (method === "POST" || method === "PUT") {
    if (headers["content-type"] === "application/xml" || rnd.chance(0.3)) {
      headers["content-type"] = "application/xml";
      body = rnd.pick(scope.xml);
    } else {
      const model = rnd.pick<unknown>([
        { name: "fz", memory: 1024, vcpu: 1 },
        { name: "web-fz", memory: { value: 1, unit: "KiB" }, os: { type: "hvm" } },
        { name: name, memory: -1 },
        { name: ["x"], vcpus: 1e308 },
        { capacity: 2 ** 64, name: "v" },
        deep(5000, {}),
        null,
        [],
      ]);
      ({ body, how } = bodyOf(model, rnd));
    }
  }
  return {
    via: "rest",
    role,
    method,
    path: `${scope.base}${path}${query}`,
    headers,
    body,
    label: `REST ${method} ${path}${query} ${how}`.trim(),
  };
}

function streamInput(
  rnd: Rand,
  role: Role,
  tokens: Record<Role, string>,
  scope: Scope,
): HttpInput {
  // Half of them bind a stream first (a stream call), half use the caller's latest stream id.
  if (scope.streamCalls.length && rnd.chance(0.5)) {
    const name = rnd.pick(scope.streamCalls);
    const decl = declOf(name)!;
    const args = decl.args.map((a: Arg) => plausible(a.kind, rnd, scope));
    if (rnd.chance(0.4)) args[rnd.int(args.length)] = mutant(undefined, rnd);
    return {
      via: "stream",
      role,
      method: "POST",
      path: `${scope.base}/call/${name}`,
      headers: headersFor(role, rnd, tokens),
      body: JSON.stringify(args),
      label: `stream call ${name}`,
    };
  }
  const id = rnd.pick(["{stream}", "{stream}", "0", "-1", "x".repeat(400), "__proto__", "%ff"]);
  const [method, query] = rnd.pick([["GET", ""], ["POST", ""], ["POST", "?finish"], [
    "DELETE",
    "",
  ], ["PUT", ""]]);
  const headers = headersFor(role, rnd, tokens);
  headers["content-type"] = "application/octet-stream";
  const body = method === "POST" && !query
    ? new Uint8Array(rnd.pick([0, 1, 4096, 1 << 20])).fill(0xff)
    : undefined;
  return {
    via: "stream",
    role,
    method,
    path: `/v1/streams/${id}${query}`,
    headers,
    body,
    label: `stream ${method} ${id.slice(0, 20)}${query}`,
  };
}

function wsFrames(
  rnd: Rand,
  scope: Scope,
): { frames: (string | Uint8Array<ArrayBuffer>)[]; how: string } {
  const frames: (string | Uint8Array<ArrayBuffer>)[] = [];
  const hows: string[] = [];
  const count = 1 + rnd.int(4);
  for (let i = 0; i < count; i++) {
    const id = rnd.chance(0.9) ? 100 + i : rnd.pick<unknown>([-1, 1.5, "1", null, 2 ** 60, {}]);
    const roll = rnd.int(10);
    if (roll < 5) {
      const { name, how: nameHow } = methodName(rnd, scope);
      const decl = declOf(name);
      const { args, how } = decl ? callArgs(decl, rnd, scope) : { args: [], how: "" };
      const msg = rnd.chance(0.1) ? { id, method: name, args: mutant(args, rnd) } : {
        id,
        method: name,
        args,
      };
      const { body, how: bodyHow } = bodyOf(msg, rnd);
      frames.push(body);
      hows.push(`${name} ${[nameHow, how, bodyHow].filter(Boolean).join(" ")}`.trim());
    } else if (roll === 5) {
      frames.push(JSON.stringify({ id, subscribe: mutant("1.0", rnd) }));
      hows.push("subscribe mutated");
    } else if (roll === 6) {
      frames.push(JSON.stringify({ id, open: rnd.pick<unknown>([scope.uri, 1, null]) }));
      hows.push("second open");
    } else if (roll === 7) {
      frames.push(JSON.stringify(rnd.pick<unknown>([
        { id, unsubscribe: 1 },
        { id, close: "yes" },
        { id, method: "connectGetVersion", args: [], subscribe: null },
        { auth: 1 },
        { auth: "other" },
        [],
        "x",
        null,
      ])));
      hows.push("malformed request");
    } else if (roll === 8) {
      frames.push(new Uint8Array([0xff, 0xfe, 0, 1]));
      hows.push("binary frame");
    } else {
      const { body, how } = bodyOf({ id, subscribe: rnd.pick([null, "0.0", "x.y", "1.1e9"]) }, rnd);
      frames.push(body);
      hows.push(`subscribe ${how}`.trim());
    }
  }
  return { frames, how: hows.join("; ") };
}

/**
 * `n` inputs from `seed`, in runs of one role (25 at a time), so that a run of unprivileged
 * callers can be checked for having changed nothing. `ws` says whether WebSocket inputs are
 * wanted (they need a served gateway); `uri` is the served URI attacked (`test:///default` by
 * default; the same seed gives the same inputs there as before it could be chosen); `family`
 * keeps the calls, REST resources and stream calls to one contract family's, and `xml` replaces
 * the documents of other kinds than domains ({@link OTHER_XML}).
 */
export function* fuzzInputs(opts: {
  seed: number;
  n: number;
  tokens: Record<Role, string>;
  refs: KnownRefs;
  ws: boolean;
  uri?: FuzzUri;
  family?: FamilyName;
  xml?: readonly string[];
}): Generator<FuzzInput> {
  const uri = opts.uri ?? "test:///default";
  const family = opts.family;
  const methods = family ? Object.keys(FAMILIES[family].calls).sort() : METHODS;
  const scope: Scope = {
    uri,
    base: basePath(uri),
    refs: opts.refs,
    xml: [...DOMAIN_XML[uri], ...opts.xml ?? OTHER_XML],
    methods,
    resources: family ? RESOURCES.filter((r) => methods.includes(r.list)) : RESOURCES,
    streamCalls: ["storageVolDownload", "storageVolUpload", "domainScreenshot"].filter((m) =>
      methods.includes(m)
    ),
  };
  const rnd = prng(opts.seed);
  let role: Role = "full";
  for (let i = 0; i < opts.n; i++) {
    if (i % 25 === 0) role = rnd.pick(ROLES);
    const roll = rnd.int(20);
    if (opts.ws && roll < 4) {
      const { frames, how } = wsFrames(rnd, scope);
      yield { via: "ws", role, frames, label: `ws: ${how}` };
    } else if (roll < 12) yield callInput(rnd, role, opts.tokens, scope);
    else if (roll < 17 && scope.resources.length) yield restInput(rnd, role, opts.tokens, scope);
    else yield streamInput(rnd, role, opts.tokens, scope);
  }
}

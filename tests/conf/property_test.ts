// Property tests for conf/: random valid domain models survive format → parse unchanged, and
// random mutations of libvirt's corpus never make a parser throw anything but a VirError.
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import {
  type DomainDef,
  formatDomainXML,
  formatNetworkXML,
  parseDomainXML,
  parseInterfaceXML,
  parseNetworkXML,
  parseSecretXML,
  parseStoragePoolXML,
  parseStorageVolXML,
} from "../../conf/mod.ts";
import { testDomainPostParse } from "../../drivers/simulator/domain_postparse.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { FIXTURES } from "../paths.ts";

// Text libvirt keeps verbatim: no leading/trailing blanks (names are not trimmed by us either,
// but libvirt rejects some), no control characters, and XML specials to exercise escaping.
const text = fc.stringMatching(/^[A-Za-z0-9 &<>'"._+\-ä€]{1,24}$/).filter((s) => s.trim() === s);
const name = fc.stringMatching(/^[A-Za-z0-9_.+-][A-Za-z0-9 _.+&'"-]{0,30}$/).filter((s) =>
  s.trim() === s && !s.includes("/")
);
const mac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 5, maxLength: 5 }).map((b) =>
  ["52", ...b.map((x) => x.toString(16).padStart(2, "0"))].join(":")
);

const domain = fc.record({
  type: fc.constantFrom("test", "kvm", "qemu"),
  name,
  uuid: fc.uuid({ version: 4 }),
  title: fc.option(text, { nil: undefined }),
  description: fc.option(text, { nil: undefined }),
  total: fc.integer({ min: 1, max: 64 * 1024 * 1024 }),
  currentShare: fc.double({ min: 0.01, max: 1, noNaN: true }),
  max: fc.integer({ min: 1, max: 64 }),
  currentShareCpu: fc.double({ min: 0.01, max: 1, noNaN: true }),
  arch: fc.constantFrom("i686", "x86_64", "aarch64"),
  onPoweroff: fc.constantFrom("destroy", "restart", "preserve"),
  onCrash: fc.constantFrom("destroy", "restart", "preserve", "coredump-destroy"),
  nics: fc.array(fc.record({ mac, net: name }), { maxLength: 3 }),
});

type Spec = typeof domain extends fc.Arbitrary<infer T> ? T : never;

/** Builds the model a spec describes, through libvirt's own defaults for everything else. */
function model(s: Spec): DomainDef {
  const nics = s.nics.map((n) => ({
    type: "network" as const,
    mac: n.mac,
    source: { network: n.net },
    extra: [],
  }));
  const def = parseDomainXML(
    `<domain type='${s.type}'><name>x</name><memory>1</memory><os><type>hvm</type></os></domain>`,
  );
  def.name = s.name;
  def.uuid = s.uuid;
  if (s.title !== undefined) def.title = s.title;
  if (s.description !== undefined) def.description = s.description;
  def.memory.total = s.total;
  def.memory.current = Math.max(1, Math.floor(s.total * s.currentShare));
  def.vcpu.max = s.max;
  def.vcpu.current = Math.max(1, Math.floor(s.max * s.currentShareCpu));
  def.os.arch = s.arch;
  def.onPoweroff = s.onPoweroff;
  def.onCrash = s.onCrash;
  def.devices.interfaces = nics;
  testDomainPostParse(def);
  return def;
}

Deno.test("random valid domain models: format → parse gives the same model", () => {
  fc.assert(
    fc.property(domain, (s) => {
      const def = model(s);
      const xml = formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE);
      const back = parseDomainXML(xml);
      testDomainPostParse(back);
      assert.deepEqual(back, def);
      assert.equal(formatDomainXML(back, VIR.DOMAIN_XML_INACTIVE), xml);
    }),
    { numRuns: 300 },
  );
});

Deno.test("random valid network names and UUIDs round-trip", () => {
  fc.assert(
    fc.property(name, fc.uuid({ version: 4 }), (n, uuid) => {
      const xml = formatNetworkXML(parseNetworkXML(
        `<network><name>${n.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</name>` +
          `<uuid>${uuid}</uuid></network>`,
      ));
      const back = parseNetworkXML(xml);
      assert.equal(back.name, n);
      assert.equal(back.uuid, uuid);
      assert.equal(formatNetworkXML(back), xml);
    }),
    { numRuns: 200 },
  );
});

const corpus: [string, string][] = [];
for (const kind of ["domain", "network", "pool", "volume", "interface", "secret"]) {
  const dir = join(FIXTURES, "libvirt-xml", kind);
  for (const e of Deno.readDirSync(dir)) {
    if (e.name.endsWith(".xml") && !e.name.endsWith(".expected.xml")) {
      corpus.push([kind, Deno.readTextFileSync(join(dir, e.name))]);
    }
  }
}

const pool = parseStoragePoolXML(
  "<pool type='dir'><name>p</name><target><path>/p</path></target></pool>",
);
const PARSERS: Record<string, (xml: string) => unknown> = {
  domain: (xml) => {
    const def = parseDomainXML(xml);
    testDomainPostParse(def);
    return formatDomainXML(def);
  },
  network: (xml) => formatNetworkXML(parseNetworkXML(xml)),
  pool: parseStoragePoolXML,
  volume: (xml) => parseStorageVolXML(pool, xml),
  interface: parseInterfaceXML,
  secret: parseSecretXML,
};

Deno.test("fuzz: mutated corpus documents give a result or a VirError, never a crash", () => {
  assert.ok(corpus.length >= 170, `corpus not found under ${FIXTURES}`);
  const mutation = fc.record({
    doc: fc.integer({ min: 0, max: corpus.length - 1 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    cut: fc.integer({ min: 0, max: 40 }),
    insert: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("<", ">", "&", "'", '"', "</x>", "<a b='", "unit='XB'", "-1", "999999999999"),
    ),
  });
  fc.assert(
    fc.property(mutation, ({ doc, at, cut, insert }) => {
      const [kind, xml] = corpus[doc];
      const i = Math.floor(at * xml.length);
      const mutated = xml.slice(0, i) + insert + xml.slice(i + cut);
      try {
        PARSERS[kind](mutated);
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
      }
    }),
    // EDGEVIRT_XML_FUZZ_RUNS: a longer run (tests/bench/HARDENING.md).
    { numRuns: Number(Deno.env.get("EDGEVIRT_XML_FUZZ_RUNS") ?? 3000) },
  );
});

Deno.test("a pool or network without <uuid> gets one at parse time and formats it", () => {
  const pool = parseStoragePoolXML(
    "<pool type='dir'><name>p</name><target><path>/p</path></target></pool>",
  );
  const net = parseNetworkXML("<network><name>n</name></network>");
  for (const uuid of [pool.uuid, net.uuid]) assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f-]{27}$/);
  // A model whose UUID was left empty formats without the element, so the next parse fills it.
  const xml = formatNetworkXML({ ...net, uuid: "" });
  assert.ok(!xml.includes("<uuid"), xml);
  assert.notEqual(parseNetworkXML(xml).uuid, "");
});

/** Focused checks of conf/domain against answers recorded from libvirt 9.0 (canon.sh). */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  DomainDefSchema,
  formatBitmap,
  formatDomainXML,
  parseBitmap,
  parseDomainXML,
} from "../../conf/mod.ts";
import { parseTestDomain } from "../../drivers/simulator/conf_adapters.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

const dom = (body: string, type = "test") =>
  `<domain type='${type}'><name>s</name>${body}<os><type>hvm</type></os></domain>`;

function rejects(xml: string, code: number, domain: number, message: string, flags = 0) {
  assert.throws(() => parseDomainXML(xml, flags), (e: unknown) => {
    assert.ok(e instanceof VirError);
    assert.deepEqual({ code: e.code, domain: e.domain, message: e.message }, {
      code,
      domain,
      message,
    });
    return true;
  });
}

Deno.test("memory units are normalised to KiB, rounding up", () => {
  const def = parseDomainXML(
    dom("<memory unit='GiB'>1</memory><currentMemory unit='MB'>10</currentMemory>"),
  );
  assert.equal(def.memory.total, 1048576);
  assert.equal(def.memory.current, 9766);
  assert.equal(parseDomainXML(dom("<memory>1024</memory>")).memory.total, 1024);
  assert.equal(parseDomainXML(dom("<memory unit='MiB'>3</memory>")).memory.total, 3072);
});

Deno.test("an unknown memory unit is libvirt's 8/0 error", () => {
  rejects(dom("<memory unit='XB'>10</memory>"), 8, 0, "invalid argument: unknown suffix 'XB'");
});

Deno.test("current vCPUs above the maximum are refused (67/20)", () => {
  rejects(
    dom("<memory>1024</memory><vcpu current='3'>2</vcpu>"),
    67,
    20,
    "unsupported configuration: maximum vCPU count must not be less than current vCPU count",
  );
});

Deno.test("document-level errors: malformed, wrong root, missing name", () => {
  assert.throws(() => parseDomainXML("<domain>"), (e: unknown) => {
    assert.ok(e instanceof VirError);
    assert.equal(e.code, VIR.ERR_XML_DETAIL);
    assert.match(e.message, /^\(domain_definition\):1: Premature end of data in tag domain/);
    return true;
  });
  rejects(
    "<network><name>n</name></network>",
    27,
    5, // VIR_FROM_XML, as libvirt 9.0 answers (oracle/examples/scenarios/errors.out.jsonl)
    "XML error: expecting root element of 'domain', not 'network'",
  );
  rejects("<domain type='test'><memory>1</memory></domain>", 21, 20, "missing name information");
});

Deno.test("VALIDATE refuses unknown elements; without it they are dropped", () => {
  const xml = dom("<memory>1024</memory><bogus/>");
  rejects(
    xml,
    92,
    5,
    "XML document failed to validate against schema: Unable to validate doc against " +
      "/usr/share/libvirt/schemas/domain.rng\nElement domain has extra content: bogus\n",
    VIR.DOMAIN_DEFINE_VALIDATE,
  );
  assert.ok(!formatDomainXML(parseDomainXML(xml)).includes("bogus"));
});

const defined = (xml: string) => parseTestDomain(xml, false);

Deno.test("passwords are shown only with SECURE", () => {
  const def = defined(
    dom("<memory>1024</memory><devices><graphics type='vnc' passwd='x'/></devices>"),
  );
  const inactive = VIR.DOMAIN_XML_INACTIVE;
  assert.ok(
    formatDomainXML(def, inactive | VIR.DOMAIN_XML_SECURE).includes(
      "<graphics type='vnc' port='-1' autoport='yes' passwd='x'>",
    ),
  );
  assert.ok(
    formatDomainXML(def, inactive).includes("<graphics type='vnc' port='-1' autoport='yes'>"),
  );
});

Deno.test("live XML carries the id, inactive XML does not", () => {
  const def = defined(dom("<memory>1024</memory>"));
  def.id = 1;
  assert.ok(formatDomainXML(def).startsWith("<domain type='test' id='1'>\n"));
  assert.ok(formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE).startsWith("<domain type='test'>\n"));
  def.id = -1;
  assert.ok(formatDomainXML(def).startsWith("<domain type='test'>\n"));
});

Deno.test("test driver defaults: uuid, arch, MACs and testnetN names", () => {
  const def = defined(dom(
    "<memory>1024</memory><devices><interface type='user'><target dev='mytap0'/></interface>" +
      "<interface type='user'><target dev='vnet7'/></interface><interface type='user'/></devices>",
  ));
  assert.match(def.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(def.os.arch, "i686");
  assert.deepEqual(def.devices.interfaces.map((n) => n.target), ["mytap0", "testnet0", "testnet1"]);
  for (const n of def.devices.interfaces) assert.match(n.mac!, /^52:54:00(:[0-9a-f]{2}){3}$/);
});

Deno.test("bitmaps: negation and range folding", () => {
  assert.deepEqual(parseBitmap("0-5,^4"), [0, 1, 2, 3, 5]);
  assert.equal(formatBitmap([1, 2, 3, 4, 8, 525]), "1-4,8,525");
});

Deno.test("DomainDef is plain JSON that its zod schema accepts and exports", () => {
  const def = defined(dom("<memory>1024</memory><devices><interface type='user'/></devices>"));
  assert.deepEqual(DomainDefSchema.parse(JSON.parse(JSON.stringify(def))), def);
  const schema = z.toJSONSchema(DomainDefSchema) as { properties: Record<string, unknown> };
  assert.ok("devices" in schema.properties && "vcpu" in schema.properties);
});

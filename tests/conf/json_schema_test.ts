import assert from "node:assert/strict";
import { join } from "node:path";
import {
  domainToModel,
  MODEL_SCHEMAS,
  modelJSONSchema,
  parseDomainXML,
  parseNetworkXML,
} from "../../conf/mod.ts";
import { FIXTURES } from "../paths.ts";

Deno.test("every model has a JSON Schema naming its fields", () => {
  for (const kind of Object.keys(MODEL_SCHEMAS) as (keyof typeof MODEL_SCHEMAS)[]) {
    const schema = modelJSONSchema(kind);
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema", kind);
    assert.ok(JSON.stringify(schema).length > 100, kind);
  }
  const domain = modelJSONSchema("domain");
  for (const field of ["type", "name", "uuid", "memory", "vcpu", "os", "devices"]) {
    assert.ok(field in (domain.properties ?? {}), field);
  }
});

Deno.test("parsed corpus documents are valid instances of their model and survive JSON", () => {
  const dir = join(FIXTURES, "libvirt-xml");
  const parsers = [
    ["domain", (xml: string) => domainToModel(parseDomainXML(xml))],
    ["network", parseNetworkXML],
  ] as const;
  for (const [kind, parse] of parsers) {
    for (const e of Deno.readDirSync(join(dir, kind))) {
      if (!e.name.endsWith(".expected.xml")) continue;
      const def = parse(Deno.readTextFileSync(join(dir, kind, e.name)));
      const back = JSON.parse(JSON.stringify(def));
      assert.deepEqual(MODEL_SCHEMAS[kind].parse(back), back, `${kind}/${e.name}`);
    }
  }
});

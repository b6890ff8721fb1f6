// An unknown field anywhere in a JSON model is refused, never dropped: every one at once, each at
// its own path, as libvirt's VIR_ERR_INVALID_ARG (the other refusals of a body use it too).
import assert from "node:assert/strict";
import { domainToModel, parseDomainXML } from "../../conf/mod.ts";
import { modelCodec } from "../../gateway/models.ts";
import { VirError } from "../../util/errors.ts";
import { CORPUS_POOL, corpusModels } from "../conf/model_corpus.ts";
import { snapshot, startGateway, TOKENS } from "./helpers.ts";

/**
 * Adds a field `bogus` to every object of a model and answers their paths; not to the objects
 * that keep any field by design: an XML tree's `attributes` and a domain NIC's `source` (any
 * attribute of `<source>`, under its XML name), which go to the XML parser as attributes.
 */
function addUnknownFields(node: unknown, path: string[] = [], out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => addUnknownFields(n, [...path, String(i)], out));
  else if (node !== null && typeof node === "object") {
    const keepsAny = path.at(-1) === "attributes" ||
      (path.at(-1) === "source" && path.at(-3) === "interfaces" && path[0] === "devices");
    for (const [k, v] of Object.entries(node)) addUnknownFields(v, [...path, k], out);
    if (!keepsAny) {
      (node as Record<string, unknown>).bogus = "x";
      out.push([...path, "bogus"].join("."));
    }
  }
  return out;
}

Deno.test("every object of every corpus model refuses an unknown field, each at its path", () => {
  let objects = 0;
  for (const { kind, file, model } of corpusModels()) {
    const injected = addUnknownFields(model);
    objects += injected.length;
    let error: unknown;
    try {
      modelCodec(kind, CORPUS_POOL).toXml(model);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof VirError, file);
    assert.deepEqual([error.codeName, error.domainName], ["VIR_ERR_INVALID_ARG", "VIR_FROM_RPC"]);
    const prefix = `invalid argument: the body is not a valid ${kind} model: `;
    assert.ok(error.message.startsWith(prefix), error.message);
    const problems = error.message.slice(prefix.length).split("; ");
    assert.deepEqual(problems.sort(), injected.map((p) => `${p}: unknown field`).sort(), file);
  }
  assert.ok(objects > 1000, `only ${objects} objects`);
});

Deno.test("POST of a domain model with unknown nested fields: 400 naming them all, nothing defined", async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const model = domainToModel(parseDomainXML(
      "<domain type='test'><name>strict</name><memory>65536</memory><os><type>hvm</type></os>" +
        "<cpu mode='host-model'/><devices/></domain>",
    )) as unknown as Record<string, Record<string, unknown>>;
    model.memory.hugepages = true;
    model.os.firmware2 = "efi";
    model.cpu.cache = { mode: "passthrough" };
    model.vcpu.hot = 2;
    const res = await gw.app.request("/v1/test/default/domains", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.full}`, "content-type": "application/json" },
      body: JSON.stringify(model),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.deepEqual([body.codeName, body.domainName], ["VIR_ERR_INVALID_ARG", "VIR_FROM_RPC"]);
    assert.equal(
      body.message,
      "invalid argument: the body is not a valid domain model: memory.hugepages: unknown field; " +
        "vcpu.hot: unknown field; os.firmware2: unknown field; cpu.cache: unknown field",
    );
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});

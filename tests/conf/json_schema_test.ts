import assert from "node:assert/strict";
import { z } from "zod";
import { MODEL_SCHEMAS, modelJSONSchema, type ModelKind } from "../../conf/mod.ts";
import { corpusModels } from "./model_corpus.ts";

Deno.test("every model has a JSON Schema naming its fields", () => {
  for (const kind of Object.keys(MODEL_SCHEMAS) as ModelKind[]) {
    const schema = modelJSONSchema(kind);
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema", kind);
    assert.ok(JSON.stringify(schema).length > 100, kind);
  }
  const domain = modelJSONSchema("domain");
  for (const field of ["type", "name", "uuid", "memory", "vcpu", "os", "devices"]) {
    assert.ok(field in (domain.properties ?? {}), field);
  }
});

/**
 * Where an object schema says nothing of the fields it does not name (zod strips those), and
 * where any value is taken (`{}`, a `z.any()`, that would let anything through unchecked).
 */
function openObjects(node: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => openObjects(n, `${path}/${i}`, out));
  else if (node !== null && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o.type === "object" && !("additionalProperties" in o)) out.push(path || "/");
    if (!Object.keys(o).length && !path.endsWith("/properties")) out.push(`${path}: any`);
    for (const [k, v] of Object.entries(o)) openObjects(v, `${path}/${k}`, out);
  }
  return out;
}

Deno.test("every object of every model, at any depth, refuses or keeps unknown fields", () => {
  // As a request body reads it ("input"): a plain z.object would show here without
  // additionalProperties, since zod drops what it does not name. Records and catch-alls keep
  // them (additionalProperties is their value's schema).
  for (const kind of Object.keys(MODEL_SCHEMAS) as ModelKind[]) {
    const schema = z.toJSONSchema(MODEL_SCHEMAS[kind], { io: "input", unrepresentable: "any" });
    assert.deepEqual(openObjects(schema, "", []), [], kind);
    assert.ok(JSON.stringify(schema).includes('"additionalProperties":false'), kind);
  }
});

Deno.test("parsed corpus documents of every kind are valid instances of their model", () => {
  const seen = new Set<string>();
  for (const { kind, file, model } of corpusModels()) {
    const checked = MODEL_SCHEMAS[kind].safeParse(model);
    assert.ok(checked.success, `${file}: ${checked.error?.message}`);
    assert.deepEqual(checked.data, model, file);
    seen.add(kind);
  }
  assert.deepEqual(
    [...seen].sort(),
    Object.keys(MODEL_SCHEMAS).filter((k) => k !== "capabilities").sort(),
  );
});

import { modelJSONSchema } from "../conf/json_schema.ts";
import type { DocumentKind } from "./models.ts";

/** Component names of the models, beside the refs of the same objects (`DomainRef`, …). */
export const MODEL_COMPONENT: { readonly [K in DocumentKind]: string } = {
  domain: "DomainModel",
  network: "NetworkModel",
  pool: "StoragePoolModel",
  volume: "StorageVolModel",
  interface: "InterfaceModel",
  secret: "SecretModel",
  device: "NodeDeviceModel",
};

/**
 * Every model's JSON Schema as OpenAPI components. conf's schemas are standalone documents:
 * their `$ref`s point at their own root (`#`, a recursive element) and `$defs`, which inside
 * the OpenAPI document would resolve against the document's root instead. So each `$defs`
 * entry becomes a component of its own and every `$ref` is rewritten to a component path.
 *
 * @example
 * ```ts
 * import { modelComponents } from "./openapi_models.ts";
 * "DomainModel" in modelComponents(); // true
 * ```
 */
export function modelComponents(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [kind, name] of Object.entries(MODEL_COMPONENT)) {
    const { $schema: _dialect, $defs, ...root } = modelJSONSchema(kind as DocumentKind);
    const defName = (def: string) => `${name}_${def.replace(/^_+/, "")}`;
    const target = (ref: string) => {
      if (ref === "#") return `#/components/schemas/${name}`;
      const def = /^#\/\$defs\/(.+)$/.exec(ref);
      if (!def) throw new Error(`${kind}: unexpected $ref '${ref}' in its JSON Schema`);
      return `#/components/schemas/${defName(def[1])}`;
    };
    out[name] = rewriteRefs(root, target) as Record<string, unknown>;
    for (const [def, schema] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
      out[defName(def)] = rewriteRefs(schema, target) as Record<string, unknown>;
    }
  }
  return out;
}

function rewriteRefs(value: unknown, target: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, target));
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" ? target(v) : rewriteRefs(v, target),
    ]),
  );
}

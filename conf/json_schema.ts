import { z } from "zod";
import { CapabilitiesSchema } from "./capabilities/mod.ts";
import { DomainModelSchema } from "./domain/mod.ts";
import { InterfaceDefSchema } from "./interface/mod.ts";
import { NetworkDefSchema } from "./network/mod.ts";
import { NodeDeviceDefSchema } from "./node_device/mod.ts";
import { SecretDefSchema } from "./secret/mod.ts";
import { StoragePoolDefSchema } from "./storage_pool/mod.ts";
import { StorageVolDefSchema } from "./storage_vol/mod.ts";

/**
 * The JSON models of the documents conf/ models, by libvirt's root element name (a domain's
 * with typed disks, NICs and graphics: {@link DomainModelSchema}). Every object in them is
 * strict: a body's unknown field is refused, never dropped (a test walks their JSON Schemas).
 */
export const MODEL_SCHEMAS = {
  domain: DomainModelSchema,
  network: NetworkDefSchema,
  pool: StoragePoolDefSchema,
  volume: StorageVolDefSchema,
  interface: InterfaceDefSchema,
  secret: SecretDefSchema,
  device: NodeDeviceDefSchema,
  capabilities: CapabilitiesSchema,
} as const;

/** A kind of document with a JSON model. */
export type ModelKind = keyof typeof MODEL_SCHEMAS;

/**
 * The JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) of one model, generated from its zod
 * schema so the two never drift apart.
 *
 * @example
 * ```ts
 * import { modelJSONSchema } from "./json_schema.ts";
 * const schema = modelJSONSchema("domain");
 * console.log(Object.keys(schema.properties ?? {}).includes("vcpu")); // true
 * ```
 */
export function modelJSONSchema(kind: ModelKind): Record<string, unknown> & {
  properties?: Record<string, unknown>;
} {
  return z.toJSONSchema(MODEL_SCHEMAS[kind], { target: "draft-2020-12", unrepresentable: "any" });
}

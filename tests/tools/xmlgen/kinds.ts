/**
 * The document kinds the generator makes, each with the libvirt 9.0 schema it is drawn from
 * (copied into `tests/fixtures/schemas/`).
 *
 * @example
 * ```ts
 * import { KINDS, schemaFile } from "./kinds.ts";
 * KINDS.includes("network"); // true
 * schemaFile("pool"); // ".../tests/fixtures/schemas/storagepool.rng"
 * ```
 * @module
 */
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";

/** Schema file of each kind. */
export const SCHEMAS = {
  domain: "domain.rng",
  network: "network.rng",
  pool: "storagepool.rng",
  volume: "storagevol.rng",
  secret: "secret.rng",
  interface: "interface.rng",
  nodedev: "nodedev.rng",
  snapshot: "domainsnapshot.rng",
  checkpoint: "domaincheckpoint.rng",
  cpu: "cpu.rng",
} as const;

/** A document kind. */
export type Kind = keyof typeof SCHEMAS;

/** Every kind, in report order. */
export const KINDS = Object.keys(SCHEMAS) as Kind[];

/** The folder of the copied schemas. */
export const SCHEMA_DIR: string = join(FIXTURES, "schemas");

/** Path of the schema a kind is generated from. */
export function schemaFile(kind: Kind): string {
  return join(SCHEMA_DIR, SCHEMAS[kind]);
}

/**
 * The wire references of util/driver.ts (DomainRef, NetworkRef, …) as field → JSON type, by the
 * method table's argument kind. The gateway's argument checks and its OpenAPI schemas both come
 * from this one table, so they cannot disagree.
 *
 * @example
 * ```ts
 * import { REF_SHAPES } from "./ref_shapes.ts";
 * REF_SHAPES.dom.fields; // { name: "string", uuid: "string", id: "number" }
 * ```
 */
export const REF_SHAPES = {
  dom: { schema: "DomainRef", fields: { name: "string", uuid: "string", id: "number" } },
  net: { schema: "NetworkRef", fields: { name: "string", uuid: "string" } },
  pool: { schema: "StoragePoolRef", fields: { name: "string", uuid: "string" } },
  vol: { schema: "StorageVolRef", fields: { pool: "string", name: "string", key: "string" } },
  dev: { schema: "NodeDeviceRef", fields: { name: "string" } },
  iface: { schema: "InterfaceRef", fields: { name: "string", mac: "string" } },
  secret: {
    schema: "SecretRef",
    fields: { uuid: "string", usageType: "number", usageID: "string" },
  },
} as const satisfies Record<
  string,
  { schema: string; fields: Record<string, "string" | "number"> }
>;

/** An argument kind that is a wire reference. */
export type RefKind = keyof typeof REF_SHAPES;

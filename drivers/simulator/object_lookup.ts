/**
 * The "found it or report libvirt's not-found error" step shared by every object family of
 * the test driver (domains, networks, pools, volumes, interfaces, node devices).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

/**
 * Returns the item, or throws `VIR_ERR_<code>` from the TEST error domain with libvirt's
 * detail text (none for the bare "Domain not found" of domain lookups) when it is missing.
 *
 * @example
 * ```ts
 * import { orNotFound } from "./object_lookup.ts";
 * import { KeyedTable } from "./keyed_table.ts";
 * const nets = new KeyedTable({ name: (n: { name: string }) => n.name });
 * nets.add({ name: "default" });
 * orNotFound(nets.get("name", "default"), "NO_NETWORK", "no network with matching name 'default'");
 * ```
 */
export function orNotFound<T>(item: T | undefined, code: string, detail?: string): T {
  if (item === undefined) throw VirError.report("TEST", code, detail);
  return item;
}

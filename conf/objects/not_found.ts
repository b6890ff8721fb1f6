/**
 * The "found it or report the driver's not-found error" step every object lookup of every
 * driver ends with (libvirt's `*ObjFromDomain`, `testNetworkObjFindByName`, …).
 *
 * @module
 */
import { type ErrorCodeName, type ErrorDomainName, VirError } from "../../util/errors.ts";

/**
 * Returns the item, or throws `VIR_ERR_<code>` from the driver's error domain `from` with
 * libvirt's detail text (none for the bare "Domain not found" of the test driver's domain
 * lookups) when it is missing.
 *
 * @example
 * ```ts
 * import { orNotFound } from "./not_found.ts";
 * import { KeyedTable } from "./keyed_table.ts";
 * const nets = new KeyedTable({ name: (n: { name: string }) => n.name });
 * nets.add({ name: "default" });
 * orNotFound(nets.get("name", "default"), "TEST", "NO_NETWORK", "no network with matching name 'default'");
 * ```
 */
export function orNotFound<T>(
  item: T | undefined,
  from: ErrorDomainName,
  code: ErrorCodeName,
  detail?: string,
): T {
  if (item === undefined) throw VirError.report(from, code, detail);
  return item;
}

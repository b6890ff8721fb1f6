/**
 * The one "find an object or report libvirt's not-found error" helper shared by every object
 * family of the test driver (domains, networks, pools, volumes, interfaces, node devices).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

/**
 * Returns the first item that matches, or throws `VIR_ERR_<code>` from the TEST error domain
 * with libvirt's detail text (none for the bare "Domain not found" of domain lookups).
 *
 * @example
 * ```ts
 * import { findOrFail } from "./object_lookup.ts";
 * const nets = [{ name: "default" }];
 * findOrFail(nets, (n) => n.name === "default", "NO_NETWORK", "no network with matching name 'default'");
 * ```
 */
export function findOrFail<T>(
  items: Iterable<T>,
  match: (item: T) => boolean,
  code: string,
  detail?: string,
): T {
  for (const item of items) if (match(item)) return item;
  throw VirError.report("TEST", code, detail);
}

/**
 * Compares UUIDs the way libvirt does: as 16 raw bytes, so case and dashes do not matter.
 *
 * @example
 * ```ts
 * import { sameUUID } from "./object_lookup.ts";
 * sameUUID("6695EB01-f6a4-8304-79aa-97f2502e193f", "6695eb01f6a4830479aa97f2502e193f"); // true
 * ```
 */
export function sameUUID(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/-/g, "").toLowerCase();
  return norm(a) === norm(b);
}

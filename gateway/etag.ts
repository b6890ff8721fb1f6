/**
 * Entity tags of definitions, for `If-Match` on `PUT`: the tag is a digest of the object's
 * persistent (inactive) XML, so it changes when the definition does and not when the object
 * merely runs, and every representation of one definition carries the same tag.
 *
 * @example
 * ```ts
 * import { ifMatchHolds } from "./etag.ts";
 * ifMatchHolds('"abc", "def"', '"def"'); // true
 * ifMatchHolds("*", undefined); // false: no current definition
 * ```
 * @module
 */
import { VIR } from "../util/constants.ts";
import type { Call } from "./rest_list.ts";
import type { Resource } from "./rest.ts";

/** The XML flag that asks for the persistent definition, per REST collection. */
const INACTIVE: Record<string, number> = {
  domains: VIR.DOMAIN_XML_INACTIVE,
  networks: VIR.NETWORK_XML_INACTIVE,
  pools: VIR.STORAGE_XML_INACTIVE,
  interfaces: VIR.INTERFACE_XML_INACTIVE,
};

/** The strong entity tag of `ref`'s definition. */
export async function definitionTag(r: Resource, ref: unknown, call: Call): Promise<string> {
  const inactive = INACTIVE[r.segment] ?? 0;
  // libvirt's test driver takes no flag for networks: their XML is the definition there.
  const xml = await call(r.xml, [ref, inactive]).catch((e) => {
    if (!inactive || !/^unsupported flags/.test((e as Error).message)) throw e;
    return call(r.xml, [ref, 0]);
  }) as string;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(xml));
  const hex = [...new Uint8Array(digest, 0, 16)].map((b) => b.toString(16).padStart(2, "0"));
  return `"${hex.join("")}"`;
}

/**
 * Whether an `If-Match` header value holds for the current tag (RFC 9110 §13.1.1: `*` for any
 * current definition, else a list of strong tags, one of which is the current one).
 */
export function ifMatchHolds(header: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").map((t) => t.trim()).includes(current);
}

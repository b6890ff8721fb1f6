/**
 * libvirt's virMacAddrParse: six `:`-separated groups of one or two hex digits; returns the
 * canonical lower-case `xx:xx:xx:xx:xx:xx` form, or undefined when malformed.
 *
 * @example
 * ```ts
 * import { parseMac } from "./mac.ts";
 * parseMac("52:54:0:AB:c:1"); // "52:54:00:ab:0c:01"
 * parseMac("52:54:00"); // undefined
 * ```
 */
export function parseMac(text: string): string | undefined {
  const m =
    /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})/
      .exec(text);
  // Like strtoul, libvirt stops after the sixth group and accepts a blank or control after it.
  if (m && m[0].length < text.length && text.charCodeAt(m[0].length) > 32) return undefined;
  if (!m) return undefined;
  return m.slice(1).map((g) => g.toLowerCase().padStart(2, "0")).join(":");
}

/**
 * Whether a canonical MAC address is a multicast one (low bit of the first byte set).
 *
 * @example
 * ```ts
 * import { isMulticastMac } from "./mac.ts";
 * isMulticastMac("01:00:5e:00:00:01"); // true
 * ```
 */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

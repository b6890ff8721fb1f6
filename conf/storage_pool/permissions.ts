import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { child, childText, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, xpathInteger } from "../common/mod.ts";

/** `<permissions>` of a pool target or volume; absent fields are libvirt's `-1`. */
export const StoragePermsSchema = z.strictObject({
  mode: z.number().int().optional(),
  owner: z.number().int().optional(),
  group: z.number().int().optional(),
  label: z.string().optional(),
});
/** Storage permissions. */
export type StoragePerms = z.infer<typeof StoragePermsSchema>;

const fail = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);

function parseId(el: XmlElement, name: "owner" | "group"): number | undefined {
  const node = child(el, name);
  if (!node) return undefined;
  const v = xpathInteger(childText(el, name) ?? "");
  // libvirt once printed -1 for "unset", so it still reads it back as unset; (uid_t)-1 is
  // the same value.
  if (v === undefined || v < -1 || v > 0xffffffff) throw fail(`malformed ${name} element`);
  return v === -1 || v === 0xffffffff ? undefined : v;
}

/**
 * libvirt's virStorageDefParsePerms: octal `mode` (at most 0777), decimal `owner`/`group`
 * (read as XPath numbers, so `0744` is 744, `-1` is unset), and `label`.
 *
 * @example
 * ```ts
 * import { parseStoragePerms } from "./permissions.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseStoragePerms(parse("<permissions><mode>0700</mode></permissions>")).mode; // 448
 * ```
 */
export function parseStoragePerms(el: XmlElement | undefined): StoragePerms {
  if (!el) return {};
  const perms: StoragePerms = {};
  const mode = childText(el, "mode");
  if (mode !== undefined) {
    const m = parseInt32(mode, 8);
    if (m === undefined || (m & ~0o777) !== 0) throw fail("malformed octal mode");
    perms.mode = m;
  }
  const owner = parseId(el, "owner");
  if (owner !== undefined) perms.owner = owner;
  const group = parseId(el, "group");
  if (group !== undefined) perms.group = group;
  const label = childText(el, "label");
  if (label !== undefined) perms.label = label;
  return perms;
}

/**
 * The `<permissions>` element, or undefined when nothing is set (as libvirt omits it).
 *
 * @example
 * ```ts
 * import { formatStoragePerms } from "./permissions.ts";
 * formatStoragePerms({ mode: 0 })?.children.length; // 1 (<mode>00</mode>)
 * ```
 */
export function formatStoragePerms(perms: StoragePerms | undefined): XmlElement | undefined {
  if (!perms) return undefined;
  const { mode, owner, group, label } = perms;
  if (mode === undefined && owner === undefined && group === undefined && label === undefined) {
    return undefined;
  }
  return element("permissions", {}, [
    mode !== undefined && element("mode", {}, ["0" + mode.toString(8)]),
    owner !== undefined && element("owner", {}, [String(owner)]),
    group !== undefined && element("group", {}, [String(group)]),
    label !== undefined && element("label", {}, [label]),
  ]);
}

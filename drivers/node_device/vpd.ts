/**
 * PCI Vital Product Data as libvirt 9.0 reads it (`virpcivpd.c`) from a device's sysfs `vpd`
 * file: the string resource (the product name), the read-only VPD-R fields, whose checksum
 * (`RV`) must make every byte up to it sum to zero, and the read-write VPD-W fields, up to the
 * end tag. Anything malformed gives no VPD at all, as in libvirt; invalid text fields are
 * skipped.
 *
 * @module
 */

/** A vendor (`Vx`) or system (`Yx`) specific field: its index character and value. */
export interface VpdCustom {
  index: string;
  value: string;
}

/** `virPCIVPDResource`. */
export interface Vpd {
  name?: string;
  ro?: {
    changeLevel?: string;
    manufactureId?: string;
    partNumber?: string;
    serialNumber?: string;
    vendor: VpdCustom[];
  };
  rw?: { assetTag?: string; vendor: VpdCustom[]; system: VpdCustom[] };
}

/** Reads `count` bytes at `pos`, or fewer at the end of the data. */
export type VpdRead = (pos: number, count: number) => Uint8Array;

const ADDR_MASK = 0x7fff;
const LARGE = 0x80;
const STRING_TAG = LARGE | 0x02;
const RO_TAG = LARGE | 0x10;
const RW_TAG = LARGE | 0x11;
const END_TAG = 0x0f;

type Format = "text" | "binary" | "resvd" | "rdwr" | "unknown";

const isUpperOrDigit = (c: string) => /^[A-Z0-9]$/.test(c);
const isVendor = (k: string) => k[0] === "V" && isUpperOrDigit(k[1] ?? "");
const isSystem = (k: string) => k[0] === "Y" && isUpperOrDigit(k[1] ?? "") && k !== "YA";

/** `virPCIVPDResourceGetFieldValueFormat`. */
function formatOf(keyword: string): Format {
  if (keyword.length !== 2 || ![...keyword].every(isUpperOrDigit)) return "unknown";
  if (isVendor(keyword) || isSystem(keyword)) return "text";
  const known: Record<string, Format> = {
    CP: "binary",
    EC: "text",
    MN: "text",
    PN: "text",
    RV: "resvd",
    RW: "rdwr",
    SN: "text",
    YA: "text",
  };
  return known[keyword] ?? "unknown";
}

/** `virPCIVPDResourceIsValidTextValue`: printable ASCII only. */
const validText = (v: string) => /^[\x20-\x7e]*$/.test(v);

/** `g_strstrip` of bytes read as Latin-1 (as C reads them). */
function text(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) {
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, "");
}

/** `virPCIVPDResourceCustomUpsertValue`. */
function upsert(list: VpdCustom[], index: string, value: string): void {
  const found = list.find((c) => c.index === index);
  if (found) found.value = value;
  else list.push({ index, value });
}

/** `virPCIVPDResourceUpdateKeyword`. */
function update(res: Vpd, readOnly: boolean, keyword: string, value: string): void {
  if (readOnly) {
    const ro = res.ro ??= { vendor: [] };
    if (keyword === "EC") ro.changeLevel = value;
    else if (keyword === "MN") ro.manufactureId = value;
    else if (keyword === "PN") ro.partNumber = value;
    else if (keyword === "SN") ro.serialNumber = value;
    else if (isVendor(keyword)) upsert(ro.vendor, keyword[1], value);
    // Legacy PICMIG keywords (FG, LC, PG) and CP are skipped, as by libvirt.
    return;
  }
  const rw = res.rw ??= { vendor: [], system: [] };
  if (keyword === "YA") rw.assetTag = value;
  else if (isVendor(keyword)) upsert(rw.vendor, keyword[1], value);
  else if (isSystem(keyword)) upsert(rw.system, keyword[1], value);
}

/** Reading with the running checksum of every byte read. */
class Reader {
  csum = 0;
  constructor(readonly read: VpdRead) {}
  bytes(pos: number, count: number): Uint8Array | undefined {
    const b = this.read(pos, count);
    if (b.length !== count) return undefined;
    for (const x of b) this.csum = (this.csum + x) & 0xff;
    return b;
  }
}

/** `virPCIVPDParseVPDLargeResourceFields`: false when the resource is malformed. */
function fields(r: Reader, resPos: number, len: number, readOnly: boolean, res: Vpd): boolean {
  let pos = resPos;
  let hasChecksum = false;
  while (pos + 3 <= resPos + len) {
    const head = r.bytes(pos, 3);
    if (!head) return false;
    const dataLen = head[2];
    pos += 3;
    const keyword = String.fromCharCode(head[0], head[1]);
    const format = formatOf(keyword);
    if (!readOnly && format === "resvd") return false;
    if (readOnly && format === "rdwr") return false;
    if (resPos + len < pos + dataLen) return false;
    const data = r.bytes(pos, format === "resvd" ? 1 : dataLen);
    if (!data) return false;
    pos += dataLen;
    if (format === "resvd") {
      // Every byte up to and including the checksum byte sums to zero.
      if (r.csum !== 0) return false;
      hasChecksum = true;
      break;
    }
    if (format === "rdwr") break;
    if (format === "unknown") continue;
    if (format === "binary") {
      update(res, readOnly, keyword, String.fromCharCode(...data));
      continue;
    }
    const value = text(data);
    // A field with an invalid value is skipped; its length still says where the next one is.
    if (validText(value)) update(res, readOnly, keyword, value);
  }
  const endReached = pos >= resPos + len;
  return readOnly ? hasChecksum && endReached : endReached;
}

/**
 * `virPCIVPDParse`: the VPD, or undefined when it is malformed or incomplete.
 *
 * @example
 * ```ts
 * import { parseVpd } from "./vpd.ts";
 * parseVpd(() => new Uint8Array()); // undefined
 * ```
 */
export function parseVpd(read: VpdRead): Vpd | undefined {
  const r = new Reader(read);
  const res: Vpd = {};
  let pos = 0;
  let hasReadOnly = false;
  let ended = false;
  while (pos <= ADDR_MASK) {
    const t = r.bytes(pos, 1);
    if (!t) break;
    let tag = t[0];
    let len: number;
    if (tag & LARGE) {
      if (pos > ADDR_MASK + 1 - 3) break;
      const h = r.bytes(pos + 1, 2);
      if (!h) break;
      len = h[0] + (h[1] << 8);
      pos += 3;
    } else {
      len = tag & 7;
      tag >>= 3;
      pos += 1;
    }
    if (tag === END_TAG) {
      ended = true;
      break;
    }
    if (len > ADDR_MASK + 1 - pos) break;
    let ok: boolean;
    if (tag === STRING_TAG) {
      const data = r.bytes(pos, len);
      const name = data && text(data);
      ok = name !== undefined && validText(name);
      if (ok) res.name = name;
    } else if (tag === RO_TAG) {
      ok = fields(r, pos, len, true, res);
      hasReadOnly = true;
    } else if (tag === RW_TAG) {
      ok = fields(r, pos, len, false, res);
    } else {
      pos += len;
      continue;
    }
    if (!ok) return undefined;
    pos += len;
  }
  return hasReadOnly && ended ? res : undefined;
}

/**
 * `virNodeDeviceCapVPDFormat`'s lines (libvirt escapes only the name).
 *
 * @example
 * ```ts
 * import { formatVpd } from "./vpd.ts";
 * formatVpd({ name: "x" }); // ["<capability type='vpd'>", "  <name>x</name>", "</capability>"]
 * ```
 */
export function formatVpd(vpd: Vpd, escape: (s: string) => string = (s) => s): string[] {
  const out = ["<capability type='vpd'>"];
  if (vpd.name !== undefined) out.push(`  <name>${escape(vpd.name)}</name>`);
  const field = (tag: string, v: string | undefined) => {
    if (v !== undefined) out.push(`    <${tag}>${v}</${tag}>`);
  };
  const custom = (tag: string, list: VpdCustom[]) => {
    for (const c of list) out.push(`    <${tag} index='${c.index}'>${c.value}</${tag}>`);
  };
  if (vpd.ro) {
    out.push("  <fields access='readonly'>");
    field("change_level", vpd.ro.changeLevel);
    field("manufacture_id", vpd.ro.manufactureId);
    field("part_number", vpd.ro.partNumber);
    field("serial_number", vpd.ro.serialNumber);
    custom("vendor_field", vpd.ro.vendor);
    out.push("  </fields>");
  }
  if (vpd.rw) {
    out.push("  <fields access='readwrite'>");
    field("asset_tag", vpd.rw.assetTag);
    custom("vendor_field", vpd.rw.vendor);
    custom("system_field", vpd.rw.system);
    out.push("  </fields>");
  }
  out.push("</capability>");
  return out;
}

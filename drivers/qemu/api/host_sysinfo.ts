/**
 * `qemuConnectGetSysinfo`: the host's SMBIOS tables as libvirt's `virSysinfoReadDMI` reads them
 * (`dmidecode -q -t 0,1,2,3,4,11,17`, each value found with `strstr` from its section's start,
 * as libvirt does) and `virSysinfoFormat` writes them. Without dmidecode, or where it cannot read
 * the tables (no /dev/mem, no DMI in sysfs), libvirt has no host sysinfo and says so.
 *
 * @module
 */
import { checkFlags, VirError } from "../../../util/errors.ts";
import { element, stringify, type XmlElement } from "../../../util/xml/mod.ts";

/** Runs dmidecode with `args`: its stdout, stderr and whether it succeeded. */
export type DmidecodeRunner = (
  args: string[],
) => Promise<{ ok: boolean; stdout: string; stderr: string }>;

const systemDmidecode: DmidecodeRunner = async (args) => {
  try {
    const out = await new Deno.Command("dmidecode", { args, stdout: "piped", stderr: "piped" })
      .output();
    const dec = new TextDecoder();
    return { ok: out.success, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch {
    return { ok: false, stdout: "", stderr: "" };
  }
};

type Fields = [entry: string, key: string][];

const BIOS: Fields = [
  ["vendor", "Vendor: "],
  ["version", "Version: "],
  ["date", "Release Date: "],
  ["release", "BIOS Revision: "],
];
const SYSTEM: Fields = [
  ["manufacturer", "Manufacturer: "],
  ["product", "Product Name: "],
  ["version", "Version: "],
  ["serial", "Serial Number: "],
  ["uuid", "UUID: "],
  ["sku", "SKU Number: "],
  ["family", "Family: "],
];
const BASE_BOARD: Fields = [
  ["manufacturer", "Manufacturer: "],
  ["product", "Product Name: "],
  ["version", "Version: "],
  ["serial", "Serial Number: "],
  ["asset", "Asset Tag: "],
  ["location", "Location In Chassis: "],
];
const CHASSIS: Fields = [
  ["manufacturer", "Manufacturer: "],
  ["version", "Version: "],
  ["serial", "Serial Number: "],
  ["asset", "Asset Tag: "],
  ["sku", "SKU Number: "],
];
const PROCESSOR: Fields = [
  ["socket_destination", "Socket Designation: "],
  ["type", "Type: "],
  ["family", "Family: "],
  ["manufacturer", "Manufacturer: "],
  ["signature", "Signature: "],
  ["version", "Version: "],
  ["external_clock", "External Clock: "],
  ["max_speed", "Max Speed: "],
  ["status", "Status: "],
  ["serial_number", "Serial Number: "],
  ["part_number", "Part Number: "],
];
const MEMORY: Fields = [
  ["size", "Size: "],
  ["form_factor", "Form Factor: "],
  ["locator", "Locator: "],
  ["bank_locator", "Bank Locator: "],
  ["type", "Type: "],
  ["type_detail", "Type Detail: "],
  ["speed", "Speed: "],
  ["manufacturer", "Manufacturer: "],
  ["serial_number", "Serial Number: "],
  ["part_number", "Part Number: "],
];

/** The value after `key` at or after `from` up to the line's end, trailing blanks cut. */
function valueAfter(out: string, from: number, key: string): string | undefined {
  const at = out.indexOf(key, from);
  if (at < 0) return undefined;
  const start = at + key.length;
  const eol = out.indexOf("\n", start);
  if (eol < 0) return undefined;
  const v = out.slice(start, eol).replace(/\s+$/, "");
  return v === "" ? undefined : v;
}

/** A section's `<entry>`s, or undefined when it has none. */
function section(name: string, out: string, from: number, fields: Fields): XmlElement | undefined {
  const entries = fields.flatMap(([entry, key]) => {
    const v = valueAfter(out, from, key);
    return v === undefined ? [] : [element("entry", { name: entry }, [v])];
  });
  return entries.length ? element(name, {}, entries) : undefined;
}

/** Every section starting with `header`, searched from just after the previous one. */
function repeated(out: string, header: string, skip: number, each: (at: number) => void): void {
  for (let at = out.indexOf(header); at >= 0; at = out.indexOf(header, at + skip)) each(at);
}

/** `virSysinfoParseOEMStrings`: a value holding a dot may stand for a newline: asked raw. */
async function oemStrings(out: string, run: DmidecodeRunner): Promise<XmlElement | undefined> {
  let cur = out.indexOf("OEM Strings");
  if (cur < 0) return undefined;
  const values: string[] = [];
  // dmidecode's string number, counted as libvirt counts it (an empty value is not counted).
  let i = 1;
  for (;;) {
    cur = out.indexOf("String ", cur);
    if (cur < 0) break;
    cur += 7;
    const eol = out.indexOf("\n", cur);
    const m = out.slice(cur, eol < 0 ? undefined : eol).match(/^\d*: ?(.*)$/);
    if (eol < 0 || !m) {
      throw VirError.report("NONE", "INTERNAL_ERROR", "Malformed output of dmidecode");
    }
    const text = m[1].replace(/\s+$/, "");
    if (text === "") continue;
    if (text.includes(".")) {
      const raw = await run(["--dump", "--oem-string", String(i)]);
      if (!raw.ok || raw.stderr !== "") throw new Error(`oem string ${i}`);
      values.push(raw.stdout);
    } else values.push(text);
    i++;
    cur = eol;
  }
  return element("oemStrings", {}, values.map((v) => element("entry", {}, [v])));
}

/**
 * `virSysinfoReadDMI` then `virSysinfoFormat`: the `<sysinfo type='smbios'>` document, or
 * undefined when dmidecode cannot tell.
 *
 * @example
 * ```ts ignore
 * import { readHostSysinfo } from "./host_sysinfo.ts";
 * await readHostSysinfo(); // "<sysinfo type='smbios'>\n  <bios>…" or undefined
 * ```
 */
export async function readHostSysinfo(
  run: DmidecodeRunner = systemDmidecode,
): Promise<string | undefined> {
  const res = await run(["-q", "-t", "0,1,2,3,4,11,17"]);
  if (!res.ok) return undefined;
  const out = res.stdout;
  const at = (header: string) => out.indexOf(header);
  const kids: (XmlElement | undefined)[] = [
    at("BIOS Information") >= 0 ? section("bios", out, at("BIOS Information"), BIOS) : undefined,
    at("System Information") >= 0
      ? section("system", out, at("System Information"), SYSTEM)
      : undefined,
  ];
  repeated(out, "Base Board Information", 22, (i) => {
    kids.push(section("baseBoard", out, i + 22, BASE_BOARD));
  });
  kids.push(
    at("Chassis Information") >= 0
      ? section("chassis", out, at("Chassis Information"), CHASSIS)
      : undefined,
  );
  repeated(out, "Processor Information", 21, (i) => {
    kids.push(section("processor", out, i, PROCESSOR));
  });
  repeated(out, "Memory Device", 13, (i) => {
    // An empty slot is no device.
    if (valueAfter(out, i, "Size: ") !== "No Module Installed") {
      kids.push(section("memory_device", out, i, MEMORY));
    }
  });
  try {
    kids.push(await oemStrings(out, run));
  } catch {
    return undefined;
  }
  return stringify(element("sysinfo", { type: "smbios" }, kids.filter((k) => k)));
}

const sysinfoCache = new WeakMap<object, Promise<string | undefined>>();

/**
 * `qemuConnectGetSysinfo`: the host's sysinfo, read once per driver state (libvirt reads it
 * when its QEMU driver starts), or libvirt's refusal without it.
 *
 * @example
 * ```ts ignore
 * import { connectSysinfo } from "./host_sysinfo.ts";
 * declare const state: object;
 * await connectSysinfo(state, 0);
 * ```
 */
export async function connectSysinfo(
  state: object,
  flags: number,
  run?: DmidecodeRunner,
): Promise<string> {
  checkFlags(flags, 0, "qemuConnectGetSysinfo", "QEMU");
  let info = sysinfoCache.get(state);
  if (!info) {
    info = readHostSysinfo(run);
    sysinfoCache.set(state, info);
  }
  const xml = await info;
  if (xml === undefined) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "Host SMBIOS information is not available",
    );
  }
  return xml;
}

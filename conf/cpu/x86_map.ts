/**
 * libvirt's x86 CPU map (`virCPUx86Map`) built from cpu_map.json, the project's copy of libvirt
 * 9.0's src/cpu_map (tests/tools/gen_cpu_map.ts): vendors with their CPUID leaf 0 data, features
 * with their bits, and models whose data is their ancestor's plus their own features, as
 * x86ModelParse builds them. Built once, on first use.
 *
 * @module
 */
import CPU_MAP from "./cpu_map.json" with { type: "json" };
import { addData, addItem, cpuidItem, type X86Data } from "./x86_data.ts";

/** A CPU vendor and its identification string's CPUID leaf 0 bits. */
export interface X86Vendor {
  name: string;
  data: X86Data;
}

/** A CPU feature (`virCPUx86Feature`). */
export interface X86Feature {
  name: string;
  migratable: boolean;
  data: X86Data;
}

/** A CPU signature a model claims (family, model, steppings or all of them). */
export interface X86Signature {
  family: number;
  model: number;
  stepping?: Set<number>;
}

/** A CPU model (`virCPUx86Model`). */
export interface X86Model {
  name: string;
  decodeHost: boolean;
  decodeGuest: boolean;
  vendor?: X86Vendor;
  signatures?: X86Signature[];
  data: X86Data;
  removedFeatures: string[];
}

/** The map. */
export interface X86Map {
  vendors: X86Vendor[];
  features: X86Feature[];
  models: X86Model[];
}

/**
 * `virCPUx86VendorToData`: the 12-character string as leaf 0's ebx, edx, ecx.
 *
 * @example
 * ```ts
 * import { vendorData } from "./x86_map.ts";
 * vendorData("GenuineIntel").get("cpuid:0:0")?.regs[1]; // 0x756e6547 ("Genu")
 * ```
 */
export function vendorData(text: string): X86Data {
  const bytes = new TextEncoder().encode(text);
  const word = (i: number) => new DataView(bytes.buffer).getUint32(i, true);
  const data: X86Data = new Map();
  addItem(data, cpuidItem(0, 0, [0, word(0), word(8), word(4)]));
  return data;
}

/** A stepping list of the map (`0-3,5`), as virBitmapParse reads it. */
function steppings(text: string): Set<number> {
  const set = new Set<number>();
  for (const part of text.split(",")) {
    const [lo, hi = lo] = part.split("-").map(Number);
    for (let s = lo; s <= hi; s++) set.add(s);
  }
  return set;
}

function dataOf(items: (string | number)[][]): X86Data {
  const data: X86Data = new Map();
  for (const [kind, ...v] of items as [string, ...number[]][]) {
    addItem(
      data,
      kind === "cpuid"
        ? cpuidItem(v[0], v[1], v.slice(2))
        : { kind: "msr", index: v[0], regs: [v[1] >>> 0, v[2] >>> 0] },
    );
  }
  return data;
}

function build(): X86Map {
  const src = CPU_MAP.x86;
  const vendors = src.vendors.map((v) => ({ name: v.name, data: vendorData(v.string) }));
  const features = src.features.map((f) => ({
    name: f.name,
    migratable: (f as { migratable?: boolean }).migratable !== false,
    data: dataOf(f.data),
  }));
  const models: X86Model[] = [];
  for (
    const m of src.models as (typeof src.models[number] & {
      ancestor?: string;
      vendor?: string;
      signatures?: { family: number; model: number; stepping?: string }[];
    })[]
  ) {
    const ancestor = m.ancestor ? models.find((a) => a.name === m.ancestor) : undefined;
    const data: X86Data = new Map();
    if (ancestor) addData(data, ancestor.data);
    for (const name of m.features) addData(data, features.find((f) => f.name === name)!.data);
    models.push({
      name: m.name,
      decodeHost: m.decodeHost,
      decodeGuest: m.decodeGuest,
      vendor: m.vendor ? vendors.find((v) => v.name === m.vendor) : ancestor?.vendor,
      signatures: m.signatures?.map((s) => ({
        family: s.family,
        model: s.model,
        stepping: s.stepping === undefined ? undefined : steppings(s.stepping),
      })) ?? ancestor?.signatures,
      data,
      removedFeatures: m.removed,
    });
  }
  return { vendors, features, models };
}

let map: X86Map | undefined;

/**
 * `virCPUx86GetMap`: the x86 map, built on first use.
 *
 * @example
 * ```ts
 * import { x86Map } from "./x86_map.ts";
 * x86Map().models.at(-1)?.name; // "Dhyana"
 * ```
 */
export function x86Map(): X86Map {
  return map ??= build();
}

/**
 * The x86 model names in index.xml's order (`virCPUx86GetModels`).
 *
 * @example
 * ```ts
 * import { x86ModelNames } from "./x86_map.ts";
 * x86ModelNames()[0]; // "486"
 * ```
 */
export function x86ModelNames(): string[] {
  return CPU_MAP.x86.models.map((m) => m.name);
}

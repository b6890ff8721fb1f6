/**
 * libvirt's virCPUx86Data: CPUID leaves and MSRs as register bit sets, with the set operations
 * cpu_x86.c builds its decode, baseline and compare from (x86DataAdd, x86DataSubtract,
 * x86DataIntersect, x86DataIsSubset, x86DataIsEmpty).
 *
 * @module
 */

/** One CPUID leaf (`eax`, `ebx`, `ecx`, `edx`) or MSR (`eax`, `edx`). */
export type X86Item =
  | { kind: "cpuid"; eaxIn: number; ecxIn: number; regs: number[] }
  | { kind: "msr"; index: number; regs: number[] };

/** CPU data: items by leaf (`cpuid:EAX_IN:ECX_IN`) or MSR (`msr:INDEX`). */
export type X86Data = Map<string, X86Item>;

const keyOf = (item: X86Item) =>
  item.kind === "cpuid" ? `cpuid:${item.eaxIn}:${item.ecxIn}` : `msr:${item.index}`;

const isZero = (item: X86Item) => item.regs.every((r) => r === 0);

/**
 * A CPUID item (`virCPUx86DataItem` of type CPUID).
 *
 * @example
 * ```ts
 * import { cpuidItem } from "./x86_data.ts";
 * cpuidItem(1, 0, [0, 0, 0, 1]).regs; // [0, 0, 0, 1]
 * ```
 */
export function cpuidItem(eaxIn: number, ecxIn: number, regs: number[]): X86Item {
  return { kind: "cpuid", eaxIn, ecxIn, regs: regs.map((r) => r >>> 0) };
}

/**
 * `virCPUx86DataAddItem`: ORs an item into the data (a copy of it when new).
 *
 * @example
 * ```ts
 * import { addItem, cpuidItem } from "./x86_data.ts";
 * const data = new Map();
 * addItem(data, cpuidItem(1, 0, [0, 0, 0, 1]));
 * data.size; // 1
 * ```
 */
export function addItem(data: X86Data, item: X86Item): void {
  const key = keyOf(item);
  const have = data.get(key);
  if (!have) data.set(key, { ...item, regs: [...item.regs] });
  else have.regs = have.regs.map((r, i) => (r | item.regs[i]) >>> 0);
}

/**
 * A deep copy (`x86DataCopy`).
 *
 * @example
 * ```ts
 * import { copyData } from "./x86_data.ts";
 * copyData(new Map()).size; // 0
 * ```
 */
export function copyData(data: X86Data): X86Data {
  const out: X86Data = new Map();
  for (const item of data.values()) addItem(out, item);
  return out;
}

/**
 * `x86DataAdd`: every bit of `b` set in `a`.
 *
 * @example
 * ```ts
 * import { addData, cpuidItem } from "./x86_data.ts";
 * const a = new Map();
 * addData(a, new Map([["cpuid:1:0", cpuidItem(1, 0, [0, 0, 0, 1])]]));
 * ```
 */
export function addData(a: X86Data, b: X86Data): void {
  for (const item of b.values()) if (!isZero(item)) addItem(a, item);
}

/**
 * `x86DataSubtract`: every bit of `b` cleared in `a`.
 *
 * @example
 * ```ts
 * import { subtractData } from "./x86_data.ts";
 * subtractData(new Map(), new Map());
 * ```
 */
export function subtractData(a: X86Data, b: X86Data): void {
  for (const [key, item] of a) {
    const other = b.get(key);
    if (other) item.regs = item.regs.map((r, i) => (r & ~other.regs[i]) >>> 0);
  }
}

/**
 * `x86DataIntersect`: `a` keeps only the bits `b` has too.
 *
 * @example
 * ```ts
 * import { intersectData } from "./x86_data.ts";
 * intersectData(new Map(), new Map());
 * ```
 */
export function intersectData(a: X86Data, b: X86Data): void {
  for (const [key, item] of a) {
    const other = b.get(key);
    item.regs = item.regs.map((r, i) => other ? (r & other.regs[i]) >>> 0 : 0);
  }
}

/**
 * `x86DataIsEmpty`: no bit set.
 *
 * @example
 * ```ts
 * import { isEmptyData } from "./x86_data.ts";
 * isEmptyData(new Map()); // true
 * ```
 */
export function isEmptyData(data: X86Data): boolean {
  for (const item of data.values()) if (!isZero(item)) return false;
  return true;
}

/**
 * `x86DataIsSubset`: every bit of `subset` is set in `data`.
 *
 * @example
 * ```ts
 * import { isSubsetData } from "./x86_data.ts";
 * isSubsetData(new Map(), new Map()); // true
 * ```
 */
export function isSubsetData(data: X86Data, subset: X86Data): boolean {
  for (const [key, sub] of subset) {
    if (isZero(sub)) continue;
    const item = data.get(key);
    if (!item || sub.regs.some((r, i) => (item.regs[i] & r) >>> 0 !== r)) return false;
  }
  return true;
}

/** How two data sets relate (`virCPUx86CompareResult`). */
export type X86Relation = "EQUAL" | "SUPERSET" | "SUBSET" | "UNRELATED";

/**
 * `x86ModelCompare`: whether `a` has every bit of `b` and more (SUPERSET), fewer (SUBSET), the
 * same (EQUAL), or neither (UNRELATED).
 *
 * @example
 * ```ts
 * import { compareData } from "./x86_data.ts";
 * compareData(new Map(), new Map()); // "EQUAL"
 * ```
 */
export function compareData(a: X86Data, b: X86Data): X86Relation {
  let result: X86Relation = "EQUAL";
  const walk = (x: X86Data, y: X86Data, more: X86Relation, less: X86Relation) => {
    for (const [key, item] of x) {
      if (isZero(item)) continue;
      let match = more;
      const other = y.get(key);
      if (other) {
        if (item.regs.every((r, i) => r === other.regs[i])) continue;
        // Masked match: `item` holds every bit of `other`.
        if (!other.regs.every((r, i) => (item.regs[i] & r) >>> 0 === r)) match = less;
      }
      if (result === "EQUAL") result = match;
      else if (result !== match) return false;
    }
    return true;
  };
  if (!walk(a, b, "SUPERSET", "SUBSET") || !walk(b, a, "SUBSET", "SUPERSET")) return "UNRELATED";
  return result;
}

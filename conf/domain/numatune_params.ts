/**
 * `<numatune><memory>` as the NUMA parameter calls read and write it
 * (`virDomainGetNumaParameters` / `virDomainSetNumaParameters`): the typed parameters checked
 * as libvirt's drivers check them, and `virDomainNumatuneSet`.
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "./def.ts";
import { formatBitmap, parseBitmap } from "./bitmap.ts";
import { kidOrder, section, setChild } from "./tune_xml.ts";
import type { TypedParams } from "../../util/contract/types.ts";
import { type ErrorDomainName, VirError } from "../../util/errors.ts";
import { validateTypedParams } from "../../util/typed_params.ts";

/** `virDomainNumatuneMemMode` names, by value. */
const NUMA_MODES = ["strict", "preferred", "interleave", "restrictive"];

/** A NUMA parameter change: the mode (-1 to keep it) and the nodes (undefined to keep them). */
export interface NumaChange {
  mode: number;
  nodeset?: number[];
}

function memoryOf(def: DomainDef): XmlElementJSON | undefined {
  return section(def, "numatune")?.children.find((c): c is XmlElementJSON =>
    c.type === "element" && c.name === "memory"
  );
}

/**
 * `virDomainNumatuneGetMode`: the mode of `def`'s `<memory>`, or -1 without one.
 *
 * @example
 * ```ts
 * import { numatuneMode } from "./numatune_params.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * numatuneMode(def); // -1: no <numatune>
 * ```
 */
export function numatuneMode(def: DomainDef): number {
  const memory = memoryOf(def);
  return memory ? NUMA_MODES.indexOf(memory.attributes.mode ?? "strict") : -1;
}

/**
 * The two NUMA parameters of `def`: the mode (strict without one) and the nodeset ("" without).
 *
 * @example
 * ```ts
 * import { numaParameters } from "./numatune_params.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * numaParameters(def); // { numa_mode: 0, numa_nodeset: "" }
 * ```
 */
export function numaParameters(def: DomainDef): TypedParams {
  const memory = memoryOf(def);
  return {
    numa_mode: NUMA_MODES.indexOf(memory?.attributes.mode ?? "strict"),
    numa_nodeset: memory?.attributes.nodeset ?? "",
  };
}

/**
 * The checks of the set call before any job: the types, a known mode (libvirt's INVALID_ARG in
 * the driver's error domain `from`), a nodeset that parses and is not empty.
 *
 * @example
 * ```ts
 * import { parseNumaParams } from "./numatune_params.ts";
 * parseNumaParams({ numa_nodeset: "0" }, "QEMU"); // { mode: -1, nodeset: [0] }
 * ```
 */
export function parseNumaParams(p: TypedParams, from: ErrorDomainName): NumaChange {
  validateTypedParams(p, { numa_mode: "int", numa_nodeset: "string" });
  const change: NumaChange = { mode: -1 };
  for (const [name, value] of Object.entries(p)) {
    if (name === "numa_mode") {
      change.mode = Number(value);
      if (change.mode < 0 || change.mode >= NUMA_MODES.length) {
        throw VirError.report(from, "INVALID_ARG", `unsupported numatune mode: '${change.mode}'`);
      }
    } else {
      try {
        change.nodeset = parseBitmap(String(value));
      } catch {
        throw VirError.report("NONE", "INVALID_ARG", `Failed to parse bitmap '${value}'`);
      }
      if (!change.nodeset.length) {
        throw VirError.report(from, "OPERATION_INVALID", `Invalid nodeset of 'numatune': ${value}`);
      }
    }
  }
  return change;
}

/**
 * `virDomainNumatuneSet` for the `<memory>` element: the mode and nodes given replace the
 * ones there; a static placement needs a nodeset.
 *
 * @example
 * ```ts
 * import { setNumatune } from "./numatune_params.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setNumatune(def, { mode: 3, nodeset: [0] }); // <memory mode='restrictive' nodeset='0'/>
 * ```
 */
export function setNumatune(def: DomainDef, change: NumaChange): void {
  const memory = memoryOf(def);
  const nodeset = change.nodeset ? formatBitmap(change.nodeset) : memory?.attributes.nodeset;
  if (def.vcpu.placement === "static" && nodeset === undefined) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "nodeset for NUMA memory tuning must be set if 'placement' is 'static'",
    );
  }
  const current = numatuneMode(def);
  const attrs: Record<string, string> = {
    mode: NUMA_MODES[change.mode !== -1 ? change.mode : Math.max(current, 0)],
  };
  if (nodeset !== undefined) attrs.nodeset = nodeset;
  setChild(
    section(def, "numatune", true),
    "memory",
    { type: "element", name: "memory", attributes: attrs, children: [] },
    kidOrder("numatune"),
  );
}

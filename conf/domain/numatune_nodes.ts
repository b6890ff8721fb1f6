/**
 * The host nodes a definition's `<numatune>` binds memory to, for the whole domain or one
 * guest NUMA cell (libvirt's `virDomainNumatuneGetMode` / `virDomainNumatuneGetNodeset`), and
 * the `cpuset.mems` each QEMU thread group gets from them at start and hotplug
 * (`qemuProcessSetupPid`).
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "./def.ts";
import { parseBitmap } from "./bitmap.ts";
import { section } from "./tune_xml.ts";

/** A memory binding: its mode, and its nodes (undefined for an automatic placement). */
export interface NumaBinding {
  mode: string;
  nodeset?: string;
}

function numatuneKid(def: DomainDef, name: string, cellid?: number) {
  return section(def, "numatune")?.children.find((c): c is XmlElementJSON =>
    c.type === "element" && c.name === name &&
    (cellid === undefined || c.attributes.cellid === String(cellid))
  );
}

/**
 * The binding of guest cell `cellid` (its `<memnode>`, else the domain's `<memory>`), or of the
 * whole domain without a cell; undefined where `<numatune>` gives none.
 *
 * @example
 * ```ts
 * import { numaBinding } from "./numatune_nodes.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef; // <numatune><memory mode='restrictive' nodeset='0'/></numatune>
 * numaBinding(def); // { mode: "restrictive", nodeset: "0" }
 * ```
 */
export function numaBinding(def: DomainDef, cellid?: number): NumaBinding | undefined {
  const memory = numatuneKid(def, "memory");
  const memnode = cellid === undefined ? undefined : numatuneKid(def, "memnode", cellid);
  const binding = memnode ?? memory;
  if (!binding) return undefined;
  const auto = memory?.attributes.placement === "auto";
  return {
    mode: binding.attributes.mode ?? "strict",
    nodeset: auto ? undefined : binding.attributes.nodeset,
  };
}

/**
 * Every host node set the definition names, the domain's first and then each cell's, as
 * `virDomainNumatuneNodesetIsAvailable` checks them.
 *
 * @example
 * ```ts
 * import { numatuneNodesets } from "./numatune_nodes.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef; // <memory nodeset='0'/><memnode cellid='1' nodeset='1-2'/>
 * numatuneNodesets(def); // [[0], [1, 2]]
 * ```
 */
export function numatuneNodesets(def: DomainDef): number[][] {
  return (section(def, "numatune")?.children ?? []).flatMap((c) =>
    c.type === "element" && c.attributes.nodeset !== undefined
      ? [parseBitmap(c.attributes.nodeset)]
      : []
  );
}

/**
 * Whether the definition leaves CPU or memory placement to numad
 * (`virDomainDefNeedsPlacementAdvice`).
 *
 * @example
 * ```ts
 * import { needsPlacementAdvice } from "./numatune_nodes.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef; // <vcpu placement='auto'>2</vcpu>
 * needsPlacementAdvice(def); // true
 * ```
 */
export function needsPlacementAdvice(def: DomainDef): boolean {
  return def.vcpu.placement === "auto" ||
    numatuneKid(def, "memory")?.attributes.placement === "auto";
}

/** The id of the guest NUMA cell holding vCPU `vcpu`, if any. */
function cellOfVcpu(def: DomainDef, vcpu: number): number | undefined {
  const numa = def.cpu?.extra.find((e) => e.name === "numa");
  const cell = numa?.children.find((c) =>
    c.type === "element" && c.name === "cell" &&
    parseBitmap(c.attributes.cpus ?? "").includes(vcpu)
  );
  return cell?.type === "element" ? Number(cell.attributes.id) : undefined;
}

/**
 * The `cpuset.mems` of a thread group (`qemuProcessSetupPid`): the domain's nodes for a strict
 * or restrictive binding; a vCPU in a guest cell whose binding is restrictive takes that cell's
 * nodes instead. Undefined leaves the group's nodes as it inherited them.
 *
 * @example
 * ```ts
 * import { threadMemMask } from "./numatune_nodes.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef; // <numatune><memory mode='strict' nodeset='0'/></numatune>
 * threadMemMask(def, "emulator", 0); // "0"
 * ```
 */
export function threadMemMask(
  def: DomainDef,
  kind: "vcpu" | "emulator" | "iothread",
  id: number,
): string | undefined {
  const domain = numaBinding(def);
  let mask = domain?.mode === "strict" || domain?.mode === "restrictive"
    ? domain.nodeset
    : undefined;
  // Restrictive memory has nothing else to hold it (no numa_set_membind): each vCPU follows
  // its cell.
  const cell = kind === "vcpu" ? cellOfVcpu(def, id) : undefined;
  if (cell !== undefined) {
    const binding = numaBinding(def, cell);
    if (binding?.mode === "restrictive") mask = binding.nodeset;
  }
  return mask;
}

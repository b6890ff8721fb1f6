/**
 * Guest memory on the command line as libvirt 9.0 builds it for QEMU 7.2
 * (`qemuBuildMemCommandLine`, `qemuBuildNumaCommandLine`, `qemuBuildMemoryBackendProps`): a
 * `memory-backend-ram` per guest NUMA cell with its `-numa node` (and every distance once one is
 * not the default), or, without cells, the machine's default RAM backend `pc.ram` where
 * `<numatune>` binds it to host nodes. A binding other than `restrictive` (which only cgroups
 * hold) goes on the backend as QEMU's `host-nodes` and `policy`.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { parseBitmap } from "../../../conf/domain/bitmap.ts";
import { numaBinding } from "../../../conf/domain/numatune_nodes.ts";
import { children, type XmlElement } from "../../../util/xml/mod.ts";
import { unsupported } from "./unsupported.ts";

/** QEMU's policy for each `<numatune>` mode it is told (`qemuNumaPolicyTypeToString`). */
const POLICY: Record<string, string> = {
  strict: "bind",
  preferred: "preferred",
  interleave: "interleave",
};

/** libvirt's LOCAL_DISTANCE and REMOTE_DISTANCE. */
const LOCAL = 10;
const REMOTE = 20;

/**
 * The guest memory arguments: what `-machine` gains, the default backend (after `-m`), and the
 * cells' backends and nodes (after the IOThreads).
 */
export interface MemoryArgs {
  machineProps: string;
  ram: string[];
  numa: string[];
}

/** `host-nodes` and `policy` of a backend for guest cell `cellid` (or the whole guest). */
function bindingProps(def: DomainDef, cellid?: number): Record<string, unknown> {
  const binding = numaBinding(def, cellid);
  const policy = binding?.nodeset && POLICY[binding.mode];
  return policy ? { "host-nodes": parseBitmap(binding.nodeset!), policy } : {};
}

function backend(id: string, kib: number, props: Record<string, unknown>): string[] {
  const obj = { "qom-type": "memory-backend-ram", id, size: kib * 1024, ...props };
  return ["-object", JSON.stringify(obj)];
}

/** `virDomainNumaGetNodeDistance`: the given distance, else the platform's default. */
function distance(cell: XmlElement, to: number, from: number): number {
  const sibling = children(children(cell, "distances")[0], "sibling")
    .find((s) => Number(s.attributes.id) === to);
  const value = Number(sibling?.attributes.value ?? 0);
  return value || (from === to ? LOCAL : REMOTE);
}

/** `-numa node` per cell (`qemuBuildNumaCPUs` splits the CPU list at its commas). */
function cellArgs(def: DomainDef, cells: XmlElement[]): string[] {
  if (cells.some((c) => children(c, "cache").length || children(c, "interconnects").length)) {
    throw unsupported("HMAT is not supported with this QEMU");
  }
  if (!cells.some((c) => c.attributes.cpus)) {
    throw unsupported("At least one NUMA node has to have CPUs");
  }
  const byId = [...cells].sort((a, b) => Number(a.attributes.id) - Number(b.attributes.id));
  const args = byId.flatMap((cell, i) => {
    const cpus = cell.attributes.cpus?.split(",").map((r) => `,cpus=${r}`).join("") ?? "";
    return [
      ...backend(`ram-node${i}`, Number(cell.attributes.memory ?? 0), bindingProps(def, i)),
      "-numa",
      `node,nodeid=${i}${cpus},memdev=ram-node${i}`,
    ];
  });
  const rows = byId.map((cell, i) => byId.map((_, j) => distance(cell, j, i)));
  // Once one distance is not a default, QEMU is told all of them.
  if (rows.flat().some((d) => d !== LOCAL && d !== REMOTE)) {
    rows.forEach((row, i) =>
      row.forEach((d, j) => args.push("-numa", `dist,src=${i},dst=${j},val=${d}`))
    );
  }
  return args;
}

/**
 * The memory backends of `def`, and the `-numa` arguments of its guest cells.
 *
 * @example
 * ```ts
 * import { memoryArgs } from "./numa_args.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef; // <numatune><memory mode='strict' nodeset='0'/></numatune>
 * memoryArgs(def);
 * // { machineProps: ",memory-backend=pc.ram", numa: [], ram: ["-object",
 * //   '{"qom-type":"memory-backend-ram","id":"pc.ram","size":134217728,"host-nodes":[0],"policy":"bind"}'] }
 * ```
 */
export function memoryArgs(def: DomainDef): MemoryArgs {
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  if (cells.length) return { machineProps: "", ram: [], numa: cellArgs(def, cells) };
  const props = bindingProps(def);
  if (!Object.keys(props).length) return { machineProps: "", ram: [], numa: [] };
  return {
    machineProps: ",memory-backend=pc.ram",
    ram: backend("pc.ram", def.memory.total, props),
    numa: [],
  };
}

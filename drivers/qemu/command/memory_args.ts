/**
 * Guest memory on the command line as libvirt 9.0 builds it for QEMU 7.2
 * (`qemuBuildMemCommandLine`, `qemuBuildNumaCommandLine`, `qemuBuildMemoryBackendProps`): a
 * memory backend per guest NUMA cell with its `-numa node` (and every distance once one is not
 * the default), or, without cells, the machine's default RAM backend `pc.ram` where the guest's
 * RAM needs one (nodes to bind, memfd, preallocation). A `<numatune>` binding other than
 * `restrictive` (which only cgroups hold) goes on a backend as QEMU's `host-nodes` and `policy`;
 * `<memoryBacking>` gives memfd backends (shared or not, of huge pages or not), files in the
 * domain's memory folder (a file source, or a memory access mode: shared or private anonymous
 * memory, with `discard-data` for `<discard/>`) or on a hugetlbfs mount (see `hugepages.ts`),
 * preallocation (always for huge pages), `mem-merge=off` and `mem-lock=on`.
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "../../../conf/domain/def.ts";
import { parseBitmap } from "../../../conf/domain/bitmap.ts";
import { numaBinding } from "../../../conf/domain/numatune_nodes.ts";
import { section } from "../../../conf/domain/tune_xml.ts";
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { unsupported } from "./unsupported.ts";
import type { HugepageFolder } from "../memory_dir.ts";
import { hugepagePath, type Hugepages, hugepageSize, hugepagesOf } from "./hugepages.ts";

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

/** What `<memoryBacking>` asks of every backend, and where their files go. */
interface Backing {
  /** `<source type>`: file, anonymous, memfd. */
  source?: string;
  access?: string;
  /** `<discard/>`: QEMU discards a file's pages at exit. */
  discard?: boolean;
  prealloc: boolean;
  threads: number;
  /** The domain's memory folder (see `memory_dir.ts`). */
  dir: string;
  hugepages?: Hugepages;
}

function backingOf(
  def: DomainDef,
  dir: string,
  folders: readonly HugepageFolder[],
): Backing & { el?: XmlElementJSON } {
  const el = section(def, "memoryBacking");
  const allocation = child(el, "allocation")?.attributes;
  return {
    el,
    source: child(el, "source")?.attributes.type,
    access: child(el, "access")?.attributes.mode,
    discard: child(el, "discard") ? true : undefined,
    prealloc: allocation?.mode === "immediate",
    threads: Number(allocation?.threads ?? 0),
    dir,
    hugepages: hugepagesOf(def, folders),
  };
}

/**
 * A guest cell's (or the whole guest's) own access mode and `discard`, if it has them, and
 * its huge page size.
 */
interface CellMemory {
  access?: string;
  discard?: string;
  hugepageKiB?: number;
}

/** `qemuBuildMemoryBackendPropsShare`: a shared or private mapping, else QEMU's default. */
const share = (access: string | undefined) =>
  access === "shared" || access === "private" ? { share: access === "shared" } : {};

/**
 * The backend's type and its type's properties (`qemuBuildMemoryBackendProps`): memfd with
 * its huge pages and `share`; a file (huge pages, a file source or any access mode) in the
 * domain's folder on the mount of its huge pages, else in its memory folder named after the
 * backend, with `discard-data` and `share`; plain RAM otherwise. The default RAM in a memfd or
 * a file keeps the ramblock id QEMU's own would have.
 */
function backendType(
  id: string,
  backing: Backing,
  cell: CellMemory,
): { type: string; props: Record<string, unknown> } {
  const access = cell.access ?? backing.access;
  const huge = cell.hugepageKiB;
  const canonical = id === "pc.ram" ? { "x-use-canonical-path-for-ramblock-id": false } : {};
  if (backing.source === "memfd") {
    const hugetlb = huge ? { hugetlb: true, hugetlbsize: huge * 1024 } : {};
    return { type: "memory-backend-memfd", props: { ...hugetlb, ...share(access), ...canonical } };
  }
  if (!huge && !access && backing.source !== "file") {
    return { type: "memory-backend-ram", props: {} };
  }
  const discard = cell.discard ? cell.discard === "yes" : backing.discard;
  return {
    type: "memory-backend-file",
    props: {
      "mem-path": huge ? hugepagePath(backing.hugepages!, huge) : `${backing.dir}/${id}`,
      ...(discard !== undefined ? { "discard-data": discard } : {}),
      ...share(access),
      ...canonical,
    },
  };
}

/**
 * A backend's JSON (`qemuBuildMemoryBackendProps`'s order): its type's properties,
 * `prealloc`, its size, then the nodes; preceded by the thread context its preallocation runs
 * in, if any.
 */
function backend(
  id: string,
  kib: number,
  backing: Backing,
  cell: CellMemory,
  nodes: Record<string, unknown>,
): string[] {
  const { type, props } = backendType(id, backing, cell);
  // Huge pages are always preallocated (qemuBuildMemoryGetPagesize).
  const prealloc = backing.prealloc || !!cell.hugepageKiB;
  const obj = {
    "qom-type": type,
    id,
    ...props,
    ...(prealloc ? { prealloc: true } : {}),
    ...(backing.threads > 0 ? { "prealloc-threads": backing.threads } : {}),
    size: kib * 1024,
    ...nodes,
  };
  // qemuBuildThreadContextProps: bound memory is preallocated by threads on its own nodes.
  if (!prealloc || !nodes["host-nodes"]) return ["-object", JSON.stringify(obj)];
  const context = {
    "qom-type": "thread-context",
    id: `tc-${id}`,
    "node-affinity": nodes["host-nodes"],
  };
  return [
    "-object",
    JSON.stringify(context),
    "-object",
    JSON.stringify({ ...obj, "prealloc-context": context.id }),
  ];
}

/** `virDomainNumaGetNodeDistance`: the given distance, else the platform's default. */
function distance(cell: XmlElement, to: number, from: number): number {
  const sibling = children(children(cell, "distances")[0], "sibling")
    .find((s) => Number(s.attributes.id) === to);
  const value = Number(sibling?.attributes.value ?? 0);
  return value || (from === to ? LOCAL : REMOTE);
}

/** `-numa node` per cell (`qemuBuildNumaCPUs` splits the CPU list at its commas). */
function cellArgs(def: DomainDef, cells: XmlElement[], backing: Backing): string[] {
  // Memory-side caches of a cell, or interconnects between the cells (beside them in <numa>).
  const numa = def.cpu?.extra.find((e) => e.name === "numa");
  if (cells.some((c) => children(c, "cache").length) || children(numa, "interconnects").length) {
    throw unsupported("HMAT is not supported with this QEMU");
  }
  if (!cells.some((c) => c.attributes.cpus)) {
    throw unsupported("At least one NUMA node has to have CPUs");
  }
  const byId = [...cells].sort((a, b) => Number(a.attributes.id) - Number(b.attributes.id));
  const args = byId.flatMap((cell, i) => {
    const cpus = cell.attributes.cpus?.split(",").map((r) => `,cpus=${r}`).join("") ?? "";
    return [
      ...backend(
        `ram-node${i}`,
        Number(cell.attributes.memory ?? 0),
        backing,
        {
          access: cell.attributes.memAccess,
          discard: cell.attributes.discard,
          hugepageKiB: backing.hugepages && hugepageSize(backing.hugepages, i),
        },
        bindingProps(def, i),
      ),
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
 * The memory backends of `def`, and the `-numa` arguments of its guest cells; file-backed
 * memory goes into `dir`, the domain's memory folder, huge pages into the domain's folders on
 * the hugetlbfs mounts (`hugepages`, none where the driver knows no mount).
 *
 * @example
 * ```ts
 * import { memoryArgs } from "./memory_args.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef; // <numatune><memory mode='strict' nodeset='0'/></numatune>
 * memoryArgs(def, "/var/lib/edgevirt/qemu/ram/1-vm", []);
 * // { machineProps: ",memory-backend=pc.ram", numa: [], ram: ["-object",
 * //   '{"qom-type":"memory-backend-ram","id":"pc.ram","size":134217728,"host-nodes":[0],"policy":"bind"}'] }
 * ```
 */
export function memoryArgs(
  def: DomainDef,
  dir: string,
  hugepages: readonly HugepageFolder[],
): MemoryArgs {
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  const backing = backingOf(def, dir, hugepages);
  const merge = child(backing.el, "nosharepages") ? ",mem-merge=off" : "";
  // QEMU locks its memory itself (root's CAP_IPC_LOCK passes any limit; others hit theirs).
  const lock = child(backing.el, "locked") ? ["-overcommit", "mem-lock=on"] : [];
  if (cells.length) {
    return { machineProps: merge, ram: lock, numa: cellArgs(def, cells, backing) };
  }
  const nodes = bindingProps(def);
  const ram = { hugepageKiB: backing.hugepages && hugepageSize(backing.hugepages) };
  // QEMU's own default RAM (-m) is the same plain RAM: a backend only where it adds something.
  const plain = backendType("pc.ram", backing, ram).type === "memory-backend-ram";
  if (plain && !Object.keys(nodes).length && !backing.prealloc) {
    return { machineProps: merge, ram: lock, numa: [] };
  }
  return {
    machineProps: `${merge},memory-backend=pc.ram`,
    ram: [...backend("pc.ram", def.memory.total, backing, ram, nodes), ...lock],
    numa: [],
  };
}

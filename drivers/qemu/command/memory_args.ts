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
import { child, children, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { SYSTEM_PAGE_KIB } from "../../../util/host_info.ts";
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

/**
 * What a memory device's backend has beyond a guest cell's (`qemuBuildMemoryBackendProps` for a
 * `<memory>` device): its own file, or its alias as the file's name in the memory folder.
 */
interface DeviceMemory {
  alias: string;
  /** An NVDIMM's or virtio-pmem's `<source><path>`. */
  path?: string;
  /** Preallocated: a file-backed NVDIMM, none on a real one (`<pmem/>`) or a virtio-pmem. */
  preallocPath: boolean;
  /** virtio-mem plugs its memory on demand: QEMU must not reserve it. */
  virtioMem: boolean;
  alignKiB: number;
  pmem: boolean;
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
  dev?: DeviceMemory,
): { type: string; props: Record<string, unknown> } {
  const access = cell.access ?? backing.access;
  const huge = cell.hugepageKiB;
  const canonical = id === "pc.ram" ? { "x-use-canonical-path-for-ramblock-id": false } : {};
  if (dev?.path) {
    return { type: "memory-backend-file", props: { "mem-path": dev.path, ...share(access) } };
  }
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
      "mem-path": huge
        ? hugepagePath(backing.hugepages!, huge)
        : `${backing.dir}/${dev?.alias ?? id}`,
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
  return backendObjects(id, kib, backing, cell, nodes).flatMap((
    o,
  ) => ["-object", JSON.stringify(o)]);
}

/**
 * The backend objects {@link backend} puts on the command line (and a hotplug gives
 * `object-add`): the thread context first, if any.
 */
function backendObjects(
  id: string,
  kib: number,
  backing: Backing,
  cell: CellMemory,
  nodes: Record<string, unknown>,
  dev?: DeviceMemory,
): Record<string, unknown>[] {
  const { type, props } = backendType(id, backing, cell, dev);
  // Huge pages are always preallocated (qemuBuildMemoryGetPagesize), a device's own file unless
  // it is real persistent memory.
  const prealloc = backing.prealloc || (dev?.path ? dev.preallocPath : !!cell.hugepageKiB);
  // virtio-mem preallocates on its device, when it plugs memory (QEMU 7.2).
  const allocation = dev?.virtioMem ? { reserve: false } : {
    ...(prealloc ? { prealloc: true } : {}),
    ...(backing.threads > 0 ? { "prealloc-threads": backing.threads } : {}),
  };
  const obj = {
    "qom-type": type,
    id,
    ...props,
    ...allocation,
    size: kib * 1024,
    ...(dev?.alignKiB ? { align: dev.alignKiB * 1024 } : {}),
    ...(dev?.pmem ? { pmem: true } : {}),
    ...nodes,
  };
  // qemuBuildThreadContextProps: bound memory is preallocated by threads on its own nodes.
  if (!("prealloc" in obj) || !nodes["host-nodes"]) return [obj];
  const context = {
    "qom-type": "thread-context",
    id: `tc-${id}`,
    "node-affinity": nodes["host-nodes"],
  };
  return [context, { ...obj, "prealloc-context": context.id }];
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
  // An NVDIMM needs the machine's NVDIMM support (qemuAppendDomainMemoryMachineParams).
  const nvdimm =
    def.devices.other.some((d) => d.name === "memory" && d.attributes.model === "nvdimm")
      ? ",nvdimm=on"
      : "";
  const merge = `${child(backing.el, "nosharepages") ? ",mem-merge=off" : ""}${nvdimm}`;
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

/**
 * The backend objects of memory device `mem` (alias `alias`), as libvirt 9.0 builds them for
 * the command line and for hotplug (`qemuBuildMemoryBackendProps` with the device's `mem<alias>`
 * id): an NVDIMM's or virtio-pmem's own file, else the memory backing, huge pages and access
 * of the device or of its guest cell, the nodes of its `<source><nodemask>` or of its cell's
 * `<numatune>`.
 *
 * @example
 * ```ts
 * import { memoryDeviceBackend } from "./memory_args.ts";
 * import { parseDomainXML } from "../../../conf/domain/mod.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * const dimm = parse("<memory model='dimm'><target><size unit='KiB'>131072</size></target></memory>");
 * memoryDeviceBackend(def, dimm, "dimm0", "/run/ram/1-a", []);
 * // [{ "qom-type": "memory-backend-ram", id: "memdimm0", size: 134217728 }]
 * ```
 */
export function memoryDeviceBackend(
  def: DomainDef,
  mem: XmlElement,
  alias: string,
  dir: string,
  hugepages: readonly HugepageFolder[],
): Record<string, unknown>[] {
  const backing = backingOf(def, dir, hugepages);
  const model = mem.attributes.model;
  const source = child(mem, "source");
  const target = child(mem, "target");
  const nodeText = textOf(child(target, "node"));
  const node = nodeText === undefined ? undefined : Number(nodeText);
  const cell = node === undefined ? undefined : children(
    def.cpu?.extra.find((e) => e.name === "numa"),
    "cell",
  ).find((c) => Number(c.attributes.id) === node);
  const kib = (el: XmlElement | undefined) => Number(textOf(el) ?? 0);
  const pagesize = kib(child(source, "pagesize"));
  const huge = pagesize
    ? (pagesize === SYSTEM_PAGE_KIB ? undefined : pagesize)
    : backing.hugepages && hugepageSize(backing.hugepages, node);
  const pmem = !!child(source, "pmem");
  const path = textOf(child(source, "path"));
  const nodemask = textOf(child(source, "nodemask"));
  const mode = numaBinding(def, node)?.mode ?? "strict";
  const nodes = nodemask
    ? (POLICY[mode] ? { "host-nodes": parseBitmap(nodemask), policy: POLICY[mode] } : {})
    : bindingProps(def, node);
  return backendObjects(
    `mem${alias}`,
    kib(child(target, "size")),
    backing,
    {
      access: mem.attributes.access ?? cell?.attributes.memAccess,
      discard: mem.attributes.discard ?? cell?.attributes.discard,
      hugepageKiB: huge,
    },
    nodes,
    {
      alias,
      path,
      preallocPath: !pmem && model !== "virtio-pmem",
      virtioMem: model === "virtio-mem",
      alignKiB: kib(child(source, "alignsize")),
      pmem,
    },
  );
}

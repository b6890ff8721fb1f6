/**
 * A disk's backing chain as libvirt's `virStorageSource` list keeps it (top first): read from
 * and written to the disk's `<source>` / nested `<backingStore>` elements, looked up as
 * `virStorageSourceChainLookup` does ("vda[2]", a path, or the bottom), and each layer's QEMU
 * format node found through `query-named-block-nodes`.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { child, element, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { nextSourceIndex } from "./device_disk.ts";

/** One image of a chain. */
export interface Layer {
  file: string;
  format: string;
  /** libvirt's source index (`index='N'`, the N of `vda[N]`) in the live XML. */
  index?: number;
  /** The qcow2 metadata cache bound in bytes (`<metadata_cache><max_size>`), QEMU's cache-size. */
  cacheSize?: number;
}

/**
 * The metadata cache bound of the source whose `<driver>` (the disk's) or `<format>` (a chain
 * member's) is `el`, in bytes as the parsed definition writes it; undefined without one.
 *
 * @example
 * ```ts
 * import { metadataCacheSize } from "./block_chain.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * metadataCacheSize(parse(
 *   "<driver><metadata_cache><max_size unit='bytes'>4096</max_size></metadata_cache></driver>",
 * )); // 4096
 * ```
 */
export function metadataCacheSize(el: XmlElement | undefined): number | undefined {
  const text = textOf(child(child(el, "metadata_cache"), "max_size"));
  return text ? Number(text) : undefined;
}

/** A disk's target name. */
export const dstOf = (disk: XmlElement): string => child(disk, "target")!.attributes.dev;

const num = (v: string | undefined) => v === undefined ? undefined : Number(v);

/**
 * The chain of a file disk (or of a volume disk whose volume is at `file`), top first; empty
 * for a disk without a medium.
 *
 * @example
 * ```ts
 * import { diskChain } from "./block_chain.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * diskChain(disk).map((l) => l.file); // ["/i/vda.s1", "/i/vda.qcow2"]
 * ```
 */
export function diskChain(disk: XmlElement, file?: string): Layer[] {
  const source = child(disk, "source")?.attributes;
  const top = file ?? source?.file;
  if (!top) return [];
  const out: Layer[] = [{
    file: top,
    format: child(disk, "driver")?.attributes.type ?? "raw",
    index: num(source?.index),
    cacheSize: metadataCacheSize(child(disk, "driver")),
  }];
  for (let b = child(disk, "backingStore"); b?.attributes.type; b = child(b, "backingStore")) {
    const file = child(b, "source")?.attributes.file;
    if (!file) break;
    out.push({
      file,
      format: child(b, "format")?.attributes.type ?? "raw",
      index: num(b.attributes.index),
      cacheSize: metadataCacheSize(child(b, "format")),
    });
  }
  return out;
}

/**
 * Writes `chain` into the disk: its top as `<source>` (and the driver's format), the rest as
 * nested `<backingStore>`; the live XML carries the indexes and ends a known chain with an
 * empty `<backingStore/>`, as libvirt's does; the persistent XML does neither.
 *
 * @example
 * ```ts
 * import { writeChain } from "./block_chain.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * writeChain(disk, [{ file: "/i/a.s1", format: "qcow2", index: 2 }], true);
 * ```
 */
export function writeChain(disk: XmlElement, chain: Layer[], live: boolean): void {
  const [top, ...below] = chain;
  const driver = child(disk, "driver");
  if (driver) driver.attributes = { ...driver.attributes, type: top.format };
  const source = child(disk, "source")!;
  const { index: _index, ...rest } = source.attributes;
  source.attributes = {
    ...rest,
    file: top.file,
    ...(live && top.index ? { index: `${top.index}` } : {}),
  };
  const tail = backingStores(below, live);
  const kids = disk.children.filter((c) => !(c.type === "element" && c.name === "backingStore"));
  const at = kids.indexOf(source) + 1;
  disk.children = tail ? [...kids.slice(0, at), tail, ...kids.slice(at)] : kids;
}

/**
 * The nested `<backingStore>` of `layers`; a live one ends with an empty element.
 *
 * @example
 * ```ts
 * import { backingStores } from "./block_chain.ts";
 * backingStores([{ file: "/i/base.img", format: "raw", index: 3 }], true)?.name; // "backingStore"
 * ```
 */
export function backingStores(layers: Layer[], live: boolean): XmlElement | undefined {
  let tail: XmlElement | undefined = live ? element("backingStore") : undefined;
  for (const layer of layers.toReversed()) {
    tail = element("backingStore", { type: "file", index: live ? layer.index : undefined }, [
      element("format", { type: layer.format }),
      element("source", { file: layer.file }),
      tail,
    ]);
  }
  return tail;
}

/** A block job's destination as the live XML shows it. */
export interface Mirror {
  /** The destination's chain, top first. */
  chain: Layer[];
  /** libvirt's job name: `copy` or `active-commit`. */
  job: string;
  ready: boolean;
}

/**
 * Sets or clears the `<mirror>` of a disk (the destination of a block job that pivots).
 *
 * @example
 * ```ts
 * import { writeMirror } from "./block_chain.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * writeMirror(disk, undefined); // removes it
 * ```
 */
export function writeMirror(disk: XmlElement, mirror: Mirror | undefined): void {
  const kids = disk.children.filter((c) => !(c.type === "element" && c.name === "mirror"));
  if (mirror) {
    const { chain: [top, ...below], job, ready } = mirror;
    // A copy's destination also goes by the attributes of libvirt's first format, and shows
    // its chain; an active commit's is a layer of the disk's own chain.
    const copy = job === "copy";
    const el = element("mirror", {
      type: "file",
      file: copy ? top.file : undefined,
      format: copy ? top.format : undefined,
      job,
      ready: ready ? "yes" : undefined,
    }, [
      element("format", { type: top.format }),
      element("source", { file: top.file, index: top.index }),
      copy && backingStores(below, true),
    ]);
    const target = kids.findIndex((c) => c.type === "element" && c.name === "target");
    kids.splice(target < 0 ? kids.length : target, 0, el);
  }
  disk.children = kids;
}

const invalid = (message: string) => VirError.report("STORAGE", "INVALID_ARG", message);

/**
 * `virStorageSourceChainLookup`: the layer `name` names ("vda[2]", a path, or, undefined, the
 * bottom of the chain) at or below `startFrom`'s backing; libvirt's errors when there is none.
 *
 * @example
 * ```ts
 * import { chainLookup } from "./block_chain.ts";
 * const chain = [{ file: "/a.s1", format: "qcow2", index: 2 }, { file: "/a", format: "raw", index: 1 }];
 * chainLookup(chain, "vda", undefined, "vda[1]"); // 1
 * ```
 */
export function chainLookup(
  chain: Layer[],
  dst: string,
  startFrom: number | undefined,
  name: string | undefined,
): number {
  const m = name?.match(/^(.+)\[(\d+)\]$/);
  const idx = m ? Number(m[2]) : 0;
  if (m && idx && m[1] !== dst) {
    throw invalid(`requested target '${m[1]}' does not match target '${dst}'`);
  }
  let i = startFrom === undefined ? 0 : startFrom + 1;
  for (; i < chain.length; i++) {
    if (!name) {
      if (i === chain.length - 1) return i;
    } else if (idx) {
      if (chain[i].index === idx) return i;
    } else if (chain[i].file === name) return i;
  }
  if (idx) throw invalid(`could not find backing store index '${idx}' in chain for '${dst}'`);
  if (name && startFrom !== undefined) {
    throw invalid(
      `could not find image '${name}' beneath '${chain[startFrom].file}' in chain for '${dst}'`,
    );
  }
  if (name) throw invalid(`could not find image '${name}' in chain for '${dst}'`);
  throw invalid(`could not find base image in chain for '${dst}'`);
}

/** `query-named-block-nodes` entries (the fields used). */
interface NamedNode {
  "node-name": string;
  drv: string;
  file: string;
}

/**
 * The format node QEMU opened for each layer (by file; a protocol node `file` is not one).
 *
 * @example
 * ```ts
 * import { formatNodes } from "./block_chain.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * const nodes = await formatNodes(monitor, [{ file: "/a", format: "raw" }]); // ["#block123"]
 * ```
 */
export async function formatNodes(mon: QemuMonitor, chain: Layer[]): Promise<string[]> {
  const nodes = await mon.run<NamedNode[]>("query-named-block-nodes", { flat: true });
  return chain.map((l) => {
    const node = nodes.find((n) => n.file === l.file && n.drv !== "file");
    if (!node) {
      throw VirError.report("QEMU", "INTERNAL_ERROR", `no block node for '${l.file}'`);
    }
    return node["node-name"];
  });
}

/** The last source index handed out, per QEMU process (libvirt's `nodenameindex`). */
const lastIndex = new WeakMap<object, number>();

/**
 * A new source index for a node of the running domain: past every index its disks' chains and
 * job destinations show and past every one handed out to its QEMU before (libvirt's counter
 * never goes back, so a layer committed away leaves its number unused).
 *
 * @example
 * ```ts
 * import { newSourceIndex } from "./block_chain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * newSourceIndex(obj); // 2 for a domain started with one disk
 * ```
 */
export function newSourceIndex(obj: QemuDomainObj): number {
  const disks = obj.def.devices.other.filter((d) => d.name === "disk");
  let max = nextSourceIndex(obj.def) - 1;
  for (const d of disks) {
    for (const l of diskChain(d)) max = Math.max(max, l.index ?? 0);
    const mirror = child(child(d, "mirror"), "source")?.attributes.index;
    if (mirror) max = Math.max(max, Number(mirror));
  }
  const n = Math.max(max, lastIndex.get(obj.proc!) ?? 0) + 1;
  lastIndex.set(obj.proc!, n);
  return n;
}

/**
 * Notes the last source index the command line of `proc` used, so that nodes added later get
 * new numbers, as libvirt's `nodenameindex` goes on from the start's.
 *
 * @example
 * ```ts
 * import { startedSourceIndex } from "./block_chain.ts";
 * declare const proc: object;
 * startedSourceIndex(proc, 7);
 * ```
 */
export function startedSourceIndex(proc: object, last: number): void {
  lastIndex.set(proc, Math.max(last, lastIndex.get(proc) ?? 0));
}

/** `query-block` entries (the fields used). */
interface BlockInfo {
  qdev?: string;
  inserted?: { image?: QmpImage };
}

interface QmpImage {
  filename?: string;
  format?: string;
  "backing-image"?: QmpImage;
}

/**
 * The chain of a disk of a running domain: as its live XML has it (the start reads every
 * chain), else, for a hot-plugged disk whose backing images QEMU opened itself, probed from
 * QEMU's view of the image (`query-block`) and written into the live XML, the backing images
 * with new indexes.
 *
 * @example
 * ```ts
 * import { liveChain } from "./block_chain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * (await liveChain(obj, disk)).length;
 * ```
 */
export async function liveChain(obj: QemuDomainObj, disk: XmlElement): Promise<Layer[]> {
  const known = diskChain(disk);
  if (!obj.proc || !known.length || child(disk, "backingStore")) return known;
  const alias = child(disk, "alias")?.attributes.name;
  const blocks = await obj.proc.monitor.run<BlockInfo[]>("query-block");
  const entry = blocks.find((b) =>
    b.qdev === alias || b.qdev === `/machine/peripheral/${alias}/virtio-backend`
  );
  const chain = [...known];
  for (let img = entry?.inserted?.image?.["backing-image"]; img; img = img["backing-image"]) {
    if (!img.filename) break;
    chain.push({ file: img.filename, format: img.format ?? "raw", index: newSourceIndex(obj) });
  }
  writeChain(disk, chain, true);
  return chain;
}

/**
 * The persistent disk a change of the live one carries over to: the same target whose chain
 * starts with the same images (`qemuBlockJobGetConfigDisk`, `virStorageSourceIsSameLocation`).
 *
 * @example
 * ```ts
 * import { configDisk } from "./block_chain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * configDisk(obj, disk, 1);
 * ```
 */
export function configDisk(
  obj: QemuDomainObj,
  disk: XmlElement,
  depth: number,
): XmlElement | undefined {
  const dst = child(disk, "target")?.attributes.dev;
  const config = obj.newDef?.devices.other.find((d) =>
    d.name === "disk" && child(d, "target")?.attributes.dev === dst
  );
  if (!config) return undefined;
  const live = diskChain(disk).slice(0, depth).map((l) => l.file);
  const cfg = diskChain(config).slice(0, depth).map((l) => l.file);
  return live.length === cfg.length && live.every((f, i) => f === cfg[i]) ? config : undefined;
}

/**
 * The block nodes of the disks a domain starts with, named as libvirt 9.0 names them: every
 * disk's source gets an index from 1, last disk first (`qemuProcessPrepareDomainStorage`,
 * `qemuDomainPrepareStorageSourceBlockdev`); then each disk's backing chain is read from the
 * image headers (`qemuProcessPrepareHostStorage`, `qemuDomainDetermineDiskChain`), last disk
 * first, each image below the top taking the next index. The live XML shows the indexes and
 * the chain (`<backingStore>`, ended by an empty one), and the command line opens every layer
 * as its own `libvirt-N-storage` / `libvirt-N-format` pair.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { reachedFile } from "../../util/reached_file.ts";
import { readImageHeader } from "../../util/image_header.ts";
import { strerror } from "../../util/strerror.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { backingStores, type Layer } from "./api/block_chain.ts";
import { diskLayers } from "./api/disk_layers.ts";
import { prepareSourceTls } from "./api/disk_backend.ts";

/** libvirt's `max_depth` of a backing chain (`virStorageSourceGetMetadata`'s callers). */
const MAX_DEPTH = 200;

/**
 * The image formats libvirt follows a backing chain in (`VIR_STORAGE_FILE_BACKING` and after);
 * an image of any other format is only checked to exist.
 */
const BACKING_FORMATS = new Set(["cow", "qcow", "qcow2", "qed", "vmdk"]);

const disksOf = (def: DomainDef) => def.devices.other.filter((d) => d.name === "disk");

/**
 * Gives every disk's source and each layer of its given chain its index, last disk first;
 * returns the last index used. A disk without a medium uses up an index too, as libvirt's,
 * but not one whose medium the start dropped for a volume it could not find (`skip`).
 *
 * @example
 * ```ts
 * import { numberDiskSources } from "./disk_chains.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * numberDiskSources(def); // 2 for two disks without backing images
 * ```
 */
export function numberDiskSources(
  def: DomainDef,
  skip: ReadonlySet<XmlElement> = new Set(),
): number {
  let n = 0;
  for (const disk of disksOf(def).toReversed()) {
    if (!skip.has(disk)) numberDiskChain(disk, () => ++n);
  }
  return n;
}

/**
 * Gives a disk's source and each layer of its chain in the XML the next index, top first
 * (`qemuDomainPrepareDiskSourceBlockdev`), and an NBD source its TLS default; a disk without a
 * medium uses an index up all the same.
 *
 * @example
 * ```ts
 * import { numberDiskChain } from "./disk_chains.ts";
 * declare const disk: import("../../util/xml/mod.ts").XmlElement;
 * let n = 0;
 * numberDiskChain(disk, () => ++n);
 * ```
 */
export function numberDiskChain(disk: XmlElement, nextIndex: () => number): void {
  const n = nextIndex();
  // libvirt settles a network source's TLS where it names its nodes.
  prepareSourceTls(disk);
  const source = child(disk, "source");
  if (source) source.attributes = { ...source.attributes, index: `${n}` };
  for (let b = child(disk, "backingStore"); b?.attributes.type; b = child(b, "backingStore")) {
    b.attributes = { ...b.attributes, index: `${nextIndex()}` };
  }
}

/**
 * Reads the backing chain of one disk (a file or block device; a network source is not read)
 * whose XML does not give it, each image below the given chain taking `nextIndex()`, and
 * writes it into the disk, ended as libvirt's live XML ends it. The start does this for every
 * disk; a hot-plug for its disk, so that every layer gets its own nodes either way.
 *
 * @example
 * ```ts
 * import { probeDiskChain } from "./disk_chains.ts";
 * declare const disk: import("../../util/xml/mod.ts").XmlElement;
 * let n = 4;
 * await probeDiskChain(disk, undefined, () => ++n);
 * ```
 */
export async function probeDiskChain(
  disk: XmlElement,
  volume: string | undefined,
  nextIndex: () => number,
): Promise<void> {
  const type = disk.attributes.type;
  if (type === "network" || (type === "volume" && volume === undefined)) return;
  const chain = diskLayers(disk, volume);
  if (!chain.length) return;
  await checkDeclaredChain(chain);
  if (terminated(disk)) return;
  // An image without backing support is not read: its chain ends at it.
  const below = BACKING_FORMATS.has(chain[0].format)
    ? await backingOf(chain.at(-1)!, chain.length, nextIndex)
    : [];
  const given = chain.slice(1);
  const tail = backingStores([...given, ...below], true)!;
  const kids = disk.children.filter((c) => !(c.type === "element" && c.name === "backingStore"));
  const at = kids.indexOf(child(disk, "source")!) + 1;
  disk.children = [...kids.slice(0, at), tail, ...kids.slice(at)];
}

/**
 * The access checks `qemuDomainDetermineDiskChain` makes before it reads any header: an image of
 * a format without backing files must exist (reported without the ids: libvirt has not opened
 * its storage backend yet); of the others, every layer the XML gives a layer below must. The
 * chain's last given layer is checked when its header is read.
 */
async function checkDeclaredChain(chain: readonly Layer[]): Promise<void> {
  const [top] = chain;
  if (!BACKING_FORMATS.has(top.format)) {
    await Deno.stat(top.file).catch((err) => {
      throw brokenChain(err, top.file, undefined, false);
    });
    return;
  }
  for (const layer of chain.slice(0, -1)) {
    await Deno.stat(layer.file).catch((err) => {
      throw brokenChain(err, layer.file, layer === top ? undefined : top.file);
    });
  }
}

/**
 * libvirt's `virStorageSourceReportBrokenChain`: the image `file` (below `parent`, when given)
 * cannot be reached, as the driver's user and group where its storage backend was opened.
 */
function brokenChain(err: unknown, file: string, parent?: string, ids = true): VirError {
  const what = parent === undefined
    ? `Cannot access storage file '${file}'`
    : `Cannot access backing file '${file}' of storage file '${parent}'`;
  const as = ids ? ` (as uid:${Deno.uid()}, gid:${Deno.gid()})` : "";
  return reachedFile(VirError.report("STORAGE", "SYSTEM_ERROR", `${what}${as}: ${strerror(err)}`));
}

/**
 * Reads the header of a layer of a chain as `virStorageSourceGetMetadataRecurseReadHeader`
 * does: a layer that is not there is a broken chain below `parent` (the layer the read started
 * from, itself when it is the first), one that does not open or read is named as such.
 */
async function readLayerHeader(file: string, parent: string) {
  const info = await Deno.stat(file).catch((err) => {
    throw brokenChain(err, file, file === parent ? undefined : parent);
  });
  const failed = (message: string) =>
    reachedFile(VirError.report("STORAGE", "SYSTEM_ERROR", message));
  if (info.isDirectory) throw failed(`cannot read header '${file}': Is a directory`);
  return await readImageHeader(file).catch((err) => {
    throw failed(`Failed to open file '${file}': ${strerror(err)}`);
  });
}

/** Whether the disk's XML ends its chain itself (an empty `<backingStore/>` at the bottom). */
function terminated(disk: XmlElement): boolean {
  let b = child(disk, "backingStore");
  while (b?.attributes.type) b = child(b, "backingStore");
  return b !== undefined;
}

/**
 * The images below `layer`, read from the headers (`virStorageSourceGetMetadataRecurse`),
 * `layer` itself included. A backing image whose format the header does not record is probed,
 * and refused if it has a backing image itself.
 */
async function backingOf(
  layer: Layer,
  depth: number,
  nextIndex: () => number,
): Promise<Layer[]> {
  const out: Layer[] = [];
  let top = layer;
  for (let d = depth;; d++) {
    if (d > MAX_DEPTH) {
      throw VirError.report(
        "STORAGE",
        "INTERNAL_ERROR",
        `backing store for ${top.file} is self-referential or too deeply nested`,
      );
    }
    const header = await readLayerHeader(top.file, layer.file);
    if (top.format !== "qcow2" || !header.backing) break;
    let format = header.backing.format;
    if (!format) {
      const probed = await readImageHeader(header.backing.path).catch(() => undefined);
      if (probed?.backing) {
        throw VirError.report(
          "STORAGE",
          "OPERATION_INVALID",
          `format of backing image '${header.backing.path}' of image '${top.file}' was not ` +
            "specified in the image metadata (See https://libvirt.org/kbase/backing_chains.html " +
            "for troubleshooting)",
        );
      }
      format = probed?.format ?? "raw";
    }
    top = { file: header.backing.path, format, index: nextIndex() };
    out.push(top);
  }
  return out;
}

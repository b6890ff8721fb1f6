/**
 * A new image node of a running QEMU as libvirt 9.0 makes one for a snapshot overlay or a copy
 * destination (`qemuBlockStorageSourceCreate`): the file created empty by the driver,
 * `blockdev-add` of its storage node, a `blockdev-create` job formatting it as qcow2 (sized as
 * the image it stands for, over its backing file), `blockdev-add` of the format node; or, for
 * an existing image, the two nodes only. What was added is taken back on failure.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import type { Layer } from "./block_chain.ts";
import { diskNodes } from "./device_disk.ts";
import { runQmpJob } from "./qmp_job.ts";

/** The image to add. */
export interface ImageSpec {
  /** The image, with its source index (which names its nodes). */
  layer: Layer;
  /** Use the file as it is (REUSE_EXT): nothing is created or formatted. */
  reuse: boolean;
  /** The node whose virtual size the new image gets. */
  sizeOf: string;
  /** That node's size, when the caller asked QEMU already (a backup asks once for all). */
  template?: ImageTemplate;
  /** The backing file written into the new image's header. */
  backingFile?: Layer;
  /** The format node's `backing`: a node, or null to open none. */
  backingNode: string | null;
}

/** What {@link addImage} did, for {@link dropImage}. */
export interface AddedImage {
  nodes: string[];
  /** The file, when this driver created it. */
  created?: string;
}

/**
 * Adds the image's nodes, making and formatting the file first unless reused; `added` records
 * each step as it succeeds.
 *
 * @example
 * ```ts
 * import { addImage } from "./block_image.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * const added = { nodes: [] };
 * await addImage(monitor, {
 *   layer: { file: "/i/vda.s1", format: "qcow2", index: 2 },
 *   reuse: false,
 *   sizeOf: "#block123",
 *   backingFile: { file: "/i/vda.qcow2", format: "qcow2" },
 *   backingNode: null,
 * }, added);
 * ```
 */
export async function addImage(
  mon: QemuMonitor,
  spec: ImageSpec,
  added: AddedImage,
): Promise<void> {
  const { layer, reuse } = spec;
  const nodes = diskNodes(layer.index!);
  if (!reuse && !(await exists(layer.file))) {
    // libvirt creates the file itself so that it can label it before QEMU opens it; an empty
    // file already there is formatted as it is.
    await Deno.writeFile(layer.file, new Uint8Array(), { createNew: true });
    added.created = layer.file;
  }
  await mon.run("blockdev-add", {
    driver: "file",
    filename: layer.file,
    "node-name": nodes.storage,
    "auto-read-only": true,
    discard: "unmap",
  });
  added.nodes.push(nodes.storage);
  if (!reuse) {
    const { size, clusterSize } = spec.template ??
      templateImages(
        await mon.run<NamedNode[]>("query-named-block-nodes", { flat: true }),
        [spec.sizeOf],
      )[0];
    const backing = spec.backingFile;
    await runQmpJob(mon, "blockdev-create", `create-${nodes.format}`, {
      options: {
        driver: "qcow2",
        file: nodes.storage,
        size,
        // A qcow2 image's cluster size carries over to the qcow2 made in its place.
        ...(clusterSize ? { "cluster-size": clusterSize } : {}),
        ...(backing ? { "backing-file": backing.file, "backing-fmt": backing.format } : {}),
      },
    }, (error) => `failed to format image: '${error}'`);
  }
  await mon.run("blockdev-add", {
    "node-name": nodes.format,
    "read-only": false,
    driver: layer.format,
    file: nodes.storage,
    ...(layer.format === "qcow2" ? { backing: spec.backingNode } : {}),
  });
  added.nodes.push(nodes.format);
}

/**
 * Takes back what {@link addImage} did: its nodes (top first), then the file it created.
 *
 * @example
 * ```ts
 * import { dropImage } from "./block_image.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await dropImage(monitor, { nodes: ["libvirt-2-storage"], created: "/i/vda.s1" });
 * ```
 */
export async function dropImage(mon: QemuMonitor, added: AddedImage): Promise<void> {
  for (const node of added.nodes.toReversed()) {
    await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
  }
  if (added.created) await Deno.remove(added.created).catch(() => {});
}

/** libvirt's words for the checks of a new image's file, which differ by caller. */
export interface ImageFileWords {
  /** The file cannot be looked at. */
  statFailed: string;
  /** A reused file is missing. */
  missing: string;
  /** The file is not a regular one. */
  notFile: string;
  /** A file to create holds data already. */
  exists: string;
}

/**
 * `qemuSnapshotPrepareDiskExternal` / `qemuDomainBlockCopyValidateMirror` for a local file:
 * a reused file must exist, a new one may only be an empty regular file.
 *
 * @example
 * ```ts
 * import { checkImageFile } from "./block_image.ts";
 * checkImageFile("/i/vda.s1", false, {
 *   statFailed: "unable to stat for disk vda: /i/vda.s1",
 *   missing: "missing existing file for disk vda: /i/vda.s1",
 *   notFile: "not a file",
 *   exists: "external snapshot file for disk vda already exists and is not a block device: /i/vda.s1",
 * });
 * ```
 */
export function checkImageFile(file: string, reuse: boolean, words: ImageFileWords): void {
  let stat: Deno.FileInfo;
  try {
    stat = Deno.statSync(file);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw VirError.report("QEMU", "SYSTEM_ERROR", `${words.statFailed}: ${strerror(err)}`);
    }
    if (reuse) throw VirError.report("QEMU", "SYSTEM_ERROR", `${words.missing}: ${strerror(err)}`);
    return;
  }
  if (!stat.isFile) throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", words.notFile);
  if (!reuse && stat.size > 0) throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", words.exists);
}

const exists = (file: string) =>
  Deno.lstat(file).then(() => true, (err) => {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  });

/** What a new image takes from the node it stands for. */
export interface ImageTemplate {
  size: number;
  clusterSize?: number;
}

/** A `query-named-block-nodes` entry (the fields used). */
export interface NamedNode {
  "node-name": string;
  drv?: string;
  image?: { "virtual-size": number; "cluster-size"?: number };
}

/**
 * The virtual size of each format node of `nodes`, and its cluster size when it is a qcow2 one
 * (`qemuBlockStorageSourceCreateDetectSize`), from one `query-named-block-nodes` answer.
 *
 * @example
 * ```ts
 * import { templateImages } from "./block_image.ts";
 * templateImages([{ "node-name": "n", drv: "raw", image: { "virtual-size": 4096 } }], ["n"]);
 * // [{ size: 4096, clusterSize: undefined }]
 * ```
 */
export function templateImages(named: NamedNode[], nodes: string[]): ImageTemplate[] {
  return nodes.map((node) => {
    const entry = named.find((n) => n["node-name"] === node);
    const size = entry?.image?.["virtual-size"];
    if (size === undefined) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `failed to update capacity data for block node '${node}'`,
      );
    }
    return {
      size,
      clusterSize: entry?.drv === "qcow2" ? entry.image?.["cluster-size"] : undefined,
    };
  });
}

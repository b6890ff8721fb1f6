/**
 * Write thresholds on a running domain's disk images (`qemuDomainSetBlockThreshold`,
 * `block-set-write-threshold` on the image's storage node) and the `BLOCK_THRESHOLD` events QEMU's
 * `BLOCK_WRITE_THRESHOLD` becomes (`qemuProcessHandleBlockThreshold`): one for the disk when its
 * top image was named without an index, one for `vda[N]` when the image has a source index.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { diskChain, dstOf, type Layer } from "./block_chain.ts";
import { diskNodes } from "./device_disk.ts";
import type { EventHost } from "./events_qmp.ts";

/** The storage nodes whose threshold was set with an explicit index (`thresholdEventWithIndex`). */
const withIndex = new WeakMap<QemuDomainObj, Set<string>>();

const invalidArg = (message: string) => VirError.report("QEMU", "INVALID_ARG", message);

const diskList = (obj: QemuDomainObj) => obj.def.devices.other.filter((d) => d.name === "disk");

/** `virStorageFileParseBackingStoreStr`: `vda` or `vda[N]`, else undefined. */
function parseDevstr(devstr: string): { target: string; index: number } | undefined {
  const open = devstr.indexOf("[");
  if (open < 0) return { target: devstr, index: 0 };
  const m = /^\s*(\d+)\]$/.exec(devstr.slice(open + 1));
  if (!m || Number(m[1]) > 0xffffffff) return undefined;
  return { target: devstr.slice(0, open), index: Number(m[1]) };
}

/** `qemuDomainGetStorageSourceByDevstr`: the image `devstr` names, with libvirt's errors. */
function imageByDevstr(obj: QemuDomainObj, devstr: string): Layer {
  const parsed = parseDevstr(devstr);
  if (!parsed) throw invalidArg(`failed to parse block device '${devstr}'`);
  const disk = diskList(obj).find((d) => dstOf(d) === parsed.target);
  if (!disk) throw invalidArg(`failed to find disk '${parsed.target}'`);
  const chain = chainOf(disk);
  const layer = parsed.index === 0 ? chain[0] : chain.find((l) => l.index === parsed.index);
  if (!layer) throw invalidArg(`failed to find disk '${devstr}'`);
  return layer;
}

/**
 * `qemuDomainSetBlockThreshold`: a `BLOCK_THRESHOLD` event once the guest writes past
 * `threshold` bytes of the image `dev` names (`vda`, or `vda[N]` for the image of source index
 * N); 0 clears it.
 *
 * @example
 * ```ts
 * import { setBlockThreshold } from "./block_threshold.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setBlockThreshold(obj, "vda", 1 << 30, 0);
 * ```
 */
export function setBlockThreshold(
  obj: QemuDomainObj,
  dev: string,
  threshold: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainSetBlockThreshold", "QEMU");
  return obj.job.run(async () => {
    checkActive(obj);
    const layer = imageByDevstr(obj, dev);
    // A disk without blockdev nodes of its own (no source index) has no node to watch.
    if (layer.index === undefined) {
      throw VirError.report("QEMU", "INTERNAL_ERROR", `no block node for '${dev}'`);
    }
    const node = diskNodes(layer.index).storage;
    await obj.proc!.monitor.run("block-set-write-threshold", {
      "node-name": node,
      "write-threshold": threshold,
    });
    const set = withIndex.get(obj) ?? new Set();
    if (dev.includes("[")) set.add(node);
    else set.delete(node);
    withIndex.set(obj, set);
  });
}

/**
 * `qemuProcessHandleBlockThreshold`: QEMU's `BLOCK_WRITE_THRESHOLD` as libvirt's
 * `BLOCK_THRESHOLD` events (`dev`, the image's `path`, `threshold`, `excess`).
 *
 * @example
 * ```ts
 * import { blockThresholdEvent } from "./block_threshold.ts";
 * declare const host: import("./events_qmp.ts").EventHost;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * blockThresholdEvent(host, obj, { "node-name": "libvirt-1-storage", "write-threshold": 1024 });
 * ```
 */
export function blockThresholdEvent(
  host: EventHost,
  obj: QemuDomainObj,
  data: Record<string, unknown>,
): void {
  const node = data["node-name"];
  for (const disk of diskList(obj)) {
    const chain = chainOf(disk);
    const at = chain.findIndex((l) =>
      l.index !== undefined &&
      [diskNodes(l.index).storage, diskNodes(l.index).format].includes(String(node))
    );
    if (at < 0) continue;
    const layer = chain[at];
    const event = (dev: string) =>
      host.emitOther(obj, VIR.DOMAIN_EVENT_ID_BLOCK_THRESHOLD, {
        dev,
        path: isLocal(disk) ? layer.file : null,
        threshold: Number(data["write-threshold"] ?? 0),
        excess: Number(data["amount-exceeded"] ?? 0),
      });
    if (at === 0 && !withIndex.get(obj)?.has(diskNodes(layer.index!).storage)) {
      event(dstOf(disk));
    }
    if (layer.index) event(`${dstOf(disk)}[${layer.index}]`);
    return;
  }
}

/** `virStorageSourceIsLocalStorage`: an image on this host's file system (file or block). */
function isLocal(disk: XmlElement): boolean {
  return ["file", "block"].includes(disk.attributes.type ?? "file");
}

/** The disk's images, top first, a host block device's too. */
const chainOf = (disk: XmlElement): Layer[] =>
  diskChain(disk, child(disk, "source")?.attributes.dev);

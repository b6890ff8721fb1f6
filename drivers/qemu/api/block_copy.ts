/**
 * `virDomainBlockCopy` (and `virDomainBlockRebase` with COPY) of libvirt 9.0's QEMU driver
 * (`qemuDomainBlockCopyCommon`): a new qcow2 destination made by QEMU (`blockdev-add` of the
 * file, a `blockdev-create` job, `blockdev-add` of the format node, over the disk's backing
 * chain for a shallow copy) or an existing one reused, then `blockdev-mirror` from the disk's
 * top. The live XML shows the destination as `<mirror job='copy'>`; once ready, the job pivots
 * (`job-complete`, the disk then runs on the copy) or is cancelled (the copy is left as is).
 * A persistent domain copies only as a transient job, as in libvirt.
 *
 * @module
 */
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, parse } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import {
  dstOf,
  formatNodes,
  type Layer,
  liveChain,
  newSourceIndex,
  writeMirror,
} from "./block_chain.ts";
import { diskByName, invalidArg, jobName, speedOf } from "./block_job.ts";
import { diskBusy, jobsOf, register } from "./block_job_state.ts";
import { checkBlockJobSupported } from "./block_job_support.ts";
import { diskNodes } from "./device_disk.ts";
import { type AddedImage, addImage, checkImageFile, dropImage } from "./block_image.ts";

const E = VIR;
const unsupported = (msg: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", msg);

/** The typed parameters of `virDomainBlockCopy` and their types. */
const COPY_PARAMS: Record<string, string> = {
  bandwidth: "ullong",
  granularity: "uint",
  "buf-size": "ullong",
};

/** The destination a caller names: a file and its format (unset: the disk's). */
export interface CopyDest {
  file: string;
  format?: string;
}

/**
 * `virDomainDiskDefParseSource` for a copy's destination: a file disk's `<source file>` and
 * `<driver type>`.
 *
 * @example
 * ```ts
 * import { parseCopyDest } from "./block_copy.ts";
 * parseCopyDest("<disk type='file'><source file='/c.qcow2'/><driver type='qcow2'/></disk>");
 * ```
 */
export function parseCopyDest(xml: string): CopyDest {
  const disk = parse(xml, { context: "(disk_definition)", errorDomain: "DOMAIN" });
  const type = disk.attributes.type ?? "file";
  if (type !== "file") {
    throw unsupported(`block copy to a '${type}' destination is not supported by this QEMU driver`);
  }
  const file = child(disk, "source")?.attributes.file;
  if (!file) throw invalidArg("block copy destination has no source file");
  return { file, format: child(disk, "driver")?.attributes.type };
}

/**
 * Starts the copy of disk `path` to `dest` (libvirt's `qemuDomainBlockCopyCommon`).
 *
 * @example
 * ```ts
 * import { blockCopy } from "./block_copy.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockCopy(state, obj, "vda", { file: "/c.qcow2", format: "qcow2" }, {}, 0);
 * ```
 */
export async function blockCopy(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  dest: CopyDest,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_BLOCK_COPY_SHALLOW | E.DOMAIN_BLOCK_COPY_REUSE_EXT |
      E.DOMAIN_BLOCK_COPY_TRANSIENT_JOB | E.DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES,
    "qemuDomainBlockCopy",
    "QEMU",
  );
  // virTypedParamsValidate: bandwidth and buf-size are ullong, granularity uint.
  for (const [name, value] of Object.entries(params)) {
    const want = COPY_PARAMS[name];
    if (!want) {
      throw VirError.report("NONE", "ARGUMENT_UNSUPPORTED", `parameter '${name}' not supported`);
    }
    if (typeof value !== "number") {
      throw VirError.report(
        "NONE",
        "INVALID_ARG",
        `invalid type '${typeof value}' for parameter '${name}', expected '${want}'`,
      );
    }
  }
  const bandwidth = Number(params.bandwidth ?? 0);
  const granularity = params.granularity === undefined ? undefined : Number(params.granularity);
  const bufSize = params["buf-size"] === undefined ? undefined : Number(params["buf-size"]);
  if (granularity !== undefined && (granularity & (granularity - 1)) !== 0) {
    throw invalidArg("granularity must be power of 2");
  }
  if (!dest.file.startsWith("/")) {
    throw invalidArg("absolute path must be used as block copy target");
  }
  await obj.job.run(async () => {
    checkActive(obj);
    const disk = diskByName(obj, path);
    const dst = dstOf(disk);
    diskBusy(obj, dst);
    checkBlockJobSupported(disk);
    if (!(flags & E.DOMAIN_BLOCK_COPY_TRANSIENT_JOB) && obj.persistent) {
      throw VirError.report("QEMU", "OPERATION_INVALID", "domain is not transient");
    }
    const chain = await liveChain(obj, disk);
    if (!chain.length) {
      throw unsupported(`disk ${dst} has no source file to be copied`);
    }
    // Without a backing chain a shallow copy is a full one (libvirt drops the flag).
    const shallow = (flags & E.DOMAIN_BLOCK_COPY_SHALLOW) !== 0 && chain.length > 1;
    const reuse = (flags & E.DOMAIN_BLOCK_COPY_REUSE_EXT) !== 0;
    const format = dest.format ?? chain[0].format;
    if (shallow && !reuse && format === "raw") {
      throw unsupported(`shallow copy of disk '${dst}' into a raw file is not possible`);
    }
    if (shallow && reuse) {
      throw unsupported(
        "a shallow copy to an existing destination is not supported by this QEMU driver",
      );
    }
    if (format !== "qcow2" && !reuse) {
      throw unsupported(
        `block copy to a new '${format}' file is not supported by this QEMU driver`,
      );
    }
    // qemuDomainBlockCopyValidateMirror.
    checkImageFile(dest.file, reuse, {
      statFailed: "unable to verify existence of block copy target",
      missing: `missing destination file for disk ${dst}: ${dest.file}`,
      notFile: `block copy to a non-file destination '${dest.file}' is not supported`,
      exists:
        `external destination file for disk ${dst} already exists and is not a block device: ${dest.file}`,
    });
    const mon = obj.proc!.monitor;
    const [top, ...backing] = await formatNodes(
      mon,
      shallow ? chain.slice(0, 2) : chain.slice(0, 1),
    );
    const mirror: Layer = { file: dest.file, format, index: newSourceIndex(obj) };
    const nodes = diskNodes(mirror.index!);
    const added: AddedImage = { nodes: [] };
    try {
      await addImage(mon, {
        layer: mirror,
        reuse,
        sizeOf: top,
        backingFile: shallow ? chain[1] : undefined,
        backingNode: shallow ? backing[0] : null,
      }, added);
      const mirrorChain = shallow ? [mirror, ...chain.slice(1)] : [mirror];
      const job = register(obj, {
        name: jobName("copy", dst, top),
        type: E.DOMAIN_BLOCK_JOB_TYPE_COPY,
        dst,
        plan: { mirror: [mirror], keepTop: 0, fromBase: shallow ? 1 : undefined },
        discard: [nodes.format, nodes.storage],
      });
      try {
        await mon.run("blockdev-mirror", {
          "job-id": job.name,
          device: top,
          target: nodes.format,
          ...(bandwidth ? { speed: speedOf(bandwidth, true) } : {}),
          ...(granularity ? { granularity } : {}),
          ...(bufSize ? { "buf-size": bufSize } : {}),
          sync: shallow ? "top" : "full",
          ...(flags & E.DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES
            ? { "copy-mode": "write-blocking" }
            : {}),
          "auto-finalize": true,
          "auto-dismiss": false,
        });
      } catch (err) {
        jobsOf(obj).delete(dst);
        throw err;
      }
      // QEMU may have reported the job ready before it answered the command.
      writeMirror(disk, { chain: mirrorChain, job: "copy", ready: job.state === "ready" });
    } catch (err) {
      await dropImage(mon, added);
      throw err;
    }
    await s.saveStatus(obj);
  });
}

/**
 * `virDomainBlockRebase` with COPY: a block copy to the file `base` names (raw with COPY_RAW),
 * its SHALLOW and REUSE_EXT the copy's, its bandwidth in MiB/s unless BANDWIDTH_BYTES.
 *
 * @example
 * ```ts
 * import { blockRebaseCopy } from "./block_copy.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockRebaseCopy(state, obj, "vda", "/c.qcow2", 0, 8);
 * ```
 */
export async function blockRebaseCopy(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  base: string,
  bandwidth: number,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_BLOCK_REBASE_SHALLOW | E.DOMAIN_BLOCK_REBASE_REUSE_EXT | E.DOMAIN_BLOCK_REBASE_COPY |
      E.DOMAIN_BLOCK_REBASE_COPY_RAW | E.DOMAIN_BLOCK_REBASE_RELATIVE |
      E.DOMAIN_BLOCK_REBASE_COPY_DEV | E.DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
    "qemuDomainBlockRebase",
    "QEMU",
  );
  if (flags & E.DOMAIN_BLOCK_REBASE_COPY_DEV) {
    throw unsupported("block copy to a block device is not supported by this QEMU driver");
  }
  const speed = speedOf(bandwidth, (flags & E.DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) !== 0);
  if (flags & E.DOMAIN_BLOCK_REBASE_RELATIVE) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      "Relative backing during copy not supported yet",
    );
  }
  const dest = { file: base, format: flags & E.DOMAIN_BLOCK_REBASE_COPY_RAW ? "raw" : undefined };
  // REBASE_SHALLOW and REBASE_REUSE_EXT are COPY_SHALLOW and COPY_REUSE_EXT's bits.
  const copyFlags = flags & (E.DOMAIN_BLOCK_REBASE_SHALLOW | E.DOMAIN_BLOCK_REBASE_REUSE_EXT);
  await blockCopy(s, obj, path, dest, { bandwidth: speed }, copyFlags);
}

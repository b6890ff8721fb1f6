/**
 * Reading raw bytes of a domain (`virsh` has no command; libvirt-python's `blockPeek` /
 * `memoryPeek`): a raw disk's file (`qemuDomainBlockPeek`), or guest memory QEMU dumps to a
 * private file with `memsave` (virtual addresses) or `pmemsave` (physical), as
 * `qemuDomainMemoryPeek` does.
 *
 * @module
 */
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { diskByName } from "./block_job.ts";

/** `size` bytes of `path` from `offset`, fewer at its end. */
async function readAt(path: string, offset: number, size: number): Promise<Uint8Array> {
  const file = await Deno.open(path);
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    const out = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = await file.read(out.subarray(got));
      if (n === null) break;
      got += n;
    }
    return out.subarray(0, got);
  } finally {
    file.close();
  }
}

/**
 * `size` bytes of disk `path` (target or source) from `offset`; raw disks only.
 *
 * @example
 * ```ts
 * import { blockPeek } from "./peek.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await blockPeek(obj, "vda", 0, 512, 0); // the boot sector
 * ```
 */
export async function blockPeek(
  obj: QemuDomainObj,
  path: string,
  offset: number,
  size: number,
  flags: number,
): Promise<number[]> {
  checkFlags(flags, 0, "qemuDomainBlockPeek", "QEMU");
  const disk = diskByName(obj, path);
  if (disk.attributes.type === "vhostuser") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "peeking is not supported for vhostuser disk",
    );
  }
  const format = child(disk, "driver")?.attributes.type ?? "raw";
  if (format !== "raw") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `peeking is only supported for disk with 'raw' format not '${format}'`,
    );
  }
  const source = child(disk, "source")?.attributes;
  const file = source?.file ?? source?.dev;
  let data: Uint8Array = new Uint8Array();
  if (file) {
    try {
      data = await readAt(file, offset, size);
    } catch (err) {
      throw VirError.report(
        "STORAGE",
        "SYSTEM_ERROR",
        `cannot open file '${file}': ${strerror(err)}`,
      );
    }
  }
  if (data.length < size) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `'${path}' starting from ${offset} has only ${data.length} bytes available`,
    );
  }
  return [...data];
}

/**
 * `size` bytes of guest memory from `offset`, virtual or physical as `flags` say (exactly one).
 *
 * @example
 * ```ts
 * import { memoryPeek } from "./peek.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await memoryPeek(state, obj, 0, 16, 2); // VIR_MEMORY_PHYSICAL
 * ```
 */
export async function memoryPeek(
  s: QemuDriverState,
  obj: QemuDomainObj,
  offset: number,
  size: number,
  flags: number,
): Promise<number[]> {
  checkFlags(flags, VIR.MEMORY_VIRTUAL | VIR.MEMORY_PHYSICAL, "qemuDomainMemoryPeek", "QEMU");
  if (flags !== VIR.MEMORY_VIRTUAL && flags !== VIR.MEMORY_PHYSICAL) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL",
    );
  }
  return await obj.job.run(async () => {
    checkActive(obj);
    // QEMU writes the bytes into a file only the driver's user reads, then it goes.
    const tmp = await Deno.makeTempFile({ dir: s.paths.runDir, prefix: "qemu.mem." });
    try {
      await Deno.chmod(tmp, 0o600);
      await obj.proc!.monitor.run(flags === VIR.MEMORY_VIRTUAL ? "memsave" : "pmemsave", {
        val: offset,
        size,
        filename: tmp,
      });
      return [...await readAt(tmp, 0, size)];
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  });
}

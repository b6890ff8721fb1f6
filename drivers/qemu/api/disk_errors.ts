/**
 * `qemuDomainGetDiskErrors` (`virsh domblkerror`): the disks whose QEMU `io-status` (QMP
 * `query-block`) says an I/O error stopped them.
 *
 * @module
 */
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { qdevId } from "./stats_qmp.ts";

/** `qemuMonitorBlockIOStatusToError`. */
const IO_STATUS: Record<string, number> = {
  ok: VIR.DOMAIN_DISK_ERROR_NONE,
  failed: VIR.DOMAIN_DISK_ERROR_UNSPEC,
  nospace: VIR.DOMAIN_DISK_ERROR_NO_SPACE,
};

/**
 * Each disk (by target) in error with its `VIR_DOMAIN_DISK_ERROR_*`; none when all are fine.
 *
 * @example
 * ```ts
 * import { diskErrors } from "./disk_errors.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await diskErrors(obj, 0); // { vda: 2 } after ENOSPC
 * ```
 */
export async function diskErrors(
  obj: QemuDomainObj,
  flags: number,
): Promise<Record<string, number>> {
  checkFlags(flags, 0, "qemuDomainGetDiskErrors", "QEMU");
  return await obj.job.run(async () => {
    checkActive(obj);
    const blocks = await obj.proc!.monitor.run<{ qdev?: string; "io-status"?: string }[]>(
      "query-block",
    );
    const status = new Map(blocks.map((b) => [qdevId(b.qdev), b["io-status"]]));
    const out: Record<string, number> = {};
    for (const disk of obj.def.devices.other.filter((d) => d.name === "disk")) {
      const alias = child(disk, "alias")?.attributes.name;
      const io = status.get(alias);
      const error = io === undefined
        ? VIR.DOMAIN_DISK_ERROR_NONE
        : IO_STATUS[io] ?? VIR.DOMAIN_DISK_ERROR_NONE;
      if (error !== VIR.DOMAIN_DISK_ERROR_NONE) out[child(disk, "target")!.attributes.dev] = error;
    }
    return out;
  });
}

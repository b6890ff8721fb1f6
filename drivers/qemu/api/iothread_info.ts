/**
 * `qemuDomainGetIOThreadInfo` (`virsh iothreadinfo`): the IOThreads QEMU runs
 * (`query-iothreads`, each thread's CPU affinity), or those of the persistent definition
 * (`virDomainDriverGetIOThreadsConfig`).
 *
 * @module
 */
import { parseBitmap } from "../../../conf/domain/bitmap.ts";
import { iothreadIdsOf } from "../../../conf/domain/iothreads.ts";
import { iothreadPinsOf } from "../../../conf/domain/pins.ts";
import { getDefs, isActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainIOThreadInfo } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { cpuMap } from "../pinning.ts";
import { threadAffinity } from "../process/affinity.ts";
import { queryIOThreads } from "../iothread_live.ts";

/**
 * The IOThreads of the running QEMU, or of the persistent definition with `--config`.
 *
 * @example
 * ```ts
 * import { ioThreadInfo } from "./iothread_info.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await ioThreadInfo(obj, 0); // [] without IOThreads
 * ```
 */
export async function ioThreadInfo(
  obj: QemuDomainObj,
  flags: number,
): Promise<DomainIOThreadInfo[]> {
  checkFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
    "qemuDomainGetIOThreadInfo",
    "QEMU",
  );
  const { config } = getDefs(obj, flags);
  if (config) {
    const pins = iothreadPinsOf(config);
    const cpuset = config.vcpu.cpuset ? parseBitmap(config.vcpu.cpuset) : undefined;
    return iothreadIdsOf(config).map((id) => ({
      iothreadId: id,
      cpumap: cpuMap(pins.get(id) ?? cpuset),
    }));
  }
  return await obj.job.run(async () => {
    if (!isActive(obj)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "cannot list IOThreads for an inactive domain",
      );
    }
    const pid = obj.proc!.pid;
    return (await queryIOThreads(obj.proc!.monitor)).map((t) => ({
      iothreadId: t.id,
      cpumap: cpuMap(threadAffinity(pid, t.tid)),
    }));
  });
}

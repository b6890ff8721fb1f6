/**
 * libvirt's `qemuBuildCommandLineValidate` on the session (unprivileged) driver: without cgroups
 * no tuning that needs them can be honoured, so a definition asking for memory limits, a block
 * I/O weight or CPU bandwidth, shares or IOThread quotas is refused at start rather than run
 * without them.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { blkioParameters } from "../../conf/domain/blkio_params.ts";
import { type CputuneValue, cputuneValue } from "../../conf/domain/cputune_sched.ts";
import { MEMTUNE_LIMITS, memtuneLimit } from "../../conf/domain/memtune_limits.ts";
import { MEMORY_UNLIMITED } from "../../util/cgroup/backend.ts";
import { VirError } from "../../util/errors.ts";

/** The `<cputune>` bandwidths libvirt checks; 0 is its unset value. */
const BANDWIDTHS: CputuneValue[] = [
  "period",
  "quota",
  "global_period",
  "global_quota",
  "emulator_period",
  "emulator_quota",
  "iothread_period",
  "iothread_quota",
];

const refuse = (what: string) =>
  VirError.report("QEMU", "CONFIG_UNSUPPORTED", `${what} tuning is not available in session mode`);

/**
 * Refuses, in libvirt's order, the first cgroup tuning of `def` a session driver cannot apply.
 *
 * @example
 * ```ts
 * import { refuseSessionTuning } from "./session_tuning.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * refuseSessionTuning(def); // throws for <cputune><iothread_quota>1000</iothread_quota>
 * ```
 */
export function refuseSessionTuning(def: DomainDef): void {
  if (MEMTUNE_LIMITS.some((name) => memtuneLimit(def, name) < MEMORY_UNLIMITED)) {
    throw refuse("Memory");
  }
  if (Number(blkioParameters(def).weight ?? 0)) throw refuse("Block I/O");
  if (
    cputuneValue(def, "shares") !== undefined ||
    BANDWIDTHS.some((name) => cputuneValue(def, name))
  ) {
    throw refuse("CPU");
  }
}

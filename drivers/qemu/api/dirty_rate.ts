/**
 * The guest's memory dirty rate (libvirt 9.0's `qemuDomainStartDirtyRateCalc` and the
 * `dirtyrate` group of `qemuConnectGetAllDomainStats`): QMP `calc-dirty-rate` starts a
 * measurement of `calc-time` seconds in the mode the flags pick, `query-dirty-rate` reads it
 * back as libvirt's `dirtyrate.*` fields (`qemuMonitorJSONExtractDirtyRateInfo`).
 *
 * @module
 */
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";

const E = VIR;
/** `MIN_DIRTYRATE_CALC_PERIOD` / `MAX_DIRTYRATE_CALC_PERIOD` of qemu_driver.c, in seconds. */
const MIN_PERIOD = 1;
const MAX_PERIOD = 60;
/** `qemuMonitorDirtyRateCalcMode`'s names, by index. */
const MODES = ["page-sampling", "dirty-bitmap", "dirty-ring"];
/** `qemuMonitorDirtyRateStatus`'s names, by VIR_DOMAIN_DIRTYRATE_* value. */
const STATUSES = ["unstarted", "measuring", "measured"];

const internal = (detail: string) => VirError.report("QEMU", "INTERNAL_ERROR", detail);
const unsupported = (detail: string) => VirError.report("QEMU", "OPERATION_UNSUPPORTED", detail);

/** Whether `<features><kvm><dirty-ring state='on'/></kvm></features>` is set. */
function dirtyRingOn(obj: QemuDomainObj): boolean {
  const kvm = child(obj.def.sections.find((s) => s.name === "features"), "kvm");
  return child(kvm, "dirty-ring")?.attributes.state === "on";
}

/**
 * `qemuDomainStartDirtyRateCalc`: `calc-dirty-rate` over `seconds` (1 to 60), page sampling
 * unless the flags ask for the dirty bitmap or, with KVM's dirty ring on, the dirty ring.
 *
 * @example
 * ```ts
 * import { startDirtyRateCalc } from "./dirty_rate.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await startDirtyRateCalc(obj, 1, 0);
 * ```
 */
export async function startDirtyRateCalc(
  obj: QemuDomainObj,
  seconds: number,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING | E.DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP |
      E.DOMAIN_DIRTYRATE_MODE_DIRTY_RING,
    "qemuDomainStartDirtyRateCalc",
    "QEMU",
  );
  if (seconds < MIN_PERIOD || seconds > MAX_PERIOD) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `seconds=${seconds} is invalid, please choose value within [${MIN_PERIOD}, ${MAX_PERIOD}].`,
    );
  }
  checkActive(obj);
  let mode = 0;
  if (flags & E.DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP) mode = 1;
  else if (flags & E.DOMAIN_DIRTYRATE_MODE_DIRTY_RING) {
    if (!dirtyRingOn(obj)) {
      throw unsupported("dirty-ring calculation mode requires dirty-ring feature enabled.");
    }
    mode = 2;
  }
  await obj.job.run(async () => {
    checkActive(obj);
    // libvirt names the mode only when it is not QEMU's default.
    const args = mode ? { "calc-time": seconds, mode: MODES[mode] } : { "calc-time": seconds };
    await obj.proc!.monitor.run("calc-dirty-rate", args);
  });
}

/** The `return` of `query-dirty-rate` this code reads. */
interface QmpDirtyRate {
  status?: unknown;
  "dirty-rate"?: unknown;
  "start-time"?: unknown;
  "calc-time"?: unknown;
  mode?: unknown;
  "vcpu-dirty-rate"?: unknown;
}

/**
 * `qemuMonitorJSONExtractVcpuDirtyRate`: each vCPU's rate in the dirty-ring mode. An entry
 * without its id or rate fails with libvirt's last word on it, which replaces the first.
 */
function vcpuRates(rates: unknown[]): [number, number][] {
  return rates.map((r) => {
    const e = (r ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(e.id) || !Number.isInteger(e["dirty-rate"])) {
      throw internal("query-dirty-rate parsing 'vcpu-dirty-rate' in failure");
    }
    return [e.id as number, e["dirty-rate"] as number];
  });
}

/**
 * `qemuDomainGetStatsDirtyRate`: the last measurement as `dirtyrate.*`; the rate only once
 * measured, per vCPU only in the dirty-ring mode.
 *
 * @example
 * ```ts
 * import { dirtyRateGroup } from "./dirty_rate.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * const params = {};
 * await dirtyRateGroup(obj, params, true); // { "dirtyrate.calc_status": 0, … }
 * ```
 */
export async function dirtyRateGroup(
  obj: QemuDomainObj,
  p: TypedParams,
  monitor: boolean,
): Promise<void> {
  if (!monitor || !isActive(obj)) return;
  const data = await obj.proc!.monitor.run<QmpDirtyRate | null>("query-dirty-rate");
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw internal("query-dirty-rate reply was missing 'return' data");
  }
  if (typeof data.status !== "string") {
    throw internal("query-dirty-rate reply was missing 'status' data");
  }
  const status = STATUSES.indexOf(data.status);
  if (status < 0) throw internal(`Unknown dirty rate status: ${data.status}`);
  const measured = status === E.DOMAIN_DIRTYRATE_MEASURED;
  if (measured && !Number.isInteger(data["dirty-rate"])) {
    throw internal("query-dirty-rate reply was missing 'dirty-rate' data");
  }
  if (!Number.isInteger(data["start-time"])) {
    throw internal("query-dirty-rate reply was missing 'start-time' data");
  }
  if (!Number.isInteger(data["calc-time"])) {
    throw internal("query-dirty-rate reply was missing 'calc-time' data");
  }
  let mode = 0;
  if (typeof data.mode === "string") {
    mode = MODES.indexOf(data.mode);
    if (mode < 0) throw internal(`Unknown dirty page rate calculation mode: ${data.mode}`);
  }
  const perVcpu = data["vcpu-dirty-rate"];
  const rates = Array.isArray(perVcpu) ? vcpuRates(perVcpu) : [];
  p["dirtyrate.calc_status"] = status;
  p["dirtyrate.calc_start_time"] = data["start-time"] as number;
  p["dirtyrate.calc_period"] = data["calc-time"] as number;
  p["dirtyrate.calc_mode"] = MODES[mode];
  if (!measured) return;
  p["dirtyrate.megabytes_per_second"] = data["dirty-rate"] as number;
  if (mode !== 2) return;
  for (const [id, rate] of rates) p[`dirtyrate.vcpu.${id}.megabytes_per_second`] = rate;
}

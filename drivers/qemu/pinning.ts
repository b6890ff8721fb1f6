/**
 * vCPU, emulator and IOThread pinning of the QEMU driver (`qemuDomainPinVcpuFlags`,
 * `qemuDomainPinVcpuLive`, `qemuDomainGetVcpuPinInfo`, `qemuDomainPinEmulator`,
 * `qemuDomainGetEmulatorPinInfo`, `qemuDomainPinIOThread`). Live pins go through the domain's cgroup interface (cpuset
 * and thread affinity) and land in the live `<cputune>`; config pins in the persistent one.
 *
 * @module
 */
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { emulatorPinOf, setVcpuPin, vcpuPinsOf, writeEmulatorPin } from "../../conf/domain/pins.ts";
import { iothreadIdsOf } from "../../conf/domain/iothreads.ts";
import { pinIothread } from "../../conf/domain/iothread_edit.ts";
import { getDefs, getOneDef } from "../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import type { QemuDriverState } from "./driver_state.ts";
import { hasVcpuPids } from "./hotplug/vcpu_model.ts";

const cpusOf = (cpumap: readonly boolean[]) => cpumap.flatMap((on, cpu) => on ? [cpu] : []);

/**
 * A CPU map of the host's size with `cpus` set (every CPU when undefined).
 *
 * @example
 * ```ts
 * import { cpuMap } from "./pinning.ts";
 * cpuMap([0]); // [true, false] on a 2-CPU host
 * ```
 */
export function cpuMap(cpus: readonly number[] | undefined): boolean[] {
  const set = cpus ? new Set(cpus) : undefined;
  return Array.from(
    { length: navigator.hardwareConcurrency },
    (_, cpu) => set ? set.has(cpu) : true,
  );
}

function emptyPinError(): VirError {
  return VirError.report("QEMU", "INVALID_ARG", "Empty cpu list for pinning");
}

function tunable(state: QemuDriverState, obj: QemuDomainObj, field: string, cpus: number[]): void {
  state.emitOther(obj, VIR.DOMAIN_EVENT_ID_TUNABLE, { params: { [field]: formatBitmap(cpus) } });
}

/**
 * Pins vCPU `vcpu` live and/or in the configuration (the caller holds the domain job). A live
 * pin of an online vCPU moves its thread at once; an offline vCPU gets it when plugged.
 *
 * @example
 * ```ts
 * import { pinVcpu } from "./pinning.ts";
 * import type { QemuDriverState } from "./driver_state.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await pinVcpu(state, obj, 1, [false, true], 1);
 * ```
 */
export async function pinVcpu(
  state: QemuDriverState,
  obj: QemuDomainObj,
  vcpu: number,
  cpumap: readonly boolean[],
  flags: number,
): Promise<void> {
  const { live, config: persistent } = getDefs(obj, flags);
  if (persistent && vcpu >= persistent.vcpu.max) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `vcpu ${vcpu} is out of range of persistent cpu count ${persistent.vcpu.current}`,
    );
  }
  const cpus = cpusOf(cpumap);
  if (!cpus.length) throw emptyPinError();
  if (live) {
    const ctx = obj.vcpus!.ctx;
    if (!hasVcpuPids(ctx.vm)) {
      throw VirError.report("QEMU", "OPERATION_INVALID", "cpu affinity is not supported");
    }
    const info = ctx.vm.vcpus[vcpu];
    if (!info) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `vcpu ${vcpu} is out of range of live cpu count ${ctx.vm.vcpus.length}`,
      );
    }
    if (info.online) await ctx.cgroup.setupVcpu(vcpu, info.priv.tid, cpus);
    info.cpumask = cpus;
    await state.saveStatus(obj);
    tunable(state, obj, `cputune.vcpupin${vcpu}`, cpus);
  }
  if (persistent) {
    setVcpuPin(persistent, vcpu, cpus);
    await state.saveConfig(obj);
  }
}

/**
 * Pins the emulator thread live and/or in the configuration (the caller holds the job).
 *
 * @example
 * ```ts
 * import { pinEmulator } from "./pinning.ts";
 * import type { QemuDriverState } from "./driver_state.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await pinEmulator(state, obj, [true], 2);
 * ```
 */
export async function pinEmulator(
  state: QemuDriverState,
  obj: QemuDomainObj,
  cpumap: readonly boolean[],
  flags: number,
): Promise<void> {
  const { live, config } = getDefs(obj, flags);
  const cpus = cpusOf(cpumap);
  if (!cpus.length) throw emptyPinError();
  if (live) {
    await obj.vcpus!.ctx.cgroup.setupEmulator(cpus);
    writeEmulatorPin(live, cpus);
    await state.saveStatus(obj);
    tunable(state, obj, "cputune.emulatorpin", cpus);
  }
  if (config) {
    writeEmulatorPin(config, cpus);
    await state.saveConfig(obj);
  }
}

/**
 * `qemuDomainPinIOThread` (the caller holds the job): live, the IOThread's thread moves at
 * once (cgroup and affinity) and the live `<iothreadpin>` follows, with libvirt's TUNABLE
 * event; in the configuration, only the `<iothreadpin>`.
 *
 * @example
 * ```ts
 * import { pinIOThread } from "./pinning.ts";
 * import type { QemuDriverState } from "./driver_state.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await pinIOThread(state, obj, 1, [true, false], 1);
 * ```
 */
export async function pinIOThread(
  state: QemuDriverState,
  obj: QemuDomainObj,
  id: number,
  cpumap: readonly boolean[],
  flags: number,
): Promise<void> {
  const { live, config } = getDefs(obj, flags);
  const cpus = cpusOf(cpumap);
  if (!cpus.length) {
    throw VirError.report("QEMU", "INVALID_ARG", "Empty iothread cpumap list for pinning");
  }
  if (live) {
    if (!iothreadIdsOf(live).includes(id)) {
      throw VirError.report("QEMU", "INVALID_ARG", `iothread ${id} not found`);
    }
    const tid = obj.iothreadTids?.get(id);
    if (tid !== undefined) await obj.vcpus!.ctx.cgroup.setupIOThread(id, tid, cpus);
    pinIothread(live, id, cpus);
    await state.saveStatus(obj);
    tunable(state, obj, `cputune.iothreadpin${id}`, cpus);
  }
  if (config) {
    if (!iothreadIdsOf(config).includes(id)) {
      throw VirError.report("QEMU", "INVALID_ARG", `iothreadid ${id} not found`);
    }
    pinIothread(config, id, cpus);
    await state.saveConfig(obj);
  }
}

/**
 * libvirt's `virDomainObjGetOneDef`: the one definition LIVE, CONFIG or neither names, the live
 * one with its current vCPU state.
 */
function oneDef(state: QemuDriverState, obj: QemuDomainObj, flags: number): DomainDef {
  const { def, live } = getOneDef(obj, flags);
  return live ? state.liveDefinition(obj) : def;
}

/**
 * The CPU map of every vCPU up to the maximum: its pin, else the `<vcpu cpuset>`, else every
 * host CPU (`virDomainDefGetVcpuPinInfoHelper`).
 *
 * @example
 * ```ts
 * import { vcpuPinInfo } from "./pinning.ts";
 * import type { QemuDriverState } from "./driver_state.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * const maps = vcpuPinInfo(state, obj, 0);
 * ```
 */
export function vcpuPinInfo(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): boolean[][] {
  const def = oneDef(state, obj, flags);
  const pins = vcpuPinsOf(def);
  return Array.from({ length: def.vcpu.max }, (_, i) => cpuMap(pins.get(i) ?? cpusetOf(def)));
}

/**
 * The emulator's CPU map: its pin, else the `<vcpu cpuset>`, else every host CPU.
 *
 * @example
 * ```ts
 * import { emulatorPinInfo } from "./pinning.ts";
 * import type { QemuDriverState } from "./driver_state.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * const map = emulatorPinInfo(state, obj, 0);
 * ```
 */
export function emulatorPinInfo(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): boolean[] {
  const def = oneDef(state, obj, flags);
  return cpuMap(emulatorPinOf(def) ?? cpusetOf(def));
}

function cpusetOf(def: DomainDef): number[] | undefined {
  return def.vcpu.cpuset ? parseBitmap(def.vcpu.cpuset) : undefined;
}

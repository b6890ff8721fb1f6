/**
 * One domain as the QEMU driver keeps it (libvirt's `virDomainObj` + `qemuDomainObjPrivate`).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { DomainRef } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import type { VcpuController } from "./hotplug/controller.ts";
import type { DomainJob } from "./process/job.ts";
import type { QemuProcess } from "./process/launcher.ts";

/** A domain, defined or transient, running or not. */
export interface DomainObj {
  uuid: string;
  name: string;
  /** The persistent definition; undefined for a transient domain. */
  persistentDef?: DomainDef;
  /** The live definition while running (its vCPU state lives in `vcpus`). */
  liveDef?: DomainDef;
  id: number;
  state: number;
  reason: number;
  autostart: boolean;
  job: DomainJob;
  proc?: QemuProcess;
  vcpus?: VcpuController;
  monitorPath?: string;
  /** Why QEMU is going away, when we asked it to. */
  stopping?: "destroy" | "shutdown";
  /** QEMU reported a shutdown (so an exit is not a crash). */
  gotShutdown?: boolean;
  /** The next guest power-off is the first half of a reboot (libvirt's `fakeReboot`). */
  fakeReboot?: boolean;
  /** QEMU paused after a shutdown that a fake reboot undoes: hide its STOP. */
  pausedShutdown?: boolean;
  /** Reason to record when the next RESUME arrives. */
  runningReason?: number;
  /** Reason to record when the next STOP arrives. */
  pausedReason?: number;
}

/** The `virDomainPtr` data of a domain. */
export function refOf(obj: DomainObj): DomainRef {
  return { name: obj.name, uuid: obj.uuid, id: obj.id };
}

/** True while QEMU runs for the domain. */
export function isActive(obj: DomainObj): boolean {
  return obj.id >= 0;
}

/** libvirt's `virDomainObjCheckActive`. */
export function checkActive(obj: DomainObj): void {
  if (!isActive(obj)) throw VirError.report("DOMAIN", "OPERATION_INVALID", "domain is not running");
}

/**
 * libvirt's `virDomainObjUpdateModificationImpact`: which definitions `flags` (LIVE/CONFIG,
 * or neither = current) address.
 */
export function modificationImpact(
  obj: DomainObj,
  flags: number,
): { live: boolean; config: boolean } {
  let live = (flags & 1) !== 0;
  let config = (flags & 2) !== 0;
  if (!live && !config) {
    if (isActive(obj)) live = true;
    else config = true;
  }
  if (live && !isActive(obj)) {
    throw VirError.report("DOMAIN", "OPERATION_INVALID", "domain is not running");
  }
  if (config && !obj.persistentDef) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_INVALID",
      "transient domains do not have any persistent config",
    );
  }
  return { live, config };
}

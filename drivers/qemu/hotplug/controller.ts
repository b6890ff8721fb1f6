/**
 * The live vCPU state of one running domain with its monitor, cgroups and pending unplug,
 * reacting to QEMU's device events (`qemuProcessHandleDeviceDeleted`,
 * `qemuProcessHandleDeviceUnplugErr`, `processDeviceDeletedEvent`).
 *
 * @module
 */
import type { QmpEvent } from "../monitor/qmp_client.ts";
import { DeviceRemovalTracker } from "./device_removal.ts";
import { removeVcpuAlias } from "./remove.ts";
import type { HotplugContext, HotplugLog, LiveVcpus, VcpuCgroup, VcpuMonitor } from "./types.ts";

/** Options of {@link VcpuController}. */
export interface VcpuControllerOptions {
  vm: LiveVcpus;
  monitor: VcpuMonitor;
  cgroup: VcpuCgroup;
  /** Serializes with the domain's other jobs; late removals run through it. */
  runJob: <T>(fn: () => Promise<T>) => Promise<T>;
  unplugTimeoutMs?: number;
  log?: HotplugLog;
  /** Each vCPU actually removed, on time or late. */
  onVcpuRemoved?: (vcpu: number) => void;
  /** The guest refused to unplug the device (libvirt's DEVICE_REMOVAL_FAILED event). */
  onRemovalFailed?: (alias: string) => void;
  /** The live state changed outside an API call (a late removal): save it. */
  onChanged?: () => void;
  /** A late DEVICE_DELETED of a device that is no vCPU: removes it, false if unknown. */
  removeDevice?: (alias: string) => Promise<boolean>;
}

/**
 * Owns the {@link HotplugContext} of a running domain.
 *
 * @example
 * ```ts
 * import { VcpuController } from "./controller.ts";
 * import type { VcpuControllerOptions } from "./controller.ts";
 * declare const options: VcpuControllerOptions;
 * const ctl = new VcpuController(options);
 * // monitor.onEvent((ev) => ctl.handleEvent(ev));
 * ```
 */
export class VcpuController {
  /** The context the hotplug functions take. */
  readonly ctx: HotplugContext;
  #removal = new DeviceRemovalTracker();
  #opts: VcpuControllerOptions;
  #late = new Set<Promise<unknown>>();

  constructor(options: VcpuControllerOptions) {
    this.#opts = options;
    this.ctx = {
      vm: options.vm,
      monitor: options.monitor,
      cgroup: options.cgroup,
      removal: this.#removal,
      unplugTimeoutMs: options.unplugTimeoutMs ?? 5000,
      log: options.log,
      onVcpuRemoved: options.onVcpuRemoved,
    };
  }

  /** Resolves when every late removal queued so far has been processed. */
  async settled(): Promise<void> {
    while (this.#late.size) await Promise.all([...this.#late]);
  }

  /** Feeds one QMP event; only device removal events matter here. */
  handleEvent(ev: QmpEvent): void {
    const alias = typeof ev.data.device === "string" ? ev.data.device : undefined;
    // QEMU 7.2 also reports the vCPU's lapic child, by path only: not ours to track.
    if (!alias) return;
    if (ev.event === "DEVICE_DELETED") {
      if (this.#removal.signal(alias, "removed")) return;
      this.#lateRemoval(alias);
    } else if (ev.event === "DEVICE_UNPLUG_GUEST_ERROR") {
      this.#removal.signal(alias, "rejected");
      this.#opts.onRemovalFailed?.(alias);
    }
  }

  #lateRemoval(alias: string): void {
    const done = this.#opts.runJob(async () => {
      // libvirt's processDeviceDeletedEvent: a "vcpu" alias is a vCPU, any other a device.
      const removed = alias.startsWith("vcpu")
        ? await removeVcpuAlias(this.ctx, alias)
        : await this.#opts.removeDevice?.(alias);
      if (removed) this.#opts.onChanged?.();
      else this.#opts.log?.(`DEVICE_DELETED for unknown device '${alias}'`);
    }).catch((err) => this.#opts.log?.(`removal of '${alias}' failed: ${err?.message ?? err}`))
      .finally(() => this.#late.delete(done));
    this.#late.add(done);
  }
}

/**
 * The node-device driver's state, shared by its connections: the device list, rescanned on
 * every listing call and by a poll while a connection is open. libvirt hears of hot-plugged
 * devices from udevd's netlink monitor; Deno has no netlink sockets, so this driver polls
 * sysfs every {@link POLL_MS} ms and reports what appeared and vanished as libvirt's
 * `CREATED`/`DELETED` lifecycle events.
 *
 * @module
 */
import type { DriverEvent } from "../../util/contract/types.ts";
import { VIR } from "../../util/constants.ts";
import { EventHub } from "../../util/event_hub.ts";
import type { HostDevDef } from "./device_def.ts";
import { scanDevices } from "./scan.ts";
import type { Sysfs } from "../../util/sysfs.ts";
import { computerDevice } from "./system.ts";
import { processDevice, type ProcessOptions } from "./udev_device.ts";

/** How often sysfs is read for added and removed devices while a connection is open. */
export const POLL_MS = 1000;

/**
 * The host's devices and their events.
 *
 * @example
 * ```ts
 * import { NodeDeviceState } from "./state.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * const state = new NodeDeviceState(new Sysfs(), { privileged: false, ethtool: () => undefined });
 * state.refresh();
 * state.devices.has("computer"); // true
 * ```
 */
export class NodeDeviceState {
  /** Devices by name. */
  devices = new Map<string, HostDevDef>();
  /** Lifecycle events. */
  readonly events: EventHub<DriverEvent> = new EventHub<DriverEvent>();
  readonly #computer: HostDevDef;
  #timer?: ReturnType<typeof setInterval>;

  constructor(readonly sys: Sysfs, readonly options: ProcessOptions) {
    // Made once: without a usable DMI UUID libvirt makes up one random UUID per daemon.
    this.#computer = computerDevice(sys);
  }

  /** Rescans sysfs, emitting an event per device added or removed since the last scan. */
  refresh(): void {
    const fresh = scanDevices(this.sys, this.options, this.#computer);
    const emit = (name: string, event: number) =>
      this.events.emit({
        family: "node_device",
        eventId: VIR.NODE_DEVICE_EVENT_ID_LIFECYCLE,
        ref: { name },
        data: { event, detail: 0 },
      });
    for (const name of this.devices.keys()) {
      if (!fresh.has(name)) emit(name, VIR.NODE_DEVICE_EVENT_DELETED);
    }
    for (const name of fresh.keys()) {
      if (!this.devices.has(name)) emit(name, VIR.NODE_DEVICE_EVENT_CREATED);
    }
    this.devices = fresh;
  }

  /**
   * A device read afresh (libvirt's `nodeDeviceUpdateDriverName` + `virNodeDeviceUpdateCaps`
   * before formatting), keeping its name and parent; the listed one when it cannot be re-read.
   */
  current(def: HostDevDef): HostDevDef {
    if (!def.sysfsPath) return def;
    const dev = this.sys.device(def.sysfsPath);
    const again = dev && processDevice(this.sys, dev, this.options);
    return again ? { ...again, name: def.name, parent: def.parent } : def;
  }

  /** Starts the poll for hot-plug events. */
  start(): void {
    const timer = setInterval(() => this.refresh(), POLL_MS);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops the poll. */
  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Typed monitor commands, libvirt's `qemuMonitor*` layer: each call runs one QMP command and
 * reports failures as libvirt does (`VirError` of domain QEMU).
 *
 * @module
 */
import { monitorErrorToVir, QmpCommandError } from "./errors.ts";
import type { QmpClient, QmpEvent } from "./qmp_client.ts";
import type { CpuInfoFast, HotpluggableCpu, StatusInfo } from "./qmp_types.ts";

/**
 * The QEMU monitor of one running domain.
 *
 * @example
 * ```ts
 * import { QemuMonitor } from "./qemu_monitor.ts";
 * import { connectQmpUnix } from "./unix.ts";
 * const mon = new QemuMonitor(await connectQmpUnix("/tmp/vm.monitor"));
 * const slots = await mon.queryHotpluggableCpus();
 * ```
 */
export class QemuMonitor {
  /** The underlying QMP connection. */
  readonly qmp: QmpClient;
  /** Told each command's round trip (the driver's latency histogram). */
  onCommand?: (command: string, seconds: number) => void;

  constructor(qmp: QmpClient) {
    this.qmp = qmp;
  }

  /** Resolves when the monitor connection ends. */
  get closed(): Promise<void> {
    return this.qmp.closed;
  }

  /** Adds a QMP event listener. */
  onEvent(listener: (ev: QmpEvent) => void): () => void {
    return this.qmp.onEvent(listener);
  }

  /** Runs any command, mapping failures to libvirt's errors. */
  async run<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await this.execute<T>(command, args);
    } catch (err) {
      throw monitorErrorToVir(err);
    }
  }

  /**
   * Runs any command with QMP's own errors (`QmpCommandError`, …) for a caller that tells them
   * apart; its round trip is told to {@link onCommand} as every other.
   */
  async execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const start = performance.now();
    try {
      return await this.qmp.execute<T>(command, args);
    } finally {
      this.onCommand?.(command, (performance.now() - start) / 1000);
    }
  }

  /** `query-hotpluggable-cpus`. */
  queryHotpluggableCpus(): Promise<HotpluggableCpu[]> {
    return this.run<HotpluggableCpu[]>("query-hotpluggable-cpus");
  }

  /** `query-cpus-fast`. */
  queryCpusFast(): Promise<CpuInfoFast[]> {
    return this.run<CpuInfoFast[]>("query-cpus-fast");
  }

  /** `device_add` with the given properties (driver, id, …). */
  async deviceAdd(props: Record<string, unknown>): Promise<void> {
    await this.run("device_add", props);
  }

  /**
   * `device_del` of a device alias. False when QEMU answers DeviceNotFound: libvirt's
   * `qemuMonitorJSONDelDevice` returns -2 there without reporting an error, and its callers
   * decide what that means.
   */
  async deviceDel(id: string): Promise<boolean> {
    try {
      await this.execute("device_del", { id });
      return true;
    } catch (err) {
      if (err instanceof QmpCommandError && err.errorClass === "DeviceNotFound") return false;
      throw monitorErrorToVir(err);
    }
  }

  /** `query-status`. */
  queryStatus(): Promise<StatusInfo> {
    return this.run<StatusInfo>("query-status");
  }

  /** `cont`: run the vCPUs. */
  async cont(): Promise<void> {
    await this.run("cont");
  }

  /** `stop`: pause the vCPUs. */
  async stop(): Promise<void> {
    await this.run("stop");
  }

  /** `system_powerdown`: ACPI power button. */
  async systemPowerdown(): Promise<void> {
    await this.run("system_powerdown");
  }

  /** `system_reset`. */
  async systemReset(): Promise<void> {
    await this.run("system_reset");
  }

  /** `set-action`: what QEMU does on a guest shutdown, reset, watchdog or panic. */
  async setAction(actions: { reboot?: "reset" | "shutdown"; shutdown?: "poweroff" | "pause" }) {
    await this.run("set-action", actions);
  }

  /** `query-name`: the guest name QEMU was started with (`-name guest=…`), if any. */
  async queryName(): Promise<string | undefined> {
    return (await this.run<{ name?: string }>("query-name")).name;
  }

  /** `quit`: QEMU exits right after replying. */
  async quit(): Promise<void> {
    await this.run("quit");
  }

  /** Closes the monitor connection. */
  close(): Promise<void> {
    return this.qmp.close();
  }
}

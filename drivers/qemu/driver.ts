/**
 * Opening `qemu:///session` and `qemu:///system`: one shared {@link QemuDriverState} per
 * state directory, like one libvirtd serving many connections.
 *
 * @module
 */
import type { ConnectDriver, ConnectOptions } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { QemuConnection } from "./connection.ts";
import { QemuDriverState } from "./driver_state.ts";
import { type QemuLauncher, SystemLauncher } from "./process/launcher.ts";
import { qemuPaths } from "./process/paths.ts";

/** Connect options the QEMU driver understands (all optional). */
export interface QemuConnectOptions extends ConnectOptions {
  /** Base directory for configs and runtime state (else EDGEVIRT_QEMU_STATE_DIR, …). */
  stateDir?: string;
  /** Process launcher (tests pass a fake one). */
  launcher?: QemuLauncher;
  /** DEVICE_DELETED wait in ms (libvirt: 5000). */
  unplugTimeoutMs?: number;
  accel?: "tcg" | "kvm";
  log?: (message: string) => void;
}

const states = new Map<string, { state: Promise<QemuDriverState>; refs: number }>();

/**
 * The `qemu` connection driver.
 *
 * @example
 * ```ts
 * import { qemuConnectDriver } from "./driver.ts";
 * const conn = await qemuConnectDriver.open(new URL("qemu:///session"), { stateDir: "/tmp/ev" });
 * await conn.connectClose();
 * ```
 */
export const qemuConnectDriver: ConnectDriver = {
  name: "qemu",
  schemes: ["qemu"],
  async open(uri: URL, options: QemuConnectOptions): Promise<QemuConnection> {
    const path = uri.pathname;
    if (path !== "/session" && path !== "/system") {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `unexpected QEMU URI path '${path}', try qemu:///session`,
      );
    }
    const system = path === "/system";
    if (system && Deno.uid() !== 0) {
      throw VirError.report(
        "QEMU",
        "OPERATION_DENIED",
        "qemu:///system requires root: use qemu:///session",
      );
    }
    const paths = qemuPaths(system, options.stateDir);
    let entry = states.get(paths.runDir);
    if (!entry) {
      entry = {
        state: QemuDriverState.open({
          paths,
          launcher: options.launcher ?? new SystemLauncher(),
          unplugTimeoutMs: options.unplugTimeoutMs,
          accel: options.accel,
          log: options.log,
        }),
        refs: 0,
      };
      states.set(paths.runDir, entry);
      entry.state.catch(() => states.delete(paths.runDir));
    }
    const state = await entry.state;
    entry.refs++;
    const release = async () => {
      if (--entry.refs > 0) return;
      states.delete(paths.runDir);
      await state.close();
    };
    return new QemuConnection(state, `qemu://${path}`, release);
  },
};

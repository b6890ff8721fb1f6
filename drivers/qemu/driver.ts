/**
 * Opening `qemu:///session`, `qemu:///system` and `qemu:///embed?root=DIR`: one shared
 * {@link QemuDriverState} per state directory, like one libvirtd serving many connections. The
 * state holds the directory's `driver.pid` locked, as libvirt's QEMU driver does, so two
 * processes never drive the same QEMU monitors: the session daemon owns `qemu:///session`, and
 * an embedded root belongs to one process at a time.
 *
 * @module
 */
import type { ConnectDriver, ConnectOptions } from "../../util/driver.ts";
import { type CgroupMounts, hostCgroupMounts } from "../../util/cgroup/mod.ts";
import { VirError } from "../../util/errors.ts";
import { acquirePidFile, type PidFile } from "../../util/pid_file.ts";
import { QemuConnection } from "./connection.ts";
import { QemuDriverState } from "./driver_state.ts";
import { type QemuLauncher, SystemLauncher } from "./process/launcher.ts";
import { qemuEmbedPaths, type QemuPaths, qemuPaths } from "./process/paths.ts";
import type { TapHost } from "./net/tap.ts";

/** Connect options the QEMU driver understands (all optional). */
export interface QemuConnectOptions extends ConnectOptions {
  /** Base directory for configs and runtime state (else EDGEVIRT_QEMU_STATE_DIR, …). */
  stateDir?: string;
  /** Process launcher (tests pass a fake one). */
  launcher?: QemuLauncher;
  /** DEVICE_DELETED wait in ms (libvirt: 5000). */
  unplugTimeoutMs?: number;
  /** How long a new async job waits for the running one (libvirt: 30,000 ms). */
  asyncJobWaitMs?: number;
  /** Whether KVM is usable for `type='kvm'` domains (default: /dev/kvm opens). */
  kvm?: boolean;
  log?: (message: string) => void;
  /** Where NIC taps are made (tests pass a fake). */
  taps?: TapHost;
  /** The directory standing for `/sys` (PCI detach/reattach/reset; tests pass a fake tree). */
  sysfsRoot?: string;
  /** The directory standing for `/dev` (`/dev/vfio/vfio`). */
  devRoot?: string;
  /** The directories searched for QEMU binaries (default: the PATH; tests pass their own). */
  binaryDirs?: string[];
  /** The folders of QEMU's firmware descriptors (default: libvirt's; tests pass their own). */
  firmwareDirs?: string[];
  /**
   * `qemu:///system`: the cgroup hierarchies and root domains are placed under (default: the
   * host's mounts, root "/"); tests pass a temporary tree or root.
   */
  cgroups?: CgroupMounts;
}

interface OpenState {
  state: QemuDriverState;
  pid: PidFile;
}

const states = new Map<string, { open: Promise<OpenState>; refs: number }>();

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
  // As libvirt's QEMU driver: networks, storage, secrets … come from the host's shared drivers.
  sharesSecondaries: true,
  async open(uri: URL, options: QemuConnectOptions): Promise<QemuConnection> {
    const { paths, uri: name, system } = resolvePaths(uri, options);
    let entry = states.get(paths.runDir);
    if (!entry) {
      entry = { open: openState(paths, options, system ?? false), refs: 0 };
      states.set(paths.runDir, entry);
      entry.open.catch(() => states.delete(paths.runDir));
    }
    const { state, pid } = await entry.open;
    entry.refs++;
    const release = async () => {
      if (--entry.refs > 0) return;
      states.delete(paths.runDir);
      await state.close();
      await pid.release();
    };
    return new QemuConnection(state, name, release, options.openPeer);
  },
};

/** The state directories of a `qemu:` URI, with libvirt's checks and errors. */
function resolvePaths(
  uri: URL,
  options: QemuConnectOptions,
): { paths: QemuPaths; uri: string; system?: boolean } {
  const path = uri.pathname;
  if (path === "/embed") {
    // libvirt's virConnectOpenInternal checks the root before any driver sees the URI.
    const root = uri.searchParams.get("root");
    if (root === null) {
      throw VirError.report("URI", "INVALID_ARG", "Missing URI parameter 'root'");
    }
    if (!root.startsWith("/")) {
      throw VirError.report("NONE", "CONFIG_UNSUPPORTED", "root path must be absolute");
    }
    return { paths: qemuEmbedPaths(root), uri: `qemu:///embed?root=${root}` };
  }
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
  return { paths: qemuPaths(system, options.stateDir), uri: `qemu://${path}`, system };
}

/** Locks the directory's pid file, then loads the state; the lock goes when the state does. */
async function openState(
  paths: QemuPaths,
  options: QemuConnectOptions,
  privileged: boolean,
): Promise<OpenState> {
  await Deno.mkdir(paths.runDir, { recursive: true });
  const pid = await acquirePidFile(`${paths.runDir}/driver.pid`);
  try {
    const state = await QemuDriverState.open({
      paths,
      launcher: options.launcher ?? new SystemLauncher(),
      unplugTimeoutMs: options.unplugTimeoutMs,
      asyncJobWaitMs: options.asyncJobWaitMs,
      kvm: options.kvm,
      log: options.log,
      // The first connection's way to the host's secondary drivers serves the whole state.
      secondaries: options.secondaries,
      taps: options.taps,
      sysfsRoot: options.sysfsRoot,
      devRoot: options.devRoot,
      binaryDirs: options.binaryDirs,
      firmwareDirs: options.firmwareDirs,
      // libvirt's session daemon has no cgroups; the system one takes the host's.
      privileged,
      cgroups: privileged ? options.cgroups ?? hostCgroupMounts() : undefined,
    });
    return { state, pid };
  } catch (e) {
    await pid.release();
    throw e;
  }
}

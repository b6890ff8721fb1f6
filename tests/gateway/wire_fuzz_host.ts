/**
 * The wire fuzzer's host target: an in-process gateway serving `qemu:///session` with the host's
 * secondary drivers beside the QEMU driver, as a gateway on a real host serves them — storage,
 * secret, network, node device and interface — each held to what it may touch: every file
 * under one scratch state directory, the node device, interface and PCI host-device code on a
 * recorded copy of another machine's sysfs (`tests/drivers/node_device/recording.ts`), the
 * network driver's `ip`, `iptables`, `sysctl` and `dnsmasq` inside a network namespace the
 * caller made (`hostRunner(netns)`), and QEMUs that are fake QMP peers. Nothing of the host's
 * own network, disks or devices is within reach.
 *
 * @module
 */
import { qemuConnectDriver, type QemuConnectOptions } from "../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../drivers/qemu/testing/mod.ts";
import { hostRunner } from "../../drivers/network/runner.ts";
import { storageDriver } from "../../drivers/storage/mod.ts";
import { secretDriver } from "../../drivers/secret/mod.ts";
import { networkDriver } from "../../drivers/network/mod.ts";
import { nodeDeviceDriver } from "../../drivers/node_device/mod.ts";
import { interfaceDriver } from "../../drivers/interface/mod.ts";
import type { SecondaryDriver } from "../../util/contract/compose.ts";
import type { Gateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import { recordedEthtool } from "../drivers/node_device/recording.ts";
import { startGateway } from "./helpers.ts";
import { stateFiles } from "./wire_fuzz_qemu.ts";

/** A gateway serving the QEMU driver and the host's secondary drivers, held in. */
export interface HostFuzzTarget {
  gateway: Gateway;
  /** Where every driver keeps its files. */
  stateDir: string;
  /** Every file of the state directory (definitions, secrets, volumes of pools inside it). */
  hostState(): Promise<Map<string, string>>;
  /** Closes the gateway and removes the state directory. */
  close(): Promise<void>;
}

/**
 * Opens the target: every driver's files under a fresh state directory, devices read from the
 * recorded sysfs at `sysfsRoot`, network commands in namespace `netns` (none: they run nowhere,
 * every command failing as a missing program does, for callers that start no network).
 */
export async function hostFuzzTarget(
  opts: { sysfsRoot: string; netns?: string },
): Promise<HostFuzzTarget> {
  const stateDir = await Deno.makeTempDir({ prefix: "ev-fuzz-host-" });
  const held = {
    stateDir,
    sysfsRoot: opts.sysfsRoot,
    udevDataDir: `${opts.sysfsRoot}/no-udev-database`,
    procRoot: `${stateDir}/proc`,
    ethtool: recordedEthtool,
    networkRunner: opts.netns ? hostRunner(opts.netns) : noRunner,
  };
  const hold = (d: SecondaryDriver): SecondaryDriver => ({
    ...d,
    open: (uri, options) => d.open(uri, { ...options, ...held }),
  });
  const registry = createRegistry(
    [{
      ...qemuConnectDriver,
      open: (uri: URL, options: QemuConnectOptions) =>
        qemuConnectDriver.open(uri, {
          ...options,
          stateDir,
          launcher: new FakeLauncher(),
          sysfsRoot: opts.sysfsRoot,
          taps: new FakeTapHost([]),
        }),
    }],
    [storageDriver, secretDriver, networkDriver, nodeDeviceDriver, interfaceDriver].map(hold),
  );
  const gateway = await startGateway(undefined, ["qemu:///session"], registry);
  return {
    gateway,
    stateDir,
    hostState: () => stateFiles(stateDir),
    async close() {
      await gateway.close();
      await Deno.remove(stateDir, { recursive: true });
    },
  };
}

/** A runner that runs nothing: as if no program were installed. */
const noRunner = {
  run: (argv: readonly string[]) =>
    Promise.resolve({ code: 127, stdout: "", stderr: `Cannot find program '${argv[0]}'` }),
  kill: () => false,
};

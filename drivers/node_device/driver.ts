/**
 * The host's node-device driver as a shared secondary driver (libvirt's `udevNodeRegister`):
 * one device list per sysfs root for every connection that opens it. `options.sysfsRoot` and
 * `options.udevDataDir` read another machine's copied sysfs (tests), `options.ethtool` its
 * recorded offload features, `options.privileged` says whether it was read as root and
 * `options.pciIds` names its pci.ids database.
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { SharedStates } from "../../util/shared_state.ts";
import { type EthtoolProbe, liveEthtool } from "./ethtool.ts";
import { createMethods } from "./create_api.ts";
import { nodeDeviceMethods } from "./node_device_api.ts";
import { NodeDeviceState } from "./state.ts";
import { Sysfs } from "../../util/sysfs.ts";

const states = new SharedStates<NodeDeviceState>();

/**
 * The node-device secondary driver.
 *
 * @example
 * ```ts
 * import { nodeDeviceDriver } from "./driver.ts";
 * const conn = await nodeDeviceDriver.open(new URL("qemu:///system"), {});
 * console.log(await conn.nodeListDevices?.("system", 0)); // ["computer"]
 * await conn.connectClose();
 * ```
 */
export const nodeDeviceDriver: SecondaryDriver = {
  name: "udev",
  family: "nodedev",
  async open(_uri, options): Promise<SecondaryConnection> {
    const sys = new Sysfs({
      root: typeof options.sysfsRoot === "string" ? options.sysfsRoot : undefined,
      udevData: typeof options.udevDataDir === "string" ? options.udevDataDir : undefined,
    });
    const ethtool = typeof options.ethtool === "function"
      ? options.ethtool as EthtoolProbe
      : liveEthtool;
    const ref = await states.acquire(sys.root, () => {
      // libvirt reads PCI config spaces only in a privileged (root) daemon.
      const privileged = typeof options.privileged === "boolean"
        ? options.privileged
        : Deno.uid() === 0;
      const pciIds = typeof options.pciIds === "string" ? options.pciIds : undefined;
      const state = new NodeDeviceState(sys, { privileged, ethtool, pciIds });
      state.refresh();
      state.start();
      return Promise.resolve(state);
    }, (state) => Promise.resolve(state.stop()));
    const state = ref.state;
    return {
      ...nodeDeviceMethods(state),
      ...createMethods(state),
      connectClose: () => ref.release(),
      subscribe: (listener) => state.events.on(listener),
    };
  },
};

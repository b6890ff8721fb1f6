/**
 * The calls of libvirt's node-device driver (`node_device_driver.c`) over the udev backend's
 * device list: counts and lists with capability filters, lookups by name and fibre channel
 * WWNs, XML, parent and capabilities, and the lifecycle calls, which only mediated devices
 * and vHBAs support: the others answer libvirt's errors for them.
 *
 * @module
 */
import type { DriverConnection, NodeDeviceRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import { CAP_TYPES, NODE_DEVICE_LIST_FILTERS_ALL } from "../../conf/objects/node_device_obj.ts";
import { capNames, type HostDevDef } from "./device_def.ts";
import { formatHostDevXML } from "./format.ts";
import type { NodeDeviceState } from "./state.ts";
import { fcWWNs, manageVport } from "./vport.ts";

const F = "NODEDEV";

const ACTIVE_FILTERS = VIR.CONNECT_LIST_NODE_DEVICES_ACTIVE |
  VIR.CONNECT_LIST_NODE_DEVICES_INACTIVE;

/** `VIR_ERR_CONFIG_UNSUPPORTED` "Unsupported device type". */
function unsupported(code: "CONFIG_UNSUPPORTED" | "OPERATION_UNSUPPORTED"): VirError {
  return VirError.report(F, code, "Unsupported device type");
}

/**
 * The node-device calls of one connection.
 *
 * @example
 * ```ts
 * import { nodeDeviceMethods } from "./node_device_api.ts";
 * import { NodeDeviceState } from "./state.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * nodeDeviceMethods(new NodeDeviceState(new Sysfs(), { privileged: false, ethtool: () => undefined }));
 * ```
 */
export function nodeDeviceMethods(state: NodeDeviceState): Partial<DriverConnection> {
  const byName = (name: string): HostDevDef => {
    const def = state.devices.get(name);
    if (!def) {
      throw VirError.report(F, "NO_NODE_DEVICE", `no node device with matching name '${name}'`);
    }
    return def;
  };
  const of = (dev: NodeDeviceRef) => byName(dev.name);
  const names = (cap: string | null) => {
    state.refresh();
    return [...state.devices.values()]
      .filter((d) => cap === null || capNames(d).includes(cap))
      .map((d) => d.name);
  };
  // udev devices are all active; only `computer` is persistent (and autostarted).
  const persistent = (def: HostDevDef) => def.name === "computer";
  return methodTable({
    nodeNumOfDevices: (cap, flags) => {
      checkFlags(flags, 0, "nodeNumOfDevices", F);
      return names(cap).length;
    },
    nodeListDevices: (cap, flags) => {
      checkFlags(flags, 0, "nodeListDevices", F);
      return names(cap);
    },
    connectListAllNodeDevices: (flags) => {
      checkFlags(
        flags,
        NODE_DEVICE_LIST_FILTERS_ALL | ACTIVE_FILTERS,
        "nodeConnectListAllNodeDevices",
        F,
      );
      state.refresh();
      return [...state.devices.values()].filter((d) => {
        const caps = capNames(d);
        const capOk = !(flags & NODE_DEVICE_LIST_FILTERS_ALL) ||
          CAP_TYPES.some((t, i) => (flags & (1 << i)) !== 0 && caps.includes(t));
        const activeOk = !(flags & ACTIVE_FILTERS) ||
          (flags & VIR.CONNECT_LIST_NODE_DEVICES_ACTIVE) !== 0;
        return capOk && activeOk;
      }).map((d) => ({ name: d.name }));
    },
    nodeDeviceLookupByName: (name) => ({ name: byName(name).name }),
    nodeDeviceLookupSCSIHostByWWN: (wwnn, wwpn, flags) => {
      checkFlags(flags, 0, "nodeDeviceLookupSCSIHostByWWN", F);
      const found = [...state.devices.values()].find((d) =>
        d.caps.some((c) =>
          c.type === "scsi_host" && c.fcHost?.wwnn === wwnn && c.fcHost?.wwpn === wwpn
        )
      );
      // libvirt's lookup fails without reporting why; the public API reports its generic error.
      if (!found) {
        throw VirError.bare(
          "NONE",
          "INTERNAL_ERROR",
          "An error occurred, but the cause is unknown",
        );
      }
      return { name: found.name };
    },
    nodeDeviceGetXMLDesc: (dev, flags) => {
      checkFlags(flags, 0, "nodeDeviceGetXMLDesc", F);
      return formatHostDevXML(state.current(of(dev)));
    },
    // libvirt returns NULL for `computer`; python-libvirt hands callers None, not an error.
    nodeDeviceGetParent: (dev) => of(dev).parent ?? null,
    nodeDeviceNumOfCaps: (dev) => capNames(state.current(of(dev))).length,
    nodeDeviceListCaps: (dev) => capNames(state.current(of(dev))),
    nodeDeviceIsActive: (dev) => (of(dev), true),
    nodeDeviceIsPersistent: (dev) => persistent(of(dev)),
    nodeDeviceGetAutostart: (dev) => persistent(of(dev)),
    nodeDeviceSetAutostart: (dev) => {
      of(dev);
      throw unsupported("OPERATION_UNSUPPORTED");
    },
    nodeDeviceCreate: (dev, flags) => {
      checkFlags(flags, 0, "nodeDeviceCreate", F);
      of(dev);
      throw VirError.report(F, "OPERATION_INVALID", "Device is already active");
    },
    nodeDeviceUndefine: (dev, flags) => {
      checkFlags(flags, 0, "nodeDeviceUndefine", F);
      const def = of(dev);
      if (!persistent(def)) {
        throw VirError.report(F, "OPERATION_INVALID", `Node device '${def.name}' is not defined`);
      }
      throw unsupported("CONFIG_UNSUPPORTED");
    },
    nodeDeviceDestroy: async (dev) => {
      const def = of(dev);
      if (!def.caps.some((c) => c.type === "scsi_host")) throw unsupported("CONFIG_UNSUPPORTED");
      const { wwnn, wwpn } = fcWWNs(def.caps);
      const parent = def.parent ?? "";
      if (!state.devices.has(parent)) {
        throw VirError.report(F, "INTERNAL_ERROR", `cannot find parent '${parent}' definition`);
      }
      const host = /^scsi_host(\d+)$/.exec(parent)?.[1];
      if (host === undefined) {
        throw VirError.report(F, "INTERNAL_ERROR", `failed to parse SCSI host '${parent}'`);
      }
      // The kernel removes the vHBA; the poll reports it gone.
      await manageVport(state.sys, Number(host), wwpn, wwnn, "delete");
    },
  });
}

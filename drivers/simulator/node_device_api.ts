/**
 * Node devices of libvirt's test driver (`testNodeDeviceDriver`): listing with capability
 * filters, lookups, XML, parent and capabilities, and the vHBA mock: creating an fc_host
 * device copies `scsi_host11` as `scsi_host12` with the requested WWNs.
 *
 * @module
 */
import type { DriverConnection, NodeDeviceRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { formatNodeDeviceXML, type NodeDeviceDef, parseNodeDeviceXML } from "./conf_adapters.ts";
import type { NodeDeviceObj, TestDriverState } from "./driver_state.ts";
import { orNotFound } from "./object_lookup.ts";
import { lift } from "./sync_table.ts";

const F = "TEST";

/** virNodeDevCapType in enum order: the list filter flag of a type is `1 << index`. */
const CAP_TYPES = [
  "system",
  "pci",
  "usb_device",
  "usb",
  "net",
  "scsi_host",
  "scsi_target",
  "scsi",
  "storage",
  "fc_host",
  "vports",
  "scsi_generic",
  "drm",
  "mdev_types",
  "mdev",
  "ccw",
  "css",
  "vdpa",
  "ap_card",
  "ap_queue",
  "ap_matrix",
  "vpd",
];
const CAP_FILTERS = (1 << CAP_TYPES.length) - 1;

/** `virNodeDeviceObjHasCap`: a scsi_host also counts as fc_host / vports when it has them. */
function hasCap(def: NodeDeviceDef, type: string): boolean {
  return def.caps.some((cap) =>
    cap.type === type ||
    (cap.type === "scsi_host" &&
      ((type === "fc_host" && cap.fcHost !== undefined) ||
        (type === "vports" && cap.vportOps !== undefined)))
  );
}

function nodedevError(detail: string): VirError {
  return VirError.report("NODEDEV", "INTERNAL_ERROR", detail);
}

/** `virNodeDeviceGetWWNs`: the fc_host WWNs of a device. */
function fcHost(def: NodeDeviceDef): { wwnn: string; wwpn: string } {
  for (const cap of def.caps) {
    if (cap.type === "scsi_host" && cap.fcHost) return cap.fcHost;
  }
  throw nodedevError("Device is not a fibre channel HBA");
}

/**
 * Adds a device or gives an existing one of the same name the new definition
 * (`virNodeDeviceObjListAssignDef`).
 *
 * @example
 * ```ts
 * import { assignNodeDevice } from "./node_device_api.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const def: import("./conf_adapters.ts").NodeDeviceDef;
 * assignNodeDevice(state, def).def.name;
 * ```
 */
export function assignNodeDevice(state: TestDriverState, def: NodeDeviceDef): NodeDeviceObj {
  const same = state.devices.get("name", def.name);
  if (same) {
    same.def = def;
    return same;
  }
  return state.devices.add({ def });
}

/**
 * The test driver's node device table.
 *
 * @example
 * ```ts
 * import { nodeDeviceMethods } from "./node_device_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = nodeDeviceMethods(new TestDriverState());
 * ```
 */
export function nodeDeviceMethods(state: TestDriverState): Partial<DriverConnection> {
  const byName = (name: string) =>
    orNotFound(
      state.devices.get("name", name),
      "NO_NODE_DEVICE",
      `no node device with matching name '${name}'`,
    );
  const withCap = (cap: string | null) =>
    state.devices.filter((d) => cap === null || hasCap(d.def, cap)).map((d) => d.def.name);
  const emit = (name: string, event: number) =>
    state.emit({
      family: "node_device",
      eventId: VIR.NODE_DEVICE_EVENT_ID_LIFECYCLE,
      ref: { name },
      data: { event, detail: 0 },
    });
  /** `virNodeDeviceObjListGetParentHost`: the named parent, or the first vport-capable host. */
  const checkParentHost = (def: NodeDeviceDef) => {
    const parent = def.parent !== undefined
      ? state.devices.get("name", def.parent)
      : state.devices.find((d) => hasCap(d.def, "vports"));
    if (!parent) {
      throw nodedevError(
        def.parent !== undefined
          ? `Could not find parent device for '${def.name}'`
          : "Could not find any vport capable device",
      );
    }
    if (!hasCap(parent.def, "vports")) {
      throw nodedevError(`Parent device ${parent.def.name} is not capable of vport operations`);
    }
  };
  /** `testNodeDeviceMockCreateVport`: scsi_host11 reborn as scsi_host12 with new WWNs. */
  const createVport = (wwns: { wwnn: string; wwpn: string }): NodeDeviceRef => {
    const template = byName("scsi_host11");
    const def: NodeDeviceDef = structuredClone(template.def);
    def.name = "scsi_host12";
    for (const cap of def.caps) {
      if (cap.type !== "scsi_host") continue;
      if (cap.fcHost) {
        cap.fcHost = { ...cap.fcHost, ...wwns };
      } else {
        cap.host++;
        if (cap.uniqueId !== undefined) cap.uniqueId++;
      }
    }
    assignNodeDevice(state, def);
    emit(def.name, VIR.NODE_DEVICE_EVENT_CREATED);
    return { name: def.name };
  };
  return lift({
    nodeNumOfDevices: (cap, flags) => {
      checkFlags(flags, 0, "testNodeNumOfDevices", F);
      return withCap(cap).length;
    },
    nodeListDevices: (cap, flags) => {
      checkFlags(flags, 0, "testNodeListDevices", F);
      return withCap(cap);
    },
    connectListAllNodeDevices: (flags) => {
      checkFlags(flags, CAP_FILTERS, "testConnectListAllNodeDevices", F);
      return state.devices.filter((d) =>
        !(flags & CAP_FILTERS) ||
        CAP_TYPES.some((type, i) => (flags & (1 << i)) !== 0 && hasCap(d.def, type))
      ).map((d) => ({ name: d.def.name }));
    },
    nodeDeviceLookupByName: (name) => ({ name: byName(name).def.name }),
    nodeDeviceGetXMLDesc: (dev, flags) => {
      checkFlags(flags, 0, "testNodeDeviceGetXMLDesc", F);
      return formatNodeDeviceXML(byName(dev.name).def);
    },
    // libvirt returns NULL for a device without parent; its "no parent for this device"
    // error never reaches callers (python-libvirt returns None without raising).
    nodeDeviceGetParent: (dev) => byName(dev.name).def.parent ?? null,
    nodeDeviceNumOfCaps: (dev) => byName(dev.name).def.caps.length,
    nodeDeviceListCaps: (dev) => byName(dev.name).def.caps.map((c) => c.type),
    nodeDeviceCreateXML: (xml, flags) => {
      checkFlags(flags, 0, "testNodeDeviceCreateXML", F);
      const def = parseNodeDeviceXML(xml);
      const wwns = fcHost(def);
      checkParentHost(def);
      return createVport({ wwnn: wwns.wwnn, wwpn: wwns.wwpn });
    },
    nodeDeviceDestroy: (dev) => {
      const obj = byName(dev.name);
      // libvirt returns success without doing anything when the device is no vHBA or its
      // parent is gone: its error path leaves the return value at 0.
      if (!hasCap(obj.def, "fc_host")) return;
      if (!state.devices.get("name", obj.def.parent)) return;
      emit(obj.def.name, VIR.NODE_DEVICE_EVENT_DELETED);
      state.devices.delete(obj);
    },
  });
}

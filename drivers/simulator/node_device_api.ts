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
import { hasCap, NODE_DEVICE_LIST_FILTERS_ALL } from "../../conf/objects/node_device_obj.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import { formatNodeDeviceXML, type NodeDeviceDef, parseNodeDeviceXML } from "./conf_adapters.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const F = "TEST";

/** `virNodeDeviceGetWWNs`: the fc_host WWNs of a device. */
function fcHost(def: NodeDeviceDef): { wwnn: string; wwpn: string } {
  for (const cap of def.caps) {
    if (cap.type === "scsi_host" && cap.fcHost) return cap.fcHost;
  }
  throw VirError.report("NODEDEV", "INTERNAL_ERROR", "Device is not a fibre channel HBA");
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
      state.devices.findByName(name),
      F,
      "NO_NODE_DEVICE",
      `no node device with matching name '${name}'`,
    );
  const emit = (name: string, event: number) =>
    state.emit({
      family: "node_device",
      eventId: VIR.NODE_DEVICE_EVENT_ID_LIFECYCLE,
      ref: { name },
      data: { event, detail: 0 },
    });
  /** `testNodeDeviceMockCreateVport`: scsi_host11 reborn as scsi_host12 with new WWNs. */
  const createVport = (wwns: { wwnn: string; wwpn: string }): NodeDeviceRef => {
    // Without scsi_host11 (destroyed) libvirt's mock fails without reporting an error, and
    // the public API reports its generic one.
    const template = state.devices.findByName("scsi_host11");
    if (!template) {
      throw VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
    }
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
    state.devices.assignDef(def);
    emit(def.name, VIR.NODE_DEVICE_EVENT_CREATED);
    return { name: def.name };
  };
  return methodTable({
    nodeNumOfDevices: (cap, flags) => {
      checkFlags(flags, 0, "testNodeNumOfDevices", F);
      return state.devices.names(cap).length;
    },
    nodeListDevices: (cap, flags) => {
      checkFlags(flags, 0, "testNodeListDevices", F);
      return state.devices.names(cap);
    },
    connectListAllNodeDevices: (flags) => {
      checkFlags(flags, NODE_DEVICE_LIST_FILTERS_ALL, "testConnectListAllNodeDevices", F);
      return state.devices.export(flags).map((d) => ({ name: d.def.name }));
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
      checkFlags(flags, VIR.NODE_DEVICE_CREATE_XML_VALIDATE, "testNodeDeviceCreateXML", F);
      const def = parseNodeDeviceXML(xml, flags, true);
      const wwns = fcHost(def);
      state.devices.checkParentHost(def);
      return createVport({ wwnn: wwns.wwnn, wwpn: wwns.wwpn });
    },
    nodeDeviceDestroy: (dev) => {
      const obj = byName(dev.name);
      // libvirt returns success without doing anything when the device is no vHBA or its
      // parent is gone: its error path leaves the return value at 0.
      if (!hasCap(obj.def, "fc_host")) return;
      if (!state.devices.findByName(obj.def.parent)) return;
      emit(obj.def.name, VIR.NODE_DEVICE_EVENT_DELETED);
      state.devices.delete(obj);
    },
  });
}

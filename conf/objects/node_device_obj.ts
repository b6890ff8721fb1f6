/**
 * libvirt's `virNodeDeviceObj` and `virNodeDeviceObjList` (src/conf/virnodedeviceobj.c): node
 * devices by name, `virNodeDeviceObjHasCap`, `virNodeDeviceObjListAssignDef`, the parent host
 * of a new vHBA and the capability filters of `virNodeDeviceObjListExport`.
 *
 * @module
 */
import type { NodeDeviceDef } from "../node_device/model.ts";
import { VirError } from "../../util/errors.ts";
import { KeyedTable } from "./keyed_table.ts";

/** A node device (`virNodeDeviceObj`). */
export interface NodeDeviceObj {
  def: NodeDeviceDef;
}

/** virNodeDevCapType in enum order: the list filter flag of a type is `1 << index`. */
export const CAP_TYPES = [
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

/** Every capability filter `connectListAllNodeDevices` accepts. */
export const NODE_DEVICE_LIST_FILTERS_ALL = (1 << CAP_TYPES.length) - 1;

/**
 * `virNodeDeviceObjHasCap`: a scsi_host also counts as fc_host / vports when it has them.
 *
 * @example
 * ```ts
 * import { hasCap } from "./node_device_obj.ts";
 * declare const def: import("../node_device/model.ts").NodeDeviceDef;
 * hasCap(def, "vports");
 * ```
 */
export function hasCap(def: NodeDeviceDef, type: string): boolean {
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

/**
 * A driver's node devices by name.
 *
 * @example
 * ```ts
 * import { NodeDeviceObjList } from "./node_device_obj.ts";
 * declare const def: import("../node_device/model.ts").NodeDeviceDef;
 * const devices = new NodeDeviceObjList();
 * devices.assignDef(def).def.name;
 * ```
 */
export class NodeDeviceObjList extends KeyedTable<NodeDeviceObj, "name"> {
  constructor() {
    super({ name: (d: NodeDeviceObj) => d.def.name });
  }

  /** `virNodeDeviceObjListFindByName`. */
  findByName(name: string | undefined): NodeDeviceObj | undefined {
    return this.get("name", name);
  }

  /**
   * `virNodeDeviceObjListAssignDef`: a device of the same name takes the definition, else the
   * device is added.
   */
  assignDef(def: NodeDeviceDef): NodeDeviceObj {
    const same = this.findByName(def.name);
    if (same) {
      same.def = def;
      return same;
    }
    return this.add({ def });
  }

  /** `virNodeDeviceObjListGetNames`: the names of the devices with capability `cap` (any). */
  names(cap: string | null): string[] {
    return this.filter((d) => cap === null || hasCap(d.def, cap)).map((d) => d.def.name);
  }

  /** `virNodeDeviceObjListExport`: the devices having any capability the filters name. */
  export(flags: number): NodeDeviceObj[] {
    return this.filter((d) =>
      !(flags & NODE_DEVICE_LIST_FILTERS_ALL) ||
      CAP_TYPES.some((type, i) => (flags & (1 << i)) !== 0 && hasCap(d.def, type))
    );
  }

  /**
   * `virNodeDeviceObjListGetParentHost` for a new vHBA: its named parent, or the first
   * vport-capable host, which must be able to create vports.
   */
  checkParentHost(def: NodeDeviceDef): void {
    const parent = def.parent !== undefined
      ? this.findByName(def.parent)
      : this.find((d) => hasCap(d.def, "vports"));
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
  }
}

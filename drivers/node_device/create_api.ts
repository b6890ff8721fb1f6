/**
 * Creating and defining node devices (`nodeDeviceCreateXML`, `nodeDeviceDefineXML`): libvirt
 * creates vHBAs on an NPIV-capable fibre channel host and mediated devices through mdevctl,
 * and refuses every other device type. This driver creates vHBAs; mediated devices are
 * refused as an unsupported type (no mdevctl support here). The XML is read by `conf/`'s
 * node-device parser, which checks every capability type as libvirt does; what is not a SCSI
 * host is then this driver's "Unsupported device type", as in libvirt.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import { parseNodeDeviceXML } from "../../conf/node_device/mod.ts";
import type { NodeDeviceState } from "./state.ts";
import { fcWWNs, manageVport, parentHost } from "./vport.ts";

const F = "NODEDEV";
/** libvirt's `LINUX_NEW_DEVICE_WAIT_TIME`: how long a new vHBA may take to show up. */
const NEW_DEVICE_WAIT_MS = 60_000;
const POLL_MS = 500;

const unsupported = () => VirError.report(F, "CONFIG_UNSUPPORTED", "Unsupported device type");

/**
 * The create/define calls of one connection.
 *
 * @example
 * ```ts
 * import { createMethods } from "./create_api.ts";
 * import { NodeDeviceState } from "./state.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * createMethods(new NodeDeviceState(new Sysfs(), { privileged: false, ethtool: () => undefined }));
 * ```
 */
export function createMethods(state: NodeDeviceState): Partial<DriverConnection> {
  /** `nodeDeviceFindNewSCSIHost`: the vHBA with these WWNs once the kernel made it. */
  const findNew = async (wwnn: string, wwpn: string) => {
    for (let waited = 0; waited <= NEW_DEVICE_WAIT_MS; waited += POLL_MS) {
      state.refresh();
      for (const def of state.devices.values()) {
        if (
          def.caps.some((c) =>
            c.type === "scsi_host" && c.fcHost?.wwnn === wwnn && c.fcHost?.wwpn === wwpn
          )
        ) {
          return { name: def.name };
        }
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return undefined;
  };
  return methodTable({
    nodeDeviceCreateXML: async (xml, flags) => {
      checkFlags(flags, VIR.NODE_DEVICE_CREATE_XML_VALIDATE, "nodeDeviceCreateXML", F);
      const def = parseNodeDeviceXML(xml, flags, true);
      if (!def.caps.some((c) => c.type === "scsi_host")) throw unsupported();
      const { wwnn, wwpn } = fcWWNs(def.caps);
      const host = parentHost(state, def.name, def.parent);
      await manageVport(state.sys, host, wwpn, wwnn, "create");
      const found = await findNew(wwnn, wwpn);
      if (!found) {
        throw VirError.report(
          F,
          "NO_NODE_DEVICE",
          `no node device for '${def.name}' with matching wwnn '${wwnn}' and wwpn '${wwpn}'`,
        );
      }
      return found;
    },
    nodeDeviceDefineXML: (xml, flags) => {
      checkFlags(flags, VIR.NODE_DEVICE_DEFINE_XML_VALIDATE, "nodeDeviceDefineXML", F);
      parseNodeDeviceXML(xml, flags, true);
      throw unsupported();
    },
  });
}

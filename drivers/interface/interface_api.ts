/**
 * The calls of libvirt's udev interface backend (`interface_backend_udev.c`): lists and counts
 * (active = link up, defined = link down: an interface whose state is `unknown`, like `lo`, is
 * in neither count but in the full list as inactive), lookups by name and MAC, XML and
 * activity. Defining, changing, starting and stopping host interfaces are not in that backend,
 * so they answer libvirt's "not supported" (the contract's default for a missing call).
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import type { Sysfs } from "../../util/sysfs.ts";
import { formatInterfaceXML } from "../../conf/interface/mod.ts";
import { hostIface, hostIfaces } from "./host_ifaces.ts";
import { ifaceDef } from "./iface_def.ts";

const F = "INTERFACE";
const FILTERS = VIR.CONNECT_LIST_INTERFACES_ACTIVE | VIR.CONNECT_LIST_INTERFACES_INACTIVE;

/**
 * The interface calls of one connection.
 *
 * @example
 * ```ts
 * import { interfaceMethods } from "./interface_api.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * interfaceMethods(new Sysfs(), "/proc");
 * ```
 */
export function interfaceMethods(sys: Sysfs, proc: string): Partial<DriverConnection> {
  const byState = (state: string) =>
    hostIfaces(sys).filter((i) => i.operstate === state).map((i) => i.name);
  const byName = (name: string) => {
    const iface = hostIface(sys, name);
    if (!iface) {
      throw VirError.report(F, "NO_INTERFACE", `couldn't find interface named '${name}'`);
    }
    return iface;
  };
  return methodTable({
    connectNumOfInterfaces: () => byState("up").length,
    connectListInterfaces: () => byState("up"),
    connectNumOfDefinedInterfaces: () => byState("down").length,
    connectListDefinedInterfaces: () => byState("down"),
    connectListAllInterfaces: (flags) => {
      checkFlags(flags, FILTERS, "udevConnectListAllInterfaces", F);
      return hostIfaces(sys).filter((i) => {
        const up = i.operstate === "up";
        return !(flags & FILTERS) ||
          ((flags & VIR.CONNECT_LIST_INTERFACES_ACTIVE) !== 0 && up) ||
          ((flags & VIR.CONNECT_LIST_INTERFACES_INACTIVE) !== 0 && !up);
      }).map((i) => ({ name: i.name, mac: i.mac }));
    },
    interfaceLookupByName: (name) => {
      const i = byName(name);
      return { name: i.name, mac: i.mac };
    },
    interfaceLookupByMACString: (mac) => {
      const found = hostIfaces(sys).filter((i) => i.mac === mac);
      if (!found.length) {
        throw VirError.report(
          F,
          "NO_INTERFACE",
          `couldn't find interface with MAC address '${mac}'`,
        );
      }
      if (found.length > 1) {
        throw VirError.report(
          F,
          "MULTIPLE_INTERFACES",
          `the MAC address '${mac}' matches multiple interfaces`,
        );
      }
      return { name: found[0].name, mac: found[0].mac };
    },
    interfaceGetXMLDesc: (iface, flags) => {
      checkFlags(flags, VIR.INTERFACE_XML_INACTIVE, "udevInterfaceGetXMLDesc", F);
      return formatInterfaceXML(ifaceDef(sys, iface.name, proc));
    },
    interfaceIsActive: (iface) => byName(iface.name).operstate === "up",
  });
}

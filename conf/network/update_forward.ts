/**
 * `virNetworkUpdate` of the `<forward>` device pool (virNetworkDefUpdateForwardInterface,
 * src/conf/network_conf.c): netdev `<interface dev=…/>` entries are added or deleted by name,
 * never modified.
 *
 * @example
 * ```ts
 * import { updateForwardInterface } from "./update_forward.ts";
 * import { parseNetworkXML } from "./parse.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * import { VIR } from "../../util/constants.ts";
 * const def = parseNetworkXML("<network><name>n</name><forward mode='bridge'/></network>");
 * updateForwardInterface(def, VIR.NETWORK_UPDATE_COMMAND_ADD_LAST, -1,
 *   parse("<interface dev='eth1'/>"));
 * def.forward.ifs.length; // 1
 * ```
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import {
  addEntry,
  checkElementName,
  invalid,
  isAdd,
  type SectionUpdater,
  unknownCommand,
  unsupported,
} from "./update_common.ts";

/**
 * virNetworkDefUpdateForwardInterface. libvirt refuses to delete an interface guests use; no
 * driver here hands out forward-pool interfaces, so every pool entry has no connection.
 */
export const updateForwardInterface: SectionUpdater = (def, command, _parentIndex, el) => {
  checkElementName(def, el, "interface");
  if (command === VIR.NETWORK_UPDATE_COMMAND_MODIFY) {
    throw unsupported("forward interface entries cannot be modified, only added or deleted");
  }
  const dev = el.attributes.dev;
  if (dev === undefined) {
    throw VirError.report("NETWORK", "XML_ERROR", "missing dev attribute in <interface> element");
  }
  const ifs = def.forward.ifs;
  const i = ifs.findIndex((f) => f.type === "netdev" && f.dev === dev);
  if (isAdd(command)) {
    if (i >= 0) {
      throw invalid(
        `there is an existing interface entry in network '${def.name}' that matches ` +
          `"<interface dev='${dev}'>"`,
      );
    }
    addEntry(ifs, { type: "netdev", dev }, command);
  } else if (command === VIR.NETWORK_UPDATE_COMMAND_DELETE) {
    if (i < 0) {
      throw invalid(
        `couldn't find an interface entry in network '${def.name}' matching ` +
          `<interface dev='${dev}'>`,
      );
    }
    ifs.splice(i, 1);
  } else {
    throw unknownCommand(command);
  }
};

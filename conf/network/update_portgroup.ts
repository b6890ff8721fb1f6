/**
 * `virNetworkUpdate` of the `<portgroup>` list (virNetworkDefUpdatePortGroup,
 * src/conf/network_conf.c): entries found by name; MODIFY replaces the whole entry; a portgroup
 * may become the default only when no other one is.
 *
 * @example
 * ```ts
 * import { updatePortGroup } from "./update_portgroup.ts";
 * import { parseNetworkXML } from "./parse.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * import { VIR } from "../../util/constants.ts";
 * const def = parseNetworkXML("<network><name>n</name></network>");
 * updatePortGroup(def, VIR.NETWORK_UPDATE_COMMAND_ADD_LAST, -1,
 *   parse("<portgroup name='web' default='yes'/>"));
 * def.portGroups[0].isDefault; // true
 * ```
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { parsePortGroup } from "./entries.ts";
import {
  addEntry,
  checkElementName,
  invalid,
  isAdd,
  type SectionUpdater,
  unknownCommand,
} from "./update_common.ts";

/** virNetworkDefUpdatePortGroup. */
export const updatePortGroup: SectionUpdater = (def, command, _parentIndex, el) => {
  checkElementName(def, el, "portgroup");
  const pg = parsePortGroup(el);
  const groups = def.portGroups;
  const named = groups.findLastIndex((g) => g.name === pg.name);
  const isDefault = groups.findLastIndex((g) => g.isDefault);
  const replace = command === VIR.NETWORK_UPDATE_COMMAND_MODIFY;
  const remove = command === VIR.NETWORK_UPDATE_COMMAND_DELETE;
  if (named < 0 && (replace || remove)) {
    throw invalid(
      `couldn't find a portgroup entry in network '${def.name}' matching ` +
        `<portgroup name='${pg.name}'>`,
    );
  }
  if (named >= 0 && isAdd(command)) {
    throw invalid(
      `there is an existing portgroup entry in network '${def.name}' that matches ` +
        `"<portgroup name='${pg.name}'>"`,
    );
  }
  if (!remove && pg.isDefault && isDefault >= 0 && isDefault !== named) {
    throw invalid(
      `a different portgroup entry in network '${def.name}' is already set as the default. ` +
        "Only one default is allowed.",
    );
  }
  if (replace) groups[named] = pg;
  else if (isAdd(command)) addEntry(groups, pg, command);
  else if (remove) groups.splice(named, 1);
  else throw unknownCommand(command);
};

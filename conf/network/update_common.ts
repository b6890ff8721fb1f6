/**
 * What every section updater of `virNetworkDefUpdateSection` shares (src/conf/network_conf.c):
 * the element-name check, the unknown-command error and the ADD_FIRST/ADD_LAST insertion.
 *
 * @example
 * ```ts
 * import { addEntry } from "./update_common.ts";
 * import { VIR } from "../../util/constants.ts";
 * const list = [2];
 * addEntry(list, 1, VIR.NETWORK_UPDATE_COMMAND_ADD_FIRST); // list is [1, 2]
 * ```
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import type { NetworkDef } from "./model.ts";

/** One section's updater: applies `command` with `el` to `def` in place, or throws. */
export type SectionUpdater = (
  def: NetworkDef,
  command: number,
  parentIndex: number,
  el: XmlElement,
) => void;

/** VIR_ERR_OPERATION_INVALID from the network driver. */
export const invalid = (msg: string): VirError =>
  VirError.report("NETWORK", "OPERATION_INVALID", msg);

/** VIR_ERR_OPERATION_UNSUPPORTED from the network driver. */
export const unsupported = (msg: string): VirError =>
  VirError.report("NETWORK", "OPERATION_UNSUPPORTED", msg);

/** virNetworkDefUpdateUnknownCommand. */
export const unknownCommand = (command: number): VirError =>
  unsupported(`unrecognized network update command code ${command}`);

/** ADD_FIRST or ADD_LAST. */
export const isAdd = (command: number): boolean =>
  command === VIR.NETWORK_UPDATE_COMMAND_ADD_FIRST ||
  command === VIR.NETWORK_UPDATE_COMMAND_ADD_LAST;

/** Inserts `entry` at the front for ADD_FIRST, else at the end. */
export function addEntry<T>(list: T[], entry: T, command: number): void {
  if (command === VIR.NETWORK_UPDATE_COMMAND_ADD_FIRST) list.unshift(entry);
  else list.push(entry);
}

/** virNetworkDefUpdateCheckElementName. */
export function checkElementName(def: NetworkDef, el: XmlElement, name: string): void {
  if (el.name !== name) {
    throw VirError.report(
      "NETWORK",
      "XML_ERROR",
      `unexpected element <${el.name}>, expecting <${name}>, while updating network ` +
        `'${def.name}'`,
    );
  }
}

/**
 * What a running network keeps of its ports' floors (libvirt's `virNetworkObj` `classIdMap`
 * and `floor_sum`) and how its status file carries them across a driver restart
 * (`virNetworkObjFormat`, `virNetworkLoadState`): `<networkstatus>` with `<class_id
 * bitmap='…'/>` and `<floor sum='…'/>` before the live `<network>`.
 *
 * @module
 */
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import { VirError } from "../../util/errors.ts";
import { child, parse } from "../../util/xml/mod.ts";

/** A network's floor classes: the class IDs in use and the sum of the plugged floors. */
export interface FloorState {
  /** The class IDs taken; 0-2 always (the root, 1:1 and the default 1:2). */
  classIds: Set<number>;
  /** The sum of the inbound floors of the plugged ports, in kilobytes per second. */
  floorSum: number;
}

/**
 * A new network object's state (`virNetworkObjNew`): IDs 0, 1 and 2 taken, no floor.
 *
 * @example
 * ```ts
 * import { newFloorState } from "./floor_state.ts";
 * newFloorState().classIds.has(2); // true
 * ```
 */
export function newFloorState(): FloorState {
  return { classIds: new Set([0, 1, 2]), floorSum: 0 };
}

/**
 * `networkNextClassID`: the lowest free class ID, taken.
 *
 * @example
 * ```ts
 * import { newFloorState, nextClassId } from "./floor_state.ts";
 * nextClassId(newFloorState()); // 3
 * ```
 */
export function nextClassId(qos: FloorState): number {
  let id = 0;
  while (qos.classIds.has(id)) id++;
  qos.classIds.add(id);
  return id;
}

/**
 * `virNetworkObjFormat`: the status file of a running network, its live definition (as
 * formatted, one level deeper) after the floor state.
 *
 * @example
 * ```ts
 * import { formatNetworkStatus, newFloorState } from "./floor_state.ts";
 * formatNetworkStatus(newFloorState(), "<network>\n</network>\n").split("\n")[1];
 * // "  <class_id bitmap='0-2'/>"
 * ```
 */
export function formatNetworkStatus(qos: FloorState, networkXml: string): string {
  const ids = formatBitmap([...qos.classIds].sort((a, b) => a - b));
  const body = networkXml.replace(/\n$/, "").split("\n").map((l) => `  ${l}`).join("\n");
  return `<networkstatus>\n  <class_id bitmap='${ids}'/>\n  <floor sum='${qos.floorSum}'/>\n${body}\n</networkstatus>\n`;
}

/**
 * `virNetworkLoadState`'s reading of a status file: the live `<network>` and the floor state
 * (a bare `<network>` file, as older versions wrote, gives a new object's state).
 *
 * @example
 * ```ts
 * import { parseNetworkStatus } from "./floor_state.ts";
 * const text = "<networkstatus><class_id bitmap='0-3'/><floor sum='300'/><network><name>n</name></network></networkstatus>";
 * parseNetworkStatus(text).qos.floorSum; // 300
 * ```
 */
export function parseNetworkStatus(text: string): { networkXml: string; qos: FloorState } {
  const root = parse(text);
  const qos = newFloorState();
  if (root.name !== "networkstatus") return { networkXml: text, qos };
  // The definition's own text, one level shallower (re-formatting it could change it).
  const network = /<network[\s/>][^]*<\/network>/.exec(text);
  if (!child(root, "network") || !network) {
    throw VirError.report(
      "NETWORK",
      "INTERNAL_ERROR",
      "Could not find any 'network' element in status file",
    );
  }
  const indent = /[ \t]*$/.exec(text.slice(0, network.index))![0];
  const networkXml = `${network[0].replaceAll(`\n${indent}`, "\n")}\n`;
  const bitmap = child(root, "class_id")?.attributes.bitmap;
  if (bitmap !== undefined) qos.classIds = new Set(parseBitmap(bitmap));
  const sum = child(root, "floor")?.attributes.sum;
  if (sum !== undefined) {
    if (!/^\d+$/.test(sum)) {
      throw VirError.report("NETWORK", "INTERNAL_ERROR", `Malformed 'floor_sum' attribute: ${sum}`);
    }
    qos.floorSum = Number(sum);
  }
  return { networkXml, qos };
}

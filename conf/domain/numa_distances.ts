/**
 * The `<distances>` of guest NUMA cells as libvirt 9.0's virDomainNumaDefNodeDistanceParseXML
 * reads them: each `<sibling>` names a cell and a distance (10 to itself, 11 to 255 to any other),
 * and a distance given one way is taken the other way too unless that cell gives its own. Every
 * cell that takes part gets its full row back, its own distance included.
 *
 * @example
 * ```ts
 * import { distancesElement, readCellDistances } from "./numa_distances.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const rows: (number[] | undefined)[] = [undefined, undefined];
 * readCellDistances(parse("<cell><distances><sibling id='1' value='21'/></distances></cell>"), 0, rows);
 * distancesElement(rows[1]); // <distances> with siblings 0 (21) and 1 (10)
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { xmlPropUInt } from "../common/mod.ts";

/** libvirt's LOCAL_DISTANCE and UNREACHABLE. */
const LOCAL = 10;
const UNREACHABLE = 255;

const xmlErr = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** C's `%d` of an unsigned int. */
const signed = (n: number) => n | 0;

/** A row of `n` distances with only the cell's own. */
function ownRow(n: number, cell: number): number[] {
  const row = new Array<number>(n).fill(0);
  row[cell] = LOCAL;
  return row;
}

/**
 * Reads the first `<distances>` of `cell` (the cell with id `cur`) into `rows`, one row per cell
 * (undefined while a cell has none), filling the other direction where it is still unset.
 */
export function readCellDistances(
  cell: XmlElement,
  cur: number,
  rows: (number[] | undefined)[],
): void {
  const distances = child(cell, "distances");
  if (!distances) return;
  const siblings = children(distances, "sibling");
  if (!siblings.length) throw xmlErr("NUMA distances defined without siblings");
  for (const s of siblings) {
    const id = xmlPropUInt(s, "id", undefined, { required: true })!;
    if (id >= rows.length) {
      throw xmlErr(
        `'sibling_id ${signed(id)}' does not refer to a valid cell within NUMA 'cell id ${
          signed(cur)
        }'`,
      );
    }
    const value = xmlPropUInt(s, "value", undefined, { required: true })!;
    if (value < LOCAL || value > UNREACHABLE || (id === cur) !== (value === LOCAL)) {
      throw xmlErr(
        `'value ${signed(value)}' is invalid for 'sibling id ${signed(id)}' under NUMA ` +
          `'cell id ${signed(cur)}'`,
      );
    }
    (rows[cur] ??= ownRow(rows.length, cur))[id] = value;
    const back = rows[id] ??= ownRow(rows.length, id);
    if (!back[cur]) back[cur] = value;
  }
}

/** virNumaDistanceFormat: a cell's known distances; none for a cell without a row. */
export function distancesElement(row: number[] | undefined): XmlElement | undefined {
  if (!row) return undefined;
  return element(
    "distances",
    {},
    row.map((value, id) => value ? element("sibling", { id, value }) : undefined),
  );
}

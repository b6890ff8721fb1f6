/**
 * libvirt 9.0's filter parameters (`src/conf/nwfilter_params.c`): the `<parameter name value>`
 * children of a `<filterref>`, in a domain's NIC as in a filter or a binding. A parameter with a
 * name or value outside libvirt's characters is skipped as `virNWFilterParseParamAttributes`
 * skips it; values of one name make a list; the formatter writes the names sorted (`strcmp`),
 * each with its values in order.
 *
 * @module
 */
import { children, element, type XmlElement } from "../../util/xml/mod.ts";

/** `VALID_VARNAME` of nwfilter_params.h: any number of them, even none. */
const VAR_NAME = /^[A-Za-z0-9_]*$/;
/** `VALID_VARVALUE`: at least one. */
const VAR_VALUE = /^[A-Za-z0-9_.:]+$/;

/**
 * The parameters of a `<filterref>`, each name with its values, as libvirt keeps them.
 *
 * @example
 * ```ts
 * import { parseFilterParams } from "./params.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseFilterParams(parse("<filterref filter='f'><parameter name='IP' value='10.0.0.1'/></filterref>"));
 * // Map { "IP" => ["10.0.0.1"] }
 * ```
 */
export function parseFilterParams(filterref: XmlElement): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const p of children(filterref, "parameter")) {
    const { name, value } = p.attributes;
    if (name === undefined || !VAR_NAME.test(name) || value === undefined) continue;
    if (!VAR_VALUE.test(value)) continue;
    params.set(name, [...params.get(name) ?? [], value]);
  }
  return params;
}

/**
 * Each parameter value with its name, names sorted (`strcmp`) as virHashGetItems gives them to
 * `virNWFilterFormatParamAttributes`, each name's values in order.
 *
 * @example
 * ```ts
 * import { sortedParams } from "./params.ts";
 * sortedParams(new Map([["b", ["1"]], ["A", ["2", "3"]]])); // [["A","2"],["A","3"],["b","1"]]
 * ```
 */
export function sortedParams(params: Map<string, string[]>): [string, string][] {
  const names = [...params.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  return names.flatMap((name) => params.get(name)!.map((v): [string, string] => [name, v]));
}

/**
 * `virNWFilterFormatParamAttributes` at `indent`: the reference with its parameters.
 *
 * @example
 * ```ts
 * import { formatFilterRef } from "./params.ts";
 * formatFilterRef("f", new Map([["IP", ["10.0.0.1"]]]), "");
 * // "<filterref filter='f'>\n  <parameter name='IP' value='10.0.0.1'/>\n</filterref>\n"
 * ```
 */
export function formatFilterRef(
  filter: string,
  params: Map<string, string[]>,
  indent: string,
): string {
  const items = sortedParams(params);
  if (!items.length) return `${indent}<filterref filter='${filter}'/>\n`;
  const lines = items.map(([name, value]) =>
    `${indent}  <parameter name='${name}' value='${value}'/>\n`
  );
  return `${indent}<filterref filter='${filter}'>\n${lines.join("")}${indent}</filterref>\n`;
}

/**
 * A domain NIC's `<filterref>` as libvirt's parser leaves it: none without a filter name, its
 * parameters kept and sorted.
 *
 * @example
 * ```ts
 * import { normalizeFilterref } from "./params.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * normalizeFilterref(parse("<filterref/>")); // undefined
 * ```
 */
export function normalizeFilterref(filterref: XmlElement): XmlElement | undefined {
  const filter = filterref.attributes.filter;
  if (filter === undefined) return undefined;
  const kids = sortedParams(parseFilterParams(filterref)).map(([name, value]) =>
    element("parameter", { name, value })
  );
  return element("filterref", { filter }, kids);
}

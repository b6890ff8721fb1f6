/**
 * The schema check libvirt's `*_VALIDATE` flags run (virXMLValidateAgainstSchema): the document
 * validated by libxml2's RELAX NG validator against one of libvirt 9.0's schemas, a refusal
 * reported as VIR_ERR_XML_INVALID_SCHEMA (VIR_FROM_XML) with libxml2's lines. The schemas come
 * as JSON copies (`tests/tools/rng_json.ts`) and are compiled once, on first use.
 *
 * @example
 * ```ts
 * import { rngValidator } from "./rng.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const validate = rngValidator("demo.rng", {
 *   source: "demo",
 *   start: [{ e: "element", a: { name: "demo" }, c: [{ e: "text" }] }],
 *   defines: {},
 * });
 * validate(parse("<demo>text</demo>")); // passes
 * validate(parse("<demo><x/></demo>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { loadRelaxNG, type RelaxNG, type RngJson } from "./relaxng_schema.ts";
import { relaxNGErrors } from "./relaxng_validate.ts";

/**
 * libvirt's VIR_ERR_XML_INVALID_SCHEMA for a document `file` (a schema under
 * /usr/share/libvirt/schemas) refused with libxml2's `lines`.
 */
export function schemaInvalid(file: string, lines: string[]): VirError {
  return VirError.report(
    "XML",
    "XML_INVALID_SCHEMA",
    `Unable to validate doc against /usr/share/libvirt/schemas/${file}\n` +
      lines.map((l) => l + "\n").join(""),
  );
}

/** A document check against one schema: throws VIR_ERR_XML_INVALID_SCHEMA when it fails. */
export type RngValidator = (root: XmlElement) => void;

/**
 * The check against the schema `file` (its name under /usr/share/libvirt/schemas, as libvirt
 * reports it), copied as `json` (an {@link RngJson}: a JSON module's inferred type is too
 * narrow to say so), with the copies of the files its nested grammars include in `grammars`;
 * the grammar is compiled on the first call and kept.
 */
export function rngValidator(
  file: string,
  json: object,
  grammars: Record<string, object> = {},
): RngValidator {
  let schema: RelaxNG | undefined;
  return (root) => {
    schema ??= loadRelaxNG(json as RngJson, grammars as Record<string, RngJson>);
    const lines = relaxNGErrors(root, schema);
    if (lines) throw schemaInvalid(file, lines);
  };
}

/**
 * libvirt 9.0's `nwfilter.rng` and `nwfilterbinding.rng` (with the files they include), copied
 * into `nwfilter_rng.json` and `nwfilterbinding_rng.json` by `tests/tools/rng_json.ts`, and the
 * checks the VALIDATE flags of virNWFilterDefineXMLFlags and virNWFilterBindingCreateXML run.
 *
 * @example
 * ```ts
 * import { validateNWFilterSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateNWFilterSchema(parse("<filter name='f'/>")); // passes
 * validateNWFilterSchema(parse("<filter name='f'><bogus/></filter>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import FILTER from "./nwfilter_rng.json" with { type: "json" };
import BINDING from "./nwfilterbinding_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when a filter does not validate. */
export const validateNWFilterSchema: RngValidator = rngValidator("nwfilter.rng", FILTER);

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when a binding does not validate. */
export const validateNWFilterBindingSchema: RngValidator = rngValidator(
  "nwfilterbinding.rng",
  BINDING,
);

/**
 * libvirt 9.0's `interface.rng` (with the files it includes), copied into `interface_rng.json` by
 * `tests/tools/rng_json.ts`, and the check the VALIDATE flag of virInterfaceDefineXML runs against it.
 *
 * @example
 * ```ts
 * import { validateInterfaceSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateInterfaceSchema(parse("<interface type='ethernet' name='eth0'/>")); // passes
 * validateInterfaceSchema(parse("<interface type='ethernet'/>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./interface_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateInterfaceSchema: RngValidator = rngValidator("interface.rng", SCHEMA);

/**
 * libvirt 9.0's `secret.rng` (with the files it includes), copied into `secret_rng.json` by
 * `tests/tools/rng_json.ts`, and the check the VALIDATE flag of virSecretDefineXML runs against it.
 *
 * @example
 * ```ts
 * import { validateSecretSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateSecretSchema(parse("<secret><usage type='volume'><volume>/v</volume></usage></secret>")); // passes
 * validateSecretSchema(parse("<secret><bogus/></secret>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./secret_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateSecretSchema: RngValidator = rngValidator("secret.rng", SCHEMA);

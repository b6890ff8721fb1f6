/**
 * libvirt 9.0's `storagevol.rng` (with the files it includes), copied into `storagevol_rng.json` by
 * `tests/tools/rng_json.ts`, and the check the VALIDATE flag of virStorageVolCreateXML(From) runs against it.
 *
 * @example
 * ```ts
 * import { validateStorageVolSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateStorageVolSchema(parse("<volume><name>v</name><capacity>1</capacity><target/></volume>")); // passes
 * validateStorageVolSchema(parse("<volume><capacity>1</capacity></volume>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./storagevol_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateStorageVolSchema: RngValidator = rngValidator("storagevol.rng", SCHEMA);

/**
 * libvirt 9.0's `storagepool.rng` (with the files it includes), copied into `storagepool_rng.json` by
 * `tests/tools/rng_json.ts`, and the check the VALIDATE flag of virStoragePoolDefineXML and virStoragePoolCreateXML runs against it.
 *
 * @example
 * ```ts
 * import { validateStoragePoolSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateStoragePoolSchema(parse("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>")); // passes
 * validateStoragePoolSchema(parse("<pool type='dir'><name>p</name></pool>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./storagepool_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateStoragePoolSchema: RngValidator = rngValidator("storagepool.rng", SCHEMA);

/**
 * libvirt 9.0's `network.rng` (with the files it includes), copied into `network_rng.json` by
 * `tests/tools/rng_json.ts`, and the check the VALIDATE flag of virNetworkDefineXMLFlags and virNetworkCreateXMLFlags runs against it.
 *
 * @example
 * ```ts
 * import { validateNetworkSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateNetworkSchema(parse("<network><name>n</name></network>")); // passes
 * validateNetworkSchema(parse("<network><name>n</name><bogus/></network>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./network_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateNetworkSchema: RngValidator = rngValidator("network.rng", SCHEMA);

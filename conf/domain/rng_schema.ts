/**
 * libvirt 9.0's `domain.rng` (with the files it includes), copied into `domain_rng.json` by
 * `tests/tools/rng_json.ts`, and the check the VALIDATE flag of virDomainDefineXMLFlags and virDomainCreateXML runs against it.
 *
 * @example
 * ```ts
 * import { validateDomainSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateDomainSchema(parse("<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>")); // passes
 * validateDomainSchema(parse("<domain type='test'><name>a</name><bogus/></domain>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./domain_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateDomainSchema: RngValidator = rngValidator("domain.rng", SCHEMA);

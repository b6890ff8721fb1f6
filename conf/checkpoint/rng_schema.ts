/**
 * libvirt 9.0's `domaincheckpoint.rng` (with the files it includes), copied into
 * `checkpoint_rng.json` by `tests/tools/rng_json.ts`, and the check libvirt always runs against
 * it when it reads a checkpoint (virDomainCheckpointDefParseString). Its nested grammar for the
 * embedded `<domain>` includes domain.rng, whose copy is the domain's own.
 *
 * @example
 * ```ts
 * import { validateCheckpointSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateCheckpointSchema(parse("<domaincheckpoint><name>c</name></domaincheckpoint>")); // passes
 * validateCheckpointSchema(parse("<domaincheckpoint><bogus/></domaincheckpoint>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import DOMAIN from "../domain/domain_rng.json" with { type: "json" };
import SCHEMA from "./checkpoint_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateCheckpointSchema: RngValidator = rngValidator(
  "domaincheckpoint.rng",
  SCHEMA,
  { "domain.rng": DOMAIN },
);

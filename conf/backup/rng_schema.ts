/**
 * libvirt 9.0's `domainbackup.rng` (with the definitions it uses from domaincommon.rng), copied
 * into `backup_rng.json` by `tests/tools/rng_json.ts` from tests/fixtures/schemas, and the check
 * libvirt always runs against it when it reads a backup (virDomainBackupDefParseString).
 *
 * @example
 * ```ts
 * import { validateBackupSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateBackupSchema(parse("<domainbackup/>")); // passes
 * validateBackupSchema(parse("<domainbackup mode='bogus'/>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./backup_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateBackupSchema: RngValidator = rngValidator("domainbackup.rng", SCHEMA);

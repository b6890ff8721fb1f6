/**
 * libvirt 9.0's `domainsnapshot.rng` (with the files it includes), copied into
 * `snapshot_rng.json` by `tests/tools/rng_json.ts`, and the check the VALIDATE flag of
 * virDomainSnapshotCreateXML runs against it. Its nested grammars for the embedded domain
 * include domain.rng, whose copy is the domain's own, and inactiveDomain.rng, which is domain.rng
 * started at `inactiveDomain` (that copy keeps the define for it).
 *
 * @example
 * ```ts
 * import { validateSnapshotSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateSnapshotSchema(parse("<domainsnapshot><name>s</name></domainsnapshot>")); // passes
 * validateSnapshotSchema(parse("<domainsnapshot><bogus/></domainsnapshot>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import DOMAIN from "../domain/domain_rng.json" with { type: "json" };
import SCHEMA from "./snapshot_rng.json" with { type: "json" };

const INACTIVE_DOMAIN = { ...DOMAIN, start: [{ e: "ref", a: { name: "inactiveDomain" } }] };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the document does not validate. */
export const validateSnapshotSchema: RngValidator = rngValidator("domainsnapshot.rng", SCHEMA, {
  "domain.rng": DOMAIN,
  "inactiveDomain.rng": INACTIVE_DOMAIN,
});

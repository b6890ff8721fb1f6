/**
 * libvirt 9.0's `nodedev.rng` (with what it uses of `basictypes.rng`), copied into
 * `nodedev_rng.json` by `tests/tools/rng_json.ts`, and the check the VALIDATE flag of
 * virNodeDeviceCreateXML/DefineXML runs against it: libxml2's RELAX NG validation, reported as
 * libvirt reports it.
 *
 * @example
 * ```ts
 * import { validateNodeDevice } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateNodeDevice(parse("<device><name>d</name><path/></device>")); // passes
 * validateNodeDevice(parse("<device><path/></device>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import NODEDEV_JSON from "./nodedev_rng.json" with { type: "json" };

/**
 * Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA (with libxml2's lines) when `root` does not
 * validate against nodedev.rng.
 */
export const validateNodeDevice: RngValidator = rngValidator("nodedev.rng", NODEDEV_JSON);

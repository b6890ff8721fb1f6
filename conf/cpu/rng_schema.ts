/**
 * libvirt 9.0's `cpu.rng` (with the files it includes), copied into `cpu_rng.json` by
 * `tests/tools/rng_json.ts`, and the check virCPUDefParseXML runs against it when asked to
 * validate (virConnectCompareCPU's VIR_CONNECT_COMPARE_CPU_VALIDATE_XML).
 *
 * @example
 * ```ts
 * import { validateCpuSchema } from "./rng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateCpuSchema(parse("<cpu><model>Nehalem</model></cpu>")); // passes
 * validateCpuSchema(parse("<cpu><model>Nehalem</model><bogus/></cpu>")); // throws VIR_ERR_XML_INVALID_SCHEMA
 * ```
 * @module
 */
import { type RngValidator, rngValidator } from "../common/rng.ts";
import SCHEMA from "./cpu_rng.json" with { type: "json" };

/** Throws libvirt's VIR_ERR_XML_INVALID_SCHEMA when the CPU element does not validate. */
export const validateCpuSchema: RngValidator = rngValidator("cpu.rng", SCHEMA);

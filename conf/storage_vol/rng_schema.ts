/**
 * `storagevol.rng` of libvirt 9.0 as {@link rngValidate} checks it: the root's `type`, its
 * known children, and the `<name>` and `<target>` its interleave requires. The children's own
 * content (scaled integers, target formats, …) is not checked.
 *
 * @example
 * ```ts
 * import { STORAGE_VOL_RNG } from "./rng_schema.ts";
 * import { rngValidate } from "../common/rng.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * rngValidate(parse("<volume><name>v</name><target/></volume>"), STORAGE_VOL_RNG);
 * ```
 * @module
 */
import type { RngSchema } from "../common/rng.ts";

/** The volume document's schema. */
export const STORAGE_VOL_RNG: RngSchema = {
  file: "storagevol.rng",
  root: "volume",
  attrs: { type: ["file", "block", "dir", "network", "netdir"] },
  elements: {
    name: {},
    key: {},
    source: {},
    capacity: {},
    allocation: {},
    physical: {},
    target: {},
    backingStore: {},
  },
  requiredElements: ["name", "target"],
};

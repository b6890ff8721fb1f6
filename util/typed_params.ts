/**
 * libvirt's `virTypedParamsValidate`, shared by the drivers' tuning calls.
 *
 * @module
 */
import type { TypedParams } from "./contract/types.ts";
import { VirError } from "./errors.ts";

/** A `virTypedParameterType` name as libvirt's messages spell it. */
export type TypedParamType = "int" | "uint" | "llong" | "ullong" | "boolean" | "string";

/**
 * `virTypedParamsValidate`: every parameter must be one of `types` (by name) and carry a value
 * of that type; an unknown name is refused with 74/0, a value of another type with 8/0.
 *
 * @example
 * ```ts
 * import { validateTypedParams } from "./typed_params.ts";
 * validateTypedParams({ numa_mode: 1 }, { numa_mode: "int", numa_nodeset: "string" });
 * ```
 */
export function validateTypedParams(
  params: TypedParams,
  types: Record<string, TypedParamType>,
): void {
  for (const [name, value] of Object.entries(params)) {
    const want = Object.hasOwn(types, name) ? types[name] : undefined;
    if (want === undefined) {
      throw VirError.report("NONE", "ARGUMENT_UNSUPPORTED", `parameter '${name}' not supported`);
    }
    const got = typeof value === "number"
      ? "number"
      : typeof value === "string"
      ? "string"
      : "boolean";
    const fits = want === "string" || want === "boolean" ? got === want : got === "number";
    if (!fits) {
      // A JSON number carries no C type: libvirt would name the caller's, uint is the usual one.
      const actual = got === "number" ? "uint" : got;
      throw VirError.report(
        "NONE",
        "INVALID_ARG",
        `invalid type '${actual}' for parameter '${name}', expected '${want}'`,
      );
    }
  }
}

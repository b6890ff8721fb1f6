/**
 * The host's kernel same-page merging (KSM) tunables and counters, `/sys/kernel/mm/ksm`, as
 * libvirt's `virHostMemGetParameters` / `virHostMemSetParameters` read and write them: the node
 * memory parameters (`virNodeGetMemoryParameters`, `virsh node-memory-tune`).
 *
 * @module
 */
import type { TypedParams } from "./contract/types.ts";
import { VirError } from "./errors.ts";
import { validateTypedParams } from "./typed_params.ts";
import { strerror } from "./strerror.ts";

/** Where the kernel keeps them. */
export const KSM_ROOT = "/sys/kernel/mm/ksm";

/** libvirt's parameters in its order (`VIR_NODE_MEMORY_SHARED_*`): `shm_` + the sysfs file. */
const FILES = [
  "pages_to_scan",
  "sleep_millisecs",
  "pages_shared",
  "pages_sharing",
  "pages_unshared",
  "pages_volatile",
  "full_scans",
  "merge_across_nodes",
];

/** The tunables a caller may set, all `unsigned int`. */
const SETTABLE = ["pages_to_scan", "sleep_millisecs", "merge_across_nodes"];

function readValue(root: string, file: string): number | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${root}/${file}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw VirError.report(
      "NONE",
      "SYSTEM_ERROR",
      `Failed to open file '${root}/${file}': ${strerror(e)}`,
    );
  }
  const line = text.split("\n")[0];
  if (!/^\s*\d+$/.test(line)) {
    throw VirError.report("NONE", "INTERNAL_ERROR", `failed to parse ${file}`);
  }
  return Number(line);
}

/**
 * `virHostMemGetParameters`: each parameter whose file the kernel has, in libvirt's order.
 *
 * @example
 * ```ts
 * import { ksmParameters } from "./host_ksm.ts";
 * ksmParameters().shm_pages_to_scan; // 100
 * ```
 */
export function ksmParameters(root: string = KSM_ROOT): TypedParams {
  const out: TypedParams = {};
  for (const file of FILES) {
    const v = readValue(root, file);
    if (v !== undefined) out[`shm_${file}`] = v;
  }
  return out;
}

/**
 * `virHostMemSetParameters`' `virTypedParamsValidate`: only the tunables, as `unsigned int`s.
 *
 * @example
 * ```ts
 * import { validateKsmParameters } from "./host_ksm.ts";
 * validateKsmParameters({ shm_pages_to_scan: 200 });
 * ```
 */
export function validateKsmParameters(params: TypedParams): void {
  validateTypedParams(params, Object.fromEntries(SETTABLE.map((f) => [`shm_${f}`, "uint"])));
}

/**
 * `virHostMemSetParameters`: libvirt's validation, every file present before any is written,
 * then each value in the caller's order.
 *
 * @example
 * ```ts ignore
 * import { setKsmParameters } from "./host_ksm.ts";
 * setKsmParameters({ shm_pages_to_scan: 200 });
 * ```
 */
export function setKsmParameters(params: TypedParams, root: string = KSM_ROOT): void {
  validateKsmParameters(params);
  const files = Object.keys(params).map((name) => [name, name.slice("shm_".length)]);
  for (const [name, file] of files) {
    try {
      Deno.statSync(`${root}/${file}`);
    } catch {
      throw VirError.report(
        "NONE",
        "OPERATION_INVALID",
        `Parameter '${name}' is not supported by this kernel`,
      );
    }
  }
  for (const [name, file] of files) {
    try {
      Deno.writeTextFileSync(`${root}/${file}`, String(params[name]));
    } catch (e) {
      throw VirError.report("NONE", "SYSTEM_ERROR", `failed to set ${name}: ${strerror(e)}`);
    }
  }
}

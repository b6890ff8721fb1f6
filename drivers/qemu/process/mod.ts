/**
 * QEMU processes: launching, re-attaching, status files, domain jobs, driver paths.
 *
 * @example
 * ```ts
 * import { qemuPaths, SystemLauncher } from "./mod.ts";
 * const paths = qemuPaths(false);
 * const launcher = new SystemLauncher();
 * ```
 * @module
 */
export * from "./atomic_file.ts";
export * from "./damaged_file.ts";
export * from "./job.ts";
export * from "./launcher.ts";
export * from "./paths.ts";
export * from "./probe.ts";
export * from "./status.ts";

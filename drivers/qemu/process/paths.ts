/**
 * Where the QEMU driver keeps persistent configs and runtime status.
 *
 * @module
 */

/** The driver's directories. */
export interface QemuPaths {
  /** Persistent domain XML and autostart marks. */
  configDir: string;
  /** Runtime status and monitor sockets of running domains. */
  runDir: string;
  /** What may be recomputed at will: the emulators' probed capabilities. */
  cacheDir: string;
  /** Managed save images (libvirt's `save_image_dir`). */
  saveDir: string;
  /** Snapshot metadata of each domain (libvirt's `snapshotDir`). */
  snapshotDir: string;
}

/**
 * `qemu:///session`: `$XDG_RUNTIME_DIR/edgevirt/qemu` or `~/.cache/edgevirt/qemu`;
 * `qemu:///system`: `/var/lib/edgevirt/qemu`. `stateDir` (connect option) or
 * `EDGEVIRT_QEMU_STATE_DIR` overrides the base.
 *
 * @example
 * ```ts
 * import { qemuPaths } from "./paths.ts";
 * const { configDir, runDir } = qemuPaths(false, "/tmp/ev");
 * ```
 */
export function qemuPaths(system: boolean, stateDir?: string): QemuPaths {
  const env = Deno.env.get("EDGEVIRT_QEMU_STATE_DIR");
  const runtime = Deno.env.get("XDG_RUNTIME_DIR");
  const home = Deno.env.get("HOME") ?? "/tmp";
  const base = stateDir ?? env ??
    (system
      ? "/var/lib/edgevirt/qemu"
      : runtime
      ? `${runtime}/edgevirt/qemu`
      : `${home}/.cache/edgevirt/qemu`);
  return {
    configDir: `${base}/config`,
    runDir: `${base}/run`,
    cacheDir: `${base}/cache`,
    saveDir: `${base}/save`,
    snapshotDir: `${base}/snapshot`,
  };
}

/**
 * `qemu:///embed?root=DIR`: everything under DIR, laid out as libvirt 6.1+'s embedded QEMU
 * driver does (`DIR/etc/qemu` for configs, `DIR/run/qemu` for runtime state, `DIR/cache/qemu`
 * for the capability cache).
 *
 * @example
 * ```ts
 * import { qemuEmbedPaths } from "./paths.ts";
 * qemuEmbedPaths("/srv/app").runDir; // "/srv/app/run/qemu"
 * ```
 */
export function qemuEmbedPaths(root: string): QemuPaths {
  return {
    configDir: `${root}/etc/qemu`,
    runDir: `${root}/run/qemu`,
    cacheDir: `${root}/cache/qemu`,
    saveDir: `${root}/lib/qemu/save`,
    snapshotDir: `${root}/lib/qemu/snapshot`,
  };
}

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
  /** Checkpoint metadata of each domain (libvirt's `checkpointDir`). */
  checkpointDir: string;
  /** Firmware variable stores (libvirt's `nvramDir`): `<name>_VARS.fd` of each UEFI domain. */
  nvramDir: string;
  /**
   * File-backed guest memory (libvirt's `memory_backing_dir`): a `SHORTNAME` folder per running
   * domain that needs one, holding a file per memory backend.
   */
  memoryBackingDir: string;
  /**
   * Memory dumps the driver takes on its own (libvirt's `auto_dump_path`): a watchdog's `dump`
   * action, `<on_crash>coredump-destroy|coredump-restart</on_crash>`.
   */
  autoDumpDir: string;
}

/**
 * `qemu:///session`, as libvirt's per-user driver: definitions under
 * `$XDG_CONFIG_HOME/edgevirt/qemu` (`~/.config/…`, where they survive reboots and cache
 * cleaning), runtime status under `$XDG_RUNTIME_DIR/edgevirt/qemu/run`, else under
 * `$XDG_STATE_HOME` (`~/.local/state`), probed capabilities under `$XDG_CACHE_HOME/edgevirt/qemu`.
 * `qemu:///system`: `/var/lib/edgevirt/qemu`.
 * `stateDir` (connect option) or `EDGEVIRT_QEMU_STATE_DIR` puts both under one base.
 *
 * @example
 * ```ts
 * import { qemuPaths } from "./paths.ts";
 * const { configDir, runDir } = qemuPaths(false, "/tmp/ev");
 * ```
 */
export function qemuPaths(system: boolean, stateDir?: string): QemuPaths {
  const base = stateDir ?? Deno.env.get("EDGEVIRT_QEMU_STATE_DIR") ??
    (system ? "/var/lib/edgevirt/qemu" : undefined);
  if (base) {
    return {
      configDir: `${base}/config`,
      runDir: `${base}/run`,
      cacheDir: `${base}/cache`,
      saveDir: `${base}/save`,
      snapshotDir: `${base}/snapshot`,
      checkpointDir: `${base}/checkpoint`,
      nvramDir: `${base}/nvram`,
      memoryBackingDir: `${base}/ram`,
      autoDumpDir: `${base}/dump`,
    };
  }
  const home = Deno.env.get("HOME") ?? "/tmp";
  const config = Deno.env.get("XDG_CONFIG_HOME") || `${home}/.config`;
  const run = Deno.env.get("XDG_RUNTIME_DIR") ||
    Deno.env.get("XDG_STATE_HOME") || `${home}/.local/state`;
  const cache = Deno.env.get("XDG_CACHE_HOME") || `${home}/.cache`;
  // Save images, snapshot and checkpoint metadata, NVRAM, file-backed memory and dumps beside the
  // definitions, as libvirt's session driver keeps them under ~/.config/libvirt/qemu.
  return {
    configDir: `${config}/edgevirt/qemu`,
    runDir: `${run}/edgevirt/qemu/run`,
    cacheDir: `${cache}/edgevirt/qemu`,
    saveDir: `${config}/edgevirt/qemu/save`,
    snapshotDir: `${config}/edgevirt/qemu/snapshot`,
    checkpointDir: `${config}/edgevirt/qemu/checkpoint`,
    nvramDir: `${config}/edgevirt/qemu/nvram`,
    memoryBackingDir: `${config}/edgevirt/qemu/ram`,
    autoDumpDir: `${config}/edgevirt/qemu/dump`,
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
    checkpointDir: `${root}/lib/qemu/checkpoint`,
    nvramDir: `${root}/lib/qemu/nvram`,
    memoryBackingDir: `${root}/lib/qemu/ram`,
    autoDumpDir: `${root}/lib/qemu/dump`,
  };
}

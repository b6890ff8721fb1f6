/**
 * Where a host's shared secondary driver (storage, secrets) keeps its files for a connection
 * URI, laid out as libvirt's: persistent configs and runtime state, per family.
 *
 * @module
 */
import { VirError } from "./errors.ts";

/** A secondary driver's directories. */
export interface DriverPaths {
  /** Persistent definitions (libvirt's `configDir`); `autostart/` below it. */
  configDir: string;
  /** Runtime state that does not survive a reboot (libvirt's `stateDir`). */
  stateDir: string;
}

/**
 * The directories of driver `family` (`storage`, `secrets`) for `uri`, as libvirt's
 * `virStorageStateInitialize` picks them: `…/embed?root=DIR` → `DIR/etc/FAMILY` and
 * `DIR/run/FAMILY`; `…/system` → `/etc/edgevirt/FAMILY` and `/run/edgevirt/FAMILY`;
 * `…/session` → `$XDG_CONFIG_HOME/edgevirt/FAMILY` and `$XDG_RUNTIME_DIR/edgevirt/FAMILY/run`.
 * A `stateDir` connect option or `EDGEVIRT_QEMU_STATE_DIR` (the QEMU driver's base, so tests
 * and private daemons stay self-contained) puts both under `BASE/FAMILY`.
 *
 * @example
 * ```ts
 * import { driverPaths } from "./driver_paths.ts";
 * driverPaths(new URL("qemu:///embed?root=/srv/a"), {}, "storage").configDir; // "/srv/a/etc/storage"
 * ```
 */
export function driverPaths(
  uri: URL,
  options: Record<string, unknown>,
  family: string,
): DriverPaths {
  if (uri.pathname === "/embed") {
    const root = uri.searchParams.get("root");
    if (root === null || !root.startsWith("/")) {
      throw VirError.report("NONE", "CONFIG_UNSUPPORTED", "root path must be absolute");
    }
    return { configDir: `${root}/etc/${family}`, stateDir: `${root}/run/${family}` };
  }
  const base = typeof options.stateDir === "string"
    ? options.stateDir
    : Deno.env.get("EDGEVIRT_QEMU_STATE_DIR");
  if (base) return { configDir: `${base}/${family}/config`, stateDir: `${base}/${family}/run` };
  if (uri.pathname === "/system") {
    return { configDir: `/etc/edgevirt/${family}`, stateDir: `/run/edgevirt/${family}` };
  }
  const home = Deno.env.get("HOME") ?? "/tmp";
  const config = Deno.env.get("XDG_CONFIG_HOME") ?? `${home}/.config`;
  const runtime = Deno.env.get("XDG_RUNTIME_DIR") ?? `${home}/.cache`;
  return {
    configDir: `${config}/edgevirt/${family}`,
    stateDir: `${runtime}/edgevirt/${family}/run`,
  };
}

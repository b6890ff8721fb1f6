/**
 * Where the local daemons listen, as libvirt's `remoteGetUNIXSocket`: the client looks there
 * and the gateway started as a daemon listens there, so both sides take it from here.
 *
 * - the per-user (session) daemon: `$XDG_RUNTIME_DIR/edgevirt/edgevirt-sock`, else under
 *   `$XDG_CACHE_HOME` or `~/.cache` (libvirt's `virGetUserRuntimeDirectory`), in a 0700
 *   directory, so that only its owner reaches it;
 * - the system daemon: `/run/edgevirt/edgevirt-sock`.
 *
 * @example
 * ```ts
 * import { daemonSocketPath } from "./daemon_socket.ts";
 * const env = (name: string) => ({ HOME: "/home/ana" } as Record<string, string>)[name];
 * daemonSocketPath(env, true); // "/home/ana/.cache/edgevirt/edgevirt-sock"
 * ```
 * @module
 */

/** The socket's file name inside the daemon's directory. */
export const DAEMON_SOCKET_NAME = "edgevirt-sock";

/** The system daemon's directory. */
export const SYSTEM_DAEMON_DIR = "/run/edgevirt";

/** The per-user runtime directory for edgevirt (libvirt's `virGetUserRuntimeDirectory`). */
export function userRuntimeDir(env: (name: string) => string | undefined): string {
  const base = env("XDG_RUNTIME_DIR") || env("XDG_CACHE_HOME") ||
    `${env("HOME") || "/tmp"}/.cache`;
  return `${base}/edgevirt`;
}

/** The unix socket of the session daemon (`session`) or of the system daemon. */
export function daemonSocketPath(
  env: (name: string) => string | undefined,
  session: boolean,
): string {
  return `${session ? userRuntimeDir(env) : SYSTEM_DAEMON_DIR}/${DAEMON_SOCKET_NAME}`;
}

/**
 * Whether a local URI goes to the per-user daemon: `/session` URIs, and the `test` driver
 * (which every edgevirt daemon serves). libvirt sends these to the session daemon for
 * unprivileged users only; edgevirt has no system daemon of its own for root's session, so
 * root too gets a per-user one. Everything else (`qemu:///system`) goes to the system daemon.
 */
export function usesSessionDaemon(uri: URL): boolean {
  return uri.pathname === "/session" || uri.protocol === "test:";
}

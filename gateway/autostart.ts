/**
 * The client side of the local daemon: start it on first use, as libvirt's client library
 * does for `qemu:///session` (`virNetSocketNewConnectUNIX` with a daemon path): when nothing
 * listens on the socket, under an exclusive lock on `edgevirt.lock` in the socket's directory
 * (so that two clients starting at once spawn one daemon), try the socket again, then spawn
 * `gateway/main.ts --daemon --timeout=120` detached (its own session, so that the client's
 * terminal signals do not reach it) and retry every 10 ms for up to 5 s; then let go of the
 * lock and open the connection. `LIBVIRT_AUTOSTART=0` turns it off, as with libvirt.
 *
 * @example
 * ```ts
 * import { autostartDaemon } from "./autostart.ts";
 * import { connect } from "../client/connect.ts";
 * const conn = await connect("qemu:///session", { autostart: autostartDaemon });
 * await conn.close();
 * ```
 * @module
 */
import type { DaemonAutostart, DaemonTarget } from "../client/connect.ts";
import { VirError } from "../util/errors.ts";

const MAIN = new URL("./main.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);
const RETRIES = 500;
const RETRY_MS = 10;

/** The daemon's idle timeout: libvirt's 120 s, or `EDGEVIRT_DAEMON_TIMEOUT` (tests). */
function idleTimeout(): string {
  return Deno.env.get("EDGEVIRT_DAEMON_TIMEOUT") ?? "120";
}

async function listening(socket: string): Promise<boolean> {
  try {
    (await Deno.connect({ transport: "unix", path: socket })).close();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.ConnectionRefused) {
      return false;
    }
    throw VirError.report(
      "RPC",
      "SYSTEM_ERROR",
      `Failed to connect socket to '${socket}': ${(e as Error).message}`,
    );
  }
}

function spawnDaemon(target: DaemonTarget): void {
  const args = ["run", "-A", "--quiet", "--config", CONFIG.pathname, MAIN.pathname, "--daemon"];
  if (!target.session) args.push("--system");
  args.push("--timeout", idleTimeout());
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url).pathname,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
}

/** Makes sure the daemon listens on `target.socket`, spawning it under the lock if not. */
async function ensureDaemon(target: DaemonTarget): Promise<void> {
  if (await listening(target.socket)) return;
  const dir = target.socket.slice(0, target.socket.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const lockPath = `${dir}/edgevirt.lock`;
  const lock = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  try {
    await lock.lock(true);
    let spawned = false;
    for (let i = 0; i < RETRIES; i++) {
      if (await listening(target.socket)) return;
      if (!spawned) {
        spawnDaemon(target);
        spawned = true;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
    throw VirError.report(
      "RPC",
      "SYSTEM_ERROR",
      `Failed to connect socket to '${target.socket}': Connection refused`,
    );
  } finally {
    lock.close();
  }
}

/**
 * {@link DaemonAutostart} for Deno hosts: the open is tried first (the daemon usually runs);
 * when it fails and nothing listens on the socket (no daemon yet, or it went away on its idle
 * timeout), the daemon is started under the lock and the open tried once more.
 */
export const autostartDaemon: DaemonAutostart = async (target, open) => {
  // Only root starts the system daemon (systemd's socket activation does it for libvirt).
  const mayStart = target.session || Deno.uid() === 0;
  if (Deno.env.get("LIBVIRT_AUTOSTART") === "0" || !mayStart) return await open();
  try {
    return await open();
  } catch (e) {
    if (!(e instanceof VirError) || e.codeName !== "VIR_ERR_SYSTEM_ERROR") throw e;
    if (await listening(target.socket)) throw e;
    await ensureDaemon(target);
    return await open();
  }
};

/**
 * The gateway as the local daemon, libvirtd's role for `qemu:///session`: one process per
 * user owns the stateful drivers' state (QEMU monitors, their events), and every client process
 * (evsh, scripts) reaches it over the user's unix socket instead of re-attaching to every QEMU
 * itself. Started on first use by a client (`gateway/autostart.ts`), it exits after `timeoutSec`
 * with no client and no running domain, as `libvirtd --timeout=120` does.
 *
 * @example
 * ```ts
 * import { startDaemon } from "./daemon.ts";
 * import { hostDrivers } from "../host.ts";
 * const daemon = await startDaemon({
 *   session: true,
 *   registry: hostDrivers(),
 *   served: ["test:///default"],
 *   held: [],
 *   timeoutSec: 120,
 *   env: (name) => Deno.env.get(name),
 * });
 * await daemon.stop();
 * ```
 * @module
 */
import { VIR } from "../util/constants.ts";
import type { DriverConnection } from "../util/driver.ts";
import { acquirePidFile } from "../util/pid_file.ts";
import type { DriverRegistry } from "../util/registry.ts";
import {
  DAEMON_SOCKET_NAME,
  SYSTEM_DAEMON_DIR,
  userRuntimeDir,
} from "../protocol/daemon_socket.ts";
import { createGateway, type Gateway } from "./app.ts";

/** What {@link startDaemon} takes. */
export interface DaemonOptions {
  /** The per-user daemon (socket in the user's runtime directory), or the system one. */
  session: boolean;
  registry: DriverRegistry;
  /** URIs served to every client (the gateway's `drivers`). */
  served: string[];
  /**
   * URIs the daemon keeps a connection to for its whole life (`qemu:///session`), so that the
   * driver's state, monitors and event handling outlive every client, as libvirtd's drivers
   * do. Their running domains keep the daemon from exiting.
   */
  held: string[];
  /** Seconds idle (no client session, no running domain) before exiting; 0: never. */
  timeoutSec: number;
  /** The environment (for the user's runtime directory). */
  env: (name: string) => string | undefined;
  log?: (message: string) => void;
  /** Overrides the directory of the socket and pid file (tests). */
  dir?: string;
}

/** A running daemon. */
export interface Daemon {
  socket: string;
  gateway: Gateway;
  /** Resolves once the daemon has stopped (idle timeout or {@link Daemon.stop}). */
  stopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the daemon: its directory (0700: the filesystem is the session socket's
 * authentication, as libvirt's `auth_unix_rw = "none"` on a socket only its owner reaches), the
 * pid file held locked so that a second daemon refuses to start, the held driver connections,
 * then the socket (auth `none`) and the idle timer.
 */
export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const log = o.log ?? (() => {});
  const dir = o.dir ?? (o.session ? userRuntimeDir(o.env) : SYSTEM_DAEMON_DIR);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await Deno.chmod(dir, 0o700);
  const pid = await acquirePidFile(`${dir}/edgevirt.pid`);
  const held: DriverConnection[] = [];
  let gateway: Gateway | undefined;
  let server: Deno.HttpServer | undefined;
  const socket = `${dir}/${DAEMON_SOCKET_NAME}`;
  try {
    for (const uri of o.held) {
      const url = new URL(uri);
      const driver = o.registry.find(url.protocol.replace(/:$/, ""));
      if (driver) held.push(await driver.open(url, {}));
    }
    gateway = await createGateway({ drivers: o.served, registry: o.registry, auth: "none" });
    await Deno.remove(socket).catch(() => {});
    const listening = Promise.withResolvers<void>();
    server = Deno.serve(
      { path: socket, transport: "unix", onListen: () => listening.resolve() },
      gateway.fetch,
    );
    await listening.promise;
    await Deno.chmod(socket, 0o600);
  } catch (e) {
    await server?.shutdown();
    await gateway?.close();
    await Promise.all(held.map((c) => c.connectClose()));
    await pid.release();
    throw e;
  }
  log(`listening on ${socket} (pid ${Deno.pid}), serving ${o.served.join(", ")}`);

  const stopped = Promise.withResolvers<void>();
  let stopping: Promise<void> | undefined;
  const gw = gateway;
  const srv = server;
  const stop = () =>
    stopping ??= (async () => {
      clearInterval(timer);
      gw.endStreams();
      await srv.shutdown();
      await gw.close();
      await Promise.all(held.map((c) => c.connectClose()));
      await Deno.remove(socket).catch(() => {});
      await pid.release();
      log("stopped");
      stopped.resolve();
    })();

  // libvirt's rule (virNetDaemonShutdownTimerUpdate, qemuProcess inhibit): the timer runs while
  // there is no client; a running domain inhibits the shutdown.
  let idleSince = Date.now();
  const tickMs = Math.min(1000, Math.max(50, o.timeoutSec * 250));
  const busy = async () => {
    if (gw.sessions.size > 0) return true;
    for (const c of held) {
      const active = await c.connectListAllDomains?.(VIR.CONNECT_LIST_DOMAINS_ACTIVE);
      if (active?.length) return true;
    }
    return false;
  };
  const timer = setInterval(async () => {
    if (o.timeoutSec <= 0 || stopping) return;
    if (await busy()) idleSince = Date.now();
    else if (Date.now() - idleSince >= o.timeoutSec * 1000) {
      log(`idle for ${o.timeoutSec} s with no client and no running domain: exiting`);
      await stop();
    }
  }, tickMs);

  return { socket, gateway: gw, stopped: stopped.promise, stop };
}

/**
 * `deno task start`: the edgevirt gateway, libvirtd over HTTP.
 *
 * ```sh
 * deno task start [--config F] [--listen HOST:PORT] [--unix PATH] [--tls-cert F --tls-key F]
 *                 [--token-file F] [--auth token|none] [--cors-origin ORIGIN]...
 *                 [--log-level off|error|warn|info]
 * deno task start --daemon [--system] [--timeout SECS]
 * ```
 *
 * Every flag is also a key of the JSON config file (`--config F`, else
 * `$XDG_CONFIG_HOME/edgevirt/gateway.json` when it exists; see `flags.ts`); the command line
 * wins over the file.
 *
 * `--daemon` runs it as the local daemon (libvirtd for `qemu:///session`) on the user's socket
 * (`$XDG_RUNTIME_DIR/edgevirt/edgevirt-sock`, or `/run/edgevirt/edgevirt-sock` with
 * `--system`), owning the QEMU driver's state; clients start it on first use with
 * `--timeout 120`, after which it exits once idle with no running domain. It logs to
 * `edgevirt.log` beside the socket.
 *
 * Serves `test:///default`, and `qemu:///session` when it is free (no session daemon owns it) and
 * `qemu-system-x86_64` is installed. As libvirtd does, each client connection is a session with
 * a driver connection of its own, closed with the client, for the URI the client names (the
 * served ones for every caller; others, such as `test:///ABS/PATH.xml` node files on this host,
 * for full-role tokens without object rules). SIGINT and SIGTERM stop it cleanly; SIGHUP, as
 * libvirtd's, reloads (the token file, which is also watched). `GET /healthz` answers without a
 * token, `GET /metrics` (Prometheus text) to full-role tokens; `--log-level info` writes a JSON
 * line per request to stderr. A start-up failure is one line and exit status 2. Each
 * `--cors-origin` (an exact origin such as `https://app.example:8443`) lets pages from there
 * call the gateway from a browser; there are none by default.
 *
 * @example
 * ```sh
 * deno task start --listen 127.0.0.1:16510
 * ```
 * @module
 */
import { hostDrivers } from "../host.ts";
import { createGateway } from "./app.ts";
import { gatewaySettings, usage } from "./flags.ts";
import { parseCorsOrigin } from "./cors.ts";
import { LOOPBACK_HOSTS } from "./guard.ts";
import { serveGuarded } from "./guarded_listener.ts";
import type { AuthConfig } from "./auth.ts";
import { configDir, loadOrCreateTokens, watchTokenFile } from "./token_file.ts";
import { startDaemon } from "./daemon.ts";
import { legacyQemuConfigDirs, migrateDefinitions } from "./state_migration.ts";
import { qemuPaths } from "../drivers/qemu/process/paths.ts";
import { LOG_LEVELS, type LogLevel } from "./request_log.ts";
import { SYSTEM_DAEMON_DIR, userRuntimeDir } from "../protocol/daemon_socket.ts";

function fail(message: string): never {
  console.error(`edgevirt gateway: ${message} (see --help)`);
  Deno.exit(2);
}

/** Runs a start-up step, turning its failure into one line naming `what` and exit status 2. */
async function step<T>(what: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    console.error(`edgevirt gateway: ${what}: ${(e as Error).message}`);
    Deno.exit(2);
  }
}

function parseListen(spec: string): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(spec);
  if (!m) fail(`--listen wants HOST:PORT, got '${spec}'`);
  return { hostname: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

async function hasQemu(): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if ((await Deno.stat(`${dir}/qemu-system-x86_64`)).isFile) return true;
    } catch {
      // not in this PATH entry
    }
  }
  return false;
}

/**
 * Moves `qemu:///session` definitions from earlier versions' directories to the driver's own,
 * before the driver loads them (not when a state directory is forced for tests).
 */
async function migrateSessionDefinitions(log: (line: string) => void): Promise<void> {
  const env = (name: string) => Deno.env.get(name);
  if (env("EDGEVIRT_QEMU_STATE_DIR")) return;
  await step(
    "cannot move the old domain definitions",
    () => migrateDefinitions(legacyQemuConfigDirs(env), qemuPaths(false).configDir, log),
  );
}

async function main(): Promise<void> {
  let flags;
  try {
    flags = await gatewaySettings(Deno.args, (name) => Deno.env.get(name));
  } catch (e) {
    fail((e as Error).message);
  }
  if (flags.help) {
    console.log(usage());
    return;
  }
  if (flags.config) console.error(`edgevirt gateway: settings from ${flags.config}`);
  if (flags.daemon) return await runDaemon(!flags.system, flags.timeout);
  const tcp = flags.listen || !flags.unix ? parseListen(flags.listen ?? "127.0.0.1:16510") : null;
  if (Boolean(flags["tls-cert"]) !== Boolean(flags["tls-key"])) {
    fail("--tls-cert and --tls-key go together");
  }

  let corsOrigins: string[];
  try {
    corsOrigins = (flags["cors-origin"] ?? []).map(parseCorsOrigin);
  } catch (e) {
    fail((e as Error).message);
  }

  const logLevel = flags["log-level"] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    fail(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got '${logLevel}'`);
  }

  let auth: AuthConfig;
  let firstRun: string | undefined;
  let stopWatching = async () => {};
  if (flags.auth === "none") {
    if (tcp && !LOOPBACK.test(tcp.hostname)) {
      fail("--auth none is only allowed on a unix socket or a loopback address");
    }
    console.error("edgevirt gateway: WARNING: --auth none: every local user has full access");
    auth = "none";
  } else if (flags.auth === "token") {
    const path = flags["token-file"] ??
      await step("no token file", () => `${configDir()}/tokens.json`);
    const loaded = await step("cannot load the tokens", () => loadOrCreateTokens(path));
    auth = loaded.store;
    firstRun = loaded.createdClientToken;
    stopWatching = watchTokenFile(
      path,
      loaded.store,
      (m) => console.error(`edgevirt gateway: ${m}`),
    );
  } else fail(`--auth must be token or none, got '${flags.auth}'`);
  // As libvirtd, SIGHUP reloads (the tokens) and never stops the gateway.
  if (auth === "none") {
    Deno.addSignalListener("SIGHUP", () => console.error("edgevirt gateway: nothing to reload"));
  }

  const registry = hostDrivers();
  const uris = ["test:///default"];
  if (await hasQemu()) {
    await migrateSessionDefinitions((line) => console.error(`edgevirt gateway: ${line}`));
    // The user's session daemon may own qemu:///session (its driver.pid): then this gateway
    // serves the rest and says why, rather than not starting.
    const probe = await registry.find("qemu")!.open(new URL("qemu:///session"), {}).catch((e) => {
      console.error(`edgevirt gateway: not serving qemu:///session: ${(e as Error).message}`);
    });
    if (probe) {
      await probe.connectClose();
      uris.push("qemu:///session");
    }
  }
  // On loopback only loopback host names are served (DNS rebinding); unix sockets send those.
  const hosts = tcp && LOOPBACK.test(tcp.hostname) ? [...LOOPBACK_HOSTS, tcp.hostname] : undefined;
  const gateway = await createGateway({
    drivers: uris,
    registry,
    auth,
    corsOrigins,
    hosts,
    logLevel,
    scheme: flags["tls-cert"] ? "https" : "http",
  });

  const servers: { addr: Deno.Addr; shutdown(): Promise<void> }[] = [];
  const onListen = (what: string) => () => console.error(`edgevirt gateway: listening on ${what}`);
  if (tcp) {
    const read = (flag: "tls-cert" | "tls-key") =>
      step(`cannot read --${flag} ${flags[flag]}`, () => Deno.readTextFile(flags[flag]!));
    const tls = flags["tls-cert"]
      ? { cert: await read("tls-cert"), key: await read("tls-key") }
      : {};
    const scheme = flags["tls-cert"] ? "https" : "http";
    // TCP faces the network: the guarded listener adds the read timeouts and the WebSocket
    // size check before buffering that Deno.serve lacks.
    servers.push(
      await step(`cannot listen on ${tcp.hostname}:${tcp.port}`, () =>
        serveGuarded({
          hostname: tcp.hostname,
          port: tcp.port,
          ...tls,
          calls: gateway.calls,
          onListen: ({ hostname, port }) =>
            console.error(`edgevirt gateway: listening on ${scheme}://${hostname}:${port}`),
        }, gateway.fetch)),
    );
  }
  if (flags.unix) {
    await Deno.remove(flags.unix).catch(() => {});
    servers.push(
      await step(`cannot listen on unix:${flags.unix}`, () =>
        Deno.serve(
          { path: flags.unix!, transport: "unix", onListen: onListen(`unix:${flags.unix}`) },
          gateway.fetch,
        )),
    );
    await Deno.chmod(flags.unix, 0o660);
  }
  console.error(`edgevirt gateway: serving ${uris.join(", ")}`);
  if (firstRun) {
    const addr = servers[0].addr as Deno.NetAddr | Deno.UnixAddr;
    const uri = "path" in addr
      ? `test+unix:///default?socket=${addr.path}`
      : `test+http://${addr.hostname}:${addr.port}/default`;
    console.error(
      `edgevirt gateway: first run: created an admin token; its hash is in the token file and\n` +
        `  the token itself in ${firstRun} (0600), where the client looks by default. Try:\n` +
        `  deno task scenario --uri ${uri} tests/conformance/scenarios/lifecycle.json`,
    );
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stopWatching();
    gateway.endStreams();
    await Promise.all(servers.map((s) => s.shutdown()));
    await gateway.close();
    if (flags.unix) await Deno.remove(flags.unix).catch(() => {});
    console.error("edgevirt gateway: stopped");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

/** `--daemon`: the session (or system) daemon, until idle or signalled. */
async function runDaemon(session: boolean, timeout: string): Promise<void> {
  const timeoutSec = Number(timeout);
  if (!/^\d+$/.test(timeout)) fail(`--timeout wants seconds, got '${timeout}'`);
  const env = (name: string) => Deno.env.get(name);
  const dir = session ? userRuntimeDir(env) : SYSTEM_DAEMON_DIR;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const logFile = await Deno.open(`${dir}/edgevirt.log`, { append: true, create: true });
  const encoder = new TextEncoder();
  const log = (message: string) =>
    logFile.writeSync(encoder.encode(`${new Date().toISOString()} ${Deno.pid}: ${message}\n`));
  const registry = hostDrivers();
  const qemu = session ? "qemu:///session" : "qemu:///system";
  const served = session ? ["test:///default"] : [];
  if (session) await migrateSessionDefinitions(log);
  if (await hasQemu()) served.push(qemu);
  let daemon;
  try {
    daemon = await startDaemon({
      session,
      registry,
      served,
      held: [qemu],
      timeoutSec,
      env,
      log,
      dir,
    });
  } catch (e) {
    log(`cannot start: ${(e as Error).message}`);
    Deno.exit(1);
  }
  const stop = () => daemon.stop();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  // The daemon has no tokens to reload; SIGHUP must not stop it either.
  Deno.addSignalListener("SIGHUP", () => log("SIGHUP: nothing to reload"));
  await daemon.stopped;
  Deno.exit(0);
}

if (import.meta.main) {
  // Whatever start-up step has no message of its own still fails in one line.
  await main().catch((e) => {
    console.error(`edgevirt gateway: cannot start: ${(e as Error).message}`);
    Deno.exit(2);
  });
}

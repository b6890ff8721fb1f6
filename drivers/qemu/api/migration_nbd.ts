/**
 * The NBD server of a storage migration (libvirt 9.0's `qemuMigrationDstStartNBDServer` and
 * `qemuMigrationDstStopNBDServer`): where it listens, from the `disks_uri` or `disks_port`
 * parameters (a TCP address, by default the migration's listen address and a port of the
 * migration range, or a UNIX socket), the destination's QEMU serving each copied disk there
 * from Prepare to Finish, and where the source's QEMU finds it (`qemuMigrationSrcNBDStorageCopy`).
 *
 * @module
 */
import type { TypedParams } from "../../../util/contract/types.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { dstOf } from "./block_chain.ts";
import { diskNodes } from "./device_disk.ts";
import {
  copiesDisk,
  disksOf,
  driveAlias,
  isEmpty,
  isReadonly,
  startedIndex,
} from "./migration_disks.ts";
import { acquireMigrationPort, releaseMigrationPort } from "./migration_params.ts";

const invalid = (message: string) => VirError.report("QEMU", "INVALID_ARG", message);

/** Where an NBD server listens: a TCP host and port (unset: one of the range), or a socket. */
export type NBDAddress = { host: string; port?: number } | { socket: string };

/** The parts of a URI `virURIParse` gives (a bracketed IPv6 server without its brackets). */
function uriParts(uri: string): { scheme?: string; server?: string; port?: number; path?: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?)?([^?#]*)/
    .exec(uri);
  if (!m) return {};
  return {
    scheme: m[1],
    server: m[2]?.replace(/^\[(.*)\]$/, "$1") || undefined,
    port: m[3] ? Number(m[3]) : undefined,
    path: m[4] || undefined,
  };
}

/**
 * The `qemuDomainMigratePrepare3Params` / `…Perform3Params` check: `disks_port` and
 * `disks_uri` exclude each other.
 *
 * @example
 * ```ts
 * import { checkDisksParams } from "./migration_nbd.ts";
 * checkDisksParams({ disks_port: 49999 }); // passes
 * ```
 */
export function checkDisksParams(params: TypedParams): void {
  if (typeof params.disks_uri === "string" && params.disks_port) {
    throw invalid("Both port and URI requested for disk migration while being mutually exclusive");
  }
}

/**
 * Where the destination's NBD server listens: `disks_uri` (tcp://HOST[:PORT], unix:PATH), else
 * `listen` and `disks_port`, with libvirt's errors for a URI it cannot use.
 *
 * @example
 * ```ts
 * import { serverAddress } from "./migration_nbd.ts";
 * serverAddress({ disks_uri: "unix:///run/nbd.sock" }, "0.0.0.0"); // { socket: "/run/nbd.sock" }
 * ```
 */
export function serverAddress(params: TypedParams, listen: string): NBDAddress {
  if (typeof params.disks_uri !== "string") {
    const port = Number(params.disks_port ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalid("nbd port must be in range 0-65535");
    }
    return { host: listen, port: port || undefined };
  }
  const uri = params.disks_uri;
  const { scheme, server, port, path } = uriParts(uri);
  if (!scheme) throw invalid(`No URI scheme specified: ${uri}`);
  if (scheme === "tcp") {
    // tcp://:PORT would leave the port to the range, the opposite of what was asked.
    if (!server) throw invalid(`URI with tcp scheme did not provide a server part: ${uri}`);
    return { host: server, port: port || undefined };
  }
  if (scheme === "unix") {
    if (!path) throw invalid("UNIX disks URI does not include path");
    return { socket: path };
  }
  throw invalid(`Unsupported scheme in disks URI: ${scheme}`);
}

/**
 * Where the source's QEMU finds the destination's NBD server: `disks_uri`'s server, port or
 * socket where it names them, else the migration URI's `host` and the port the destination's
 * cookie announced.
 *
 * @example
 * ```ts
 * import { clientAddress } from "./migration_nbd.ts";
 * clientAddress({}, "127.0.0.1", 49153); // { host: "127.0.0.1", port: 49153 }
 * ```
 */
export function clientAddress(params: TypedParams, host: string, port: number): NBDAddress {
  if (typeof params.disks_uri !== "string") return { host, port };
  const uri = uriParts(params.disks_uri);
  if (uri.scheme === "tcp") return { host: uri.server || host, port: uri.port || port };
  if (uri.scheme === "unix") {
    if (!uri.path) throw invalid("UNIX disks URI does not include path");
    return { socket: uri.path };
  }
  throw invalid(`Unsupported scheme in disks URI: ${uri.scheme}`);
}

/**
 * The NBD server a prepared destination runs: its TCP port (0 on a socket), to release when
 * it came from the range.
 */
export interface NBDServer {
  port: number;
  allocated: boolean;
}

/**
 * `qemuMigrationDstStartNBDServer`: the destination's QEMU (started, before
 * `migrate-incoming`) serves each copied disk's top image, writable, at
 * {@link serverAddress}; undefined when no disk is copied.
 *
 * @example
 * ```ts
 * import { startNBDServer } from "./migration_nbd.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await startNBDServer(obj, "127.0.0.1", {}, []);
 * ```
 */
export async function startNBDServer(
  obj: QemuDomainObj,
  listen: string,
  params: TypedParams,
  migrateDisks: string[],
): Promise<NBDServer | undefined> {
  const address = serverAddress(params, listen);
  const mon = obj.proc!.monitor;
  let server: NBDServer | undefined;
  try {
    for (const disk of disksOf(obj.def)) {
      if (!copiesDisk(disk, migrateDisks)) continue;
      if (isReadonly(disk) || isEmpty(disk)) {
        throw VirError.report(
          "QEMU",
          "OPERATION_UNSUPPORTED",
          `Cannot migrate empty or read-only disk ${dstOf(disk)}`,
        );
      }
      const name = driveAlias(disk);
      if (!server) server = await listenOn(mon, address);
      const node = diskNodes(startedIndex(disk)).format;
      await mon.run("block-export-add", {
        type: "nbd",
        id: `libvirt-nbd-${node}`,
        "node-name": node,
        writable: true,
        name,
      });
    }
  } catch (err) {
    if (server) releaseNBDPort(server);
    throw err;
  }
  return server;
}

/** `nbd-server-start` at `address`, its port taken from the range when none is given. */
async function listenOn(mon: QemuMonitor, address: NBDAddress): Promise<NBDServer> {
  if ("socket" in address) {
    await mon.run("nbd-server-start", { addr: { type: "unix", data: { path: address.socket } } });
    return { port: 0, allocated: false };
  }
  const server = address.port
    ? { port: address.port, allocated: false }
    : { port: acquireMigrationPort(address.host), allocated: true };
  try {
    await mon.run("nbd-server-start", {
      addr: { type: "inet", data: { host: address.host, port: String(server.port) } },
    });
  } catch (err) {
    releaseNBDPort(server);
    throw err;
  }
  return server;
}

/**
 * `qemuMigrationDstStopNBDServer` at Finish: the exports end (QEMU's failure only logged, as
 * libvirt warns); the port is released with the rest of the incoming state
 * ({@link releaseNBDPort}).
 *
 * @example
 * ```ts
 * import { stopNBDServer } from "./migration_nbd.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await stopNBDServer(state, obj);
 * ```
 */
export async function stopNBDServer(s: QemuDriverState, obj: QemuDomainObj): Promise<void> {
  await obj.proc?.monitor.run("nbd-server-stop").catch((err) =>
    s.log(`Unable to stop NBD server: ${err}`)
  );
}

/**
 * Frees a server's port taken from the range (`virPortAllocatorRelease`).
 *
 * @example
 * ```ts
 * import { releaseNBDPort } from "./migration_nbd.ts";
 * releaseNBDPort({ port: 49153, allocated: true });
 * ```
 */
export function releaseNBDPort(server: NBDServer): void {
  if (server.allocated) releaseMigrationPort(server.port);
}

/**
 * The virtiofsd behind each virtiofs share of a running domain, as libvirt 9.0's
 * `qemu_virtiofs.c` runs it: the binary from `<binary path>` or else the first `fs` vhost-user
 * descriptor in effect (`qemuVhostUserFillDomainFS`), its options from the share's `<binary>`
 * (`qemuVirtioFSBuildCommandLine`), its pid file `SHORTNAME-ALIAS-fs.pid` in the run folder, its
 * output appended to `NAME-ALIAS-virtiofsd.log` there, in a session of its own so that it
 * outlives the gateway as QEMU does; stopped with the domain (`qemuVirtioFSStop`) and after a
 * failed start. A share served by an externally launched daemon (`<source socket>`) gets none.
 *
 * One difference: libvirt binds the socket itself and hands virtiofsd the listening descriptor
 * (`--fd=N`); Deno cannot pass a descriptor to a child, so virtiofsd binds the same path itself
 * (`--socket-path=PATH`) and the start waits until it listens.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { domainShortName } from "../../conf/domain/short_name.ts";
import type { Cgroup } from "../../util/cgroup/mod.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { virtiofsSocket } from "./command/virtiofs_args.ts";
import { optValue } from "./command/escape.ts";
import { interopDirs, interopFiles } from "./interop_config.ts";
import { processAlive } from "./process/launcher.ts";

const internal = (message: string) => VirError.report("QEMU", "INTERNAL_ERROR", message);

/** Where a domain's virtiofsd files go. */
export interface VirtiofsdPlace {
  /** The driver's run folder: pid files and logs. */
  runDir: string;
  /** The domain's id in this run. */
  id: number;
  /** The domain's name. */
  name: string;
}

/**
 * The domain's private folder holding the sockets of the virtiofsd the driver runs (libvirt's
 * `priv->libDir`).
 *
 * @example
 * ```ts
 * import { virtiofsDir } from "./virtiofsd.ts";
 * virtiofsDir({ runDir: "/run/ev", id: 3, name: "web" }); // "/run/ev/domain-3-web"
 * ```
 */
export function virtiofsDir(place: VirtiofsdPlace): string {
  return `${place.runDir}/domain-${domainShortName(place.id, place.name)}`;
}

/** The shares the driver runs a virtiofsd for: virtiofs without an external socket. */
function ownShares(def: DomainDef): XmlElement[] {
  return def.devices.other.filter((d) =>
    d.name === "filesystem" && child(d, "driver")?.attributes.type === "virtiofs" &&
    child(d, "source")?.attributes.socket === undefined
  );
}

const aliasOf = (fs: XmlElement) => child(fs, "alias")?.attributes.name ?? "";
const pidFile = (place: VirtiofsdPlace, fs: XmlElement) =>
  `${place.runDir}/${domainShortName(place.id, place.name)}-${aliasOf(fs)}-fs.pid`;

/**
 * `qemuVhostUserFillDomainFS`: the binary of the first `fs` descriptor in effect in `dirs`.
 *
 * @example
 * ```ts
 * import { findVirtiofsd } from "./virtiofsd.ts";
 * await findVirtiofsd(["/usr/share/qemu/vhost-user"]); // "/usr/lib/qemu/virtiofsd"
 * ```
 */
export async function findVirtiofsd(dirs: readonly string[]): Promise<string> {
  for (const path of await interopFiles(dirs)) {
    let doc: { type?: unknown; binary?: unknown };
    try {
      doc = JSON.parse(await Deno.readTextFile(path));
    } catch {
      throw internal(`unable to parse json file '${path}'`);
    }
    if (doc.type === "fs") return typeof doc.binary === "string" ? doc.binary : "(null)";
  }
  throw VirError.report("QEMU", "OPERATION_FAILED", "Unable to find a satisfying virtiofsd");
}

/** virtiofsd's `-o` flags of each `<binary>` on/off switch. */
const SWITCHES: [string, (b: XmlElement) => string | undefined][] = [
  ["xattr", (b) => b.attributes.xattr],
  ["flock", (b) => child(b, "lock")?.attributes.flock],
  ["posix_lock", (b) => child(b, "lock")?.attributes.posix],
];

/**
 * virtiofsd's arguments after its binary for share `fs` listening on `socket`
 * (`qemuVirtioFSBuildCommandLine`, the socket given by path).
 *
 * @example
 * ```ts
 * import { virtiofsdArgs } from "./virtiofsd.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * virtiofsdArgs(
 *   parse("<filesystem><binary xattr='on'><cache mode='none'/></binary><source dir='/srv'/></filesystem>"),
 *   "/run/fs0-fs.sock",
 * );
 * // ["--socket-path=/run/fs0-fs.sock", "-o", "source=/srv,cache=none,xattr"]
 * ```
 */
export function virtiofsdArgs(fs: XmlElement, socket: string): string[] {
  const binary = child(fs, "binary") ?? element("binary");
  const cache = child(binary, "cache")?.attributes.mode;
  const sandbox = child(binary, "sandbox")?.attributes.mode;
  const opts = [
    `source=${optValue(child(fs, "source")?.attributes.dir ?? "")}`,
    cache && `cache=${cache}`,
    sandbox && `sandbox=${sandbox}`,
    ...SWITCHES.map(([flag, of]) => ({ on: flag, off: `no_${flag}` })[of(binary) ?? ""]),
  ];
  const pool = child(binary, "thread_pool")?.attributes.size;
  return [
    `--socket-path=${socket}`,
    "-o",
    opts.filter((o) => o).join(","),
    ...(pool === undefined ? [] : [`--thread-pool-size=${pool}`]),
  ];
}

/**
 * `qemuVirtioFSPrepareDomain` for share `fs`: without `<binary path>` it gets the descriptors'
 * virtiofsd, which the live XML then shows; a share of an external daemon needs none.
 *
 * @example
 * ```ts
 * import { prepareShare } from "./virtiofsd.ts";
 * declare const fs: import("../../util/xml/mod.ts").XmlElement;
 * await prepareShare(fs, ["/usr/share/qemu/vhost-user"]);
 * ```
 */
export async function prepareShare(fs: XmlElement, dirs: readonly string[]): Promise<void> {
  const binary = child(fs, "binary");
  if (binary?.attributes.path || child(fs, "source")?.attributes.socket !== undefined) return;
  const path = await findVirtiofsd(dirs);
  if (binary) binary.attributes = { path, ...binary.attributes };
  else {
    fs.children.splice(
      fs.children.indexOf(child(fs, "driver")!) + 1,
      0,
      element("binary", { path }),
    );
  }
}

/**
 * {@link prepareShare} for every share of `def`.
 *
 * @example
 * ```ts
 * import { prepareVirtiofs } from "./virtiofsd.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await prepareVirtiofs(def, ["/usr/share/qemu/vhost-user"]);
 * ```
 */
export async function prepareVirtiofs(def: DomainDef, dirs: readonly string[]): Promise<void> {
  for (const fs of ownShares(def)) await prepareShare(fs, dirs);
}

/** Sleeps `ms` between two looks at a condition. */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `qemuVirtioFSStart` for share `fs`: its binary must be executable and its folder exist; the
 * daemon runs detached, its output in its log, and the start waits (up to `waitMs`) until it
 * listens, failing with libvirt's "Could not start 'virtiofsd'" if it ends first.
 *
 * @example
 * ```ts
 * import { startShare } from "./virtiofsd.ts";
 * declare const fs: import("../../util/xml/mod.ts").XmlElement;
 * await startShare({ runDir: "/run/ev", id: 3, name: "web" }, fs);
 * ```
 */
export async function startShare(
  place: VirtiofsdPlace,
  fs: XmlElement,
  waitMs = 30_000,
): Promise<void> {
  const binary = child(fs, "binary")?.attributes.path ?? "";
  const dir = child(fs, "source")?.attributes.dir ?? "";
  const mode = await Deno.stat(binary).then((s) => s.isFile ? s.mode ?? 0 : 0, () => 0);
  if (!(mode & 0o111)) throw internal(`virtiofsd binary '${binary}' is not executable`);
  if (!await Deno.stat(dir).then(() => true, () => false)) {
    throw internal(`the virtiofs export directory '${dir}' does not exist`);
  }
  const socket = virtiofsSocket(fs, virtiofsDir(place));
  await Deno.mkdir(virtiofsDir(place), { recursive: true, mode: 0o750 });
  await Deno.remove(socket).catch(() => {});
  const log = `${place.runDir}/${place.name}-${aliasOf(fs)}-virtiofsd.log`;
  const proc = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'log=$1; shift; exec "$@" >>"$log" 2>&1',
      "sh",
      log,
      binary,
      ...virtiofsdArgs(fs, socket),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    // Its own session, as QEMU's: the gateway's signals never end it.
    detached: true,
  }).spawn();
  let exited = false;
  proc.status.then(() => exited = true);
  proc.unref();
  await Deno.writeTextFile(pidFile(place, fs), `${proc.pid}\n`);
  const until = Date.now() + waitMs;
  while (!exited && Date.now() < until) {
    if (await Deno.stat(socket).then((s) => s.isSocket, () => false)) return;
    await pause(20);
  }
  await stopShare(place, fs);
  throw internal("Could not start 'virtiofsd'");
}

/**
 * `qemuVirtioFSStop` for share `fs`: the daemon from its pid file (and its sandbox child, in its
 * process group) is ended, SIGTERM then SIGKILL, and its pid file and socket go.
 *
 * @example
 * ```ts
 * import { stopShare } from "./virtiofsd.ts";
 * declare const fs: import("../../util/xml/mod.ts").XmlElement;
 * await stopShare({ runDir: "/run/ev", id: 3, name: "web" }, fs);
 * ```
 */
export async function stopShare(place: VirtiofsdPlace, fs: XmlElement): Promise<void> {
  const file = pidFile(place, fs);
  const pid = Number(await Deno.readTextFile(file).catch(() => ""));
  const socket = virtiofsSocket(fs, virtiofsDir(place));
  // Only the virtiofsd of this share: a pid reused by another process is left alone.
  const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
  if (pid > 0 && cmdline.includes(`--socket-path=${socket}\0`)) {
    for (const [signal, waits] of [["SIGTERM", 500], ["SIGKILL", 500]] as const) {
      try {
        Deno.kill(-pid, signal);
      } catch {
        break;
      }
      for (let i = 0; i < waits && processAlive(pid); i++) await pause(20);
      if (!processAlive(pid)) break;
    }
  }
  await Deno.remove(file).catch(() => {});
  await Deno.remove(socket).catch(() => {});
}

/**
 * Starts a virtiofsd for every virtiofs share of `def` the driver serves (after
 * {@link prepareVirtiofs}); when one fails, those already running are stopped.
 *
 * @example
 * ```ts
 * import { startVirtiofs } from "./virtiofsd.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await startVirtiofs(def, { runDir: "/run/ev", id: 3, name: def.name });
 * ```
 */
export async function startVirtiofs(
  def: DomainDef,
  place: VirtiofsdPlace,
  waitMs = 30_000,
): Promise<void> {
  const started: XmlElement[] = [];
  try {
    for (const fs of ownShares(def)) {
      await startShare(place, fs, waitMs);
      started.push(fs);
    }
  } catch (err) {
    for (const fs of started) await stopShare(place, fs);
    throw err;
  }
}

/**
 * `qemuVirtioFSSetupCgroup` for share `fs`: its virtiofsd joins the domain's machine group,
 * libvirt's "virtiofsd died unexpectedly" when it no longer runs.
 *
 * @example
 * ```ts
 * import { virtiofsdToCgroup } from "./virtiofsd.ts";
 * declare const fs: import("../../util/xml/mod.ts").XmlElement;
 * declare const cgroup: import("../../util/cgroup/mod.ts").Cgroup;
 * await virtiofsdToCgroup({ runDir: "/run/ev", id: 3, name: "web" }, fs, cgroup);
 * ```
 */
export async function virtiofsdToCgroup(
  place: VirtiofsdPlace,
  fs: XmlElement,
  cgroup: Cgroup,
): Promise<void> {
  const pid = Number(await Deno.readTextFile(pidFile(place, fs)).catch(() => ""));
  if (!(pid > 0) || !processAlive(pid)) throw internal("virtiofsd died unexpectedly");
  await cgroup.addProcess(pid);
}

/**
 * {@link virtiofsdToCgroup} for every share of `def` the driver serves
 * (`qemuExtDevicesSetupCgroup`).
 *
 * @example
 * ```ts
 * import { virtiofsToCgroup } from "./virtiofsd.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const cgroup: import("../../util/cgroup/mod.ts").Cgroup;
 * await virtiofsToCgroup(def, { runDir: "/run/ev", id: 3, name: def.name }, cgroup);
 * ```
 */
export async function virtiofsToCgroup(
  def: DomainDef,
  place: VirtiofsdPlace,
  cgroup: Cgroup,
): Promise<void> {
  for (const fs of ownShares(def)) await virtiofsdToCgroup(place, fs, cgroup);
}

/**
 * Stops the virtiofsd of every share of a stopped domain and removes its socket folder.
 *
 * @example
 * ```ts
 * import { stopVirtiofs } from "./virtiofsd.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await stopVirtiofs(def, { runDir: "/run/ev", id: 3, name: def.name });
 * ```
 */
export async function stopVirtiofs(def: DomainDef, place: VirtiofsdPlace): Promise<void> {
  const shares = ownShares(def);
  if (!shares.length) return;
  for (const fs of shares) await stopShare(place, fs);
  await Deno.remove(virtiofsDir(place), { recursive: true }).catch(() => {});
}

/**
 * The vhost-user descriptor folders of a driver (`qemuVhostUserFetchConfigs`).
 *
 * @example
 * ```ts
 * import { vhostUserDirs } from "./virtiofsd.ts";
 * vhostUserDirs(true); // ["/usr/share/qemu/vhost-user", "/etc/qemu/vhost-user"]
 * ```
 */
export function vhostUserDirs(privileged: boolean): string[] {
  return interopDirs("vhost-user", privileged);
}

/**
 * The TPM emulator of a domain (libvirt 9.0's qemu_tpm.c): its state folder made and
 * manufactured by `swtpm_setup` on the first start, the PCR banks reconfigured at each start,
 * `swtpm socket` run beside QEMU and stopped with it, and the state removed or kept when the
 * domain goes as libvirt decides.
 *
 * Where things are, as libvirt's session driver lays them out under edgevirt's own roots:
 * the state in `<configDir>/swtpm/<uuid>/tpm2|tpm1.2` (libvirt:
 * `~/.config/libvirt/qemu/swtpm`), kept with the definitions since it is the guest's TPM and
 * must outlive caches and reboots; the log in `<cacheDir>/log/<name>-swtpm.log` (libvirt:
 * `~/.cache/libvirt/qemu/log`); the socket and pid file in `<runDir>/swtpm/<id>-<name>-swtpm.*`
 * (libvirt: `$XDG_RUNTIME_DIR/libvirt/qemu/run/swtpm`). swtpm runs as the driver's user: the
 * driver has no `swtpm_user` to switch to.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { domainShortName } from "../../conf/domain/short_name.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { findBinary } from "./api/host_caps.ts";
import { secretValue } from "./disk_secret.ts";
import { openFdsAndExec } from "./process/launcher.ts";
import type { QemuSecondaries } from "./secondaries.ts";

/** The folders a TPM's files go in (see the module's notes). */
export interface SwtpmDirs {
  /** The driver's definitions folder: the state goes in its `swtpm` folder. */
  configDir: string;
  /** The driver's cache folder: the log goes in its `log` folder. */
  cacheDir: string;
  /** The driver's runtime folder: socket and pid file go in its `swtpm` folder. */
  runDir: string;
}

/** One domain's emulated TPM on the host. */
export interface SwtpmFiles {
  /** The TPM state folder (`--tpmstate dir=`). */
  storage: string;
  /** swtpm's and swtpm_setup's log. */
  log: string;
  /** The control socket QEMU connects to. */
  socket: string;
  /** swtpm's pid file. */
  pidfile: string;
}

/**
 * The emulated TPM's paths for domain `def` run as `id` (qemuTPMEmulatorInitPaths,
 * qemuTPMEmulatorPrepareHost).
 *
 * @example
 * ```ts
 * import { swtpmFiles } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * swtpmFiles({ configDir: "/c", cacheDir: "/k", runDir: "/r" }, def, "2.0", 1).socket;
 * // "/r/swtpm/1-vm-swtpm.sock"
 * ```
 */
export function swtpmFiles(
  dirs: SwtpmDirs,
  def: DomainDef,
  version: string,
  id: number,
): SwtpmFiles {
  const short = domainShortName(id, def.name);
  return {
    storage: `${dirs.configDir}/swtpm/${def.uuid}/${version === "2.0" ? "tpm2" : "tpm1.2"}`,
    log: `${dirs.cacheDir}/log/${def.name}-swtpm.log`,
    socket: `${dirs.runDir}/swtpm/${short}-swtpm.sock`,
    pidfile: `${dirs.runDir}/swtpm/${short}-swtpm.pid`,
  };
}

/**
 * The emulated TPM of a definition (libvirt allows one TPM of each kind; this is the one swtpm
 * runs for).
 *
 * @example
 * ```ts
 * import { emulatedTpm } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * emulatedTpm(def)?.attributes.model; // "tpm-crb"
 * ```
 */
export function emulatedTpm(def: DomainDef): XmlElement | undefined {
  return def.devices.other.find((d) =>
    d.name === "tpm" && child(d, "backend")?.attributes.type === "emulator"
  );
}

const capsCache = new Map<string, readonly string[]>();

/**
 * `virTPMSwtpmSetupCapsGet` / `virTPMSwtpmCapsGet`: the features `swtpm_setup
 * --print-capabilities` (or `swtpm socket --print-capabilities`) lists, probed once per binary
 * and mtime as libvirt caches them; undefined where swtpm is not installed.
 *
 * @example
 * ```ts
 * import { swtpmFeatures } from "./swtpm.ts";
 * swtpmFeatures("swtpm_setup")?.includes("tpm-2.0"); // true where swtpm 0.7 is installed
 * ```
 */
export function swtpmFeatures(tool: "swtpm" | "swtpm_setup"): readonly string[] | undefined {
  const swtpm = findBinary("swtpm");
  const program = findBinary(tool);
  if (!swtpm || !program) return undefined;
  const key = `${program}:${Deno.statSync(program).mtime?.getTime()}`;
  let features = capsCache.get(key);
  if (!features) {
    const args = tool === "swtpm" ? ["socket", "--print-capabilities"] : ["--print-capabilities"];
    try {
      const out = new Deno.Command(program, { args, stderr: "null" }).outputSync();
      features = out.success ? JSON.parse(new TextDecoder().decode(out.stdout)).features : [];
    } catch {
      features = [];
    }
    capsCache.set(key, features!);
  }
  return features;
}

/**
 * The TPM versions the host's swtpm_setup manufactures (the domain capabilities'
 * `backendVersion`), undefined without swtpm.
 *
 * @example
 * ```ts
 * import { swtpmVersions } from "./swtpm.ts";
 * swtpmVersions(); // ["1.2", "2.0"] with swtpm 0.7
 * ```
 */
export function swtpmVersions(): string[] | undefined {
  const features = swtpmFeatures("swtpm_setup");
  if (!features) return undefined;
  return ["1.2", "2.0"].filter((v) => features.includes(`tpm-${v}`));
}

/**
 * The descriptor an encrypted TPM's passphrase is read from (the next one, for swtpm's
 * migration key, reads it again): the first a child gets (see `openFdsAndExec`).
 */
const KEY_FD = 3;

/** swtpm_setup's arguments for an encrypted state (qemuTPMVirCommandAddEncryption). */
const SETUP_KEY = ["--pwdfile-fd", `${KEY_FD}`, "--cipher", "aes-256-cbc"];

/**
 * `qemuTPMEmulatorRunSetup`'s command: manufacture a new TPM (EK, its certificate, the platform
 * certificate, locked NVRAM), never overwriting an existing state; for an `incoming` one (a
 * migration or restore), only the empty state the stream overwrites.
 *
 * @example
 * ```ts
 * import { swtpmSetupArgs } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * swtpmSetupArgs(def, "2.0", { storage: "/s", log: "/l", socket: "", pidfile: "" });
 * // ["--tpm2", "--tpm-state", "/s", "--vmid", "vm:UUID", "--logfile", "/l", "--createek", …]
 * ```
 */
export function swtpmSetupArgs(
  def: DomainDef,
  version: string,
  files: SwtpmFiles,
  encrypted = false,
  incoming = false,
): string[] {
  const head = [...(version === "2.0" ? ["--tpm2"] : []), ...(encrypted ? SETUP_KEY : [])];
  // A migrated-in or restored TPM gets its state from QEMU's stream: nothing to manufacture.
  if (incoming) return [...head, "--tpm-state", files.storage, "--overwrite"];
  return [
    ...head,
    "--tpm-state",
    files.storage,
    "--vmid",
    `${def.name}:${def.uuid}`,
    "--logfile",
    files.log,
    "--createek",
    "--create-ek-cert",
    "--create-platform-cert",
    "--lock-nvram",
    "--not-overwrite",
  ];
}

/**
 * `qemuTPMEmulatorReconfigure`'s command: the active PCR banks of a TPM 2.0 that names them,
 * set at each start; undefined when there is nothing to set.
 *
 * @example
 * ```ts
 * import { swtpmReconfigureArgs } from "./swtpm.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const tpm = parse("<tpm><backend type='emulator' version='2.0'>" +
 *   "<active_pcr_banks><sha256/></active_pcr_banks></backend></tpm>");
 * swtpmReconfigureArgs(tpm, { storage: "/s", log: "/l", socket: "", pidfile: "" });
 * // ["--tpm2", "--tpm-state", "/s", "--logfile", "/l", "--pcr-banks", "sha256", "--reconfigure"]
 * ```
 */
export function swtpmReconfigureArgs(tpm: XmlElement, files: SwtpmFiles): string[] | undefined {
  const backend = child(tpm, "backend")!;
  const banks = children(child(backend, "active_pcr_banks")).map((b) => b.name);
  if (backend.attributes.version !== "2.0" || !banks.length) return undefined;
  return [
    "--tpm2",
    ...(child(backend, "encryption") ? SETUP_KEY : []),
    "--tpm-state",
    files.storage,
    "--logfile",
    files.log,
    "--pcr-banks",
    banks.join(","),
    "--reconfigure",
  ];
}

/**
 * `qemuTPMEmulatorBuildCommand`'s `swtpm` arguments: the control socket QEMU connects to, the
 * state folder, the log, and `--terminate` so swtpm ends with QEMU's connection.
 *
 * @example
 * ```ts
 * import { swtpmSocketArgs } from "./swtpm.ts";
 * swtpmSocketArgs("2.0", { storage: "/s", log: "/l", socket: "/r.sock", pidfile: "/r.pid" });
 * // ["socket", "--ctrl", "type=unixio,path=/r.sock,mode=0600", "--tpmstate",
 * //  "dir=/s,mode=0600", "--log", "file=/l", "--terminate", "--tpm2"]
 * ```
 */
export function swtpmSocketArgs(version: string, files: SwtpmFiles, encrypted = false): string[] {
  return [
    "socket",
    "--ctrl",
    `type=unixio,path=${files.socket},mode=0600`,
    "--tpmstate",
    `dir=${files.storage},mode=0600`,
    "--log",
    `file=${files.log}`,
    "--terminate",
    ...(version === "2.0" ? ["--tpm2"] : []),
    // The state's key and the key of the state QEMU migrates, both the passphrase.
    ...(encrypted
      ? [
        "--key",
        `pwdfd=${KEY_FD},mode=aes-256-cbc`,
        "--migration-key",
        `pwdfd=${KEY_FD + 1},mode=aes-256-cbc`,
      ]
      : []),
  ];
}

/** One run of swtpm_setup at a start, and libvirt's words when it fails. */
export interface SwtpmSetupRun {
  args: string[];
  failure: (program: string, status: number) => string;
}

/**
 * The swtpm_setup runs of a start, in libvirt's order: for a new state, the per-user config
 * files of an unprivileged driver (`qemuTPMCreateConfigFiles`) and the manufacturing
 * (`qemuTPMEmulatorRunSetup`); then, at every start but an incoming one, the active PCR banks
 * (`qemuTPMEmulatorReconfigure`), each only where the host's swtpm_setup has the feature.
 *
 * @example
 * ```ts
 * import { swtpmSetupRuns } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const tpm: import("../../util/xml/mod.ts").XmlElement;
 * declare const files: import("./swtpm.ts").SwtpmFiles;
 * swtpmSetupRuns(def, tpm, files, { created: false, privileged: false, features: [] }); // []
 * ```
 */
export function swtpmSetupRuns(
  def: DomainDef,
  tpm: XmlElement,
  files: SwtpmFiles,
  host: {
    created: boolean;
    privileged: boolean;
    features: readonly string[];
    incoming?: boolean;
  },
): SwtpmSetupRun[] {
  const runs: SwtpmSetupRun[] = [];
  const version = child(tpm, "backend")!.attributes.version;
  const encrypted = !!child(child(tpm, "backend"), "encryption");
  if (host.created) {
    if (!host.privileged && host.features.includes("cmdarg-create-config-files")) {
      runs.push({
        args: ["--create-config-files", "skip-if-exist"],
        failure: (program, status) =>
          `Could not run '${program}' to create config files. exitstatus: ${status};\nError: `,
      });
    }
    runs.push({
      args: swtpmSetupArgs(def, version, files, encrypted, host.incoming),
      failure: (program, status) =>
        `Could not run '${program}'. exitstatus: ${status}; Check error log '${files.log}' ` +
        "for details.",
    });
  }
  const reconfigure = swtpmReconfigureArgs(tpm, files);
  if (reconfigure && !host.incoming && host.features.includes("cmdarg-reconfigure-pcr-banks")) {
    runs.push({
      args: reconfigure,
      failure: (program, status) =>
        `Could not run '${program} --reconfigure'. exitstatus: ${status}; Check error log ` +
        `'${files.log}' for details.`,
    });
  }
  return runs;
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/**
 * `program args…` as a command; with a key file, through a shell that opens it on the
 * descriptors from {@link KEY_FD} (`copies` of them) and execs the program in its place.
 */
function command(
  program: string,
  args: string[],
  key: string | undefined,
  copies: number,
  options: Deno.CommandOptions,
): Deno.Command {
  if (!key) return new Deno.Command(program, { ...options, args });
  const keys = Array.from({ length: copies }, () => key);
  return new Deno.Command("/bin/sh", {
    ...options,
    args: ["-c", openFdsAndExec(copies), "sh", ...keys, program, ...args],
  });
}

/**
 * qemuTPMEmulatorStart for a domain's emulated TPM: prepares the log and socket folders, makes
 * the state folder (`swtpm_setup` manufactures a new one; a failure there removes it again),
 * sets the PCR banks, then runs `swtpm socket` in a session of its own and waits for its
 * socket, which QEMU's `-chardev` connects to. An encrypted state's `passphrase` (the secret's
 * value, see `tpmPassphrase`) reaches both through a descriptor, from a file only the driver's
 * user reads, removed once they have it. Returns the socket's path.
 *
 * @example
 * ```ts
 * import { startSwtpm } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const tpm: import("../../util/xml/mod.ts").XmlElement;
 * const dirs = { configDir: "/c", cacheDir: "/k", runDir: "/r" };
 * const socket = await startSwtpm(def, tpm, dirs, 1, { privileged: false });
 * ```
 */
export async function startSwtpm(
  def: DomainDef,
  tpm: XmlElement,
  dirs: SwtpmDirs,
  id: number,
  how: { privileged: boolean; passphrase?: Uint8Array; incoming?: boolean },
): Promise<string> {
  const { privileged, passphrase, incoming } = how;
  const version = child(tpm, "backend")!.attributes.version;
  const files = swtpmFiles(dirs, def, version, id);
  const [swtpm, setup] = ["swtpm", "swtpm_setup"].map((name) => {
    const path = findBinary(name);
    if (!path) {
      // virTPMBinaryGetPath: ENOENT's words after libvirt's.
      throw VirError.report(
        "TPM",
        "SYSTEM_ERROR",
        `Unable to find '${name}' binary in $PATH: No such file or directory`,
      );
    }
    return path;
  });
  if (passphrase && !swtpmFeatures("swtpm_setup")?.includes("cmdarg-pwdfile-fd")) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `${setup} does not support passing a passphrase using a file descriptor`,
    );
  }
  if (passphrase && !swtpmFeatures("swtpm")?.includes("cmdarg-pwd-fd")) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `${swtpm} does not support passing passphrase via file descriptor`,
    );
  }
  await stopSwtpm(dirs, def, id);
  // qemuTPMEmulatorPrepareHost: the log folder and file, the runtime folder.
  await Deno.mkdir(`${dirs.cacheDir}/log`, { recursive: true, mode: 0o711 });
  if (!(await exists(files.log))) {
    await Deno.writeFile(files.log, new Uint8Array(), { mode: 0o644 });
  }
  await Deno.mkdir(`${dirs.runDir}/swtpm`, { recursive: true, mode: 0o770 });
  // qemuTPMEmulatorCreateStorage: others may cd into the domain's folder, not into the state.
  const domainDir = files.storage.slice(0, files.storage.lastIndexOf("/"));
  await Deno.mkdir(domainDir, { recursive: true, mode: 0o711 }).catch((err) => {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Could not create TPM directory ${domainDir}: ${strerror(err)}`,
    );
  });
  const created = !(await exists(files.storage));
  await Deno.mkdir(files.storage, { recursive: true, mode: 0o700 });
  const key = passphrase && files.pidfile.replace(/\.pid$/, ".key");
  if (key) await Deno.writeFile(key, passphrase!, { mode: 0o600 });
  try {
    try {
      const runs = swtpmSetupRuns(def, tpm, files, {
        created,
        privileged,
        incoming,
        features: swtpmFeatures("swtpm_setup") ?? [],
      });
      for (const { args, failure } of runs) {
        const options = { stdout: "null", stderr: "null" } as const;
        // Only the runs that name the descriptor get the key.
        const out = await command(
          setup,
          args,
          args.includes("--pwdfile-fd") ? key : undefined,
          1,
          options,
        )
          .output();
        if (out.code !== 0) {
          throw VirError.report("QEMU", "INTERNAL_ERROR", failure(setup, out.code));
        }
      }
    } catch (err) {
      if (created) await Deno.remove(domainDir, { recursive: true }).catch(() => {});
      throw err;
    }
    await Deno.remove(files.socket).catch(() => {});
    await spawnSwtpm(
      command(swtpm, swtpmSocketArgs(version, files, !!key), key, 2, {
        stdin: "null",
        stdout: "null",
        stderr: "piped",
        detached: true,
      }),
      files,
    );
  } finally {
    if (key) await Deno.remove(key).catch(() => {});
  }
  return files.socket;
}

/**
 * Runs `swtpm socket …` detached (setsid, as libvirt daemonizes it), writes its pid file, and
 * waits for the socket: swtpm's own words when it dies first, libvirt's timeout error when the
 * socket never comes.
 */
async function spawnSwtpm(cmd: Deno.Command, files: SwtpmFiles): Promise<void> {
  const child = cmd.spawn();
  let exited = false;
  const status = child.status.then(() => exited = true);
  const stderr = new Response(child.stderr).text();
  await Deno.writeTextFile(files.pidfile, `${child.pid}\n`);
  // libvirt waits 1 s; a machine shared by several QEMUs may need longer.
  const deadline = Date.now() + 10_000;
  while (!(await exists(files.socket))) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      await status;
      await Deno.remove(files.pidfile).catch(() => {});
      if (Date.now() > deadline) {
        throw VirError.report("QEMU", "OPERATION_TIMEOUT", "swtpm socket did not show up");
      }
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        `swtpm died and reported: ${await stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  child.unref();
  // Its stderr is no longer read once it runs: swtpm logs to its log file.
  stderr.catch(() => {});
}

/**
 * qemuTPMSetupEncryption: the passphrase of an encrypted TPM state, the value of its `vtpm`
 * secret read through the secret driver; undefined for a TPM without `<encryption>`.
 *
 * @example
 * ```ts
 * import { tpmPassphrase } from "./swtpm.ts";
 * declare const tpm: import("../../util/xml/mod.ts").XmlElement;
 * declare const secondaries: import("./secondaries.ts").QemuSecondaries;
 * await tpmPassphrase(tpm, secondaries);
 * ```
 */
export async function tpmPassphrase(
  tpm: XmlElement,
  secondaries: QemuSecondaries,
): Promise<Uint8Array | undefined> {
  const uuid = child(child(tpm, "backend"), "encryption")?.attributes.secret;
  if (!uuid) return undefined;
  return await secretValue(secondaries, element("secret", { uuid }), VIR.SECRET_USAGE_TYPE_VTPM);
}

/** Whether `pid` is a live swtpm serving `socket` (a reused pid is someone else). */
function isSwtpmOf(pid: number, socket: string): boolean {
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && cmdline.some((a) => a.startsWith(`type=unixio,path=${socket},`));
  } catch {
    return false;
  }
}

/**
 * qemuTPMEmulatorStop: asks swtpm to end (`swtpm_ioctl -s`), removes its socket, and makes
 * sure the process of its pid file is gone (SIGTERM, then SIGKILL), its pid file with it.
 *
 * @example
 * ```ts
 * import { stopSwtpm } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await stopSwtpm({ configDir: "/c", cacheDir: "/k", runDir: "/r" }, def, 1);
 * ```
 */
export async function stopSwtpm(dirs: SwtpmDirs, def: DomainDef, id: number): Promise<void> {
  // The socket and pid file do not depend on the TPM's version.
  const files = swtpmFiles(dirs, def, "", id);
  const ioctl = findBinary("swtpm_ioctl");
  if (ioctl && (await exists(files.socket))) {
    await new Deno.Command(ioctl, {
      args: ["--unix", files.socket, "-s"],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => {});
  }
  await Deno.remove(files.socket).catch(() => {});
  const pid = Number((await Deno.readTextFile(files.pidfile).catch(() => "")).trim());
  if (pid > 0) {
    for (const [signal, tries] of [["SIGTERM", 300], ["SIGKILL", 500]] as const) {
      if (!isSwtpmOf(pid, files.socket)) break;
      try {
        Deno.kill(pid, signal);
      } catch {
        break;
      }
      for (let i = 0; i < tries && isSwtpmOf(pid, files.socket); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
  await Deno.remove(files.pidfile).catch(() => {});
}

/**
 * qemuTPMEmulatorCleanupHost when a domain goes (undefined, or a transient one stopped): its
 * TPM state is removed when `persistent_state='yes'` and `VIR_DOMAIN_UNDEFINE_TPM`, or without
 * `persistent_state` unless `VIR_DOMAIN_UNDEFINE_KEEP_TPM`; kept otherwise.
 *
 * @example
 * ```ts
 * import { cleanupSwtpmState } from "./swtpm.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await cleanupSwtpmState(def, "/home/u/.config/edgevirt/qemu", 0);
 * ```
 */
export async function cleanupSwtpmState(
  def: DomainDef,
  configDir: string,
  flags: number,
): Promise<void> {
  const tpm = emulatedTpm(def);
  if (!tpm) return;
  const persistent = child(tpm, "backend")!.attributes.persistent_state === "yes";
  if (
    (persistent && flags & VIR.DOMAIN_UNDEFINE_TPM) ||
    (!persistent && !(flags & VIR.DOMAIN_UNDEFINE_KEEP_TPM))
  ) {
    // qemuTPMEmulatorDeleteStorage: the domain's whole folder, whatever the version.
    await Deno.remove(`${configDir}/swtpm/${def.uuid}`, { recursive: true }).catch(() => {});
  }
}

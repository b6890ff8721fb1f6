/**
 * What each QEMU binary says about itself over QMP (libvirt's `virQEMUCaps`), probed once and
 * kept on disk in the driver's cache directory, keyed as libvirt's capability cache: the file is
 * named after the binary's path and is only used while the binary keeps its modification time
 * and size (an upgraded QEMU is probed again).
 *
 * @module
 */
import type { QemuLauncher } from "../process/launcher.ts";
import type { QemuVersion, QmpProbeReply } from "../process/probe.ts";
import { writeFileAtomic } from "../process/atomic_file.ts";

/** One `query-machines` entry. */
export interface QmpMachine {
  name: string;
  alias?: string;
  "cpu-max"?: number;
  deprecated?: boolean;
  "is-default"?: boolean;
}

/** One `query-cpu-definitions` entry. */
export interface QmpCpuDefinition {
  name: string;
  "unavailable-features"?: string[];
  deprecated?: boolean;
}

/** `query-cpu-model-expansion`'s model: a name and its properties (features are booleans). */
export interface QmpCpuModelInfo {
  name: string;
  props: Record<string, boolean | number | string>;
}

/**
 * QEMU's static expansion of the CPU a host-model guest gets (`host` under KVM, `max` under
 * TCG), with only migratable features and with all of them (`virQEMUCapsProbeQMPHostCPU`).
 */
export interface QmpHostCpu {
  migratable: QmpCpuModelInfo;
  all: QmpCpuModelInfo;
}

/** A binary's probed capabilities. */
export interface EmulatorCaps {
  version: QemuVersion;
  machines: QmpMachine[];
  /** KVM works with this binary on this host (`query-kvm` with `accel=kvm:tcg`). */
  kvm: boolean;
  /** QOM types: the devices and objects the binary has. */
  types: string[];
  /** CPU models and what keeps each from running, under TCG and (when it works) KVM. */
  cpus: { tcg: QmpCpuDefinition[]; kvm?: QmpCpuDefinition[] };
  /** The host-model CPU per accelerator, where QEMU can expand it. */
  hostCpu: { tcg?: QmpHostCpu; kvm?: QmpHostCpu };
}

interface CacheFile {
  /** Bumped when {@link EmulatorCaps} changes shape: an older file is probed again. */
  format: number;
  emulator: string;
  mtime: number;
  size: number;
  caps: EmulatorCaps;
}

const FORMAT = 3;

const COMMANDS = [
  { execute: "query-version" },
  { execute: "query-machines" },
  { execute: "query-kvm" },
  { execute: "qom-list-types" },
  { execute: "query-cpu-definitions" },
];

/** The two expansions of {@link QmpHostCpu} for `model`. */
const hostCpuCommands = (model: string) =>
  [{ name: model }, { name: model, props: { migratable: false } }].map((m) => ({
    execute: "query-cpu-model-expansion",
    arguments: { type: "static", model: m },
  }));

/** A {@link QmpHostCpu} from the replies to {@link hostCpuCommands}. */
function hostCpuOf(replies: (QmpProbeReply | undefined)[]): QmpHostCpu | undefined {
  const [migratable, all] = replies.map((r) => value<{ model: QmpCpuModelInfo }>(r)?.model);
  return migratable?.props && all?.props ? { migratable, all } : undefined;
}

const value = <T>(reply: QmpProbeReply | undefined): T | undefined =>
  reply && "return" in reply ? reply.return as T : undefined;

async function fileName(emulator: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(emulator));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The capability cache of one driver state.
 *
 * @example
 * ```ts ignore
 * import { CapsCache } from "./host_caps_cache.ts";
 * declare const launcher: import("../process/launcher.ts").QemuLauncher;
 * const cache = new CapsCache(launcher, "/var/cache/edgevirt/qemu");
 * (await cache.get("/usr/bin/qemu-system-x86_64"))?.machines.length;
 * ```
 */
export class CapsCache {
  #launcher: QemuLauncher;
  #dir: string;
  #memory = new Map<string, Promise<EmulatorCaps>>();

  constructor(launcher: QemuLauncher, cacheDir: string) {
    this.#launcher = launcher;
    this.#dir = `${cacheDir}/capabilities`;
  }

  /** The capabilities of `emulator`, undefined when there is no such binary. */
  async get(emulator: string): Promise<EmulatorCaps | undefined> {
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(emulator);
    } catch {
      return undefined;
    }
    const mtime = st.mtime?.getTime() ?? 0;
    const key = `${emulator}\0${mtime}\0${st.size}`;
    let caps = this.#memory.get(key);
    if (!caps) {
      caps = this.#load(emulator, mtime, st.size);
      // A failed probe is not remembered: the next call tries again.
      caps.catch(() => this.#memory.delete(key));
      this.#memory.set(key, caps);
    }
    return await caps;
  }

  async #load(emulator: string, mtime: number, size: number): Promise<EmulatorCaps> {
    const path = `${this.#dir}/${await fileName(emulator)}.json`;
    try {
      const saved = JSON.parse(await Deno.readTextFile(path)) as CacheFile;
      if (
        saved.format === FORMAT && saved.emulator === emulator && saved.mtime === mtime &&
        saved.size === size
      ) {
        return saved.caps;
      }
    } catch {
      // No usable cache file: probe.
    }
    // `host` expands under KVM only, `max` is TCG's host model when KVM does not work.
    const [version, machines, kvm, types, cpus, host, hostAll, max, maxAll] = await this.#launcher
      .probe(emulator, [...COMMANDS, ...hostCpuCommands("host"), ...hostCpuCommands("max")]);
    const kvmWorks = value<{ enabled: boolean }>(kvm)?.enabled === true;
    // CPU models run differently under each accelerator: TCG's answer needs a run of its own.
    const [tcgCpus, ...tcgHost] = kvmWorks
      ? await this.#launcher.probe(emulator, [COMMANDS[4], ...hostCpuCommands("max")], "tcg")
      : [cpus, max, maxAll];
    const tcgHostCpu = hostCpuOf(tcgHost);
    const kvmHostCpu = kvmWorks ? hostCpuOf([host, hostAll]) : undefined;
    const caps: EmulatorCaps = {
      version: value<{ qemu: QemuVersion }>(version)!.qemu,
      machines: value<QmpMachine[]>(machines) ?? [],
      kvm: kvmWorks,
      types: (value<{ name: string }[]>(types) ?? []).map((t) => t.name),
      // No `kvm` key at all without KVM: the cache file (JSON) keeps no undefined.
      cpus: {
        tcg: value<QmpCpuDefinition[]>(tcgCpus) ?? [],
        ...(kvmWorks ? { kvm: value<QmpCpuDefinition[]>(cpus) ?? [] } : {}),
      },
      hostCpu: { ...(tcgHostCpu && { tcg: tcgHostCpu }), ...(kvmHostCpu && { kvm: kvmHostCpu }) },
    };
    await Deno.mkdir(this.#dir, { recursive: true });
    const file: CacheFile = { format: FORMAT, emulator, mtime, size, caps };
    await writeFileAtomic(path, JSON.stringify(file));
    return caps;
  }
}

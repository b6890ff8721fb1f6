/**
 * The QEMU driver's shared state for one state directory (what libvirtd holds for all its
 * connections): domains, their QEMU processes, configs on disk, events.
 *
 * @module
 */
import { initGraphicsPasswords } from "./graphics_password.ts";
import { markGraphicsPortsUsed, releaseGraphicsPorts, setupGraphics } from "./graphics_setup.ts";
import { formatDomainXML, parseDomainXML } from "../../conf/domain/mod.ts";
import { readQemuNamespace } from "../../conf/domain/qemu_namespace.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { VIR } from "../../util/constants.ts";
import type { DriverEvent } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { EventHub } from "../../util/event_hub.ts";
import { strerror } from "../../util/strerror.ts";
import { assignDeviceAliases } from "./alias.ts";
import {
  adoptTransientOverlays,
  removeOverlayFiles,
  setupTransientDisks,
  takeTransientOverlays,
} from "./api/transient_disks.ts";
import { plugSharedBackingDisks } from "./api/disk_plug.ts";
import { buildQemuArgv } from "./command/argv.ts";
import { customEnv } from "./command/namespace_args.ts";
import { refuseCustomCaps } from "./namespace_caps.ts";
import { numberDiskSources } from "./disk_chains.ts";
import { type DroppedSource, prepareDomainStorage, prepareHostStorage } from "./disk_startup.ts";
import { startedSourceIndex } from "./api/block_chain.ts";
import { accelOf, kvmUsable } from "./accel.ts";
import { checkDiskLabels } from "./security_labels.ts";
import { setupDiskThrottling } from "./api/block_iotune.ts";
import { refreshLiveDevices } from "./live_devices.ts";
import { emulatorPinOf } from "../../conf/domain/pins.ts";
import { reparseIothreadIds } from "../../conf/domain/iothreads.ts";
import { refuseSessionTuning } from "./session_tuning.ts";
import { checkNumatuneNodes, refuseAutoPlacement } from "./numa_start.ts";
import { threadSchedOf } from "../../conf/domain/cputune_sched.ts";
import {
  isActive,
  persistentDef,
  refOf,
  removeTransientDef,
  setDefTransient,
} from "../../conf/objects/domain_obj.ts";
import { DomainObjList } from "../../conf/objects/domain_obj_list.ts";
import { newQemuDomainObj, type QemuDomainObj } from "./domain_private.ts";
import { checkStartTaints, type Taints } from "./taint.ts";
import { VcpuController } from "./hotplug/controller.ts";
import { refreshVcpuInfo } from "./hotplug/refresh.ts";
import { startupVcpus } from "./hotplug/startup.ts";
import type { LiveVcpus } from "./hotplug/types.ts";
import { applyVcpusToDef, vcpusFromDef } from "./hotplug/vcpu_model.ts";
import type { QmpEvent } from "./monitor/qmp_client.ts";
import type { QemuMonitor } from "./monitor/qemu_monitor.ts";
import { writeFileAtomic } from "./process/atomic_file.ts";
import { QemuExitedError, type QemuLauncher, type QemuProcess } from "./process/launcher.ts";
import type { QemuPaths } from "./process/paths.ts";
import { setAsideDamaged } from "./process/damaged_file.ts";
import {
  type DomainStatus,
  loadStatuses,
  removeStatus,
  saveStatus,
  statusPath,
} from "./process/status.ts";
import {
  DEFAULT_EMULATOR,
  type QemuParseOptions,
  qemuPostParse,
  qemuPostParseBasic,
  qemuValidateVirt,
} from "./postparse.ts";
import { nvramPostParse, validateLoader } from "./loader.ts";
import { fillFirmware } from "./firmware_select.ts";
import { prepareNvram } from "./nvram.ts";
import { cleanupSwtpmState, emulatedTpm, startSwtpm, stopSwtpm, tpmPassphrase } from "./swtpm.ts";
import { openPassthroughTpm } from "./tpm_passthrough.ts";
import { markMissingRom } from "./loader_missing.ts";
import { resetShutsDown } from "./lifecycle_actions.ts";
import { removeDeviceAlias } from "./api/device_detach.ts";
import { removeVanishedNics } from "./api/device_nic_live.ts";
import { startBalloon } from "./api/state_memory.ts";
import { handleGuestPanicEvent, handleResetEvent, handleShutdownEvent } from "./power_events.ts";
import type { SecondaryOpener } from "../../util/contract/compose.ts";
import { QemuSecondaries } from "./secondaries.ts";
import { hostdevManager } from "./api/host_pci.ts";
import type { HostdevManager } from "../../util/pci/hostdev_manager.ts";
import { Sysfs } from "../../util/sysfs.ts";
import { prepareDiskSecrets, removeDiskSecrets } from "./disk_secret.ts";
import {
  nameHelperTaps,
  type NicContext,
  type NicRuntime,
  prepareNics,
  reconnectNics,
  releaseNics,
  tapFds,
  TapNamer,
} from "./net/nics.ts";
import { SystemTapHost, type TapHost } from "./net/tap.ts";
import { dropEmptyBandwidth } from "../../conf/domain/nic_bandwidth.ts";
import { startHelperFailure } from "./net/bridge_helper.ts";
import { setLinkStates } from "./net/link.ts";
import { handleObservedEvent } from "./api/events_qmp.ts";
import { dumpToAutoDumpPath, watchdogDump } from "./api/state_dump.ts";
import { enableMigrationEvents } from "./api/migration_wait.ts";
import {
  blockJobStatusChanged,
  endBlockJobs,
  restoreBlockJobs,
  storedBlockJobs,
} from "./api/block_job_state.ts";
import { restoreBackup, storedBackup } from "./api/backup.ts";
import { CommandLatency } from "./monitor/command_latency.ts";
import { Cgroup, type CgroupMounts } from "../../util/cgroup/mod.ts";
import { childText } from "../../util/xml/mod.ts";
import { DomainVcpuCgroup, machineCgroupPath, setupDomainCgroup } from "./domain_cgroup.ts";
import { detectIOThreadPids, startIOThreads } from "./iothread_live.ts";
import { channelTargetDir, prepareChannels, removeChannelDir } from "./channel_dir.ts";
import { memoryDirs, prepareMemoryDirs, removeMemoryDirs } from "./memory_dir.ts";
import { alignMemorySizes } from "./memory_hotplug.ts";
import {
  prepareVirtiofs,
  startVirtiofs,
  stopVirtiofs,
  vhostUserDirs,
  virtiofsDir,
  type VirtiofsdPlace,
  virtiofsToCgroup,
} from "./virtiofsd.ts";
import { hostHugetlbfsMounts, type HugetlbfsMount } from "../../util/hugetlbfs.ts";
import { updateGuestCpu } from "./cpu_update.ts";
import { capsCache } from "./api/host_caps.ts";
import {
  closeAgent,
  connectAgent,
  refreshChannelStates,
  serialChanged,
} from "./agent/agent_channel.ts";

const E = VIR;

/**
 * A start from saved state (see {@link QemuDriverState.start}): a restore (`-incoming defer`
 * fed by `prepare`) or a snapshot revert (`-loadvm`), with the reasons and event details
 * libvirt reports for it.
 */
export interface StartFrom {
  /** Arguments of the start (`-incoming`, `-loadvm`), before the `<qemu:arg>`s. */
  argv: string[];
  /** Runs before the vCPUs may run (feeds an incoming migration). */
  prepare?: (monitor: QemuMonitor) => Promise<void>;
  /** The STARTED event's detail. */
  started: number;
  /** The running reason when the vCPUs run. */
  running: number;
  /** The paused reason when the start is paused. */
  paused: number;
  /** The SUSPENDED event's detail when the start is paused; none for an incoming migration. */
  suspended?: number;
}

/** libvirt's `qemuDomainRunningReasonToResumeEvent`: the RESUMED detail of a running reason. */
/** `qemuDomainPausedReasonToSuspendedEvent`'s details other than SUSPENDED_PAUSED. */
const SUSPENDED_DETAIL: Readonly<Record<number, number>> = {
  [E.DOMAIN_PAUSED_MIGRATION]: E.DOMAIN_EVENT_SUSPENDED_MIGRATED,
  [E.DOMAIN_PAUSED_POSTCOPY]: E.DOMAIN_EVENT_SUSPENDED_POSTCOPY,
};

function resumedDetail(reason: number): number {
  switch (reason) {
    case E.DOMAIN_RUNNING_RESTORED:
    case E.DOMAIN_RUNNING_FROM_SNAPSHOT:
      return E.DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT;
    case E.DOMAIN_RUNNING_MIGRATED:
    case E.DOMAIN_RUNNING_MIGRATION_CANCELED:
      return E.DOMAIN_EVENT_RESUMED_MIGRATED;
    case E.DOMAIN_RUNNING_POSTCOPY:
      return E.DOMAIN_EVENT_RESUMED_POSTCOPY;
    default:
      return E.DOMAIN_EVENT_RESUMED_UNPAUSED;
  }
}

/** Options of {@link QemuDriverState}. */
export interface QemuStateOptions {
  paths: QemuPaths;
  launcher: QemuLauncher;
  /** Whether KVM is usable for `type='kvm'` domains (default: /dev/kvm opens). */
  kvm?: boolean;
  /** DEVICE_DELETED wait (libvirt: 5000 ms). */
  unplugTimeoutMs?: number;
  /**
   * How long a new async job waits for the domain's running one (libvirt's
   * `VIR_JOB_WAIT_TIME`, 30,000 ms).
   */
  asyncJobWaitMs?: number;
  /** Where the driver reports what goes wrong on its own (default: stderr). */
  log?: (message: string) => void;
  /** How to open the host's network, storage and secret drivers (libvirt's virGetConnect*). */
  secondaries?: SecondaryOpener;
  /** Where NIC taps are made (default: iproute2 in this process's network namespace). */
  taps?: TapHost;
  /** The directory standing for `/sys` (tests pass a fake tree; default `/sys`). */
  sysfsRoot?: string;
  /** The directory standing for `/dev`, for `/dev/vfio/vfio` (default `/dev`). */
  devRoot?: string;
  /**
   * The directories searched for `qemu-system-*` (libvirt's `virFindFileInPath`: the PATH, read
   * when a binary is looked for); tests pass their own rather than change the process's PATH,
   * which test files running beside them share.
   */
  binaryDirs?: string[];
  /**
   * The folders searched for QEMU's firmware descriptors (default: libvirt's, see
   * `firmware_select.ts`); tests pass their own, independent of what the host installed.
   */
  firmwareDirs?: string[];
  /**
   * The cgroup hierarchies domains are placed in (libvirt's privileged driver); without them
   * (`qemu:///session`) no domain has cgroups and what needs them is refused.
   */
  cgroups?: CgroupMounts;
  /** Whether this is the privileged (`qemu:///system`) driver. */
  privileged?: boolean;
}

/**
 * libvirt's `virDriverShouldAutostart`: autostart runs once per run directory, which lives as
 * long as the host is up (a tmpfs), not at every opening of the state; the mark says it ran.
 */
async function shouldAutostart(runDir: string): Promise<boolean> {
  const mark = `${runDir}/autostarted`;
  try {
    await Deno.writeTextFile(mark, "", { createNew: true, mode: 0o600 });
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    throw err;
  }
}

/** Removes the `*.new` files a write cut short by a crash left in `dir`. */
async function removeUnfinishedWrites(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".new")) await Deno.remove(`${dir}/${e.name}`).catch(() => {});
  }
}

/**
 * Domains and processes behind every connection to one `qemu://` state directory.
 *
 * @example
 * ```ts
 * import { QemuDriverState } from "./driver_state.ts";
 * import { qemuPaths, SystemLauncher } from "./process/mod.ts";
 * const state = await QemuDriverState.open({
 *   paths: qemuPaths(false, "/tmp/ev"),
 *   launcher: new SystemLauncher(),
 * });
 * ```
 */
export class QemuDriverState {
  readonly domains = new DomainObjList(newQemuDomainObj);
  readonly events = new EventHub<DriverEvent>();
  readonly paths: QemuPaths;
  readonly launcher: QemuLauncher;
  /** Every monitor command's round trip, by command, for the gateway's `/metrics`. */
  readonly monitorLatency = new CommandLatency();
  #kvm: boolean;
  /** The emulator's version number, by path and modification time (libvirt's caps cache). */
  #versions = new Map<string, Promise<number>>();
  #unplugTimeoutMs: number;
  #log: (message: string) => void;
  #nextId = 1;
  /** The host's secondary drivers, opened when a domain first needs one. */
  readonly secondaries: QemuSecondaries;
  /** What starts, stops and NIC hotplug need to make and release the host side of a NIC. */
  readonly nicContext: NicContext;
  /** Host-side teardowns (NICs, channel sockets) of stopped domains still running. */
  #releases = new Set<Promise<void>>();
  /** The PCI devices detached for domains and those domains use (libvirt's `hostdevMgr`). */
  readonly hostdevs: HostdevManager;
  /** The directory standing for `/dev`. */
  readonly devRoot: string;
  /** See {@link QemuStateOptions.binaryDirs}; undefined: the PATH. */
  readonly binaryDirs?: string[];
  /** See {@link QemuStateOptions.asyncJobWaitMs}. */
  readonly asyncJobWaitMs: number;
  /** See {@link QemuStateOptions.firmwareDirs}. */
  readonly firmwareDirs?: string[];
  /** Where domains' cgroups go; undefined: none (session mode, or no controller). */
  readonly cgroups?: CgroupMounts;
  /** libvirt's `driver->privileged`. */
  readonly privileged: boolean;
  /**
   * The hugetlbfs mounts found when the state opened, where huge page memory goes: only the
   * privileged driver looks (libvirt's session driver needs qemu.conf's `hugetlbfs_mount`,
   * which edgevirt has no counterpart for).
   */
  readonly hugetlbfs: readonly HugetlbfsMount[];

  private constructor(options: QemuStateOptions) {
    this.paths = options.paths;
    this.cgroups = options.cgroups;
    this.privileged = options.privileged ?? false;
    this.hugetlbfs = this.privileged ? hostHugetlbfsMounts() : [];
    this.launcher = options.launcher;
    this.#kvm = options.kvm ?? kvmUsable();
    this.#unplugTimeoutMs = options.unplugTimeoutMs ?? 5000;
    this.asyncJobWaitMs = options.asyncJobWaitMs ?? 30_000;
    this.#log = options.log ?? ((message) => console.error(`edgevirt qemu driver: ${message}`));
    this.secondaries = new QemuSecondaries(options.secondaries);
    this.hostdevs = hostdevManager(this, new Sysfs({ root: options.sysfsRoot }), this.paths.runDir);
    this.devRoot = options.devRoot ?? "/dev";
    this.binaryDirs = options.binaryDirs;
    this.firmwareDirs = options.firmwareDirs;
    this.nicContext = {
      secondaries: this.secondaries,
      taps: options.taps ?? new SystemTapHost(),
      namer: new TapNamer(),
      log: this.#log,
    };
  }

  /**
   * Loads configs, reconciles the run directory with the QEMUs alive (adopts or kills each),
   * then, once per run directory, starts autostart domains. Damaged files are reported and kept
   * aside, never fatal.
   */
  static async open(options: QemuStateOptions): Promise<QemuDriverState> {
    const s = new QemuDriverState(options);
    await Deno.mkdir(`${s.paths.configDir}/autostart`, { recursive: true });
    await Deno.mkdir(s.paths.runDir, { recursive: true });
    await Deno.mkdir(s.paths.nvramDir, { recursive: true });
    await removeUnfinishedWrites(s.paths.configDir);
    await removeUnfinishedWrites(s.paths.runDir);
    await s.#loadConfigs();
    await s.#reconnectAll();
    if (!(await shouldAutostart(s.paths.runDir))) return s;
    for (const obj of s.domains) {
      if (obj.autostart && !isActive(obj)) {
        await s.start(obj, 0).catch((e) => s.#log(`autostart of '${obj.def.name}' failed: ${e}`));
      }
    }
    return s;
  }

  /**
   * Drops monitors and guest agents without touching QEMU (the processes keep running), then
   * lets go of the secondary drivers once no NIC teardown needs them.
   */
  async close(): Promise<void> {
    for (const obj of this.domains) {
      const proc = obj.proc;
      obj.proc = undefined;
      // The agent goes with the monitor; a reconnection opens it again if its port is open.
      closeAgent(obj);
      await proc?.monitor.close();
    }
    await this.settled();
    await this.secondaries.close();
  }

  /** Resolves once the host side of every stopped domain (NICs, channel sockets) is gone. */
  async settled(): Promise<void> {
    while (this.#releases.size) await Promise.all(this.#releases);
  }

  emit(obj: QemuDomainObj, event: number, detail: number): void {
    this.events.emit({
      family: "domain",
      eventId: E.DOMAIN_EVENT_ID_LIFECYCLE,
      ref: refOf(obj),
      data: { event, detail },
    });
  }

  emitOther(obj: QemuDomainObj, eventId: number, data: Record<string, unknown>): void {
    this.events.emit({ family: "domain", eventId, ref: refOf(obj), data });
  }

  /** The driver's log (what libvirtd writes to its log file). */
  log(message: string): void {
    this.#log(message);
  }

  dumpToAutoDumpPath(obj: QemuDomainObj): Promise<string> {
    return dumpToAutoDumpPath(this, obj);
  }

  watchdogDump(obj: QemuDomainObj): Promise<void> {
    return watchdogDump(this, obj);
  }

  // ---- definitions -------------------------------------------------------------------------

  /**
   * Parses XML with the driver's defaults; `fresh` is a caller's XML (define, create), checked
   * against the host's QEMU as libvirt's parser does (its binary, architecture and
   * virtualization type), where a stored definition is taken as it was accepted.
   */
  parse(xml: string, flags = 0, status = false, fresh = false): DomainDef {
    // x86 machines get a default USB controller (qemuDomainDefAddDefaultDevices) before
    // libvirt validates; a caller's XML is parsed with VIR_DOMAIN_DEF_PARSE_ABI_UPDATE and
    // checked against the host's QEMU before the generic checks, as libvirt's callbacks are.
    const options: QemuParseOptions = {
      privileged: this.privileged,
      binaryDirs: this.binaryDirs,
      ...(fresh ? { checkEmulator: true, kvm: this.#kvm } : {}),
    };
    const def = parseDomainXML(xml, flags, status, true, {
      abiUpdate: fresh,
      // No security driver labels anything here, as libvirt's with security_driver "none".
      defSecModel: "none",
      postParse: (d) => qemuPostParseBasic(d, options),
      validate: (d) => qemuValidateVirt(d, options),
      namespace: readQemuNamespace,
    });
    qemuPostParse(def, {
      privileged: this.privileged,
      binaryDirs: this.binaryDirs,
      ...(status ? {} : { channelTargetDir: channelTargetDir(this.paths.runDir) }),
    });
    nvramPostParse(def, this.paths.nvramDir);
    return def;
  }

  /** Parses a caller's XML (define, create). */
  parseNew(xml: string, flags = 0): DomainDef {
    return this.parse(xml, flags, false, true);
  }

  async saveConfig(obj: QemuDomainObj): Promise<void> {
    if (!obj.persistent) return;
    const xml = formatDomainXML(persistentDef(obj), E.DOMAIN_XML_INACTIVE | E.DOMAIN_XML_SECURE);
    await writeFileAtomic(`${this.paths.configDir}/${obj.def.name}.xml`, xml);
  }

  /**
   * libvirt's `virDomainDeleteConfig`: the autostart mark goes whatever happens, the config
   * must (a config left behind would bring the domain back at the next start).
   */
  async deleteConfig(obj: QemuDomainObj): Promise<void> {
    await Deno.remove(`${this.paths.configDir}/autostart/${obj.def.name}`).catch(() => {});
    obj.autostart = false;
    const path = `${this.paths.configDir}/${obj.def.name}.xml`;
    await Deno.remove(path).catch((err) => {
      if (err instanceof Deno.errors.NotFound) return;
      throw VirError.report(
        "DOMAIN",
        "SYSTEM_ERROR",
        `cannot remove config ${path}: ${strerror(err)}`,
      );
    });
  }

  async setAutostart(obj: QemuDomainObj, on: boolean): Promise<void> {
    const link = `${this.paths.configDir}/autostart/${obj.def.name}`;
    if (on) await writeFileAtomic(link, obj.def.uuid);
    else await Deno.remove(link).catch(() => {});
    obj.autostart = on;
  }

  /** The live definition with its current vCPU state. */
  liveDefinition(obj: QemuDomainObj): DomainDef {
    const def = structuredClone(obj.def);
    const vm = obj.vcpus?.ctx.vm;
    if (vm) applyVcpusToDef(def, vm.vcpus, vm.individual);
    return def;
  }

  async saveStatus(obj: QemuDomainObj): Promise<void> {
    if (!obj.proc) return;
    const vm = obj.vcpus!.ctx.vm;
    await saveStatus(this.paths.runDir, {
      name: obj.def.name,
      uuid: obj.def.uuid,
      id: obj.def.id,
      pid: obj.proc.pid,
      monitorPath: obj.monitorPath!,
      state: obj.state,
      reason: obj.reason,
      fakeReboot: obj.fakeReboot,
      liveXml: formatDomainXML(this.liveDefinition(obj), E.DOMAIN_XML_SECURE),
      vcpus: vm.vcpus.map((v) => ({ alias: v.priv.alias, tid: v.priv.tid })),
      nics: obj.nics,
      agentTimeout: obj.agentTimeout,
      blockJobs: storedBlockJobs(obj),
      backup: storedBackup(obj),
      taints: obj.taints,
    });
  }

  /**
   * The status a start writes before QEMU exists (libvirt saves the domain status XML before
   * it runs QEMU): a driver killed from here on finds the socket of the QEMU it may have
   * launched, and the paused / starting-up state tells it the start never finished.
   */
  async #saveStartingStatus(
    def: DomainDef,
    monitorPath: string,
    nics: NicRuntime[],
  ): Promise<void> {
    await saveStatus(this.paths.runDir, {
      name: def.name,
      uuid: def.uuid,
      id: 0,
      pid: 0,
      monitorPath,
      state: E.DOMAIN_PAUSED,
      reason: E.DOMAIN_PAUSED_STARTING_UP,
      liveXml: formatDomainXML(def, E.DOMAIN_XML_SECURE),
      vcpus: [],
      nics,
    });
  }

  /**
   * libvirt's version number (major * 1,000,000 + minor * 1,000 + micro) of the default
   * emulator, probed once per binary: a new mtime (an upgraded QEMU) probes again.
   */
  emulatorVersion(): Promise<number> {
    const emulator = DEFAULT_EMULATOR;
    let mtime = 0;
    try {
      mtime = Deno.statSync(emulator).mtime?.getTime() ?? 0;
    } catch {
      // The probe reports the missing binary.
    }
    const key = `${emulator}:${mtime}`;
    let version = this.#versions.get(key);
    if (!version) {
      version = this.launcher.queryVersion(emulator).then((v) =>
        v.major * 1_000_000 + v.minor * 1_000 + v.micro
      );
      // A failed probe is not remembered: the next call tries again.
      version.catch(() => this.#versions.delete(key));
      this.#versions.set(key, version);
    }
    return version;
  }

  // ---- processes ---------------------------------------------------------------------------

  /**
   * Starts QEMU for a defined domain (libvirt's `qemuProcessStart`), booting or, with `from`,
   * from saved state.
   */
  async start(obj: QemuDomainObj, flags: number, from?: StartFrom): Promise<void> {
    if (isActive(obj)) {
      throw VirError.report("DOMAIN", "OPERATION_INVALID", "domain is already running");
    }
    const def = structuredClone(obj.def);
    reparseIothreadIds(def);
    const monitorPath = `${this.paths.runDir}/${def.name}.qmp`;
    // The id is the run's before QEMU exists: the channel sockets' folder is named after it.
    const id = this.#nextId++;
    let proc: QemuProcess;
    let vm: LiveVcpus;
    let nics: NicRuntime[] = [];
    let lastNode = 0;
    let dropped: DroppedSource[] = [];
    // Whether a TPM emulator may run for this start, to be stopped if the start fails.
    let swtpm = false;
    // libvirt stops what its preparation of the storage began (qemuProcessStop): a failure
    // there leaves the domain shut off, failed.
    let storageFailed = false;
    const stopped = (err: unknown): never => {
      storageFailed = true;
      throw err;
    };
    const taints: Taints = { taint: 0, deprecations: [] };
    try {
      // qemuProcessInit's capability preparation comes before anything of the start.
      refuseCustomCaps(def);
      assignDeviceAliases(def);
      alignMemorySizes(def);
      const { vcpus, individual } = vcpusFromDef(def);
      const accel = accelOf(def, this.#kvm);
      checkDiskLabels(def);
      // A QEMU that cannot be probed fails its start on its own; the taints need no error.
      const caps = await capsCache(this).get(def.devices.emulator ?? DEFAULT_EMULATOR)
        .catch(() => undefined);
      if (def.cpu?.mode && def.cpu.mode !== "custom" && caps) updateGuestCpu(def, caps);
      checkStartTaints(taints, def, { rootQemu: this.#rootQemu(), caps, incoming: !!from });
      const domainStorage = await prepareDomainStorage(def, this.secondaries, !from)
        .catch(stopped);
      const resetNvram = (flags & E.DOMAIN_START_RESET_NVRAM) !== 0;
      // Autoselection only for a fresh start: a restored domain has its firmware already.
      if (!from) {
        await fillFirmware(def, {
          privileged: this.privileged,
          reset: resetNvram,
          nvramDir: this.paths.nvramDir,
          dirs: this.firmwareDirs,
        }).catch(stopped);
      }
      validateLoader(def);
      await prepareNvram(def, resetNvram).catch(stopped);
      const volumes = domainStorage.volumes;
      const sourceNodes = numberDiskSources(def, domainStorage.emptied);
      nics = await prepareNics(def, this.nicContext);
      const taps = new Map(nics.map((n) => [def.devices.interfaces[n.index], n]));
      const secrets = await prepareDiskSecrets(def, this.secondaries, this.paths.runDir);
      await prepareChannels(def.devices.other, this.paths.runDir, id, def.name);
      try {
        refuseAutoPlacement(def);
        // After the NICs and secrets, as libvirt's host preparation comes after them.
        const host = await prepareHostStorage(def, volumes, sourceNodes, !from).catch(stopped);
        lastNode = host.last;
        dropped = [...domainStorage.dropped, ...host.dropped];
        if (!this.privileged) refuseSessionTuning(def);
        checkNumatuneNodes(def);
        const fds = tapFds(nics);
        // qemuProcessPrepareHost makes the memory folders after the channels' and the disks'.
        const memory = this.#memoryDirs(id, def.name);
        await prepareMemoryDirs(def, memory, this.privileged);
        setupGraphics(def);
        // qemuExtDevicesStart runs swtpm before the command line is built; the passthrough
        // device is opened while it is built.
        const tpm = emulatedTpm(def);
        if (tpm) swtpm = true;
        // libvirt's `privileged` is being root, whichever URI: root's swtpm_setup refuses to
        // write per-user config files that would shadow /etc's.
        const tpmSocket = tpm && await startSwtpm(def, tpm, this.paths, id, {
          privileged: this.privileged || Deno.uid() === 0,
          passphrase: await tpmPassphrase(tpm, this.secondaries),
          incoming: !!from,
        });
        await openPassthroughTpm(def);
        // qemuExtDevicesStart: the virtiofsd QEMU's vhost-user devices connect to.
        await prepareVirtiofs(def, vhostUserDirs(this.privileged));
        await startVirtiofs(def, this.#virtiofsPlace(id, def.name));
        const argv = buildQemuArgv(def, vcpus, {
          tpmSocket,
          monitorPath,
          accel,
          taps,
          volumes,
          secrets,
          memoryDir: memory.dir,
          hugepages: memory.hugepages,
          virtiofsDir: virtiofsDir(this.#virtiofsPlace(id, def.name)),
          resume: from?.argv,
        });
        await this.#saveStartingStatus(def, monitorPath, nics);
        proc = await this.launcher.launch(
          def.devices.emulator ?? DEFAULT_EMULATOR,
          argv,
          monitorPath,
          fds,
          customEnv(def),
        ).catch(async (err) => {
          if (!(err instanceof QemuExitedError)) throw err;
          // A bridge helper QEMU ran refused: its own words, as libvirt reports them.
          throw startHelperFailure(def, err.stderr) || await markMissingRom(def, err);
        });
      } finally {
        // QEMU has read its keys once its monitor answers (or it is gone).
        await removeDiskSecrets(secrets);
      }
      proc.monitor.onCommand = this.monitorLatency.observe;
      startedSourceIndex(proc, lastNode);
      vm = { pid: proc.pid, vcpus, individual };
    } catch (err) {
      // Nothing ran: a createXML's definition goes again, as libvirt's qemuProcessStop does.
      await releaseNics(nics, this.nicContext, def);
      if (swtpm) await stopSwtpm(this.paths, def, id);
      await removeStatus(this.paths.runDir, def.name);
      await removeChannelDir(this.paths.runDir, id, def.name);
      await removeMemoryDirs(this.#memoryDirs(id, def.name));
      await stopVirtiofs(def, this.#virtiofsPlace(id, def.name));
      releaseGraphicsPorts(def);
      this.#forgetLive(obj);
      if (storageFailed) obj.reason = E.DOMAIN_SHUTOFF_FAILED;
      throw err;
    }
    setDefTransient(obj);
    // libvirt's copy of the definition is a reparse of it (virDomainDefCopy).
    obj.newDef?.devices.interfaces.forEach(dropEmptyBandwidth);
    obj.def = def;
    this.domains.setId(obj, id);
    for (const drop of dropped) this.emitOther(obj, E.DOMAIN_EVENT_ID_DISK_CHANGE, { ...drop });
    obj.monitorPath = monitorPath;
    obj.nics = nics;
    obj.taints = taints;
    obj.state = E.DOMAIN_PAUSED;
    obj.reason = E.DOMAIN_PAUSED_STARTING_UP;
    obj.gotShutdown = false;
    obj.stopping = undefined;
    this.#attachProcess(obj, proc, vm);
    try {
      // The pid on disk at once: the start is still unfinished, but its QEMU is known.
      await this.saveStatus(obj);
      // libvirt's first monitor commands after qmp_capabilities (qemuConnectMonitor).
      await enableMigrationEvents(proc.monitor, false);
      // The bridge helper's taps exist once QEMU runs: their names go into the live XML.
      await nameHelperTaps(def, nics, [], proc.pid, this.nicContext);
      await refreshLiveDevices(def, proc.monitor);
      await setLinkStates(def, proc.monitor);
      await initGraphicsPasswords(def, proc.monitor);
      await refreshChannelStates(this, obj, proc.monitor, true);
      await connectAgent(this, obj);
      await startBalloon(def, proc.monitor);
      await setupDiskThrottling(def, proc.monitor);
      // Before the vCPUs run, so the guest never writes to a transient disk's image; a start
      // from saved state (which a transient disk refuses) has its disks as they were saved.
      if (!from) {
        await setupTransientDisks(obj);
        await plugSharedBackingDisks(this, obj);
      }
      if (resetShutsDown(def)) await proc.monitor.setAction({ reboot: "shutdown" });
      if (this.cgroups) {
        obj.cgroup = await setupDomainCgroup(this.cgroups, def, id, proc.pid);
        await virtiofsToCgroup(def, this.#virtiofsPlace(id, def.name), obj.cgroup);
      }
      await startupVcpus(obj.vcpus!.ctx);
      await startIOThreads(obj);
      const emulatorPin = emulatorPinOf(def);
      // A system domain's emulator group got its pin with the machine group.
      if (emulatorPin && !obj.cgroup) await obj.vcpus!.ctx.cgroup.setupEmulator(emulatorPin);
      const emulatorSched = threadSchedOf(def, "emulatorsched");
      if (emulatorSched) await obj.vcpus!.ctx.cgroup.setScheduler(proc.pid, emulatorSched);
      await from?.prepare?.(proc.monitor);
      // libvirt announces a start from saved state before its vCPUs run (a boot after).
      if (from) this.emit(obj, E.DOMAIN_EVENT_STARTED, from.started);
      if (flags & E.DOMAIN_START_PAUSED) {
        obj.reason = from?.paused ?? E.DOMAIN_PAUSED_USER;
      } else {
        obj.runningReason = from?.running ?? E.DOMAIN_RUNNING_BOOTED;
        await proc.monitor.cont();
      }
    } catch (err) {
      await this.#kill(obj.proc);
      this.#cleanup(obj, E.DOMAIN_SHUTOFF_FAILED);
      throw err;
    }
    if (!from) this.emit(obj, E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_BOOTED);
    if (flags & E.DOMAIN_START_PAUSED && !(from && from.suspended === undefined)) {
      this.emit(obj, E.DOMAIN_EVENT_SUSPENDED, from?.suspended ?? E.DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    await this.saveStatus(obj);
  }

  /** The memory folders of domain `name` run as `id`. */
  #memoryDirs(id: number, name: string) {
    return memoryDirs(this.paths.memoryBackingDir, this.hugetlbfs, id, name);
  }

  /** Where the virtiofsd of domain `name` run as `id` keep their files. */
  #virtiofsPlace(id: number, name: string): VirtiofsdPlace {
    return { runDir: this.paths.runDir, id, name };
  }

  /**
   * libvirt's privileged driver running QEMU as user or group root (`cfg->user == 0 ||
   * cfg->group == 0`): edgevirt's QEMU runs as the driver's own user.
   */
  #rootQemu(): boolean {
    return this.privileged && (Deno.uid() === 0 || Deno.gid() === 0);
  }

  /** Kills QEMU (SIGTERM, then SIGKILL after 3 s) and waits for the monitor to close. */
  async destroy(obj: QemuDomainObj): Promise<void> {
    obj.stopping = "destroy";
    await this.#kill(obj.proc);
    this.#stopped(obj, E.DOMAIN_SHUTOFF_DESTROYED, E.DOMAIN_EVENT_STOPPED_DESTROYED);
    await this.settled();
  }

  /**
   * Ends QEMU on the driver's own initiative (libvirt's `qemuProcessStop` after a guest
   * panic): the domain lets go of the monitor before the kill, as libvirt closes it first, so
   * nothing QEMU says while dying (the SIGTERM's SHUTDOWN) reaches the domain.
   */
  async stopProcess(obj: QemuDomainObj, reason: number, detail: number): Promise<void> {
    const proc = obj.proc;
    obj.proc = undefined;
    await this.#kill(proc);
    this.#stopped(obj, reason, detail);
    await this.settled();
  }

  async #kill(proc: QemuProcess | undefined): Promise<void> {
    if (!proc) return;
    proc.kill("SIGTERM");
    const closed = proc.monitor.closed;
    const timedOut = await Promise.race([
      closed.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 3000)),
    ]);
    if (timedOut) {
      proc.kill("SIGKILL");
      await closed;
    }
    for (let i = 0; i < 100 && proc.alive(); i++) await new Promise((r) => setTimeout(r, 10));
  }

  #attachProcess(
    obj: QemuDomainObj,
    proc: QemuProcess,
    vm: LiveVcpus,
  ): void {
    obj.proc = proc;
    obj.vcpus = new VcpuController({
      vm,
      monitor: proc.monitor,
      cgroup: this.cgroups
        ? new DomainVcpuCgroup(() => obj.cgroup, () => obj.def, proc.pid)
        : this.launcher.cgroup(proc.pid, this.#log),
      runJob: (fn) => obj.job.run(fn),
      unplugTimeoutMs: this.#unplugTimeoutMs,
      log: this.#log,
      onVcpuRemoved: () => {},
      onRemovalFailed: (alias) =>
        this.emitOther(obj, E.DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, { devAlias: alias }),
      onChanged: () => void this.saveStatus(obj).catch(() => {}),
      removeDevice: (alias) => removeDeviceAlias(this, obj, alias),
    });
    proc.monitor.onEvent((ev) => this.#onQmpEvent(obj, proc, ev));
    proc.monitor.closed.then(() => this.#onMonitorClosed(obj, proc));
  }

  #onQmpEvent(obj: QemuDomainObj, proc: QemuProcess, ev: QmpEvent): void {
    if (obj.proc !== proc) return;
    obj.vcpus?.handleEvent(ev);
    switch (ev.event) {
      case "STOP":
        // A fake reboot's pause is transient: libvirt shows neither the state nor an event.
        if (obj.state === E.DOMAIN_RUNNING && !obj.pausedShutdown) {
          obj.state = E.DOMAIN_PAUSED;
          obj.reason = obj.pausedReason ?? E.DOMAIN_PAUSED_UNKNOWN;
          obj.pausedReason = undefined;
          // qemuDomainPausedReasonToSuspendedEvent, for the reasons this driver sets.
          this.emit(
            obj,
            E.DOMAIN_EVENT_SUSPENDED,
            SUSPENDED_DETAIL[obj.reason] ?? E.DOMAIN_EVENT_SUSPENDED_PAUSED,
          );
        }
        break;
      case "RESUME": {
        // The reason is used up even when nothing changes (the resume after a fake reboot).
        const reason = obj.runningReason ?? E.DOMAIN_RUNNING_UNPAUSED;
        obj.runningReason = undefined;
        if (obj.state !== E.DOMAIN_RUNNING) {
          obj.state = E.DOMAIN_RUNNING;
          obj.reason = reason;
          this.emit(obj, E.DOMAIN_EVENT_RESUMED, resumedDetail(reason));
        }
        break;
      }
      case "VSERPORT_CHANGE":
        if (typeof ev.data.id === "string") {
          void serialChanged(this, obj, ev.data.id, ev.data.open === true);
        }
        break;
      case "SHUTDOWN":
        // A guest-shutdown through the agent is answered by this event, not by a reply.
        obj.agent?.notifyEvent("shutdown");
        handleShutdownEvent(
          this,
          obj,
          typeof ev.data.guest === "boolean" ? ev.data.guest : undefined,
        );
        break;
      case "RESET":
        obj.agent?.notifyEvent("reset");
        handleResetEvent(this, obj);
        break;
      case "GUEST_PANICKED":
        handleGuestPanicEvent(this, obj);
        break;
      case "SUSPEND":
      case "SUSPEND_DISK":
        // A guest-suspend-* through the agent is answered by this event, not by a reply.
        obj.agent?.notifyEvent("suspend");
        handleObservedEvent(this, obj, ev);
        break;
      case "JOB_STATUS_CHANGE":
        blockJobStatusChanged(this, obj, ev.data);
        break;
      default:
        // qobs: RTC, watchdog, I/O error, graphics, tray, PM, balloon, memory failure.
        handleObservedEvent(this, obj, ev);
    }
  }

  #onMonitorClosed(obj: QemuDomainObj, proc: QemuProcess): void {
    // A destroy finishes the stop itself; a monitor we dropped on close is no exit at all.
    if (obj.proc !== proc || obj.stopping === "destroy") return;
    if (obj.gotShutdown) {
      this.#stopped(obj, E.DOMAIN_SHUTOFF_SHUTDOWN, E.DOMAIN_EVENT_STOPPED_SHUTDOWN);
    } else this.#stopped(obj, E.DOMAIN_SHUTOFF_CRASHED, E.DOMAIN_EVENT_STOPPED_FAILED);
  }

  #stopped(obj: QemuDomainObj, reason: number, detail: number): void {
    if (!isActive(obj)) return;
    this.#cleanup(obj, reason);
    this.emit(obj, E.DOMAIN_EVENT_STOPPED, detail);
  }

  #cleanup(obj: QemuDomainObj, reason: number): void {
    closeAgent(obj);
    this.#track(removeChannelDir(this.paths.runDir, obj.def.id, obj.def.name));
    this.#track(removeMemoryDirs(this.#memoryDirs(obj.def.id, obj.def.name)));
    this.#track(stopVirtiofs(obj.def, this.#virtiofsPlace(obj.def.id, obj.def.name)));
    releaseGraphicsPorts(obj.def);
    endBlockJobs(obj);
    obj.proc = undefined;
    obj.vcpus = undefined;
    obj.iothreadTids = undefined;
    this.#removeCgroup(obj);
    obj.state = E.DOMAIN_SHUTOFF;
    obj.reason = reason;
    obj.stopping = undefined;
    obj.fakeReboot = undefined;
    obj.pausedShutdown = undefined;
    obj.taints = { taint: 0, deprecations: [] };
    this.#releaseNics(obj);
    if (emulatedTpm(obj.def)) this.#track(stopSwtpm(this.paths, obj.def, obj.def.id));
    this.#track(removeOverlayFiles(takeTransientOverlays(obj)));
    void removeStatus(this.paths.runDir, obj.def.name);
    this.#forgetLive(obj);
  }

  /** `qemuRemoveCgroup`: a failure is only logged, as libvirt logs it. */
  #removeCgroup(obj: QemuDomainObj): void {
    const cgroup = obj.cgroup;
    obj.cgroup = undefined;
    if (!cgroup) return;
    this.#track(
      cgroup.remove().catch((err) =>
        this.#log(`cannot remove the cgroup of '${obj.def.name}': ${err}`)
      ),
    );
  }

  /** Starts the teardown of a stopped domain's taps and ports (libvirt's qemuProcessStop). */
  #releaseNics(obj: QemuDomainObj): void {
    const nics = obj.nics;
    obj.nics = undefined;
    if (!nics?.length) return;
    this.#track(releaseNics(nics, this.nicContext, obj.def));
  }

  /** Keeps a stopped domain's host-side teardown until it ends (see {@link settled}). */
  #track(teardown: Promise<void>): void {
    const done: Promise<void> = teardown.finally(() => this.#releases.delete(done));
    this.#releases.add(done);
  }

  /**
   * The live definition goes (`virDomainObjRemoveTransientDef`), and with it a transient
   * domain (`qemuDomainRemoveInactive`).
   */
  #forgetLive(obj: QemuDomainObj): void {
    removeTransientDef(obj);
    this.domains.setId(obj, -1);
    if (obj.persistent) return;
    this.domains.remove(obj);
    // qemuDomainRemoveInactive with no undefine flags: the TPM state goes unless persistent.
    this.#track(cleanupSwtpmState(obj.def, this.paths.configDir, 0));
  }

  // ---- loading -----------------------------------------------------------------------------

  async #loadConfigs(): Promise<void> {
    for await (const e of Deno.readDir(this.paths.configDir)) {
      if (!e.isFile || !e.name.endsWith(".xml")) continue;
      const path = `${this.paths.configDir}/${e.name}`;
      try {
        const def = this.parse(await Deno.readTextFile(path));
        const { obj } = this.domains.add(def, { live: false, checkLive: false });
        obj.persistent = true;
        obj.autostart = await Deno.stat(`${this.paths.configDir}/autostart/${def.name}`).then(
          () => true,
          () => false,
        );
      } catch (err) {
        // libvirt's virDomainObjListLoadAllConfigs reports the file and goes on with the rest.
        await setAsideDamaged(path, `Failed to load config: ${err}`, this.#log);
      }
    }
  }

  /**
   * libvirt's `qemuProcessReconnect` for every status file, then the rule that nothing else
   * runs: every QEMU whose QMP socket lies in the run directory is adopted by its domain or
   * killed, so a domain never has two QEMUs and none is left orphaned.
   */
  async #reconnectAll(): Promise<void> {
    const alive = this.launcher.find(this.paths.runDir);
    const { statuses, damaged } = await loadStatuses(this.paths.runDir);
    for (const d of damaged) await setAsideDamaged(d.path, d.why, this.#log);
    const adopted = new Set<number>();
    for (const st of statuses) {
      if (await this.#reconnect(st)) adopted.add(st.pid);
    }
    for (const [socket, pids] of alive) {
      for (const pid of pids.filter((p) => !adopted.has(p))) {
        this.#log(`killing QEMU ${pid} (monitor ${socket}): no domain can reconnect to it`);
        await this.launcher.reap(pid);
      }
    }
  }

  /**
   * A domain whose QEMU is gone or never finished starting: its taps and ports go with its
   * status (libvirt's `qemuProcessStop` after a failed reconnect).
   */
  async #abandon(st: DomainStatus): Promise<void> {
    await releaseNics(st.nics ?? [], this.nicContext);
    await removeStatus(this.paths.runDir, st.name);
  }

  /**
   * Re-attaches one domain's QEMU; false (the QEMU, if any, is then killed) when its start never
   * finished, it is gone, or the status cannot be used (that file is kept aside).
   */
  async #reconnect(st: DomainStatus): Promise<boolean> {
    if (st.state === E.DOMAIN_PAUSED && st.reason === E.DOMAIN_PAUSED_STARTING_UP) {
      this.#log(`domain '${st.name}' wasn't fully started yet, killing it`);
      await this.#abandon(st);
      return false;
    }
    let liveDef: DomainDef;
    try {
      liveDef = this.parse(st.liveXml, 0, true);
    } catch (err) {
      await setAsideDamaged(statusPath(this.paths.runDir, st.name), String(err), this.#log);
      return false;
    }
    const proc = await this.launcher.attach(st.pid, st.monitorPath);
    if (!proc) {
      await this.#abandon(st);
      return false;
    }
    proc.monitor.onCommand = this.monitorLatency.observe;
    // The monitor must answer as the domain's QEMU before the domain takes it.
    const name = await proc.monitor.queryName().catch((err) => `(no answer: ${err})`);
    if (name !== st.name) {
      this.#log(`the QEMU of '${st.name}' (pid ${st.pid}) answers query-name with '${name}'`);
      await proc.monitor.close();
      await this.#abandon(st);
      return false;
    }
    // The live XML keeps neither the taps nor the ports: the status has them.
    await reconnectNics(liveDef, st.nics ?? [], this.nicContext);
    let obj: QemuDomainObj;
    try {
      obj = this.domains.add(liveDef, { live: true, checkLive: false }).obj;
    } catch (err) {
      await proc.monitor.close();
      await setAsideDamaged(statusPath(this.paths.runDir, st.name), String(err), this.#log);
      return false;
    }
    const { vcpus, individual } = vcpusFromDef(liveDef);
    st.vcpus.forEach((v, i) => {
      if (vcpus[i]) Object.assign(vcpus[i].priv, { alias: v.alias, tid: v.tid });
    });
    this.domains.setId(obj, st.id);
    obj.state = st.state;
    obj.reason = st.reason;
    obj.fakeReboot = st.fakeReboot;
    obj.monitorPath = st.monitorPath;
    obj.nics = st.nics;
    obj.agentTimeout = st.agentTimeout ?? E.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK;
    obj.taints = st.taints ?? { taint: 0, deprecations: [] };
    this.#nextId = Math.max(this.#nextId, st.id + 1);
    if (this.cgroups) {
      // libvirt's virDomainCgroupConnectCgroup: the machine group QEMU was placed in.
      const partition = childText(liveDef.sections.find((s) => s.name === "resource"), "partition");
      obj.cgroup = partition === undefined
        ? undefined
        : Cgroup.existing(this.cgroups, machineCgroupPath(partition, st.id, st.name));
    }
    markGraphicsPortsUsed(liveDef);
    this.#attachProcess(obj, proc, { pid: proc.pid, vcpus, individual });
    // Its start finished, so every transient disk is on the overlay this stop must delete.
    adoptTransientOverlays(obj);
    try {
      await enableMigrationEvents(proc.monitor, true);
      await refreshVcpuInfo(obj.vcpus!.ctx.vm, proc.monitor, true, this.#log);
      await detectIOThreadPids(obj);
      await removeVanishedNics(this, obj).catch((err) =>
        this.#log(`cannot list the devices of '${obj.def.name}': ${err}`)
      );
      await refreshChannelStates(this, obj, proc.monitor, false);
      await connectAgent(this, obj);
      await restoreBlockJobs(this, obj, st.blockJobs ?? []);
      await restoreBackup(this, obj, st.backup);
      const status = await proc.monitor.queryStatus();
      if (status.running && obj.state !== E.DOMAIN_RUNNING) {
        obj.state = E.DOMAIN_RUNNING;
        obj.reason = E.DOMAIN_RUNNING_UNPAUSED;
      } else if (!status.running && obj.state === E.DOMAIN_RUNNING) {
        obj.state = E.DOMAIN_PAUSED;
        obj.reason = E.DOMAIN_PAUSED_UNKNOWN;
      }
      await this.saveStatus(obj);
    } catch (err) {
      this.#log(`re-attaching '${obj.def.name}' failed: ${err}`);
    }
    return true;
  }
}

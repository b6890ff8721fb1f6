import type {
  DomainBlockInfo,
  DomainFSInfo,
  DomainInfo,
  DomainIOThreadInfo,
  DomainRef,
  DriverStream,
  SecurityLabel,
  TypedParams,
  VcpuInfo,
} from "../util/driver.ts";
import { VIR } from "../util/constants.ts";
import { callDriver, Handle, type HandleOwner } from "./handle.ts";
import { DomainSnapshot } from "./snapshot.ts";
import { DomainCheckpoint } from "./checkpoint.ts";
import type { Stream } from "./stream.ts";
import { migrate3 } from "./domain_migrate.ts";

/**
 * A domain handle (libvirt's `virDomainPtr`): name, UUID and id as of the lookup; every call
 * goes to the connection's driver.
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const dom = await conn.lookupDomainByName("test");
 * console.log(await dom.getState()); // [1, 1]
 * await conn.close();
 * ```
 */
export class Domain extends Handle<DomainRef> {
  /** A handle on `ref`'s domain, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: DomainRef) {
    super(owner, ref);
  }

  /** The domain's name (`virDomainGetName`). */
  get name(): string {
    return super.ref.name;
  }
  /** The domain's UUID string (`virDomainGetUUIDString`). */
  get uuid(): string {
    return super.ref.uuid;
  }
  /** The id as of lookup or the last start on this handle, -1 if inactive (`virDomainGetID`). */
  get id(): number {
    return super.ref.id;
  }
  /** The plain reference, as sent over the wire; a copy, as the id changes on start. */
  override get ref(): DomainRef {
    return { ...super.ref };
  }

  /** `virDomainCreate`. */
  create(): Promise<void> {
    return this.createWithFlags(0);
  }
  /** `virDomainCreateWithFlags`; updates this handle's id. */
  async createWithFlags(flags = 0): Promise<void> {
    const ref = await this.call("domainCreateWithFlags", flags);
    if (ref) this.rebind(ref);
  }
  /** `virDomainShutdown`. */
  async shutdown(): Promise<void> {
    // Its own API name: libvirt's errors (read-only refusals) name the call the caller made.
    await this.call({ method: "domainShutdownFlags", api: "virDomainShutdown" }, 0);
  }
  /** `virDomainShutdownFlags`. */
  async shutdownFlags(flags = 0): Promise<void> {
    await this.call("domainShutdownFlags", flags);
  }
  /** `virDomainReboot`. */
  async reboot(flags = 0): Promise<void> {
    await this.call("domainReboot", flags);
  }
  /** `virDomainReset`. */
  async reset(flags = 0): Promise<void> {
    await this.call("domainReset", flags);
  }
  /** `virDomainDestroy`. */
  async destroy(): Promise<void> {
    // Its own API name: libvirt's errors (read-only refusals) name the call the caller made.
    await this.call({ method: "domainDestroyFlags", api: "virDomainDestroy" }, 0);
  }
  /** `virDomainDestroyFlags`. */
  async destroyFlags(flags = 0): Promise<void> {
    await this.call("domainDestroyFlags", flags);
  }
  /** `virDomainSuspend`. */
  async suspend(): Promise<void> {
    await this.call("domainSuspend");
  }
  /** `virDomainResume`. */
  async resume(): Promise<void> {
    await this.call("domainResume");
  }
  /** `virDomainUndefine`. */
  async undefine(): Promise<void> {
    // Its own API name: libvirt's errors (read-only refusals) name the call the caller made.
    await this.call({ method: "domainUndefineFlags", api: "virDomainUndefine" }, 0);
  }
  /** `virDomainUndefineFlags`. */
  async undefineFlags(flags = 0): Promise<void> {
    await this.call("domainUndefineFlags", flags);
  }
  /**
   * `virDomainMigrate3`: a managed migration to the connection `dconn` (libvirt's migration
   * protocol version 3 with parameters, run from here); the domain's handle there.
   */
  async migrate3(dconn: HandleOwner, params: TypedParams = {}, flags = 0): Promise<Domain> {
    return new Domain(dconn, await migrate3(this.owner, this.ref, dconn, params, flags));
  }
  /** `virDomainMigrateStartPostCopy`: the running migration switches to post-copy. */
  async migrateStartPostCopy(flags = 0): Promise<void> {
    await this.call("domainMigrateStartPostCopy", flags);
  }
  /** `virDomainGetInfo`. */
  getInfo(): Promise<DomainInfo> {
    return this.call("domainGetInfo");
  }
  /** `virDomainGetState`: `[state, reason]`. */
  getState(flags = 0): Promise<[number, number]> {
    return this.call("domainGetState", flags);
  }
  /** `virDomainGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("domainGetXMLDesc", flags);
  }
  /** `virDomainGetSecurityLabel`: the label of a running domain, empty when it is shut off. */
  getSecurityLabel(): Promise<SecurityLabel> {
    return this.call("domainGetSecurityLabel");
  }
  /** `virDomainGetSecurityLabelList`: one label per security driver. */
  getSecurityLabelList(): Promise<SecurityLabel[]> {
    return this.call("domainGetSecurityLabelList");
  }
  /** `virDomainGetOSType`. */
  getOSType(): Promise<string> {
    return this.call("domainGetOSType");
  }
  /** `virDomainSetVcpus`. */
  async setVcpus(nvcpus: number): Promise<void> {
    await this.call(
      { method: "domainSetVcpusFlags", api: "virDomainSetVcpus" },
      nvcpus,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetVcpusFlags`. */
  async setVcpusFlags(nvcpus: number, flags = 0): Promise<void> {
    await this.call("domainSetVcpusFlags", nvcpus, flags);
  }
  /** `virDomainGetVcpusFlags`. */
  getVcpusFlags(flags = 0): Promise<number> {
    return this.call("domainGetVcpusFlags", flags);
  }
  /** `virDomainGetMaxVcpus`. */
  getMaxVcpus(): Promise<number> {
    return this.call("domainGetMaxVcpus");
  }
  /**
   * `virDomainGetCPUStats`: typed parameters per host CPU from `startCpu` on, or the domain's
   * totals with `startCpu` -1 and `ncpus` 1 (one record).
   */
  getCPUStats(startCpu = -1, ncpus = 1, flags = 0): Promise<TypedParams[]> {
    return this.call("domainGetCPUStats", startCpu, ncpus, flags);
  }
  /** `virDomainGetVcpus`: per-vCPU info and CPU maps. */
  getVcpus(): Promise<{ info: VcpuInfo[]; cpumaps: boolean[][] }> {
    return this.call("domainGetVcpus");
  }
  /** `virDomainSetVcpu`: enable or disable the vCPUs in `vcpumap` (e.g. `"1,3-4"`). */
  async setVcpu(vcpumap: string, state: boolean | number, flags = 0): Promise<void> {
    await this.call("domainSetVcpu", vcpumap, Number(state), flags);
  }
  /** `virDomainPinVcpuFlags`. */
  async pinVcpuFlags(vcpu: number, cpumap: boolean[], flags = 0): Promise<void> {
    await this.call("domainPinVcpuFlags", vcpu, cpumap, flags);
  }
  /** `virDomainGetVcpuPinInfo`: the host CPU map of every vCPU of the live or config definition. */
  getVcpuPinInfo(flags = 0): Promise<boolean[][]> {
    return this.call("domainGetVcpuPinInfo", flags);
  }
  /** `virDomainPinEmulator`: pins the emulator threads to the host CPUs set in `cpumap`. */
  async pinEmulator(cpumap: boolean[], flags = 0): Promise<void> {
    await this.call("domainPinEmulator", cpumap, flags);
  }
  /** `virDomainGetEmulatorPinInfo`: the host CPU map of the emulator threads. */
  getEmulatorPinInfo(flags = 0): Promise<boolean[]> {
    return this.call("domainGetEmulatorPinInfo", flags);
  }
  /** `virDomainFSTrim`: discards unused blocks of one mounted file system, or of all. */
  async fsTrim(mountPoint: string | null = null, minimum = 0, flags = 0): Promise<void> {
    await this.call("domainFSTrim", mountPoint, minimum, flags);
  }
  /** `virDomainGetFSInfo`: the guest's mounted file systems. */
  getFSInfo(flags = 0): Promise<DomainFSInfo[]> {
    return this.call("domainGetFSInfo", flags);
  }
  /** `virDomainSetUserPassword`: sets a guest user's password (ENCRYPTED: already hashed). */
  async setUserPassword(user: string, password: string, flags = 0): Promise<void> {
    await this.call("domainSetUserPassword", user, password, flags);
  }
  /** `virDomainSendProcessSignal`: sends `signum` (0 to 64) to guest process `pid`. */
  async sendProcessSignal(pid: number, signum: number, flags = 0): Promise<void> {
    await this.call("domainSendProcessSignal", pid, signum, flags);
  }
  /** `virDomainGetMessages`: deprecation and tainting messages of the domain. */
  getMessages(flags = 0): Promise<string[]> {
    return this.call("domainGetMessages", flags);
  }
  /**
   * `virDomainGetMetadata`: the description, the title, or (`VIR_DOMAIN_METADATA_ELEMENT`) the
   * `<metadata>` element of namespace `uri`, without its namespace.
   */
  getMetadata(type: number, uri: string | null, flags = 0): Promise<string> {
    return this.call("domainGetMetadata", type, uri, flags);
  }
  /**
   * `virDomainSetMetadata`: sets (or, with `metadata` null, removes) the description, the
   * title, or the `<metadata>` element of namespace `uri` under prefix `key`.
   */
  async setMetadata(
    type: number,
    metadata: string | null,
    key: string | null,
    uri: string | null,
    flags = 0,
  ): Promise<void> {
    await this.call("domainSetMetadata", type, metadata, key, uri, flags);
  }
  /** `virDomainGetMemoryParameters`: `hard_limit`, `soft_limit`, `swap_hard_limit` (KiB). */
  getMemoryParameters(flags = 0): Promise<TypedParams> {
    return this.call("domainGetMemoryParameters", flags);
  }
  /** `virDomainSetMemoryParameters`. */
  async setMemoryParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetMemoryParameters", params, flags);
  }
  /** `virDomainGetNumaParameters`: `numa_mode` and `numa_nodeset`. */
  getNumaParameters(flags = 0): Promise<TypedParams> {
    return this.call("domainGetNumaParameters", flags);
  }
  /** `virDomainSetNumaParameters`. */
  async setNumaParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetNumaParameters", params, flags);
  }
  /** `virDomainGetBlkioParameters`: the weight and the per-device `path,value,…` lists. */
  getBlkioParameters(flags = 0): Promise<TypedParams> {
    return this.call("domainGetBlkioParameters", flags);
  }
  /** `virDomainSetBlkioParameters`. */
  async setBlkioParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetBlkioParameters", params, flags);
  }
  /** `virDomainGetBlockIoTune`: the I/O throttling of disk `disk`. */
  getBlockIoTune(disk: string, flags = 0): Promise<TypedParams> {
    return this.call("domainGetBlockIoTune", disk, flags);
  }
  /** `virDomainSetBlockIoTune`. */
  async setBlockIoTune(disk: string, params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetBlockIoTune", disk, params, flags);
  }
  /** `virDomainGetInterfaceParameters`: the bandwidth of interface `device` (MAC or name). */
  getInterfaceParameters(device: string, flags = 0): Promise<TypedParams> {
    return this.call("domainGetInterfaceParameters", device, flags);
  }
  /** `virDomainSetInterfaceParameters`. */
  async setInterfaceParameters(device: string, params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetInterfaceParameters", device, params, flags);
  }
  /** `virDomainGetPerfEvents`: every perf event and whether it is enabled. */
  getPerfEvents(flags = 0): Promise<TypedParams> {
    return this.call("domainGetPerfEvents", flags);
  }
  /** `virDomainSetPerfEvents`. */
  async setPerfEvents(params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetPerfEvents", params, flags);
  }
  /** `virDomainGetMaxMemory`, KiB. */
  getMaxMemory(): Promise<number> {
    return this.call("domainGetMaxMemory");
  }
  /** `virDomainSetMaxMemory`, KiB. */
  async setMaxMemory(memory: number): Promise<void> {
    await this.call("domainSetMaxMemory", memory);
  }
  /** `virDomainSetMemory`, KiB. */
  async setMemory(memory: number): Promise<void> {
    await this.call(
      { method: "domainSetMemoryFlags", api: "virDomainSetMemory" },
      memory,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetMemoryFlags`, KiB. */
  async setMemoryFlags(memory: number, flags = 0): Promise<void> {
    await this.call("domainSetMemoryFlags", memory, flags);
  }
  /** `virDomainGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return this.call("domainGetAutostart");
  }
  /** `virDomainSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.call("domainSetAutostart", Boolean(autostart));
  }
  /** `virDomainManagedSave`. */
  async managedSave(flags = 0): Promise<void> {
    await this.call("domainManagedSave", flags);
  }
  /** `virDomainHasManagedSaveImage`. */
  hasManagedSaveImage(flags = 0): Promise<boolean> {
    return this.call("domainHasManagedSaveImage", flags);
  }
  /** `virDomainManagedSaveRemove`. */
  async managedSaveRemove(flags = 0): Promise<void> {
    await this.call("domainManagedSaveRemove", flags);
  }
  /** `virDomainSave`. */
  save(to: string): Promise<void> {
    return this.saveFlags(to, null, 0);
  }
  /** `virDomainSaveFlags`. */
  async saveFlags(to: string, dxml: string | null = null, flags = 0): Promise<void> {
    await this.call("domainSaveFlags", to, dxml, flags);
  }
  /** `virDomainIsActive`. */
  isActive(): Promise<boolean> {
    return this.call("domainIsActive");
  }
  /** `virDomainIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return this.call("domainIsPersistent");
  }
  /** `virDomainIsUpdated`. */
  isUpdated(): Promise<boolean> {
    return this.call("domainIsUpdated");
  }
  /** `virDomainRename`; this handle takes the new name. */
  async rename(newName: string, flags = 0): Promise<void> {
    const ref = await this.call("domainRename", newName, flags);
    if (ref) this.rebind(ref);
  }
  /** `virDomainGetHostname`. */
  getHostname(flags = 0): Promise<string> {
    return this.call("domainGetHostname", flags);
  }
  /**
   * `virDomainAgentSetResponseTimeout`: seconds the guest agent's commands wait from now on
   * (`VIR.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK`, `_DEFAULT`, `_NOWAIT` or a positive count).
   */
  async agentSetResponseTimeout(timeout: number, flags = 0): Promise<void> {
    await this.call("domainAgentSetResponseTimeout", timeout, flags);
  }
  /**
   * `virDomainQemuAgentCommand` (libvirt-qemu): sends `cmd`, a guest agent command in JSON,
   * waiting `timeout` seconds (-2 blocks, -1 default, 0 does not wait); the agent's reply (JSON).
   */
  qemuAgentCommand(cmd: string, timeout = -1, flags = 0): Promise<string> {
    return this.call("domainQemuAgentCommand", cmd, timeout, flags);
  }
  /** `virDomainUpdateDeviceFlags`: changes a device (a CD-ROM's media, a NIC's link state). */
  async updateDeviceFlags(xml: string, flags = 0): Promise<void> {
    await this.call("domainUpdateDeviceFlags", xml, flags);
  }
  /** `virDomainGetControlInfo`: the monitor's state, its details and how long it has been in it. */
  getControlInfo(flags = 0): Promise<{ state: number; details: number; stateTime: number }> {
    return this.call("domainGetControlInfo", flags);
  }
  /** `virDomainSetMemoryStatsPeriod`: seconds between balloon statistics updates (0 stops them). */
  async setMemoryStatsPeriod(period: number, flags = 0): Promise<void> {
    await this.call("domainSetMemoryStatsPeriod", period, flags);
  }
  /** `virDomainMemoryStats`: the balloon's statistics by name (`actual`, `rss`, …), KiB. */
  memoryStats(flags = 0): Promise<Record<string, number>> {
    return this.call("domainMemoryStats", flags);
  }
  /** `virDomainBlockStats`: I/O counters of disk `disk` (target or source path). */
  blockStats(disk: string): Promise<TypedParams> {
    return this.call("domainBlockStats", disk);
  }
  /** `virDomainInterfaceStats`: traffic counters of interface `device` (target name or MAC). */
  interfaceStats(device: string): Promise<TypedParams> {
    return this.call("domainInterfaceStats", device);
  }
  /** `virDomainGetBlockInfo`: capacity, allocation and physical size of disk `disk`. */
  getBlockInfo(disk: string, flags = 0): Promise<DomainBlockInfo> {
    return this.call("domainGetBlockInfo", disk, flags);
  }
  /** `virDomainGetDiskErrors`: the I/O error of each disk that has one, by target. */
  getDiskErrors(flags = 0): Promise<Record<string, number>> {
    return this.call("domainGetDiskErrors", flags);
  }
  /** `virDomainBlockPeek`: `size` bytes of disk `disk` from `offset`. */
  blockPeek(disk: string, offset: number, size: number, flags = 0): Promise<number[]> {
    return this.call("domainBlockPeek", disk, offset, size, flags);
  }
  /** `virDomainMemoryPeek`: `size` bytes of guest memory from `start` (MEMORY_VIRTUAL or _PHYSICAL). */
  memoryPeek(start: number, size: number, flags = 0): Promise<number[]> {
    return this.call("domainMemoryPeek", start, size, flags);
  }
  /** `virDomainBlockResize`: grows disk `disk` to `size` KiB (bytes with BLOCK_RESIZE_BYTES). */
  async blockResize(disk: string, size: number, flags = 0): Promise<void> {
    await this.call("domainBlockResize", disk, size, flags);
  }
  /**
   * `virDomainBlockCommit`: merges the chain of disk `disk` from `top` (null: the active layer)
   * down into `base` (null: the bottom), at `bandwidth` (MiB/s unless BANDWIDTH_BYTES; 0: no limit).
   */
  async blockCommit(
    disk: string,
    base: string | null = null,
    top: string | null = null,
    bandwidth = 0,
    flags = 0,
  ): Promise<void> {
    await this.call("domainBlockCommit", disk, base, top, bandwidth, flags);
  }
  /** `virDomainBlockPull`: pulls the whole backing chain of disk `disk` into its active layer. */
  async blockPull(disk: string, bandwidth = 0, flags = 0): Promise<void> {
    await this.call("domainBlockPull", disk, bandwidth, flags);
  }
  /** `virDomainBlockRebase`: pulls into disk `disk` down to `base`, or copies it (REBASE_COPY). */
  async blockRebase(
    disk: string,
    base: string | null = null,
    bandwidth = 0,
    flags = 0,
  ): Promise<void> {
    await this.call("domainBlockRebase", disk, base, bandwidth, flags);
  }
  /** `virDomainBlockCopy`: mirrors disk `disk` to the `<disk>` of `destxml` (`bandwidth`, `granularity`, `buf-size`). */
  async blockCopy(
    disk: string,
    destxml: string,
    params: TypedParams = {},
    flags = 0,
  ): Promise<void> {
    await this.call("domainBlockCopy", disk, destxml, params, flags);
  }
  /** `virDomainGetBlockJobInfo`: the job on disk `disk` (`type`, `bandwidth`, `cur`, `end`); `{}` without one. */
  getBlockJobInfo(disk: string, flags = 0): Promise<TypedParams> {
    return this.call("domainGetBlockJobInfo", disk, flags);
  }
  /** `virDomainBlockJobAbort`: cancels the job on disk `disk`, or (PIVOT) switches to its copy. */
  async blockJobAbort(disk: string, flags = 0): Promise<void> {
    await this.call("domainBlockJobAbort", disk, flags);
  }
  /** `virDomainBlockJobSetSpeed`: the job's bandwidth limit (MiB/s unless SPEED_BANDWIDTH_BYTES). */
  async blockJobSetSpeed(disk: string, bandwidth: number, flags = 0): Promise<void> {
    await this.call("domainBlockJobSetSpeed", disk, bandwidth, flags);
  }
  /** `virDomainAbortJob`: cancels the domain's running job (save, dump, migration). */
  async abortJob(): Promise<void> {
    await this.call("domainAbortJob");
  }
  /** `virDomainGetJobInfo`: the running job's progress. */
  getJobInfo(): Promise<TypedParams> {
    return this.call("domainGetJobInfo");
  }
  /** `virDomainGetJobStats`: the running (or, with JOB_STATS_COMPLETED, the last) job's statistics. */
  getJobStats(flags = 0): Promise<TypedParams> {
    return this.call("domainGetJobStats", flags);
  }
  /** `virDomainCoreDumpWithFormat`: dumps the guest's memory to `to` in `format` (DOMAIN_CORE_DUMP_FORMAT_*). */
  async coreDumpWithFormat(to: string, format: number, flags = 0): Promise<void> {
    await this.call("domainCoreDumpWithFormat", to, format, flags);
  }
  /** `virDomainManagedSaveGetXMLDesc`: the definition in the managed save image. */
  managedSaveGetXMLDesc(flags = 0): Promise<string> {
    return this.call("domainManagedSaveGetXMLDesc", flags);
  }
  /** `virDomainManagedSaveDefineXML`: replaces the definition in the managed save image. */
  async managedSaveDefineXML(dxml: string, flags = 0): Promise<void> {
    await this.call("domainManagedSaveDefineXML", dxml, flags);
  }
  /** `virDomainGetIOThreadInfo`: each IOThread and its host CPU map. */
  getIOThreadInfo(flags = 0): Promise<DomainIOThreadInfo[]> {
    return this.call("domainGetIOThreadInfo", flags);
  }
  /** `virDomainPinIOThread`: pins IOThread `iothreadId` to the host CPUs set in `cpumap`. */
  async pinIOThread(iothreadId: number, cpumap: boolean[], flags = 0): Promise<void> {
    await this.call("domainPinIOThread", iothreadId, cpumap, flags);
  }
  /** `virDomainAddIOThread`. */
  async addIOThread(iothreadId: number, flags = 0): Promise<void> {
    await this.call("domainAddIOThread", iothreadId, flags);
  }
  /** `virDomainDelIOThread`. */
  async delIOThread(iothreadId: number, flags = 0): Promise<void> {
    await this.call("domainDelIOThread", iothreadId, flags);
  }
  /** `virDomainSetIOThreadParams`: `poll_max_ns`, `poll_grow`, `poll_shrink`, … of one IOThread. */
  async setIOThreadParams(iothreadId: number, params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetIOThreadParams", iothreadId, params, flags);
  }
  /** `virDomainGetSchedulerType`: `[type, nparams]`. */
  getSchedulerType(): Promise<[string, number]> {
    return this.call("domainGetSchedulerType");
  }
  /** `virDomainGetSchedulerParametersFlags`. */
  getSchedulerParametersFlags(flags = 0): Promise<TypedParams> {
    return this.call("domainGetSchedulerParametersFlags", flags);
  }
  /** `virDomainSetSchedulerParametersFlags`. */
  async setSchedulerParametersFlags(params: TypedParams, flags = 0): Promise<void> {
    await this.call("domainSetSchedulerParametersFlags", params, flags);
  }
  /** `virDomainGetTime`: the guest's clock (through the agent). */
  getTime(flags = 0): Promise<{ seconds: number; nseconds: number }> {
    return this.call("domainGetTime", flags);
  }
  /** `virDomainSetTime`: sets the guest's clock, or (TIME_SYNC) from the guest's RTC. */
  async setTime(seconds: number, nseconds: number, flags = 0): Promise<void> {
    await this.call("domainSetTime", seconds, nseconds, flags);
  }
  /** `virDomainSendKey`: presses `keycodes` of `codeset` for `holdtime` ms. */
  async sendKey(codeset: number, holdtime: number, keycodes: number[], flags = 0): Promise<void> {
    await this.call("domainSendKey", codeset, holdtime, keycodes, flags);
  }
  /** `virDomainInjectNMI`. */
  async injectNMI(flags = 0): Promise<void> {
    await this.call("domainInjectNMI", flags);
  }
  /** `virDomainPMSuspendForDuration`: suspends the guest to `target` (NODE_SUSPEND_TARGET_*). */
  async pmSuspendForDuration(target: number, duration = 0, flags = 0): Promise<void> {
    await this.call("domainPMSuspendForDuration", target, duration, flags);
  }
  /** `virDomainPMWakeup`. */
  async pmWakeup(flags = 0): Promise<void> {
    await this.call("domainPMWakeup", flags);
  }
  /** `virDomainFSFreeze`: freezes the guest's file systems (all when `mountpoints` is empty); the count. */
  fsFreeze(mountpoints: string[] = [], flags = 0): Promise<number> {
    return this.call("domainFSFreeze", mountpoints, flags);
  }
  /** `virDomainFSThaw`: thaws them; the count. */
  fsThaw(mountpoints: string[] = [], flags = 0): Promise<number> {
    return this.call("domainFSThaw", mountpoints, flags);
  }
  /** `virDomainGetLaunchSecurityInfo`: the launch measurement of a SEV guest. */
  getLaunchSecurityInfo(flags = 0): Promise<TypedParams> {
    return this.call("domainGetLaunchSecurityInfo", flags);
  }
  /** `virDomainSetLifecycleAction`: what poweroff, reboot or crash (`type`) does (`action`). */
  async setLifecycleAction(type: number, action: number, flags = 0): Promise<void> {
    await this.call("domainSetLifecycleAction", type, action, flags);
  }
  /** `virDomainInterfaceAddresses`: the interfaces' addresses from `source` (lease, agent, ARP). */
  interfaceAddresses(source: number, flags = 0): Promise<unknown[]> {
    return this.call("domainInterfaceAddresses", source, flags);
  }
  /** `virDomainGetGuestInfo`: what the agent reports of `types` (GUEST_INFO_*; 0: all). */
  getGuestInfo(types = 0, flags = 0): Promise<TypedParams> {
    return this.call("domainGetGuestInfo", types, flags);
  }
  /** `virDomainGetGuestVcpus`: the guest's `vcpus`, `online` and `offlinable` maps. */
  getGuestVcpus(flags = 0): Promise<TypedParams> {
    return this.call("domainGetGuestVcpus", flags);
  }
  /** `virDomainSetGuestVcpus`: onlines or offlines the guest's vCPUs in `cpumap` (e.g. `"1-2"`). */
  async setGuestVcpus(cpumap: string, state: boolean | number, flags = 0): Promise<void> {
    await this.call("domainSetGuestVcpus", cpumap, Number(state), flags);
  }
  /** `virDomainAttachDeviceFlags`. */
  async attachDeviceFlags(xml: string, flags = 0): Promise<void> {
    await this.call("domainAttachDeviceFlags", xml, flags);
  }
  /** `virDomainDetachDeviceFlags`. */
  async detachDeviceFlags(xml: string, flags = 0): Promise<void> {
    await this.call("domainDetachDeviceFlags", xml, flags);
  }
  /** `virDomainCreateWithFiles`: starts the domain handing it file descriptors. */
  async createWithFiles(files: number[], flags = 0): Promise<void> {
    const ref = await this.call("domainCreateWithFiles", files, flags);
    if (ref) this.rebind(ref);
  }
  /**
   * `virDomainSnapshotCreateXML`: CURRENT needs REDEFINE, which excludes NO_METADATA and HALT.
   */
  async snapshotCreateXML(xml: string, flags = 0): Promise<DomainSnapshot> {
    return this.#snapshot(
      await callDriver(this.owner, "domainSnapshotCreateXML", this.ref, xml, flags),
    );
  }
  #snapshot(name: string): DomainSnapshot {
    return new DomainSnapshot(this.owner, this.ref, name);
  }
  /** `virDomainSnapshotNum`. */
  snapshotNum(flags = 0): Promise<number> {
    return callDriver(this.owner, "domainSnapshotNum", this.ref, flags);
  }
  /** `virDomainSnapshotListNames`. */
  snapshotListNames(flags = 0): Promise<string[]> {
    return callDriver(this.owner, "domainSnapshotListNames", this.ref, flags);
  }
  /** `virDomainListAllSnapshots`. */
  async listAllSnapshots(flags = 0): Promise<DomainSnapshot[]> {
    return (await callDriver(this.owner, "domainListAllSnapshots", this.ref, flags)).map((n) =>
      this.#snapshot(n)
    );
  }
  /** `virDomainSnapshotLookupByName`. */
  async snapshotLookupByName(name: string, flags = 0): Promise<DomainSnapshot> {
    return this.#snapshot(
      await callDriver(this.owner, "domainSnapshotLookupByName", this.ref, name, flags),
    );
  }
  /** `virDomainHasCurrentSnapshot`. */
  hasCurrentSnapshot(flags = 0): Promise<boolean> {
    return callDriver(this.owner, "domainHasCurrentSnapshot", this.ref, flags);
  }
  /** `virDomainSnapshotCurrent`. */
  async snapshotCurrent(flags = 0): Promise<DomainSnapshot> {
    return this.#snapshot(
      await callDriver(this.owner, "domainSnapshotCurrent", this.ref, flags),
    );
  }
  /** `virDomainRevertToSnapshot` of one of this domain's snapshots. */
  revertToSnapshot(snapshot: DomainSnapshot, flags = 0): Promise<void> {
    return snapshot.revert(flags);
  }
  /** `virDomainCheckpointCreateXML`: REDEFINE_VALIDATE needs REDEFINE. */
  async checkpointCreateXML(xml: string, flags = 0): Promise<DomainCheckpoint> {
    return this.#checkpoint(
      await callDriver(this.owner, "domainCheckpointCreateXML", this.ref, xml, flags),
    );
  }
  #checkpoint(name: string): DomainCheckpoint {
    return new DomainCheckpoint(this.owner, this.ref, name);
  }
  /** `virDomainListAllCheckpoints`. */
  async listAllCheckpoints(flags = 0): Promise<DomainCheckpoint[]> {
    return (await callDriver(this.owner, "domainListAllCheckpoints", this.ref, flags)).map((n) =>
      this.#checkpoint(n)
    );
  }
  /** `virDomainCheckpointLookupByName`. */
  async checkpointLookupByName(name: string, flags = 0): Promise<DomainCheckpoint> {
    return this.#checkpoint(
      await callDriver(this.owner, "domainCheckpointLookupByName", this.ref, name, flags),
    );
  }
  /** `virDomainOpenConsole`: `stream` carries the console both ways. */
  async openConsole(devName: string | null, stream: Stream, flags = 0): Promise<void> {
    await this.#bind(stream, () => this.call("domainOpenConsole", devName, flags));
  }
  /** `virDomainOpenChannel`: `stream` carries the channel both ways. */
  async openChannel(name: string | null, stream: Stream, flags = 0): Promise<void> {
    await this.#bind(stream, () => this.call("domainOpenChannel", name, flags));
  }
  /** `virDomainScreenshot`: `stream` gives the image; the answer is its MIME type. */
  async screenshot(stream: Stream, screen: number, flags = 0): Promise<string> {
    return (await this.#bind(stream, () => this.call("domainScreenshot", screen, flags))).mime ??
      "";
  }
  #bind(stream: Stream, call: () => Promise<DriverStream>): Promise<DriverStream> {
    const mismatch = `stream must match connection of domain '${this.name}'`;
    return stream.bind(this.owner, "DOMAIN", mismatch, call);
  }
}

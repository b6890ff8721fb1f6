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
import { contractMethods } from "./contract_methods.ts";

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
  /** `virDomainDestroy`. */
  async destroy(): Promise<void> {
    // Its own API name: libvirt's errors (read-only refusals) name the call the caller made.
    await this.call({ method: "domainDestroyFlags", api: "virDomainDestroy" }, 0);
  }
  /** `virDomainUndefine`. */
  async undefine(): Promise<void> {
    // Its own API name: libvirt's errors (read-only refusals) name the call the caller made.
    await this.call({ method: "domainUndefineFlags", api: "virDomainUndefine" }, 0);
  }
  /**
   * `virDomainMigrate3`: a managed migration to the connection `dconn` (libvirt's migration
   * protocol version 3 with parameters, run from here); the domain's handle there.
   */
  async migrate3(dconn: HandleOwner, params: TypedParams = {}, flags = 0): Promise<Domain> {
    return new Domain(dconn, await migrate3(this.owner, this.ref, dconn, params, flags));
  }
  /** `virDomainSetVcpus`. */
  async setVcpus(nvcpus: number): Promise<void> {
    await this.call(
      { method: "domainSetVcpusFlags", api: "virDomainSetVcpus" },
      nvcpus,
      VIR.DOMAIN_AFFECT_LIVE,
    );
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
  /** `virDomainFSTrim`: discards unused blocks of one mounted file system, or of all. */
  async fsTrim(mountPoint: string | null = null, minimum = 0, flags = 0): Promise<void> {
    await this.call("domainFSTrim", mountPoint, minimum, flags);
  }
  /** `virDomainSetMemory`, KiB. */
  async setMemory(memory: number): Promise<void> {
    await this.call(
      { method: "domainSetMemoryFlags", api: "virDomainSetMemory" },
      memory,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.call("domainSetAutostart", Boolean(autostart));
  }
  /** `virDomainSave`. */
  save(to: string): Promise<void> {
    return this.saveFlags(to, null, 0);
  }
  /** `virDomainRename`; this handle takes the new name. */
  async rename(newName: string, flags = 0): Promise<void> {
    const ref = await this.call("domainRename", newName, flags);
    if (ref) this.rebind(ref);
  }
  /**
   * `virDomainQemuAgentCommand` (libvirt-qemu): sends `cmd`, a guest agent command in JSON,
   * waiting `timeout` seconds (-2 blocks, -1 default, 0 does not wait); the agent's reply (JSON).
   */
  qemuAgentCommand(cmd: string, timeout = -1, flags = 0): Promise<string> {
    return this.call("domainQemuAgentCommand", cmd, timeout, flags);
  }
  /** `virDomainGetControlInfo`: the monitor's state, its details and how long it has been in it. */
  getControlInfo(flags = 0): Promise<{ state: number; details: number; stateTime: number }> {
    return this.call("domainGetControlInfo", flags);
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
  /** `virDomainGetTime`: the guest's clock (through the agent). */
  getTime(flags = 0): Promise<{ seconds: number; nseconds: number }> {
    return this.call("domainGetTime", flags);
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
  /** `virDomainSetGuestVcpus`: onlines or offlines the guest's vCPUs in `cpumap` (e.g. `"1-2"`). */
  async setGuestVcpus(cpumap: string, state: boolean | number, flags = 0): Promise<void> {
    await this.call("domainSetGuestVcpus", cpumap, Number(state), flags);
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

/** The domain handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface Domain {
  /** `virDomainShutdownFlags`. */
  shutdownFlags(flags?: number): Promise<void>;
  /** `virDomainReboot`. */
  reboot(flags?: number): Promise<void>;
  /** `virDomainReset`. */
  reset(flags?: number): Promise<void>;
  /** `virDomainDestroyFlags`. */
  destroyFlags(flags?: number): Promise<void>;
  /** `virDomainSuspend`. */
  suspend(): Promise<void>;
  /** `virDomainResume`. */
  resume(): Promise<void>;
  /** `virDomainUndefineFlags`. */
  undefineFlags(flags?: number): Promise<void>;
  /** `virDomainGetInfo`. */
  getInfo(): Promise<DomainInfo>;
  /** `virDomainGetState`: `[state, reason]`. */
  getState(flags?: number): Promise<[number, number]>;
  /** `virDomainGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virDomainGetSecurityLabel`: the label of a running domain, empty when it is shut off. */
  getSecurityLabel(): Promise<SecurityLabel>;
  /** `virDomainGetSecurityLabelList`: one label per security driver. */
  getSecurityLabelList(): Promise<SecurityLabel[]>;
  /** `virDomainGetOSType`. */
  getOSType(): Promise<string>;
  /** `virDomainSetVcpusFlags`. */
  setVcpusFlags(nvcpus: number, flags?: number): Promise<void>;
  /** `virDomainGetVcpusFlags`. */
  getVcpusFlags(flags?: number): Promise<number>;
  /** `virDomainGetMaxVcpus`. */
  getMaxVcpus(): Promise<number>;
  /** `virDomainPinVcpuFlags`. */
  pinVcpuFlags(vcpu: number, cpumap: boolean[], flags?: number): Promise<void>;
  /** `virDomainGetVcpuPinInfo`: the host CPU map of every vCPU of the live or config definition. */
  getVcpuPinInfo(flags?: number): Promise<boolean[][]>;
  /** `virDomainPinEmulator`: pins the emulator threads to the host CPUs set in `cpumap`. */
  pinEmulator(cpumap: boolean[], flags?: number): Promise<void>;
  /** `virDomainGetEmulatorPinInfo`: the host CPU map of the emulator threads. */
  getEmulatorPinInfo(flags?: number): Promise<boolean[]>;
  /** `virDomainGetFSInfo`: the guest's mounted file systems. */
  getFSInfo(flags?: number): Promise<DomainFSInfo[]>;
  /** `virDomainSetUserPassword`: sets a guest user's password (ENCRYPTED: already hashed). */
  setUserPassword(user: string, password: string, flags?: number): Promise<void>;
  /** `virDomainSendProcessSignal`: sends `signum` (0 to 64) to guest process `pid`. */
  sendProcessSignal(pid: number, signum: number, flags?: number): Promise<void>;
  /** `virDomainGetMessages`: deprecation and tainting messages of the domain. */
  getMessages(flags?: number): Promise<string[]>;
  /**
   * `virDomainGetMetadata`: the description, the title, or (`VIR_DOMAIN_METADATA_ELEMENT`) the
   * `<metadata>` element of namespace `uri`, without its namespace.
   */
  getMetadata(type: number, uri: string | null, flags?: number): Promise<string>;
  /**
   * `virDomainSetMetadata`: sets (or, with `metadata` null, removes) the description, the
   * title, or the `<metadata>` element of namespace `uri` under prefix `key`.
   */
  setMetadata(
    type: number,
    metadata: string | null,
    key: string | null,
    uri: string | null,
    flags?: number,
  ): Promise<void>;
  /** `virDomainGetMemoryParameters`: `hard_limit`, `soft_limit`, `swap_hard_limit` (KiB). */
  getMemoryParameters(flags?: number): Promise<TypedParams>;
  /** `virDomainSetMemoryParameters`. */
  setMemoryParameters(params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetNumaParameters`: `numa_mode` and `numa_nodeset`. */
  getNumaParameters(flags?: number): Promise<TypedParams>;
  /** `virDomainSetNumaParameters`. */
  setNumaParameters(params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetBlkioParameters`: the weight and the per-device `path,value,…` lists. */
  getBlkioParameters(flags?: number): Promise<TypedParams>;
  /** `virDomainSetBlkioParameters`. */
  setBlkioParameters(params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetBlockIoTune`: the I/O throttling of disk `disk`. */
  getBlockIoTune(disk: string, flags?: number): Promise<TypedParams>;
  /** `virDomainSetBlockIoTune`. */
  setBlockIoTune(disk: string, params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetInterfaceParameters`: the bandwidth of interface `device` (MAC or name). */
  getInterfaceParameters(device: string, flags?: number): Promise<TypedParams>;
  /** `virDomainSetInterfaceParameters`. */
  setInterfaceParameters(device: string, params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetPerfEvents`: every perf event and whether it is enabled. */
  getPerfEvents(flags?: number): Promise<TypedParams>;
  /** `virDomainSetPerfEvents`. */
  setPerfEvents(params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetMaxMemory`, KiB. */
  getMaxMemory(): Promise<number>;
  /** `virDomainSetMaxMemory`, KiB. */
  setMaxMemory(memory: number): Promise<void>;
  /** `virDomainSetMemoryFlags`, KiB. */
  setMemoryFlags(memory: number, flags?: number): Promise<void>;
  /** `virDomainGetAutostart`. */
  getAutostart(): Promise<boolean>;
  /** `virDomainManagedSave`. */
  managedSave(flags?: number): Promise<void>;
  /** `virDomainHasManagedSaveImage`. */
  hasManagedSaveImage(flags?: number): Promise<boolean>;
  /** `virDomainManagedSaveRemove`. */
  managedSaveRemove(flags?: number): Promise<void>;
  /** `virDomainSaveFlags`. */
  saveFlags(to: string, dxml?: string | null, flags?: number): Promise<void>;
  /** `virDomainIsActive`. */
  isActive(): Promise<boolean>;
  /** `virDomainIsPersistent`. */
  isPersistent(): Promise<boolean>;
  /** `virDomainIsUpdated`. */
  isUpdated(): Promise<boolean>;
  /** `virDomainGetHostname`. */
  getHostname(flags?: number): Promise<string>;
  /**
   * `virDomainAgentSetResponseTimeout`: seconds the guest agent's commands wait from now on
   * (`VIR.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK`, `_DEFAULT`, `_NOWAIT` or a positive count).
   */
  agentSetResponseTimeout(timeout: number, flags?: number): Promise<void>;
  /** `virDomainUpdateDeviceFlags`: changes a device (a CD-ROM's media, a NIC's link state). */
  updateDeviceFlags(xml: string, flags?: number): Promise<void>;
  /** `virDomainSetMemoryStatsPeriod`: seconds between balloon statistics updates (0 stops them). */
  setMemoryStatsPeriod(period: number, flags?: number): Promise<void>;
  /** `virDomainMemoryStats`: the balloon's statistics by name (`actual`, `rss`, …), KiB. */
  memoryStats(flags?: number): Promise<Record<string, number>>;
  /** `virDomainBlockStats`: I/O counters of disk `disk` (target or source path). */
  blockStats(disk: string): Promise<TypedParams>;
  /** `virDomainInterfaceStats`: traffic counters of interface `device` (target name or MAC). */
  interfaceStats(device: string): Promise<TypedParams>;
  /** `virDomainGetBlockInfo`: capacity, allocation and physical size of disk `disk`. */
  getBlockInfo(disk: string, flags?: number): Promise<DomainBlockInfo>;
  /** `virDomainGetDiskErrors`: the I/O error of each disk that has one, by target. */
  getDiskErrors(flags?: number): Promise<Record<string, number>>;
  /** `virDomainBlockPeek`: `size` bytes of disk `disk` from `offset`. */
  blockPeek(disk: string, offset: number, size: number, flags?: number): Promise<number[]>;
  /** `virDomainMemoryPeek`: `size` bytes of guest memory from `start` (MEMORY_VIRTUAL or _PHYSICAL). */
  memoryPeek(start: number, size: number, flags?: number): Promise<number[]>;
  /** `virDomainBlockResize`: grows disk `disk` to `size` KiB (bytes with BLOCK_RESIZE_BYTES). */
  blockResize(disk: string, size: number, flags?: number): Promise<void>;
  /**
   * `virDomainBlockCommit`: merges the chain of disk `disk` from `top` (null: the active layer)
   * down into `base` (null: the bottom), at `bandwidth` (MiB/s unless BANDWIDTH_BYTES; 0: no limit).
   */
  blockCommit(
    disk: string,
    base?: string | null,
    top?: string | null,
    bandwidth?: number,
    flags?: number,
  ): Promise<void>;
  /** `virDomainBlockPull`: pulls the whole backing chain of disk `disk` into its active layer. */
  blockPull(disk: string, bandwidth?: number, flags?: number): Promise<void>;
  /** `virDomainBlockRebase`: pulls into disk `disk` down to `base`, or copies it (REBASE_COPY). */
  blockRebase(
    disk: string,
    base?: string | null,
    bandwidth?: number,
    flags?: number,
  ): Promise<void>;
  /** `virDomainGetBlockJobInfo`: the job on disk `disk` (`type`, `bandwidth`, `cur`, `end`); `{}` without one. */
  getBlockJobInfo(disk: string, flags?: number): Promise<TypedParams>;
  /** `virDomainBlockJobAbort`: cancels the job on disk `disk`, or (PIVOT) switches to its copy. */
  blockJobAbort(disk: string, flags?: number): Promise<void>;
  /** `virDomainBlockJobSetSpeed`: the job's bandwidth limit (MiB/s unless SPEED_BANDWIDTH_BYTES). */
  blockJobSetSpeed(disk: string, bandwidth: number, flags?: number): Promise<void>;
  /** `virDomainAbortJob`: cancels the domain's running job (save, dump, migration). */
  abortJob(): Promise<void>;
  /** `virDomainGetJobInfo`: the running job's progress. */
  getJobInfo(): Promise<TypedParams>;
  /** `virDomainGetJobStats`: the running (or, with JOB_STATS_COMPLETED, the last) job's statistics. */
  getJobStats(flags?: number): Promise<TypedParams>;
  /** `virDomainCoreDumpWithFormat`: dumps the guest's memory to `to` in `format` (DOMAIN_CORE_DUMP_FORMAT_*). */
  coreDumpWithFormat(to: string, format: number, flags?: number): Promise<void>;
  /** `virDomainManagedSaveGetXMLDesc`: the definition in the managed save image. */
  managedSaveGetXMLDesc(flags?: number): Promise<string>;
  /** `virDomainManagedSaveDefineXML`: replaces the definition in the managed save image. */
  managedSaveDefineXML(dxml: string, flags?: number): Promise<void>;
  /** `virDomainGetIOThreadInfo`: each IOThread and its host CPU map. */
  getIOThreadInfo(flags?: number): Promise<DomainIOThreadInfo[]>;
  /** `virDomainPinIOThread`: pins IOThread `iothreadId` to the host CPUs set in `cpumap`. */
  pinIOThread(iothreadId: number, cpumap: boolean[], flags?: number): Promise<void>;
  /** `virDomainAddIOThread`. */
  addIOThread(iothreadId: number, flags?: number): Promise<void>;
  /** `virDomainDelIOThread`. */
  delIOThread(iothreadId: number, flags?: number): Promise<void>;
  /** `virDomainSetIOThreadParams`: `poll_max_ns`, `poll_grow`, `poll_shrink`, … of one IOThread. */
  setIOThreadParams(iothreadId: number, params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainGetSchedulerType`: `[type, nparams]`. */
  getSchedulerType(): Promise<[string, number]>;
  /** `virDomainGetSchedulerParametersFlags`. */
  getSchedulerParametersFlags(flags?: number): Promise<TypedParams>;
  /** `virDomainSetSchedulerParametersFlags`. */
  setSchedulerParametersFlags(params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainSetTime`: sets the guest's clock, or (TIME_SYNC) from the guest's RTC. */
  setTime(seconds: number, nseconds: number, flags?: number): Promise<void>;
  /** `virDomainSendKey`: presses `keycodes` of `codeset` for `holdtime` ms. */
  sendKey(codeset: number, holdtime: number, keycodes: number[], flags?: number): Promise<void>;
  /** `virDomainInjectNMI`. */
  injectNMI(flags?: number): Promise<void>;
  /** `virDomainGetLaunchSecurityInfo`: the launch measurement of a SEV guest. */
  getLaunchSecurityInfo(flags?: number): Promise<TypedParams>;
  /** `virDomainSetLifecycleAction`: what poweroff, reboot or crash (`type`) does (`action`). */
  setLifecycleAction(type: number, action: number, flags?: number): Promise<void>;
  /** `virDomainInterfaceAddresses`: the interfaces' addresses from `source` (lease, agent, ARP). */
  interfaceAddresses(source: number, flags?: number): Promise<unknown[]>;
  /** `virDomainGetGuestInfo`: what the agent reports of `types` (GUEST_INFO_*; 0: all). */
  getGuestInfo(types?: number, flags?: number): Promise<TypedParams>;
  /** `virDomainGetGuestVcpus`: the guest's `vcpus`, `online` and `offlinable` maps. */
  getGuestVcpus(flags?: number): Promise<TypedParams>;
  /** `virDomainAttachDeviceFlags`. */
  attachDeviceFlags(xml: string, flags?: number): Promise<void>;
  /** `virDomainDetachDeviceFlags`. */
  detachDeviceFlags(xml: string, flags?: number): Promise<void>;
  /** `virDomainAttachDevice`: to the running domain. */
  attachDevice(xml: string): Promise<void>;
  /** `virDomainDetachDevice`: from the running domain. */
  detachDevice(xml: string): Promise<void>;
  /** `virDomainMigrateSetMaxDowntime`: the longest pause (ms) the end of a live migration may take. */
  migrateSetMaxDowntime(downtime: number, flags?: number): Promise<void>;
  /** `virDomainMigrateGetMaxDowntime`, ms. */
  migrateGetMaxDowntime(flags?: number): Promise<number>;
  /** `virDomainMigrateGetCompressionCache`: the XBZRLE cache, bytes. */
  migrateGetCompressionCache(flags?: number): Promise<number>;
  /** `virDomainMigrateSetCompressionCache`, bytes. */
  migrateSetCompressionCache(cacheSize: number, flags?: number): Promise<void>;
  /** `virDomainMigrateSetMaxSpeed`: MiB/s (bytes/s with `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY`'s peer flags as libvirt). */
  migrateSetMaxSpeed(bandwidth: number, flags?: number): Promise<void>;
  /** `virDomainMigrateGetMaxSpeed`, MiB/s. */
  migrateGetMaxSpeed(flags?: number): Promise<number>;
  /** `virDomainMigrateStartPostCopy`: switches a running migration to post-copy. */
  migrateStartPostCopy(flags?: number): Promise<void>;
  /** `virDomainSetBlockThreshold`: a `BLOCK_THRESHOLD` event once disk `dev` writes past `threshold` bytes. */
  setBlockThreshold(dev: string, threshold: number, flags?: number): Promise<void>;
  /** `virDomainBackupBegin`: a push or pull backup job, optionally taking a checkpoint. */
  backupBegin(backupXML: string, checkpointXML?: string | null, flags?: number): Promise<void>;
  /** `virDomainBackupGetXMLDesc`: the running backup job's XML. */
  backupGetXMLDesc(flags?: number): Promise<string>;
  /** `virDomainAbortJobFlags`. */
  abortJobFlags(flags?: number): Promise<void>;
  /** `virDomainAuthorizedSSHKeysGet`: a guest user's authorized SSH keys (guest agent). */
  authorizedSSHKeysGet(user: string, flags?: number): Promise<string[]>;
  /** `virDomainAuthorizedSSHKeysSet`: replaces, appends to or removes from them. */
  authorizedSSHKeysSet(user: string, keys: string[], flags?: number): Promise<void>;
  /** `virDomainBlockStatsFlags`: the statistics of disk `disk` as typed parameters. */
  blockStatsFlags(disk: string, flags?: number): Promise<TypedParams>;
  /** `virDomainDetachDeviceAlias`: unplugs the device with this `<alias name>`. */
  detachDeviceAlias(alias: string, flags?: number): Promise<void>;
  /** `virDomainStartDirtyRateCalc`: measures the guest's memory dirty rate for `seconds`. */
  startDirtyRateCalc(seconds: number, flags?: number): Promise<void>;
  /** `virDomainSetLaunchSecurityState`: injects a launch secret (SEV). */
  setLaunchSecurityState(params: TypedParams, flags?: number): Promise<void>;
  /** `virDomainSaveParams`: saves the domain as `params` (`file`, `dxml`) say. */
  saveParams(params: TypedParams, flags?: number): Promise<void>;
}

contractMethods(Domain, "dom", "domain");

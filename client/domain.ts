import type {
  DomainFSInfo,
  DomainInfo,
  DomainRef,
  SecurityLabel,
  TypedParams,
  VcpuInfo,
} from "../util/driver.ts";
import { VIR } from "../util/constants.ts";
import { callDriver, Handle, type HandleOwner } from "./handle.ts";
import { DomainSnapshot } from "./snapshot.ts";
import { DomainCheckpoint } from "./checkpoint.ts";
import { checkArg, denyReadOnly, exclusiveFlags, requireFlag } from "./invoke.ts";

/** `VIR_EXCLUSIVE_FLAGS_GOTO(VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG)`. */
function affectExclusive(flags: number): void {
  exclusiveFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE,
    VIR.DOMAIN_AFFECT_CONFIG,
    "VIR_DOMAIN_AFFECT_LIVE",
    "VIR_DOMAIN_AFFECT_CONFIG",
  );
}

/** virDomainGet/SetMetadata: the URI is required for elements and refused otherwise. */
function metadataUriCheck(type: number, uri: string | null, api: string): void {
  if (type === VIR.DOMAIN_METADATA_ELEMENT) {
    checkArg(uri !== null, `uri in ${api} must not be NULL`, "DOMAIN");
  } else if (type === VIR.DOMAIN_METADATA_TITLE || type === VIR.DOMAIN_METADATA_DESCRIPTION) {
    checkArg(uri === null, `uri in ${api} must be NULL`, "DOMAIN");
  }
}

/** The save and restore APIs' check: a saved domain resumes running or paused, not both. */
export function saveFlagsExclusive(flags: number): void {
  exclusiveFlags(
    flags,
    VIR.DOMAIN_SAVE_RUNNING,
    VIR.DOMAIN_SAVE_PAUSED,
    "VIR_DOMAIN_SAVE_RUNNING",
    "VIR_DOMAIN_SAVE_PAUSED",
  );
}

/**
 * A domain handle (libvirt's `virDomainPtr`): name, UUID and id as of the lookup; every call
 * goes to the connection's driver.
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * const dom = await conn.lookupDomainByName("test");
 * console.log(await dom.getState()); // [1, 1]
 * await conn.close();
 * ```
 */
export class Domain extends Handle<DomainRef> {
  /** A handle on `ref`'s domain, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: DomainRef) {
    super(owner, "DOMAIN", ref);
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
    const ref = await this.mutate("domainCreateWithFlags", flags);
    if (ref) this.rebind(ref);
  }
  /** `virDomainShutdown`. */
  shutdown(): Promise<void> {
    return this.shutdownFlags(0);
  }
  /** `virDomainShutdownFlags`. */
  async shutdownFlags(flags = 0): Promise<void> {
    await this.mutate("domainShutdownFlags", flags);
  }
  /** `virDomainReboot`. */
  async reboot(flags = 0): Promise<void> {
    await this.mutate("domainReboot", flags);
  }
  /** `virDomainReset`. */
  async reset(flags = 0): Promise<void> {
    await this.mutate("domainReset", flags);
  }
  /** `virDomainDestroy`. */
  destroy(): Promise<void> {
    return this.destroyFlags(0);
  }
  /** `virDomainDestroyFlags`. */
  async destroyFlags(flags = 0): Promise<void> {
    await this.mutate("domainDestroyFlags", flags);
  }
  /** `virDomainSuspend`. */
  async suspend(): Promise<void> {
    await this.mutate("domainSuspend");
  }
  /** `virDomainResume`. */
  async resume(): Promise<void> {
    await this.mutate("domainResume");
  }
  /** `virDomainUndefine`. */
  undefine(): Promise<void> {
    return this.undefineFlags(0);
  }
  /** `virDomainUndefineFlags`. */
  async undefineFlags(flags = 0): Promise<void> {
    await this.mutate("domainUndefineFlags", flags);
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
    if (flags & VIR.DOMAIN_XML_SECURE) this.denyReadOnly("virDomainGetXMLDesc with secure flag");
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
    this.denyReadOnly("virDomainSetVcpus");
    checkArg(nvcpus !== 0, "nvcpus in virDomainSetVcpus must not be zero", "DOMAIN");
    await this.call(
      { method: "domainSetVcpusFlags", api: "virDomainSetVcpus" },
      nvcpus,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetVcpusFlags`. */
  async setVcpusFlags(nvcpus: number, flags = 0): Promise<void> {
    this.denyReadOnly("virDomainSetVcpusFlags");
    requireFlag(
      flags,
      VIR.DOMAIN_VCPU_MAXIMUM,
      VIR.DOMAIN_AFFECT_CONFIG,
      "VIR_DOMAIN_VCPU_MAXIMUM",
      "VIR_DOMAIN_AFFECT_CONFIG",
    );
    exclusiveFlags(
      flags,
      VIR.DOMAIN_VCPU_GUEST,
      VIR.DOMAIN_AFFECT_CONFIG,
      "VIR_DOMAIN_VCPU_GUEST",
      "VIR_DOMAIN_AFFECT_CONFIG",
    );
    checkArg(nvcpus !== 0, "nvcpus in virDomainSetVcpusFlags must not be zero", "DOMAIN");
    await this.call("domainSetVcpusFlags", nvcpus, flags);
  }
  /** `virDomainGetVcpusFlags`. */
  getVcpusFlags(flags = 0): Promise<number> {
    if (flags & VIR.DOMAIN_VCPU_GUEST) this.denyReadOnly("virDomainGetVcpusFlags");
    affectExclusive(flags);
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
    await this.mutate("domainSetVcpu", vcpumap, Number(state), flags);
  }
  /** `virDomainPinVcpuFlags`. */
  async pinVcpuFlags(vcpu: number, cpumap: boolean[], flags = 0): Promise<void> {
    await this.mutate("domainPinVcpuFlags", vcpu, cpumap, flags);
  }
  /** `virDomainGetVcpuPinInfo`: the host CPU map of every vCPU of the live or config definition. */
  getVcpuPinInfo(flags = 0): Promise<boolean[][]> {
    affectExclusive(flags);
    return this.call("domainGetVcpuPinInfo", flags);
  }
  /** `virDomainPinEmulator`: pins the emulator threads to the host CPUs set in `cpumap`. */
  async pinEmulator(cpumap: boolean[], flags = 0): Promise<void> {
    this.denyReadOnly("virDomainPinEmulator");
    checkArg(
      cpumap.length > 0,
      "maplen in virDomainPinEmulator must be greater than zero",
      "DOMAIN",
    );
    await this.call("domainPinEmulator", cpumap, flags);
  }
  /** `virDomainGetEmulatorPinInfo`: the host CPU map of the emulator threads. */
  getEmulatorPinInfo(flags = 0): Promise<boolean[]> {
    affectExclusive(flags);
    return this.call("domainGetEmulatorPinInfo", flags);
  }
  /** `virDomainFSTrim`: discards unused blocks of one mounted file system, or of all. */
  async fsTrim(mountPoint: string | null = null, minimum = 0, flags = 0): Promise<void> {
    await this.mutate("domainFSTrim", mountPoint, minimum, flags);
  }
  /** `virDomainGetFSInfo`: the guest's mounted file systems. */
  getFSInfo(flags = 0): Promise<DomainFSInfo[]> {
    return this.mutate("domainGetFSInfo", flags);
  }
  /** `virDomainSetUserPassword`: sets a guest user's password (ENCRYPTED: already hashed). */
  async setUserPassword(user: string, password: string, flags = 0): Promise<void> {
    await this.mutate("domainSetUserPassword", user, password, flags);
  }
  /** `virDomainSendProcessSignal`: sends `signum` (0 to 64) to guest process `pid`. */
  async sendProcessSignal(pid: number, signum: number, flags = 0): Promise<void> {
    this.denyReadOnly("virDomainSendProcessSignal");
    checkArg(pid !== 0, "pid_value in virDomainSendProcessSignal must not be zero", "DOMAIN");
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
    affectExclusive(flags);
    metadataUriCheck(type, uri, "virDomainGetMetadata");
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
    this.denyReadOnly("virDomainSetMetadata");
    if (type === VIR.DOMAIN_METADATA_TITLE) {
      checkArg(!metadata?.includes("\n"), "metadata title can't contain newlines", "DOMAIN");
    }
    metadataUriCheck(type, uri, "virDomainSetMetadata");
    if (type === VIR.DOMAIN_METADATA_ELEMENT && metadata !== null) {
      checkArg(key !== null, "key in virDomainSetMetadata must not be NULL", "DOMAIN");
    } else if (type === VIR.DOMAIN_METADATA_TITLE || type === VIR.DOMAIN_METADATA_DESCRIPTION) {
      checkArg(key === null, "key in virDomainSetMetadata must be NULL", "DOMAIN");
    }
    await this.call("domainSetMetadata", type, metadata, key, uri, flags);
  }
  /** `virDomainGetMemoryParameters`: `hard_limit`, `soft_limit`, `swap_hard_limit` (KiB). */
  getMemoryParameters(flags = 0): Promise<TypedParams> {
    affectExclusive(flags);
    return this.call("domainGetMemoryParameters", flags);
  }
  /** `virDomainSetMemoryParameters`. */
  async setMemoryParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.mutate("domainSetMemoryParameters", params, flags);
  }
  /** `virDomainGetNumaParameters`: `numa_mode` and `numa_nodeset`. */
  getNumaParameters(flags = 0): Promise<TypedParams> {
    affectExclusive(flags);
    return this.call("domainGetNumaParameters", flags);
  }
  /** `virDomainSetNumaParameters`. */
  async setNumaParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.mutate("domainSetNumaParameters", params, flags);
  }
  /** `virDomainGetBlkioParameters`: the weight and the per-device `path,value,…` lists. */
  getBlkioParameters(flags = 0): Promise<TypedParams> {
    affectExclusive(flags);
    return this.call("domainGetBlkioParameters", flags);
  }
  /** `virDomainSetBlkioParameters`. */
  async setBlkioParameters(params: TypedParams, flags = 0): Promise<void> {
    await this.mutate("domainSetBlkioParameters", params, flags);
  }
  /** `virDomainGetBlockIoTune`: the I/O throttling of disk `disk`. */
  getBlockIoTune(disk: string, flags = 0): Promise<TypedParams> {
    affectExclusive(flags);
    return this.call("domainGetBlockIoTune", disk, flags);
  }
  /** `virDomainSetBlockIoTune`. */
  async setBlockIoTune(disk: string, params: TypedParams, flags = 0): Promise<void> {
    await this.mutate("domainSetBlockIoTune", disk, params, flags);
  }
  /** `virDomainGetInterfaceParameters`: the bandwidth of interface `device` (MAC or name). */
  getInterfaceParameters(device: string, flags = 0): Promise<TypedParams> {
    affectExclusive(flags);
    return this.call("domainGetInterfaceParameters", device, flags);
  }
  /** `virDomainSetInterfaceParameters`. */
  async setInterfaceParameters(device: string, params: TypedParams, flags = 0): Promise<void> {
    await this.mutate("domainSetInterfaceParameters", device, params, flags);
  }
  /** `virDomainGetPerfEvents`: every perf event and whether it is enabled. */
  getPerfEvents(flags = 0): Promise<TypedParams> {
    affectExclusive(flags);
    return this.call("domainGetPerfEvents", flags);
  }
  /** `virDomainSetPerfEvents`. */
  async setPerfEvents(params: TypedParams, flags = 0): Promise<void> {
    await this.mutate("domainSetPerfEvents", params, flags);
  }
  /** `virDomainGetMaxMemory`, KiB. */
  getMaxMemory(): Promise<number> {
    return this.call("domainGetMaxMemory");
  }
  /** `virDomainSetMaxMemory`, KiB. */
  async setMaxMemory(memory: number): Promise<void> {
    this.denyReadOnly("virDomainSetMaxMemory");
    checkArg(memory !== 0, "memory in virDomainSetMaxMemory must not be zero", "DOMAIN");
    await this.call("domainSetMaxMemory", memory);
  }
  /** `virDomainSetMemory`, KiB. */
  async setMemory(memory: number): Promise<void> {
    this.denyReadOnly("virDomainSetMemory");
    checkArg(memory !== 0, "memory in virDomainSetMemory must not be zero", "DOMAIN");
    await this.call(
      { method: "domainSetMemoryFlags", api: "virDomainSetMemory" },
      memory,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetMemoryFlags`, KiB. */
  async setMemoryFlags(memory: number, flags = 0): Promise<void> {
    this.denyReadOnly("virDomainSetMemoryFlags");
    checkArg(memory !== 0, "memory in virDomainSetMemoryFlags must not be zero", "DOMAIN");
    await this.call("domainSetMemoryFlags", memory, flags);
  }
  /** `virDomainGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return this.call("domainGetAutostart");
  }
  /** `virDomainSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.mutate("domainSetAutostart", Boolean(autostart));
  }
  /** `virDomainManagedSave`. */
  async managedSave(flags = 0): Promise<void> {
    this.denyReadOnly("virDomainManagedSave");
    saveFlagsExclusive(flags);
    await this.call("domainManagedSave", flags);
  }
  /** `virDomainHasManagedSaveImage`. */
  hasManagedSaveImage(flags = 0): Promise<boolean> {
    return this.call("domainHasManagedSaveImage", flags);
  }
  /** `virDomainManagedSaveRemove`. */
  async managedSaveRemove(flags = 0): Promise<void> {
    await this.mutate("domainManagedSaveRemove", flags);
  }
  /** `virDomainSave`. */
  save(to: string): Promise<void> {
    return this.saveFlags(to, null, 0);
  }
  /** `virDomainSaveFlags`. */
  async saveFlags(to: string, dxml: string | null = null, flags = 0): Promise<void> {
    this.denyReadOnly("virDomainSaveFlags");
    saveFlagsExclusive(flags);
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
    this.denyReadOnly("virDomainRename");
    checkArg(newName !== "", "string new_name in virDomainRename must not be empty", "DOMAIN");
    const ref = await this.call("domainRename", newName, flags);
    if (ref) this.rebind(ref);
  }
  /** `virDomainGetHostname`. */
  getHostname(flags = 0): Promise<string> {
    return this.call("domainGetHostname", flags);
  }
  /** `virDomainAttachDeviceFlags`. */
  async attachDeviceFlags(xml: string, flags = 0): Promise<void> {
    await this.mutate("domainAttachDeviceFlags", xml, flags);
  }
  /** `virDomainDetachDeviceFlags`. */
  async detachDeviceFlags(xml: string, flags = 0): Promise<void> {
    await this.mutate("domainDetachDeviceFlags", xml, flags);
  }
  /** `virDomainCreateWithFiles`: starts the domain handing it file descriptors. */
  async createWithFiles(files: number[], flags = 0): Promise<void> {
    const ref = await this.mutate("domainCreateWithFiles", files, flags);
    if (ref) this.rebind(ref);
  }
  /**
   * `virDomainSnapshotCreateXML`: CURRENT needs REDEFINE, which excludes NO_METADATA and HALT.
   */
  async snapshotCreateXML(xml: string, flags = 0): Promise<DomainSnapshot> {
    denyReadOnly(this.owner.readonly, "virDomainSnapshotCreateXML", "DOMAIN_SNAPSHOT");
    const f = "DOMAIN_SNAPSHOT";
    const create = (name: string) => `VIR_DOMAIN_SNAPSHOT_CREATE_${name}`;
    const bit = (name: string) => (VIR as Record<string, number>)[`DOMAIN_SNAPSHOT_CREATE_${name}`];
    requireFlag(flags, bit("CURRENT"), bit("REDEFINE"), create("CURRENT"), create("REDEFINE"), f);
    for (const other of ["NO_METADATA", "HALT"]) {
      exclusiveFlags(flags, bit("REDEFINE"), bit(other), create("REDEFINE"), create(other), f);
    }
    return this.#snapshot(
      await callDriver(
        this.owner,
        "DOMAIN_SNAPSHOT",
        "domainSnapshotCreateXML",
        this.ref,
        xml,
        flags,
      ),
    );
  }
  #snapshot(name: string): DomainSnapshot {
    return new DomainSnapshot(this.owner, this.ref, name);
  }
  /** `virDomainSnapshotNum`. */
  snapshotNum(flags = 0): Promise<number> {
    return callDriver(this.owner, "DOMAIN_SNAPSHOT", "domainSnapshotNum", this.ref, flags);
  }
  /** `virDomainSnapshotListNames`. */
  snapshotListNames(flags = 0): Promise<string[]> {
    return callDriver(this.owner, "DOMAIN_SNAPSHOT", "domainSnapshotListNames", this.ref, flags);
  }
  /** `virDomainListAllSnapshots`. */
  async listAllSnapshots(flags = 0): Promise<DomainSnapshot[]> {
    return (await callDriver(
      this.owner,
      "DOMAIN_SNAPSHOT",
      "domainListAllSnapshots",
      this.ref,
      flags,
    )).map((n) => this.#snapshot(n));
  }
  /** `virDomainSnapshotLookupByName`. */
  async snapshotLookupByName(name: string, flags = 0): Promise<DomainSnapshot> {
    return this.#snapshot(
      await callDriver(
        this.owner,
        "DOMAIN_SNAPSHOT",
        "domainSnapshotLookupByName",
        this.ref,
        name,
        flags,
      ),
    );
  }
  /** `virDomainHasCurrentSnapshot`. */
  hasCurrentSnapshot(flags = 0): Promise<boolean> {
    return callDriver(this.owner, "DOMAIN_SNAPSHOT", "domainHasCurrentSnapshot", this.ref, flags);
  }
  /** `virDomainSnapshotCurrent`. */
  async snapshotCurrent(flags = 0): Promise<DomainSnapshot> {
    return this.#snapshot(
      await callDriver(this.owner, "DOMAIN_SNAPSHOT", "domainSnapshotCurrent", this.ref, flags),
    );
  }
  /** `virDomainRevertToSnapshot` of one of this domain's snapshots. */
  revertToSnapshot(snapshot: DomainSnapshot, flags = 0): Promise<void> {
    return snapshot.revert(flags);
  }
  /** `virDomainCheckpointCreateXML`: REDEFINE_VALIDATE needs REDEFINE. */
  async checkpointCreateXML(xml: string, flags = 0): Promise<DomainCheckpoint> {
    denyReadOnly(this.owner.readonly, "virDomainCheckpointCreateXML", "DOMAIN_CHECKPOINT");
    requireFlag(
      flags,
      VIR.DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
      VIR.DOMAIN_CHECKPOINT_CREATE_REDEFINE,
      "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE",
      "VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE",
      "DOMAIN_CHECKPOINT",
    );
    return this.#checkpoint(
      await callDriver(
        this.owner,
        "DOMAIN_CHECKPOINT",
        "domainCheckpointCreateXML",
        this.ref,
        xml,
        flags,
      ),
    );
  }
  #checkpoint(name: string): DomainCheckpoint {
    return new DomainCheckpoint(this.owner, this.ref, name);
  }
  /** `virDomainListAllCheckpoints`. */
  async listAllCheckpoints(flags = 0): Promise<DomainCheckpoint[]> {
    return (await callDriver(
      this.owner,
      "DOMAIN_CHECKPOINT",
      "domainListAllCheckpoints",
      this.ref,
      flags,
    )).map((n) => this.#checkpoint(n));
  }
  /** `virDomainCheckpointLookupByName`. */
  async checkpointLookupByName(name: string, flags = 0): Promise<DomainCheckpoint> {
    return this.#checkpoint(
      await callDriver(
        this.owner,
        "DOMAIN_CHECKPOINT",
        "domainCheckpointLookupByName",
        this.ref,
        name,
        flags,
      ),
    );
  }
}

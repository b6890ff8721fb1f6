import type {
  DomainFSInfo,
  DomainInfo,
  DomainRef,
  DriverConnection,
  SecurityLabel,
  TypedParams,
  VcpuInfo,
} from "../util/driver.ts";
import { VIR } from "../util/constants.ts";
import { VirError } from "../util/errors.ts";
import { checkArg, denyReadOnly, invoke } from "./invoke.ts";

/** What a handle needs from its connection. */
export interface HandleOwner {
  readonly driver: DriverConnection;
  readonly readonly: boolean;
}

function requireFlag(flags: number, flag: number, required: number, fname: string, rname: string) {
  if ((flags & flag) && !(flags & required)) {
    throw VirError.bare("DOMAIN", "INVALID_ARG", `Flag '${rname}' is required by flag '${fname}'`);
  }
}

function exclusiveFlags(flags: number, a: number, b: number, an: string, bn: string) {
  if ((flags & a) && (flags & b)) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      `Flags '${an}' and '${bn}' are mutually exclusive`,
    );
  }
}

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
export class Domain {
  #owner: HandleOwner;
  #ref: DomainRef;

  constructor(owner: HandleOwner, ref: DomainRef) {
    this.#owner = owner;
    this.#ref = { ...ref };
  }

  /** The domain's name (`virDomainGetName`). */
  get name(): string {
    return this.#ref.name;
  }
  /** The domain's UUID string (`virDomainGetUUIDString`). */
  get uuid(): string {
    return this.#ref.uuid;
  }
  /** The id as of lookup or the last start on this handle, -1 if inactive (`virDomainGetID`). */
  get id(): number {
    return this.#ref.id;
  }
  /** The plain reference, as sent over the wire. */
  get ref(): DomainRef {
    return { ...this.#ref };
  }

  #d(): DriverConnection {
    return this.#owner.driver;
  }
  #rw(api: string): void {
    denyReadOnly(this.#owner.readonly, api, "DOMAIN");
  }

  /** `virDomainCreate`. */
  create(): Promise<void> {
    return this.createWithFlags(0);
  }
  /** `virDomainCreateWithFlags`; updates this handle's id. */
  async createWithFlags(flags = 0): Promise<void> {
    this.#rw("virDomainCreateWithFlags");
    const ref = await invoke(
      this.#d(),
      "domainCreateWithFlags",
      "virDomainCreateWithFlags",
      "DOMAIN",
      this.#ref,
      flags,
    );
    if (ref) this.#ref = { ...ref };
  }
  /** `virDomainShutdown`. */
  shutdown(): Promise<void> {
    return this.shutdownFlags(0);
  }
  /** `virDomainShutdownFlags`. */
  async shutdownFlags(flags = 0): Promise<void> {
    this.#rw("virDomainShutdownFlags");
    await invoke(
      this.#d(),
      "domainShutdownFlags",
      "virDomainShutdownFlags",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainReboot`. */
  async reboot(flags = 0): Promise<void> {
    this.#rw("virDomainReboot");
    await invoke(this.#d(), "domainReboot", "virDomainReboot", "DOMAIN", this.#ref, flags);
  }
  /** `virDomainReset`. */
  async reset(flags = 0): Promise<void> {
    this.#rw("virDomainReset");
    await invoke(this.#d(), "domainReset", "virDomainReset", "DOMAIN", this.#ref, flags);
  }
  /** `virDomainDestroy`. */
  destroy(): Promise<void> {
    return this.destroyFlags(0);
  }
  /** `virDomainDestroyFlags`. */
  async destroyFlags(flags = 0): Promise<void> {
    this.#rw("virDomainDestroyFlags");
    await invoke(
      this.#d(),
      "domainDestroyFlags",
      "virDomainDestroyFlags",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainSuspend`. */
  async suspend(): Promise<void> {
    this.#rw("virDomainSuspend");
    await invoke(this.#d(), "domainSuspend", "virDomainSuspend", "DOMAIN", this.#ref);
  }
  /** `virDomainResume`. */
  async resume(): Promise<void> {
    this.#rw("virDomainResume");
    await invoke(this.#d(), "domainResume", "virDomainResume", "DOMAIN", this.#ref);
  }
  /** `virDomainUndefine`. */
  undefine(): Promise<void> {
    return this.undefineFlags(0);
  }
  /** `virDomainUndefineFlags`. */
  async undefineFlags(flags = 0): Promise<void> {
    this.#rw("virDomainUndefineFlags");
    await invoke(
      this.#d(),
      "domainUndefineFlags",
      "virDomainUndefineFlags",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainGetInfo`. */
  getInfo(): Promise<DomainInfo> {
    return invoke(this.#d(), "domainGetInfo", "virDomainGetInfo", "DOMAIN", this.#ref);
  }
  /** `virDomainGetState`: `[state, reason]`. */
  getState(flags = 0): Promise<[number, number]> {
    return invoke(this.#d(), "domainGetState", "virDomainGetState", "DOMAIN", this.#ref, flags);
  }
  /** `virDomainGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    if (flags & VIR.DOMAIN_XML_SECURE) this.#rw("virDomainGetXMLDesc with secure flag");
    return invoke(this.#d(), "domainGetXMLDesc", "virDomainGetXMLDesc", "DOMAIN", this.#ref, flags);
  }
  /** `virDomainGetSecurityLabel`: the label of a running domain, empty when it is shut off. */
  getSecurityLabel(): Promise<SecurityLabel> {
    return invoke(
      this.#d(),
      "domainGetSecurityLabel",
      "virDomainGetSecurityLabel",
      "DOMAIN",
      this.#ref,
    );
  }
  /** `virDomainGetSecurityLabelList`: one label per security driver. */
  getSecurityLabelList(): Promise<SecurityLabel[]> {
    return invoke(
      this.#d(),
      "domainGetSecurityLabelList",
      "virDomainGetSecurityLabelList",
      "DOMAIN",
      this.#ref,
    );
  }
  /** `virDomainGetOSType`. */
  getOSType(): Promise<string> {
    return invoke(this.#d(), "domainGetOSType", "virDomainGetOSType", "DOMAIN", this.#ref);
  }
  /** `virDomainSetVcpus`. */
  async setVcpus(nvcpus: number): Promise<void> {
    this.#rw("virDomainSetVcpus");
    checkArg(nvcpus !== 0, "nvcpus in virDomainSetVcpus must not be zero", "DOMAIN");
    await invoke(
      this.#d(),
      "domainSetVcpusFlags",
      "virDomainSetVcpus",
      "DOMAIN",
      this.#ref,
      nvcpus,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetVcpusFlags`. */
  async setVcpusFlags(nvcpus: number, flags = 0): Promise<void> {
    this.#rw("virDomainSetVcpusFlags");
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
    await invoke(
      this.#d(),
      "domainSetVcpusFlags",
      "virDomainSetVcpusFlags",
      "DOMAIN",
      this.#ref,
      nvcpus,
      flags,
    );
  }
  /** `virDomainGetVcpusFlags`. */
  getVcpusFlags(flags = 0): Promise<number> {
    if (flags & VIR.DOMAIN_VCPU_GUEST) this.#rw("virDomainGetVcpusFlags");
    affectExclusive(flags);
    return invoke(
      this.#d(),
      "domainGetVcpusFlags",
      "virDomainGetVcpusFlags",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainGetMaxVcpus`. */
  getMaxVcpus(): Promise<number> {
    return invoke(this.#d(), "domainGetMaxVcpus", "virDomainGetMaxVcpus", "DOMAIN", this.#ref);
  }
  /**
   * `virDomainGetCPUStats`: typed parameters per host CPU from `startCpu` on, or the domain's
   * totals with `startCpu` -1 and `ncpus` 1 (one record).
   */
  getCPUStats(startCpu = -1, ncpus = 1, flags = 0): Promise<TypedParams[]> {
    return invoke(
      this.#d(),
      "domainGetCPUStats",
      "virDomainGetCPUStats",
      "DOMAIN",
      this.#ref,
      startCpu,
      ncpus,
      flags,
    );
  }
  /** `virDomainGetVcpus`: per-vCPU info and CPU maps. */
  getVcpus(): Promise<{ info: VcpuInfo[]; cpumaps: boolean[][] }> {
    return invoke(this.#d(), "domainGetVcpus", "virDomainGetVcpus", "DOMAIN", this.#ref);
  }
  /** `virDomainSetVcpu`: enable or disable the vCPUs in `vcpumap` (e.g. `"1,3-4"`). */
  async setVcpu(vcpumap: string, state: boolean | number, flags = 0): Promise<void> {
    this.#rw("virDomainSetVcpu");
    await invoke(
      this.#d(),
      "domainSetVcpu",
      "virDomainSetVcpu",
      "DOMAIN",
      this.#ref,
      vcpumap,
      Number(state),
      flags,
    );
  }
  /** `virDomainPinVcpuFlags`. */
  async pinVcpuFlags(vcpu: number, cpumap: boolean[], flags = 0): Promise<void> {
    this.#rw("virDomainPinVcpuFlags");
    await invoke(
      this.#d(),
      "domainPinVcpuFlags",
      "virDomainPinVcpuFlags",
      "DOMAIN",
      this.#ref,
      vcpu,
      cpumap,
      flags,
    );
  }
  /** `virDomainGetVcpuPinInfo`: the host CPU map of every vCPU of the live or config definition. */
  getVcpuPinInfo(flags = 0): Promise<boolean[][]> {
    affectExclusive(flags);
    return invoke(
      this.#d(),
      "domainGetVcpuPinInfo",
      "virDomainGetVcpuPinInfo",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainPinEmulator`: pins the emulator threads to the host CPUs set in `cpumap`. */
  async pinEmulator(cpumap: boolean[], flags = 0): Promise<void> {
    this.#rw("virDomainPinEmulator");
    checkArg(
      cpumap.length > 0,
      "maplen in virDomainPinEmulator must be greater than zero",
      "DOMAIN",
    );
    await invoke(
      this.#d(),
      "domainPinEmulator",
      "virDomainPinEmulator",
      "DOMAIN",
      this.#ref,
      cpumap,
      flags,
    );
  }
  /** `virDomainGetEmulatorPinInfo`: the host CPU map of the emulator threads. */
  getEmulatorPinInfo(flags = 0): Promise<boolean[]> {
    affectExclusive(flags);
    return invoke(
      this.#d(),
      "domainGetEmulatorPinInfo",
      "virDomainGetEmulatorPinInfo",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainFSTrim`: discards unused blocks of one mounted file system, or of all. */
  async fsTrim(mountPoint: string | null = null, minimum = 0, flags = 0): Promise<void> {
    this.#rw("virDomainFSTrim");
    await invoke(
      this.#d(),
      "domainFSTrim",
      "virDomainFSTrim",
      "DOMAIN",
      this.#ref,
      mountPoint,
      minimum,
      flags,
    );
  }
  /** `virDomainGetFSInfo`: the guest's mounted file systems. */
  getFSInfo(flags = 0): Promise<DomainFSInfo[]> {
    this.#rw("virDomainGetFSInfo");
    return invoke(this.#d(), "domainGetFSInfo", "virDomainGetFSInfo", "DOMAIN", this.#ref, flags);
  }
  /** `virDomainSetUserPassword`: sets a guest user's password (ENCRYPTED: already hashed). */
  async setUserPassword(user: string, password: string, flags = 0): Promise<void> {
    this.#rw("virDomainSetUserPassword");
    await invoke(
      this.#d(),
      "domainSetUserPassword",
      "virDomainSetUserPassword",
      "DOMAIN",
      this.#ref,
      user,
      password,
      flags,
    );
  }
  /** `virDomainSendProcessSignal`: sends `signum` (0 to 64) to guest process `pid`. */
  async sendProcessSignal(pid: number, signum: number, flags = 0): Promise<void> {
    this.#rw("virDomainSendProcessSignal");
    checkArg(pid !== 0, "pid_value in virDomainSendProcessSignal must not be zero", "DOMAIN");
    await invoke(
      this.#d(),
      "domainSendProcessSignal",
      "virDomainSendProcessSignal",
      "DOMAIN",
      this.#ref,
      pid,
      signum,
      flags,
    );
  }
  /** `virDomainGetMessages`: deprecation and tainting messages of the domain. */
  getMessages(flags = 0): Promise<string[]> {
    return invoke(
      this.#d(),
      "domainGetMessages",
      "virDomainGetMessages",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainGetMaxMemory`, KiB. */
  getMaxMemory(): Promise<number> {
    return invoke(this.#d(), "domainGetMaxMemory", "virDomainGetMaxMemory", "DOMAIN", this.#ref);
  }
  /** `virDomainSetMaxMemory`, KiB. */
  async setMaxMemory(memory: number): Promise<void> {
    this.#rw("virDomainSetMaxMemory");
    checkArg(memory !== 0, "memory in virDomainSetMaxMemory must not be zero", "DOMAIN");
    await invoke(
      this.#d(),
      "domainSetMaxMemory",
      "virDomainSetMaxMemory",
      "DOMAIN",
      this.#ref,
      memory,
    );
  }
  /** `virDomainSetMemory`, KiB. */
  async setMemory(memory: number): Promise<void> {
    this.#rw("virDomainSetMemory");
    checkArg(memory !== 0, "memory in virDomainSetMemory must not be zero", "DOMAIN");
    await invoke(
      this.#d(),
      "domainSetMemoryFlags",
      "virDomainSetMemory",
      "DOMAIN",
      this.#ref,
      memory,
      VIR.DOMAIN_AFFECT_LIVE,
    );
  }
  /** `virDomainSetMemoryFlags`, KiB. */
  async setMemoryFlags(memory: number, flags = 0): Promise<void> {
    this.#rw("virDomainSetMemoryFlags");
    checkArg(memory !== 0, "memory in virDomainSetMemoryFlags must not be zero", "DOMAIN");
    await invoke(
      this.#d(),
      "domainSetMemoryFlags",
      "virDomainSetMemoryFlags",
      "DOMAIN",
      this.#ref,
      memory,
      flags,
    );
  }
  /** `virDomainGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return invoke(this.#d(), "domainGetAutostart", "virDomainGetAutostart", "DOMAIN", this.#ref);
  }
  /** `virDomainSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    this.#rw("virDomainSetAutostart");
    await invoke(
      this.#d(),
      "domainSetAutostart",
      "virDomainSetAutostart",
      "DOMAIN",
      this.#ref,
      Boolean(autostart),
    );
  }
  /** `virDomainManagedSave`. */
  async managedSave(flags = 0): Promise<void> {
    this.#rw("virDomainManagedSave");
    saveFlagsExclusive(flags);
    await invoke(
      this.#d(),
      "domainManagedSave",
      "virDomainManagedSave",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainHasManagedSaveImage`. */
  hasManagedSaveImage(flags = 0): Promise<boolean> {
    return invoke(
      this.#d(),
      "domainHasManagedSaveImage",
      "virDomainHasManagedSaveImage",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainManagedSaveRemove`. */
  async managedSaveRemove(flags = 0): Promise<void> {
    this.#rw("virDomainManagedSaveRemove");
    await invoke(
      this.#d(),
      "domainManagedSaveRemove",
      "virDomainManagedSaveRemove",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainSave`. */
  save(to: string): Promise<void> {
    return this.saveFlags(to, null, 0);
  }
  /** `virDomainSaveFlags`. */
  async saveFlags(to: string, dxml: string | null = null, flags = 0): Promise<void> {
    this.#rw("virDomainSaveFlags");
    saveFlagsExclusive(flags);
    await invoke(
      this.#d(),
      "domainSaveFlags",
      "virDomainSaveFlags",
      "DOMAIN",
      this.#ref,
      to,
      dxml,
      flags,
    );
  }
  /** `virDomainIsActive`. */
  isActive(): Promise<boolean> {
    return invoke(this.#d(), "domainIsActive", "virDomainIsActive", "DOMAIN", this.#ref);
  }
  /** `virDomainIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return invoke(this.#d(), "domainIsPersistent", "virDomainIsPersistent", "DOMAIN", this.#ref);
  }
  /** `virDomainIsUpdated`. */
  isUpdated(): Promise<boolean> {
    return invoke(this.#d(), "domainIsUpdated", "virDomainIsUpdated", "DOMAIN", this.#ref);
  }
  /** `virDomainRename`; this handle takes the new name. */
  async rename(newName: string, flags = 0): Promise<void> {
    this.#rw("virDomainRename");
    checkArg(newName !== "", "string new_name in virDomainRename must not be empty", "DOMAIN");
    const ref = await invoke(
      this.#d(),
      "domainRename",
      "virDomainRename",
      "DOMAIN",
      this.#ref,
      newName,
      flags,
    );
    if (ref) this.#ref = { ...ref };
  }
  /** `virDomainGetHostname`. */
  getHostname(flags = 0): Promise<string> {
    return invoke(
      this.#d(),
      "domainGetHostname",
      "virDomainGetHostname",
      "DOMAIN",
      this.#ref,
      flags,
    );
  }
  /** `virDomainAttachDeviceFlags`. */
  async attachDeviceFlags(xml: string, flags = 0): Promise<void> {
    this.#rw("virDomainAttachDeviceFlags");
    await invoke(
      this.#d(),
      "domainAttachDeviceFlags",
      "virDomainAttachDeviceFlags",
      "DOMAIN",
      this.#ref,
      xml,
      flags,
    );
  }
  /** `virDomainDetachDeviceFlags`. */
  async detachDeviceFlags(xml: string, flags = 0): Promise<void> {
    this.#rw("virDomainDetachDeviceFlags");
    await invoke(
      this.#d(),
      "domainDetachDeviceFlags",
      "virDomainDetachDeviceFlags",
      "DOMAIN",
      this.#ref,
      xml,
      flags,
    );
  }
}

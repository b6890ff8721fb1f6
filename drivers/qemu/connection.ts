/**
 * The `DriverConnection` of `qemu:///session` and `qemu:///system`: libvirt's QEMU driver
 * entry points (`qemu_driver.c`) over the shared {@link QemuDriverState}.
 *
 * @module
 */
import { migrateStartPostCopy } from "./api/migration_postcopy.ts";
import { setBlockThreshold } from "./api/block_threshold.ts";
import {
  getCompressionCache,
  getMaxDowntime,
  getMaxSpeed,
  setCompressionCache,
  setMaxDowntime,
  setMaxSpeed,
} from "./api/migration_tunables.ts";
import { formatDomainXML } from "../../conf/domain/mod.ts";
import { parseBitmap } from "../../conf/domain/bitmap.ts";
import { VIR } from "../../util/constants.ts";
import type {
  DomainBlockInfo,
  DomainFSInfo,
  DomainInfo,
  DomainIOThreadInfo,
  DomainRef,
  DomainStatsRecord,
  DriverConnection,
  DriverEvent,
  DriverHistogramFamily,
  DriverStream,
  MigrateBeginResult,
  MigrateCookie,
  MigrateFinishResult,
  MigratePrepareResult,
  NodeDeviceRef,
  NodeInfo,
  PeerOpener,
  SecurityLabel,
  SecurityModel,
  TypedParams,
  VcpuInfo,
} from "../../util/driver.ts";
import { hostName, hostNodeInfo } from "../../util/host_info.ts";
import { LIBVIRT_VERSION } from "../../util/lib_version.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import {
  checkActive,
  getDefs,
  getOneDef,
  isActive,
  persistentDef,
  refOf,
} from "../../conf/objects/domain_obj.ts";
import { DOMAIN_LIST_FILTERS_ALL } from "../../conf/objects/domain_obj_list.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import type { QemuDriverState } from "./driver_state.ts";
import { setVcpusMaxConfig, type VcpuConfig } from "./hotplug/config.ts";
import { setVcpuInternal, setVcpusInternal } from "./hotplug/vcpu_change.ts";
import { applyVcpusToDef, countOnline, vcpusFromDef } from "./hotplug/vcpu_model.ts";
import {
  cpuMap,
  emulatorPinInfo,
  pinEmulator,
  pinIOThread,
  pinVcpu,
  vcpuPinInfo,
} from "./pinning.ts";
import { powerButton, resetDomain } from "./power_ops.ts";
import { openConsole } from "./console.ts";
import { openChannel } from "./channel.ts";
import { domainMessages } from "./taint.ts";
import { screenshot } from "./screenshot.ts";
import { threadAffinity } from "./process/affinity.ts";
import { domainInterfaceAddresses } from "./net/api.ts";
import * as hostApi from "./api/host_node.ts";
import * as pciApi from "./api/host_pci.ts";
import { procStat } from "./api/stats_proc.ts";
import * as statsApi from "./api/stats_domain.ts";
import * as schedApi from "./api/sched.ts";
import * as memtuneApi from "./api/memtune.ts";
import * as blkioApi from "./api/blkio.ts";
import * as ifaceParamsApi from "./api/interface_params.ts";
import { allDomainStats } from "./api/stats_all.ts";
import { startDirtyRateCalc } from "./api/dirty_rate.ts";
import { capabilitiesXML } from "./api/host_caps.ts";
import { connectSysinfo } from "./api/host_sysinfo.ts";
import { domainCapabilitiesXML } from "./api/host_domcaps.ts";
import { attachDevice } from "./api/device_attach.ts";
import { detachDevice } from "./api/device_detach.ts";
import { detachDeviceAlias } from "./api/device_detach_alias.ts";
import { restoreParams, saveParams } from "./api/state_save_params.ts";
import { updateDevice } from "./api/device_update.ts";
import { blockResize, setMemory, setMemoryStatsPeriod } from "./api/state_memory.ts";
import {
  abortJob,
  abortJobFlags,
  controlInfo,
  jobInfo,
  jobStats,
  migratingOut,
} from "./api/state_job.ts";
import {
  destroyPreparedBy,
  migrateBegin,
  migrateConfirm,
  migrateFinish,
  migratePerform,
  migratePrepare,
} from "./api/migration.ts";
import { DRV_FEATURE } from "../../util/drv_feature.ts";
import { domainGetMetadata, domainSetMetadata } from "./api/metadata.ts";
import { domainSetLifecycleAction } from "./api/lifecycle_set.ts";
import { injectNMI, sendKey } from "./api/guest_input.ts";
import {
  managedSaveDefineXML,
  managedSaveXML,
  saveImageDefineXML,
} from "./api/state_save_define.ts";
import { getPerfEvents, setPerfEventsFlags } from "./api/perf_events.ts";
import { renameDomain } from "./api/rename.ts";
import { blockPeek, memoryPeek } from "./api/peek.ts";
import { diskErrors } from "./api/disk_errors.ts";
import { blockInfo } from "./api/block_info.ts";
import { ioThreadInfo } from "./api/iothread_info.ts";
import { addIOThread, delIOThread, setIOThreadParams } from "./api/iothread_change.ts";
import { getBlockIoTune, setBlockIoTune } from "./api/block_iotune.ts";
import { getNumaParameters, setNumaParameters } from "./api/numa_params.ts";
import {
  blockCommit,
  blockJobAbort,
  blockJobInfo,
  blockJobSetSpeed,
  blockPull,
} from "./api/block_job.ts";
import { blockCopy, blockRebaseCopy, parseCopyDest } from "./api/block_copy.ts";
import {
  hasManagedSave,
  managedSave,
  removeManagedSave,
  restoreDomain,
  saveDomain,
  saveImageXML,
  startFromManagedSave,
  undefineManagedSave,
} from "./api/state_save.ts";
import { coreDumpWithFormat } from "./api/state_dump.ts";
import { createSnapshot, deleteSnapshot, revertSnapshot } from "./api/state_snapshot.ts";
import { snapshotReads } from "./api/state_snapshot_list.ts";
import { undefineSnapshots } from "./api/state_snapshot_store.ts";
import { checkpointCalls } from "./api/checkpoint.ts";
import { backupCalls } from "./api/backup.ts";
import { undefineCheckpoints } from "./api/checkpoint_store.ts";
import { checkUndefineFlags, undefineNvram } from "./nvram.ts";
import { cleanupSwtpmState } from "./swtpm.ts";
import * as agentApi from "./agent/agent_api.ts";
import { getAuthorizedSSHKeys, setAuthorizedSSHKeys } from "./agent/ssh_keys.ts";
import { baselineCpu, compareCpu, hostCpu } from "./api/host_cpu.ts";
import { baselineHypervisorCpu, compareHypervisorCpu } from "./api/host_cpu_hyp.ts";
import { getGuestInfo } from "./agent/guest_info.ts";

const E = VIR;
const AFFECT = E.DOMAIN_AFFECT_LIVE | E.DOMAIN_AFFECT_CONFIG;

/**
 * The features `qemuConnectSupportsFeature` answers yes to, less what edgevirt's driver does
 * not do: version 2 (peer-to-peer only where the host gave a way to open the destination); plus libvirt's global string typed parameters and network
 * update order, as the test driver answers them.
 */
const MIGRATION_FEATURES: ReadonlySet<number> = new Set([
  DRV_FEATURE.MIGRATION_V3,
  DRV_FEATURE.MIGRATION_PARAMS,
  DRV_FEATURE.MIGRATION_OFFLINE,
  DRV_FEATURE.MIGRATE_CHANGE_PROTECTION,
  DRV_FEATURE.XML_MIGRATABLE,
  DRV_FEATURE.TYPED_PARAM_STRING,
  DRV_FEATURE.NETWORK_UPDATE_HAS_CORRECT_ORDER,
]);

/**
 * One connection; several share a state.
 *
 * @example
 * ```ts
 * import { QemuConnection } from "./connection.ts";
 * import type { QemuDriverState } from "./driver_state.ts";
 * declare const state: QemuDriverState;
 * const conn = new QemuConnection(state, "qemu:///session", () => Promise.resolve());
 * ```
 */
export class QemuConnection implements DriverConnection {
  readonly type = "QEMU";
  #s: QemuDriverState;
  #uri: string;
  #release: () => Promise<void>;
  #offs = new Set<() => void>();
  /** The snapshot read calls (qdev). */
  #snaps: ReturnType<typeof snapshotReads>;
  /** The checkpoint calls. */
  #chks: ReturnType<typeof checkpointCalls>;
  /** The backup calls. */
  #backups: ReturnType<typeof backupCalls>;

  /** The host's way to open a migration's destination (peer-to-peer), if it gave one. */
  #openPeer?: PeerOpener;

  constructor(
    state: QemuDriverState,
    uri: string,
    release: () => Promise<void>,
    openPeer?: PeerOpener,
  ) {
    this.#openPeer = openPeer;
    this.#s = state;
    this.#uri = uri;
    this.#release = release;
    this.#snaps = snapshotReads(state, (ref) => this.#obj(ref));
    this.#chks = checkpointCalls(state, (ref) => this.#obj(ref));
    this.#backups = backupCalls(state, (ref) => this.#obj(ref));
  }

  subscribe(listener: (ev: DriverEvent) => void): () => void {
    const off = this.#s.events.on(listener);
    this.#offs.add(off);
    return () => {
      off();
      this.#offs.delete(off);
    };
  }

  async connectClose(): Promise<void> {
    for (const off of this.#offs) off();
    // libvirt's close callbacks: what this connection prepared for a migration goes with it.
    await destroyPreparedBy(this.#s, this);
    await this.#release();
  }

  connectGetURI(): Promise<string> {
    return Promise.resolve(this.#uri);
  }

  connectGetVersion(): Promise<number> {
    return this.#s.emulatorVersion();
  }

  connectGetHostname(): Promise<string> {
    return Promise.resolve(hostName());
  }

  connectGetLibVersion(): Promise<number> {
    return Promise.resolve(LIBVIRT_VERSION);
  }

  // qemuConnectIsSecure: the driver runs inside the daemon, so nothing travels between them.
  connectIsSecure(): Promise<boolean> {
    return Promise.resolve(true);
  }

  connectIsEncrypted(): Promise<boolean> {
    return Promise.resolve(false);
  }

  connectIsAlive(): Promise<boolean> {
    return Promise.resolve(true);
  }

  nodeGetInfo(): Promise<NodeInfo> {
    return Promise.resolve().then(hostNodeInfo);
  }

  connectNumOfDomains(): Promise<number> {
    return Promise.resolve(this.#s.domains.activeIDs().length);
  }

  connectListDomains(): Promise<number[]> {
    return Promise.resolve(this.#s.domains.activeIDs());
  }

  connectNumOfDefinedDomains(): Promise<number> {
    return Promise.resolve(this.#s.domains.inactiveNames().length);
  }

  connectListDefinedDomains(): Promise<string[]> {
    return Promise.resolve(this.#s.domains.inactiveNames());
  }

  connectListAllDomains(flags: number): Promise<DomainRef[]> {
    return Promise.resolve().then(() => {
      checkFlags(flags, DOMAIN_LIST_FILTERS_ALL, "qemuConnectListAllDomains", "QEMU");
      return this.#s.domains.export(flags).map(refOf);
    });
  }

  domainLookupByName(name: string): Promise<DomainRef> {
    return this.#found(this.#s.domains.findByName(name), `name '${name}'`);
  }

  domainLookupByUUID(uuid: string): Promise<DomainRef> {
    return this.#found(this.#s.domains.findByUUID(uuid), `uuid '${uuid}'`);
  }

  domainLookupByID(id: number): Promise<DomainRef> {
    return this.#found(this.#s.domains.findByID(id), `id ${id}`);
  }

  /** A lookup's result: the domain found, or libvirt's NO_DOMAIN error naming `what` was asked. */
  #found(obj: QemuDomainObj | undefined, what: string): Promise<DomainRef> {
    return Promise.resolve().then(() =>
      refOf(orNotFound(obj, "QEMU", "NO_DOMAIN", `no domain with matching ${what}`))
    );
  }

  #obj(dom: DomainRef): QemuDomainObj {
    return this.#s.domains.fromRef(dom, "QEMU");
  }

  driverMetrics(): DriverHistogramFamily[] {
    return [this.#s.monitorLatency.family()];
  }

  // ---- guest agent ------------------------------------------------------------------------

  domainGetHostname(dom: DomainRef, flags: number): Promise<string> {
    return Promise.resolve().then(() => agentApi.getHostname(this.#s, this.#obj(dom), flags));
  }

  domainGetTime(dom: DomainRef, flags: number): Promise<{ seconds: number; nseconds: number }> {
    return Promise.resolve().then(() => agentApi.getTime(this.#obj(dom), flags));
  }

  domainSetTime(dom: DomainRef, seconds: number, nseconds: number, flags: number): Promise<void> {
    return Promise.resolve().then(() => agentApi.setTime(this.#obj(dom), seconds, nseconds, flags));
  }

  domainFSFreeze(dom: DomainRef, mountpoints: string[], flags: number): Promise<number> {
    return Promise.resolve().then(() => agentApi.fsFreeze(this.#obj(dom), mountpoints, flags));
  }

  domainFSThaw(dom: DomainRef, mountpoints: string[], flags: number): Promise<number> {
    return Promise.resolve().then(() => agentApi.fsThaw(this.#obj(dom), mountpoints, flags));
  }

  domainFSTrim(
    dom: DomainRef,
    mountPoint: string | null,
    minimum: number,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      agentApi.fsTrim(this.#obj(dom), mountPoint, minimum, flags)
    );
  }

  domainGetFSInfo(dom: DomainRef, flags: number): Promise<DomainFSInfo[]> {
    return Promise.resolve().then(() => agentApi.getFSInfo(this.#obj(dom), flags));
  }

  domainSetUserPassword(
    dom: DomainRef,
    user: string,
    password: string,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      agentApi.setUserPassword(this.#obj(dom), user, password, flags)
    );
  }

  domainAuthorizedSSHKeysGet(dom: DomainRef, user: string, flags: number): Promise<string[]> {
    return Promise.resolve().then(() => getAuthorizedSSHKeys(this.#obj(dom), user, flags));
  }

  domainAuthorizedSSHKeysSet(
    dom: DomainRef,
    user: string,
    keys: string[],
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() => setAuthorizedSSHKeys(this.#obj(dom), user, keys, flags));
  }

  domainGetGuestVcpus(dom: DomainRef, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => agentApi.getGuestVcpus(this.#obj(dom), flags));
  }

  domainSetGuestVcpus(
    dom: DomainRef,
    cpumap: string,
    state: number,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      agentApi.setGuestVcpus(this.#obj(dom), cpumap, state, flags)
    );
  }

  domainGetGuestInfo(dom: DomainRef, types: number, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => getGuestInfo(this.#obj(dom), types, flags));
  }

  domainPMSuspendForDuration(
    dom: DomainRef,
    target: number,
    duration: number,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      agentApi.pmSuspend(this.#obj(dom), target, duration, flags)
    );
  }

  /** `qemuDomainPMWakeup`: QEMU wakes a suspended guest (`system_wakeup`). */
  async domainPMWakeup(dom: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 0, "qemuDomainPMWakeup", "QEMU");
    const obj = this.#obj(dom);
    await obj.job.run(async () => {
      checkActive(obj);
      await obj.proc!.monitor.run("system_wakeup");
    });
  }

  domainQemuAgentCommand(
    dom: DomainRef,
    cmd: string,
    timeout: number,
    flags: number,
  ): Promise<string> {
    return Promise.resolve().then(() =>
      agentApi.arbitraryCommand(this.#s, this.#obj(dom), cmd, timeout, flags)
    );
  }

  domainAgentSetResponseTimeout(dom: DomainRef, timeout: number, flags: number): Promise<void> {
    return Promise.resolve().then(() =>
      agentApi.setResponseTimeout(this.#s, this.#obj(dom), timeout, flags)
    );
  }

  domainScreenshot(dom: DomainRef, screen: number, flags: number): Promise<DriverStream> {
    return Promise.resolve().then(() =>
      screenshot(this.#obj(dom), this.#s.paths.runDir, screen, flags)
    );
  }

  domainOpenConsole(dom: DomainRef, devName: string | null, flags: number): Promise<DriverStream> {
    return Promise.resolve().then(() => openConsole(this.#obj(dom), devName, flags));
  }

  domainGetMessages(dom: DomainRef, flags: number): Promise<string[]> {
    return Promise.resolve().then(() => domainMessages(this.#obj(dom).taints, flags));
  }

  domainOpenChannel(dom: DomainRef, name: string | null, flags: number): Promise<DriverStream> {
    return Promise.resolve().then(() => openChannel(this.#obj(dom), name, flags));
  }

  async domainDefineXMLFlags(xml: string, flags: number): Promise<DomainRef> {
    checkFlags(flags, E.DOMAIN_DEFINE_VALIDATE, "qemuDomainDefineXMLFlags", "QEMU");
    const def = this.#s.parseNew(xml, flags);
    const { obj, oldDef } = this.#s.domains.add(def, { live: false, checkLive: false });
    const wasPersistent = obj.persistent;
    obj.persistent = true;
    try {
      await this.#s.saveConfig(obj);
    } catch (err) {
      // libvirt's qemuDomainDefineXMLFlags: without its file on disk the definition is undone,
      // the one it replaced comes back and a domain it created goes.
      if (isActive(obj)) obj.newDef = oldDef;
      else if (oldDef) obj.def = oldDef;
      else this.#s.domains.remove(obj);
      obj.persistent = wasPersistent;
      throw err;
    }
    this.#s.emit(
      obj,
      E.DOMAIN_EVENT_DEFINED,
      oldDef ? E.DOMAIN_EVENT_DEFINED_UPDATED : E.DOMAIN_EVENT_DEFINED_ADDED,
    );
    return refOf(obj);
  }

  async domainCreateXML(xml: string, flags: number): Promise<DomainRef> {
    checkFlags(
      flags,
      E.DOMAIN_START_PAUSED | E.DOMAIN_START_RESET_NVRAM,
      "qemuDomainCreateXML",
      "QEMU",
    );
    const { obj } = this.#s.domains.add(this.#s.parseNew(xml), { live: true, checkLive: true });
    await obj.job.run(() => this.#s.start(obj, flags));
    return refOf(obj);
  }

  async domainUndefineFlags(dom: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 0x7f, "qemuDomainUndefineFlags", "QEMU");
    checkUndefineFlags(flags);
    const obj = this.#obj(dom);
    if (!obj.persistent) {
      throw VirError.report("QEMU", "OPERATION_INVALID", "cannot undefine transient domain");
    }
    await undefineSnapshots(this.#s, obj, flags);
    await undefineCheckpoints(this.#s, obj, flags);
    await undefineManagedSave(this.#s, obj, flags);
    await undefineNvram(obj.def, this.#s.paths.nvramDir, flags);
    await this.#s.deleteConfig(obj);
    this.#s.emit(obj, E.DOMAIN_EVENT_UNDEFINED, E.DOMAIN_EVENT_UNDEFINED_REMOVED);
    if (isActive(obj)) obj.persistent = false;
    else {
      this.#s.domains.remove(obj);
      // qemuDomainRemoveInactive with the undefine's flags (a running domain's TPM state is
      // decided when it stops, without them, as libvirt's).
      await cleanupSwtpmState(obj.def, this.#s.paths.configDir, flags);
    }
  }

  async domainCreateWithFlags(dom: DomainRef, flags: number): Promise<DomainRef> {
    checkFlags(
      flags,
      E.DOMAIN_START_PAUSED | E.DOMAIN_START_RESET_NVRAM,
      "qemuDomainCreateWithFlags",
      "QEMU",
    );
    const obj = this.#obj(dom);
    await obj.job.run(async () => {
      if (!(await startFromManagedSave(this.#s, obj, flags))) await this.#s.start(obj, flags);
    });
    return refOf(obj);
  }

  async domainDestroyFlags(dom: DomainRef, flags: number): Promise<void> {
    checkFlags(flags, 1, "qemuDomainDestroyFlags", "QEMU");
    const obj = this.#obj(dom);
    checkActive(obj);
    // Not queued behind the job: destroy must work while an unplug waits.
    await this.#s.destroy(obj);
  }

  domainShutdownFlags(dom: DomainRef, flags: number): Promise<void> {
    const allowed = E.DOMAIN_SHUTDOWN_ACPI_POWER_BTN | E.DOMAIN_SHUTDOWN_GUEST_AGENT;
    const press = (obj: QemuDomainObj) => powerButton(obj, flags, false);
    return this.#power(dom, flags, allowed, "qemuDomainShutdownFlags", press);
  }

  domainReboot(dom: DomainRef, flags: number): Promise<void> {
    const allowed = E.DOMAIN_REBOOT_ACPI_POWER_BTN | E.DOMAIN_REBOOT_GUEST_AGENT;
    const press = (obj: QemuDomainObj) => powerButton(obj, flags, true);
    return this.#power(dom, flags, allowed, "qemuDomainReboot", press);
  }

  domainReset(dom: DomainRef, flags: number): Promise<void> {
    return this.#power(dom, flags, 0, "qemuDomainReset", resetDomain);
  }

  /** Shutdown, reboot, reset: `api`'s flag check, then `op` on the domain, then its status saved. */
  async #power(
    dom: DomainRef,
    flags: number,
    allowed: number,
    api: string,
    op: (obj: QemuDomainObj) => Promise<void>,
  ): Promise<void> {
    checkFlags(flags, allowed, api, "QEMU");
    const obj = this.#obj(dom);
    await op(obj);
    await this.#s.saveStatus(obj);
  }

  domainSuspend(dom: DomainRef): Promise<void> {
    const pause = async (obj: QemuDomainObj) => {
      obj.pausedReason = E.DOMAIN_PAUSED_USER;
      await obj.proc!.monitor.stop();
    };
    const obj = this.#obj(dom);
    // An outgoing migration holds the job; libvirt lets a suspend through (virsh migrate
    // --timeout), and the migration goes on with the vCPUs stopped.
    if (migratingOut(obj)) {
      return obj.state === E.DOMAIN_PAUSED ? Promise.resolve() : pause(obj);
    }
    return this.#pauseOrResume(dom, E.DOMAIN_PAUSED, pause);
  }

  domainResume(dom: DomainRef): Promise<void> {
    return this.#pauseOrResume(dom, E.DOMAIN_RUNNING, async (obj) => {
      obj.runningReason = E.DOMAIN_RUNNING_UNPAUSED;
      await obj.proc!.monitor.cont();
    });
  }

  /** Suspend, resume: in a job, an active domain not already in state `target` gets `change`. */
  async #pauseOrResume(
    dom: DomainRef,
    target: number,
    change: (obj: QemuDomainObj) => Promise<void>,
  ): Promise<void> {
    const obj = this.#obj(dom);
    await obj.job.run(async () => {
      checkActive(obj);
      if (obj.state === target) return;
      await change(obj);
      await this.#s.saveStatus(obj);
    });
  }

  domainGetInfo(dom: DomainRef): Promise<DomainInfo> {
    const obj = this.#obj(dom);
    statsApi.updateCurrentMemorySize(obj);
    const def = obj.vcpus ? this.#s.liveDefinition(obj) : obj.def;
    return Promise.resolve({
      state: obj.state,
      maxMem: def.memory.total,
      memory: def.memory.current,
      nrVirtCpu: def.vcpu.current,
      cpuTime: (obj.proc && procStat(obj.proc.pid)?.cpuTime) || 0,
    });
  }

  domainGetOSType(dom: DomainRef): Promise<string> {
    return Promise.resolve().then(() => this.#obj(dom).def.os.type);
  }

  domainGetMaxMemory(dom: DomainRef): Promise<number> {
    return Promise.resolve().then(() => this.#obj(dom).def.memory.total);
  }

  /** `vm->updated`: nothing in this driver changes a live definition behind the domain's back. */
  domainIsUpdated(dom: DomainRef): Promise<boolean> {
    return Promise.resolve().then(() => (this.#obj(dom), false));
  }

  domainGetControlInfo(
    dom: DomainRef,
    flags: number,
  ): Promise<{ state: number; details: number; stateTime: number }> {
    return Promise.resolve().then(() => controlInfo(this.#obj(dom), flags));
  }

  /**
   * The "none" security driver's label (`virSecurityNopGetProcessLabel` leaves it empty): an
   * inactive domain's too, as libvirt's `qemuDomainGetSecurityLabel` answers.
   */
  domainGetSecurityLabel(dom: DomainRef): Promise<SecurityLabel> {
    return Promise.resolve().then(() => {
      this.#obj(dom);
      return { label: "", enforcing: false };
    });
  }

  /** One label per nested security driver (only "none" here) of a running domain, else none. */
  domainGetSecurityLabelList(dom: DomainRef): Promise<SecurityLabel[]> {
    return Promise.resolve().then(() =>
      isActive(this.#obj(dom)) ? [{ label: "", enforcing: false }] : []
    );
  }

  /** `qemuDomainGetLaunchSecurityInfo`: SEV domains only, which this driver refuses to start. */
  domainGetLaunchSecurityInfo(dom: DomainRef, _flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => {
      this.#obj(dom);
      return {};
    });
  }

  domainGetMetadata(
    dom: DomainRef,
    type: number,
    uri: string | null,
    flags: number,
  ): Promise<string> {
    return Promise.resolve().then(() => domainGetMetadata(this.#obj(dom), type, uri, flags));
  }

  domainSetMetadata(
    dom: DomainRef,
    type: number,
    metadata: string | null,
    key: string | null,
    uri: string | null,
    flags: number,
  ): Promise<void> {
    return domainSetMetadata(this.#s, this.#obj(dom), type, metadata, key, uri, flags);
  }

  domainSetLifecycleAction(
    dom: DomainRef,
    type: number,
    action: number,
    flags: number,
  ): Promise<void> {
    return domainSetLifecycleAction(this.#s, this.#obj(dom), type, action, flags);
  }

  domainSendKey(
    dom: DomainRef,
    codeset: number,
    holdtime: number,
    keycodes: number[],
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      sendKey(this.#obj(dom), codeset, holdtime, keycodes, flags)
    );
  }

  domainInjectNMI(dom: DomainRef, flags: number): Promise<void> {
    return Promise.resolve().then(() => injectNMI(this.#obj(dom), flags));
  }

  domainRename(dom: DomainRef, newName: string, flags: number): Promise<DomainRef> {
    return Promise.resolve().then(() => renameDomain(this.#s, this.#obj(dom), newName, flags));
  }

  domainGetState(dom: DomainRef, flags: number): Promise<[number, number]> {
    checkFlags(flags, 0, "qemuDomainGetState", "QEMU");
    const obj = this.#obj(dom);
    return Promise.resolve([obj.state, obj.reason]);
  }

  domainGetXMLDesc(dom: DomainRef, flags: number): Promise<string> {
    checkFlags(flags, 0x1f, "qemuDomainGetXMLDesc", "QEMU");
    const obj = this.#obj(dom);
    statsApi.updateCurrentMemorySize(obj);
    const def = (flags & E.DOMAIN_XML_INACTIVE) && obj.newDef
      ? obj.newDef
      : isActive(obj)
      ? this.#s.liveDefinition(obj)
      : obj.def;
    return Promise.resolve(formatDomainXML(def, flags));
  }

  domainIsActive(dom: DomainRef): Promise<boolean> {
    return Promise.resolve(isActive(this.#obj(dom)));
  }

  domainIsPersistent(dom: DomainRef): Promise<boolean> {
    return Promise.resolve(this.#obj(dom).persistent);
  }

  domainGetAutostart(dom: DomainRef): Promise<boolean> {
    return Promise.resolve(this.#obj(dom).autostart);
  }

  async domainSetAutostart(dom: DomainRef, autostart: boolean): Promise<void> {
    const obj = this.#obj(dom);
    if (!obj.persistent) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "cannot set autostart for transient domain",
      );
    }
    await this.#s.setAutostart(obj, autostart);
  }

  // ---- vCPUs -------------------------------------------------------------------------------

  async domainSetVcpusFlags(dom: DomainRef, nvcpus: number, flags: number): Promise<void> {
    checkFlags(
      flags,
      E.DOMAIN_AFFECT_LIVE | E.DOMAIN_AFFECT_CONFIG | E.DOMAIN_VCPU_MAXIMUM | E.DOMAIN_VCPU_GUEST |
        E.DOMAIN_VCPU_HOTPLUGGABLE,
      "qemuDomainSetVcpusFlags",
      "QEMU",
    );
    const obj = this.#obj(dom);
    if (flags & E.DOMAIN_VCPU_GUEST) {
      // qemuDomainSetVcpusAgent: the guest's business, in the agent job instead of the domain's.
      getDefs(obj, flags);
      const enabled = obj.vcpus ? countOnline(obj.vcpus.ctx.vm.vcpus) : obj.def.vcpu.current;
      return await agentApi.setGuestVcpuCount(obj, nvcpus, enabled);
    }
    await obj.job.run(async () => {
      const { live, config } = getDefs(obj, flags);
      const cfg = config ? vcpusFromDef(config) : undefined;
      if (flags & E.DOMAIN_VCPU_MAXIMUM) {
        if (live) {
          throw VirError.report(
            "QEMU",
            "INVALID_ARG",
            "maximum vcpu count of a live domain can't be modified",
          );
        }
        const t = config!.cpu?.topology;
        if (t && t.sockets * t.dies * t.cores * t.threads !== nvcpus) {
          throw VirError.report(
            "QEMU",
            "INVALID_ARG",
            "CPU topology doesn't match the desired vcpu count",
          );
        }
        setVcpusMaxConfig(cfg!, nvcpus);
        return await this.#saveConfigVcpus(obj, cfg!);
      }
      const hotpluggable = (flags & E.DOMAIN_VCPU_HOTPLUGGABLE) !== 0;
      const ctx = live ? obj.vcpus!.ctx : undefined;
      await this.#live(
        obj,
        live !== undefined,
        () => setVcpusInternal(ctx, cfg, nvcpus, hotpluggable),
      );
      if (cfg) await this.#saveConfigVcpus(obj, cfg);
    });
  }

  async domainSetVcpu(
    dom: DomainRef,
    vcpumap: string,
    state: number,
    flags: number,
  ): Promise<void> {
    checkFlags(flags, AFFECT, "qemuDomainSetVcpu", "QEMU");
    const map = parseBitmap(vcpumap);
    if (!map.length) {
      throw VirError.report("QEMU", "INVALID_ARG", "no vcpus selected for modification");
    }
    const on = state !== 0;
    const obj = this.#obj(dom);
    await obj.job.run(async () => {
      const { live, config } = getDefs(obj, flags);
      const cfg = config ? vcpusFromDef(config) : undefined;
      const ctx = live ? obj.vcpus!.ctx : undefined;
      await this.#live(obj, live !== undefined, () => setVcpuInternal(ctx, cfg, map, on));
      if (cfg) await this.#saveConfigVcpus(obj, cfg);
    });
  }

  domainGetVcpusFlags(dom: DomainRef, flags: number): Promise<number> {
    checkFlags(
      flags,
      E.DOMAIN_AFFECT_LIVE | E.DOMAIN_AFFECT_CONFIG | E.DOMAIN_VCPU_MAXIMUM | E.DOMAIN_VCPU_GUEST,
      "qemuDomainGetVcpusFlags",
      "QEMU",
    );
    const obj = this.#obj(dom);
    const { def, live } = getOneDef(obj, flags);
    if (flags & E.DOMAIN_VCPU_GUEST) {
      return agentApi.getGuestVcpuCount(obj, (flags & E.DOMAIN_VCPU_MAXIMUM) !== 0);
    }
    const vcpus = live ? obj.vcpus!.ctx.vm.vcpus : vcpusFromDef(def).vcpus;
    return Promise.resolve(flags & E.DOMAIN_VCPU_MAXIMUM ? vcpus.length : countOnline(vcpus));
  }

  domainGetMaxVcpus(dom: DomainRef): Promise<number> {
    return this.domainGetVcpusFlags(dom, E.DOMAIN_AFFECT_LIVE | E.DOMAIN_VCPU_MAXIMUM);
  }

  domainGetVcpus(dom: DomainRef): Promise<{ info: VcpuInfo[]; cpumaps: boolean[][] }> {
    const obj = this.#obj(dom);
    if (!isActive(obj)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "cannot list vcpus for an inactive domain",
      );
    }
    const pid = obj.proc!.pid;
    const info: VcpuInfo[] = [];
    const cpumaps: boolean[][] = [];
    obj.vcpus!.ctx.vm.vcpus.forEach((v, number) => {
      if (!v.online) return;
      const stat = v.priv.tid ? procStat(pid, v.priv.tid) : undefined;
      info.push({
        number,
        state: E.VCPU_RUNNING,
        cpuTime: stat?.cpuTime ?? 0,
        cpu: stat?.lastCpu ?? -1,
      });
      // What the thread may really run on; without a thread, what it is pinned to.
      cpumaps.push(cpuMap((v.priv.tid ? threadAffinity(pid, v.priv.tid) : undefined) ?? v.cpumask));
    });
    return Promise.resolve({ info, cpumaps });
  }

  async domainPinVcpuFlags(
    dom: DomainRef,
    vcpu: number,
    cpumap: boolean[],
    flags: number,
  ): Promise<void> {
    checkFlags(flags, AFFECT, "qemuDomainPinVcpuFlags", "QEMU");
    const obj = this.#obj(dom);
    await obj.job.run(() => pinVcpu(this.#s, obj, vcpu, cpumap, flags));
  }

  domainGetVcpuPinInfo(dom: DomainRef, flags: number): Promise<boolean[][]> {
    checkFlags(flags, AFFECT, "qemuDomainGetVcpuPinInfo", "QEMU");
    return Promise.resolve(vcpuPinInfo(this.#s, this.#obj(dom), flags));
  }

  async domainPinEmulator(dom: DomainRef, cpumap: boolean[], flags: number): Promise<void> {
    checkFlags(flags, AFFECT, "qemuDomainPinEmulator", "QEMU");
    const obj = this.#obj(dom);
    await obj.job.run(() => pinEmulator(this.#s, obj, cpumap, flags));
  }

  domainGetEmulatorPinInfo(dom: DomainRef, flags: number): Promise<boolean[]> {
    checkFlags(flags, AFFECT, "qemuDomainGetEmulatorPinInfo", "QEMU");
    return Promise.resolve(emulatorPinInfo(this.#s, this.#obj(dom), flags));
  }

  // ---- qnic: NICs on the host's networks ---------------------------------------------------

  async domainInterfaceAddresses(
    dom: DomainRef,
    source: number,
    flags: number,
  ): Promise<unknown[]> {
    return await domainInterfaceAddresses(this.#s, this.#obj(dom), source, flags);
  }

  // ---- qdev: live device changes and state (bodies in api/device_*.ts, api/state_*.ts) ----

  domainAttachDeviceFlags(dom: DomainRef, xml: string, flags: number): Promise<void> {
    return attachDevice(this.#s, this.#obj(dom), xml, flags);
  }

  domainDetachDeviceFlags(dom: DomainRef, xml: string, flags: number): Promise<void> {
    return detachDevice(this.#s, this.#obj(dom), xml, flags);
  }

  domainDetachDeviceAlias(dom: DomainRef, alias: string, flags: number): Promise<void> {
    return detachDeviceAlias(this.#s, this.#obj(dom), alias, flags);
  }

  /** `qemuDomainAttachDevice`: the live domain's. */
  domainAttachDevice(dom: DomainRef, xml: string): Promise<void> {
    return this.domainAttachDeviceFlags(dom, xml, E.DOMAIN_AFFECT_LIVE);
  }

  /** `qemuDomainDetachDevice`: the live domain's. */
  domainDetachDevice(dom: DomainRef, xml: string): Promise<void> {
    return this.domainDetachDeviceFlags(dom, xml, E.DOMAIN_AFFECT_LIVE);
  }

  domainUpdateDeviceFlags(dom: DomainRef, xml: string, flags: number): Promise<void> {
    return updateDevice(this.#s, this.#obj(dom), xml, flags);
  }

  domainSetMemoryFlags(dom: DomainRef, memory: number, flags: number): Promise<void> {
    return setMemory(this.#s, this.#obj(dom), memory, flags);
  }

  domainSetMaxMemory(dom: DomainRef, memory: number): Promise<void> {
    return setMemory(this.#s, this.#obj(dom), memory, E.DOMAIN_MEM_MAXIMUM);
  }

  domainSetMemoryStatsPeriod(dom: DomainRef, period: number, flags: number): Promise<void> {
    return setMemoryStatsPeriod(this.#s, this.#obj(dom), period, flags);
  }

  domainBlockResize(dom: DomainRef, disk: string, size: number, flags: number): Promise<void> {
    return blockResize(this.#obj(dom), disk, size, flags);
  }

  domainSaveFlags(dom: DomainRef, to: string, dxml: string | null, flags: number): Promise<void> {
    return saveDomain(this.#s, this.#obj(dom), to, dxml ?? undefined, flags);
  }

  domainRestoreFlags(from: string, dxml: string | null, flags: number): Promise<void> {
    return restoreDomain(this.#s, from, dxml ?? undefined, flags).then(() => {});
  }

  domainSaveParams(dom: DomainRef, params: TypedParams, flags: number): Promise<void> {
    return saveParams(this.#s, this.#obj(dom), params, flags);
  }

  domainRestoreParams(params: TypedParams, flags: number): Promise<void> {
    return restoreParams(this.#s, params, flags);
  }

  domainSaveImageGetXMLDesc(file: string, flags: number): Promise<string> {
    return saveImageXML(this.#s, file, flags);
  }

  domainSaveImageDefineXML(file: string, dxml: string, flags: number): Promise<void> {
    return saveImageDefineXML(this.#s, file, dxml, flags);
  }

  domainManagedSaveGetXMLDesc(dom: DomainRef, flags: number): Promise<string> {
    return Promise.resolve().then(() => managedSaveXML(this.#s, this.#obj(dom), flags));
  }

  domainManagedSaveDefineXML(dom: DomainRef, dxml: string, flags: number): Promise<void> {
    return Promise.resolve().then(() => managedSaveDefineXML(this.#s, this.#obj(dom), dxml, flags));
  }

  domainManagedSave(dom: DomainRef, flags: number): Promise<void> {
    return managedSave(this.#s, this.#obj(dom), flags);
  }

  domainHasManagedSaveImage(dom: DomainRef, flags: number): Promise<boolean> {
    return hasManagedSave(this.#s, this.#obj(dom), flags);
  }

  domainManagedSaveRemove(dom: DomainRef, flags: number): Promise<void> {
    return removeManagedSave(this.#s, this.#obj(dom), flags);
  }

  domainCoreDumpWithFormat(
    dom: DomainRef,
    to: string,
    format: number,
    flags: number,
  ): Promise<void> {
    return coreDumpWithFormat(this.#s, this.#obj(dom), to, format, flags);
  }

  domainGetJobInfo(dom: DomainRef): Promise<TypedParams> {
    return jobInfo(this.#obj(dom));
  }

  domainGetJobStats(dom: DomainRef, flags: number): Promise<TypedParams> {
    return jobStats(this.#obj(dom), flags);
  }

  domainAbortJob(dom: DomainRef): Promise<void> {
    return abortJob(this.#obj(dom));
  }

  domainSetBlockThreshold(
    dom: DomainRef,
    dev: string,
    threshold: number,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() => setBlockThreshold(this.#obj(dom), dev, threshold, flags));
  }

  domainAbortJobFlags(dom: DomainRef, flags: number): Promise<void> {
    return Promise.resolve().then(() => abortJobFlags(this.#obj(dom), flags));
  }

  // ---- migration tunables (migration_tunables.ts) ------------------------------------------

  domainMigrateSetMaxDowntime(dom: DomainRef, downtime: number, flags: number): Promise<void> {
    return Promise.resolve().then(() => setMaxDowntime(this.#obj(dom), downtime, flags));
  }

  domainMigrateGetMaxDowntime(dom: DomainRef, flags: number): Promise<number> {
    return Promise.resolve().then(() => getMaxDowntime(this.#obj(dom), flags));
  }

  domainMigrateGetCompressionCache(dom: DomainRef, flags: number): Promise<number> {
    return Promise.resolve().then(() => getCompressionCache(this.#obj(dom), flags));
  }

  domainMigrateSetCompressionCache(
    dom: DomainRef,
    cacheSize: number,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() => setCompressionCache(this.#obj(dom), cacheSize, flags));
  }

  domainMigrateSetMaxSpeed(dom: DomainRef, bandwidth: number, flags: number): Promise<void> {
    return Promise.resolve().then(() => setMaxSpeed(this.#obj(dom), bandwidth, flags));
  }

  domainMigrateGetMaxSpeed(dom: DomainRef, flags: number): Promise<number> {
    return Promise.resolve().then(() => getMaxSpeed(this.#obj(dom), flags));
  }

  // ---- migration (version 3 with parameters; the client runs the steps) --------------------

  /** virDrvFeature: the migration protocol this driver speaks (`qemuConnectSupportsFeature`). */
  connectSupportsFeature(feature: number): Promise<boolean> {
    const p2p = feature === DRV_FEATURE.MIGRATION_P2P && this.#openPeer !== undefined;
    return Promise.resolve(p2p || MIGRATION_FEATURES.has(feature));
  }

  domainMigrateBegin3Params(
    dom: DomainRef,
    params: TypedParams,
    flags: number,
  ): Promise<MigrateBeginResult> {
    return migrateBegin(this.#s, this.#obj(dom), params, flags, this);
  }

  domainMigratePrepare3Params(
    params: TypedParams,
    cookiein: string | null,
    flags: number,
  ): Promise<MigratePrepareResult> {
    return migratePrepare(this.#s, params, cookiein, flags, this);
  }

  domainMigratePerform3Params(
    dom: DomainRef,
    dconnuri: string | null,
    params: TypedParams,
    cookiein: string | null,
    flags: number,
  ): Promise<MigrateCookie> {
    return migratePerform(
      this.#s,
      this.#obj(dom),
      dconnuri,
      params,
      cookiein,
      flags,
      this.#openPeer,
    );
  }

  domainMigrateFinish3Params(
    params: TypedParams,
    cookiein: string | null,
    flags: number,
    cancelled: number,
  ): Promise<MigrateFinishResult> {
    return migrateFinish(this.#s, params, cookiein, flags, cancelled);
  }

  domainMigrateConfirm3Params(
    dom: DomainRef,
    params: TypedParams,
    cookiein: string | null,
    flags: number,
    cancelled: number,
  ): Promise<void> {
    return migrateConfirm(this.#s, this.#obj(dom), params, cookiein, flags, cancelled);
  }

  domainMigrateStartPostCopy(dom: DomainRef, flags: number): Promise<void> {
    return migrateStartPostCopy(this.#obj(dom), flags);
  }

  domainBlockCommit(
    dom: DomainRef,
    disk: string,
    base: string | null,
    top: string | null,
    bandwidth: number,
    flags: number,
  ): Promise<void> {
    return blockCommit(this.#s, this.#obj(dom), disk, base, top, bandwidth, flags);
  }

  async domainBlockPull(
    dom: DomainRef,
    disk: string,
    bandwidth: number,
    flags: number,
  ): Promise<void> {
    // qemuDomainBlockPull is BlockRebase without a base; its BANDWIDTH_BYTES is the same bit.
    checkFlags(flags, E.DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES, "qemuDomainBlockPull", "QEMU");
    return await blockPull(this.#s, this.#obj(dom), disk, null, bandwidth, flags);
  }

  domainBlockRebase(
    dom: DomainRef,
    disk: string,
    base: string | null,
    bandwidth: number,
    flags: number,
  ): Promise<void> {
    if (flags & E.DOMAIN_BLOCK_REBASE_COPY) {
      return blockRebaseCopy(this.#s, this.#obj(dom), disk, base!, bandwidth, flags);
    }
    return blockPull(this.#s, this.#obj(dom), disk, base, bandwidth, flags);
  }

  domainBlockCopy(
    dom: DomainRef,
    disk: string,
    destxml: string,
    params: TypedParams,
    flags: number,
  ): Promise<void> {
    return blockCopy(this.#s, this.#obj(dom), disk, parseCopyDest(destxml), params, flags);
  }

  domainGetBlockJobInfo(dom: DomainRef, disk: string, flags: number): Promise<TypedParams> {
    return blockJobInfo(this.#obj(dom), disk, flags);
  }

  domainBlockJobSetSpeed(
    dom: DomainRef,
    disk: string,
    bandwidth: number,
    flags: number,
  ): Promise<void> {
    return blockJobSetSpeed(this.#obj(dom), disk, bandwidth, flags);
  }

  domainBlockJobAbort(dom: DomainRef, disk: string, flags: number): Promise<void> {
    return blockJobAbort(this.#s, this.#obj(dom), disk, flags);
  }

  domainSnapshotCreateXML(dom: DomainRef, xml: string, flags: number): Promise<string> {
    return createSnapshot(this.#s, this.#obj(dom), xml, flags);
  }

  domainRevertToSnapshot(dom: DomainRef, name: string, flags: number): Promise<void> {
    return revertSnapshot(this.#s, this.#obj(dom), name, flags);
  }

  domainSnapshotDelete(dom: DomainRef, name: string, flags: number): Promise<void> {
    return deleteSnapshot(this.#s, this.#obj(dom), name, flags);
  }

  domainSnapshotNum(dom: DomainRef, flags: number): Promise<number> {
    return this.#snaps.domainSnapshotNum(dom, flags);
  }

  domainSnapshotListNames(dom: DomainRef, flags: number): Promise<string[]> {
    return this.#snaps.domainSnapshotListNames(dom, flags);
  }

  domainListAllSnapshots(dom: DomainRef, flags: number): Promise<string[]> {
    return this.#snaps.domainListAllSnapshots(dom, flags);
  }

  domainSnapshotNumChildren(dom: DomainRef, name: string, flags: number): Promise<number> {
    return this.#snaps.domainSnapshotNumChildren(dom, name, flags);
  }

  domainSnapshotListChildrenNames(dom: DomainRef, name: string, flags: number): Promise<string[]> {
    return this.#snaps.domainSnapshotListChildrenNames(dom, name, flags);
  }

  domainSnapshotListAllChildren(dom: DomainRef, name: string, flags: number): Promise<string[]> {
    return this.#snaps.domainSnapshotListAllChildren(dom, name, flags);
  }

  domainSnapshotLookupByName(dom: DomainRef, name: string, flags: number): Promise<string> {
    return this.#snaps.domainSnapshotLookupByName(dom, name, flags);
  }

  domainHasCurrentSnapshot(dom: DomainRef, flags: number): Promise<boolean> {
    return this.#snaps.domainHasCurrentSnapshot(dom, flags);
  }

  domainSnapshotGetParent(dom: DomainRef, name: string, flags: number): Promise<string> {
    return this.#snaps.domainSnapshotGetParent(dom, name, flags);
  }

  domainSnapshotCurrent(dom: DomainRef, flags: number): Promise<string> {
    return this.#snaps.domainSnapshotCurrent(dom, flags);
  }

  domainSnapshotGetXMLDesc(dom: DomainRef, name: string, flags: number): Promise<string> {
    return this.#snaps.domainSnapshotGetXMLDesc(dom, name, flags);
  }

  domainSnapshotIsCurrent(dom: DomainRef, name: string, flags: number): Promise<boolean> {
    return this.#snaps.domainSnapshotIsCurrent(dom, name, flags);
  }

  domainSnapshotHasMetadata(dom: DomainRef, name: string, flags: number): Promise<boolean> {
    return this.#snaps.domainSnapshotHasMetadata(dom, name, flags);
  }

  domainCheckpointCreateXML(dom: DomainRef, xml: string, flags: number): Promise<string> {
    return this.#chks.domainCheckpointCreateXML(dom, xml, flags);
  }

  domainListAllCheckpoints(dom: DomainRef, flags: number): Promise<string[]> {
    return this.#chks.domainListAllCheckpoints(dom, flags);
  }

  domainCheckpointGetXMLDesc(dom: DomainRef, name: string, flags: number): Promise<string> {
    return this.#chks.domainCheckpointGetXMLDesc(dom, name, flags);
  }

  domainCheckpointDelete(dom: DomainRef, name: string, flags: number): Promise<void> {
    return this.#chks.domainCheckpointDelete(dom, name, flags);
  }

  domainCheckpointListAllChildren(dom: DomainRef, name: string, flags: number): Promise<string[]> {
    return this.#chks.domainCheckpointListAllChildren(dom, name, flags);
  }

  domainCheckpointLookupByName(dom: DomainRef, name: string, flags: number): Promise<string> {
    return this.#chks.domainCheckpointLookupByName(dom, name, flags);
  }

  domainCheckpointGetParent(dom: DomainRef, name: string, flags: number): Promise<string> {
    return this.#chks.domainCheckpointGetParent(dom, name, flags);
  }

  domainBackupBegin(
    dom: DomainRef,
    backupXML: string,
    checkpointXML: string | null,
    flags: number,
  ): Promise<void> {
    return this.#backups.domainBackupBegin(dom, backupXML, checkpointXML, flags);
  }

  domainBackupGetXMLDesc(dom: DomainRef, flags: number): Promise<string> {
    return this.#backups.domainBackupGetXMLDesc(dom, flags);
  }

  // ---- end of qdev ---------------------------------------------------------------------------

  /** Runs a vCPU change; a live one saves the status whatever the outcome. */
  async #live(obj: QemuDomainObj, live: boolean, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } finally {
      if (live) await this.#s.saveStatus(obj);
    }
  }

  async #saveConfigVcpus(obj: QemuDomainObj, cfg: VcpuConfig): Promise<void> {
    applyVcpusToDef(persistentDef(obj), cfg.vcpus, cfg.individual);
    await this.#s.saveConfig(obj);
  }

  // ---- qobs: host introspection and observability (bodies in api/host_*, stats_*, events_*) --

  nodeGetCPUStats(cpuNum: number, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => hostApi.nodeCPUStats(cpuNum, flags));
  }

  nodeGetMemoryStats(cellNum: number, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => hostApi.nodeMemoryStats(cellNum, flags));
  }

  nodeGetMemoryParameters(flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => hostApi.nodeMemoryParameters(flags));
  }

  nodeSetMemoryParameters(params: TypedParams, flags: number): Promise<void> {
    return Promise.resolve().then(() =>
      hostApi.setNodeMemoryParameters(params, flags, this.#s.privileged)
    );
  }

  nodeGetCPUMap(flags: number): Promise<{ map: boolean[]; online: number }> {
    return Promise.resolve().then(() => hostApi.nodeCPUMap(flags));
  }

  nodeGetCellsFreeMemory(startCell: number, maxCells: number): Promise<number[]> {
    return Promise.resolve().then(() => hostApi.nodeCellsFreeMemory(startCell, maxCells));
  }

  nodeGetFreeMemory(): Promise<number> {
    return Promise.resolve().then(hostApi.nodeFreeMemory);
  }

  connectGetDomainCapabilities(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    flags: number,
  ): Promise<string> {
    return domainCapabilitiesXML(this.#s, emulator, arch, machine, virttype, flags);
  }

  nodeDeviceDettach(dev: NodeDeviceRef): Promise<void> {
    return pciApi.detachFlags(this.#s, dev, null, 0);
  }

  nodeDeviceDetachFlags(dev: NodeDeviceRef, driverName: string | null, flags: number) {
    return pciApi.detachFlags(this.#s, dev, driverName, flags);
  }

  nodeDeviceReAttach(dev: NodeDeviceRef): Promise<void> {
    return pciApi.reAttach(this.#s, dev);
  }

  nodeDeviceReset(dev: NodeDeviceRef): Promise<void> {
    return pciApi.reset(this.#s, dev);
  }

  connectGetSysinfo(flags: number): Promise<string> {
    return connectSysinfo(this.#s, flags);
  }

  connectGetCapabilities(): Promise<string> {
    return capabilitiesXML(this.#s);
  }

  nodeGetFreePages(
    pages: number[],
    startCell: number,
    cellCount: number,
    flags: number,
  ): Promise<number[]> {
    return Promise.resolve().then(() => hostApi.nodeFreePages(pages, startCell, cellCount, flags));
  }

  nodeGetSecurityModel(): Promise<SecurityModel> {
    return Promise.resolve(hostApi.nodeSecurityModel());
  }

  connectCompareCPU(xmlDesc: string, flags: number): Promise<number> {
    return Promise.resolve().then(() => compareCpu(hostCpu(), xmlDesc, flags));
  }

  connectBaselineCPU(xmlCPUs: string[], flags: number): Promise<string> {
    return Promise.resolve().then(() => baselineCpu(xmlCPUs, flags));
  }

  connectCompareHypervisorCPU(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    xmlCPU: string,
    flags: number,
  ): Promise<number> {
    return compareHypervisorCpu(this.#s, { emulator, arch, machine, virttype }, xmlCPU, flags);
  }

  connectBaselineHypervisorCPU(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    xmlCPUs: string[],
    flags: number,
  ): Promise<string> {
    return baselineHypervisorCpu(
      this.#s,
      { emulator, arch, machine, virttype },
      xmlCPUs,
      flags,
    );
  }

  connectGetCPUModelNames(arch: string, flags: number): Promise<string[]> {
    return Promise.resolve().then(() => hostApi.connectCPUModelNames(arch, flags));
  }

  connectGetMaxVcpus(type?: string | null): Promise<number> {
    return Promise.resolve().then(() => hostApi.connectMaxVcpus(type));
  }

  domainGetIOThreadInfo(dom: DomainRef, flags: number): Promise<DomainIOThreadInfo[]> {
    return Promise.resolve().then(() => ioThreadInfo(this.#obj(dom), flags));
  }

  async domainAddIOThread(dom: DomainRef, id: number, flags: number): Promise<void> {
    await addIOThread(this.#s, this.#obj(dom), id, flags);
  }

  async domainDelIOThread(dom: DomainRef, id: number, flags: number): Promise<void> {
    await delIOThread(this.#s, this.#obj(dom), id, flags);
  }

  async domainPinIOThread(
    dom: DomainRef,
    id: number,
    cpumap: boolean[],
    flags: number,
  ): Promise<void> {
    checkFlags(flags, AFFECT, "qemuDomainPinIOThread", "QEMU");
    const obj = this.#obj(dom);
    await obj.job.run(() => pinIOThread(this.#s, obj, id, cpumap, flags));
  }

  async domainSetIOThreadParams(
    dom: DomainRef,
    id: number,
    params: TypedParams,
    flags: number,
  ): Promise<void> {
    await setIOThreadParams(this.#s, this.#obj(dom), id, params, flags);
  }

  domainGetBlockInfo(dom: DomainRef, disk: string, flags: number): Promise<DomainBlockInfo> {
    return Promise.resolve().then(() => blockInfo(this.#obj(dom), disk, flags));
  }

  domainGetBlockIoTune(dom: DomainRef, disk: string, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => getBlockIoTune(this.#obj(dom), disk, flags));
  }

  domainSetBlockIoTune(
    dom: DomainRef,
    disk: string,
    params: TypedParams,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      setBlockIoTune(this.#s, this.#obj(dom), disk, params, flags)
    );
  }

  domainGetDiskErrors(dom: DomainRef, flags: number): Promise<Record<string, number>> {
    return Promise.resolve().then(() => diskErrors(this.#obj(dom), flags));
  }

  domainBlockPeek(
    dom: DomainRef,
    disk: string,
    offset: number,
    size: number,
    flags: number,
  ): Promise<number[]> {
    return Promise.resolve().then(() => blockPeek(this.#obj(dom), disk, offset, size, flags));
  }

  domainMemoryPeek(dom: DomainRef, start: number, size: number, flags: number): Promise<number[]> {
    return Promise.resolve().then(() => memoryPeek(this.#s, this.#obj(dom), start, size, flags));
  }

  domainBlockStats(dom: DomainRef, disk: string): Promise<TypedParams> {
    return statsApi.blockStats(this.#obj(dom), disk);
  }

  domainBlockStatsFlags(dom: DomainRef, disk: string, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => statsApi.blockStatsFlags(this.#obj(dom), disk, flags));
  }

  domainInterfaceStats(dom: DomainRef, device: string): Promise<TypedParams> {
    return Promise.resolve().then(() => statsApi.interfaceStats(this.#obj(dom), device));
  }

  domainMemoryStats(dom: DomainRef, flags: number): Promise<Record<string, number>> {
    return statsApi.memoryStats(this.#obj(dom), flags);
  }

  domainGetCPUStats(
    dom: DomainRef,
    startCpu: number,
    ncpus: number,
    flags: number,
  ): Promise<TypedParams[]> {
    return Promise.resolve().then(() => statsApi.cpuStats(this.#obj(dom), startCpu, ncpus, flags));
  }

  domainGetSchedulerType(dom: DomainRef): Promise<[string, number]> {
    return Promise.resolve().then(() => schedApi.schedulerType(this.#s, this.#obj(dom)));
  }

  domainGetSchedulerParametersFlags(dom: DomainRef, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() =>
      schedApi.getSchedulerParameters(this.#s, this.#obj(dom), flags)
    );
  }

  domainSetSchedulerParametersFlags(
    dom: DomainRef,
    params: TypedParams,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      schedApi.setSchedulerParameters(this.#s, this.#obj(dom), params, flags)
    );
  }

  domainGetMemoryParameters(dom: DomainRef, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() =>
      memtuneApi.getMemoryParameters(this.#s, this.#obj(dom), flags)
    );
  }

  domainSetMemoryParameters(dom: DomainRef, params: TypedParams, flags: number): Promise<void> {
    return Promise.resolve().then(() =>
      memtuneApi.setMemoryParameters(this.#s, this.#obj(dom), params, flags)
    );
  }

  domainGetBlkioParameters(dom: DomainRef, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() =>
      blkioApi.getBlkioParameters(this.#s, this.#obj(dom), flags)
    );
  }

  domainSetBlkioParameters(dom: DomainRef, params: TypedParams, flags: number): Promise<void> {
    return Promise.resolve().then(() => blkioApi.setBlkio(this.#s, this.#obj(dom), params, flags));
  }

  domainGetInterfaceParameters(
    dom: DomainRef,
    device: string,
    flags: number,
  ): Promise<TypedParams> {
    return Promise.resolve().then(() =>
      ifaceParamsApi.getInterfaceParameters(this.#obj(dom), device, flags)
    );
  }

  domainSetInterfaceParameters(
    dom: DomainRef,
    device: string,
    params: TypedParams,
    flags: number,
  ): Promise<void> {
    return Promise.resolve().then(() =>
      ifaceParamsApi.setInterfaceParameters(this.#s, this.#obj(dom), device, params, flags)
    );
  }

  domainGetNumaParameters(dom: DomainRef, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => getNumaParameters(this.#obj(dom), flags));
  }

  domainSetNumaParameters(dom: DomainRef, params: TypedParams, flags: number): Promise<void> {
    return Promise.resolve().then(() => setNumaParameters(this.#s, this.#obj(dom), params, flags));
  }

  domainGetPerfEvents(dom: DomainRef, flags: number): Promise<TypedParams> {
    return Promise.resolve().then(() => getPerfEvents(this.#obj(dom), flags));
  }

  domainSetPerfEvents(dom: DomainRef, params: TypedParams, flags: number): Promise<void> {
    return Promise.resolve().then(() => setPerfEventsFlags(this.#s, this.#obj(dom), params, flags));
  }

  domainStartDirtyRateCalc(dom: DomainRef, seconds: number, flags: number): Promise<void> {
    return Promise.resolve().then(() => startDirtyRateCalc(this.#obj(dom), seconds, flags));
  }

  connectGetAllDomainStats(stats: number, flags: number): Promise<DomainStatsRecord[]> {
    return allDomainStats(this.#s, stats, flags);
  }
}

/**
 * The contract of the hypervisor family: the connection, the host, domains, their snapshots and checkpoints, as libvirt's `src/driver-hypervisor.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_DOMAIN` unless one says otherwise.
 *
 * @module
 */
import { VIR } from "../constants.ts";
import { a, c, type CallTable, r } from "./declare.ts";
import {
  allCellsOrCpus,
  blockRebaseCheck,
  cpuStatsRangeCheck,
  dumpFormatCheck,
  emptyParamsAreNull,
  getMetadataCheck,
  lifecycleActionCheck,
  memoryOverflowCheck,
  remoteCpuStatsCount,
  remoteMaxCells,
  remotePagesCells,
  remotePeekSize,
  sendKeyCheck,
  setMetadataCheck,
} from "./custom_checks.ts";
import type {
  DomainBlockInfo,
  DomainFSInfo,
  DomainInfo,
  DomainIOThreadInfo,
  DomainStatsRecord,
  NodeInfo,
  SecurityLabel,
  SecurityModel,
  TypedParams,
  VcpuInfo,
} from "./types.ts";

/**
 * A pinning call (vCPU, emulator, IOThread): the domain, what `lead` names, a CPU map that
 * must be given and not empty, flags.
 */
function pinCall<const L extends readonly ReturnType<typeof a.uint>[]>(...lead: L) {
  const map = 1 + lead.length;
  return {
    args: [a.dom("domain"), ...lead, a.bools("cpumap", 2048 * 8), a.flags()] as const,
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(map), c.positiveLength(map, "maplen")],
  } as const;
}

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { HYPERVISOR } from "./hypervisor.ts";
 * Object.keys(HYPERVISOR).length > 0; // true
 * ```
 */
export const HYPERVISOR = {
  /** Closing is the connection's own business; the gateway never exposes it as a call. */
  connectClose: { args: [], result: r.none, access: "write" },
  connectGetVersion: { args: [], result: r.data<number>(), access: "read" },
  connectGetLibVersion: { args: [], result: r.data<number>(), access: "read" },
  connectGetHostname: { args: [], result: r.data<string>(), access: "read" },
  connectGetURI: { args: [], result: r.data<string>(), access: "read" },
  connectGetMaxVcpus: { args: [a.optStr("type")], result: r.data<number>(), access: "read" },
  connectGetCapabilities: { args: [], result: r.data<string>(), access: "read" },
  connectGetDomainCapabilities: {
    args: [
      a.optStr("emulator"),
      a.optStr("arch"),
      a.optStr("machine"),
      a.optStr("virttype"),
      a.flags(),
    ],
    result: r.data<string>(),
    access: "secret",
    checks: [c.readonly],
  },
  connectGetSysinfo: { args: [a.flags()], result: r.data<string>(), access: "read" },
  connectIsAlive: { args: [], result: r.data<boolean>(), access: "read" },
  connectIsSecure: { args: [], result: r.data<boolean>(), access: "read" },
  connectIsEncrypted: { args: [], result: r.data<boolean>(), access: "read" },
  connectBaselineCPU: {
    args: [a.strs("xmlCPUs", 256), a.flags()],
    result: r.data<string>(),
    access: "read",
    checks: [c.nonNull(0)],
  },
  connectCompareCPU: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.data<number>(),
    access: "read",
    checks: [c.nonNull(0)],
  },
  nodeGetInfo: { args: [], result: r.data<NodeInfo>(), access: "read" },
  nodeGetCellsFreeMemory: {
    args: [a.int("startCell"), a.int("maxCells")],
    result: r.data<number[]>(),
    access: "read",
    checks: [c.positive(1), c.nonNegative(0), c.wire(remoteMaxCells)],
  },
  nodeGetFreeMemory: { args: [], result: r.data<number>(), access: "read" },
  nodeGetCPUMap: {
    args: [a.flags()],
    result: r.data<{ map: boolean[]; online: number }>(),
    access: "read",
  },
  nodeGetCPUStats: {
    args: [a.int("cpuNum"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.custom(allCellsOrCpus("cpuNum"))],
  },
  nodeGetMemoryStats: {
    args: [a.int("cellNum"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.custom(allCellsOrCpus("cellNum"))],
  },
  nodeGetSecurityModel: { args: [], result: r.data<SecurityModel>(), access: "read" },
  nodeGetFreePages: {
    args: [a.nums("pages", 1024), a.int("startCell"), a.uint("cellCount"), a.flags()],
    result: r.data<number[]>(),
    access: "read",
    checks: [c.nonZeroLength(0, "npages"), c.nonNull(0), c.nonZero(2), c.wire(remotePagesCells)],
  },
  connectNumOfDomains: { args: [], result: r.count("connectListDomains"), access: "read" },
  connectListDomains: { args: [], result: r.domainIds(), access: "read" },
  connectNumOfDefinedDomains: {
    args: [],
    result: r.count("connectListDefinedDomains"),
    access: "read",
  },
  connectListDefinedDomains: { args: [], result: r.names("domain"), access: "read" },
  connectListAllDomains: { args: [a.flags()], result: r.refs("dom"), access: "read" },
  connectGetAllDomainStats: {
    args: [a.uint("stats"), a.flags()],
    result: r.domainStats<DomainStatsRecord[]>(),
    access: "read",
  },
  domainLookupByID: {
    args: [a.int("id")],
    result: r.ref("dom"),
    access: "read",
    checks: [c.nonNegative(0)],
  },
  domainLookupByUUID: {
    args: [a.uuid("uuid")],
    result: r.ref("dom"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  domainLookupByName: {
    args: [a.str("name")],
    result: r.ref("dom"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  domainCreateXML: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.ref("dom"),
    access: "write",
    checks: [c.nonNull(0), c.readonly],
    creates: "domain",
  },
  domainDefineXMLFlags: {
    args: [a.str("xml"), a.flags()],
    result: r.ref("dom"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "domain",
  },
  domainCreateWithFlags: {
    args: [a.dom("domain"), a.flags()],
    result: r.ref("dom"),
    access: "write",
    checks: [c.readonly],
  },
  domainUndefineFlags: {
    args: [a.dom("domain"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainSuspend: { args: [a.dom("domain")], result: r.none, access: "write", checks: [c.readonly] },
  domainResume: { args: [a.dom("domain")], result: r.none, access: "write", checks: [c.readonly] },
  domainShutdownFlags: {
    args: [a.dom("domain"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainReboot: {
    args: [a.dom("domain"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainReset: {
    args: [a.dom("domain"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainDestroyFlags: {
    args: [a.dom("domain"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainGetOSType: { args: [a.dom("domain")], result: r.data<string>(), access: "read" },
  domainGetMaxMemory: { args: [a.dom("domain")], result: r.data<number>(), access: "read" },
  domainSetMaxMemory: {
    args: [a.dom("domain"), a.ulong("memory")],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonZero(1), c.custom(memoryOverflowCheck)],
  },
  domainSetMemoryFlags: {
    args: [a.dom("domain"), a.ulong("memory"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonZero(1), c.custom(memoryOverflowCheck)],
  },
  domainSetMemoryStatsPeriod: {
    args: [a.dom("domain"), a.int("period"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNegative(1)],
  },
  domainGetInfo: { args: [a.dom("domain")], result: r.data<DomainInfo>(), access: "read" },
  domainGetState: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<[number, number]>(),
    access: "read",
  },
  domainGetControlInfo: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<{ state: number; details: number; stateTime: number }>(),
    access: "read",
  },
  domainSaveFlags: {
    args: [a.dom("domain"), a.str("to"), a.optStr("dxml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.nonNull(1),
      c.exclusiveFlags("DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"),
    ],
  },
  domainRestoreFlags: {
    args: [a.str("from"), a.optStr("dxml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.nonNull(0),
      c.exclusiveFlags("DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"),
    ],
  },
  domainSaveImageGetXMLDesc: {
    args: [a.str("file"), a.flags()],
    result: r.data<string>(),
    access: "secret",
    checks: [c.nonNull(0), c.readonly],
  },
  domainSaveImageDefineXML: {
    args: [a.str("file"), a.str("dxml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.nonNull(0),
      c.nonNull(1),
      c.exclusiveFlags("DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"),
    ],
  },
  domainCoreDumpWithFormat: {
    args: [a.dom("domain"), a.str("to"), a.uint("format"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.nonNull(1),
      c.custom(dumpFormatCheck),
      c.exclusiveFlags("DUMP_CRASH", "DUMP_LIVE"),
      c.exclusiveFlags("DUMP_CRASH", "DUMP_RESET"),
      c.exclusiveFlags("DUMP_LIVE", "DUMP_RESET"),
    ],
  },
  domainSetVcpusFlags: {
    args: [a.dom("domain"), a.uint("nvcpus"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.requireFlag("DOMAIN_VCPU_MAXIMUM", "DOMAIN_AFFECT_CONFIG"),
      c.exclusiveFlags("DOMAIN_VCPU_GUEST", "DOMAIN_AFFECT_CONFIG"),
      c.nonZero(1),
    ],
  },
  domainGetVcpusFlags: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<number>(),
    access: "read",
    checks: [
      c.readonlyIfFlag("DOMAIN_VCPU_GUEST"),
      c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"),
    ],
  },
  domainGetMaxVcpus: { args: [a.dom("domain")], result: r.data<number>(), access: "read" },
  domainGetVcpus: {
    args: [a.dom("domain")],
    result: r.data<{ info: VcpuInfo[]; cpumaps: boolean[][] }>(),
    access: "read",
  },
  domainPinVcpuFlags: pinCall(a.uint("vcpu")),
  domainGetVcpuPinInfo: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<boolean[][]>(),
    access: "read",
    checks: [c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainPinEmulator: pinCall(),
  domainGetEmulatorPinInfo: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<boolean[]>(),
    access: "read",
    checks: [c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainGetIOThreadInfo: {
    args: [a.dom("dom"), a.flags()],
    result: r.data<DomainIOThreadInfo[]>(),
    access: "read",
    checks: [c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainPinIOThread: pinCall(a.uint("iothread_id")),
  domainAddIOThread: {
    args: [a.dom("domain"), a.uint("iothread_id"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainDelIOThread: {
    args: [a.dom("domain"), a.uint("iothread_id"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonZero(1)],
  },
  domainSetIOThreadParams: {
    args: [a.dom("domain"), a.uint("iothread_id"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.custom(emptyParamsAreNull(2)),
      c.nonNull(2),
      c.positiveLength(2, "nparams"),
    ],
  },
  domainSetVcpu: {
    args: [a.dom("domain"), a.str("vcpumap"), a.int("state"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainGetXMLDesc: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string>(),
    access: { secureFlagsAt: 1 },
    checks: [c.readonlyIfFlag("DOMAIN_XML_SECURE", "secure")],
  },
  domainGetSecurityLabel: {
    args: [a.dom("domain")],
    result: r.data<SecurityLabel>(),
    access: "read",
  },
  domainGetSecurityLabelList: {
    args: [a.dom("domain")],
    result: r.data<SecurityLabel[]>(),
    access: "read",
  },
  domainGetAutostart: { args: [a.dom("domain")], result: r.data<boolean>(), access: "read" },
  domainSetAutostart: {
    args: [a.dom("domain"), a.bool("autostart")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainManagedSave: {
    args: [a.dom("dom"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.exclusiveFlags("DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED")],
  },
  domainHasManagedSaveImage: {
    args: [a.dom("dom"), a.flags()],
    result: r.data<boolean>(),
    access: "read",
  },
  domainManagedSaveRemove: {
    args: [a.dom("dom"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainManagedSaveGetXMLDesc: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string>(),
    access: { secureFlagsAt: 1 },
    checks: [c.readonlyIfFlag("DOMAIN_SAVE_IMAGE_XML_SECURE", "secure")],
  },
  domainManagedSaveDefineXML: {
    args: [a.dom("domain"), a.str("dxml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.exclusiveFlags("DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"), c.readonly],
  },
  domainIsActive: { args: [a.dom("dom")], result: r.data<boolean>(), access: "read" },
  domainIsPersistent: { args: [a.dom("dom")], result: r.data<boolean>(), access: "read" },
  domainIsUpdated: { args: [a.dom("dom")], result: r.data<boolean>(), access: "read" },
  domainRename: {
    args: [a.dom("dom"), a.str("new_name"), a.flags()],
    result: r.ref("dom"),
    access: "write",
    checks: [c.nonEmpty(1), c.readonly],
  },
  domainGetHostname: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string>(),
    access: "secret",
    checks: [c.readonly],
  },
  domainGetSchedulerType: {
    args: [a.dom("domain")],
    result: r.data<[string, number]>(),
    access: "read",
  },
  domainGetSchedulerParametersFlags: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainSetSchedulerParametersFlags: {
    args: [a.dom("domain"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainGetCPUStats: {
    args: [a.dom("domain"), a.int("start_cpu"), a.uint("ncpus"), a.flags()],
    result: r.data<TypedParams[]>(),
    access: "read",
    checks: [c.custom(cpuStatsRangeCheck), c.wire(remoteCpuStatsCount)],
  },
  domainBlockStats: {
    args: [a.dom("dom"), a.str("disk")],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.nonNull(1)],
  },
  domainInterfaceStats: {
    args: [a.dom("dom"), a.str("device")],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.nonNull(1)],
  },
  domainMemoryStats: {
    args: [a.dom("dom"), a.flags()],
    result: r.data<Record<string, number>>(),
    access: "read",
  },
  domainGetBlockInfo: {
    args: [a.dom("domain"), a.str("disk"), a.flags()],
    result: r.data<DomainBlockInfo>(),
    access: "read",
    checks: [c.nonEmpty(1)],
  },
  domainAttachDeviceFlags: {
    args: [a.dom("domain"), a.str("xml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.nonNull(1), c.readonly],
  },
  domainDetachDeviceFlags: {
    args: [a.dom("domain"), a.str("xml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.nonNull(1), c.readonly],
  },
  domainUpdateDeviceFlags: {
    args: [a.dom("domain"), a.str("xml"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.nonNull(1), c.readonly],
  },
  domainGetMetadata: {
    args: [a.dom("domain"), a.int("type"), a.optStr("uri"), a.flags()],
    result: r.data<string>(),
    access: "read",
    checks: [
      c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"),
      c.custom(getMetadataCheck),
    ],
  },
  domainSetMetadata: {
    args: [
      a.dom("domain"),
      a.int("type"),
      a.optStr("metadata"),
      a.optStr("key"),
      a.optStr("uri"),
      a.flags(),
    ],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.custom(setMetadataCheck)],
  },
  domainGetTime: {
    args: [a.dom("dom"), a.flags()],
    result: r.data<{ seconds: number; nseconds: number }>(),
    access: "secret",
    checks: [c.readonly],
  },
  domainSetTime: {
    args: [a.dom("dom"), a.long("seconds"), a.uint("nseconds"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainOpenConsole: {
    args: [a.dom("dom"), a.optStr("dev_name"), a.flags()],
    result: r.stream("both"),
    access: "write",
    checks: [c.readonly],
  },
  domainOpenChannel: {
    args: [a.dom("dom"), a.optStr("name"), a.flags()],
    result: r.stream("both"),
    access: "write",
    checks: [c.readonly],
  },
  domainScreenshot: {
    args: [a.dom("domain"), a.uint("screen"), a.flags()],
    result: r.stream("recv"),
    access: "write",
    checks: [c.readonly],
  },
  domainSendKey: {
    args: [
      a.dom("domain"),
      a.uint("codeset"),
      a.uint("holdtime"),
      a.nums("keycodes", 16),
      a.flags(),
    ],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(3), c.positiveLength(3, "nkeycodes"), c.custom(sendKeyCheck)],
  },
  domainGetDiskErrors: {
    args: [a.dom("dom"), a.flags()],
    result: r.data<Record<string, number>>(),
    access: "read",
  },
  domainGetPerfEvents: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
  },
  domainSetPerfEvents: {
    args: [a.dom("domain"), a.params("params", 64), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.positiveLength(1, "nparams")],
  },
  domainGetLaunchSecurityInfo: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "secret",
    checks: [c.readonly],
  },
  domainGetBlkioParameters: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainSetBlkioParameters: {
    args: [a.dom("domain"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainGetMemoryParameters: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainSetMemoryParameters: {
    args: [a.dom("domain"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.positiveLength(1, "nparams")],
  },
  domainGetNumaParameters: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
  },
  domainSetNumaParameters: {
    args: [a.dom("domain"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.positiveLength(1, "nparams")],
  },
  domainGetInterfaceParameters: {
    args: [a.dom("domain"), a.str("device"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
  },
  domainSetInterfaceParameters: {
    args: [a.dom("domain"), a.str("device"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(2), c.positiveLength(2, "nparams")],
  },
  domainGetBlockIoTune: {
    args: [a.dom("dom"), a.str("disk"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.nonNull(1), c.exclusiveFlags("DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG")],
  },
  domainSetBlockIoTune: {
    args: [a.dom("dom"), a.str("disk"), a.params("params", 32), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.positiveLength(2, "nparams"), c.nonNull(2)],
  },
  domainSetLifecycleAction: {
    args: [a.dom("domain"), a.uint("type"), a.uint("action"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.custom(lifecycleActionCheck)],
  },
  domainGetGuestVcpus: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "secret",
    checks: [c.readonly],
  },
  domainSnapshotCreateXML: {
    args: [a.dom("domain"), a.str("xmlDesc"), a.flags()],
    result: r.data<string>(),
    access: "write",
    checks: [
      c.nonNull(1),
      c.readonly,
      c.requireFlag("DOMAIN_SNAPSHOT_CREATE_CURRENT", "DOMAIN_SNAPSHOT_CREATE_REDEFINE"),
      c.exclusiveFlags("DOMAIN_SNAPSHOT_CREATE_REDEFINE", "DOMAIN_SNAPSHOT_CREATE_NO_METADATA"),
      c.exclusiveFlags("DOMAIN_SNAPSHOT_CREATE_REDEFINE", "DOMAIN_SNAPSHOT_CREATE_HALT"),
    ],
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotListNames: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotNum: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<number>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotGetXMLDesc: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string>(),
    access: { secureFlagsAt: 2 },
    checks: [c.readonlyIfFlag("DOMAIN_SNAPSHOT_XML_SECURE", "secure")],
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotDelete: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.exclusiveFlags("DOMAIN_SNAPSHOT_DELETE_CHILDREN", "DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY"),
    ],
    family: "DOMAIN_SNAPSHOT",
  },
  domainRevertToSnapshot: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.exclusiveFlags("DOMAIN_SNAPSHOT_REVERT_RUNNING", "DOMAIN_SNAPSHOT_REVERT_PAUSED"),
    ],
    family: "DOMAIN_SNAPSHOT",
  },
  domainHasCurrentSnapshot: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<boolean>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotCurrent: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainCheckpointCreateXML: {
    args: [a.dom("domain"), a.str("xmlDesc"), a.flags()],
    result: r.data<string>(),
    access: "write",
    checks: [
      c.nonNull(1),
      c.readonly,
      c.exclusiveFlags("DOMAIN_CHECKPOINT_CREATE_REDEFINE", "DOMAIN_CHECKPOINT_CREATE_QUIESCE"),
      c.requireFlag(
        "DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE",
        "DOMAIN_CHECKPOINT_CREATE_REDEFINE",
      ),
    ],
    family: "DOMAIN_CHECKPOINT",
  },
  domainListAllCheckpoints: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    family: "DOMAIN_CHECKPOINT",
  },
  domainCheckpointGetXMLDesc: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string>(),
    access: { secureFlagsAt: 2 },
    checks: [c.readonlyIfFlag("DOMAIN_CHECKPOINT_XML_SECURE", "secure")],
    family: "DOMAIN_CHECKPOINT",
  },
  domainCheckpointDelete: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.none,
    access: "write",
    checks: [
      c.readonly,
      c.exclusiveFlags(
        "DOMAIN_CHECKPOINT_DELETE_CHILDREN",
        "DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY",
      ),
    ],
    family: "DOMAIN_CHECKPOINT",
  },
  /** The snapshots' names. */
  domainListAllSnapshots: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotNumChildren: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<number>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotListChildrenNames: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  /** The children's names. */
  domainSnapshotListAllChildren: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  /** The name found. */
  domainSnapshotLookupByName: {
    args: [a.dom("domain"), a.str("name"), a.flags()],
    result: r.data<string>(),
    access: "read",
    checks: [c.nonNull(1)],
    family: "DOMAIN_SNAPSHOT",
  },
  /** The parent's name. */
  domainSnapshotGetParent: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotIsCurrent: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<boolean>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotHasMetadata: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<boolean>(),
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  /** The children's names. */
  domainCheckpointListAllChildren: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    family: "DOMAIN_CHECKPOINT",
  },
  /** The name found. */
  domainCheckpointLookupByName: {
    args: [a.dom("domain"), a.str("name"), a.flags()],
    result: r.data<string>(),
    access: "read",
    checks: [c.nonNull(1)],
    family: "DOMAIN_CHECKPOINT",
  },
  /** The parent's name. */
  domainCheckpointGetParent: {
    args: [a.dom("dom"), a.str("name"), a.flags()],
    result: r.data<string>(),
    access: "read",
    family: "DOMAIN_CHECKPOINT",
  },
  connectGetCPUModelNames: {
    args: [a.str("arch"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
    checks: [c.nonNull(0)],
  },
  /** (a `VIR_DRV_FEATURE_*` number). */
  connectSupportsFeature: { args: [a.int("feature")], result: r.data<boolean>(), access: "read" },
  /** (descriptor numbers). */
  domainCreateWithFiles: {
    args: [a.dom("domain"), a.nums("files"), a.flags()],
    result: r.ref("dom"),
    access: "write",
    checks: [c.readonly],
  },
  /** (descriptor numbers). */
  domainCreateXMLWithFiles: {
    args: [a.str("xmlDesc"), a.nums("files"), a.flags()],
    result: r.ref("dom"),
    access: "write",
    checks: [c.nonNull(0), c.readonly],
  },
  domainFSFreeze: {
    args: [a.dom("dom"), a.strs("mountpoints"), a.flags()],
    result: r.data<number>(),
    access: "write",
    checks: [c.readonly],
  },
  domainFSThaw: {
    args: [a.dom("dom"), a.strs("mountpoints"), a.flags()],
    result: r.data<number>(),
    access: "write",
    checks: [c.readonly],
  },
  domainPMSuspendForDuration: {
    args: [a.dom("dom"), a.uint("target"), a.ulong("duration"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainPMWakeup: {
    args: [a.dom("dom"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainInjectNMI: {
    args: [a.dom("domain"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainAbortJob: {
    args: [a.dom("domain")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainGetJobInfo: { args: [a.dom("domain")], result: r.data<TypedParams>(), access: "read" },
  domainGetJobStats: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.requireFlag("DOMAIN_JOB_STATS_KEEP_COMPLETED", "DOMAIN_JOB_STATS_COMPLETED")],
  },
  domainBlockResize: {
    args: [a.dom("dom"), a.str("disk"), a.ulong("size"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainBlockJobAbort: {
    args: [a.dom("dom"), a.str("disk"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainGetBlockJobInfo: {
    args: [a.dom("dom"), a.str("disk"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
    checks: [c.nonNull(1)],
  },
  domainBlockPull: {
    args: [a.dom("dom"), a.str("disk"), a.ulong("bandwidth"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainBlockCopy: {
    args: [a.dom("dom"), a.str("disk"), a.str("destxml"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.nonNull(2)],
  },
  domainBlockCommit: {
    args: [
      a.dom("dom"),
      a.str("disk"),
      a.optStr("base"),
      a.optStr("top"),
      a.ulong("bandwidth"),
      a.flags(),
    ],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  domainBlockRebase: {
    args: [a.dom("dom"), a.str("disk"), a.optStr("base"), a.ulong("bandwidth"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.custom(blockRebaseCheck)],
  },
  domainBlockPeek: {
    args: [a.dom("dom"), a.str("disk"), a.ulong("offset"), a.uint("size"), a.flags()],
    result: r.data<number[]>(),
    access: "secret",
    checks: [c.readonly, c.nonEmpty(1), c.wire(remotePeekSize("block"))],
  },
  domainMemoryPeek: {
    args: [a.dom("dom"), a.ulong("start"), a.uint("size"), a.flags()],
    result: r.data<number[]>(),
    access: "secret",
    checks: [
      c.readonly,
      c.exclusiveFlags("MEMORY_VIRTUAL", "MEMORY_PHYSICAL"),
      c.wire(remotePeekSize("memory")),
    ],
  },
  domainGetFSInfo: {
    args: [a.dom("dom"), a.flags()],
    result: r.data<DomainFSInfo[]>(),
    access: "secret",
    checks: [c.readonly],
  },
  domainFSTrim: {
    args: [a.dom("dom"), a.optStr("mountPoint"), a.uint("minimum"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  domainSetUserPassword: {
    args: [a.dom("dom"), a.str("user"), a.str("password"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1), c.nonNull(2)],
  },
  domainSendProcessSignal: {
    args: [a.dom("domain"), a.long("pid_value"), a.uint("signum"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.nonZero(1), c.readonly],
  },
  domainGetMessages: {
    args: [a.dom("domain"), a.flags()],
    result: r.data<string[]>(),
    access: "read",
  },
  domainInterfaceAddresses: {
    args: [a.dom("dom"), a.uint("source"), a.flags()],
    result: r.data<unknown[]>(),
    access: "read",
    checks: [c.readonlyIfArg(1, VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)],
  },
  domainGetGuestInfo: {
    args: [a.dom("domain"), a.uint("types"), a.flags()],
    result: r.data<TypedParams>(),
    access: "secret",
    checks: [c.readonly],
  },
  domainAgentSetResponseTimeout: {
    args: [a.dom("domain"), a.int("timeout"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  /** libvirt-qemu's call (`virDomainQemuAgentCommand`), whose errors are VIR_FROM_NONE. */
  domainQemuAgentCommand: {
    args: [a.dom("domain"), a.str("cmd"), a.int("timeout"), a.flags()],
    result: r.data<string>(),
    access: "write",
    checks: [c.readonly],
    family: "NONE",
  },
  domainGetStatsFor: {
    args: [a.dom("dom"), a.int("stats"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
  },
} as const satisfies CallTable;

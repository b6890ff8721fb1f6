/**
 * The contract of the hypervisor family: the connection, the host, domains, their snapshots and checkpoints, as libvirt's `src/driver-hypervisor.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_DOMAIN` unless one says otherwise.
 *
 * @module
 */
import { VIR } from "../constants.ts";
import { type CallTable, type Check, r, type Result } from "./declare.ts";
import {
  allCellsCheck,
  allCpusCheck,
  blockRebaseCheck,
  cpuStatsRangeCheck,
  dumpFormatCheck,
  getMetadataCheck,
  iothreadParamsCheck,
  launchSecurityParamsCheck,
  lifecycleActionCheck,
  memoryOverflowCheck,
  remoteBlockPeekSize,
  remoteCpuStatsCount,
  remoteMaxCells,
  remoteMemoryPeekSize,
  remotePagesCells,
  sendKeyCheck,
  setMetadataCheck,
  wireXmlCpusNonNull,
} from "./custom_checks.ts";
import type {
  DomainBlockInfo,
  DomainFSInfo,
  DomainInfo,
  DomainIOThreadInfo,
  DomainStatsRecord,
  MigrateBeginResult,
  MigrateCookie,
  MigrateFinishResult,
  MigratePrepareResult,
  NodeInfo,
  SecurityLabel,
  SecurityModel,
  TypedParams,
  VcpuInfo,
} from "./types.ts";

/** A pinning call's CPU map: booleans, at most `REMOTE_CPUMAP_MAX` (2048) bytes of them. */
const CPUMAP = { name: "cpumap", kind: "bool[]", max: 16384 } as const;

/** A pinning call's checks, its CPU map being argument `map`: one given and not empty. */
const pinChecks = (map: number): readonly Check[] => [
  { check: "readonly" },
  { check: "nonNull", arg: map },
  { check: "positive", arg: map, length: "maplen" },
];
const PIN_CHECKS_AT_1: readonly Check[] = pinChecks(1);
const PIN_CHECKS_AT_2: readonly Check[] = pinChecks(2);

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
  connectGetVersion: { args: [], result: r.data as Result<number>, access: "read" },
  connectGetLibVersion: { args: [], result: r.data as Result<number>, access: "read" },
  connectGetHostname: { args: [], result: r.data as Result<string>, access: "read" },
  connectGetURI: { args: [], result: r.data as Result<string>, access: "read" },
  connectGetMaxVcpus: {
    args: [{ name: "type", kind: "str?" }],
    result: r.data as Result<number>,
    access: "read",
  },
  connectGetCapabilities: { args: [], result: r.data as Result<string>, access: "read" },
  connectGetDomainCapabilities: {
    args: [
      { name: "emulator", kind: "str?" },
      { name: "arch", kind: "str?" },
      { name: "machine", kind: "str?" },
      { name: "virttype", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  connectGetSysinfo: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  connectIsAlive: { args: [], result: r.data as Result<boolean>, access: "read" },
  connectIsSecure: { args: [], result: r.data as Result<boolean>, access: "read" },
  connectIsEncrypted: { args: [], result: r.data as Result<boolean>, access: "read" },
  connectBaselineCPU: {
    args: [{ name: "xmlCPUs", kind: "str[]", max: 256 }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  connectCompareCPU: {
    args: [{ name: "xmlDesc", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number>,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  connectCompareHypervisorCPU: {
    args: [
      { name: "emulator", kind: "str?" },
      { name: "arch", kind: "str?" },
      { name: "machine", kind: "str?" },
      { name: "virttype", kind: "str?" },
      { name: "xmlCPU", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number>,
    access: "write",
    checks: [{ check: "nonNull", arg: 4 }, { check: "readonly" }],
  },
  connectBaselineHypervisorCPU: {
    args: [
      { name: "emulator", kind: "str?" },
      { name: "arch", kind: "str?" },
      { name: "machine", kind: "str?" },
      { name: "virttype", kind: "str?" },
      { name: "xmlCPUs", kind: "str[]", max: 256 },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "write",
    checks: [
      { check: "nonNull", arg: 4 },
      { check: "readonly" },
      { check: "custom", run: wireXmlCpusNonNull, wire: true },
    ],
  },
  nodeGetInfo: { args: [], result: r.data as Result<NodeInfo>, access: "read" },
  nodeGetCellsFreeMemory: {
    args: [{ name: "startCell", kind: "int" }, { name: "maxCells", kind: "int" }],
    result: r.data as Result<number[]>,
    access: "read",
    checks: [
      { check: "positive", arg: 1 },
      { check: "nonNegative", arg: 0 },
      { check: "custom", run: remoteMaxCells, wire: true },
    ],
  },
  nodeGetFreeMemory: { args: [], result: r.data as Result<number>, access: "read" },
  nodeGetCPUMap: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.data as Result<{ map: boolean[]; online: number }>,
    access: "read",
  },
  nodeGetCPUStats: {
    args: [{ name: "cpuNum", kind: "int" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "custom", run: allCpusCheck }],
  },
  nodeGetMemoryStats: {
    args: [{ name: "cellNum", kind: "int" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "custom", run: allCellsCheck }],
  },
  nodeGetSecurityModel: { args: [], result: r.data as Result<SecurityModel>, access: "read" },
  nodeGetFreePages: {
    args: [
      { name: "pages", kind: "num[]", max: 1024 },
      { name: "startCell", kind: "int" },
      { name: "cellCount", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number[]>,
    access: "read",
    checks: [
      { check: "nonZero", arg: 0, length: "npages" },
      { check: "nonNull", arg: 0 },
      { check: "nonZero", arg: 2 },
      { check: "custom", run: remotePagesCells, wire: true },
    ],
  },
  connectNumOfDomains: {
    args: [],
    result: { shape: { kind: "count", from: "connectListDomains" } } as Result<number>,
    access: "read",
  },
  connectListDomains: { args: [], result: r.domainIds, access: "read" },
  connectNumOfDefinedDomains: {
    args: [],
    result: { shape: { kind: "count", from: "connectListDefinedDomains" } } as Result<number>,
    access: "read",
  },
  connectListDefinedDomains: { args: [], result: r.names.domain, access: "read" },
  connectListAllDomains: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.dom,
    access: "read",
  },
  connectGetAllDomainStats: {
    args: [{ name: "stats", kind: "uint" }, { name: "flags", kind: "uint" }],
    result: r.domainStats as Result<DomainStatsRecord[]>,
    access: "read",
  },
  domainLookupByID: {
    args: [{ name: "id", kind: "int" }],
    result: r.ref.dom,
    access: "read",
    checks: [{ check: "nonNegative", arg: 0 }],
  },
  domainLookupByUUID: {
    args: [{ name: "uuid", kind: "uuid" }],
    result: r.ref.dom,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  domainLookupByName: {
    args: [{ name: "name", kind: "str" }],
    result: r.ref.dom,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  domainCreateXML: {
    args: [{ name: "xmlDesc", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.dom,
    access: "write",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
    creates: "domain",
  },
  domainDefineXMLFlags: {
    args: [{ name: "xml", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.dom,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "domain",
  },
  domainCreateWithFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.ref.dom,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainUndefineFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainSuspend: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainResume: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainShutdownFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainReboot: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainReset: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainDestroyFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainGetOSType: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<string>,
    access: "read",
  },
  domainGetMaxMemory: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<number>,
    access: "read",
  },
  domainSetMaxMemory: {
    args: [{ name: "domain", kind: "dom" }, { name: "memory", kind: "ulong" }],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonZero", arg: 1 },
      { check: "custom", run: memoryOverflowCheck },
    ],
  },
  domainSetMemoryFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "memory", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonZero", arg: 1 },
      { check: "custom", run: memoryOverflowCheck },
    ],
  },
  domainSetMemoryStatsPeriod: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "period", kind: "int" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNegative", arg: 1 }],
  },
  domainGetInfo: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<DomainInfo>,
    access: "read",
  },
  domainGetState: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<[number, number]>,
    access: "read",
  },
  domainGetControlInfo: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<{ state: number; details: number; stateTime: number }>,
    access: "read",
  },
  domainSaveFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "to", kind: "str", files: "path" },
      { name: "dxml", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
    ],
  },
  domainRestoreFlags: {
    args: [
      { name: "from", kind: "str", files: "path" },
      { name: "dxml", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 0 },
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
    ],
  },
  domainSaveImageGetXMLDesc: {
    args: [{ name: "file", kind: "str", files: "path" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "secret",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
  },
  domainSaveImageDefineXML: {
    args: [
      { name: "file", kind: "str", files: "path" },
      { name: "dxml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 0 },
      { check: "nonNull", arg: 1 },
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
    ],
  },
  domainCoreDumpWithFormat: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "to", kind: "str", files: "path" },
      { name: "format", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "custom", run: dumpFormatCheck },
      { check: "exclusiveFlags", flags: ["DUMP_CRASH", "DUMP_LIVE"] },
      { check: "exclusiveFlags", flags: ["DUMP_CRASH", "DUMP_RESET"] },
      { check: "exclusiveFlags", flags: ["DUMP_LIVE", "DUMP_RESET"] },
    ],
  },
  domainSetVcpusFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "nvcpus", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "requireFlag", flags: ["DOMAIN_VCPU_MAXIMUM", "DOMAIN_AFFECT_CONFIG"] },
      { check: "exclusiveFlags", flags: ["DOMAIN_VCPU_GUEST", "DOMAIN_AFFECT_CONFIG"] },
      { check: "nonZero", arg: 1 },
    ],
  },
  domainGetVcpusFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number>,
    access: "read",
    checks: [
      { check: "readonly", ifFlag: "DOMAIN_VCPU_GUEST" },
      { check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] },
    ],
  },
  domainGetMaxVcpus: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<number>,
    access: "read",
  },
  domainGetVcpus: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<{ info: VcpuInfo[]; cpumaps: boolean[][] }>,
    access: "read",
  },
  domainPinVcpuFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "vcpu", kind: "uint" },
      CPUMAP,
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: PIN_CHECKS_AT_2,
  },
  domainGetVcpuPinInfo: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<boolean[][]>,
    access: "read",
    checks: [{ check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] }],
  },
  domainPinEmulator: {
    args: [{ name: "domain", kind: "dom" }, CPUMAP, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: PIN_CHECKS_AT_1,
  },
  domainGetEmulatorPinInfo: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<boolean[]>,
    access: "read",
    checks: [{ check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] }],
  },
  domainGetIOThreadInfo: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<DomainIOThreadInfo[]>,
    access: "read",
    checks: [{ check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] }],
  },
  domainPinIOThread: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "iothread_id", kind: "uint" },
      CPUMAP,
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: PIN_CHECKS_AT_2,
  },
  domainAddIOThread: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "iothread_id", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainDelIOThread: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "iothread_id", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonZero", arg: 1 }],
  },
  domainSetIOThreadParams: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "iothread_id", kind: "uint" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "custom", run: iothreadParamsCheck },
      { check: "nonNull", arg: 2 },
      { check: "positive", arg: 2, length: "nparams" },
    ],
  },
  domainSetVcpu: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "vcpumap", kind: "str" },
      { name: "state", kind: "int" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainGetXMLDesc: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: { secureFlagsAt: 1 },
    checks: [{ check: "readonly", ifFlag: "DOMAIN_XML_SECURE", secure: true }],
  },
  domainGetSecurityLabel: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<SecurityLabel>,
    access: "read",
  },
  domainGetSecurityLabelList: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<SecurityLabel[]>,
    access: "read",
  },
  domainGetAutostart: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  domainSetAutostart: {
    args: [{ name: "domain", kind: "dom" }, { name: "autostart", kind: "bool" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainManagedSave: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
    ],
  },
  domainHasManagedSaveImage: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  domainManagedSaveRemove: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainManagedSaveGetXMLDesc: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: { secureFlagsAt: 1 },
    checks: [{ check: "readonly", ifFlag: "DOMAIN_SAVE_IMAGE_XML_SECURE", secure: true }],
  },
  domainManagedSaveDefineXML: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "dxml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
      { check: "readonly" },
    ],
  },
  domainIsActive: {
    args: [{ name: "dom", kind: "dom" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  domainIsPersistent: {
    args: [{ name: "dom", kind: "dom" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  domainIsUpdated: {
    args: [{ name: "dom", kind: "dom" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  domainRename: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "new_name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.dom,
    access: "write",
    checks: [{ check: "nonEmpty", arg: 1 }, { check: "readonly" }],
  },
  domainGetHostname: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainGetSchedulerType: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<[string, number]>,
    access: "read",
  },
  domainGetSchedulerParametersFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] }],
  },
  domainSetSchedulerParametersFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainGetCPUStats: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "start_cpu", kind: "int" },
      { name: "ncpus", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<TypedParams[]>,
    access: "read",
    checks: [
      { check: "custom", run: cpuStatsRangeCheck },
      { check: "custom", run: remoteCpuStatsCount, wire: true },
    ],
  },
  domainBlockStats: {
    args: [{ name: "dom", kind: "dom" }, { name: "disk", kind: "str" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  domainInterfaceStats: {
    args: [{ name: "dom", kind: "dom" }, { name: "device", kind: "str" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  domainMemoryStats: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<Record<string, number>>,
    access: "read",
  },
  domainGetBlockInfo: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "disk", kind: "str", files: "path" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<DomainBlockInfo>,
    access: "read",
    checks: [{ check: "nonEmpty", arg: 1 }],
  },
  domainAttachDeviceFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "xml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainDetachDeviceFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "xml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainUpdateDeviceFlags: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "xml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainGetMetadata: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "type", kind: "int" },
      { name: "uri", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "read",
    checks: [
      { check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] },
      { check: "custom", run: getMetadataCheck },
    ],
  },
  domainSetMetadata: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "type", kind: "int" },
      { name: "metadata", kind: "str?" },
      { name: "key", kind: "str?" },
      { name: "uri", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "custom", run: setMetadataCheck }],
  },
  domainGetTime: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<{ seconds: number; nseconds: number }>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainSetTime: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "seconds", kind: "long" },
      { name: "nseconds", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainOpenConsole: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "dev_name", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.stream.both,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainOpenChannel: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.stream.both,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainScreenshot: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "screen", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.stream.recv,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainSendKey: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "codeset", kind: "uint" },
      { name: "holdtime", kind: "uint" },
      { name: "keycodes", kind: "num[]", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 3 },
      { check: "positive", arg: 3, length: "nkeycodes" },
      { check: "custom", run: sendKeyCheck },
    ],
  },
  domainGetDiskErrors: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<Record<string, number>>,
    access: "read",
  },
  domainGetPerfEvents: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
  },
  domainSetPerfEvents: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 64 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "positive", arg: 1, length: "nparams" },
    ],
  },
  domainGetLaunchSecurityInfo: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainGetBlkioParameters: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] }],
  },
  domainSetBlkioParameters: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainGetMemoryParameters: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] }],
  },
  domainSetMemoryParameters: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "positive", arg: 1, length: "nparams" },
    ],
  },
  domainGetNumaParameters: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
  },
  domainSetNumaParameters: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "positive", arg: 1, length: "nparams" },
    ],
  },
  domainGetInterfaceParameters: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "device", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<TypedParams>,
    access: "read",
  },
  domainSetInterfaceParameters: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "device", kind: "str" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 2 },
      { check: "positive", arg: 2, length: "nparams" },
    ],
  },
  domainGetBlockIoTune: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [
      { check: "nonNull", arg: 1 },
      { check: "exclusiveFlags", flags: ["DOMAIN_AFFECT_LIVE", "DOMAIN_AFFECT_CONFIG"] },
    ],
  },
  domainSetBlockIoTune: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "params", kind: "params", max: 32 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "positive", arg: 2, length: "nparams" },
      { check: "nonNull", arg: 2 },
    ],
  },
  domainSetLifecycleAction: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "type", kind: "uint" },
      { name: "action", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "custom", run: lifecycleActionCheck }],
  },
  domainGetGuestVcpus: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainSnapshotCreateXML: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "xmlDesc", kind: "str", files: "xml" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "write",
    checks: [
      { check: "nonNull", arg: 1 },
      { check: "readonly" },
      {
        check: "requireFlag",
        flags: ["DOMAIN_SNAPSHOT_CREATE_CURRENT", "DOMAIN_SNAPSHOT_CREATE_REDEFINE"],
      },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_SNAPSHOT_CREATE_REDEFINE", "DOMAIN_SNAPSHOT_CREATE_NO_METADATA"],
      },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_SNAPSHOT_CREATE_REDEFINE", "DOMAIN_SNAPSHOT_CREATE_HALT"],
      },
    ],
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotListNames: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string[]>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotNum: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotGetXMLDesc: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: { secureFlagsAt: 2 },
    checks: [{ check: "readonly", ifFlag: "DOMAIN_SNAPSHOT_XML_SECURE", secure: true }],
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotDelete: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_SNAPSHOT_DELETE_CHILDREN", "DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY"],
      },
    ],
    family: "DOMAIN_SNAPSHOT",
  },
  domainRevertToSnapshot: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_SNAPSHOT_REVERT_RUNNING", "DOMAIN_SNAPSHOT_REVERT_PAUSED"],
      },
    ],
    family: "DOMAIN_SNAPSHOT",
  },
  domainHasCurrentSnapshot: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<boolean>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotCurrent: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainCheckpointCreateXML: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "xmlDesc", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "write",
    checks: [
      { check: "nonNull", arg: 1 },
      { check: "readonly" },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_CHECKPOINT_CREATE_REDEFINE", "DOMAIN_CHECKPOINT_CREATE_QUIESCE"],
      },
      {
        check: "requireFlag",
        flags: ["DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE", "DOMAIN_CHECKPOINT_CREATE_REDEFINE"],
      },
    ],
    family: "DOMAIN_CHECKPOINT",
  },
  domainListAllCheckpoints: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string[]>,
    access: "read",
    family: "DOMAIN_CHECKPOINT",
  },
  domainCheckpointGetXMLDesc: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: { secureFlagsAt: 2 },
    checks: [{ check: "readonly", ifFlag: "DOMAIN_CHECKPOINT_XML_SECURE", secure: true }],
    family: "DOMAIN_CHECKPOINT",
  },
  domainCheckpointDelete: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_CHECKPOINT_DELETE_CHILDREN", "DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY"],
      },
    ],
    family: "DOMAIN_CHECKPOINT",
  },
  /** The snapshots' names. */
  domainListAllSnapshots: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string[]>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotNumChildren: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotListChildrenNames: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string[]>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  /** The children's names. */
  domainSnapshotListAllChildren: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string[]>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  /** The name found. */
  domainSnapshotLookupByName: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
    family: "DOMAIN_SNAPSHOT",
  },
  /** The parent's name. */
  domainSnapshotGetParent: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotIsCurrent: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<boolean>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  domainSnapshotHasMetadata: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<boolean>,
    access: "read",
    family: "DOMAIN_SNAPSHOT",
  },
  /** The children's names. */
  domainCheckpointListAllChildren: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string[]>,
    access: "read",
    family: "DOMAIN_CHECKPOINT",
  },
  /** The name found. */
  domainCheckpointLookupByName: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
    family: "DOMAIN_CHECKPOINT",
  },
  /** The parent's name. */
  domainCheckpointGetParent: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "name", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "read",
    family: "DOMAIN_CHECKPOINT",
  },
  connectGetCPUModelNames: {
    args: [{ name: "arch", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string[]>,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  /** (a `VIR_DRV_FEATURE_*` number). */
  connectSupportsFeature: {
    args: [{ name: "feature", kind: "int" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  // Managed migration, protocol version 3 with parameters (remote_protocol.x procedures
  // 302, 303, 305-307; their ACL is domain:migrate, Prepare's also domain:start and write).
  // The client runs the steps (`virDomainMigrateVersion3Full`); cookies are libvirt's opaque
  // bytes, here the text QEMU's driver writes.
  /** The source's first step: the domain's XML and a cookie for Prepare. */
  domainMigrateBegin3Params: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 64 },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<MigrateBeginResult>,
    access: "write",
  },
  /** The destination's incoming domain, started waiting for the source's state. */
  domainMigratePrepare3Params: {
    args: [
      { name: "params", kind: "params", max: 64 },
      { name: "cookiein", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<MigratePrepareResult>,
    access: "write",
  },
  /** The source sends the domain's state to the destination. */
  domainMigratePerform3Params: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "dconnuri", kind: "str?" },
      { name: "params", kind: "params", max: 64 },
      { name: "cookiein", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<MigrateCookie>,
    access: "write",
  },
  /** The destination runs the domain, or drops it when `cancelled`. */
  domainMigrateFinish3Params: {
    args: [
      { name: "params", kind: "params", max: 64 },
      { name: "cookiein", kind: "str?" },
      { name: "flags", kind: "uint" },
      { name: "cancelled", kind: "int" },
    ],
    result: r.data as Result<MigrateFinishResult>,
    access: "write",
  },
  /** The source ends its domain, or resumes it when `cancelled`. */
  domainMigrateConfirm3Params: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 64 },
      { name: "cookiein", kind: "str?" },
      { name: "flags", kind: "uint" },
      { name: "cancelled", kind: "int" },
    ],
    result: r.none,
    access: "write",
  },
  /** The running outgoing migration switches to post-copy (remote_protocol.x procedure 364). */
  domainMigrateStartPostCopy: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  /** (descriptor numbers). */
  domainCreateWithFiles: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "files", kind: "num[]" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.dom,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  /** (descriptor numbers). */
  domainCreateXMLWithFiles: {
    args: [
      { name: "xmlDesc", kind: "str" },
      { name: "files", kind: "num[]" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.dom,
    access: "write",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
  },
  domainFSFreeze: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "mountpoints", kind: "str[]" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number>,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainFSThaw: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "mountpoints", kind: "str[]" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number>,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainPMSuspendForDuration: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "target", kind: "uint" },
      { name: "duration", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainPMWakeup: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainInjectNMI: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainAbortJob: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainGetJobInfo: {
    args: [{ name: "domain", kind: "dom" }],
    result: r.data as Result<TypedParams>,
    access: "read",
  },
  domainGetJobStats: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [
      {
        check: "requireFlag",
        flags: ["DOMAIN_JOB_STATS_KEEP_COMPLETED", "DOMAIN_JOB_STATS_COMPLETED"],
      },
    ],
  },
  domainBlockResize: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "size", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainBlockJobAbort: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainBlockJobSetSpeed: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "bandwidth", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainGetBlockJobInfo: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  domainBlockPull: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "bandwidth", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainBlockCopy: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "destxml", kind: "str", files: "xml" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }, { check: "nonNull", arg: 2 }],
  },
  domainBlockCommit: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "base", kind: "str?", files: "path" },
      { name: "top", kind: "str?", files: "path" },
      { name: "bandwidth", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainBlockRebase: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "base", kind: "str?", files: "path" },
      { name: "bandwidth", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 1 },
      { check: "custom", run: blockRebaseCheck },
    ],
  },
  domainBlockPeek: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str", files: "path" },
      { name: "offset", kind: "ulong" },
      { name: "size", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number[]>,
    access: "secret",
    checks: [
      { check: "readonly" },
      { check: "nonEmpty", arg: 1 },
      { check: "custom", run: remoteBlockPeekSize, wire: true },
    ],
  },
  domainMemoryPeek: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "start", kind: "ulong" },
      { name: "size", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number[]>,
    access: "secret",
    checks: [
      { check: "readonly" },
      { check: "exclusiveFlags", flags: ["MEMORY_VIRTUAL", "MEMORY_PHYSICAL"] },
      { check: "custom", run: remoteMemoryPeekSize, wire: true },
    ],
  },
  domainGetFSInfo: {
    args: [{ name: "dom", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<DomainFSInfo[]>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainFSTrim: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "mountPoint", kind: "str?" },
      { name: "minimum", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainSetUserPassword: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "user", kind: "str" },
      { name: "password", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }, { check: "nonNull", arg: 2 }],
  },
  domainSendProcessSignal: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "pid_value", kind: "long" },
      { name: "signum", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "nonZero", arg: 1 }, { check: "readonly" }],
  },
  domainGetMessages: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string[]>,
    access: "read",
  },
  domainInterfaceAddresses: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "source", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<unknown[]>,
    access: "read",
    checks: [{ check: "readonly", ifArg: [1, VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT] }],
  },
  domainGetGuestInfo: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "types", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<TypedParams>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainSetGuestVcpus: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "cpumap", kind: "str" },
      { name: "state", kind: "int" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainAgentSetResponseTimeout: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "timeout", kind: "int" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  /** libvirt-qemu's call (`virDomainQemuAgentCommand`), whose errors are VIR_FROM_NONE. */
  domainQemuAgentCommand: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "cmd", kind: "str" },
      { name: "timeout", kind: "int" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "write",
    checks: [{ check: "readonly" }],
    family: "NONE",
  },
  /**
   * The node-device calls libvirt serves in the hypervisor driver (`driver-hypervisor.h`): it
   * owns the host device manager that knows which domain uses which PCI device. The public
   * API's errors are VIR_FROM_NODEDEV.
   */
  nodeDeviceDettach: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
    family: "NODEDEV",
  },
  nodeDeviceDetachFlags: {
    args: [
      { name: "dev", kind: "dev" },
      { name: "driverName", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
    family: "NODEDEV",
  },
  nodeDeviceReAttach: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
    family: "NODEDEV",
  },
  nodeDeviceReset: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
    family: "NODEDEV",
  },
  // python-libvirt's remaining domain and host calls (migration tunables, block threshold,
  // backups, …): libvirt's test driver implements none of them.
  domainMigrateSetMaxDowntime: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "downtime", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainMigrateGetMaxDowntime: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number>,
    // libvirt's ACL is domain:migrate: a full token, though its read-only socket may ask
    access: "secret",
  },
  domainMigrateGetCompressionCache: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number>,
    // libvirt's ACL is domain:migrate: a full token, though its read-only socket may ask
    access: "secret",
  },
  domainMigrateSetCompressionCache: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "cacheSize", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainMigrateSetMaxSpeed: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "bandwidth", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainMigrateGetMaxSpeed: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  domainSetBlockThreshold: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "dev", kind: "str" },
      { name: "threshold", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  domainBackupBegin: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "backupXML", kind: "str" },
      { name: "checkpointXML", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainBackupGetXMLDesc: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  domainAbortJobFlags: {
    args: [{ name: "domain", kind: "dom" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  domainAuthorizedSSHKeysGet: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "user", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string[]>,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainAuthorizedSSHKeysSet: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "user", kind: "str" },
      { name: "keys", kind: "str[]", max: 2048 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "nonNull", arg: 1 },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND", "DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE"],
      },
      { check: "readonly" },
    ],
  },
  domainBlockStatsFlags: {
    args: [
      { name: "dom", kind: "dom" },
      { name: "disk", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<TypedParams>,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  domainDetachDeviceAlias: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "alias", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainStartDirtyRateCalc: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "seconds", kind: "int" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    // libvirt also checks PAGE_SAMPLING against the other two modes: it is 0, so never fails
    checks: [
      { check: "readonly" },
      {
        check: "exclusiveFlags",
        flags: ["DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP", "DOMAIN_DIRTYRATE_MODE_DIRTY_RING"],
      },
    ],
  },
  domainSetLaunchSecurityState: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 64 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "custom", run: launchSecurityParamsCheck },
      { check: "nonNull", arg: 1 },
      { check: "positive", arg: 1, length: "nparams" },
      { check: "readonly" },
    ],
  },
  domainSaveParams: {
    args: [
      { name: "domain", kind: "dom" },
      { name: "params", kind: "params", max: 64 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
    ],
  },
  domainRestoreParams: {
    args: [{ name: "params", kind: "params", max: 64 }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "exclusiveFlags", flags: ["DOMAIN_SAVE_RUNNING", "DOMAIN_SAVE_PAUSED"] },
    ],
  },
  connectDomainXMLFromNative: {
    args: [
      { name: "nativeFormat", kind: "str" },
      { name: "nativeConfig", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }, { check: "nonNull", arg: 1 }],
  },
  connectDomainXMLToNative: {
    args: [
      { name: "nativeFormat", kind: "str" },
      { name: "domainXml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }, { check: "nonNull", arg: 1 }],
  },
  nodeGetMemoryParameters: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
  },
  nodeSetMemoryParameters: {
    args: [{ name: "params", kind: "params", max: 64 }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonNull", arg: 0 },
      { check: "nonNegative", arg: 0, length: "nparams" },
    ],
  },
  nodeAllocPages: {
    args: [
      { name: "pageSizes", kind: "num[]", max: 1024 },
      { name: "pageCounts", kind: "num[]", max: 1024 },
      { name: "startCell", kind: "int" },
      { name: "cellCount", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<number>,
    access: "write",
    checks: [
      { check: "readonly" },
      { check: "nonZero", arg: 0, length: "npages" },
      { check: "nonNull", arg: 0 },
      { check: "nonNull", arg: 1 },
      { check: "nonZero", arg: 3 },
    ],
  },
  nodeGetSEVInfo: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  nodeSuspendForDuration: {
    args: [
      { name: "target", kind: "uint" },
      { name: "duration", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  connectSetIdentity: {
    args: [{ name: "params", kind: "params", max: 20 }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
  },
  // virDomainAttachDevice / DetachDevice: the driver entries of their own (libvirt's test driver
  // has none; its QEMU driver's are the *Flags calls on the live domain)
  domainAttachDevice: {
    args: [{ name: "domain", kind: "dom" }, { name: "xml", kind: "str" }],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  domainDetachDevice: {
    args: [{ name: "domain", kind: "dom" }, { name: "xml", kind: "str" }],
    result: r.none,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
} as const satisfies CallTable;

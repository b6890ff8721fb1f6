/**
 * The ops the API sequence generator draws from: every python-libvirt method that libvirt's
 * test driver implements (test_driver.c's driver tables), each with a maker that picks a target
 * object, arguments and flags (from util/constants.ts, plus invalid bits) given what the
 * sequence has created so far.
 *
 * @example
 * ```ts
 * import { Random } from "../xmlgen/random.ts";
 * import { CATALOG, newWorld } from "./catalog.ts";
 * const op = CATALOG[0].make(new Random("1"), newWorld());
 * console.log(typeof op.op); // "string"
 * ```
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Random } from "../xmlgen/random.ts";
import {
  checkpointXml,
  domainXml,
  interfaceXml,
  networkXml,
  nodeDeviceXml,
  poolXml,
  snapshotXml,
  volumeXml,
} from "./xml.ts";

/** A scenario op as scenario.py reads it. */
export type ScenarioOp = Record<string, unknown> & { op: string };

/** The objects a sequence has made (or tried to make), so later ops can target them. */
export interface World {
  doms: string[];
  nets: string[];
  pools: string[];
  vols: [string, string][];
  ifaces: string[];
  devs: string[];
  snaps: [string, string][];
  chks: [string, string][];
  serial: number;
}

/** The objects of a fresh test:///default (and a few names that do not exist). */
export function newWorld(): World {
  return {
    doms: ["test"],
    nets: ["default"],
    pools: ["default-pool"],
    vols: [],
    ifaces: ["eth1"],
    devs: ["computer", "scsi_host1", "scsi_host2", "scsi_host11"],
    snaps: [],
    chks: [],
    serial: 0,
  };
}

/** One op kind: its python class, method and how often it is drawn. */
export interface OpMaker {
  cls: string;
  method: string;
  weight: number;
  make(r: Random, w: World): ScenarioOp;
}

const INVALID_FLAG = 1 << 30;

/** Flag names of util/constants.ts under these prefixes, as scenario.py resolves them. */
function flagNames(prefixes: string[]): string[] {
  return Object.keys(VIR).filter((k) => prefixes.some((p) => k.startsWith(p))).map((k) =>
    `VIR_${k}`
  );
}

/** Flags for a call: mostly 0 or libvirt's flags of that call, sometimes an unknown bit. */
function flags(r: Random, prefixes: string[]): unknown {
  const names = prefixes.length ? flagNames(prefixes) : [];
  const x = r.next();
  if (x < 0.4 || !names.length && x < 0.85) return 0;
  if (x < 0.85) {
    const n = r.int(1, 2);
    return Array.from({ length: n }, () => r.pick(names));
  }
  return r.pick([INVALID_FLAG, 1 << 16, [INVALID_FLAG, ...(names.length ? [r.pick(names)] : [])]]);
}

/** An existing name most of the time, else one that does not exist. */
function pickName(r: Random, list: readonly string[], missing: string): string {
  return list.length && r.chance(0.9) ? r.pick(list) : missing;
}

function pickPair(r: Random, list: readonly [string, string][], fallback: [string, string]) {
  return list.length && r.chance(0.85) ? r.pick(list) : fallback;
}

function fresh(w: World, prefix: string): string {
  w.serial++;
  return `${prefix}${w.serial}`;
}

const AFFECT = ["DOMAIN_AFFECT_"];

/** A connection op. */
function conn(
  method: string,
  weight: number,
  args: (r: Random, w: World) => unknown[],
  fl?: string[],
): OpMaker {
  return {
    cls: "virConnect",
    method,
    weight,
    make: (r, w) => ({ op: method, args: args(r, w), ...(fl ? { flags: flags(r, fl) } : {}) }),
  };
}

/** A domain op on a domain of the sequence (or a missing one). */
function dom(
  method: string,
  weight: number,
  args: (r: Random, w: World) => unknown[],
  fl?: string[],
  extra: Record<string, unknown> = {},
): OpMaker {
  return {
    cls: "virDomain",
    method,
    weight,
    make: (r, w) => ({
      op: method,
      name: pickName(r, w.doms, "nosuchdom"),
      args: args(r, w),
      ...(fl ? { flags: flags(r, fl) } : {}),
      ...extra,
    }),
  };
}

/** An op on another object kind, with scenario_ext.py's selector `sel`. */
function obj(
  sel: string,
  cls: string,
  method: string,
  weight: number,
  target: (r: Random, w: World) => unknown,
  args: (r: Random, w: World) => unknown[],
  fl?: string[],
): OpMaker {
  return {
    cls,
    method,
    weight,
    make: (r, w) => ({
      op: method,
      [sel]: target(r, w),
      args: args(r, w),
      ...(fl ? { flags: flags(r, fl) } : {}),
    }),
  };
}

const none = () => [];
const net = (r: Random, w: World) => pickName(r, w.nets, "nosuchnet");
const pool = (r: Random, w: World) => pickName(r, w.pools, "nosuchpool");
const vol = (r: Random, w: World) => pickPair(r, w.vols, ["default-pool", "nosuchvol"]);
const iface = (r: Random, w: World) => pickName(r, w.ifaces, "nosucheth");
const dev = (r: Random, w: World) => pickName(r, w.devs, "nosuchdev");
const snap = (r: Random, w: World) => pickPair(r, w.snaps, ["test", "nosuchsnap"]);
const chk = (r: Random, w: World) => pickPair(r, w.chks, ["test", "nosuchchk"]);
const cpumap = (r: Random) => Array.from({ length: r.int(0, 18) }, () => r.chance(0.5));
const disk = (r: Random) => r.pick(["vda", "hda", "/guest/diskimage", "nosuchdisk", ""]);
const nic = (r: Random) => r.pick(["vnet0", "testnet0", "52:54:00:00:00:01", "nosuchnic"]);
// A relative path would name the recording's working directory: absolute ones only.
const path = (r: Random) => r.pick(["/tmp/apigen.save", "/tmp/apigen2.save", "/nonexistent/x"]);

/**
 * Typed parameters: some of the known fields with plausible values. Never empty nor with an
 * unknown field: python-libvirt refuses those itself (LookupError) before libvirt sees them.
 */
function params(r: Random, fields: [string, () => unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of fields) if (r.chance(0.5)) out[k] = v();
  if (!Object.keys(out).length) out[fields[0][0]] = fields[0][1]();
  return out;
}

/** Now and then a name the sequence used before (a duplicate), else a fresh one; remembered. */
function reuseOrFresh(r: Random, w: World, list: string[], prefix: string): string {
  const name = r.chance(0.15) && list.length ? r.pick(list) : fresh(w, prefix);
  if (!list.includes(name)) list.push(name);
  return name;
}

/** Argument-less queries of one object kind, each drawn with weight 1. */
function objQueries(
  sel: string,
  cls: string,
  target: (r: Random, w: World) => unknown,
  ...methods: string[]
): OpMaker[] {
  return methods.map((m) => obj(sel, cls, m, 1, target, none));
}

/** Connection queries without arguments. */
const queries = (...methods: string[]) => methods.map((m) => conn(m, 1, none));

function defineDom(r: Random, w: World): string {
  return domainXml(r, reuseOrFresh(r, w, w.doms, "g"));
}

function addSnap(r: Random, w: World, d: string): string {
  const name = fresh(w, "s");
  w.snaps.push([d, name]);
  return snapshotXml(r, name);
}

function addChk(r: Random, w: World, d: string): string {
  const name = fresh(w, "c");
  w.chks.push([d, name]);
  return checkpointXml(r, name);
}

/** Device documents for attach and update: valid, unknown and malformed ones. */
const DEVICE_XML = [
  "<disk type='file' device='disk'><source file='/guest/x.img'/><target dev='vdb' bus='virtio'/></disk>",
  "<interface type='network'><source network='default'/></interface>",
  "<bogus/>",
  "<disk>",
];
const bandwidth = (r: Random) => r.pick([0, 1024, 2 ** 31]);
const memKiB = (r: Random) => r.pick([0, 1024, 65536, 262144, 1048576, 8388608, 2 ** 40]);
const vcpuN = (r: Random) => r.pick([0, 1, 2, 3, 4, 8, 33]);

const DOMAIN_OPS: OpMaker[] = [
  conn("defineXML", 6, (r, w) => [defineDom(r, w)]),
  conn("defineXMLFlags", 3, (r, w) => [defineDom(r, w)], ["DOMAIN_DEFINE_"]),
  conn("createXML", 4, (r, w) => [defineDom(r, w)], ["DOMAIN_START_"]),
  conn("createLinux", 1, (r, w) => [defineDom(r, w)], ["DOMAIN_START_"]),
  conn("lookupByName", 1, (r, w) => [pickName(r, w.doms, "nosuchdom")]),
  conn(
    "lookupByUUIDString",
    1,
    (
      r,
    ) => [
      r.pick([
        "6695eb01-f6a4-8304-79aa-97f2502e193f",
        "00000000-0000-0000-0000-000000000001",
        "bad",
      ]),
    ],
  ),
  conn("lookupByID", 1, (r) => [r.pick([1, 2, 3, 99, -1])]),
  conn("listAllDomains", 2, none, ["CONNECT_LIST_DOMAINS_"]),
  ...queries("listDomainsID", "listDefinedDomains", "numOfDomains", "numOfDefinedDomains"),
  conn("restore", 1, (r) => [path(r)]),
  conn("restoreFlags", 1, (r) => [path(r), null], ["DOMAIN_SAVE_"]),
  conn("saveImageGetXMLDesc", 1, (r) => [path(r)], ["DOMAIN_SAVE_IMAGE_XML_"]),
  conn("saveImageDefineXML", 1, (r, w) => [path(r), domainXml(r, r.pick(w.doms))], [
    "DOMAIN_SAVE_",
  ]),
  conn("getAllDomainStats", 1, (r) => [r.pick([0, 1, 2, 1 << 20])], [
    "CONNECT_GET_ALL_DOMAINS_STATS_",
  ]),
  dom("create", 4, none),
  dom("createWithFlags", 2, none, ["DOMAIN_START_"]),
  dom("destroy", 4, none),
  dom("destroyFlags", 1, none, ["DOMAIN_DESTROY_"]),
  dom("shutdown", 2, none),
  dom("shutdownFlags", 1, none, ["DOMAIN_SHUTDOWN_"]),
  dom("reboot", 1, none, ["DOMAIN_REBOOT_"]),
  dom("reset", 1, none),
  dom("suspend", 3, none),
  dom("resume", 3, none),
  dom("undefine", 2, none),
  dom("undefineFlags", 2, none, ["DOMAIN_UNDEFINE_"]),
  dom("setVcpus", 1, (r) => [vcpuN(r)]),
  dom("setVcpusFlags", 2, (r) => [vcpuN(r)], ["DOMAIN_VCPU_", ...AFFECT]),
  dom("vcpusFlags", 2, none, ["DOMAIN_VCPU_", ...AFFECT]),
  dom("maxVcpus", 1, none),
  dom("vcpus", 1, none),
  dom("pinVcpu", 1, (r) => [r.int(0, 4), cpumap(r)], undefined, { tuples: [1] }),
  dom("pinVcpuFlags", 1, (r) => [r.int(0, 4), cpumap(r)], AFFECT, { tuples: [1] }),
  dom("vcpuPinInfo", 1, none, AFFECT),
  dom("pinEmulator", 1, (r) => [cpumap(r)], AFFECT, { tuples: [0] }),
  dom("emulatorPinInfo", 1, none, AFFECT),
  dom("setMemory", 2, (r) => [memKiB(r)]),
  dom("setMemoryFlags", 2, (r) => [memKiB(r)], ["DOMAIN_MEM_", ...AFFECT]),
  dom("setMaxMemory", 1, (r) => [memKiB(r)]),
  dom("maxMemory", 1, none),
  dom("setMemoryStatsPeriod", 1, (r) => [r.pick([0, 5, -1])], AFFECT),
  dom("memoryStats", 1, none),
  dom("memoryPeek", 1, (r) => [r.pick([0, 4096]), r.pick([0, 16, 1 << 20])], ["MEMORY_"]),
  dom("XMLDesc", 2, none, ["DOMAIN_XML_"]),
  dom("info", 2, none),
  dom("state", 2, none),
  dom("controlInfo", 1, none),
  dom("isActive", 1, none),
  dom("isPersistent", 1, none),
  dom("isUpdated", 1, none),
  dom("autostart", 1, none),
  dom("setAutostart", 1, (r) => [r.pick([0, 1])]),
  dom("managedSave", 2, none, ["DOMAIN_SAVE_"]),
  dom("managedSaveRemove", 1, none),
  dom("hasManagedSaveImage", 1, none),
  dom("save", 1, (r) => [path(r)]),
  dom("saveFlags", 1, (r) => [path(r), null], ["DOMAIN_SAVE_"]),
  dom("coreDump", 1, (r) => [path(r)], ["DUMP_"]),
  dom("coreDumpWithFormat", 1, (r) => [path(r), r.pick([0, 1, 4, 9])], ["DUMP_"]),
  dom("rename", 1, (r, w) => {
    const to = r.chance(0.8) ? fresh(w, "r") : r.pick(w.doms);
    if (!w.doms.includes(to)) w.doms.push(to);
    return [to];
  }),
  dom("UUIDString", 1, none),
  dom("ID", 1, none),
  dom("OSType", 1, none),
  dom("hostname", 1, none, ["DOMAIN_GET_HOSTNAME_"]),
  dom("getCPUStats", 1, (r) => [r.pick([true, false])]),
  dom("securityLabel", 1, none),
  dom("securityLabelList", 1, none),
  dom("schedulerType", 1, none),
  dom("schedulerParameters", 1, none),
  dom("schedulerParametersFlags", 1, none, AFFECT),
  dom("setSchedulerParameters", 1, (r) => [params(r, [["weight", () => r.pick([0, 10, 50])]])]),
  dom(
    "setSchedulerParametersFlags",
    1,
    (r) => [params(r, [["weight", () => r.pick([0, 10, 50])]])],
    AFFECT,
  ),
  dom("blockStats", 1, (r) => [disk(r)]),
  dom("blockInfo", 1, (r) => [disk(r)]),
  dom("interfaceStats", 1, (r) => [nic(r)]),
  dom("interfaceAddresses", 1, (r) => [r.pick([0, 1, 2, 3])]),
  dom("getTime", 1, none),
  // python-libvirt itself refuses a time dict without "seconds" (LookupError)
  dom("setTime", 1, (r) => [r.pick([{ seconds: 1234567890 }, { seconds: 1, nseconds: 5 }])], [
    "DOMAIN_TIME_",
  ]),
  dom("sendKey", 1, (r) => [r.pick([0, 1, 9]), 10, [r.int(1, 60)], 1], ["DOMAIN_SEND_KEY_"]),
  dom("diskErrors", 1, none),
  dom("injectNMI", 1, none),
  dom("setLifecycleAction", 1, (r) => [r.int(0, 3), r.int(0, 6)], AFFECT),
  dom("launchSecurityInfo", 1, none),
  dom("metadata", 1, (r) => [r.int(0, 3), r.pick([null, "http://example.org/x"])], AFFECT),
  dom(
    "setMetadata",
    1,
    (
      r,
    ) => [
      r.int(0, 3),
      r.pick([null, "text", "<x>y</x>"]),
      r.pick([null, "x"]),
      r.pick([null, "http://example.org/x"]),
    ],
    AFFECT,
  ),
  dom("memoryParameters", 1, none, AFFECT),
  dom(
    "setMemoryParameters",
    1,
    (r) => [params(r, [["hard_limit", () => r.pick([0, 1048576])], ["soft_limit", () => 524288]])],
    AFFECT,
  ),
  dom("numaParameters", 1, none, AFFECT),
  dom(
    "setNumaParameters",
    1,
    (
      r,
    ) => [
      params(r, [["numa_nodeset", () => r.pick(["0", "0-1", "x"])], [
        "numa_mode",
        () => r.int(0, 4),
      ]]),
    ],
    AFFECT,
  ),
  dom("blkioParameters", 1, none, AFFECT),
  dom(
    "setBlkioParameters",
    1,
    (r) => [params(r, [["weight", () => r.pick([0, 100, 2000])]])],
    AFFECT,
  ),
  dom("blockIoTune", 1, (r) => [disk(r)], AFFECT),
  dom(
    "setBlockIoTune",
    1,
    (r) => [
      disk(r),
      params(r, [["total_bytes_sec", () => r.pick([0, 1000])], ["read_iops_sec", () => 10]]),
    ],
    AFFECT,
  ),
  dom("interfaceParameters", 1, (r) => [nic(r)], AFFECT),
  dom(
    "setInterfaceParameters",
    1,
    (r) => [nic(r), params(r, [["inbound.average", () => r.pick([0, 100])]])],
    AFFECT,
  ),
  dom("perfEvents", 1, none, AFFECT),
  dom(
    "setPerfEvents",
    1,
    (r) => [params(r, [["cmt", () => r.pick([true, false])], ["cpu_cycles", () => true]])],
    AFFECT,
  ),
  dom("fsInfo", 1, none),
  dom("fSTrim", 1, (r) => [r.pick([null, "/"]), r.pick([0, 1024])]),
  dom("fsFreeze", 1, (r) => [r.pick([[], ["/"]])]),
  dom("fsThaw", 1, (r) => [r.pick([[], ["/"]])]),
  dom("setUserPassword", 1, (r) => [r.pick(["root", ""]), "secret"], ["DOMAIN_PASSWORD_"]),
  dom("sendProcessSignal", 1, (r) => [r.pick([0, 1, 1234]), r.pick([0, 9, 15, 99])]),
  dom("messages", 1, none, ["DOMAIN_MESSAGE_"]),
  dom("attachDeviceFlags", 1, (r) => [r.pick(DEVICE_XML)], ["DOMAIN_DEVICE_MODIFY_", ...AFFECT]),
  dom(
    "detachDeviceFlags",
    1,
    (
      r,
    ) => [
      r.pick([
        "<disk type='file' device='disk'><source file='/guest/diskimage'/><target dev='hda'/></disk>",
        "<disk type='file' device='disk'><target dev='vdz'/></disk>",
        "<bogus/>",
      ]),
    ],
    ["DOMAIN_DEVICE_MODIFY_", ...AFFECT],
  ),
  conn("createXMLWithFiles", 1, (r, w) => [defineDom(r, w), []], ["DOMAIN_START_"]),
  dom("createWithFiles", 1, () => [[]], ["DOMAIN_START_"]),
  dom("ioThreadInfo", 1, none, AFFECT),
  dom("pinIOThread", 1, (r) => [r.int(0, 2), cpumap(r)], AFFECT, { tuples: [1] }),
  dom(
    "setIOThreadParams",
    1,
    (r) => [r.int(0, 2), params(r, [["poll_max_ns", () => r.pick([0, 1000])]])],
    AFFECT,
  ),
  dom("addIOThread", 1, (r) => [r.int(0, 3)], AFFECT),
  dom("delIOThread", 1, (r) => [r.int(0, 3)], AFFECT),
  dom("setVcpu", 1, (r) => [r.pick(["0", "1", "0-1", "^0", "x", ""]), r.int(0, 1)], AFFECT),
  dom("name", 1, none),
  dom("updateDeviceFlags", 1, (r) => [r.pick(DEVICE_XML)], ["DOMAIN_DEVICE_MODIFY_", ...AFFECT]),
  // Calls the test driver does not have: libvirt's entry checks, then "not supported".
  dom("blockResize", 1, (r) => [disk(r), r.pick([0, 1024, 1 << 30])], ["DOMAIN_BLOCK_RESIZE_"]),
  dom("jobInfo", 1, none),
  dom("jobStats", 1, none, ["DOMAIN_JOB_STATS_"]),
  dom("abortJob", 1, none),
  dom("agentSetResponseTimeout", 1, (r) => [r.pick([-3, -2, -1, 0, 5])]),
  dom(
    "blockCommit",
    1,
    (r) => [disk(r), r.pick([null, "/guest/base"]), r.pick([null, "/guest/top"]), bandwidth(r)],
    ["DOMAIN_BLOCK_COMMIT_"],
  ),
  dom("blockJobAbort", 1, (r) => [disk(r)], ["DOMAIN_BLOCK_JOB_ABORT_"]),
  dom("blockJobInfo", 1, (r) => [disk(r)], ["DOMAIN_BLOCK_JOB_INFO_"]),
  dom("blockJobSetSpeed", 1, (r) => [disk(r), bandwidth(r)], ["DOMAIN_BLOCK_JOB_SPEED_"]),
  dom("blockPeek", 1, (r) => [disk(r), r.pick([0, 512]), r.pick([0, 16])]),
  dom("blockPull", 1, (r) => [disk(r), bandwidth(r)], ["DOMAIN_BLOCK_PULL_"]),
  dom(
    "blockRebase",
    1,
    (r) => [disk(r), r.pick([null, "/guest/base"]), bandwidth(r)],
    ["DOMAIN_BLOCK_REBASE_"],
  ),
  dom("guestInfo", 1, (r) => [r.pick([0, 1, 2, 64, 1 << 20])]),
  dom("guestVcpus", 1, none),
  dom("setGuestVcpus", 1, (r) => [r.pick(["0", "0-1", "x", ""]), r.int(0, 1)]),
  dom("managedSaveGetXMLDesc", 1, none, ["DOMAIN_SAVE_IMAGE_XML_"]),
  dom("managedSaveDefineXML", 1, (r, w) => [domainXml(r, r.pick(w.doms))], ["DOMAIN_SAVE_"]),
  dom("pMSuspendForDuration", 1, (r) => [r.int(0, 3), r.pick([0, 10])]),
  dom("pMWakeup", 1, none),
  dom("attachDevice", 1, (r) => [r.pick(DEVICE_XML)]),
  dom("detachDevice", 1, (r) => [r.pick(DEVICE_XML)]),
  dom("abortJobFlags", 1, none, ["DOMAIN_ABORT_JOB_"]),
  dom("migrateGetMaxDowntime", 1, none),
  dom("migrateSetMaxDowntime", 1, (r) => [r.pick([0, 300, 1 << 20])]),
  dom("migrateGetCompressionCache", 1, none),
  dom("migrateSetCompressionCache", 1, (r) => [r.pick([0, 1 << 26])]),
  dom("migrateGetMaxSpeed", 1, none, ["DOMAIN_MIGRATE_MAX_SPEED_"]),
  dom("migrateSetMaxSpeed", 1, (r) => [bandwidth(r)], ["DOMAIN_MIGRATE_MAX_SPEED_"]),
  dom("migrateStartPostCopy", 1, none),
  dom("setBlockThreshold", 1, (r) => [disk(r), r.pick([0, 1 << 20])]),
  dom("backupBegin", 1, (r) => [
    r.pick(["<domainbackup/>", "<domainbackup mode='pull'/>", "<bogus/>"]),
    r.pick([null, "<domaincheckpoint/>"]),
  ], ["DOMAIN_BACKUP_BEGIN_"]),
  dom("backupGetXMLDesc", 1, none),
  dom("authorizedSSHKeysGet", 1, (r) => [r.pick(["root", "nobody", ""])]),
  dom(
    "authorizedSSHKeysSet",
    1,
    (r) => [r.pick(["root", ""]), r.pick([[], ["ssh-ed25519 AAAA k"]])],
    ["DOMAIN_AUTHORIZED_SSH_KEYS_SET_"],
  ),
  dom("blockStatsFlags", 1, (r) => [disk(r)], ["TYPED_PARAM_STRING_OKAY"]),
  dom("detachDeviceAlias", 1, (r) => [r.pick(["ua-disk0", "net0", ""])], [
    "DOMAIN_DEVICE_MODIFY_",
    ...AFFECT,
  ]),
  dom("startDirtyRateCalc", 1, (r) => [r.pick([0, 1, 60])], ["DOMAIN_DIRTYRATE_MODE_"]),
  dom("setLaunchSecurityState", 1, (r) => [
    params(r, [["sev-secret", () => "c2VjcmV0"], ["sev-secret-header", () => "aGVhZGVy"]]),
  ]),
  dom("saveParams", 1, (r) => [params(r, [["file", () => path(r)]])], ["DOMAIN_SAVE_"]),
  conn("restoreParams", 1, (r) => [params(r, [["file", () => path(r)]])], ["DOMAIN_SAVE_"]),
  conn("getMemoryParameters", 1, none),
  conn("setMemoryParameters", 1, (r) => [
    params(r, [["shm_pages_to_scan", () => r.pick([0, 100])], ["shm_sleep_millisecs", () => 20]]),
  ]),
  conn("getSEVInfo", 1, none),
  conn(
    "setIdentity",
    1,
    (r) => [params(r, [["user-name", () => "root"], ["unix-user-id", () => 0]])],
  ),
  conn("getStoragePoolCapabilities", 1, none),
  conn("suspendForDuration", 1, (r) => [r.int(0, 3), r.pick([0, 60])]),
  conn("domainXMLFromNative", 1, (r) => [r.pick(["qemu-argv", "xen-xm", ""]), "x"]),
  conn("domainXMLToNative", 1, (r, w) => [r.pick(["qemu-argv", ""]), domainXml(r, fresh(w, "n"))]),
];

const SNAPSHOT_OPS: OpMaker[] = [
  dom("snapshotCreateXML", 5, () => [], ["DOMAIN_SNAPSHOT_CREATE_"]),
  dom("snapshotNum", 1, none, ["DOMAIN_SNAPSHOT_LIST_"]),
  dom("snapshotListNames", 1, none, ["DOMAIN_SNAPSHOT_LIST_"]),
  dom("listAllSnapshots", 1, none, ["DOMAIN_SNAPSHOT_LIST_"]),
  dom("snapshotLookupByName", 1, (r, w) => [snap(r, w)[1]]),
  dom("hasCurrentSnapshot", 1, none),
  dom("snapshotCurrent", 1, none),
  obj("snap", "virDomainSnapshot", "getXMLDesc", 1, snap, none, ["DOMAIN_SNAPSHOT_XML_"]),
  obj("snap", "virDomainSnapshot", "getParent", 1, snap, none),
  obj("snap", "virDomainSnapshot", "numChildren", 1, snap, none, ["DOMAIN_SNAPSHOT_LIST_"]),
  obj("snap", "virDomainSnapshot", "listChildrenNames", 1, snap, none, ["DOMAIN_SNAPSHOT_LIST_"]),
  obj("snap", "virDomainSnapshot", "listAllChildren", 1, snap, none, ["DOMAIN_SNAPSHOT_LIST_"]),
  obj("snap", "virDomainSnapshot", "isCurrent", 1, snap, none),
  obj("snap", "virDomainSnapshot", "hasMetadata", 1, snap, none),
  obj("snap", "virDomainSnapshot", "delete", 2, snap, none, ["DOMAIN_SNAPSHOT_DELETE_"]),
  obj("snap", "virDomainSnapshot", "revertToSnapshot", 2, snap, none, ["DOMAIN_SNAPSHOT_REVERT_"]),
  dom("checkpointCreateXML", 3, () => [], ["DOMAIN_CHECKPOINT_CREATE_"]),
  dom("listAllCheckpoints", 1, none, ["DOMAIN_CHECKPOINT_LIST_"]),
  dom("checkpointLookupByName", 1, (r, w) => [chk(r, w)[1]]),
  obj("chk", "virDomainCheckpoint", "getXMLDesc", 1, chk, none, ["DOMAIN_CHECKPOINT_XML_"]),
  obj("chk", "virDomainCheckpoint", "getParent", 1, chk, none),
  obj("chk", "virDomainCheckpoint", "listAllChildren", 1, chk, none, ["DOMAIN_CHECKPOINT_LIST_"]),
  obj("chk", "virDomainCheckpoint", "delete", 1, chk, none, ["DOMAIN_CHECKPOINT_DELETE_"]),
  obj("snap", "virDomainSnapshot", "getName", 1, snap, none),
  obj("chk", "virDomainCheckpoint", "getName", 1, chk, none),
];

// snapshotCreateXML/checkpointCreateXML need the XML to name the domain the op targets.
for (const m of SNAPSHOT_OPS) {
  if (m.method !== "snapshotCreateXML" && m.method !== "checkpointCreateXML") continue;
  const base = m.make;
  m.make = (r, w) => {
    const op = base(r, w);
    const d = op.name as string;
    op.args = [m.method === "snapshotCreateXML" ? addSnap(r, w, d) : addChk(r, w, d)];
    return op;
  };
}

const HOST_OPS: OpMaker[] = [
  ...queries(
    "getCapabilities",
    "getSysinfo",
    "getHostname",
    "getInfo",
    "getFreeMemory",
    "getType",
    "getURI",
    "getVersion",
    "getLibVersion",
  ),
  conn("getMaxVcpus", 1, (r) => [r.pick([null, "test", "kvm", "qemu"])]),
  ...queries("isAlive", "isSecure", "isEncrypted", "getSecurityModel"),
  conn("getCellsFreeMemory", 1, (r) => [r.int(-1, 2), r.int(0, 3)]),
  conn("getCPUMap", 1, none),
  conn("getCPUModelNames", 1, (r) => [r.pick(["x86_64", "i686", "aarch64", "nosuch"])]),
  conn("getCPUStats", 1, (r) => [r.pick([-1, 0, 1, 99])]),
  conn("getFreePages", 1, (r) => [[r.pick([4, 2048])], r.int(-1, 1), r.int(1, 2)]),
  conn(
    "baselineCPU",
    1,
    (r) => [r.pick([["<cpu><arch>x86_64</arch><model>core2duo</model></cpu>"], ["<cpu>"], []])],
    ["CONNECT_BASELINE_CPU_"],
  ),
  conn(
    "findStoragePoolSources",
    1,
    (
      r,
    ) => [
      r.pick(["logical", "netfs", "dir"]),
      r.pick([null, "<source><host name='localhost'/></source>"]),
    ],
  ),
  conn("getDomainCapabilities", 1, none),
  conn("compareCPU", 1, (r) => [r.pick(CPU_XML)], ["CONNECT_COMPARE_CPU_"]),
  conn("getMemoryStats", 1, (r) => [r.pick([-1, 0, 1, 99])]),
  conn("compareHypervisorCPU", 1, (r) => [...hypervisorCPU(r), r.pick(CPU_XML)], [
    "CONNECT_COMPARE_CPU_",
  ]),
  conn("baselineHypervisorCPU", 1, (r) => [...hypervisorCPU(r), [r.pick(CPU_XML)]], [
    "CONNECT_BASELINE_CPU_",
  ]),
  conn("storagePoolLookupByTargetPath", 1, (r) => [r.pick(["/default-pool", "/nosuch", ""])]),
];

/** The calls of the drivers test:///default does not have (secret, nwfilter). */
const SECRET_NWFILTER_OPS: OpMaker[] = [
  conn("listAllSecrets", 1, none, ["CONNECT_LIST_SECRETS_"]),
  ...queries("listSecrets", "numOfSecrets", "listNWFilters", "numOfNWFilters"),
  conn("secretDefineXML", 1, (r) => [
    r.pick([
      "<secret ephemeral='no' private='no'><usage type='volume'><volume>/x</volume></usage></secret>",
      "<secret>",
      "",
    ]),
  ], ["SECRET_DEFINE_"]),
  conn("secretLookupByUsage", 1, (r) => [r.int(0, 5), r.pick(["/x", "", "y"])]),
  conn("listAllNWFilters", 1, none, []),
  conn("listAllNWFilterBindings", 1, none, []),
  conn("nwfilterDefineXML", 1, (r) => [r.pick(NWFILTER_XML)]),
  conn("nwfilterDefineXMLFlags", 1, (r) => [r.pick(NWFILTER_XML)], ["NWFILTER_DEFINE_"]),
  conn("nwfilterLookupByName", 1, (r) => [r.pick(["clean-traffic", "nosuch", ""])]),
  conn("nwfilterBindingCreateXML", 1, (r) => [
    r.pick([
      "<filterbinding><owner><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid></owner><portdev name='vnet0'/><mac address='52:54:00:00:00:01'/><filterref filter='clean-traffic'/></filterbinding>",
      "<filterbinding/>",
    ]),
  ], ["NWFILTER_BINDING_CREATE_"]),
  conn("nwfilterBindingLookupByPortDev", 1, (r) => [r.pick(["vnet0", ""])]),
];

/** emulator, arch, machine and virttype of the …HypervisorCPU calls. */
const hypervisorCPU = (r: Random) => [
  r.pick([null, "/usr/bin/qemu-system-x86_64"]),
  r.pick([null, "x86_64", "nosuch"]),
  r.pick([null, "pc"]),
  r.pick([null, "test", "kvm"]),
];
const CPU_XML = ["<cpu><arch>x86_64</arch><model>core2duo</model></cpu>", "<cpu>", ""];
const NWFILTER_XML = ["<filter name='f1' chain='root'/>", "<filter>", "<filter/>"];

/** networkUpdate sections (VIR_NETWORK_SECTION_*) with an element of that section. */
const NETWORK_SECTIONS: [number, string][] = [
  [
    VIR.NETWORK_SECTION_IP_DHCP_HOST,
    "<host mac='00:16:3e:77:e2:ed' name='foo' ip='192.168.122.10'/>",
  ],
  [VIR.NETWORK_SECTION_IP_DHCP_HOST, "<host mac='52:54:00:00:00:09' ip='10.0.0.9'/>"],
  [VIR.NETWORK_SECTION_IP_DHCP_RANGE, "<range start='192.168.122.100' end='192.168.122.110'/>"],
  [VIR.NETWORK_SECTION_IP_DHCP_RANGE, "<range start='192.168.122.120' end='192.168.122.110'/>"],
  [VIR.NETWORK_SECTION_DNS_HOST, "<host ip='192.168.122.2'><hostname>h</hostname></host>"],
  [VIR.NETWORK_SECTION_DNS_TXT, "<txt name='t' value='v'/>"],
  [VIR.NETWORK_SECTION_DNS_SRV, "<srv service='name' protocol='tcp' domain='d' target='.'/>"],
  [VIR.NETWORK_SECTION_PORTGROUP, "<portgroup name='pg'/>"],
  [VIR.NETWORK_SECTION_FORWARD_INTERFACE, "<interface dev='eth9'/>"],
  [VIR.NETWORK_SECTION_IP, "<ip address='10.1.0.1'/>"],
  [VIR.NETWORK_SECTION_BRIDGE, "<bridge name='virbr9'/>"],
  [VIR.NETWORK_SECTION_IP_DHCP_HOST, "<bogus/>"],
];

const NETWORK_OPS: OpMaker[] = [
  ...["networkDefineXML", "networkCreateXML", "networkDefineXMLFlags", "networkCreateXMLFlags"]
    .map((m) =>
      conn(m, m.endsWith("Flags") ? 1 : 3, (r, w) => {
        const name = reuseOrFresh(r, w, w.nets, "n");
        return [networkXml(r, name, w.serial)];
      }, m.endsWith("Flags") ? ["NETWORK_DEFINE_", "NETWORK_CREATE_"] : undefined)
    ),
  conn("networkLookupByName", 1, (r, w) => [net(r, w)]),
  conn(
    "networkLookupByUUIDString",
    1,
    (r) => [r.pick(["00000000-0000-0000-0000-000000000001", "bad"])],
  ),
  conn("listAllNetworks", 1, none, ["CONNECT_LIST_NETWORKS_"]),
  ...queries("listNetworks", "listDefinedNetworks", "numOfNetworks", "numOfDefinedNetworks"),
  ...["create", "destroy", "undefine"].map((m) => obj("net", "virNetwork", m, 2, net, none)),
  ...["bridgeName", "autostart", "isActive", "isPersistent", "UUIDString", "name"].map((m) =>
    obj("net", "virNetwork", m, 1, net, none)
  ),
  obj("net", "virNetwork", "XMLDesc", 1, net, none, ["NETWORK_XML_"]),
  obj("net", "virNetwork", "setAutostart", 1, net, (r) => [r.pick([0, 1])]),
  obj("net", "virNetwork", "update", 3, net, (r) => {
    // mostly a section with an element of its kind, sometimes a mismatch or a bad section
    const [section, xml] = r.chance(0.75)
      ? r.pick(NETWORK_SECTIONS)
      : [r.pick([0, 1, 2, 6, 99]), r.pick(NETWORK_SECTIONS)[1]];
    return [r.int(0, 4), section, r.pick([-1, -1, 0, 5]), xml];
  }, ["NETWORK_UPDATE_AFFECT_"]),
  obj("net", "virNetwork", "DHCPLeases", 1, net, (r) => [r.pick([null, "52:54:00:00:00:01"])], []),
  obj("net", "virNetwork", "listAllPorts", 1, net, none, []),
  obj("net", "virNetwork", "portCreateXML", 1, net, (r) => [
    r.pick([
      "<networkport><owner><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid></owner><mac address='52:54:00:00:00:01'/></networkport>",
      "<networkport>",
    ]),
  ], ["NETWORK_PORT_CREATE_"]),
];

const POOL_OPS: OpMaker[] = [
  ...(["storagePoolDefineXML", "storagePoolCreateXML"] as const).map((m) =>
    conn(m, 3, (r, w) => {
      return [poolXml(r, reuseOrFresh(r, w, w.pools, "p"))];
    }, m === "storagePoolCreateXML" ? ["STORAGE_POOL_CREATE_"] : [])
  ),
  conn("storagePoolLookupByName", 1, (r, w) => [pool(r, w)]),
  conn(
    "storagePoolLookupByUUIDString",
    1,
    (r) => [r.pick(["dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566", "bad"])],
  ),
  conn("listAllStoragePools", 1, none, ["CONNECT_LIST_STORAGE_POOLS_"]),
  ...queries(
    "listStoragePools",
    "listDefinedStoragePools",
    "numOfStoragePools",
    "numOfDefinedStoragePools",
  ),
  conn(
    "storageVolLookupByPath",
    1,
    (
      r,
      w,
    ) => [w.vols.length && r.chance(0.7) ? `/default-pool/${r.pick(w.vols)[1]}` : "/nosuch/path"],
  ),
  conn(
    "storageVolLookupByKey",
    1,
    (r, w) => [w.vols.length && r.chance(0.7) ? `/default-pool/${r.pick(w.vols)[1]}` : "nokey"],
  ),
  obj("pool", "virStoragePool", "create", 2, pool, none, ["STORAGE_POOL_CREATE_"]),
  obj("pool", "virStoragePool", "build", 1, pool, none, ["STORAGE_POOL_BUILD_"]),
  obj("pool", "virStoragePool", "destroy", 2, pool, none),
  obj("pool", "virStoragePool", "delete", 1, pool, none, ["STORAGE_POOL_DELETE_"]),
  obj("pool", "virStoragePool", "undefine", 2, pool, none),
  obj("pool", "virStoragePool", "refresh", 1, pool, none),
  ...[
    "info",
    "autostart",
    "isActive",
    "isPersistent",
    "numOfVolumes",
    "listVolumes",
    "name",
    "UUIDString",
  ].map((m) => obj("pool", "virStoragePool", m, 1, pool, none)),
  obj("pool", "virStoragePool", "XMLDesc", 1, pool, none, ["STORAGE_XML_"]),
  obj("pool", "virStoragePool", "setAutostart", 1, pool, (r) => [r.pick([0, 1])]),
  obj("pool", "virStoragePool", "listAllVolumes", 1, pool, none),
  obj(
    "pool",
    "virStoragePool",
    "storageVolLookupByName",
    1,
    pool,
    (r, w) => [w.vols.length && r.chance(0.7) ? r.pick(w.vols)[1] : "nosuchvol"],
  ),
  {
    cls: "virStoragePool",
    method: "createXML",
    weight: 5,
    make: (r, w) => {
      const p = r.chance(0.85) ? "default-pool" : pool(r, w);
      const name = r.chance(0.15) && w.vols.length ? r.pick(w.vols)[1] : fresh(w, "v");
      if (!w.vols.some(([q, v]) => q === p && v === name)) w.vols.push([p, name]);
      return {
        op: "createXML",
        pool: p,
        args: [volumeXml(r, name)],
        flags: flags(r, ["STORAGE_VOL_CREATE_"]),
      };
    },
  },
  {
    cls: "virStoragePool",
    method: "createXMLFrom",
    weight: 2,
    make: (r, w) => {
      const p = r.chance(0.85) ? "default-pool" : pool(r, w);
      const clone = vol(r, w);
      const name = r.chance(0.15) && w.vols.length ? r.pick(w.vols)[1] : fresh(w, "v");
      if (!w.vols.some(([q, v]) => q === p && v === name)) w.vols.push([p, name]);
      return {
        op: "createXMLFrom",
        pool: p,
        args: [volumeXml(r, name), clone],
        flags: flags(r, ["STORAGE_VOL_CREATE_"]),
      };
    },
  },
  obj("vol", "virStorageVol", "infoFlags", 1, vol, none, ["STORAGE_VOL_GET_"]),
  obj("vol", "virStorageVol", "wipePattern", 1, vol, (r) => [r.pick([0, 1, 9, 99])], []),
  obj("vol", "virStorageVol", "delete", 2, vol, none, ["STORAGE_VOL_DELETE_"]),
  obj("vol", "virStorageVol", "wipe", 1, vol, none),
  obj("vol", "virStorageVol", "resize", 1, vol, (r) => [r.pick([0, 1024, 1 << 30, 2 ** 50])], [
    "STORAGE_VOL_RESIZE_",
  ]),
  ...objQueries(
    "vol",
    "virStorageVol",
    vol,
    "info",
    "XMLDesc",
    "path",
    "key",
    "name",
    "storagePoolLookupByVolume",
  ),
];

const IFACE_OPS: OpMaker[] = [
  conn("interfaceDefineXML", 3, (r, w) => {
    const name = reuseOrFresh(r, w, w.ifaces, "eth");
    return [
      interfaceXml(r, name, `aa:bb:cc:00:00:${(w.serial % 256).toString(16).padStart(2, "0")}`),
    ];
  }),
  conn("interfaceLookupByName", 1, (r, w) => [iface(r, w)]),
  conn(
    "interfaceLookupByMACString",
    1,
    (r) => [r.pick(["aa:bb:cc:dd:ee:ff", "00:00:00:00:00:00", "bad"])],
  ),
  conn("listAllInterfaces", 1, none, ["CONNECT_LIST_INTERFACES_"]),
  ...queries(
    "listInterfaces",
    "listDefinedInterfaces",
    "numOfInterfaces",
    "numOfDefinedInterfaces",
  ),
  // python-libvirt's names of virInterfaceChangeBegin/Commit/Rollback
  ...["changeBegin", "changeCommit", "changeRollback"].map((m) => conn(m, 1, none, [])),
  obj("iface", "virInterface", "create", 2, iface, none),
  obj("iface", "virInterface", "destroy", 2, iface, none),
  ...objQueries("iface", "virInterface", iface, "undefine", "isActive", "MACString", "name"),
  obj("iface", "virInterface", "XMLDesc", 1, iface, none, ["INTERFACE_XML_"]),
];

const NODEDEV_OPS: OpMaker[] = [
  conn("listAllDevices", 1, none, ["CONNECT_LIST_NODE_DEVICES_"]),
  conn("listDevices", 1, (r) => [r.pick([null, "scsi_host", "pci", "nosuch"])]),
  conn("numOfDevices", 1, (r) => [r.pick([null, "scsi_host", "fc_host", "nosuch"])]),
  conn("nodeDeviceLookupByName", 1, (r, w) => [dev(r, w)]),
  conn("nodeDeviceCreateXML", 2, (r, w) => {
    // the test driver names a new vHBA scsi_hostN, N counting on from the default node's 11
    w.devs.push(`scsi_host${12 + w.devs.length - 4}`);
    return [nodeDeviceXml(r)];
  }),
  ...objQueries(
    "dev",
    "virNodeDevice",
    dev,
    "XMLDesc",
    "parent",
    "numOfCaps",
    "listCaps",
    "destroy",
    "name",
    "dettach",
    "reAttach",
    "reset",
    "isActive",
    "isPersistent",
    "autostart",
  ),
  obj(
    "dev",
    "virNodeDevice",
    "detachFlags",
    1,
    dev,
    (r) => [r.pick([null, "vfio", "kvm", "x"])],
    [],
  ),
  obj("dev", "virNodeDevice", "create", 1, dev, none, []),
  obj("dev", "virNodeDevice", "undefine", 1, dev, none, []),
  obj("dev", "virNodeDevice", "setAutostart", 1, dev, (r) => [r.pick([0, 1])]),
  conn("nodeDeviceDefineXML", 1, (r) => [nodeDeviceXml(r)], ["NODE_DEVICE_DEFINE_"]),
  conn("nodeDeviceLookupSCSIHostByWWN", 1, (r) => [
    r.pick(["2000000012341234", "nosuch"]),
    r.pick(["1000000012341234", "x"]),
  ], []),
];

/** Every op kind the generator draws from. */
export const CATALOG: OpMaker[] = [
  ...DOMAIN_OPS,
  ...SNAPSHOT_OPS,
  ...HOST_OPS,
  ...NETWORK_OPS,
  ...POOL_OPS,
  ...IFACE_OPS,
  ...NODEDEV_OPS,
  ...SECRET_NWFILTER_OPS,
];

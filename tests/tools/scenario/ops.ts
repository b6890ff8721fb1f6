/**
 * python-libvirt methods on edgevirt's public API: for each python class and method, the call
 * and python-libvirt's return shape (0 for C functions returning 0, ints for C booleans, lists
 * for tuples, node memory in MiB, ...).
 * @module
 */
import {
  type Connection,
  type Domain,
  type DomainCheckpoint,
  type DomainSnapshot,
  type Interface,
  type Network,
  type NodeDevice,
  type StoragePool,
  type StorageVolume,
  type TypedParams,
  VirError,
} from "../../../mod.ts";
import { callDriver } from "../../../client/handle.ts";
import { DRIVER_CONNECT, DRIVER_DOMAIN, preGet } from "./ops_driver.ts";
import { CONTRACT_OPS } from "./ops_contract.ts";

/** A mapped method: the python receiver, its positional arguments, the connection. */
// deno-lint-ignore no-explicit-any
export type Handler = (self: any, a: unknown[], conn: Connection) => Promise<unknown>;

const zero = async (p: Promise<unknown>): Promise<number> => {
  await p;
  return 0;
};
const int = async (p: Promise<boolean | number>): Promise<number> => Number(await p);
const num = (v: unknown): number => Number(v);
const str = (v: unknown): string => v as string;
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const params = (v: unknown): TypedParams => v as TypedParams;

/**
 * python-libvirt's getPyNodeCPUCount: CPU maps are sized by virNodeGetCPUMap's CPU count, or by
 * the node info's nodes*sockets*cores*threads when that call fails.
 */
async function hostCpuCount(c: Connection): Promise<number> {
  try {
    return (await c.getCPUMap(0)).map.length;
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    const n = await c.getNodeInfo();
    return n.nodes * n.sockets * n.cores * n.threads;
  }
}

/** A CPU map as python-libvirt passes it: exactly `cpunum` entries, missing ones false. */
function fitCpuMap(map: unknown[], cpunum: number): boolean[] {
  return Array.from({ length: cpunum }, (_, i) => Boolean(map[i]));
}

/** python-libvirt's chunk size for per-CPU statistics. */
const PER_CPU_CHUNK = 128;

const DOMAIN: Record<string, (d: Domain, a: unknown[], c: Connection) => Promise<unknown>> = {
  create: (d) => zero(d.create()),
  createWithFlags: (d, a) => zero(d.createWithFlags(num(a[0] ?? 0))),
  destroy: (d) => zero(d.destroy()),
  destroyFlags: (d, a) => zero(d.destroyFlags(num(a[0] ?? 0))),
  shutdown: (d) => zero(d.shutdown()),
  shutdownFlags: (d, a) => zero(d.shutdownFlags(num(a[0] ?? 0))),
  reboot: (d, a) => zero(d.reboot(num(a[0] ?? 0))),
  reset: (d, a) => zero(d.reset(num(a[0] ?? 0))),
  suspend: (d) => zero(d.suspend()),
  resume: (d) => zero(d.resume()),
  undefine: (d) => zero(d.undefine()),
  undefineFlags: (d, a) => zero(d.undefineFlags(num(a[0] ?? 0))),
  setVcpus: (d, a) => zero(d.setVcpus(num(a[0]))),
  setVcpusFlags: (d, a) => zero(d.setVcpusFlags(num(a[0]), num(a[1] ?? 0))),
  vcpusFlags: (d, a) => d.getVcpusFlags(num(a[0] ?? 0)),
  setVcpu: (d, a) => zero(d.setVcpu(str(a[0]), num(a[1]), num(a[2] ?? 0))),
  maxVcpus: (d) => d.getMaxVcpus(),
  vcpus: async (d, _a, c) => {
    const cpunum = await hostCpuCount(c);
    const { info, cpumaps } = await d.getVcpus();
    return [
      info.map((v) => [v.number, v.state, v.cpuTime, v.cpu]),
      cpumaps.map((m) => fitCpuMap(m, cpunum)),
    ];
  },
  pinVcpuFlags: async (d, a, c) =>
    zero(
      d.pinVcpuFlags(
        num(a[0]),
        fitCpuMap(a[1] as unknown[], await hostCpuCount(c)),
        num(a[2] ?? 0),
      ),
    ),
  pinVcpu: async (d, a, c) =>
    zero(callDriver(
      c,
      { method: "domainPinVcpuFlags", api: "virDomainPinVcpu" },
      d.ref,
      num(a[0]),
      fitCpuMap(a[1] as unknown[], await hostCpuCount(c)),
      0,
    )),
  ioThreadInfo: async (d, a, c) => {
    const cpunum = await hostCpuCount(c);
    const info = await callDriver(c, "domainGetIOThreadInfo", d.ref, num(a[0] ?? 0));
    return info.map((t) => [t.iothreadId, fitCpuMap(t.cpumap, cpunum)]);
  },
  addIOThread: (d, a, c) =>
    zero(callDriver(c, "domainAddIOThread", d.ref, num(a[0]), num(a[1] ?? 0))),
  delIOThread: (d, a, c) =>
    zero(callDriver(c, "domainDelIOThread", d.ref, num(a[0]), num(a[1] ?? 0))),
  pinIOThread: async (d, a, c) =>
    zero(callDriver(
      c,
      "domainPinIOThread",
      d.ref,
      num(a[0]),
      fitCpuMap(a[1] as unknown[], await hostCpuCount(c)),
      num(a[2] ?? 0),
    )),
  setIOThreadParams: (d, a, c) =>
    zero(callDriver(c, "domainSetIOThreadParams", d.ref, num(a[0]), params(a[1]), num(a[2] ?? 0))),
  // python-libvirt asks for as many maps as virDomainGetInfo's vCPU count, each host-CPU wide.
  vcpuPinInfo: async (d, a, c) => {
    const cpunum = await hostCpuCount(c);
    const { nrVirtCpu } = await d.getInfo();
    const maps = await d.getVcpuPinInfo(num(a[0] ?? 0));
    return maps.slice(0, nrVirtCpu).map((m) => fitCpuMap(m, cpunum));
  },
  pinEmulator: async (d, a, c) =>
    zero(d.pinEmulator(fitCpuMap(a[0] as unknown[], await hostCpuCount(c)), num(a[1] ?? 0))),
  emulatorPinInfo: async (d, a, c) =>
    fitCpuMap(await d.getEmulatorPinInfo(num(a[0] ?? 0)), await hostCpuCount(c)),
  securityLabel: async (d) => {
    const { label, enforcing } = await d.getSecurityLabel();
    return [label, enforcing];
  },
  securityLabelList: async (d) =>
    (await d.getSecurityLabelList()).map(({ label, enforcing }) => [label, enforcing]),
  fSTrim: (d, a) => zero(d.fsTrim(optStr(a[0]), num(a[1]), num(a[2] ?? 0))),
  fsInfo: async (d, a) =>
    (await d.getFSInfo(num(a[0] ?? 0))).map((f) => [f.mountpoint, f.name, f.fstype, f.devAliases]),
  setUserPassword: (d, a) => zero(d.setUserPassword(str(a[0]), str(a[1]), num(a[2] ?? 0))),
  sendProcessSignal: (d, a) => zero(d.sendProcessSignal(num(a[0]), num(a[1]), num(a[2] ?? 0))),
  messages: (d, a) => d.getMessages(num(a[0] ?? 0)),
  setMemory: (d, a) => zero(d.setMemory(num(a[0]))),
  setMemoryFlags: (d, a) => zero(d.setMemoryFlags(num(a[0]), num(a[1] ?? 0))),
  setMaxMemory: (d, a) => zero(d.setMaxMemory(num(a[0]))),
  maxMemory: (d) => d.getMaxMemory(),
  XMLDesc: (d, a) => d.getXMLDesc(num(a[0] ?? 0)),
  info: async (d) => {
    const i = await d.getInfo();
    return [i.state, i.maxMem, i.memory, i.nrVirtCpu, i.cpuTime];
  },
  state: (d, a) => d.getState(num(a[0] ?? 0)),
  isActive: (d) => int(d.isActive()),
  isPersistent: (d) => int(d.isPersistent()),
  isUpdated: (d) => int(d.isUpdated()),
  autostart: (d) => int(d.getAutostart()),
  setAutostart: (d, a) => zero(d.setAutostart(num(a[0]))),
  managedSave: (d, a) => zero(d.managedSave(num(a[0] ?? 0))),
  managedSaveRemove: (d, a) => zero(d.managedSaveRemove(num(a[0] ?? 0))),
  hasManagedSaveImage: (d, a) => int(d.hasManagedSaveImage(num(a[0] ?? 0))),
  save: (d, a) => zero(d.save(str(a[0]))),
  rename: (d, a) => zero(d.rename(str(a[0]), num(a[1] ?? 0))),
  UUIDString: (d) => Promise.resolve(d.uuid),
  ID: (d) => Promise.resolve(d.id),
  name: (d) => Promise.resolve(d.name),
  OSType: (d) => d.getOSType(),
  hostname: (d, a) => d.getHostname(num(a[0] ?? 0)),
  // python-libvirt asks for the totals with start_cpu -1 and ncpus 1, and for per-CPU
  // statistics in chunks of 128 CPUs: one dict per host CPU.
  getCPUStats: async (d, a) => {
    const flags = num(a[1] ?? 0);
    if (a[0]) return d.getCPUStats(-1, 1, flags);
    const all = [];
    for (let start = 0;; start += PER_CPU_CHUNK) {
      const chunk = await d.getCPUStats(start, PER_CPU_CHUNK, flags);
      all.push(...chunk);
      if (chunk.length < PER_CPU_CHUNK) return all;
    }
  },
  attachDeviceFlags: (d, a) => zero(d.attachDeviceFlags(str(a[0]), num(a[1] ?? 0))),
  metadata: (d, a) => d.getMetadata(num(a[0]), optStr(a[1]), num(a[2] ?? 0)),
  setMetadata: (d, a) =>
    zero(d.setMetadata(num(a[0]), optStr(a[1]), optStr(a[2]), optStr(a[3]), num(a[4] ?? 0))),
  memoryParameters: (d, a) => d.getMemoryParameters(num(a[0] ?? 0)),
  // python-libvirt's typed-parameter setters read the current parameters (their types) with
  // the same flags first, so the getter's errors come first.
  setMemoryParameters: (d, a) =>
    preGet(
      d.getMemoryParameters(num(a[1] ?? 0)),
      () => d.setMemoryParameters(params(a[0]), num(a[1] ?? 0)),
    ),
  numaParameters: (d, a) => d.getNumaParameters(num(a[0] ?? 0)),
  setNumaParameters: (d, a) =>
    preGet(
      d.getNumaParameters(num(a[1] ?? 0)),
      () => d.setNumaParameters(params(a[0]), num(a[1] ?? 0)),
    ),
  blkioParameters: (d, a) => d.getBlkioParameters(num(a[0] ?? 0)),
  setBlkioParameters: (d, a) =>
    preGet(
      d.getBlkioParameters(num(a[1] ?? 0)),
      () => d.setBlkioParameters(params(a[0]), num(a[1] ?? 0)),
    ),
  blockIoTune: (d, a) => d.getBlockIoTune(str(a[0]), num(a[1] ?? 0)),
  setBlockIoTune: (d, a) =>
    preGet(
      d.getBlockIoTune(str(a[0]), num(a[2] ?? 0)),
      () => d.setBlockIoTune(str(a[0]), params(a[1]), num(a[2] ?? 0)),
    ),
  interfaceParameters: (d, a) => d.getInterfaceParameters(str(a[0]), num(a[1] ?? 0)),
  setInterfaceParameters: (d, a) =>
    preGet(
      d.getInterfaceParameters(str(a[0]), num(a[2] ?? 0)),
      () => d.setInterfaceParameters(str(a[0]), params(a[1]), num(a[2] ?? 0)),
    ),
  perfEvents: (d, a) => d.getPerfEvents(num(a[0] ?? 0)),
  setPerfEvents: (d, a) =>
    preGet(d.getPerfEvents(num(a[1] ?? 0)), () => d.setPerfEvents(params(a[0]), num(a[1] ?? 0))),
  detachDeviceFlags: (d, a) => zero(d.detachDeviceFlags(str(a[0]), num(a[1] ?? 0))),
  createWithFiles: (d, a) => zero(d.createWithFiles((a[0] ?? []) as number[], num(a[1] ?? 0))),
  snapshotCreateXML: (d, a) => d.snapshotCreateXML(str(a[0]), num(a[1] ?? 0)),
  snapshotNum: (d, a) => d.snapshotNum(num(a[0] ?? 0)),
  // python-libvirt sizes its lists with the count call first, with the same flags
  snapshotListNames: async (d, a) => {
    await d.snapshotNum(num(a[0] ?? 0));
    return d.snapshotListNames(num(a[0] ?? 0));
  },
  listAllSnapshots: (d, a) => d.listAllSnapshots(num(a[0] ?? 0)),
  snapshotLookupByName: (d, a) => d.snapshotLookupByName(str(a[0]), num(a[1] ?? 0)),
  hasCurrentSnapshot: (d, a) => int(d.hasCurrentSnapshot(num(a[0] ?? 0))),
  snapshotCurrent: (d, a) => d.snapshotCurrent(num(a[0] ?? 0)),
  revertToSnapshot: (d, a) => zero(d.revertToSnapshot(a[0] as DomainSnapshot, num(a[1] ?? 0))),
  checkpointCreateXML: (d, a) => d.checkpointCreateXML(str(a[0]), num(a[1] ?? 0)),
  listAllCheckpoints: (d, a) => d.listAllCheckpoints(num(a[0] ?? 0)),
  checkpointLookupByName: (d, a) => d.checkpointLookupByName(str(a[0]), num(a[1] ?? 0)),
};

const CONNECT: Record<string, (c: Connection, a: unknown[]) => Promise<unknown>> = {
  defineXML: (c, a) => c.defineXML(str(a[0])),
  defineXMLFlags: (c, a) => c.defineXMLFlags(str(a[0]), num(a[1] ?? 0)),
  createXML: (c, a) => c.createXML(str(a[0]), num(a[1] ?? 0)),
  // virDomainCreateLinux is virDomainCreateXML under its first name
  createLinux: (c, a) => c.createXML(str(a[0]), num(a[1] ?? 0)),
  lookupByName: (c, a) => c.lookupDomainByName(str(a[0])),
  lookupByUUIDString: (c, a) => c.lookupDomainByUUID(str(a[0])),
  lookupByID: (c, a) => c.lookupDomainByID(num(a[0])),
  listAllDomains: (c, a) => c.listAllDomains(num(a[0] ?? 0)),
  listDomainsID: (c) => c.listDomainsID(),
  listDefinedDomains: (c) => c.listDefinedDomains(),
  numOfDomains: (c) => c.numOfDomains(),
  numOfDefinedDomains: (c) => c.numOfDefinedDomains(),
  restore: (c, a) => zero(c.restore(str(a[0]))),
  restoreFlags: (c, a) => zero(c.restoreFlags(str(a[0]), optStr(a[1]), num(a[2] ?? 0))),
  getType: (c) => Promise.resolve(c.getType()),
  getURI: (c) => c.getURI(),
  getVersion: (c) => c.getVersion(),
  getLibVersion: (c) => c.getLibVersion(),
  getHostname: (c) => c.getHostname(),
  getMaxVcpus: (c, a) => c.getMaxVcpus(optStr(a[0])),
  getCapabilities: (c) => c.getCapabilities(),
  getSysinfo: (c, a) => c.getSysinfo(num(a[0] ?? 0)),
  getDomainCapabilities: (c, a) =>
    c.getDomainCapabilities(
      optStr(a[0]),
      optStr(a[1]),
      optStr(a[2]),
      optStr(a[3]),
      num(a[4] ?? 0),
    ),
  isAlive: (c) => int(c.isAlive()),
  isSecure: (c) => int(c.isSecure()),
  isEncrypted: (c) => int(c.isEncrypted()),
  // python-libvirt reports the node memory in MiB (info.memory >> 10)
  getInfo: async (c) => {
    const n = await c.getNodeInfo();
    const mib = Math.floor(n.memory / 1024);
    return [n.model, mib, n.cpus, n.mhz, n.nodes, n.sockets, n.cores, n.threads];
  },
  getFreeMemory: (c) => c.getFreeMemory(),
  getSecurityModel: async (c) => {
    const { model, doi } = await c.getSecurityModel();
    return [model, doi];
  },
  // python-libvirt refuses a negative start cell or no cells itself, raising libvirtError
  // without any libvirt error set
  getCellsFreeMemory: (c, a) => {
    if (num(a[0]) < 0 || num(a[1]) <= 0) throw new PyErrorUnset();
    return c.getCellsFreeMemory(num(a[0]), num(a[1]));
  },
  getCPUMap: async (c, a) => {
    const { map, online } = await c.getCPUMap(num(a[0] ?? 0));
    return [map.length, map, online];
  },
  networkDefineXML: (c, a) => c.defineNetworkXML(str(a[0])),
  networkCreateXML: (c, a) => c.createNetworkXML(str(a[0])),
  networkDefineXMLFlags: (c, a) => c.defineNetworkXMLFlags(str(a[0]), num(a[1] ?? 0)),
  networkCreateXMLFlags: (c, a) => c.createNetworkXML(str(a[0]), num(a[1] ?? 0)),
  networkLookupByName: (c, a) => c.lookupNetworkByName(str(a[0])),
  networkLookupByUUIDString: (c, a) => c.lookupNetworkByUUID(str(a[0])),
  listAllNetworks: (c, a) => c.listAllNetworks(num(a[0] ?? 0)),
  listNetworks: (c) => c.listNetworks(),
  listDefinedNetworks: (c) => c.listDefinedNetworks(),
  numOfNetworks: (c) => c.numOfNetworks(),
  numOfDefinedNetworks: (c) => c.numOfDefinedNetworks(),
  storagePoolLookupByName: (c, a) => c.lookupStoragePoolByName(str(a[0])),
  storagePoolLookupByUUIDString: (c, a) => c.lookupStoragePoolByUUID(str(a[0])),
  listAllStoragePools: (c, a) => c.listAllStoragePools(num(a[0] ?? 0)),
  listStoragePools: (c) => c.listStoragePools(),
  listDefinedStoragePools: (c) => c.listDefinedStoragePools(),
  numOfStoragePools: (c) => c.numOfStoragePools(),
  numOfDefinedStoragePools: (c) => c.numOfDefinedStoragePools(),
  storagePoolDefineXML: (c, a) => c.defineStoragePoolXML(str(a[0]), num(a[1] ?? 0)),
  storagePoolCreateXML: (c, a) => c.createStoragePoolXML(str(a[0]), num(a[1] ?? 0)),
  storageVolLookupByPath: (c, a) => c.lookupStorageVolByPath(str(a[0])),
  storageVolLookupByKey: (c, a) => c.lookupStorageVolByKey(str(a[0])),
  listAllInterfaces: (c, a) => c.listAllInterfaces(num(a[0] ?? 0)),
  listInterfaces: (c) => c.listInterfaces(),
  listDefinedInterfaces: (c) => c.listDefinedInterfaces(),
  numOfInterfaces: (c) => c.numOfInterfaces(),
  numOfDefinedInterfaces: (c) => c.numOfDefinedInterfaces(),
  interfaceLookupByName: (c, a) => c.lookupInterfaceByName(str(a[0])),
  interfaceLookupByMACString: (c, a) => c.lookupInterfaceByMACString(str(a[0])),
  interfaceDefineXML: (c, a) => c.defineInterfaceXML(str(a[0]), num(a[1] ?? 0)),
  interfaceChangeBegin: (c, a) => zero(c.interfaceChangeBegin(num(a[0] ?? 0))),
  interfaceChangeCommit: (c, a) => zero(c.interfaceChangeCommit(num(a[0] ?? 0))),
  interfaceChangeRollback: (c, a) => zero(c.interfaceChangeRollback(num(a[0] ?? 0))),
  listAllDevices: (c, a) => c.listAllNodeDevices(num(a[0] ?? 0)),
  listDevices: (c, a) => c.listNodeDevices(optStr(a[0]), num(a[1] ?? 0)),
  numOfDevices: (c, a) => c.numOfNodeDevices(optStr(a[0]), num(a[1] ?? 0)),
  nodeDeviceLookupByName: (c, a) => c.lookupNodeDeviceByName(str(a[0])),
  getCPUModelNames: (c, a) => c.getCPUModelNames(str(a[0]), num(a[1] ?? 0)),
  createXMLWithFiles: (c, a) =>
    c.createXMLWithFiles(str(a[0]), (a[1] ?? []) as number[], num(a[2] ?? 0)),
};

const SNAPSHOT: Record<string, (s: DomainSnapshot, a: unknown[]) => Promise<unknown>> = {
  getName: (s) => Promise.resolve(s.name),
  getXMLDesc: (s, a) => s.getXMLDesc(num(a[0] ?? 0)),
  getParent: (s, a) => s.getParent(num(a[0] ?? 0)),
  numChildren: (s, a) => s.numChildren(num(a[0] ?? 0)),
  listChildrenNames: async (s, a) => {
    await s.numChildren(num(a[0] ?? 0));
    return s.listChildrenNames(num(a[0] ?? 0));
  },
  listAllChildren: (s, a) => s.listAllChildren(num(a[0] ?? 0)),
  isCurrent: (s, a) => int(s.isCurrent(num(a[0] ?? 0))),
  hasMetadata: (s, a) => int(s.hasMetadata(num(a[0] ?? 0))),
  delete: (s, a) => zero(s.delete(num(a[0] ?? 0))),
};

const CHECKPOINT: Record<string, (c: DomainCheckpoint, a: unknown[]) => Promise<unknown>> = {
  getName: (c) => Promise.resolve(c.name),
  getXMLDesc: (c, a) => c.getXMLDesc(num(a[0] ?? 0)),
  getParent: (c, a) => c.getParent(num(a[0] ?? 0)),
  listAllChildren: (c, a) => c.listAllChildren(num(a[0] ?? 0)),
  delete: (c, a) => zero(c.delete(num(a[0] ?? 0))),
};

const NETWORK: Record<string, (n: Network, a: unknown[]) => Promise<unknown>> = {
  create: (n) => zero(n.create()),
  destroy: (n) => zero(n.destroy()),
  undefine: (n) => zero(n.undefine()),
  XMLDesc: (n, a) => n.getXMLDesc(num(a[0] ?? 0)),
  bridgeName: (n) => n.getBridgeName(),
  autostart: (n) => int(n.getAutostart()),
  setAutostart: (n, a) => zero(n.setAutostart(num(a[0]))),
  isActive: (n) => int(n.isActive()),
  isPersistent: (n) => int(n.isPersistent()),
  name: (n) => Promise.resolve(n.name),
  UUIDString: (n) => Promise.resolve(n.uuid),
  update: (n, a) => zero(n.update(num(a[0]), num(a[1]), num(a[2]), str(a[3]), num(a[4] ?? 0))),
};

const POOL: Record<string, (p: StoragePool, a: unknown[], c: Connection) => Promise<unknown>> = {
  create: (p, a) => zero(p.create(num(a[0] ?? 0))),
  build: (p, a) => zero(p.build(num(a[0] ?? 0))),
  destroy: (p) => zero(p.destroy()),
  delete: (p, a) => zero(p.delete(num(a[0] ?? 0))),
  undefine: (p) => zero(p.undefine()),
  refresh: (p, a) => zero(p.refresh(num(a[0] ?? 0))),
  info: async (p) => {
    const i = await p.getInfo();
    return [i.state, i.capacity, i.allocation, i.available];
  },
  XMLDesc: (p, a) => p.getXMLDesc(num(a[0] ?? 0)),
  autostart: (p) => int(p.getAutostart()),
  setAutostart: (p, a) => zero(p.setAutostart(num(a[0]))),
  isActive: (p) => int(p.isActive()),
  isPersistent: (p) => int(p.isPersistent()),
  numOfVolumes: (p) => p.numOfVolumes(),
  listVolumes: (p) => p.listVolumes(),
  listAllVolumes: (p, a) => p.listAllVolumes(num(a[0] ?? 0)),
  storageVolLookupByName: (p, a) => p.lookupVolumeByName(str(a[0])),
  createXML: (p, a) => p.createVolumeXML(str(a[0]), num(a[1] ?? 0)),
  // the clone volume as scenario_ext.py names it: [POOL, NAME], looked up first
  createXMLFrom: async (p, a, c) => {
    const [pool, vol] = a[1] as [string, string];
    const clone = await (await c.lookupStoragePoolByName(pool)).lookupVolumeByName(vol);
    return p.createVolumeXMLFrom(str(a[0]), clone, num(a[2] ?? 0));
  },
  name: (p) => Promise.resolve(p.name),
  UUIDString: (p) => Promise.resolve(p.uuid),
};

const VOLUME: Record<string, (v: StorageVolume, a: unknown[], c: Connection) => Promise<unknown>> =
  {
    delete: (v, a) => zero(v.delete(num(a[0] ?? 0))),
    wipe: (v, a) => zero(v.wipe(num(a[0] ?? 0))),
    resize: (v, a) => zero(v.resize(num(a[0]), num(a[1] ?? 0))),
    info: async (v) => {
      const i = await v.getInfo();
      return [i.type, i.capacity, i.allocation];
    },
    XMLDesc: (v, a) => v.getXMLDesc(num(a[0] ?? 0)),
    path: (v) => v.getPath(),
    key: (v) => Promise.resolve(v.key),
    name: (v) => Promise.resolve(v.name),
    storagePoolLookupByVolume: (v, _a, c) => c.lookupStoragePoolByVolume(v),
  };

const INTERFACE: Record<string, (i: Interface, a: unknown[]) => Promise<unknown>> = {
  XMLDesc: (i, a) => i.getXMLDesc(num(a[0] ?? 0)),
  create: (i, a) => zero(i.create(num(a[0] ?? 0))),
  destroy: (i, a) => zero(i.destroy(num(a[0] ?? 0))),
  undefine: (i) => zero(i.undefine()),
  isActive: (i) => int(i.isActive()),
  MACString: (i) => Promise.resolve(i.mac),
  name: (i) => Promise.resolve(i.name),
};

const NODE_DEVICE: Record<string, (d: NodeDevice, a: unknown[]) => Promise<unknown>> = {
  XMLDesc: (d, a) => d.getXMLDesc(num(a[0] ?? 0)),
  parent: (d) => d.getParent(),
  numOfCaps: (d) => d.numOfCaps(),
  listCaps: (d) => d.listCaps(),
  destroy: (d) => zero(d.destroy()),
  dettach: (d) => zero(d.dettach()),
  detachFlags: (d, a) => zero(d.detachFlags(optStr(a[0]), num(a[1] ?? 0))),
  reAttach: (d) => zero(d.reAttach()),
  reset: (d) => zero(d.reset()),
  isActive: (d) => int(d.isActive()),
  isPersistent: (d) => int(d.isPersistent()),
  name: (d) => Promise.resolve(d.name),
};

/** The mapped methods by python class name. */
export const HANDLERS: Record<string, Record<string, Handler>> = {
  virConnect: { ...CONNECT, ...DRIVER_CONNECT, ...CONTRACT_OPS.virConnect },
  virDomain: { ...DOMAIN, ...DRIVER_DOMAIN, ...CONTRACT_OPS.virDomain },
  virNetwork: { ...NETWORK, ...CONTRACT_OPS.virNetwork },
  virStoragePool: POOL,
  virStorageVol: { ...VOLUME, ...CONTRACT_OPS.virStorageVol },
  virInterface: INTERFACE,
  virNodeDevice: { ...NODE_DEVICE, ...CONTRACT_OPS.virNodeDevice },
  virDomainSnapshot: SNAPSHOT,
  virDomainCheckpoint: CHECKPOINT,
};

/**
 * python-libvirt raised libvirtError while no libvirt error was set: scenario.py prints an
 * error whose fields are all null.
 */
export class PyErrorUnset extends Error {
  constructor() {
    super("libvirtError without a libvirt error");
  }
}

/** A python-libvirt call this runner does not map to edgevirt (a harness error line). */
export class RunnerLimit extends Error {
  constructor(what: string) {
    super(`the TypeScript scenario runner does not map ${what}`);
  }
}

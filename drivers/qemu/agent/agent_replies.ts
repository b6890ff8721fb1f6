/**
 * The guest agent's replies read as libvirt's `qemu_agent.c` reads them, with its checks and
 * messages: vCPUs (`guest-get-vcpus`), file systems (`guest-get-fsinfo`), disks
 * (`guest-get-disks`), interfaces (`guest-network-get-interfaces`), and the guest disk address
 * matched to a disk of the definition (`virDomainDiskByAddress`).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";

const internal = (detail: string) => VirError.report("QEMU", "INTERNAL_ERROR", detail);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** One guest vCPU (`qemuAgentCPUInfo`). */
export interface AgentCpu {
  id: number;
  online: boolean;
  offlinable: boolean;
  modified?: boolean;
}

/**
 * `qemuAgentGetVCPUs`: the `return` of guest-get-vcpus.
 *
 * @example
 * ```ts
 * import { parseVcpus } from "./agent_replies.ts";
 * parseVcpus({ return: [{ "logical-id": 0, online: true, "can-offline": false }] });
 * ```
 */
export function parseVcpus(reply: Record<string, unknown>): AgentCpu[] {
  const data = reply.return;
  if (!Array.isArray(data)) throw internal("guest-get-vcpus reply was missing return data");
  return data.map((entry) => {
    if (!isObject(entry)) {
      throw internal("array element missing in guest-get-vcpus return value");
    }
    if (!isUint(entry["logical-id"])) {
      throw internal("'logical-id' missing in reply of guest-get-vcpus");
    }
    if (typeof entry.online !== "boolean") {
      throw internal("'online' missing in reply of guest-get-vcpus");
    }
    if (typeof entry["can-offline"] !== "boolean") {
      throw internal("'can-offline' missing in reply of guest-get-vcpus");
    }
    return { id: entry["logical-id"], online: entry.online, offlinable: entry["can-offline"] };
  });
}

/**
 * `qemuAgentUpdateCPUInfo`: marks the vCPUs to switch so that `nvcpus` are online, never
 * offlining vCPU 0 when every online vCPU could go.
 *
 * @example
 * ```ts
 * import { updateCpuInfo } from "./agent_replies.ts";
 * const cpus = [{ id: 0, online: true, offlinable: true }, { id: 1, online: false, offlinable: true }];
 * updateCpuInfo(2, cpus); // cpus[1] online and modified
 * ```
 */
export function updateCpuInfo(nvcpus: number, cpus: AgentCpu[]): void {
  let online = 0;
  let offlinable = 0;
  for (const c of cpus) {
    if (c.online) online++;
    if (c.offlinable && c.online) offlinable++;
    if (!c.online && !c.offlinable) throw internal("Invalid data provided by guest agent");
  }
  const cpu0 = cpus.find((c) => c.id === 0);
  if (offlinable === online && cpu0?.online) {
    cpu0.offlinable = false;
    offlinable--;
  }
  if (nvcpus > cpus.length) throw internal("guest agent reports less cpu than requested");
  if (nvcpus < online - offlinable) {
    throw VirError.report("QEMU", "INVALID_ARG", "Cannot offline enough CPUs");
  }
  for (const c of cpus) {
    if (nvcpus < online) {
      if (c.offlinable && c.online) {
        c.online = false;
        c.modified = true;
        online--;
      }
    } else if (nvcpus > online) {
      if (!c.online) {
        c.online = true;
        c.modified = true;
        online++;
      }
    } else break;
  }
}

/** A disk's address as the guest sees it (`qemuAgentDiskAddress`). */
export interface AgentDiskAddress {
  serial?: string;
  busType?: string;
  devnode?: string;
  bus: number;
  target: number;
  unit: number;
  pci: { domain: number; bus: number; slot: number; function: number };
}

/** `qemuAgentGetDiskAddress`. */
function diskAddress(json: Record<string, unknown>): AgentDiskAddress {
  const uint = (o: Record<string, unknown>, name: string) => {
    if (!isUint(o[name])) throw internal(`'${name}' missing`);
    return o[name] as number;
  };
  const str = (name: string) => typeof json[name] === "string" ? json[name] as string : undefined;
  const bus = uint(json, "bus");
  const target = uint(json, "target");
  const unit = uint(json, "unit");
  const pci = json["pci-controller"];
  if (!isObject(pci)) throw internal("'pci-controller' missing");
  return {
    serial: str("serial"),
    busType: str("bus-type"),
    devnode: str("dev"),
    bus,
    target,
    unit,
    pci: {
      domain: uint(pci, "domain"),
      bus: uint(pci, "bus"),
      slot: uint(pci, "slot"),
      function: uint(pci, "function"),
    },
  };
}

/** One guest file system (`qemuAgentFSInfo`). */
export interface AgentFs {
  mountpoint: string;
  name: string;
  fstype: string;
  /** Absent before qemu-ga 3.0. */
  totalBytes?: number;
  usedBytes?: number;
  disks: AgentDiskAddress[];
}

/**
 * `qemuAgentGetFSInfo`: the file systems of guest-get-fsinfo, in mount order (the agent lists
 * them the other way round).
 *
 * @example
 * ```ts
 * import { parseFsInfo } from "./agent_replies.ts";
 * parseFsInfo({ return: [] }); // []
 * ```
 */
export function parseFsInfo(reply: Record<string, unknown>): AgentFs[] {
  if (!("return" in reply)) throw internal("guest-get-fsinfo reply was missing return data");
  const data = reply.return;
  if (!Array.isArray(data)) throw internal("Malformed guest-get-fsinfo data array");
  return [...data].reverse().map((entry, i) => {
    if (!isObject(entry)) {
      throw internal(
        `array element '${i}' of '${data.length}' missing in guest-get-fsinfo return data`,
      );
    }
    const str = (name: string, what = name) => {
      if (typeof entry[name] !== "string") {
        throw internal(`'${what}' missing in reply of guest-get-fsinfo`);
      }
      return entry[name] as string;
    };
    const bytes = (name: string) => {
      if (!(name in entry)) return undefined;
      if (!isUint(entry[name])) {
        throw internal(`Error getting '${name}' in reply of guest-get-fsinfo`);
      }
      return entry[name] as number;
    };
    const fs: AgentFs = {
      mountpoint: str("mountpoint"),
      name: str("name"),
      fstype: str("type"),
      usedBytes: bytes("used-bytes"),
      totalBytes: bytes("total-bytes"),
      disks: [],
    };
    if (!("disk" in entry)) throw internal("'disk' missing in reply of guest-get-fsinfo");
    const disks = entry.disk;
    if (!Array.isArray(disks)) throw internal("Malformed guest-get-fsinfo 'disk' data array");
    fs.disks = disks.map((d, j) => {
      if (!isObject(d)) {
        throw internal(
          `array element '${j}' of '${disks.length}' missing in guest-get-fsinfo 'disk' data`,
        );
      }
      return diskAddress(d);
    });
    return fs;
  });
}

/** One guest disk (`qemuAgentDiskInfo`). */
export interface AgentDisk {
  name: string;
  partition: boolean;
  dependencies?: string[];
  alias?: string;
  address?: AgentDiskAddress;
}

/**
 * `qemuAgentGetDisks`: the disks of guest-get-disks.
 *
 * @example
 * ```ts
 * import { parseDisks } from "./agent_replies.ts";
 * parseDisks({ return: [{ name: "/dev/vda", partition: false }] });
 * ```
 */
export function parseDisks(reply: Record<string, unknown>): AgentDisk[] {
  const data = reply.return;
  if (!Array.isArray(data)) throw internal("qemu agent didn't return an array of disks");
  return data.map((entry) => {
    if (!isObject(entry)) {
      throw internal("array element missing in guest-get-disks return value");
    }
    if (typeof entry.name !== "string") {
      throw internal("'name' missing in reply of guest-get-disks");
    }
    if (typeof entry.partition !== "boolean") {
      throw internal("'partition' missing in reply of guest-get-disks");
    }
    const deps = entry.dependencies;
    return {
      name: entry.name,
      partition: entry.partition,
      dependencies: Array.isArray(deps) ? deps.map(String) : undefined,
      alias: typeof entry.alias === "string" ? entry.alias : undefined,
      address: isObject(entry.address) ? diskAddress(entry.address) : undefined,
    };
  });
}

/** One guest interface as `virDomainInterfaceAddresses` returns it. */
export interface GuestInterface {
  name: string;
  hwaddr: string | null;
  addrs: { type: number; addr: string; prefix: number }[];
}

/**
 * `qemuAgentGetInterfaces`: guest-network-get-interfaces, an alias (`eth0:1`) merged into its
 * interface.
 *
 * @example
 * ```ts
 * import { parseInterfaces } from "./agent_replies.ts";
 * parseInterfaces({ return: [{ name: "lo", "hardware-address": "00:00:00:00:00:00" }] });
 * ```
 */
export function parseInterfaces(reply: Record<string, unknown>): GuestInterface[] {
  const data = reply.return;
  if (!Array.isArray(data)) throw internal("qemu agent didn't return an array of interfaces");
  const byName = new Map<string, GuestInterface>();
  for (const obj of data) {
    const entry = isObject(obj) ? obj : {};
    const name = entry.name;
    if (typeof name !== "string") throw internal("qemu agent didn't provide 'name' field");
    const ifname = name.split(":")[0];
    let iface = byName.get(ifname);
    if (!iface) {
      const hw = entry["hardware-address"];
      iface = { name: ifname, hwaddr: typeof hw === "string" ? hw : null, addrs: [] };
      byName.set(ifname, iface);
    }
    const addrs = entry["ip-addresses"];
    if (addrs === undefined) continue;
    if (!Array.isArray(addrs)) throw internal("Malformed ip-addresses array");
    for (const a of addrs) iface.addrs.push(ipAddress(isObject(a) ? a : {}, name));
  }
  return [...byName.values()];
}

/** `qemuAgentGetInterfaceOneAddress`. */
function ipAddress(a: Record<string, unknown>, name: string): GuestInterface["addrs"][number] {
  const type = a["ip-address-type"];
  if (typeof type !== "string") {
    throw internal(`qemu agent didn't provide 'ip-address-type' field for interface '${name}'`);
  }
  if (type !== "ipv4" && type !== "ipv6") throw internal(`unknown ip address type '${type}'`);
  const addr = a["ip-address"];
  if (typeof addr !== "string") {
    throw internal(`qemu agent didn't provide 'ip-address' field for interface '${name}'`);
  }
  if (!isUint(a.prefix)) throw internal("malformed 'prefix' field");
  return {
    type: type === "ipv4" ? VIR.IP_ADDR_TYPE_IPV4 : VIR.IP_ADDR_TYPE_IPV6,
    addr,
    prefix: a.prefix,
  };
}

/**
 * `virDomainDiskByAddress`: the target (`vda`, `sda`, …) of the disk the guest address names,
 * a PCI disk by its own address, a SCSI disk by its controller's and its drive address.
 *
 * @example
 * ```ts
 * import { diskTargetByAddress } from "./agent_replies.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const addr: import("./agent_replies.ts").AgentDiskAddress;
 * diskTargetByAddress(def, addr); // "vda"
 * ```
 */
export function diskTargetByAddress(def: DomainDef, addr: AgentDiskAddress): string | undefined {
  const pciEqual = (a: Record<string, string> | undefined) =>
    a?.type === "pci" && Number(a.domain ?? 0) === addr.pci.domain &&
    Number(a.bus ?? 0) === addr.pci.bus && Number(a.slot ?? 0) === addr.pci.slot &&
    Number(a.function ?? 0) === addr.pci.function;
  const disk = def.devices.other.find((d) => {
    if (d.name !== "disk") return false;
    const a = child(d, "address")?.attributes;
    if (pciEqual(a)) return true;
    if (a?.type !== "drive") return false;
    const controller = def.devices.other.find((c) =>
      c.name === "controller" && c.attributes.type === "scsi" &&
      Number(c.attributes.index ?? 0) === Number(a.controller ?? 0)
    );
    return !!controller && pciEqual(child(controller, "address")?.attributes) &&
      Number(a.bus ?? 0) === addr.bus && Number(a.target ?? 0) === addr.target &&
      Number(a.unit ?? 0) === addr.unit;
  });
  return disk && child(disk, "target")?.attributes.dev;
}

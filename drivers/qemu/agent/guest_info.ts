/**
 * `virDomainGetGuestInfo` of the QEMU driver (libvirt 9.0's `qemuDomainGetGuestInfo`): users,
 * OS, time zone, host name, file systems, disks and interfaces from the guest agent, as typed
 * parameters under libvirt's names. With no type asked, every type is tried and those the agent
 * lacks are left out; a type asked for must be answered.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { availableAgent } from "./agent_channel.ts";
import {
  type AgentDisk,
  type AgentFs,
  diskTargetByAddress,
  type GuestInterface,
  parseDisks,
  parseFsInfo,
  parseInterfaces,
} from "./agent_replies.ts";
import { UNSUPPORTED } from "./qemu_agent.ts";

const E = VIR;
const F = "QEMU";
const internal = (detail: string) => VirError.report(F, "INTERNAL_ERROR", detail);
const SUPPORTED = E.DOMAIN_GUEST_INFO_USERS | E.DOMAIN_GUEST_INFO_OS |
  E.DOMAIN_GUEST_INFO_TIMEZONE | E.DOMAIN_GUEST_INFO_HOSTNAME |
  E.DOMAIN_GUEST_INFO_FILESYSTEM | E.DOMAIN_GUEST_INFO_DISKS | E.DOMAIN_GUEST_INFO_INTERFACES;

/** `qemuAgentGetOSInfo`'s fields: agent name → parameter name. */
const OS_FIELDS: [string, string][] = [
  ["id", "os.id"],
  ["name", "os.name"],
  ["pretty-name", "os.pretty-name"],
  ["version", "os.version"],
  ["version-id", "os.version-id"],
  ["machine", "os.machine"],
  ["variant", "os.variant"],
  ["variant-id", "os.variant-id"],
  ["kernel-release", "os.kernel-release"],
  ["kernel-version", "os.kernel-version"],
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The guest information of `types` (0: all), as libvirt's typed parameters.
 *
 * @example
 * ```ts
 * import { getGuestInfo } from "./guest_info.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getGuestInfo(obj, 0, 0); // { "user.count": 1, "user.0.name": "root", … }
 * ```
 */
export async function getGuestInfo(
  obj: QemuDomainObj,
  types: number,
  flags: number,
): Promise<TypedParams> {
  checkFlags(flags, 0, "qemuDomainGetGuestInfo", F);
  const supported = types === 0 ? SUPPORTED : types & SUPPORTED;
  if (types !== 0 && types !== supported) {
    throw VirError.report(
      F,
      "INVALID_ARG",
      `unsupported guest information types '0x${(types & ~SUPPORTED).toString(16)}'`,
    );
  }
  const report = types !== 0;
  const params: TypedParams = {};
  const gathered = await obj.agentJob.run(async () => {
    const agent = availableAgent(obj);
    const ask = async (execute: string) => {
      const reply = await agent.command({ execute }, agent.timeout, { reportUnsupported: report });
      return reply === UNSUPPORTED ? undefined : reply as Record<string, unknown>;
    };
    const wants = (type: number) => (supported & type) !== 0;
    if (wants(E.DOMAIN_GUEST_INFO_USERS)) addUsers(params, await ask("guest-get-users"));
    if (wants(E.DOMAIN_GUEST_INFO_OS)) addOs(params, await ask("guest-get-osinfo"));
    if (wants(E.DOMAIN_GUEST_INFO_TIMEZONE)) addTimezone(params, await ask("guest-get-timezone"));
    if (wants(E.DOMAIN_GUEST_INFO_HOSTNAME)) addHostname(params, await ask("guest-get-host-name"));
    const fs = wants(E.DOMAIN_GUEST_INFO_FILESYSTEM) ? await ask("guest-get-fsinfo") : undefined;
    const disks = wants(E.DOMAIN_GUEST_INFO_DISKS) ? await ask("guest-get-disks") : undefined;
    const ifaces = wants(E.DOMAIN_GUEST_INFO_INTERFACES)
      ? await ask("guest-network-get-interfaces")
      : undefined;
    return {
      fs: fs && parseFsInfo(fs),
      disks: disks && parseDisks(disks),
      ifaces: ifaces && parseInterfaces(ifaces),
    };
  });
  // File systems and disks are matched to the definition's disks in a job of their own.
  if (gathered.fs?.length || gathered.disks?.length) {
    await obj.job.run(() => {
      checkActive(obj);
      if (gathered.fs?.length) addFs(params, gathered.fs, obj.def);
      if (gathered.disks?.length) addDisks(params, gathered.disks, obj.def);
      return Promise.resolve();
    });
  }
  if (gathered.ifaces?.length) addInterfaces(params, gathered.ifaces);
  return params;
}

/** `qemuAgentGetUsers`. */
function addUsers(params: TypedParams, reply: Record<string, unknown> | undefined): void {
  if (!reply) return;
  const data = reply.return;
  if (!Array.isArray(data)) throw internal("guest-get-users reply was missing return data");
  params["user.count"] = data.length;
  data.forEach((entry, i) => {
    if (!isObject(entry)) {
      throw internal("array element missing in guest-get-users return value");
    }
    if (typeof entry.user !== "string") {
      throw internal("'user' missing in reply of guest-get-users");
    }
    params[`user.${i}.name`] = entry.user;
    // Only Windows guests name a domain.
    if (typeof entry.domain === "string") params[`user.${i}.domain`] = entry.domain;
    if (typeof entry["login-time"] !== "number") {
      throw internal("'login-time' missing in reply of guest-get-users");
    }
    params[`user.${i}.login-time`] = Math.trunc(entry["login-time"] * 1000);
  });
}

/** `qemuAgentGetOSInfo`. */
function addOs(params: TypedParams, reply: Record<string, unknown> | undefined): void {
  if (!reply) return;
  const data = reply.return;
  if (!isObject(data)) throw internal("guest-get-osinfo reply was missing return data");
  for (const [field, name] of OS_FIELDS) {
    if (typeof data[field] === "string") params[name] = data[field] as string;
  }
}

/** `qemuAgentGetTimezone`. */
function addTimezone(params: TypedParams, reply: Record<string, unknown> | undefined): void {
  if (!reply) return;
  const data = reply.return;
  if (!isObject(data)) throw internal("guest-get-timezone reply was missing return data");
  if (typeof data.zone === "string") params["timezone.name"] = data.zone;
  if (typeof data.offset !== "number" || !Number.isInteger(data.offset)) {
    throw internal("'offset' missing in reply of guest-get-timezone");
  }
  params["timezone.offset"] = data.offset;
}

/** `qemuAgentGetHostname` with report of a malformed answer. */
function addHostname(params: TypedParams, reply: Record<string, unknown> | undefined): void {
  if (!reply) return;
  if (!("return" in reply)) throw internal("malformed return value");
  const data = reply.return;
  if (!isObject(data) || typeof data["host-name"] !== "string") {
    throw internal("'host-name' missing in guest-get-host-name reply");
  }
  params.hostname = data["host-name"];
}

/** `qemuAgentFSInfoFormatParams`. */
function addFs(params: TypedParams, fss: AgentFs[], def: DomainDef): void {
  params["fs.count"] = fss.length;
  fss.forEach((fs, i) => {
    params[`fs.${i}.name`] = fs.name;
    params[`fs.${i}.mountpoint`] = fs.mountpoint;
    params[`fs.${i}.fstype`] = fs.fstype;
    if (fs.totalBytes !== undefined) params[`fs.${i}.total-bytes`] = fs.totalBytes;
    if (fs.usedBytes !== undefined) params[`fs.${i}.used-bytes`] = fs.usedBytes;
    params[`fs.${i}.disk.count`] = fs.disks.length;
    fs.disks.forEach((d, j) => {
      const target = diskTargetByAddress(def, d);
      if (target) params[`fs.${i}.disk.${j}.alias`] = target;
      if (d.serial) params[`fs.${i}.disk.${j}.serial`] = d.serial;
      if (d.devnode) params[`fs.${i}.disk.${j}.device`] = d.devnode;
    });
  });
}

/** `qemuAgentDiskInfoFormatParams`. */
function addDisks(params: TypedParams, disks: AgentDisk[], def: DomainDef): void {
  params["disk.count"] = disks.length;
  disks.forEach((disk, i) => {
    params[`disk.${i}.name`] = disk.name;
    params[`disk.${i}.partition`] = disk.partition;
    const deps = disk.dependencies ?? [];
    if (deps.length) params[`disk.${i}.dependency.count`] = deps.length;
    deps.forEach((dep, j) => params[`disk.${i}.dependency.${j}.name`] = dep);
    if (disk.address) {
      if (disk.address.serial) params[`disk.${i}.serial`] = disk.address.serial;
      const target = diskTargetByAddress(def, disk.address);
      if (target) params[`disk.${i}.alias`] = target;
    }
    if (disk.alias) params[`disk.${i}.guest_alias`] = disk.alias;
  });
}

/** `virDomainInterfaceFormatParams`. */
function addInterfaces(params: TypedParams, ifaces: GuestInterface[]): void {
  params["if.count"] = ifaces.length;
  ifaces.forEach((iface, i) => {
    params[`if.${i}.name`] = iface.name;
    if (iface.hwaddr !== null) params[`if.${i}.hwaddr`] = iface.hwaddr;
    params[`if.${i}.addr.count`] = iface.addrs.length;
    iface.addrs.forEach((a, j) => {
      params[`if.${i}.addr.${j}.type`] = a.type === E.IP_ADDR_TYPE_IPV4 ? "ipv4" : "ipv6";
      params[`if.${i}.addr.${j}.addr`] = a.addr;
      params[`if.${i}.addr.${j}.prefix`] = a.prefix;
    });
  });
}

/**
 * The QEMU driver's calls answered by the guest agent (libvirt 9.0's `qemu_driver.c`): host
 * name, guest clock, file system freeze/thaw/trim/info, user passwords, guest vCPUs, interface
 * addresses and the agent's response timeout. Each runs in the domain's agent job (one agent
 * command at a time, beside the monitor's job), checks the flags, the domain and the agent as
 * libvirt does, and reads the replies with libvirt's checks.
 *
 * @module
 */
import { TAINT, taintDomain } from "../taint.ts";
import { formatBitmap, parseBitmap } from "../../../conf/domain/bitmap.ts";
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import type { DomainFSInfo, TypedParams } from "../../../util/contract/types.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { leaseHostname } from "../net/addresses.ts";
import { availableAgent } from "./agent_channel.ts";
import {
  type AgentCpu,
  diskTargetByAddress,
  type GuestInterface,
  parseFsInfo,
  parseInterfaces,
  parseVcpus,
  updateCpuInfo,
} from "./agent_replies.ts";
import { AGENT_BLOCK, parseJson, type QemuAgent, stringify } from "./qemu_agent.ts";

const E = VIR;
const F = "QEMU";
const internal = (detail: string) => VirError.report(F, "INTERNAL_ERROR", detail);
/** LLONG_MAX / 10^9: the largest time in seconds the agent takes in nanoseconds. */
const MAX_AGENT_SECONDS = 9223372036;
/** `QEMU_GUEST_VCPU_MAX_ID`. */
const GUEST_VCPU_MAX_ID = 4096;

/**
 * In the agent job: the domain must run and have its agent; `fn` talks to it.
 *
 * @example
 * ```ts
 * import { withAgent } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await withAgent(obj, (agent) => agent.command({ execute: "guest-ping" }, agent.timeout));
 * ```
 */
export function withAgent<T>(obj: QemuDomainObj, fn: (agent: QemuAgent) => Promise<T>): Promise<T> {
  return obj.agentJob.run(() => {
    checkActive(obj);
    return fn(availableAgent(obj));
  });
}

/** `qemuAgentCommand` with the agent's own timeout: the reply, never empty. */
export async function run(
  agent: QemuAgent,
  execute: string,
  args?: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const cmd = args ? { execute, arguments: args } : { execute };
  return await agent.command(cmd, agent.timeout) as Record<string, unknown>;
}

/** A reply whose `return` must be an integer (`virJSONValueObjectGetNumberInt`). */
function intReturn(reply: Record<string, unknown>): number {
  const v = reply.return;
  if (typeof v !== "number" || !Number.isInteger(v)) throw internal("malformed return value");
  return v;
}

/**
 * `qemuDomainGetHostname`: AGENT (the default) asks `guest-get-host-name`, LEASE the DHCP
 * leases of the network NICs; none found is NO_HOSTNAME.
 *
 * @example
 * ```ts
 * import { getHostname } from "./agent_api.ts";
 * declare const s: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getHostname(s, obj, 0);
 * ```
 */
export async function getHostname(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<string> {
  const LEASE = E.DOMAIN_GET_HOSTNAME_LEASE;
  const AGENT = E.DOMAIN_GET_HOSTNAME_AGENT;
  checkFlags(flags, LEASE | AGENT, "qemuDomainGetHostname", F);
  if ((flags & LEASE) && (flags & AGENT)) {
    throw VirError.bare(
      F,
      "INVALID_ARG",
      "Flags 'VIR_DOMAIN_GET_HOSTNAME_LEASE' and 'VIR_DOMAIN_GET_HOSTNAME_AGENT' are mutually exclusive",
    );
  }
  let hostname: string | undefined;
  if (flags & LEASE) {
    hostname = await obj.job.run(() => {
      checkActive(obj);
      return leaseHostname(obj.def, s.secondaries);
    });
  } else {
    hostname = await withAgent(obj, async (agent) => {
      // libvirt ignores what went wrong with the agent's answer: no host name is the error.
      const reply = await run(agent, "guest-get-host-name").catch(() => undefined);
      const data = reply?.return as Record<string, unknown> | undefined;
      return typeof data?.["host-name"] === "string" ? data["host-name"] : undefined;
    });
  }
  if (!hostname) {
    throw VirError.report(F, "NO_HOSTNAME", `no hostname found for domain ${obj.def.name}`);
  }
  return hostname;
}

/**
 * `qemuDomainGetTime`: the guest clock of `guest-get-time` (nanoseconds) as seconds and
 * nanoseconds.
 *
 * @example
 * ```ts
 * import { getTime } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getTime(obj, 0); // { seconds, nseconds }
 * ```
 */
export async function getTime(
  obj: QemuDomainObj,
  flags: number,
): Promise<{ seconds: number; nseconds: number }> {
  checkFlags(flags, 0, "qemuDomainGetTime", F);
  const reply = await withAgent(obj, (agent) => run(agent, "guest-get-time"));
  const t = reply.return;
  const ns = typeof t === "bigint" ? t : Number.isSafeInteger(t) ? BigInt(t as number) : -1n;
  if (ns < 0n) throw internal("malformed return value");
  return { seconds: Number(ns / 1_000_000_000n), nseconds: Number(ns % 1_000_000_000n) };
}

/**
 * `qemuDomainSetTime`: `guest-set-time` with the time in nanoseconds, or without one for
 * TIME_SYNC (the guest reads its RTC), then `rtc-reset-reinjection`, as x86 needs after a jump.
 *
 * @example
 * ```ts
 * import { setTime } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setTime(obj, 1700000000, 0, 0);
 * ```
 */
export async function setTime(
  obj: QemuDomainObj,
  seconds: number,
  nseconds: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, E.DOMAIN_TIME_SYNC, "qemuDomainSetTime", F);
  await withAgent(obj, (agent) => {
    if (flags & E.DOMAIN_TIME_SYNC) return run(agent, "guest-set-time");
    if (seconds > MAX_AGENT_SECONDS) {
      throw VirError.report(F, "INVALID_ARG", `Time '${seconds}' is too big for guest agent`);
    }
    const time = BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(nseconds);
    return run(agent, "guest-set-time", { time });
  });
  await obj.job.run(async () => {
    checkActive(obj);
    await obj.proc!.monitor.run("rtc-reset-reinjection");
  });
}

/**
 * `qemuDomainFSFreeze`: freezes the named mount points (all without names); the count frozen.
 *
 * @example
 * ```ts
 * import { fsFreeze } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await fsFreeze(obj, [], 0);
 * ```
 */
export async function fsFreeze(
  obj: QemuDomainObj,
  mountpoints: string[],
  flags: number,
): Promise<number> {
  checkFlags(flags, 0, "qemuDomainFSFreeze", F);
  const reply = await withAgent(
    obj,
    (agent) =>
      mountpoints.length
        ? run(agent, "guest-fsfreeze-freeze-list", { mountpoints })
        : run(agent, "guest-fsfreeze-freeze"),
  );
  return intReturn(reply);
}

/**
 * `qemuDomainFSThaw`: thaws every file system (naming some is refused); the count thawed.
 *
 * @example
 * ```ts
 * import { fsThaw } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await fsThaw(obj, [], 0);
 * ```
 */
export async function fsThaw(
  obj: QemuDomainObj,
  mountpoints: string[],
  flags: number,
): Promise<number> {
  checkFlags(flags, 0, "qemuDomainFSThaw", F);
  if (mountpoints.length) {
    throw VirError.report(F, "ARGUMENT_UNSUPPORTED", "specifying mountpoints is not supported");
  }
  return intReturn(await withAgent(obj, (agent) => run(agent, "guest-fsfreeze-thaw")));
}

/**
 * `qemuDomainFSTrim`: `guest-fstrim` of every file system (naming one is refused).
 *
 * @example
 * ```ts
 * import { fsTrim } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await fsTrim(obj, null, 0, 0);
 * ```
 */
export async function fsTrim(
  obj: QemuDomainObj,
  mountPoint: string | null,
  minimum: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainFSTrim", F);
  if (mountPoint !== null) {
    throw VirError.report(
      F,
      "ARGUMENT_UNSUPPORTED",
      "Specifying mount point is not supported for now",
    );
  }
  await withAgent(obj, (agent) => run(agent, "guest-fstrim", { minimum }));
}

/**
 * `qemuDomainGetFSInfo`: the guest's file systems, each with the targets of the disks it is on.
 *
 * @example
 * ```ts
 * import { getFSInfo } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getFSInfo(obj, 0);
 * ```
 */
export async function getFSInfo(obj: QemuDomainObj, flags: number): Promise<DomainFSInfo[]> {
  checkFlags(flags, 0, "qemuDomainGetFSInfo", F);
  const fss = parseFsInfo(await withAgent(obj, (agent) => run(agent, "guest-get-fsinfo")));
  return await obj.job.run(() => {
    checkActive(obj);
    return Promise.resolve(fss.map((fs) => ({
      mountpoint: fs.mountpoint,
      name: fs.name,
      fstype: fs.fstype,
      devAliases: fs.disks.flatMap((d) => diskTargetByAddress(obj.def, d) ?? []),
    })));
  });
}

/**
 * `qemuDomainSetUserPassword`: `guest-set-user-password` with the password in base64, already
 * crypted with PASSWORD_ENCRYPTED.
 *
 * @example
 * ```ts
 * import { setUserPassword } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setUserPassword(obj, "root", "secret", 0);
 * ```
 */
export async function setUserPassword(
  obj: QemuDomainObj,
  user: string,
  password: string,
  flags: number,
): Promise<void> {
  checkFlags(flags, E.DOMAIN_PASSWORD_ENCRYPTED, "qemuDomainSetUserPassword", F);
  const bytes = new TextEncoder().encode(password);
  const password64 = btoa(String.fromCharCode(...bytes));
  await withAgent(obj, (agent) =>
    run(agent, "guest-set-user-password", {
      crypted: (flags & E.DOMAIN_PASSWORD_ENCRYPTED) !== 0,
      username: user,
      password: password64,
    }));
}

/**
 * The AGENT source of `qemuDomainInterfaceAddresses`: the guest's own interfaces.
 *
 * @example
 * ```ts
 * import { agentInterfaces } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await agentInterfaces(obj);
 * ```
 */
export function agentInterfaces(obj: QemuDomainObj): Promise<GuestInterface[]> {
  return obj.agentJob.run(async () =>
    parseInterfaces(await run(availableAgent(obj), "guest-network-get-interfaces"))
  );
}

/** The guest's vCPUs (`qemuAgentGetVCPUs`) from an open agent. */
async function guestCpus(agent: QemuAgent): Promise<AgentCpu[]> {
  return parseVcpus(await run(agent, "guest-get-vcpus"));
}

/**
 * `qemuAgentSetVCPUs`: `guest-set-vcpus` of the modified vCPUs, again for those the guest did
 * not switch until it switched them all or failed.
 */
async function setGuestCpus(agent: QemuAgent, cpus: AgentCpu[]): Promise<void> {
  while (true) {
    const vcpus = cpus.filter((c) => c.modified).map((c) => ({
      "logical-id": c.id,
      online: c.online,
    }));
    if (!vcpus.length) return;
    const done = (await run(agent, "guest-set-vcpus", { vcpus })).return;
    if (typeof done !== "number" || !Number.isInteger(done) || done <= 0 || done > vcpus.length) {
      throw internal("guest agent returned malformed or invalid return value");
    }
    if (done === vcpus.length) return;
    let left = done;
    for (const c of cpus) {
      if (!c.modified || left === 0) continue;
      c.modified = false;
      left--;
    }
  }
}

/**
 * `qemuDomainSetVcpusAgent` (setVcpusFlags with VCPU_GUEST): the guest onlines or offlines its
 * vCPUs until `nvcpus` are online, at most those the domain has.
 *
 * @example
 * ```ts
 * import { setGuestVcpuCount } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setGuestVcpuCount(obj, 1, 1);
 * ```
 */
export function setGuestVcpuCount(
  obj: QemuDomainObj,
  nvcpus: number,
  enabled: number,
): Promise<void> {
  return obj.agentJob.run(async () => {
    availableAgent(obj);
    if (nvcpus > enabled) {
      throw VirError.report(
        F,
        "INVALID_ARG",
        `requested vcpu count is greater than the count of enabled vcpus in the domain: ${nvcpus} > ${enabled}`,
      );
    }
    const cpus = await guestCpus(availableAgent(obj));
    updateCpuInfo(nvcpus, cpus);
    await setGuestCpus(availableAgent(obj), cpus);
  });
}

/**
 * getVcpusFlags with VCPU_GUEST: the vCPUs the guest has (MAXIMUM) or has online.
 *
 * @example
 * ```ts
 * import { getGuestVcpuCount } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getGuestVcpuCount(obj, false);
 * ```
 */
export function getGuestVcpuCount(obj: QemuDomainObj, maximum: boolean): Promise<number> {
  return obj.agentJob.run(async () => {
    if (!isActive(obj)) {
      throw VirError.report(
        F,
        "INVALID_ARG",
        "vCPU count provided by the guest agent can only be requested for live domains",
      );
    }
    const cpus = await guestCpus(availableAgent(obj));
    return maximum ? cpus.length : cpus.filter((c) => c.online).length;
  });
}

/**
 * `qemuDomainGetGuestVcpus`: the guest's vCPUs, those online and those it can offline, as
 * bitmaps (`vcpus`, `online`, `offlinable`).
 *
 * @example
 * ```ts
 * import { getGuestVcpus } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getGuestVcpus(obj, 0); // { vcpus: "0-1", online: "0-1", offlinable: "1" }
 * ```
 */
export async function getGuestVcpus(obj: QemuDomainObj, flags: number): Promise<TypedParams> {
  checkFlags(flags, 0, "qemuDomainGetGuestVcpus", F);
  const cpus = await obj.agentJob.run(() => guestCpus(availableAgent(obj)));
  const bad = cpus.find((c) => c.id >= GUEST_VCPU_MAX_ID);
  if (bad) throw internal(`vcpu id '${bad.id}' reported by guest agent is out of range`);
  return {
    vcpus: formatBitmap(cpus.map((c) => c.id)),
    online: formatBitmap(cpus.filter((c) => c.online).map((c) => c.id)),
    offlinable: formatBitmap(cpus.filter((c) => c.offlinable).map((c) => c.id)),
  };
}

/**
 * `qemuDomainSetGuestVcpus`: the guest onlines (`state` 1) or offlines (0) the vCPUs of
 * `cpumap`, each of which it must have and, to go offline, be able to offline.
 *
 * @example
 * ```ts
 * import { setGuestVcpus } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setGuestVcpus(obj, "1-2", 0, 0);
 * ```
 */
export function setGuestVcpus(
  obj: QemuDomainObj,
  cpumap: string,
  state: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainSetGuestVcpus", F);
  if (state !== 0 && state !== 1) {
    throw VirError.bare(F, "INVALID_ARG", "unsupported state value");
  }
  let wanted: Set<number>;
  try {
    wanted = new Set(parseBitmap(cpumap));
  } catch {
    wanted = new Set([GUEST_VCPU_MAX_ID]);
  }
  if ([...wanted].some((id) => id >= GUEST_VCPU_MAX_ID)) {
    // virBitmapParse's own error (VIR_FROM_NONE).
    throw VirError.report("NONE", "INVALID_ARG", `Failed to parse bitmap '${cpumap}'`);
  }
  return obj.agentJob.run(async () => {
    const cpus = await guestCpus(availableAgent(obj));
    for (const c of cpus) {
      if (!wanted.has(c.id)) continue;
      if (!state && !c.offlinable) {
        throw VirError.report(F, "OPERATION_UNSUPPORTED", `vCPU '${c.id}' is not offlinable`);
      }
      c.online = state === 1;
      c.modified = true;
      wanted.delete(c.id);
    }
    if (wanted.size) {
      throw VirError.report(
        F,
        "INVALID_ARG",
        `guest is missing vCPUs '${formatBitmap([...wanted].sort((a, b) => a - b))}'`,
      );
    }
    await setGuestCpus(availableAgent(obj), cpus);
  });
}

/**
 * `qemuDomainAgentSetResponseTimeout`: how long agent commands wait from now on (also kept
 * for an agent that connects later, and in the status).
 *
 * @example
 * ```ts
 * import { setResponseTimeout } from "./agent_api.ts";
 * declare const s: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setResponseTimeout(s, obj, 10, 0);
 * ```
 */
export async function setResponseTimeout(
  s: QemuDriverState,
  obj: QemuDomainObj,
  timeout: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainAgentSetResponseTimeout", F);
  const min = E.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK;
  if (timeout < min) {
    throw VirError.report(
      F,
      "INVALID_ARG",
      `guest agent timeout '${timeout}' is less than the minimum '${min}'`,
    );
  }
  if (obj.state === E.DOMAIN_RUNNING && !obj.agentError && obj.agent) obj.agent.timeout = timeout;
  obj.agentTimeout = timeout;
  await s.saveStatus(obj);
}

/**
 * `qemuDomainQemuAgentCommand` (libvirt-qemu's virDomainQemuAgentCommand): `cmd` (JSON) sent as
 * it is, waiting `timeout` seconds (VIR_DOMAIN_QEMU_AGENT_COMMAND_*); the agent's whole reply as
 * compact JSON.
 *
 * @example
 * ```ts
 * import { arbitraryCommand } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await arbitraryCommand(state, obj, '{"execute":"guest-ping"}', -1, 0); // '{"return":{}}'
 * ```
 */
export function arbitraryCommand(
  s: QemuDriverState,
  obj: QemuDomainObj,
  cmd: string,
  timeout: number,
  flags: number,
): Promise<string> {
  checkFlags(flags, 0, "qemuDomainQemuAgentCommand", F);
  return withAgent(obj, async (agent) => {
    // Whatever the command does to the guest, libvirt can no longer vouch for it.
    if (taintDomain(obj.taints, TAINT.CUSTOM_GA_COMMAND)) await s.saveStatus(obj);
    // VIR_DOMAIN_QEMU_AGENT_COMMAND_MIN: blocking is the longest wait.
    const min = AGENT_BLOCK;
    if (timeout < min) {
      throw VirError.report(
        F,
        "INVALID_ARG",
        `guest agent timeout '${timeout}' is less than the minimum '${min}'`,
      );
    }
    let parsed: unknown;
    try {
      parsed = parseJson(cmd);
    } catch (err) {
      throw internal(`cannot parse json ${cmd}: ${(err as Error).message}`);
    }
    return stringify(await agent.command(parsed as Record<string, unknown>, timeout));
  });
}

/** The agent command of each `VIR_NODE_SUSPEND_TARGET_*` (`qemuAgentSuspendMode`). */
const SUSPEND_COMMANDS = ["guest-suspend-ram", "guest-suspend-disk", "guest-suspend-hybrid"];

/**
 * `qemuDomainPMSuspendForDuration`: the guest suspends itself through the agent (RAM, disk or
 * both), answered by QEMU's SUSPEND event; only without a duration, on a machine that can wake
 * up (`query-current-machine`) and whose `<pm>` does not disable that state.
 *
 * @example
 * ```ts
 * import { pmSuspend } from "./agent_api.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await pmSuspend(obj, 0, 0, 0); // VIR_NODE_SUSPEND_TARGET_MEM
 * ```
 */
export async function pmSuspend(
  obj: QemuDomainObj,
  target: number,
  duration: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainPMSuspendForDuration", F);
  if (duration) {
    throw VirError.report(F, "ARGUMENT_UNSUPPORTED", "Duration not supported. Use 0 for now");
  }
  const execute = SUSPEND_COMMANDS[target];
  if (!execute) throw VirError.report(F, "INVALID_ARG", `Unknown suspend target: ${target}`);
  availableAgent(obj);
  const wakeup = await obj.job.run(async () => {
    checkActive(obj);
    const info = await obj.proc!.monitor.run<Record<string, unknown>>("query-current-machine");
    return info["wakeup-suspend-support"] === true;
  });
  if (!wakeup) {
    throw VirError.report(F, "OPERATION_UNSUPPORTED", "Domain does not have suspend support");
  }
  const pm = obj.def.sections.find((s) => s.name === "pm");
  const disabled = (state: string) =>
    pm?.children.some((c) =>
      c.type === "element" && c.name === state && c.attributes.enabled === "no"
    ) ?? false;
  const toMem = target === E.NODE_SUSPEND_TARGET_MEM || target === E.NODE_SUSPEND_TARGET_HYBRID;
  if (toMem && disabled("suspend-to-mem")) {
    throw internal("S3 state is disabled for this domain");
  }
  if (target === E.NODE_SUSPEND_TARGET_DISK && disabled("suspend-to-disk")) {
    throw internal("S4 state is disabled for this domain");
  }
  await withAgent(
    obj,
    (agent) => agent.command({ execute }, agent.timeout, { awaitEvent: "suspend" }),
  );
}

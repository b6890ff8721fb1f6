/**
 * The guest agent's channel over a domain's life (libvirt's `qemuConnectAgent`,
 * `qemuProcessRefreshChannelVirtioState`, `processSerialChangedEvent`,
 * `qemuDomainAgentAvailable`): the state of every virtio channel comes from `query-chardev`
 * at start and from VSERPORT_CHANGE afterwards, shows in the live XML as
 * `<target state='connected|disconnected'/>`, and for `org.qemu.guest_agent.0` connects or
 * drops the agent and emits AGENT_LIFECYCLE.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { isActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import type { PowerHost } from "../power_events.ts";
import { QemuAgent } from "./qemu_agent.ts";

const E = VIR;
const AGENT_NAME = "org.qemu.guest_agent.0";

/** What the channel handling uses of the driver state. */
export type AgentHost = Pick<PowerHost, "emitOther" | "saveStatus" | "log">;

const isVirtioChannel = (d: XmlElement) =>
  d.name === "channel" && child(d, "target")?.attributes.type === "virtio";

/**
 * `qemuFindAgentConfig`: the definition's guest agent channel, if any.
 *
 * @example
 * ```ts
 * import { findAgentConfig } from "./agent_channel.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * findAgentConfig(def)?.name; // "channel"
 * ```
 */
export function findAgentConfig(def: DomainDef): XmlElement | undefined {
  return def.devices.other.find((d) =>
    isVirtioChannel(d) && child(d, "target")?.attributes.name === AGENT_NAME
  );
}

/**
 * `qemuDomainAgentAvailable` with reportError: the agent, or libvirt's reason there is none.
 *
 * @example
 * ```ts
 * import { availableAgent } from "./agent_channel.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * availableAgent(obj); // throws "argument unsupported: QEMU guest agent is not configured"
 * ```
 */
export function availableAgent(obj: QemuDomainObj): QemuAgent {
  if (obj.state !== E.DOMAIN_RUNNING) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "domain is not running");
  }
  if (obj.agentError) {
    throw VirError.report(
      "QEMU",
      "AGENT_UNRESPONSIVE",
      "QEMU guest agent is not available due to an error",
    );
  }
  if (obj.agent) return obj.agent;
  throw findAgentConfig(obj.def)
    ? VirError.report("QEMU", "AGENT_UNRESPONSIVE", "QEMU guest agent is not connected")
    : VirError.report("QEMU", "ARGUMENT_UNSUPPORTED", "QEMU guest agent is not configured");
}

/**
 * `qemuConnectAgent`: opens the agent when its channel is connected and no agent is open. A
 * failure marks the agent as failed (commands then say so); it never fails the caller.
 *
 * @example
 * ```ts
 * import { connectAgent } from "./agent_channel.ts";
 * declare const host: import("./agent_channel.ts").AgentHost;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await connectAgent(host, obj);
 * ```
 */
export async function connectAgent(host: AgentHost, obj: QemuDomainObj): Promise<void> {
  const config = findAgentConfig(obj.def);
  if (!config || obj.agent) return;
  if (child(config, "target")?.attributes.state !== "connected") return;
  const path = child(config, "source")?.attributes.path;
  const proc = obj.proc;
  try {
    if (config.attributes.type !== "unix" || !path) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `unable to handle agent type: ${config.attributes.type}`,
      );
    }
    const agent = await QemuAgent.open(path, obj.agentTimeout, {
      eof: (a) => agentEof(obj, a),
      error: (a) => {
        if (obj.agent === a) obj.agentError = true;
      },
    });
    // The domain may have stopped (or got an agent otherwise) while the socket opened.
    if (isActive(obj) && obj.proc === proc && !obj.agent) obj.agent = agent;
    else agent.close();
  } catch (err) {
    host.log(`Cannot connect to QEMU guest agent for ${obj.def.name}: ${err}`);
    obj.agentError = true;
  }
}

/** `qemuProcessHandleAgentEOF`: the agent is gone, unless the domain is being destroyed. */
function agentEof(obj: QemuDomainObj, agent: QemuAgent): void {
  if (obj.agent !== agent || obj.stopping === "destroy") return;
  agent.close();
  obj.agent = undefined;
  obj.agentError = false;
}

/**
 * Drops the agent of a domain whose QEMU ended (`qemuProcessStop`).
 *
 * @example
 * ```ts
 * import { closeAgent } from "./agent_channel.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * closeAgent(obj);
 * ```
 */
export function closeAgent(obj: QemuDomainObj): void {
  obj.agent?.close();
  obj.agent = undefined;
  obj.agentError = false;
}

/** One entry of QMP `query-chardev` (the fields used). */
interface ChardevState {
  label: string;
  "frontend-open"?: boolean;
}

/**
 * `qemuProcessRefreshChannelVirtioState` at start (`booted`: the AGENT_LIFECYCLE reason is
 * domain-started) or at a reconnection: each virtio channel's state from `query-chardev`.
 *
 * @example
 * ```ts
 * import { refreshChannelStates } from "./agent_channel.ts";
 * declare const host: import("./agent_channel.ts").AgentHost;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await refreshChannelStates(host, obj, monitor, true);
 * ```
 */
export async function refreshChannelStates(
  host: AgentHost,
  obj: QemuDomainObj,
  monitor: QemuMonitor,
  booted: boolean,
): Promise<void> {
  const channels = obj.def.devices.other.filter(isVirtioChannel);
  if (!channels.length) return;
  const info = new Map(
    (await monitor.run<ChardevState[]>("query-chardev")).map((c) => [c.label, c]),
  );
  const reason = booted
    ? E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_DOMAIN_STARTED
    : E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL;
  for (const channel of channels) {
    const open = info.get(`char${child(channel, "alias")?.attributes.name}`)?.["frontend-open"];
    if (open === undefined) continue;
    setState(channel, open);
    if (child(channel, "target")?.attributes.name === AGENT_NAME) {
      host.emitOther(obj, E.DOMAIN_EVENT_ID_AGENT_LIFECYCLE, lifecycle(open, reason));
    }
  }
}

/**
 * `processSerialChangedEvent` for QMP VSERPORT_CHANGE: the channel's new state in the live XML
 * and the status; for the agent's channel, the agent opened or closed and AGENT_LIFECYCLE.
 *
 * @example
 * ```ts
 * import { serialChanged } from "./agent_channel.ts";
 * declare const host: import("./agent_channel.ts").AgentHost;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await serialChanged(host, obj, "channel0", true);
 * ```
 */
export async function serialChanged(
  host: AgentHost,
  obj: QemuDomainObj,
  alias: string,
  connected: boolean,
): Promise<void> {
  const channel = obj.def.devices.other.find((d) =>
    isVirtioChannel(d) && child(d, "alias")?.attributes.name === alias
  );
  const isAgent = channel && child(channel, "target")?.attributes.name === AGENT_NAME;
  // Wakes a command waiting on the agent at once, so that the job below is not held by it.
  if (!connected && isAgent) obj.agent?.notifyClose();
  await obj.job.run(async () => {
    if (!channel || !isActive(obj) || !obj.def.devices.other.includes(channel)) return;
    setState(channel, connected);
    await host.saveStatus(obj).catch(() => {});
    if (!isAgent) return;
    if (connected) await connectAgent(host, obj);
    else closeAgent(obj);
    host.emitOther(
      obj,
      E.DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
      lifecycle(connected, E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL),
    );
  });
}

function setState(channel: XmlElement, connected: boolean): void {
  const target = child(channel, "target");
  if (target) target.attributes.state = connected ? "connected" : "disconnected";
}

/** The data of virConnectDomainEventAgentLifecycleCallback. */
function lifecycle(connected: boolean, reason: number): { state: number; reason: number } {
  return {
    state: connected
      ? E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED
      : E.CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED,
    reason,
  };
}

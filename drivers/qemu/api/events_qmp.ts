/**
 * The QMP events libvirt's QEMU driver turns into domain events beside the power ones
 * (`qemu_monitor_json.c`'s `qemuMonitorJSONHandle*` parsing, `qemu_process.c`'s
 * `qemuProcessHandle*`): RTC change, watchdog, I/O error (with and without reason), VNC
 * graphics, tray moves, PM suspend and wake-up, balloon change, crash-loaded, memory failure,
 * a virtio-mem's size change.
 * Each event's data carries the arguments of libvirt's callback under their C names; a state
 * change comes with its lifecycle event after, in libvirt's order.
 *
 * QMP events without a domain event of their own here: DEVICE_DELETED of devices other than
 * vCPUs (device hotplug's business), JOB_STATUS_CHANGE (the block jobs' business,
 * `block_job_state.ts`), MIGRATION* and DUMP_COMPLETED (their jobs wait for them);
 * BLOCK_WRITE_THRESHOLD is `block_threshold.ts`'. VSERPORT_CHANGE is the guest agent's
 * (`agent/agent_channel.ts`).
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { child } from "../../../util/xml/mod.ts";
import { disks } from "../../../conf/domain/device_lookup.ts";
import type { XmlElementJSON } from "../../../conf/domain/def.ts";
import type { QmpEvent } from "../monitor/qmp_client.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { PowerHost } from "../power_events.ts";
import { diskAlias } from "./stats_domain.ts";
import { memoryDeviceSizeChanged } from "./device_memory.ts";
import { blockThresholdEvent } from "./block_threshold.ts";

const E = VIR;

const WATCHDOG_ACTIONS = ["none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi"];
const IO_ERROR_ACTIONS = ["ignore", "stop", "report"];
const ADDRESS_FAMILIES = ["ipv4", "ipv6", "unix"];
const MF_RECIPIENTS = ["hypervisor", "guest"];
const MF_ACTIONS = ["ignore", "inject", "fatal", "reset"];
const GRAPHICS_PHASES: Record<string, number> = {
  VNC_CONNECTED: E.DOMAIN_EVENT_GRAPHICS_CONNECT,
  VNC_INITIALIZED: E.DOMAIN_EVENT_GRAPHICS_INITIALIZE,
  VNC_DISCONNECTED: E.DOMAIN_EVENT_GRAPHICS_DISCONNECT,
};

/** What the handlers use of the driver state. */
export type EventHost = Pick<PowerHost, "emit" | "emitOther" | "saveStatus" | "watchdogDump">;

/** The libvirt `clock adjustment` a variable clock had when QEMU started, per domain. */
const adjustment0 = new WeakMap<QemuDomainObj, number>();

const str = (v: unknown): string | undefined => typeof v === "string" ? v : undefined;
const indexIn = (list: string[], v: unknown, fallback: number) => {
  const i = list.indexOf(str(v) ?? "");
  return i < 0 ? fallback : i;
};

/**
 * The disk a QEMU block id names: its frontend's id (the alias) or QOM path, or the id of the
 * drive under it, which `query-block` links to the frontend.
 */
/** The disk whose alias (or QOM path) is one of `ids`, found without asking QEMU. */
function diskByAlias(
  obj: QemuDomainObj,
  ids: (string | undefined)[],
): XmlElementJSON | undefined {
  for (const id of ids) {
    const alias = id?.match(/^\/machine\/peripheral\/([^/]+)/)?.[1] ?? id;
    const disk = alias ? disks(obj.def).find((d) => diskAlias(d) === alias) : undefined;
    if (disk) return disk;
  }
  return undefined;
}

async function diskOf(
  obj: QemuDomainObj,
  ids: (string | undefined)[],
): Promise<XmlElementJSON | undefined> {
  const known = diskByAlias(obj, ids);
  if (known) return known;
  const drives = await obj.proc?.monitor.run<
    { device?: string; qdev?: string; inserted?: { "node-name"?: string } }[]
  >("query-block").catch(() => []) ?? [];
  const drive = drives.find((d) =>
    ids.some((id) => id && (d.device === id || d.inserted?.["node-name"] === id))
  );
  return diskByAlias(obj, [drive?.qdev]);
}

/** Sets a running domain paused for `reason`; false when it was not running. */
function pauseFor(obj: QemuDomainObj, reason: number): boolean {
  if (obj.state !== E.DOMAIN_RUNNING) return false;
  obj.state = E.DOMAIN_PAUSED;
  obj.reason = reason;
  return true;
}

function rtcChange(host: EventHost, obj: QemuDomainObj, data: Record<string, unknown>): void {
  let offset = typeof data.offset === "number" ? data.offset : 0;
  const clock = obj.def.clock;
  if (clock?.offset === "variable") {
    // QEMU counts from the base it started with: the new adjustment is that base plus offset.
    if (!adjustment0.has(obj)) adjustment0.set(obj, Number(clock.adjustment ?? 0));
    offset += adjustment0.get(obj)!;
    clock.adjustment = String(offset);
    void host.saveStatus(obj).catch(() => {});
  }
  host.emitOther(obj, E.DOMAIN_EVENT_ID_RTC_CHANGE, { utcoffset: offset });
}

function watchdog(host: EventHost, obj: QemuDomainObj, data: Record<string, unknown>): void {
  const action = indexIn(WATCHDOG_ACTIONS, data.action, E.DOMAIN_EVENT_WATCHDOG_NONE);
  host.emitOther(obj, E.DOMAIN_EVENT_ID_WATCHDOG, { action });
  if (action === E.DOMAIN_EVENT_WATCHDOG_PAUSE && pauseFor(obj, E.DOMAIN_PAUSED_WATCHDOG)) {
    host.emit(obj, E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_WATCHDOG);
    void host.saveStatus(obj).catch(() => {});
  }
  // QEMU has no dump action: it paused, as the command line asked, and the driver dumps.
  const watchdogDev = obj.def.devices.other.find((d) => d.name === "watchdog");
  if (watchdogDev?.attributes.action === "dump") void host.watchdogDump(obj);
}

async function ioError(
  host: EventHost,
  obj: QemuDomainObj,
  data: Record<string, unknown>,
): Promise<void> {
  const action = indexIn(IO_ERROR_ACTIONS, data.action, E.DOMAIN_EVENT_IO_ERROR_NONE);
  const reason = data.nospace === true ? "enospc" : "";
  // The state changes at once, so that the STOP QEMU sends next finds the domain paused
  // already (as in libvirt, which handles both in order); the events wait for the disk.
  const paused = action === E.DOMAIN_EVENT_IO_ERROR_PAUSE && pauseFor(obj, E.DOMAIN_PAUSED_IOERROR);
  const disk = await diskOf(obj, [str(data.device) || undefined, str(data["node-name"])]);
  const srcPath = (disk && child(disk, "source")?.attributes.file) ?? "";
  const devAlias = (disk && diskAlias(disk)) ?? "";
  host.emitOther(obj, E.DOMAIN_EVENT_ID_IO_ERROR, { srcPath, devAlias, action });
  host.emitOther(obj, E.DOMAIN_EVENT_ID_IO_ERROR_REASON, { srcPath, devAlias, action, reason });
  if (paused) {
    host.emit(obj, E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_IOERROR);
    await host.saveStatus(obj).catch(() => {});
  }
}

/** A VNC event's endpoint, or undefined when QEMU left out what libvirt needs. */
function address(v: unknown): { family: number; node: string; service: string } | undefined {
  const a = v as Record<string, unknown> | undefined;
  if (!a || !str(a.family) || !str(a.host) || !str(a.service)) return undefined;
  const family = indexIn(ADDRESS_FAMILIES, a.family, E.DOMAIN_EVENT_GRAPHICS_ADDRESS_IPV4);
  return { family, node: a.host as string, service: a.service as string };
}

function graphics(host: EventHost, obj: QemuDomainObj, ev: QmpEvent): void {
  const server = ev.data.server as Record<string, unknown> | undefined;
  const client = ev.data.client as Record<string, unknown> | undefined;
  const local = address(server);
  const remote = address(client);
  // libvirt drops an event without both ends (it only logs a warning).
  if (!local || !remote) return;
  const subject: { type: string; name: string }[] = [];
  if (str(client!.x509_dname)) subject.push({ type: "x509dname", name: str(client!.x509_dname)! });
  if (str(client!.sasl_username)) {
    subject.push({ type: "saslUsername", name: str(client!.sasl_username)! });
  }
  host.emitOther(obj, E.DOMAIN_EVENT_ID_GRAPHICS, {
    phase: GRAPHICS_PHASES[ev.event],
    local,
    remote,
    authScheme: str(server!.auth) ?? "",
    subject,
  });
}

async function trayMoved(
  host: EventHost,
  obj: QemuDomainObj,
  data: Record<string, unknown>,
): Promise<void> {
  if (typeof data["tray-open"] !== "boolean") return;
  // Found at once when the alias names it, so that the tray state is current before the next
  // event (a media change waits on it, as libvirt's qemuHotplugWaitForTrayEject).
  const ids = [str(data.id), str(data.device) || undefined];
  const disk = diskByAlias(obj, ids) ?? await diskOf(obj, ids);
  if (!disk) return;
  const open = data["tray-open"];
  const target = child(disk, "target");
  if (target) {
    // The live XML shows an open tray (`<target tray='open'/>`), a closed one not at all.
    if (open) target.attributes.tray = "open";
    else delete target.attributes.tray;
  }
  host.emitOther(obj, E.DOMAIN_EVENT_ID_TRAY_CHANGE, {
    devAlias: diskAlias(disk),
    reason: open ? E.DOMAIN_EVENT_TRAY_CHANGE_OPEN : E.DOMAIN_EVENT_TRAY_CHANGE_CLOSE,
  });
  await host.saveStatus(obj).catch(() => {});
}

function pmSuspend(host: EventHost, obj: QemuDomainObj, disk: boolean): void {
  host.emitOther(
    obj,
    disk ? E.DOMAIN_EVENT_ID_PMSUSPEND_DISK : E.DOMAIN_EVENT_ID_PMSUSPEND,
    { reason: 0 },
  );
  if (obj.state !== E.DOMAIN_RUNNING) return;
  obj.state = E.DOMAIN_PMSUSPENDED;
  obj.reason = E.DOMAIN_PMSUSPENDED_UNKNOWN;
  host.emit(
    obj,
    E.DOMAIN_EVENT_PMSUSPENDED,
    disk ? E.DOMAIN_EVENT_PMSUSPENDED_DISK : E.DOMAIN_EVENT_PMSUSPENDED_MEMORY,
  );
  void host.saveStatus(obj).catch(() => {});
}

function pmWakeup(host: EventHost, obj: QemuDomainObj): void {
  host.emitOther(obj, E.DOMAIN_EVENT_ID_PMWAKEUP, { reason: 0 });
  // Only a guest that suspended itself runs again (not one paused by someone else).
  if (obj.state !== E.DOMAIN_PMSUSPENDED) return;
  obj.state = E.DOMAIN_RUNNING;
  obj.reason = E.DOMAIN_RUNNING_WAKEUP;
  host.emit(obj, E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_WAKEUP);
  void host.saveStatus(obj).catch(() => {});
}

function balloonChange(host: EventHost, obj: QemuDomainObj, data: Record<string, unknown>): void {
  if (typeof data.actual !== "number") return;
  const actual = Math.ceil(data.actual / 1024);
  host.emitOther(obj, E.DOMAIN_EVENT_ID_BALLOON_CHANGE, { actual });
  obj.def.memory.current = actual;
  void host.saveStatus(obj).catch(() => {});
}

function memoryFailure(host: EventHost, obj: QemuDomainObj, data: Record<string, unknown>): void {
  const recipient = MF_RECIPIENTS.indexOf(str(data.recipient) ?? "");
  const action = MF_ACTIONS.indexOf(str(data.action) ?? "");
  if (recipient < 0 || action < 0) return;
  const f = (data.flags ?? {}) as Record<string, unknown>;
  const flags = (f["action-required"] === true ? E.DOMAIN_MEMORY_FAILURE_ACTION_REQUIRED : 0) |
    (f.recursive === true ? E.DOMAIN_MEMORY_FAILURE_RECURSIVE : 0);
  host.emitOther(obj, E.DOMAIN_EVENT_ID_MEMORY_FAILURE, { recipient, action, flags });
}

/** A virtio-mem's plugged size changed: its `<current>` and libvirt's event. */
function memorySizeChange(host: EventHost, obj: QemuDomainObj, data: Record<string, unknown>) {
  const alias = str(data.id);
  if (!alias || typeof data.size !== "number") return;
  const change = memoryDeviceSizeChanged(obj, alias, data.size);
  if (!change) return;
  host.emitOther(obj, E.DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE, change);
  void host.saveStatus(obj).catch(() => {});
}

/**
 * Handles one QMP event of the kinds above; any other (the power events, vCPU unplugs, those
 * libvirt ignores too) is left alone.
 *
 * @example
 * ```ts ignore
 * import { handleObservedEvent } from "./events_qmp.ts";
 * declare const host: import("./events_qmp.ts").EventHost;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * handleObservedEvent(host, obj, { event: "RTC_CHANGE", data: { offset: 10 } });
 * ```
 */
export function handleObservedEvent(host: EventHost, obj: QemuDomainObj, ev: QmpEvent): void {
  const data = ev.data ?? {};
  switch (ev.event) {
    case "RTC_CHANGE":
      rtcChange(host, obj, data);
      break;
    case "WATCHDOG":
      watchdog(host, obj, data);
      break;
    case "BLOCK_IO_ERROR":
      void ioError(host, obj, data);
      break;
    case "VNC_CONNECTED":
    case "VNC_INITIALIZED":
    case "VNC_DISCONNECTED":
      graphics(host, obj, ev);
      break;
    case "DEVICE_TRAY_MOVED":
      void trayMoved(host, obj, data);
      break;
    case "SUSPEND":
    case "SUSPEND_DISK":
      pmSuspend(host, obj, ev.event === "SUSPEND_DISK");
      break;
    case "WAKEUP":
      pmWakeup(host, obj);
      break;
    case "BALLOON_CHANGE":
      balloonChange(host, obj, data);
      break;
    case "GUEST_CRASHLOADED":
      host.emit(obj, E.DOMAIN_EVENT_CRASHED, E.DOMAIN_EVENT_CRASHED_CRASHLOADED);
      break;
    case "MEMORY_FAILURE":
      memoryFailure(host, obj, data);
      break;
    case "MEMORY_DEVICE_SIZE_CHANGE":
      memorySizeChange(host, obj, data);
      break;
    case "BLOCK_WRITE_THRESHOLD":
      blockThresholdEvent(host, obj, data);
      break;
  }
}

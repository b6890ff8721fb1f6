/**
 * The event commands: `event`, `net-event`, `pool-event`, `nodedev-event`, `secret-event`
 * (virsh's `cmd*Event`): list the event names, or register for one event (or all, for domains),
 * print each as virsh words it, and stop after the first (without `--loop`), at `--timeout`
 * or at Ctrl-C; the count of events received ends the output, and none is a failure.
 * `qemu-monitor-event` needs QEMU monitor events, which the driver contract does not carry.
 * @module
 */
import type { ConnectionEvent } from "../../../client/connection.ts";
import type { EventFamily } from "../../../util/contract/types.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import { domainArg, networkArg, poolArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { exclusive, undeclared } from "./common.ts";
import { timeoutMs } from "./domain_block.ts";
import { secretArg } from "./secret.ts";

/** virsh's domain event names, by `VIR_DOMAIN_EVENT_ID_*`. */
const DOMAIN_EVENTS = [
  "lifecycle",
  "reboot",
  "rtc-change",
  "watchdog",
  "io-error",
  "graphics",
  "io-error-reason",
  "control-error",
  "block-job",
  "disk-change",
  "tray-change",
  "pm-wakeup",
  "pm-suspend",
  "balloon-change",
  "pm-suspend-disk",
  "device-removed",
  "block-job-2",
  "tunable",
  "agent-lifecycle",
  "device-added",
  "migration-iteration",
  "job-completed",
  "device-removal-failed",
  "metadata-change",
  "block-threshold",
  "memory-failure",
  "memory-device-size-change",
];

const DOMAIN_LIFECYCLE = ["Defined", "Undefined", "Started", "Suspended", "Resumed", "Stopped"]
  .concat(["Shutdown", "PMSuspended", "Crashed"]);
const DOMAIN_DETAILS: readonly (readonly string[])[] = [
  ["Added", "Updated", "Renamed", "Snapshot"],
  ["Removed", "Renamed"],
  ["Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"],
  ["Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error"]
    .concat(["Post-copy", "Post-copy Error"]),
  ["Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"],
  ["Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"],
  ["Finished", "Finished after guest request", "Finished after host request"],
  ["Memory", "Disk"],
  ["Panicked", "Crashloaded"],
];
const METADATA_TYPES = ["description", "title", "element"];

/** A name from a table, or virsh's "unknown". */
function named(table: readonly string[] | undefined, i: unknown): string {
  return table?.[Number(i)] ?? "unknown";
}

/** One event family as its command sees it. */
interface Family {
  family: EventFamily;
  /** Event names, by event id. */
  names: readonly string[];
  /** How the object is named in the lines (`storage pool`, `node device`, …). */
  noun: string;
  /** The lifecycle event names (`virsh*EventToString`). */
  lifecycle: readonly string[];
}

const FAMILIES: Record<string, Family> = {
  network: {
    family: "network",
    names: ["lifecycle"],
    noun: "network",
    lifecycle: ["Defined", "Undefined", "Started", "Stopped"],
  },
  pool: {
    family: "storage_pool",
    names: ["lifecycle", "refresh"],
    noun: "storage pool",
    lifecycle: ["Defined", "Undefined", "Started", "Stopped", "Created", "Deleted"],
  },
  nodedev: {
    family: "node_device",
    names: ["lifecycle", "update"],
    noun: "node device",
    lifecycle: ["Created", "Deleted", "Defined", "Undefined"],
  },
  secret: {
    family: "secret",
    names: ["lifecycle", "value-changed"],
    noun: "secret",
    lifecycle: ["Defined", "Undefined"],
  },
};

/** The object's name for the lines: secrets are named by UUID. */
function objectName(ev: ConnectionEvent): string {
  const o = ev.object as unknown as { name?: string; uuid?: string };
  return ev.family === "secret" ? o.uuid ?? "" : o.name ?? "";
}

/** `virshDomainEventDiskChange`: a medium changed (one missing at start emptied), a disk dropped. */
const DISK_CHANGE_REASONS = ["changed", "dropped"];

/** `virshEventAgentLifecycleState` and `…Reason`. */
const AGENT_STATES = ["unknown", "connected", "disconnected"];
const AGENT_REASONS = ["unknown", "domain started", "channel event"];

/**
 * A domain event as virsh prints it, or undefined for one evsh has no wording for yet.
 *
 * @example
 * ```ts ignore
 * domainLine(ev); // "event 'reboot' for domain 'test'\n"
 * ```
 */
export function domainLine(ev: ConnectionEvent): string | undefined {
  const dom = objectName(ev);
  const d = ev.data;
  const name = DOMAIN_EVENTS[ev.eventId];
  switch (name) {
    case "lifecycle":
      return `event 'lifecycle' for domain '${dom}': ${named(DOMAIN_LIFECYCLE, d.event)} ${
        named(DOMAIN_DETAILS[Number(d.event)], d.detail)
      }\n`;
    case "reboot":
    case "pm-wakeup":
    case "pm-suspend":
    case "pm-suspend-disk":
      return `event '${name}' for domain '${dom}'\n`;
    case "disk-change":
      return `event 'disk-change' for domain '${dom}' disk ${d.devAlias}: ${
        d.oldSrcPath ?? "(null)"
      } -> ${d.newSrcPath ?? "(null)"}: ${DISK_CHANGE_REASONS[Number(d.reason)] ?? "unknown"}\n`;
    case "device-removed":
    case "device-added":
    case "device-removal-failed":
      return `event '${name}' for domain '${dom}': ${d.devAlias}\n`;
    case "metadata-change":
      return `event 'metadata-change' for domain '${dom}': type ${
        named(METADATA_TYPES, d.type)
      }, uri ${d.nsuri ?? "(null)"}\n`;
    case "agent-lifecycle": {
      const text = (table: string[], i: unknown) => table[Number(i)] ?? "unsupported value";
      return `event 'agent-lifecycle' for domain '${dom}': state: '${
        text(AGENT_STATES, d.state)
      }' reason: '${text(AGENT_REASONS, d.reason)}'\n`;
    }
    case "tunable": {
      const params = Object.entries((d.params ?? {}) as Record<string, unknown>);
      return `event 'tunable' for domain '${dom}':\n` +
        params.map(([k, v]) => `\t${k}: ${v}\n`).join("");
    }
  }
  return undefined;
}

/** A secondary object's event as virsh prints it. */
function familyLine(f: Family, ev: ConnectionEvent): string {
  const obj = objectName(ev);
  if (ev.eventId === 0) {
    return `event 'lifecycle' for ${f.noun} ${obj}: ${named(f.lifecycle, ev.data.event)}\n`;
  }
  return `event '${f.names[ev.eventId]}' for ${f.noun} ${obj}\n`;
}

/** `virTimeStringNowRaw`: the UTC time with milliseconds. */
function timestamp(): string {
  const t = new Date().toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 23)}+0000`;
}

/**
 * Registers `filters`, waits as virsh's `vshEventWait` does and prints the closing lines;
 * true when at least one event came.
 */
async function waitForEvents(
  ctx: CommandContext,
  args: Args,
  timeout: number,
  filters: { family: EventFamily; eventId: number; uuid?: string; name?: string }[],
  line: (ev: ConnectionEvent) => string | undefined,
): Promise<boolean> {
  const loop = args.has("loop");
  const stamp = args.has("timestamp");
  let count = 0;
  let finish: (how: "done" | "timeout" | "interrupt") => void = () => {};
  const ended = new Promise<"done" | "timeout" | "interrupt">((resolve) => (finish = resolve));
  const ids: number[] = [];
  const timer = timeout ? setTimeout(() => finish("timeout"), timeout) : undefined;
  const stopInterrupt = ctx.io.onInterrupt?.(() => finish("interrupt"));
  try {
    for (const f of filters) {
      const r = await ctx.attempt(() =>
        Promise.resolve(ctx.conn.eventRegisterAny(f, (ev) => {
          if (!loop && count) return;
          const text = line(ev);
          if (text === undefined) {
            ctx.io.stderr(`evsh: no wording for event '${DOMAIN_EVENTS[ev.eventId]}'\n`);
            return;
          }
          ctx.print(stamp ? `${timestamp()}: ${text}` : text);
          count++;
          if (!loop) finish("done");
        }))
      );
      if (!r.ok) {
        if (ids.length) ctx.resetError();
        else return false;
      } else ids.push(r.value);
    }
    const how = await ended;
    if (how === "interrupt") ctx.print("event loop interrupted\n");
    if (how === "timeout") ctx.print("event loop timed out\n");
    ctx.print(`events received: ${count}\n`);
    return count > 0;
  } finally {
    clearTimeout(timer);
    stopInterrupt?.();
    for (const id of ids) ctx.conn.eventDeregisterAny(id);
  }
}

/** `net-event`, `pool-event`, `nodedev-event`, `secret-event`. */
function familyEvent(
  name: string,
  f: Family,
  lookup: (ctx: CommandContext, args: Args) => Promise<{ uuid?: string; name?: string }>,
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      if (args.has("list")) {
        for (const n of f.names) ctx.print(`${n}\n`);
        return;
      }
      const event = ctx.optString(args, "event");
      if (event === undefined) return ctx.fail("either --list or --event <type> is required");
      const eventId = f.names.indexOf(event);
      if (eventId < 0) ctx.fail(`unknown event type ${event}`);
      const timeout = timeoutMs(ctx, args);
      const which = await lookup(ctx, args);
      return await waitForEvents(
        ctx,
        args,
        timeout,
        [{ family: f.family, eventId, ...which }],
        (ev) => familyLine(f, ev),
      );
    },
  };
}

/**
 * virsh's `net-event --network`, `pool-event --pool`, `secret-event --secret`: a failed
 * look-up prints its line and the command goes on listening to every object (its libvirt
 * error stays for the report when no event comes).
 */
function lenientLookup<T extends { uuid: string }>(
  opt: string,
  find: (ctx: CommandContext, args: Args) => Promise<T>,
) {
  return async (ctx: CommandContext, args: Args): Promise<{ uuid?: string }> => {
    if (!args.has(opt)) return {};
    try {
      return { uuid: (await find(ctx, args)).uuid };
    } catch (e) {
      if (!(e instanceof CommandFailed)) throw e;
      return {};
    }
  };
}

/** The event command table. */
export const EVENT_COMMANDS: CommandDef[] = [
  {
    name: "event",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "event");
      exclusive(ctx, args, "list", "all");
      exclusive(ctx, args, "list", "event");
      if (args.has("list")) {
        for (const n of DOMAIN_EVENTS) ctx.print(`${n}\n`);
        return;
      }
      const event = ctx.optString(args, "event");
      if (event === undefined && !args.has("all")) {
        ctx.fail("one of --list, --all, or --event <type> is required");
      }
      const ids = DOMAIN_EVENTS.flatMap((n, i) => (event === undefined || n === event ? [i] : []));
      if (!ids.length) ctx.fail(`unknown event type ${event}`);
      const timeout = timeoutMs(ctx, args);
      const uuid = args.has("domain") ? (await domainArg(ctx, args)).obj.uuid : undefined;
      return await waitForEvents(
        ctx,
        args,
        timeout,
        ids.map((eventId) => ({ family: "domain" as const, eventId, uuid })),
        domainLine,
      );
    },
  },
  familyEvent(
    "net-event",
    FAMILIES.network,
    lenientLookup("network", async (ctx, args) => (await networkArg(ctx, args)).obj),
  ),
  familyEvent(
    "pool-event",
    FAMILIES.pool,
    lenientLookup("pool", async (ctx, args) => (await poolArg(ctx, args)).obj),
  ),
  familyEvent("nodedev-event", FAMILIES.nodedev, async (ctx, args) => {
    const device = ctx.optString(args, "device");
    if (device === undefined) return {};
    const r = await ctx.attempt(() => ctx.conn.lookupNodeDeviceByName(device));
    if (!r.ok) return ctx.fail(`Could not find matching device '${device}'`);
    return { name: r.value.name };
  }),
  familyEvent(
    "secret-event",
    FAMILIES.secret,
    lenientLookup("secret", async (ctx, args) => (await secretArg(ctx, args)).obj),
  ),
  {
    name: "qemu-monitor-event",
    async run(ctx, args) {
      timeoutMs(ctx, args);
      ctx.optString(args, "event");
      if (args.has("domain")) await domainArg(ctx, args);
      undeclared(ctx, "virConnectDomainQemuMonitorEventRegister", undefined, "NONE");
    },
  },
];

/**
 * A QMP peer that replays one of libvirt's scripted monitor conversations
 * (`tests/qemuhotplugtestcpus/*-monitor.json`): each command the client sends must be the next
 * scripted one by name and arguments, and gets the scripted reply. The ids are not compared:
 * the client numbers its commands its own way, and the recorded reply ids don't always match
 * their commands anyway, so every reply goes back with the id of the command it answers.
 *
 * @module
 */
import { readLines, streamPair } from "../../../../drivers/qemu/monitor/mod.ts";
import type { ByteStream } from "../../../../drivers/qemu/monitor/mod.ts";

/** One scripted command and its reply. */
export interface ScriptedExchange {
  execute: string;
  arguments?: Record<string, unknown>;
  reply: Record<string, unknown>;
}

/**
 * Splits a monitor file into command/reply pairs: JSON blocks separated by blank lines,
 * alternating command and reply, as libvirt's `qemuMonitorTestNewFromFileFull` reads them.
 */
export function parseMonitorScript(text: string): ScriptedExchange[] {
  const blocks = text.split(/\n\s*\n/).map((b) => b.trim()).filter((b) => b.length > 0);
  if (blocks.length % 2) throw new Error("monitor script: a command without a reply");
  const out: ScriptedExchange[] = [];
  for (let i = 0; i < blocks.length; i += 2) {
    const cmd = JSON.parse(blocks[i]) as { execute?: string; arguments?: Record<string, unknown> };
    if (typeof cmd.execute !== "string") {
      throw new Error(`monitor script: not a command: ${blocks[i]}`);
    }
    const reply = JSON.parse(blocks[i + 1]) as Record<string, unknown>;
    delete reply.id;
    out.push({ execute: cmd.execute, arguments: cmd.arguments, reply });
  }
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) =>
    k === kb[i] &&
    sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

/**
 * The replaying peer. `mismatches` lists every command that was not the next scripted one
 * (it got a GenericError reply); `unused` what the client never asked for.
 *
 * @example
 * ```ts
 * import { ReplayMonitor } from "./replay_monitor.ts";
 * const peer = new ReplayMonitor([{ execute: "query-status", reply: { return: {} } }]);
 * const stream = peer.connect();
 * ```
 */
export class ReplayMonitor {
  /** Commands that did not match the script, as `execute arguments-json`. */
  readonly mismatches: string[] = [];
  #script: ScriptedExchange[];
  #next = 0;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;

  constructor(script: ScriptedExchange[]) {
    this.#script = script;
  }

  /** Scripted commands not consumed yet. */
  get unused(): string[] {
    return this.#script.slice(this.#next).map((e) => e.execute);
  }

  /** Opens the (single) monitor connection and greets on it. */
  connect(): ByteStream {
    const { client, server } = streamPair();
    this.#writer = server.writable.getWriter();
    this.#send({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: [] } });
    this.#serve(server.readable.getReader());
    return client;
  }

  /** Sends an event, as QEMU would emit it. */
  emit(event: string, data: Record<string, unknown>): void {
    this.#send({ event, data, timestamp: { seconds: 1374137171, microseconds: 2659 } });
  }

  /** Closes the connection from QEMU's side. */
  close(): Promise<void> {
    return this.#writer?.close().catch(() => {}) ?? Promise.resolve();
  }

  #send(msg: unknown): void {
    this.#writer?.write(new TextEncoder().encode(JSON.stringify(msg) + "\r\n")).catch(() => {});
  }

  async #serve(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    for await (const line of readLines(reader)) {
      const msg = JSON.parse(line) as {
        execute: string;
        arguments?: Record<string, unknown>;
        id?: unknown;
      };
      this.#send({ ...this.#answer(msg.execute, msg.arguments), id: msg.id });
    }
  }

  #answer(execute: string, args: Record<string, unknown> | undefined): Record<string, unknown> {
    // Capability negotiation is the client's handshake, not part of libvirt's scripts.
    if (execute === "qmp_capabilities") return { return: {} };
    const want = this.#script[this.#next];
    if (want && want.execute === execute && sameJson(want.arguments ?? {}, args ?? {})) {
      this.#next++;
      return want.reply;
    }
    this.mismatches.push(`${execute} ${JSON.stringify(args ?? {})}`);
    return { error: { class: "GenericError", desc: `unexpected command '${execute}'` } };
  }
}

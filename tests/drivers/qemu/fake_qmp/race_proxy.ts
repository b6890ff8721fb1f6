/**
 * The QMP proxy of `tests/tools/vcpu_race/qmp_race_proxy.py`, in TypeScript: the same vCPU unplug
 * races, played the same way, between edgevirt's QMP client and the fake QEMU, so a recording of
 * libvirt 9.0 behind the Python proxy (in front of real QEMU) replays against edgevirt behind
 * this one. The two must stay alike; see the Python file for the policies.
 *
 * @module
 */
import { type ByteStream, readLines, streamPair } from "../../../../drivers/qemu/monitor/mod.ts";

/** How the proxy answers the next vCPU `device_del`. */
export type RacePolicy =
  | "ack"
  | "before"
  | "hold"
  | "notfound"
  | "generic"
  | "reject"
  | "reject-generic"
  | "notfound-event"
  | "generic-event"
  | "forge";

type Msg = Record<string, unknown> & { id?: unknown };

const peripheral = (alias: string) => `/machine/peripheral/${alias}`;

/**
 * The proxy over one upstream QMP connection.
 *
 * @example
 * ```ts
 * import { RaceProxy } from "./race_proxy.ts";
 * import { FakeQemu } from "../../../../drivers/qemu/testing/mod.ts";
 * const proxy = new RaceProxy(new FakeQemu().connect());
 * proxy.policy(["hold"]);
 * const stream = proxy.connect();
 * ```
 */
export class RaceProxy {
  #up: ByteStream;
  #policies: RacePolicy[] = [];
  #hidden = new Set<string>();
  #notid = new Set<string>();
  #held = new Set<string>();
  #readded: string[] = [];
  #pending: string[] = [];
  #toClient?: WritableStreamDefaultWriter<Uint8Array>;
  #toQemu?: WritableStreamDefaultWriter<Uint8Array>;

  constructor(upstream: ByteStream) {
    this.#up = upstream;
  }

  /** The client's end of the proxied connection. */
  connect(): ByteStream {
    const { client, server } = streamPair();
    this.#toClient = server.writable.getWriter();
    this.#toQemu = this.#up.writable.getWriter();
    this.#fromQemu(this.#up.readable.getReader());
    this.#fromClient(server.readable.getReader());
    return client;
  }

  /** Arms the policies of the next vCPU device_dels; once used up, `ack`. */
  policy(list: RacePolicy[]): void {
    this.#policies = [...list];
  }

  /** A held unplug finishes: the CPU goes and DEVICE_DELETED comes. */
  release(alias: string): void {
    this.#held.delete(alias);
    this.#gone(alias);
  }

  /** DEVICE_DELETED without the CPU going. */
  forge(alias: string): void {
    this.#event(alias);
  }

  /** Hides the thread id of a vCPU plugged later. */
  notid(alias: string): void {
    this.#notid.add(alias);
  }

  /** Whether an unplug of `alias` is held. */
  held(alias: string): boolean {
    return this.#held.has(alias);
  }

  #send(msg: Msg): void {
    this.#toClient?.write(new TextEncoder().encode(JSON.stringify(msg) + "\r\n")).catch(() => {});
  }

  #event(alias: string, event = "DEVICE_DELETED"): void {
    const now = Date.now();
    this.#send({
      event,
      data: { device: alias, path: peripheral(alias) },
      timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 },
    });
  }

  #gone(alias: string): void {
    this.#hidden.add(alias);
    this.#event(alias);
  }

  #answer(alias: string, id: unknown): Msg {
    const policy = this.#policies.shift() ?? "ack";
    const ok = { return: {}, id };
    const err = (cls: string, desc: string) => ({ error: { class: cls, desc }, id });
    switch (policy) {
      case "ack":
        setTimeout(() => this.#gone(alias), 20);
        return ok;
      case "hold":
        this.#held.add(alias);
        return ok;
      case "notfound":
        return err("DeviceNotFound", `Device '${alias}' not found`);
      case "generic":
        return err("GenericError", "proxy: device_del failed");
      case "reject":
        setTimeout(() => this.#event(alias, "DEVICE_UNPLUG_GUEST_ERROR"), 20);
        return ok;
      case "reject-generic":
        this.#event(alias, "DEVICE_UNPLUG_GUEST_ERROR");
        return err("GenericError", "proxy: device_del failed");
      case "forge":
        this.#event(alias);
        return ok;
    }
    this.#gone(alias);
    if (policy === "before") return ok;
    if (policy === "notfound-event") return err("DeviceNotFound", `Device '${alias}' not found`);
    return err("GenericError", "proxy: device_del failed");
  }

  #isHidden(path: unknown): boolean {
    return typeof path === "string" &&
      [...this.#hidden].some((a) => path.startsWith(peripheral(a)));
  }

  #rewrite(name: string | undefined, reply: Msg): Msg {
    const ret = reply.return;
    if (!Array.isArray(ret)) return reply;
    const entries = ret as Record<string, unknown>[];
    const of = (a: string) => (c: Record<string, unknown>) =>
      String(c["qom-path"] ?? "").startsWith(peripheral(a));
    if (name === "query-cpus-fast") {
      let list = entries.filter((c) => !this.#isHidden(c["qom-path"]));
      // QEMU lists vCPUs in creation order: a re-plugged one comes last.
      for (const a of this.#readded) {
        list = [...list.filter((c) => !of(a)(c)), ...list.filter(of(a))];
      }
      for (const a of this.#notid) for (const c of list.filter(of(a))) delete c["thread-id"];
      return { ...reply, return: list };
    }
    if (name === "query-hotpluggable-cpus") {
      for (const c of entries) if (this.#isHidden(c["qom-path"])) delete c["qom-path"];
    }
    return reply;
  }

  async #fromQemu(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    for await (const line of readLines(reader)) {
      let msg = JSON.parse(line) as Msg;
      if ("return" in msg || "error" in msg) msg = this.#rewrite(this.#pending.shift(), msg);
      const data = msg.data as Record<string, unknown> | undefined;
      if (msg.event === "DEVICE_DELETED" && this.#isHidden(data?.path)) continue;
      this.#send(msg);
    }
    await this.#toClient?.close().catch(() => {});
  }

  async #fromClient(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    for await (const line of readLines(reader)) {
      const cmd = JSON.parse(line) as Msg & { execute?: string; arguments?: Msg };
      const alias = cmd.arguments?.id;
      if (cmd.execute === "device_del" && typeof alias === "string" && alias.startsWith("vcpu")) {
        this.#send(this.#answer(alias, cmd.id));
        continue;
      }
      if (cmd.execute === "device_add" && typeof alias === "string" && this.#hidden.has(alias)) {
        // QEMU still has the CPU the proxy hid: it comes back, as a new plug would.
        this.#hidden.delete(alias);
        this.#readded.push(alias);
        this.#send({ return: {}, id: cmd.id });
        continue;
      }
      this.#pending.push(String(cmd.execute));
      await this.#toQemu?.write(new TextEncoder().encode(line + "\r\n"));
    }
    await this.#toQemu?.close().catch(() => {});
  }
}

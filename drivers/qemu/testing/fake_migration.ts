/**
 * QEMU 7.2's migration to and from `exec:` commands and `tcp:` sockets for {@link FakeQemu}
 * (its `onCommand` hook): `migrate` runs the command with the machine's state on its stdin or
 * sends it to the socket, `migrate-incoming` runs the command or listens and checks what comes
 * is a state this fake wrote, `query-migrate` reports the progress (both sides, as QEMU),
 * `migrate_cancel` cancels; each status change is a MIGRATION event where the QEMU's `events`
 * capability is on. With `pause-before-switchover` on, a sent state waits in `pre-switchover`
 * for `migrate-continue`, as QEMU's source does. The state is a small text, so images stay tiny.
 *
 * @module
 */
import type { FakeQemu, FakeReply } from "./fake_qemu.ts";

/**
 * QEMU 7.2's migration parameters at its start (`query-migrate-parameters`, those libvirt
 * knows), as libvirt's reset of a recorded migration restored them.
 */
const DEFAULT_PARAMETERS: Readonly<Record<string, unknown>> = {
  "compress-level": 1,
  "compress-threads": 8,
  "decompress-threads": 2,
  "cpu-throttle-initial": 20,
  "cpu-throttle-increment": 10,
  "tls-creds": "",
  "tls-hostname": "",
  "max-bandwidth": 134217728,
  "downtime-limit": 300,
  "block-incremental": false,
  "xbzrle-cache-size": 67108864,
  "max-postcopy-bandwidth": 0,
  "multifd-channels": 2,
};

/** Options of {@link FakeMigration}. */
export interface FakeMigrationOptions {
  /** Outgoing migrations stay `active` until cancelled (for job info and abort). */
  hold?: boolean;
  /** Outgoing TCP migrations send bytes no QEMU can load (for the destination's failure). */
  corrupt?: boolean;
}

/**
 * The migration model of one fake QEMU.
 *
 * @example
 * ```ts
 * import { FakeMigration } from "./fake_migration.ts";
 * const migration = new FakeMigration("vm1");
 * migration.handle("query-migrate", {}); // { return: {} }
 * ```
 */
export class FakeMigration {
  /** The QEMU state the fake writes ("RAM" of the machine). */
  readonly state: string;
  /** What the last incoming migration read. */
  loaded?: string;
  /** Every `migrate-set-parameters` received. */
  readonly parameters: Record<string, unknown>[] = [];
  /** Every capability `migrate-set-capabilities` set. */
  readonly capabilities: { capability: string; state: boolean }[] = [];
  #status?: string;
  #error?: string;
  #opts: FakeMigrationOptions;
  /** The QEMU running the current migration, told its status changes. */
  #qemu?: FakeQemu;

  constructor(name: string, options: FakeMigrationOptions = {}) {
    this.state = `FAKE-QEMU-STATE ${name}\n`;
    this.#opts = options;
  }

  /**
   * The `onCommand` hook; undefined lets the fake handle the command (the capabilities, which
   * the fake QEMU keeps, are seen on their way).
   */
  readonly handle = (
    execute: string,
    args: Record<string, unknown>,
    qemu?: FakeQemu,
  ): FakeReply | undefined => {
    switch (execute) {
      case "migrate-set-parameters":
        this.parameters.push(args);
        return { return: {} };
      case "query-migrate-parameters":
        return { return: Object.assign({}, DEFAULT_PARAMETERS, ...this.parameters) };
      case "migrate-set-capabilities":
        this.capabilities.push(...args.capabilities as { capability: string; state: boolean }[]);
        return qemu ? undefined : { return: {} };
      case "migrate-continue":
        if (this.#status !== "pre-switchover") {
          return {
            error: {
              class: "GenericError",
              desc: `Migration not in expected state: ${this.#status ?? "none"}`,
            },
          };
        }
        this.#set("completed");
        return { return: {} };
      case "migrate":
        this.#qemu = qemu;
        return this.#start(String(args.uri), this.#sendBound);
      case "migrate-incoming":
        this.#qemu = qemu;
        return this.#start(String(args.uri), this.#receiveBound);
      case "migrate_cancel":
        if (this.#status === "active" || this.#status === "pre-switchover") {
          this.#set("cancelled");
        }
        return { return: {} };
      case "query-migrate": {
        if (!this.#status) return { return: {} };
        const total = this.state.length;
        const done = this.#status === "completed" ? total : 0;
        return {
          return: {
            status: this.#status,
            ...(this.#error ? { "error-desc": this.#error } : {}),
            ram: {
              total,
              transferred: done,
              remaining: total - done,
              mbps: 8,
              "dirty-sync-count": 1,
            },
          },
        };
      }
      default:
        return undefined;
    }
  };

  #start(uri: string, run: (cmd: string) => Promise<void>): FakeReply {
    if (!uri.startsWith("exec:") && !uri.startsWith("tcp:")) {
      return { error: { class: "GenericError", desc: `unknown migration protocol: ${uri}` } };
    }
    let listener: Deno.Listener | undefined;
    if (uri.startsWith("tcp:") && run === this.#receiveBound) {
      // QEMU listens before it answers migrate-incoming.
      try {
        listener = Deno.listen(tcpAddress(uri));
      } catch (e) {
        return { error: { class: "GenericError", desc: `Failed to bind socket: ${e}` } };
      }
    }
    this.#error = undefined;
    // QEMU announces both before it replies.
    this.#set("setup");
    this.#set("active");
    const job = listener ? this.#accept(listener) : run(uri);
    const pause = !listener && this.#qemu?.migrationCapability("pause-before-switchover");
    job.then(
      () => {
        if (this.#status !== "active" || this.#opts.hold) return;
        this.#set(pause ? "pre-switchover" : "completed");
      },
      (err) => {
        this.#error = String(err?.message ?? err);
        this.#set("failed");
      },
    );
    return { return: {} };
  }

  /** A status change, announced as QEMU's `migrate_set_state` does when events are on. */
  #set(status: string): void {
    this.#status = status;
    if (this.#qemu?.migrationCapability("events")) this.#qemu.emit("MIGRATION", { status });
  }

  readonly #sendBound = (uri: string) =>
    uri.startsWith("tcp:") ? this.#sendTcp(uri) : this.#send(uri.slice("exec:".length));
  readonly #receiveBound = (uri: string) => this.#receive(uri.slice("exec:".length));

  async #sendTcp(uri: string): Promise<void> {
    const conn = await Deno.connect(tcpAddress(uri));
    try {
      await conn.write(new TextEncoder().encode(this.#opts.corrupt ? "garbage\n" : this.state));
    } finally {
      conn.close();
    }
    // Held, the state is sent but the switch-over waits (for job info and abort).
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    let conn: Deno.Conn;
    try {
      conn = await listener.accept();
    } finally {
      listener.close();
    }
    const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
    this.#check(text);
  }

  #check(text: string): void {
    if (!text.startsWith("FAKE-QEMU-STATE ")) {
      throw new Error("load of migration failed: Invalid argument");
    }
    this.loaded = text;
  }

  async #send(cmd: string): Promise<void> {
    const child = new Deno.Command("/bin/sh", { args: ["-c", cmd], stdin: "piped" }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(this.state));
    await writer.close();
    const status = await child.status;
    if (!status.success) throw new Error(`migration command exited with ${status.code}`);
  }

  async #receive(cmd: string): Promise<void> {
    const out = await new Deno.Command("/bin/sh", { args: ["-c", cmd], stdout: "piped" }).output();
    this.#check(new TextDecoder().decode(out.stdout));
  }
}

/** The host and port of a `tcp:HOST:PORT` URI. */
function tcpAddress(uri: string): { hostname: string; port: number } {
  const m = /^tcp:\[?([^\]]*)\]?:(\d+)$/.exec(uri);
  if (!m) throw new Error(`bad tcp migration URI ${uri}`);
  return { hostname: m[1], port: Number(m[2]) };
}

/**
 * QEMU 7.2's migration to and from `exec:` commands for {@link FakeQemu} (its `onCommand`
 * hook): `migrate` runs the command with the machine's state on its stdin, `migrate-incoming`
 * runs it and checks what comes out is a state this fake wrote, `query-migrate` reports the
 * progress, `migrate_cancel` cancels. The state is a small text, so images stay tiny.
 *
 * @module
 */
import type { FakeReply } from "./fake_qemu.ts";

/** Options of {@link FakeMigration}. */
export interface FakeMigrationOptions {
  /** Outgoing migrations stay `active` until cancelled (for job info and abort). */
  hold?: boolean;
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
  #status?: string;
  #error?: string;
  #opts: FakeMigrationOptions;

  constructor(name: string, options: FakeMigrationOptions = {}) {
    this.state = `FAKE-QEMU-STATE ${name}\n`;
    this.#opts = options;
  }

  /** The `onCommand` hook; undefined lets the fake handle the command. */
  readonly handle = (execute: string, args: Record<string, unknown>): FakeReply | undefined => {
    switch (execute) {
      case "migrate-set-parameters":
        this.parameters.push(args);
        return { return: {} };
      case "migrate":
        return this.#start(String(args.uri), (cmd) => this.#send(cmd));
      case "migrate-incoming":
        return this.#start(String(args.uri), (cmd) => this.#receive(cmd));
      case "migrate_cancel":
        if (this.#status === "active") this.#status = "cancelled";
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
    if (!uri.startsWith("exec:")) {
      return { error: { class: "GenericError", desc: `unknown migration protocol: ${uri}` } };
    }
    this.#status = "active";
    this.#error = undefined;
    run(uri.slice("exec:".length)).then(
      () => {
        if (this.#status === "active" && !this.#opts.hold) this.#status = "completed";
      },
      (err) => {
        this.#status = "failed";
        this.#error = String(err?.message ?? err);
      },
    );
    return { return: {} };
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
    const text = new TextDecoder().decode(out.stdout);
    if (!text.startsWith("FAKE-QEMU-STATE ")) {
      throw new Error("load of migration failed: Invalid argument");
    }
    this.loaded = text;
  }
}

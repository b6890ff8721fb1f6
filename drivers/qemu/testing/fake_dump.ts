/**
 * QEMU 7.2's guest memory dump for {@link FakeQemu} (its `onCommand` hook):
 * `query-dump-guest-memory-capability` lists the formats of Debian's build, `dump-guest-memory`
 * writes a small ELF-looking core to a `file:` path, detached, `query-dump` reports the
 * progress and DUMP_COMPLETED its end (held until {@link FakeDump.release} when asked).
 *
 * @module
 */
import type { FakeQemu, FakeReply } from "./fake_qemu.ts";

/** Options of {@link FakeDump}. */
export interface FakeDumpOptions {
  /** The formats QEMU offers; Debian's QEMU 7.2 has no LZO or snappy. */
  formats?: string[];
  /** Dumps stay `active` until {@link FakeDump.release} (for job info and abort). */
  hold?: boolean;
  /** Dumps fail with this error (in DUMP_COMPLETED, as QEMU reports a write failure). */
  fail?: string;
  /**
   * Milliseconds a dump's migration blocker outlives its DUMP_COMPLETED, as QEMU's dump thread
   * drops it last (a `migrate` meanwhile is refused); 0 without.
   */
  tail?: number;
}

/** The size of the "guest memory" the fake dumps. */
const TOTAL = 4096;

/**
 * The dump model of one fake QEMU.
 *
 * @example
 * ```ts
 * import { FakeDump } from "./fake_dump.ts";
 * const dump = new FakeDump();
 * dump.handle("query-dump", {}); // { return: { status: "none", completed: 0, total: 0 } }
 * ```
 */
export class FakeDump {
  /** The arguments of every `dump-guest-memory`. */
  readonly dumps: Record<string, unknown>[] = [];
  #opts: FakeDumpOptions;
  #fake?: FakeQemu;
  #status = "none";
  #completed = 0;
  #total = 0;
  #held?: () => void;
  #blocked = false;

  constructor(options: FakeDumpOptions = {}) {
    this.#opts = options;
  }

  /** The fake QEMU whose monitor gets DUMP_COMPLETED. */
  bind(fake: FakeQemu): void {
    this.#fake = fake;
  }

  /** Ends a held dump. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    held?.();
  }

  /** The `onCommand` hook; undefined lets the fake handle the command. */
  readonly handle = (execute: string, args: Record<string, unknown>): FakeReply | undefined => {
    switch (execute) {
      case "query-dump-guest-memory-capability":
        return { return: { formats: this.#opts.formats ?? ["elf", "kdump-zlib", "win-dmp"] } };
      case "query-dump":
        return {
          return: { status: this.#status, completed: this.#completed, total: this.#total },
        };
      case "dump-guest-memory":
        return this.#dump(args);
      case "migrate":
        return this.#blocked
          ? {
            error: {
              class: "GenericError",
              desc: "Live migration disabled: dump-guest-memory in progress",
            },
          }
          : undefined;
      default:
        return undefined;
    }
  };

  #dump(args: Record<string, unknown>): FakeReply {
    this.dumps.push(args);
    if (this.#status === "active") {
      return { error: { class: "GenericError", desc: "There is a dump in process, please wait." } };
    }
    const protocol = String(args.protocol);
    if (!protocol.startsWith("file:")) {
      return { error: { class: "GenericError", desc: `unsupported protocol ${protocol}` } };
    }
    const format = String(args.format ?? "elf");
    if (!(this.#opts.formats ?? ["elf", "kdump-zlib", "win-dmp"]).includes(format)) {
      return { error: { class: "GenericError", desc: `unsupported dump format ${format}` } };
    }
    // An ELF header's magic, class 64, little endian, version 1, then the "memory".
    const core = new Uint8Array(TOTAL);
    core.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    Deno.writeFileSync(protocol.slice("file:".length), core);
    this.#status = "active";
    this.#blocked = true;
    this.#completed = this.#opts.hold ? TOTAL / 2 : 0;
    this.#total = TOTAL;
    // QEMU's dump_init stops running vCPUs itself; dump_cleanup starts them again after
    // DUMP_COMPLETED, from the dump thread.
    const fake = this.#fake;
    const resume = fake?.running === true;
    if (fake && resume) {
      fake.running = false;
      fake.emit("STOP");
    }
    const finish = () => {
      const failed = this.#opts.fail !== undefined;
      this.#status = failed ? "failed" : "completed";
      this.#completed = failed ? this.#completed : TOTAL;
      const result = { status: this.#status, completed: this.#completed, total: TOTAL };
      this.#fake?.emit("DUMP_COMPLETED", {
        result,
        ...(failed ? { error: this.#opts.fail } : {}),
      });
      if (fake && resume) {
        fake.running = true;
        fake.emit("RESUME");
      }
      setTimeout(() => this.#blocked = false, this.#opts.tail ?? 0);
    };
    if (this.#opts.hold) this.#held = finish;
    else setTimeout(finish, 0);
    return { return: {} };
  }
}

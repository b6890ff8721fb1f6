/**
 * The process's own terminal for evsh: standard input read through one reader that the prompt's
 * line editor and `console` share (a read `console` gave up on, when the guest went away, hands
 * its bytes to the prompt instead of losing them), raw mode as virsh's `vshTTYMakeRaw` sets it
 * (`cfmakeraw`, through `stty raw -echo`) and restores it (`tcsetattr` with the attributes saved
 * before), and the signals virsh catches while a console runs.
 * @module
 */
import type { EvshTerminal } from "./context.ts";

/**
 * One reader of a byte stream whose reads can be given up without losing data.
 *
 * @example
 * ```ts
 * import { SharedReader } from "./host_terminal.ts";
 * const input = new SharedReader(new Blob(["ab"]).stream());
 * const stop = new AbortController();
 * stop.abort();
 * await input.read(stop.signal).catch(() => "given up");      // "given up"
 * await input.read(new AbortController().signal);              // Uint8Array [97, 98]
 * ```
 */
export class SharedReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  /** The read in flight, kept when its caller gave up on it. */
  #inflight?: Promise<Uint8Array | null>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** The next bytes, null at the end; rejects with `signal`'s reason once it is aborted. */
  read(signal: AbortSignal): Promise<Uint8Array | null> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const inflight = this.#inflight ??= this.#reader.read().then((r) => r.done ? null : r.value);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      inflight.then(
        (value) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) return;
          this.#inflight = undefined;
          resolve(value);
        },
        (e) => {
          signal.removeEventListener("abort", onAbort);
          this.#inflight = undefined;
          reject(e);
        },
      );
    });
  }
}

/** Runs `stty` on standard input; its output, or an `Error` with its complaint. */
async function stty(...args: string[]): Promise<string> {
  let out;
  try {
    out = await new Deno.Command("stty", {
      args,
      stdin: "inherit",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (e) {
    throw new Error(e instanceof Error ? e.message : String(e));
  }
  if (!out.success) {
    const said = new TextDecoder().decode(out.stderr).trim().replace(/^stty: /, "");
    throw new Error(said.replace(/^'?standard input'?: /, ""));
  }
  return new TextDecoder().decode(out.stdout).trim();
}

const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/**
 * The terminal of this process, reading through the reader `input` gives (the one the prompt
 * uses too, made on first use).
 * `setRaw` rejects with an `Error` carrying the system's complaint.
 *
 * @example
 * ```ts ignore
 * const term = hostTerminal(() => new SharedReader(Deno.stdin.readable));
 * await term.setRaw(true);
 * await term.setRaw(false);
 * ```
 */
export function hostTerminal(input: () => SharedReader): EvshTerminal {
  /** `stty -g` before raw mode: what `setRaw(false)` puts back (virsh's `ctl->termattr`). */
  let saved: string | undefined;
  return {
    async setRaw(raw) {
      if (raw) {
        saved ??= await stty("-g");
        await stty("raw", "-echo");
      } else if (saved !== undefined) await stty(saved);
    },
    read: (signal) => input().read(signal),
    async write(bytes) {
      for (let n = 0; n < bytes.length;) n += await Deno.stdout.write(bytes.subarray(n));
    },
    holdSignals() {
      // virsh's handler does nothing: the signal only must not kill evsh with the tty raw.
      const ignore = () => {};
      for (const s of SIGNALS) Deno.addSignalListener(s, ignore);
      return () => {
        for (const s of SIGNALS) Deno.removeSignalListener(s, ignore);
      };
    },
  };
}

/**
 * The end of what a QEMU writes on stderr, kept while it runs: QEMU's own complaint explains a
 * failed start, and the helpers it runs (the bridge helper) write there too, which explains a
 * failed `netdev_add`. Only the last {@link STDERR_LIMIT} characters are kept.
 *
 * @module
 */

/** How much of the end of stderr is kept. */
export const STDERR_LIMIT = 64 * 1024;

/**
 * Reads `stream` to its end, keeping its last characters; `written` counts every character,
 * so a caller marks a point and later reads what came after it.
 *
 * @example
 * ```ts
 * import { StderrTail } from "./stderr_tail.ts";
 * const tail = new StderrTail(new Response("oops\n").body!);
 * await tail.done;
 * tail.since(0); // "oops\n"
 * ```
 */
export class StderrTail {
  #text = "";
  #written = 0;
  /** Settles when the stream ended. */
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.#written += chunk.length;
        this.#text = (this.#text + chunk).slice(-STDERR_LIMIT);
      }
    })().catch(() => {});
  }

  /** How many characters were written so far. */
  get written(): number {
    return this.#written;
  }

  /**
   * What was written after `mark` once it ends a line, waiting up to `waitMs` for it: a child
   * of QEMU writes on the pipe before QEMU answers, but this reader may see it after the answer.
   */
  async lineSince(mark: number, waitMs = 1000): Promise<string> {
    const until = Date.now() + waitMs;
    while (!this.since(mark).endsWith("\n") && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.since(mark);
  }

  /** What was written after the mark `written` gave (what is still kept of it). */
  since(mark: number): string {
    return this.#text.slice(Math.max(0, this.#text.length - (this.#written - mark)));
  }
}

/**
 * Ordered writes to one connection from callers that do not wait for each other (a WebSocket's
 * answers, events and control frames): a runtime write may be partial, and two writers each
 * finishing their own partial write would interleave their bytes.
 *
 * @module
 */

/** Pieces smaller than this are joined into one write with their neighbours. */
const JOIN_BELOW = 64 * 1024;

/**
 * A queue of byte pieces written to a connection in order, those queued meanwhile joined into
 * one write.
 *
 * @example
 * ```ts ignore
 * const out = new ConnWriter(conn);
 * out.write(new TextEncoder().encode("a"));
 * out.write(new TextEncoder().encode("b"));
 * await out.flushed(); // "ab" written, in one write
 * ```
 */
export class ConnWriter {
  #conn: Deno.Conn;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #pumping: Promise<void> | undefined;
  #failed = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Bytes queued and not yet written. */
  get bufferedAmount(): number {
    return this.#queued;
  }

  /** Whether a write failed: the connection is gone and later pieces are dropped. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Queues `bytes`, which must not change until written. */
  write(bytes: Uint8Array): void {
    if (this.#failed) return;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    // The first write starts now, in this task: no wait for a later turn of the loop.
    this.#pumping ??= this.#pump();
  }

  /** Resolves when everything queued so far is written (or the connection failed). */
  async flushed(): Promise<void> {
    while (this.#pumping) await this.#pumping;
  }

  async #pump(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const piece = this.#take();
        await writeAll(this.#conn, piece);
        this.#queued -= piece.length;
      }
    } catch {
      this.#failed = true;
      this.#queue = [];
      this.#queued = 0;
    } finally {
      this.#pumping = undefined;
    }
  }

  /** The next write: the first piece, with the small ones after it joined on. */
  #take(): Uint8Array {
    const q = this.#queue;
    let n = 1;
    let size = q[0].length;
    while (n < q.length && size + q[n].length <= JOIN_BELOW) size += q[n++].length;
    if (n === 1) return q.shift()!;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of q.splice(0, n)) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/**
 * Writes all of `bytes` to `conn`.
 *
 * @example
 * ```ts ignore
 * await writeAll(conn, new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\n"));
 * ```
 */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  // Nearly always one write: the loop's subarray only for the rest of a partial one.
  let off = await conn.write(bytes);
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/**
 * virsh's console loop (`virshRunConsole` and its event callbacks, tools/virsh-console.c):
 * bytes typed go to the console stream, bytes from it go to the terminal, until the escape
 * character starts a read (the rest of that read is dropped, as virsh drops it), the stream
 * ends, or something fails. Leaving by the escape or by the end of the stream finishes the
 * stream; a failure aborts it and is the session's error.
 * @module
 */
import type { Stream } from "../../client/stream.ts";
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";
import type { EvshTerminal } from "./context.ts";

/** The part of a {@link Stream} a console uses. */
export type ConsoleStream = Pick<Stream, "send" | "recv" | "finish" | "abort">;

/**
 * `virshGetEscapeChar`: `^X` is Ctrl-X (X upper-cased, bit 0x40 flipped), anything else its
 * first byte.
 *
 * @example
 * ```ts
 * import { escapeByte } from "./console_session.ts";
 * escapeByte("^]"); // 0x1d
 * escapeByte("~"); // 0x7e
 * ```
 */
export function escapeByte(escape: string): number {
  if (escape[0] === "^") return escape[1].toUpperCase().charCodeAt(0) ^ 0x40;
  return new TextEncoder().encode(escape)[0];
}

/** A terminal failure as virsh reports it (`virReportSystemError`). */
function systemError(what: string, e: unknown): VirError {
  if (e instanceof VirError) return e;
  return VirError.report("NONE", "SYSTEM_ERROR", `${what}: ${strerror(e)}`);
}

/**
 * Runs the console between `term` and `stream` until it ends; rejects with the session's
 * `VirError` when it ended by a failure ("EOF on stdin", the stream's error, …).
 *
 * @example
 * ```ts ignore
 * const st = conn.newStream(VIR.STREAM_NONBLOCK);
 * await dom.openConsole(null, st, 0);
 * await attachConsole(terminal, st, escapeByte("^]"));
 * ```
 */
export async function attachConsole(
  term: EvshTerminal,
  stream: ConsoleStream,
  escape: number,
): Promise<void> {
  const stop = new AbortController();
  const fromGuest = (async () => {
    for (let piece = await stream.recv(); piece.length; piece = await stream.recv()) {
      await term.write(piece).catch((e) => {
        throw systemError("cannot write to stdout", e);
      });
    }
  })();
  const fromUser = (async () => {
    while (true) {
      let piece;
      try {
        piece = await term.read(stop.signal);
      } catch (e) {
        if (stop.signal.aborted) return;
        throw systemError("cannot read from stdin", e);
      }
      if (piece === null) throw VirError.report("NONE", "INTERNAL_ERROR", "EOF on stdin");
      if (piece[0] === escape) return;
      if (piece.length) await stream.send(piece);
    }
  })();
  let failure: unknown;
  try {
    await Promise.race([fromGuest, fromUser]);
  } catch (e) {
    failure = e;
  }
  stop.abort();
  // The other side may still be waiting or fail late: its outcome no longer matters.
  fromGuest.catch(() => {});
  fromUser.catch(() => {});
  if (failure === undefined) {
    // virsh ignores a failing virStreamFinish on the way out: the session still succeeded.
    await stream.finish().catch(() => {});
  }
  // Ends the read still waiting on the guest (and the whole stream after a failure).
  await stream.abort().catch(() => {});
  if (failure !== undefined) throw systemError("console", failure);
}

/**
 * A guest for console tests that needs no download: a boot sector that prints '>' on COM1 and
 * then echoes every byte it receives there.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { StreamPiece } from "../../../util/driver.ts";

/**
 * The boot sector (real mode, loaded at 0x7c00), hand-assembled:
 *
 *         mov al, '>'      ; B0 3E
 *         call putc        ; E8 11 00
 * loop:   mov dx, 0x3fd    ; BA FD 03   line status
 *         in al, dx        ; EC
 *         test al, 1       ; A8 01      data ready?
 *         jz loop          ; 74 F8
 *         mov dx, 0x3f8    ; BA F8 03
 *         in al, dx        ; EC         the byte
 *         call putc        ; E8 02 00
 *         jmp loop         ; EB EF
 * putc:   mov ah, al       ; 88 C4
 *         mov dx, 0x3fd    ; BA FD 03
 * wait:   in al, dx        ; EC
 *         test al, 0x20    ; A8 20      transmitter empty?
 *         jz wait          ; 74 FB
 *         mov al, ah       ; 88 E0
 *         mov dx, 0x3f8    ; BA F8 03
 *         out dx, al       ; EE
 *         ret              ; C3
 */
const ECHO_GUEST = "b03ee81100bafd03eca80174f8baf803ece80200ebef88c4bafd03eca82074fb" +
  "88e0baf803eec3";

/**
 * A 1 MiB raw disk whose boot sector is the echo guest.
 *
 * @example
 * ```ts ignore
 * await Deno.writeFile(`${dir}/boot.img`, echoGuestDisk());
 * ```
 */
export function echoGuestDisk(): Uint8Array {
  const disk = new Uint8Array(1024 * 1024);
  disk.set(ECHO_GUEST.match(/../g)!.map((b) => parseInt(b, 16)));
  disk.set([0x55, 0xaa], 510);
  return disk;
}

/** What the tests type when the boot '>' was missed; the guest echoes it. */
const PROBE = "~";

/**
 * Reads a console of the echo guest until the guest is in its echo loop, and returns what was
 * read. QEMU's pty drops what the guest writes while nobody holds the console, so the boot '>'
 * reaches a console attached in time only; when `patienceMs` pass without it, a byte is typed
 * and its echo awaited instead (the guest prints '>' before it echoes, so nothing of the boot
 * is left to reach whoever reads next). `read` answers `null` at the end of the stream.
 *
 * @example
 * ```ts ignore
 * await reachEchoLoop(() => st.recv().then((b) => b.length ? b : null), (b) => st.send(b));
 * ```
 */
export async function reachEchoLoop(
  read: () => Promise<Uint8Array | null>,
  write: (bytes: Uint8Array) => Promise<unknown>,
  patienceMs = 5000,
): Promise<string> {
  let seen = "";
  let pending: Promise<Uint8Array | null> | undefined;
  for (let probed = false; !seen.includes(probed ? PROBE : ">");) {
    pending ??= read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const quiet = new Promise<"quiet">((r) => timer = setTimeout(() => r("quiet"), patienceMs));
    const chunk = probed
      ? await within(
        pending,
        20_000,
        `the guest never echoed the probe after ${JSON.stringify(seen)}`,
      )
      : await Promise.race([pending, quiet]);
    clearTimeout(timer);
    if (chunk === "quiet") {
      probed = true;
      await write(new TextEncoder().encode(PROBE));
      continue;
    }
    pending = undefined;
    if (chunk === null) throw new Error(`console ended after ${JSON.stringify(seen)}`);
    seen += new TextDecoder().decode(chunk);
  }
  return seen;
}

/**
 * Reads a console stream until `want` has appeared (failing after 20 s, or when the stream
 * ends or carries anything but data), and returns what was read.
 *
 * @example
 * ```ts ignore
 * await readUntil(stream.readable!.getReader(), "hello");
 * ```
 */
export async function readUntil(
  reader: ReadableStreamDefaultReader<StreamPiece>,
  want: string,
): Promise<string> {
  let seen = "";
  const deadline = Date.now() + 20_000;
  while (!seen.includes(want)) {
    const { done, value } = await within(
      reader.read(),
      deadline - Date.now(),
      `console gave ${JSON.stringify(seen)}, not ${want}`,
    );
    assert.ok(!done, `console ended after ${JSON.stringify(seen)}`);
    assert.ok(value instanceof Uint8Array, "a console stream carries data only");
    seen += new TextDecoder().decode(value);
  }
  return seen;
}

/** `p`, or a failure saying `why` once `ms` have passed without it: a stalled read fails. */
async function within<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error(why)), Math.max(0, ms))
  );
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

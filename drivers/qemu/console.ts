/**
 * `virDomainOpenConsole` for QEMU (libvirt's `qemuDomainOpenConsole` and `virChrdevOpen`): a
 * running domain's console, serial or parallel port by alias (the first console, else the first
 * serial, without one), which must be a pty; its `/dev/pts/N` in raw mode as a two-way stream.
 * One session per device at a time: another open fails with "Active console session exists for
 * this domain" unless it forces, which ends the old one.
 *
 * @module
 */
import type { DriverStream } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { checkActive } from "../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import type { QemuProcess } from "./process/launcher.ts";

/** The open console sessions of each domain, by pty path. */
const sessions = new WeakMap<QemuDomainObj, Map<string, () => void>>();

/**
 * A read of a pty still waiting when its session ended. Deno cannot cancel it (the descriptor
 * stays open inside it until it returns), so abandoned it would swallow the guest's next
 * bytes; instead the next session of the same QEMU process on that pty takes it over, as
 * libvirt's next session finds what the guest wrote meanwhile.
 */
interface LeftRead {
  file: Deno.FsFile;
  pending: Promise<Uint8Array | null>;
}

/** The reads left by ended sessions, per QEMU process (a restart starts afresh) and pty. */
const leftReads = new WeakMap<QemuProcess, Map<string, LeftRead>>();

function alias(dev: XmlElement): string | undefined {
  return child(dev, "alias")?.attributes.name;
}

/** The character device `devName` names (or the default one), as libvirt looks for it. */
function findChr(obj: QemuDomainObj, devName: string | null): XmlElement | undefined {
  const of = (name: string) => obj.def.devices.other.filter((d) => d.name === name);
  if (devName === null) return of("console")[0] ?? of("serial")[0];
  for (const kind of ["console", "serial", "parallel"]) {
    const found = of(kind).find((d) => alias(d) === devName);
    if (found) return found;
  }
  return undefined;
}

/**
 * Opens the console: the pty in raw mode (libvirt's `cfmakeraw`), read and written as a
 * {@link DriverStream}.
 *
 * @example
 * ```ts ignore
 * const { readable, writable } = await openConsole(obj, null, 0);
 * ```
 */
export async function openConsole(
  obj: QemuDomainObj,
  devName: string | null,
  flags: number,
): Promise<DriverStream> {
  checkFlags(
    flags,
    VIR.DOMAIN_CONSOLE_SAFE | VIR.DOMAIN_CONSOLE_FORCE,
    "qemuDomainOpenConsole",
    "QEMU",
  );
  checkActive(obj);
  const chr = findChr(obj, devName);
  if (!chr) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `cannot find character device ${devName ?? "<null>"}`,
    );
  }
  const path = child(chr, "source")?.attributes.path;
  if ((chr.attributes.type ?? "pty") !== "pty" || !path) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `character device ${devName ?? alias(chr) ?? "<null>"} is not using a PTY`,
    );
  }
  let open = sessions.get(obj);
  if (!open) sessions.set(obj, open = new Map());
  const previous = open.get(path);
  if (previous) {
    if (!(flags & VIR.DOMAIN_CONSOLE_FORCE)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        "Active console session exists for this domain",
      );
    }
    previous();
  }
  let left = leftReads.get(obj.proc!);
  if (!left) leftReads.set(obj.proc!, left = new Map());
  return await ptyStream(path, open, left);
}

async function ptyStream(
  path: string,
  open: Map<string, () => void>,
  left: Map<string, LeftRead>,
): Promise<DriverStream> {
  const raw = await new Deno.Command("stty", {
    args: ["-F", path, "raw", "-echo"],
    stderr: "piped",
  })
    .output();
  if (!raw.success) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Unable to set terminal ${path} to raw mode: ${new TextDecoder().decode(raw.stderr).trim()}`,
    );
  }
  // Two descriptors: Deno runs one operation at a time per file, and a read waiting for the
  // guest would hold every write back.
  const input = await Deno.open(path, { write: true });
  const taken = left.get(path);
  left.delete(path);
  const file = taken?.file ?? await Deno.open(path, { read: true });
  // The guest going away ends the pty: EIO there is the end of the data.
  const readOnce = () => {
    const buf = new Uint8Array(4096);
    return file.read(buf).then((n) => n === null ? null : buf.subarray(0, n), () => null);
  };
  let pending = taken?.pending;
  let closed = false;
  let endOutput = () => {};
  const close = () => {
    if (closed) return;
    closed = true;
    if (open.get(path) === close) open.delete(path);
    endOutput();
    input.close();
    if (!pending) {
      file.close();
      return;
    }
    const kept = { file, pending };
    left.set(path, kept);
    pending.then((bytes) => {
      // The pty ended before another session came: nothing is left to hand over.
      if (bytes !== null || left.get(path) !== kept) return;
      left.delete(path);
      file.close();
    });
  };
  open.set(path, close);
  return {
    readable: new ReadableStream<Uint8Array>({
      start(c) {
        endOutput = () => {
          try {
            c.close();
          } catch {
            // Cancelled by its reader: already ended.
          }
        };
      },
      async pull(c) {
        const bytes = await (pending ??= readOnce());
        // Ended meanwhile: the read (and its bytes) went to the next session.
        if (closed) return;
        pending = undefined;
        if (bytes === null) {
          close();
          return;
        }
        c.enqueue(bytes);
      },
      cancel: close,
    }, { highWaterMark: 0 }),
    writable: new WritableStream<Uint8Array>({
      async write(chunk) {
        for (let off = 0; off < chunk.length;) off += await input.write(chunk.subarray(off));
      },
      close,
      abort: close,
    }),
  };
}

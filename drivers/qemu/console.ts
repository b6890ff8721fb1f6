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
import { openChrdev } from "./chrdev_stream.ts";

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
  const stream = await openChrdev(
    obj,
    { type: "pty", path },
    (flags & VIR.DOMAIN_CONSOLE_FORCE) !== 0,
  );
  if (stream === "busy") {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      "Active console session exists for this domain",
    );
  }
  return stream;
}

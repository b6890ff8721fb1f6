/**
 * `virDomainOpenChannel` for QEMU (libvirt's `qemuDomainOpenChannel`): a running domain's
 * `<channel>` by alias or virtio target name (the first channel without one), which must be on
 * a unix socket, connected as a two-way stream; one stream per device at a time, as consoles.
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

/** The channel `name` names (by alias, or by target name for virtio), or the first one. */
function findChannel(obj: QemuDomainObj, name: string | null): XmlElement | undefined {
  const channels = obj.def.devices.other.filter((d) => d.name === "channel");
  if (name === null) return channels[0];
  return channels.find((dev) => {
    const target = child(dev, "target")?.attributes;
    return child(dev, "alias")?.attributes.name === name ||
      (target?.type === "virtio" && target.name === name);
  });
}

/**
 * Opens channel `name`: a connection to its unix socket as a {@link DriverStream}.
 *
 * @example
 * ```ts ignore
 * const { readable, writable } = await openChannel(obj, "org.qemu.guest_agent.0", 0);
 * ```
 */
export async function openChannel(
  obj: QemuDomainObj,
  name: string | null,
  flags: number,
): Promise<DriverStream> {
  checkFlags(flags, VIR.DOMAIN_CHANNEL_FORCE, "qemuDomainOpenChannel", "QEMU");
  checkActive(obj);
  const chr = findChannel(obj, name);
  if (!chr) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", `cannot find channel ${name ?? "<null>"}`);
  }
  const path = child(chr, "source")?.attributes.path;
  if ((chr.attributes.type ?? "pty") !== "unix" || !path) {
    const which = name ?? child(chr, "alias")?.attributes.name ?? "<null>";
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `channel ${which} is not using a UNIX socket`,
    );
  }
  const stream = await openChrdev(
    obj,
    { type: "unix", path },
    (flags & VIR.DOMAIN_CHANNEL_FORCE) !== 0,
  );
  if (stream === "busy") {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      "Active channel stream exists for this domain",
    );
  }
  return stream;
}

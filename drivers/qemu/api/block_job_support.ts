/**
 * `qemuDomainDiskBlockJobIsSupported`: the disks no block job (nor checkpoint, nor external
 * snapshot) can work on, with libvirt 9.0's refusal.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";

/** Each kind of disk refused, as libvirt checks them in turn. */
const REFUSED: { is: (disk: XmlElement) => boolean; what: (dst: string) => string }[] = [
  {
    is: (d) => child(d, "target")?.attributes.bus === "sd",
    what: (dst) => `disk '${dst}' using bus 'sd'`,
  },
  { is: (d) => child(d, "transient") !== undefined, what: (dst) => `transient disk '${dst}'` },
  { is: (d) => d.attributes.type === "vhostuser", what: (dst) => `vhostuser disk '${dst}'` },
];

/**
 * Refuses a disk on the SD bus, a `<transient/>` disk or a vhost-user one ("Operation not
 * supported: block jobs are not supported on vhostuser disk 'vda'").
 *
 * @example
 * ```ts
 * import { checkBlockJobSupported } from "./block_job_support.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * checkBlockJobSupported(element("disk", { type: "file" }, [element("target", { dev: "vda" })]));
 * ```
 */
export function checkBlockJobSupported(disk: XmlElement): void {
  const refused = REFUSED.find((r) => r.is(disk));
  if (!refused) return;
  const dst = child(disk, "target")?.attributes.dev ?? "";
  throw VirError.report(
    "QEMU",
    "OPERATION_UNSUPPORTED",
    `block jobs are not supported on ${refused.what(dst)}`,
  );
}

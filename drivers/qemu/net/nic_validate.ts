/**
 * qemuValidateDomainDeviceDefNetwork's checks on a definition, made when it is defined: the
 * virtio queue sizes, the teaming roles and where interrupt coalescing applies. (Its address
 * and MTU checks are made when the NIC starts, see `checkStartableNic`.)
 *
 * @example
 * ```ts
 * import { validateQemuNic } from "./nic_validate.ts";
 * validateQemuNic({ type: "network", model: "virtio", extra: [] }); // no error
 * ```
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { VIRTIO_MODELS } from "../../../conf/domain/virtio_options.ts";
import { unsupported } from "../command/unsupported.ts";

/** qemuValidateNetSupportsCoalesce: the types whose tap libvirt tunes. */
const COALESCE_TYPES = ["network", "bridge"];

/** Throws libvirt's error for the first of `net`'s settings QEMU cannot have. */
export function validateQemuNic(net: DomainInterface): void {
  const part = (name: string) => net.extra.find((e) => e.name === name);
  const virtio = VIRTIO_MODELS.includes(net.model ?? "");
  if (virtio) {
    for (const queue of ["rx_queue_size", "tx_queue_size"]) {
      const size = Number(part("driver")?.attributes[queue] ?? 0);
      if (size && (size & (size - 1))) throw unsupported(`${queue} has to be a power of two`);
    }
  }
  const teaming = part("teaming")?.attributes.type;
  if (teaming === "persistent" && !virtio) {
    throw unsupported(
      "virtio-net teaming persistent interface must be <model type='virtio'/>, not " +
        `'${net.model ?? "unknown"}'`,
    );
  }
  if (teaming === "transient" && net.type !== "hostdev" && net.type !== "network") {
    throw unsupported(
      `virtio-net teaming transient interface must be type='hostdev', not '${net.type}'`,
    );
  }
  if (part("coalesce") && !COALESCE_TYPES.includes(net.type)) {
    throw unsupported(`coalesce settings on interface type ${net.type} are not supported`);
  }
}

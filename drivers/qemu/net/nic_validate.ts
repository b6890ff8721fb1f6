/**
 * qemuValidateDomainDeviceDefNetwork's checks, made when a definition is defined (and when a
 * NIC is plugged): the guest-side addresses, a vDPA device's model, the virtio queue sizes,
 * where an MTU applies, the teaming roles and where interrupt coalescing applies.
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
import { isKnownNetModel } from "../../../conf/domain/net_model.ts";
import { VirError } from "../../../util/errors.ts";
import { unsupported } from "../command/unsupported.ts";

/** qemuValidateNetSupportsCoalesce: the types whose tap libvirt tunes. */
const COALESCE_TYPES = ["network", "bridge"];

/** qemuDomainNetSupportsMTU: the types whose host side takes an MTU (a user NIC's passt only). */
const MTU_TYPES = ["network", "bridge", "ethernet", "vhostuser"];

/**
 * The guest-side addresses QEMU can give: a user NIC's (one IPv4 address with a prefix from 4
 * to 27, one IPv6 address with prefix 64, no peer, no route), no other type's.
 */
function validateGuestIP(net: DomainInterface): void {
  const ips = net.extra.filter((e) => e.name === "ip");
  const routes = net.extra.some((e) => e.name === "route");
  if (net.type !== "user") {
    if (ips.length || routes) {
      throw unsupported(
        "Invalid attempt to set network interface guest-side IP route and/or address info, " +
          "not supported by QEMU",
      );
    }
    return;
  }
  if (routes) {
    throw unsupported(
      "Invalid attempt to set network interface guest-side IP route, not supported by QEMU",
    );
  }
  const seen = new Set<string>();
  for (const ip of ips) {
    const { family = "ipv4", prefix, peer } = ip.attributes;
    if (peer !== undefined) throw unsupported("Invalid attempt to set peer IP for guest");
    const bits = Number(prefix ?? 0);
    if (seen.has(family)) {
      throw unsupported(
        `Only one ${family === "ipv6" ? "IPv6" : "IPv4"} address per interface is allowed`,
      );
    }
    seen.add(family);
    if (family === "ipv4" && bits > 0 && (bits < 4 || bits > 27)) {
      throw VirError.report("QEMU", "XML_ERROR", "invalid prefix, must be in range of 4-27");
    }
    if (family === "ipv6" && bits && bits !== 64) {
      throw unsupported(`unsupported IPv6 address prefix='${bits}' - must be 64`);
    }
  }
}

/** Throws libvirt's error for the first of `net`'s settings QEMU cannot have. */
export function validateQemuNic(net: DomainInterface): void {
  const part = (name: string) => net.extra.find((e) => e.name === name);
  validateGuestIP(net);
  // vhost-vdpa is a virtio device's backend.
  if (net.type === "vdpa" && net.model !== "virtio") {
    const model = net.model && isKnownNetModel(net.model) ? net.model : "unknown";
    throw unsupported(`invalid model for interface of type 'vdpa': '${model}'`);
  }
  const virtio = VIRTIO_MODELS.includes(net.model ?? "");
  if (virtio) {
    for (const queue of ["rx_queue_size", "tx_queue_size"]) {
      const size = Number(part("driver")?.attributes[queue] ?? 0);
      if (size && (size & (size - 1))) throw unsupported(`${queue} has to be a power of two`);
    }
  }
  if (part("mtu") && !MTU_TYPES.includes(net.type)) {
    throw unsupported(`setting MTU on interface type ${net.type} is not supported yet`);
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

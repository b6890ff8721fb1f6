import { z } from "zod";
import { XmlElementSchema } from "../domain/def.ts";
import { BandwidthSchema, PciAddressSchema, VirtualPortSchema, VlanSchema } from "../common/mod.ts";

/** The forward modes of libvirt 9.0 (virNetworkForwardType), `none` meaning isolated. */
export const FORWARD_MODES = [
  "none",
  "nat",
  "route",
  "open",
  "bridge",
  "private",
  "vepa",
  "passthrough",
  "hostdev",
] as const;

/** A DHCP lease time (`<lease expiry unit/>`); unit is minutes unless said otherwise. */
export const LeaseSchema = z.strictObject({
  expiry: z.number(),
  unit: z.enum(["seconds", "minutes", "hours"]),
});

/** A DHCP range. */
export const DhcpRangeSchema = z.strictObject({
  start: z.string(),
  end: z.string(),
  lease: LeaseSchema.optional(),
});

/** A static DHCP host. `mac` is kept as written, like libvirt. */
export const DhcpHostSchema = z.strictObject({
  mac: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  ip: z.string().optional(),
  lease: LeaseSchema.optional(),
});

/** An `<ip>` block of a network. */
export const NetworkIpSchema = z.strictObject({
  family: z.string().optional(),
  address: z.string().optional(),
  netmask: z.string().optional(),
  prefix: z.number().int().optional(),
  localPtr: z.boolean().optional(),
  tftpRoot: z.string().optional(),
  ranges: z.array(DhcpRangeSchema),
  hosts: z.array(DhcpHostSchema),
  bootp: z.strictObject({ file: z.string(), server: z.string().optional() }).optional(),
});

/** A static `<route>`. */
export const NetworkRouteSchema = z.strictObject({
  family: z.string().optional(),
  address: z.string(),
  netmask: z.string().optional(),
  prefix: z.number().int().optional(),
  gateway: z.string(),
  metric: z.number().int().optional(),
});

/** The `<dns>` block. */
export const NetworkDnsSchema = z.strictObject({
  enable: z.boolean().optional(),
  forwardPlainNames: z.boolean().optional(),
  forwarders: z.array(
    z.strictObject({ domain: z.string().optional(), addr: z.string().optional() }),
  ),
  txts: z.array(z.strictObject({ name: z.string(), value: z.string() })),
  srvs: z.array(z.strictObject({
    service: z.string(),
    protocol: z.string(),
    domain: z.string().optional(),
    target: z.string().optional(),
    port: z.number().int().optional(),
    priority: z.number().int().optional(),
    weight: z.number().int().optional(),
  })),
  hosts: z.array(z.strictObject({ ip: z.string(), hostnames: z.array(z.string()) })),
});

/** One device of `<forward>`: a netdev name or a PCI address. */
export const ForwardIfSchema = z.union([
  z.strictObject({ type: z.literal("netdev"), dev: z.string() }),
  z.strictObject({ type: z.literal("pci"), address: PciAddressSchema }),
]);

/** The `<forward>` block. */
export const NetworkForwardSchema = z.strictObject({
  mode: z.enum(FORWARD_MODES),
  managed: z.boolean().optional(),
  driverName: z.enum(["kvm", "vfio", "xen"]).optional(),
  ifs: z.array(ForwardIfSchema),
  pf: z.string().optional(),
  nat: z.strictObject({
    ipv6: z.boolean().optional(),
    addressStart: z.string().optional(),
    addressEnd: z.string().optional(),
    portStart: z.number().int().optional(),
    portEnd: z.number().int().optional(),
  }).optional(),
});

/** A `<portgroup>`. */
export const PortGroupSchema = z.strictObject({
  name: z.string(),
  isDefault: z.boolean(),
  trustGuestRxFilters: z.boolean().optional(),
  vlan: VlanSchema.optional(),
  virtualPort: VirtualPortSchema.optional(),
  bandwidth: BandwidthSchema.optional(),
});

/** The `<bridge>` settings. `stp` and `delay` always exist after parsing (stp on, delay 0). */
export const NetworkBridgeSchema = z.strictObject({
  name: z.string().optional(),
  zone: z.string().optional(),
  stp: z.boolean(),
  delay: z.number().int(),
  macTableManager: z.enum(["kernel", "libvirt"]).optional(),
});

/** A network definition (libvirt's virNetworkDef), as plain JSON. */
export const NetworkDefSchema = z.strictObject({
  name: z.string(),
  /** Canonical UUID, or '' when the XML had none (the caller generates one). */
  uuid: z.string(),
  ipv6: z.boolean().optional(),
  trustGuestRxFilters: z.boolean().optional(),
  /** `<metadata>` subtree, sanitized (see conf/common/metadata.ts). */
  metadata: XmlElementSchema.optional(),
  /** The network driver's dnsmasq namespace: lines added to dnsmasq's configuration. */
  dnsmasqOptions: z.array(z.string()).optional(),
  forward: NetworkForwardSchema,
  bridge: NetworkBridgeSchema,
  mac: z.string().optional(),
  mtu: z.number().int().optional(),
  domain: z.strictObject({ name: z.string(), localOnly: z.boolean().optional() }).optional(),
  dns: NetworkDnsSchema,
  vlan: VlanSchema.optional(),
  bandwidth: BandwidthSchema.optional(),
  ips: z.array(NetworkIpSchema),
  routes: z.array(NetworkRouteSchema),
  virtualPort: VirtualPortSchema.optional(),
  portGroups: z.array(PortGroupSchema),
  isolatedPort: z.boolean().optional(),
  /** Live only: number of connected guest interfaces. */
  connections: z.number().int().optional(),
});
/** A network definition. */
export type NetworkDef = z.infer<typeof NetworkDefSchema>;
/** A network `<ip>` block. */
export type NetworkIp = z.infer<typeof NetworkIpSchema>;
/** A network's `<forward>`. */
export type NetworkForward = z.infer<typeof NetworkForwardSchema>;
/** A network's `<dns>`. */
export type NetworkDns = z.infer<typeof NetworkDnsSchema>;
/** A DHCP lease time. */
export type Lease = z.infer<typeof LeaseSchema>;
/** A network `<portgroup>`. */
export type PortGroup = z.infer<typeof PortGroupSchema>;
/** A network `<route>`. */
export type NetworkRoute = z.infer<typeof NetworkRouteSchema>;

import { z } from "zod";

/** `<protocol>` of a host interface: DHCP, static addresses, default route. */
export const InterfaceProtocolSchema = z.strictObject({
  family: z.enum(["ipv4", "ipv6"]),
  autoconf: z.boolean().optional(),
  dhcp: z.strictObject({ peerdns: z.boolean().optional() }).optional(),
  ips: z.array(z.strictObject({ address: z.string().optional(), prefix: z.number().int() })),
  gateway: z.string().optional(),
});
/** An interface protocol block. */
export type InterfaceProtocol = z.infer<typeof InterfaceProtocolSchema>;

/** A host interface definition (virInterfaceDef); nested for bridge and bond members. */
export interface InterfaceDef {
  type: "ethernet" | "bridge" | "bond" | "vlan";
  name: string;
  /** Start mode; only top-level interfaces have one. */
  startMode?: "none" | "onboot" | "hotplug";
  mtu?: number;
  protocols: InterfaceProtocol[];
  link?: { speed?: number; state?: string };
  /** MAC address as written (ethernet only). */
  mac?: string;
  bridge?: { stp?: boolean; delay?: string; interfaces: InterfaceDef[] };
  bond?: {
    mode?: string;
    miimon?: { freq: number; downdelay?: number; updelay?: number; carrier?: "ioctl" | "netif" };
    arpmon?: { interval: number; target: string; validate?: "active" | "backup" | "all" };
    interfaces: InterfaceDef[];
  };
  vlan?: { tag: string; devName: string };
}

/** zod schema of {@link InterfaceDef}. */
export const InterfaceDefSchema: z.ZodType<InterfaceDef> = z.lazy(() =>
  z.strictObject({
    type: z.enum(["ethernet", "bridge", "bond", "vlan"]),
    name: z.string(),
    startMode: z.enum(["none", "onboot", "hotplug"]).optional(),
    mtu: z.number().int().optional(),
    protocols: z.array(InterfaceProtocolSchema),
    link: z.strictObject({ speed: z.number().int().optional(), state: z.string().optional() })
      .optional(),
    mac: z.string().optional(),
    bridge: z.strictObject({
      stp: z.boolean().optional(),
      delay: z.string().optional(),
      interfaces: z.array(InterfaceDefSchema),
    }).optional(),
    bond: z.strictObject({
      mode: z.string().optional(),
      miimon: z.strictObject({
        freq: z.number().int(),
        downdelay: z.number().int().optional(),
        updelay: z.number().int().optional(),
        carrier: z.enum(["ioctl", "netif"]).optional(),
      }).optional(),
      arpmon: z.strictObject({
        interval: z.number().int(),
        target: z.string(),
        validate: z.enum(["active", "backup", "all"]).optional(),
      }).optional(),
      interfaces: z.array(InterfaceDefSchema),
    }).optional(),
    vlan: z.strictObject({ tag: z.string(), devName: z.string() }).optional(),
  })
);

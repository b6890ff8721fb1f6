/**
 * Offload features of a network device, as libvirt's `virNetDevGetFeatures` reads them: the
 * legacy `SIOCETHTOOL` getters (rx/tx checksum, sg, tso, gso, gro), the flag word (lro,
 * rxvlan, txvlan, ntuple, rxhash) and `ETHTOOL_GFEATURES` for the UDP tunnel offload. Sysfs
 * has none of this, so the live probe issues the same ioctls through libc (Deno FFI). RDMA
 * and switchdev need InfiniBand devices and devlink netlink that libvirt queries only for PCI
 * NICs having them; see {@link netFeatures}.
 *
 * @module
 */
import { NET_FEATURES } from "../../conf/node_device/caps_check.ts";

/** The ethtool requests libvirt makes, by name. */
export const ETHTOOL = {
  GRXCSUM: 0x14,
  GTXCSUM: 0x16,
  GSG: 0x18,
  GTSO: 0x1e,
  GGSO: 0x23,
  GFLAGS: 0x25,
  GGRO: 0x2b,
  GFEATURES: 0x3a,
} as const;

/**
 * Answers to ethtool requests for one interface: the `data` of an `ethtool_value` request, or
 * for `GFEATURES` the `active` word of block 0 and 1 (as one number per block), or undefined
 * when the kernel refused the request.
 */
export type EthtoolProbe = (ifname: string, cmd: number) => number | number[] | undefined;

/** `TX_UDP_TNL` in libvirt: the feature bit of `NETIF_F_GSO_UDP_TUNNEL`. */
const TX_UDP_TNL = 25;
const LEGACY: [number, string][] = [
  [ETHTOOL.GRXCSUM, "rx"],
  [ETHTOOL.GTXCSUM, "tx"],
  [ETHTOOL.GSG, "sg"],
  [ETHTOOL.GTSO, "tso"],
  [ETHTOOL.GGSO, "gso"],
  [ETHTOOL.GGRO, "gro"],
];
const FLAGS: [number, string][] = [
  [1 << 15, "lro"],
  [1 << 8, "rxvlan"],
  [1 << 7, "txvlan"],
  [1 << 27, "ntuple"],
  [1 << 28, "rxhash"],
];

/**
 * The feature names libvirt prints for an interface, in its order.
 *
 * @example
 * ```ts
 * import { ETHTOOL, netFeatures } from "./ethtool.ts";
 * netFeatures("lo", (_if, cmd) => cmd === ETHTOOL.GSG ? 1 : undefined); // ["sg"]
 * ```
 */
export function netFeatures(ifname: string, probe: EthtoolProbe): string[] {
  const set = new Set<string>();
  for (const [cmd, name] of LEGACY) {
    const v = probe(ifname, cmd);
    if (typeof v === "number" && v > 0) set.add(name);
  }
  const flags = probe(ifname, ETHTOOL.GFLAGS);
  if (typeof flags === "number" && flags > 0) {
    for (const [bit, name] of FLAGS) if ((flags & bit) >>> 0) set.add(name);
  }
  const blocks = probe(ifname, ETHTOOL.GFEATURES);
  if (Array.isArray(blocks) && (blocks[Math.floor(TX_UDP_TNL / 32)] >>> (TX_UDP_TNL % 32)) & 1) {
    set.add("txudptnl");
  }
  return NET_FEATURES.filter((f) => set.has(f));
}

const SIOCETHTOOL = 0x8946n;
const IFREQ_SIZE = 40;

let libc:
  | Deno.DynamicLibrary<{
    socket: { parameters: ["i32", "i32", "i32"]; result: "i32" };
    ioctl: { parameters: ["i32", "u64", "buffer"]; result: "i32" };
    close: { parameters: ["i32"]; result: "i32" };
  }>
  | undefined;

function symbols() {
  // Opened on first use: listing devices of a snapshot needs no FFI permission.
  libc ??= Deno.dlopen("libc.so.6", {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
  });
  return libc.symbols;
}

/**
 * The live probe: `ioctl(SIOCETHTOOL)` on a datagram socket of this process's network
 * namespace, as `virNetDevSetupControl` opens one.
 *
 * @example
 * ```ts
 * import { ETHTOOL, liveEthtool } from "./ethtool.ts";
 * liveEthtool("lo", ETHTOOL.GSG); // 1 on Linux
 * ```
 */
export const liveEthtool: EthtoolProbe = (ifname, cmd) => {
  const c = symbols();
  const fd = c.socket(2, /* AF_INET */ 2, /* SOCK_DGRAM */ 0);
  if (fd < 0) return undefined;
  try {
    const gfeatures = cmd === ETHTOOL.GFEATURES;
    // ethtool_value {cmd, data}, or ethtool_gfeatures {cmd, size=2, 2 blocks of 4 words}.
    const data = new Uint32Array(gfeatures ? 2 + 2 * 4 : 2);
    data[0] = cmd;
    if (gfeatures) data[1] = 2;
    const ifr = new Uint8Array(IFREQ_SIZE);
    ifr.set(new TextEncoder().encode(ifname).subarray(0, 15));
    new DataView(ifr.buffer).setBigUint64(
      16,
      BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(data))),
      true,
    );
    if (c.ioctl(fd, SIOCETHTOOL, ifr) !== 0) return undefined;
    return gfeatures ? [data[2 + 2], data[2 + 4 + 2]] : data[1];
  } finally {
    c.close(fd);
  }
};

/**
 * PCI devices as libvirt's `udevProcessPCI` and `virNodeDeviceGetPCIDynamicCaps` see them:
 * address, class, IDs and names, NUMA node, SR-IOV functions, IOMMU group, mdev types, and,
 * when privileged (root, as libvirt reads the whole config space only then), the header type
 * and PCI Express link from the config space (`virpci.c`).
 *
 * @module
 */
import type { MdevType, PciAddress, PciCap, PcieLink } from "./device_def.ts";
import { pciNames } from "./pci_ids.ts";
import { parseVpd, type Vpd } from "./vpd.ts";
import type { Sysfs, UdevDevice } from "../../util/sysfs.ts";
import { udevError } from "./udev_error.ts";
import { ConfigSpace } from "../../util/pci/config_space.ts";
import { parsePciName, pciName } from "../../util/pci/address.ts";

const PCI_HEADER_TYPE = 0x0e;
const PCI_CAP_ID_EXP = 0x10;
const PCI_EXP_FLAGS = 0x2;
const PCI_EXP_LNKCAP = 0xc;
const PCI_EXP_LNKSTA = 0x12;
const PCI_EXP_TYPE_ROOT_INT_EP = 0x9;
const PCI_EXP_TYPE_ROOT_EC = 0xa;
const HEADER_TYPES = ["endpoint", "pci-bridge", "cardbus-bridge"];

/** The PCI address a link (`physfn`, `virtfn0`, an IOMMU group member) points to. */
function linkedAddress(sys: Sysfs, path: string): PciAddress | undefined {
  const target = sys.resolve(path);
  return target ? parsePciName(target.split("/").pop()!) : undefined;
}

/** `virPCIDeviceIsPCIExpress` + `HasPCIExpressLink` + `GetLinkCapSta`. */
function pciExpress(cfg: ConfigSpace): PciCap["pciExpress"] {
  const pos = cfg.capability(PCI_CAP_ID_EXP);
  // Without a readable capability list libvirt guesses from the size: 256 bytes is plain PCI.
  if (pos === undefined) return cfg.length !== 256 ? {} : undefined;
  if (pos === 0) return undefined;
  const type = ((cfg.read(pos + PCI_EXP_FLAGS, 2) ?? 0) & 0xf0) >> 4;
  if (type === PCI_EXP_TYPE_ROOT_INT_EP || type === PCI_EXP_TYPE_ROOT_EC) return {};
  const cap = cfg.read(pos + PCI_EXP_LNKCAP, 4) ?? 0;
  const sta = cfg.read(pos + PCI_EXP_LNKSTA, 2) ?? 0;
  const link = (port: number, v: number): PcieLink => ({
    port,
    speed: v & 0xf,
    width: (v & 0x3f0) >> 4,
  });
  return { cap: link(Math.floor(cap / 2 ** 24), cap), sta: link(-1, sta) };
}

/** `virMediatedDeviceGetMdevTypes`: the types under `mdev_supported_types/`. */
export function mdevTypes(sys: Sysfs, syspath: string): MdevType[] {
  const dir = `${syspath}/mdev_supported_types`;
  return sys.list(dir).flatMap((id) => {
    const at = `${dir}/${id}`;
    const deviceApi = sys.attr(at, "device_api");
    const available = sys.attr(at, "available_instances");
    if (deviceApi === undefined || available === undefined) return [];
    return [{ id, name: sys.attr(at, "name"), deviceApi, availableInstances: Number(available) }];
  });
}

/**
 * `virNodeDeviceGetPCIVPDDynamicCap`: the VPD of a device whose `vpd` is a regular file, when
 * it can be opened (root only) and parses.
 */
function vpdOf(sys: Sysfs, syspath: string): Vpd | undefined {
  if (!sys.isFile(`${syspath}/vpd`)) return undefined;
  const file = sys.open(`${syspath}/vpd`);
  if (!file) return undefined;
  try {
    return parseVpd((pos, count) => {
      const buf = new Uint8Array(count);
      let got = 0;
      try {
        file.seekSync(pos, Deno.SeekMode.Start);
        while (got < count) {
          const n = file.readSync(buf.subarray(got));
          if (!n) break;
          got += n;
        }
      } catch {
        // A read error ends the data, as a short pread does for libvirt.
      }
      return buf.subarray(0, got);
    });
  } finally {
    file.close();
  }
}

/** `virNodeDeviceGetPCIDynamicCaps`: SR-IOV, IOMMU group, mdev types and VPD, read afresh. */
function dynamicCaps(sys: Sysfs, syspath: string, addr: PciAddress): Partial<PciCap> {
  const out: Partial<PciCap> = { mdevTypes: mdevTypes(sys, syspath), vpd: vpdOf(sys, syspath) };
  out.physFunction = linkedAddress(sys, `${syspath}/physfn`);
  const addresses: PciAddress[] = [];
  for (let i = 0;; i++) {
    const a = sys.exists(`${syspath}/virtfn${i}`) && linkedAddress(sys, `${syspath}/virtfn${i}`);
    if (!a) break;
    addresses.push(a);
  }
  const max = Number(sys.attr(syspath, "sriov_totalvfs") ?? 0);
  if (addresses.length || max > 0) out.virtFunctions = { max, addresses };
  const group = sys.linkName(`/sys/bus/pci/devices/${pciName(addr)}/iommu_group`);
  if (group !== undefined) {
    const dir = `/sys/kernel/iommu_groups/${group}/devices`;
    out.iommuGroup = {
      number: Number(group),
      addresses: sys.list(dir).flatMap((n) => parsePciName(n) ?? []),
    };
  }
  return out;
}

/**
 * A number of sysfs or udev (`0x1af4`, `-1`) as `virStrToLong_*` reads it in `base`; a
 * malformed one is libvirt's conversion error (the device is then left out).
 *
 * @example
 * ```ts
 * import { sysfsNumber } from "./pci.ts";
 * sysfsNumber("0x1af4", 16); // 6900
 * ```
 */
export function sysfsNumber(text: string, base: 10 | 16): number {
  const t = text.trim();
  if (!(base === 16 ? /^-?(0[xX])?[0-9a-fA-F]+$/ : /^-?[0-9]+$/).test(t)) {
    throw udevError(`Failed to convert '${text}' to int`);
  }
  return parseInt(t.replace(/^(-?)0[xX]/, "$1"), base);
}

/**
 * `udevProcessPCI`: the PCI capability of a device, with `privileged` deciding whether the
 * config space is read.
 *
 * @example
 * ```ts
 * import { pciCap } from "./pci.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * const sys = new Sysfs();
 * const dev = sys.device("/sys/devices/pci0000:00/0000:00:00.0");
 * if (dev) pciCap(sys, dev, false);
 * ```
 */
export function pciCap(
  sys: Sysfs,
  dev: UdevDevice,
  privileged: boolean,
  pciIds?: string,
): PciCap {
  const klassText = dev.props.get("PCI_CLASS");
  if (klassText === undefined) {
    throw udevError(`Missing udev property 'PCI_CLASS' on '${dev.sysname}'`);
  }
  const addr = parsePciName(dev.syspath.split("/").pop()!);
  if (!addr) {
    throw udevError(`failed to parse the PCI address from sysfs path: '${dev.syspath}'`);
  }
  const num = (name: string, base: 10 | 16, fallback: number) => {
    const v = sys.attr(dev.syspath, name);
    return v === undefined ? fallback : sysfsNumber(v, base);
  };
  const vendor = num("vendor", 16, 0);
  const product = num("device", 16, 0);
  const names = pciNames(vendor, product, pciIds);
  const cap: PciCap = {
    type: "pci",
    klass: sysfsNumber(klassText, 16),
    ...addr,
    product,
    productName: names.product,
    vendor,
    vendorName: names.vendor,
    mdevTypes: [],
    numaNode: num("numa_node", 10, -1),
    ...dynamicCaps(sys, dev.syspath, addr),
  };
  if (privileged) {
    const file = sys.open(`${dev.syspath}/config`);
    if (file) {
      try {
        const cfg = new ConfigSpace(file);
        const header = (cfg.read(PCI_HEADER_TYPE, 1) ?? 0) & 0x7f;
        if (header >= HEADER_TYPES.length) throw udevError(`Unknown PCI header type '${header}'`);
        if (header) cap.header = HEADER_TYPES[header];
        cap.pciExpress = pciExpress(cfg);
      } finally {
        file.close();
      }
    }
  }
  return cap;
}

/**
 * libvirt 9.0's `virNodeDeviceDefFormat` for the capabilities the udev backend fills in,
 * line by line as its buffer writes them (2-space indent, `'` quoted attributes).
 *
 * @module
 */
import type { NetLink } from "../../util/net_link.ts";
import { escapeXml } from "../../util/xml/mod.ts";
import type {
  HostDevCap,
  HostDevDef,
  MdevType,
  PciAddress,
  PciCap,
  PcieLink,
  StorageCap,
} from "./device_def.ts";
import { formatVpd } from "./vpd.ts";

const PCIE_SPEEDS = ["", "2.5", "5", "8", "16", "32", "64"];

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

/** `<address domain='0x0000' bus='0x00' slot='0x00' function='0x0'/>` as libvirt prints it. */
function address(a: PciAddress): string {
  return `<address domain='0x${hex(a.domain, 4)}' bus='0x${hex(a.bus, 2)}' ` +
    `slot='0x${hex(a.slot, 2)}' function='0x${a.function}'/>`;
}

/** Appends indented lines. */
class Lines {
  readonly out: string[] = [];
  #indent = 0;
  add(line: string): void {
    this.out.push(" ".repeat(this.#indent) + line);
  }
  /** Adds `line` when `value` is set, with the value escaped in place of `%s`. */
  opt(template: string, value: string | undefined): void {
    if (value !== undefined) this.add(template.replace("%s", escapeXml(value)));
  }
  block(open: string, close: string, body: () => void): void {
    this.add(open);
    this.#indent += 2;
    body();
    this.#indent -= 2;
    this.add(close);
  }
}

/**
 * `virInterfaceLinkFormat`: `<link speed='…' state='…'/>`, nothing without either.
 *
 * @example
 * ```ts
 * import { formatLink } from "./format.ts";
 * formatLink({ state: "up", speed: 1000 }); // "<link speed='1000' state='up'/>"
 * ```
 */
export function formatLink(link: NetLink): string | undefined {
  if (!link.speed && !link.state) return undefined;
  return `<link${link.speed ? ` speed='${link.speed}'` : ""}${
    link.state ? ` state='${link.state}'` : ""
  }/>`;
}

function named(tag: string, id: number, name: string | undefined, close: string): string {
  return name === undefined
    ? `<${tag} id='0x${hex(id, 4)}'${close}`
    : `<${tag} id='0x${hex(id, 4)}'>${escapeXml(name)}</${tag}>`;
}

function mdevTypes(b: Lines, types: MdevType[]): void {
  if (!types.length) return;
  b.block("<capability type='mdev_types'>", "</capability>", () => {
    for (const t of types) {
      b.block(`<type id='${escapeXml(t.id)}'>`, "</type>", () => {
        b.opt("<name>%s</name>", t.name);
        b.opt("<deviceAPI>%s</deviceAPI>", t.deviceApi);
        b.add(`<availableInstances>${t.availableInstances}</availableInstances>`);
      });
    }
  });
}

function pcieLink(b: Lines, link: PcieLink | undefined, validity: string): void {
  if (!link) return;
  const port = link.port >= 0 ? ` port='${link.port}'` : "";
  const speed = link.speed ? ` speed='${PCIE_SPEEDS[link.speed] ?? ""}'` : "";
  b.add(`<link validity='${validity}'${port}${speed} width='${link.width}'/>`);
}

function pci(b: Lines, c: PciCap): void {
  if (c.klass >= 0) b.add(`<class>0x${hex(c.klass, 6)}</class>`);
  b.add(`<domain>${c.domain}</domain>`);
  b.add(`<bus>${c.bus}</bus>`);
  b.add(`<slot>${c.slot}</slot>`);
  b.add(`<function>${c.function}</function>`);
  b.add(named("product", c.product, c.productName, "/>"));
  b.add(named("vendor", c.vendor, c.vendorName, "/>"));
  if (c.physFunction) {
    b.block("<capability type='phys_function'>", "</capability>", () => {
      b.add(address(c.physFunction!));
    });
  }
  const vfs = c.virtFunctions;
  if (vfs) {
    const max = vfs.max ? ` maxCount='${vfs.max}'` : "";
    if (!vfs.addresses.length) b.add(`<capability type='virt_functions'${max}/>`);
    else {
      b.block(`<capability type='virt_functions'${max}>`, "</capability>", () => {
        for (const a of vfs.addresses) b.add(address(a));
      });
    }
  }
  if (c.header) b.add(`<capability type='${c.header}'/>`);
  mdevTypes(b, c.mdevTypes);
  if (c.vpd) { for (const line of formatVpd(c.vpd, escapeXml)) b.add(line); }
  const group = c.iommuGroup;
  if (group?.addresses.length) {
    b.block(`<iommuGroup number='${group.number}'>`, "</iommuGroup>", () => {
      for (const a of group.addresses) b.add(address(a));
    });
  }
  if (c.numaNode >= 0) b.add(`<numa node='${c.numaNode}'/>`);
  const pcie = c.pciExpress;
  if (!pcie) return;
  if (!pcie.cap && !pcie.sta) b.add("<pci-express/>");
  else {
    b.block("<pci-express>", "</pci-express>", () => {
      pcieLink(b, pcie.cap, "cap");
      pcieLink(b, pcie.sta, "sta");
    });
  }
}

function storage(b: Lines, c: StorageCap): void {
  b.opt("<block>%s</block>", c.block);
  b.opt("<bus>%s</bus>", c.bus);
  b.opt("<drive_type>%s</drive_type>", c.driveType);
  b.opt("<model>%s</model>", c.model);
  b.opt("<vendor>%s</vendor>", c.vendor);
  b.opt("<serial>%s</serial>", c.serial);
  const sizes = () => {
    if (c.logicalBlockSize > 0n) {
      b.add(`<logical_block_size>${c.logicalBlockSize}</logical_block_size>`);
    }
    if (c.numBlocks > 0n) b.add(`<num_blocks>${c.numBlocks}</num_blocks>`);
  };
  const removable = c.removable;
  if (removable) {
    b.block("<capability type='removable'>", "</capability>", () => {
      b.add(`<media_available>${removable.mediaAvailable ? 1 : 0}</media_available>`);
      b.add(`<media_size>${removable.mediaSize}</media_size>`);
      b.opt("<media_label>%s</media_label>", removable.mediaLabel);
      sizes();
    });
  } else {
    b.add(`<size>${c.size}</size>`);
    sizes();
  }
}

function capBody(b: Lines, c: HostDevCap): void {
  switch (c.type) {
    case "system":
      b.opt("<product>%s</product>", c.product);
      b.block("<hardware>", "</hardware>", () => {
        b.opt("<vendor>%s</vendor>", c.hardware.vendor);
        b.opt("<version>%s</version>", c.hardware.version);
        b.opt("<serial>%s</serial>", c.hardware.serial);
        b.add(`<uuid>${c.hardware.uuid}</uuid>`);
      });
      b.block("<firmware>", "</firmware>", () => {
        b.opt("<vendor>%s</vendor>", c.firmware.vendor);
        b.opt("<version>%s</version>", c.firmware.version);
        b.opt("<release_date>%s</release_date>", c.firmware.releaseDate);
      });
      return;
    case "pci":
      return pci(b, c);
    case "usb_device":
      b.add(`<bus>${c.bus}</bus>`);
      b.add(`<device>${c.device}</device>`);
      b.add(named("product", c.product, c.productName, " />"));
      b.add(named("vendor", c.vendor, c.vendorName, " />"));
      return;
    case "usb":
      b.add(`<number>${c.number}</number>`);
      b.add(`<class>${c.klass}</class>`);
      b.add(`<subclass>${c.subclass}</subclass>`);
      b.add(`<protocol>${c.protocol}</protocol>`);
      return;
    case "net": {
      b.add(`<interface>${escapeXml(c.ifname ?? "")}</interface>`);
      b.opt("<address>%s</address>", c.address);
      const link = formatLink(c.link);
      if (link) b.add(link);
      for (const f of c.features) b.add(`<feature name='${f}'/>`);
      b.add(`<capability type='${c.subtype}'/>`);
      return;
    }
    case "scsi_host":
      b.add(`<host>${c.host}</host>`);
      if (c.uniqueId !== -1) b.add(`<unique_id>${c.uniqueId}</unique_id>`);
      if (c.fcHost) {
        const fc = c.fcHost;
        b.block("<capability type='fc_host'>", "</capability>", () => {
          b.opt("<wwnn>%s</wwnn>", fc.wwnn);
          b.opt("<wwpn>%s</wwpn>", fc.wwpn);
          b.opt("<fabric_wwn>%s</fabric_wwn>", fc.fabricWwn);
        });
      }
      if (c.vportOps) {
        const ops = c.vportOps;
        b.block("<capability type='vport_ops'>", "</capability>", () => {
          b.add(`<max_vports>${ops.maxVports}</max_vports>`);
          b.add(`<vports>${ops.vports}</vports>`);
        });
      }
      return;
    case "scsi_target":
      b.opt("<target>%s</target>", c.name);
      if (c.rport) {
        const rport = c.rport;
        b.block("<capability type='fc_remote_port'>", "</capability>", () => {
          b.add(`<rport>${rport.rport}</rport>`);
          b.add(`<wwpn>${rport.wwpn}</wwpn>`);
        });
      }
      return;
    case "scsi":
      b.add(`<host>${c.host}</host>`);
      b.add(`<bus>${c.bus}</bus>`);
      b.add(`<target>${c.target}</target>`);
      b.add(`<lun>${c.lun}</lun>`);
      b.opt("<type>%s</type>", c.scsiType);
      return;
    case "storage":
      return storage(b, c);
    case "scsi_generic":
      b.opt("<char>%s</char>", c.path);
      return;
    case "drm":
      b.add(`<type>${c.drmType}</type>`);
      return;
  }
}

/**
 * A host device's XML, as `virsh nodedev-dumpxml` prints it.
 *
 * @example
 * ```ts
 * import { formatHostDevXML } from "./format.ts";
 * formatHostDevXML({ name: "x", devlinks: [], caps: [] }); // "<device>\n  <name>x</name>\n</device>\n"
 * ```
 */
export function formatHostDevXML(def: HostDevDef): string {
  const b = new Lines();
  b.block("<device>", "</device>", () => {
    b.opt("<name>%s</name>", def.name);
    b.opt("<path>%s</path>", def.sysfsPath);
    b.opt("<devnode type='dev'>%s</devnode>", def.devnode);
    for (const link of def.devlinks) b.opt("<devnode type='link'>%s</devnode>", link);
    b.opt("<parent>%s</parent>", def.parent);
    if (def.driver !== undefined) {
      b.block("<driver>", "</driver>", () => b.opt("<name>%s</name>", def.driver));
    }
    for (const cap of def.caps) {
      b.block(`<capability type='${cap.type}'>`, "</capability>", () => capBody(b, cap));
    }
  });
  return b.out.join("\n") + "\n";
}

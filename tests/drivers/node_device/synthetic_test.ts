/**
 * Device kinds this machine lacks (PCI Express links, SR-IOV, IOMMU groups, mdev types, USB,
 * SCSI, SATA disks, DRM), each built as the sysfs tree (and udevd database entry) the kernel
 * and udevd give such a device, run through the node-device driver and compared with the
 * capability libvirt 9.0 formats for it in its own test data (tests/nodedevschemadata, whose
 * device names are made up: the capability is what is compared, or the whole XML when the
 * name is udev's).
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";

type Entry = string | Uint8Array | { link: string };

/** A PCI config space: status with a capability list, PCI Express at 0x40 with its links. */
function config(header: number, lnkcap: number, lnksta: number): Uint8Array {
  const c = new Uint8Array(256);
  const v = new DataView(c.buffer);
  v.setUint16(0x06, 0x10, true);
  c[0x0e] = header;
  c[0x34] = 0x40;
  c[0x40] = 0x10;
  v.setUint32(0x40 + 0xc, lnkcap, true);
  v.setUint16(0x40 + 0x12, lnksta, true);
  return c;
}

function pci(
  path: string,
  device: string,
  extra: Record<string, Entry>,
): Record<string, Entry> {
  const name = path.split("/").pop()!;
  return {
    [`${path}/uevent`]: "DRIVER=x\nPCI_CLASS=FFFFFF\n",
    [`${path}/vendor`]: "0x8086\n",
    [`${path}/device`]: `${device}\n`,
    [`${path}/subsystem`]: { link: "/sys/bus/pci" },
    [`bus/pci/devices/${name}`]: { link: `/sys/${path}` },
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${path}/${k}`, v])),
  };
}

function group(n: number, members: string[]): Record<string, Entry> {
  return Object.fromEntries(
    members.map((m) => [`kernel/iommu_groups/${n}/devices/${m}`, { link: "/sys/devices/x" }]),
  );
}

const WIFI = "devices/pci0000:00/0000:00:1c.1/0000:03:00.0";
const VF = "devices/pci0000:00/0000:00:04.0/0000:02:10.7";
const PF = "devices/pci0000:00/0000:00:04.0/0000:02:00.1";
const USB = "devices/pci0000:00/0000:00:1d.0/usb2";
const HOST = "devices/pci0000:00/0000:00:1f.2/host0";
const SDA = `${HOST}/target0:0:0/0:0:0:0/block/sda`;
const GPU = "devices/pci0000:00/0000:00:02.0";

const DMI = "devices/virtual/dmi/id";

const TREE: Record<string, Entry> = {
  [`${DMI}/uevent`]: "MODALIAS=dmi:bvnLENOVO\n",
  [`${DMI}/sys_vendor`]: "LENOVO\n",
  [`${DMI}/product_version`]: "ThinkPad T60p\n",
  [`${DMI}/product_serial`]: "123123\n",
  [`${DMI}/product_uuid`]: "12345678-1234-1234-9596-A088B277D677\n",
  [`${DMI}/bios_vendor`]: "LENOVO\n",
  [`${DMI}/bios_version`]: "79ETE1WW (2.21 )\n",
  [`${DMI}/bios_date`]: "02/05/2008\n",
  ...pci(WIFI, "0x4238", {
    numa_node: "-1\n",
    config: config(0, 1 << 24 | 1 << 4 | 1, 1 << 4 | 1),
    iommu_group: { link: "/sys/kernel/iommu_groups/8" },
  }),
  ...group(8, [
    "0000:00:1c.0",
    "0000:00:1c.1",
    "0000:00:1c.3",
    "0000:00:1c.4",
    "0000:03:00.0",
    "0000:0d:00.0",
    "0000:0d:00.1",
    "0000:0d:00.3",
  ]),
  ...pci(VF, "0x10ca", {
    numa_node: "0\n",
    config: config(1, 4 << 4 | 1, 0),
    iommu_group: { link: "/sys/kernel/iommu_groups/31" },
    physfn: { link: `/sys/${PF}` },
    sriov_totalvfs: "7\n",
    virtfn0: { link: "/sys/devices/pci0000:00/0000:00:04.0/0000:02:00.2" },
    virtfn1: { link: "/sys/devices/pci0000:00/0000:00:04.0/0000:02:00.3" },
    virtfn2: { link: "/sys/devices/pci0000:00/0000:00:04.0/0000:02:00.4" },
    virtfn3: { link: "/sys/devices/pci0000:00/0000:00:04.0/0000:02:00.5" },
    "mdev_supported_types/foo1/name": "bar1\n",
    "mdev_supported_types/foo1/device_api": "vfio-pci\n",
    "mdev_supported_types/foo1/available_instances": "1\n",
    "mdev_supported_types/foo2/name": "bar2\n",
    "mdev_supported_types/foo2/device_api": "vfio-pci\n",
    "mdev_supported_types/foo2/available_instances": "2\n",
  }),
  ...group(31, ["0000:02:10.7"]),
  [`${PF}/uevent`]: "",
  "devices/pci0000:00/0000:00:04.0/0000:02:00.2/uevent": "",
  "devices/pci0000:00/0000:00:04.0/0000:02:00.3/uevent": "",
  "devices/pci0000:00/0000:00:04.0/0000:02:00.4/uevent": "",
  "devices/pci0000:00/0000:00:04.0/0000:02:00.5/uevent": "",
  [`${USB}/uevent`]:
    "MAJOR=189\nMINOR=128\nDEVNAME=bus/usb/002/001\nDEVTYPE=usb_device\nBUSNUM=002\nDEVNUM=001\n",
  [`${USB}/subsystem`]: { link: "/sys/bus/usb" },
  "bus/usb/devices/usb2": { link: `/sys/${USB}` },
  [`${USB}/2-0:1.0/uevent`]: "DEVTYPE=usb_interface\nINTERFACE=9/0/0\n",
  [`${USB}/2-0:1.0/subsystem`]: { link: "/sys/bus/usb" },
  [`${USB}/2-0:1.0/bInterfaceNumber`]: "00\n",
  [`${USB}/2-0:1.0/bInterfaceClass`]: "09\n",
  [`${USB}/2-0:1.0/bInterfaceSubClass`]: "00\n",
  [`${USB}/2-0:1.0/bInterfaceProtocol`]: "00\n",
  "bus/usb/devices/2-0:1.0": { link: `/sys/${USB}/2-0:1.0` },
  [`${HOST}/uevent`]: "DEVTYPE=scsi_host\n",
  [`${HOST}/subsystem`]: { link: "/sys/bus/scsi" },
  [`${HOST}/scsi_host/host0/unique_id`]: "2\n",
  "class/scsi_host/host0": { link: `/sys/${HOST}/scsi_host/host0` },
  "bus/scsi/devices/host0": { link: `/sys/${HOST}` },
  [`${HOST}/target0:0:0/uevent`]: "DEVTYPE=scsi_target\n",
  [`${HOST}/target0:0:0/subsystem`]: { link: "/sys/bus/scsi" },
  "bus/scsi/devices/target0:0:0": { link: `/sys/${HOST}/target0:0:0` },
  [`${HOST}/target0:0:0/0:0:0:0/uevent`]: "DEVTYPE=scsi_device\n",
  [`${HOST}/target0:0:0/0:0:0:0/subsystem`]: { link: "/sys/bus/scsi" },
  [`${HOST}/target0:0:0/0:0:0:0/type`]: "0\n",
  [`${HOST}/target0:0:0/0:0:0:0/vendor`]: "ATA     \n",
  [`${HOST}/target0:0:0/0:0:0:0/model`]: "HTS721010G9SA00 \n",
  "bus/scsi/devices/0:0:0:0": { link: `/sys/${HOST}/target0:0:0/0:0:0:0` },
  [`${SDA}/uevent`]: "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n",
  [`${SDA}/subsystem`]: { link: "/sys/class/block" },
  [`${SDA}/device`]: { link: `/sys/${HOST}/target0:0:0/0:0:0:0` },
  [`${SDA}/size`]: "195371568\n",
  [`${SDA}/queue/logical_block_size`]: "512\n",
  "class/block/sda": { link: `/sys/${SDA}` },
  ...pci(GPU, "0x0166", {}),
  [`${GPU}/drm/renderD129/uevent`]:
    "MAJOR=226\nMINOR=129\nDEVNAME=dri/renderD129\nDEVTYPE=drm_minor\n",
  [`${GPU}/drm/renderD129/subsystem`]: { link: "/sys/class/drm" },
  "class/drm/renderD129": { link: `/sys/${GPU}/drm/renderD129` },
};

/** udevd's database: what its rules and builtins add (usb_id, ata_id, path_id). */
const UDEV_DB: Record<string, string> = {
  "c189:128": "E:ID_VENDOR_ID=1d6b\nE:ID_MODEL_ID=0001\n" +
    "E:ID_VENDOR_FROM_DATABASE=Linux Foundation\nE:ID_MODEL_FROM_DATABASE=1.1 root hub\n",
  "b8:0": "E:ID_BUS=scsi\nE:ID_TYPE=disk\n",
  "c226:129": "S:dri/by-path/pci-0000:00:02.0-render\n",
};

const PCI_IDS = "8086  Intel Corporation\n\t10ca  82576 Virtual Function\n" +
  "\t4238  Centrino Ultimate-N 6300\n";

/** Writes the tree under `root`, links made relative as the kernel's are. */
function build(root: string): void {
  for (const [path, entry] of Object.entries(TREE)) {
    const file = join(root, "sys", path);
    Deno.mkdirSync(dirname(file), { recursive: true });
    if (typeof entry === "string") Deno.writeTextFileSync(file, entry);
    else if (entry instanceof Uint8Array) Deno.writeFileSync(file, entry);
    else {
      const target = join(root, entry.link);
      Deno.mkdirSync(target, { recursive: true });
      Deno.symlinkSync(target, file);
    }
  }
  Deno.mkdirSync(join(root, "udev"));
  for (const [id, text] of Object.entries(UDEV_DB)) {
    Deno.writeTextFileSync(join(root, "udev", id), text);
  }
  Deno.writeTextFileSync(join(root, "pci.ids"), PCI_IDS);
}

/** The top-level `<capability>` block of a device's XML. */
function capability(xml: string): string {
  const lines = xml.split("\n");
  const start = lines.findIndex((l) => l.startsWith("  <capability"));
  const end = lines.findIndex((l, i) => i > start && l === "  </capability>");
  return lines.slice(start, end + 1).join("\n");
}

const libvirt = (file: string) => Deno.readTextFileSync(join(FIXTURES, "libvirt-nodedev", file));

Deno.test("each kind of device gives the capability libvirt formats for it", async () => {
  const root = await Deno.makeTempDir({ prefix: "evt-nodedev-" });
  try {
    build(root);
    const conn = await nodeDeviceDriver.open(new URL("qemu:///system"), {
      sysfsRoot: join(root, "sys"),
      udevDataDir: join(root, "udev"),
      pciIds: join(root, "pci.ids"),
      privileged: true,
      ethtool: () => undefined,
    });
    try {
      const xml = (name: string) => conn.nodeDeviceGetXMLDesc!({ name }, 0);
      const cases: [string, string][] = [
        ["pci_0000_03_00_0", "pci_8086_4238_pcie_wireless.xml"],
        ["usb_usb2", "usb_device_1d6b_1_0000_00_1d_0.xml"],
        ["usb_2_0_1_0", "usb_device_1d6b_1_0000_00_1d_0_if0.xml"],
        ["scsi_target0_0_0", "scsi_target0_0_0.xml"],
        ["scsi_0_0_0_0", "pci_8086_27c5_scsi_host_scsi_device_lun0.xml"],
        ["block_sda", "storage_serial_SATA_HTS721010G9SA00_MPCZ12Y0GNGWSE.xml"],
      ];
      for (const [name, file] of cases) {
        assert.equal(capability(await xml(name)), capability(libvirt(file)), name);
      }
      // One PCI device with both SR-IOV roles, a bridge header and mdev types: libvirt's two
      // files show the parts in its order, with the mdev types between header and IOMMU group.
      const vf = capability(await xml("pci_0000_02_10_7"));
      const sriov = capability(libvirt("pci_0000_02_10_7_sriov_pf_vfs_all_header_type.xml"));
      const mdev = capability(libvirt("pci_0000_02_10_7_mdev_types.xml"));
      const mdevBlock = mdev.slice(mdev.indexOf("    <capability type='mdev_types'>"));
      const withMdev = sriov.replace(
        "    <iommuGroup",
        mdevBlock.slice(0, mdevBlock.indexOf("    <iommuGroup")) + "    <iommuGroup",
      );
      assert.equal(vf, withMdev);
      assert.deepEqual(await conn.nodeDeviceListCaps!({ name: "pci_0000_02_10_7" }), [
        "pci",
        "mdev_types",
      ]);
      // The host's unique id comes from its scsi_host class device.
      assert.equal(
        capability(await xml("scsi_host0")),
        capability(libvirt("pci_8086_27c5_scsi_host_0_unique_id.xml")).replace(
          "<host>1</host>",
          "<host>0</host>",
        ),
      );
      assert.equal(await xml("drm_renderD129"), libvirt("drm_renderD129.xml"));
      // DMI is read on x86 only, as libvirt does.
      if (Deno.build.arch === "x86_64") {
        assert.equal(await xml("computer"), libvirt("computer.xml"));
      }
      assert.equal(await conn.nodeDeviceGetParent!({ name: "block_sda" }), "scsi_0_0_0_0");
      assert.equal(await conn.nodeDeviceGetParent!({ name: "usb_2_0_1_0" }), "usb_usb2");
    } finally {
      await conn.connectClose();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

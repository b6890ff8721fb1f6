// SCSI controllers on real QEMU 7.2 as libvirt 9.0 starts them (qemuBuildControllerSCSIDevProps,
// qemuBuildDeviceAddresDriveProps): a controller without a model is libvirt's default for this
// QEMU, lsilogic (QEMU's `lsi`), whose disks are addressed by SCSI id; the SAS models and
// virtio-scsi take channel, SCSI id and LUN.
import assert from "node:assert/strict";
import { qcow2Domain, realQemuTest, withRealDriver } from "./real_qemu.ts";

/** Each model as the XML names it (none: the default) and the QEMU device type it starts. */
const MODELS: [string, string][] = [
  ["", "lsi53c895a"],
  ["lsisas1068", "mptsas1068"],
  ["lsisas1078", "megasas"],
  ["am53c974", "am53c974"],
  ["virtio-scsi", "virtio-scsi-pci"],
];

realQemuTest({
  name: "real QEMU: SCSI controllers of every model QEMU 7.2 has, a disk and a cdrom on each",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-scsi-", async ({ dir, launcher, conn }) => {
      const { disk } = await qcow2Domain(dir, "unused");
      for (const [model, type] of MODELS) {
        const name = `scsi-${model || "default"}`;
        const dom = await conn.domainCreateXML!(
          `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<controller type='scsi' index='0'${model ? ` model='${model}'` : ""}/>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
<target dev='sda' bus='scsi'/><readonly/></disk>
<disk type='file' device='cdrom'><target dev='sdb' bus='scsi'/><readonly/></disk>
<memballoon model='none'/></devices></domain>`,
          0,
        );
        const live = await conn.domainGetXMLDesc!(dom, 0);
        assert.match(
          live,
          new RegExp(`<controller type='scsi' index='0' model='${model || "lsilogic"}'>`),
        );
        const mon = launcher.procs.at(-1)!.monitor;
        assert.equal(await mon.run("qom-get", { path: "scsi0", property: "type" }), type, name);
        // Both disks hang off the controller's bus.
        for (const id of ["scsi0-0-0-0", "scsi0-0-0-1"]) {
          const bus = await mon.run<string>("qom-get", {
            path: `/machine/peripheral/${id}`,
            property: "parent_bus",
          });
          assert.match(bus, /scsi0\.0$/, `${name}: ${id} on ${bus}`);
        }
        await conn.domainDestroyFlags!(dom, 0);
      }
    });
  },
});

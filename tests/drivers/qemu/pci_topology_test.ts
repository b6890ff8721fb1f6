// PCI topology, host devices and video as libvirt 9.0's QEMU driver defines and starts them:
// the start side of what the corpus (corpus_test.ts) compares on define.
import assert from "node:assert/strict";
import { child } from "../../../util/xml/mod.ts";
import { qemuDefined as defined, startArgv as argvOf } from "./argv_of.ts";

const domain = (devices: string, machine = "pc") =>
  "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
  `<os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>${devices}</devices></domain>`;

const devicesOf = (argv: string[]) => argv.filter((_, i) => argv[i - 1] === "-device");

Deno.test("a virtio GPU's virtio options reach QEMU; a vhost-user GPU is refused", () => {
  const gpu = (driver: string) =>
    `<video><model type='vga' primary='yes'/></video>` +
    `<video><driver ${driver}/><model type='virtio' heads='1'/></video>`;
  // As libvirt 9.0 starts it (qemuBuildVirtioDevProps); the balloon takes slot 3 first.
  const argv = argvOf(domain(gpu("iommu='on' ats='on'")));
  const virtio = devicesOf(argv).find((d) => d.startsWith("virtio-gpu-pci"));
  assert.match(
    virtio ?? "",
    /^virtio-gpu-pci,id=video1,max_outputs=1,iommu_platform=on,ats=on,bus=pci\.0,addr=0x4$/,
  );
  assert.throws(
    () => argvOf(domain(gpu("name='vhostuser'"))),
    /The 'vhost-user-gpu-pci' device is not supported by this QEMU binary/,
  );
});

Deno.test("PCI Express ports and switches start as libvirt 9.0 starts them", () => {
  // The controllers of libvirt 9.0's qemuxml2argvdata/pcie-root-port-nohotplug.xml, and what
  // its recorded .x86_64-latest.args starts (JSON there, keyval here).
  const controllers = "<controller type='pci' index='0' model='pcie-root'/>" +
    "<controller type='pci' index='1' model='pcie-root-port'/>" +
    "<controller type='pci' index='2' model='pcie-root-port'><target hotplug='off'/></controller>" +
    "<controller type='pci' index='3' model='pcie-root-port'><model name='ioh3420'/>" +
    "<target hotplug='off'/></controller>" +
    "<controller type='pci' index='4' model='pcie-switch-upstream-port'/>" +
    "<controller type='pci' index='5' model='pcie-switch-downstream-port'>" +
    "<target hotplug='off'/></controller>" +
    "<controller type='pci' index='6' model='pcie-switch-downstream-port'>" +
    "<target hotplug='on'/></controller>" +
    "<controller type='pci' index='7' model='pcie-switch-downstream-port'/>" +
    "<controller type='pci' index='8' model='pcie-switch-downstream-port'>" +
    "<model name='xio3130-downstream'/><target chassis='30' port='0x27'/></controller>" +
    "<memballoon model='none'/>";
  const devices = devicesOf(argvOf(domain(controllers, "q35"))).filter((d) =>
    /^(pcie-root-port|ioh3420|x3130|xio3130)/.test(d)
  );
  assert.deepEqual(devices, [
    "pcie-root-port,port=8,chassis=1,id=pci.1,bus=pcie.0,multifunction=on,addr=0x1",
    "pcie-root-port,port=9,chassis=2,id=pci.2,hotplug=off,bus=pcie.0,addr=0x1.0x1",
    "ioh3420,port=10,chassis=3,id=pci.3,hotplug=off,bus=pcie.0,addr=0x1.0x2",
    "x3130-upstream,id=pci.4,bus=pci.1,addr=0x0",
    "xio3130-downstream,port=0,chassis=5,id=pci.5,hotplug=off,bus=pci.4,addr=0x0",
    "xio3130-downstream,port=1,chassis=6,id=pci.6,hotplug=on,bus=pci.4,addr=0x1",
    "xio3130-downstream,port=2,chassis=7,id=pci.7,bus=pci.4,addr=0x2",
    "xio3130-downstream,port=39,chassis=30,id=pci.8,bus=pci.4,addr=0x3",
  ]);
});

Deno.test("i440fx out of slots: libvirt's pci-bridge is added, placed and started", () => {
  // 30 virtio disks fill bus 0 (slot 1 is the PIIX3's, one slot stays free for a bridge).
  const disks = Array.from(
    { length: 30 },
    (_, i) =>
      `<disk type='file' device='disk'><source file='/var/lib/ev/d${i}.img'/>` +
      `<target dev='vd${String.fromCharCode(97 + i % 26)}${
        i >= 26 ? "a" : ""
      }' bus='virtio'/></disk>`,
  ).join("");
  const def = defined(domain(disks + "<memballoon model='none'/>"));
  const bridge = def.devices.other.find((d) => d.attributes.model === "pci-bridge")!;
  assert.equal(bridge.attributes.index, "1");
  assert.equal(child(bridge, "model")?.attributes.name, "pci-bridge");
  assert.deepEqual(child(bridge, "target")?.attributes, { chassisNr: "1" });
  const argv = argvOf(domain(disks + "<memballoon model='none'/>"));
  assert.ok(
    devicesOf(argv).some((d) => /^pci-bridge,chassis_nr=1,id=pci\.1,bus=pci\.0,addr=0x/.test(d)),
  );
  // The disks past bus 0's slots go behind it, from its slot 1.
  assert.ok(devicesOf(argv).some((d) => /^virtio-blk-pci.*bus=pci\.1,addr=0x1(,|$)/.test(d)));
});

Deno.test("a host device assigned twice is refused as libvirt 9.0 refuses it", () => {
  const pci = "<hostdev mode='subsystem' type='pci' managed='yes'><source>" +
    "<address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source></hostdev>";
  assert.throws(
    () => defined(domain(pci + pci)),
    /Hostdev already exists in the domain configuration/,
  );
  // A hostdev NIC's device counts among the host devices.
  const nic = "<interface type='hostdev' managed='yes'><source>" +
    "<address type='pci' domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source></interface>";
  assert.throws(() => defined(domain(nic + pci)), /Hostdev already exists/);
});

Deno.test("virtio-serial ports as libvirt 9.0 gives them, the controller's ports reach QEMU", () => {
  // After libvirt 9.0's qemuxml2argvdata/channel-virtio-auto: explicit ports kept, a channel
  // naming only its controller gets that controller's first free port, the others the first
  // free port from 1 of the lowest controller with one.
  let n = 0;
  const channel = (address = "") =>
    `<channel type='pty'><target type='virtio' name='org.linux-kvm.port.${n++}'/>` +
    `${address}</channel>`;
  const xml = domain(
    "<controller type='virtio-serial' index='0' ports='16' vectors='4'/>" +
      "<controller type='virtio-serial' index='1'/>" +
      channel("<address type='virtio-serial' controller='1' bus='0' port='1'/>") +
      channel() + channel("<address type='virtio-serial' controller='1' bus='0'/>") + channel(),
  );
  const ports = defined(xml).devices.other.filter((d) => d.name === "channel").map((d) => {
    const a = child(d, "address")!.attributes;
    return `${a.controller}:${a.bus}:${a.port}`;
  });
  assert.deepEqual(ports, ["1:0:1", "0:0:1", "1:0:2", "0:0:2"]);
  const argv = argvOf(xml);
  // qemuxml2argvdata/channel-virtio-auto.args: max_ports and vectors after the id.
  assert.ok(
    devicesOf(argv).some((d) =>
      /^virtio-serial-pci,id=virtio-serial0,max_ports=16,vectors=4,bus=/.test(d)
    ),
  );
});

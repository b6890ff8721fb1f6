// PCI topology, host devices and video as libvirt 9.0's QEMU driver defines and starts them:
// the start side of what the corpus (corpus_test.ts) compares on define.
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { child } from "../../../util/xml/mod.ts";

const domain = (devices: string, machine = "pc") =>
  "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
  `<os><type arch='x86_64' machine='${machine}'>hvm</type></os><devices>${devices}</devices></domain>`;

function defined(xml: string) {
  const def = parseDomainXML(xml, 0, false, true);
  qemuPostParse(def);
  return def;
}

function argvOf(xml: string): string[] {
  const def = defined(xml);
  assignDeviceAliases(def);
  return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/ev/vm.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
    tpmSocket: "/run/ev/swtpm/1-vm-swtpm.sock",
  });
}

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

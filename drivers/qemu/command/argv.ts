/**
 * Domain definition → QEMU command line (libvirt's `qemuBuildCommandLine`, for the devices
 * edgevirt supports). The result is an argv array for a direct exec: no shell is involved.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";
import type { VcpuState } from "../hotplug/types.ts";
import { optValue } from "./escape.ts";

/** Host-side inputs of the command line. */
export interface CommandOptions {
  /** QMP socket path. */
  monitorPath: string;
  /** `kvm` only where /dev/kvm works. */
  accel: "tcg" | "kvm";
}

const elements = (el: XmlElement) =>
  el.children.filter((c): c is XmlElement => c.type === "element");
const child = (el: XmlElement, name: string) => elements(el).find((c) => c.name === name);

/**
 * The `-smp` value: only online vCPUs that are not hotpluggable exist at boot; the others are
 * plugged over QMP right after start.
 *
 * @example
 * ```ts
 * import { smpArg } from "./argv.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * import type { VcpuState } from "../hotplug/types.ts";
 * declare const def: DomainDef, vcpus: VcpuState[];
 * smpArg(def, vcpus); // "1,maxcpus=4,sockets=4,dies=1,cores=1,threads=1"
 * ```
 */
export function smpArg(def: DomainDef, vcpus: VcpuState[]): string {
  const boot = vcpus.filter((v) => v.online && !v.hotpluggable).length;
  const t = def.cpu?.topology ?? { sockets: vcpus.length, dies: 1, cores: 1, threads: 1 };
  return `${boot},maxcpus=${vcpus.length},sockets=${t.sockets},dies=${t.dies},` +
    `cores=${t.cores},threads=${t.threads}`;
}

/**
 * The full argv (without the emulator path).
 *
 * @example
 * ```ts
 * import { buildQemuArgv } from "./argv.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * import type { VcpuState } from "../hotplug/types.ts";
 * declare const def: DomainDef, vcpus: VcpuState[];
 * const argv = buildQemuArgv(def, vcpus, { monitorPath: "/tmp/vm.qmp", accel: "tcg" });
 * ```
 */
export function buildQemuArgv(def: DomainDef, vcpus: VcpuState[], opts: CommandOptions): string[] {
  const argv = [
    "-name",
    `guest=${optValue(def.name)},debug-threads=on`,
    "-S",
    "-no-user-config",
    "-nodefaults",
    "-machine",
    `${optValue(def.os.machine ?? "pc")},usb=off`,
    "-accel",
    opts.accel,
  ];
  const model = def.cpu?.extra.find((e) => e.name === "model");
  const modelName = model?.children.map((c) => c.type === "text" ? c.text : "").join("").trim();
  if (modelName) argv.push("-cpu", optValue(modelName));
  argv.push(
    "-m",
    `size=${def.memory.total}k`,
    "-smp",
    smpArg(def, vcpus),
    "-uuid",
    def.uuid,
    "-display",
    "none",
    "-qmp",
    `unix:${optValue(opts.monitorPath)},server=on,wait=off`,
    // A powered-off guest only pauses: the driver decides between ending QEMU and a fake
    // reboot, and sets the reset action over QMP (libvirt does both with QEMU >= 6.0).
    "-no-shutdown",
  );
  const counters = { disk: 0, serial: 0, vnc: 0 };
  for (const dev of def.devices.other) argv.push(...deviceArgs(dev, counters));
  def.devices.interfaces.forEach((net, i) => {
    if (net.type !== "user") return;
    argv.push("-netdev", `user,id=hostnet${i}`);
    const model = net.model ?? "e1000";
    const nic = model === "virtio" ? "virtio-net-pci" : model;
    const mac = net.mac ? `,mac=${optValue(net.mac)}` : "";
    argv.push("-device", `${optValue(nic)},netdev=hostnet${i},id=net${i}${mac}`);
  });
  return argv;
}

function deviceArgs(dev: XmlElement, n: { disk: number; serial: number; vnc: number }): string[] {
  switch (dev.name) {
    case "disk":
      return diskArgs(dev, n.disk++);
    case "serial":
      return serialArgs(dev, n.serial++);
    case "graphics":
      if (dev.attributes.type !== "vnc" || n.vnc++) return [];
      return vncArgs(dev);
    case "memballoon":
      return dev.attributes.model === "virtio" ? ["-device", "virtio-balloon-pci,id=balloon0"] : [];
    default:
      return [];
  }
}

function diskArgs(dev: XmlElement, index: number): string[] {
  const file = child(dev, "source")?.attributes.file;
  if (dev.attributes.type !== "file" || !file) return [];
  const format = child(dev, "driver")?.attributes.type === "qcow2" ? "qcow2" : "raw";
  const bus = child(dev, "target")?.attributes.bus ?? "virtio";
  const cdrom = dev.attributes.device === "cdrom";
  const ro = cdrom || child(dev, "readonly") ? ",readonly=on" : "";
  const id = `drive${index}`;
  const front = cdrom ? "ide-cd" : bus === "virtio" ? "virtio-blk-pci" : "ide-hd";
  // QEMU knows the device by its libvirt alias, as the live XML shows it.
  const alias = child(dev, "alias")?.attributes.name ?? `disk${index}`;
  return [
    "-drive",
    `file=${optValue(file)},format=${format},if=none,id=${id}${ro}`,
    "-device",
    `${front},drive=${id},id=${optValue(alias)}`,
  ];
}

function serialArgs(dev: XmlElement, index: number): string[] {
  const id = `charserial${index}`;
  const path = child(dev, "source")?.attributes.path;
  const backend = dev.attributes.type === "file" && path
    ? `file,id=${id},path=${optValue(path)}`
    : `pty,id=${id}`;
  return ["-chardev", backend, "-serial", `chardev:${id}`];
}

function vncArgs(dev: XmlElement): string[] {
  const port = Number(dev.attributes.port);
  // Always loopback: edgevirt never exposes a console on the network by itself.
  const display = port >= 5900 ? `${port - 5900}` : "0,to=99";
  return ["-vnc", `127.0.0.1:${display}`];
}

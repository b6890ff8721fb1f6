/**
 * Domain definition → QEMU command line (libvirt's `qemuBuildCommandLine`, for the devices
 * edgevirt supports). The result is an argv array for a direct exec: no shell is involved.
 *
 * @module
 */
import { shareBacking } from "../disk_transient_validate.ts";
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";
import type { VcpuState } from "../hotplug/types.ts";
import { child, textOf } from "../../../util/xml/mod.ts";
import { isQ35 } from "../default_devices.ts";
import { loaderOf } from "../loader.ts";
import { loaderArgs, pflashArgs } from "./firmware_args.ts";
import { tsegArgs } from "../smm.ts";
import { featureMachineOptions } from "./machine_features.ts";
import { memorySizeArg } from "../memory_hotplug.ts";
import { iommuArgs } from "./iommu_args.ts";
import { helperNetdev } from "../net/bridge_helper.ts";
import { hostMtu } from "../net/ethernet.ts";
import type { NicRuntime } from "../net/nics.ts";
import { authOf, type DiskSecret, encryptionOf } from "../disk_secret.ts";
import {
  chainBlockdevs,
  diskDeviceProps,
  diskFrontendProps,
  frontendNode,
  virtioBlkDriver,
  virtioBlkProps,
} from "../api/device_disk.ts";
import { diskLayers } from "../api/disk_layers.ts";
import { virtserialportProps } from "../virtio_serial.ts";
import { optValue } from "./escape.ts";
import { VirError } from "../../../util/errors.ts";
import { cpuFeatureToQemu } from "../cpu_features.ts";
import { iothreadObjectArgs, iothreadProp } from "./iothread_args.ts";
import { memoryArgs } from "./memory_args.ts";
import { memoryDeviceArgs } from "./memory_device_args.ts";
import { audiodevArgs, audioIdOf, soundArgs } from "./audio_args.ts";
import { virtioOptions } from "./virtio_options.ts";
import { chardevBackend } from "./chardev_args.ts";
import { rngArgs } from "./rng_args.ts";
import { watchdogArgs } from "./watchdog_args.ts";
import { filesystemArgs } from "./fs_args.ts";
import { shmemArgs } from "./shmem_args.ts";
import { virtioInputArgs } from "./input_args.ts";
import { spiceArgs } from "./spice_args.ts";
import { videoArgs } from "./video_args.ts";
import { pciControllerArgs } from "./pci_controller_args.ts";
import { redirdevArgs } from "./redirdev_args.ts";
import { tpmArgs } from "./tpm_args.ts";
import { applyDeviceOverrides, compatArgs } from "./namespace_args.ts";
import type { HugepageFolder } from "../memory_dir.ts";
import {
  unsupported,
  unsupportedChardev,
  unsupportedDevice,
  unsupportedEncryption,
} from "./unsupported.ts";

/** `<os>` children of a direct kernel boot and their QEMU options, in libvirt's order. */
const DIRECT_BOOT = [
  ["kernel", "-kernel"],
  ["initrd", "-initrd"],
  ["cmdline", "-append"],
  ["dtb", "-dtb"],
] as const;

/** Host-side inputs of the command line. */
export interface CommandOptions {
  /** QMP socket path. */
  monitorPath: string;
  /** `tcg` for `type='qemu'`, `kvm` for `type='kvm'` (see `accelOf`). */
  accel: "tcg" | "kvm";
  /** The domain's memory folder, where file-backed memory goes (see `memory_dir.ts`). */
  memoryDir: string;
  /** The domain's folder on each hugetlbfs mount, where huge page memory goes; none without. */
  hugepages?: readonly HugepageFolder[];
  /**
   * The host side of each network or bridge NIC (see `drivers/qemu/net/`): the tap the driver
   * made, or the bridge helper QEMU runs.
   */
  taps?: ReadonlyMap<DomainInterface, Pick<NicRuntime, "ifname" | "helper" | "fd">>;
  /** The host path of each `<disk type='volume'>`, resolved through the storage driver. */
  volumes?: ReadonlyMap<XmlElement, string>;
  /**
   * The key of each LUKS-encrypted disk (by disk) and the password of each network source's
   * `<auth>` (by that element): QEMU secret objects read from files.
   */
  secrets?: ReadonlyMap<XmlElement, DiskSecret>;
  /** The domain's private folder, where the sockets of the virtiofsd the driver runs are. */
  virtiofsDir?: string;
  /** The control socket of the domain's TPM emulator (see `swtpm.ts`). */
  tpmSocket?: string;
  /**
   * A start from saved state: `-incoming` or `-loadvm`, which libvirt writes after the devices
   * and before the `<qemu:arg>`s.
   */
  resume?: readonly string[];
}

/**
 * The `-smp` value: only online vCPUs that are not hotpluggable exist at boot; the others are
 * plugged over QMP right after start.
 *
 * @example
 * ```ts
 * import { smpArg } from "./argv.ts";
 * import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
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

/** Feature policies as `-cpu` switches them (optional ones are left to the model). */
const FEATURE_SWITCH: Record<string, string> = {
  force: "on",
  require: "on",
  disable: "off",
  forbid: "off",
};

/**
 * `qemuBuildCpuModelArgStr`: `max` or `host` (with `migratable`) for a maximum or
 * host-passthrough CPU; for a custom one the model, its `vendor_id` and each feature switched on
 * or off in QEMU's spelling; undefined without a model.
 */
function cpuArg(def: DomainDef): string | undefined {
  const whole = def.cpu?.mode === "maximum"
    ? "max"
    : def.cpu?.mode === "host-passthrough"
    ? "host"
    : undefined;
  if (whole) {
    return whole + (def.cpu!.migratable ? `,migratable=${optValue(def.cpu!.migratable)}` : "");
  }
  const model = def.cpu?.extra.find((e) => e.name === "model");
  const modelName = model?.children.map((c) => c.type === "text" ? c.text : "").join("").trim();
  if (!modelName) return undefined;
  const vendorId = model!.attributes.vendor_id;
  const features = def.cpu!.extra.filter((e) => e.name === "feature").flatMap((f) => {
    const on = FEATURE_SWITCH[f.attributes.policy ?? "require"];
    return on
      ? [`,${optValue(cpuFeatureToQemu(def.os.arch ?? "x86_64", f.attributes.name))}=${on}`]
      : [];
  });
  return optValue(modelName) + (vendorId ? `,vendor=${optValue(vendorId)}` : "") +
    features.join("");
}

/**
 * The full argv (without the emulator path).
 *
 * @example
 * ```ts
 * import { buildQemuArgv } from "./argv.ts";
 * import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
 * import type { VcpuState } from "../hotplug/types.ts";
 * declare const def: DomainDef, vcpus: VcpuState[];
 * const argv = buildQemuArgv(def, vcpus, {
 *   monitorPath: "/tmp/vm.qmp",
 *   accel: "tcg",
 *   memoryDir: "/tmp/ram/1-vm",
 * });
 * ```
 */
export function buildQemuArgv(def: DomainDef, vcpus: VcpuState[], opts: CommandOptions): string[] {
  const memory = memoryArgs(def, opts.memoryDir, opts.hugepages ?? []);
  const loader = loaderOf(def);
  const pflash = pflashArgs(loader);
  const argv = [
    "-name",
    `guest=${optValue(def.name)},debug-threads=on`,
    ...compatArgs(def),
    "-S",
    "-no-user-config",
    "-nodefaults",
    ...pflash.blockdevs,
    "-machine",
    // As qemuBuildMachineCommandLine: features, then memory, then the pflash nodes.
    `${optValue(def.os.machine ?? "pc")},usb=off${
      featureMachineOptions(def)
    }${memory.machineProps}${pflash.machine}`,
    "-accel",
    opts.accel,
    ...tsegArgs(def),
  ];
  const cpu = cpuArg(def);
  if (cpu) argv.push("-cpu", cpu);
  argv.push(...loaderArgs(loader));
  argv.push(
    "-m",
    memorySizeArg(def),
    ...memory.ram,
    "-smp",
    smpArg(def, vcpus),
    ...iothreadObjectArgs(def),
    ...memory.numa,
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
  // QEMU's machines have ACPI on by default; libvirt turns it off unless the XML asks for it.
  const features = def.sections.find((s) => s.name === "features");
  if (!features || !child(features, "acpi")) argv.push("-no-acpi");
  // libvirt always asks for a strict boot: only the devices given a bootindex are tried.
  argv.push("-boot", "strict=on");
  // qemuBuildBootCommandLine: a direct kernel boot, QEMU opening the files itself.
  for (const [name, flag] of DIRECT_BOOT) {
    const value = textOf(def.os.extra.find((e) => e.name === name));
    if (value) argv.push(flag, value);
  }
  const ctx: DeviceContext = {
    n: { serial: 0, vnc: 0, spice: 0, fdc: 0 },
    placer: pciPlacer(def),
    boot: bootIndexer(def),
    controllers: def.devices.other.filter((d) => d.name === "controller"),
    volumes: opts.volumes ?? new Map(),
    secrets: opts.secrets ?? new Map(),
    tpmSocket: opts.tpmSocket,
    def,
    memoryDir: opts.memoryDir,
    hugepages: opts.hugepages ?? [],
    virtiofsDir: opts.virtiofsDir ?? "",
  };
  const rank = (d: XmlElement) =>
    d.name === "controller"
      ? (d.attributes.type === "pci" ? DEVICE_RANK.pciController : DEVICE_RANK.controller)
      : DEVICE_RANK[d.name] ?? DEVICE_RANK.other;
  const ordered = [...def.devices.other].sort((a, b) => rank(a) - rank(b));
  for (const dev of ordered) argv.push(...deviceArgs(dev, ctx));
  def.devices.interfaces.forEach((net, i) => {
    // libvirt names a NIC's backend after its alias (`host` + alias), as hotplug does too.
    const alias = net.extra.find((e) => e.name === "alias")?.attributes.name ?? `net${i}`;
    argv.push("-netdev", netdevArg(net, `host${alias}`, opts.taps?.get(net)));
    const model = net.model ?? "e1000";
    const nic = model === "virtio" ? "virtio-net-pci" : model;
    const mac = net.mac ? `,mac=${optValue(net.mac)}` : "";
    const mtu = hostMtu(net);
    const address = net.extra.find((e) => e.name === "address");
    argv.push(
      "-device",
      `${optValue(nic)}${mtu ? `,host_mtu=${mtu}` : ""},netdev=${optValue(`host${alias}`)},id=${
        optValue(alias)
      }${mac}${ctx.placer(address)}` +
        ctx.boot(net),
    );
  });
  argv.push(...opts.resume ?? []);
  // The overrides touch libvirt's own devices only, not those of <qemu:arg>, which go last.
  return [...applyDeviceOverrides(argv, def), ...def.qemuNamespace?.args ?? []];
}

/**
 * The `-netdev` backend of a NIC: user networking, the tap the driver made on the NIC's
 * bridge, opened by name (QEMU runs no script: the driver set the tap up and removes it), or
 * the bridge helper's tap, or a macvtap's device QEMU was given open (`fd`), or an ethernet
 * NIC's own tap, by name too. Any other NIC has
 * no backend here and is refused.
 */
function netdevArg(
  net: DomainInterface,
  id: string,
  tap: Pick<NicRuntime, "ifname" | "helper" | "fd"> | undefined,
): string {
  if (net.type === "user") return `user,id=${optValue(id)}`;
  if ((net.type === "direct" || net.type === "ethernet") && tap?.fd !== undefined) {
    return `tap,id=${optValue(id)},fd=${tap.fd}`;
  }
  if ((net.type === "network" || net.type === "bridge") && tap?.helper) {
    return Object.entries(helperNetdev(net, id)).map(([k, v]) =>
      k === "type" ? v : `${k}=${optValue(v)}`
    ).join(",");
  }
  if ((net.type === "network" || net.type === "bridge" || net.type === "ethernet") && tap?.ifname) {
    return `tap,id=${optValue(id)},ifname=${optValue(tap.ifname)},script=no,downscript=no`;
  }
  throw unsupported(`interface type '${net.type}' is not supported with this QEMU binary`);
}

/**
 * `,bus=…,addr=…` for a device's PCI `<address>` (empty for none), so QEMU puts every device
 * where the XML says it is, as libvirt does: the bus is the alias of the PCI controller with that
 * index (`pci.0` on i440fx, `pcie.0` on q35's root, `pci.N` for a root port), `addr` is the
 * slot, with `.function` when it is not 0.
 */
type PciPlacer = (address: XmlElement | undefined) => string;

function pciPlacer(def: DomainDef): PciPlacer {
  const root = isQ35(def) ? "pcie.0" : "pci.0";
  return (address) => {
    const a = address?.attributes;
    if (a?.type !== "pci") return "";
    const bus = Number(a.bus ?? 0);
    const slot = `0x${Number(a.slot ?? 0).toString(16)}`;
    const fn = Number(a.function ?? 0);
    const multi = a.multifunction === "on" ? ",multifunction=on" : "";
    return `,bus=${bus ? `pci.${bus}` : root}${multi},addr=${
      fn ? `${slot}.0x${fn.toString(16)}` : slot
    }`;
  };
}

/** `,bootindex=N` for a disk element or an interface that boots, empty for the others. */
type BootIndexer = (dev: object) => string;

/** Which `<boot dev>` entry each disk kind (`<disk device>`) answers to. */
const BOOT_DEVS: Record<string, string> = { cdrom: "cdrom", disk: "hd", lun: "hd", floppy: "fd" };

/**
 * libvirt's `qemuProcessPrepareDeviceBootorder`: a `<boot order>` of the device's own is its
 * bootindex; otherwise each `<os><boot dev>` gives its 1-based position to the first disk of
 * that kind (in definition order) and `network` to the first NIC. The parser allows only one of
 * the two forms.
 */
function bootIndexer(def: DomainDef): BootIndexer {
  const index = new Map<object, string>();
  const kinds = new Map((def.os.boot ?? []).map((dev, i) => [dev, String(i + 1)]));
  for (const disk of def.devices.other.filter((d) => d.name === "disk")) {
    const order = child(disk, "boot")?.attributes.order;
    const kind = BOOT_DEVS[disk.attributes.device ?? "disk"];
    if (order) index.set(disk, order);
    else if (kinds.has(kind)) index.set(disk, kinds.get(kind)!);
    kinds.delete(kind);
  }
  def.devices.interfaces.forEach((net, i) => {
    const order = net.extra.find((e) => e.name === "boot")?.attributes.order ??
      (i === 0 ? kinds.get("network") : undefined);
    if (order) index.set(net, order);
  });
  return (dev) => index.has(dev) ? `,bootindex=${Number(index.get(dev))}` : "";
}

/** QEMU device of each `<controller>` model edgevirt starts (PCI ones, placed by address). */
const CONTROLLER_DEVICES: Record<string, string> = {
  "qemu-xhci": "qemu-xhci",
  "nec-xhci": "nec-usb-xhci",
  "piix3-uhci": "piix3-usb-uhci",
  // ICH9's USB2: the EHCI master and its UHCI companions (on the master's bus).
  "ich9-ehci1": "ich9-usb-ehci1",
  "ich9-uhci1": "ich9-usb-uhci1",
  "ich9-uhci2": "ich9-usb-uhci2",
  "ich9-uhci3": "ich9-usb-uhci3",
  "virtio-scsi": "virtio-scsi-pci",
  // qemuBuildControllerSCSIDevProps's devices that QEMU 7.2 has.
  lsilogic: "lsi",
  lsisas1068: "mptsas1068",
  lsisas1078: "megasas",
  am53c974: "am53c974",
};

/**
 * Where each kind of device comes on the command line (libvirt's order): the IOMMU first, as it
 * must see every PCI device plugged; PCI controllers, then the other controllers, the memory
 * devices, then USB hubs, since a bus must exist before QEMU plugs a device into it; then the rest.
 */
const DEVICE_RANK: Record<string, number> = {
  iommu: 0,
  pciController: 1,
  controller: 2,
  memory: 3,
  hub: 4,
  other: 5,
};

/** QEMU device of each USB `<input>` type. */
const USB_INPUTS: Record<string, string> = {
  tablet: "usb-tablet",
  keyboard: "usb-kbd",
  mouse: "usb-mouse",
};

const aliasOf = (dev: XmlElement) => child(dev, "alias")?.attributes.name;

/** What placing one device needs besides the device itself. */
interface DeviceContext {
  /** Devices of each kind started so far. */
  n: { serial: number; vnc: number; spice: number; fdc: number };
  placer: PciPlacer;
  boot: BootIndexer;
  /** The `<controller>` elements, whose aliases name the IDE/SATA buses. */
  controllers: XmlElement[];
  /** Host paths of volume disks. */
  volumes: ReadonlyMap<XmlElement, string>;
  /** Keys of encrypted disks and passwords of network sources. */
  secrets: ReadonlyMap<XmlElement, DiskSecret>;
  /** The TPM emulator's control socket. */
  tpmSocket?: string;
  /** The definition, whose controllers name the buses. */
  def: DomainDef;
  /** Where file-backed memory devices and huge pages go. */
  memoryDir: string;
  hugepages: readonly HugepageFolder[];
  /** Where the sockets of the virtiofsd the driver runs are. */
  virtiofsDir: string;
}

/**
 * The arguments of one device; a device the command line cannot start is refused (thrown), never
 * left out. Devices the machine has built in (its root bus, IDE or SATA controller, PS/2 input)
 * and models meaning "none" need no argument.
 */
function deviceArgs(dev: XmlElement, ctx: DeviceContext): string[] {
  const n = ctx.n;
  const at = ctx.placer(child(dev, "address"));
  const model = dev.attributes.model ?? child(dev, "model")?.attributes.type;
  switch (dev.name) {
    case "controller":
      return builtInController(dev) ? pciHoleArgs(dev) : controllerArgs(dev, at, ctx.controllers);
    case "disk":
      return diskArgs(dev, ctx);
    case "serial":
      return serialArgs(dev, n.serial++);
    case "channel":
      return channelArgs(dev, ctx.def);
    case "console": {
      // The console of an x86 guest is a view of serial 0, started with it.
      const target = child(dev, "target")?.attributes.type;
      if (target === "serial") return [];
      if (target !== "virtio") throw unsupportedDevice(dev);
      return isaOrVirtioChar(dev, "virtconsole");
    }
    case "parallel":
      return isaOrVirtioChar(dev, "isa-parallel");
    case "hub": {
      const placement = usbPlacement(dev);
      if (dev.attributes.type !== "usb" || !aliasOf(dev) || !placement) {
        throw unsupportedDevice(dev, "usb-hub");
      }
      return ["-device", `usb-hub,id=${optValue(aliasOf(dev)!)}${placement}`];
    }
    case "graphics": {
      const type = dev.attributes.type;
      if (type !== "vnc" && type !== "spice") {
        throw unsupported(`${type} graphics are not supported with this QEMU`);
      }
      if (n[type]++) {
        throw unsupported(
          "only 1 graphics device of each type (sdl, vnc, spice, dbus) is supported",
        );
      }
      return type === "vnc" ? vncArgs(dev, audioIdOf(ctx.def, dev)) : spiceArgs(dev);
    }
    case "video":
      return videoArgs(dev, at);
    case "redirdev":
      return redirdevArgs(ctx.def, dev, usbPlacement(dev));
    case "redirfilter":
      // The rules of every redirected USB device, written on each of them.
      return [];
    case "input":
      if (dev.attributes.bus === "virtio") return virtioInputArgs(dev, at);
      return dev.attributes.bus === "ps2" ? [] : usbInputArgs(dev);
    case "audio":
      return audiodevArgs(dev);
    case "sound":
      return soundArgs(ctx.def, dev, at || usbPlacement(dev));
    case "panic":
      return panicArgs(dev);
    case "rng":
      return rngArgs(dev, at);
    case "filesystem":
      return filesystemArgs(dev, at, ctx.virtiofsDir);
    case "shmem":
      return shmemArgs(dev, at);
    case "memory":
      return memoryDeviceArgs(ctx.def, dev, at, ctx.memoryDir, ctx.hugepages);
    case "iommu":
      return iommuArgs(dev);
    case "tpm":
      return tpmArgs(dev, ctx.tpmSocket);
    case "watchdog":
      return watchdogArgs(dev, at);
    case "memballoon": {
      if (model === "none") return [];
      if (model !== "virtio") {
        throw unsupported(
          `Memory balloon device type '${model}' is not supported by this version of qemu`,
        );
      }
      const [flag, arg] = placed(dev, "virtio-balloon-pci", at);
      return [flag, arg + virtioOptions(child(dev, "driver"))];
    }
    default:
      throw unsupportedDevice(dev);
  }
}

/** `-device DRIVER,id=ALIAS` at a PCI address; refused without all three. */
function placed(dev: XmlElement, driver: string | undefined, at: string): string[] {
  const alias = aliasOf(dev);
  if (!driver || !alias || !at) throw unsupportedDevice(dev, driver);
  return ["-device", `${driver},id=${optValue(alias)}${at}`];
}

/**
 * The controllers every machine has built in: its PCI root, the chipset's IDE (i440fx) or SATA
 * (q35) controller, and a USB controller of model none (no USB at all).
 */
function builtInController(dev: XmlElement): boolean {
  const { type, model, index } = dev.attributes;
  if (type === "pci") return model === "pci-root" || model === "pcie-root";
  if (type === "usb") return model === "none";
  // The floppy controller comes with the first floppy drive (see `floppyController`).
  if (type === "fdc") return true;
  return (type === "ide" || type === "sata") && Number(index ?? 0) === 0;
}

/**
 * The ISA pvpanic device, through which the guest reports a panic (QMP GUEST_PANICKED), at
 * the I/O port of an `<address type='isa'>` (libvirt's `qemuBuildPanicCommandLine`: pvpanic
 * calls it `ioport`, not `iobase`). The other models are no device: hyperv is a CPU feature,
 * s390 and pseries are built into their machines.
 */
function panicArgs(dev: XmlElement): string[] {
  if (dev.attributes.model !== "isa") throw unsupportedDevice(dev, "pvpanic");
  const a = child(dev, "address")?.attributes;
  const ioport = a?.type === "isa" && a.iobase !== undefined ? `,ioport=${Number(a.iobase)}` : "";
  return ["-device", `pvpanic${ioport}`];
}

function controllerArgs(dev: XmlElement, at: string, controllers: XmlElement[]): string[] {
  const { type, model } = dev.attributes;
  if (type === "pci") return pciControllerArgs(dev, at);
  // virtio-serial has no model attribute: its type names the device.
  const driver = type === "virtio-serial"
    ? "virtio-serial-pci"
    : CONTROLLER_DEVICES[model ?? (type === "scsi" ? "virtio-scsi" : "")];
  const alias = aliasOf(dev);
  if (!driver || !alias || !at) throw unsupportedDevice(dev, driver ?? model ?? type);
  const iothread = iothreadProp(dev).iothread;
  // An XHCI controller's USB2 and USB3 root hub ports (qemuBuildUSBControllerDevProps).
  const ports = dev.attributes.ports;
  const xhci = ports !== undefined && driver.endsWith("xhci") ? `,p2=${ports},p3=${ports}` : "";
  // A virtio-serial controller's port count and MSI vectors, after its id.
  const { vectors } = dev.attributes;
  const serial = type !== "virtio-serial"
    ? ""
    : (ports !== undefined ? `,max_ports=${ports}` : "") +
      (vectors !== undefined ? `,vectors=${vectors}` : "");
  return [
    "-device",
    `${driver}${xhci}${iothread ? `,iothread=${iothread}` : ""}${
      usbCompanion(dev, controllers) ?? `,id=${optValue(alias)}`
    }${serial}${at}`,
  ];
}

/** The PCI host bridge whose 64-bit hole a root controller's `<pcihole64>` sizes. */
const PCI_HOSTS: Record<string, string> = {
  "pci-root": "i440FX-pcihost",
  "pcie-root": "q35-pcihost",
};

/**
 * `-global HOST.pci-hole64-size=NK` for a PCI root's `<pcihole64>`
 * (qemuBuildGlobalControllerCommandLine; given here at the controller's turn).
 */
function pciHoleArgs(dev: XmlElement): string[] {
  const hole = child(dev, "pcihole64");
  const host = PCI_HOSTS[dev.attributes.model ?? ""];
  if (!hole || dev.attributes.type !== "pci") return [];
  if (!host) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      "64-bit PCI hole setting is only for root PCI controllers",
    );
  }
  return ["-global", `${host}.pci-hole64-size=${textOf(hole)}K`];
}

/**
 * A USB companion controller (one with a `<master>`) joins its master's bus instead of making
 * one: `,masterbus=ALIAS.0,firstport=N` (qemuBuildUSBControllerDevProps), the master being the
 * USB controller of the same index that has no `<master>`.
 */
function usbCompanion(dev: XmlElement, controllers: XmlElement[]): string | undefined {
  const master = child(dev, "master");
  if (dev.attributes.type !== "usb" || !master) return undefined;
  const index = dev.attributes.index ?? "0";
  const bus = controllers.find((c) =>
    c.attributes.type === "usb" && (c.attributes.index ?? "0") === index && !child(c, "master")
  );
  const alias = bus && aliasOf(bus);
  if (!alias) throw VirError.report("QEMU", "INTERNAL_ERROR", "masterbus not found");
  return `,masterbus=${optValue(`${alias}.0`)},firstport=${Number(master.attributes.startport)}`;
}

/**
 * `,bus=usb.N,port=P` for a device's `<address type='usb'>` (the root hub of controller N),
 * empty for none.
 */
function usbPlacement(dev: XmlElement): string {
  const a = child(dev, "address")?.attributes;
  return a?.type === "usb" ? `,bus=usb.${Number(a.bus ?? 0)},port=${optValue(a.port)}` : "";
}

/** A USB tablet, keyboard or mouse on the port its `<address type='usb'>` names. */
function usbInputArgs(dev: XmlElement): string[] {
  const driver = USB_INPUTS[dev.attributes.type];
  const alias = aliasOf(dev);
  const at = usbPlacement(dev);
  if (dev.attributes.bus !== "usb" || !driver || !alias || !at) {
    throw unsupportedDevice(dev, driver ?? `${dev.attributes.bus}-${dev.attributes.type}`);
  }
  return ["-device", `${driver},id=${optValue(alias)}${at}`];
}

/**
 * `,bus=…` (and `,unit=…`) for an IDE or SATA disk's `<address type='drive'>`, as libvirt's
 * `qemuBuildDeviceAddressDriveProps`: an IDE controller has a bus per channel with two units, an
 * AHCI (SATA) controller a bus per port, so SATA's unit picks the bus. The bus prefix is the
 * controller's alias (`ide` for the chipset's own, whichever of the two it is).
 */
function drivePlacement(dev: XmlElement, bus: string, controllers: XmlElement[]): string {
  const a = child(dev, "address")?.attributes;
  if (a?.type !== "drive") return "";
  const controller = controllers.find((c) =>
    c.attributes.type === bus && Number(c.attributes.index ?? 0) === Number(a.controller ?? 0)
  );
  const alias = controller && aliasOf(controller);
  if (!alias) return "";
  const unit = Number(a.unit ?? 0);
  return bus === "sata"
    ? `,bus=${optValue(alias)}.${unit}`
    : `,bus=${optValue(alias)}.${Number(a.bus ?? 0)},unit=${unit}`;
}

/**
 * `,bus=…,channel=…,scsi-id=…,lun=…,device_id=…` of a SCSI disk at a `drive` address on a SCSI
 * controller this driver starts (`qemuBuildDeviceAddressDriveProps`, as hotplug places it);
 * empty when there is no such controller.
 */
function scsiPlacement(dev: XmlElement, ctx: DeviceContext): string {
  const a = child(dev, "address")?.attributes;
  if (a?.type !== "drive") return "";
  const controller = ctx.controllers.find((c) =>
    c.attributes.type === "scsi" && Number(c.attributes.index ?? 0) === Number(a.controller ?? 0)
  );
  if (!CONTROLLER_DEVICES[controller?.attributes.model ?? ""]) return "";
  const { driver: _, ...props } = diskDeviceProps(ctx.def, dev);
  return ["bus", "channel", "scsi-id", "lun", "device_id"].filter((k) => k in props)
    .map((k) => `,${k}=${optValue(String(props[k]))}`).join("");
}

/**
 * A disk: each image of its chain as a `-blockdev` storage and format node pair, named
 * `libvirt-N-*` by the source index the start gave it (see `disk_chains.ts`), in libvirt's JSON
 * form (a file, a host block device or a network source, see `disk_layers.ts`), a copy-on-read
 * filter on top when asked, and the frontend libvirt starts for its bus, at its address, named
 * by its alias, with its bootindex. A floppy's boot index goes to the floppy controller, which
 * the first floppy brings (`qemuBuildFloppyCommandLineControllerOptions`). Any other disk (a
 * bus without a frontend here, no address the bus can use) is refused.
 */
function diskArgs(dev: XmlElement, ctx: DeviceContext): string[] {
  // A volume disk is the file or block device its storage pool gave as the volume's path; a
  // network source's credentials are a secret object its storage node names.
  const auth = authOf(dev);
  const password = auth && ctx.secrets.get(auth);
  const chain = diskLayers(dev, ctx.volumes.get(dev), password || undefined);
  // An encrypted image without its key would reach the guest as ciphertext: refused.
  const encryption = encryptionOf(dev);
  const secret = ctx.secrets.get(dev);
  if (encryption && !secret) throw unsupportedEncryption(encryption);
  const bus = child(dev, "target")?.attributes.bus ?? "virtio";
  const cdrom = dev.attributes.device === "cdrom";
  // SCSI passthrough: scsi-block, or virtio-blk's SG_IO switch (which QEMU 7.2 refuses with
  // virtio 1.0, as it refuses libvirt's).
  const lun = dev.attributes.device === "lun";
  const unit = Number(child(dev, "address")?.attributes.unit ?? 0);
  const [front, at] = bus === "virtio"
    ? [`${virtioBlkDriver(dev)}${lun ? ",scsi=on" : ""}`, ctx.placer(child(dev, "address"))]
    : bus === "usb"
    ? ["usb-storage", usbPlacement(dev)]
    : bus === "ide" || bus === "sata"
    ? [cdrom ? "ide-cd" : "ide-hd", drivePlacement(dev, bus, ctx.controllers)]
    : bus === "scsi"
    ? [lun ? "scsi-block" : cdrom ? "scsi-cd" : "scsi-hd", scsiPlacement(dev, ctx)]
    : bus === "fdc"
    ? ["floppy", `,unit=${unit}`]
    : [];
  // QEMU knows the device by its libvirt alias, as the live XML shows it.
  const alias = aliasOf(dev);
  if (!front || !at || !alias) throw unsupportedDevice(dev, front ?? `${bus} disk`);
  // A transient disk sharing its backing image is plugged once QEMU runs, on its overlay.
  if (shareBacking(dev)) return [];
  const controller = bus === "fdc" ? floppyController(ctx) : [];
  const iothread = iothreadProp(dev).iothread;
  const device = `${optValue(alias)}${bus === "fdc" ? "" : at}${
    bus === "fdc" ? "" : ctx.boot(dev)
  }${iothread ? `,iothread=${iothread}` : ""}`;
  const unitArg = bus === "fdc" ? at : "";
  // An empty cdrom or floppy drive is a frontend without a backend (libvirt's too); a disk
  // needs a medium.
  // The frontend's own properties (serial, WWN, geometry, error policies, …) as libvirt's.
  const { iothread: _, ...virtio } = bus === "virtio" ? virtioBlkProps(dev) : { iothread: {} };
  const extras = Object.entries({ ...virtio, ...diskFrontendProps(dev) })
    .map(([k, v]) => `,${k}=${optValue(String(v))}`).join("");
  if (!chain.length && (cdrom || bus === "fdc")) {
    return [...controller, "-device", `${front}${unitArg},id=${device}${extras}`];
  }
  if (!chain.length) throw unsupportedDevice(dev, `${front} without medium`);
  const nodes = chainBlockdevs(dev, chain, true, secret?.id);
  const object = [password, secret].flatMap((key) =>
    key ? ["-object", `secret,id=${optValue(key.id)},file=${optValue(key.file)},format=raw`] : []
  );
  return [
    ...controller,
    ...object,
    ...nodes.flatMap((node) => ["-blockdev", JSON.stringify(node)]),
    "-device",
    `${front}${unitArg},drive=${frontendNode(dev, chain[0].index!)},id=${device}${extras}`,
  ];
}

/**
 * The floppy controller's arguments, once, before the first floppy: on i440fx the machine's
 * own `isa-fdc` takes the drives' boot indexes as globals; q35 has none, so libvirt adds one.
 */
function floppyController(ctx: DeviceContext): string[] {
  if (ctx.n.fdc++) return [];
  const floppies = ctx.def.devices.other.filter((d) =>
    d.name === "disk" && child(d, "target")?.attributes.bus === "fdc"
  );
  const index = (unit: number) => {
    const drive = floppies.find((d) => Number(child(d, "address")?.attributes.unit ?? 0) === unit);
    return drive && ctx.boot(drive).replace(",bootindex=", "");
  };
  const indexes = [["A", index(0)], ["B", index(1)]].filter(([, i]) => i);
  if (isQ35(ctx.def)) {
    return ["-device", `isa-fdc${indexes.map(([d, i]) => `,bootindex${d}=${i}`).join("")}`];
  }
  return indexes.flatMap(([d, i]) => ["-global", `isa-fdc.bootindex${d}=${i}`]);
}

function serialArgs(dev: XmlElement, index: number): string[] {
  const id = `charserial${index}`;
  const target = child(dev, "target")?.attributes.type;
  if (target && target !== "isa-serial") throw unsupportedDevice(dev, target);
  return ["-chardev", chardevBackend(dev, id), "-serial", `chardev:${id}`];
}

/**
 * A virtio console or an ISA parallel port: its chardev `char<alias>`, then the device QEMU puts
 * on the virtio-serial bus (or the ISA bus) itself, as libvirt writes both.
 */
function isaOrVirtioChar(dev: XmlElement, driver: string): string[] {
  const alias = aliasOf(dev);
  if (!alias) throw unsupportedDevice(dev, driver);
  const chardev = `char${alias}`;
  return [
    "-chardev",
    chardevBackend(dev, chardev),
    "-device",
    `${driver},chardev=${optValue(chardev)},id=${optValue(alias)}`,
  ];
}

/**
 * A virtio channel on a unix socket, which QEMU binds (`mode='bind'`, the agent's channel) or
 * connects to, or on a pty; the guest sees a `virtserialport` of that name. Other channels are
 * refused.
 */
function channelArgs(dev: XmlElement, def: DomainDef): string[] {
  const target = child(dev, "target")?.attributes.type;
  if (target !== "virtio") throw unsupportedDevice(dev);
  const alias = aliasOf(dev);
  if (!alias) throw unsupportedChardev(dev.attributes.type ?? "pty");
  const backend = chardevBackend(dev, `char${alias}`);
  const { driver, ...props } = virtserialportProps(def, dev);
  const opts = Object.entries(props).map(([k, v]) => `,${k}=${optValue(String(v))}`).join("");
  return ["-chardev", backend, "-device", `${driver}${opts}`];
}

/**
 * `-vnc` as qemuBuildGraphicsVNCCommandLine writes it: where it listens (an address, bracketed
 * when IPv6, with the display; a unix socket; or none), then a websocket port, the sharing
 * policy, `password=on` for a password (given over QMP once QEMU runs, see
 * `graphics_password.ts`; `connected` can only be `keep` for VNC, the parser checked), power
 * control, the audio backend that carries the guest's sound to VNC clients; then `-k` for a
 * keymap. With no address given, loopback, which is libvirt's default `vnc_listen`.
 */
function vncArgs(dev: XmlElement, audiodev: string): string[] {
  const a = dev.attributes;
  const listen = child(dev, "listen")?.attributes ?? {};
  const type = listen.type ?? "address";
  let where: string;
  if (type === "address") {
    const address = listen.address ?? a.listen ?? "127.0.0.1";
    const port = Number(a.port);
    const display = port >= 5900 ? `${port - 5900}` : "0,to=99";
    const host = optValue(address);
    where = `${address.includes(":") ? `[${host}]` : host}:${display}`;
  } else if (type === "socket" && listen.socket) where = `unix:${optValue(listen.socket)}`;
  else if (type === "none") where = "none";
  else {
    // A network's address and a socket path of libvirt's own choosing are not resolved here.
    throw unsupported(
      `VNC listen type '${type}' without an address is not supported with this QEMU`,
    );
  }
  const websocket = Number(a.websocket ?? 0);
  if (websocket < 0) {
    throw unsupported("VNC graphics attribute 'websocket' is not supported with this QEMU");
  }
  const opts = [
    where,
    websocket > 0 && `websocket=${websocket}`,
    a.sharePolicy && `share=${optValue(a.sharePolicy)}`,
    a.passwd !== undefined && "password=on",
    a.powerControl && `power-control=${a.powerControl === "yes" ? "on" : "off"}`,
    `audiodev=${optValue(audiodev)}`,
  ].filter((o) => o);
  return ["-vnc", opts.join(","), ...(a.keymap ? ["-k", a.keymap] : [])];
}

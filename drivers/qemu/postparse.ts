/**
 * The QEMU driver's own defaults and checks after parsing (`qemuDomainDefPostParse`,
 * `qemuDomainDefVcpusPostParse`), before the generic post-parse.
 *
 * @module
 */
import { domainDefPostParse } from "../../conf/domain/postparse.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import { addDefaultDevices } from "./default_devices.ts";
import { controllerPostParse } from "./controller_postparse.ts";
import { validateQemuHostdev, validateZpci } from "./hostdev_validate.ts";
import { assignPciAddresses } from "./pci_address.ts";
import { assignUsbAddresses } from "./usb_address.ts";
import { validateLifecycleActions } from "./lifecycle_actions.ts";
import { placeVirtioChannels } from "./virtio_serial.ts";
import { assignSpaprVioAddresses } from "./spapr_vio_address.ts";
import { dropDefaultChannelPath } from "./channel_dir.ts";
import { validateDiskBlkdeviotune, validateDiskFrontend } from "./disk_validate.ts";
import { validateIOThreadUsers } from "./iothread_validate.ts";
import { validateDiskTransient } from "./disk_transient_validate.ts";
import { validateLoader } from "./loader.ts";
import { validateTseg } from "./smm.ts";
import { validateSound } from "./command/audio_args.ts";
import { validateWatchdog } from "./command/watchdog_args.ts";
import { validateFilesystem } from "./command/fs_args.ts";
import { requireSharedMemory } from "./command/virtiofs_args.ts";
import { shmemPostParse, validateShmem } from "./command/shmem_args.ts";
import { validateIommu } from "./command/iommu_args.ts";
import { validateVirtioInput } from "./command/input_args.ts";
import { assignMemorySlots, validateMemoryHotplug } from "./memory_hotplug.ts";
import { validateSpice } from "./command/spice_args.ts";
import { validateChardevSource } from "./command/chardev_args.ts";
import { validateQemuNic } from "./net/nic_validate.ts";
import { validateGraphicsPairing } from "./graphics_validate.ts";
import { validateMachineFeatures } from "./features_validate.ts";
import { validateVcpuTopology } from "./vcpu_topology.ts";
import { validateQemuDomainDevices } from "./domain_validate.ts";
import {
  validateBiosSerial,
  validateClockTimers,
  validateCpuSettings,
  validateHugepagesBacking,
  validateTcgFeatures,
} from "./def_validate.ts";
import { validateMachineLimits, validateMachineType, validateManyVcpus } from "./machine_limits.ts";
import { serialTargetDefaults, validateQemuChrTarget } from "./serial_target.ts";
import { tpmPostParse, validateQemuTpm } from "./command/tpm_args.ts";
import { swtpmVersions } from "./swtpm.ts";
import { emulatorArch, resolveEmulator, validateEmulator } from "./emulator.ts";

/** Machine type aliases of QEMU 7.2. */
const MACHINE_ALIASES: Record<string, string> = { pc: "pc-i440fx-7.2", q35: "pc-q35-7.2" };

/** The emulator of an x86_64 definition that names none. */
export const DEFAULT_EMULATOR = "/usr/bin/qemu-system-x86_64";

/**
 * Applies the driver defaults (arch x86_64, versioned machine type, emulator, default
 * devices, default CPU model, disk driver `qemu` / format `raw`) and libvirt's vCPU 0 rules, then the generic post-parse, the
 * lifecycle action, disk frontend and IOThread checks and the PCI and USB addresses of the devices.
 * `options.privileged` says the definition is the system driver's (libvirt's
 * `driver->privileged`), which validates some devices differently; without it (a copy of a
 * definition the driver parsed before) those checks are skipped. `options.live` places a device
 * plugged into a running domain: on its buses and ports as they are, none added.
 *
 * @example
 * ```ts
 * import { qemuPostParse } from "./postparse.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * qemuPostParse(def);
 * def.os.machine; // "pc-i440fx-7.2"
 * ```
 */
export function qemuPostParse(def: DomainDef, options: QemuParseOptions = {}): void {
  qemuPostParseBasic(def, options);
  qemuValidateVirt(def, options);
  if (!def.uuid) def.uuid = crypto.randomUUID();
  const machine = def.os.machine ?? "pc";
  def.os.machine = MACHINE_ALIASES[machine] ?? machine;
  const v0 = def.vcpus?.find((v) => v.id === 0);
  if ((v0 && !v0.enabled) || def.vcpu.current === 0) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "vcpu 0 can't be offline");
  }
  if (v0?.hotpluggable) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "vcpu0 can't be hotpluggable");
  }
  addDefaultDevices(def);
  if (options.channelTargetDir) {
    for (const dev of def.devices.other) dropDefaultChannelPath(dev, options.channelTargetDir);
  }
  placeVirtioChannels(def);
  defaultCpu(def);
  fillNumaCpus(def);
  diskDriverDefaults(def);
  nicDefaults(def);
  panicDefaults(def);
  vsockDefaults(def);
  qxlDefaults(def);
  mdevDefaults(def);
  domainDefPostParse(def, { defaultVideo: "cirrus", diskFd: true });
  controllerPostParse(def);
  // After the serial port libvirt's parser makes of a compat console (the generic post-parse
  // here), as qemuDomainChrDefPostParse sees it.
  serialTargetDefaults(def);
  // qemuValidateDomainDef's order.
  validateBiosSerial(def);
  validateLifecycleActions(def);
  validateCpuSettings(def);
  validateClockTimers(def);
  validateMachineLimits(def);
  validateVcpuTopology(def);
  // Resource control (resctrl) groups need KVM's vCPU threads.
  const cputune = def.sections.find((s) => s.name === "cputune");
  if (
    def.type !== "kvm" &&
    cputune?.children.some((c) =>
      c.type === "element" && (c.name === "cachetune" || c.name === "memorytune")
    )
  ) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "cachetune is only supported for KVM domains",
    );
  }
  validateManyVcpus(def);
  validateMachineFeatures(def);
  validateTcgFeatures(def);
  validateHugepagesBacking(def);
  validateQemuDomainDevices(def);
  const graphics = def.devices.other.filter((d) => d.name === "graphics");
  const spice = graphics.some((d) => d.attributes.type === "spice");
  for (const dev of def.devices.other) {
    if (dev.name === "sound") validateSound(dev);
    if (dev.name === "watchdog") validateWatchdog(dev, def.os.arch!);
    if (dev.name === "filesystem") validateFilesystem(dev, def, options.privileged);
    if (dev.name === "shmem") {
      shmemPostParse(dev);
      validateShmem(dev);
    }
    if (dev.name === "iommu") validateIommu(def, dev);
    if (dev.name === "hostdev") {
      validateZpci(dev);
      validateQemuHostdev(def, dev);
    }
    if (dev.name === "input") validateVirtioInput(dev);
    if (dev.name === "tpm") {
      tpmPostParse(dev);
      validateQemuTpm(dev, def.devices.emulator!, swtpmVersions());
    }
    if (dev.name === "graphics") validateGraphicsPairing(dev, graphics);
    if (dev.name === "graphics" && dev.attributes.type === "spice") validateSpice(dev);
    if (dev.name === "audio" && dev.attributes.type === "spice" && !spice) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        "Spice audio is not supported without spice graphics",
      );
    }
    if (["serial", "parallel", "console", "channel"].includes(dev.name)) {
      validateChardevSource(dev, spice);
      validateQemuChrTarget(dev, def.os);
    }
    if (dev.name !== "disk") continue;
    validateDiskFrontend(dev);
    validateDiskBlkdeviotune(dev, def);
    if (dev.attributes.type === "vhostuser") requireSharedMemory(def, "vhostuser");
    validateDiskTransient(dev);
  }
  for (const net of def.devices.interfaces) validateQemuNic(net);
  validateIOThreadUsers(def);
  if (def.os.arch === "x86_64" || def.os.arch === "i686") {
    // Slots are placed with the other addresses, before libvirt validates.
    assignMemorySlots(def);
    validateMemoryHotplug(def);
  }
  validateLoader(def);
  validateTseg(def);
  // qemuDomainAssignAddresses: spapr-vio registers, then PCI, then USB (the virtio-serial
  // ports were placed with their channels, above).
  assignSpaprVioAddresses(def);
  assignPciAddresses(def, options.live);
  assignUsbAddresses(def, options.live);
}

/**
 * How a definition is checked against the host's QEMU: `privileged` says the definition is the
 * system driver's (libvirt's `driver->privileged`), which validates some devices differently;
 * `checkEmulator` and `kvm` (whether KVM is usable) are given for a caller's new XML, whose
 * binary, architecture and virtualization type libvirt's parser checks.
 */
export interface QemuParseOptions {
  privileged?: boolean;
  kvm?: boolean;
  checkEmulator?: boolean;
  binaryDirs?: string[];
  /** The driver's channel folder, given for an inactive definition (see channel_dir.ts). */
  channelTargetDir?: string;
  /**
   * A device plugged into a running domain: it only takes a slot on buses the domain has (no
   * controller is added for it).
   */
  live?: boolean;
}

/**
 * libvirt's `qemuDomainDefPostParseBasic` (the emulator and architecture) and the machine
 * check that opens `qemuDomainDefPostParse`: a guest naming no machine takes the preferred
 * machine of its virtualization type, and QEMU without KVM has none for `kvm`.
 *
 * @example
 * ```ts ignore
 * import { qemuPostParseBasic } from "./postparse.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * qemuPostParseBasic(def, { checkEmulator: true, kvm: false });
 * ```
 */
export function qemuPostParseBasic(def: DomainDef, options: QemuParseOptions): void {
  resolveEmulator(def, options.checkEmulator ?? false, options.binaryDirs);
  if (def.sections.some((s) => s.name === "bootloader" || s.name === "bootloader_args")) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "bootloader is not supported by QEMU");
  }
  if (!def.os.machine && def.type === "kvm" && options.kvm === false) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `could not get preferred machine for ${def.devices.emulator} type=kvm`,
    );
  }
}

/**
 * The first checks of `qemuValidateDomainDef`, before any generic validation: QEMU runs the
 * `qemu` and (with KVM, when `options.kvm` says) `kvm` virtualization types, and the emulator
 * the architecture.
 *
 * @example
 * ```ts ignore
 * import { qemuValidateVirt } from "./postparse.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * qemuValidateVirt(def, { kvm: false }); // throws for type='kvm'
 * ```
 */
export function qemuValidateVirt(def: DomainDef, options: QemuParseOptions): void {
  validateEmulator(def, options.kvm);
  const machine = def.os.machine ?? "pc";
  validateMachineType(def, MACHINE_ALIASES[machine] ?? machine);
  const memtune = def.sections.find((s) => s.name === "memtune");
  if (memtune?.children.some((c) => c.type === "element" && c.name === "min_guarantee")) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "Parameter 'min_guarantee' not supported by QEMU.",
    );
  }
}

/**
 * A NIC's MAC and model when the XML gives none: libvirt generates the MAC while parsing
 * (`virDomainNetGenerateMAC`, prefix 52:54:00) and the QEMU driver picks the first model its
 * QEMU has of rtl8139, e1000, virtio (`qemuDomainDefaultNetModel`): QEMU 7.2 has rtl8139. The
 * guest thus gets the MAC its live XML shows, and a tap its host side. A vDPA NIC is virtio,
 * a host device NIC has no model.
 */
function nicDefaults(def: DomainDef): void {
  for (const net of def.devices.interfaces) {
    net.mac ??= generateMac();
    // qemuDomainDeviceNetDefPostParse: a vDPA device is virtio; a host device is its own.
    if (net.type === "vdpa") net.model ??= "virtio";
    else if (net.type !== "hostdev") net.model ??= DEFAULT_NIC_MODEL;
  }
}

/** The NIC model of an `<interface>` without `<model>` (QEMU 7.2 has rtl8139). */
export const DEFAULT_NIC_MODEL = "rtl8139";

/**
 * `virDomainNetGenerateMAC`: a random MAC with QEMU's prefix 52:54:00.
 *
 * @example
 * ```ts
 * import { generateMac } from "./postparse.ts";
 * generateMac(); // "52:54:00:3f:a2:07"
 * ```
 */
export function generateMac(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return ["52", "54", "00", ...[...bytes].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

/**
 * `qemuDomainDeviceDefPostParse` for `<panic>`: without a model, an x86 guest gets the ISA
 * pvpanic device (pseries and s390 machines have their own, which edgevirt does not run).
 */
function panicDefaults(def: DomainDef): void {
  if (def.os.arch !== "x86_64" && def.os.arch !== "i686") return;
  for (const dev of def.devices.other) {
    if (dev.name === "panic") dev.attributes.model ??= "isa";
  }
}

/** `qemuDomainVsockDefPostParse`: a vsock device is a virtio one. */
function vsockDefaults(def: DomainDef): void {
  for (const dev of def.devices.other) {
    if (dev.name === "vsock") dev.attributes.model ??= "virtio";
  }
}

/**
 * `qemuDomainHostdevDefMdevPostParse`: a vfio-pci mediated device's display is off unless
 * given (QEMU 7.2 has vfio-pci's display), written after the model, before `ramfb`.
 */
function mdevDefaults(def: DomainDef): void {
  for (const dev of def.devices.other) {
    const { type, model, display } = dev.attributes;
    if (dev.name !== "hostdev" || type !== "mdev" || model !== "vfio-pci" || display) continue;
    dev.attributes = Object.fromEntries(
      Object.entries(dev.attributes).flatMap((e) =>
        e[0] === "model" ? [e, ["display", "off"]] : [e]
      ),
    );
  }
}

/** `qemuDomainDeviceVideoDefPostParse`: a QXL card's VGA memory defaults to 16 MiB. */
function qxlDefaults(def: DomainDef): void {
  for (const video of def.devices.other) {
    const model = video.name === "video" ? child(video, "model") : undefined;
    if (model?.attributes.type === "qxl" && !Number(model.attributes.vgamem ?? 0)) {
      model.attributes.vgamem = "16384";
    }
  }
}

/**
 * `qemuDomainDefSetDefaultCPU` and `qemuDomainDefCPUPostParse`: a guest without a CPU model
 * gets QEMU 7.2's default for x86 machines, `qemu64`, which it must not fall back from; a
 * custom CPU under TCG, a host-passthrough and a maximum CPU are not compared with the host, a
 * host-model one partially.
 */
function defaultCpu(def: DomainDef): void {
  const cpu = def.cpu ?? { extra: [] };
  const hasModel = cpu.extra.some((e) => e.name === "model");
  if ((cpu.mode ?? "custom") === "custom" && !hasModel) {
    cpu.mode = "custom";
    cpu.match = "exact";
    const at = cpu.extra.findIndex((e) => e.name !== "model");
    cpu.extra.splice(
      at < 0 ? cpu.extra.length : at,
      0,
      // The default CPU of the binary's machines (`default-cpu-type` of query-machines).
      element("model", { fallback: "forbid" }, [
        emulatorArch(def.devices.emulator!) === "i686" ? "qemu32" : "qemu64",
      ]),
    );
  }
  // QEMU 7.2 can say whether a host CPU is migratable: an inactive definition says it is.
  if (cpu.mode === "host-passthrough" && def.id === -1) cpu.migratable ??= "on";
  if (cpu.mode === "host-passthrough" || cpu.mode === "maximum") cpu.check ??= "none";
  else if (cpu.mode === "host-model") cpu.check ??= "partial";
  else if (cpu.mode === "custom" && def.type === "qemu") cpu.check ??= "none";
  def.cpu = cpu;
}

/**
 * `qemuDomainDefNumaCPUsRectify`: when the NUMA cells hold fewer vCPUs than the guest has, the
 * first cell takes every vCPU no other cell holds (its own given ones included).
 */
function fillNumaCpus(def: DomainDef): void {
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  if (!cells.length) return;
  const masks = cells.map((c) => c.attributes.cpus ? parseBitmap(c.attributes.cpus) : []);
  if (masks.reduce((n, m) => n + m.length, 0) >= def.vcpu.max) return;
  const others = new Set(masks.slice(1).flat());
  const first = Array.from({ length: def.vcpu.max }, (_, i) => i).filter((i) => !others.has(i));
  const { id, cpus: _, ...rest } = cells[0].attributes;
  cells[0].attributes = element("cell", { id, cpus: formatBitmap(first), ...rest }).attributes;
}

/**
 * `qemuDomainDeviceDiskDefPostParse`: a disk's driver is `qemu`, and its format `raw` unless
 * given (volumes excepted: their pool knows the format).
 */
function diskDriverDefaults(def: DomainDef): void {
  for (const disk of def.devices.other) {
    if (disk.name !== "disk") continue;
    let driver = child(disk, "driver");
    if (!driver) {
      driver = element("driver", {});
      disk.children.unshift(driver);
    }
    // Written as virDomainDiskDefFormatDriver does: the name, the format, then the rest.
    const { name = "qemu", type, ...rest } = driver.attributes;
    const raw = type === undefined && disk.attributes.type !== "volume";
    driver.attributes = { name, ...(raw ? { type: "raw" } : type ? { type } : {}), ...rest };
    defaultEncryptionEngine(disk);
  }
}

/**
 * `qemuDomainDeviceDiskDefPostParse`: the encryption of the disk's image and of each member of
 * its chain is QEMU's unless another engine is named.
 */
function defaultEncryptionEngine(disk: XmlElement): void {
  const encryptions = [child(disk, "encryption")];
  for (let at: XmlElement | undefined = disk; at; at = child(at, "backingStore")) {
    encryptions.push(child(child(at, "source"), "encryption"));
  }
  for (const enc of encryptions) {
    if (enc) enc.attributes = { ...enc.attributes, engine: enc.attributes.engine ?? "qemu" };
  }
}

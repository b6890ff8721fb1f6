/**
 * The QEMU driver's own defaults and checks after parsing (`qemuDomainDefPostParse`,
 * `qemuDomainDefVcpusPostParse`), before the generic post-parse.
 *
 * @module
 */
import { domainDefPostParse } from "../../conf/domain/postparse.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element } from "../../util/xml/mod.ts";
import { addDefaultDevices } from "./default_devices.ts";
import { controllerPostParse } from "./controller_postparse.ts";
import { validateQemuHostdev, validateZpci } from "./hostdev_validate.ts";
import { assignPciAddresses } from "./pci_address.ts";
import { assignUsbAddresses } from "./usb_address.ts";
import { validateLifecycleActions } from "./lifecycle_actions.ts";
import { assignVirtioSerialAddresses, placeVirtioChannels } from "./virtio_serial.ts";
import { assignSpaprVioAddresses } from "./spapr_vio_address.ts";
import { validateDiskFrontend } from "./disk_validate.ts";
import { validateIOThreadUsers } from "./iothread_validate.ts";
import { validateDiskTransient } from "./disk_transient_validate.ts";
import { validateLoader } from "./loader.ts";
import { validateTseg } from "./smm.ts";
import { validateSound } from "./command/audio_args.ts";
import { validateWatchdog } from "./command/watchdog_args.ts";
import { validateFilesystem } from "./command/fs_args.ts";
import { validateShmem } from "./command/shmem_args.ts";
import { validateIommu } from "./command/iommu_args.ts";
import { validateVirtioInput } from "./command/input_args.ts";
import { assignMemorySlots, validateMemoryHotplug } from "./memory_hotplug.ts";
import { validateSpice } from "./command/spice_args.ts";
import { validateChardevSource } from "./command/chardev_args.ts";
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
export function qemuPostParse(
  def: DomainDef,
  options: {
    privileged?: boolean;
    kvm?: boolean;
    checkEmulator?: boolean;
    binaryDirs?: string[];
    live?: boolean;
  } = {},
): void {
  resolveEmulator(def, options.checkEmulator ?? false, options.binaryDirs);
  if (def.type !== "qemu" && def.type !== "kvm") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `Emulator '${def.devices.emulator}' does not support virt type '${def.type}'`,
    );
  }
  if (!def.uuid) def.uuid = crypto.randomUUID();
  const machine = def.os.machine ?? "pc";
  def.os.machine = MACHINE_ALIASES[machine] ?? machine;
  const v0 = def.vcpus?.find((v) => v.id === 0);
  if (v0 && !v0.enabled) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "vcpu 0 can't be offline");
  }
  if (v0?.hotpluggable) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "vcpu0 can't be hotpluggable");
  }
  addDefaultDevices(def);
  placeVirtioChannels(def);
  defaultCpu(def);
  diskDriverDefaults(def);
  nicDefaults(def);
  panicDefaults(def);
  qxlDefaults(def);
  mdevDefaults(def);
  serialDefaults(def);
  domainDefPostParse(def, { defaultVideo: "cirrus" });
  controllerPostParse(def);
  if (options.kvm !== undefined) validateEmulator(def, options.kvm);
  validateLifecycleActions(def);
  const spice = def.devices.other.some((d) =>
    d.name === "graphics" && d.attributes.type === "spice"
  );
  for (const dev of def.devices.other) {
    if (dev.name === "sound") validateSound(dev);
    if (dev.name === "watchdog") validateWatchdog(dev, def.os.arch!);
    if (dev.name === "filesystem") validateFilesystem(dev, def, options.privileged);
    if (dev.name === "shmem") validateShmem(dev);
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
    }
    if (dev.name !== "disk") continue;
    validateDiskFrontend(dev);
    validateDiskTransient(dev);
  }
  validateIOThreadUsers(def);
  if (def.os.arch === "x86_64" || def.os.arch === "i686") {
    // Slots are placed with the other addresses, before libvirt validates.
    assignMemorySlots(def);
    validateMemoryHotplug(def);
  }
  validateLoader(def);
  validateTseg(def);
  // qemuDomainAssignAddresses: virtio-serial ports, spapr-vio registers, then PCI, then USB.
  assignVirtioSerialAddresses(def);
  assignSpaprVioAddresses(def);
  assignPciAddresses(def, options.live);
  assignUsbAddresses(def, options.live);
}

/**
 * A NIC's MAC and model when the XML gives none: libvirt generates the MAC while parsing
 * (`virDomainNetGenerateMAC`, prefix 52:54:00) and the QEMU driver picks the first model its
 * QEMU has of rtl8139, e1000, virtio (`qemuDomainDefaultNetModel`): QEMU 7.2 has rtl8139. The
 * guest thus gets the MAC its live XML shows, and a tap its host side.
 */
function nicDefaults(def: DomainDef): void {
  for (const net of def.devices.interfaces) {
    net.mac ??= generateMac();
    // A hostdev NIC is its host device, whatever model it names.
    if (net.type !== "hostdev") net.model ??= DEFAULT_NIC_MODEL;
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

/** The model of each x86 serial target type (qemuDomainChrDefPostParse). */
const SERIAL_MODELS: Record<string, string> = {
  "isa-serial": "isa-serial",
  "usb-serial": "usb-serial",
  "pci-serial": "pci-serial",
};

/**
 * `qemuDomainChrDefPostParse` for an x86 guest's serial ports: an ISA port when the target type
 * is left out, and the model of its target type.
 */
function serialDefaults(def: DomainDef): void {
  if (def.os.arch !== "x86_64" && def.os.arch !== "i686") return;
  for (const serial of def.devices.other) {
    if (serial.name !== "serial") continue;
    let target = child(serial, "target");
    if (!target) {
      target = element("target", {});
      serial.children.push(target);
    }
    const type = target.attributes.type ?? "isa-serial";
    target.attributes = { type, ...target.attributes };
    const model = SERIAL_MODELS[type];
    if (model && !child(target, "model")) target.children.push(element("model", { name: model }));
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
  if (cpu.mode === "host-passthrough" || cpu.mode === "maximum") cpu.check ??= "none";
  else if (cpu.mode === "host-model") cpu.check ??= "partial";
  else if (cpu.mode === "custom" && def.type === "qemu") cpu.check ??= "none";
  def.cpu = cpu;
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
    const { name, type } = driver.attributes;
    const raw = type === undefined && disk.attributes.type !== "volume";
    driver.attributes = { ...driver.attributes, name: name ?? "qemu" };
    if (raw) driver.attributes.type = "raw";
  }
}

/**
 * Parse-time semantic checks libvirt makes on every domain definition, whatever the driver
 * (`virDomainDefValidate` and friends).
 *
 * @example
 * ```ts
 * import { validateDomainDef } from "./validate.ts";
 * // throws 27/20 "name a/b cannot contain '/'"
 * // validateDomainDef({ ...def, name: "a/b" });
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, textOf, type XmlElement } from "../../util/xml/mod.ts";
import type { DomainDef, DomainInterface } from "./def.ts";
import { diskNameIndex } from "./disk_name.ts";
import { validateDiskLun } from "./disk_lun.ts";
import {
  validateDiskAddressBus,
  validateDiskDuplicates,
  validateDiskIotune,
  validateDiskSeclabels,
  validateDiskSources,
  validateDiskTail,
  validateDiskTarget,
} from "./disk_validate.ts";
import { validateDiskStartupPolicy } from "./startup_policy.ts";
import { validateChardevSource } from "./chardev.ts";
import { validateIdmap } from "./idmap.ts";
import { validateNumaHmat } from "./numa_hmat.ts";
import { validateTpm } from "./tpm.ts";
import { validateIommu } from "./iommu.ts";
import { memoryDeviceKiB, validateMemoryDevice } from "./memory_device.ts";
import { checkVirtioOptionsAbsent, VIRTIO_MODELS } from "./virtio_options.ts";
import { firmwarePostParse } from "./os.ts";
import { validateInput } from "./input_validate.ts";
import { hugepagesPostParse, validateHugepages } from "./hugepages.ts";
import { checkBootOrder } from "./postparse.ts";
import { checkVcpuList } from "./vcpus.ts";
import { validateVhostUserDisk } from "./disk_vhostuser.ts";
import { validateHostdevs, validateScsiHostdevAddresses } from "./hostdev_validate.ts";
import { validatePrimaryVideo, validateVideo } from "./video_validate.ts";

/**
 * A driver's part in parsing a definition: libvirt's parse flags and xmlopt callbacks.
 *
 * @example
 * ```ts
 * import type { DriverParseHooks } from "./validate.ts";
 * const hooks: DriverParseHooks = { abiUpdate: true, validate: (def) => void def.name };
 * ```
 */
/**
 * A driver's XML namespace parser (libvirt's `virXMLNamespace.parse` of the driver's xmlopt):
 * called with the document's root once the rest of the definition is read, before it is
 * validated, as virDomainDefParseXML calls it; it may keep its data on `def`.
 */
export type DomainNamespaceParser = (root: XmlElement, def: DomainDef) => void;

export interface DriverParseHooks {
  /**
   * VIR_DOMAIN_DEF_PARSE_ABI_UPDATE (the QEMU driver's define and create): the NUMA cells' sum
   * replaces a `<memory>` given.
   */
  abiUpdate?: boolean;
  /** The driver's first security model (xmlopt defSecModel), see parseSeclabels. */
  defSecModel?: string;
  /** The driver's post-parse (domainPostParseBasicCallback, domainPostParseCallback), first. */
  postParse?: (def: DomainDef) => void;
  /** The driver's validation (domainValidateCallback), before the generic one. */
  validate?: (def: DomainDef) => void;
  /**
   * The driver's XML namespace parser (libvirt's `virXMLNamespace.parse` of its xmlopt), run
   * once the rest is parsed.
   */
  namespace?: DomainNamespaceParser;
}

/**
 * Throws libvirt's error for the first inconsistency found in `def`. `implicitUsb`: the driver
 * gives a definition without any USB controller its default one before libvirt validates (the
 * QEMU driver's qemuDomainDefAddDefaultDevices), so only an explicit `model='none'` disables USB.
 * `driver`: what the driver adds to libvirt's post-parse and validation, in libvirt's order.
 */
export function validateDomainDef(
  def: DomainDef,
  implicitUsb = false,
  driver: DriverParseHooks = {},
): void {
  driver.postParse?.(def);
  postParseChecks(def, driver.abiUpdate ?? false);
  driver.validate?.(def);
  for (const disk of def.devices.other) {
    if (disk.name !== "disk") continue;
    validateDiskTarget(disk);
    validateDiskSources(disk);
    // cdrom and floppy media may be absent; a disk or lun needs something to point at.
    if (!["disk", "lun", undefined].includes(disk.attributes.device)) continue;
    const source = child(disk, "source");
    if (!source || (!Object.keys(source.attributes).length && !source.children.length)) {
      throw VirError.report(
        "DOMAIN",
        "NO_SOURCE",
        child(disk, "target")?.attributes.dev ?? "",
      );
    }
  }
  // virDomainDeviceInfoValidate, the first check of every device.
  const addresses = [
    ...def.devices.other.filter((d) => d.name !== "hostdev").map((d) => child(d, "address")),
    ...def.devices.interfaces.map((n) => n.extra.find((e) => e.name === "address")),
  ];
  for (const address of addresses) {
    if (address?.attributes.type === "unassigned") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "address of type 'unassigned' is supported only for hostdevs",
      );
    }
  }
  for (const disk of def.devices.other.filter((d) => d.name === "disk")) {
    validateDiskLun(disk);
    validateDiskIotune(disk);
    validateDiskAddressBus(disk);
    validateDiskBus(disk);
    // NVMe namespaces start from 1.
    if (disk.attributes.type === "nvme" && child(disk, "source")?.attributes.namespace === "0") {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", "NVMe namespace can't be zero");
    }
    validateVhostUserDisk(disk);
    validateDiskSeclabels(disk, def);
    validateDiskTail(disk);
    validateDiskStartupPolicy(disk);
  }
  for (const net of def.devices.interfaces) {
    // virDomainNetDefValidate: only an ethernet interface's tap gets host-side addresses.
    if (net.hostIP && net.type !== "ethernet") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "Invalid attempt to set network interface host-side IP route and/or address info on " +
          `interface of type '${net.type}'. This is only supported on interfaces of type 'ethernet'`,
      );
    }
    // Only an ethernet interface may use a tap made beforehand.
    if (net.targetManaged === "no" && net.type !== "ethernet") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `unmanaged target dev is not supported on interfaces of type '${net.type}'`,
      );
    }
    validateTeaming(net.extra.find((e) => e.name === "teaming"));
    validatePortOptions(net);
    if (!VIRTIO_MODELS.includes(net.model ?? "")) {
      checkVirtioOptionsAbsent(net.extra.find((e) => e.name === "driver"));
    }
    if (net.type === "vhostuser" && !VIRTIO_MODELS.includes(net.model ?? "")) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        "Wrong or no <model> 'type' attribute specified with <interface type='vhostuser'/>. " +
          "vhostuser requires the virtio-net* frontend",
      );
    }
    if (net.source?.mode === "server" && net.sourceReconnect?.attributes.enabled === "yes") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "'reconnect' attribute unsupported 'server' mode for <interface type='vhostuser'>",
      );
    }
  }
  // Device by device in virDomainDeviceInfoIterateFlags' order: disks, NICs, sound cards,
  // hostdevs, video, character devices, inputs, …, memory, redirection, IOMMU, vsock.
  for (const sound of def.devices.other.filter((d) => d.name === "sound")) {
    ensureAudioId(def, sound);
  }
  // virDomainAudioDefValidate: each backend has its own id.
  const audioIds = def.devices.other.filter((d) => d.name === "audio").map((d) => d.attributes.id);
  const reused = audioIds.find((id, i) => audioIds.indexOf(id) !== i);
  if (reused !== undefined) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `audio ID ${Number(reused)} is used multiple times`,
    );
  }
  // virDomainHostdevDefValidate, after the sound cards.
  for (const hostdev of def.devices.other.filter((d) => d.name === "hostdev")) {
    validateHostdevAddress(hostdev);
  }
  const videos = def.devices.other.filter((d) => d.name === "video");
  for (const video of videos) validateVideo(video, videos.length);
  validateChardevSources(def, ["smartcard", "serial", "parallel", "channel", "console"]);
  for (const input of def.devices.other.filter((d) => d.name === "input")) {
    validateInput(input, def.os.type, def.type);
  }
  // virDomainFSDefValidate: only a virtiofs share is bootable.
  for (const fs of def.devices.other.filter((d) => d.name === "filesystem")) {
    if (child(fs, "boot") && child(fs, "driver")?.attributes.type !== "virtiofs") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "boot order is only supported for virtiofs",
      );
    }
  }
  validateChardevSources(def, ["rng"]);
  for (const tpm of def.devices.other.filter((d) => d.name === "tpm")) validateTpm(tpm);
  const numaCells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell").length;
  for (const mem of def.devices.other.filter((d) => d.name === "memory")) {
    validateMemoryDevice(mem, numaCells, def.os.arch);
  }
  // virDomainRedirdevDefValidate: USB redirection needs a USB controller that is not 'none'.
  const usb = def.devices.other.filter((d) =>
    d.name === "controller" && d.attributes.type === "usb"
  );
  // isapc is the one x86 machine the QEMU driver gives no USB controller.
  const hasUsb = usb.some((d) => d.attributes.model !== "none") ||
    (implicitUsb && !usb.length && def.os.machine !== "isapc");
  const usbRedir = def.devices.other.some((d) =>
    d.name === "redirdev" && (d.attributes.bus ?? "usb") === "usb"
  );
  if (usbRedir && !hasUsb) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "cannot add redirected USB device: USB is disabled for this domain",
    );
  }
  validateChardevSources(def, ["redirdev"]);
  for (const iommu of def.devices.other.filter((d) => d.name === "iommu")) {
    validateIommu(iommu, def.sections.find((s) => s.name === "features"));
  }
  for (const vsock of def.devices.other.filter((d) => d.name === "vsock")) {
    // virDomainVsockDefValidate: CIDs 1 and 2 are the hypervisor's and the host's.
    const cid = Number(child(vsock, "cid")?.attributes.address ?? 0);
    if (cid > 0 && cid <= 2) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", "guest CIDs must be >= 3");
    }
    if (!VIRTIO_MODELS.includes(vsock.attributes.model ?? "")) {
      checkVirtioOptionsAbsent(child(vsock, "driver"));
    }
  }
  // Then the devices without device info, graphics first.
  for (const g of def.devices.other.filter((d) => d.name === "graphics")) {
    if (g.attributes.type === "vnc") ensureAudioId(def, g);
  }
  // virDomainDefValidateInternal, once every device passed.
  validateDiskDuplicates(def);
  // virDomainDefValidateInternal, after the devices.
  validateHostdevs(def);
  validateScsiHostdevAddresses(def);
  // virDomainDefGetVcpusTopology: the topology's vCPU count must fit libvirt's unsigned int.
  const topo = def.cpu?.topology;
  if (topo?.sockets && topo.sockets * topo.dies * topo.cores * topo.threads > 0xffffffff) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "cpu topology results in more than 4294967295 cpus",
    );
  }
  validateHugepages(def.sections, numaCells);
  validateOsLoader(def);
  validateCputune(def);
  validateBoot(def);
  validateIdmap(def.sections.find((s) => s.name === "idmap"));
  const numa = def.cpu?.extra.find((e) => e.name === "numa");
  if (numa) validateNumaHmat(numa);
  validateThreadPools(def);
  validatePrimaryVideo(def);
}

/** virDomainEnsureAudioID: a device's `<audio id>` names one of the domain's audio backends. */
function ensureAudioId(def: DomainDef, dev: XmlElement): void {
  const id = Number(child(dev, "audio")?.attributes.id ?? 0);
  if (!id) return;
  if (def.devices.other.some((d) => d.name === "audio" && Number(d.attributes.id) === id)) return;
  throw VirError.report("DOMAIN", "XML_ERROR", `no audio device with ID ${id}`);
}

/**
 * virDomainNetDefValidatePortOptions: an isolated port is a Linux bridge's (a network's or a
 * bridge interface's) without a virtual port profile.
 */
function validatePortOptions(net: DomainInterface): void {
  if (net.extra.find((e) => e.name === "port")?.attributes.isolated !== "yes") return;
  const what = `interface ${net.mac} - <port isolated='yes'/> is not supported for network ` +
    "interfaces with";
  if (net.type !== "network" && net.type !== "bridge") {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `${what} type='${net.type}'`);
  }
  const vport = net.extra.find((e) => e.name === "virtualport")?.attributes.type;
  if (vport) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `${what} virtualport type='${vport}'`);
  }
}

/**
 * virDomainDiskDefValidate: a virtio model, queues, event_idx, ioeventfd or the virtio options
 * (`iommu`, `ats`, `packed`, `page_per_vq`) need the virtio bus.
 */
function validateDiskBus(disk: XmlElement): void {
  const bus = child(disk, "target")?.attributes.bus;
  if (bus === undefined || bus === "virtio") return;
  const model = disk.attributes.model;
  if (model !== undefined && VIRTIO_MODELS.includes(model)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `disk model '${model}' not supported for bus '${bus}'`,
    );
  }
  const driver = child(disk, "driver");
  const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);
  if (Number(driver?.attributes.queues ?? 0) > 0) {
    throw unsupported("queues attribute in disk driver element is only supported by virtio-blk");
  }
  if (driver?.attributes.event_idx !== undefined) {
    throw unsupported("disk event_idx mode supported only for virtio bus");
  }
  if (driver?.attributes.ioeventfd !== undefined) {
    throw unsupported("disk ioeventfd mode supported only for virtio bus");
  }
  checkVirtioOptionsAbsent(driver);
}

/** virDomainNetDefValidate: a transient team names its persistent peer; no other type does. */
function validateTeaming(teaming: XmlElement | undefined): void {
  const { type, persistent } = teaming?.attributes ?? {};
  if (type === "transient" && persistent === undefined) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "teaming persistent attribute must be set if teaming type is 'transient'",
    );
  }
  if (type !== undefined && type !== "transient" && persistent !== undefined) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `teaming persistent attribute not allowed if teaming type is '${type}'`,
    );
  }
}

/** virDomainChrSourceDefValidate for the devices of `kinds` (in that order) with a chardev source. */
function validateChardevSources(def: DomainDef, kinds: string[]): void {
  for (const kind of kinds) {
    for (const dev of def.devices.other.filter((d) => d.name === kind)) {
      if (["serial", "parallel", "console", "channel", "redirdev"].includes(dev.name)) {
        const target = child(dev, "target")?.attributes.type;
        const generated = dev.name === "channel" && (target === "virtio" || target === "xen");
        validateChardevSource(dev, generated);
      } else if (dev.name === "smartcard" && dev.attributes.mode === "passthrough") {
        validateChardevSource(dev, false);
      } else if (dev.name === "rng") {
        const backend = child(dev, "backend");
        if (backend?.attributes.model === "egd") validateChardevSource(backend, false);
      }
    }
  }
}

/** virDomainDefBootValidate: the boot menu's and the BIOS's reboot timeouts. */
function validateBoot(def: DomainDef): void {
  const os = (name: string) => def.os.extra.find((e) => e.name === name)?.attributes;
  const menu = os("bootmenu")?.timeout;
  if (menu !== undefined && Number(menu) > 65535) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "invalid value for boot menu timeout, must be in range [0,65535]",
    );
  }
  const reboot = os("bios")?.rebootTimeout;
  if (reboot !== undefined && (Number(reboot) < -1 || Number(reboot) > 65535)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "invalid value for rebootTimeout, must be in range [-1,65535]",
    );
  }
}

/** virDomainDefCputuneValidate: the cgroup limits of the shares, periods and quotas set. */
function validateCputune(def: DomainDef): void {
  const cputune = def.sections.find((s) => s.name === "cputune");
  const value = (name: string) => {
    const t = textOf(child(cputune, name))?.trim();
    return t ? Number(t) : 0;
  };
  const limits: [string, number, number][] = [
    ["shares", 2, 262144],
    ["period", 1000, 1000000],
    ["global_period", 1000, 1000000],
    ["emulator_period", 1000, 1000000],
    ["iothread_period", 1000, 1000000],
    ["quota", 1000, 17592186044415],
    ["global_quota", 1000, 17592186044415],
    ["emulator_quota", 1000, 17592186044415],
    ["iothread_quota", 1000, 17592186044415],
  ];
  for (const [name, min, max] of limits) {
    const v = value(name);
    if (v > 0 && (v < min || v > max)) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `Value of cputune '${name}' must be in range [${min}, ${max}]`,
      );
    }
  }
}

/** virDomainDefValidateIOThreads: an unset bound counts as -1, so a lone minimum fails. */
function validateThreadPools(def: DomainDef): void {
  const pools = def.sections.flatMap((s) =>
    s.name === "defaultiothread" ? [s] : s.name === "iothreadids" ? children(s, "iothread") : []
  );
  // libvirt checks the <iothreadids> entries before the default IOThread.
  pools.sort((a, b) => Number(a.name === "defaultiothread") - Number(b.name === "defaultiothread"));
  for (const pool of pools) {
    const bound = (name: string) => {
      const raw = pool.attributes[name];
      return raw === undefined ? -1 : Number(raw);
    };
    const min = bound("thread_pool_min");
    const max = bound("thread_pool_max");
    if (max === 0) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "thread_pool_max must be a positive integer",
      );
    }
    if (min > max) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "thread_pool_min must be smaller or equal to thread_pool_max",
      );
    }
  }
}

const detail = (msg: string) => VirError.report("DOMAIN", "XML_DETAIL", msg);

/**
 * virDomainHostdevDefValidate: the device address types each subsystem host device may use
 * (besides none), with the error for another.
 */
const HOSTDEV_ADDRESSES: Record<string, [string[], string, string]> = {
  pci: [["unassigned", "pci"], "INTERNAL_ERROR", "PCI host devices must use 'pci' or 'unassigned'"],
  scsi: [["drive"], "CONFIG_UNSUPPORTED", "SCSI host device must use 'drive'"],
  scsi_host: [
    ["pci", "ccw"],
    "CONFIG_UNSUPPORTED",
    "SCSI_host host device must use 'pci' or 'ccw'",
  ],
  usb: [["usb"], "CONFIG_UNSUPPORTED", "USB host device must use 'usb'"],
};

function validateHostdevAddress(hostdev: XmlElement): void {
  if ((hostdev.attributes.mode ?? "subsystem") !== "subsystem") return;
  const rule = HOSTDEV_ADDRESSES[hostdev.attributes.type ?? ""];
  const address = child(hostdev, "address")?.attributes.type;
  if (rule && address !== undefined && !rule[0].includes(address)) {
    throw VirError.report("DOMAIN", rule[1], `${rule[2]} address type`);
  }
  if (hostdev.attributes.type === "scsi" && hostdev.attributes.sgio === "unfiltered") {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", "unfiltered sgio is no longer supported");
  }
}

/**
 * The controller models that may have an IOThread: libvirt compares the model's number with the
 * virtio SCSI models' (6, 8, 9) whatever the controller type, so these are each type's models
 * of those numbers.
 */
const IOTHREAD_MODELS: Record<string, (string | undefined)[]> = {
  scsi: ["virtio-scsi", "virtio-transitional", "virtio-non-transitional"],
  pci: ["pcie-switch-upstream-port", "pci-expander-bus", "pcie-expander-bus"],
  usb: ["ich9-uhci3", "pci-ohci", "nec-xhci"],
};

/** virDomainDefPostParseCommon's checks, which come before the validation proper. */
function postParseChecks(def: DomainDef, abiUpdate: boolean): void {
  const numaCells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell").length;
  hugepagesPostParse(def.sections, numaCells);
  // virDomainDiskDefPostParse, before the domain-wide steps: a disk without an address gets
  // one from its target name (after the Xen driver's old "ioemu:" prefix).
  for (const disk of def.devices.other.filter((d) => d.name === "disk" && !child(d, "address"))) {
    const dev = child(disk, "target")?.attributes.dev?.replace(/^ioemu:/, "");
    if (dev && diskNameIndex(dev) < 0) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Unknown disk name '${dev}' and no address specified`,
      );
    }
  }
  // virDomainControllerDefPostParse, after the disks' as libvirt iterates the devices.
  for (const c of def.devices.other.filter((d) => d.name === "controller")) {
    const iothread = child(c, "driver")?.attributes.iothread;
    if (
      iothread !== undefined && !IOTHREAD_MODELS[c.attributes.type]?.includes(c.attributes.model)
    ) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        "'iothread' attribute only supported for virtio scsi controllers",
      );
    }
  }
  const os = (name: string) => def.os.extra.find((e) => e.name === name);
  if (def.os.type === "exe" && !textOf(os("init"))?.trim()) {
    throw VirError.report("DOMAIN", "XML_ERROR", "init binary must be specified");
  }
  checkVcpuList(def.vcpus);
  // virDomainDefPostParseMemory: memory devices come out of the total; without a total (or on
  // an ABI update), the NUMA cells' sum (KiB once parsed) and the devices make it.
  const hotplug = def.devices.other.filter((d) => d.name === "memory")
    .reduce((sum, d) => sum + memoryDeviceKiB(d), 0n);
  const numaMemory = def.memory.total !== 0 && !abiUpdate ? 0n : children(
    def.cpu?.extra.find((e) => e.name === "numa"),
    "cell",
  ).reduce((sum, c) => sum + BigInt(c.attributes.memory ?? 0), 0n);
  if (numaMemory) {
    def.memory.total = Number(numaMemory + hotplug);
  } else if (hotplug > BigInt(def.memory.total)) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "Total size of memory devices exceeds the total memory size",
    );
  }
  if (BigInt(def.memory.total) - hotplug === 0n) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "Memory size must be specified via <memory> or in the <numa> configuration",
    );
  }
  const max = def.memory.max;
  if (max && (max.size || max.slots) && !(max.size && max.slots)) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "both maximum memory size and memory slot count must be specified",
    );
  }
  if (max?.size && max.size < def.memory.total) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "maximum memory size must be equal or greater than the actual memory size",
    );
  }
  firmwarePostParse(def.os);
  // virDomainDefRejectDuplicatePanics.
  const panicModels = new Set<string>();
  for (const panic of def.devices.other.filter((d) => d.name === "panic")) {
    const model = panic.attributes.model ?? "default";
    if (panicModels.has(model)) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Multiple panic devices with model '${model}'`,
      );
    }
    panicModels.add(model);
  }
  checkBootOrder(def);
  const cpu = def.cpu;
  if (cpu?.check !== undefined && (cpu.mode ?? "custom") === "custom") {
    if (!cpu.extra.some((e) => e.name === "model" && textOf(e))) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "check attribute specified for CPU with no model",
      );
    }
  }
  // virDomainDefPostParseCheckFeatures, after the common post-parse steps (edgevirt's drivers
  // all refuse a slash in a name).
  if (def.name.includes("/")) {
    throw VirError.report("DOMAIN", "XML_ERROR", `name ${def.name} cannot contain '/'`);
  }
}

/** virDomainDefOSValidate: the loader and NVRAM against firmware autoselection. */
export function validateOsLoader(def: DomainDef): void {
  const os = (name: string) => def.os.extra.find((e) => e.name === name);
  const loader = os("loader");
  const nvramEl = os("nvram");
  // Features are read without autoselection for a new definition only (see parseOs).
  if (!def.os.firmware && os("firmware")) {
    throw detail(
      "cannot use feature-based firmware autoselection when firmware autoselection is disabled",
    );
  }
  if (!loader && !nvramEl) return;
  const la = loader?.attributes ?? {};
  const path = textOf(loader)?.trim();
  const nvram = !!nvramEl && (!!textOf(nvramEl)?.trim() || !!child(nvramEl, "source"));
  if (def.os.firmware) {
    const enabled = "cannot be specified when firmware autoselection is enabled";
    if (la.readonly !== undefined) throw detail(`loader attribute 'readonly' ${enabled}`);
    if (la.type !== undefined) throw detail(`loader attribute 'type' ${enabled}`);
    if (path) {
      throw detail("loader path cannot be specified when firmware autoselection is enabled");
    }
    if (nvramEl?.attributes.template !== undefined) {
      throw detail(`nvram attribute 'template' ${enabled}`);
    }
    if (la.secure === "no") throw detail(`loader attribute 'secure' ${enabled}`);
    if (nvram && def.os.firmware !== "efi") {
      throw detail(`firmware type '${def.os.firmware}' does not support nvram`);
    }
  } else {
    if (!path) throw detail("no loader path specified and firmware auto selection disabled");
  }
  if (la.stateless === "yes") {
    if (nvramEl?.attributes.template !== undefined) {
      throw detail("NVRAM template is not permitted when loader is stateless");
    }
    if (nvram) throw detail("NVRAM is not permitted when loader is stateless");
  } else if (la.stateless === "no") {
    if (!def.os.firmware && la.type !== "pflash") {
      throw detail("Only pflash loader type permits NVRAM");
    }
    if (def.os.firmware && def.os.firmware !== "efi") {
      throw detail("Only EFI firmware permits NVRAM");
    }
  }
}

/**
 * libvirt's driver-independent post-parse step (`virDomainDefPostParse`): defaults and
 * implicit devices every driver gets. Drivers call {@link domainDefPostParse} after their own
 * defaults (arch, MAC addresses, …).
 *
 * @example
 * ```ts
 * import { domainDefPostParse, parseDomainXML } from "./mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='test'><name>a</name><memory>8</memory><os><type>hvm</type></os></domain>",
 * );
 * domainDefPostParse(def, { defaultVideo: "cirrus" });
 * def.memory.current; // 8
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { element, textOf } from "../../util/xml/mod.ts";
import type { DomainDef } from "./def.ts";
import { DEVICE_ORDER } from "./devices.ts";
import { diskNameIndex } from "./disk_name.ts";
import { validateDiskDuplicates } from "./disk_validate.ts";
import { iotuneHasAny, iotuneOf, setIotune } from "./iotune.ts";
import { validateController } from "./controller_validate.ts";
import { checkMdevAddresses } from "./hostdev_validate.ts";
import { placeScsiHostdevs } from "./hostdev_scsi.ts";

/** Driver-specific inputs of the generic post-parse. */
export interface PostParseOptions {
  /**
   * Video model for `<video>` without one, and for the video implied by `<graphics>`: the
   * driver's (its device post-parse step's), given the definition.
   */
  defaultVideo: string | ((def: DomainDef) => string);
  /** The driver opens disk images from file descriptors it was given (`VIR_DOMAIN_DEF_FEATURE_DISK_FD`). */
  diskFd?: boolean;
}

/** Default `vram` (KiB) of a video model, as libvirt's virDomainVideoDefaultRAM. */
const VIDEO_VRAM: Record<string, number> = {
  vga: 16384,
  cirrus: 16384,
  vmvga: 16384,
  qxl: 65536,
  bochs: 16384,
  xen: 4096,
};

const kidsOf = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.type === "element");

/** Applies the generic defaults to `def` in place. */
export function domainDefPostParse(def: DomainDef, options: PostParseOptions): void {
  rejectDuplicateControllers(def);
  // virDomainControllerDefValidate, here after the driver resolved its emulator, as libvirt
  // validates after the post-parse.
  for (const c of def.devices.other.filter((d) => d.name === "controller")) validateController(c);
  checkMdevAddresses(def);
  if (def.memory.current === 0 || def.memory.current > def.memory.total) {
    def.memory.current = def.memory.total;
  }
  def.vcpu.placement ??= "static";
  bootDefaults(def);
  def.clock ??= { offset: "utc", timers: [] };
  def.onPoweroff ??= "destroy";
  def.onReboot ??= "restart";
  def.onCrash ??= "destroy";
  chardevDefaults(def);
  if (!options.diskFd) refuseDiskFd(def);
  expandGroupIotune(def);
  implicitControllers(def);
  // The validation (run before this step here, after it in libvirt) sees the drive addresses
  // just given.
  validateDiskDuplicates(def);
  const video = options.defaultVideo;
  videoDefaults(def, typeof video === "string" ? video : video(def));
  vsockDefaults(def);
  rngDefaults(def);
}

/**
 * virDomainDefRejectDuplicateControllers: two controllers of one type may not share an index
 * (USB ones may: companions share their master's).
 */
function rejectDuplicateControllers(def: DomainDef): void {
  const seen = new Set<string>();
  for (const c of def.devices.other) {
    const { type, index } = c.attributes;
    if (c.name !== "controller" || type === "usb") continue;
    const key = `${type}/${Number(index)}`;
    if (seen.has(key)) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Multiple '${type}' controllers with index '${Number(index)}'`,
      );
    }
    seen.add(key);
  }
}

/** virDomainRNGDefPostParse: a `random` backend without a path reads /dev/random. */
function rngDefaults(def: DomainDef): void {
  for (const rng of def.devices.other) {
    if (rng.name !== "rng") continue;
    const backend = kidsOf(rng).find((k) => k.name === "backend");
    // virXPathString gives no string for an empty one.
    if (backend?.attributes.model === "random" && !textOf(backend)) {
      backend.children = [{ type: "text", text: "/dev/random" }];
    }
  }
}

/** virDomainVsockDefPostParse: without a guest CID (or with CID 0) one is chosen on start. */
function vsockDefaults(def: DomainDef): void {
  for (const vsock of def.devices.other) {
    if (vsock.name !== "vsock") continue;
    let cid = kidsOf(vsock).find((k) => k.name === "cid");
    if (!cid) {
      cid = element("cid");
      vsock.children.unshift(cid);
    }
    if (cid.attributes.auto !== undefined) continue;
    const { address, ...rest } = cid.attributes;
    const auto = address !== undefined && Number(address) !== 0 ? "no" : "yes";
    cid.attributes = { auto, ...(address !== undefined ? { address } : {}), ...rest };
  }
}

/**
 * Whether a device of `def` has its own boot order (virDomainDefCollectBootOrder).
 *
 * @example
 * ```ts
 * import { hasPerDeviceBoot } from "./postparse.ts";
 * declare const def: import("./def.ts").DomainDef;
 * hasPerDeviceBoot(def); // true when a disk or NIC has a <boot order>
 * ```
 */
export function hasPerDeviceBoot(def: DomainDef): boolean {
  return def.devices.other.some((d) => kidsOf(d).some((k) => k.name === "boot")) ||
    def.devices.interfaces.some((n) => n.extra.some((k) => k.name === "boot"));
}

/**
 * virDomainDefBootOrderPostParse's checks: no two devices share a boot order, and an HVM
 * guest's devices take one only when `<os>` names no boot devices.
 *
 * @example
 * ```ts
 * import { checkBootOrder } from "./postparse.ts";
 * declare const def: import("./def.ts").DomainDef;
 * checkBootOrder(def); // throws when <os><boot dev> and a device's <boot order> meet
 * ```
 */
export function checkBootOrder(def: DomainDef): void {
  // virDomainDefCollectBootOrder: disks, then NICs, then the other devices.
  const devices = [
    ...def.devices.other.filter((d) => d.name === "disk").map(kidsOf),
    ...def.devices.interfaces.map((n) => n.extra),
    ...def.devices.other.filter((d) => d.name !== "disk").map(kidsOf),
  ];
  const orders = new Set<number>();
  for (const boot of devices.flatMap((kids) => kids.filter((k) => k.name === "boot"))) {
    const order = Number(boot.attributes.order);
    if (orders.has(order)) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `boot order '${order}' used for more than one device`,
      );
    }
    orders.add(order);
  }
  if (def.os.type === "hvm" && def.os.boot && hasPerDeviceBoot(def)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "per-device boot elements cannot be used together with os/boot elements",
    );
  }
}

/** virDomainDefBootOrderPostParse's default (its check is in the validation's post-parse). */
function bootDefaults(def: DomainDef): void {
  if (!hasPerDeviceBoot(def) && !def.os.boot && def.os.type === "hvm") def.os.boot = ["hd"];
}

function targetOf(dev: XmlElement): XmlElement | undefined {
  return kidsOf(dev).find((k) => k.name === "target");
}

/**
 * virDomainChrDefPostParse: a console without a target type is a serial one and is numbered in
 * document order; a serial or parallel port without a number gets the highest one of its kind
 * so far plus one; then the consoles' compatibility with serial 0.
 */
function chardevDefaults(def: DomainDef): void {
  const other = def.devices.other;
  const serials = other.filter((d) => d.name === "serial");
  const kinds = ["parallel", "console"].map((kind) => other.filter((d) => d.name === kind));
  for (const list of [serials, ...kinds]) {
    const port = (d: XmlElement) => Number(targetOf(d)?.attributes.port ?? -1);
    for (const [i, d] of list.entries()) {
      const t = targetOf(d);
      // A console of no target type is a serial one, whatever the guest.
      if (t && d.name === "console" && t.attributes.type === undefined) {
        t.attributes = { type: "serial", ...t.attributes };
      }
      // virDomainDefParseXML numbers the consoles in document order, whatever they say.
      if (t && d.name === "console") t.attributes = { ...t.attributes, port: String(i) };
      if (!t || t.attributes.port !== undefined) continue;
      t.attributes = { ...t.attributes, port: String(Math.max(-1, ...list.map(port)) + 1) };
    }
  }
  consoleCompat(def);
}

/** The serial target types whose port an HVM guest's first console shows (none = unset). */
const CONSOLE_SERIAL_TARGETS = [
  undefined,
  "isa-serial",
  "spapr-vio-serial",
  "system-serial",
  "sclp-serial",
];

/**
 * virDomainDefAddConsoleCompat: an HVM guest's first console, when it is a serial one (or of no
 * type), is a view of serial 0, made from it when there is none; with no such console, one is
 * added for a serial port of a console-capable type. Only the first console may be a serial one.
 */
function consoleCompat(def: DomainDef): void {
  const other = def.devices.other;
  const consoles = other.filter((d) => d.name === "console");
  if (consoles.slice(1).some((c) => targetOf(c)?.attributes.type === "serial")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "Only the first console can be a serial port",
    );
  }
  if (def.os.type !== "hvm") return;
  const first = consoles[0];
  const firstType = first && targetOf(first)?.attributes.type;
  let serial = other.find((d) => d.name === "serial");
  if (first && (firstType === undefined || firstType === "serial")) {
    if (!serial) {
      serial = element("serial", { ...first.attributes }, [
        ...kidsOf(first).filter((k) => k.name !== "target" && k.name !== "alias"),
        element("target", { port: "0" }),
      ]);
      other.splice(other.indexOf(first), 0, serial);
    }
    other[other.indexOf(first)] = consoleView(serial);
    return;
  }
  if (!serial || !CONSOLE_SERIAL_TARGETS.includes(targetOf(serial)?.attributes.type)) return;
  const at = first
    ? other.indexOf(first)
    : other.findLastIndex((d) => DEVICE_ORDER.indexOf(d.name) <= DEVICE_ORDER.indexOf("console")) +
      1;
  other.splice(at, 0, consoleView(serial));
}

/**
 * A console showing `serial`, as virDomainDefFormatInternal writes it: the serial port's
 * source, log, protocol and device info, with a serial target of its port.
 */
function consoleView(serial: XmlElement): XmlElement {
  const port = targetOf(serial)?.attributes.port ?? "0";
  return element(
    "console",
    { ...serial.attributes },
    kidsOf(serial).map((k) =>
      k.name === "target" ? element("target", { type: "serial", port }) : structuredClone(k)
    ),
  );
}

/**
 * libvirt adds every controller index up to the highest one a drive address names (of `model`
 * when given).
 */
function ensureController(
  def: DomainDef,
  type: string,
  upTo = 0,
  from = 0,
  model?: string,
): void {
  const other = def.devices.other;
  for (let index = from; index <= upTo; index++) {
    const same = (d: XmlElement) => d.name === "controller" && d.attributes.type === type;
    if (other.some((d) => same(d) && d.attributes.index === String(index))) continue;
    // Appended to the controllers, as virDomainDefAddController does.
    const at = other.findLastIndex((d) => d.name === "controller" || d.name === "disk");
    other.splice(at + 1, 0, element("controller", { type, index: String(index), model }));
  }
}

/** virDomainDiskDefAssignAddress: drive addresses follow from the target name, per bus. */
const DRIVE_LAYOUT: Record<string, { perController: number; perBus: number }> = {
  ide: { perController: 4, perBus: 2 },
  fdc: { perController: 2, perBus: 2 },
  sata: { perController: 6, perBus: 6 },
  scsi: { perController: 7, perBus: 7 },
};

/** virDomainDeviceDefPostParseCheckFeatures: a driver without FD passing refuses an FD group. */
function refuseDiskFd(def: DomainDef): void {
  for (const disk of def.devices.other.filter((d) => d.name === "disk")) {
    if (kidsOf(disk).find((k) => k.name === "source")?.attributes.fdgroup === undefined) continue;
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `driver does not support FD passing for disk '${targetOf(disk)?.attributes.dev}'`,
    );
  }
}

/**
 * virDomainDiskExpandGroupIoTune: a disk naming a throttle group without limits of its own takes
 * those of the first disk of the group that has some.
 */
function expandGroupIotune(def: DomainDef): void {
  const disks = def.devices.other.filter((d) => d.name === "disk");
  for (const disk of disks) {
    const group = iotuneOf(disk).group_name;
    if (!group || iotuneHasAny(disk)) continue;
    const from = disks.find((d) => iotuneOf(d).group_name === group && iotuneHasAny(d));
    if (from) setIotune(disk, iotuneOf(from));
  }
}

/**
 * virDomainDiskDefAssignAddress: the drive address a SCSI disk's target name gives must not be
 * a SCSI host device's (libvirt's message lacks its closing quote).
 */
function checkScsiHostdevClash(def: DomainDef, dev: string, a: Record<string, string>): void {
  const taken = def.devices.other.some((h) => {
    if (h.name !== "hostdev" || h.attributes.type !== "scsi") return false;
    const at = kidsOf(h).find((k) => k.name === "address")?.attributes;
    const same = (k: string) => Number(at?.[k] ?? 0) === Number(a[k]);
    return at?.type === "drive" && ["controller", "bus", "target", "unit"].every(same);
  });
  if (!taken) return;
  throw VirError.report(
    "DOMAIN",
    "CONFIG_UNSUPPORTED",
    `using disk target name '${dev}' conflicts with SCSI host device address ` +
      `controller='${a.controller}' bus='0' target='0' unit='${a.unit}`,
  );
}

/** Drive addresses for IDE/SATA/FDC/SCSI disks and CCID slots for smartcards. */
function implicitControllers(def: DomainDef): void {
  for (const d of def.devices.other) {
    if (d.name === "disk") {
      const target = targetOf(d)?.attributes;
      const bus = target?.bus;
      const layout = bus && DRIVE_LAYOUT[bus];
      if (!bus || !layout) continue;
      let addr = kidsOf(d).find((k) => k.name === "address");
      if (!addr) {
        const idx = Math.max(0, diskNameIndex(target?.dev));
        const inController = idx % layout.perController;
        addr = element("address", {
          type: "drive",
          controller: String(Math.floor(idx / layout.perController)),
          bus: String(Math.floor(inController / layout.perBus)),
          target: "0",
          unit: String(inController % layout.perBus),
        });
        if (bus === "scsi") checkScsiHostdevClash(def, target!.dev, addr.attributes);
        d.children.push(addr);
      }
      ensureController(def, bus, Number(addr.attributes.controller ?? "0"));
    }
  }
  // The SCSI host devices' addresses, after the disks' (the device post-parse's order).
  const scsiHostdevs = placeScsiHostdevs(def);
  // virDomainDefMaybeAddVirtioSerialController: the controller a virtio channel or console
  // is addressed on (0 without an address).
  for (const d of def.devices.other) {
    if (
      (d.name === "channel" || d.name === "console") && targetOf(d)?.attributes.type === "virtio"
    ) {
      const addr = kidsOf(d).find((k) => k.name === "address")?.attributes;
      const index = addr?.type === "virtio-serial" ? Number(addr.controller ?? 0) : 0;
      ensureController(def, "virtio-serial", index, index);
    }
  }
  // virDomainDefMaybeAddSmartcardController: a smartcard without an address takes the slot
  // after the highest one on CCID controller 0.
  for (const d of def.devices.other.filter((x) => x.name === "smartcard")) {
    let addr = kidsOf(d).find((k) => k.name === "address");
    if (!addr) {
      const slots = def.devices.other
        .filter((x) => x.name === "smartcard")
        .map((x) => kidsOf(x).find((k) => k.name === "address")?.attributes)
        .filter((a) => a?.type === "ccid" && Number(a.controller ?? 0) === 0)
        .map((a) => Number(a!.slot ?? 0));
      addr = element("address", {
        type: "ccid",
        controller: "0",
        slot: String(Math.max(-1, ...slots) + 1),
      });
      d.children.push(addr);
    }
    const index = addr.attributes.type === "ccid" ? Number(addr.attributes.controller ?? 0) : 0;
    ensureController(def, "ccid", index, index);
  }
  // virDomainDefMaybeAddHostdevSCSIcontroller, last.
  if (scsiHostdevs.controllers) {
    ensureController(def, "scsi", scsiHostdevs.controllers - 1, 0, scsiHostdevs.model);
  }
}

/** VGA-like cards of these hypervisors get their own default video RAM (KiB). */
const VGA_VRAM_BY_HYPERVISOR: Record<string, number> = { vbox: 8192, vmware: 4096 };

/** virDomainVideoDefaultRAM of a `type` card on a `virtType` domain, as text; none for 0. */
function videoDefaultRam(virtType: string, type: string): string | undefined {
  const vgaLike = type === "vga" || type === "cirrus" || type === "vmvga";
  const kib = (vgaLike ? VGA_VRAM_BY_HYPERVISOR[virtType] : undefined) ?? VIDEO_VRAM[type];
  return kib === undefined ? undefined : String(kib);
}

/** Graphics imply a video card; every video gets model defaults; the first is primary. */
function videoDefaults(def: DomainDef, defaultModel: string): void {
  const other = def.devices.other;
  const hasGraphics = other.some((d) => d.name === "graphics");
  let videos = other.filter((d) => d.name === "video");
  if (hasGraphics && !videos.length) {
    const video = element("video", {}, []);
    const after = other.findIndex((d) => d.name !== "video" && isAfterVideo(d.name));
    other.splice(after < 0 ? other.length : after, 0, video);
    videos = [video];
  }
  videos.forEach((v, i) => {
    let model = kidsOf(v).find((k) => k.name === "model");
    if (!model) {
      model = element("model", {});
      v.children.unshift(model);
    }
    const a = model.attributes;
    const type = a.type ?? defaultModel;
    // A size of 0 is none: the default fills it (the RAM of QXL only), else it is not written.
    const given = (v: string | undefined) =>
      v === undefined || /^\s*\+?0+$/.test(v) ? undefined : v;
    const ram = given(a.ram) ?? (type === "qxl" ? videoDefaultRam(def.type, type) : undefined);
    const vram = given(a.vram) ?? videoDefaultRam(def.type, type);
    model.attributes = Object.fromEntries(
      Object.entries({
        type,
        ram: powerOfTwo(ram),
        vram: powerOfTwo(vram),
        vram64: a.vram64,
        vgamem: a.vgamem,
        heads: a.heads ?? (type === "none" ? undefined : "1"),
        // The first card is the primary one, but for none (virDomainDefPostParseVideo); a
        // second one marked primary stays so, for validation to refuse.
        primary: (i === 0 ? type !== "none" : a.primary === "yes") ? "yes" : undefined,
      }).filter((e): e is [string, string] => e[1] !== undefined),
    );
  });
}

/** virDomainVideoDefPostParse's VIR_ROUND_UP_POWER_OF_TWO of a video RAM size (in KiB). */
function powerOfTwo(kib: string | undefined): string | undefined {
  if (kib === undefined || !/^[0-9]+$/.test(kib.trim())) return kib;
  const v = BigInt(kib.trim());
  if (v <= 1n) return String(v);
  return String(1n << BigInt((v - 1n).toString(2).length));
}

/**
 * The test driver's video default (testDomainDevicesDefPostParse), whatever the domain's
 * type: Xen's framebuffer for a Xen or Linux guest, VGA on ppc64 and Cirrus otherwise.
 *
 * @example
 * ```ts
 * import { testVideoDefault } from "./postparse.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * testVideoDefault(def); // "cirrus" for an x86 HVM guest
 * ```
 */
export function testVideoDefault(def: DomainDef): string {
  if (def.os.type === "xen" || def.os.type === "linux") return "xen";
  return def.os.arch === "ppc64" || def.os.arch === "ppc64le" ? "vga" : "cirrus";
}

/** Devices libvirt formats after `<video>`: an implicit video goes before them. */
const AFTER_VIDEO = new Set(DEVICE_ORDER.slice(DEVICE_ORDER.indexOf("video") + 1));
const isAfterVideo = (name: string) => AFTER_VIDEO.has(name);

/**
 * `<devices>`: one list per device kind, in libvirt's format order. Interfaces are modelled;
 * other devices are canonical element trees.
 *
 * @example
 * ```ts
 * import { parseDevices } from "./devices.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseDevices(parse("<devices><input type='mouse' bus='ps2'/></devices>"), {}).other.length; // 1
 * ```
 * @module
 */
import {
  formatVlan,
  parseMac,
  parseULongLong,
  parseVlan,
  sanitizePath,
  scaleInteger,
  ULLONG_MAX,
  xmlPropEnum,
  xmlPropInt,
  xmlPropRequired,
  xmlPropUInt,
} from "../common/mod.ts";
import { checkDiskSource } from "../common/disk_source.ts";
import { formatBandwidth, parseBandwidth } from "../common/bandwidth.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";
import { child, children, childText, element, textOf } from "../../util/xml/mod.ts";
import { checkAudioRef, parseAudio } from "./audio.ts";
import { metadataCacheElement, parseBackingStore } from "./backing_store.ts";
import { diskSourceElement } from "./disk_source.ts";
import {
  chardevSource,
  checkChardevTarget,
  checkGuestfwd,
  parseReconnectSetting,
} from "./chardev.ts";
import { checkVirtioOptions } from "./virtio_options.ts";
import { controllerDriver, controllerPcihole64, controllerTarget } from "./controller.ts";
import { type DomainDef, type DomainInterface, INTERFACE_TYPES } from "./def.ts";
import { parseGraphics } from "./graphics.ts";
import { insertDisk } from "./disk_name.ts";
import { STARTUP_POLICIES } from "./startup_policy.ts";
import { checkUsbHostdevSource } from "./hostdev_usb.ts";
import { hostdevInterfaceSource, parseHostdev } from "./hostdev.ts";
import { assignControllerIndexes } from "./controller_index.ts";
import { insertControllers } from "./controller_order.ts";
import { netIPInfo } from "./net_ip.ts";
import { interfaceSourceAttrs } from "./interface_source.ts";
import { parseNetModel } from "./net_model.ts";
import { parsePortForwards } from "./net_port_forward.ts";
import { parseInterfaceVirtualPort } from "./interface_virtualport.ts";
import { parseIommu } from "./iommu.ts";
import { parseLease } from "./lease.ts";
import { parseRedirfilter } from "./redirfilter.ts";
import { parseMemoryDevice } from "./memory_device.ts";
import { parseShmem } from "./shmem.ts";
import { scaledValue } from "./scaled.ts";
import { parseIotune } from "./iotune.ts";
import { checkDiskDriver } from "./disk_driver.ts";
import { kidOrder, setChild } from "./tune_xml.ts";
import { parseTpm } from "./tpm.ts";
import { strToULongLong, virtiofsBinary, virtiofsQueue } from "./virtiofs.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";
import { normalizeFilterref } from "../nwfilter/params.ts";

/** Device element names in the order libvirt formats them. */
export const DEVICE_ORDER = [
  "disk",
  "controller",
  "lease",
  "filesystem",
  "interface",
  "smartcard",
  "serial",
  "parallel",
  "console",
  "channel",
  "input",
  "tpm",
  "graphics",
  "sound",
  "audio",
  "video",
  "hostdev",
  "redirdev",
  "redirfilter",
  "hub",
  "watchdog",
  "memballoon",
  "rng",
  "nvram",
  "panic",
  "shmem",
  "memory",
  "iommu",
  "vsock",
  "crypto",
];

/** The order in which virDomainDefParseXML reads the device kinds. */
const PARSE_ORDER = [
  "disk",
  "controller",
  "lease",
  "filesystem",
  "interface",
  "smartcard",
  "parallel",
  "serial",
  "console",
  "channel",
  "input",
  "graphics",
  "sound",
  "audio",
  "video",
  "hostdev",
  "watchdog",
  "memballoon",
  "rng",
  "tpm",
  "nvram",
  "hub",
  "redirdev",
  "redirfilter",
  "panic",
  "shmem",
  "memory",
  "iommu",
  "vsock",
  "crypto",
];

const CHARDEVS = new Set(["serial", "parallel", "console", "channel"]);

/** virDomainMemballoonModel's names (the model is required). */
const MEMBALLOON_MODELS = [
  "virtio",
  "xen",
  "none",
  "virtio-transitional",
  "virtio-non-transitional",
];

/** The device kinds virDomainDefParseXML allows once, with its error for more. */
const SINGLE: Record<string, [string, string]> = {
  watchdog: ["INTERNAL_ERROR", "only a single watchdog device is supported"],
  memballoon: ["INTERNAL_ERROR", "only a single memory balloon device is supported"],
  nvram: ["INTERNAL_ERROR", "only a single nvram device is supported"],
  redirfilter: ["INTERNAL_ERROR", "only one set of redirection filter rule is supported"],
  iommu: ["XML_ERROR", "only a single IOMMU device is supported"],
  vsock: ["XML_ERROR", "only a single vsock device is supported"],
};
/** The `<interface>` children the model keeps in `extra`, in libvirt's format order. */
export const INTERFACE_KIDS: readonly string[] = [
  "vlan",
  "virtualport",
  "bandwidth",
  "port",
  "script",
  "downscript",
  "backenddomain",
  "guest",
  "driver",
  "backend",
  "filterref",
  "tune",
  "teaming",
  "link",
  "mtu",
  "coalesce",
  "boot",
  "alias",
  "master",
  "rom",
  "acpi",
  "address",
];

/** Known enum values whose violation libvirt reports while parsing (VIR_FROM_XML). */
export const DEVICE_ENUMS: Record<string, Record<string, string[]>> = {
  controller: { type: "ide fdc scsi sata virtio-serial ccid usb pci xenbus isa".split(" ") },
  target: { bus: "ide fdc scsi virtio xen usb uml sata sd".split(" ") },
  disk: {
    type: "file block dir network volume nvme vhostuser".split(" "),
    device: "floppy disk cdrom lun".split(" "),
  },
  interface: { type: [...INTERFACE_TYPES] },
  graphics: { type: "sdl vnc rdp desktop spice egl-headless dbus".split(" ") },
};

function checkEnum(el: XmlElement, attr: string): void {
  xmlPropEnum(el, attr, DEVICE_ENUMS[el.name][attr]);
}

/** What device parsing needs of the domain parsed before: its OS type, architecture, virt type. */
export interface DeviceContext {
  osType: string;
  arch?: string;
  virtType: string;
}

/** Parses `<devices>` into the model's `devices` field. */
export function parseDevices(
  el: XmlElement | undefined,
  options: NormalizeOptions,
  context: DeviceContext = { osType: "hvm", virtType: "test" },
): DomainDef["devices"] {
  const interfaces: DomainInterface[] = [];
  const byKind = new Map<string, XmlElement[]>();
  // virDomainDefParseXML reads the devices kind by kind, so the first error is the first
  // kind's.
  for (const kind of PARSE_ORDER) {
    const single = SINGLE[kind];
    if (single && children(el, kind).length > 1) throw VirError.report("DOMAIN", ...single);
    for (const dev of children(el, kind)) {
      for (const boot of children(dev, "boot")) bootLoadparm(boot);
      if (kind === "interface") {
        interfaces.push(parseInterface(dev, options));
        continue;
      }
      const parsed = parseDevice(dev, options, context);
      if (!parsed) continue;
      const list = byKind.get(kind) ?? [];
      if (kind === "disk") insertDisk(list, parsed);
      else list.push(parsed);
      byKind.set(kind, list);
    }
    checkUsbNone(kind, byKind);
    // virDomainDefParseXML puts a video card marked primary first.
    if (kind === "video") byKind.set(kind, primaryFirst(byKind.get(kind) ?? []));
    if (kind === "controller") {
      byKind.set(kind, insertControllers(byKind.get(kind) ?? []));
      checkUsbMaster(byKind.get(kind) ?? []);
      assignControllerIndexes(byKind.get(kind) ?? []);
    }
  }
  const other = DEVICE_ORDER.flatMap((k) => byKind.get(k) ?? []);
  const emulator = childText(el, "emulator")?.trim();
  return emulator ? { emulator, interfaces, other } : { interfaces, other };
}

/**
 * virDomainDeviceBootParseXML's loadparm (an s390 boot's parameter): kept upper case, 1 to 8
 * letters, digits, dots and blanks.
 */
function bootLoadparm(boot: XmlElement): void {
  const given = boot.attributes.loadparm;
  if (given === undefined) return;
  const loadparm = given.replace(/[a-z]/g, (c) => c.toUpperCase());
  if (!loadparm.trim() || new TextEncoder().encode(loadparm).length > 8) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      `loadparm value '${loadparm}' must be between 1 and 8 characters`,
    );
  }
  if (!/^[A-Za-z0-9. ]*$/.test(loadparm)) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      `invalid loadparm value '${loadparm}', expecting chars in set of [a-zA-Z0-9.] and blank spaces`,
    );
  }
  boot.attributes.loadparm = loadparm;
}

/** What virDomainDefParseXML refuses of each kind when a USB controller of model none is there. */
const USB_NONE: Record<string, [(d: XmlElement) => boolean, string]> = {
  input: [(d) => d.attributes.bus === "usb", "Can't add USB input device. USB bus is disabled"],
  hub: [(d) => d.attributes.type === "usb", "Can't add USB hub: USB is disabled for this domain"],
  hostdev: [
    (d) => d.attributes.type === "usb",
    "Can't add host USB device: USB is disabled in this host",
  ],
};

function checkUsbNone(kind: string, byKind: Map<string, XmlElement[]>): void {
  const rule = USB_NONE[kind];
  const none = (byKind.get("controller") ?? []).some((c) =>
    c.attributes.type === "usb" && c.attributes.model === "none"
  );
  if (rule && none && (byKind.get(kind) ?? []).some(rule[0])) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", rule[1]);
  }
}

/** Video cards as libvirt inserts them: each one marked primary at the front. */
function primaryFirst(videos: XmlElement[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const v of videos) {
    if (child(v, "model")?.attributes.primary === "yes") out.unshift(v);
    else out.push(v);
  }
  return out;
}

function parseDevice(
  dev: XmlElement,
  options: NormalizeOptions,
  context: DeviceContext,
): XmlElement | undefined {
  if (dev.name === "graphics") {
    checkEnum(dev, "type");
    return parseGraphics(dev, options);
  }
  if (CHARDEVS.has(dev.name)) return parseChardev(dev, options);
  if (dev.name === "memballoon" && dev.attributes.model === "none") {
    // virDomainMemballoonDefParseXML ignores a none model's device info.
    dev = { ...dev, children: dev.children.filter((c) => !isDeviceInfo(c)) };
  }
  if (dev.name === "controller") {
    checkEnum(dev, "type");
    // virDomainControllerDefParseXML: an index, when given, is a non-negative int.
    xmlPropInt(dev, "index", { nonNegative: true });
    const driverEl = child(dev, "driver");
    const driver = driverEl && controllerDriver(driverEl);
    const target = controllerTarget(dev, dev.attributes.type!);
    const n = normalizeElement(dev, "devices", options);
    if (n) {
      // The model, then the target and driver as their parsers write them, the device info,
      // and a PCI root's 64-bit hole last (virDomainControllerDefFormat).
      const own = ["model", "target", "driver", "pcihole64"];
      const isKid = (c: XmlNode, name: string) => c.type === "element" && c.name === name;
      n.children = [
        ...n.children.filter((c) => isKid(c, "model")),
        ...[target, driver].filter((e) => e !== undefined),
        ...n.children.filter((c) => !own.some((name) => isKid(c, name))),
        ...[controllerPcihole64(dev)].filter((e) => e !== undefined),
      ];
    }
    if (n) defaultUsbMaster(n);
    return n;
  }
  if (dev.name === "disk") return parseDisk(dev, options);
  if (dev.name === "lease") return parseLease(dev);
  if (dev.name === "memballoon") xmlPropEnum(dev, "model", MEMBALLOON_MODELS, true);
  if (dev.name === "redirfilter") return parseRedirfilter(dev);
  if (dev.name === "filesystem") return parseFilesystem(dev, options);
  if (dev.name === "smartcard" || dev.name === "redirdev") {
    const n = normalizeElement(dev, "devices", options);
    if (!n) return undefined;
    const source = chardevSource(dev);
    if (dev.name === "redirdev") checkUsbAddress(n, dev.attributes.bus ?? "usb");
    // virDomainRedirdevDefParseXML names a D-Bus redirection's channel when the XML does not.
    if (dev.name === "redirdev" && dev.attributes.type === "dbus" && !source.length) {
      source.push(element("source", { channel: "org.qemu.usbredir" }));
    }
    n.children = [...source, ...n.children.filter((c) => !isSourceLike(c))];
    return n;
  }
  if (dev.name === "rng") return parseRng(dev, options);
  if (dev.name === "watchdog") return parseWatchdog(dev, options);
  if (dev.name === "iommu") return parseIommu(dev, options);
  if (dev.name === "audio") return parseAudio(dev);
  if (dev.name === "memory") return parseMemoryDevice(dev, options);
  if (dev.name === "tpm") return parseTpm(dev, options);
  if (dev.name === "shmem") return parseShmem(dev, options);
  if (dev.name === "hostdev") {
    const n = parseHostdev(dev, options);
    // virDomainNetTeamingInfoParseXML: the first <teaming>, as an interface's.
    const given = child(dev, "teaming");
    const teaming = given && parseTeaming(given);
    if (n) {
      n.children = n.children.flatMap((c) =>
        c.type !== "element" || c.name !== "teaming"
          ? [c]
          : teaming && c === child(n, "teaming")
          ? [teaming]
          : []
      );
    }
    return n;
  }
  if (dev.name === "input") {
    checkVirtioOptions(child(dev, "driver"));
    const n = normalizeElement(dev, "devices", options);
    if (!n) return n;
    const bus = dev.attributes.bus ?? inputBus(dev.attributes.type, context);
    const { type, bus: _, ...rest } = n.attributes;
    // virDomainInputDefFormat writes every bus but none.
    n.attributes = element("input", { type, bus: bus === "none" ? undefined : bus }).attributes;
    Object.assign(n.attributes, rest);
    checkUsbAddress(n, bus);
    const source = inputSource(type, child(dev, "source"));
    // virDomainInputDefFormat writes the virtio driver, the source, then the device info.
    const isKid = (c: XmlNode, name: string) => c.type === "element" && c.name === name;
    n.children = [
      ...n.children.filter((c) => isKid(c, "driver")),
      ...(source ? [source] : []),
      ...n.children.filter((c) => !isKid(c, "source") && !isKid(c, "driver")),
    ];
    return n;
  }
  if (dev.name === "panic") {
    const model = dev.attributes.model;
    if (model !== undefined && !PANIC_MODELS.includes(model)) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown panic model '${model}'`);
    }
  }
  if (dev.name === "sound") return parseSound(dev, options);
  if (dev.name === "vsock") return parseVsock(dev, options);
  return normalizeElement(dev, "devices", options);
}

/**
 * virDomainDefControllersParse: USB controllers (but `none`) need one that is nobody's
 * companion, the master the others hang on; `none` is the only one when it is there.
 */
function checkUsbMaster(controllers: XmlElement[]): void {
  const all = controllers.filter((c) => c.attributes.type === "usb");
  const usb = all.filter((c) => c.attributes.model !== "none");
  // A `none` controller disables USB: no other one, nor a second `none`.
  if (all.some((c) => c.attributes.model === "none") && all.length > 1) {
    throw VirError.report(
      "DOMAIN",
      "XML_DETAIL",
      "Can't add another USB controller: USB is disabled for this domain",
    );
  }
  if (usb.length && usb.every((c) => child(c, "master"))) {
    throw VirError.report("DOMAIN", "XML_DETAIL", "No master USB controller specified");
  }
}

/** The first port of the ICH9 UHCI companions (virDomainControllerDefParseXML). */
const UHCI_START_PORT: Record<string, number> = {
  "ich9-uhci1": 0,
  "ich9-uhci2": 2,
  "ich9-uhci3": 4,
};

/** An ICH9 UHCI controller given no `<master>` gets its companion's usual first port. */
function defaultUsbMaster(n: XmlElement): void {
  const port = UHCI_START_PORT[n.attributes.model ?? ""];
  if (n.attributes.type !== "usb" || port === undefined || child(n, "master")) return;
  // After the alias, before the ACPI index and the address (virDomainDeviceInfoFormat).
  const at = n.children.findIndex((c) =>
    c.type === "element" && (c.name === "acpi" || c.name === "address")
  );
  n.children.splice(at < 0 ? n.children.length : at, 0, element("master", { startport: port }));
}

/** An interface child read by its own parser, given the interface; undefined when empty. */
type NicPart = (el: XmlElement, dev: XmlElement) => XmlElement | undefined;

/**
 * virDomainNetBackendParseXML, the `<tune>` sndbuf, virDomainNetDefCoalesceParseXML and
 * virNetworkPortOptionsParseXML, in virDomainNetDefParseXML's order.
 */
const NIC_PARTS: Record<string, NicPart> = {
  backend: (el, dev) => {
    // The only type besides the default is passt, which libvirt 9.0 refuses here too.
    // (virXMLPropEnum's error for the others, its caller's for passt).
    const type = el.attributes.type;
    if (type !== undefined) {
      throw VirError.report(
        type === "passt" ? "DOMAIN" : "XML",
        "XML_ERROR",
        `Invalid value for attribute 'type' in element 'backend': '${type}'.`,
      );
    }
    const { tap, vhost, logFile } = el.attributes;
    const virtio = VIRTIO_NIC_MODELS.includes(parseNetModel(dev) ?? "");
    const out = element("backend", {
      tap: tap === undefined ? undefined : sanitizePath(tap),
      vhost: vhost !== undefined && dev.attributes.type !== "hostdev" && virtio
        ? sanitizePath(vhost)
        : undefined,
      logFile,
    });
    return Object.keys(out.attributes).length ? out : undefined;
  },
  tune: (el) => {
    const text = childText(el, "sndbuf");
    if (!text) return undefined;
    const n = parseULongLong(text);
    if (n === undefined) {
      throw VirError.report("DOMAIN", "XML_ERROR", "sndbuf must be a positive integer");
    }
    return element("tune", {}, [element("sndbuf", {}, [String(n)])]);
  },
  // The receive frames only; none (or 0) is no coalescing.
  coalesce: (el) => {
    const text = child(child(el, "rx"), "frames")?.attributes.max;
    if (!text) return undefined;
    const n = parseULongLong(text);
    if (n === undefined) {
      throw VirError.report(
        "DOMAIN",
        "XML_DETAIL",
        `cannot parse value '${text}' for coalesce parameter`,
      );
    }
    if (n > 0xffffffffn) {
      throw VirError.report(
        "DOMAIN",
        "OVERFLOW",
        `value '${n}' is too big for coalesce parameter, maximum is '4294967295'`,
      );
    }
    if (!n) return undefined;
    const frames = element("frames", { max: String(n) });
    return element("coalesce", {}, [element("rx", {}, [frames])]);
  },
  port: (el) => {
    const isolated = xmlPropEnum(el, "isolated", ["yes", "no"]);
    return isolated ? element("port", { isolated }) : undefined;
  },
};

/** virTristateSwitch names. */
const SWITCHES = ["on", "off"] as const;

/** virDomainNetIsVirtioModel's models. */
const VIRTIO_NIC_MODELS = ["virtio", "virtio-transitional", "virtio-non-transitional"];

/** virDomainNetDefParseXML's `<local>` of a udp socket: a required address and int port. */
function udpLocal(source: XmlElement): { address: string; port: string } {
  const local = child(source, "local");
  if (!local) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "'<local>' element missing for 'udp' socket interface",
    );
  }
  const address = xmlPropRequired(local, "address");
  const port = xmlPropInt(local, "port", { required: true })!;
  return { address, port: String(port) };
}

/** virDomainVsockModel names; default (0) is accepted and not written. */
const VSOCK_MODELS = ["default", "virtio", "virtio-transitional", "virtio-non-transitional"];

/** virDomainVsockDefParseXML's checks: the model, a non-zero guest CID, its auto flag. */
function parseVsock(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  const model = xmlPropEnum(dev, "model", VSOCK_MODELS);
  const cid = child(dev, "cid");
  if (cid) {
    xmlPropUInt(cid, "address", undefined, { nonZero: true });
    xmlPropEnum(cid, "auto", ["yes", "no"]);
  }
  const n = normalizeElement(dev, "devices", options);
  if (n && model === "default") delete n.attributes.model;
  return n;
}

/** The sound models with codecs (virDomainSoundModelSupportsCodecs), and the codec types. */
const CODEC_MODELS = ["ich6", "ich9"];
const CODEC_TYPES = ["duplex", "micro", "output"];

/** virDomainSoundDefParseXML: codecs read (and kept) for the models that have them only. */
function parseSound(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  const codecs = CODEC_MODELS.includes(xmlPropEnum(dev, "model", SOUND_MODELS, true)!);
  for (const codec of codecs ? children(dev, "codec") : []) {
    const type = codec.attributes.type;
    if (!CODEC_TYPES.includes(type ?? "")) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `unknown codec type '${type ?? "(null)"}'`,
      );
    }
  }
  checkAudioRef(dev);
  const n = normalizeElement(dev, "devices", options);
  if (n && !codecs) {
    n.children = n.children.filter((c) => c.type !== "element" || c.name !== "codec");
  }
  return n;
}

/** virDomainFSDefParseXML's checks of the `<filesystem>` attributes, in its order. */
function parseFilesystem(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  xmlPropEnum(dev, "type", ["mount", "block", "file", "template", "ram", "bind", "volume"]);
  const access = xmlPropEnum(dev, "accessmode", ["", "passthrough", "mapped", "squash"]);
  const modes: Record<string, string | undefined> = {};
  for (const attr of ["fmode", "dmode"]) {
    const v = xmlPropUInt(dev, attr, undefined, { base: 8 });
    if (v !== undefined && v > 0o777) {
      throw VirError.report("DOMAIN", "XML_ERROR", `invalid ${attr}: '0${v.toString(8)}'`);
    }
    modes[attr] = v ? v.toString(8).padStart(4, "0") : undefined;
  }
  xmlPropEnum(dev, "model", ["virtio", "virtio-transitional", "virtio-non-transitional"]);
  const multidevs = xmlPropEnum(dev, "multidevs", ["default", "remap", "forbid", "warn"]);
  const limits = ["space_hard_limit", "space_soft_limit"].map((name) => {
    const bytes = scaledValue(child(dev, name), `./${name}[1]`, 1n);
    // virDomainFSDefFormat writes a limit in bytes, and none that is zero.
    return bytes ? element(name, { unit: "bytes" }, [String(bytes)]) : undefined;
  });
  const virtiofs = child(dev, "driver")?.attributes.type === "virtiofs";
  const queue = virtiofs ? virtiofsQueue(child(dev, "driver")?.attributes.queue) : undefined;
  const binary = virtiofs ? virtiofsBinary(dev) : undefined;
  const ramSource = dev.attributes.type === "ram" ? ramFsSource(child(dev, "source")) : undefined;
  const n = normalizeElement(dev, "devices", options);
  if (!n) return undefined;
  const replaced: Record<string, XmlElement | undefined> = { source: ramSource, binary };
  n.children = n.children.flatMap((c): XmlNode[] => {
    if (c.type !== "element") return [c];
    if (c.name === "driver") {
      // virDomainFSDefFormat: the queue after the write policy, before the virtio options.
      const { type, format, wrpolicy, queue: _, ...virtio } = c.attributes;
      c.attributes = element("driver", { type, format, wrpolicy, queue, ...virtio }).attributes;
    }
    if (c.name === "binary" || (c.name === "source" && ramSource)) {
      return replaced[c.name] ? [replaced[c.name]!] : [];
    }
    return [c];
  });
  for (const limit of limits) if (limit) n.children.push(limit);
  // virDomainFSDefFormat: the type and the access mode (passthrough by default, unless an
  // external daemon's socket serves the share), multidevs unless default, the modes in octal.
  const { type = "mount", model } = n.attributes;
  const socket = child(dev, "source")?.attributes.socket !== undefined;
  n.attributes = element("filesystem", {
    type,
    accessmode: access || (socket ? undefined : "passthrough"),
    model,
    multidevs: multidevs === "default" ? undefined : multidevs,
    ...modes,
  }).attributes;
  return n;
}

/**
 * A RAM filesystem's `<source usage units>` as virDomainFSDefParseXML reads it (a whole number,
 * KiB unless `units` says otherwise) and virDomainFSDefFormat writes it (in KiB).
 */
function ramFsSource(source: XmlElement | undefined): XmlElement {
  const usage = source?.attributes.usage;
  if (usage === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "missing 'usage' attribute for RAM filesystem");
  }
  const value = strToULongLong(usage);
  if (value === undefined) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `cannot parse usage '${usage}' for RAM filesystem`,
    );
  }
  const bytes = scaleInteger(value, source!.attributes.units, 1024n, ULLONG_MAX);
  return element("source", { usage: String(bytes / 1024n), units: "KiB" });
}

/** virDomainPanicModel names. */
const PANIC_MODELS = ["default", "isa", "pseries", "hyperv", "s390"];

/** A USB input or redirection device with an address of another bus (its parser's check). */
/** virDomainInputDefParseXML's bus for an input that names none. */
function inputBus(type: string | undefined, context: DeviceContext): string {
  const { osType, arch, virtType } = context;
  if (osType === "hvm") {
    const x86 = arch === undefined || arch === "i686" || arch === "x86_64";
    if ((type === "mouse" || type === "keyboard") && x86) return "ps2";
    if (arch?.startsWith("s390") || type === "passthrough") return "virtio";
    return type === "evdev" ? "none" : "usb";
  }
  if (osType === "xen" || osType === "xenpvh") return "xen";
  // Otherwise the bus keeps its zero value, ps2.
  return virtType === "vz" || virtType === "parallels" ? "parallels" : "ps2";
}

/** The children virDomainDeviceInfoParseXML reads. */
const DEVICE_INFO_KIDS = ["alias", "address", "master", "boot", "rom", "acpi"];

function isDeviceInfo(node: XmlNode): boolean {
  return node.type === "element" && DEVICE_INFO_KIDS.includes(node.name);
}

/** virDomainInputSourceGrabToggle names (without the unset "default"). */
const GRAB_TOGGLES = [
  "ctrl-ctrl",
  "alt-alt",
  "shift-shift",
  "meta-meta",
  "scrolllock",
  "ctrl-scrolllock",
] as const;

/**
 * virDomainInputDefParseXML's `<source>`: a passthrough input's `evdev`, an evdev input's `dev`
 * with its grab options; other inputs' sources are not read.
 */
function inputSource(type: string | undefined, source: XmlElement | undefined) {
  if (!source || (type !== "passthrough" && type !== "evdev")) return undefined;
  const attr = type === "evdev" ? "dev" : "evdev";
  const path = source.attributes[attr];
  if (path === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Missing evdev path for input device");
  }
  if (type === "passthrough") return element("source", { evdev: sanitizePath(path) });
  return element("source", {
    dev: sanitizePath(path),
    grab: xmlPropEnum(source, "grab", ["all"] as const),
    grabToggle: xmlPropEnum(source, "grabToggle", GRAB_TOGGLES),
    repeat: xmlPropEnum(source, "repeat", ["on", "off"] as const),
  });
}

function checkUsbAddress(n: XmlElement, bus: string): void {
  const type = child(n, "address")?.attributes.type;
  if (bus === "usb" && type !== undefined && type !== "usb") {
    throw VirError.report("DOMAIN", "XML_ERROR", "Invalid address for a USB device");
  }
}

/** virDomainSoundModel names. */
const SOUND_MODELS = ["sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb", "ich7"];

/** virDomainWatchdogModel and virDomainWatchdogAction names. */
const WATCHDOG_MODELS = ["i6300esb", "ib700", "diag288"];
const WATCHDOG_ACTIONS = ["reset", "shutdown", "poweroff", "pause", "dump", "none", "inject-nmi"];

/** virDomainWatchdogDefParseXML: the model is required and the action defaults to reset. */
function parseWatchdog(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  const { model, action } = dev.attributes;
  if (model === undefined) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "watchdog must contain model name");
  }
  if (!WATCHDOG_MODELS.includes(model)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown watchdog model '${model}'`);
  }
  if (action !== undefined && !WATCHDOG_ACTIONS.includes(action)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown watchdog action '${action}'`);
  }
  const n = normalizeElement(dev, "devices", options);
  if (n) n.attributes = { model, action: action ?? "reset", ...n.attributes };
  return n;
}

const isSourceLike = (c: { type: string; name?: string }) =>
  c.type === "element" && (c.name === "source" || c.name === "protocol");

function parseRng(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  const n = normalizeElement(dev, "devices", options);
  const backend = child(dev, "backend");
  if (!n || !backend) return n;
  const kids = backend.attributes.model === "egd" ? chardevSource(backend) : [];
  const text = childText(dev, "backend")?.trim();
  const be = element(
    "backend",
    { model: backend.attributes.model, type: backend.attributes.type },
    [
      ...kids,
      ...(kids.length || !text ? [] : [text]),
    ],
  );
  // virDomainRNGDefFormat writes a rate of some bytes only.
  n.children = n.children
    .filter((c) => c.type !== "element" || c.name !== "rate" || Number(c.attributes.bytes ?? 0))
    .map((c) => c.type === "element" && c.name === "backend" ? be : c);
  return n;
}

const DISK_BUS_BY_PREFIX: [string, string][] = [
  ["hd", "ide"],
  ["sd", "scsi"],
  ["vd", "virtio"],
  ["xvd", "xen"],
  ["ubd", "uml"],
];

/** virDomainDiskDefPostParse: a floppy is on the fdc bus, another disk's bus follows its name. */
function defaultDiskBus(device: string | undefined, dev: string | undefined): string {
  if (device === "floppy") return "fdc";
  return DISK_BUS_BY_PREFIX.find(([p]) => dev?.startsWith(p))?.[1] ?? "ide";
}

function parseDisk(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  checkEnum(dev, "type");
  // virDomainDiskDefParseSourceXML runs between the type and the device.
  const source = child(dev, "source");
  if (source) checkDiskSource(dev.attributes.type, source);
  // virDomainStorageSourceParse, by storage type (canonical already).
  const sourceEl = source && diskSourceElement(dev.attributes.type, source, options);
  // Then the disk's own <auth> and <encryption>, which may not repeat its source's.
  for (const name of ["auth", "encryption"]) {
    if (child(dev, name) && child(source, name)) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `an <${name}> definition already found for disk source`,
      );
    }
  }
  const backingStore = parseBackingStore(dev, options);
  checkEnum(dev, "device");
  // virDomainDiskDefParseXML's order: the disk's attributes, the source's startup policy, the
  // target, geometry, block sizes, driver, transient and iotune.
  for (const [attr, names] of DISK_ENUMS) xmlPropEnum(dev, attr, names);
  // VIR_XML_PROP_NONZERO: "default" is refused as an unknown value is.
  if (source) xmlPropEnum(source, "startupPolicy", STARTUP_POLICIES);
  const target = child(dev, "target");
  if (target) {
    checkEnum(target, "bus");
    xmlPropEnum(target, "tray", ["closed", "open"]);
    xmlPropEnum(target, "removable", ["on", "off"]);
    xmlPropUInt(target, "rotation_rate");
  }
  const geometry = child(dev, "geometry");
  for (const attr of ["cyls", "heads", "secs"]) if (geometry) xmlPropUInt(geometry, attr);
  if (geometry) xmlPropEnum(geometry, "trans", ["none", "auto", "lba"]);
  const blockio = child(dev, "blockio");
  for (const attr of ["logical_block_size", "physical_block_size"]) {
    if (blockio) xmlPropUInt(blockio, attr);
  }
  const driver = child(dev, "driver");
  if (driver) checkDiskDriver(driver);
  // virDomainDiskDefDriverSourceParseXML: the image's metadata cache bound, in bytes.
  const cacheSize = scaledValue(
    child(child(driver, "metadata_cache"), "max_size"),
    "./metadata_cache/max_size",
    1n,
  );
  const transient = child(dev, "transient");
  if (transient) xmlPropEnum(transient, "shareBacking", ["yes", "no"]);
  const iotune = parseIotune(child(dev, "iotune"));
  const n = normalizeElement(cdromReadonly(dev), "devices", options);
  if (!n) return undefined;
  // A driver holding only a metadata cache has no attribute for the table to keep.
  if (cacheSize && !n.children.some((c) => c.type === "element" && c.name === "driver")) {
    n.children.unshift(element("driver", {}));
  }
  n.children = n.children.flatMap((c): XmlNode[] => {
    if (c.type !== "element") return [c];
    if (c.name === "backingStore") return backingStore ? [backingStore] : [];
    // A source's index and a block job's mirror belong to the running domain: libvirt reads
    // them only from a status.
    if (c.name === "mirror") return options.keepAliases ? [c] : [];
    if (c.name === "driver" && cacheSize) c.children.push(metadataCacheElement(cacheSize));
    if (c.name === "driver") formattedDriver(c);
    if (c.name !== "source" || !sourceEl) return [c];
    if (!options.keepAliases) delete sourceEl.attributes.index;
    iscsiLun(sourceEl);
    return [sourceEl];
  });
  if (iotune) setChild(n, "iotune", iotune, kidOrder("disk", "devices"));
  // virXPathString keeps an identifier's text as written, blanks included.
  for (const name of ["serial", "wwn", "vendor", "product"]) {
    const raw = textOf(child(dev, name));
    const el = raw ? element(name, {}, [raw]) : undefined;
    if (child(dev, name)) setChild(n, name, el, kidOrder("disk", "devices"));
  }
  n.attributes = { type: n.attributes.type ?? "file", device: "disk", ...n.attributes };
  // virDomainDiskDefParseXML: a disk without a source is a file disk (an empty drive).
  if (!source) n.attributes.type = "file";
  // virDomainDiskDefPostParse: a vhost-user disk cannot be snapshotted.
  if (n.attributes.type === "vhostuser") n.attributes.snapshot ??= "no";
  const t = n.children.find((c): c is XmlElement => c.type === "element" && c.name === "target");
  if (t && t.attributes.bus === undefined && t.attributes.dev !== undefined) {
    const dev = t.attributes.dev;
    t.attributes = { dev, bus: defaultDiskBus(n.attributes.device, dev), ...t.attributes };
  }
  if (t) formattedTarget(t);
  if (n.attributes.model === "default") delete n.attributes.model;
  formattedGeometry(n);
  // virDomainDiskDefPostParse makes a read-only disk's default snapshot mode 'no', which
  // virDomainDiskDefFormat then leaves out (readers derive it back from <readonly/>).
  if (child(n, "readonly") && n.attributes.snapshot === "no") delete n.attributes.snapshot;
  return n;
}

/**
 * virDomainDiskDefFormatDriver: the default cache mode and zero queue counts are not written,
 * numbers are written as numbers.
 */
function formattedDriver(driver: XmlElement): void {
  const a = driver.attributes;
  if (a.cache === "default") delete a.cache;
  for (const k of ["queues", "queue_size"]) {
    if (a[k] === undefined) continue;
    const n = xmlPropUInt(driver, k)!;
    if (n) a[k] = String(n);
    else delete a[k];
  }
}

/** The disk's own enum attributes in libvirt's order ('default' only for the model). */
const DISK_ENUMS: [string, string[]][] = [
  ["model", ["default", "virtio", "virtio-transitional", "virtio-non-transitional"]],
  ["snapshot", ["no", "internal", "external", "manual"]],
  ["rawio", ["yes", "no"]],
  ["sgio", ["filtered", "unfiltered"]],
];

/** virDomainPostParseCheckISCSIPath: an iSCSI target without a LUN means LUN 0. */
function iscsiLun(source: XmlElement): void {
  const name = source.attributes.name;
  if (source.attributes.protocol === "iscsi" && name !== undefined && !name.includes("/")) {
    source.attributes.name = `${name}/0`;
  }
}

/** virDomainDiskDefPostParse: a cdrom is always read-only. */
function cdromReadonly(dev: XmlElement): XmlElement {
  if (dev.attributes.device !== "cdrom" || child(dev, "readonly")) return dev;
  return { ...dev, children: [...dev.children, element("readonly", {})] };
}

/**
 * virDomainDiskGeometryDefFormat: a geometry only with cylinders, heads and sectors, its
 * translation unless the default.
 */
function formattedGeometry(disk: XmlElement): void {
  const g = child(disk, "geometry");
  if (!g) return;
  const a = g.attributes;
  const num = (k: string) => xmlPropUInt(g, k) ?? 0;
  if (!num("cyls") || !num("heads") || !num("secs")) {
    disk.children = disk.children.filter((c) => c !== g);
    return;
  }
  g.attributes = element("geometry", {
    cyls: num("cyls"),
    heads: num("heads"),
    secs: num("secs"),
    trans: a.trans,
  }).attributes;
}

/** virDomainDiskDefFormat writes a tray only when it is open. */
function formattedTarget(target: XmlElement): void {
  // An open tray elsewhere, or `removable` off USB, is refused by the validation.
  if (target.attributes.tray === "closed") delete target.attributes.tray;
}

function parseChardev(dev: XmlElement, options: NormalizeOptions): XmlElement {
  const type = dev.attributes.type ?? "pty";
  const targetIndex = checkChardevTarget(dev);
  const target = child(dev, "target");
  const kids: XmlElement[] = chardevSource(dev);
  // Compared with VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_VIRTIO (2) whatever the device is.
  if (type === "spicevmc" && targetIndex !== 2) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "spicevmc device type only supports virtio",
    );
  }
  const log = child(dev, "log");
  if (log) kids.push(normalizeElement(log, dev.name, options, "devices")!);
  if (target) {
    const t = normalizeElement(target, dev.name, options, "devices");
    // A virtio channel's state is the running domain's (virDomainChrDefParseTargetXML reads it
    // only from a status), never a definition's.
    if (t && !options.keepAliases) delete t.attributes.state;
    if (t && dev.name === "channel" && t.attributes.type === "guestfwd") {
      Object.assign(t.attributes, checkGuestfwd(target));
    }
    if (t) kids.push(t);
  } else if (dev.name !== "channel") kids.push(element("target", {}));
  for (const name of ["alias", "master", "address"]) {
    const k = child(dev, name);
    const n = k && normalizeElement(k, dev.name, options, "devices");
    if (n) kids.push(n);
  }
  // virDomainChrDefParseXML, after the device info: a USB serial port sits on a USB bus.
  const address = child(dev, "address")?.attributes.type;
  if (
    dev.name === "serial" && target?.attributes.type === "usb-serial" && address !== undefined &&
    address !== "usb"
  ) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "usb-serial requires address of usb type",
    );
  }
  return element(dev.name, { type }, kids);
}

function parseMacOrThrow(text: string): string {
  const mac = parseMac(text);
  if (mac === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", `unable to parse mac address '${text}'`);
  }
  // virMacAddrIsMulticast: the group bit of the first octet.
  if (parseInt(mac.slice(0, 2), 16) & 1) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `expected unicast mac address, found multicast '${text}'`,
    );
  }
  return mac;
}

/**
 * Whether libvirt generated the host-side name `dev` itself (`vnet…`, `macvtap…`,
 * `macvlan…`): such names are forgotten when a definition is parsed and left out of an
 * inactive XML.
 *
 * @example
 * ```ts
 * import { generatedIfname } from "./devices.ts";
 * generatedIfname("vnet3"); // true
 * ```
 */
export function generatedIfname(dev: string): boolean {
  return /^(?:vnet|macvtap|macvlan)/.test(dev);
}

const userIfname = (dev: string | undefined) =>
  dev === undefined || generatedIfname(dev) ? undefined : dev;

/** The interface types whose traffic a network filter may apply to. */
const FILTERREF_TYPES = ["network", "bridge", "ethernet"];

function parseInterface(dev: XmlElement, options: NormalizeOptions): DomainInterface {
  checkEnum(dev, "type");
  // virDomainNetDefParseXML reads it right after the type.
  const trust = xmlPropEnum(dev, "trustGuestRxFilters", ["yes", "no"] as const);
  const model = parseNetModel(dev);
  const sourceEl = child(dev, "source");
  const hostIP = sourceEl ? netIPInfo(sourceEl, "interface host IP") : [];
  // A hostdev interface's source is a USB device's when its address says so, or, without an
  // address type, when it names a vendor.
  const addrType = child(sourceEl, "address")?.attributes.type ||
    (child(sourceEl, "vendor") ? "usb" : undefined);
  if (dev.attributes.type === "hostdev" && sourceEl && addrType === "usb") {
    checkUsbHostdevSource(sourceEl);
  }
  // Then the type's source, and the virtual port its type allows.
  const sourceAttrs = interfaceSourceAttrs(dev);
  const local = dev.attributes.type === "udp" ? udpLocal(sourceEl!) : undefined;
  const reconnect = dev.attributes.type === "vhostuser"
    ? parseReconnectSetting(sourceEl)
    : undefined;
  const virtualPort = parseInterfaceVirtualPort(dev);
  const mac = child(dev, "mac")?.attributes;
  const extra: XmlElement[] = [];
  for (const name of INTERFACE_KIDS) {
    // virDomainNetDefParseXML reads a <filterref> for these types only.
    if (name === "filterref" && !FILTERREF_TYPES.includes(dev.attributes.type ?? "")) continue;
    for (const k of children(dev, name)) {
      // virNetDevVlanParse, with its checks; libvirt reads the first <vlan> only.
      if (name === "vlan") {
        if (k === child(dev, "vlan")) extra.push(formatVlan(parseVlan(k)));
        continue;
      }
      if (name === "virtualport") continue;
      // virNetDevBandwidthParse of the first <bandwidth>, a floor for network NICs only; one
      // without a direction is none.
      if (name === "bandwidth") {
        const bw = k === child(dev, "bandwidth") &&
          formatBandwidth(parseBandwidth(k, dev.attributes.type === "network"));
        if (bw) extra.push(bw);
        continue;
      }
      // The first <filterref>, its parameters as virNWFilterParseParamAttributes keeps them.
      if (name === "filterref") {
        const f = k === child(dev, "filterref") && normalizeFilterref(k);
        if (f) extra.push(f);
        continue;
      }
      // Read after the device info, below.
      if (name in NIC_PARTS) continue;
      // virDomainNetTeamingInfoParseXML: the first <teaming>, its two attributes only.
      if (name === "teaming") {
        const t = k === child(dev, "teaming") && parseTeaming(k);
        if (t) extra.push(t);
        continue;
      }
      // virDomainNetDefParseXMLDriver reads a virtio driver's settings, then its offloads as
      // on/off switches.
      const virtioDriver = name === "driver" && dev.attributes.type !== "hostdev" &&
        VIRTIO_NIC_MODELS.includes(model ?? "");
      if (virtioDriver) {
        xmlPropEnum(k, "name", ["qemu", "vhost"]);
        xmlPropEnum(k, "txmode", ["iothread", "timer"]);
        for (const attr of ["ioeventfd", "event_idx"]) xmlPropEnum(k, attr, SWITCHES);
        for (const attr of ["queues", "rx_queue_size", "tx_queue_size"]) xmlPropUInt(k, attr);
        for (const attr of ["rss", "rss_hash_report"]) xmlPropEnum(k, attr, SWITCHES);
      }
      if (name === "driver") {
        for (const o of ["host", "guest"]) {
          const el = child(k, o);
          for (const attr of Object.keys(el?.attributes ?? {})) xmlPropEnum(el!, attr, SWITCHES);
        }
      }
      const n = normalizeElement(k, "interface", options, "devices");
      // There is always one queue pair: one is none.
      if (n && virtioDriver && Number(n.attributes.queues) === 1) delete n.attributes.queues;
      if (n) extra.push(n);
    }
  }
  // checkEnum refused any other type.
  const type = (dev.attributes.type ?? "") as DomainInterface["type"];
  const net: DomainInterface = { type, extra };
  if (trust !== undefined) net.trustGuestRxFilters = trust;
  // Absent fields stay absent (not undefined) so the model is the same after a JSON trip.
  if (mac?.address !== undefined) net.mac = parseMacOrThrow(mac.address);
  if (mac?.type !== undefined) net.macType = mac.type;
  if (mac?.check !== undefined) net.macCheck = mac.check;
  if (sourceAttrs) net.source = sourceAttrs;
  if (hostIP.length) net.hostIP = hostIP;
  if (local) net.sourceLocal = local;
  if (reconnect) net.sourceReconnect = reconnect;
  // virDomainHostdevDefParseXMLSubsys reads a hostdev interface's device and managed flag (only
  // 'yes' is managed).
  if (dev.attributes.type === "hostdev") {
    if (sourceEl) net.hostdevSource = hostdevInterfaceSource(sourceEl);
    if (dev.attributes.managed === "yes") net.managed = "yes";
  }
  if (virtualPort) extra.push(virtualPort);
  const targetEl = child(dev, "target");
  const managed = targetEl && xmlPropEnum(targetEl, "managed", ["yes", "no"] as const);
  if (managed) net.targetManaged = managed;
  // An unmanaged tap keeps its name, whatever it looks like.
  const target = managed === "no" ? targetEl?.attributes.dev : userIfname(targetEl?.attributes.dev);
  if (target !== undefined) net.target = target;
  if (model !== undefined) net.model = model;
  // After the device info, as virDomainNetDefParseXML reads the guest side's addresses, then
  // the port forwards.
  extra.push(...netIPInfo(dev, "guest interface"));
  extra.push(...parsePortForwards(dev));
  // The first <backend>, <tune> and <port>, read after the device info and the guest
  // side's addresses, each put in its place among the other children.
  for (const [name, parse] of Object.entries(NIC_PARTS)) {
    const k = child(dev, name);
    const parsed = k && parse(k, dev);
    if (!parsed) continue;
    const rank = (e: XmlElement) => INTERFACE_KIDS.indexOf(e.name);
    const at = extra.findIndex((e) => rank(e) > rank(parsed));
    extra.splice(at < 0 ? extra.length : at, 0, parsed);
  }
  return net;
}

/** The teaming types libvirt names (`none` is its unset value, refused when written). */
const TEAMING_TYPES = ["persistent", "transient"];

/**
 * virDomainNetTeamingInfoParseXML: a `<teaming>` with a type or a persistent peer names one of
 * libvirt's teaming types; one with neither is none.
 */
function parseTeaming(teaming: XmlElement): XmlElement | undefined {
  const { type, persistent } = teaming.attributes;
  if (type === undefined && persistent === undefined) return undefined;
  if (!TEAMING_TYPES.includes(type ?? "")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `unknown teaming type '${type ?? "(null)"}'`,
    );
  }
  return element("teaming", { type, persistent });
}

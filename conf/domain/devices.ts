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
import { parseMac, xmlPropEnum } from "../common/mod.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, childText, element } from "../../util/xml/mod.ts";
import { chardevSource } from "./chardev.ts";
import { type DomainDef, type DomainInterface, INTERFACE_TYPES } from "./def.ts";
import { parseGraphics } from "./graphics.ts";
import { insertDisk } from "./disk_name.ts";
import { parseIommu } from "./iommu.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

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

const CHARDEVS = new Set(["serial", "parallel", "console", "channel"]);
/** The `<interface>` children the model keeps in `extra`, in libvirt's format order. */
export const INTERFACE_KIDS: readonly string[] = [
  "virtualport",
  "script",
  "downscript",
  "backenddomain",
  "guest",
  "driver",
  "filterref",
  "bandwidth",
  "link",
  "mtu",
  "boot",
  "rom",
  "alias",
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

/** Parses `<devices>` into the model's `devices` field. */
export function parseDevices(
  el: XmlElement | undefined,
  options: NormalizeOptions,
): DomainDef["devices"] {
  const interfaces: DomainInterface[] = [];
  const byKind = new Map<string, XmlElement[]>();
  for (const dev of children(el)) {
    if (dev.name === "emulator") continue;
    if (dev.name === "interface") {
      interfaces.push(parseInterface(dev, options));
      continue;
    }
    const parsed = parseDevice(dev, options);
    if (!parsed) continue;
    const list = byKind.get(dev.name) ?? [];
    if (dev.name === "disk") insertDisk(list, parsed);
    else list.push(parsed);
    byKind.set(dev.name, list);
  }
  const other = DEVICE_ORDER.flatMap((k) => byKind.get(k) ?? []);
  const emulator = childText(el, "emulator")?.trim();
  return emulator ? { emulator, interfaces, other } : { interfaces, other };
}

function parseDevice(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  if (!DEVICE_ORDER.includes(dev.name)) {
    options.onUnknown?.({ parent: "devices", name: dev.name });
    return undefined;
  }
  if (dev.name === "graphics") {
    checkEnum(dev, "type");
    return parseGraphics(dev, options);
  }
  if (CHARDEVS.has(dev.name)) return parseChardev(dev, options);
  if (dev.name === "controller") {
    checkEnum(dev, "type");
    const n = normalizeElement(dev, "devices", options);
    if (n && n.attributes.index === undefined) {
      n.attributes = { type: n.attributes.type, index: "0", ...n.attributes };
    }
    return n;
  }
  if (dev.name === "disk") return parseDisk(dev, options);
  if (dev.name === "filesystem") {
    const n = normalizeElement(dev, "devices", options);
    // virDomainFSDefFormat always writes the type and the access mode, defaulted.
    if (n) n.attributes = { type: "mount", accessmode: "passthrough", ...n.attributes };
    return n;
  }
  if (dev.name === "smartcard" || dev.name === "redirdev") {
    const n = normalizeElement(dev, "devices", options);
    if (!n) return undefined;
    const source = chardevSource(dev, false);
    n.children = [...source, ...n.children.filter((c) => !isSourceLike(c))];
    return n;
  }
  if (dev.name === "rng") return parseRng(dev, options);
  if (dev.name === "watchdog") return parseWatchdog(dev, options);
  if (dev.name === "iommu") return parseIommu(dev, options);
  return normalizeElement(dev, "devices", options);
}

/** virDomainWatchdogModel and virDomainWatchdogAction names. */
const WATCHDOG_MODELS = ["i6300esb", "ib700", "diag288", "itco"];
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
  const kids = backend.attributes.model === "egd" ? chardevSource(backend, false) : [];
  const text = childText(dev, "backend")?.trim();
  const be = element(
    "backend",
    { model: backend.attributes.model, type: backend.attributes.type },
    [
      ...kids,
      ...(kids.length || !text ? [] : [text]),
    ],
  );
  n.children = n.children.map((c) => c.type === "element" && c.name === "backend" ? be : c);
  return n;
}

const DISK_BUS_BY_PREFIX: [string, string][] = [
  ["hd", "ide"],
  ["sd", "scsi"],
  ["vd", "virtio"],
  ["xvd", "xen"],
  ["ubd", "uml"],
  ["fd", "fdc"],
];

function parseDisk(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  checkEnum(dev, "type");
  checkEnum(dev, "device");
  const target = child(dev, "target");
  if (target) checkEnum(target, "bus");
  const n = normalizeElement(dev, "devices", options);
  if (!n) return undefined;
  n.attributes = { type: n.attributes.type ?? "file", device: "disk", ...n.attributes };
  const t = n.children.find((c): c is XmlElement => c.type === "element" && c.name === "target");
  if (t && t.attributes.bus === undefined && t.attributes.dev !== undefined) {
    const dev = t.attributes.dev;
    const bus = DISK_BUS_BY_PREFIX.find(([p]) => dev.startsWith(p))?.[1];
    if (bus) t.attributes = { dev, bus, ...t.attributes };
  }
  return n;
}

function parseChardev(dev: XmlElement, options: NormalizeOptions): XmlElement {
  const type = dev.attributes.type ?? "pty";
  const target = child(dev, "target");
  const targetType = target?.attributes.type;
  const pathOptional = dev.name === "channel" && (targetType === "virtio" || targetType === "xen");
  const kids: XmlElement[] = chardevSource(dev, pathOptional);
  const log = child(dev, "log");
  if (log) kids.push(normalizeElement(log, dev.name, options, "devices")!);
  if (target) {
    const t = normalizeElement(target, dev.name, options, "devices");
    // A virtio channel's state is the running domain's (virDomainChrDefParseTargetXML reads it
    // only from a status), never a definition's.
    if (t && !options.keepAliases) delete t.attributes.state;
    if (t) kids.push(t);
  } else if (dev.name !== "channel") kids.push(element("target", {}));
  for (const name of ["alias", "address"]) {
    const k = child(dev, name);
    const n = k && normalizeElement(k, dev.name, options, "devices");
    if (n) kids.push(n);
  }
  return element(dev.name, { type }, kids);
}

function parseMacOrThrow(text: string): string {
  const mac = parseMac(text);
  if (mac === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", `unable to parse mac address '${text}'`);
  }
  return mac;
}

/** Names libvirt generated itself are forgotten when a definition is parsed. */
const GENERATED_IFNAME = /^(?:vnet|macvtap|macvlan)/;
const userIfname = (dev: string | undefined) =>
  dev === undefined || GENERATED_IFNAME.test(dev) ? undefined : dev;

/** The `<source>` attributes virDomainNetDefParseXML reads for each interface type. */
const INTERFACE_SOURCE_ATTRS: Record<string, string[]> = {
  network: ["network", "portgroup"],
  bridge: ["bridge"],
  direct: ["dev", "mode"],
  internal: ["name"],
  vdpa: ["dev"],
};

function interfaceSource(type: string, attrs: Record<string, string>): Record<string, string> {
  const keep = INTERFACE_SOURCE_ATTRS[type];
  if (!keep) return { ...attrs };
  return Object.fromEntries(keep.filter((k) => attrs[k] !== undefined).map((k) => [k, attrs[k]]));
}

function parseInterface(dev: XmlElement, options: NormalizeOptions): DomainInterface {
  checkEnum(dev, "type");
  const mac = child(dev, "mac")?.attributes;
  const source = child(dev, "source")?.attributes;
  const extra: XmlElement[] = [];
  for (const name of INTERFACE_KIDS) {
    for (const k of children(dev, name)) {
      const n = normalizeElement(k, "interface", options, "devices");
      if (n) extra.push(n);
    }
  }
  // checkEnum refused any other type.
  const type = (dev.attributes.type ?? "") as DomainInterface["type"];
  const net: DomainInterface = { type, extra };
  // Absent fields stay absent (not undefined) so the model is the same after a JSON trip.
  if (mac?.address !== undefined) net.mac = parseMacOrThrow(mac.address);
  if (mac?.type !== undefined) net.macType = mac.type;
  if (mac?.check !== undefined) net.macCheck = mac.check;
  if (source) net.source = interfaceSource(net.type, source);
  const target = userIfname(child(dev, "target")?.attributes.dev);
  if (target !== undefined) net.target = target;
  const model = child(dev, "model")?.attributes.type;
  if (model !== undefined) net.model = model;
  return net;
}

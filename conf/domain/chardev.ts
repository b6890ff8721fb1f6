/**
 * Character device sources (`virDomainChrSourceDef`): the `<source>`/`<protocol>` children of
 * `<serial>`, `<console>`, `<channel>`, `<parallel>`, `<smartcard>`, `<redirdev>` and an RNG
 * `<backend>`, parsed with libvirt's checks and re-emitted in libvirt's canonical form.
 *
 * @example
 * ```ts
 * import { chardevSource } from "./chardev.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * chardevSource(parse("<channel type='tcp'><source host='h' service='1'/></channel>"));
 * // [<source mode='connect' host='h' service='1'/>, <protocol type='raw'/>]
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, element } from "../../util/xml/mod.ts";
import { parseUInt, socketAddr, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { parseDeviceSeclabels } from "./seclabel.ts";

const PATH_TYPES = new Set(["dev", "file", "pipe", "pty"]);

/** The character devices whose `<source>` may override the domain's security labels. */
const LABELLED = new Set(["serial", "parallel", "console", "channel"]);

/**
 * The canonical source children of chardev `el`. What a source lacks is libvirt's validation
 * error, reported later by {@link validateChardevSource}.
 */
export function chardevSource(el: XmlElement): XmlElement[] {
  const type = el.attributes.type ?? "pty";
  const sources = children(el, "source");
  if (type === "udp" ? sources.length > 2 : sources.length > 1) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      type === "udp"
        ? "only two source elements are allowed for character device"
        : "only one source element is allowed for character device",
    );
  }
  const kids = sourceChildren(el, type, sources);
  // The first source's label overrides, parsed after its attributes whatever the type; only
  // a path's and a UNIX socket's are written.
  const labels = LABELLED.has(el.name) && sources[0] ? parseDeviceSeclabels(sources[0]) : [];
  const labelled = kids.find((k) =>
    k.name === "source" && k.attributes.path !== undefined && type !== "pty"
  );
  labelled?.children.unshift(...labels);
  // Then the log and the protocol, each at most once.
  const log = atMostOne(el, "log");
  if (log) xmlPropEnum(log, "append", ["on", "off"]);
  const protocol = atMostOne(el, "protocol")?.attributes.type;
  if (type === "tcp" && protocol !== undefined && !TCP_PROTOCOLS.includes(protocol)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Unknown protocol '${protocol}'`);
  }
  return kids;
}

/** virDomainChrTcpProtocol names. */
const TCP_PROTOCOLS = ["raw", "telnet", "telnets", "tls"];

/** The canonical `<source>` (and a TCP device's `<protocol>`) of chardev `el` of type `type`. */
function sourceChildren(el: XmlElement, type: string, sources: XmlElement[]): XmlElement[] {
  const src = sources[0]?.attributes ?? {};
  if (PATH_TYPES.has(type)) {
    // virDomainChrSourceDefParseFile: a file's append is a tristate switch.
    if (type === "file" && sources[0]) xmlPropEnum(sources[0], "append", ["on", "off"]);
    if (src.path === undefined || type === "pty") return [];
    return [
      element("source", { path: src.path, append: type === "file" ? src.append : undefined }),
    ];
  }
  if (type === "tcp") {
    const mode = sourceMode(sources[0]);
    // virXMLPropTristateBool, between the mode and the reconnect settings.
    const tls = sources[0] && xmlPropEnum(sources[0], "tls", ["yes", "no"]);
    const reconnect = parseReconnect(sources[0], mode);
    const protocol = child(el, "protocol")?.attributes.type ?? "raw";
    return [
      element("source", { mode, host: src.host, service: src.service, tls }, [reconnect]),
      element("protocol", { type: protocol }),
    ];
  }
  if (type === "udp") {
    // virDomainChrSourceDefParseUDP: the first source of each mode that names something.
    let bind: Record<string, string | undefined> = {};
    let connect: Record<string, string | undefined> = {};
    for (const s of sources) {
      const mode = xmlPropEnum(s, "mode", ["connect", "bind"]) ?? "connect";
      const { host, service } = s.attributes;
      if (mode === "connect" && connect.host === undefined && connect.service === undefined) {
        connect = { host, service };
      } else if (mode === "bind" && bind.host === undefined && bind.service === undefined) {
        bind = { host, service };
      }
    }
    const out: XmlElement[] = [];
    if (bind.host !== undefined || bind.service !== undefined) {
      out.push(element("source", { mode: "bind", host: bind.host, service: bind.service }));
    }
    out.push(element("source", { mode: "connect", host: connect.host, service: connect.service }));
    return out;
  }
  if (type === "unix") {
    const mode = sourceMode(sources[0]);
    if (src.path === undefined) return [];
    return [element("source", { mode, path: src.path }, [parseReconnect(sources[0], mode)])];
  }
  if ((type === "spiceport" || type === "dbus") && src.channel !== undefined) {
    return [element("source", { channel: src.channel })];
  }
  // virDomainChrSourceDefParseQemuVdagent: the clipboard and mouse settings, written back
  // clipboard first.
  if (type === "qemu-vdagent" && sources[0]) {
    const clipboard = child(sources[0], "clipboard");
    const copypaste = clipboard && xmlPropEnum(clipboard, "copypaste", ["yes", "no"], true);
    const mouse = child(sources[0], "mouse");
    const mode = mouse && xmlPropEnum(mouse, "mode", ["server", "client"], true);
    if (!copypaste && !mode) return [];
    return [
      element("source", {}, [
        copypaste ? element("clipboard", { copypaste }) : undefined,
        mode ? element("mouse", { mode }) : undefined,
      ]),
    ];
  }
  // A lone master or slave is kept for virDomainChrSourceDefValidate to refuse.
  if (type === "nmdm" && (src.master !== undefined || src.slave !== undefined)) {
    return [element("source", { master: src.master, slave: src.slave })];
  }
  return [];
}

/** virDomainChrSourceModeType of a TCP or UNIX source: connect unless bind is asked for. */
function sourceMode(source: XmlElement | undefined): string {
  return (source && xmlPropEnum(source, "mode", ["connect", "bind"])) ?? "connect";
}

/**
 * virDomainChrSourceDefValidate on a parsed chardev source: `dev` holds the `type` and the
 * canonical `<source>` children; `pathOptional` is true where libvirt can generate a UNIX
 * socket path itself (virtio and Xen channels).
 *
 * @example
 * ```ts
 * import { validateChardevSource } from "./chardev.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateChardevSource(parse("<serial type='pty'/>"), false); // no error
 * ```
 */
export function validateChardevSource(dev: XmlElement, pathOptional: boolean): void {
  const type = dev.attributes.type ?? "pty";
  const sources = children(dev, "source");
  const src = sources[0]?.attributes ?? {};
  const missing = (what: string) =>
    VirError.report("DOMAIN", "INTERNAL_ERROR", `Missing source ${what} attribute for char device`);
  if (type === "file" || type === "dev" || type === "pipe") {
    if (src.path === undefined) throw missing("path");
  } else if (type === "nmdm") {
    if ((src.master === undefined) !== (src.slave === undefined)) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        "Should define both master and slave path attributes for nmdm device",
      );
    }
  } else if (type === "tcp") {
    if (src.host === undefined) throw missing("host");
    if (src.service === undefined) throw missing("service");
  } else if (type === "udp") {
    const connect = sources.find((s) => s.attributes.mode === "connect")?.attributes;
    if (connect?.service === undefined) throw missing("service");
  } else if (type === "unix") {
    if (src.path === undefined && !pathOptional) throw missing("path");
  } else if (type === "spiceport" || type === "dbus") {
    const channel = src.channel;
    if (channel === undefined) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "Missing source channel attribute for char device",
      );
    }
    if (!/^[a-zA-Z0-9_.-]*$/.test(channel)) {
      throw VirError.report(
        "DOMAIN",
        "INVALID_ARG",
        "Invalid character in source channel for char device",
      );
    }
  }
}

function parseReconnect(source: XmlElement | undefined, mode: string): XmlElement | undefined {
  const out = parseReconnectSetting(source);
  checkReconnectMode(out, mode === "bind");
  return out;
}

/**
 * virDomainChrSourceReconnectDefParseXML: the `<reconnect>` of socket source `source` as
 * libvirt writes it back, none without a setting; a reconnection needs its timeout.
 *
 * @example
 * ```ts
 * import { parseReconnectSetting } from "./chardev.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseReconnectSetting(parse("<source><reconnect enabled='no' timeout='3'/></source>"));
 * // <reconnect enabled='no'/>
 * ```
 */
export function parseReconnectSetting(source: XmlElement | undefined): XmlElement | undefined {
  const r = child(source, "reconnect");
  if (!r) return undefined;
  const enabled = xmlPropEnum(r, "enabled", ["yes", "no"]);
  if (enabled === "yes" && r.attributes.timeout === undefined) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      "Missing required attribute 'timeout' in element 'reconnect'",
    );
  }
  // Without a setting there is nothing to keep (virDomainChrSourceReconnectDefFormat).
  if (!enabled) return undefined;
  return element("reconnect", {
    enabled,
    timeout: enabled === "yes" ? r.attributes.timeout : undefined,
  });
}

/**
 * virDomainChrSourceDefValidate: a socket that listens does not reconnect (`reconnect` is a
 * source's canonical `<reconnect>`, kept only with a setting).
 *
 * @example
 * ```ts
 * import { checkReconnectMode } from "./chardev.ts";
 * checkReconnectMode(undefined, true); // no error
 * ```
 */
export function checkReconnectMode(reconnect: XmlElement | undefined, listening: boolean): void {
  if (reconnect && listening) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      "chardev reconnect is possible only for connect mode",
    );
  }
}

/** virDomainChr's source types. */
export const SOURCE_TYPES = [
  "null",
  "vc",
  "pty",
  "dev",
  "file",
  "pipe",
  "stdio",
  "udp",
  "tcp",
  "unix",
  "spicevmc",
  "spiceport",
  "nmdm",
  "qemu-vdagent",
  "dbus",
];

/** Target types by device, in enum order (their numbers matter, see below). */
const TARGET_TYPES: Record<string, string[]> = {
  serial: [
    "none",
    "isa-serial",
    "usb-serial",
    "pci-serial",
    "spapr-vio-serial",
    "system-serial",
    "sclp-serial",
    "isa-debug",
  ],
  channel: ["none", "guestfwd", "virtio", "xen"],
  console: ["none", "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm"],
};
const SERIAL_MODELS = [
  "none",
  "isa-serial",
  "usb-serial",
  "pci-serial",
  "spapr-vty",
  "pl011",
  "sclpconsole",
  "sclplmconsole",
  "16550a",
  "isa-debugcon",
];

const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);

/**
 * The checks of virDomainChrDefParseXML that come before the source is read: the source type,
 * then the `<target>` (virDomainChrDefParseTargetXML: type and model per device, a channel's
 * guestfwd address, the port of the others). Returns the target type's enum number, which
 * libvirt compares with the virtio channel's for a spicevmc source whatever the device.
 */
export function checkChardevTarget(dev: XmlElement): number {
  const type = dev.attributes.type;
  if (type !== undefined && !SOURCE_TYPES.includes(type)) {
    throw unsupported(`unknown type presented to host for character device: ${type}`);
  }
  const target = child(dev, "target");
  const types = TARGET_TYPES[dev.name];
  const targetType = target?.attributes.type;
  if (dev.name === "channel" && targetType === undefined) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "target type must be specified for channel device",
    );
  }
  if (!target) return 0;
  const index = !types || targetType === undefined ? 0 : types.indexOf(targetType);
  if (index < 0) {
    throw unsupported(`unknown target type '${targetType}' specified for character device`);
  }
  const model = child(target, "model")?.attributes.name;
  if (dev.name === "serial" && model !== undefined && !SERIAL_MODELS.includes(model)) {
    throw unsupported(`unknown target model '${model}' specified for character device`);
  }
  if (dev.name === "channel") {
    if (targetType === "guestfwd") checkGuestfwd(target);
    return index;
  }
  const port = target.attributes.port;
  if (port !== undefined && parseUInt(port) === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", `Invalid port number: ${port}`);
  }
  return index;
}

/**
 * virDomainChrDefParseTargetXML's guestfwd target: an IPv4 address and a port, as
 * virDomainChrTargetDefFormat writes them back.
 *
 * @example
 * ```ts
 * import { checkGuestfwd } from "./chardev.ts";
 * import { element } from "../../util/xml/mod.ts";
 * checkGuestfwd(element("target", { type: "guestfwd", address: "10.0.2.1", port: "+80" }));
 * // { address: "10.0.2.1", port: "80" }
 * ```
 */
export function checkGuestfwd(target: XmlElement): { address: string; port: string } {
  const address = target.attributes.address;
  if (address === undefined) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "guestfwd channel does not define a target address",
    );
  }
  if (socketAddr(address).family !== "ipv4") {
    throw unsupported("guestfwd channel only supports IPv4 addresses");
  }
  const port = xmlPropUInt(target, "port", undefined, { required: true })!;
  return { address: socketAddr(address).text, port: String(port) };
}

/** The chardev's only `name` child, if any; a second one is libvirt's XML error. */
function atMostOne(el: XmlElement, name: string): XmlElement | undefined {
  const found = children(el, name);
  if (found.length > 1) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `only one ${name} element is allowed for character device`,
    );
  }
  return found[0];
}

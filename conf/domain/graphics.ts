/**
 * `<graphics>`: listen consolidation (legacy `listen`/`socket` attributes versus `<listen>`
 * children), VNC/SPICE autoport, and libvirt's attribute order.
 *
 * @example
 * ```ts
 * import { parseGraphics } from "./graphics.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseGraphics(parse("<graphics type='vnc'/>"), {});
 * // <graphics type='vnc' port='-1' autoport='yes'><listen type='address'/></graphics>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { checkAudioRef } from "./audio.ts";
import { parseInt32, xmlPropEnum } from "../common/mod.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, element } from "../../util/xml/mod.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

const LISTEN_TYPES = new Set(["vnc", "spice", "rdp"]);
/** The SPICE children of `<graphics>`, in libvirt's output order. */
export const SPICE_KIDS = [
  "channel",
  "image",
  "jpeg",
  "zlib",
  "playback",
  "streaming",
  "mouse",
  "clipboard",
  "filetransfer",
  "gl",
];

const mismatch = (attr: string, value: string, what: string, found: string) =>
  VirError.report(
    "DOMAIN",
    "CONFIG_UNSUPPORTED",
    `graphics '${attr}' attribute '${value}' must match '${what}' attribute of first listen element (found '${found}')`,
  );

/** The canonical form of one `<graphics>` element. */
export function parseGraphics(el: XmlElement, options: NormalizeOptions): XmlElement {
  const a = el.attributes;
  const type = a.type ?? "";
  const listens = LISTEN_TYPES.has(type) ? parseListens(el, type) : [];
  // virDomainDefPostParseGraphics: SPICE on no port and without autoport listens nowhere.
  const zero = (v: string | undefined) => v === undefined || parseInt32(v) === 0;
  if (
    type === "spice" && listens[0].type === "address" && zero(a.port) && zero(a.tlsPort) &&
    a.autoport !== "yes"
  ) listens[0] = { type: "none" };
  const attrs: Record<string, string | undefined> = { type };
  const first = listens[0];
  if (type === "vnc" || type === "spice") {
    // VNC without a port means autoport; SPICE only autoports when asked to, or with both
    // ports -1 (the legacy syntax).
    const autoport = a.autoport === "yes" ||
      (a.autoport === undefined &&
        (type === "vnc"
          ? a.port === "-1" || a.port === undefined
          : a.port === "-1" && a.tlsPort === "-1"));
    // Ports only for a display listening on an address or network (virDomainGraphicsDefFormat).
    const onAddress = first.type === "address" || first.type === "network";
    if (type === "vnc" && first?.type === "socket") {
      attrs.socket = first.socket;
    } else if (!onAddress) {
      // No port, nor autoport.
    } else if (autoport) {
      // An inactive definition forgets ports libvirt would allocate at start-up.
      if (type === "vnc") attrs.port = "-1";
      attrs.autoport = "yes";
    } else {
      // virDomainGraphicsDefFormat writes SPICE's ports only when not zero.
      const nonZero = (v: string | undefined) => parseInt32(v ?? "0") ? v : undefined;
      attrs.port = type === "spice" ? nonZero(a.port) : a.port;
      attrs.tlsPort = type === "spice" ? nonZero(a.tlsPort) : undefined;
      if (type === "vnc" || a.port !== undefined || a.tlsPort !== undefined) attrs.autoport = "no";
    }
    // A zero websocket port is none.
    if (type === "vnc" && onAddress && parseInt32(a.websocket ?? "0") !== 0) {
      attrs.websocket = a.websocket;
    }
  }
  if (type === "dbus") {
    // virDomainGraphicsDefParseXMLDBus, and virDomainGraphicsDefValidate's one check.
    const p2p = xmlPropEnum(el, "p2p", ["yes", "no"]) === "yes";
    if (p2p && a.address !== undefined) {
      throw VirError.report("DOMAIN", "XML_ERROR", "D-Bus p2p with an address is not supported");
    }
    attrs.p2p = p2p ? "yes" : undefined;
    attrs.address = a.address;
  }
  if (type === "rdp") Object.assign(attrs, rdpAttributes(a, options));
  if (first?.type === "address" && first.address !== undefined) attrs.listen = first.address;
  if (type === "vnc" || type === "spice") {
    attrs.keymap = a.keymap;
    if (type === "vnc") {
      attrs.sharePolicy = a.sharePolicy;
      attrs.powerControl = xmlPropEnum(el, "powerControl", ["yes", "no"]);
    }
    attrs.defaultMode = type === "spice" ? a.defaultMode : undefined;
    Object.assign(attrs, graphicsAuth(el, type));
  }
  if (type === "sdl" || type === "desktop") {
    // virXMLPropTristateBool, written only when yes.
    const fullscreen = xmlPropEnum(el, "fullscreen", ["yes", "no"]) === "yes" ? "yes" : undefined;
    attrs.display = a.display;
    if (type === "sdl") attrs.xauth = a.xauth;
    attrs.fullscreen = fullscreen;
  }
  const kids: XmlElement[] = listens.map((l) => element("listen", l));
  const gl = child(el, "gl");
  if (type === "sdl" && gl) {
    // virDomainGraphicsDefParseXMLSDL: <gl enable> is required once <gl> is there.
    kids.push(element("gl", { enable: xmlPropEnum(gl, "enable", ["yes", "no"], true) }));
  } else if (type === "dbus" && gl) {
    const enable = xmlPropEnum(gl, "enable", ["yes", "no"], true);
    kids.push(element("gl", { enable, rendernode: gl.attributes.rendernode }));
  } else if (type === "egl-headless" && gl?.attributes.rendernode) {
    kids.push(element("gl", { rendernode: gl.attributes.rendernode }));
  }
  if (type === "vnc" || type === "dbus") {
    // Written after the listens for VNC, in the D-Bus attributes' block (no listens) for D-Bus.
    checkAudioRef(el);
    const id = child(el, "audio")?.attributes.id;
    if (id !== undefined) kids.push(element("audio", { id: String(Number(id)) }));
  }
  if (type === "spice") {
    for (const name of SPICE_KIDS) {
      for (const k of children(el, name)) {
        const n = normalizeElement(k, "graphics", options, "devices");
        if (n) kids.push(n);
      }
    }
  }
  return element("graphics", attrs, kids);
}

/**
 * virDomainGraphicsDefParseXMLRDP and its format: no port (or the legacy -1) means autoport, and
 * an inactive definition forgets an autoport's port (written as 0); the user flags only when yes.
 */
function rdpAttributes(a: Record<string, string>, options: NormalizeOptions) {
  let port = 0;
  let autoport = a.port === undefined || a.autoport === "yes";
  if (a.port !== undefined) {
    const p = parseInt32(a.port);
    if (p === undefined) {
      throw VirError.report("DOMAIN", "INTERNAL_ERROR", `cannot parse rdp port ${a.port}`);
    }
    port = p;
    if (p === -1) autoport = true;
  }
  // A running domain's status keeps the port it was given.
  if (autoport && !options.keepAliases) port = 0;
  return {
    port: port ? String(port) : autoport ? "0" : undefined,
    autoport: autoport ? "yes" : undefined,
    replaceUser: a.replaceUser === "yes" ? "yes" : undefined,
    multiUser: a.multiUser === "yes" ? "yes" : undefined,
  };
}

interface Listen {
  type: string;
  address?: string;
  network?: string;
  socket?: string;
  [k: string]: string | undefined;
}

/**
 * virDomainGraphicsListensParseXML: the `<listen>` children, or else one from the element's
 * legacy `listen` attribute (a VNC `socket` attribute, which also replaces a first address or
 * network listen).
 */
function parseListens(el: XmlElement, type: string): Listen[] {
  const listens = children(el, "listen").map((l, i) => parseListen(l, type, i ? undefined : el));
  const socket = type === "vnc" ? el.attributes.socket : undefined;
  const compat: Listen = socket !== undefined
    ? { type: "socket", socket }
    : { type: "address", address: el.attributes.listen || undefined };
  if (!listens.length) listens.push(compat);
  else if (compat.type === "socket" && ["address", "network"].includes(listens[0].type)) {
    listens[0] = compat;
  }
  return listens;
}

/**
 * virDomainGraphicsListenDefParseXML of listen `l` of a `graphicsType` display; the first one
 * (given its `<graphics>` as `parent`) takes the element's legacy `listen`/`socket` attributes.
 */
function parseListen(l: XmlElement, graphicsType: string, parent?: XmlElement): Listen {
  const type = xmlPropEnum(l, "type", ["address", "network", "socket", "none"], true)!;
  const unsupported = (what: string) =>
    VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `listen type '${what}' is not available for graphics type '${graphicsType}'`,
    );
  if ((type === "socket" || type === "none") && !["vnc", "spice"].includes(graphicsType)) {
    throw unsupported(type);
  }
  const { network } = l.attributes;
  let { address, socket }: { address?: string; socket?: string } = l.attributes;
  const [addressCompat, socketCompat] = [parent?.attributes.listen, parent?.attributes.socket];
  if (type === "address") {
    if (address !== undefined && addressCompat !== undefined && address !== addressCompat) {
      throw mismatch("listen", addressCompat, "address", address);
    }
    address ??= addressCompat;
  }
  if (type === "socket") {
    if (socket !== undefined && socketCompat !== undefined && socket !== socketCompat) {
      throw mismatch("socket", socketCompat, "socket", socket);
    }
    socket ??= socketCompat;
  }
  const xmlErr = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  if (network && type !== "network") {
    throw xmlErr("'network' attribute is valid only for listen type 'network'");
  }
  if (socket && type !== "socket") {
    throw xmlErr("'socket' attribute is valid only for listen type 'socket'");
  }
  if (type === "network" && !network) {
    throw xmlErr("'network' attribute is required for listen type 'network'");
  }
  // A definition keeps a network listen's address no more than an empty one.
  if (type === "address") return { type, address: address || undefined };
  if (type === "network") return { type, network };
  if (type === "socket") return { type, socket: socket || undefined };
  return { type };
}

/** virDomainGraphicsAuthConnectedType names but default (0, refused as unknown). */
const CONNECTED = ["fail", "disconnect", "keep"];

/**
 * virDomainGraphicsAuthDefParseXML and its format: a password's expiry (read as
 * YYYY-MM-DDTHH:MM:SS and written back normalised) and what happens to connected clients when
 * it changes; without a password neither is read.
 */
function graphicsAuth(el: XmlElement, type: string): Record<string, string | undefined> {
  const { passwd, passwdValidTo, connected } = el.attributes;
  if (passwd === undefined) return {};
  const validTo = passwdValidTo === undefined ? undefined : expiry(passwdValidTo);
  if (connected !== undefined) {
    if (!CONNECTED.includes(connected)) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown connected value ${connected}`);
    }
    if (type === "vnc" && connected !== "keep") {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", "VNC supports connected='keep' only");
    }
  }
  return { passwd, passwdValidTo: validTo, connected };
}

/**
 * A password expiry as libvirt reads it (six virStrToLong_i fields between `-`, `T` and `:`)
 * and writes it back (GLib's UTC date; a date GLib refuses is the epoch).
 */
function expiry(text: string): string {
  const int = String.raw`[ \t\n\v\f\r]*[+-]?[0-9]+`;
  const m = new RegExp(`^(${int})-(${int})-(${int})T(${int}):(${int}):(${int})$`).exec(text);
  const f = m?.slice(1).map(Number);
  if (!f || f.some((n) => n < -(2 ** 31) || n >= 2 ** 31)) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      `cannot parse password validity time '${text}', expect YYYY-MM-DDTHH:MM:SS`,
    );
  }
  const [year, mon, day, hour, min, sec] = f;
  // Day 0 of the next month is the last of this one (setUTCFullYear takes years below 100 as
  // they are).
  const last = new Date(0);
  last.setUTCFullYear(year, mon, 0);
  const days = last.getUTCDate();
  const valid = year >= 1 && year <= 9999 && mon >= 1 && mon <= 12 && day >= 1 && day <= days &&
    hour >= 0 && hour < 24 && min >= 0 && min < 60 && sec >= 0 && sec < 60;
  const date = new Date(0);
  if (valid) {
    date.setUTCFullYear(year, mon - 1, day);
    date.setUTCHours(hour, min, sec);
  }
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-` +
    `${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:` +
    `${pad(date.getUTCSeconds())}`;
}

/**
 * SPICE graphics on the command line, as libvirt 9.0's `qemuBuildGraphicsSPICECommandLine`
 * writes `-spice`: where it listens (a port the driver allocated and its address, a unix
 * socket, or nowhere), the mouse mode, no tickets unless a password is set (given over QMP once
 * QEMU runs, never on the command line), the channels' plaintext policies, compression,
 * streaming, clipboard and file transfer switches, seamless migration; then `-k` for a keymap.
 * TLS needs certificates this driver is not configured with: a TLS port or a secure channel is
 * refused with libvirt's errors for spice TLS disabled in qemu.conf.
 *
 * @module
 */
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { optValue } from "./escape.ts";
import { unsupported } from "./unsupported.ts";
import { DISPLAY_PORTS } from "../port_range.ts";

const refuse = (message: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);

/**
 * qemuValidateDomainDeviceDefSPICEGraphics: a TLS port needs spice TLS, which is off.
 *
 * @example
 * ```ts
 * import { validateSpice } from "./spice_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * validateSpice(parse("<graphics type='spice' port='5901'/>")); // no error
 * ```
 */
export function validateSpice(graphics: XmlElement): void {
  const listen = child(graphics, "listen")?.attributes.type ?? "address";
  if ((listen === "address" || listen === "network") && Number(graphics.attributes.tlsPort) > 0) {
    throw refuse("spice TLS port set in XML configuration, but TLS is disabled in qemu.conf");
  }
}

/**
 * `qemuProcessSPICEAllocatePorts` at start: an autoport SPICE server gets a port of the display
 * range when a channel or the default mode is plaintext (or any); a TLS port is refused. The
 * port is written into the live definition; the caller releases it when QEMU ends.
 *
 * @example
 * ```ts
 * import { allocateSpicePorts } from "./spice_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const g = parse("<graphics type='spice' autoport='yes'/>");
 * allocateSpicePorts(g); // g.attributes.port is now e.g. "5900"
 * ```
 */
export function allocateSpicePorts(graphics: XmlElement): number[] {
  const a = graphics.attributes;
  const modes = [
    a.defaultMode ?? "any",
    ...children(graphics, "channel").map((c) => c.attributes.mode),
  ];
  let needPort = false;
  let needTls = false;
  if (a.autoport === "yes") {
    needTls = modes.includes("secure");
    needPort = modes.includes("insecure") || (a.defaultMode ?? "any") === "any";
  }
  const taken: number[] = [];
  if (needPort || a.port === "-1") {
    const port = DISPLAY_PORTS.acquire();
    a.port = String(port);
    taken.push(port);
  }
  if (needTls || a.tlsPort === "-1") {
    for (const port of taken) DISPLAY_PORTS.release(port);
    throw refuse(
      "Auto allocation of spice TLS port requested but spice TLS is disabled in qemu.conf",
    );
  }
  return taken;
}

/**
 * The `-spice` (and `-k`) arguments of a SPICE `<graphics>` whose ports are settled.
 *
 * @example
 * ```ts
 * import { spiceArgs } from "./spice_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * spiceArgs(parse("<graphics type='spice' port='5900'><listen type='address' address='127.0.0.1'/></graphics>"));
 * // ["-spice", "port=5900,addr=127.0.0.1,disable-ticketing=on,seamless-migration=on"]
 * ```
 */
export function spiceArgs(graphics: XmlElement): string[] {
  const a = graphics.attributes;
  const listen = child(graphics, "listen")?.attributes ?? { type: "address" };
  const opts: string[] = [];
  let plaintext = false;
  const port = Number(a.port ?? 0);
  switch (listen.type ?? "address") {
    case "socket":
      opts.push(`unix,addr=${optValue(listen.socket ?? "")}`);
      plaintext = true;
      break;
    case "address":
    case "network": {
      const address = listen.address ?? a.listen;
      if (listen.type === "network" && !address) {
        throw unsupported(
          "SPICE listen type 'network' without an address is not supported with this QEMU",
        );
      }
      if (port > 0) {
        opts.push(`port=${port}`);
        plaintext = true;
        if (address) opts.push(`addr=${address}`);
      }
      break;
    }
    case "none":
      opts.push("port=0");
      plaintext = true;
      break;
  }
  const mouse = child(graphics, "mouse")?.attributes.mode;
  if (mouse === "server") opts.push("agent-mouse=off");
  if (mouse === "client") opts.push("agent-mouse=on");
  if (a.passwd === undefined) opts.push("disable-ticketing=on");
  const secure = () =>
    refuse("spice secure channels set in XML configuration, but TLS connection is not available");
  if (a.defaultMode === "secure") {
    throw refuse(
      "spice defaultMode secure requested in XML configuration, but TLS connection is not available",
    );
  }
  if (a.defaultMode === "insecure") {
    if (!plaintext) {
      throw refuse(
        "spice defaultMode insecure requested in XML configuration, but plaintext connection " +
          "is not available",
      );
    }
    opts.push("plaintext-channel=default");
  }
  for (const name of SPICE_CHANNELS) {
    const mode = children(graphics, "channel").find((c) => c.attributes.name === name)?.attributes
      .mode;
    if (mode === "secure") throw secure();
    if (mode === "insecure") {
      if (!plaintext) {
        throw refuse(
          "spice insecure channels set in XML configuration, but plaintext connection is not " +
            "available",
        );
      }
      opts.push(`plaintext-channel=${name}`);
    }
  }
  const setting = (el: string, attr: string, option: string) => {
    const v = child(graphics, el)?.attributes[attr];
    if (v) opts.push(`${option}=${v}`);
  };
  setting("image", "compression", "image-compression");
  setting("jpeg", "compression", "jpeg-wan-compression");
  setting("zlib", "compression", "zlib-glz-wan-compression");
  setting("playback", "compression", "playback-compression");
  setting("streaming", "mode", "streaming-video");
  if (child(graphics, "clipboard")?.attributes.copypaste === "no") {
    opts.push("disable-copy-paste=on");
  }
  if (child(graphics, "filetransfer")?.attributes.enable === "no") {
    opts.push("disable-agent-file-xfer=on");
  }
  if (child(graphics, "gl")?.attributes.enable === "yes") {
    throw unsupported("This QEMU doesn't support spice OpenGL");
  }
  opts.push("seamless-migration=on");
  return ["-spice", opts.join(","), ...(a.keymap ? ["-k", a.keymap] : [])];
}

/** virDomainGraphicsSpiceChannelName, in libvirt's order. */
const SPICE_CHANNELS = [
  "main",
  "display",
  "inputs",
  "cursor",
  "playback",
  "record",
  "smartcard",
  "usbredir",
];

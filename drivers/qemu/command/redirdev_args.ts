/**
 * USB redirection as libvirt 9.0 starts it (`qemuBuildRedirdevCommandLine`): each `<redirdev>`
 * is a chardev (a SPICE `usbredir` channel or a socket) and a `usb-redir` device on its USB port,
 * with the domain's `<redirfilter>` as the device's filter rules.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { chardevBackend } from "./chardev_args.ts";
import { optValue } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";

const hex = (v: string | undefined, width: number) => {
  const n = v === undefined ? -1 : Number(v);
  return n < 0 ? "-1" : `0x${n.toString(16).toUpperCase().padStart(width, "0")}`;
};

/** A USB version `M.m` as its BCD (virDomainRedirFilterUSBVersionHelper: `1.1` is `1.10`). */
function bcdVersion(version: string | undefined): string {
  if (version === undefined) return "-1";
  const [major, minorText] = version.split(".");
  const minor = Number(minorText) * (minorText.length === 1 ? 10 : 1);
  const bcd = (Math.floor(Number(major) / 10) << 12) | ((Number(major) % 10) << 8) |
    (Math.floor(minor / 10) << 4) | (minor % 10);
  return `0x${bcd.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The `filter` rules of the domain's `<redirfilter>`, or none. */
function filterOf(def: DomainDef): string {
  const filter = def.devices.other.find((d) => d.name === "redirfilter");
  if (!filter) return "";
  const rules = children(filter, "usbdev").map(({ attributes: a }) =>
    [hex(a.class, 2), hex(a.vendor, 4), hex(a.product, 4), bcdVersion(a.version)].join(":") +
    `:${a.allow === "yes" ? 1 : 0}`
  );
  return `,filter=${optValue(rules.join("|"))}`;
}

/**
 * The arguments of one `<redirdev>` whose USB placement (`,bus=…,port=…`) is `at`.
 *
 * @example
 * ```ts
 * import { redirdevArgs } from "./redirdev_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * import { parseDomainXML } from "../../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * redirdevArgs(def, parse("<redirdev bus='usb' type='spicevmc'><alias name='redir0'/></redirdev>"), ",bus=usb.0,port=2");
 * // ["-chardev", "spicevmc,id=charredir0,name=usbredir",
 * //  "-device", "usb-redir,chardev=charredir0,id=redir0,bus=usb.0,port=2"]
 * ```
 */
export function redirdevArgs(def: DomainDef, dev: XmlElement, at: string): string[] {
  const alias = child(dev, "alias")?.attributes.name;
  if (dev.attributes.bus !== "usb" || !alias || !at) throw unsupportedDevice(dev, "usb-redir");
  const chardev = `char${alias}`;
  const boot = child(dev, "boot")?.attributes.order;
  return [
    "-chardev",
    chardevBackend(dev, chardev),
    "-device",
    `usb-redir,chardev=${optValue(chardev)},id=${optValue(alias)}${filterOf(def)}${
      boot ? `,bootindex=${Number(boot)}` : ""
    }${at}`,
  ];
}

/**
 * A vhost-user disk: its `<source>` as virDomainDiskSourceVHostUserParse reads it, and
 * virDomainDiskVhostUserValidate's checks (a virtio disk that the QEMU process does not open
 * itself, so none of the host-side settings of a disk apply to it).
 *
 * @example
 * ```ts
 * import { validateVhostUserDisk } from "./disk_vhostuser.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateVhostUserDisk(parse("<disk type='vhostuser'><target dev='vda' bus='virtio'/></disk>"));
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, element } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";

/**
 * The canonical `<source>` of a vhost-user disk: a UNIX socket's path, with its reconnect
 * settings (virDomainChrSourceReconnectDefParseXML).
 *
 * @example
 * ```ts
 * import { vhostUserSource } from "./disk_vhostuser.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * vhostUserSource(parse("<source type='unix' path='/run/vu.sock'/>")).attributes;
 * // { type: "unix", path: "/run/vu.sock" }
 * ```
 */
export function vhostUserSource(source: XmlElement): XmlElement {
  const { type, path } = source.attributes;
  const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  if (type === undefined) throw xmlError("missing 'type' attribute for vhostuser disk source");
  if (type !== "unix") throw xmlError("invalid 'type' attribute for vhostuser disk source");
  if (path === undefined) throw xmlError("missing 'path' attribute for vhostuser disk source");
  const r = child(source, "reconnect");
  const enabled = r && xmlPropEnum(r, "enabled", ["yes", "no"] as const);
  const timeout = enabled === "yes"
    ? xmlPropUInt(r!, "timeout", undefined, { required: true })
    : undefined;
  const reconnect = enabled && element("reconnect", { enabled, timeout });
  return element("source", { type, path }, reconnect ? [reconnect] : []);
}

/** The `<driver>` attributes refused, in libvirt's order, with the name its message uses. */
const DRIVER_ATTRS: [string[], string][] = [
  [["cache"], "cache"],
  [["error_policy", "rerror_policy"], "error_policy"],
  [["io"], "io"],
  [["ioeventfd"], "ioeventfd"],
  [["copy_on_read"], "copy_on_read"],
  [["discard"], "discard"],
  [["iothread"], "iothread"],
  [["detect_zeroes"], "detect_zeroes"],
];

/** The disk elements refused after the driver's, in libvirt's order. */
const ELEMENTS = ["iotune", "backingStore", "encryption", "readonly", "shareable", "transient"];

/** Throws libvirt's error for the first setting a vhost-user `disk` cannot have. */
export function validateVhostUserDisk(disk: XmlElement): void {
  if (disk.attributes.type !== "vhostuser") return;
  const refuse = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);
  if (child(disk, "target")?.attributes.bus !== "virtio") {
    throw refuse("vhostuser disk supports only virtio bus");
  }
  // virDomainDiskDefPostParse makes an unset snapshot mode 'no'.
  if ((disk.attributes.snapshot ?? "no") !== "no") {
    throw refuse("only snapshot=no is supported with vhostuser disk");
  }
  const driver = child(disk, "driver");
  for (const [attrs, name] of DRIVER_ATTRS) {
    if (attrs.some((a) => driver?.attributes[a] !== undefined)) {
      throw refuse(`${name} is not supported with vhostuser disk`);
    }
  }
  if (child(driver, "metadata_cache")) {
    throw refuse("metadata_cache is not supported with vhostuser disk");
  }
  // The source's own encryption counts as the disk's.
  const source = child(disk, "source");
  for (const name of ELEMENTS) {
    if (child(disk, name) || (name === "encryption" && child(source, name))) {
      throw refuse(`${name} is not supported with vhostuser disk`);
    }
  }
}

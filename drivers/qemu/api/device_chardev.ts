/**
 * Character devices plugged into and out of a running domain (`qemuDomainAttachChrDevice`,
 * `qemuDomainDetachDeviceChr`, `qemuDomainRemoveChrDevice` of libvirt 9.0): a serial port
 * (isa-serial) or a virtio channel (virtserialport), with any backend a running QEMU takes
 * (null, vc, pty, file, host device, TCP, UDP, unix socket), through `chardev-add` + `device_add`; `device_del`, then `chardev-remove` once QEMU
 * let go. A pty's path comes back from `chardev-add` into the live XML.
 *
 * @module
 */
import { definedProps, switchBool } from "../json_props.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../../util/xml/mod.ts";
import { assignDeviceAliases } from "../alias.ts";
import { unsupportedChardev } from "../command/unsupported.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { qemuPostParse } from "../postparse.ts";
import { insertParsedDevice } from "./device_parse.ts";
import { assignVirtioSerialPort, virtserialportProps } from "../virtio_serial.ts";
import { prepareChannels } from "../channel_dir.ts";

const aliasOf = (dev: XmlElement) => child(dev, "alias")?.attributes.name;
const targetOf = (dev: XmlElement) => child(dev, "target")?.attributes ?? {};

/** QMP's inet socket address (qemuMonitorJSONBuildInetSocketAddress). */
const inet = (host: string | undefined, port: string | undefined) => ({
  type: "inet",
  data: { host: host ?? "", port: port ?? "" },
});

/**
 * `chardev-add`'s backend of a chardev element (`qemuMonitorJSONAttachCharDevGetProps`: its
 * `data` always there, empty for a pty); the backends a running QEMU cannot take are libvirt's
 * failure.
 *
 * @example
 * ```ts
 * import { chardevAddBackend } from "./device_chardev.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * chardevAddBackend(parse("<serial type='pty'/>")); // { type: "pty", data: {} }
 * ```
 */
export function chardevAddBackend(dev: XmlElement): Record<string, unknown> {
  const type = dev.attributes.type ?? "pty";
  const el = child(dev, "source");
  const source = el?.attributes ?? {};
  const server = source.mode === "bind";
  const r = child(el, "reconnect")?.attributes.enabled;
  const reconnect = r === "yes"
    ? Number(child(el, "reconnect")?.attributes.timeout ?? 0)
    : r === "no"
    ? 0
    : undefined;
  let qmpType = type;
  let data: Record<string, unknown>;
  switch (type) {
    case "null":
    case "vc":
    case "pty":
      data = {};
      break;
    case "file":
      data = definedProps({ out: source.path, append: switchBool(source.append) });
      break;
    case "dev":
      qmpType = dev.name === "parallel" ? "parallel" : "serial";
      data = { device: source.path };
      break;
    case "tcp":
    case "unix":
      qmpType = "socket";
      data = definedProps({
        addr: type === "tcp"
          ? inet(source.host, source.service)
          : { type: "unix", data: { path: source.path } },
        wait: server ? false : undefined,
        telnet: type === "tcp" ? child(dev, "protocol")?.attributes.type === "telnet" : undefined,
        server,
        reconnect,
      });
      break;
    case "udp": {
      const sources = children(dev, "source").map((c) => c.attributes);
      const bind = sources.find((c) => c.mode === "bind");
      const connect = sources.find((c) => c.mode !== "bind") ?? {};
      data = definedProps({
        remote: inet(connect.host, connect.service),
        local: bind ? inet(bind.host, bind.service) : undefined,
      });
      break;
    }
    case "pipe":
    case "stdio":
    case "spiceport":
    case "nmdm":
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        `Hotplug unsupported for char device type '${type}'`,
      );
    default:
      throw unsupportedChardev(type);
  }
  const log = child(dev, "log")?.attributes;
  if (log?.file) {
    Object.assign(data, definedProps({ logfile: log.file, logappend: switchBool(log.append) }));
  }
  return { type: qmpType, data };
}

/** `qemuBuildChrDeviceProps` for the frontends hotplug handles. */
function frontend(def: DomainDef, dev: XmlElement): Record<string, unknown> {
  const alias = aliasOf(dev)!;
  const chardev = `char${alias}`;
  const target = targetOf(dev);
  if (dev.name === "serial") {
    return { driver: "isa-serial", chardev, id: alias, index: Number(target.port ?? 0) };
  }
  return virtserialportProps(def, dev);
}

/** The kinds hotplug takes: serial ports (isa-serial) and virtio channels. */
function checkKind(dev: XmlElement): void {
  const target = targetOf(dev);
  if (dev.name === "console" && target.type === "serial") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "attaching serial console is not supported",
    );
  }
  const ok = (dev.name === "serial" && (target.type ?? "isa-serial") === "isa-serial") ||
    (dev.name === "channel" && target.type === "virtio");
  if (!ok) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `live attach of device 'chr' is not supported`,
    );
  }
}

/**
 * `virDomainChrFind`: the live chardev `dev` names — same kind, target and source.
 *
 * @example
 * ```ts
 * import { findChardev } from "./device_chardev.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * findChardev(def, dev);
 * ```
 */
export function findChardev(def: DomainDef, dev: XmlElement): XmlElement | undefined {
  // virDomainChrSourceDefIsEqual: the type and every source (a UDP port has two).
  const src = (d: XmlElement) =>
    JSON.stringify([
      d.attributes.type ?? "pty",
      children(d, "source").map(({ attributes: { path, mode, host, service } }) => [
        path,
        mode,
        host,
        service,
      ]),
    ]);
  const t = targetOf(dev);
  return def.devices.other.find((d) => {
    if (d.name !== dev.name || src(d) !== src(dev)) return false;
    const dt = targetOf(d);
    if (dev.name === "channel") return dt.type === t.type && dt.name === t.name;
    return (t.port === undefined || dt.port === t.port);
  });
}

/**
 * Plugs the chardev `dev` into the running domain; a failed `device_add` removes the backend.
 *
 * @example
 * ```ts
 * import { attachChardevLive } from "./device_chardev.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * await attachChardevLive(state, obj, dev);
 * ```
 */
export async function attachChardevLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  dev: XmlElement,
): Promise<void> {
  checkKind(dev);
  const def = obj.def;
  if (findChardev(def, dev)) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "chardev already exists");
  }
  await prepareChannels([dev], s.paths.runDir, def.id, def.name);
  const copy = structuredClone(def);
  insertParsedDevice(copy, dev);
  qemuPostParse(copy, { live: true });
  if (dev.name === "channel") assignVirtioSerialPort(copy, dev);
  assignDeviceAliases(copy);
  const mon = obj.proc!.monitor;
  const id = `char${aliasOf(dev)}`;
  const reply = await mon.run<{ pty?: string }>("chardev-add", {
    id,
    backend: chardevAddBackend(dev),
  });
  try {
    await mon.run("device_add", frontend(def, dev));
  } catch (err) {
    await mon.run("chardev-remove", { id }).catch(() => {});
    throw err;
  }
  if (reply?.pty) {
    const source = child(dev, "source");
    if (source) source.attributes = { ...source.attributes, path: reply.pty };
    else dev.children.unshift(element("source", { path: reply.pty }));
  }
  insertParsedDevice(def, dev);
}

/**
 * `qemuDomainRemoveChrDevice`: the backend goes, then the device leaves the live definition.
 *
 * @example
 * ```ts
 * import { removeChardev } from "./device_chardev.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * await removeChardev(obj, dev);
 * ```
 */
export async function removeChardev(obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  await obj.proc?.monitor.run("chardev-remove", { id: `char${aliasOf(dev)}` });
  const other = obj.def.devices.other;
  other.splice(other.indexOf(dev), 1);
}

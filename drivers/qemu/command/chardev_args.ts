/**
 * The `-chardev` backends of serial ports, channels and RNG daemons, as libvirt 9.0's
 * `qemuBuildChardevStr` writes them: null, vc, a pty, a host device, a file, a pipe, stdio, UDP,
 * TCP (raw or telnet, listening or connecting, reconnecting) and unix sockets (listening or
 * connecting), SPICE channels and ports, each with its log file. Where libvirt opens a file or a
 * listening socket itself and hands QEMU the descriptor, QEMU is given the path and opens it the
 * same way. The D-Bus and vdagent backends are refused.
 *
 * @module
 */
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { optValue } from "./escape.ts";
import { unsupported, unsupportedChardev } from "./unsupported.ts";

/** The SPICE channel a `spicevmc` chardev carries, by the element it backs. */
const SPICEVMC_NAMES: Record<string, string> = { redirdev: "usbredir", smartcard: "smartcard" };

/** `,reconnect=N` of a connecting socket's `<reconnect>` (qemuBuildChrChardevReconnectStr). */
function reconnect(source: XmlElement | undefined): string {
  const r = child(source, "reconnect")?.attributes;
  if (r?.enabled === "yes") return `,reconnect=${Number(r.timeout ?? 0)}`;
  return r?.enabled === "no" ? ",reconnect=0" : "";
}

/**
 * qemuValidateDomainChrSourceDef: a reconnecting socket needs a timeout, and the SPICE backends
 * SPICE graphics (`spice` says whether the domain has them).
 *
 * @example
 * ```ts
 * import { validateChardevSource } from "./chardev_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * validateChardevSource(parse("<serial type='pty'/>"), false); // no error
 * ```
 */
export function validateChardevSource(el: XmlElement, spice: boolean): void {
  const type = el.attributes.type;
  if ((type === "spicevmc" || type === "spiceport") && !spice) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `chardev '${type}' not supported without spice graphics`,
    );
  }
  const r = child(child(el, "source"), "reconnect")?.attributes;
  if (r?.enabled === "yes" && !Number(r.timeout ?? 0)) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      "chardev reconnect source timeout cannot be '0'",
    );
  }
}

/**
 * The `-chardev` value of a chardev-like element (its `type`, `<source>`s, `<protocol>` and
 * `<log>`) under `id`.
 *
 * @example
 * ```ts
 * import { chardevBackend } from "./chardev_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const el = parse(
 *   "<serial type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/>" +
 *     "<protocol type='telnet'/></serial>",
 * );
 * chardevBackend(el, "charserial0");
 * // "socket,id=charserial0,host=127.0.0.1,port=4555,telnet=on,server=on,wait=off"
 * ```
 */
export function chardevBackend(el: XmlElement, id: string): string {
  const type = el.attributes.type ?? "pty";
  const source = child(el, "source");
  const s = source?.attributes ?? {};
  // edgevirt gives no file a security label: an override naming one cannot be honoured, where
  // relabel='no' asks for nothing to be done.
  if (children(source, "seclabel").some((l) => child(l, "label"))) {
    throw unsupported(`security label overrides of chardev '${id}' are not supported`);
  }
  const listen = s.mode === "bind";
  const server = listen ? ",server=on,wait=off" : "";
  const at = `id=${optValue(id)}`;
  let backend: string;
  switch (type) {
    case "null":
    case "vc":
    case "pty":
    case "stdio":
      backend = `${type},${at}`;
      break;
    case "dev":
      backend = `${id.startsWith("charparallel") ? "parallel" : "serial"},${at},path=${
        optValue(s.path ?? "")
      }`;
      break;
    case "file":
      backend = `file,${at},path=${optValue(s.path ?? "")}${s.append ? `,append=${s.append}` : ""}`;
      break;
    case "pipe":
      backend = `pipe,${at},path=${optValue(s.path ?? "")}`;
      break;
    case "udp": {
      const sources = children(el, "source").map((c) => c.attributes);
      const bind = sources.find((c) => c.mode === "bind") ?? {};
      const connect = sources.find((c) => c.mode !== "bind") ?? {};
      backend = `udp,${at},host=${connect.host ?? ""},port=${connect.service ?? ""},localaddr=${
        bind.host ?? ""
      },localport=${bind.service ?? "0"}`;
      break;
    }
    case "tcp": {
      const telnet = child(el, "protocol")?.attributes.type === "telnet" ? ",telnet=on" : "";
      backend = `socket,${at},host=${s.host ?? ""},port=${s.service ?? ""}${telnet}${server}${
        reconnect(source)
      }`;
      break;
    }
    case "unix":
      backend = `socket,${at},path=${optValue(s.path ?? "")}${server}${reconnect(source)}`;
      break;
    case "spicevmc":
      backend = `spicevmc,${at},name=${SPICEVMC_NAMES[el.name] ?? "vdagent"}`;
      break;
    case "spiceport":
      backend = `spiceport,${at},name=${s.channel ?? ""}`;
      break;
    default:
      throw unsupportedChardev(type);
  }
  const log = child(el, "log")?.attributes;
  if (log?.file) {
    backend += `,logfile=${optValue(log.file)}${log.append ? `,logappend=${log.append}` : ""}`;
  }
  return backend;
}

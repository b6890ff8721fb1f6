/**
 * The `-chardev` backends the driver builds for channels and RNG daemons: a pty, or a unix
 * socket QEMU binds (`mode='bind'`, the default) or connects to. Other backends are refused
 * with libvirt's error for a backend the QEMU binary lacks.
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { optValue } from "./escape.ts";
import { unsupportedChardev } from "./unsupported.ts";

/**
 * The `-chardev` value of a chardev-like element (its `type` and `<source>`) under `id`.
 *
 * @example
 * ```ts
 * import { chardevBackend } from "./chardev_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const el = parse("<backend type='unix'><source mode='connect' path='/run/egd'/></backend>");
 * chardevBackend(el, "charrng0"); // "socket,id=charrng0,path=/run/egd"
 * ```
 */
export function chardevBackend(el: XmlElement, id: string): string {
  const type = el.attributes.type ?? "pty";
  const source = child(el, "source")?.attributes ?? {};
  if (type === "pty") return `pty,id=${optValue(id)}`;
  if (type !== "unix" || !source.path) throw unsupportedChardev(type);
  const server = (source.mode ?? "bind") === "bind" ? ",server=on,wait=off" : "";
  return `socket,id=${optValue(id)},path=${optValue(source.path)}${server}`;
}

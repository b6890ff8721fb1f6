/**
 * Where a running domain's virtio channel sockets live (libvirt's `channelTargetDir`, one
 * `domain-ID-NAME` folder per run): a unix channel without a path gets `DIR/TARGET-NAME`
 * there, bound by QEMU (`qemuDomainPrepareChannel`), and the folder goes when QEMU does.
 *
 * @module
 */
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { domainShortName } from "../../conf/domain/short_name.ts";
import { checkReconnectMode } from "../../conf/domain/chardev.ts";

/**
 * The channel folder of domain `name` run as `id` (`virDomainDefGetShortName`).
 *
 * @example
 * ```ts
 * import { channelDir } from "./channel_dir.ts";
 * channelDir("/run/ev", 3, "web"); // "/run/ev/channel/target/domain-3-web"
 * ```
 */
export function channelDir(runDir: string, id: number, name: string): string {
  return `${channelTargetDir(runDir)}/domain-${domainShortName(id, name)}`;
}

/** The folder of the channel folders under `runDir` (libvirt's `channelTargetDir`). */
export function channelTargetDir(runDir: string): string {
  return `${runDir}/channel/target`;
}

/**
 * qemuDomainChrDefDropDefaultPath for an inactive definition: a unix virtio channel whose
 * socket is one libvirt would generate (in `targetDir` with a dot in its name, or in any
 * `domain-…` folder, named after the target) loses it, to be generated again at start, and
 * with it a connecting socket's reconnection (libvirt's validation refuses it). The pattern is
 * libvirt's, unanchored alternation included.
 *
 * @example
 * ```ts
 * import { dropDefaultChannelPath } from "./channel_dir.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const dev = parse(
 *   "<channel type='unix'><source mode='connect' path='/x/domain-1-vm/a'/>" +
 *     "<target type='virtio' name='a'/></channel>",
 * );
 * dropDefaultChannelPath(dev, "/run/ev/channel/target"); // the <source> goes
 * ```
 */
export function dropDefaultChannelPath(dev: XmlElement, targetDir: string): void {
  const target = child(dev, "target")?.attributes;
  const source = child(dev, "source");
  const path = source?.attributes.path;
  if (dev.name !== "channel" || target?.type !== "virtio" || dev.attributes.type !== "unix") return;
  if (path === undefined) return;
  const re = new RegExp(
    `^${escapeRegex(targetDir)}/([^/]+\\.)|(domain-[^/]+/)${escapeRegex(target.name ?? "")}$`,
  );
  if (!re.test(path)) return;
  dev.children.splice(dev.children.indexOf(source!), 1);
  // The socket libvirt generates is one QEMU listens on.
  checkReconnectMode(child(source, "reconnect"), true);
}

/** virBufferEscapeRegex: the characters special to a regular expression, escaped. */
function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
}

/**
 * Gives unix virtio channel `dev` its socket in `dir` when it names none; true when it did.
 *
 * @example
 * ```ts
 * import { assignChannelPath } from "./channel_dir.ts";
 * declare const dev: import("../../util/xml/mod.ts").XmlElement;
 * assignChannelPath(dev, "/run/ev/channel/target/domain-3-web");
 * ```
 */
export function assignChannelPath(dev: XmlElement, dir: string): boolean {
  const target = child(dev, "target")?.attributes;
  if (dev.name !== "channel" || target?.type !== "virtio" || dev.attributes.type !== "unix") {
    return false;
  }
  const source = child(dev, "source");
  if (source?.attributes.path) return false;
  const path = `${dir}/${target.name}`;
  if (source) source.attributes = { mode: "bind", ...source.attributes, path };
  else dev.children.unshift(element("source", { mode: "bind", path }));
  return true;
}

/**
 * {@link assignChannelPath} for `devs` of a domain running as `id`, making the folder when a
 * socket goes there.
 *
 * @example
 * ```ts
 * import { prepareChannels } from "./channel_dir.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await prepareChannels(def.devices.other, "/run/ev", 3, def.name);
 * ```
 */
export async function prepareChannels(
  devs: XmlElement[],
  runDir: string,
  id: number,
  name: string,
): Promise<void> {
  const dir = channelDir(runDir, id, name);
  const assigned = devs.map((dev) => assignChannelPath(dev, dir));
  if (assigned.includes(true)) await Deno.mkdir(dir, { recursive: true, mode: 0o750 });
}

/**
 * Removes a stopped domain's channel folder (libvirt's `qemuProcessStop`).
 *
 * @example
 * ```ts
 * import { removeChannelDir } from "./channel_dir.ts";
 * await removeChannelDir("/run/ev", 3, "web");
 * ```
 */
export async function removeChannelDir(runDir: string, id: number, name: string): Promise<void> {
  await Deno.remove(channelDir(runDir, id, name), { recursive: true }).catch(() => {});
}

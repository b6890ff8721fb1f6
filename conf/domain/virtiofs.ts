/**
 * What virDomainFSDefParseXML reads only for a `<driver type='virtiofs'/>` share, and how
 * virDomainFSDefFormat writes it back: the queue size of its `<driver>` and the `<binary>` that
 * describes the virtiofsd the QEMU driver runs (its path, xattr, cache and sandbox modes,
 * locking, thread pool). Other shares lose both, as libvirt's parser never reads them there.
 *
 * @example
 * ```ts
 * import { virtiofsBinary } from "./virtiofs.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * virtiofsBinary(parse("<filesystem><binary path='//usr/lib//virtiofsd'/></filesystem>"));
 * // <binary path='/usr/lib/virtiofsd'/>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, sanitizePath, ULLONG_MAX, xmlPropEnum } from "../common/mod.ts";

const xmlError = (message: string) => VirError.report("DOMAIN", "XML_ERROR", message);

/**
 * virStrToLong_ull: a whole decimal string, leading blanks and a sign allowed (strtoull wraps a
 * negative number), or undefined.
 *
 * @example
 * ```ts
 * import { strToULongLong } from "./virtiofs.ts";
 * strToULongLong("-1"); // 18446744073709551615n
 * ```
 */
export function strToULongLong(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (!m) return undefined;
  const n = BigInt(m[2]);
  if (n > ULLONG_MAX) return undefined;
  return m[1] === "-" ? (ULLONG_MAX + 1n - n) % (ULLONG_MAX + 1n) : n;
}

/**
 * A virtiofs share's `<driver queue>` as virDomainFSDefFormat writes it: none when zero.
 *
 * @example
 * ```ts
 * import { virtiofsQueue } from "./virtiofs.ts";
 * virtiofsQueue("1024"); // "1024"
 * ```
 */
export function virtiofsQueue(queue: string | undefined): string | undefined {
  if (queue === undefined || queue === "") return undefined;
  const n = strToULongLong(queue);
  if (n === undefined) throw xmlError(`cannot parse queue size '${queue}' for virtiofs`);
  return n ? String(n) : undefined;
}

/**
 * The `<binary>` of a virtiofs `<filesystem>` in virDomainFSDefFormat's form (attributes and
 * children in its order, a negative thread pool size dropped), or undefined when nothing is set.
 *
 * @example
 * ```ts
 * import { virtiofsBinary } from "./virtiofs.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * virtiofsBinary(parse("<filesystem><binary><cache mode='none'/></binary></filesystem>"));
 * // <binary><cache mode='none'/></binary>
 * ```
 */
export function virtiofsBinary(fs: XmlElement): XmlElement | undefined {
  const binary = child(fs, "binary");
  const size = binary && child(binary, "thread_pool")?.attributes.size;
  const pool = size === undefined || size === "" ? undefined : parseInt32(size);
  if (size && pool === undefined) {
    throw xmlError(`cannot parse thread pool size '${size}' for virtiofs`);
  }
  if (!binary) return undefined;
  const path = binary.attributes.path;
  const xattr = xmlPropEnum(binary, "xattr", ["on", "off"]);
  const lock = child(binary, "lock");
  const posix = lock && xmlPropEnum(lock, "posix", ["on", "off"]);
  const flock = lock && xmlPropEnum(lock, "flock", ["on", "off"]);
  const cacheEl = child(binary, "cache");
  const cache = cacheEl && xmlPropEnum(cacheEl, "mode", ["none", "always"]);
  const sandboxEl = child(binary, "sandbox");
  const sandbox = sandboxEl && xmlPropEnum(sandboxEl, "mode", ["namespace", "chroot"]);
  const kids = [
    cache && element("cache", { mode: cache }),
    sandbox && element("sandbox", { mode: sandbox }),
    (posix || flock) && element("lock", { posix, flock }),
    pool !== undefined && pool >= 0 && element("thread_pool", { size: pool }),
  ].filter((k): k is XmlElement => !!k);
  const attrs = { path: path ? sanitizePath(path) : undefined, xattr };
  if (!kids.length && attrs.path === undefined && xattr === undefined) return undefined;
  return element("binary", attrs, kids);
}

/**
 * The cookie the QEMU driver's migration steps hand each other (libvirt's `<qemu-migration>`
 * of `qemu_migration_cookie.c`): the domain's name and UUID, the sending host's name, for a
 * storage migration the `<nbd>` element (the copied disks' sizes from the source, the NBD
 * server's port from the destination) and, from Perform on, the persistent definition the
 * destination keeps with MIGRATE_PERSIST_DEST.
 *
 * libvirt also sends its host UUID and refuses a migration to the same host; edgevirt's two
 * drivers of one machine (separate state roots) are distinct hosts, so no host UUID is sent.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import {
  child,
  children,
  childText,
  escapeXml,
  parse,
  type XmlElement,
} from "../../../util/xml/mod.ts";

/** The `<nbd>` element (`qemuMigrationCookieNBD`). */
export interface CookieNBD {
  /** The destination's NBD server port (absent from the source's cookie). */
  port?: number;
  /** Each disk's target and size in bytes, for the destination to create its image. */
  disks: { target: string; capacity: number }[];
}

/** What a cookie carries. */
export interface MigrationCookie {
  name: string;
  uuid: string;
  hostname: string;
  /** The persistent domain XML (QEMU_MIGRATION_COOKIE_PERSISTENT). */
  persistent?: string;
  /** Storage migration (QEMU_MIGRATION_COOKIE_NBD). */
  nbd?: CookieNBD;
}

/** `qemuMigrationCookieNBDXMLFormat`. */
function formatNBD(nbd: CookieNBD): string {
  const port = nbd.port ? ` port='${nbd.port}'` : "";
  if (!nbd.disks.length) return `  <nbd${port}/>\n`;
  const disks = nbd.disks.map((d) =>
    `    <disk target='${escapeXml(d.target)}' capacity='${d.capacity}'/>\n`
  );
  return `  <nbd${port}>\n${disks.join("")}  </nbd>\n`;
}

/** `qemuMigrationCookieNBDXMLParse`, with its errors. */
function parseNBD(el: XmlElement): CookieNBD {
  const fail = (msg: string) => VirError.report("QEMU", "INTERNAL_ERROR", msg);
  const port = el.attributes.port;
  if (port !== undefined && !/^[-+]?\d+$/.test(port.trim())) {
    throw fail(`Malformed nbd port '${port}'`);
  }
  const disks = children(el, "disk").map((d) => {
    const { target, capacity } = d.attributes;
    if (!target) throw fail("Malformed disk target");
    if (capacity === undefined || !/^\d+$/.test(capacity)) {
      throw fail(`Malformed disk capacity: '${capacity ?? "<null>"}'`);
    }
    return { target, capacity: Number(capacity) };
  });
  return { ...(port ? { port: Number(port) } : {}), disks };
}

/**
 * The cookie as text.
 *
 * @example
 * ```ts
 * import { formatCookie } from "./migration_cookie.ts";
 * formatCookie({ name: "vm", uuid: "u", hostname: "h" }).startsWith("<qemu-migration>"); // true
 * ```
 */
export function formatCookie(c: MigrationCookie): string {
  const line = (tag: string, v: string) => `  <${tag}>${escapeXml(v)}</${tag}>\n`;
  return "<qemu-migration>\n" + line("name", c.name) + line("uuid", c.uuid) +
    line("hostname", c.hostname) + (c.nbd ? formatNBD(c.nbd) : "") +
    (c.persistent ? line("persistent", c.persistent) : "") + "</qemu-migration>\n";
}

/**
 * Reads a cookie; undefined for none. A cookie for another domain is libvirt's error
 * (`qemuMigrationCookieXMLParse`); `name` and `uuid` are not checked when undefined (a renamed domain, an offline Finish).
 *
 * @example
 * ```ts
 * import { formatCookie, parseCookie } from "./migration_cookie.ts";
 * const text = formatCookie({ name: "vm", uuid: "u", hostname: "h" });
 * parseCookie(text, "vm", "u")?.hostname; // "h"
 * ```
 */
export function parseCookie(
  text: string | null,
  name: string | undefined,
  uuid: string | undefined,
): MigrationCookie | undefined {
  if (!text) return undefined;
  let root;
  try {
    root = parse(text);
  } catch {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "missing name element in migration data");
  }
  const got = {
    name: childText(root, "name") ?? "",
    uuid: childText(root, "uuid") ?? "",
    hostname: childText(root, "hostname") ?? "",
    persistent: childText(root, "persistent"),
  };
  const nbd = child(root, "nbd");
  if (!got.name) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "missing name element in migration data");
  }
  if (name !== undefined && got.name !== name) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `Incoming cookie data had unexpected name ${got.name} vs ${name}`,
    );
  }
  if (uuid !== undefined && got.uuid !== uuid) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `Incoming cookie data had unexpected UUID ${got.uuid} vs ${uuid}`,
    );
  }
  return nbd ? { ...got, nbd: parseNBD(nbd) } : got;
}

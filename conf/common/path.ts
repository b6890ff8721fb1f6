/**
 * libvirt's virFileSanitizePath: repeated slashes collapse and a trailing slash goes, except
 * that a leading `//` (meaningful in POSIX) is kept when exactly two slashes start the path.
 *
 * @example
 * ```ts
 * import { sanitizePath } from "./path.ts";
 * sanitizePath("///var/////lib//"); // "/var/lib"
 * ```
 */
export function sanitizePath(path: string): string {
  const keepDouble = path.startsWith("//") && path[2] !== "/";
  let out = path.replace(/\/{2,}/g, "/");
  if (keepDouble) out = "/" + out;
  if (out.length > 1 && out.endsWith("/")) out = out.slice(0, -1);
  return out;
}

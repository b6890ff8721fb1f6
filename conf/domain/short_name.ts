/**
 * libvirt's `virDomainDefGetShortName`: the `ID-NAME` that names a running domain's folders
 * (channel sockets, file-backed memory), the name cut to its first 20 characters.
 *
 * @module
 */

/** `VIR_DOMAIN_SHORT_NAME_MAX`: how much of the name the short name keeps. */
const SHORT_NAME_MAX = 20;

/**
 * The short name of domain `name` running as `id` (characters, not bytes, are counted, as
 * libvirt's multibyte path does).
 *
 * @example
 * ```ts
 * import { domainShortName } from "./short_name.ts";
 * domainShortName(3, "a-rather-long-domain-name"); // "3-a-rather-long-domain"
 * ```
 */
export function domainShortName(id: number, name: string): string {
  return `${id}-${[...name].slice(0, SHORT_NAME_MAX).join("")}`;
}

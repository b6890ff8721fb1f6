/**
 * The host's network driver: libvirt's `network/` secondary driver (bridge_driver.c), shared
 * by the QEMU driver's connections. Virtual networks with forward modes `nat`, `route`, `open`
 * and isolated become a Linux bridge (`virbrN`), its addresses, a dnsmasq for DHCP and DNS and
 * iptables rules; `bridge` networks name an existing host bridge. Guest NICs get network ports.
 *
 * Which URIs get it: `qemu:///system` and `qemu:///embed?root=R` (libvirt 9.0 has no network
 * driver in embedded mode; edgevirt's embed URI is the one place a caller owns every file, so
 * it gets this driver with every file under R), and `qemu:///session` too, as libvirt 9.0's
 * session daemon does: it defines and lists networks in the user's directories, and starting
 * one fails as libvirt's does without privileges ("error creating bridge interface virbr0:
 * Operation not permitted").
 *
 * @example
 * ```ts
 * import { networkDriver } from "./mod.ts";
 * console.log(networkDriver.family); // "network"
 * ```
 * @module
 */
export { networkDriver } from "./driver.ts";
export { type CommandResult, type HostRunner, hostRunner } from "./runner.ts";

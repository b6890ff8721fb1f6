/**
 * The network driver's files, laid out as libvirt's (`virNetworkDriverConfigNew`) under the
 * directories every host secondary driver gets ({@link driverPaths}): persistent definitions
 * `CONFIG/NAME.xml` with `CONFIG/autostart/NAME.xml` links; live state `STATE/NAME.xml`, the
 * ports `STATE/NAME/ports/UUID.xml`, dnsmasq's pid file `STATE/NAME.pid` and its files
 * `STATE/dnsmasq/NAME.{conf,hostsfile,addnhosts,leases}`. libvirt keeps the dnsmasq files in
 * `/var/lib/libvirt/dnsmasq` so that leases outlive a reboot; here everything of a running
 * network stays in the state directory, so an embedded root holds all of it.
 *
 * @module
 */
import { driverPaths } from "../../util/driver_paths.ts";

/** Where the network driver keeps what. */
export interface NetworkPaths {
  /** Persistent network definitions. */
  configDir: string;
  /** Autostart links. */
  autostartDir: string;
  /** Live definitions, ports and pid files. */
  stateDir: string;
  /** dnsmasq's configuration, hosts and lease files. */
  dnsmasqDir: string;
}

/**
 * The network driver's directories for a connection URI and options.
 *
 * @example
 * ```ts
 * import { networkPaths } from "./paths.ts";
 * networkPaths(new URL("qemu:///embed?root=/srv/r"), {}).dnsmasqDir; // "/srv/r/run/network/dnsmasq"
 * ```
 */
export function networkPaths(uri: URL, options: Record<string, unknown>): NetworkPaths {
  const { configDir, stateDir } = driverPaths(uri, options, "network");
  return {
    configDir,
    autostartDir: `${configDir}/autostart`,
    stateDir,
    dnsmasqDir: `${stateDir}/dnsmasq`,
  };
}

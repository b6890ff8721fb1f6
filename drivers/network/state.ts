/**
 * The network driver's state for one config directory (libvirt's `virNetworkDriverState`):
 * the networks (`virNetworkObjList`), each running network's ports and dnsmasq, their files,
 * the runner of host commands and the network events.
 *
 * @module
 */
import type { DriverEvent, NetworkRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { EventHub } from "../../util/event_hub.ts";
import { SerialQueue } from "../../util/serial.ts";
import { strerror } from "../../util/strerror.ts";
import {
  formatNetworkXML,
  type NetworkDef,
  parseNetworkXML,
  readDnsmasqNamespace,
} from "../../conf/network/mod.ts";
import { type NetworkObj, NetworkObjList } from "../../conf/objects/network_obj.ts";
import {
  formatNetworkPortXML,
  type NetworkPortDef,
  parseNetworkPortXML,
} from "../../conf/network_port/mod.ts";
import { pathExists, removeIfExists, xmlFiles } from "../../util/config_files.ts";
import type { NetworkPaths } from "./paths.ts";
import type { HostRunner } from "./runner.ts";
import type { TcRunner } from "../../util/netdev_bandwidth.ts";
import {
  type FloorState,
  formatNetworkStatus,
  newFloorState,
  parseNetworkStatus,
} from "./floor_state.ts";

/**
 * The handle of a network.
 *
 * @example
 * ```ts
 * import { netRef } from "./state.ts";
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * netRef(obj).name;
 * ```
 */
export const netRef = (obj: NetworkObj): NetworkRef => ({ name: obj.def.name, uuid: obj.def.uuid });

/**
 * One driver's networks, ports and files.
 *
 * @example
 * ```ts
 * import { NetworkState } from "./state.ts";
 * import { hostRunner } from "./runner.ts";
 * const paths = { configDir: "/c", autostartDir: "/c/autostart", stateDir: "/s", dnsmasqDir: "/s/dnsmasq" };
 * new NetworkState(paths, hostRunner()).networks.names(true); // []
 * ```
 */
export class NetworkState {
  /** The networks. */
  readonly networks = new NetworkObjList();
  /** The ports of each running network, by network UUID then port UUID. */
  readonly ports = new Map<string, Map<string, NetworkPortDef>>();
  /** The dnsmasq of each running network that has one, by network UUID. */
  readonly dnsmasq = new Map<string, number>();
  /**
   * The floor classes of each network, by network UUID (kept across its restarts, as
   * libvirt's network object keeps its class IDs).
   */
  readonly qos = new Map<string, FloorState>();
  /** Network events for every connection. */
  readonly events = new EventHub<DriverEvent>();
  /** Every call of every connection, one at a time (libvirt's network object locks). */
  readonly queue = new SerialQueue();

  constructor(readonly paths: NetworkPaths, readonly runner: HostRunner) {}

  /** `tc` on the host, in the C locale as libvirt runs it (its messages are part of the errors). */
  readonly tc: TcRunner = (args) => this.runner.run(["tc", ...args], { LC_ALL: "C" });

  /** A network that goes: it and its floor classes forgotten (`virNetworkObjListRemove`). */
  forget(obj: NetworkObj): void {
    this.networks.delete(obj);
    this.qos.delete(obj.def.uuid);
  }

  /** The floor classes of a network. */
  qosOf(obj: NetworkObj): FloorState {
    let qos = this.qos.get(obj.def.uuid);
    if (!qos) this.qos.set(obj.def.uuid, qos = newFloorState());
    return qos;
  }

  /** The ports of a network (empty when it has none). */
  portsOf(obj: NetworkObj): Map<string, NetworkPortDef> {
    let ports = this.ports.get(obj.def.uuid);
    if (!ports) this.ports.set(obj.def.uuid, ports = new Map());
    return ports;
  }

  /** `NAME.xml` in the config directory. */
  configFile(name: string): string {
    return `${this.paths.configDir}/${name}.xml`;
  }

  /** The autostart link of a network. */
  autostartLink(name: string): string {
    return `${this.paths.autostartDir}/${name}.xml`;
  }

  /** The live definition of a running network. */
  statusFile(name: string): string {
    return `${this.paths.stateDir}/${name}.xml`;
  }

  /** The directory of a running network's port files. */
  portDir(name: string): string {
    return `${this.paths.stateDir}/${name}/ports`;
  }

  /** `virNetworkSaveConfig`: the persistent definition. */
  async saveConfig(def: NetworkDef): Promise<void> {
    await writeFile(this.configFile(def.name), formatNetworkXML(def, VIR.NETWORK_XML_INACTIVE));
  }

  /** `virNetworkObjSaveStatus`: the floor classes and live definition of a running network. */
  async saveStatus(obj: NetworkObj): Promise<void> {
    const xml = formatNetworkStatus(this.qosOf(obj), formatNetworkXML(obj.def, 0));
    await writeFile(this.statusFile(obj.def.name), xml);
  }

  /** `virNetworkObjDeleteConfig`: the config file and the autostart link. */
  async deleteConfig(name: string): Promise<void> {
    await removeIfExists(this.autostartLink(name));
    await removeIfExists(this.configFile(name));
  }

  /** Makes or removes the autostart link. */
  async setAutostart(obj: NetworkObj, on: boolean): Promise<void> {
    const link = this.autostartLink(obj.def.name);
    if (on) {
      try {
        await Deno.mkdir(this.paths.autostartDir, { recursive: true });
        await Deno.symlink(this.configFile(obj.def.name), link);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) {
          throw VirError.bare(
            "NETWORK",
            "SYSTEM_ERROR",
            `Failed to create symlink '${link}' to '${this.configFile(obj.def.name)}': ${
              strerror(e)
            }`,
          );
        }
      }
    } else {
      await removeIfExists(link);
    }
    obj.autostart = on;
  }

  /** `virNetworkObjAddPort`: records a port and its status file. */
  async addPort(obj: NetworkObj, port: NetworkPortDef): Promise<void> {
    const ports = this.portsOf(obj);
    if (ports.has(port.uuid)) {
      throw VirError.report(
        "NETWORK",
        "NETWORK_PORT_EXIST",
        `Network port with UUID ${port.uuid} already exists`,
      );
    }
    await this.savePort(obj, port);
    ports.set(port.uuid, port);
  }

  /** `virNetworkPortDefSaveStatus`: a port's status file after a change. */
  async savePort(obj: NetworkObj, port: NetworkPortDef): Promise<void> {
    await writeFile(`${this.portDir(obj.def.name)}/${port.uuid}.xml`, formatNetworkPortXML(port));
  }

  /** `virNetworkObjDeletePort`. */
  async deletePort(obj: NetworkObj, uuid: string): Promise<void> {
    this.portsOf(obj).delete(uuid);
    await removeIfExists(`${this.portDir(obj.def.name)}/${uuid}.xml`);
  }

  /** `virNetworkObjDeleteAllPorts`: forgets every port of a network and its files. */
  async deleteAllPorts(obj: NetworkObj): Promise<void> {
    this.ports.delete(obj.def.uuid);
    await Deno.remove(`${this.paths.stateDir}/${obj.def.name}`, { recursive: true }).catch(
      (e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      },
    );
  }

  /**
   * `virNetworkObjLoadAllConfigs` and `…LoadAllState`: the persistent networks with their
   * autostart flags, then the live definitions (and ports) of the networks that were running,
   * which the caller checks against the host.
   */
  async load(): Promise<NetworkObj[]> {
    for (const name of await xmlFiles(this.paths.configDir)) {
      const def = parseNetworkXML(
        await Deno.readTextFile(`${this.paths.configDir}/${name}`),
        0,
        readDnsmasqNamespace,
      );
      const obj = this.networks.assignDef(def, false);
      obj.autostart = await pathExists(this.autostartLink(def.name));
    }
    const live: NetworkObj[] = [];
    for (const name of await xmlFiles(this.paths.stateDir)) {
      const status = parseNetworkStatus(
        await Deno.readTextFile(`${this.paths.stateDir}/${name}`),
      );
      const def = parseNetworkXML(status.networkXml, 0, readDnsmasqNamespace);
      const obj = this.networks.assignDef(def, true);
      this.qos.set(def.uuid, status.qos);
      obj.active = true;
      for (const port of await xmlFiles(this.portDir(def.name))) {
        const text = await Deno.readTextFile(`${this.portDir(def.name)}/${port}`);
        const p = parseNetworkPortXML(text);
        this.portsOf(obj).set(p.uuid, p);
      }
      live.push(obj);
    }
    return live;
  }

  /** Queues a network lifecycle event. */
  emit(obj: NetworkObj, event: number): void {
    this.events.emit({
      family: "network",
      eventId: VIR.NETWORK_EVENT_ID_LIFECYCLE,
      ref: netRef(obj),
      data: { event, detail: 0 },
    });
  }
}

/**
 * Writes a file atomically, making its directory; mode 0600 unless `mode` says otherwise.
 *
 * @example
 * ```ts
 * import { writeFile } from "./state.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFile(`${dir}/a/b.xml`, "<x/>");
 * ```
 */
export async function writeFile(path: string, text: string, mode = 0o600): Promise<void> {
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    const tmp = `${path}.new`;
    await Deno.writeTextFile(tmp, text, { mode });
    // The mode holds whatever the umask: dnsmasq must be able to read what is meant for it.
    await Deno.chmod(tmp, mode);
    await Deno.rename(tmp, path);
  } catch (e) {
    throw VirError.bare("NETWORK", "SYSTEM_ERROR", `cannot write '${path}': ${strerror(e)}`);
  }
}

/**
 * A small network secondary driver for the QEMU driver's tests: named networks with a bridge,
 * active or not, network ports as the host's network driver makes them (the port's XML back
 * with its `<plug>`), and DHCP leases set by the test. Errors are libvirt's network driver's.
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../../util/contract/compose.ts";
import type { NetworkRef } from "../../../util/contract/types.ts";
import { VirError } from "../../../util/errors.ts";
import { child, parse, stringify } from "../../../util/xml/mod.ts";
import { element } from "../../../util/xml/mod.ts";

/** One network of the fake. */
export interface FakeNetwork {
  uuid: string;
  active: boolean;
  bridge: string;
  /** `bridge` for a network forwarding to a host bridge (plug type `bridge`). */
  plug?: "network" | "bridge";
  /** What `networkGetDHCPLeases` answers, before the MAC filter. */
  leases?: Record<string, unknown>[];
}

/**
 * The fake network driver: `networks` and `ports` are open to the test.
 *
 * @example
 * ```ts
 * import { FakeNetworkDriver } from "./fake_network.ts";
 * const net = new FakeNetworkDriver({ default: { uuid: "u", active: true, bridge: "virbr0" } });
 * const conn = await net.driver.open(new URL("qemu:///session"), {});
 * ```
 */
export class FakeNetworkDriver {
  readonly networks: Record<string, FakeNetwork>;
  /** The ports alive, by UUID: the network and the XML as created. */
  readonly ports = new Map<string, { network: string; xml: string; flags: number }>();
  /** Connections opened and closed. */
  opened = 0;
  closed = 0;
  readonly driver: SecondaryDriver;

  constructor(networks: Record<string, FakeNetwork>) {
    this.networks = networks;
    this.driver = {
      name: "fake-network",
      family: "network",
      open: () => {
        this.opened++;
        return Promise.resolve(this.#connection());
      },
    };
  }

  #network(ref: NetworkRef): FakeNetwork {
    const net = this.networks[ref.name];
    if (!net) {
      throw VirError.report(
        "NETWORK",
        "NO_NETWORK",
        `no network with matching name '${ref.name}'`,
      );
    }
    return net;
  }

  #connection(): SecondaryConnection {
    const lookup = (name: string) => {
      const net = this.#network({ name, uuid: "" });
      return Promise.resolve({ name, uuid: net.uuid });
    };
    const port = (network: string, uuid: string) => {
      const found = this.ports.get(uuid);
      if (!found || found.network !== network) {
        throw VirError.report(
          "NETWORK",
          "NO_NETWORK_PORT",
          `Network port with UUID ${uuid} does not exist`,
        );
      }
      return found;
    };
    return {
      networkLookupByName: lookup,
      networkPortCreateXML: (ref, xml, flags) => {
        const net = this.#network(ref);
        if (!net.active) {
          throw VirError.report(
            "NETWORK",
            "OPERATION_INVALID",
            `network '${ref.name}' is not active`,
          );
        }
        const doc = parse(xml);
        const uuid =
          doc.children.flatMap((c) => c.type === "element" && c.name === "uuid" ? [c] : [])[0];
        const id = uuid?.children[0]?.type === "text" ? uuid.children[0].text : "";
        if (!child(doc, "plug")) {
          doc.children.push(element("plug", { type: net.plug ?? "network", bridge: net.bridge }));
        }
        this.ports.set(id, { network: ref.name, xml: stringify(doc), flags });
        return Promise.resolve({ network: ref.name, uuid: id });
      },
      networkPortLookupByUUID: (ref, uuid) => {
        port(ref.name, uuid);
        return Promise.resolve({ network: ref.name, uuid });
      },
      networkPortGetXMLDesc: (ref) => Promise.resolve(port(ref.network, ref.uuid).xml),
      networkPortDelete: (ref) => {
        port(ref.network, ref.uuid);
        this.ports.delete(ref.uuid);
        return Promise.resolve();
      },
      networkGetDHCPLeases: (ref, mac) => {
        const leases = this.#network(ref).leases ?? [];
        return Promise.resolve(mac === null ? leases : leases.filter((l) => l.mac === mac));
      },
      connectClose: () => {
        this.closed++;
        return Promise.resolve();
      },
    };
  }
}

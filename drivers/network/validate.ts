/**
 * `networkValidate` (network/bridge_driver.c): what the network driver checks and fills in on
 * a definition before it defines or creates it: the bridge name (`virbrN`, the first free one,
 * when the XML has none or a `%d` template), the bridge MAC, the elements a forward mode
 * allows, one DHCP block per family, vlan and portgroup rules.
 *
 * @module
 */
import type { NetworkDef } from "../../conf/network/mod.ts";
import type { NetworkObjList } from "../../conf/objects/network_obj.ts";
import { VirError } from "../../util/errors.ts";
import { pciName } from "../../util/pci/address.ts";
import { ipsOf } from "./addr.ts";
import { deviceExists } from "./netdev.ts";
import type { HostRunner } from "./runner.ts";

const MAX_BRIDGE_ID = 256;
const unsupported = (msg: string) => VirError.report("NETWORK", "CONFIG_UNSUPPORTED", msg);

/** `virNetworkObjBridgeInUse`: another network of the driver names this bridge. */
function bridgeInUse(nets: NetworkObjList, bridge: string, skip: string): boolean {
  return nets.filter((o) =>
    o.def.name !== skip &&
    (o.def.bridge.name === bridge || o.newDef?.bridge.name === bridge)
  ).length > 0;
}

/** `networkBridgeNameValidate` and `networkFindUnusedBridgeName`. */
async function bridgeName(nets: NetworkObjList, runner: HostRunner, def: NetworkDef) {
  const given = def.bridge.name;
  if (given && !given.includes("%d")) {
    if (bridgeInUse(nets, given, def.name)) {
      throw VirError.report("NETWORK", "INTERNAL_ERROR", `bridge name '${given}' already in use.`);
    }
    return;
  }
  const p = given?.indexOf("%") ?? -1;
  const template = given && p >= 0 && p === given.lastIndexOf("%") && given[p + 1] === "d"
    ? given
    : "virbr%d";
  for (let id = 0; id <= MAX_BRIDGE_ID; id++) {
    const name = template.replace("%d", String(id));
    if (!bridgeInUse(nets, name, def.name) && !(await deviceExists(runner, name))) {
      def.bridge.name = name;
      return;
    }
  }
  throw VirError.report(
    "NETWORK",
    "INTERNAL_ERROR",
    `Bridge generation exceeded max id ${MAX_BRIDGE_ID}`,
  );
}

/** `virNetworkSetBridgeMacAddr`: a random `52:54:00:…` MAC when the XML gives none. */
function bridgeMac(def: NetworkDef): void {
  if (def.mac) return;
  const b = crypto.getRandomValues(new Uint8Array(3));
  def.mac = ["52", "54", "00", ...[...b].map((x) => x.toString(16).padStart(2, "0"))].join(":");
}

/**
 * Checks a definition and fills in its bridge name and MAC, as libvirt's network driver
 * does before defining or creating it.
 *
 * @example
 * ```ts
 * import { validateNetwork } from "./validate.ts";
 * import { NetworkObjList } from "../../conf/objects/network_obj.ts";
 * import { parseNetworkXML } from "../../conf/network/mod.ts";
 * const def = parseNetworkXML("<network><name>n</name><bridge name='br7'/></network>");
 * await validateNetwork(new NetworkObjList(), { run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }), kill: () => false }, def);
 * def.mac?.startsWith("52:54:00:"); // true
 * ```
 */
export async function validateNetwork(
  nets: NetworkObjList,
  runner: HostRunner,
  def: NetworkDef,
): Promise<void> {
  if (def.name.includes("\n")) {
    throw VirError.report("NONE", "XML_DETAIL", "invalid char in name: \n");
  }
  const mode = def.forward.mode;
  let bandwidthAllowed = false;
  if (["none", "nat", "route", "open"].includes(mode)) {
    await bridgeName(nets, runner, def);
    bridgeMac(def);
    bandwidthAllowed = true;
  } else {
    if (mode === "bridge" && def.bridge.name) bandwidthAllowed = true;
    const what = (el: string) =>
      unsupported(`Unsupported <${el}> element in network ${def.name} with forward mode='${mode}'`);
    if (def.mac) throw what("mac");
    if (ipsOf(def).length) throw what("ip");
    if (def.dns.txts.length || def.dns.hosts.length || def.dns.srvs.length) throw what("dns");
    if (def.domain) throw what("domain");
  }
  if (def.bandwidth && !bandwidthAllowed) {
    throw unsupported(
      `Unsupported network-wide <bandwidth> element in network ${def.name} with forward mode='${mode}'`,
    );
  }
  // libvirt takes one PF, or netdev names, or PCI addresses (all in one array), never a mix.
  let usesInterface = false;
  let usesAddress = false;
  for (const dev of def.forward.ifs) {
    if (dev.type === "netdev") {
      usesInterface = true;
      if (mode === "hostdev") {
        throw unsupported(
          `hostdev network '${def.name}' lists '${dev.dev}' in the device pool, but hostdev networks require all devices to be listed by PCI address, not network device name`,
        );
      }
      continue;
    }
    usesAddress = true;
    if (mode !== "hostdev") {
      throw unsupported(
        // Two spaces, as libvirt 9.0's message has.
        `network '${def.name}' has forward mode '${mode}'  but lists a device by PCI address in the device pool. This is only supported for networks with forward mode 'hostdev'`,
      );
    }
    const path = `/sys/bus/pci/devices/${pciName(dev.address)}`;
    // virPCIIsVirtualFunction: a VF links to its physical function.
    const isVf = await Deno.lstat(`${path}/physfn`).then(() => true, () => false);
    if (!isVf) {
      throw unsupported(
        `device '${path}' in network '${def.name}' is not an SR-IOV Virtual Function`,
      );
    }
  }
  if (Number(def.forward.pf !== undefined) + Number(usesInterface) + Number(usesAddress) > 1) {
    throw unsupported(
      `<address>, <interface>, and <pf> elements of <forward> in network ${def.name} are mutually exclusive`,
    );
  }
  for (const [family, label] of [["ipv4", "IPv4"], ["ipv6", "IPv6"]] as const) {
    if (ipsOf(def, family).filter((ip) => ip.ranges.length || ip.hosts.length).length > 1) {
      throw unsupported(
        `Multiple ${label} dhcp sections found -- dhcp is supported only for a single ${label} address on each network`,
      );
    }
  }
  const ovs = def.virtualPort?.type === "openvswitch";
  const vlanAllowed = mode === "hostdev" || mode === "passthrough" || (mode === "bridge" && ovs);
  const vlanUsed = (def.vlan?.tags.length ?? 0) > 0;
  let badVlan = false;
  const seen = new Set<string>();
  let defaultGroup: string | undefined;
  for (const pg of def.portGroups) {
    if (vlanUsed || (pg.vlan?.tags.length ?? 0) > 0) {
      if (pg.virtualPort) badVlan ||= mode !== "bridge" || pg.virtualPort.type !== "openvswitch";
      else if (!vlanAllowed) badVlan = true;
    }
    if (pg.isDefault) {
      if (defaultGroup !== undefined) {
        throw unsupported(
          `network '${def.name}' has multiple default <portgroup> elements (${defaultGroup} and ${pg.name}), but only one default is allowed`,
        );
      }
      defaultGroup = pg.name;
    }
    if (seen.has(pg.name)) {
      throw unsupported(
        `multiple <portgroup> elements with the same name (${pg.name}) in network '${def.name}'`,
      );
    }
    seen.add(pg.name);
    if (pg.bandwidth && !bandwidthAllowed) {
      throw unsupported(
        `Unsupported <bandwidth> element in network '${def.name}' in portgroup '${pg.name}' with forward mode='${mode}'`,
      );
    }
  }
  if (badVlan || (vlanUsed && !vlanAllowed && !def.portGroups.some((p) => p.isDefault))) {
    throw unsupported(
      `<vlan> element specified for network ${def.name}, whose type doesn't support vlan configuration`,
    );
  }
}

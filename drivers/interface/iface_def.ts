/**
 * An interface's definition as libvirt's udev backend builds it (`udevGetIfaceDef`): MAC,
 * link, MTU and a type from the kernel's `DEVTYPE` (vlan, bridge, bond; a dotted name is a
 * VLAN, a `bonding/` directory a bond), with bridge ports (`brif/`, guests' `vnetN` left out)
 * and bond slaves (`slave_*`) nested, and a VLAN's tag and device from `/proc/net/vlan`.
 * No `<protocol>`: that backend reports no addresses.
 *
 * @module
 */
import type { InterfaceDef } from "../../conf/interface/model.ts";
import { BOND_MODES } from "../../conf/interface/parse.ts";
import { VirError } from "../../util/errors.ts";
import { linkInfo } from "../../util/net_link.ts";
import { strerror } from "../../util/strerror.ts";
import type { Sysfs } from "../../util/sysfs.ts";
import { hostIface } from "./host_ifaces.ts";

const F = "INTERFACE";
const ARP_VALIDATE = ["", "active", "backup", "all"] as const;

function internal(message: string): VirError {
  return VirError.report(F, "INTERNAL_ERROR", message);
}

/** The number after the space of `balance-rr 0`-style attributes. */
function codeOf(sys: Sysfs, dir: string, attr: string, name: string): number {
  const v = sys.attr(dir, `bonding/${attr}`);
  const n = v === undefined ? NaN : Number(v.split(" ")[1]);
  if (!Number.isInteger(n)) throw internal(`Could not retrieve 'bonding/${attr}' for '${name}'`);
  return n;
}

function intAttr(sys: Sysfs, dir: string, attr: string, name: string): number {
  const v = sys.attr(dir, attr);
  if (v === undefined) throw internal(`Could not retrieve '${attr}' for '${name}'`);
  const n = Number(v);
  if (!Number.isInteger(n)) throw internal(`Could not parse '${attr}' '${v}' for '${name}'`);
  return n;
}

function bridge(sys: Sysfs, dir: string, def: InterfaceDef, proc: string): void {
  const delay = sys.attr(dir, "bridge/forward_delay");
  if (delay === undefined) {
    throw internal(`Could not retrieve 'bridge/forward_delay' for '${def.name}'`);
  }
  const stp = intAttr(sys, dir, "bridge/stp_state", def.name);
  if (stp < -1 || stp > 1) {
    throw internal(
      `Invalid STP state value ${stp} received for '${def.name}'. Must be -1, 0, or 1.`,
    );
  }
  def.bridge = {
    stp: stp === -1 ? undefined : stp === 1,
    delay,
    interfaces: sys.list(`${dir}/brif`)
      .filter((m) => !(m.startsWith("vnet") && /^[0-9]$/.test(m[4] ?? "")))
      .map((m) => member(sys, m, def.name, "a member of bridge", proc)),
  };
}

function bond(sys: Sysfs, dir: string, def: InterfaceDef, proc: string): void {
  const downdelay = intAttr(sys, dir, "bonding/downdelay", def.name);
  const updelay = intAttr(sys, dir, "bonding/updelay", def.name);
  const miimon = intAttr(sys, dir, "bonding/miimon", def.name);
  const arpInterval = intAttr(sys, dir, "bonding/arp_interval", def.name);
  const mode = codeOf(sys, dir, "mode", def.name);
  const validate = codeOf(sys, dir, "arp_validate", def.name);
  const carrier = intAttr(sys, dir, "bonding/use_carrier", def.name);
  const target = sys.attr(dir, "bonding/arp_ip_target");
  if (target === undefined) {
    throw internal(`Could not retrieve 'bonding/arp_ip_target' for '${def.name}'`);
  }
  def.bond = {
    mode: BOND_MODES[mode],
    miimon: arpInterval <= 0 && miimon > 0
      ? { freq: miimon, downdelay, updelay, carrier: carrier ? "netif" : "ioctl" }
      : undefined,
    arpmon: arpInterval > 0
      ? { interval: arpInterval, target, validate: ARP_VALIDATE[validate] || undefined }
      : undefined,
    interfaces: sys.list(dir)
      .filter((e) => e.startsWith("slave_") && e.length > "slave_".length)
      .map((e) => member(sys, e.slice("slave_".length), def.name, "a enslaved in bond", proc)),
  };
}

function vlan(def: InterfaceDef, proc: string): void {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${proc}/net/vlan/${def.name}`);
  } catch (e) {
    throw VirError.report(
      F,
      "SYSTEM_ERROR",
      `Failed to open file '${proc}/net/vlan/${def.name}': ${strerror(e)}`,
    );
  }
  const vid = /VID: ([0-9]+)\s/.exec(text);
  if (!vid) throw internal(`failed to find the VID for the VLAN device '${def.name}'`);
  const dev = /\nDevice: ([^\n]+)/.exec(text.slice(vid.index + vid[0].length - 1));
  if (!dev) throw internal(`failed to find the real device for the VLAN device '${def.name}'`);
  def.vlan = { tag: vid[1], devName: dev[1] };
}

function member(sys: Sysfs, name: string, parent: string, what: string, proc: string) {
  try {
    return ifaceDef(sys, name, proc);
  } catch {
    throw internal(
      `Could not get interface information for '${name}', which is ${what} '${parent}'`,
    );
  }
}

/**
 * The definition of interface `name`, or libvirt's error when there is none.
 *
 * @example
 * ```ts
 * import { ifaceDef } from "./iface_def.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * ifaceDef(new Sysfs(), "lo").type; // "ethernet"
 * ```
 */
export function ifaceDef(sys: Sysfs, name: string, proc = "/proc"): InterfaceDef {
  const iface = hostIface(sys, name);
  if (!iface) {
    throw VirError.report(F, "NO_INTERFACE", `couldn't find interface named '${name}'`);
  }
  const dir = iface.syspath;
  const mtuText = sys.attr(dir, "mtu");
  const mtu = Number(mtuText);
  if (mtuText === undefined || !/^[0-9]+$/.test(mtuText)) {
    throw internal(`Could not parse MTU value '${mtuText ?? "(null)"}'`);
  }
  const def: InterfaceDef = {
    type: "ethernet",
    name,
    mtu,
    protocols: [],
    link: linkInfo(sys, name),
    mac: sys.attr(dir, "address"),
  };
  const devtype = sys.device(dir)?.devtype;
  if (devtype === "vlan") def.type = "vlan";
  else if (devtype === "bridge") def.type = "bridge";
  else if (devtype === "bond") def.type = "bond";
  else {
    if (name.includes(".")) def.type = "vlan";
    if (sys.attr(dir, "bonding/mode") !== undefined) def.type = "bond";
  }
  if (def.type === "vlan") vlan(def, proc);
  if (def.type === "bridge") bridge(sys, dir, def, proc);
  if (def.type === "bond") bond(sys, dir, def, proc);
  return def;
}

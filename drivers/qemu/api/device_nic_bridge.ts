/**
 * A running domain's NIC moved to another bridge by update-device (libvirt 9.0's
 * `qemuDomainChangeNetBridge`, with the port handling of `qemuDomainChangeNet`): a network NIC
 * gets a port of its new network first, the tap leaves its bridge for the new one, and the old
 * port is released once the NIC's definition is replaced. Any other change of type (to or from
 * user networking) would need a new backend: libvirt's "unable to change config".
 *
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { INTERFACE_KIDS } from "../../../conf/domain/devices.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { allocatePort, applyActualDevice, type HeldPort, releasePort } from "../net/port.ts";

/** Actual types whose backend is a tap on a bridge. */
const ON_BRIDGE = new Set(["network", "bridge"]);

/**
 * Whether the NIC `net` asks for is on another network or bridge than the live `old` is (a
 * network NIC's live type may be its network's actual `bridge`: configured names compare).
 *
 * @example
 * ```ts
 * import { movesElsewhere } from "./device_nic_bridge.ts";
 * const old = { type: "bridge", source: { bridge: "br0" }, extra: [] };
 * movesElsewhere(old, { type: "bridge", source: { bridge: "br1" }, extra: [] }); // true
 * ```
 */
export function movesElsewhere(old: DomainInterface, net: DomainInterface): boolean {
  if (net.type === "network") return old.source?.network !== net.source?.network;
  if (net.type === "bridge") {
    return old.type !== "bridge" || old.source?.network !== undefined ||
      old.source?.bridge !== net.source?.bridge;
  }
  return old.type !== net.type;
}

/** What the new definition takes from the old when it does not say (libvirt's newdev fill). */
const INHERITED = ["boot", "rom", "alias", "address"];

/**
 * Moves the live NIC `old` (at `index`) onto the bridge `net` names and puts `net`, with the
 * old NIC's tap, alias and address, in its place; nothing changes when a step fails.
 *
 * @example
 * ```ts
 * import { moveNicBridge } from "./device_nic_bridge.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * const net = { type: "bridge", source: { bridge: "br1" }, extra: [] };
 * await moveNicBridge(state, obj, 0, net);
 * ```
 */
export async function moveNicBridge(
  s: QemuDriverState,
  obj: QemuDomainObj,
  index: number,
  net: DomainInterface,
): Promise<void> {
  const old = obj.def.devices.interfaces[index];
  if (!ON_BRIDGE.has(old.type) || !ON_BRIDGE.has(net.type)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `unable to change config on '${net.type}' network type`,
    );
  }
  const ctx = s.nicContext;
  let port: HeldPort | undefined;
  if (net.type === "network") {
    port = await allocatePort(ctx.secondaries, obj.def, net);
    applyActualDevice(net, port);
  }
  try {
    const bridge = net.source?.bridge;
    if (!bridge || !old.source?.bridge) {
      throw VirError.report("QEMU", "INTERNAL_ERROR", "Missing bridge name");
    }
    if (!(await ctx.taps.links()).has(bridge)) {
      throw VirError.report("QEMU", "OPERATION_FAILED", `bridge ${bridge} doesn't exist`);
    }
    if (!ctx.taps.privileged) {
      // The bridge helper's tap stays where it was made: a user may not move it (EPERM).
      throw VirError.bare(
        "NONE",
        "SYSTEM_ERROR",
        `Unable to remove bridge ${old.source.bridge} port ${old.target}: Operation not permitted`,
      );
    }
    await ctx.taps.move(old.target!, bridge);
  } catch (err) {
    if (port) await releasePort(ctx.secondaries, port).catch(() => {});
    throw err;
  }
  net.target = old.target;
  const missing = old.extra.filter((e) =>
    INHERITED.includes(e.name) && !net.extra.some((n) => n.name === e.name)
  );
  net.extra = [...net.extra, ...missing].sort((a, b) =>
    INTERFACE_KIDS.indexOf(a.name) - INTERFACE_KIDS.indexOf(b.name)
  );
  obj.def.devices.interfaces[index] = net;
  const runtime = obj.nics?.find((n) => n.index === index);
  const released = runtime?.port;
  if (runtime) {
    if (port) runtime.port = port;
    else delete runtime.port;
  }
  if (released) {
    await releasePort(ctx.secondaries, released).catch((e) =>
      ctx.log(`cannot delete network port ${released.uuid}: ${e}`)
    );
  }
}

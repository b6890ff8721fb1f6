/**
 * vHBAs: NPIV virtual ports of a fibre channel HBA, created and deleted by writing
 * `wwpn:wwnn` to the parent host's `vport_create`/`vport_delete` (libvirt's
 * `virVHBAManageVport`), the kernel then adding or removing the new SCSI host, which the
 * device poll picks up.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";
import type { HostDevDef } from "./device_def.ts";
import type { NodeDeviceState } from "./state.ts";

const F = "NODEDEV";
const internal = (message: string) => VirError.report(F, "INTERNAL_ERROR", message);

/** `virNodeDeviceGetWWNs`: the WWNs of a fibre channel SCSI host. */
export function fcWWNs(
  caps: readonly { type: string; fcHost?: { wwnn: string; wwpn: string } }[],
): { wwnn: string; wwpn: string } {
  for (const cap of caps) if (cap.type === "scsi_host" && cap.fcHost) return cap.fcHost;
  throw internal("Device is not a fibre channel HBA");
}

/** The host number of a vport-capable SCSI host (`virNodeDeviceFindFCParentHost`). */
function vportHost(def: HostDevDef): number | undefined {
  for (const cap of def.caps) if (cap.type === "scsi_host" && cap.vportOps) return cap.host;
  return undefined;
}

/**
 * `virNodeDeviceObjListGetParentHost`: the named parent's host number, or the first
 * vport-capable host's when none is named.
 *
 * @example
 * ```ts
 * import { parentHost } from "./vport.ts";
 * import { NodeDeviceState } from "./state.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * const state = new NodeDeviceState(new Sysfs(), { privileged: false, ethtool: () => undefined });
 * try { parentHost(state, "new device", undefined); } catch (e) { console.log(String(e)); }
 * ```
 */
export function parentHost(
  state: NodeDeviceState,
  name: string,
  parent: string | undefined,
): number {
  if (parent !== undefined) {
    const obj = state.devices.get(parent);
    if (!obj) throw internal(`Could not find parent device for '${name}'`);
    const host = vportHost(obj);
    if (host === undefined) {
      throw internal(`Parent device ${obj.name} is not capable of vport operations`);
    }
    return host;
  }
  for (const def of state.devices.values()) {
    const host = vportHost(def);
    if (host !== undefined) return host;
  }
  throw internal("Could not find any vport capable device");
}

/**
 * `virVHBAManageVport`: asks the kernel to create or delete the vport `wwpn:wwnn` on `host`.
 *
 * @example
 * ```ts
 * import { manageVport } from "./vport.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * await manageVport(new Sysfs(), 99, "5001a4a", "5001a4b", "create").catch(() => {});
 * ```
 */
export async function manageVport(
  sys: { file(path: string): string; exists(path: string): boolean },
  host: number,
  wwpn: string,
  wwnn: string,
  operation: "create" | "delete",
): Promise<void> {
  const file = `vport_${operation}`;
  const path = [
    `/sys/class/fc_host/host${host}/${file}`,
    `/sys/class/scsi_host/host${host}/${file}`,
  ]
    .find((p) => sys.exists(p));
  if (!path) {
    throw VirError.report(
      F,
      "OPERATION_INVALID",
      `vport operation '${file}' is not supported for host${host}`,
    );
  }
  try {
    await Deno.writeTextFile(sys.file(path), `${wwpn}:${wwnn}`);
  } catch (e) {
    throw VirError.report(
      F,
      "SYSTEM_ERROR",
      `Write of '${wwpn}:${wwnn}' to '${path}' during vport create/delete failed: ${strerror(e)}`,
    );
  }
}

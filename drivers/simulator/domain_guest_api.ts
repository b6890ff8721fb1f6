/**
 * Guest-facing calls of libvirt's test driver, answered from canned data: guest host name,
 * clock, file system freeze/thaw/trim/info of the two fake mounts `/` and `/boot`, user
 * passwords, process signals, NMI, key presses, control (job) state, messages and interface
 * addresses.
 *
 * @module
 */
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { checkActive } from "../../conf/objects/domain_obj.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";
import { networkByName } from "./network_api.ts";
import { networkFirstIP } from "./object_info.ts";
import { disks, diskTarget } from "./domain_devices.ts";
import { methodTable } from "../../util/method_table.ts";
import { KEYCODE_SETS, keycodeKnown } from "../../util/keycodes.ts";

const F = "TEST";
const MOUNTS = ["/", "/boot"];
/** `VIR_DOMAIN_PROCESS_SIGNAL_LAST`: signal numbers run from 0 to 64. */
const SIGNAL_LAST = 65;
const MESSAGE_FLAGS = VIR.DOMAIN_MESSAGE_DEPRECATION | VIR.DOMAIN_MESSAGE_TAINTING;

function checkMount(mount: string): void {
  if (!MOUNTS.includes(mount)) {
    throw VirError.report(F, "OPERATION_INVALID", `mount point not found: ${mount}`);
  }
}

/**
 * `testDomainFSFreeze` / `testDomainFSThaw`: sets the frozen flag of the named mounts (all
 * when none is named) and counts those that changed.
 */
function setFrozen(obj: TestDomainObj, mountpoints: string[], frozen: boolean): number {
  const next = [...obj.frozen] as [boolean, boolean];
  const targets = mountpoints.length ? mountpoints : MOUNTS;
  let changed = 0;
  for (const mount of targets) {
    checkMount(mount);
    const i = MOUNTS.indexOf(mount);
    if (next[i] !== frozen) changed++;
    next[i] = frozen;
  }
  obj.frozen = next;
  return changed;
}

/** `testDomainGetControlInfo`: the guest clock's seconds pick a fake control state. */
function controlInfo(seconds: number): { state: number; details: number; stateTime: number } {
  if (seconds > 0 && seconds < 10000) {
    return { state: VIR.DOMAIN_CONTROL_JOB, details: 0, stateTime: seconds };
  }
  if (seconds >= 10000 && seconds < 30000) {
    return { state: VIR.DOMAIN_CONTROL_OCCUPIED, details: 0, stateTime: seconds - 10000 };
  }
  if (seconds >= 30000 && seconds < 60000) {
    // ERROR_REASON_NONE, UNKNOWN, MONITOR, INTERNAL are 0..3.
    return { state: VIR.DOMAIN_CONTROL_ERROR, details: seconds % 4, stateTime: seconds - 30000 };
  }
  return { state: VIR.DOMAIN_CONTROL_OK, details: 0, stateTime: 0 };
}

/** An IPv4 or IPv6 address plus `offset` (added to the last byte for IPv6, like libvirt). */
function offsetAddress(address: string, offset: number, ipv6: boolean): string {
  if (!ipv6) {
    const n = address.split(".").reduce((v, o) => v * 256 + Number(o), 0) + offset;
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
  }
  const groups = address.split(":");
  const last = parseInt(groups[groups.length - 1] || "0", 16);
  const lowByte = ((last & 0xff) + offset) & 0xff;
  groups[groups.length - 1] = ((last & 0xff00) | lowByte).toString(16);
  return groups.join(":");
}

/**
 * The guest part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainGuestMethods } from "./domain_guest_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainGuestMethods(new TestDriverState());
 * ```
 */
export function domainGuestMethods(state: TestDriverState): Partial<DriverConnection> {
  const active = (ref: DomainRef) => {
    const obj = domainFromRef(state, ref);
    checkActive(obj);
    return obj;
  };
  return methodTable({
    domainGetHostname: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetHostname", F);
      active(ref);
      return `${ref.name}host`;
    },
    domainGetTime: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetTime", F);
      const obj = domainFromRef(state, ref);
      if (obj.state !== VIR.DOMAIN_RUNNING) {
        throw VirError.report(F, "OPERATION_INVALID", "domain is not running");
      }
      return { seconds: obj.seconds, nseconds: obj.nseconds };
    },
    domainSetTime: (ref, seconds, nseconds, flags) => {
      checkFlags(flags, VIR.DOMAIN_TIME_SYNC, "testDomainSetTime", F);
      const obj = active(ref);
      obj.seconds = seconds;
      obj.nseconds = nseconds;
    },
    domainGetControlInfo: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetControlInfo", F);
      return controlInfo(active(ref).seconds);
    },
    domainFSFreeze: (ref, mountpoints, flags) => {
      checkFlags(flags, 0, "testDomainFSFreeze", F);
      return setFrozen(active(ref), mountpoints, true);
    },
    domainFSThaw: (ref, mountpoints, flags) => {
      checkFlags(flags, 0, "testDomainFSThaw", F);
      return setFrozen(active(ref), mountpoints, false);
    },
    domainFSTrim: (ref, mountPoint, _minimum, flags) => {
      checkFlags(flags, 0, "testDomainFSTrim", F);
      active(ref);
      if (mountPoint !== null) checkMount(mountPoint);
    },
    // The fake guest mounts `/` and `/boot` from partitions 1 and 2 of its first disk.
    domainGetFSInfo: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetFSInfo", F);
      const disk = disks(active(ref).def).find((d) => (d.attributes.device ?? "disk") === "disk");
      if (!disk) return [];
      const dev = diskTarget(disk);
      return MOUNTS.map((mountpoint, i) => ({
        mountpoint,
        name: `${dev}${i + 1}`,
        fstype: "ext4",
        devAliases: [dev],
      }));
    },
    domainSetUserPassword: (ref, _user, _password, flags) => {
      checkFlags(flags, VIR.DOMAIN_PASSWORD_ENCRYPTED, "testDomainSetUserPassword", F);
      active(ref);
    },
    domainSendProcessSignal: (ref, pid, signum, flags) => {
      checkFlags(flags, 0, "testDomainSendProcessSignal", F);
      if (pid !== 1) {
        throw VirError.report(F, "INVALID_ARG", "only sending a signal to pid 1 is supported");
      }
      if (signum >= SIGNAL_LAST) {
        throw VirError.report(F, "INVALID_ARG", `signum value ${signum} is out of range`);
      }
      domainFromRef(state, ref);
    },
    domainGetMessages: (ref, flags) => {
      checkFlags(flags, MESSAGE_FLAGS, "testDomainGetMessages", F);
      domainFromRef(state, ref);
      return [];
    },
    domainInjectNMI: (ref, flags) => {
      checkFlags(flags, 0, "testDomainInjectNMI", F);
      active(ref);
    },
    domainSendKey: (ref, codeset, _holdtime, keycodes, flags) => {
      checkFlags(flags, 0, "testDomainSendKey", F);
      active(ref);
      const bad = keycodes.find((k) => !keycodeKnown(codeset, k));
      if (bad !== undefined) {
        throw VirError.report(
          F,
          "INTERNAL_ERROR",
          `invalid keycode ${bad} of ${KEYCODE_SETS[codeset]} codeset`,
        );
      }
    },
    domainInterfaceAddresses: (ref, source, flags) => {
      checkFlags(flags, 0, "testDomainInterfaceAddresses", F);
      if (source > VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_ARP) {
        throw VirError.report(
          F,
          "ARGUMENT_UNSUPPORTED",
          `Unknown IP address data source ${source}`,
        );
      }
      const obj = active(ref);
      return obj.def.devices.interfaces.map((net, i) => {
        let addr: { type: number; addr: string; prefix: number } = {
          type: VIR.IP_ADDR_TYPE_IPV4,
          addr: `192.168.0.${1 + i}`,
          prefix: 24,
        };
        if (net.type === "network") {
          const name = net.source?.network ?? "";
          const network = networkByName(state, name);
          const ip = networkFirstIP(network.def);
          const ipv6 = ip?.family === "ipv6";
          // A different address per interface and per domain id, as libvirt does.
          const offset = 20 * (obj.def.id - 1) + i + 1;
          addr = {
            type: ipv6 ? VIR.IP_ADDR_TYPE_IPV6 : VIR.IP_ADDR_TYPE_IPV4,
            addr: offsetAddress(ip?.rangeStart ?? ip?.address ?? "0.0.0.0", offset, ipv6),
            prefix: ip?.prefix ?? 0,
          };
        }
        return { name: net.target ?? "", hwaddr: net.mac ?? "", addrs: [addr] };
      });
    },
  });
}

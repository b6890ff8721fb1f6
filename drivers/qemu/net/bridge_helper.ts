/**
 * Bridge and network NICs of an unprivileged driver (`qemu:///session` as a user), through
 * `qemu-bridge-helper` as libvirt's `qemuCreateInBridgePortWithHelper` does, with one
 * difference: libvirt runs the helper itself, receives the tap's descriptor over a socket
 * (SCM_RIGHTS) and passes it on (`-netdev tap,fd=N`); Deno can neither receive nor pass a
 * descriptor, so QEMU runs the helper (`-netdev bridge,br=BR,helper=…`, `netdev_add
 * type=bridge` when plugged live) and keeps the tap. Either way the helper makes the tap
 * (`tapN`, the kernel's name), gives it the bridge's MTU and a MAC with 0xFE first, makes it a
 * port of the bridge, up, and checks the bridge against `/etc/qemu/bridge.conf`; the tap goes
 * when its last descriptor closes (QEMU's `netdev_del` or exit), so nothing is left to remove.
 * QEMU always asks the helper for `--use-vnet`, libvirt only for virtio models; a tap with
 * vnet headers serves every model.
 *
 * The tap's name (`<target dev>`, `domiflist`, `domifstat`) is read from the kernel: every
 * tun descriptor QEMU holds says its interface in `/proc/PID/fdinfo/FD` (`iff:`). QEMU creates
 * the backends of its command line one after the other, each helper run finishing before the
 * next, and the kernel numbers links in creation order (`ifindex`), so the new taps sorted by
 * ifindex are the helper NICs in definition order.
 *
 * A helper that fails (the bridge not allowed by `/etc/qemu/bridge.conf`, no such bridge …)
 * writes why on stderr, which it shares with QEMU; the driver reads it there and reports it as
 * libvirt does, without `--fd=N` (the descriptor is QEMU's, its number unknown here).
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";

/** libvirt's bridge helper on Debian (`bridge_helper` in qemu.conf). */
export const BRIDGE_HELPER = "/usr/lib/qemu/qemu-bridge-helper";

/** A tap a process holds open. */
export interface HeldTap {
  /** The interface's name (`tap0`). */
  name: string;
  /** The kernel's index of the link: higher is newer. */
  ifindex: number;
}

/**
 * libvirt's refusal of a helper that is missing or not an executable file
 * (`virFileIsExecutable`), else nothing.
 *
 * @example
 * ```ts
 * import { checkBridgeHelper } from "./bridge_helper.ts";
 * checkBridgeHelper(); // throws unless /usr/lib/qemu/qemu-bridge-helper is executable
 * ```
 */
export function checkBridgeHelper(helper = BRIDGE_HELPER): void {
  let reason: string | undefined;
  try {
    const st = Deno.statSync(helper);
    if (st.isDirectory) reason = "Is a directory";
    else if (!st.isFile || ((st.mode ?? 0) & 0o111) === 0) reason = "Permission denied";
  } catch (err) {
    reason = err instanceof Deno.errors.PermissionDenied
      ? "Permission denied"
      : "No such file or directory";
  }
  if (reason) {
    throw VirError.bare(
      "QEMU",
      "SYSTEM_ERROR",
      `'${helper}' is not a suitable bridge helper: ${reason}`,
    );
  }
}

/**
 * The QEMU backend (`netdev_add` arguments, or the `-netdev` options in that order) of a NIC
 * whose tap the helper makes on the NIC's bridge.
 *
 * @example
 * ```ts
 * import { helperNetdev } from "./bridge_helper.ts";
 * helperNetdev({ type: "bridge", source: { bridge: "br0" }, extra: [] }, "hostnet0");
 * // { type: "bridge", id: "hostnet0", br: "br0", helper: "/usr/lib/qemu/qemu-bridge-helper" }
 * ```
 */
export function helperNetdev(net: DomainInterface, id: string): Record<string, string> {
  const br = net.source?.bridge;
  if (!br) throw VirError.report("QEMU", "INTERNAL_ERROR", "Missing bridge name");
  return { type: "bridge", id, br, helper: BRIDGE_HELPER };
}

/**
 * The taps process `pid` holds, read from its descriptors: a tun descriptor's
 * `fdinfo` names its interface (`iff:`), sysfs its index. Descriptors that close meanwhile are
 * skipped.
 *
 * @example
 * ```ts
 * import { readHeldTaps } from "./bridge_helper.ts";
 * await readHeldTaps(1234); // [{ name: "tap0", ifindex: 7 }]
 * ```
 */
export async function readHeldTaps(pid: number): Promise<HeldTap[]> {
  const taps = new Map<string, number>();
  for await (const fd of Deno.readDir(`/proc/${pid}/fd`)) {
    try {
      if (await Deno.readLink(`/proc/${pid}/fd/${fd.name}`) !== "/dev/net/tun") continue;
      const info = await Deno.readTextFile(`/proc/${pid}/fdinfo/${fd.name}`);
      const name = info.match(/^iff:\s*(\S+)$/m)?.[1];
      if (!name) continue;
      const index = await Deno.readTextFile(`/sys/class/net/${name}/ifindex`);
      taps.set(name, Number(index.trim()));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return [...taps].map(([name, ifindex]) => ({ name, ifindex }));
}

/**
 * libvirt's error when the helper of `net` sent no tap, with what the helper wrote on stderr
 * (libvirt names the command it ran, asking for vnet headers for virtio models only).
 *
 * @example
 * ```ts
 * import { helperFailure } from "./bridge_helper.ts";
 * const net = { type: "bridge", source: { bridge: "br1" }, model: "e1000", extra: [] };
 * helperFailure(net, "access denied by acl file\n").message;
 * // "/usr/lib/qemu/qemu-bridge-helper --br=br1: failed to communicate with bridge helper:
 * //  stderr=access denied by acl file\n: Transport endpoint is not connected"
 * ```
 */
export function helperFailure(net: DomainInterface, helperStderr: string): VirError {
  const vnet = (net.model ?? "").startsWith("virtio") ? " --use-vnet" : "";
  const errstr = helperStderr ? `stderr=${helperStderr}` : "";
  return VirError.bare(
    "QEMU",
    "SYSTEM_ERROR",
    `${BRIDGE_HELPER}${vnet} --br=${net.source?.bridge}: ` +
      `failed to communicate with bridge helper: ${errstr}: Transport endpoint is not connected`,
  );
}

/**
 * The helper's failure in the stderr of a QEMU that did not start, as {@link helperFailure}
 * reports it, or undefined when no helper failed: QEMU's line `…: -netdev bridge,id=hostALIAS,
 * …: bridge helper failed` names the NIC, the helper's lines come right before it.
 *
 * @example
 * ```ts
 * import { startHelperFailure } from "./bridge_helper.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * startHelperFailure(def, "access denied by acl file\nqemu: -netdev bridge,id=hostnet0,…");
 * ```
 */
export function startHelperFailure(def: DomainDef, stderr: string): VirError | undefined {
  const lines = stderr.split("\n");
  const at = lines.findIndex((l) => /: -netdev bridge,.*: bridge helper failed$/.test(l));
  if (at < 0) return undefined;
  const [prefix, id] = lines[at].match(/^(.*): -netdev bridge,id=([^,]+),/)?.slice(1) ?? [];
  const net = def.devices.interfaces.find((n) =>
    `host${n.extra.find((e) => e.name === "alias")?.attributes.name}` === id
  );
  if (!net) return undefined;
  // Back to QEMU's previous line of its own: what lies between is the helper's.
  let from = at;
  while (from > 0 && !lines[from - 1].startsWith(`${prefix}: `)) from--;
  const own = lines.slice(from, at);
  return helperFailure(net, own.length ? `${own.join("\n")}\n` : "");
}

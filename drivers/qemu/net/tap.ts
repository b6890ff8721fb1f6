/**
 * Tap devices on host bridges, as libvirt's `virNetDevTapCreateInBridgePort` makes them for a
 * privileged driver: a persistent tap named `vnetN`, its MAC the guest's with the first byte
 * 0xFE (so the bridge never takes the guest's address as its own), a port of the bridge, up.
 * QEMU opens it by name (`-netdev tap,ifname=vnetN,script=no,downscript=no`): Deno cannot hand
 * QEMU an open descriptor as libvirt does, and a tap created beforehand needs none.
 *
 * The work is done with iproute2 (`ip tuntap`, `ip link`), run directly (no shell), in the
 * network namespace of the driver's process.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { TcResult } from "../../../util/netdev_bandwidth.ts";
import { type HeldTap, readHeldTaps } from "./bridge_helper.ts";

/** What the driver does with the host's links; tests substitute a recording fake. */
export interface TapHost {
  /** Whether this process may create taps itself (root, as libvirt's system driver). */
  readonly privileged: boolean;
  /** The links of the namespace: name → MTU. */
  links(): Promise<Map<string, number>>;
  /**
   * Creates the tap `name` with `mac` and `mtu` (a bridge's, so that enslaving it never lowers
   * the bridge's own; an ethernet NIC's `<mtu>`; none: the kernel's), attached to `bridge`
   * (none for an ethernet NIC's tap) and up.
   */
  create(name: string, mac: string, bridge: string | undefined, mtu?: number): Promise<void>;
  /**
   * Gives the link `name` an address (`ip addr add ADDRESS/PREFIX [peer P] [broadcast B]`, as
   * libvirt's `virNetDevIPAddrAdd` without netlink) or a route (`ip route add …`); the
   * arguments after `dev NAME` are the caller's.
   */
  addIP(name: string, args: readonly string[]): Promise<void>;
  /** Runs an ethernet NIC's `<script>`/`<downscript>` `path` with the tap's `name`. */
  runScript(path: string, name: string): Promise<void>;
  /**
   * Why this process cannot open `/dev/net/tun` for reading and writing (strerror(3) of the
   * failure), or undefined when it can: a session daemon's first obstacle to a tap.
   */
  tunDenied(): string | undefined;
  /** Makes the tap `name` a port of `bridge` instead of its bridge now (a live NIC's move). */
  move(name: string, bridge: string): Promise<void>;
  /** Removes the tap `name` (gone already is fine). */
  remove(name: string): Promise<void>;
  /** The taps process `pid` holds open (the bridge helper's, for QEMU). */
  heldTaps(pid: number): Promise<HeldTap[]>;
  /** Runs `tc` with `args` (a tap's traffic shaping, `util/netdev_bandwidth.ts`). */
  tc(args: readonly string[]): Promise<TcResult>;
  /**
   * Creates the macvtap `name` on `parent` in `mode` with the guest's `mac`, up, and gives the
   * path of its character device (`/dev/tapIFINDEX`), which QEMU gets open.
   */
  createMacvtap(name: string, parent: string, mode: string, mac: string): Promise<string>;
  /** Removes the macvtap `name` (gone already is fine). */
  removeMacvtap(name: string): Promise<void>;
  /**
   * The character device (`/dev/tapIFINDEX`) of the link `name` when it is a macvtap
   * (`virNetDevMacVLanIsMacvtap`), else undefined.
   */
  macvtapOf(name: string): string | undefined;
  /** The MAC address of link `dev`. */
  linkMac(dev: string): Promise<string>;
  /** Sets the MAC address of link `dev` (a passthrough macvtap's parent). */
  setLinkMac(dev: string, mac: string): Promise<void>;
}

/**
 * The MAC of the host side of a tap: the guest's with 0xFE first, or 0xFA when the guest's
 * starts with 0xFE (libvirt's `tapmac`: never the guest's own address).
 *
 * @example
 * ```ts
 * import { tapMac } from "./tap.ts";
 * tapMac("52:54:00:12:34:56"); // "fe:54:00:12:34:56"
 * tapMac("fe:54:00:12:34:56"); // "fa:54:00:12:34:56"
 * ```
 */
export function tapMac(mac: string): string {
  return `${mac.slice(0, 2).toLowerCase() === "fe" ? "fa" : "fe"}${mac.slice(2)}`;
}

/** strerror(3) of what `ip` says went wrong (its last `: ` part), as libvirt appends it. */
function ipReason(stderr: string): string {
  const text = stderr.trim().split("\n").pop() ?? "";
  if (/does not exist|Cannot find device/.test(text)) return "No such device";
  if (/File exists|Device or resource busy/.test(text)) return "Device or resource busy";
  const m = text.match(/: ([^:]+)$/);
  return (m?.[1] ?? text).replace(/\.$/, "");
}

async function ip(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { ok: out.success, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * `virNetDevMacVLanTapOpen`'s device: `/dev/tapIFINDEX`, which must be the macvtap's own (its
 * major:minor as sysfs says; an index is only unique within a network namespace, the device
 * node is the host's).
 */
function macvtapDevice(name: string): string {
  const sys = `/sys/class/net/${name}`;
  const index = Deno.readTextFileSync(`${sys}/ifindex`).trim();
  const path = `/dev/tap${index}`;
  const [major, minor] = Deno.readTextFileSync(`${sys}/macvtap/tap${index}/dev`).trim().split(":")
    .map(Number);
  let rdev: number | null = null;
  try {
    rdev = Deno.statSync(path).rdev;
  } catch {
    // Reported below, as libvirt reports a device node that never appeared.
  }
  // Linux's new_encode_dev: the minor's low byte, the major, then the minor's high bits.
  const want = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
  if (rdev !== want) {
    throw VirError.bare(
      "NONE",
      "SYSTEM_ERROR",
      `cannot open macvtap tap device ${path}: No such file or directory`,
    );
  }
  return path;
}

/** What `virCommandAddEnvPassCommon` gives a command: a C locale and these, when set. */
const PASSED_ENV = [
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "DYLD_INSERT_LIBRARIES",
  "DYLD_FORCE_FLAT_NAMESPACE",
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "TMPDIR",
];

function scriptEnv(): Record<string, string> {
  const env: Record<string, string> = { LC_ALL: "C" };
  for (const k of PASSED_ENV) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/**
 * `virCommandWait`'s error for a script that failed: the command as `virCommandToString`
 * writes it (its environment first), how it ended, and what it wrote on stderr (which
 * `virCommandRun` captured).
 *
 * @example
 * ```ts
 * import { scriptFailure } from "./tap.ts";
 * scriptFailure("/etc/up", "vnet0", { LC_ALL: "C" }, undefined, 1).message;
 * // "internal error: Child process (LC_ALL=C /etc/up vnet0) unexpected exit status 1"
 * ```
 */
export function scriptFailure(
  path: string,
  name: string,
  env: Record<string, string>,
  signal: string | undefined,
  code: number,
  stderr = "",
): VirError {
  const command = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), path, name].join(" ");
  // Deno reports a killed child's status as 128 + the signal's number.
  const how = signal ? `fatal signal ${code - 128}` : `exit status ${code}`;
  return VirError.report(
    "NONE",
    "INTERNAL_ERROR",
    `Child process (${command}) unexpected ${how}${stderr ? `: ${stderr}` : ""}`,
  );
}

/** libvirt's `virReportSystemError` of the util layer (`VIR_FROM_NONE`). */
function systemError(message: string, stderr: string): VirError {
  return VirError.bare("NONE", "SYSTEM_ERROR", `${message}: ${ipReason(stderr)}`);
}

/**
 * Taps made with iproute2 in this process's network namespace.
 *
 * @example
 * ```ts
 * import { SystemTapHost } from "./tap.ts";
 * const host = new SystemTapHost();
 * await host.create("vnet0", "fe:54:00:12:34:56", "br0", 1500);
 * await host.remove("vnet0");
 * ```
 */
export class SystemTapHost implements TapHost {
  readonly privileged: boolean;

  /**
   * `privileged` says whether the driver makes taps itself (default: running as root, as
   * libvirt's `driver->privileged`); `false` has QEMU run the bridge helper, as a user's
   * session does, which is how tests run that path as root.
   */
  constructor(opts: { privileged?: boolean } = {}) {
    this.privileged = opts.privileged ?? Deno.uid() === 0;
  }

  async links(): Promise<Map<string, number>> {
    const out = await ip(["-j", "link", "show"]);
    if (!out.ok) throw systemError("Could not get interface list", out.stderr);
    const links = JSON.parse(out.stdout) as { ifname: string; mtu: number }[];
    return new Map(links.map((l) => [l.ifname, l.mtu]));
  }

  async create(
    name: string,
    mac: string,
    bridge: string | undefined,
    mtu?: number,
  ): Promise<void> {
    const made = await ip(["tuntap", "add", "dev", name, "mode", "tap"]);
    if (!made.ok) throw systemError(`Unable to create tap device ${name}`, made.stderr);
    try {
      const addr = await ip(["link", "set", "dev", name, "address", mac]);
      if (!addr.ok) throw systemError(`Cannot set interface MAC on '${name}'`, addr.stderr);
      if (mtu !== undefined) {
        const set = await ip(["link", "set", "dev", name, "mtu", String(mtu)]);
        if (!set.ok) throw systemError(`Cannot set interface MTU on '${name}'`, set.stderr);
      }
      const port = bridge ? await ip(["link", "set", "dev", name, "master", bridge]) : made;
      if (!port.ok) {
        throw systemError(`Unable to add bridge ${bridge} port ${name}`, port.stderr);
      }
      const up = await ip(["link", "set", "dev", name, "up"]);
      if (!up.ok) throw systemError(`Cannot set interface flags on '${name}'`, up.stderr);
    } catch (err) {
      await this.remove(name);
      throw err;
    }
  }

  async move(name: string, bridge: string): Promise<void> {
    const port = await ip(["link", "set", "dev", name, "master", bridge]);
    if (!port.ok) throw systemError(`Unable to add bridge ${bridge} port ${name}`, port.stderr);
  }

  async remove(name: string): Promise<void> {
    // `ip tuntap del` removes only a tap; a name reused by something else stays untouched.
    await ip(["tuntap", "del", "dev", name, "mode", "tap"]);
  }

  async addIP(name: string, args: readonly string[]): Promise<void> {
    const out = await ip([...args, "dev", name]);
    if (!out.ok) throw new Error(out.stderr.trim());
  }

  async runScript(path: string, name: string): Promise<void> {
    // virCommandAddEnvPassCommon: a C locale and the daemon's PATH, nothing else.
    const env = scriptEnv();
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(path, {
        args: [name],
        clearEnv: true,
        env,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      // virExec's child reports the failed execve on its stderr and exits 127.
      throw scriptFailure(
        path,
        name,
        env,
        undefined,
        127,
        `libvirt:  error : cannot execute binary ${path}: No such file or directory\n`,
      );
    }
    if (!out.success) {
      const stderr = new TextDecoder().decode(out.stderr);
      throw scriptFailure(path, name, env, out.signal ?? undefined, out.code, stderr);
    }
  }

  tunDenied(): string | undefined {
    try {
      Deno.openSync("/dev/net/tun", { read: true, write: true }).close();
      return undefined;
    } catch (err) {
      if (err instanceof Deno.errors.PermissionDenied) return "Permission denied";
      if (err instanceof Deno.errors.NotFound) return "No such file or directory";
      throw err;
    }
  }

  heldTaps(pid: number): Promise<HeldTap[]> {
    return readHeldTaps(pid);
  }

  async createMacvtap(name: string, parent: string, mode: string, mac: string): Promise<string> {
    // ip names libvirt's passthrough mode (MACVLAN_MODE_PASSTHRU) by the kernel's word.
    const ipMode = mode === "passthrough" ? "passthru" : mode;
    const made = await ip([
      "link",
      "add",
      "link",
      parent,
      "name",
      name,
      "address",
      mac,
      "type",
      "macvtap",
      "mode",
      ipMode,
    ]);
    if (!made.ok) {
      throw systemError(`error creating macvtap interface ${name}@${parent} (${mac})`, made.stderr);
    }
    try {
      const up = await ip(["link", "set", "dev", name, "up"]);
      if (!up.ok) throw systemError(`Cannot set interface flags on '${name}'`, up.stderr);
      return macvtapDevice(name);
    } catch (err) {
      await this.removeMacvtap(name);
      throw err;
    }
  }

  macvtapOf(name: string): string | undefined {
    try {
      Deno.statSync(`/sys/class/net/${name}/macvtap`);
    } catch {
      return undefined;
    }
    return macvtapDevice(name);
  }

  async removeMacvtap(name: string): Promise<void> {
    // Only a macvtap of that name goes: `type macvtap` makes ip refuse anything else.
    await ip(["link", "del", "dev", name, "type", "macvtap"]);
  }

  async linkMac(dev: string): Promise<string> {
    const out = await ip(["-j", "link", "show", "dev", dev]);
    if (!out.ok) throw systemError(`Unable to get index for interface ${dev}`, out.stderr);
    return (JSON.parse(out.stdout) as { address: string }[])[0].address;
  }

  async setLinkMac(dev: string, mac: string): Promise<void> {
    const out = await ip(["link", "set", "dev", dev, "address", mac]);
    if (!out.ok) throw systemError(`Cannot set interface MAC on '${dev}'`, out.stderr);
  }

  async tc(args: readonly string[]): Promise<TcResult> {
    // LC_ALL=C as libvirt runs it: its messages are part of libvirt's errors.
    const out = await new Deno.Command("tc", {
      args: [...args],
      env: { LC_ALL: "C" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  }
}

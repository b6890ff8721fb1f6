/**
 * A {@link TapHost} that records what the driver asks of the host's links instead of making
 * them, for the QEMU driver's in-process tests.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { HeldTap } from "../net/bridge_helper.ts";
import type { TapHost } from "../net/tap.ts";
import type { TcResult } from "../../../util/netdev_bandwidth.ts";

/**
 * Taps as a map: name → `{ mac, bridge }`; `bridges` are the bridges that exist.
 *
 * @example
 * ```ts
 * import { FakeTapHost } from "./fake_taps.ts";
 * const host = new FakeTapHost(["br0"]);
 * await host.create("vnet0", "fe:54:00:00:00:01", "br0", 1500);
 * host.taps.get("vnet0"); // { mac: "fe:54:00:00:00:01", bridge: "br0", mtu: 1500 }
 * ```
 */
export class FakeTapHost implements TapHost {
  readonly taps = new Map<string, { mac: string; bridge?: string; mtu: number }>();
  /** Every `ip addr`/`ip route` given to a link: its name, then the arguments. */
  readonly ipRuns: string[][] = [];
  /** How `ip addr`/`ip route` answers: nothing (success) or what `ip` would say on failure. */
  ipAnswer: (args: readonly string[]) => string | undefined = () => undefined;
  /** Every script run: its path and the tap's name. */
  readonly scriptRuns: string[][] = [];
  /** How a script ends: nothing (success) or the error the driver reports. */
  scriptAnswer: (path: string, name: string) => Error | undefined = () => undefined;
  readonly bridges: Set<string>;
  readonly privileged: boolean;
  /** What {@link heldTaps} answers for any process: the taps a fake bridge helper made. */
  held: HeldTap[] = [];
  /** Every `tc` run, its arguments. */
  readonly tcRuns: string[][] = [];
  /** How `tc` answers (success unless a test says otherwise). */
  tcAnswer: (args: readonly string[]) => TcResult = () => ({ code: 0, stderr: "" });

  constructor(bridges: string[], privileged = true) {
    this.bridges = new Set(bridges);
    this.privileged = privileged;
  }

  /** Bridges have MTU 1500, or 9000 when named `jumbo…`. */
  links(): Promise<Map<string, number>> {
    return Promise.resolve(
      new Map([
        ...[...this.bridges].map((b) => [b, b.startsWith("jumbo") ? 9000 : 1500] as const),
        ...[...this.taps].map(([n, t]) => [n, t.mtu] as const),
        ...[...this.macvtaps.keys()].map((n) => [n, 1500] as const),
      ]),
    );
  }

  create(name: string, mac: string, bridge: string | undefined, mtu = 1500): Promise<void> {
    if (bridge !== undefined && !this.bridges.has(bridge)) {
      return Promise.reject(noBridge(bridge, name));
    }
    this.taps.set(name, bridge === undefined ? { mac, mtu } : { mac, bridge, mtu });
    return Promise.resolve();
  }

  addIP(name: string, args: readonly string[]): Promise<void> {
    this.ipRuns.push([name, ...args]);
    const failed = this.ipAnswer(args);
    return failed === undefined ? Promise.resolve() : Promise.reject(new Error(failed));
  }

  /** What opening `/dev/net/tun` fails with (it opens, unless a test says otherwise). */
  tun: string | undefined = undefined;

  tunDenied(): string | undefined {
    return this.tun;
  }

  runScript(path: string, name: string): Promise<void> {
    this.scriptRuns.push([path, name]);
    const failed = this.scriptAnswer(path, name);
    return failed === undefined ? Promise.resolve() : Promise.reject(failed);
  }

  move(name: string, bridge: string): Promise<void> {
    const tap = this.taps.get(name);
    if (!tap || !this.bridges.has(bridge)) return Promise.reject(noBridge(bridge, name));
    tap.bridge = bridge;
    return Promise.resolve();
  }

  remove(name: string): Promise<void> {
    this.taps.delete(name);
    return Promise.resolve();
  }

  heldTaps(_pid: number): Promise<HeldTap[]> {
    return Promise.resolve([...this.held]);
  }

  /** Macvtaps made: name → parent, mode, MAC. */
  readonly macvtaps = new Map<string, { parent: string; mode: string; mac: string }>();
  /** MACs set on links by name (a passthrough macvtap's parent); others read as 02:00:00:00:00:01. */
  readonly macs = new Map<string, string>();

  createMacvtap(name: string, parent: string, mode: string, mac: string): Promise<string> {
    this.macvtaps.set(name, { parent, mode, mac });
    return Promise.resolve(`/dev/tap${100 + this.macvtaps.size}`);
  }

  macvtapOf(name: string): string | undefined {
    const at = [...this.macvtaps.keys()].indexOf(name);
    return at < 0 ? undefined : `/dev/tap${101 + at}`;
  }

  removeMacvtap(name: string): Promise<void> {
    this.macvtaps.delete(name);
    return Promise.resolve();
  }

  linkMac(dev: string): Promise<string> {
    return Promise.resolve(this.macs.get(dev) ?? "02:00:00:00:00:01");
  }

  setLinkMac(dev: string, mac: string): Promise<void> {
    this.macs.set(dev, mac);
    return Promise.resolve();
  }

  tc(args: readonly string[]): Promise<TcResult> {
    this.tcRuns.push([...args]);
    return Promise.resolve(this.tcAnswer(args));
  }
}

/** What `ip link set … master` says of a bridge or tap that is not there. */
function noBridge(bridge: string, name: string): VirError {
  return VirError.bare(
    "NONE",
    "SYSTEM_ERROR",
    `Unable to add bridge ${bridge} port ${name}: No such device`,
  );
}

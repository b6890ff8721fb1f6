/**
 * The QEMU driver with a fake network driver, fake taps, real storage, under a temp root: the
 * world of the NIC tests (start, stop, restart, hotplug).
 *
 * @module
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import {
  FakeLauncher,
  type FakeNetwork,
  FakeNetworkDriver,
  type FakeNics,
  FakeTapHost,
} from "../../../../drivers/qemu/testing/mod.ts";
import { storageDriver } from "../../../../drivers/storage/mod.ts";
import type { SecondaryDriver } from "../../../../util/contract/compose.ts";
import type { DriverConnection } from "../../../../util/driver.ts";
import { createRegistry } from "../../../../util/registry.ts";

export const UUID = "6b1d2f3e-4a5b-4c6d-8e7f-8091a2b3c4d5";

/** A domain with `devices` and no balloon. */
export function domainXML(devices: string, name = "n1", uuid = UUID): string {
  return `<domain type='qemu'><name>${name}</name><uuid>${uuid}</uuid>
<memory unit='MiB'>128</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices>${devices}<memballoon model='none'/></devices></domain>`;
}

/** An `<interface>` of `type` on `source`, virtio. */
export const NIC = (type: string, source: string, mac = "52:54:00:aa:bb:01", extra = "") =>
  `<interface type='${type}'><mac address='${mac}'/><source ${source}/>` +
  `<model type='virtio'/>${extra}</interface>`;

/** A network NIC on 'default' and a bridge NIC on br0. */
export const NETWORK_AND_BRIDGE = NIC("network", "network='default'") +
  NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02");

/** What {@link world} gives a test. */
export interface World {
  dir: string;
  conn: DriverConnection;
  launcher: FakeLauncher;
  taps: FakeTapHost;
  net: FakeNetworkDriver;
  /** Closes the connection (the driver state goes), runs `away`, and opens again. */
  reopen(away?: () => Promise<void>): Promise<DriverConnection>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A QEMU driver under a temp root, with a fake network driver, fake taps, real storage. */
export async function world(
  networks: Record<string, FakeNetwork> = {
    default: { uuid: "0d0e0f10-1111-4222-8333-444455556666", active: true, bridge: "virbr0" },
  },
  opts: {
    bridges?: string[];
    privileged?: boolean;
    secondaries?: SecondaryDriver[];
    /** Secondary drivers beside the fake network driver and storage (when `secondaries` is not given). */
    more?: SecondaryDriver[];
    /** QEMU's network layer, for hotplug. */
    nics?: FakeNics;
    /** The nwfilter driver's host (links, firewall commands), when `more` has that driver. */
    nwfilterHost?: unknown;
  } = {},
): Promise<World> {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher({ onCommand: opts.nics?.handle });
  opts.nics?.follow(launcher.launches);
  const taps = new FakeTapHost(opts.bridges ?? ["virbr0", "br0"], opts.privileged ?? true);
  const net = new FakeNetworkDriver(networks);
  const registry = createRegistry(
    [qemuConnectDriver],
    opts.secondaries ?? [net.driver, storageDriver, ...opts.more ?? []],
  );
  const open = async () =>
    await registry.find("qemu")!.open(new URL(`qemu:///embed?root=${dir}`), {
      launcher,
      taps,
      log: () => {},
      unplugTimeoutMs: 50,
      nwfilterHost: opts.nwfilterHost,
    });
  const w: World = {
    dir,
    conn: await open(),
    launcher,
    taps,
    net,
    reopen: async (away) => {
      await w.conn.connectClose();
      await away?.();
      w.conn = await open();
      return w.conn;
    },
    async [Symbol.asyncDispose]() {
      await w.conn.connectClose().catch(() => {});
      for (const pid of launcher.alive()) await launcher.reap(pid);
      await Deno.remove(dir, { recursive: true });
    },
  };
  return w;
}

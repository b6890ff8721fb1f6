// Two QEMU drivers of this process on separate state roots for migration tests against fake
// QEMUs: the block harness's running domain on the source, a destination whose fakes really
// receive the migration stream.
import { Connection } from "../../../../client/connection.ts";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../../drivers/qemu/testing/mod.ts";
import { FakeMigration } from "../../../../drivers/qemu/testing/fake_migration.ts";
import { VIR } from "../../../../util/constants.ts";
import type {
  ConnectDriver,
  DriverConnection,
  DriverEvent,
  PeerOpener,
} from "../../../../util/driver.ts";
import { type Setup, setup } from "./block_harness.ts";
import { closeDriver } from "./close_driver.ts";

const E = VIR;

/** The destination driver, its fakes and the events it sent. */
export interface Destination {
  conn: DriverConnection;
  /** Opens another connection to the same destination driver. */
  another: () => Promise<DriverConnection>;
  client: Connection;
  launcher: FakeLauncher;
  migration: FakeMigration;
  events: DriverEvent[];
  close: () => Promise<void>;
}

/** A second QEMU driver on a state root of its own, its fakes migrating for real. */
export async function destination(openPeer?: PeerOpener): Promise<Destination> {
  const dir = await Deno.makeTempDir({ prefix: "ev-qmig-b-" });
  const migration = new FakeMigration("hp");
  const launcher = new FakeLauncher({ onCommand: migration.handle });
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir,
    launcher,
    openPeer,
  }) as DriverConnection;
  const events: DriverEvent[] = [];
  conn.subscribe!((ev) => events.push(ev));
  return {
    conn,
    another: async () =>
      await qemuConnectDriver.open(new URL("qemu:///session"), {
        stateDir: dir,
        launcher,
      }) as DriverConnection,
    client: new Connection(conn, "qemu:///session"),
    launcher,
    migration,
    events,
    close: () => closeDriver(conn, dir),
  };
}

/** The lifecycle events among `events`, as "event/detail". */
export function lifecycle(events: DriverEvent[]): string[] {
  return events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE)
    .map((e) => `${e.data.event}/${e.data.detail}`);
}

/**
 * Runs `fn` with a running domain on a source (the block harness) and a destination, both given
 * `options.openPeer` when the test has one.
 */
export async function withPair(
  fn: (a: Setup, src: Connection, b: Destination) => Promise<void>,
  options: Parameters<typeof setup>[0] = {},
  persistent = true,
): Promise<void> {
  const a = await setup(options, persistent);
  const b = await destination(options.openPeer);
  try {
    await fn(a, new Connection(a.conn, "qemu:///session"), b);
  } finally {
    await b.close();
    await a.close();
  }
}

/** A driver of scheme `scheme` serving `conn`, which outlives the gateway's sessions. */
export function serving(scheme: string, conn: DriverConnection): ConnectDriver {
  const shared = new Proxy(conn, {
    get: (target, key) => {
      if (key === "connectClose") return () => Promise.resolve();
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { name: scheme, schemes: [scheme], open: () => Promise.resolve(shared) };
}
